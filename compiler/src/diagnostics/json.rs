//! The stable JSON form of a diagnostic (`--message-format json`), one object per
//! line. The schema is documented in docs/cli.md; fields are only ever added.

use super::{Diagnostic, Label};
use crate::source::SourceMap;
use serde::Serialize;

/// Bumped only if a field changes meaning or disappears.
pub const JSON_SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    schema: u32,
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    /// The primary location, repeated at the top for tools that read one place.
    file: Option<&'a str>,
    range: Option<JsonRange>,
    labels: Vec<JsonLabel<'a>>,
    notes: &'a [String],
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    range: JsonRange,
    message: &'a str,
    primary: bool,
}

#[derive(Serialize)]
struct JsonRange {
    start: JsonPosition,
    end: JsonPosition,
}

#[derive(Serialize)]
struct JsonPosition {
    /// Byte offset from the start of the file.
    offset: u32,
    /// 1-based line.
    line: u32,
    /// 1-based column, in characters (Unicode scalar values).
    column: u32,
}

pub fn to_json(diagnostic: &Diagnostic, sources: &SourceMap) -> String {
    let mut labels = Vec::new();
    if let Some(primary) = &diagnostic.primary {
        labels.push(json_label(primary, sources, true));
    }
    for secondary in &diagnostic.secondary {
        labels.push(json_label(secondary, sources, false));
    }
    let value = JsonDiagnostic {
        schema: JSON_SCHEMA_VERSION,
        code: diagnostic.code.id,
        severity: diagnostic.severity.as_str(),
        message: &diagnostic.message,
        file: diagnostic
            .primary
            .as_ref()
            .map(|label| sources.get(label.span.file).path.as_str()),
        range: diagnostic
            .primary
            .as_ref()
            .map(|label| range(label, sources)),
        labels,
        notes: &diagnostic.notes,
        help: diagnostic.help.as_deref(),
    };
    serde_json::to_string(&value).expect("diagnostics serialize")
}

fn json_label<'a>(label: &'a Label, sources: &'a SourceMap, primary: bool) -> JsonLabel<'a> {
    JsonLabel {
        file: &sources.get(label.span.file).path,
        range: range(label, sources),
        message: &label.message,
        primary,
    }
}

fn range(label: &Label, sources: &SourceMap) -> JsonRange {
    JsonRange {
        start: position(label, sources, label.span.range.start()),
        end: position(label, sources, label.span.range.end()),
    }
}

fn position(label: &Label, sources: &SourceMap, offset: text_size::TextSize) -> JsonPosition {
    let file = sources.get(label.span.file);
    let line_col = file.line_index().line_col(offset);
    let line_start = usize::from(offset).min(file.text.len()) - line_col.col as usize;
    let line_prefix = file
        .text
        .get(line_start..line_start + line_col.col as usize)
        .unwrap_or("");
    JsonPosition {
        offset: u32::from(offset).min(file.text.len() as u32),
        line: line_col.line + 1,
        column: line_prefix.chars().count() as u32 + 1,
    }
}
