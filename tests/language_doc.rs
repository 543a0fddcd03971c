//! Every ```fleet example in `docs/language.md` is real: it parses without a
//! diagnostic (and declares something, as `fleet check` wants of a file), and it
//! is in the canonical layout, so `fleet fmt` leaves it unchanged. A block that
//! is a whole fleet (it has a `fleet` declaration) must also pass the full check
//! (names, types, the fleet's own checks) without any diagnostic, warnings
//! included; a fragment is checked for its syntax only. A block that shows a
//! mistake is fenced ```fleet,error and must produce at least one diagnostic: a
//! syntax one, or, for a whole fleet, one of the full check.

use fleet_compiler::diagnostics::Diagnostic;
use fleet_compiler::format::format;
use fleet_compiler::source::FileId;
use fleet_compiler::syntax::{self, SyntaxKind};
use std::path::PathBuf;
use std::sync::Arc;

/// The fence info string of a valid example.
const VALID: &str = "fleet";
/// The fence info string of an example that shows a mistake.
const ERROR: &str = "fleet,error";

/// A fenced block of the page.
struct Block {
    /// What follows the opening fence: `fleet`, `fleet,error`, `text`, ...
    info: String,
    /// The line number (1-based) of the opening fence.
    line: usize,
    /// The lines between the fences, each ending in a newline.
    contents: String,
}

fn page() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/language.md");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// The fenced blocks of the page, in order. Fences are at the start of a line;
/// an indented fence is reported, since a block inside a list item would be
/// easy to miss.
fn blocks(page: &str, problems: &mut Vec<String>) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (index, line) in page.lines().enumerate() {
        let number = index + 1;
        if open.is_none() && !line.starts_with("```") && line.trim_start().starts_with("```") {
            problems.push(format!(
                "line {number}: an indented fence; put fences at the start of the line"
            ));
        }
        match (&mut open, line.starts_with("```")) {
            (None, true) => {
                open = Some(Block {
                    info: line[3..].trim().to_string(),
                    line: number,
                    contents: String::new(),
                })
            }
            (None, false) => {}
            (Some(block), false) => {
                block.contents.push_str(line);
                block.contents.push('\n');
            }
            (Some(_), true) => blocks.push(open.take().expect("inside a block")),
        }
    }
    if let Some(block) = open {
        problems.push(format!("line {}: this block is never closed", block.line));
    }
    blocks
}

/// Whether a block that parses is a whole fleet: it has a `fleet` declaration.
fn is_whole_fleet(parse: &syntax::Parse) -> bool {
    parse
        .tree()
        .root()
        .children()
        .any(|node| node.kind() == SyntaxKind::FLEET_DECL)
}

/// Every diagnostic of the full check of `text` as a fleet of one file: syntax,
/// names, types and the fleet's own checks, as `fleet check` reports them.
fn full_check(text: &str) -> Vec<Diagnostic> {
    let db = fleet_compiler::db::Database::default();
    let workspace = fleet_compiler::check::workspace(
        &db,
        [(
            FileId(0),
            "example.fleet".to_string(),
            Arc::from(text),
            Arc::from(""),
        )],
    );
    fleet_compiler::check::check(&db, workspace).to_vec()
}

