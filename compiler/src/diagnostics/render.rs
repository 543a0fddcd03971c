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
        let options = self.options;
        let kind = match diagnostic.severity {
            Severity::Error => ReportKind::Error,
            Severity::Warning => ReportKind::Warning,
        };
        let labels = self.placed_labels(primary, &diagnostic.secondary);
        // Char offsets, not bytes: ariadne 0.6 reads the header location of a
        // file without the primary label (its first label's start) as a byte
        // offset even though it keeps it in characters, so a header after a
        // non-ASCII character would name the wrong line and column.
        let config = Config::default()
            .with_color(options.color)
            .with_index_type(IndexType::Char)
            .with_compact(false);
        let primary_span = labels
            .iter()
            .find(|placed| placed.primary)
            .map(|placed| placed.span.clone())
            .expect("the primary label is placed");
        let mut report = ariadne::Report::build(kind, primary_span)
            .with_config(config)
            .with_code(diagnostic.code.id)
            .with_message(&diagnostic.message);
        for placed in labels {
            report = report.with_label(label(placed.span, placed.message, options, placed.primary));
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

    /// The labels in the order ariadne must get them: the primary label's file
    /// first, then the other files as the labels first name them; in a file, by
    /// the line each label ends on.
    ///
    /// ariadne 0.6 starts a new section, with its own `╭─[ file:line:col ]`
    /// header, whenever the next label ends on an earlier line than the last
    /// one, and the header of every section of the primary label's file shows
    /// the primary location: a secondary label above the primary one came out
    /// as a second section whose header named the primary's line over a
    /// snippet of another line. In this order each file is one section, and
    /// its header names the primary location (in the primary's file) or the
    /// first label shown.
    fn placed_labels<'d>(&mut self, primary: &'d Label, secondary: &'d [Label]) -> Vec<Placed<'d>> {
        let mut files: Vec<FileId> = Vec::new();
        let mut placed = Vec::with_capacity(1 + secondary.len());
        let all = std::iter::once((primary, true)).chain(secondary.iter().map(|l| (l, false)));
        for (label, is_primary) in all {
            let file = label.span.file;
            let rank = match files.iter().position(|known| *known == file) {
                Some(rank) => rank,
                None => {
                    files.push(file);
                    files.len() - 1
                }
            };
            let bytes = clamp(label, self.sources);
            let source = self.cache.source(file);
            let start = char_offset(source, bytes.start);
            let end = char_offset(source, bytes.end);
            let last = if end > start { end - 1 } else { start };
            let last_line = source.get_offset_line(last).map_or(0, |(_, line, _)| line);
            placed.push(Placed {
                span: (file, start..end),
                message: &label.message,
                primary: is_primary,
                key: (rank, last_line),
            });
        }
        // Stable: on one line, the primary label stays first.
        placed.sort_by_key(|placed| placed.key);
        placed
    }
}

/// A label as ariadne gets it: a span in characters, and where it sorts.
struct Placed<'d> {
    span: (FileId, std::ops::Range<usize>),
    message: &'d str,
    primary: bool,
    /// The file's rank (the primary label's file first), then the line the label
    /// ends on, as ariadne counts lines.
    key: (usize, usize),
}

/// The character offset of a byte offset on a character boundary.
fn char_offset(source: &ariadne::Source<Arc<str>>, byte: usize) -> usize {
    match source.get_byte_line(byte) {
        Some((line, _, col)) => {
            let text = source.get_line_text(line).unwrap_or("");
            line.offset() + text[..col.min(text.len())].chars().count()
        }
        None => source.len(),
    }
}

/// ariadne's view of the files: each split into lines on first use.
struct LineCache<'s> {
    sources: &'s SourceMap,
    files: HashMap<FileId, ariadne::Source<Arc<str>>>,
}

impl LineCache<'_> {
    fn source(&mut self, id: FileId) -> &ariadne::Source<Arc<str>> {
        let sources = self.sources;
        self.files
            .entry(id)
            .or_insert_with(|| ariadne::Source::from(printable(&sources.get(id).text)))
    }
}

