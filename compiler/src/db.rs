//! The salsa database: the files of a fleet (and of the standard library) are
//! inputs; every stage is a tracked query over them, so an edit re-runs only what
//! depends on the text that changed.
//!
//! **Invariant:** the compiler reads files only through `SourceFile::text`; the CLI
//! and the language server set inputs, nothing else writes them.

use crate::source::{FileId, SourceMap};
use crate::syntax::{self, Parse};
use std::sync::{Arc, Mutex};

/// Where a file comes from: the user's fleet, or the standard library compiled
/// into the binary (read-only in the editor, high durability in salsa).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    Fleet,
    Stdlib,
}

#[salsa::input(debug)]
pub struct SourceFile {
    /// The id diagnostics use to name the file.
    #[returns(copy)]
    pub id: FileId,
    /// The path as diagnostics show it; for the stdlib, `std/<module>.fleet`.
    #[returns(ref)]
    pub path: String,
    #[returns(ref)]
    pub text: Arc<str>,
    #[returns(copy)]
    pub origin: Origin,
    /// The module the file belongs to: `""` for the fleet's folder, the folder's
    /// path relative to it for an imported library (`"lib"`), `"std"` for the
    /// prelude and `"std.policies"` for a stdlib module.
    #[returns(ref)]
    pub module: Arc<str>,
}

/// The files compiled together: the fleet's folder (and the folders it imports),
/// and the standard library.
#[salsa::input(debug)]
pub struct Workspace {
    #[returns(ref)]
    pub files: Vec<SourceFile>,
}

#[salsa::db]
pub trait Db: salsa::Database {}

/// The database. Cheap to clone (a handle): the language server gives a clone to
/// each request; the CLI uses one.
#[salsa::db]
#[derive(Clone)]
pub struct Database {
    storage: salsa::Storage<Self>,
    /// The queries that ran, when a test asked to record them.
    executed: Arc<Mutex<Option<Vec<String>>>>,
}

impl Default for Database {
    fn default() -> Database {
        let executed: Arc<Mutex<Option<Vec<String>>>> = Arc::default();
        let log = executed.clone();
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind
                && let Some(log) = log.lock().expect("the log lock is never poisoned").as_mut()
            {
                log.push(format!("{database_key:?}"));
            }
        })));
        Database { storage, executed }
    }
}

#[salsa::db]
impl salsa::Database for Database {}

#[salsa::db]
impl Db for Database {}

impl Database {
    /// Starts recording which queries execute (for tests of incrementality).
    pub fn record_executions(&self) {
        *self
            .executed
            .lock()
            .expect("the log lock is never poisoned") = Some(Vec::new());
    }

    /// The queries executed since recording started (or the last call), as
    /// `query(key)` strings.
    pub fn take_executions(&self) -> Vec<String> {
        self.executed
            .lock()
            .expect("the log lock is never poisoned")
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }
}

/// The syntax tree of a file. Re-runs only when that file's text changes.
#[salsa::tracked(returns(ref))]
pub fn parse(db: &dyn Db, file: SourceFile) -> Parse {
    syntax::parse(file.text(db).clone(), file.id(db))
}

/// The files of a workspace as a `SourceMap`, for rendering diagnostics.
pub fn source_map(db: &dyn Db, workspace: Workspace) -> SourceMap {
    let mut map = SourceMap::new();
    for file in workspace.files(db) {
        map.insert(file.id(db), file.path(db).clone(), file.text(db).clone());
    }
    map
}

/// Where a file's lines start, for positions in UTF-16 (the language server) and
/// UTF-8 columns. Re-runs only when that file's text changes.
#[salsa::tracked(returns(clone))]
pub fn line_index(db: &dyn Db, file: SourceFile) -> Arc<crate::source::LineIndex> {
    Arc::new(crate::source::LineIndex::new(file.text(db)))
}
