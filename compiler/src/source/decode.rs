//! Turns a file's bytes into text, or into the diagnostic that says why it cannot
//! be read as a `.fleet` file (not UTF-8, binary, too large).

use crate::diagnostics::{Diagnostic, Span, code};
use crate::source::FileId;
use text_size::{TextRange, TextSize};

/// Offsets are `u32`; larger files are refused before anything else reads them.
pub const MAX_FILE_SIZE: usize = u32::MAX as usize;

/// How far to look for a NUL byte, as Git does to tell binary files.
const BINARY_SNIFF_LEN: usize = 8000;

/// The bytes as text, or the diagnostic that says why not, with the bytes given
/// back (to show the place lossily).
pub fn decode(file: FileId, bytes: Vec<u8>) -> Result<String, (Diagnostic, Vec<u8>)> {
    match refuse(file, &bytes) {
        Some(diagnostic) => Err((diagnostic, bytes)),
        None => String::from_utf8(bytes).map_err(|error| {
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
            (diagnostic, error.into_bytes())
        }),
    }
}

fn refuse(file: FileId, bytes: &[u8]) -> Option<Diagnostic> {
    if bytes.len() > MAX_FILE_SIZE {
        return Some(
            Diagnostic::new(code::E0007, "file too large")
                .with_primary(Span::new(file, TextRange::empty(0.into())), "this file")
                .with_note(format!(
                    "the file has {} bytes; the limit is {} bytes",
                    bytes.len(),
                    MAX_FILE_SIZE
                )),
        );
    }
    let sniff = &bytes[..bytes.len().min(BINARY_SNIFF_LEN)];
    if let Some(nul) = sniff.iter().position(|&b| b == 0) {
        let at = TextSize::from(nul as u32);
        return Some(
            Diagnostic::new(code::E0002, "file looks binary")
                .with_primary(Span::new(file, TextRange::at(at, 1.into())), "a NUL byte")
                .with_help(
                    "`.fleet` files are text; remove this file or give it another extension",
                ),
        );
    }
    None
}
