//! The one place diagnostics become terminal text, through ariadne.

use super::{Diagnostic, Label, Severity};
use crate::source::{FileId, SourceMap};
use ariadne::{Config, IndexType, ReportKind};
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, Default)]
pub struct RenderOptions {
    pub color: bool,
}

/// Renders one diagnostic as text, with the source lines it points at. To render
/// many, use a `Renderer`, which reads each file's lines once.
pub fn render(diagnostic: &Diagnostic, sources: &SourceMap, options: RenderOptions) -> String {
    Renderer::new(sources, options).render(diagnostic)
}

/// Renders diagnostics of one compilation, keeping each file's lines between calls:
/// splitting a 10 MB file into lines per diagnostic would make many diagnostics
/// quadratic.
pub struct Renderer<'s> {
    sources: &'s SourceMap,
    options: RenderOptions,
    cache: LineCache<'s>,
}

impl<'s> Renderer<'s> {
    pub fn new(sources: &'s SourceMap, options: RenderOptions) -> Renderer<'s> {
        Renderer {
            sources,
            options,
            cache: LineCache {
                sources,
                files: HashMap::new(),
            },
        }
    }

    pub fn render(&mut self, diagnostic: &Diagnostic) -> String {
        let Some(primary) = &diagnostic.primary else {
            return render_without_source(diagnostic);
        };
        let sources = self.sources;
        let options = self.options;
        let kind = match diagnostic.severity {
            Severity::Error => ReportKind::Error,
            Severity::Warning => ReportKind::Warning,
        };
        let span = |label: &Label| (label.span.file, clamp(label, sources));
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
        let mut out = Vec::new();
        match report.finish().write(&mut self.cache, &mut out) {
            Ok(()) => String::from_utf8_lossy(&out).into_owned(),
            Err(_) => render_without_source(diagnostic),
        }
    }
}

/// ariadne's view of the files: each split into lines on first use.
struct LineCache<'s> {
    sources: &'s SourceMap,
    files: HashMap<FileId, ariadne::Source<Arc<str>>>,
}

impl ariadne::Cache<FileId> for LineCache<'_> {
    type Storage = Arc<str>;

    fn fetch(&mut self, id: &FileId) -> Result<&ariadne::Source<Arc<str>>, impl std::fmt::Debug> {
        let sources = self.sources;
        Ok::<_, ()>(
            self.files
                .entry(*id)
                .or_insert_with(|| ariadne::Source::from(printable(&sources.get(*id).text))),
        )
    }

    fn display<'a>(&self, id: &'a FileId) -> Option<impl std::fmt::Display + 'a> {
        Some(self.sources.get(*id).path.clone())
    }
}

fn label(
    span: (FileId, std::ops::Range<usize>),
    message: &str,
    options: RenderOptions,
    primary: bool,
) -> ariadne::Label<(FileId, std::ops::Range<usize>)> {
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

/// The text as shown in a terminal: control characters other than tab and line
/// breaks become `?`, one byte for one byte, so a file cannot send escape
/// sequences to the user's terminal through a diagnostic.
fn printable(text: &Arc<str>) -> Arc<str> {
    let is_control = |c: char| c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r');
    if !text.chars().any(is_control) {
        return text.clone();
    }
    text.chars()
        .map(|c| if is_control(c) { '?' } else { c })
        .collect::<String>()
        .into()
}

/// Same shape as ariadne's header, for diagnostics about no place in a file.
fn render_without_source(diagnostic: &Diagnostic) -> String {
    let severity = match diagnostic.severity {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
    };
    let mut out = format!("[{}] {severity}: {}\n", diagnostic.code, diagnostic.message);
    for note in &diagnostic.notes {
        let _ = writeln!(out, "    Note: {note}");
    }
    if let Some(help) = &diagnostic.help {
        let _ = writeln!(out, "    Help: {help}");
    }
    out
}
