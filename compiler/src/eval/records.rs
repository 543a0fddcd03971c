//! Bodies to records, and records merged in layers.
//!
//! A body's entries become fields: `a.b = 1` and `a { b = 1 }` both set `b` inside
//! `a`; `gate staging { ... }` sets the `staging` entry of `gate`. Setting one field
//! twice in a body is an error (E0308). Merging (templates under declarations,
//! overlays over apps) goes field by field: records merge; a list whose type has
//! a key (node groups by `name`) merges element by element on that key; other
//! lists are replaced unless appended to (`+=`) or removed from (`-=`).

use super::Evaluator;
use super::expr::same_value;
use super::scope::Scope;
use super::value::{Field, Record, SetOp, Value, ValueKind};
use crate::diagnostics::{Diagnostic, Span, code};
use crate::names::Name;
use crate::syntax::{SyntaxElement, SyntaxKind::*, SyntaxNode, ast};
use std::rc::Rc;
use std::sync::Arc;

/// The keys of a path of plain keys in a loop, made once (see `key_path`).
pub(super) type RememberedKeys = Rc<[(Name, Span)]>;

/// The keys of a field's path with where each is written (`env.REGION`).
pub(super) enum KeyPath {
    /// A path of plain keys in a loop, made once (see `key_path`).
    Remembered(RememberedKeys),
    /// A path made for one use.
    Made(Vec<(Name, Span)>),
}

impl KeyPath {
    fn into_vec(self) -> Vec<(Name, Span)> {
        match self {
            KeyPath::Remembered(keys) => keys.to_vec(),
            KeyPath::Made(keys) => keys,
        }
    }
}

impl std::ops::Deref for KeyPath {
    type Target = [(Name, Span)];

    fn deref(&self) -> &Self::Target {
        match self {
            KeyPath::Remembered(keys) => keys,
            KeyPath::Made(keys) => keys,
        }
    }
}

