//! The XRD's OpenAPI v3 schema, derived field by field from the stdlib's lowered
//! `Cluster` type, and the claim values written in that schema's shape.
//!
//! Rules (`from_ty`):
//! - a record is `type: object` with `properties` (field names in lowerCamelCase:
//!   `node_groups` is `nodeGroups`) and `required` (the fields that are neither
//!   optional nor defaulted); a field's `///` doc is its `description`;
//! - a union (`AwsCluster | GcpCluster | AzureCluster`) is its members merged
//!   into one object (`merge`): the discriminant `cloud` becomes an enum of the
//!   members' variants, enums are joined, string patterns are alternated, integer
//!   ranges widened, and a field is required only where every member requires it.
//!   The per-cloud combinations (an AWS region with `cloud: gcp`) are the
//!   compiler's check, not the XRD's;
//! - `Int(a..b)` is an integer with `minimum`/`maximum`; a constrained `String` is
//!   a string with `pattern`/`maxLength`/`minLength`; an enum is a string `enum`
//!   of its variants' names; a quantity is a string (Kubernetes' spelling);
//! - `[T]` is an array; `List(T, key = k)` an array with
//!   `x-kubernetes-list-type: map` and `x-kubernetes-list-map-keys: [k]`;
//! - `Map(K, V)` is an object with `additionalProperties: V`;
//! - a reference to a declaration (`env: Env`) is its name, a string.
//!
//! Nothing is `x-kubernetes-preserve-unknown-fields`: every field has a type.

use crate::emit::document::Node;
use crate::eval::Evaluator;
use crate::eval::value::{Value, ValueKind};
use crate::names::index::ItemId;
use crate::types::{Ty, TypeDef};

/// One schema node, before it is written as a `Node`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schema {
    pub description: Option<String>,
    pub kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    String {
        /// `None`: any string.
        values: Option<Vec<String>>,
        /// Alternatives: a value matches one of them (empty: no pattern).
        patterns: Vec<String>,
        max_length: Option<usize>,
        min_length: Option<usize>,
    },
    Integer {
        minimum: Option<i64>,
        maximum: Option<i64>,
    },
    Boolean,
    Array {
        items: Box<Schema>,
        /// `List(T, key = "name")`: the key, in the XRD's spelling.
        map_key: Option<String>,
    },
    Object {
        properties: Vec<Property>,
        required: Vec<String>,
    },
    /// `Map(K, V)`: free keys, values of one schema.
    Map {
        values: Box<Schema>,
    },
}

/// A record field: its name in the fleet and in the XRD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Property {
    pub fleet_name: String,
    pub name: String,
    pub schema: Schema,
}

fn plain(kind: Kind) -> Schema {
    Schema {
        description: None,
        kind,
    }
}

fn any_string() -> Kind {
    Kind::String {
        values: None,
        patterns: Vec::new(),
        max_length: None,
        min_length: None,
    }
}

/// `node_groups` -> `nodeGroups`.
pub fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for character in name.chars() {
        if character == '_' {
            upper = true;
        } else if upper {
            out.extend(character.to_uppercase());
            upper = false;
        } else {
            out.push(character);
        }
    }
    out
}

/// Walks lowered types into schemas. Records met again inside themselves become
/// an empty object (no stdlib type is recursive; this only bounds the walk).
pub struct Deriver<'a, 'db> {
    evaluator: &'a Evaluator<'db>,
    stack: Vec<ItemId>,
}

impl<'a, 'db> Deriver<'a, 'db> {
    pub fn new(evaluator: &'a Evaluator<'db>) -> Self {
        Deriver {
            evaluator,
            stack: Vec::new(),
        }
    }

    /// The schema of the prelude type `name` (`Cluster`), with its doc.
    pub fn prelude(&mut self, name: &str) -> Option<Schema> {
        let item = self.evaluator.prelude_type(name)?;
        let mut schema = self.from_ty(&Ty::Named(item));
        let doc = self.doc(item);
        if !doc.is_empty() {
            schema.description = Some(doc);
        }
        Some(schema)
    }

    fn doc(&self, item: ItemId) -> String {
        crate::types::lower::doc_of(self.evaluator.item_node(item)).to_string()
    }

