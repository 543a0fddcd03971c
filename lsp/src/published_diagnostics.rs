//! The diagnostics of every file, as the editor gets them: computed on a snapshot
//! (the same `check` as `fleet check`), grouped by document, converted. The main
//! loop publishes a document's list when it changed or the document was edited.

use crate::convert;
use crate::snapshot::Snapshot;
use fleet_compiler::check::{check, file_syntax_diagnostics};
use fleet_compiler::db::line_index;
use fleet_compiler::diagnostics::{Diagnostic, Span};
use fleet_compiler::source::LineIndex;
use lsp_types::{Location, Uri};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Diagnostics by document URI (as text, for a stable order); every file of the
/// fleet has an entry, empty when it is clean.
pub type ByDocument = BTreeMap<String, (Uri, Vec<lsp_types::Diagnostic>)>;

pub fn compute(snapshot: &Snapshot, load_diagnostics: &[(PathBuf, Diagnostic)]) -> ByDocument {
    let db = &snapshot.db;
    let files = &snapshot.files;
    let mut by_document = ByDocument::new();
    for &file in files.fleet_files.iter().chain(&files.outside) {
        if let Some(uri) = files.uri(file.id(db)) {
            by_document.insert(uri.as_str().to_string(), (uri.clone(), Vec::new()));
        }
    }
    let located = |span: &Span| -> Option<Location> {
        let uri = files.uri(span.file)?;
        let file = files.file(uri)?;
        let index = line_index(db, file);
        Some(Location::new(
            uri.clone(),
            convert::range(&index, span.range),
        ))
    };
    let mut add = |diagnostic: &Diagnostic| {
        // A problem of no file in particular goes on the fleet's first file.
        let file = match &diagnostic.primary {
            Some(label) => files.uri(label.span.file).and_then(|uri| files.file(uri)),
            None => files.fleet_files.first().copied(),
        };
        let Some(file) = file else { return };
        let Some(uri) = files.uri(file.id(db)) else {
            return;
        };
        let index = line_index(db, file);
        let converted = convert::diagnostic(diagnostic, &index, &located);
        by_document
            .entry(uri.as_str().to_string())
            .or_insert_with(|| (uri.clone(), Vec::new()))
            .1
            .push(converted);
    };
    if let Some(workspace) = files.workspace
        && !files.fleet_files.is_empty()
    {
        fleet_compiler::eval::chunks::evaluate_in_parallel(db, workspace);
        for diagnostic in check(db, workspace).iter() {
            add(diagnostic);
        }
    }
    for &file in &files.outside {
        for diagnostic in file_syntax_diagnostics(db, file).iter() {
            add(diagnostic);
        }
    }
    // A file that could not be read as text: its problem at its start.
    let empty = LineIndex::new("");
    for (path, diagnostic) in load_diagnostics {
        let uri = convert::path_to_uri(path);
        let converted = convert::diagnostic(diagnostic, &empty, &|_| None);
        by_document
            .entry(uri.as_str().to_string())
            .or_insert_with(|| (uri.clone(), Vec::new()))
            .1
            .push(converted);
    }
    by_document
}
