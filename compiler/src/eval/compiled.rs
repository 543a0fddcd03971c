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
    /// How its value follows from the loop's variables: what `memo_key`
    /// reads of it.
    reads: Reads,
    /// Whether a part of it is left to the tree walker.
    walks: bool,
    /// Its text, shared with every expression of the same text, when
    /// `memo_key` may evaluate it: the same text is the same value within an
    /// iteration (`regions[(i / 3) % 3] == "asia-south1"`, written three
    /// times in one body, is evaluated once).
    text: Option<Name>,
}

/// How a compiled expression's value follows from the loop's variables, for
/// `memo_key` (see `eval/loop_memo.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reads {
    /// Not at all: a constant.
    Nothing,
    /// Not at all, but a part is left to the tree walker (a branch the first
    /// iteration did not take): never evaluated for a key, as evaluating it
    /// the first time may remember it (see `Evaluator::eval`).
    NothingWalked,
    /// Through arithmetic alone (`i`, `i % 3`, `2 + (i / 3) % 3`): one part of
    /// a key, cheap to compute, a small value, and its evaluation changes
    /// nothing but what it reports.
    Plainly,
    /// Through its parts, whose plain parts make the key (an `if`'s condition
    /// decides which branch's parts).
    ThroughParts,
    /// Through a part left to the tree walker, or through the condition of an
    /// `if` that has such a part: no key.
    Opaquely,
}

impl Reads {
    /// What an expression made of `parts` reads, taken as a whole (not as a
    /// key part).
    fn of_parts<'a>(parts: impl IntoIterator<Item = &'a Compiled>) -> Reads {
        let mut reads = Reads::Nothing;
        for part in parts {
            reads = match (reads, part.reads) {
                (Reads::Opaquely, _) | (_, Reads::Opaquely) => return Reads::Opaquely,
                (Reads::Nothing, other) | (other, Reads::Nothing) => other,
                (Reads::NothingWalked, Reads::NothingWalked) => Reads::NothingWalked,
                _ => Reads::ThroughParts,
            };
        }
        match reads {
            Reads::Plainly => Reads::ThroughParts,
            other => other,
        }
    }

    /// What an arithmetic operation (`+ - * / %`) of `operands` reads: plainly
    /// when each is plain or constant.
    fn of_arithmetic<'a>(operands: impl IntoIterator<Item = &'a Compiled> + Clone) -> Reads {
        let mut plain = false;
        for operand in operands.clone() {
            match operand.reads {
                Reads::Plainly => plain = true,
                Reads::Nothing => {}
                _ => return Reads::of_parts(operands),
            }
        }
        match plain {
            true => Reads::Plainly,
            false => Reads::Nothing,
        }
    }

    /// What `if condition then .. else ..` reads: its condition is evaluated
    /// for a key, so it may not have a part left to the tree walker.
    fn of_if(condition: &Compiled, then_branch: &Compiled, else_branch: &Compiled) -> Reads {
        match Reads::of_parts([condition, then_branch, else_branch]) {
            Reads::ThroughParts if condition.walks => Reads::Opaquely,
            other => other,
        }
    }
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

    /// Whether `memo_key` can find the key of its value (see
    /// `eval/loop_memo.rs`): no part that reads a loop variable is left to the
    /// tree walker, and it reads one.
    pub fn has_key(&self) -> bool {
        matches!(self.reads, Reads::Plainly | Reads::ThroughParts)
    }
}

/// `node`, left to the tree walker: it reads the loop when a name in it is a
/// loop variable.
fn walked(node: SyntaxNode<'_>, scope: &Scope) -> Compiled {
    let reads_the_loop = node
        .descendants()
        .any(|inner| inner.kind() == NAME_REF && scope.is_bound(inner.text()));
    Compiled {
        range: node.range(),
        shape: Shape::Walk(node.id()),
        reads: match reads_the_loop {
            true => Reads::Opaquely,
            false => Reads::NothingWalked,
        },
        walks: true,
        text: None,
    }
}

