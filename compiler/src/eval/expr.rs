//! Evaluating expressions, before types: literals, names, lists, records,
//! operators, `if`, calls, comprehensions and selectors. A bare name that no
//! scope binds stays a symbol; `conform` decides what it names once a type expects
//! it. Every value keeps the span of the expression that made it.

use super::compiled::Compiled;
use super::scope::Scope;
use super::value::{ClusterField, CompareOp, Predicate, Selector, Value, ValueKind};
use super::{Evaluator, LoopValue};
use crate::diagnostics::{Diagnostic, code};
use crate::names::{Name, Namespace};
use crate::syntax::ast::{self, StringPart};
use crate::syntax::{SyntaxKind::*, SyntaxNode};
use std::rc::Rc;
use std::sync::Arc;

impl Evaluator<'_> {
    /// The value of an expression node (or of a missing one: an error value).
    pub fn eval(&self, node: Option<SyntaxNode<'_>>, scope: &Scope) -> Value {
        let Some(node) = node else {
            return Value::error(scope.span(Default::default()));
        };
        // Inside a `for` or a comprehension, most of a body does not depend on the
        // loop variables (`port = 8080`, `requests = { ... }`): such an expression
        // has one value in every iteration, computed once.
        if scope.has_bindings() && is_remembered(node, scope) {
            let key = (scope.file_id, node.id());
            let known = self.invariants.borrow().get(&key).cloned();
            match known {
                Some(LoopValue::Invariant(value)) => return value,
                // Met a second time, and it depends on the loop: compiled now
                // (see `compiled.rs`), once the first evaluation has found which
                // of its parts do.
                Some(LoopValue::Dependent(None)) => {
                    let compiled = Rc::new(self.compile(node, scope));
                    self.invariants
                        .borrow_mut()
                        .insert(key, LoopValue::Dependent(Some(compiled.clone())));
                    return self.run_or_walk(&compiled, node, scope);
                }
                // A declaration's body: evaluated once per key (see
                // `loop_memo.rs`).
                Some(LoopValue::Dependent(Some(compiled))) if node.kind() == BODY => {
                    return self.run_body(&compiled, node, scope);
                }
                Some(LoopValue::Dependent(Some(compiled))) => {
                    return self.run_or_walk(&compiled, node, scope);
                }
                None => {}
            }
            let invariant = !node
                .descendants()
                .any(|inner| inner.kind() == NAME_REF && scope.is_bound(inner.text()));
            let before = self.diagnostics.borrow().len();
            let value = self.eval_node(node, scope);
            if invariant {
                let after = self.diagnostics.borrow().len();
                self.loop_invariant_diagnostics
                    .borrow_mut()
                    .extend(before..after);
                // Kept alive by `invariants`, below.
                self.share(&value);
            }
            let known = match invariant {
                true => LoopValue::Invariant(value.clone()),
                false => LoopValue::Dependent(None),
            };
            self.invariants.borrow_mut().insert(key, known);
            return value;
        }
        self.eval_node(node, scope)
    }

    pub(super) fn run_or_walk(
        &self,
        compiled: &Compiled,
        node: SyntaxNode<'_>,
        scope: &Scope,
    ) -> Value {
        match compiled.is_walked() {
            true => self.eval_node(node, scope),
            false => self.run(compiled, node, scope),
        }
    }

    fn eval_node(&self, node: SyntaxNode<'_>, scope: &Scope) -> Value {
        let span = scope.span(node.range());
        let kind = match node.kind() {
            LITERAL => return self.literal(node, scope),
            STRING => return self.string(node, scope),
            NAME_REF => return self.name_ref(node, scope),
            PAREN_EXPR => return self.eval(node.children().next(), scope),
            LIST_EXPR => ValueKind::List(
                node.children()
                    .map(|element| self.eval(Some(element), scope))
                    .collect(),
            ),
            RECORD_EXPR | BODY => ValueKind::Record(Arc::new(self.body(node, scope))),
            PREFIX_EXPR => return self.prefix(node, scope),
            BINARY_EXPR => return self.binary(node, scope),
            WHERE_EXPR => return self.where_expr(node, scope),
            IF_EXPR => return self.if_expr(node, scope),
            CALL_EXPR => return self.call(node, scope),
            INDEX_EXPR => return self.index(node, scope),
            FIELD_EXPR => return self.field_access(node, scope),
            COMPREHENSION => return self.comprehension(node, scope),
            // Syntax errors were reported by the parser.
            _ => ValueKind::Error,
        };
        Value::new(kind, span)
    }

    fn literal(&self, node: SyntaxNode<'_>, scope: &Scope) -> Value {
        let span = scope.span(node.range());
        let Some(token) = node.first_significant_token() else {
            return Value::error(span);
        };
        let kind = literal_kind(token).unwrap_or_else(|too_large| {
            self.report(
                Diagnostic::new(code::E0309, format!("`{too_large}` is too large"))
                    .with_primary(span, "numbers are 64-bit integers")
                    .with_help("write a smaller number"),
            );
            ValueKind::Error
        });
        Value::new(kind, span)
    }

    pub fn string(&self, node: SyntaxNode<'_>, scope: &Scope) -> Value {
        let span = scope.span(node.range());
        // The source text is about as long as the value (longer, for an
        // interpolation of a short name): one allocation, not one per growth.
        let mut text = String::with_capacity(node.range().len().into());
        let mut failed = false;
        for part in ast::string_parts(node) {
            match part {
                StringPart::Text(piece) => text.push_str(piece),
                StringPart::Escape(Some(character)) => text.push(character),
                // Reported by the lexer.
                StringPart::Escape(None) => failed = true,
                StringPart::Interpolation(expression) => {
                    let value = self.eval(expression, scope);
                    let name = expression
                        .filter(|node| node.kind() == NAME_REF)
                        .map(|node| node.text());
                    failed |= !self.interpolate(&mut text, value, name, scope);
                }
            }
        }
        self.finish_string(text, failed, ast::is_multi_line(node), span)
    }

    /// Puts an interpolated value into `text`; `false` when it cannot be (then
    /// reported, unless it is an error already). `name` is the text of the
    /// expression when it is a bare name.
    pub(super) fn interpolate(
        &self,
        text: &mut String,
        value: Value,
        name: Option<&str>,
        scope: &Scope,
    ) -> bool {
        if self.report_if_undeclared(&value, scope) {
            return false;
        }
        // `"${search}"` with a team and an app called `search`: no
        // type says which (E0202), even if the text would be the same.
        // (A `let` holding the name was reported where it was set.)
        if name.is_some_and(|name| value.name().is_some_and(|value_name| **value_name == *name)) {
            self.check_unambiguous(&value, &scope.module);
        }
        match value.interpolate_into(text) {
            true => true,
            false if value.is_error() => false,
            false => {
                self.report(
                    Diagnostic::new(
                        code::E0309,
                        format!("cannot put {} in a string", value.describe()),
                    )
                    .with_primary(value.span, "this is not text")
                    .with_help("interpolate names, strings, numbers or quantities"),
                );
                false
            }
        }
    }

    /// The value of a string once its parts are in `text`.
    pub(super) fn finish_string(
        &self,
        text: String,
        failed: bool,
        multi_line: bool,
        span: crate::diagnostics::Span,
    ) -> Value {
        if failed {
            return Value::error(span);
        }
        let text = if multi_line { ast::dedent(&text) } else { text };
        Value::new(ValueKind::String(Arc::from(text)), span)
    }

    fn name_ref(&self, node: SyntaxNode<'_>, scope: &Scope) -> Value {
        let span = scope.span(node.range());
        let name = node.text();
        if let Some(bound) = scope.lookup(name) {
            // A loop variable: the value it stands for, seen from where it is used.
            return Value {
                kind: bound.kind.clone(),
                span,
            };
        }
        if let Some(value) = self.let_value(&scope.module, name) {
            let declared_too = Namespace::DECLARATIONS.iter().any(|namespace| {
                !self
                    .index
                    .lookup(&scope.module, *namespace, name)
                    .is_empty()
            });
            if declared_too {
                self.let_names.borrow_mut().insert(span, Name::from(name));
            }
            return Value {
                kind: value.kind,
                span,
            };
        }
        match name {
            "clusters" => {
                return Value::new(
                    ValueKind::Selector(Arc::new(Selector { predicate: None })),
                    span,
                );
            }
            "rest" => return Value::new(ValueKind::Rest, span),
            _ => {}
        }
        Value::new(ValueKind::Symbol(self.name(name)), span)
    }

    fn prefix(&self, node: SyntaxNode<'_>, scope: &Scope) -> Value {
        let span = scope.span(node.range());
        let operator = node.first_significant_token().map(|token| token.kind());
        let operand = self.eval(node.children().next(), scope);
        let kind = match (operator, &operand.kind) {
            (_, ValueKind::Error) => ValueKind::Error,
            (Some(NOT_KW), ValueKind::Bool(value)) => ValueKind::Bool(!value),
            (Some(MINUS), ValueKind::Int(value)) => ValueKind::Int(-value),
            (Some(MINUS), ValueKind::QuantityLiteral(text)) => {
                ValueKind::QuantityLiteral(Arc::from(format!("-{text}")))
            }
            _ => {
                let wanted = if operator == Some(NOT_KW) {
                    "`true` or `false`"
                } else {
                    "a number"
                };
                self.report(
                    Diagnostic::new(
                        code::E0309,
                        format!("expected {wanted}, found {}", operand.describe()),
                    )
                    .with_primary(operand.span, format!("expected {wanted}")),
                );
                ValueKind::Error
            }
        };
        Value::new(kind, span)
    }

    /// A run of one operator level, folded from the left.
    fn binary<'t>(&self, node: SyntaxNode<'t>, scope: &Scope) -> Value {
        let span = scope.span(node.range());
        let mut operands = node.children();
        let mut operators = node
            .child_tokens()
            .filter(|token| !token.kind().is_trivia())
            .map(|token| token.kind())
            .peekable();
        // `->` makes a path: the list of its operands.
        if operators.peek() == Some(&ARROW) {
            let steps = operands
                .map(|operand| self.eval(Some(operand), scope))
                .collect();
            return Value::new(ValueKind::List(steps), span);
        }
        // A name operand is shown by its name in a message: "`base-replicas` is `2`".
        // Only the text is kept (no copy): it is needed only if the operation fails.
        let name_of = |operand: Option<SyntaxNode<'t>>| {
            operand
                .filter(|operand| operand.kind() == NAME_REF)
                .map(|operand| operand.text())
        };
        let first = operands.next();
        let mut lhs_name = name_of(first);
        let mut lhs = self.eval(first, scope);
        while let Some(operator) = operators.next() {
            // `not in` is two tokens.
            if operator == NOT_KW && operators.peek() == Some(&IN_KW) {
                operators.next();
            }
            // Short-circuit: the right side of a decided `and`/`or` is not evaluated.
            if let (AND_KW | OR_KW, ValueKind::Bool(value)) = (operator, &lhs.kind)
                && *value == (operator == OR_KW)
            {
                operands.next();
                lhs = Value::new(ValueKind::Bool(*value), span);
                continue;
            }
            let operand = operands.next();
            let rhs_name = name_of(operand);
            let rhs = self.eval(operand, scope);
            if self.report_if_undeclared(&lhs, scope) | self.report_if_undeclared(&rhs, scope) {
                lhs = Value::error(span);
                continue;
            }
            let names = [lhs_name.take(), rhs_name];
            lhs = self.apply(operator, lhs, rhs, span, &names);
        }
        lhs
    }

    pub(super) fn apply(
        &self,
        operator: crate::syntax::SyntaxKind,
        lhs: Value,
        rhs: Value,
        span: crate::diagnostics::Span,
        names: &[Option<&str>; 2],
    ) -> Value {
        use ValueKind::*;
        let shown = |value: &Value, name: &Option<&str>| match name {
            Some(name) => format!("`{name}` is {}", value.describe()),
            None => value.describe(),
        };
        // Whole numbers first, the common case in a loop (`i % 3`).
        if let (Int(a), Int(b)) = (&lhs.kind, &rhs.kind)
            && let Some(kind) = int_operation(operator, *a, *b)
        {
            return Value::new(kind, span);
        }
        if lhs.is_error() || rhs.is_error() {
            return Value::error(span);
        }
        let kind = match (operator, &lhs.kind, &rhs.kind) {
            (SLASH | PERCENT, Int(_), Int(0)) => {
                self.report(
                    Diagnostic::new(code::E0309, "division by zero")
                        .with_primary(rhs.span, "this is zero"),
                );
                return Value::error(span);
            }
            // What `int_operation` leaves: a result that does not fit in 64
            // bits (`i64::MIN / -1` too), reported below.
            (PLUS | MINUS | STAR | SLASH | PERCENT, Int(_), Int(_)) => Error,
            (PLUS, String(a), String(b)) => String(Arc::from(format!("{a}{b}"))),
            (PLUS, List(a), List(b)) => List(a.iter().chain(b.iter()).cloned().collect()),
            (AND_KW | OR_KW, Bool(_), Bool(b)) => Bool(*b),
            (EQ2 | EQ, _, _) => Bool(same_value(&lhs, &rhs)),
            (NEQ, _, _) => Bool(!same_value(&lhs, &rhs)),
            (LT, String(a), String(b)) => Bool(a < b),
            (LE, String(a), String(b)) => Bool(a <= b),
            (GT, String(a), String(b)) => Bool(a > b),
            (GE, String(a), String(b)) => Bool(a >= b),
            (IN_KW, _, List(items)) => Bool(items.iter().any(|item| same_value(&lhs, item))),
            (NOT_KW, _, List(items)) => Bool(!items.iter().any(|item| same_value(&lhs, item))),
            _ => {
                self.report(
                    Diagnostic::new(
                        code::E0309,
                        format!(
                            "cannot apply `{}` to {} and {}",
                            operator_text(operator),
                            lhs.kind_word(),
                            rhs.kind_word()
                        ),
                    )
                    .with_primary(span, "this operation")
                    .with_secondary(lhs.span, shown(&lhs, &names[0]))
                    .with_secondary(rhs.span, shown(&rhs, &names[1])),
                );
                return Value::error(span);
            }
        };
        if matches!(kind, Error) {
            self.report(
                Diagnostic::new(code::E0309, "the result does not fit in 64 bits")
                    .with_primary(span, "here"),
            );
        }
        Value::new(kind, span)
    }

    fn if_expr(&self, node: SyntaxNode<'_>, scope: &Scope) -> Value {
        let mut parts = node.children();
        let condition = self.eval(parts.next(), scope);
        let (then_branch, else_branch) = (parts.next(), parts.next());
        match self.branch(&condition) {
            Some(true) => self.eval(then_branch, scope),
            Some(false) => self.eval(else_branch, scope),
            None => Value::error(scope.span(node.range())),
        }
    }

    /// Which branch of an `if` a condition takes; `None` for an error (reported
    /// here when it is not one already).
    pub(super) fn branch(&self, condition: &Value) -> Option<bool> {
        match condition.kind {
            ValueKind::Bool(value) => Some(value),
            ValueKind::Error => None,
            _ => {
                self.report(
                    Diagnostic::new(
                        code::E0302,
                        format!("expected `true` or `false`, found {}", condition.describe()),
                    )
                    .with_primary(condition.span, "an `if` needs a condition"),
                );
                None
            }
        }
    }

    fn index(&self, node: SyntaxNode<'_>, scope: &Scope) -> Value {
        let span = scope.span(node.range());
        let mut parts = node.children();
        let base = self.eval(parts.next(), scope);
        let key = self.eval(parts.next(), scope);
        self.index_value(&base, key, span, scope)
    }

    /// `base[key]`.
    pub(super) fn index_value(
        &self,
        base: &Value,
        key: Value,
        span: crate::diagnostics::Span,
        scope: &Scope,
    ) -> Value {
        if self.report_if_undeclared(base, scope) | self.report_if_undeclared(&key, scope) {
            return Value::error(span);
        }
        let found = match (&base.kind, &key.kind) {
            (ValueKind::Error, _) | (_, ValueKind::Error) => return Value::error(span),
            (ValueKind::List(items), ValueKind::Int(position)) => {
                let length = items.len() as i64;
                let position = if *position < 0 {
                    length + position
                } else {
                    *position
                };
                if (0..length).contains(&position) {
                    return Value {
                        kind: items[position as usize].kind.clone(),
                        span,
                    };
                }
                format!("index {position} is outside the list of {length}")
            }
            (ValueKind::Record(record), _) => match key.interpolated() {
                Some(name) => match record.get(&name) {
                    Some(value) => {
                        return Value {
                            kind: value.kind.clone(),
                            span,
                        };
                    }
                    None => format!("the record has no `{name}`"),
                },
                None => format!("cannot index a record with {}", key.describe()),
            },
            _ => format!("cannot index {} with {}", base.describe(), key.describe()),
        };
        self.report(Diagnostic::new(code::E0309, found).with_primary(span, "this index"));
        Value::error(span)
    }

    fn field_access(&self, node: SyntaxNode<'_>, scope: &Scope) -> Value {
        let span = scope.span(node.range());
        let base_node = node.children().next();
        let field = node.child_tokens().rfind(|token| !token.kind().is_trivia());
        let Some(field) = field.filter(|token| token.kind() != DOT) else {
            return Value::error(span);
        };
        // `team.search`: a declaration word qualifies the name space.
        if let Some(base) = base_node.filter(|base| base.kind() == NAME_REF)
            && !scope.is_bound(base.text())
            && let Some(namespace) = Namespace::of_word(base.text())
        {
            return self.qualified_ref(namespace, field.text(), span, scope);
        }
        // `policies.require_limits`: a name from an imported module.
        if let Some(base) = base_node.filter(|base| base.kind() == NAME_REF)
            && !scope.is_bound(base.text())
            && let Some(module) = self.import_alias(scope.file, base.text())
        {
            return self.module_member(&module, base.text(), field.text(), span);
        }
        let base = self.eval(base_node, scope);
        match &base.kind {
            ValueKind::Error => Value::error(span),
            ValueKind::Record(record) => match record.get(field.text()) {
                Some(value) => Value {
                    kind: value.kind.clone(),
                    span,
                },
                None => {
                    self.report(
                        Diagnostic::new(
                            code::E0309,
                            format!("the record has no field `{}`", field.text()),
                        )
                        .with_primary(scope.span(field.range()), "no such field"),
                    );
                    Value::error(span)
                }
            },
            _ => {
                self.report(
                    Diagnostic::new(code::E0309, format!("{} has no fields", base.describe()))
                        .with_primary(
                            scope.span(field.range()),
                            format!("`.{}` on {}", field.text(), base.describe()),
                        ),
                );
                Value::error(span)
            }
        }
    }

    fn comprehension(&self, node: SyntaxNode<'_>, scope: &Scope) -> Value {
        let span = scope.span(node.range());
        let bindings: Vec<_> = node
            .children()
            .filter(|child| child.kind() == FOR_BINDING)
            .collect();
        let rest: Vec<_> = node
            .children()
            .filter(|child| child.kind() != FOR_BINDING)
            .collect();
        let (condition, body) = match rest.as_slice() {
            [condition, body] => (Some(*condition), Some(*body)),
            [body] => (None, Some(*body)),
            _ => (None, None),
        };
        let mut out = Vec::new();
        let complete = self.iterate(&bindings, scope, &mut |inner: &Scope| {
            if let Some(condition) = condition {
                match self.eval(Some(condition), inner).kind {
                    ValueKind::Bool(true) => {}
                    ValueKind::Bool(false) | ValueKind::Error => return,
                    _ => {
                        self.report(
                            Diagnostic::new(
                                code::E0302,
                                "a comprehension's `if` needs `true` or `false`",
                            )
                            .with_primary(inner.span(condition.range()), "not a condition"),
                        );
                        return;
                    }
                }
            }
            out.push(self.eval(body, inner));
        });
        if !complete {
            return Value::error(span);
        }
        Value::new(ValueKind::List(out.into()), span)
    }

    /// Runs `each` for every combination of the `FOR_BINDING`s, in order; `false`
    /// when a binding's values are not a list (reported).
    pub fn iterate(
        &self,
        bindings: &[SyntaxNode<'_>],
        scope: &Scope,
        each: &mut dyn FnMut(&Scope),
    ) -> bool {
        let Some((first, rest)) = bindings.split_first() else {
            each(scope);
            return true;
        };
        let name = first.child_tokens().find(|token| token.kind() == IDENT);
        let values = self.eval(first.children().next(), scope);
        let items = match &values.kind {
            ValueKind::List(items) => items.clone(),
            ValueKind::Error => return false,
            _ => {
                self.report(
                    Diagnostic::new(
                        code::E0207,
                        format!("`for` needs a list, found {}", values.describe()),
                    )
                    .with_primary(values.span, "not a list")
                    .with_help(
                        "iterate over a list (`[a, b]`), a `let` that holds one, or `range(n)`",
                    ),
                );
                return false;
            }
        };
        let Some(name) = name else { return false };
        let name = self.name(name.text());
        for item in items.iter() {
            let inner = scope.with([(name.clone(), item.clone())]);
            if !self.iterate(rest, &inner, each) {
                return false;
            }
        }
        true
    }

    fn call(&self, node: SyntaxNode<'_>, scope: &Scope) -> Value {
        let span = scope.span(node.range());
        let callee = node.children().next();
        let arguments: Vec<_> = node
            .child_of_kind(ARG_LIST)
            .map(|list| list.children().collect())
            .unwrap_or_default();
        let Some(callee) = callee.filter(|callee| callee.kind() == NAME_REF) else {
            self.report(
                Diagnostic::new(code::E0310, "only functions and record types can be called")
                    .with_primary(span, "this is not a name"),
            );
            return Value::error(span);
        };
        let name = callee.text();
        if let Some(value) = self.builtin_call(name, &arguments, span, scope) {
            return value;
        }
        self.construct(name, &arguments, span, scope)
    }

    /// The values of call arguments: positional ones in order, then named ones.
    pub fn arguments(
        &self,
        arguments: &[SyntaxNode<'_>],
        scope: &Scope,
    ) -> (Vec<Value>, Vec<(Name, Value, crate::diagnostics::Span)>) {
        let mut positional = Vec::new();
        let mut named = Vec::new();
        for argument in arguments {
            if argument.kind() == NAMED_ARG {
                let Some(name) = argument.child_tokens().find(|token| token.kind() == IDENT) else {
                    continue;
                };
                let value = self.eval(argument.children().next(), scope);
                named.push((Name::from(name.text()), value, scope.span(name.range())));
            } else {
                positional.push(self.eval(Some(*argument), scope));
            }
        }
        (positional, named)
    }

    fn builtin_call(
        &self,
        name: &str,
        arguments: &[SyntaxNode<'_>],
        span: crate::diagnostics::Span,
        scope: &Scope,
    ) -> Option<Value> {
        if !matches!(name, "range" | "len" | "present")
            || self.type_named(&scope.module, name).is_some()
        {
            return None;
        }
        let (positional, named) = self.arguments(arguments, scope);
        // In a `require`, an optional field that is not set is bound to an error
        // value: `present` is the one function that reads it.
        if name != "present" && positional.iter().any(Value::is_error) {
            return Some(Value::error(span));
        }
        let wrong = |expected: &str| {
            self.report(
                Diagnostic::new(code::E0310, format!("`{name}` takes {expected}"))
                    .with_primary(span, "this call")
                    .with_help(match name {
                        "range" => "`range(3)` is `[0, 1, 2]`; `range(2, 5)` is `[2, 3, 4]`",
                        "len" => "`len(list)` counts a list's elements or a string's characters",
                        _ => "`present(field)` tells whether an optional field is set",
                    }),
            );
            Some(Value::error(span))
        };
        if !named.is_empty() {
            return wrong("no named arguments");
        }
        let kind = match (name, positional.as_slice()) {
            ("range", [end]) | ("range", [_, end]) => {
                let start = if positional.len() == 2 {
                    &positional[0]
                } else {
                    end
                };
                let (ValueKind::Int(start), ValueKind::Int(end)) = (
                    if positional.len() == 2 {
                        &start.kind
                    } else {
                        &ValueKind::Int(0)
                    },
                    &end.kind,
                ) else {
                    return wrong("whole numbers");
                };
                const MAX_RANGE: i64 = 10_000_000;
                if end - start > MAX_RANGE {
                    self.report(
                        Diagnostic::new(
                            code::E0310,
                            format!("`range` is limited to {MAX_RANGE} values"),
                        )
                        .with_primary(span, "this range is larger"),
                    );
                    return Some(Value::error(span));
                }
                ValueKind::List(
                    (*start..*end)
                        .map(|number| Value::new(ValueKind::Int(number), span))
                        .collect(),
                )
            }
            ("len", [value]) => match &value.kind {
                ValueKind::List(items) => ValueKind::Int(items.len() as i64),
                ValueKind::String(text) => ValueKind::Int(text.chars().count() as i64),
                _ => return wrong("a list or a string"),
            },
            ("present", [value]) => ValueKind::Bool(!matches!(value.kind, ValueKind::Error)),
            ("range", _) => return wrong("one or two whole numbers"),
            _ => return wrong("one argument"),
        };
        Some(Value::new(kind, span))
    }

    /// `clusters where condition`: the selector, with the condition compiled to
    /// comparisons of cluster fields.
    fn where_expr(&self, node: SyntaxNode<'_>, scope: &Scope) -> Value {
        let span = scope.span(node.range());
        let mut parts = node.children();
        let base = self.eval(parts.next(), scope);
        let condition = parts.next();
        let base_predicate = match &base.kind {
            ValueKind::Selector(selector) => selector.predicate.clone(),
            ValueKind::Error => return Value::error(span),
            _ => {
                self.report(
                    Diagnostic::new(
                        code::E0311,
                        format!("`where` filters clusters, not {}", base.describe()),
                    )
                    .with_primary(base.span, "not `clusters`")
                    .with_help(match &base.kind {
                        ValueKind::List(_) => {
                            "filter a list with a comprehension: `[for x in list if ...: x]`"
                        }
                        _ => "write `clusters where ...`",
                    }),
                );
                return Value::error(span);
            }
        };
        let Some(condition) = condition else {
            return Value::error(span);
        };
        let Some(predicate) = self.predicate(condition, scope) else {
            return Value::error(span);
        };
        let predicate = match base_predicate {
            Some(before) => Predicate::And(vec![before, predicate]),
            None => predicate,
        };
        Value::new(
            ValueKind::Selector(Arc::new(Selector {
                predicate: Some(predicate),
            })),
            span,
        )
    }

    /// A `where` condition as a predicate; `None` when it cannot be one (reported).
    fn predicate(&self, node: SyntaxNode<'_>, scope: &Scope) -> Option<Predicate> {
        let span = scope.span(node.range());
        match node.kind() {
            PAREN_EXPR => self.predicate(node.children().next()?, scope),
            PREFIX_EXPR
                if node
                    .first_significant_token()
                    .is_some_and(|token| token.kind() == NOT_KW) =>
            {
                Some(Predicate::Not(Box::new(
                    self.predicate(node.children().next()?, scope)?,
                )))
            }
            LITERAL => match node.first_significant_token()?.kind() {
                TRUE_KW => Some(Predicate::Constant(true)),
                FALSE_KW => Some(Predicate::Constant(false)),
                _ => self.not_a_selector(node, scope),
            },
            BINARY_EXPR => {
                let operators: Vec<_> = node
                    .child_tokens()
                    .filter(|token| !token.kind().is_trivia())
                    .map(|token| token.kind())
                    .collect();
                let operands: Vec<_> = node.children().collect();
                match operators.first() {
                    Some(AND_KW) | Some(OR_KW) => {
                        let parts = operands
                            .iter()
                            .map(|operand| self.predicate(*operand, scope))
                            .collect::<Option<Vec<_>>>()?;
                        Some(if operators[0] == AND_KW {
                            Predicate::And(parts)
                        } else {
                            Predicate::Or(parts)
                        })
                    }
                    Some(&operator) if operands.len() == 2 => {
                        let op = match (operator, operators.get(1)) {
                            (EQ2 | EQ, _) => CompareOp::Equal,
                            (NEQ, _) => CompareOp::NotEqual,
                            (IN_KW, _) => CompareOp::In,
                            (NOT_KW, Some(IN_KW)) => CompareOp::NotIn,
                            (LT | LE | GT | GE, _) => {
                                self.report(
                                    Diagnostic::new(
                                        code::E0311,
                                        format!(
                                            "a selector cannot order clusters with `{}`",
                                            operator_text(operator)
                                        ),
                                    )
                                    .with_primary(span, "an ordering, not a match")
                                    .with_note("selectors become label selectors, which match values: `==`, `!=`, `in`, `not in`")
                                    .with_help("list the values instead, as in `kubernetes in [\"1.34\", \"1.35\"]`"),
                                );
                                return None;
                            }
                            _ => return self.not_a_selector(node, scope),
                        };
                        let field = self.cluster_field(operands[0], scope)?;
                        let value = self.eval(Some(operands[1]), scope);
                        if value.is_error() {
                            return None;
                        }
                        let values = match (&value.kind, op) {
                            (ValueKind::List(items), CompareOp::In | CompareOp::NotIn) => {
                                items.to_vec()
                            }
                            (_, CompareOp::In | CompareOp::NotIn) => {
                                self.report(
                                    Diagnostic::new(
                                        code::E0311,
                                        format!("`in` needs a list, found {}", value.describe()),
                                    )
                                    .with_primary(value.span, "not a list"),
                                );
                                return None;
                            }
                            _ => vec![value],
                        };
                        let mut all_known = true;
                        for value in &values {
                            all_known &= self.is_known_cluster_value(&field, value, scope);
                        }
                        if !all_known {
                            return None;
                        }
                        Some(Predicate::Compare {
                            field,
                            op,
                            values,
                            span,
                        })
                    }
                    _ => self.not_a_selector(node, scope),
                }
            }
            _ => self.not_a_selector(node, scope),
        }
    }

    /// Whether a value a selector compares a field with can be a value of that
    /// field: a declared env or cluster, a region of some cloud, a cloud, a known
    /// Kubernetes version. A typo is an error here, not an empty selection.
    fn is_known_cluster_value(&self, field: &ClusterField, value: &Value, scope: &Scope) -> bool {
        let Some(text) = value
            .name()
            .cloned()
            .or_else(|| value.as_str().map(Name::from))
        else {
            return true;
        };
        let namespace = match field {
            ClusterField::Env => Namespace::Env,
            ClusterField::Name => Namespace::Cluster,
            ClusterField::Region => return self.is_region(&text, value.span),
            ClusterField::Cloud => return self.is_variant_of("Cloud", &text, value.span),
            ClusterField::Kubernetes => {
                return self.is_variant_of("KubernetesVersion", &text, value.span);
            }
            ClusterField::Label(_) => return true,
        };
        if !self
            .index
            .lookup(&scope.module, namespace, &text)
            .is_empty()
        {
            return true;
        }
        self.unresolved(&text, value.span, &scope.module, Some(namespace));
        false
    }

    /// Whether `text` is a variant of the prelude enum `enumeration`; E0306 with
    /// the closest variant if not.
    fn is_variant_of(&self, enumeration: &str, text: &str, span: crate::diagnostics::Span) -> bool {
        let Some(item) = self.prelude_type(enumeration) else {
            return true;
        };
        let Some(crate::types::TypeDef::Enum(definition)) = self.type_def(item).as_deref().cloned()
        else {
            return true;
        };
        if definition.variant(text).is_some() {
            return true;
        }
        let mut diagnostic =
            Diagnostic::new(code::E0306, format!("`{text}` is not a `{enumeration}`"))
                .with_primary(span, "no cluster can have this value");
        let names = definition.variants.iter().map(|variant| &*variant.name);
        if let Some(closest) = super::closest(text, names.clone()) {
            diagnostic = diagnostic.with_help(format!("did you mean `{closest}`?"));
        } else if definition.variants.len() <= 8 {
            let listed: Vec<String> = names.map(|name| format!("`{name}`")).collect();
            diagnostic = diagnostic.with_help(format!("use one of {}", listed.join(", ")));
        }
        self.report(diagnostic);
        false
    }

    /// The cluster field a comparison tests: `env`, `region`, `labels.team`.
    fn cluster_field(&self, node: SyntaxNode<'_>, scope: &Scope) -> Option<ClusterField> {
        let span = scope.span(node.range());
        let field = match node.kind() {
            NAME_REF => {
                let name = node.text();
                let field = ClusterField::of_name(name);
                let shadowing = if scope.is_bound(name) {
                    Some("loop variable")
                } else if !self
                    .index
                    .lookup(&scope.module, Namespace::Value, name)
                    .is_empty()
                {
                    Some("`let`")
                } else {
                    None
                };
                if let (Some(_), Some(what)) = (&field, shadowing) {
                    self.report(
                        Diagnostic::new(
                            code::E0206,
                            format!("`{name}` is both a cluster field and a {what}"),
                        )
                        .with_primary(
                            span,
                            format!("inside `where`, `{name}` is the cluster's field"),
                        )
                        .with_help(format!(
                            "rename the {what}, so the condition says which one it means"
                        )),
                    );
                    return None;
                }
                field
            }
            FIELD_EXPR => {
                let base = node.children().next()?;
                let key = node
                    .child_tokens()
                    .rfind(|token| !token.kind().is_trivia())?;
                (base.kind() == NAME_REF && base.text() == "labels")
                    .then(|| ClusterField::Label(Name::from(key.text())))
            }
            INDEX_EXPR => {
                let mut parts = node.children();
                let base = parts.next()?;
                let key = self.eval(parts.next(), scope);
                (base.kind() == NAME_REF && base.text() == "labels")
                    .then(|| key.as_str().map(|key| ClusterField::Label(Name::from(key))))
                    .flatten()
            }
            _ => None,
        };
        if field.is_none() {
            self.report(
                Diagnostic::new(code::E0311, format!("`{}` is not a field a selector can test", node.text()))
                    .with_primary(span, "expected a cluster field")
                    .with_help("a selector compares `name`, `env`, `region`, `cloud`, `kubernetes` or `labels.<key>` with values"),
            );
        }
        field
    }

    fn not_a_selector(&self, node: SyntaxNode<'_>, scope: &Scope) -> Option<Predicate> {
        self.report(
            Diagnostic::new(code::E0311, "this condition cannot select clusters")
                .with_primary(scope.span(node.range()), "not a comparison of a cluster field")
                .with_help(
                    "combine comparisons such as `env == production`, `region in [\"us-east-1\"]` or `labels.tier != \"gpu\"` with `and`, `or` and `not`; they become label selectors",
                ),
        );
        None
    }

    /// `team.search`: a declaration of one kind, by name.
    fn qualified_ref(
        &self,
        namespace: Namespace,
        name: &str,
        span: crate::diagnostics::Span,
        scope: &Scope,
    ) -> Value {
        let found = self.index.lookup(&scope.module, namespace, name);
        match found.first() {
            Some(&item) => Value::new(
                ValueKind::Ref {
                    namespace,
                    name: Name::from(name),
                    item,
                },
                span,
            ),
            None => {
                self.unresolved(name, span, &scope.module, Some(namespace));
                Value::error(span)
            }
        }
    }
}

/// Equality of values by what they mean: a symbol equals the variant or
/// reference of the same name; a quantity literal equals its text.
pub fn same_value(a: &Value, b: &Value) -> bool {
    use ValueKind::*;
    match (&a.kind, &b.kind) {
        (Bool(a), Bool(b)) => a == b,
        (Int(a), Int(b)) => a == b,
        (String(a), String(b)) => a == b,
        (QuantityLiteral(a), QuantityLiteral(b)) => a == b,
        (Quantity(a), Quantity(b)) => a == b,
        (List(a), List(b)) => {
            a.len() == b.len() && a.iter().zip(b.iter()).all(|(a, b)| same_value(a, b))
        }
        (Record(a), Record(b)) => {
            a.fields.len() == b.fields.len()
                && a.fields.iter().all(|field| {
                    b.get(&field.name)
                        .is_some_and(|other| same_value(&field.value, other))
                })
        }
        (Symbol(_) | Variant { .. } | Ref { .. }, Symbol(_) | Variant { .. } | Ref { .. }) => {
            a.name() == b.name()
        }
        // A string region compared with a quoted variant of the same text.
        (String(text), Variant { name, .. }) | (Variant { name, .. }, String(text)) => text == name,
        _ => false,
    }
}

fn operator_text(operator: crate::syntax::SyntaxKind) -> &'static str {
    match operator {
        PLUS => "+",
        MINUS => "-",
        STAR => "*",
        SLASH => "/",
        PERCENT => "%",
        LT => "<",
        LE => "<=",
        GT => ">",
        GE => ">=",
        IN_KW => "in",
        NOT_KW => "not in",
        AND_KW => "and",
        OR_KW => "or",
        DOT2 => "..",
        _ => "this operator",
    }
}

/// The value of a literal's token; `Err` with its text for a whole number
/// that does not fit in 64 bits.
pub(super) fn literal_kind(token: crate::syntax::SyntaxToken<'_>) -> Result<ValueKind, &str> {
    let text = token.text();
    Ok(match token.kind() {
        TRUE_KW => ValueKind::Bool(true),
        FALSE_KW => ValueKind::Bool(false),
        NUMBER if !text.contains('.') => ValueKind::Int(parse_integer(text).map_err(|_| text)?),
        NUMBER | QUANTITY => ValueKind::QuantityLiteral(Arc::from(text)),
        _ => ValueKind::Error,
    })
}

/// `a operator b` on whole numbers; `None` for a result that does not fit in
/// 64 bits, a division by zero, or an operator that is not arithmetic or a
/// comparison (`apply` reports or handles those).
fn int_operation(operator: crate::syntax::SyntaxKind, a: i64, b: i64) -> Option<ValueKind> {
    use ValueKind::{Bool, Int};
    Some(match operator {
        PLUS => Int(a.checked_add(b)?),
        MINUS => Int(a.checked_sub(b)?),
        STAR => Int(a.checked_mul(b)?),
        SLASH => Int(a.checked_div_euclid(b)?),
        PERCENT => Int(a.checked_rem_euclid(b)?),
        EQ2 | EQ => Bool(a == b),
        NEQ => Bool(a != b),
        LT => Bool(a < b),
        LE => Bool(a <= b),
        GT => Bool(a > b),
        GE => Bool(a >= b),
        _ => return None,
    })
}

/// `1_000` as 1000.
fn parse_integer(text: &str) -> Result<i64, std::num::ParseIntError> {
    if text.contains('_') {
        text.replace('_', "").parse()
    } else {
        text.parse()
    }
}

/// Expressions worth remembering when they do not depend on loop variables: the
/// ones that build or compute something, and names of `let`s (a lookup through
/// the module's names otherwise). Literals are cheaper to evaluate again.
pub(super) fn is_remembered(node: SyntaxNode<'_>, scope: &Scope) -> bool {
    matches!(
        node.kind(),
        STRING
            | LIST_EXPR
            | RECORD_EXPR
            | BODY
            | PREFIX_EXPR
            | BINARY_EXPR
            | WHERE_EXPR
            | IF_EXPR
            | CALL_EXPR
            | INDEX_EXPR
            | FIELD_EXPR
            | COMPREHENSION
    ) || (node.kind() == NAME_REF && !scope.is_bound(node.text()))
}
