//! The canonical layout, as rules from syntax nodes to a `Doc`.
//!
//! - Items and body entries: one per line when broken; a blank line between two
//!   of them is kept (at most one), other white space is not.
//! - `{ ... }` bodies and records, `[...]` lists, `(...)` arguments: flat
//!   (`{ a = 1, b = 2 }`, `[a, b]`) when they were on one line in the source and
//!   fit in 100 columns (a comment at the end of the line does not count);
//!   otherwise one entry per line — bodies without commas, lists and arguments
//!   with a trailing comma.
//! - Everything else is laid out token by token with single spaces, none inside
//!   brackets or around `.`, `..` and a prefix `-`, none before `,` `:` `?`. A line
//!   break the source has between two of those tokens is kept (as one line break,
//!   and not before a `{`, which stays on the line before it); the lines after
//!   the first break are indented one more level.
//! - Strings are kept byte for byte; comments are kept where they are: a comment
//!   at the end of a line stays at the end of that line, one on a line of its own
//!   stays on a line of its own.

use super::document::Doc;
use crate::syntax::kind::{SyntaxKind, SyntaxKind::*};
use crate::syntax::tree::{SyntaxElement, SyntaxNode, SyntaxToken};

pub fn source_file(root: SyntaxNode<'_>) -> Doc {
    // Nothing opens the file, so it has no `open_comment`.
    let entries = collect_entries(root.children_with_tokens());
    let mut parts = Vec::new();
    for (index, entry) in entries.entries.into_iter().enumerate() {
        if index > 0 && entry.blank_before {
            parts.push(Doc::HardLine);
        }
        parts.push(entry.doc);
        if let Some(comment) = entry.trailing_comment {
            parts.push(Doc::line_end(format!(" {comment}")));
        }
        parts.push(Doc::HardLine);
    }
    Doc::Concat(parts)
}

fn node(node: SyntaxNode<'_>) -> Doc {
    let doc = match node.kind() {
        BODY | RECORD_EXPR | RECORD_TYPE | VARIANT_LIST => sequence(node, Brackets::Braces),
        LIST_EXPR => sequence(node, Brackets::Square),
        ARG_LIST | TYPE_ARGS => sequence(node, Brackets::Round),
        FOR_ITEM => for_item(node),
        STRING => Doc::text(verbatim(node)),
        _ => inline(node),
    };
    with_leading_comments(node, doc)
}

/// Comments attached above a declaration or field sit at the start of its node.
fn with_leading_comments(node: SyntaxNode<'_>, doc: Doc) -> Doc {
    if !node.kind().takes_leading_comments() {
        return doc;
    }
    let mut parts = Vec::new();
    for element in node.children_with_tokens() {
        match element {
            SyntaxElement::Token(token) if token.kind().is_comment() => {
                parts.push(Doc::text(comment_text(token)));
                parts.push(Doc::HardLine);
            }
            SyntaxElement::Token(token) if token.kind() == WHITESPACE => {}
            _ => break,
        }
    }
    if parts.is_empty() {
        return doc;
    }
    parts.push(doc);
    Doc::Concat(parts)
}

/// The elements of a node after its leading comments (those are printed by
/// `with_leading_comments`).
fn own_elements<'t>(node: SyntaxNode<'t>) -> impl Iterator<Item = SyntaxElement<'t>> + 't {
    let leading = node.kind().takes_leading_comments();
    node.children_with_tokens().skip_while(move |element| {
        leading && matches!(element, SyntaxElement::Token(token) if token.kind().is_trivia())
    })
}

/// Tokens and child nodes with single spaces where the spacing rules want them.
fn inline(node: SyntaxNode<'_>) -> Doc {
    inline_elements(node.kind(), own_elements(node))
}

