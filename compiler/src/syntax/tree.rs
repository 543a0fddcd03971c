//! The lossless syntax tree: every token of the file, trivia included, under nodes
//! with spans. Concatenating its tokens in order gives the source back byte for byte.
//!
//! The tree is two flat arrays (nodes and their children) rather than a pointer
//! graph: building it does one pass, dropping it frees a few vectors (no recursion,
//! however deep the input), and a handle is an index.
//!
//! Trivia placement: white space and comments sit between the significant tokens
//! the parser placed. A comment on the lines just above a declaration, field or
//! variant (no blank line between) goes inside that node, so it moves with it;
//! every other piece of trivia goes to the innermost node open at that point.

use crate::syntax::green::Green;
use crate::syntax::kind::{SyntaxKind, SyntaxKind::*};
use crate::syntax::lexer::Lexed;
use std::fmt::Write;
use std::sync::Arc;
use text_size::{TextRange, TextSize};

const TOKEN_BIT: u32 = 1 << 31;
const NO_PARENT: u32 = u32::MAX;

#[derive(Clone, Debug, PartialEq, Eq)]
struct NodeData {
    kind: SyntaxKind,
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
    token_parents: Vec<u32>,
    nodes: Vec<NodeData>,
    /// Children of every node, contiguous per node; a token id has `TOKEN_BIT` set.
    elements: Vec<u32>,
}

impl SyntaxTree {
    pub fn root(&self) -> SyntaxNode<'_> {
        SyntaxNode { tree: self, id: 0 }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn text_arc(&self) -> &Arc<str> {
        &self.text
    }

    /// Every token in order: the concatenation of their texts is the source.
    pub fn tokens(
        &self,
    ) -> impl DoubleEndedIterator<Item = SyntaxToken<'_>> + ExactSizeIterator + '_ {
        (0..self.token_kinds.len() as u32).map(move |id| SyntaxToken { tree: self, id })
    }

    /// The token that contains `offset` (the one starting there, at a boundary).
    pub fn token_at_offset(&self, offset: TextSize) -> Option<SyntaxToken<'_>> {
        let offset = u32::from(offset);
        if self.token_kinds.is_empty() {
            return None;
        }
        let index = match self.token_starts[..self.token_kinds.len()].binary_search(&offset) {
            Ok(index) => index,
            Err(0) => return None,
            Err(index) => index - 1,
        };
        Some(SyntaxToken {
            tree: self,
            id: index as u32,
        })
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
                    let range = node.range();
                    let _ = writeln!(out, "{:?}@{:?}", node.kind(), range);
                    let children: Vec<_> = node.children_with_tokens().collect();
                    for child in children.into_iter().rev() {
                        stack.push((child, indent + 1));
                    }
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

    fn element(&self, raw: u32) -> SyntaxElement<'_> {
        if raw & TOKEN_BIT != 0 {
            SyntaxElement::Token(SyntaxToken {
                tree: self,
                id: raw & !TOKEN_BIT,
            })
        } else {
            SyntaxElement::Node(SyntaxNode {
                tree: self,
                id: raw,
            })
        }
    }
}

#[derive(Clone, Copy)]
pub struct SyntaxNode<'t> {
    tree: &'t SyntaxTree,
    id: u32,
}

