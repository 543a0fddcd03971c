//! Every diagnostic code has a page in `docs/diagnostics/`, compiled into the
//! binary and printed by `fleet explain`. These tests keep the pages in step with
//! the codes and with the compiler: the right title, the required sections, an
//! example that really produces its code, no page without a code, and, like a
//! snapshot test, the output shown under each example is exactly what the `fleet`
//! binary prints for it today.
//!
//! When a message changes on purpose, rewrite the outputs in the pages with
//!
//! ```sh
//! FLEET_UPDATE_DOCS=1 cargo test --test diagnostic_pages
//! ```
//!
//! and review `git diff docs/diagnostics`: the prose around an output may need to
//! change with it.

use fleet_compiler::diagnostics::{ALL_CODES, Code};
use fleet_compiler::source::FileId;
use std::path::PathBuf;
use std::process::{Command, Output};

/// Codes about a file as a whole (its bytes, its folder, its emptiness), which no
/// `.fleet` text can show: their examples are shell commands.
const FILE_LEVEL: &[&str] = &["E0001", "E0002", "E0007", "E0008", "E0009"];

/// Codes whose example cannot be a few lines of `.fleet` text either: E0118 needs
/// more than a hundred errors, so its example generates a file; E0417 and W0418
/// are found by `fleet build`, not `fleet check`, so their examples build.
const SHELL_EXAMPLE: &[&str] = &["E0118", "E0417", "W0418", "E0423"];

/// Pages whose example output the test does not run, so it is neither checked nor
/// rewritten by `FLEET_UPDATE_DOCS=1`; keep it current by hand.
/// (E0007's example makes a 1 GiB file with `truncate`, which is sparse on the file
/// systems CI uses, and `fleet` refuses it from its size without reading it.)
const NOT_REGENERATED: &[(&str, &str)] = &[];

/// Set to `1` to rewrite the ```text blocks with the real output instead of failing.
const UPDATE_VARIABLE: &str = "FLEET_UPDATE_DOCS";

fn pages_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics")
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

/// The line numbers (0-based) of a section: from the line after its heading up to,
/// not including, the next `## ` heading.
fn section_lines(page: &str, heading: &str) -> Option<std::ops::Range<usize>> {
    let lines = lines_with_fences(page);
    let start = lines
        .iter()
        .position(|(line, fenced)| !fenced && *line == heading)?
        + 1;
    let len = lines[start..]
        .iter()
        .take_while(|(line, fenced)| *fenced || !line.starts_with("## "))
        .count();
    Some(start..start + len)
}

/// A fenced block of a page.
#[derive(Debug)]
struct Block {
    /// What follows the opening fence: `fleet`, `sh`, `text`...
    language: String,
    /// The line numbers (0-based) of the opening and the closing fence.
    open: usize,
    close: usize,
    /// The lines between the fences, each ending in a newline.
    contents: String,
}

/// The fenced blocks of a page, in order.
fn blocks(page: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, &str, Vec<&str>)> = None;
    for (number, line) in page.lines().enumerate() {
        let fence = line.starts_with("```");
        match (&mut open, fence) {
            (None, true) => open = Some((number, line[3..].trim(), Vec::new())),
            (None, false) => {}
            (Some((_, _, lines)), false) => lines.push(line),
            (Some(_), true) => {
                let (start, language, lines) = open.take().expect("inside a block");
                blocks.push(Block {
                    language: language.to_string(),
                    open: start,
                    close: number,
                    contents: lines.iter().map(|line| format!("{line}\n")).collect(),
                });
            }
        }
    }
    blocks
}

/// The fenced blocks of a section of a page.
fn section_blocks(page: &str, heading: &str) -> Vec<Block> {
    let Some(lines) = section_lines(page, heading) else {
        return Vec::new();
    };
    blocks(page)
        .into_iter()
        .filter(|block| lines.contains(&block.open))
        .collect()
}

fn example_blocks(page: &str, language: &str) -> Vec<String> {
    section_blocks(page, "## Example")
        .into_iter()
        .filter(|block| block.language == language)
        .map(|block| block.contents)
        .collect()
}