impl Evaluator<'_> {
    /// The record a `BODY` or `RECORD_EXPR` sets (before types).
    pub fn body(&self, node: SyntaxNode<'_>, scope: &Scope) -> Record {
        // Room for a field per entry, at most: the record is not grown field by field.
        let mut record = Record {
            ty: None,
            fields: Vec::with_capacity(node.children().count()),
        };
        for entry in node.children() {
            match entry.kind() {
                FIELD => {
                    let Some(path) = self.key_path(entry, scope) else {
                        continue;
                    };
                    let op = field_op(entry);
                    let value_node = entry.children().rfind(|child| child.kind() != FIELD_PATH);
                    let value = self.eval(value_node, scope);
                    self.set_path(&mut record, &path, op, value);
                }
                BLOCK => {
                    let Some(keys) = self.key_path(entry, scope) else {
                        continue;
                    };
                    let mut path = keys.into_vec();
                    for label in entry.children().filter(|child| child.kind() == BLOCK_LABEL) {
                        match label_text(label) {
                            Some(text) => path.push((self.name(&text), scope.span(label.range()))),
                            None => continue,
                        }
                    }
                    let Some(body) = entry.child_of_kind(BODY) else {
                        continue;
                    };
                    let value = Value::new(
                        ValueKind::Record(Arc::new(self.body(body, scope))),
                        scope.span(body.range()),
                    );
                    self.set_path(&mut record, &path, SetOp::Set, value);
                }
                _ => {}
            }
        }
        record
    }

    /// A `FIELD` with a path of plain keys and a value: its keys, operation
    /// and value (what `compiled.rs` compiles a record's fields to); `None`
    /// for anything else.
    pub(super) fn plain_field<'t>(
        &self,
        entry: SyntaxNode<'t>,
        scope: &Scope,
    ) -> Option<(RememberedKeys, SetOp, SyntaxNode<'t>)> {
        if entry.kind() != FIELD || !has_plain_keys(entry) {
            return None;
        }
        let value = entry.children().rfind(|child| child.kind() != FIELD_PATH)?;
        let KeyPath::Remembered(keys) = self.key_path(entry, scope)? else {
            return None;
        };
        Some((keys, field_op(entry), value))
    }

    /// A `BLOCK` with a path of plain keys: its keys, labels included
    /// (`gate staging { ... }` sets `gate.staging`), and its body.
    pub(super) fn plain_block<'t>(
        &self,
        entry: SyntaxNode<'t>,
        scope: &Scope,
    ) -> Option<(RememberedKeys, SyntaxNode<'t>)> {
        if entry.kind() != BLOCK || !has_plain_keys(entry) {
            return None;
        }
        let body = entry.child_of_kind(BODY)?;
        let KeyPath::Remembered(keys) = self.key_path(entry, scope)? else {
            return None;
        };
        let mut path = keys.to_vec();
        for label in entry.children().filter(|child| child.kind() == BLOCK_LABEL) {
            if let Some(text) = label_text(label) {
                path.push((self.name(&text), scope.span(label.range())));
            }
        }
        Some((path.into(), body))
    }

    /// The key path of a `FIELD` or `BLOCK`: `env.REGION` is `[env, REGION]`.
    /// A path of plain keys is the same wherever it is evaluated: in a loop (a
    /// body that sets the same fields in every iteration) it is made once.
    fn key_path(&self, entry: SyntaxNode<'_>, scope: &Scope) -> Option<KeyPath> {
        let path = entry.child_of_kind(FIELD_PATH)?;
        let cache_key = (scope.file_id, path.id());
        let in_loop = scope.has_bindings();
        if in_loop && let Some(known) = self.key_paths.borrow().get(&cache_key) {
            return Some(KeyPath::Remembered(known.clone()));
        }
        let mut keys = Vec::new();
        let mut plain = true;
        for element in path.children_with_tokens() {
            match element {
                SyntaxElement::Token(token) if token.kind() == DOT || token.kind().is_trivia() => {}
                SyntaxElement::Token(token) => {
                    keys.push((self.name(token.text()), scope.span(token.range())))
                }
                SyntaxElement::Node(node) if node.kind() == STRING => {
                    // `"${key}" = ...`: the key may depend on the scope;
                    // `"app.kubernetes.io/name" = ...` does not.
                    plain &= is_constant_string(node);
                    let key = self.string(node, scope);
                    keys.push((Name::from(key.as_str()?), key.span));
                }
                SyntaxElement::Node(_) => return None,
            }
        }
        if keys.is_empty() {
            return None;
        }
        if !(in_loop && plain) {
            return Some(KeyPath::Made(keys));
        }
        let keys: RememberedKeys = keys.into();
        self.key_paths.borrow_mut().insert(cache_key, keys.clone());
        Some(KeyPath::Remembered(keys))
    }

    /// Sets `path` in `record`, creating the records on the way.
    pub(super) fn set_path(
        &self,
        record: &mut Record,
        path: &[(Name, Span)],
        op: SetOp,
        value: Value,
    ) {
        let ((name, key_span), rest) = path.split_first().expect("a key path has a key");
        if rest.is_empty() {
            match record.fields.iter_mut().find(|field| field.name == *name) {
                None => record.fields.push(Field {
                    name: name.clone(),
                    value,
                    key_span: *key_span,
                    op,
                }),
                // Two blocks (or a block and a path) for one record: they merge.
                Some(existing)
                    if existing.value.as_record().is_some()
                        && value.as_record().is_some()
                        && op == SetOp::Set =>
                {
                    let merged = self.merge_same_layer(
                        existing.value.as_record().expect("checked"),
                        value.as_record().expect("checked"),
                    );
                    existing.value =
                        Value::new(ValueKind::Record(Arc::new(merged)), existing.value.span);
                }
                Some(existing) => self.set_twice(name, existing.key_span, *key_span),
            }
            return;
        }
        match record.fields.iter_mut().find(|field| field.name == *name) {
            Some(existing) => match &existing.value.kind {
                ValueKind::Record(inner) => {
                    let mut inner = Record::clone(inner);
                    self.set_path(&mut inner, rest, op, value);
                    existing.value.kind = ValueKind::Record(Arc::new(inner));
                }
                _ => self.set_twice(name, existing.key_span, *key_span),
            },
            None => {
                let mut inner = Record::default();
                self.set_path(&mut inner, rest, op, value);
                let span = *key_span;
                record.fields.push(Field {
                    name: name.clone(),
                    value: Value::new(ValueKind::Record(Arc::new(inner)), span),
                    key_span: span,
                    op: SetOp::Set,
                });
            }
        }
    }

    /// Two records set in one body: fields set in both are set twice.
    fn merge_same_layer(&self, first: &Record, second: &Record) -> Record {
        let mut merged = first.clone();
        for field in &second.fields {
            self.set_path(
                &mut merged,
                &[(field.name.clone(), field.key_span)],
                field.op,
                field.value.clone(),
            );
        }
        merged
    }

    fn set_twice(&self, name: &str, first: Span, second: Span) {
        self.report(
            Diagnostic::new(code::E0308, format!("`{name}` is set twice"))
                .with_primary(second, "set again here")
                .with_secondary(first, "first set here")
                .with_help("set each field once in a body; to change it for an env or region, use an overlay"),
        );
    }

    /// `upper` over `lower`: fields of `upper` win; records merge field by field;
    /// `+=` appends to (or merges by key into) a list, `-=` removes from it.
    pub fn merge(
        &self,
        lower: &Record,
        upper: &Record,
        list_key: &dyn Fn(&str) -> Option<Name>,
    ) -> Record {
        let mut merged = lower.clone();
        merged.ty = lower.ty.or(upper.ty);
        for field in &upper.fields {
            let position = merged
                .fields
                .iter()
                .position(|existing| existing.name == field.name);
            let Some(position) = position else {
                // `+=` and `-=` keep their operation: with nothing below them here,
                // they apply to the type's default when the record is completed.
                merged.fields.push(field.clone());
                continue;
            };
            let existing = &merged.fields[position];
            // A `-=` below that had nothing to remove from (a template's, on a
            // field without a default) left nothing: this field is laid over
            // nothing. (A `+=` below with nothing under it is its list.)
            if existing.op == SetOp::Remove {
                merged.fields[position] = field.clone();
                continue;
            }
            let value = match (&existing.value.kind, &field.value.kind, field.op) {
                // Records made by two different constructors (`git(...)` below,
                // `helm(...)` above): the upper one replaces the lower, since
                // their fields do not mix.
                (ValueKind::Record(below), ValueKind::Record(above), SetOp::Set)
                    if below.ty.is_some() && above.ty.is_some() && below.ty != above.ty =>
                {
                    field.value.clone()
                }
                (ValueKind::Record(below), ValueKind::Record(above), SetOp::Set) => {
                    let record = self.merge(below, above, &|_| None);
                    Value::new(ValueKind::Record(Arc::new(record)), field.value.span)
                }
                (ValueKind::List(below), ValueKind::List(above), SetOp::Append) => {
                    let key = list_key(&field.name);
                    Value::new(
                        ValueKind::List(self.append(below, above, key.as_deref()).into()),
                        field.value.span,
                    )
                }
                // A list with a key merges by it: `node_groups = [{ name = "system", max = 20 }]`
                // changes the template's `system` group and keeps the others.
                (ValueKind::List(below), ValueKind::List(above), SetOp::Set)
                    if list_key(&field.name).is_some() =>
                {
                    let key = list_key(&field.name);
                    Value::new(
                        ValueKind::List(self.append(below, above, key.as_deref()).into()),
                        field.value.span,
                    )
                }
                (ValueKind::List(below), ValueKind::List(above), SetOp::Remove) => {
                    let key = list_key(&field.name);
                    let kept: Vec<Value> = below
                        .iter()
                        .filter(|item| {
                            !above
                                .iter()
                                .any(|removed| matches_item(item, removed, key.as_deref()))
                        })
                        .cloned()
                        .collect();
                    Value::new(ValueKind::List(kept.into()), field.value.span)
                }
                (_, _, SetOp::Append | SetOp::Remove) => {
                    let verb = if field.op == SetOp::Append {
                        "append to"
                    } else {
                        "remove from"
                    };
                    self.report(
                        Diagnostic::new(
                            code::E0302,
                            format!("cannot {verb} {}", existing.value.describe()),
                        )
                        .with_primary(field.key_span, format!("`{}` is not a list", field.name))
                        .with_help("`+=` and `-=` work on lists; set other values with `=`"),
                    );
                    continue;
                }
                _ => field.value.clone(),
            };
            merged.fields[position] = Field {
                name: field.name.clone(),
                value,
                key_span: field.key_span,
                op: SetOp::Set,
            };
        }
        merged
    }

    /// `below += above`: elements with a key already present merge into it.
    fn append(&self, below: &[Value], above: &[Value], key: Option<&str>) -> Vec<Value> {
        let mut out = below.to_vec();
        for item in above {
            let existing = key.and_then(|key| {
                let wanted = item.as_record()?.get(key)?;
                out.iter().position(|candidate| {
                    candidate
                        .as_record()
                        .and_then(|record| record.get(key))
                        .is_some_and(|have| same_value(have, wanted))
                })
            });
            match (existing, item.as_record()) {
                (Some(position), Some(record)) => {
                    let below = out[position].as_record().expect("found by key").clone();
                    // Made by two different constructors: the element above
                    // replaces the one below, as a field's value would.
                    let replaced = matches!((below.ty, record.ty), (Some(a), Some(b)) if a != b);
                    out[position] = if replaced {
                        item.clone()
                    } else {
                        let merged = self.merge(&below, record, &|_| None);
                        Value::new(ValueKind::Record(Arc::new(merged)), item.span)
                    };
                }
                _ => out.push(item.clone()),
            }
        }
        out
    }
}

