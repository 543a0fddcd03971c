//! A layout document and its printer, after Wadler's "prettier printer": text,
//! line breaks that are spaces when their group fits on the line, groups, indents.
//!
//! A group that contains a hard line break (a line comment, a blank line, a
//! multi-line string) can never be flat; that is decided when the group is built,
//! so printing stays linear.

pub const WIDTH: usize = 100;
const INDENT: usize = 2;

#[derive(Debug, Clone)]
pub enum Doc {
    Text(String),
    /// Text that ends its line, a comment: printed like `Text`, but not counted
    /// when deciding whether a group fits, so a long comment does not break the
    /// code before it.
    LineEnd(String),
    /// A space when flat, a line break when broken.
    Line,
    /// Nothing when flat, a line break when broken.
    SoftLine,
    /// Always a line break.
    HardLine,
    Indent(Box<Doc>),
    Group {
        contents: Box<Doc>,
        broken: bool,
    },
    /// The first when the enclosing group is broken, the second when flat.
    IfBreak(Box<Doc>, Box<Doc>),
    Concat(Vec<Doc>),
}

impl Doc {
    pub fn text(text: impl Into<String>) -> Doc {
        Doc::Text(text.into())
    }

    pub fn line_end(text: impl Into<String>) -> Doc {
        Doc::LineEnd(text.into())
    }

    pub fn nil() -> Doc {
        Doc::Concat(Vec::new())
    }

    pub fn indent(doc: Doc) -> Doc {
        Doc::Indent(Box::new(doc))
    }

    pub fn if_break(broken: Doc, flat: Doc) -> Doc {
        Doc::IfBreak(Box::new(broken), Box::new(flat))
    }

    /// A group, broken if `force` or if anything inside must break.
    pub fn group(contents: Doc, force: bool) -> Doc {
        let broken = force || contents.must_break();
        Doc::Group {
            contents: Box::new(contents),
            broken,
        }
    }

