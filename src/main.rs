//! `fleet`: the command line. Parses arguments, runs one command, and turns its
//! outcome into the exit code CI reads (see `exit_status`).

mod cli;
mod commands;
mod exit_status;
mod output;
mod report;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: fleet_compiler::allocator::Mimalloc = fleet_compiler::allocator::Mimalloc;
use exit_status::ExitStatus;

/// The stack the commands run on. The compiler bounds how deep any input makes
/// it go (nesting in the parser, `fleet_compiler::eval::MAX_DEPTH` in the evaluator), and
/// this leaves room for those bounds in a debug build. Only the pages used are
/// ever committed.
const STACK_SIZE: usize = 512 << 20;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let worker = std::thread::Builder::new()
        .name("fleet".into())
        .stack_size(STACK_SIZE)
        .spawn(move || commands::run(cli));
    let outcome = match worker {
        Ok(worker) => worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        Err(error) => Err(anyhow::Error::new(error).context("cannot start the compiler's thread")),
    };
    let status = match outcome {
        Ok(status) => status,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitStatus::UsageOrIo
        }
    };
    status.into()
}
