//! Values, each with the span that set it (provenance): `fleet eval` and the
//! editor can say where every value came from.

use crate::diagnostics::Span;
use crate::names::index::ItemId;
use crate::names::{Name, Namespace};
use crate::types::Quantity;
use std::fmt;
use std::sync::Arc;

/// Equality and hashing are structural and include spans: two values are equal
/// when they are the same value set by the same expressions (what `conform` may
/// remember results by), not when they mean the same (see `expr::same_value`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Value {
    pub kind: ValueKind,
    /// The expression that set it.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ValueKind {
    Bool(bool),
    Int(i64),
    String(Arc<str>),
    /// A number with a unit (or a decimal), before a type says what it is.
    QuantityLiteral(Arc<str>),
    Quantity(Arc<Quantity>),
    List(Arc<[Value]>),
    Record(Arc<Record>),
    /// A bare name not bound in scope: an enum variant or a declaration, decided by
    /// the type that expects it (decision 004).
    Symbol(Name),
    Variant {
        enumeration: ItemId,
        name: Name,
    },
    Ref {
        namespace: Namespace,
        name: Name,
        item: ItemId,
    },
    /// `clusters`, or `clusters where ...`: a set of clusters, computed once every
    /// cluster is known.
    Selector(Arc<Selector>),
    /// `rest` in a promotion's waves: the clusters no earlier wave took.
    Rest,
    /// What an expression that failed evaluates to; its error was reported, and
    /// nothing that uses it is reported again.
    Error,
}

impl Value {
    pub fn new(kind: ValueKind, span: Span) -> Value {
        Value { kind, span }
    }

    pub fn error(span: Span) -> Value {
        Value {
            kind: ValueKind::Error,
            span,
        }
    }

    pub fn is_error(&self) -> bool {
        matches!(self.kind, ValueKind::Error)
    }

    pub fn as_record(&self) -> Option<&Arc<Record>> {
        match &self.kind {
            ValueKind::Record(record) => Some(record),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match &self.kind {
            ValueKind::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::String(text) => Some(text),
            _ => None,
        }
    }

    /// The name a symbol, variant or reference stands for.
    pub fn name(&self) -> Option<&Name> {
        match &self.kind {
            ValueKind::Symbol(name)
            | ValueKind::Variant { name, .. }
            | ValueKind::Ref { name, .. } => Some(name),
            _ => None,
        }
    }

    /// What kind of value it is, without the value: "a string", "a whole number".
    /// For headlines that stay the same in every iteration of a loop.
    pub fn kind_word(&self) -> &'static str {
        match &self.kind {
            ValueKind::Bool(_) => "`true` or `false`",
            ValueKind::Int(_) => "a whole number",
            ValueKind::String(_) => "a string",
            ValueKind::QuantityLiteral(_) | ValueKind::Quantity(_) => "a quantity",
            ValueKind::List(_) => "a list",
            ValueKind::Record(_) => "a record",
            ValueKind::Symbol(_) | ValueKind::Variant { .. } | ValueKind::Ref { .. } => "a name",
            ValueKind::Selector(_) => "a set of clusters",
            ValueKind::Rest => "`rest`",
            ValueKind::Error => "an invalid value",
        }
    }

    /// How the value reads in a message, short.
    pub fn describe(&self) -> String {
        match &self.kind {
            ValueKind::Bool(value) => format!("`{value}`"),
            ValueKind::Int(value) => format!("`{value}`"),
            ValueKind::String(text) => format!("the string \"{}\"", truncate(text, 40)),
            ValueKind::QuantityLiteral(text) => format!("`{text}`"),
            ValueKind::Quantity(quantity) => format!("`{quantity}`"),
            ValueKind::List(_) => "a list".into(),
            ValueKind::Record(_) => "a record".into(),
            ValueKind::Symbol(name) => format!("`{name}`"),
            ValueKind::Variant { name, .. } => format!("`{name}`"),
            ValueKind::Ref {
                namespace, name, ..
            } => format!("the {} `{name}`", namespace.describe()),
            ValueKind::Selector(_) => "a set of clusters".into(),
            ValueKind::Rest => "`rest`".into(),
            ValueKind::Error => "an invalid value".into(),
        }
    }

    /// The text of a value that reads as text in an interpolation.
    pub fn interpolated(&self) -> Option<String> {
        let mut text = String::new();
        self.interpolate_into(&mut text).then_some(text)
    }

