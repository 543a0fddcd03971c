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
    bindings: Vec<(Name, Value)>,
    /// A human description of the iteration the scope is in, for diagnostics
    /// inside generated declarations: `e = dev, r = us-east-1`.
    pub iteration: Option<Arc<str>>,
}

impl Scope {
    pub fn new(file: SourceFile, file_id: FileId, module: Arc<str>) -> Scope {
        Scope {
            file,
            file_id,
            module,
            bindings: Vec::new(),
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
        // Made at its final size: a loop makes one scope per iteration, and a
        // record's `require`s bind every field of the record.
        let bindings = bindings.into_iter();
        let mut all = Vec::with_capacity(self.bindings.len() + bindings.size_hint().0);
        all.extend(self.bindings.iter().cloned());
        all.extend(bindings);
        Scope {
            file: self.file,
            file_id: self.file_id,
            module: self.module.clone(),
            bindings: all,
            iteration: self.iteration.clone(),
        }
    }

    pub fn with_iteration(mut self, iteration: Arc<str>) -> Scope {
        self.iteration = Some(iteration);
        self
    }
}