    /// Whether this cannot be printed flat. Stops at nested groups, which carry
    /// their own answer, so building a document stays linear.
    fn must_break(&self) -> bool {
        match self {
            Doc::HardLine => true,
            Doc::Text(text) | Doc::LineEnd(text) => text.contains('\n'),
            Doc::Line | Doc::SoftLine => false,
            Doc::Indent(inner) => inner.must_break(),
            Doc::Group { broken, .. } => *broken,
            Doc::IfBreak(broken, flat) => broken.must_break() && flat.must_break(),
            Doc::Concat(parts) => parts.iter().any(Doc::must_break),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

/// Prints a document; lines never end in spaces and the text ends with one newline
/// unless it is empty.
pub fn print(doc: &Doc) -> String {
    let mut out = String::new();
    let mut column = 0usize;
    // Indentation is written lazily, before the next text, so blank lines stay empty.
    let mut pending_indent: Option<usize> = None;
    let mut stack: Vec<(usize, Mode, &Doc)> = vec![(0, Mode::Break, doc)];
    while let Some((indent, mode, doc)) = stack.pop() {
        match doc {
            Doc::Text(text) | Doc::LineEnd(text) => {
                if text.is_empty() {
                    continue;
                }
                if let Some(spaces) = pending_indent.take() {
                    out.extend(std::iter::repeat_n(' ', spaces));
                    column = spaces;
                }
                out.push_str(text);
                column = match text.rfind('\n') {
                    Some(newline) => text[newline + 1..].chars().count(),
                    None => column + text.chars().count(),
                };
            }
            Doc::Line | Doc::SoftLine if mode == Mode::Flat => {
                if matches!(doc, Doc::Line) {
                    out.push(' ');
                    column += 1;
                }
            }
            Doc::Line | Doc::SoftLine | Doc::HardLine => {
                trim_trailing_spaces(&mut out);
                out.push('\n');
                column = 0;
                pending_indent = Some(indent);
            }
            Doc::Indent(inner) => stack.push((indent + INDENT, mode, inner)),
            Doc::Group { contents, broken } => {
                let flat = !broken
                    && (mode == Mode::Flat || fits(WIDTH.saturating_sub(column), contents, &stack));
                stack.push((
                    indent,
                    if flat { Mode::Flat } else { Mode::Break },
                    contents,
                ));
            }
            Doc::IfBreak(broken, flat) => stack.push((
                indent,
                mode,
                if mode == Mode::Break { broken } else { flat },
            )),
            Doc::Concat(parts) => stack.extend(parts.iter().rev().map(|part| (indent, mode, part))),
        }
    }
    trim_trailing_spaces(&mut out);
    let trimmed = out.trim_end_matches('\n').len();
    out.truncate(trimmed);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

fn trim_trailing_spaces(out: &mut String) {
    let trimmed = out.trim_end_matches(' ').len();
    out.truncate(trimmed);
}

/// Whether `contents`, printed flat, and what follows it up to the next line
/// break fit in `width` columns.
fn fits(mut width: usize, contents: &Doc, rest: &[(usize, Mode, &Doc)]) -> bool {
    let mut stack: Vec<(Mode, &Doc)> = vec![(Mode::Flat, contents)];
    let mut rest = rest.iter().rev();
    loop {
        let (mode, doc) = match stack.pop() {
            Some(next) => next,
            None => match rest.next() {
                Some(&(_, mode, doc)) => (mode, doc),
                None => return true,
            },
        };
        match doc {
            Doc::Text(text) => {
                // A multi-line text (a `"""` string after the group) ends the
                // line at its first line break.
                let (line, ends_line) = match text.split_once('\n') {
                    Some((line, _)) => (line, true),
                    None => (text.as_str(), false),
                };
                let length = line.chars().count();
                if length > width {
                    return false;
                }
                if ends_line {
                    return true;
                }
                width -= length;
            }
            Doc::LineEnd(_) => {}
            Doc::Line => {
                if mode == Mode::Break {
                    return true;
                }
                if width == 0 {
                    return false;
                }
                width -= 1;
            }
            Doc::SoftLine => {
                if mode == Mode::Break {
                    return true;
                }
            }
            Doc::HardLine => return mode == Mode::Break,
            Doc::Indent(inner) => stack.push((mode, inner)),
            Doc::Group { contents, broken } => {
                stack.push((if *broken { Mode::Break } else { mode }, contents));
            }
            Doc::IfBreak(broken, flat) => {
                stack.push((mode, if mode == Mode::Break { broken } else { flat }))
            }
            Doc::Concat(parts) => stack.extend(parts.iter().rev().map(|part| (mode, part))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str], force: bool) -> Doc {
        let mut inner = vec![Doc::SoftLine];
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                inner.push(Doc::text(","));
                inner.push(Doc::Line);
            }
            inner.push(Doc::text(*item));
        }
        inner.push(Doc::if_break(Doc::text(","), Doc::nil()));
        Doc::group(
            Doc::Concat(vec![
                Doc::text("["),
                Doc::indent(Doc::Concat(inner)),
                Doc::SoftLine,
                Doc::text("]"),
            ]),
            force,
        )
    }

    #[test]
    fn a_group_that_fits_stays_flat() {
        assert_eq!(print(&list(&["a", "b"], false)), "[a, b]\n");
    }

    #[test]
    fn a_forced_or_long_group_breaks_with_a_trailing_comma() {
        assert_eq!(print(&list(&["a", "b"], true)), "[\n  a,\n  b,\n]\n");
        let long = "x".repeat(60);
        assert_eq!(
            print(&list(&[&long, &long], false)),
            format!("[\n  {long},\n  {long},\n]\n")
        );
    }

    #[test]
    fn only_the_first_line_of_a_multi_line_text_after_a_group_counts() {
        let doc = Doc::Concat(vec![
            list(&["a", "b"], false),
            Doc::text(" + \"\"\"\n  text\n  \"\"\""),
        ]);
        assert_eq!(print(&doc), "[a, b] + \"\"\"\n  text\n  \"\"\"\n");
    }

    #[test]
    fn a_comment_at_the_end_of_the_line_does_not_count() {
        let comment = format!(" // {}", "x".repeat(100));
        let doc = Doc::Concat(vec![list(&["a", "b"], false), Doc::line_end(&*comment)]);
        assert_eq!(print(&doc), format!("[a, b]{comment}\n"));
    }

    #[test]
    fn a_hard_line_inside_breaks_the_group() {
        let doc = Doc::group(
            Doc::Concat(vec![
                Doc::text("a"),
                Doc::Line,
                Doc::text("// c"),
                Doc::HardLine,
            ]),
            false,
        );
        assert_eq!(print(&doc), "a\n// c\n");
    }
}
