//! The lossless syntax tree: every token of the file, trivia included, under nodes
//! with spans. Concatenating its tokens in order gives the source back byte for byte.
//!
//! The tree is a few flat arrays (nodes, their children, the tokens) rather than a
//! pointer graph: it is built in the same pass as parsing, dropping it frees a few
//! vectors (no recursion, however deep the input), and a handle is an index. It
//! is kept small on purpose: at 3 MB of source, every byte per token costs a
//! megabyte, and first touching memory is a good part of parsing time.
//!
//! Trivia placement: white space and comments sit between the significant tokens
//! the parser placed. A comment on the lines just above a declaration, field or
//! variant (no blank line between) goes inside that node, so it moves with it;
//! every other piece of trivia goes to the innermost node open at that point.

use crate::syntax::green::{Green, SKIPPED_BIT, TOKEN_BIT, TOKEN_INDEX};
use crate::syntax::kind::{SyntaxKind, SyntaxKind::*};
use crate::syntax::lexer::Lexed;
use std::fmt::Write;
use std::sync::Arc;
use text_size::{TextRange, TextSize};

const NO_PARENT: u32 = u32::MAX;

#[derive(Clone, Debug, PartialEq, Eq)]
struct NodeData {
    parent: u32,
    children_start: u32,
    children_len: u32,
    start: u32,
    end: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxTree {
    text: Arc<str>,
    token_kinds: Vec<SyntaxKind>,
    /// One more entry than tokens: the end of the text.
    token_starts: Vec<u32>,
    nodes: Vec<NodeData>,
    /// Beside `nodes`, so a node record has no padding.
    node_kinds: Vec<SyntaxKind>,
    /// Children of every node, contiguous per node; a token id has `TOKEN_BIT` set.
    elements: Vec<u32>,
    root: u32,
}

impl SyntaxTree {
    pub fn root(&self) -> SyntaxNode<'_> {
        SyntaxNode {
            tree: self,
            id: self.root,
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn text_arc(&self) -> &Arc<str> {
        &self.text
    }

    /// The node with an id from `SyntaxNode::id` (of this tree).
    pub fn node(&self, id: u32) -> SyntaxNode<'_> {
        assert!(
            (id as usize) < self.nodes.len(),
            "a node id of another tree"
        );
        SyntaxNode { tree: self, id }
    }

    /// Every token in order: the concatenation of their texts is the source.
    pub fn tokens(&self) -> impl Iterator<Item = SyntaxToken<'_>> + '_ {
        self.root().descendant_tokens()
    }

    /// The token that contains `offset` (the one starting there, at a boundary),
    /// found by descending from the root.
    pub fn token_at_offset(&self, offset: TextSize) -> Option<SyntaxToken<'_>> {
        let offset = u32::from(offset);
        if offset >= self.text.len() as u32 {
            return None;
        }
        let mut node = self.root;
        loop {
            let data = &self.nodes[node as usize];
            let children = &self.elements
                [data.children_start as usize..(data.children_start + data.children_len) as usize];
            // The last child starting at or before `offset`; empty nodes start where
            // their neighbour does, so prefer the last of equals that is not empty.
            let after = children.partition_point(|&element| self.element_start(element) <= offset);
            let mut index = after.checked_sub(1)?;
            while index > 0 && self.element_is_empty(children[index]) {
                index -= 1;
            }
            let element = children[index];
            if element & TOKEN_BIT != 0 {
                return Some(SyntaxToken {
                    tree: self,
                    parent: node,
                    id: element & TOKEN_INDEX,
                });
            }
            node = element;
        }
    }

    /// The tree as indented text, one node or token a line: what the parser tests
    /// snapshot.
    pub fn debug_dump(&self) -> String {
        let mut out = String::new();
        let mut stack = vec![(SyntaxElement::Node(self.root()), 0usize)];
        while let Some((element, indent)) = stack.pop() {
            for _ in 0..indent {
                out.push_str("  ");
            }
            match element {
                SyntaxElement::Node(node) => {
                    let _ = writeln!(out, "{:?}@{:?}", node.kind(), node.range());
                    let children: Vec<_> = node.children_with_tokens().collect();
                    stack.extend(children.into_iter().rev().map(|child| (child, indent + 1)));
                }
                SyntaxElement::Token(token) => {
                    let _ = writeln!(
                        out,
                        "{:?}@{:?} {:?}",
                        token.kind(),
                        token.range(),
                        token.text()
                    );
                }
            }
        }
        out
    }

