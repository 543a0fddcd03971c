//! The one place diagnostics become terminal text, through ariadne.

use super::{Diagnostic, Label, Severity};
use crate::source::SourceMap;
use ariadne::{Config, IndexType, ReportKind};
use std::fmt::Write;

#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    pub color: bool,
}

/// Renders one diagnostic as text, with the source lines it points at.
pub fn render(diagnostic: &Diagnostic, sources: &SourceMap, options: RenderOptions) -> String {
    let Some(primary) = &diagnostic.primary else {
        return render_without_source(diagnostic);
    };
    let kind = match diagnostic.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let span = |label: &Label| {
        (
            sources.get(label.span.file).path.clone(),
            clamp(label, sources),
        )
    };
    let config = Config::default()
        .with_color(options.color)
        .with_index_type(IndexType::Byte)
        .with_compact(false);
    let mut report = ariadne::Report::build(kind, span(primary))
        .with_config(config)
        .with_code(diagnostic.code.id)
        .with_message(&diagnostic.message)
        .with_label(label(span(primary), &primary.message, options, true));
    for secondary in &diagnostic.secondary {
        report = report.with_label(label(span(secondary), &secondary.message, options, false));
    }
    for note in &diagnostic.notes {
        report = report.with_note(note);
    }
    if let Some(help) = &diagnostic.help {
        report = report.with_help(help);
    }
    let mut files: Vec<(String, String)> = Vec::new();
    for label in std::iter::once(primary).chain(&diagnostic.secondary) {
        let file = sources.get(label.span.file);
        if !files.iter().any(|(path, _)| path == &file.path) {
            files.push((file.path.clone(), file.text.to_string()));
        }
    }
    let mut out = Vec::new();
    match report.finish().write(ariadne::sources(files), &mut out) {
        Ok(()) => String::from_utf8_lossy(&out).into_owned(),
        Err(_) => render_without_source(diagnostic),
    }
}

fn label(
    span: (String, std::ops::Range<usize>),
    message: &str,
    options: RenderOptions,
    primary: bool,
) -> ariadne::Label<(String, std::ops::Range<usize>)> {
    let label = ariadne::Label::new(span)
        .with_message(message)
        .with_priority(if primary { 1 } else { 0 });
    if options.color {
        label.with_color(if primary {
            ariadne::Color::Red
        } else {
            ariadne::Color::Blue
        })
    } else {
        label
    }
}

/// A byte range ariadne can show: inside the text and on character boundaries.
fn clamp(label: &Label, sources: &SourceMap) -> std::ops::Range<usize> {
    let text = &sources.get(label.span.file).text;
    let mut start = usize::from(label.span.range.start()).min(text.len());
    let mut end = usize::from(label.span.range.end())
        .min(text.len())
        .max(start);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

fn render_without_source(diagnostic: &Diagnostic) -> String {
    let mut out = format!(
        "{}[{}]: {}\n",
        diagnostic.severity.as_str(),
        diagnostic.code,
        diagnostic.message
    );
    for note in &diagnostic.notes {
        let _ = writeln!(out, "  = note: {note}");
    }
    if let Some(help) = &diagnostic.help {
        let _ = writeln!(out, "  = help: {help}");
    }
    out
}
