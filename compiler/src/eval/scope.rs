//! Where an expression is evaluated: its file (for spans and for the names it
//! sees) and the local bindings around it (loop variables, comprehension
//! variables), innermost last.

use crate::db::SourceFile;
use crate::diagnostics::Span;
use crate::eval::value::Value;
use crate::names::Name;
use crate::source::FileId;
use std::sync::Arc;
use text_size::TextRange;

#[derive(Clone)]
pub struct Scope {
    pub file: SourceFile,
    pub file_id: FileId,
    pub module: Arc<str>,
    /// Shared: every declaration of an iteration keeps its scope.
    bindings: Arc<[(Name, Value)]>,
    /// When the scope is an iteration of a `for`: how many of its bindings
    /// (the first ones) are the variables of the `for`s around it. See
    /// `iteration`.
    iteration: Option<usize>,
}

impl Scope {
    pub fn new(file: SourceFile, file_id: FileId, module: Arc<str>) -> Scope {
        Scope {
            file,
            file_id,
            module,
            bindings: Arc::new([]),
            iteration: None,
        }
    }

    pub fn span(&self, range: TextRange) -> Span {
        Span::new(self.file_id, range)
    }

    pub fn lookup(&self, name: &str) -> Option<&Value> {
        self.bindings
            .iter()
            .rev()
            .find(|(bound, _)| &**bound == name)
            .map(|(_, value)| value)
    }

    /// Whether any local binding is in scope (a loop or comprehension variable).
    pub fn has_bindings(&self) -> bool {
        !self.bindings.is_empty()
    }

    pub fn is_bound(&self, name: &str) -> bool {
        self.lookup(name).is_some()
    }

    /// A scope with more bindings.
    pub fn with(&self, bindings: impl IntoIterator<Item = (Name, Value)>) -> Scope {
        // Made in place at its final size when the count is known (a loop's
        // variable, one scope per iteration: `[(name, value)]`), else through
        // a `Vec`; a record's `require`s bind the fields they name.
        let all: Arc<[(Name, Value)]> = self.bindings.iter().cloned().chain(bindings).collect();
        Scope {
            file: self.file,
            file_id: self.file_id,
            module: self.module.clone(),
            bindings: all,
            iteration: self.iteration,
        }
    }

    /// The scope as an iteration of the `for`s whose variables it binds.
    pub fn as_iteration(mut self) -> Scope {
        self.iteration = Some(self.bindings.len());
        self
    }

    /// The iteration the scope is in, when it is one: what diagnostics inside
    /// generated declarations name (`e = dev, r = us-east-1`). Kept as the
    /// bindings, described when shown: most declarations of a large fleet's
    /// `for`s are never named in a message.
    pub fn iteration(&self) -> Option<Iteration> {
        Some(Iteration {
            bindings: self.bindings.clone(),
            count: self.iteration?,
        })
    }
}

/// An iteration of the `for`s around a declaration: the first `count`
/// bindings of its scope. Displays as `e = dev, r = us-east-1`.
#[derive(Clone)]
pub struct Iteration {
    bindings: Arc<[(Name, Value)]>,
    count: usize,
}

impl Iteration {
    /// The iteration as text, as messages show it.
    pub fn describe(&self) -> Arc<str> {
        Arc::from(self.to_string())
    }
}

impl std::fmt::Display for Iteration {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = String::new();
        for (position, (name, value)) in self.bindings.iter().take(self.count).enumerate() {
            if position > 0 {
                text.push_str(", ");
            }
            text.push_str(name);
            text.push_str(" = ");
            if !value.interpolate_into(&mut text) {
                text.push('…');
            }
        }
        formatter.write_str(&text)
    }
}

impl std::fmt::Debug for Iteration {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "Iteration({self})")
    }
}