    fn node_data(&self, id: u32) -> &NodeData {
        &self.nodes[id as usize]
    }

    fn element(&self, parent: u32, raw: u32) -> SyntaxElement<'_> {
        if raw & TOKEN_BIT != 0 {
            SyntaxElement::Token(SyntaxToken {
                tree: self,
                parent,
                id: raw & TOKEN_INDEX,
            })
        } else {
            SyntaxElement::Node(SyntaxNode {
                tree: self,
                id: raw,
            })
        }
    }

    fn element_start(&self, element: u32) -> u32 {
        if element & TOKEN_BIT != 0 {
            self.token_starts[(element & TOKEN_INDEX) as usize]
        } else {
            self.nodes[element as usize].start
        }
    }

    fn element_is_empty(&self, element: u32) -> bool {
        element & TOKEN_BIT == 0 && {
            let data = &self.nodes[element as usize];
            data.start == data.end
        }
    }
}

#[derive(Clone, Copy)]
pub struct SyntaxNode<'t> {
    tree: &'t SyntaxTree,
    id: u32,
}

/// A token, with the node it sits in (tokens keep no parent table of their own).
#[derive(Clone, Copy)]
pub struct SyntaxToken<'t> {
    tree: &'t SyntaxTree,
    parent: u32,
    id: u32,
}

#[derive(Clone, Copy, Debug)]
pub enum SyntaxElement<'t> {
    Node(SyntaxNode<'t>),
    Token(SyntaxToken<'t>),
}

impl PartialEq for SyntaxNode<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.tree, other.tree) && self.id == other.id
    }
}
impl Eq for SyntaxNode<'_> {}

impl PartialEq for SyntaxToken<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.tree, other.tree) && self.id == other.id
    }
}
impl Eq for SyntaxToken<'_> {}

impl std::fmt::Debug for SyntaxNode<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}@{:?}", self.kind(), self.range())
    }
}

impl std::fmt::Debug for SyntaxToken<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}@{:?} {:?}", self.kind(), self.range(), self.text())
    }
}

impl<'t> SyntaxNode<'t> {
    /// The node's index in its tree: stable for a given tree, so a query can keep
    /// it and find the node again with `SyntaxTree::node`.
    pub fn id(&self) -> u32 {
        self.id
    }

    pub fn kind(&self) -> SyntaxKind {
        self.tree.node_kinds[self.id as usize]
    }

