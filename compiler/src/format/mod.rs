//! `fleet fmt`: one canonical layout for `.fleet` files, computed from the lossless
//! syntax tree, so every comment survives. The rules are in `layout`, the line
//! fitting in `document`.

mod document;
mod layout;

use crate::syntax::Parse;

/// The file in canonical layout, or `None` when it has syntax errors: the
/// formatter never guesses around a mistake.
pub fn format(parse: &Parse) -> Option<String> {
    if parse.has_errors() {
        return None;
    }
    let doc = layout::source_file(parse.tree().root());
    Some(document::print(&doc))
}
