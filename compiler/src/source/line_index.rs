//! Byte offsets to line and column, in UTF-8 bytes (terminal, JSON) and UTF-16 code
//! units (the language server protocol), and back.

use text_size::TextSize;

/// A zero-based position. `col` counts UTF-8 bytes, `col_utf16` UTF-16 code units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
    pub col_utf16: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    inner: line_index::LineIndex,
    len: TextSize,
    /// Where each line's text ends, before its line break.
    text_ends: Vec<TextSize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut text_ends = Vec::new();
        let mut start = 0;
        for line in text.split('\n') {
            let end = start + line.strip_suffix('\r').unwrap_or(line).len();
            text_ends.push(TextSize::from(end as u32));
            start += line.len() + 1;
        }
        LineIndex {
            inner: line_index::LineIndex::new(text),
            len: TextSize::of(text),
            text_ends,
        }
    }

    /// The position of `offset`; an offset past the end is clamped to the end, one
    /// inside a UTF-8 sequence counts as the start of its character.
    pub fn line_col(&self, offset: TextSize) -> LineCol {
        let offset = offset.min(self.len);
        let utf8 = self.inner.line_col(offset);
        let col_utf16 = match self.inner.to_wide(line_index::WideEncoding::Utf16, utf8) {
            Some(wide) => wide.col,
            None => utf8.col,
        };
        LineCol {
            line: utf8.line,
            col: utf8.col,
            col_utf16,
        }
    }

    /// The offset of a zero-based line and UTF-16 column (as the language server
    /// sends them). A position past the end of its line is clamped to the line's
    /// end (before its line break, as the protocol says), one past the last line
    /// to the end of the text.
    pub fn offset_utf16(&self, line: u32, col_utf16: u32) -> TextSize {
        let wide = line_index::WideLineCol {
            line,
            col: col_utf16,
        };
        let Some(utf8) = self.inner.to_utf8(line_index::WideEncoding::Utf16, wide) else {
            return self.len;
        };
        let Some(line_range) = self.inner.line(utf8.line) else {
            return self.len;
        };
        let line_start = line_range.start();
        let line_end = self
            .text_ends
            .get(utf8.line as usize)
            .copied()
            .unwrap_or(line_range.end())
            .min(line_range.end());
        (line_start + TextSize::from(utf8.col))
            .min(line_end)
            .min(self.len)
    }

    pub fn len(&self) -> TextSize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == TextSize::from(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_positions() {
        let index = LineIndex::new("ab\ncd\n");
        assert_eq!(
            index.line_col(0.into()),
            LineCol {
                line: 0,
                col: 0,
                col_utf16: 0
            }
        );
        assert_eq!(
            index.line_col(4.into()),
            LineCol {
                line: 1,
                col: 1,
                col_utf16: 1
            }
        );
        assert_eq!(
            index.line_col(6.into()),
            LineCol {
                line: 2,
                col: 0,
                col_utf16: 0
            }
        );
        assert_eq!(
            index.line_col(100.into()),
            LineCol {
                line: 2,
                col: 0,
                col_utf16: 0
            }
        );
    }

    #[test]
    fn emoji_and_cjk_count_differently_in_utf16() {
        // "🚀" is 4 bytes and 2 UTF-16 units; "漢" is 3 bytes and 1 unit.
        let text = "a = \"🚀漢x\"";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap() as u32;
        assert_eq!(
            index.line_col(x.into()),
            LineCol {
                line: 0,
                col: x,
                col_utf16: 8
            }
        );
        assert_eq!(index.offset_utf16(0, 8), TextSize::from(x));
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let index = LineIndex::new("ab\ncd");
        // Past the end of a line: its end, before the line break.
        assert_eq!(index.offset_utf16(0, 99), TextSize::from(2));
        assert_eq!(index.offset_utf16(9, 0), TextSize::from(5));
        let index = LineIndex::new("ab\r\ncd\n");
        assert_eq!(index.offset_utf16(0, 99), TextSize::from(2));
        assert_eq!(index.offset_utf16(1, 99), TextSize::from(6));
        assert_eq!(index.offset_utf16(2, 99), TextSize::from(7));
    }
}
