//! A fleet read from disk and loaded into a compiler database, with the source map
//! diagnostics render against. Shared by the commands that check or evaluate.

use crate::fleet_loader::{self, LoadedFleet};
use anyhow::Result;
use fleet_compiler::check::{check, workspace_of};
use fleet_compiler::db::{Database, Origin, SourceFile, Workspace, source_map};
use fleet_compiler::diagnostics::Diagnostic;
use fleet_compiler::names::items::{ImportTarget, file_items};
use fleet_compiler::source::SourceMap;
use std::path::Path;

pub struct Compilation {
    pub db: Database,
    pub workspace: Workspace,
    pub loaded: LoadedFleet,
}

impl Compilation {
    pub fn open(path: &Path) -> Result<Compilation> {
        let db = Database::default();
        // Each file becomes an input as it is read: its imports come from the
        // parse the database keeps for checking, so no file is parsed twice.
        let mut inputs = Vec::new();
        let loaded = fleet_loader::load_with(
            path,
            &fleet_loader::OpenBuffers::new(),
            &mut |file, text| {
                let input = SourceFile::new(
                    &db,
                    file.id,
                    file.path.display().to_string(),
                    text.clone(),
                    Origin::Fleet,
                    file.module.clone(),
                );
                inputs.push(input);
                file_items(&db, input)
                    .items
                    .iter()
                    .filter_map(|item| item.import.as_ref())
                    .map(|import| import.target.clone())
                    .filter(|target| matches!(target, ImportTarget::Folder(_)))
                    .collect()
            },
        )?;
        // What the loader saw of each imported folder (missing, empty, a file),
        // which the compiler cannot see for itself.
        fleet_compiler::names::modules::LibraryFolders::new(&db, loaded.folders.clone());
        let workspace = workspace_of(&db, inputs);
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
            fleet_compiler::eval::chunks::evaluate_in_parallel(&self.db, self.workspace);
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
