//! Incremental text sync: an open document's text after the edits of one
//! `didChange`, applied in order (each range is in the text the previous edits
//! left). Positions are UTF-16, clamped to the text: a client that sends a
//! position past the end gets its edit at the end, not a crash.

use crate::convert::text_range;
use fleet_compiler::source::LineIndex;
use lsp_types::TextDocumentContentChangeEvent;

pub fn apply_changes(text: &str, changes: Vec<TextDocumentContentChangeEvent>) -> String {
    let mut text = text.to_string();
    for change in changes {
        match change.range {
            None => text = change.text,
            Some(range) => {
                let index = LineIndex::new(&text);
                let range = text_range(&index, range);
                let start = char_boundary(&text, usize::from(range.start()));
                let end = char_boundary(&text, usize::from(range.end())).max(start);
                text.replace_range(start..end, &change.text);
            }
        }
    }
    text
}

/// `offset`, or the start of the character it falls inside (a position between
/// the two halves of a UTF-16 surrogate pair).
fn char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    fn edit(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(start.0, start.1),
                Position::new(end.0, end.1),
            )),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn edits_apply_in_order_in_utf16_positions() {
        // "🚀" is two UTF-16 units: column 2 is after it.
        let text = "a = \"🚀x\"\nb = 1\n";
        let changed = apply_changes(
            text,
            vec![edit((0, 7), (0, 8), "y"), edit((1, 4), (1, 5), "22")],
        );
        assert_eq!(changed, "a = \"🚀y\"\nb = 22\n");
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let changed = apply_changes("ab\ncd", vec![edit((7, 3), (9, 9), "!")]);
        assert_eq!(changed, "ab\ncd!");
        let changed = apply_changes("ab\ncd", vec![edit((0, 99), (0, 99), "!")]);
        assert_eq!(changed, "ab!\ncd");
    }

    #[test]
    fn a_position_inside_a_surrogate_pair_does_not_split_the_character() {
        // Column 1 is between the two UTF-16 halves of "🚀".
        let changed = apply_changes("🚀", vec![edit((0, 1), (0, 1), "x")]);
        assert!(changed == "x🚀" || changed == "🚀x", "{changed}");
    }

    #[test]
    fn a_change_without_a_range_replaces_the_text() {
        let change = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "new".into(),
        };
        assert_eq!(apply_changes("old", vec![change]), "new");
    }
}