/// The diagnostics of a parse, one per line, as `line:column CODE message`.
fn listed(text: &str, diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|diagnostic| {
            let at = diagnostic.primary.as_ref().map_or(String::new(), |label| {
                if label.span.file != FileId(0) {
                    // In the standard library, not in the example.
                    return format!("(stdlib file {}) ", label.span.file.0);
                }
                let offset = usize::from(label.span.range.start());
                let before = &text[..offset];
                let line = before.matches('\n').count() + 1;
                let column = before.len() - before.rfind('\n').map_or(0, |at| at + 1) + 1;
                format!("{line}:{column} ")
            });
            format!("    {at}{} {}", diagnostic.code, diagnostic.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Shows `before` and `after` line by line, `-` for the page and `+` for the
/// formatter.
fn diff(before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header("in the page", "formatted")
        .to_string()
}

#[test]
fn every_fleet_example_is_real_and_canonical() {
    let page = page();
    let mut problems = Vec::new();
    let blocks = blocks(&page, &mut problems);
    let mut valid = 0;
    let mut errors = 0;
    let mut whole_fleets = 0;
    for block in &blocks {
        let at = block.line;
        let info = block.info.as_str();
        if info != VALID && info != ERROR {
            if info.to_ascii_lowercase().starts_with("fleet") {
                problems.push(format!(
                    "line {at}: unknown fence ```{info}; use ```{VALID} or ```{ERROR}"
                ));
            }
            continue;
        }
        if !block.contents.ends_with('\n') || block.contents.trim().is_empty() {
            problems.push(format!("line {at}: an empty ```{info} block"));
            continue;
        }
        let file = FileId(0);
        let parse = syntax::parse(block.contents.as_str(), file);
        let mut diagnostics = parse.errors().to_vec();
        diagnostics.extend(syntax::check_declares_something(&parse, file));
        let whole_fleet = diagnostics.is_empty() && is_whole_fleet(&parse);
        if info == ERROR {
            errors += 1;
            if diagnostics.is_empty() && whole_fleet {
                diagnostics = full_check(&block.contents);
            }
            if diagnostics.is_empty() {
                problems.push(format!(
                    "line {at}: this ```{ERROR} block has no diagnostic; fence it ```{VALID} if it is valid"
                ));
            }
            continue;
        }
        valid += 1;
        if !diagnostics.is_empty() {
            problems.push(format!(
                "line {at}: this ```{VALID} block has diagnostics (fence it ```{ERROR} if it shows a mistake):\n{}",
                listed(&block.contents, &diagnostics)
            ));
            continue;
        }
        let formatted = format(&parse).expect("a file without syntax errors formats");
        if formatted != block.contents {
            problems.push(format!(
                "line {at}: `fleet fmt` changes this block; write it in the canonical layout:\n{}",
                diff(&block.contents, &formatted)
            ));
        }
        if whole_fleet {
            whole_fleets += 1;
            let diagnostics = full_check(&block.contents);
            if !diagnostics.is_empty() {
                problems.push(format!(
                    "line {at}: this ```{VALID} block is a whole fleet and `fleet check` reports (fence it ```{ERROR} if it shows a mistake):\n{}",
                    listed(&block.contents, &diagnostics)
                ));
            }
        }
    }
    // Guards against an extraction that silently finds nothing.
    if valid < 20 {
        problems.push(format!("only {valid} ```{VALID} blocks found"));
    }
    if errors < 5 {
        problems.push(format!("only {errors} ```{ERROR} blocks found"));
    }
    if whole_fleets < 10 {
        problems.push(format!(
            "only {whole_fleets} ```{VALID} blocks are whole fleets (with a `fleet` declaration)"
        ));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in docs/language.md:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Self-check of the block extraction on a small page.
#[test]
fn blocks_are_read_with_their_fences() {
    let page =
        "# T\n\n```fleet\nenv dev {}\n```\n\ntext\n\n```fleet,error\nenv {\n```\n  ```fleet\n";
    let mut problems = Vec::new();
    let found = blocks(page, &mut problems);
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].info, "fleet");
    assert_eq!(found[0].line, 3);
    assert_eq!(found[0].contents, "env dev {}\n");
    assert_eq!(found[1].info, "fleet,error");
    assert_eq!(found[1].contents, "env {\n");
    assert_eq!(problems.len(), 1, "{problems:?}");
}

/// Self-check of the full check: a whole fleet gets names, types and the fleet's
/// checks; a fragment is not a whole fleet.
#[test]
fn whole_fleets_get_the_full_check() {
    let fleet = "fleet acme { repo = \"https://github.com/acme/gitops\" }\n";
    let parse = syntax::parse(fleet, FileId(0));
    assert!(is_whole_fleet(&parse));
    assert!(full_check(fleet).is_empty(), "{:?}", full_check(fleet));
    let wrong = format!("{fleet}\nlet port: Port = 70000\n");
    let codes: Vec<String> = full_check(&wrong)
        .iter()
        .map(|diagnostic| diagnostic.code.to_string())
        .collect();
    assert_eq!(codes, ["E0304"]);
    let fragment = syntax::parse("let port: Port = 70000\n", FileId(0));
    assert!(!is_whole_fleet(&fragment));
}
