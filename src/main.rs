//! `fleet`: the command line. Parses arguments, runs one command, and turns its
//! outcome into the exit code CI reads (see `exit_status`).

mod cli;
mod commands;
mod compilation;
mod exit_status;
mod fleet_loader;
mod report;

use clap::Parser;
use exit_status::ExitStatus;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let status = match commands::run(cli) {
        Ok(status) => status,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitStatus::UsageOrIo
        }
    };
    status.into()
}
