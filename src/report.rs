//! Prints diagnostics the way the user asked: rendered for people on standard
//! error, or as JSON lines on standard output.

use crate::cli::{ColorChoice, MessageFormat, OutputArgs};
use fleet_compiler::diagnostics::{Diagnostic, RenderOptions, Renderer, Severity, to_json};
use fleet_compiler::source::SourceMap;
use std::io::{IsTerminal, Write};

pub struct Reporter {
    format: MessageFormat,
    color: bool,
    pub errors: usize,
    pub warnings: usize,
}

impl Reporter {
    pub fn new(output: OutputArgs) -> Reporter {
        Reporter {
            format: output.message_format,
            color: use_color(output.color),
            errors: 0,
            warnings: 0,
        }
    }

    /// Emits a batch, rendering with one `Renderer` so each file is split into
    /// lines once.
    pub fn emit_all(&mut self, diagnostics: &[Diagnostic], sources: &SourceMap) {
        let mut renderer = Renderer::new(sources, RenderOptions { color: self.color });
        for diagnostic in diagnostics {
            self.count(diagnostic);
            match self.format {
                MessageFormat::Human => {
                    let text = renderer.render(diagnostic);
                    let _ = writeln!(std::io::stderr().lock(), "{text}");
                }
                MessageFormat::Json => {
                    let _ = writeln!(std::io::stdout().lock(), "{}", to_json(diagnostic, sources));
                }
            }
        }
    }

    fn count(&mut self, diagnostic: &Diagnostic) {
        match diagnostic.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
    }

    /// The exit status for what was reported.
    pub fn exit_status(&self, deny_warnings: bool) -> crate::exit_status::ExitStatus {
        if self.errors > 0 || (deny_warnings && self.warnings > 0) {
            crate::exit_status::ExitStatus::InputErrors
        } else {
            crate::exit_status::ExitStatus::Success
        }
    }

    /// A closing line for people; JSON consumers count the objects themselves.
    pub fn summary(&self, what: &str) {
        if self.format == MessageFormat::Json {
            return;
        }
        let problems = match (self.errors, self.warnings) {
            (0, 0) => "no problems".to_string(),
            (errors, 0) => plural(errors, "error"),
            (0, warnings) => plural(warnings, "warning"),
            (errors, warnings) => format!(
                "{}, {}",
                plural(errors, "error"),
                plural(warnings, "warning")
            ),
        };
        eprintln!("{what}: {problems}");
    }
}

pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        return format!("1 {noun}");
    }
    // "policy" -> "policies" (a consonant before the `y`); "key" -> "keys".
    match noun.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'i', 'o', 'u']) => format!("{count} {stem}ies"),
        _ => format!("{count} {noun}s"),
    }
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
            !no_color && std::io::stderr().is_terminal()
        }
    }
}
