//! A fleet read from disk and loaded into a compiler database, with the source map
//! diagnostics render against. Shared by the commands that check or evaluate.

use crate::fleet_loader::{self, LoadedFleet};
use anyhow::Result;
use fleet_compiler::check::{check, workspace};
use fleet_compiler::db::{Database, Workspace, source_map};
use fleet_compiler::diagnostics::Diagnostic;
use fleet_compiler::source::SourceMap;
use std::path::Path;

pub struct Compilation {
    pub db: Database,
    pub workspace: Workspace,
    pub loaded: LoadedFleet,
}

impl Compilation {
    pub fn open(path: &Path) -> Result<Compilation> {
        let loaded = fleet_loader::load(path)?;
        let db = Database::default();
        // What the loader saw of each imported folder (missing, empty, a file),
        // which the compiler cannot see for itself.
        fleet_compiler::names::modules::LibraryFolders::new(&db, loaded.folders.clone());
        let files: Vec<_> = loaded
            .files
            .iter()
            .map(|file| {
                let source = loaded.sources.get(file.id);
                (
                    file.id,
                    source.path.clone(),
                    source.text.clone(),
                    file.module.clone(),
                )
            })
            .collect();
        let workspace = workspace(&db, files);
        Ok(Compilation {
            db,
            workspace,
            loaded,
        })
    }

    /// Everything wrong with the fleet: what reading found, then the compiler's.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut diagnostics = self.loaded.diagnostics.clone();
        if !self.loaded.files.is_empty() {
            diagnostics.extend(check(&self.db, self.workspace).iter().cloned());
        }
        diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        diagnostics
    }

    /// Ends the compilation without freeing it. A command's compilation lives until
    /// the process exits, and freeing a database of ten thousand clusters one
    /// allocation at a time takes about as long as checking them: the commands
    /// leave that to the operating system.
    pub fn release_at_exit(self) {
        std::mem::forget(self);
    }

    /// The files diagnostics may point into: the fleet's (undecodable ones too)
    /// and the stdlib's.
    pub fn sources(&self) -> SourceMap {
        let mut sources = source_map(&self.db, self.workspace);
        for file in self.loaded.sources.files() {
            sources.insert(file.id, file.path.clone(), file.text.clone());
        }
        sources
    }
}