/// Whether `item` is what `removed` names: equal, or the same key.
fn matches_item(item: &Value, removed: &Value, key: Option<&str>) -> bool {
    if same_value(item, removed) {
        return true;
    }
    let Some(key) = key else { return false };
    let item_key = item.as_record().and_then(|record| record.get(key));
    match (item_key, removed.as_record()) {
        (Some(item_key), Some(removed)) => removed
            .get(key)
            .is_some_and(|removed_key| same_value(item_key, removed_key)),
        (Some(item_key), None) => same_value(item_key, removed),
        _ => false,
    }
}

fn label_text(label: SyntaxNode<'_>) -> Option<String> {
    if let Some(string) = label.child_of_kind(STRING) {
        return ast::plain_string(string);
    }
    label
        .first_significant_token()
        .map(|token| token.text().to_string())
}

/// Whether a `FIELD` or `BLOCK` has a path of plain keys (`env.REGION`, a
/// quoted `"app.kubernetes.io/name"`), not one interpolated (`"${key}"`):
/// asked before `key_path`, which would evaluate the interpolation, and report
/// what is wrong with it, once more.
fn has_plain_keys(entry: SyntaxNode<'_>) -> bool {
    entry.child_of_kind(FIELD_PATH).is_some_and(|path| {
        path.children()
            .all(|key| key.kind() == STRING && is_constant_string(key))
    })
}

/// A string written without `${...}`: the same text wherever it is evaluated.
fn is_constant_string(string: SyntaxNode<'_>) -> bool {
    ast::string_parts(string).all(|part| !matches!(part, ast::StringPart::Interpolation(_)))
}

/// What a `FIELD` does with its value: `=` (or `:`) sets, `+=` appends, `-=`
/// removes.
fn field_op(entry: SyntaxNode<'_>) -> SetOp {
    match entry
        .child_tokens()
        .find(|token| matches!(token.kind(), EQ | PLUS_EQ | MINUS_EQ | COLON))
    {
        Some(token) if token.kind() == PLUS_EQ => SetOp::Append,
        Some(token) if token.kind() == MINUS_EQ => SetOp::Remove,
        _ => SetOp::Set,
    }
}