fn example_fleet_blocks(code: &Code) -> Vec<String> {
    example_blocks(code.page, "fleet")
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

/// Every diagnostic of an example checked as a one-file fleet (with the stdlib),
/// as `fleet check` would: syntax, names, types and the fleet's checks.
fn check_example(text: &str) -> Vec<fleet_compiler::diagnostics::Diagnostic> {
    let db = fleet_compiler::db::Database::default();
    let workspace = fleet_compiler::check::workspace(
        &db,
        [(
            FileId(0),
            "example.fleet".to_string(),
            std::sync::Arc::from(text),
            std::sync::Arc::from(""),
        )],
    );
    fleet_compiler::check::check(&db, workspace).to_vec()
}

#[test]
fn every_fleet_example_produces_its_code() {
    let mut problems = Vec::new();
    for code in ALL_CODES {
        let Some(example) = example_fleet_blocks(code).into_iter().next() else {
            continue;
        };
        let diagnostics = check_example(&example);
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
        if without_fleet_text && example_blocks(code.page, "sh").is_empty() {
            problems.push(format!(
                "{}.md: its example needs a ```sh block with the command",
                code.id
            ));
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

// The outputs under the examples.

/// How an example is run.
enum Input<'a> {
    /// A ```fleet block: written to a file and checked with `fleet check`.
    Fleet(&'a str),
    /// A ```sh block: its commands, run by `sh` with `fleet` on the `PATH`.
    Shell(&'a str),
}

/// An example and the ```text block that shows its output.
struct Example<'a> {
    input: Input<'a>,
    output: &'a Block,
}

/// Pairs each ```fleet or ```sh block of the Example section with the ```text block
/// after it. A block with no output shown is a problem.
fn examples_with_output<'a>(
    id: &str,
    blocks: &'a [Block],
    problems: &mut Vec<String>,
) -> Vec<Example<'a>> {
    let mut examples = Vec::new();
    let mut input = None;
    for block in blocks {
        match block.language.as_str() {
            "fleet" | "sh" => {
                if input.is_some() {
                    problems.push(format!(
                        "{id}.md: an example block before line {} has no ```text block with its output after it",
                        block.open + 1
                    ));
                }
                input = Some(match block.language.as_str() {
                    "fleet" => Input::Fleet(&block.contents),
                    _ => Input::Shell(&block.contents),
                });
            }
            "text" => match input.take() {
                Some(input) => examples.push(Example {
                    input,
                    output: block,
                }),
                None => problems.push(format!(
                    "{id}.md: the ```text block at line {} follows no ```fleet or ```sh block",
                    block.open + 1
                )),
            },
            _ => {}
        }
    }
    if input.is_some() {
        problems.push(format!(
            "{id}.md: its last example block has no ```text block with its output after it"
        ));
    }
    examples
}

/// The file an output is about, from its first source header:
/// `   ╭─[ web.fleet:2:12 ]` gives `web.fleet`.
fn file_name_in(output: &str) -> Option<&str> {
    let header = output
        .lines()
        .find_map(|line| line.trim().strip_prefix("╭─[ "))?;
    let location = header.strip_suffix(" ]")?;
    let mut parts = location.rsplitn(3, ':');
    let (_column, _line, name) = (parts.next()?, parts.next()?, parts.next()?);
    Some(name)
}

/// Whether `line` starts a diagnostic of `id`: `[E0104] Error: ...` as the
/// diagnostics about a place print, or `error[E0008]: ...` as those about no place
/// do.
fn starts_diagnostic_of(line: &str, id: &str) -> bool {
    ["[", "error[", "warning["].iter().any(|prefix| {
        line.strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix(id))
            .is_some_and(|rest| rest.starts_with("] ") || rest.starts_with("]:"))
    })
}

/// The diagnostics of `id` in the output of `fleet check`, which separates
/// diagnostics with blank lines and ends with a summary line; without a newline at
/// the end.
fn diagnostics_of(id: &str, output: &str) -> String {
    let mut kept = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    for line in output.lines().chain([""]) {
        if !line.is_empty() {
            paragraph.push(line);
            continue;
        }
        if paragraph
            .first()
            .is_some_and(|first| starts_diagnostic_of(first, id))
        {
            kept.push(paragraph.join("\n"));
        }
        paragraph.clear();
    }
    kept.join("\n\n")
}

/// A folder to run an example in, with a `bin` folder beside it holding `fleet`.
struct Sandbox {
    root: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let root = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir(root.path().join("work")).expect("a work folder");
        Sandbox { root }
    }

    fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    /// A `bin` folder with a `fleet` that is the binary under test, for `PATH`.
    #[cfg(unix)]
    fn bin_with_fleet(&self) -> PathBuf {
        let bin = self.root.path().join("bin");
        std::fs::create_dir(&bin).expect("a bin folder");
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_fleet"), bin.join("fleet"))
            .expect("a link to the fleet binary");
        bin
    }
}