/// Everything after the first line break of the elements (kept from the source,
/// or after a comment, which always ends its line) goes into one `Indent`, so
/// the continuation lines sit one level deeper however many there are.
fn inline_elements<'t>(
    parent: SyntaxKind,
    elements: impl Iterator<Item = SyntaxElement<'t>>,
) -> Doc {
    let mut parts = Vec::new();
    // Everything after the first line break, indented one more level.
    let mut continuation: Option<Vec<Doc>> = None;
    let mut previous: Option<Edge> = None;
    let mut line_break = false;
    let mut after_comment = false;
    for element in elements {
        match element {
            SyntaxElement::Token(token) if token.kind() == WHITESPACE => {
                line_break |= token.text().contains('\n');
            }
            SyntaxElement::Token(token) if token.kind().is_comment() => {
                let out = continuation.get_or_insert_with(Vec::new);
                if line_break && previous.is_some() {
                    out.push(Doc::HardLine);
                    out.push(Doc::text(comment_text(token)));
                } else {
                    out.push(Doc::line_end(format!(" {}", comment_text(token))));
                }
                out.push(Doc::HardLine);
                after_comment = true;
                line_break = false;
            }
            element => {
                let edge = Edge::of(element);
                if after_comment {
                    // The comment ended the line.
                } else if line_break && previous.is_some() && edge.first != L_BRACE {
                    continuation
                        .get_or_insert_with(Vec::new)
                        .push(Doc::HardLine);
                } else if let Some(previous) = previous
                    && space_between(parent, previous, edge)
                {
                    continuation
                        .as_mut()
                        .unwrap_or(&mut parts)
                        .push(Doc::text(" "));
                }
                continuation
                    .as_mut()
                    .unwrap_or(&mut parts)
                    .push(match element {
                        SyntaxElement::Token(token) => Doc::text(token.text()),
                        SyntaxElement::Node(child) => node(child),
                    });
                previous = Some(edge);
                after_comment = false;
                line_break = false;
            }
        }
    }
    if let Some(continuation) = continuation {
        parts.push(Doc::indent(Doc::Concat(continuation)));
    }
    Doc::Concat(parts)
}

/// What touches a neighbour: a token's kind, or a node's kind with its first and
/// last tokens' kinds.
#[derive(Clone, Copy)]
struct Edge {
    node: Option<SyntaxKind>,
    first: SyntaxKind,
    last: SyntaxKind,
}

impl Edge {
    fn of(element: SyntaxElement<'_>) -> Edge {
        match element {
            SyntaxElement::Token(token) => Edge {
                node: None,
                first: token.kind(),
                last: token.kind(),
            },
            SyntaxElement::Node(node) => {
                let first = node
                    .first_significant_token()
                    .map_or(ERROR, |token| token.kind());
                let last = last_significant_token(node).map_or(first, |token| token.kind());
                Edge {
                    node: Some(node.kind()),
                    first,
                    last,
                }
            }
        }
    }
}

fn space_between(parent: SyntaxKind, left: Edge, right: Edge) -> bool {
    if matches!(
        right.first,
        COMMA | DOT | DOT2 | R_PAREN | R_BRACK | QUESTION | COLON
    ) {
        return false;
    }
    if matches!(left.last, DOT | DOT2 | L_PAREN | L_BRACK) {
        return false;
    }
    if matches!(right.node, Some(ARG_LIST | TYPE_ARGS)) {
        return false;
    }
    match parent {
        INDEX_EXPR if right.first == L_BRACK => false,
        PREFIX_EXPR if left.first == MINUS => false,
        _ => true,
    }
}

/// `for bindings (if condition)? { items }`: the header inline, the items one per line.
fn for_item(node: SyntaxNode<'_>) -> Doc {
    let elements: Vec<_> = own_elements(node).collect();
    let brace = elements
        .iter()
        .position(|element| element.kind() == L_BRACE)
        .unwrap_or(elements.len());
    let header_end = (brace + 1).min(elements.len());
    let header = inline_elements(FOR_ITEM, elements[..header_end].iter().copied());
    let entries = collect_entries(elements[brace..].iter().copied());
    let mut body = Vec::new();
    let open_comment = entries.open_comment.is_some();
    if let Some(comment) = entries.open_comment {
        body.push(Doc::line_end(format!(" {comment}")));
    }
    let mut inner = Vec::new();
    for (index, entry) in entries.entries.into_iter().enumerate() {
        inner.push(Doc::HardLine);
        if index > 0 && entry.blank_before {
            inner.push(Doc::HardLine);
        }
        inner.push(entry.doc);
        if let Some(comment) = entry.trailing_comment {
            inner.push(Doc::line_end(format!(" {comment}")));
        }
    }
    let empty = inner.is_empty();
    body.push(Doc::indent(Doc::Concat(inner)));
    if !empty || open_comment {
        body.push(Doc::HardLine);
    }
    Doc::Concat(vec![header, Doc::Concat(body), Doc::text("}")])
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Brackets {
    /// `{ a = 1, b = 2 }` flat; entries on their own lines, no commas, broken.
    Braces,
    /// `[a, b]` flat; a trailing comma when broken.
    Square,
    Round,
}

struct Entry {
    doc: Doc,
    /// A comment on lines of its own, not an element: it takes no separator.
    is_comment: bool,
    blank_before: bool,
    trailing_comment: Option<String>,
}

struct Entries {
    entries: Vec<Entry>,
    /// A comment on the line of the opening bracket: `{ // why`.
    open_comment: Option<String>,
    /// Whether the source had a line break between the brackets.
    had_newline: bool,
    has_comments: bool,
}

/// Splits the children of a list-like node into entries (child nodes) with the
/// comments and blank lines around them. Brackets and commas are dropped: the
/// layout writes its own.
fn collect_entries<'t>(elements: impl Iterator<Item = SyntaxElement<'t>>) -> Entries {
    let mut result = Entries {
        entries: Vec::new(),
        open_comment: None,
        had_newline: false,
        has_comments: false,
    };
    let mut blank_pending = false;
    let mut newline_since_entry = false;
    // Whether anything but trivia came before (the opening bracket, an entry).
    let mut after_token = false;
    for element in elements {
        match element {
            SyntaxElement::Token(token) => match token.kind() {
                WHITESPACE => {
                    let newlines = token.text().matches('\n').count();
                    if newlines > 0 {
                        result.had_newline = true;
                        newline_since_entry = true;
                    }
                    if newlines >= 2 {
                        blank_pending = true;
                    }
                }
                COMMENT | DOC_COMMENT | MODULE_DOC_COMMENT => {
                    result.has_comments = true;
                    let text = comment_text(token);
                    let first_on_line = newline_since_entry || !after_token;
                    match result.entries.last_mut() {
                        Some(last) if !first_on_line && last.trailing_comment.is_none() => {
                            last.trailing_comment = Some(text);
                        }
                        None if !first_on_line => result.open_comment = Some(text),
                        _ => {
                            result.entries.push(Entry {
                                doc: Doc::text(text),
                                is_comment: true,
                                blank_before: blank_pending,
                                trailing_comment: None,
                            });
                            blank_pending = false;
                        }
                    }
                    newline_since_entry = false;
                }
                _ => after_token = true,
            },
            SyntaxElement::Node(child) => {
                result.entries.push(Entry {
                    doc: node(child),
                    is_comment: false,
                    blank_before: blank_pending,
                    trailing_comment: None,
                });
                blank_pending = false;
                newline_since_entry = false;
                after_token = true;
            }
        }
    }
    result
}

