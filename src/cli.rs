//! The command-line interface, declared with clap.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "fleet",
    version,
    about = "A typed language and compiler for Kubernetes fleets"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a fleet (a folder of `.fleet` files, or one file) and report problems.
    Check {
        /// The fleet folder or a `.fleet` file.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Treat warnings as errors (exit 1).
        #[arg(long)]
        deny_warnings: bool,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Print the evaluated fleet: clusters, apps with their targets and layers,
    /// policies, promotions, teams.
    Eval {
        /// The fleet folder or a `.fleet` file.
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long, value_enum, default_value_t = EvalFormat::Yaml)]
        format: EvalFormat,
        /// Treat warnings as errors (exit 1, print nothing).
        #[arg(long)]
        deny_warnings: bool,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Format `.fleet` files in place, in the one canonical layout.
    Fmt {
        /// A folder, a `.fleet` file, or `-` to format standard input to standard output.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Write nothing; show what would change and exit 3 if anything would.
        #[arg(long)]
        check: bool,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Generate the GitOps repository: Flux, Argo CD, Crossplane, Kyverno and
    /// Kustomize files under the output root the fleet's settings name.
    Build {
        /// The fleet folder or a `.fleet` file.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// The folder of the GitOps repository's work tree.
        #[arg(long, required_unless_present = "stdout")]
        out: Option<PathBuf>,
        /// Write every document to standard output as one YAML stream instead.
        #[arg(long, conflicts_with_all = ["out", "check"])]
        stdout: bool,
        /// Write nothing; list the files that would change and exit 3 if any would.
        #[arg(long)]
        check: bool,
        /// Overwrite (or remove) generated files that were edited by hand.
        #[arg(long)]
        force: bool,
        /// Treat warnings as errors (exit 1, write nothing).
        #[arg(long)]
        deny_warnings: bool,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Run the language server on standard input and output (editors start it).
    Lsp,
    /// Print the page that explains a diagnostic code (`fleet explain E0104`).
    Explain {
        /// The code, such as E0104.
        #[arg(required_unless_present = "list")]
        code: Option<String>,
        /// List every code with its title.
        #[arg(long)]
        list: bool,
    },
    /// Tools for working on the compiler itself.
    #[command(hide = true)]
    Debug {
        #[command(subcommand)]
        command: DebugCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum DebugCommand {
    /// Print the lossless syntax tree of a file.
    Tree { path: PathBuf },
}

#[derive(Args, Debug, Clone, Copy)]
pub struct OutputArgs {
    /// How to print diagnostics: for people, or one JSON object per line for tools.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
    /// When to colour the output. `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageFormat {
    Human,
    Json,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalFormat {
    Yaml,
    Json,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
