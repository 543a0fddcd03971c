//! `fleet fmt` fixtures and properties.
//!
//! Every `tests/format/*.fleet` is written in a deliberately non-canonical layout;
//! its formatted text is snapshotted beside it (`name.snap`). Review them with
//! `cargo insta review` or by reading the `.snap.new` files.
//!
//! For those fixtures and for every other `.fleet` text of the repository that
//! parses cleanly (the parser fixtures, the examples, the standard library, the
//! ```fleet blocks of the docs), formatting must:
//! - give text that parses without a diagnostic;
//! - be idempotent: formatting the result changes nothing;
//! - change only the layout: the same significant tokens (kind and text) in the
//!   same order, except commas, and the same comments in the same order, each
//!   still alone on its line or still at the end of a line of code;
//! - depend only on the tokens, the comments and the line breaks: the same text
//!   with its spaces and indentation changed, or with CRLF line endings, formats
//!   to the same result.
//!
//! The first three properties are also checked on variants of those texts with
//! a comment or a line break put between two tokens, at every place where the
//! variant still parses to the same tokens. The texts are found by walking
//! `tests/syntax/ok`, `tests/format`, `examples`, `stdlib` and `docs`, so new
//! files are covered without a change here.

mod fixture;

use fixture::{parse_fixture, rendered_diagnostics, snapshot_beside};
use fleet_compiler::format::format;
use fleet_compiler::source::FileId;
use fleet_compiler::syntax::{self, Parse, SyntaxKind};
use std::path::{Path, PathBuf};

#[test]
fn fixtures_format_to_their_snapshots() {
    insta::glob!("format/*.fleet", |path| {
        let (text, parse) = parse_fixture(path);
        assert!(
            !parse.has_errors(),
            "{} should parse without diagnostics:\n{}",
            path.display(),
            rendered_diagnostics(path, &text, parse.errors())
        );
        let formatted = check_formatting(&path.display().to_string(), &text);
        assert_ne!(
            formatted,
            text,
            "{} is already canonical; a format fixture shows a change",
            path.display()
        );
        snapshot_beside(path, formatted);
    });
}