    pub fn tree(&self) -> &'t SyntaxTree {
        self.tree
    }

    pub fn range(&self) -> TextRange {
        let data = self.tree.node_data(self.id);
        TextRange::new(data.start.into(), data.end.into())
    }

    pub fn text(&self) -> &'t str {
        &self.tree.text[self.range()]
    }

    pub fn parent(&self) -> Option<SyntaxNode<'t>> {
        let parent = self.tree.node_data(self.id).parent;
        (parent != NO_PARENT).then_some(SyntaxNode {
            tree: self.tree,
            id: parent,
        })
    }

    pub fn ancestors(&self) -> impl Iterator<Item = SyntaxNode<'t>> + use<'t> {
        std::iter::successors(Some(*self), |node| node.parent())
    }

    pub fn children_with_tokens(
        &self,
    ) -> impl DoubleEndedIterator<Item = SyntaxElement<'t>> + use<'t> {
        let data = self.tree.node_data(self.id);
        let tree = self.tree;
        let id = self.id;
        let range =
            data.children_start as usize..(data.children_start + data.children_len) as usize;
        tree.elements[range]
            .iter()
            .map(move |&raw| tree.element(id, raw))
    }

    pub fn children(&self) -> impl DoubleEndedIterator<Item = SyntaxNode<'t>> + use<'t> {
        self.children_with_tokens()
            .filter_map(|element| element.as_node())
    }

    pub fn child_tokens(&self) -> impl DoubleEndedIterator<Item = SyntaxToken<'t>> + use<'t> {
        self.children_with_tokens()
            .filter_map(|element| element.as_token())
    }

    pub fn child_of_kind(&self, kind: SyntaxKind) -> Option<SyntaxNode<'t>> {
        self.children().find(|child| child.kind() == kind)
    }

    pub fn token_of_kind(&self, kind: SyntaxKind) -> Option<SyntaxToken<'t>> {
        self.child_tokens().find(|token| token.kind() == kind)
    }

    /// Every token inside, in order, trivia included.
    pub fn descendant_tokens(&self) -> impl Iterator<Item = SyntaxToken<'t>> + use<'t> {
        let mut stack: Vec<SyntaxElement<'t>> = self.children_with_tokens().rev().collect();
        std::iter::from_fn(move || {
            while let Some(element) = stack.pop() {
                match element {
                    SyntaxElement::Token(token) => return Some(token),
                    SyntaxElement::Node(node) => stack.extend(node.children_with_tokens().rev()),
                }
            }
            None
        })
    }

    /// Every node inside, this one first, in pre-order.
    pub fn descendants(&self) -> impl Iterator<Item = SyntaxNode<'t>> + use<'t> {
        let mut stack = vec![*self];
        std::iter::from_fn(move || {
            let node = stack.pop()?;
            stack.extend(node.children().rev());
            Some(node)
        })
    }

    /// The first significant (non-trivia) token inside.
    pub fn first_significant_token(&self) -> Option<SyntaxToken<'t>> {
        // A pre-order walk without a stack (the evaluator asks this of every
        // literal it evaluates, in every iteration of a loop): down into the first
        // child, on to the next sibling, and back up through the parent links when
        // a node's children are used up. The first significant token is almost
        // always the first token met, so climbing back up is rare.
        let tree = self.tree;
        let mut node = self.id;
        let mut next_child = 0u32;
        loop {
            let data = tree.node_data(node);
            if next_child < data.children_len {
                let raw = tree.elements[(data.children_start + next_child) as usize];
                if raw & TOKEN_BIT == 0 {
                    node = raw;
                    next_child = 0;
                    continue;
                }
                let token = SyntaxToken {
                    tree,
                    parent: node,
                    id: raw & TOKEN_INDEX,
                };
                if !token.kind().is_trivia() {
                    return Some(token);
                }
                next_child += 1;
                continue;
            }
            if node == self.id {
                return None;
            }
            let parent = tree.node_data(data.parent);
            let siblings = &tree.elements[parent.children_start as usize
                ..(parent.children_start + parent.children_len) as usize];
            let position = siblings
                .iter()
                .position(|&raw| raw == node)
                .expect("a node is among its parent's children");
            node = data.parent;
            next_child = position as u32 + 1;
        }
    }
}

impl<'t> SyntaxToken<'t> {
    pub fn kind(&self) -> SyntaxKind {
        self.tree.token_kinds[self.id as usize]
    }

    pub fn range(&self) -> TextRange {
        let start = self.tree.token_starts[self.id as usize];
        let end = self.tree.token_starts[self.id as usize + 1];
        TextRange::new(start.into(), end.into())
    }

    pub fn text(&self) -> &'t str {
        &self.tree.text[self.range()]
    }

    pub fn parent(&self) -> SyntaxNode<'t> {
        SyntaxNode {
            tree: self.tree,
            id: self.parent,
        }
    }
}

impl<'t> SyntaxElement<'t> {
    pub fn kind(&self) -> SyntaxKind {
        match self {
            SyntaxElement::Node(node) => node.kind(),
            SyntaxElement::Token(token) => token.kind(),
        }
    }

    pub fn range(&self) -> TextRange {
        match self {
            SyntaxElement::Node(node) => node.range(),
            SyntaxElement::Token(token) => token.range(),
        }
    }

    pub fn as_node(&self) -> Option<SyntaxNode<'t>> {
        match self {
            SyntaxElement::Node(node) => Some(*node),
            SyntaxElement::Token(_) => None,
        }
    }

    pub fn as_token(&self) -> Option<SyntaxToken<'t>> {
        match self {
            SyntaxElement::Token(token) => Some(*token),
            SyntaxElement::Node(_) => None,
        }
    }
}