    pub fn from_ty(&mut self, ty: &Ty) -> Schema {
        match ty {
            Ty::Bool => plain(Kind::Boolean),
            Ty::Int(range) => plain(Kind::Integer {
                minimum: range.map(|(low, _)| low),
                maximum: range.map(|(_, high)| high),
            }),
            Ty::String(constraint) => plain(match constraint {
                Some(constraint) => Kind::String {
                    values: None,
                    patterns: constraint.pattern.iter().map(ToString::to_string).collect(),
                    max_length: constraint.max_length,
                    min_length: constraint.min_length,
                },
                None => any_string(),
            }),
            // Quantities are strings in Kubernetes' spelling (`250m`, `512Mi`, `30s`).
            Ty::Unit(_) => plain(any_string()),
            Ty::List(item, key) => plain(Kind::Array {
                items: Box::new(self.from_ty(item)),
                map_key: key.as_ref().map(|key| camel_case(key)),
            }),
            Ty::Map(_, value) => plain(Kind::Map {
                values: Box::new(self.from_ty(value)),
            }),
            Ty::Optional(inner) => self.from_ty(inner),
            Ty::Variant(_, name) => plain(Kind::String {
                values: Some(vec![name.to_string()]),
                patterns: Vec::new(),
                max_length: None,
                min_length: None,
            }),
            Ty::Union(members) => {
                let mut merged: Option<Schema> = None;
                for member in members.iter() {
                    let schema = self.from_ty(member);
                    merged = Some(match merged {
                        None => schema,
                        Some(so_far) => merge(so_far, schema),
                    });
                }
                merged.unwrap_or_else(|| plain(any_string()))
            }
            Ty::Named(item) => self.named(*item),
            // A reference to a declaration (`env: Env`) holds its name; a set of
            // clusters, `Any` and unresolved types are written as text.
            Ty::Decl(_) | Ty::ClusterSet | Ty::Any | Ty::Error => plain(any_string()),
        }
    }

    fn named(&mut self, item: ItemId) -> Schema {
        if self.stack.contains(&item) {
            return plain(Kind::Object {
                properties: Vec::new(),
                required: Vec::new(),
            });
        }
        let Some(definition) = self.evaluator.type_def(item) else {
            return plain(any_string());
        };
        self.stack.push(item);
        let schema = match &*definition {
            TypeDef::Alias(_, ty) => self.from_ty(ty),
            TypeDef::Enum(enumeration) => plain(Kind::String {
                values: Some(
                    enumeration
                        .variants
                        .iter()
                        .map(|variant| variant.name.to_string())
                        .collect(),
                ),
                patterns: Vec::new(),
                max_length: None,
                min_length: None,
            }),
            TypeDef::Record(record) => {
                let mut properties = Vec::new();
                let mut required = Vec::new();
                for field in &record.fields {
                    let mut schema = self.from_ty(&field.ty);
                    if !field.doc.is_empty() {
                        schema.description = Some(field.doc.to_string());
                    }
                    let name = camel_case(&field.name);
                    if !field.optional && !field.has_default && !matches!(field.ty, Ty::Optional(_))
                    {
                        required.push(name.clone());
                    }
                    properties.push(Property {
                        fleet_name: field.name.to_string(),
                        name,
                        schema,
                    });
                }
                plain(Kind::Object {
                    properties,
                    required,
                })
            }
        };
        self.stack.pop();
        schema
    }
}

/// Two members' schemas as one that accepts what either accepts (see the module
/// doc). Kinds that differ keep the first (no stdlib union mixes kinds).
pub fn merge(a: Schema, b: Schema) -> Schema {
    let description = a.description.or(b.description);
    let kind = match (a.kind, b.kind) {
        (
            Kind::String {
                values: values_a,
                patterns: patterns_a,
                max_length: max_a,
                min_length: min_a,
            },
            Kind::String {
                values: values_b,
                patterns: patterns_b,
                max_length: max_b,
                min_length: min_b,
            },
        ) => {
            let values = match (values_a, values_b) {
                (Some(mut a), Some(b)) => {
                    for value in b {
                        if !a.contains(&value) {
                            a.push(value);
                        }
                    }
                    Some(a)
                }
                _ => None,
            };
            // A side with no pattern accepts any string: so does the merge.
            let patterns = if patterns_a.is_empty() || patterns_b.is_empty() {
                Vec::new()
            } else {
                let mut patterns = patterns_a;
                for pattern in patterns_b {
                    if !patterns.contains(&pattern) {
                        patterns.push(pattern);
                    }
                }
                patterns
            };
            Kind::String {
                values,
                patterns,
                max_length: max_a.zip(max_b).map(|(a, b)| a.max(b)),
                min_length: min_a.zip(min_b).map(|(a, b)| a.min(b)),
            }
        }
        (
            Kind::Integer {
                minimum: min_a,
                maximum: max_a,
            },
            Kind::Integer {
                minimum: min_b,
                maximum: max_b,
            },
        ) => Kind::Integer {
            minimum: min_a.zip(min_b).map(|(a, b)| a.min(b)),
            maximum: max_a.zip(max_b).map(|(a, b)| a.max(b)),
        },
        (
            Kind::Array {
                items: items_a,
                map_key: key_a,
            },
            Kind::Array {
                items: items_b,
                map_key: key_b,
            },
        ) => Kind::Array {
            items: Box::new(merge(*items_a, *items_b)),
            map_key: if key_a == key_b { key_a } else { None },
        },
        (Kind::Map { values: a }, Kind::Map { values: b }) => Kind::Map {
            values: Box::new(merge(*a, *b)),
        },
        (
            Kind::Object {
                properties: mut properties_a,
                required: required_a,
            },
            Kind::Object {
                properties: properties_b,
                required: required_b,
            },
        ) => {
            for property in properties_b {
                match properties_a.iter().position(|p| p.name == property.name) {
                    Some(index) => {
                        let existing = properties_a[index].schema.clone();
                        properties_a[index].schema = merge(existing, property.schema);
                    }
                    None => properties_a.push(property),
                }
            }
            let required = required_a
                .into_iter()
                .filter(|name| required_b.contains(name))
                .collect();
            Kind::Object {
                properties: properties_a,
                required,
            }
        }
        (first, _) => first,
    };
    Schema { description, kind }
}