    /// Appends the text of a value that reads as text in an interpolation to
    /// `out`; `false` (and nothing appended) for one that does not. Interpolating
    /// straight into the string being built saves a string per piece.
    pub fn interpolate_into(&self, out: &mut String) -> bool {
        use std::fmt::Write;
        // Writing to a `String` cannot fail.
        let _ = match &self.kind {
            ValueKind::Bool(value) => write!(out, "{value}"),
            ValueKind::Int(value) => write!(out, "{value}"),
            ValueKind::String(text) | ValueKind::QuantityLiteral(text) => out.write_str(text),
            ValueKind::Quantity(quantity) => write!(out, "{quantity}"),
            ValueKind::Symbol(name)
            | ValueKind::Variant { name, .. }
            | ValueKind::Ref { name, .. } => out.write_str(name),
            _ => return false,
        };
        true
    }
}

impl Value {
    /// Hashes what the value holds, leaving out what every iteration of a
    /// loop shares: spans, field names, and the insides of selectors. A
    /// weaker hash than `Hash`'s (values equal by `==` hash the same; some
    /// that differ do too), for a map keyed by values that come from one
    /// expression: hashing a record of twenty fields this way costs a third.
    pub fn hash_contents(&self, state: &mut impl std::hash::Hasher) {
        use std::hash::Hash;
        std::mem::discriminant(&self.kind).hash(state);
        match &self.kind {
            ValueKind::Bool(value) => value.hash(state),
            ValueKind::Int(value) => value.hash(state),
            ValueKind::String(text) | ValueKind::QuantityLiteral(text) => text.hash(state),
            ValueKind::Quantity(quantity) => quantity.hash(state),
            ValueKind::List(items) => {
                items.len().hash(state);
                for item in items.iter() {
                    item.hash_contents(state);
                }
            }
            ValueKind::Record(record) => {
                record.ty.hash(state);
                record.fields.len().hash(state);
                for field in &record.fields {
                    field.value.hash_contents(state);
                }
            }
            ValueKind::Symbol(name) => name.hash(state),
            ValueKind::Variant { enumeration, name } => {
                enumeration.hash(state);
                name.hash(state);
            }
            ValueKind::Ref { item, .. } => item.hash(state),
            ValueKind::Selector(_) | ValueKind::Rest | ValueKind::Error => {}
        }
    }
}

fn truncate(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let cut: String = text.chars().take(limit).collect();
    format!("{cut}…")
}

/// How a field was set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetOp {
    /// `=`: replaces.
    Set,
    /// `+=`: appends to a list (merging by the list's key).
    Append,
    /// `-=`: removes from a list.
    Remove,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    pub name: Name,
    pub value: Value,
    /// The key as written (`replicas` in `replicas = 3`), for "set twice" and
    /// "unknown field" messages.
    pub key_span: Span,
    pub op: SetOp,
}

/// A record: fields in the order they were set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Record {
    /// The record type the value was made with: a constructor call (`vault(...)`)
    /// or a checked record.
    pub ty: Option<ItemId>,
    pub fields: Vec<Field>,
}

impl Record {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields
            .iter()
            .find(|field| &*field.name == name)
            .map(|field| &field.value)
    }

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|field| &*field.name == name)
    }
}

/// A set of clusters written as a selector.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Selector {
    /// The condition after `where` (`None` for all clusters).
    pub predicate: Option<Predicate>,
}

/// A condition over a cluster's fields, in the shape label selectors can express
/// (decision 006 and issue 5): comparisons of one field with values, combined with
/// `and`, `or` and `not`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Predicate {
    Compare {
        field: ClusterField,
        op: CompareOp,
        values: Vec<Value>,
        span: Span,
    },
    And(Vec<Predicate>),
    Or(Vec<Predicate>),
    Not(Box<Predicate>),
    /// A literal `true`/`false`.
    Constant(bool),
}

/// A field of a cluster a selector can test.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ClusterField {
    Name,
    Env,
    Region,
    Cloud,
    Kubernetes,
    /// `labels.team`, `labels["app.kubernetes.io/name"]`
    Label(Name),
}

impl ClusterField {
    pub fn of_name(name: &str) -> Option<ClusterField> {
        Some(match name {
            "name" => ClusterField::Name,
            "env" => ClusterField::Env,
            "region" => ClusterField::Region,
            "cloud" => ClusterField::Cloud,
            "kubernetes" => ClusterField::Kubernetes,
            _ => return None,
        })
    }
}

impl fmt::Display for ClusterField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClusterField::Name => f.write_str("name"),
            ClusterField::Env => f.write_str("env"),
            ClusterField::Region => f.write_str("region"),
            ClusterField::Cloud => f.write_str("cloud"),
            ClusterField::Kubernetes => f.write_str("kubernetes"),
            ClusterField::Label(key) => write!(f, "labels.{key}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Equal,
    NotEqual,
    In,
    NotIn,
}
