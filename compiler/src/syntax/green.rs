//! The parser's output before trivia: nodes and the significant tokens they hold,
//! as plain owned values (what nom combinators return). `tree::build` turns it into
//! the lossless `SyntaxTree`, putting white space and comments back in place.

use crate::syntax::kind::SyntaxKind;

#[derive(Debug)]
pub enum Green {
    /// A significant token, by its index in the lexer's output. `kind` may differ
    /// from the lexed kind: a contextual keyword is re-tagged by the parser.
    Token { raw: u32, kind: SyntaxKind },
    Node {
        kind: SyntaxKind,
        children: Vec<Green>,
    },
}

impl Green {
    pub fn node(kind: SyntaxKind, children: Vec<Green>) -> Green {
        Green::Node { kind, children }
    }

    /// A node that holds nothing: where an expected piece is missing.
    pub fn empty(kind: SyntaxKind) -> Green {
        Green::Node {
            kind,
            children: Vec::new(),
        }
    }

    pub fn kind(&self) -> SyntaxKind {
        match self {
            Green::Token { kind, .. } | Green::Node { kind, .. } => *kind,
        }
    }

    /// The raw index of the first token inside, if any (empty nodes hold none).
    pub fn first_token(&self) -> Option<u32> {
        match self {
            Green::Token { raw, .. } => Some(*raw),
            Green::Node { children, .. } => children.iter().find_map(Green::first_token),
        }
    }
}