impl Schema {
    /// The schema as an OpenAPI v3 `Node`, keys in a fixed order.
    pub fn to_node(&self) -> Node {
        let mut node = Node::map();
        match &self.kind {
            Kind::String {
                values,
                patterns,
                max_length,
                min_length,
            } => {
                node.push("type", "string");
                if let Some(values) = values {
                    node.push("enum", Node::Seq(values.iter().map(Node::from).collect()));
                }
                match patterns.as_slice() {
                    [] => {}
                    [one] => node.push("pattern", one.as_str()),
                    several => node.push(
                        "pattern",
                        several
                            .iter()
                            .map(|pattern| format!("(?:{pattern})"))
                            .collect::<Vec<_>>()
                            .join("|"),
                    ),
                }
                if let Some(max) = max_length {
                    node.push("maxLength", Node::Int(*max as i64));
                }
                if let Some(min) = min_length {
                    node.push("minLength", Node::Int(*min as i64));
                }
            }
            Kind::Integer { minimum, maximum } => {
                node.push("type", "integer");
                if let Some(minimum) = minimum {
                    node.push("minimum", Node::Int(*minimum));
                }
                if let Some(maximum) = maximum {
                    node.push("maximum", Node::Int(*maximum));
                }
            }
            Kind::Boolean => node.push("type", "boolean"),
            Kind::Array { items, map_key } => {
                node.push("type", "array");
                node.push("items", items.to_node());
                if let Some(key) = map_key {
                    node.push("x-kubernetes-list-type", "map");
                    node.push("x-kubernetes-list-map-keys", Node::seq().item(key.as_str()));
                }
            }
            Kind::Object {
                properties,
                required,
            } => {
                node.push("type", "object");
                let mut props = Node::map();
                for property in properties {
                    props.push(property.name.clone(), property.schema.to_node());
                }
                node.push("properties", props);
                if !required.is_empty() {
                    node.push(
                        "required",
                        Node::Seq(required.iter().map(Node::from).collect()),
                    );
                }
            }
            Kind::Map { values } => {
                node.push("type", "object");
                node.push("additionalProperties", values.to_node());
            }
        }
        if let Some(description) = &self.description {
            // Description first reads better; keep `type` first for scanning.
            node.push("description", description.as_str());
        }
        node
    }

