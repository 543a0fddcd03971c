//! The CEL runtime of the admission check: the `cel` crate's standard library,
//! with `matches` compiling each pattern once per thread (the crate's own
//! compiles it at every call, which was a third of a large fleet's check).

use super::cel_document::document_val;
use crate::emit::document::Node;
use cel::ExecutionError;
use cel::common::types::{CelBool, CelString};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// The environment rules compile and run in: the standard library, with the
/// RE2 `matches` (global and member forms) that Kubernetes' CEL has.
pub fn environment() -> Arc<cel::Env> {
    let mut environment = cel::Env::stdlib();
    cel::add_overload!(environment, fn matches: (CelString, CelString) -> Result<CelBool>,
        id = "matches")
    .expect("the crate's standard library is built without `matches`");
    cel::add_member_overload!(environment, fn matches: (CelString, CelString) -> Result<CelBool>)
        .expect("the crate's standard library is built without `matches`");
    Arc::new(environment)
}

fn matches(text: &CelString<'_>, pattern: &CelString<'_>) -> Result<CelBool, ExecutionError> {
    thread_local! {
        static COMPILED: RefCell<HashMap<String, Result<regex::Regex, String>>> =
            RefCell::default();
    }
    COMPILED.with(|compiled| {
        let mut compiled = compiled.borrow_mut();
        let regex = compiled
            .entry(pattern.inner().to_string())
            .or_insert_with(|| {
                regex::Regex::new(pattern.inner()).map_err(|error| error.to_string())
            });
        match regex {
            Ok(regex) => Ok(CelBool::from(regex.is_match(text.inner()))),
            Err(error) => Err(ExecutionError::FunctionError {
                function: "matches".to_string(),
                message: format!(
                    "'{}' is not a valid regular expression: {error}",
                    pattern.inner()
                ),
            }),
        }
    })
}

/// `expression` evaluated as the admission check evaluates a rule, with
/// `variables` (`object`, `params`, `namespaceObject`, ...) bound: whether it
/// holds, or why it cannot be said.
pub fn evaluate_cel(expression: &str, variables: &[(&str, &Node)]) -> Result<bool, String> {
    let environment = environment();
    let program = environment
        .compile(expression)
        .map_err(|error| format!("the expression does not parse: {error}"))?;
    let mut context = cel::Context::with_env(environment);
    for (name, value) in variables {
        context.add_variable_as_val(*name, document_val(value, None));
    }
    match program.execute(&context) {
        Ok(cel::Value::Bool(holds)) => Ok(holds),
        Ok(other) => Err(format!("the expression gives {other:?}, not a boolean")),
        Err(error) => Err(format!("the expression fails: {error}")),
    }
}
