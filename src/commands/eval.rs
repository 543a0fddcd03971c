//! `fleet eval`: the evaluated fleet (clusters, apps with their targets and
//! layers, policies, ...) as YAML or JSON on standard output. Problems go to
//! standard error; with an error, nothing is printed and the exit code is 1.

use crate::cli::{EvalFormat, OutputArgs};
use crate::exit_status::ExitStatus;
use crate::report::Reporter;
use anyhow::{Context, Result};
use fleet_compiler::eval::declarations::evaluate;
use fleet_compiler::model_json::model_to_json;
use fleet_lsp::compilation::Compilation;
use std::io::Write;
use std::path::Path;

pub fn run(
    path: &Path,
    format: EvalFormat,
    deny_warnings: bool,
    output: OutputArgs,
) -> Result<ExitStatus> {
    let compilation = Compilation::open(path)?;
    let diagnostics = compilation.diagnostics();
    let mut reporter = Reporter::new(output);
    reporter.emit_all(&diagnostics, &compilation.sources());
    let status = reporter.exit_status(deny_warnings);
    if status != ExitStatus::Success {
        reporter.summary("not evaluated");
        compilation.release_at_exit();
        return Ok(status);
    }
    let evaluation = evaluate(&compilation.db, compilation.workspace);
    let json = model_to_json(&compilation.db, &evaluation.model);
    drop(evaluation);
    compilation.release_at_exit();
    let text = match format {
        EvalFormat::Json => {
            serde_json::to_string_pretty(&json).context("cannot write JSON")? + "\n"
        }
        EvalFormat::Yaml => serde_yaml::to_string(&json).context("cannot write YAML")?,
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .context("cannot write standard output")?;
    Ok(status)
}
