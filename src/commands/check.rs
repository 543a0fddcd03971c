//! `fleet check`: read the fleet, report every problem, exit 1 if any is an error.

use crate::cli::OutputArgs;
use crate::exit_status::ExitStatus;
use crate::fleet_loader;
use crate::report::{Reporter, plural};
use anyhow::Result;
use fleet_compiler::syntax;
use std::path::Path;

pub fn run(path: &Path, deny_warnings: bool, output: OutputArgs) -> Result<ExitStatus> {
    let loaded = fleet_loader::load(path)?;
    let mut diagnostics = loaded.diagnostics.clone();
    for (file, _) in &loaded.files {
        let source = loaded.sources.get(*file);
        let parse = syntax::parse(source.text.clone(), *file);
        diagnostics.extend(parse.errors().iter().cloned());
        diagnostics.extend(syntax::check_declares_something(&parse, *file));
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut reporter = Reporter::new(output);
    reporter.emit_all(&diagnostics, &loaded.sources);
    reporter.summary(&format!("checked {}", plural(loaded.files_read, "file")));
    Ok(
        if reporter.errors > 0 || (deny_warnings && reporter.warnings > 0) {
            ExitStatus::InputErrors
        } else {
            ExitStatus::Success
        },
    )
}
