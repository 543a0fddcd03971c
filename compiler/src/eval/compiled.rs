//! Expressions that depend on a loop's variables, walked once and kept in a
//! compact form: `if regions[(i / 3) % 3] == "asia-south1" then gcp else aws`
//! in a `for` of ten thousand iterations is evaluated ten thousand times, and
//! finding its parts in the syntax tree (children, operator tokens, literal
//! text, string pieces) cost more than computing it.
//!
//! Only the common, simple shapes are compiled: literals, loop variables,
//! strings, arithmetic and comparisons, indexing, `if`, lists, records and
//! blocks whose keys are plain names or quoted without `${...}`, and
//! parentheses. Any other part (a call, a selector, a key made by
//! interpolation, a name that is not a loop variable) is left to the tree
//! walker (`Shape::Walk`), and so are its values: a part that does not depend
//! on the loop is taken from `invariants` as before. The operations themselves
//! (`apply`, `index_value`, `branch`, `interpolate`, `finish_string`,
//! `set_path`) are the tree walker's, so values and diagnostics are the same
//! either way.
//!
//! An expression is compiled the second time it is met (see `Evaluator::eval`):
//! by then the first evaluation has found which of its parts depend on the loop.

use super::Evaluator;
use super::LoopValue;
use super::expr::is_remembered;
use super::records::RememberedKeys;
use super::scope::Scope;
use super::value::{Field, Record, SetOp, Value, ValueKind};
use crate::names::Name;
use crate::syntax::ast::{self, StringPart};
use crate::syntax::{SyntaxKind, SyntaxKind::*, SyntaxNode};
use std::sync::Arc;
use text_size::TextRange;

/// An expression in compiled form, with its place in the source (its value's
/// span).
pub struct Compiled {
    range: TextRange,
    shape: Shape,
}

enum Shape {
    /// The same value in every iteration: a literal, or a part that does not
    /// depend on the loop.
    Constant(Value),
    /// A loop variable (a name bound in the scope), with its node's id.
    Bound(Name, u32),
    String {
        parts: Vec<Part>,
        multi_line: bool,
    },
    /// A run of one operator level, folded from the left: the first operand,
    /// then each operator with its operand. Each operand keeps its text when it
    /// is a bare name, for messages.
    Binary {
        first: Box<Operand>,
        rest: Vec<(SyntaxKind, Operand)>,
    },
    Index {
        base: Box<Compiled>,
        key: Box<Compiled>,
    },
    If {
        condition: Box<Compiled>,
        then_branch: Box<Compiled>,
        else_branch: Box<Compiled>,
    },
    List(Vec<Compiled>),
    /// A record (or body) of fields and blocks with plain keys, in order.
    /// `distinct`: each key is one name, no two alike, so that each field is
    /// only added (no field set before to find, nothing to merge or report).
    Record {
        fields: Vec<RecordField>,
        distinct: bool,
    },
    /// Evaluated by the tree walker: the node's id in its tree.
    Walk(u32),
}

struct RecordField {
    keys: RememberedKeys,
    op: SetOp,
    value: Compiled,
}

struct Operand {
    value: Compiled,
    name: Option<Box<str>>,
}

enum Part {
    Text(Box<str>),
    Escape(Option<char>),
    Interpolation {
        value: Compiled,
        /// The expression's text when it is a bare name.
        name: Option<Box<str>>,
    },
    /// `${}` with nothing inside.
    Empty,
}

/// The operators `apply` folds without short-circuit or special form.
fn is_plain_operator(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        PLUS | MINUS | STAR | SLASH | PERCENT | EQ2 | EQ | NEQ | LT | LE | GT | GE
    )
}

impl Compiled {
    /// Whether the expression is left to the tree walker as a whole.
    pub fn is_walked(&self) -> bool {
        matches!(self.shape, Shape::Walk(_))
    }
}

