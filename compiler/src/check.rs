//! Every diagnostic of a workspace, in one list: syntax (per file), then names,
//! types and the fleet's own checks (from the evaluation). What `fleet check`
//! prints and the language server publishes.

use crate::db::{Db, Origin, SourceFile, Workspace, parse};
use crate::diagnostics::Diagnostic;
use crate::eval::declarations::evaluate;
use crate::names::resolve::resolve_file;
use crate::source::FileId;
use crate::syntax;
use std::sync::Arc;

/// The syntax diagnostics of one file.
#[salsa::tracked(returns(clone))]
pub fn file_syntax_diagnostics(db: &dyn Db, file: SourceFile) -> Arc<[Diagnostic]> {
    let parse = parse(db, file);
    let mut diagnostics = parse.errors().to_vec();
    if file.origin(db) == Origin::Fleet {
        diagnostics.extend(syntax::check_declares_something(parse, file.id(db)));
    }
    diagnostics.into()
}

/// All diagnostics of the workspace, sorted by file and position. While a file
/// has syntax errors, only those are reported: checks built on a guessed tree would
/// mostly report the guesses.
#[salsa::tracked(returns(clone), no_eq)]
pub fn check(db: &dyn Db, workspace: Workspace) -> Arc<Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    for &file in workspace.files(db) {
        diagnostics.extend(file_syntax_diagnostics(db, file).iter().cloned());
    }
    let syntax_is_clean = diagnostics.is_empty();
    for &file in workspace.files(db) {
        diagnostics.extend(
            crate::checks::credentials::file_credentials(db, file)
                .iter()
                .cloned(),
        );
    }
    if syntax_is_clean {
        for &file in workspace.files(db) {
            diagnostics.extend(
                resolve_file(db, workspace, file)
                    .diagnostics
                    .iter()
                    .cloned(),
            );
        }
        diagnostics.extend(evaluate(db, workspace).diagnostics.iter().cloned());
    }
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup();
    Arc::new(diagnostics)
}

/// A workspace of the given fleet files (id, path, text, module), with the stdlib.
pub fn workspace(
    db: &dyn Db,
    files: impl IntoIterator<Item = (FileId, String, Arc<str>, Arc<str>)>,
) -> Workspace {
    let inputs: Vec<SourceFile> = files
        .into_iter()
        .map(|(id, path, text, module)| SourceFile::new(db, id, path, text, Origin::Fleet, module))
        .collect();
    workspace_of(db, inputs)
}

/// A workspace of fleet files already made inputs, with the stdlib.
pub fn workspace_of(db: &dyn Db, mut inputs: Vec<SourceFile>) -> Workspace {
    inputs.extend(crate::stdlib::inputs(db));
    Workspace::new(db, inputs)
}
