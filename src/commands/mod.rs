//! One module per subcommand; `run` dispatches.

mod build;
mod check;
mod debug;
mod eval;
mod explain;
mod fmt;

use crate::cli::{Cli, Command, DebugCommand};
use crate::exit_status::ExitStatus;
use anyhow::Result;

pub fn run(cli: Cli) -> Result<ExitStatus> {
    match cli.command {
        Command::Check {
            path,
            deny_warnings,
            output,
        } => check::run(&path, deny_warnings, output),
        Command::Eval {
            path,
            format,
            deny_warnings,
            output,
        } => eval::run(&path, format, deny_warnings, output),
        Command::Fmt {
            path,
            check,
            output,
        } => fmt::run(&path, check, output),
        Command::Build {
            path,
            out,
            stdout,
            check,
            force,
            deny_warnings,
            output,
        } => build::run(
            &path,
            build::Options {
                out,
                stdout,
                check,
                force,
                deny_warnings,
            },
            output,
        ),
        Command::Lsp => {
            // A server lives for hours and frees and reuses what it allocates:
            // huge pages (on for the batch commands, see `allocator.rs`) only
            // raised its resident memory by half and its edit latency's tail.
            #[cfg(target_os = "linux")]
            let _ = rustix::thread::disable_transparent_huge_pages(true);
            fleet_lsp::run_stdio()?;
            Ok(ExitStatus::Success)
        }
        Command::Explain { code, list } => explain::run(code.as_deref(), list),
        Command::Debug {
            command: DebugCommand::Tree { path },
        } => debug::tree(&path),
    }
}