#[test]
fn every_fleet_text_in_the_repository_formats_stably() {
    let mut checked = 0;
    for (name, text) in repository_fleet_texts() {
        if syntax::parse(text.as_str(), FileId(0)).has_errors() {
            continue;
        }
        check_formatting(&name, &text);
        for (variant, respaced) in respaced_variants(&text) {
            let label = format!("{name} ({variant})");
            let parse = syntax::parse(respaced.as_str(), FileId(0));
            assert!(
                !parse.has_errors(),
                "{label} should still parse:\n{respaced}"
            );
            assert_texts_equal(
                &label,
                &format(&parse).unwrap(),
                &format(&syntax::parse(text.as_str(), FileId(0))).unwrap(),
                "formatting depends on more than tokens, comments and line breaks",
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 20,
        "only {checked} clean .fleet texts were found"
    );
}

/// Comments and line breaks put between every two tokens of the repository's
/// texts (an even sample of the places in a large text), one place at a time: wherever the text still parses cleanly to the
/// same tokens (a line break is not allowed everywhere), the properties hold.
#[test]
fn a_comment_or_a_line_break_between_any_two_tokens() {
    let texts = repository_fleet_texts();
    let threads = std::thread::available_parallelism().map_or(1, |count| count.get());
    let checked: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|worker| {
                let texts = &texts;
                scope.spawn(move || {
                    texts
                        .iter()
                        .skip(worker)
                        .step_by(threads)
                        .map(|(name, text)| check_insertions(name, text))
                        .sum::<usize>()
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .sum()
    });
    assert!(checked >= 1000, "only {checked} variants were checked");
}

/// Checks every variant of `text` with one insertion; returns how many parsed.
fn check_insertions(name: &str, text: &str) -> usize {
    const INSERTS: [&str; 4] = [" // inserted\n", "\n// inserted\n", "\n", "\n\n"];
    let parse = syntax::parse(text, FileId(0));
    if parse.has_errors() {
        return 0;
    }
    let tokens = significant_tokens(&parse);
    let boundaries: Vec<usize> = parse
        .tree()
        .tokens()
        .filter(|token| !token.kind().is_trivia())
        .map(|token| usize::from(token.range().end()))
        .collect();
    // Every boundary of a small text; an even sample of a large one (each
    // variant re-parses and re-formats the whole text, so all of them would cost
    // the square of its size).
    const MOST_BOUNDARIES: usize = 80;
    let stride = boundaries.len().div_ceil(MOST_BOUNDARIES).max(1);
    let mut checked = 0;
    for offset in boundaries.into_iter().step_by(stride) {
        for insert in INSERTS {
            let variant = format!("{}{insert}{}", &text[..offset], &text[offset..]);
            let parse = syntax::parse(variant.as_str(), FileId(0));
            if parse.has_errors() || significant_tokens(&parse) != tokens {
                continue;
            }
            check_formatting(&format!("{name} with {insert:?} at {offset}"), &variant);
            checked += 1;
        }
    }
    checked
}

#[test]
fn files_with_syntax_errors_are_refused() {
    insta::glob!("syntax/err/*.fleet", |path| {
        let (_, parse) = parse_fixture(path);
        assert!(
            format(&parse).is_none(),
            "{} has syntax errors",
            path.display()
        );
    });
}

#[test]
fn small_inputs_and_their_layout() {
    let cases: &[(&str, &str)] = &[
        ("", ""),
        ("\n\n  \n", ""),
        ("env   dev   {   }", "env dev {}\n"),
        ("\u{feff}// c\n\n\nenv a {}\n", "// c\n\nenv a {}\n"),
        (
            "  // indented first comment\nenv a {}\n",
            "// indented first comment\nenv a {}\n",
        ),
        ("for t in [] { // c\n}\n", "for t in [] { // c\n}\n"),
        ("for t in [] {\n}\n", "for t in [] {}\n"),
        (
            "let x = f(\n  \"u\", role = \"r\")\n",
            "let x = f(\n  \"u\",\n  role = \"r\",\n)\n",
        ),
        ("let x = a\n// c\n+ b\n", "let x = a\n  // c\n  + b\n"),
        ("let x = a +\n\n\n b\n", "let x = a +\n  b\n"),
        ("let x =\n{ a = 1 }\n", "let x = { a = 1 }\n"),
        ("app a {}\r\n// c\r\n", "app a {}\n// c\n"),
        // Strings are kept byte for byte, line endings included.
        (
            "let s =   \"\"\"\r\n  a\r\n  \"\"\"\r\n",
            "let s = \"\"\"\r\n  a\r\n  \"\"\"\n",
        ),
        // A comment at the end of a line does not count for the width.
        (
            &*format!("let x = [a, b]   // {}\n", "c".repeat(100)),
            &*format!("let x = [a, b] // {}\n", "c".repeat(100)),
        ),
    ];
    for (input, expected) in cases {
        let formatted = check_formatting(&format!("{input:?}"), input);
        assert_texts_equal(
            &format!("{input:?}"),
            &formatted,
            expected,
            "unexpected layout",
        );
    }
}

/// Formats `text` (which parses cleanly) and checks the properties of the module
/// docs; returns the formatted text.
fn check_formatting(name: &str, text: &str) -> String {
    let parse = syntax::parse(text, FileId(0));
    let formatted = format(&parse).unwrap_or_else(|| panic!("{name} was refused"));
    let reparsed = syntax::parse(formatted.as_str(), FileId(0));
    assert!(
        !reparsed.has_errors(),
        "the formatted {name} does not parse:\n{}\n{formatted}",
        rendered_diagnostics(Path::new(name), &formatted, reparsed.errors())
    );
    assert_eq!(
        significant_tokens(&parse),
        significant_tokens(&reparsed),
        "formatting {name} changed its tokens; input:\n{text}\nformatted:\n{formatted}"
    );
    assert_eq!(
        comments(&parse),
        comments(&reparsed),
        "formatting {name} changed its comments; input:\n{text}\nformatted:\n{formatted}"
    );
    let again = format(&reparsed).unwrap();
    assert_texts_equal(name, &again, &formatted, "formatting is not idempotent");
    formatted
}

fn assert_texts_equal(name: &str, actual: &str, expected: &str, what: &str) {
    if actual != expected {
        let diff = similar::TextDiff::from_lines(expected, actual);
        panic!(
            "{what}: {name}\n{}",
            diff.unified_diff().header("expected", "actual")
        );
    }
}

/// The significant tokens but commas, with their kinds and texts.
fn significant_tokens(parse: &Parse) -> Vec<(SyntaxKind, String)> {
    parse
        .tree()
        .tokens()
        .filter(|token| !token.kind().is_trivia() && token.kind() != SyntaxKind::COMMA)
        .map(|token| (token.kind(), token.text().to_string()))
        .collect()
}

/// The comments, trimmed at the end, each with whether it is alone on its line
/// (rather than at the end of a line of code; a line holding only a comma
/// counts as empty, since commas move).
fn comments(parse: &Parse) -> Vec<(String, bool)> {
    let text = parse.tree().text();
    parse
        .tree()
        .tokens()
        .filter(|token| token.kind().is_comment())
        .map(|token| {
            let start = usize::from(token.range().start());
            let line_start = text[..start].rfind('\n').map_or(0, |newline| newline + 1);
            // Commas move; a comment after a comma that starts a line is alone.
            let alone = text[line_start..start]
                .chars()
                .all(|c| c.is_whitespace() || c == ',' || c == '\u{feff}');
            (token.text().trim_end().to_string(), alone)
        })
        .collect()
}

/// The same text with other white space between tokens (outside strings, which
/// are kept byte for byte): the line breaks kept (as `\n` or `\r\n`), the spaces
/// and indentation changed.
fn respaced_variants(text: &str) -> Vec<(&'static str, String)> {
    let parse = syntax::parse(text, FileId(0));
    let rebuild = |respace: &dyn Fn(usize, &str) -> String| -> String {
        parse
            .tree()
            .tokens()
            .enumerate()
            .map(|(index, token)| {
                let in_string = token
                    .parent()
                    .ancestors()
                    .any(|node| node.kind() == SyntaxKind::STRING);
                if token.kind() == SyntaxKind::WHITESPACE && !in_string {
                    respace(index, token.text())
                } else {
                    token.text().to_string()
                }
            })
            .collect()
    };
    let widened = rebuild(&|index, white| {
        let newlines = white.matches('\n').count();
        let spaces = " ".repeat(1 + index % 4);
        let indented = !white.ends_with('\n');
        if newlines == 0 {
            spaces
        } else if indented {
            format!("{}{}", "\n".repeat(newlines), "\t".repeat(1 + index % 3))
        } else {
            // Column 0 means something to the parser's recovery; keep it.
            "\n".repeat(newlines)
        }
    });
    let crlf = rebuild(&|_, white| white.replace("\r\n", "\n").replace('\n', "\r\n"));
    vec![("respaced", widened), ("CRLF", crlf)]
}

/// Every `.fleet` file under the folders that hold valid fleet text, and every
/// ```fleet block of the Markdown files under `docs/`, with a name for messages.
fn repository_fleet_texts() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut texts = Vec::new();
    for folder in [
        "tests/syntax/ok",
        "tests/format",
        "examples",
        "stdlib",
        "docs",
    ] {
        let mut files = Vec::new();
        walk(&root.join(folder), &mut files);
        files.sort();
        for file in files {
            let name = file.strip_prefix(&root).unwrap().display().to_string();
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            match file.extension().and_then(|extension| extension.to_str()) {
                Some("fleet") => texts.push((name, text)),
                Some("md") => {
                    for (line, block) in fleet_blocks(&text) {
                        texts.push((format!("{name}:{line}"), block));
                    }
                }
                _ => {}
            }
        }
    }
    texts
}

fn walk(folder: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, files);
        } else {
            files.push(path);
        }
    }
}

/// The ```fleet blocks of a Markdown page, with the line of their opening fence.
fn fleet_blocks(page: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (index, line) in page.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut current, fence) {
            (Some(_), Some(_)) => blocks.extend(current.take()),
            (Some((_, block)), None) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, Some(info)) if info.trim() == "fleet" => {
                current = Some((index + 1, String::new()));
            }
            (None, _) => {}
        }
    }
    blocks
}
