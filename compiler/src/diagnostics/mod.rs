//! Diagnostics as data: every stage builds `Diagnostic` values where it finds a
//! problem; `render` turns them into text for the terminal (ariadne), `json` into the
//! stable machine format, and the language server converts them in one place.

mod codes;
mod json;
mod render;
pub mod wording;

pub use codes::{ALL_CODES, Code};
pub use json::{JSON_SCHEMA_VERSION, to_json};
pub use render::{RenderOptions, Renderer, render};

use crate::source::FileId;
use text_size::TextRange;

pub mod code {
    //! The stable codes, one constant each (`code::E0104`). Each has a page in
    //! `docs/diagnostics/`, printed by `fleet explain`.
    pub use super::codes::*;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A place in a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub range: TextRange,
}

impl Span {
    pub fn new(file: FileId, range: TextRange) -> Span {
        Span { file, range }
    }

    /// Whether the span is in one of the fleet's files, not the stdlib's (a
    /// diagnostic about a value the stdlib defaults points at the declaration
    /// that took the default instead).
    pub fn in_fleet(self) -> bool {
        self.file.0 < crate::stdlib::FIRST_FILE_ID
    }
}

/// A span with the text that explains it ("`ap-south-1` is an AWS region").
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// A short lowercase headline: "unterminated string".
    pub message: String,
    /// Where the problem is. Only problems about no file in particular (an empty
    /// folder) have none.
    pub primary: Option<Label>,
    /// Other places that explain it (where a `{` was opened).
    pub secondary: Vec<Label>,
    pub notes: Vec<String>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn with_primary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.primary = Some(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: by file, then position, so output order does not depend on the
    /// order in which stages ran.
    pub fn sort_key(&self) -> (u32, u32, u32, &'static str) {
        match &self.primary {
            Some(label) => (
                label.span.file.0,
                label.span.range.start().into(),
                label.span.range.end().into(),
                self.code.id,
            ),
            None => (0, 0, 0, self.code.id),
        }
    }
}