#[derive(Clone, Copy)]
pub struct SyntaxToken<'t> {
    tree: &'t SyntaxTree,
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
    pub fn kind(&self) -> SyntaxKind {
        self.tree.node_data(self.id).kind
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
        let range =
            data.children_start as usize..(data.children_start + data.children_len) as usize;
        tree.elements[range]
            .iter()
            .map(move |&raw| tree.element(raw))
    }

    pub fn children(&self) -> impl DoubleEndedIterator<Item = SyntaxNode<'t>> + use<'t> {
        self.children_with_tokens()
            .filter_map(|element| match element {
                SyntaxElement::Node(node) => Some(node),
                SyntaxElement::Token(_) => None,
            })
    }

    pub fn child_tokens(&self) -> impl DoubleEndedIterator<Item = SyntaxToken<'t>> + use<'t> {
        self.children_with_tokens()
            .filter_map(|element| match element {
                SyntaxElement::Token(token) => Some(token),
                SyntaxElement::Node(_) => None,
            })
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
            let children: Vec<_> = node.children().collect();
            stack.extend(children.into_iter().rev());
            Some(node)
        })
    }

    /// The first significant (non-trivia) token inside.
    pub fn first_significant_token(&self) -> Option<SyntaxToken<'t>> {
        self.descendant_tokens()
            .find(|token| !token.kind().is_trivia())
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
            id: self.tree.token_parents[self.id as usize],
        }
    }

    /// The token before this one in the file (trivia included).
    pub fn prev_token(&self) -> Option<SyntaxToken<'t>> {
        self.id.checked_sub(1).map(|id| SyntaxToken {
            tree: self.tree,
            id,
        })
    }

    pub fn next_token(&self) -> Option<SyntaxToken<'t>> {
        let id = self.id + 1;
        ((id as usize) < self.tree.token_kinds.len()).then_some(SyntaxToken {
            tree: self.tree,
            id,
        })
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

struct Frame {
    node: u32,
    children: Vec<u32>,
    start: Option<u32>,
    end: u32,
}

struct Builder<'l> {
    lexed: &'l Lexed,
    text: Arc<str>,
    token_kinds: Vec<SyntaxKind>,
    token_parents: Vec<u32>,
    nodes: Vec<NodeData>,
    elements: Vec<u32>,
    /// The next raw token not yet placed in the tree.
    cursor: u32,
    stack: Vec<Frame>,
    spare_vectors: Vec<Vec<u32>>,
}

enum Step {
    Enter(Green),
    Exit,
}

/// Builds the tree from the parser's output, consuming it without recursion.
pub fn build(text: Arc<str>, lexed: &Lexed, root: Green) -> SyntaxTree {
    let token_count = lexed.len();
    let mut builder = Builder {
        lexed,
        text,
        token_kinds: lexed.kinds.clone(),
        token_parents: vec![0; token_count],
        nodes: Vec::with_capacity(token_count / 2 + 1),
        elements: Vec::with_capacity(token_count + token_count / 2 + 1),
        cursor: 0,
        stack: Vec::new(),
        spare_vectors: Vec::new(),
    };
    let mut steps = vec![Step::Enter(root)];
    while let Some(step) = steps.pop() {
        match step {
            Step::Enter(Green::Token { raw, kind }) => {
                builder.flush_trivia(raw);
                builder.push_token(raw, kind);
            }
            Step::Enter(Green::Node { kind, children }) => {
                let first = children.iter().find_map(Green::first_token);
                builder.open(kind, first);
                steps.push(Step::Exit);
                steps.extend(children.into_iter().rev().map(Step::Enter));
            }
            Step::Exit => {
                if builder.stack.len() == 1 {
                    // The root keeps whatever follows the last item: trailing trivia,
                    // and (never expected) tokens the parser did not place.
                    builder.flush_all();
                }
                builder.close();
            }
        }
    }
    let root = &mut builder.nodes[0];
    root.start = 0;
    root.end = builder.text.len() as u32;
    let mut token_starts = lexed.starts.clone();
    token_starts.truncate(token_count + 1);
    SyntaxTree {
        text: builder.text,
        token_kinds: builder.token_kinds,
        token_starts,
        token_parents: builder.token_parents,
        nodes: builder.nodes,
        elements: builder.elements,
    }
}

