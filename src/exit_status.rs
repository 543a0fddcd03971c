//! Exit codes, so CI can tell "your fleet has errors" from "the tool was misused"
//! from "the generated files are out of date".

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done, nothing wrong.
    Success,
    /// 1: the input has errors (or warnings under `--deny-warnings`).
    InputErrors,
    /// 2: bad arguments, or a file could not be read or written.
    UsageOrIo,
    /// 3: `--check` found differences (`fmt --check`, later `build --check`).
    Differences,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> std::process::ExitCode {
        std::process::ExitCode::from(match status {
            ExitStatus::Success => 0,
            ExitStatus::InputErrors => 1,
            ExitStatus::UsageOrIo => 2,
            ExitStatus::Differences => 3,
        })
    }
}
