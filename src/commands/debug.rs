//! `fleet debug tree FILE`: the lossless syntax tree, for people working on the parser.

use crate::exit_status::ExitStatus;
use anyhow::{Context, Result};
use fleet_compiler::source::FileId;
use fleet_compiler::syntax;
use std::path::Path;

pub fn tree(path: &Path) -> Result<ExitStatus> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    let parse = syntax::parse(text, FileId(0));
    print!("{}", parse.tree().debug_dump());
    for error in parse.errors() {
        println!("{}: {}", error.code, error.message);
    }
    Ok(if parse.has_errors() {
        ExitStatus::InputErrors
    } else {
        ExitStatus::Success
    })
}