impl Builder<'_> {
    fn open(&mut self, kind: SyntaxKind, first: Option<u32>) {
        if let Some(first) = first.filter(|_| !self.stack.is_empty()) {
            let split = if kind.takes_leading_comments() {
                self.comments_above(first)
            } else {
                first
            };
            self.flush_trivia(split);
        }
        let id = self.nodes.len() as u32;
        let parent = self.stack.last().map_or(NO_PARENT, |frame| frame.node);
        let here = self.lexed.starts[self.cursor as usize];
        self.nodes.push(NodeData {
            kind,
            parent,
            children_start: 0,
            children_len: 0,
            start: here,
            end: here,
        });
        if let Some(frame) = self.stack.last_mut() {
            frame.children.push(id);
        }
        let children = self.spare_vectors.pop().unwrap_or_default();
        self.stack.push(Frame {
            node: id,
            children,
            start: None,
            end: here,
        });
    }

    fn close(&mut self) {
        let mut frame = self.stack.pop().expect("close without open");
        let children_start = self.elements.len() as u32;
        self.elements.extend_from_slice(&frame.children);
        let data = &mut self.nodes[frame.node as usize];
        data.children_start = children_start;
        data.children_len = frame.children.len() as u32;
        if let Some(start) = frame.start {
            data.start = start;
            data.end = frame.end;
            if let Some(parent) = self.stack.last_mut() {
                parent.start.get_or_insert(start);
                parent.end = frame.end;
            }
        } else {
            data.end = data.start;
        }
        frame.children.clear();
        self.spare_vectors.push(frame.children);
    }

    fn push_token(&mut self, raw: u32, kind: SyntaxKind) {
        debug_assert_eq!(raw, self.cursor, "tokens are placed in order");
        self.token_kinds[raw as usize] = kind;
        let frame = self.stack.last_mut().expect("a token outside the root");
        frame.children.push(raw | TOKEN_BIT);
        self.token_parents[raw as usize] = frame.node;
        frame.start.get_or_insert(self.lexed.starts[raw as usize]);
        frame.end = self.lexed.starts[raw as usize + 1];
        self.cursor = raw + 1;
    }

    /// Places every token before `raw` (trivia) in the innermost open node.
    fn flush_trivia(&mut self, raw: u32) {
        while self.cursor < raw {
            let kind = self.lexed.kinds[self.cursor as usize];
            self.push_token(self.cursor, kind);
        }
    }

    fn flush_all(&mut self) {
        self.flush_trivia(self.lexed.len() as u32);
    }

    /// Where the comments that belong to a node starting at token `first` begin:
    /// comments alone on their lines, directly above it, with no blank line between.
    fn comments_above(&self, first: u32) -> u32 {
        let text: &str = &self.text;
        let mut split = first;
        let mut index = first;
        while index > self.cursor {
            let previous = index - 1;
            match self.lexed.kinds[previous as usize] {
                WHITESPACE => {
                    if self
                        .lexed
                        .text(text, previous as usize)
                        .matches('\n')
                        .count()
                        >= 2
                    {
                        break;
                    }
                }
                COMMENT | DOC_COMMENT => {
                    let starts_line = previous == 0 || {
                        let before = previous as usize - 1;
                        self.lexed.kinds[before] == WHITESPACE
                            && self.lexed.text(text, before).contains('\n')
                    };
                    if !starts_line {
                        break;
                    }
                    split = previous;
                }
                _ => break,
            }
            index = previous;
        }
        split
    }
}

#[cfg(test)]
mod tests {
    use crate::source::FileId;
    use crate::syntax::parse;

    #[test]
    fn comments_above_a_field_belong_to_it_and_trailing_ones_do_not() {
        let text = "env dev {\n  // about a\n  a = 1 // after a\n\n  // loose\n\n  b = 2\n}\n";
        let parse = parse(text, FileId(0));
        let tree = parse.tree();
        let fields: Vec<_> = tree
            .root()
            .descendants()
            .filter(|n| n.kind() == crate::syntax::SyntaxKind::FIELD)
            .collect();
        assert_eq!(fields[0].text(), "// about a\n  a = 1");
        assert_eq!(fields[1].text(), "b = 2");
    }

    #[test]
    fn token_at_offset_finds_the_containing_token() {
        let parse = parse("env dev {}", FileId(0));
        let tree = parse.tree();
        assert_eq!(tree.token_at_offset(5.into()).unwrap().text(), "dev");
        assert_eq!(tree.token_at_offset(4.into()).unwrap().text(), "dev");
        assert_eq!(tree.token_at_offset(3.into()).unwrap().text(), " ");
    }
}
