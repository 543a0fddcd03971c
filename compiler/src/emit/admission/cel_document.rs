//! Generated documents as CEL values, read in place. Binding a Pod with the
//! `cel` crate's own values (`cel::Value::Map`) builds a hash map per mapping,
//! and the crate copies a value whole whenever a rule takes it out of its
//! object: each `c.?securityContext` and each `containers + initContainers`
//! deep-copied the containers, which was most of the admission check. A
//! [`Document`] borrows the generated [`Node`] instead: reading a field hands
//! out a view of the child (or, for a scalar, the crate's own string, int or
//! bool, borrowing the text), and copying a view copies a reference.
//!
//! Every way a rule can learn something of a document goes through this file,
//! so a view can also note what was read ([`Reads`]): what `rule_memo` needs to
//! tell whether another object would give the same outcome.

use super::rule_memo::{Read, Reads};
use crate::emit::document::{Key, Node};
use cel::ExecutionError;
use cel::common::traits::{self, Adder, Container, Indexer, Iterable, Sizer, Zeroer};
use cel::common::types::{
    CelBool, CelInt, CelList, CelNull, CelString, DYN_TYPE, Kind, LIST_TYPE, MAP_TYPE, Type,
};
use cel::common::value::{CowVal, Val};
use std::sync::OnceLock;

/// A document node as a CEL value that borrows it for `'v`; what is read of it
/// and of what is reached from it is noted in `reads`, when given.
pub fn document_val<'v>(node: &'v Node, reads: Option<&'v Reads>) -> Box<dyn Val + 'v> {
    if let Some(reads) = reads {
        // A scalar is read whole here; a container's kind is, and a
        // sequence's length (its elements' views are made below).
        reads.note(node, || Read::Shape);
    }
    match node {
        Node::Null => Box::new(CelNull),
        Node::Bool(flag) => Box::new(CelBool::from(*flag)),
        Node::Int(number) => Box::new(CelInt::from(*number)),
        Node::Str(text) => Box::new(CelString::from(&**text)),
        Node::Seq(items) => Box::new(Document {
            node,
            reads,
            view: View::List(items.iter().map(|item| document_val(item, reads)).collect()),
        }),
        Node::Map(entries) => Box::new(Document {
            node,
            reads,
            view: View::Map(entries, OnceLock::new()),
        }),
    }
}

/// A mapping or a sequence of a document, as CEL's `map` or `list`.
pub struct Document<'v> {
    node: &'v Node,
    reads: Option<&'v Reads>,
    view: View<'v>,
}

enum View<'v> {
    /// The entries, and the keys as CEL strings once something iterates them
    /// (`annotations.all(k, ...)`).
    Map(&'v [(Key, Node)], OnceLock<Vec<Box<dyn Val + 'v>>>),
    /// The elements, each a view: iterating hands them out by reference, so
    /// they are made when the sequence is read (one small box each).
    List(Vec<Box<dyn Val + 'v>>),
}

impl std::fmt::Debug for Document<'_> {
    /// Shows the node; whatever reads it this way reads all of it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.note(|| Read::Whole);
        write!(f, "{:?}", self.node)
    }
}

impl<'v> Document<'v> {
    fn note(&self, read: impl FnOnce() -> Read) {
        if let Some(reads) = self.reads {
            reads.note(self.node, read);
        }
    }

    fn entry(&self, key: &dyn Val) -> Option<&'v Node> {
        if !matches!(self.view, View::Map(..)) {
            return None;
        }
        let key = key.downcast_ref::<CelString>()?.inner();
        self.note(|| Read::Key(key.into()));
        self.node.get(key)
    }

    fn len(&self) -> usize {
        self.note(|| Read::Len);
        match &self.view {
            View::Map(entries, _) => entries.len(),
            View::List(items) => items.len(),
        }
    }
}

