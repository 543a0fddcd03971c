//! Turns a file's bytes into text, or into the diagnostic that says why it cannot
//! be read as a `.fleet` file (not UTF-8, UTF-16, binary, too large).

use crate::diagnostics::{Diagnostic, Span, code};
use crate::source::FileId;
use text_size::{TextRange, TextSize};

/// The largest file read, 1 GiB less a byte: token indices must fit in 30 bits
/// (the syntax tree packs two flags beside them). A 10,000-cluster fleet is 3 MB.
pub const MAX_FILE_SIZE: u64 = (1 << 30) - 1;

/// How far to look for a NUL byte, as Git does to tell binary files.
const BINARY_SNIFF_LEN: usize = 8000;

/// A file that is not text the compiler can read.
#[derive(Debug)]
pub struct Undecodable {
    pub diagnostic: Diagnostic,
    /// The bytes as text with the same byte offsets (each bad byte one `?`, each
    /// NUL a space), so the diagnostic can show the place.
    pub display_text: String,
}

/// E0007 for a file of `len` bytes, checked before reading it.
pub fn check_size(file: FileId, len: u64) -> Option<Diagnostic> {
    (len > MAX_FILE_SIZE).then(|| {
        Diagnostic::new(code::E0007, "file too large")
            .with_primary(Span::new(file, TextRange::empty(0.into())), "this file")
            .with_note(format!(
                "the file has {len} bytes; the limit is {MAX_FILE_SIZE} bytes"
            ))
            .with_help("split the fleet into several files")
    })
}

/// The bytes as text, or why they are not.
pub fn decode(file: FileId, bytes: Vec<u8>) -> Result<String, Box<Undecodable>> {
    let refusal = check_size(file, bytes.len() as u64)
        .or_else(|| utf16(file, &bytes))
        .or_else(|| binary(file, &bytes));
    if let Some(diagnostic) = refusal {
        let display_text = same_offsets_text(&bytes);
        return Err(Box::new(Undecodable {
            diagnostic,
            display_text,
        }));
    }
    String::from_utf8(bytes).map_err(|error| {
        let valid_up_to = error.utf8_error().valid_up_to();
        let bad_len = error.utf8_error().error_len().unwrap_or(1);
        let range = TextRange::at(
            TextSize::from(valid_up_to as u32),
            TextSize::from(bad_len as u32),
        );
        let diagnostic = Diagnostic::new(code::E0001, "file is not valid UTF-8")
            .with_primary(
                Span::new(file, range),
                "this byte does not start a UTF-8 character",
            )
            .with_help("save the file as UTF-8");
        Box::new(Undecodable {
            diagnostic,
            display_text: same_offsets_text(error.as_bytes()),
        })
    })
}

fn utf16(file: FileId, bytes: &[u8]) -> Option<Diagnostic> {
    let bom = bytes.get(..2)?;
    (bom == [0xFF, 0xFE] || bom == [0xFE, 0xFF]).then(|| {
        Diagnostic::new(code::E0001, "file is UTF-16, not UTF-8")
            .with_primary(
                Span::new(file, TextRange::at(0.into(), 2.into())),
                "a UTF-16 byte order mark",
            )
            .with_help("save the file as UTF-8")
    })
}

fn binary(file: FileId, bytes: &[u8]) -> Option<Diagnostic> {
    let sniff = &bytes[..bytes.len().min(BINARY_SNIFF_LEN)];
    let nul = sniff.iter().position(|&b| b == 0)?;
    Some(
        Diagnostic::new(code::E0002, "file looks binary")
            .with_primary(Span::new(file, TextRange::at(TextSize::from(nul as u32), 1.into())), "a NUL byte")
            .with_help("`.fleet` files are UTF-8 text; if this is text saved as UTF-16, save it as UTF-8, otherwise remove it or give it another extension"),
    )
}

fn same_offsets_text(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        text.extend(
            chunk
                .valid()
                .chars()
                .map(|c| if c == '\0' { ' ' } else { c }),
        );
        text.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_text_keeps_byte_offsets() {
        let error = decode(FileId(0), b"\xff\xfeab\xe9c\0".to_vec()).unwrap_err();
        assert_eq!(error.display_text, "??ab?c ");
        assert_eq!(error.diagnostic.message, "file is UTF-16, not UTF-8");
    }

    #[test]
    fn invalid_utf8_points_at_the_first_bad_byte() {
        let error = decode(FileId(0), b"env caf\xe9 {}".to_vec()).unwrap_err();
        let label = error.diagnostic.primary.unwrap();
        assert_eq!(label.span.range, TextRange::at(7.into(), 1.into()));
    }
}