fn run(command: &mut Command) -> Output {
    command
        // The pages show uncoloured output, and the same in every locale.
        .env("NO_COLOR", "1")
        .env("LC_ALL", "C")
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"))
}

/// What the example prints, standard error then standard output; `Err` if it
/// cannot be run here.
fn run_example(id: &str, example: &Example) -> Result<String, String> {
    let sandbox = Sandbox::new();
    let output = match example.input {
        Input::Fleet(text) => {
            let Some(name) = file_name_in(&example.output.contents) else {
                return Err(format!(
                    "{id}.md: cannot tell the file name of its example: the ```text block at line {} has no `╭─[ name:line:column ]` header",
                    example.output.open + 1
                ));
            };
            std::fs::write(sandbox.work().join(name), text).expect("the example file");
            run(Command::new(env!("CARGO_BIN_EXE_fleet"))
                .args(["check", "--color", "never", name])
                .current_dir(sandbox.work()))
        }
        #[cfg(unix)]
        Input::Shell(script) => {
            let mut path = std::ffi::OsString::from(sandbox.bin_with_fleet());
            if let Some(inherited) = std::env::var_os("PATH") {
                path.push(":");
                path.push(inherited);
            }
            run(Command::new("sh")
                .args(["-c", script])
                .env("PATH", path)
                .current_dir(sandbox.work()))
        }
        #[cfg(not(unix))]
        Input::Shell(_) => return Err(format!("{id}.md: skipped, its example needs `sh`")),
    };
    Ok(format!(
        "{}{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    ))
}

/// `expected` and `actual` line by line, `-` for the page and `+` for `fleet`.
fn diff(expected: &str, actual: &str) -> String {
    let (expected, actual) = (format!("{expected}\n"), format!("{actual}\n"));
    similar::TextDiff::from_lines(&expected, &actual)
        .unified_diff()
        .context_radius(1000)
        .header("in the page (expected)", "printed by fleet (actual)")
        .to_string()
}

/// The page with the contents of some of its blocks replaced.
fn with_blocks_replaced(page: &str, replacements: &[(&Block, String)]) -> String {
    let lines: Vec<&str> = page.lines().collect();
    let mut out = String::new();
    let mut next = 0;
    for (block, contents) in replacements {
        for line in &lines[next..=block.open] {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(contents);
        next = block.close;
    }
    for line in &lines[next..] {
        out.push_str(line);
        out.push('\n');
    }
    if !page.ends_with('\n') {
        out.pop();
    }
    out
}

#[test]
fn every_example_shows_the_output_fleet_prints() {
    let update = std::env::var(UPDATE_VARIABLE).is_ok_and(|value| value == "1");
    let mut problems = Vec::new();
    for code in ALL_CODES {
        if let Some((_, why)) = NOT_REGENERATED.iter().find(|(id, _)| *id == code.id) {
            eprintln!("{}.md: output not checked or rewritten: {why}", code.id);
            continue;
        }
        let path = pages_dir().join(format!("{}.md", code.id));
        let page = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        let blocks = section_blocks(&page, "## Example");
        let mut replacements = Vec::new();
        for example in examples_with_output(code.id, &blocks, &mut problems) {
            let printed = match run_example(code.id, &example) {
                Ok(printed) => printed,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            let actual = diagnostics_of(code.id, &printed);
            let expected = example.output.contents.trim_end_matches('\n');
            if actual.is_empty() {
                problems.push(format!(
                    "{}.md: the example before line {} does not produce {}; it prints:\n{printed}",
                    code.id,
                    example.output.open + 1,
                    code.id
                ));
            } else if actual != expected {
                if update {
                    replacements.push((example.output, format!("{actual}\n")));
                } else {
                    problems.push(format!(
                        "{}.md: the output at line {} is not what `fleet` prints for its example:\n{}",
                        code.id,
                        example.output.open + 1,
                        diff(expected, &actual)
                    ));
                }
            }
        }
        if !replacements.is_empty() {
            std::fs::write(&path, with_blocks_replaced(&page, &replacements))
                .unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
            eprintln!("updated {}", path.display());
        }
    }
    if !problems.is_empty() && !update {
        problems.push(format!(
            "if `fleet` now prints what it should, rewrite the pages with `{UPDATE_VARIABLE}=1 cargo test --test diagnostic_pages` and review `git diff docs/diagnostics`"
        ));
    }
    assert_no_problems(problems);
}

/// The ```fleet blocks under "How to fix" are the fixed text: they check clean.
#[test]
fn every_fix_checks_without_problems() {
    let mut problems = Vec::new();
    for code in ALL_CODES {
        for (number, fix) in section_blocks(code.page, "## How to fix")
            .iter()
            .filter(|block| block.language == "fleet")
            .enumerate()
        {
            // A syntax page's fix is a fragment: it must parse cleanly. A semantic
            // page's fix is a whole fleet: it must check cleanly.
            if code.id < "E0200" {
                let parse = fleet_compiler::syntax::parse(
                    fix.contents.as_str(),
                    fleet_compiler::source::FileId(0),
                );
                if !parse.errors().is_empty() {
                    problems.push(format!(
                        "{}.md: the ```fleet block at line {} under `## How to fix` does not parse: {:?}",
                        code.id,
                        fix.open + 1,
                        parse.errors().iter().map(|d| d.code.id).collect::<Vec<_>>()
                    ));
                }
                continue;
            }
            let sandbox = Sandbox::new();
            let name = format!("fix{number}.fleet");
            std::fs::write(sandbox.work().join(&name), &fix.contents).expect("the fix file");
            let output = run(Command::new(env!("CARGO_BIN_EXE_fleet"))
                .args(["check", "--color", "never", &name])
                .current_dir(sandbox.work()));
            if !output.status.success() {
                problems.push(format!(
                    "{}.md: the ```fleet block at line {} under `## How to fix` has problems:\n{}",
                    code.id,
                    fix.open + 1,
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
        }
    }
    assert_no_problems(problems);
}

/// The pages that are not regenerated still show an output, and say why in
/// `NOT_REGENERATED`.
#[test]
fn pages_not_regenerated_are_known_codes_with_an_output() {
    let mut problems = Vec::new();
    for (id, why) in NOT_REGENERATED {
        assert!(!why.is_empty());
        match ALL_CODES.iter().find(|code| code.id == *id) {
            None => problems.push(format!("{id}: in NOT_REGENERATED but not a code")),
            Some(code) => {
                let blocks = section_blocks(code.page, "## Example");
                let examples = examples_with_output(id, &blocks, &mut problems);
                if examples.is_empty() {
                    problems.push(format!("{id}.md: its example shows no output"));
                }
            }
        }
    }
    assert_no_problems(problems);
}

/// Self-checks of the helpers above, on small texts.
#[test]
fn the_helpers_read_pages_and_outputs() {
    assert_eq!(
        file_name_in("[E0104] Error: x\n   ╭─[ web.fleet:2:12 ]\n"),
        Some("web.fleet")
    );
    let output = "[E0120] Error: a\n   │ x\n\n[E0118] Error: b\n   │ y\n\nerror[E0118]: c\n  = help: d\n\nchecked 1 file: 3 errors\n";
    assert_eq!(
        diagnostics_of("E0118", output),
        "[E0118] Error: b\n   │ y\n\nerror[E0118]: c\n  = help: d"
    );
    assert_eq!(diagnostics_of("E0011", output), "");
    let page = "# T\n\n```text\nold\n```\n\nmiddle\n\n```text\nold 2\nmore\n```\nend\n";
    let blocks = blocks(page);
    let replaced = with_blocks_replaced(
        page,
        &[
            (&blocks[0], "new\nlines\n".to_string()),
            (&blocks[1], "new 2\n".to_string()),
        ],
    );
    assert_eq!(
        replaced,
        "# T\n\n```text\nnew\nlines\n```\n\nmiddle\n\n```text\nnew 2\n```\nend\n"
    );
}
