//! `fleet explain <CODE>`: the page of a diagnostic code, from docs/diagnostics/
//! (compiled into the binary).

use crate::exit_status::ExitStatus;
use anyhow::{Result, bail};
use fleet_compiler::diagnostics::{ALL_CODES, Code};

pub fn run(code: Option<&str>, list: bool) -> Result<ExitStatus> {
    if list {
        for code in ALL_CODES {
            println!("{}  {:<7}  {}", code.id, code.severity.as_str(), code.title);
        }
        return Ok(ExitStatus::Success);
    }
    let requested = code.unwrap_or_default();
    match Code::lookup(requested) {
        Some(code) => {
            print!("{}", code.page);
            Ok(ExitStatus::Success)
        }
        None => bail!("`{requested}` is not a diagnostic code; `fleet explain --list` lists them"),
    }
}