// ---- building ------------------------------------------------------------------------

/// Builds the tree while the parser runs. Elements of the nodes being built sit on
/// one stack: a node's children are the top of the stack from where it started;
/// finishing it moves them to `elements` and leaves its handle for the parent.
///
/// Trivia are pushed just before the token that follows them, so they first land in
/// the innermost node open there. When a node finishes, the trivia before its first
/// token are left on the stack for the parent — except, for declarations, fields and
/// variants, the comments on the lines just above (no blank line between), which
/// stay inside so they move with what they describe.
///
/// The sink reads the lexer's arrays through the `&Lexed` its callers pass, and
/// takes them over in `into_tree`: nothing per token is copied.
pub(crate) struct TreeSink {
    nodes: Vec<NodeData>,
    node_kinds: Vec<SyntaxKind>,
    elements: Vec<u32>,
    stack: Vec<u32>,
    /// Contextual keywords the parser re-tagged, applied to the token kinds at the end.
    retagged: Vec<(u32, SyntaxKind)>,
    /// The next raw token not yet pushed.
    cursor: u32,
}

impl TreeSink {
    pub(crate) fn new(lexed: &Lexed) -> TreeSink {
        // Fewer nodes than tokens, but for empty ones. Capacity is only reserved,
        // not touched, so reserving the most avoids copying a vector that grows.
        let nodes = lexed.len() + 16;
        TreeSink {
            nodes: Vec::with_capacity(nodes),
            node_kinds: Vec::with_capacity(nodes),
            elements: Vec::with_capacity(lexed.len() + nodes),
            stack: Vec::with_capacity(1024),
            retagged: Vec::new(),
            cursor: 0,
        }
    }

    /// Where a node starting now begins on the stack.
    pub(crate) fn mark(&self) -> u32 {
        self.stack.len() as u32
    }

    /// Consumes the significant token `raw` (tagged `kind`), after the trivia before it.
    pub(crate) fn token(&mut self, raw: u32, kind: SyntaxKind, lexed: &Lexed) -> Green {
        self.flush_trivia(raw);
        if lexed.kinds[raw as usize] != kind {
            self.retagged.push((raw, kind));
        }
        self.cursor = raw + 1;
        Green::token(raw)
    }

    pub(crate) fn push(&mut self, element: Green) {
        self.stack.push(element.0);
    }

    /// Finishes the node started at `mark`, with the elements pushed since.
    pub(crate) fn finish(
        &mut self,
        kind: SyntaxKind,
        mark: u32,
        lexed: &Lexed,
        text: &str,
    ) -> Green {
        let mark = mark as usize;
        let region = &self.stack[mark..];
        let first_significant = region
            .iter()
            .position(|&element| element & SKIPPED_BIT == 0)
            .unwrap_or(region.len());
        let keep_from = if kind == SOURCE_FILE {
            0
        } else if kind.takes_leading_comments() {
            comments_above(&region[..first_significant], lexed, text)
        } else {
            first_significant
        };
        let id = self.nodes.len() as u32;
        let children_start = self.elements.len() as u32;
        let children = &self.stack[mark + keep_from..];
        let (start, end) = match (children.first(), children.last()) {
            (Some(&first), Some(&last)) => (
                self.element_start(first, lexed),
                self.element_end(last, lexed),
            ),
            _ => {
                let here = lexed.starts[self.cursor as usize];
                (here, here)
            }
        };
        for &child in children {
            if child & TOKEN_BIT == 0 {
                self.nodes[child as usize].parent = id;
            }
        }
        self.elements.extend_from_slice(children);
        self.nodes.push(NodeData {
            parent: NO_PARENT,
            children_start,
            children_len: children.len() as u32,
            start,
            end,
        });
        self.node_kinds.push(kind);
        self.stack.truncate(mark + keep_from);
        Green::node(id)
    }