fn sequence(node: SyntaxNode<'_>, brackets: Brackets) -> Doc {
    let (open, close) = match brackets {
        Brackets::Braces => ("{", "}"),
        Brackets::Square => ("[", "]"),
        Brackets::Round => ("(", ")"),
    };
    let entries = collect_entries(own_elements(node));
    if entries.entries.is_empty() && entries.open_comment.is_none() {
        return Doc::text(format!("{open}{close}"));
    }
    let padding = || {
        if brackets == Brackets::Braces {
            Doc::Line
        } else {
            Doc::SoftLine
        }
    };
    let separator = || match brackets {
        Brackets::Braces => Doc::if_break(Doc::nil(), Doc::text(",")),
        Brackets::Square | Brackets::Round => Doc::text(","),
    };
    let Entries {
        entries,
        open_comment,
        had_newline,
        has_comments,
    } = entries;
    let last_element = entries.iter().rposition(|entry| !entry.is_comment);
    let mut inner = Vec::new();
    for (index, entry) in entries.into_iter().enumerate() {
        inner.push(if index == 0 { padding() } else { Doc::Line });
        if index > 0 && entry.blank_before {
            inner.push(Doc::HardLine);
        }
        inner.push(entry.doc);
        if !entry.is_comment {
            if Some(index) == last_element {
                // Lists keep a trailing comma when broken, so adding an element
                // changes one line.
                if brackets != Brackets::Braces {
                    inner.push(Doc::if_break(Doc::text(","), Doc::nil()));
                }
            } else {
                inner.push(separator());
            }
        }
        if let Some(comment) = entry.trailing_comment {
            inner.push(Doc::line_end(format!(" {comment}")));
        }
    }
    let mut parts = vec![Doc::text(open)];
    if let Some(comment) = open_comment {
        // The group is broken (it holds a comment), so the padding after this
        // is the line break.
        parts.push(Doc::line_end(format!(" {comment}")));
    }
    parts.push(Doc::indent(Doc::Concat(inner)));
    parts.push(padding());
    parts.push(Doc::text(close));
    Doc::group(Doc::Concat(parts), had_newline || has_comments)
}

fn last_significant_token(node: SyntaxNode<'_>) -> Option<SyntaxToken<'_>> {
    node.children_with_tokens()
        .rev()
        .find_map(|element| match element {
            SyntaxElement::Token(token) => (!token.kind().is_trivia()).then_some(token),
            SyntaxElement::Node(child) => last_significant_token(child),
        })
}

/// A comment without trailing white space (or a carriage return).
fn comment_text(token: SyntaxToken<'_>) -> String {
    token.text().trim_end().to_string()
}

/// A node's text exactly as written (strings).
fn verbatim(node: SyntaxNode<'_>) -> String {
    node.descendant_tokens().map(|token| token.text()).collect()
}