impl Evaluator<'_> {
    /// `node` (an expression met in a loop before) in compiled form.
    pub(super) fn compile(&self, node: SyntaxNode<'_>, scope: &Scope) -> Compiled {
        let range = node.range();
        let walk = || Compiled {
            range,
            shape: Shape::Walk(node.id()),
        };
        let shape = match node.kind() {
            LITERAL => match self.plain_literal(node, scope) {
                Some(value) => Shape::Constant(value),
                None => return walk(),
            },
            NAME_REF if scope.is_bound(node.text()) => {
                Shape::Bound(self.name(node.text()), node.id())
            }
            PAREN_EXPR => match node.children().next() {
                Some(inner) => return self.compile_part(inner, scope),
                None => return walk(),
            },
            STRING => {
                let mut parts = Vec::new();
                for part in ast::string_parts(node) {
                    parts.push(match part {
                        StringPart::Text(text) => Part::Text(text.into()),
                        StringPart::Escape(character) => Part::Escape(character),
                        StringPart::Interpolation(Some(expression)) => Part::Interpolation {
                            value: self.compile_part(expression, scope),
                            name: (expression.kind() == NAME_REF).then(|| expression.text().into()),
                        },
                        StringPart::Interpolation(None) => Part::Empty,
                    });
                }
                Shape::String {
                    parts,
                    multi_line: ast::is_multi_line(node),
                }
            }
            BINARY_EXPR => {
                let operators: Vec<SyntaxKind> = node
                    .child_tokens()
                    .map(|token| token.kind())
                    .filter(|kind| !kind.is_trivia())
                    .collect();
                let operands: Vec<SyntaxNode<'_>> = node.children().collect();
                if operands.len() != operators.len() + 1
                    || !operators.iter().copied().all(is_plain_operator)
                {
                    return walk();
                }
                let operand = |node: SyntaxNode<'_>| Operand {
                    value: self.compile_part(node, scope),
                    name: (node.kind() == NAME_REF).then(|| node.text().into()),
                };
                let mut operands = operands.into_iter();
                let Some(first) = operands.next() else {
                    return walk();
                };
                Shape::Binary {
                    first: Box::new(operand(first)),
                    rest: operators.into_iter().zip(operands.map(operand)).collect(),
                }
            }
            INDEX_EXPR => {
                let mut parts = node.children();
                let (Some(base), Some(key), None) = (parts.next(), parts.next(), parts.next())
                else {
                    return walk();
                };
                Shape::Index {
                    base: Box::new(self.compile_part(base, scope)),
                    key: Box::new(self.compile_part(key, scope)),
                }
            }
            IF_EXPR => {
                let mut parts = node.children();
                let (Some(condition), Some(then_branch), Some(else_branch)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    return walk();
                };
                Shape::If {
                    condition: Box::new(self.compile_part(condition, scope)),
                    then_branch: Box::new(self.compile_part(then_branch, scope)),
                    else_branch: Box::new(self.compile_part(else_branch, scope)),
                }
            }
            LIST_EXPR => Shape::List(
                node.children()
                    .map(|element| self.compile_part(element, scope))
                    .collect(),
            ),
            RECORD_EXPR | BODY => {
                let mut fields = Vec::new();
                for entry in node.children() {
                    let (keys, op, value) = match self.plain_field(entry, scope) {
                        Some(field) => field,
                        None => match self.plain_block(entry, scope) {
                            Some((keys, body)) => (keys, SetOp::Set, body),
                            // A key made by interpolation: the tree walker's.
                            None => return walk(),
                        },
                    };
                    fields.push(RecordField {
                        keys,
                        op,
                        value: self.compile_part(value, scope),
                    });
                }
                let distinct = fields.iter().enumerate().all(|(position, field)| {
                    let [(name, _)] = &*field.keys else {
                        return false;
                    };
                    fields[..position]
                        .iter()
                        .all(|before| before.keys.iter().all(|(other, _)| other != name))
                });
                Shape::Record { fields, distinct }
            }
            _ => return walk(),
        };
        Compiled { range, shape }
    }

    /// A part of a compiled expression: constant when the first evaluation
    /// found it does not depend on the loop, compiled when it does or when it
    /// is not remembered (a literal, a loop variable), else left to the tree
    /// walker (a branch the first iteration did not take).
    fn compile_part(&self, node: SyntaxNode<'_>, scope: &Scope) -> Compiled {
        if is_remembered(node, scope) {
            let known = self
                .invariants
                .borrow()
                .get(&(scope.file_id, node.id()))
                .map(|known| match known {
                    LoopValue::Invariant(value) => Some(value.clone()),
                    LoopValue::Dependent(_) => None,
                });
            let shape = match known {
                None => Shape::Walk(node.id()),
                Some(Some(value)) => Shape::Constant(value),
                Some(None) => return self.compile(node, scope),
            };
            return Compiled {
                range: node.range(),
                shape,
            };
        }
        self.compile(node, scope)
    }

    /// A literal's value, when it has one without a diagnostic (a number too
    /// large is reported by the tree walker, in each iteration as before).
    fn plain_literal(&self, node: SyntaxNode<'_>, scope: &Scope) -> Option<Value> {
        let kind = super::expr::literal_kind(node.first_significant_token()?).ok()?;
        (!matches!(kind, ValueKind::Error)).then(|| Value::new(kind, scope.span(node.range())))
    }

    /// The value of a compiled expression in `scope`; `tree_node` is any node
    /// of the expression's syntax tree (to find the parts left to the tree
    /// walker).
    pub(super) fn run(
        &self,
        compiled: &Compiled,
        tree_node: SyntaxNode<'_>,
        scope: &Scope,
    ) -> Value {
        let span = scope.span(compiled.range);
        match &compiled.shape {
            Shape::Constant(value) => value.clone(),
            Shape::Bound(name, id) => match scope.lookup(name) {
                Some(bound) => Value {
                    kind: bound.kind.clone(),
                    span,
                },
                // Not bound in this scope (never the case in one loop body,
                // but cheap to be sure of): the tree walker's answer.
                None => self.eval(Some(tree_node.tree().node(*id)), scope),
            },
            Shape::Walk(id) => self.eval(Some(tree_node.tree().node(*id)), scope),
            Shape::String { parts, multi_line } => {
                let mut text = String::with_capacity(compiled.range.len().into());
                let mut failed = false;
                for part in parts {
                    match part {
                        Part::Text(piece) => text.push_str(piece),
                        Part::Escape(Some(character)) => text.push(*character),
                        Part::Escape(None) => failed = true,
                        Part::Interpolation { value, name } => {
                            let value = self.run(value, tree_node, scope);
                            failed |= !self.interpolate(&mut text, value, name.as_deref(), scope);
                        }
                        Part::Empty => {
                            let value = self.eval(None, scope);
                            failed |= !self.interpolate(&mut text, value, None, scope);
                        }
                    }
                }
                self.finish_string(text, failed, *multi_line, span)
            }
            Shape::Binary { first, rest } => {
                let mut lhs_name = first.name.as_deref();
                let mut lhs = self.run(&first.value, tree_node, scope);
                for (operator, operand) in rest {
                    let rhs = self.run(&operand.value, tree_node, scope);
                    if self.report_if_undeclared(&lhs, scope)
                        | self.report_if_undeclared(&rhs, scope)
                    {
                        lhs = Value::error(span);
                        lhs_name = None;
                        continue;
                    }
                    let names = [lhs_name.take(), operand.name.as_deref()];
                    lhs = self.apply(*operator, lhs, rhs, span, &names);
                }
                lhs
            }
            Shape::Index { base, key } => match &base.shape {
                // `regions[(i / 3) % 3]`: the list as it is, not a copy.
                Shape::Constant(list) => {
                    let key = self.run(key, tree_node, scope);
                    self.index_value(list, key, span, scope)
                }
                _ => {
                    let base = self.run(base, tree_node, scope);
                    let key = self.run(key, tree_node, scope);
                    self.index_value(&base, key, span, scope)
                }
            },
            Shape::If {
                condition,
                then_branch,
                else_branch,
            } => {
                let condition = self.run(condition, tree_node, scope);
                match self.branch(&condition) {
                    Some(true) => self.run(then_branch, tree_node, scope),
                    Some(false) => self.run(else_branch, tree_node, scope),
                    None => Value::error(span),
                }
            }
            Shape::Record { fields, distinct } => {
                let mut record = Record {
                    ty: None,
                    fields: Vec::with_capacity(fields.len()),
                };
                for field in fields {
                    let value = self.run(&field.value, tree_node, scope);
                    match (&*field.keys, distinct) {
                        // What `set_path` does with a key no field has yet.
                        ([(name, key_span)], true) => record.fields.push(Field {
                            name: name.clone(),
                            value,
                            key_span: *key_span,
                            op: field.op,
                        }),
                        _ => self.set_path(&mut record, &field.keys, field.op, value),
                    }
                }
                Value::new(ValueKind::Record(Arc::new(record)), span)
            }
            Shape::List(elements) => Value::new(
                ValueKind::List(
                    elements
                        .iter()
                        .map(|element| self.run(element, tree_node, scope))
                        .collect(),
                ),
                span,
            ),
        }
    }
}
