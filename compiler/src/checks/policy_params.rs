//! A policy's rules read `params.<name>` (`restrict_image_registries` reads
//! `params.registries`): a declaration that does not give one of them would make
//! Kyverno fail the rule on every object (an error, not a verdict), so it is
//! reported where the policy is declared, naming what to give.

use super::field;
use crate::diagnostics::{Diagnostic, code};
use crate::eval::Evaluator;
use crate::eval::value::Value;
use crate::model::FleetModel;
use std::collections::BTreeMap;

pub fn given(evaluator: &Evaluator<'_>, model: &FleetModel) {
    for policy in &model.policies {
        let value = &policy.declared.value;
        let given: Vec<&str> = field(value, "params")
            .and_then(Value::as_record)
            .map(|params| params.fields.iter().map(|field| &*field.name).collect())
            .unwrap_or_default();
        // Each parameter read and a rule that reads it, in name order.
        let mut read: BTreeMap<String, String> = BTreeMap::new();
        for rule in field(value, "rules")
            .and_then(Value::as_list)
            .unwrap_or_default()
        {
            let Some(expression) = field(rule, "validate").and_then(Value::as_str) else {
                continue;
            };
            let rule_name = field(rule, "name").and_then(Value::as_str).unwrap_or("?");
            for name in parameters_read(expression) {
                read.entry(name).or_insert_with(|| rule_name.to_string());
            }
        }
        for (name, rule) in read {
            if given.contains(&name.as_str()) {
                continue;
            }
            // Where the fleet sets `params`; the policy's name when only the
            // stdlib's default (`{}`) does.
            let span = field(value, "params")
                .map(|params| params.span)
                .filter(|span| span.in_fleet())
                .unwrap_or(policy.declared.span);
            evaluator.report(
                Diagnostic::new(
                    code::E0419,
                    format!(
                        "the policy `{}` reads `params.{name}`, which it is not given",
                        policy.declared.name
                    ),
                )
                .with_primary(span, format!("no `{name}` in its `params`"))
                .with_note(format!("its rule `{rule}` reads `params.{name}`"))
                .with_help(format!(
                    "give it in the policy: `params = {{ {name} = ... }}` (see the template's doc comment for what it holds)"
                )),
            );
        }
    }
}

/// The names a CEL expression reads as `params.<name>`, outside string literals.
pub fn parameters_read(expression: &str) -> Vec<String> {
    let mut names = Vec::new();
    let bytes = expression.as_bytes();
    let mut quote: Option<u8> = None;
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        match quote {
            Some(open) => {
                if byte == b'\\' {
                    index += 1;
                } else if byte == open {
                    quote = None;
                }
            }
            None if byte == b'"' || byte == b'\'' => quote = Some(byte),
            None if expression[index..].starts_with("params.")
                && (index == 0 || !is_identifier(bytes[index - 1])) =>
            {
                let start = index + "params.".len();
                let end = expression[start..]
                    .find(|character: char| !character.is_ascii_alphanumeric() && character != '_')
                    .map_or(expression.len(), |offset| start + offset);
                if end > start {
                    names.push(expression[start..end].to_string());
                }
                index = end;
                continue;
            }
            None => {}
        }
        index += 1;
    }
    names
}

fn is_identifier(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'.'
}

#[cfg(test)]
mod tests {
    use super::parameters_read;

    #[test]
    fn parameters_are_read_outside_strings_only() {
        assert_eq!(
            parameters_read("object.all(c, params.registries.exists(r, c.image.startsWith(r)))"),
            ["registries"]
        );
        assert_eq!(
            parameters_read("'params.fake' == x && \"params.no\" == y"),
            Vec::<String>::new()
        );
        assert_eq!(parameters_read("variables.params.x"), Vec::<String>::new());
        assert_eq!(parameters_read("params.a + params.b_2"), ["a", "b_2"]);
    }
}