    /// An evaluated value in this schema's shape: record fields renamed as the
    /// XRD names them, map keys as written, enum variants and references by
    /// name, quantities in Kubernetes' spelling. Fields the schema does not know,
    /// and values that failed, are left out.
    pub fn value(&self, value: &Value) -> Option<Node> {
        Some(match (&self.kind, &value.kind) {
            (_, ValueKind::Error) => return None,
            (Kind::Object { properties, .. }, ValueKind::Record(record)) => {
                let mut node = Node::map();
                for property in properties {
                    if let Some(field) = record.get(&property.fleet_name)
                        && let Some(written) = property.schema.value(field)
                    {
                        node.push(property.name.clone(), written);
                    }
                }
                node
            }
            (Kind::Map { values }, ValueKind::Record(record)) => {
                let mut node = Node::map();
                for field in &record.fields {
                    if let Some(written) = values.value(&field.value) {
                        node.push(field.name.clone(), written);
                    }
                }
                node
            }
            (Kind::Array { items, .. }, ValueKind::List(list)) => {
                Node::Seq(list.iter().filter_map(|item| items.value(item)).collect())
            }
            (_, ValueKind::Bool(flag)) => Node::Bool(*flag),
            (_, ValueKind::Int(number)) => Node::Int(*number),
            (_, ValueKind::String(text)) => Node::Str(crate::emit::document::Text::from(text)),
            (_, ValueKind::QuantityLiteral(text)) => {
                Node::Str(crate::emit::document::Text::from(text))
            }
            (_, ValueKind::Quantity(quantity)) => Node::from(quantity.kubernetes_text()),
            (
                _,
                ValueKind::Symbol(name)
                | ValueKind::Variant { name, .. }
                | ValueKind::Ref { name, .. },
            ) => Node::Str(crate::emit::document::Text::from(name)),
            _ => return None,
        })
    }

    /// The property `name` (XRD spelling) of an object schema.
    pub fn property(&self, name: &str) -> Option<&Schema> {
        match &self.kind {
            Kind::Object { properties, .. } => properties
                .iter()
                .find(|property| property.name == name)
                .map(|property| &property.schema),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(values: Option<&[&str]>, pattern: Option<&str>, max: Option<usize>) -> Schema {
        plain(Kind::String {
            values: values.map(|values| values.iter().map(|v| v.to_string()).collect()),
            patterns: pattern.iter().map(|p| p.to_string()).collect(),
            max_length: max,
            min_length: None,
        })
    }

    fn object(properties: Vec<(&str, Schema)>, required: &[&str]) -> Schema {
        plain(Kind::Object {
            properties: properties
                .into_iter()
                .map(|(name, schema)| Property {
                    fleet_name: name.to_string(),
                    name: camel_case(name),
                    schema,
                })
                .collect(),
            required: required.iter().map(|name| camel_case(name)).collect(),
        })
    }

    #[test]
    fn names_are_lower_camel_case() {
        assert_eq!(camel_case("node_groups"), "nodeGroups");
        assert_eq!(camel_case("cloud"), "cloud");
        assert_eq!(camel_case("a_b_c"), "aBC");
    }

    #[test]
    fn union_members_merge_into_one_object() {
        let aws = object(
            vec![
                ("cloud", string(Some(&["aws"]), None, None)),
                ("instance", string(None, Some("^a$"), Some(10))),
                ("only_aws", string(None, None, None)),
                (
                    "min",
                    plain(Kind::Integer {
                        minimum: Some(1),
                        maximum: Some(5),
                    }),
                ),
            ],
            &["cloud", "instance", "only_aws"],
        );
        let gcp = object(
            vec![
                ("cloud", string(Some(&["gcp"]), None, None)),
                ("instance", string(None, Some("^g$"), None)),
                (
                    "min",
                    plain(Kind::Integer {
                        minimum: Some(0),
                        maximum: Some(3),
                    }),
                ),
            ],
            &["cloud", "instance"],
        );
        let merged = merge(aws, gcp);
        let Kind::Object { required, .. } = &merged.kind else {
            panic!("an object");
        };
        assert_eq!(required, &["cloud".to_string(), "instance".to_string()]);
        assert_eq!(
            merged.property("cloud").unwrap().kind,
            string(Some(&["aws", "gcp"]), None, None).kind
        );
        let instance = merged.property("instance").unwrap().to_node();
        assert_eq!(
            instance.get("pattern").and_then(Node::as_str),
            Some("(?:^a$)|(?:^g$)")
        );
        // One side has no limit: neither has the merge.
        assert!(instance.get("maxLength").is_none());
        assert!(merged.property("onlyAws").is_some());
        let min = merged.property("min").unwrap().to_node();
        assert_eq!(min.get("minimum").and_then(Node::as_int), Some(0));
        assert_eq!(min.get("maximum").and_then(Node::as_int), Some(5));
    }

    #[test]
    fn keyed_lists_and_maps() {
        let list = plain(Kind::Array {
            items: Box::new(object(vec![("name", string(None, None, None))], &["name"])),
            map_key: Some("name".into()),
        })
        .to_node();
        assert_eq!(
            list.get("x-kubernetes-list-type").and_then(Node::as_str),
            Some("map")
        );
        let map = plain(Kind::Map {
            values: Box::new(string(None, None, Some(63))),
        })
        .to_node();
        assert_eq!(
            map.at(&["additionalProperties", "maxLength"])
                .and_then(Node::as_int),
            Some(63)
        );
    }
}