impl ariadne::Cache<FileId> for LineCache<'_> {
    type Storage = Arc<str>;

    fn fetch(&mut self, id: &FileId) -> Result<&ariadne::Source<Arc<str>>, impl std::fmt::Debug> {
        Ok::<_, ()>(self.source(*id))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Span, code};
    use text_size::{TextRange, TextSize};

    fn span(file: FileId, text: &str, needle: &str) -> Span {
        let start = text.find(needle).expect("the needle is in the text");
        Span::new(
            file,
            TextRange::at(TextSize::from(start as u32), TextSize::of(needle)),
        )
    }

    fn plain(diagnostic: &Diagnostic, sources: &SourceMap) -> String {
        render(diagnostic, sources, RenderOptions { color: false })
    }

    /// The `╭─[ path:line:col ]` and `├─[ … ]` headers, in order.
    fn headers(text: &str) -> Vec<String> {
        text.lines()
            .filter_map(|line| {
                let start = line.find("─[ ")? + "─[ ".len();
                let end = line.rfind(" ]")?;
                Some(line[start..end].to_string())
            })
            .collect()
    }

    /// The numbers of the source lines shown, in order.
    fn shown_lines(text: &str) -> Vec<u32> {
        text.lines()
            .filter_map(|line| line.split_once(" │ ")?.0.trim().parse().ok())
            .collect()
    }

    #[test]
    fn a_secondary_label_above_the_primary_shares_its_header() {
        let mut sources = SourceMap::new();
        let text = "first\nsecond\nthird\n";
        let file = sources.add("a.fleet", text);
        let diagnostic = Diagnostic::new(code::E0308, "set twice")
            .with_primary(span(file, text, "third"), "set again here")
            .with_secondary(span(file, text, "first"), "first set here");
        let out = plain(&diagnostic, &sources);
        assert_eq!(headers(&out), ["a.fleet:3:1"], "{out}");
        assert_eq!(shown_lines(&out), [1, 3], "{out}");
        assert!(out.contains("first set here") && out.contains("set again here"));
    }

    #[test]
    fn each_file_is_one_section_in_the_order_labels_name_them() {
        let mut sources = SourceMap::new();
        let a = "one\ntwo\nthree\nfour\n";
        let b = "alpha\nbeta\n";
        let fa = sources.add("a.fleet", a);
        let fb = sources.add("b.fleet", b);
        let diagnostic = Diagnostic::new(code::E0308, "x")
            .with_primary(span(fa, a, "three"), "primary")
            .with_secondary(span(fb, b, "beta"), "in b")
            .with_secondary(span(fa, a, "four"), "after")
            .with_secondary(span(fa, a, "one"), "before")
            .with_secondary(span(fb, b, "alpha"), "also in b");
        let out = plain(&diagnostic, &sources);
        assert_eq!(headers(&out), ["a.fleet:3:1", "b.fleet:1:1"], "{out}");
        assert_eq!(shown_lines(&out), [1, 3, 4, 1, 2], "{out}");
    }

    #[test]
    fn a_multi_line_label_around_the_primary_shares_its_header() {
        let mut sources = SourceMap::new();
        let text = "block {\n  inner\n}\n";
        let file = sources.add("a.fleet", text);
        let diagnostic = Diagnostic::new(code::E0308, "x")
            .with_primary(span(file, text, "inner"), "primary")
            .with_secondary(span(file, text, text.trim_end()), "this block");
        let out = plain(&diagnostic, &sources);
        assert_eq!(headers(&out), ["a.fleet:2:3"], "{out}");
    }

    #[test]
    fn headers_count_characters_not_bytes() {
        let mut sources = SourceMap::new();
        let a = "// é é é\nname = \"ü\" x\n";
        let b = "// ü ü ü ü ü ü\nthird\nfourth\n";
        let fa = sources.add("a.fleet", a);
        let fb = sources.add("b.fleet", b);
        let diagnostic = Diagnostic::new(code::E0308, "x")
            .with_primary(span(fa, a, "x"), "primary")
            .with_secondary(span(fb, b, "fourth"), "in b");
        let out = plain(&diagnostic, &sources);
        assert_eq!(headers(&out), ["a.fleet:2:12", "b.fleet:3:1"], "{out}");
        assert_eq!(shown_lines(&out), [2, 3], "{out}");
    }
}
