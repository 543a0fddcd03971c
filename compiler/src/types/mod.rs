//! Types: what the stdlib and the user declare (`type`, `enum`), lowered from
//! syntax into `TypeDef`s, and the built-in types of the language.

pub mod lower;
pub mod patterns;
pub mod units;

use crate::names::index::ItemId;
use crate::names::{Name, Namespace};
use std::sync::Arc;
pub use units::{Quantity, UnitKind};

/// A type, as fields and values are checked against it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    /// Anything (raw manifests, Helm values).
    Any,
    Bool,
    /// An integer, with an inclusive range when constrained: `Int(1..65535)`.
    Int(Option<(i64, i64)>),
    /// A string, constrained or not.
    String(Option<Arc<StringConstraint>>),
    Unit(UnitKind),
    /// `[T]` or `List(T, key = "name")`: lists merge by `key` when it is set.
    List(Arc<Ty>, Option<Name>),
    /// `Map(K, V)`: a record value whose keys are `K`s (names of envs, strings).
    Map(Arc<Ty>, Arc<Ty>),
    /// `Set(Cluster)`: a set of clusters, written as a selector.
    ClusterSet,
    Optional(Arc<Ty>),
    /// A declared record, enum or alias, by its declaration.
    Named(ItemId),
    /// One variant of an enum, as a type: `Cloud.aws` (a union's discriminant).
    Variant(ItemId, Name),
    Union(Arc<[Ty]>),
    /// A reference to a declaration of a kind, by name: a field of type `Env`
    /// holds the name of an env.
    Decl(Namespace),
    /// A type whose name did not resolve: checks against it are skipped (the name
    /// was reported).
    Error,
}

/// The limits of a string type, from `String(pattern = ..., ...)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct StringConstraint {
    pub pattern: Option<patterns::Pattern>,
    pub max_length: Option<usize>,
    pub min_length: Option<usize>,
    /// How a value of the type reads in a message: "a DNS-1123 label".
    pub describe: Option<Arc<str>>,
    /// Types of one family (`"instance type"`) are tried against each other to
    /// say what a wrong value is: "`n2-standard-4` is a GCP machine type".
    pub family: Option<Arc<str>>,
    /// Values are semantic versions, compared as such.
    pub semver: bool,
}

/// A lowered type declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeDef {
    Record(Arc<RecordType>),
    Enum(Arc<EnumType>),
    /// `type Port = Int(1..65535)`, `type Cluster = A | B | C`.
    Alias(Name, Ty),
}

impl TypeDef {
    pub fn name(&self) -> &Name {
        match self {
            TypeDef::Record(record) => &record.name,
            TypeDef::Enum(enumeration) => &enumeration.name,
            TypeDef::Alias(name, _) => name,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordType {
    pub name: Name,
    pub item: ItemId,
    pub fields: Vec<FieldDef>,
    /// `require` entries, by their position among the type's body entries.
    pub requires: Vec<u32>,
    /// The fields the `require`s name: what checking them binds (binding every
    /// field of every app was 1% of checking a fleet of apps).
    pub required_fields: Vec<Name>,
}

impl RecordType {
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|field| &*field.name == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDef {
    pub name: Name,
    pub ty: Ty,
    /// `name?: T`: may be left unset.
    pub optional: bool,
    /// Whether the declaration gives a default (`= value`), evaluated on use.
    pub has_default: bool,
    pub doc: Arc<str>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnumType {
    pub name: Name,
    pub item: ItemId,
    pub variants: Vec<VariantDef>,
    /// `enum AwsRegion: Region`: the type of each variant's attributes.
    pub attributes: Option<Ty>,
}

impl EnumType {
    pub fn variant(&self, name: &str) -> Option<&VariantDef> {
        self.variants.iter().find(|variant| &*variant.name == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VariantDef {
    pub name: Name,
    /// Whether it was written as a string (`"us-east-1"`): its values are strings.
    pub quoted: bool,
    pub doc: Arc<str>,
}
