//! What the editor asks about a position in a fleet: hover, go to definition, the
//! symbols of a file. Answers are data (files, ranges, Markdown) computed from the
//! same queries `fleet check` runs; the language server converts them to the
//! protocol in one place, as it does diagnostics.
//!
//! Nothing here reports diagnostics: an evaluator used to look up a type throws
//! away what it finds wrong, which `check` reports.

pub mod definition;
mod describe;
mod fields;
pub mod hover;
mod locate;
pub mod symbols;

use crate::db::SourceFile;
use text_size::TextRange;

/// A place to go to: the whole of what is found (`full_range`) and the part to put
/// the cursor on, usually its name (`focus_range`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NavigationTarget {
    pub file: SourceFile,
    pub full_range: TextRange,
    pub focus_range: TextRange,
}
