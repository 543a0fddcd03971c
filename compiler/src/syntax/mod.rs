//! Syntax: source text -> tokens (`lexer`) -> green tree (`parser`, nom over the
//! tokens) -> lossless `SyntaxTree` (`tree`), with the syntax diagnostics.
//! Parsing never fails: every input gives a tree and a list of diagnostics.

pub mod ast;
mod green;
pub mod kind;
pub mod lexer;
mod parser;
pub mod tree;

pub use kind::SyntaxKind;
pub use parser::{MAX_ERRORS_PER_FILE, MAX_NESTING};
pub use tree::{SyntaxElement, SyntaxNode, SyntaxToken, SyntaxTree};

use crate::diagnostics::{Diagnostic, Span, code};
use crate::source::FileId;
use std::sync::Arc;
use text_size::TextRange;

/// The result of parsing one file: a tree (always) and its syntax diagnostics,
/// lexical and grammatical, in source order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parse {
    tree: Arc<SyntaxTree>,
    errors: Arc<[Diagnostic]>,
}

impl Parse {
    pub fn tree(&self) -> &SyntaxTree {
        &self.tree
    }

    pub fn tree_arc(&self) -> &Arc<SyntaxTree> {
        &self.tree
    }

    pub fn errors(&self) -> &[Diagnostic] {
        &self.errors
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

pub fn parse(text: impl Into<Arc<str>>, file: FileId) -> Parse {
    let text: Arc<str> = text.into();
    let mut lexed = lexer::lex(&text, file);
    let mut errors = std::mem::take(&mut lexed.errors);
    let lexical_suppressed = lexed.suppressed_errors;
    let (tree, parse_errors, parse_suppressed) = parser::parse_tokens(&text, file, lexed);
    errors.extend(parse_errors);
    // Lexical errors first where two share a place: they explain the other.
    errors.sort_by_key(|diagnostic| {
        diagnostic
            .primary
            .as_ref()
            .map(|label| label.span.range.start())
    });
    let mut suppressed = lexical_suppressed + parse_suppressed;
    if errors.len() > MAX_ERRORS_PER_FILE {
        suppressed += errors.len() - MAX_ERRORS_PER_FILE;
        errors.truncate(MAX_ERRORS_PER_FILE);
    }
    if suppressed > 0 {
        errors.push(too_many_errors(&text, file, suppressed));
    }
    Parse {
        tree: Arc::new(tree),
        errors: errors.into(),
    }
}

fn too_many_errors(text: &str, file: FileId, suppressed: usize) -> Diagnostic {
    let end = text_size::TextSize::of(text);
    Diagnostic::new(code::E0118, "too many syntax errors")
        .with_primary(Span::new(file, TextRange::empty(end)), "the file ends here")
        .with_note(format!(
            "{suppressed} more syntax errors in this file are not shown (the first {MAX_ERRORS_PER_FILE} are)"
        ))
        .with_help("fix the errors above first; later ones often follow from them")
}

/// E0009 for a file with no declaration at all (empty, or only comments). A fleet
/// file that declares nothing is almost always a mistake: a file saved empty, or
/// everything commented out.
pub fn check_declares_something(parse: &Parse, file: FileId) -> Option<Diagnostic> {
    let declares = parse.tree().root().children().next().is_some();
    if declares || parse.has_errors() {
        return None;
    }
    Some(
        Diagnostic::new(code::E0009, "file declares nothing")
            .with_primary(
                Span::new(file, TextRange::empty(0.into())),
                "this file has no declaration",
            )
            .with_help("add a declaration, or delete the file"),
    )
}
