//! `fleet fmt`: rewrite `.fleet` files in the canonical layout, or with `--check`
//! show what would change. A file with syntax errors is reported and left alone.

use crate::cli::OutputArgs;
use crate::exit_status::ExitStatus;
use crate::report::{Reporter, plural};
use anyhow::{Context, Result};
use fleet_compiler::format::format;
use fleet_compiler::source::{FileId, SourceMap};
use fleet_compiler::syntax;
use fleet_lsp::fleet_loader;
use std::io::{Read, Write};
use std::path::Path;

pub fn run(path: &Path, check: bool, output: OutputArgs) -> Result<ExitStatus> {
    if path == Path::new("-") {
        return format_stdin(output);
    }
    let loaded = fleet_loader::load(path)?;
    let mut reporter = Reporter::new(output);
    reporter.emit_all(&loaded.diagnostics, &loaded.sources);
    let mut changed = Vec::new();
    let mut unchanged = 0;
    // The folder's own files; the libraries it imports are formatted on their own.
    for loaded_file in loaded.files.iter().filter(|file| file.module.is_empty()) {
        let (file, file_path) = (&loaded_file.id, &loaded_file.path);
        let source = loaded.sources.get(*file);
        let parse = syntax::parse(source.text.clone(), *file);
        let Some(formatted) = format(&parse) else {
            reporter.emit_all(parse.errors(), &loaded.sources);
            continue;
        };
        if *formatted == *source.text {
            unchanged += 1;
            continue;
        }
        if check {
            print_diff(&source.path, &source.text, &formatted);
        } else {
            crate::output::write_atomically(file_path, formatted.as_bytes())?;
        }
        changed.push(source.path.clone());
    }
    let verb = if check {
        "would reformat"
    } else {
        "reformatted"
    };
    for path in &changed {
        eprintln!("{verb} {path}");
    }
    reporter.summary(&format!(
        "{verb} {}, {} unchanged",
        plural(changed.len(), "file"),
        unchanged
    ));
    Ok(if reporter.errors > 0 {
        ExitStatus::InputErrors
    } else if check && !changed.is_empty() {
        ExitStatus::Differences
    } else {
        ExitStatus::Success
    })
}

fn format_stdin(output: OutputArgs) -> Result<ExitStatus> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .context("cannot read standard input")?;
    let mut sources = SourceMap::new();
    let file = sources.add("<stdin>", text);
    let parse = syntax::parse(sources.get(file).text.clone(), FileId(file.0));
    match format(&parse) {
        Some(formatted) => {
            std::io::stdout()
                .write_all(formatted.as_bytes())
                .context("cannot write standard output")?;
            Ok(ExitStatus::Success)
        }
        None => {
            let mut reporter = Reporter::new(output);
            reporter.emit_all(parse.errors(), &sources);
            Ok(ExitStatus::InputErrors)
        }
    }
}

fn print_diff(path: &str, old: &str, new: &str) {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut out = std::io::stdout().lock();
    let _ = write!(
        out,
        "{}",
        diff.unified_diff().context_radius(2).header(path, path)
    );
}
