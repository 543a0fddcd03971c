//! `fleet check`: read the fleet, report every problem, exit 1 if any is an error.

use crate::cli::OutputArgs;
use crate::exit_status::ExitStatus;
use crate::report::{Reporter, plural};
use anyhow::Result;
use fleet_lsp::compilation::Compilation;
use std::path::Path;

pub fn run(path: &Path, deny_warnings: bool, output: OutputArgs) -> Result<ExitStatus> {
    let compilation = Compilation::open(path)?;
    let diagnostics = compilation.diagnostics();
    let mut reporter = Reporter::new(output);
    reporter.emit_all(&diagnostics, &compilation.sources());
    reporter.summary(&format!(
        "checked {}",
        plural(compilation.loaded.files_read, "file")
    ));
    compilation.release_at_exit();
    Ok(reporter.exit_status(deny_warnings))
}