impl<'v> Val for Document<'v> {
    fn get_type(&self) -> &Type {
        match self.view {
            View::Map(..) => &MAP_TYPE,
            View::List(_) => &LIST_TYPE,
        }
    }

    fn cel_type() -> &'static Type
    where
        Self: Sized,
    {
        // A document is a map or a list, known only from the value (`get_type`);
        // the crate asks this only of types named in overload declarations,
        // which this is not.
        &DYN_TYPE
    }

    fn as_adder<'b, 'w>(&'b self) -> Option<&'b (dyn Adder + 'w)>
    where
        Self: 'w,
    {
        matches!(self.view, View::List(_)).then_some(self as &dyn Adder)
    }

    fn as_container(&self) -> Option<&dyn Container> {
        Some(self)
    }

    fn as_indexer<'b, 'w>(&'b self) -> Option<&'b (dyn Indexer + 'w)>
    where
        Self: 'w,
    {
        Some(self)
    }

    fn as_iterable<'b, 'w>(&'b self) -> Option<&'b (dyn Iterable + 'w)>
    where
        Self: 'w,
    {
        Some(self)
    }

    fn as_sizer(&self) -> Option<&dyn Sizer> {
        Some(self)
    }

    fn as_zeroer(&self) -> Option<&dyn Zeroer> {
        Some(self)
    }

    /// Structural equality with any map or list, through the operations every
    /// CEL container has. (The crate's own list and map compare only with
    /// their own kind: a literal `[] == object.x` is false whatever `object.x`
    /// is; no rule of the stdlib compares containers.)
    fn equals(&self, other: &dyn Val) -> bool {
        self.note(|| Read::Whole);
        if other.get_type().kind() != self.get_type().kind() {
            return false;
        }
        let same_size = other
            .as_sizer()
            .is_some_and(|sizer| *sizer.size().inner() == self.len() as i64);
        if !same_size {
            return false;
        }
        match &self.view {
            View::List(items) => {
                let Some(iterable) = other.as_iterable() else {
                    return false;
                };
                let mut theirs = iterable.iter();
                items.iter().all(|item| {
                    traits::Iterator::next(&mut *theirs).is_some_and(|their| item.equals(their))
                })
            }
            View::Map(entries, _) => {
                let Some(indexer) = other.as_indexer() else {
                    return false;
                };
                entries.iter().all(|(key, value)| {
                    indexer
                        .get(&CelString::from(&**key))
                        .is_ok_and(|their| document_val(value, None).equals(their.as_ref()))
                })
            }
        }
    }

    fn clone_as_boxed<'w>(&self) -> Box<dyn Val + 'w>
    where
        Self: 'w,
    {
        Box::new(Document {
            node: self.node,
            reads: self.reads,
            view: match &self.view {
                View::Map(entries, _) => View::Map(entries, OnceLock::new()),
                View::List(items) => {
                    View::List(items.iter().map(|item| item.clone_as_boxed()).collect())
                }
            },
        })
    }
}

impl<'v> Indexer for Document<'v> {
    fn get<'b, 'w>(&'b self, index: &dyn Val) -> Result<CowVal<'b, 'w>, ExecutionError>
    where
        Self: 'w,
    {
        match &self.view {
            View::Map(..) => match self.entry(index) {
                Some(node) => Ok(CowVal::Owned(document_val(node, self.reads))),
                None if index.get_type().kind() == Kind::String => {
                    Err(ExecutionError::no_such_key(
                        index
                            .downcast_ref::<CelString>()
                            .map_or("", |key| key.inner()),
                    ))
                }
                None => Err(ExecutionError::UnexpectedType {
                    got: index.get_type().name().to_owned(),
                    want: "string".to_owned(),
                }),
            },
            View::List(items) => {
                let Some(position) = index.downcast_ref::<CelInt>().map(|i| *i.inner()) else {
                    return Err(ExecutionError::UnexpectedType {
                        got: index.get_type().name().to_owned(),
                        want: "int".to_owned(),
                    });
                };
                usize::try_from(position)
                    .ok()
                    .and_then(|position| items.get(position))
                    .map(|item| CowVal::Borrowed(item.as_ref()))
                    .ok_or(ExecutionError::IndexOutOfBounds(position.into()))
            }
        }
    }

    fn steal<'w>(self: Box<Self>, index: &dyn Val) -> Result<Box<dyn Val + 'w>, ExecutionError>
    where
        Self: 'w,
    {
        self.get(index).map(CowVal::into_owned)
    }
}

impl Container for Document<'_> {
    /// A list holds the values one of its elements equals; a map, its keys.
    fn contains(&self, value: &dyn Val) -> Result<bool, ExecutionError> {
        Ok(match &self.view {
            View::List(items) => items.iter().any(|item| item.equals(value)),
            View::Map(..) => self.entry(value).is_some(),
        })
    }
}

impl Sizer for Document<'_> {
    fn size(&self) -> CelInt {
        (self.len() as i64).into()
    }
}

impl Zeroer for Document<'_> {
    fn is_zero_value(&self) -> bool {
        self.len() == 0
    }
}

impl<'v> Iterable for Document<'v> {
    /// A list's elements in order; a map's keys in the document's order.
    fn iter<'b, 'w>(&'b self) -> Box<dyn traits::Iterator<'b, 'w> + 'b>
    where
        Self: 'w,
    {
        let items: &'b [Box<dyn Val + 'v>] = match &self.view {
            View::List(items) => items,
            View::Map(entries, keys) => {
                self.note(|| Read::Keys);
                keys.get_or_init(|| {
                    entries
                        .iter()
                        .map(|(key, _)| Box::new(CelString::from(&**key)) as Box<dyn Val + 'v>)
                        .collect()
                })
            }
        };
        Box::new(Elements { items, next: 0 })
    }
}

impl Adder for Document<'_> {
    /// `list + list`: the elements of both, as views (nothing is copied).
    fn add<'b, 'w>(&'b self, rhs: &(dyn Val + 'w)) -> Result<CowVal<'b, 'w>, ExecutionError>
    where
        Self: 'w,
    {
        let (View::List(items), Some(iterable)) = (&self.view, rhs.as_iterable()) else {
            return Err(ExecutionError::UnsupportedBinaryOperator(
                "add",
                cel::Value::try_from(self as &dyn Val).unwrap_or(cel::Value::Null),
                cel::Value::try_from(rhs).unwrap_or(cel::Value::Null),
            ));
        };
        let mut sum: Vec<Box<dyn Val + 'w>> =
            items.iter().map(|item| item.clone_as_boxed()).collect();
        let mut theirs = iterable.iter();
        while let Some(their) = traits::Iterator::next(&mut *theirs) {
            sum.push(their.clone_as_boxed());
        }
        Ok(CowVal::owned(CelList::from(sum)))
    }
}

struct Elements<'b, 'v> {
    items: &'b [Box<dyn Val + 'v>],
    next: usize,
}

impl<'b, 'v: 'w, 'w> traits::Iterator<'b, 'w> for Elements<'b, 'v> {
    fn next(&mut self) -> Option<&'b (dyn Val + 'w)> {
        let item = self.items.get(self.next)?;
        self.next += 1;
        Some(item.as_ref())
    }
}

#[cfg(test)]
mod tests {
    //! A document read in place must evaluate every expression as the crate's
    //! own values do: each stdlib rule, and the operations rules use, on Pods
    //! that pass and Pods that break them, compared with the same document
    //! converted whole to `cel::Value` (what the check bound before).

