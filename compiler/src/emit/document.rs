//! The documents `fleet build` writes, as data: a tree of [`Node`]s whose maps keep
//! the order their keys were added in (generators add them in the order Kubernetes'
//! documentation shows: `apiVersion`, `kind`, `metadata`, `spec`), and a
//! [`Document`], a root node with an optional comment above it.
//!
//! There are no floats: Kubernetes writes quantities (`100m`, `0.5`, `1.5Gi`) as
//! strings, and a generator that needs a number writes an integer.

use std::sync::Arc;

/// The text of a key: a literal of the generator that writes it (`apiVersion`,
/// `metadata`: most keys, kept without a copy: a large fleet's output has
/// millions), or text made at build time (a label's key), shared.
#[derive(Clone, Debug)]
pub enum Key {
    Literal(&'static str),
    Made(Arc<str>),
}

impl std::ops::Deref for Key {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Key::Literal(text) => text,
            Key::Made(text) => text,
        }
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        **self == **other
    }
}

impl Eq for Key {}

impl PartialEq<str> for Key {
    fn eq(&self, other: &str) -> bool {
        **self == *other
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

impl From<&'static str> for Key {
    fn from(text: &'static str) -> Key {
        Key::Literal(text)
    }
}

impl From<Arc<str>> for Key {
    fn from(text: Arc<str>) -> Key {
        Key::Made(text)
    }
}

impl From<&Arc<str>> for Key {
    fn from(text: &Arc<str>) -> Key {
        Key::Made(text.clone())
    }
}

impl From<String> for Key {
    fn from(text: String) -> Key {
        Key::Made(Arc::from(text))
    }
}

impl From<&String> for Key {
    fn from(text: &String) -> Key {
        Key::Made(Arc::from(text.as_str()))
    }
}

/// The text of a string node: up to [`INLINE`] bytes kept in the node itself,
/// longer text shared. Most values are short (names, kinds, durations,
/// versions: 1.07 M of the 1.32 M strings made for W(10,000)), and each was an
/// allocation and a free of its own; text shared with the model (`Arc<str>`)
/// is cloned without copying either way.
#[derive(Clone)]
pub enum Text {
    Inline { len: u8, bytes: [u8; INLINE] },
    Shared(Arc<str>),
}

/// The longest text a [`Text`] keeps inline (a node stays 32 bytes).
pub const INLINE: usize = 22;

impl Text {
    pub fn new(text: &str) -> Text {
        match u8::try_from(text.len()) {
            Ok(len) if text.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                bytes[..text.len()].copy_from_slice(text.as_bytes());
                Text::Inline { len, bytes }
            }
            _ => Text::Shared(Arc::from(text)),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Text::Inline { len, bytes } => {
                let bytes = &bytes[..usize::from(*len)];
                // SAFETY: `Inline` is only made by `new`, from the bytes of a
                // `&str` of `len` bytes: whole characters, valid UTF-8.
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }
            Text::Shared(text) => text,
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

/// Short text copied (no count shared between the threads that build
/// documents to update), long text shared.
impl From<&Arc<str>> for Text {
    fn from(text: &Arc<str>) -> Text {
        if text.len() <= INLINE {
            Text::new(text)
        } else {
            Text::Shared(text.clone())
        }
    }
}

/// One YAML node. Strings are [`Text`]s (short ones inline, long ones shared,
/// those of the model cloned without copying); keys are [`Key`]s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Str(Text),
    Seq(Vec<Node>),
    /// Entries in insertion order. Keys are unique (checked in debug builds for
    /// maps of up to 64 keys).
    Map(Vec<(Key, Node)>),
}

impl Node {
    /// An empty map, to fill with [`Node::with`] or [`Node::push`].
    pub fn map() -> Node {
        Node::Map(Vec::new())
    }

    pub fn map_with_capacity(capacity: usize) -> Node {
        Node::Map(Vec::with_capacity(capacity))
    }

    /// An empty sequence, to fill with [`Node::item`] or [`Node::push_item`].
    pub fn seq() -> Node {
        Node::Seq(Vec::new())
    }

    pub fn seq_with_capacity(capacity: usize) -> Node {
        Node::Seq(Vec::with_capacity(capacity))
    }

    /// This map with `key: value` added last.
    ///
    /// # Panics
    /// If `self` is not a map, or (in debug builds, up to 64 keys) already has `key`.
    #[must_use]
    #[track_caller]
    pub fn with(mut self, key: impl Into<Key>, value: impl Into<Node>) -> Node {
        self.push(key, value);
        self
    }

