//! Every diagnostic code has a page in `docs/diagnostics/`, compiled into the
//! binary and printed by `fleet explain`. These tests keep the pages in step with
//! the codes: the right title, the required sections, an example that really
//! produces its code, and no page without a code.

use fleet_compiler::diagnostics::{ALL_CODES, Code};
use fleet_compiler::source::FileId;
use fleet_compiler::syntax;
use std::path::PathBuf;

/// Codes about a file as a whole (its bytes, its folder, its emptiness), which no
/// `.fleet` text can show: their examples are shell commands.
const FILE_LEVEL: &[&str] = &["E0001", "E0002", "E0007", "E0008", "E0009"];

/// Codes whose example cannot be a few lines of `.fleet` text either: E0118 needs
/// more than a hundred errors, so its example generates a file.
const SHELL_EXAMPLE: &[&str] = &["E0118"];

fn pages_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/diagnostics")
}

/// The lines of a Markdown page, each with whether it is inside a fenced block.
fn lines_with_fences(page: &str) -> Vec<(&str, bool)> {
    let mut in_fence = false;
    page.lines()
        .map(|line| {
            if line.starts_with("```") {
                in_fence = !in_fence;
                (line, true)
            } else {
                (line, in_fence)
            }
        })
        .collect()
}

/// The `## ` headings of a page, outside fenced blocks.
fn headings(page: &str) -> Vec<&str> {
    lines_with_fences(page)
        .into_iter()
        .filter(|(line, fenced)| !fenced && line.starts_with("## "))
        .map(|(line, _)| line)
        .collect()
}

/// The text of a section: the lines after its heading, up to the next `## `.
fn section(page: &str, heading: &str) -> Option<String> {
    let lines = lines_with_fences(page);
    let start = lines
        .iter()
        .position(|(line, fenced)| !fenced && *line == heading)?;
    let body: Vec<&str> = lines[start + 1..]
        .iter()
        .take_while(|(line, fenced)| *fenced || !line.starts_with("## "))
        .map(|(line, _)| *line)
        .collect();
    Some(body.join("\n"))
}

/// The contents of the fenced blocks of `text` tagged with `language`.
fn code_blocks(text: &str, language: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    // Inside a fence: `Some(Some(lines))` in a block of `language`, `Some(None)` in
    // a block of another language.
    let mut open: Option<Option<Vec<&str>>> = None;
    for line in text.lines() {
        let fence = line.starts_with("```");
        match (&mut open, fence) {
            (None, true) => open = Some((line[3..].trim() == language).then(Vec::new)),
            (None, false) | (Some(None), false) => {}
            (Some(Some(lines)), false) => lines.push(line),
            (Some(block), true) => {
                if let Some(lines) = block.take() {
                    blocks.push(lines.join("\n") + "\n");
                }
                open = None;
            }
        }
    }
    blocks
}

fn example_fleet_blocks(code: &Code) -> Vec<String> {
    section(code.page, "## Example")
        .map(|example| code_blocks(&example, "fleet"))
        .unwrap_or_default()
}

/// Fails with every problem found, one per line, rather than stopping at the first.
fn assert_no_problems(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{} problem(s) in docs/diagnostics/:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_page_starts_with_its_code_and_title() {
    let mut problems = Vec::new();
    for code in ALL_CODES {
        let expected = format!("# {}: {}", code.id, code.title);
        let first = code.page.lines().next().unwrap_or("");
        if first != expected {
            problems.push(format!(
                "{}.md: the first line is {first:?}, expected {expected:?}",
                code.id
            ));
        }
    }
    assert_no_problems(problems);
}

#[test]
fn every_page_has_an_example_and_a_fix() {
    let mut problems = Vec::new();
    for code in ALL_CODES {
        let headings = headings(code.page);
        let example = headings.iter().position(|h| *h == "## Example");
        let fix = headings.iter().position(|h| *h == "## How to fix");
        match (example, fix) {
            (Some(example), Some(fix)) if example < fix => {}
            (Some(_), Some(_)) => problems.push(format!(
                "{}.md: `## Example` must come before `## How to fix`",
                code.id
            )),
            _ => problems.push(format!(
                "{}.md: needs the sections `## Example` and `## How to fix`; it has {headings:?}",
                code.id
            )),
        }
    }
    assert_no_problems(problems);
}

#[test]
fn every_fleet_example_produces_its_code() {
    let mut problems = Vec::new();
    for code in ALL_CODES {
        let Some(example) = example_fleet_blocks(code).into_iter().next() else {
            continue;
        };
        let file = FileId(0);
        let parse = syntax::parse(example.as_str(), file);
        let mut diagnostics = parse.errors().to_vec();
        diagnostics.extend(syntax::check_declares_something(&parse, file));
        if !diagnostics
            .iter()
            .any(|diagnostic| diagnostic.code == *code)
        {
            let got: Vec<String> = diagnostics
                .iter()
                .map(|diagnostic| format!("{} {}", diagnostic.code, diagnostic.message))
                .collect();
            problems.push(format!(
                "{}.md: the first ```fleet block of its example does not produce {}; it gives {got:?}",
                code.id, code.id
            ));
        }
    }
    assert_no_problems(problems);
}

#[test]
fn only_whole_file_codes_have_examples_without_fleet_text() {
    let mut problems = Vec::new();
    for code in ALL_CODES {
        let blocks = example_fleet_blocks(code);
        let without_fleet_text = FILE_LEVEL.contains(&code.id) || SHELL_EXAMPLE.contains(&code.id);
        if without_fleet_text && !blocks.is_empty() {
            problems.push(format!(
                "{}.md: is about a whole file; its example is a ```sh block, not ```fleet",
                code.id
            ));
        }
        if !without_fleet_text && blocks.is_empty() {
            problems.push(format!(
                "{}.md: its example needs a ```fleet block that produces {}",
                code.id, code.id
            ));
        }
        if without_fleet_text {
            let example = section(code.page, "## Example").unwrap_or_default();
            if code_blocks(&example, "sh").is_empty() {
                problems.push(format!(
                    "{}.md: its example needs a ```sh block with the command",
                    code.id
                ));
            }
        }
    }
    assert_no_problems(problems);
}

#[test]
fn every_page_belongs_to_a_code() {
    let dir = pages_dir();
    let mut problems = Vec::new();
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()));
    for entry in entries {
        let entry = entry.expect("a directory entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_a_codes_page = name
            .strip_suffix(".md")
            .is_some_and(|id| ALL_CODES.iter().any(|code| code.id == id));
        if !is_a_codes_page {
            problems.push(format!(
                "{name}: no diagnostic code has this page; codes are listed in compiler/src/diagnostics/codes.rs"
            ));
        }
    }
    assert_no_problems(problems);
}