    use super::*;
    use crate::emit::admission::cel_runtime::environment;
    use crate::emit::admission::test_pods::{pods, stdlib_rules};
    use std::collections::HashMap;
    use std::sync::Arc;

    fn eager(node: &Node) -> cel::Value {
        match node {
            Node::Null => cel::Value::Null,
            Node::Bool(flag) => cel::Value::Bool(*flag),
            Node::Int(number) => cel::Value::Int(*number),
            Node::Str(text) => cel::Value::String(Arc::new(text.to_string())),
            Node::Seq(items) => cel::Value::List(Arc::new(items.iter().map(eager).collect())),
            Node::Map(entries) => cel::Value::from(
                entries
                    .iter()
                    .map(|(key, value)| (key.to_string(), eager(value)))
                    .collect::<HashMap<String, cel::Value>>(),
            ),
        }
    }

    /// The outcome with both bindings: the value as text, or "error".
    fn both(expression: &str, variables: &[(&str, &Node)]) -> (String, String) {
        let environment = environment();
        let program = environment.compile(expression).expect(expression);
        let mut in_place = cel::Context::with_env(environment.clone());
        let mut converted = cel::Context::with_env(environment);
        for (name, node) in variables {
            in_place.add_variable_as_val(*name, document_val(node, None));
            converted.add_variable_from_value(*name, eager(node));
        }
        let shown = |outcome: Result<cel::Value, cel::ExecutionError>| match outcome {
            Ok(value) => format!("{value:?}"),
            Err(_) => "error".to_string(),
        };
        (
            shown(program.execute(&in_place)),
            shown(program.execute(&converted)),
        )
    }