    /// This map with `key: value` added last when `value` is `Some`, unchanged
    /// otherwise: for the optional fields of a manifest.
    #[must_use]
    #[track_caller]
    pub fn with_some<V: Into<Node>>(self, key: impl Into<Key>, value: Option<V>) -> Node {
        match value {
            Some(value) => self.with(key, value),
            None => self,
        }
    }

    /// Adds `key: value` last to this map.
    ///
    /// # Panics
    /// If `self` is not a map, or (in debug builds, up to 64 keys) already has `key`.
    #[track_caller]
    pub fn push(&mut self, key: impl Into<Key>, value: impl Into<Node>) {
        let Node::Map(entries) = self else {
            panic!(
                "Node::push or Node::with on a {}: they add a key to a map",
                self.kind()
            );
        };
        let key = key.into();
        // Checked for the small maps a generator writes key by key; a large map
        // comes from a map of the model, whose keys are unique already.
        debug_assert!(
            entries.len() > 64 || entries.iter().all(|(existing, _)| *existing != key),
            "the key `{key}` is already in this map"
        );
        if entries.capacity() == 0 {
            // Most maps a generator writes have a handful of keys: room for
            // them at once, not four and then eight.
            entries.reserve_exact(6);
        }
        entries.push((key, value.into()));
    }

    /// This sequence with `value` added last.
    ///
    /// # Panics
    /// If `self` is not a sequence.
    #[must_use]
    #[track_caller]
    pub fn item(mut self, value: impl Into<Node>) -> Node {
        self.push_item(value);
        self
    }

    /// Adds `value` last to this sequence.
    ///
    /// # Panics
    /// If `self` is not a sequence.
    #[track_caller]
    pub fn push_item(&mut self, value: impl Into<Node>) {
        let Node::Seq(items) = self else {
            panic!(
                "Node::push_item or Node::item on a {}: they add to a sequence",
                self.kind()
            );
        };
        items.push(value.into());
    }

    /// The value of `key` in this map (`None` for a missing key or a node that is
    /// not a map). Linear: for tests and small maps.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries
                .iter()
                .find(|(existing, _)| &**existing == key)
                .map(|(_, value)| value),
            _ => None,
        }
    }

    /// The value of `key` in a map node, to change.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        match self {
            Node::Map(entries) => entries
                .iter_mut()
                .find(|(existing, _)| &**existing == key)
                .map(|(_, value)| value),
            _ => None,
        }
    }

    /// The node at `path`, one key per map: `node.at(&["metadata", "name"])`.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Node::Int(value) => Some(*value),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Node::Bool(value) => Some(*value),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match self {
            Node::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match self {
            Node::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Node::Null)
    }

    /// What kind of node this is, in words (for messages).
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "bool",
            Node::Int(_) => "int",
            Node::Str(_) => "string",
            Node::Seq(_) => "sequence",
            Node::Map(_) => "map",
        }
    }
}

/// An object's `metadata` with its name and, for a namespaced kind, its
/// namespace (more fields follow with `with`).
pub fn metadata(name: &str, namespace: Option<&str>) -> Node {
    let mut metadata = Node::map().with("name", name);
    if let Some(namespace) = namespace {
        metadata.push("namespace", namespace);
    }
    metadata
}

impl From<&str> for Node {
    fn from(text: &str) -> Node {
        Node::Str(Text::new(text))
    }
}

impl From<&String> for Node {
    fn from(text: &String) -> Node {
        Node::Str(Text::new(text))
    }
}

impl From<String> for Node {
    fn from(text: String) -> Node {
        Node::Str(Text::new(&text))
    }
}

impl From<Arc<str>> for Node {
    fn from(text: Arc<str>) -> Node {
        Node::Str(Text::Shared(text))
    }
}

impl From<&Arc<str>> for Node {
    fn from(text: &Arc<str>) -> Node {
        Node::Str(Text::from(text))
    }
}

impl From<bool> for Node {
    fn from(value: bool) -> Node {
        Node::Bool(value)
    }
}

impl From<i64> for Node {
    fn from(value: i64) -> Node {
        Node::Int(value)
    }
}

/// Also what an integer literal becomes: `.with("replicas", 3)`.
impl From<i32> for Node {
    fn from(value: i32) -> Node {
        Node::Int(value.into())
    }
}

impl From<u32> for Node {
    fn from(value: u32) -> Node {
        Node::Int(value.into())
    }
}

impl From<u16> for Node {
    fn from(value: u16) -> Node {
        Node::Int(value.into())
    }
}

impl From<Vec<Node>> for Node {
    fn from(items: Vec<Node>) -> Node {
        Node::Seq(items)
    }
}

