//! Between the compiler's data and the protocol's: byte offsets and UTF-16
//! positions, paths and `file://` URIs, and diagnostics (converted here and nowhere
//! else, as the CLI renders them in one place).

use fleet_compiler::diagnostics::{Diagnostic, Severity};
use fleet_compiler::source::LineIndex;
use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Range, Uri,
};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use text_size::{TextRange, TextSize};

/// Where each diagnostic code's page is, for the editor's link on the code.
const DIAGNOSTIC_PAGES: &str = "https://github.com/fleet-lang/fleet/blob/main/docs/diagnostics";

pub fn offset(index: &LineIndex, position: Position) -> TextSize {
    index.offset_utf16(position.line, position.character)
}

pub fn position(index: &LineIndex, offset: TextSize) -> Position {
    let line_col = index.line_col(offset);
    Position::new(line_col.line, line_col.col_utf16)
}

pub fn range(index: &LineIndex, range: TextRange) -> Range {
    Range::new(position(index, range.start()), position(index, range.end()))
}

/// The text range of a protocol range; an end before the start is taken as the
/// start (a client bug must not become a panic).
pub fn text_range(index: &LineIndex, range: Range) -> TextRange {
    let start = offset(index, range.start);
    let end = offset(index, range.end).max(start);
    TextRange::new(start, end)
}

/// A `file://` URI for an absolute path, with the characters a URI cannot hold
/// percent-encoded.
pub fn path_to_uri(path: &Path) -> Uri {
    let mut text = String::from("file://");
    let path = path.to_string_lossy();
    if !path.starts_with('/') {
        // A Windows path (`C:\...`).
        text.push('/');
    }
    for byte in path.replace('\\', "/").bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' => {
                text.push(byte as char)
            }
            other => text.push_str(&format!("%{other:02X}")),
        }
    }
    Uri::from_str(&text).expect("percent-encoded file paths are valid URIs")
}

/// The path of a `file://` URI; `None` for other schemes (an editor's unsaved
/// `untitled:` buffer).
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    if !uri
        .scheme()
        .is_some_and(|scheme| scheme.as_str().eq_ignore_ascii_case("file"))
    {
        return None;
    }
    let encoded = uri.path().as_str();
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut input = encoded.bytes();
    while let Some(byte) = input.next() {
        if byte == b'%' {
            let high = input.next()?;
            let low = input.next()?;
            let hex = [high, low];
            let value = u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?;
            bytes.push(value);
        } else {
            bytes.push(byte);
        }
    }
    let text = String::from_utf8(bytes).ok()?;
    // `/C:/x` on Windows is `C:/x`.
    let text = match text.as_bytes() {
        [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() => text[1..].to_string(),
        _ => text,
    };
    Some(PathBuf::from(text))
}

/// A compiler diagnostic for the editor: the primary label's range in `index`'s
/// file, the other labels as related information (`located` finds their files),
/// the label, notes and help under the message, and a link to the code's page.
pub fn diagnostic(
    diagnostic: &Diagnostic,
    index: &LineIndex,
    located: &dyn Fn(&fleet_compiler::diagnostics::Span) -> Option<Location>,
) -> lsp_types::Diagnostic {
    let range = diagnostic
        .primary
        .as_ref()
        .map(|label| range(index, label.span.range))
        .unwrap_or_default();
    let mut message = diagnostic.message.clone();
    if let Some(label) = &diagnostic.primary
        && !label.message.is_empty()
    {
        message.push_str(&format!("\n{}", label.message));
    }
    for note in &diagnostic.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    if let Some(help) = &diagnostic.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .secondary
        .iter()
        .filter_map(|label| {
            Some(DiagnosticRelatedInformation {
                location: located(&label.span)?,
                message: label.message.clone(),
            })
        })
        .collect();
    let page = format!("{DIAGNOSTIC_PAGES}/{}.md", diagnostic.code.id);
    lsp_types::Diagnostic {
        range,
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.id.to_string())),
        code_description: Uri::from_str(&page)
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("fleet".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_spaces_and_non_ascii_round_trip_through_uris() {
        let path = PathBuf::from("/tmp/my fleet/漢字 #1.fleet");
        let uri = path_to_uri(&path);
        assert_eq!(
            uri.as_str(),
            "file:///tmp/my%20fleet/%E6%BC%A2%E5%AD%97%20%231.fleet"
        );
        assert_eq!(uri_to_path(&uri), Some(path));
    }

    #[test]
    fn other_schemes_have_no_path() {
        let uri = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(uri_to_path(&uri), None);
    }

    #[test]
    fn a_reversed_range_is_empty_not_a_panic() {
        let index = LineIndex::new("ab\ncd\n");
        let range = Range::new(Position::new(1, 1), Position::new(0, 0));
        assert_eq!(text_range(&index, range), TextRange::empty(4.into()));
    }
}