    /// The tree; the root is the last node finished. Tokens no rule consumed (only
    /// trailing trivia, in a well-behaved parser) go to the root.
    pub(crate) fn into_tree(mut self, root_mark: u32, lexed: Lexed, text: Arc<str>) -> SyntaxTree {
        self.flush_trivia(lexed.len() as u32);
        let root = self.finish(SOURCE_FILE, root_mark, &lexed, &text);
        let root_data = self.nodes.last_mut().expect("the root");
        root_data.start = 0;
        root_data.end = text.len() as u32;
        let mut token_kinds = lexed.kinds;
        for (raw, kind) in self.retagged {
            token_kinds[raw as usize] = kind;
        }
        SyntaxTree {
            text,
            token_kinds,
            token_starts: lexed.starts,
            nodes: self.nodes,
            node_kinds: self.node_kinds,
            elements: self.elements,
            root: root.0,
        }
    }

    fn flush_trivia(&mut self, until: u32) {
        while self.cursor < until {
            self.stack.push(self.cursor | TOKEN_BIT | SKIPPED_BIT);
            self.cursor += 1;
        }
    }

    fn element_start(&self, element: u32, lexed: &Lexed) -> u32 {
        if element & TOKEN_BIT != 0 {
            lexed.starts[(element & TOKEN_INDEX) as usize]
        } else {
            self.nodes[element as usize].start
        }
    }

    fn element_end(&self, element: u32, lexed: &Lexed) -> u32 {
        if element & TOKEN_BIT != 0 {
            lexed.starts[(element & TOKEN_INDEX) as usize + 1]
        } else {
            self.nodes[element as usize].end
        }
    }
}

/// In `leading` (the trivia before a node's first token), where the comments that
/// belong to the node begin: comments alone on their lines, directly above it,
/// with no blank line between.
fn comments_above(leading: &[u32], lexed: &Lexed, text: &str) -> usize {
    let raw = |index: usize| (leading[index] & TOKEN_INDEX) as usize;
    let mut split = leading.len();
    let mut index = leading.len();
    while index > 0 {
        let token = raw(index - 1);
        match lexed.kinds[token] {
            WHITESPACE => {
                if lexed.text(text, token).matches('\n').count() >= 2 {
                    break;
                }
            }
            COMMENT | DOC_COMMENT => {
                let starts_line = token == 0 || {
                    let before = token - 1;
                    lexed.kinds[before] == WHITESPACE && lexed.text(text, before).contains('\n')
                };
                if !starts_line {
                    break;
                }
                split = index - 1;
            }
            _ => break,
        }
        index -= 1;
    }
    split
}

#[cfg(test)]
mod tests {
    use crate::source::FileId;
    use crate::syntax::{SyntaxKind, parse};

    #[test]
    fn comments_above_a_field_belong_to_it_and_trailing_ones_do_not() {
        let text = "env dev {\n  // about a\n  a = 1 // after a\n\n  // loose\n\n  b = 2\n}\n";
        let parse = parse(text, FileId(0));
        let fields: Vec<_> = parse
            .tree()
            .root()
            .descendants()
            .filter(|node| node.kind() == SyntaxKind::FIELD)
            .collect();
        assert_eq!(fields[0].text(), "// about a\n  a = 1");
        assert_eq!(fields[1].text(), "b = 2");
    }

    #[test]
    fn token_at_offset_finds_the_containing_token_and_its_parent() {
        let text = "env dev { a = [1, 2] }\n";
        let parse = parse(text, FileId(0));
        let tree = parse.tree();
        assert_eq!(tree.token_at_offset(5.into()).unwrap().text(), "dev");
        assert_eq!(tree.token_at_offset(4.into()).unwrap().text(), "dev");
        assert_eq!(tree.token_at_offset(3.into()).unwrap().text(), " ");
        let two = tree.token_at_offset(18.into()).unwrap();
        assert_eq!(two.text(), "2");
        assert_eq!(two.parent().kind(), SyntaxKind::LITERAL);
        assert!(
            tree.token_at_offset(text.len().try_into().unwrap())
                .is_none()
        );
        // Every offset finds the token that covers it.
        for offset in 0..text.len() as u32 {
            let token = tree.token_at_offset(offset.into()).unwrap();
            assert!(
                token.range().contains(offset.into()),
                "offset {offset}: {token:?}"
            );
        }
    }
}