impl Evaluator<'_> {
    /// `node` (an expression met in a loop before) in compiled form.
    pub(super) fn compile(&self, node: SyntaxNode<'_>, scope: &Scope) -> Compiled {
        let range = node.range();
        let walk = || walked(node, scope);
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
        let parts: Vec<&Compiled> = match &shape {
            Shape::Constant(_) | Shape::Bound(..) | Shape::Walk(_) => Vec::new(),
            Shape::String { parts, .. } => parts
                .iter()
                .filter_map(|part| match part {
                    Part::Interpolation { value, .. } => Some(value),
                    _ => None,
                })
                .collect(),
            Shape::Binary { first, rest } => std::iter::once(&first.value)
                .chain(rest.iter().map(|(_, operand)| &operand.value))
                .collect(),
            Shape::Index { base, key } => vec![&**base, &**key],
            Shape::If {
                condition,
                then_branch,
                else_branch,
            } => vec![&**condition, &**then_branch, &**else_branch],
            Shape::List(elements) => elements.iter().collect(),
            Shape::Record { fields, .. } => fields.iter().map(|field| &field.value).collect(),
        };
        let walks = parts.iter().any(|part| part.walks);
        let reads = match &shape {
            Shape::Constant(_) => Reads::Nothing,
            Shape::Bound(..) => Reads::Plainly,
            Shape::Walk(_) => return walk(),
            Shape::Binary { rest, .. }
                if rest.iter().all(|(operator, _)| {
                    matches!(operator, PLUS | MINUS | STAR | SLASH | PERCENT)
                }) =>
            {
                Reads::of_arithmetic(parts.iter().copied())
            }
            Shape::If {
                condition,
                then_branch,
                else_branch,
            } => Reads::of_if(condition, then_branch, else_branch),
            _ => Reads::of_parts(parts.iter().copied()),
        };
        let evaluated_for_keys = match reads {
            Reads::Plainly => true,
            Reads::ThroughParts => {
                !walks && !matches!(shape, Shape::List(_) | Shape::Record { .. })
            }
            _ => false,
        };
        Compiled {
            range,
            shape,
            reads,
            walks,
            text: evaluated_for_keys.then(|| self.name(node.text())),
        }
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
            return match known {
                None => walked(node, scope),
                Some(Some(value)) => Compiled {
                    range: node.range(),
                    shape: Shape::Constant(value),
                    reads: Reads::Nothing,
                    walks: false,
                    text: None,
                },
                Some(None) => self.compile(node, scope),
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

    /// Pushes onto `key` the values of the parts of `compiled` that read the
    /// loop's variables plainly, in order: with the loop-invariant parts (the
    /// same in every iteration), they decide its value. False when they do
    /// not (a part the tree walker evaluates reads the loop, or a condition is
    /// not a boolean). Reports what evaluating those parts reports; the caller
    /// takes that back.
    pub(super) fn memo_key(
        &self,
        compiled: &Compiled,
        tree_node: SyntaxNode<'_>,
        scope: &Scope,
        key: &mut MemoKey,
    ) -> bool {
        match compiled.reads {
            Reads::Nothing | Reads::NothingWalked => return true,
            Reads::Opaquely => return false,
            Reads::Plainly => {
                self.key_part(compiled, tree_node, scope, key);
                return true;
            }
            Reads::ThroughParts => {}
        }
        let mut parts = |part: &Compiled| self.memo_key(part, tree_node, scope, key);
        match &compiled.shape {
            Shape::String { parts: pieces, .. } => pieces.iter().all(|piece| match piece {
                Part::Interpolation { value, .. } => parts(value),
                _ => true,
            }),
            Shape::Binary { first, rest } => {
                parts(&first.value) && rest.iter().all(|(_, operand)| parts(&operand.value))
            }
            Shape::Index { base, key } => parts(base) && parts(key),
            Shape::List(elements) => elements.iter().all(parts),
            Shape::Record { fields, .. } => fields.iter().all(|field| parts(&field.value)),
            Shape::If {
                condition,
                then_branch,
                else_branch,
            } => {
                // The condition decides which branch's parts are the rest.
                let condition = self.key_part(condition, tree_node, scope, key);
                let taken = match self.branch(&condition) {
                    Some(true) => then_branch,
                    Some(false) => else_branch,
                    None => return false,
                };
                self.memo_key(taken, tree_node, scope, key)
            }
            Shape::Constant(_) | Shape::Bound(..) | Shape::Walk(_) => false,
        }
    }

    /// The value of `compiled`, a part of a key: evaluated and added to `key`,
    /// unless a part of the same text was.
    fn key_part(
        &self,
        compiled: &Compiled,
        tree_node: SyntaxNode<'_>,
        scope: &Scope,
        key: &mut MemoKey,
    ) -> Value {
        if let Some(text) = &compiled.text
            && let Some((_, value)) = key.met.iter().find(|(met, _)| Arc::ptr_eq(met, text))
        {
            return value.clone();
        }
        let value = self.run(compiled, tree_node, scope);
        if let Some(text) = &compiled.text {
            key.met.push((text.clone(), value.clone()));
        }
        key.values.push(value.clone());
        value
    }
}

/// A key being found (see `memo_key`): its values, and the parts evaluated
/// so far by their text.
#[derive(Default)]
pub(super) struct MemoKey {
    pub values: Vec<Value>,
    met: Vec<(Name, Value)>,
}
