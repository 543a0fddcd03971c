//! `fleet check`: read the fleet, report every problem, exit 1 if any is an error.

use crate::cli::OutputArgs;
use crate::exit_status::ExitStatus;
use crate::fleet_loader;
use crate::report::{Reporter, plural};
use anyhow::Result;
use fleet_compiler::check::{check, workspace};
use fleet_compiler::db::{Database, source_map};
use std::path::Path;

pub fn run(path: &Path, deny_warnings: bool, output: OutputArgs) -> Result<ExitStatus> {
    let loaded = fleet_loader::load(path)?;
    let db = Database::default();
    let files = loaded.files.iter().map(|(id, _)| {
        let source = loaded.sources.get(*id);
        (
            *id,
            source.path.clone(),
            source.text.clone(),
            std::sync::Arc::from(""),
        )
    });
    let workspace = workspace(&db, files.collect::<Vec<_>>());
    let mut diagnostics = loaded.diagnostics.clone();
    if loaded.diagnostics.is_empty() || !loaded.files.is_empty() {
        diagnostics.extend(check(&db, workspace).iter().cloned());
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    // The loader's sources (undecodable files included) and the stdlib's.
    let mut sources = source_map(&db, workspace);
    for file in loaded.sources.files() {
        sources.insert(file.id, file.path.clone(), file.text.clone());
    }
    let mut reporter = Reporter::new(output);
    reporter.emit_all(&diagnostics, &sources);
    reporter.summary(&format!("checked {}", plural(loaded.files_read, "file")));
    Ok(
        if reporter.errors > 0 || (deny_warnings && reporter.warnings > 0) {
            ExitStatus::InputErrors
        } else {
            ExitStatus::Success
        },
    )
}