    #[test]
    fn every_stdlib_rule_evaluates_as_with_converted_values() {
        let expressions = stdlib_rules();
        let params = Node::from(&serde_json::json!({"registries": ["registry.example.com/"]}));
        let mut outcomes = std::collections::BTreeSet::new();
        for pod in pods() {
            for expression in &expressions {
                let (in_place, converted) =
                    both(expression, &[("object", &pod), ("params", &params)]);
                assert_eq!(in_place, converted, "{expression}");
                outcomes.insert(in_place);
            }
        }
        // The Pods exercise both answers.
        assert!(outcomes.contains("Bool(true)") && outcomes.contains("Bool(false)"));
    }

    #[test]
    fn container_operations_match_the_crate_values() {
        let expressions = [
            "object.spec.containers.size()",
            "size(object.metadata.labels)",
            "object.metadata.labels['team']",
            "'team' in object.metadata.labels",
            "'nope' in object.metadata.labels",
            "object.spec.containers[0].name",
            "object.spec.containers[7].name",
            "object.metadata.labels.nope",
            "has(object.spec.hostNetwork)",
            "has(object.metadata.labels.team)",
            "object.spec.containers.map(c, c.name)",
            "object.spec.containers.exists(c, c.name == 'web')",
            "object.metadata.labels.all(k, k != '')",
            "object.spec.?nope.orValue(1)",
            "object.spec.containers[0].?resources.?limits.?cpu.orValue('none')",
            "object.metadata.?labels[?'team'].orValue('x')",
            "object.spec.containers == object.spec.containers",
            "object.metadata.labels == object.metadata.labels",
            "object.metadata.labels == {'team': 'payments', 'app.kubernetes.io/name': 'web'}",
            "object.spec.containers + [1] == object.spec.containers + [1]",
            "(object.spec.containers + [1]).size()",
            "object.spec.containers[0] in object.spec.containers",
            "[1, 2] + object.spec.?nope.orValue([])",
            "type(object) == map && type(object.spec.containers) == list",
            "object.spec.containers.filter(c, c.image.startsWith('registry')).size()",
            "object.spec.containers[0].ports[0].containerPort + 1",
            "object.metadata.name.matches('^w')",
            "object.spec.containers.all(c, c.?ports.orValue([]).all(p, p.?hostPort.orValue(0) == 0))",
        ];
        for pod in pods() {
            for expression in expressions {
                let (in_place, converted) = both(expression, &[("object", &pod)]);
                assert_eq!(in_place, converted, "{expression}");
            }
        }
    }
}