/// A JSON value as a node (a manifest given as JSON, a test's object). There
/// are no floats: a number that is not an integer becomes its text, as
/// Kubernetes writes quantities.
impl From<&serde_json::Value> for Node {
    fn from(value: &serde_json::Value) -> Node {
        match value {
            serde_json::Value::Null => Node::Null,
            serde_json::Value::Bool(flag) => Node::Bool(*flag),
            serde_json::Value::Number(number) => match number.as_i64() {
                Some(integer) => Node::Int(integer),
                None => Node::Str(Text::new(&number.to_string())),
            },
            serde_json::Value::String(text) => Node::Str(Text::new(text)),
            serde_json::Value::Array(items) => Node::Seq(items.iter().map(Node::from).collect()),
            serde_json::Value::Object(entries) => Node::Map(
                entries
                    .iter()
                    .map(|(key, value)| (Key::from(key.clone()), Node::from(value)))
                    .collect(),
            ),
        }
    }
}

/// `iter.collect::<Node>()`: a sequence.
impl FromIterator<Node> for Node {
    fn from_iter<I: IntoIterator<Item = Node>>(items: I) -> Node {
        Node::Seq(items.into_iter().collect())
    }
}

/// `pairs.collect::<Node>()`: a map, in the iterator's order.
impl<K: Into<Key>> FromIterator<(K, Node)> for Node {
    fn from_iter<I: IntoIterator<Item = (K, Node)>>(entries: I) -> Node {
        let mut map = Node::map();
        for (key, value) in entries {
            map.push(key, value);
        }
        map
    }
}

/// A YAML document: a root node and the comment written above it (one `# ` line
/// per line of `header`), such as the "generated by fleet from apps.fleet" note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub header: Option<Arc<str>>,
    pub root: Node,
}

impl Document {
    pub fn new(root: Node) -> Document {
        Document { header: None, root }
    }

    #[must_use]
    pub fn with_header(mut self, header: impl Into<Arc<str>>) -> Document {
        self.header = Some(header.into());
        self
    }
}

impl From<Node> for Document {
    fn from(root: Node) -> Document {
        Document::new(root)
    }
}

/// What the YAML writer writes as one document: a [`Document`], or a bare root
/// [`Node`] (no header).
pub trait AsDocument {
    fn header(&self) -> Option<&str>;
    fn root(&self) -> &Node;
}

impl AsDocument for Document {
    fn header(&self) -> Option<&str> {
        self.header.as_deref()
    }

    fn root(&self) -> &Node {
        &self.root
    }
}

impl AsDocument for Node {
    fn header(&self) -> Option<&str> {
        None
    }

    fn root(&self) -> &Node {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_keep_insertion_order() {
        let mut spec = Node::map().with("replicas", 3).with("paused", false);
        spec.push("selector", Node::map().with("app", "web"));
        let manifest = Node::map()
            .with("apiVersion", "apps/v1")
            .with("kind", "Deployment")
            .with("metadata", Node::map().with("name", String::from("web")))
            .with("spec", spec)
            .with_some("status", None::<Node>)
            .with("ports", Node::seq().item(8080u16).item(Node::Null));
        let keys: Vec<&str> = manifest
            .as_map()
            .unwrap()
            .iter()
            .map(|(key, _)| &**key)
            .collect();
        assert_eq!(keys, ["apiVersion", "kind", "metadata", "spec", "ports"]);
        assert_eq!(
            manifest.at(&["metadata", "name"]).and_then(Node::as_str),
            Some("web")
        );
        assert_eq!(
            manifest.at(&["spec", "replicas"]).and_then(Node::as_int),
            Some(3)
        );
        assert_eq!(
            manifest.at(&["spec", "paused"]).and_then(Node::as_bool),
            Some(false)
        );
        assert_eq!(
            manifest
                .get("ports")
                .and_then(Node::as_seq)
                .map(<[Node]>::len),
            Some(2)
        );
        assert!(manifest.get("status").is_none());
    }

    #[test]
    fn collecting_makes_sequences_and_maps() {
        let seq: Node = ["a", "b"].into_iter().map(Node::from).collect();
        assert_eq!(seq, Node::Seq(vec!["a".into(), "b".into()]));
        let map: Node = [("x", Node::Int(1)), ("y", Node::Bool(true))]
            .into_iter()
            .collect();
        assert_eq!(map.get("y"), Some(&Node::Bool(true)));
    }

    #[test]
    #[should_panic(expected = "add a key to a map")]
    fn with_on_a_sequence_panics() {
        let _ = Node::seq().with("key", "value");
    }
}
