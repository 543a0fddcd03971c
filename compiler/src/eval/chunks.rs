//! A file's declarations in chunks of `CHUNK`, each evaluated by its own query
//! (`evaluate_chunk`), and `evaluate_in_parallel`, which evaluates the chunks of
//! a large file on every core before `check` asks for them. `evaluate_file`
//! joins a file's chunks.

use super::Evaluator;
use super::declarations::{FileEvaluation, Instance};
use crate::db::{Db, Origin, SourceFile, Workspace};
use crate::names::items::ItemKind;
use std::sync::Arc;

/// How many declarations one `evaluate_chunk` evaluates: enough that a chunk's
/// own caches (loop-invariant values, checked records) pay off, few enough that
/// a fleet of thousands of clusters has a chunk for every core.
pub const CHUNK: usize = 1024;

/// The declarations of a file, `for`s expanded, and what expanding them
/// reported (a condition that is not `true` or `false`, a range over a
/// string).
pub struct FileInstances {
    pub instances: Vec<Instance>,
    pub reported: Vec<crate::eval::Reported>,
}

/// The declarations of a file, `for`s expanded: the list the chunks share.
/// Expanded with the names declared outside `for`s, as `file_expansions`
/// expands them to name the same iterations (decision 005: a `for` may not
/// range over names `for`s generate), so it does not depend on the names
/// other files' `for`s generate.
#[salsa::tracked(returns(clone), no_eq)]
pub fn file_instances(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Arc<FileInstances> {
    let evaluator = Evaluator::with_index(
        db,
        workspace,
        crate::names::expand::declared_names(db, workspace),
    );
    let instances = evaluator.instances(file);
    Arc::new(FileInstances {
        instances,
        reported: evaluator.take_reported(),
    })
}

pub(crate) fn chunks_of(instances: &FileInstances) -> u32 {
    u32::try_from(instances.instances.len().div_ceil(CHUNK)).unwrap_or(u32::MAX)
}

impl FileInstances {
    /// The declarations of the `chunk`th `CHUNK`.
    pub(crate) fn chunk(&self, chunk: u32) -> &[Instance] {
        let start = (chunk as usize).saturating_mul(CHUNK);
        let end = start.saturating_add(CHUNK).min(self.instances.len());
        self.instances.get(start..end).unwrap_or(&[])
    }
}

/// The declarations of the `chunk`th `CHUNK` of a file's, with the layers of
/// the overlays of apps of the chunk (the others are left to `evaluate_file`),
/// and what evaluating them reported.
#[salsa::tracked(returns(clone), no_eq)]
pub fn evaluate_chunk(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    chunk: u32,
) -> Arc<ChunkEvaluation> {
    let instances = file_instances(db, workspace, file);
    let evaluator = Evaluator::new(db, workspace);
    let part = instances.chunk(chunk);
    let mut declarations = evaluator.declare_instances(part);
    let overlays: Vec<Instance> = part
        .iter()
        .filter(|instance| instance.kind == ItemKind::Overlay)
        .cloned()
        .collect();
    evaluator.overlay_layers(&mut declarations, &overlays);
    Arc::new(ChunkEvaluation {
        declarations,
        reported: evaluator.take_reported(),
    })
}

/// What `evaluate_chunk` finds.
pub struct ChunkEvaluation {
    pub declarations: FileEvaluation,
    pub reported: Vec<crate::eval::Reported>,
}

/// Evaluates the declarations of every file of the fleet on every core, chunk by
/// chunk, so that checking the workspace afterwards finds them done: what the
/// CLI and the language server call before `check` (a query cannot: the
/// database a query sees is not shared between threads, but each thread here
/// has its own handle of it). Does nothing while a file has syntax errors
/// (nothing is evaluated then), and leaves files of one chunk to `check`.
pub fn evaluate_in_parallel(db: &crate::db::Database, workspace: Workspace) {
    let threads = crate::parallel::threads();
    if threads == 1 {
        return;
    }
    let files: Vec<SourceFile> = workspace
        .files(db)
        .iter()
        .copied()
        .filter(|file| file.origin(db) == Origin::Fleet)
        .collect();
    // Dropped once this thread has the name index (or has returned early):
    // the side thread resolves references only then, so that it does
    // not build the index itself, evaluating the names of one chunk after the
    // other while the threads here wait for it.
    let (index_built, index_ready) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        // What `check` asks of every file besides its declarations: the scan of
        // its strings for credentials (which needs only its tree, and runs while
        // this thread expands the `for`s), then the resolution of its references
        // (which needs the name index). On another core: an explicit fleet of
        // ten thousand clusters spends ~10 and ~25 ms on them.
        scope.spawn({
            let db = db.clone();
            move || {
                // An edit cancels the work: `check` finds out the same way.
                let _ = salsa::Cancelled::catch(std::panic::AssertUnwindSafe(|| {
                    let all = workspace.files(&db);
                    for file in all {
                        crate::checks::credentials::file_credentials(&db, *file);
                    }
                    // Either way: the index is built, or it will not be here.
                    let _ = index_ready.recv();
                    if all
                        .iter()
                        .all(|file| crate::check::file_syntax_diagnostics(&db, *file).is_empty())
                    {
                        for file in all {
                            crate::names::resolve::resolve_file(&db, workspace, *file);
                        }
                    }
                }));
            }
        });
        let Some(chunks) = chunks_to_evaluate(db, workspace, &files) else {
            return;
        };
        if chunks.len() < 2 {
            return;
        }
        // The names the chunks generate, chunk by chunk, then the name index
        // they make (which every chunk's evaluation looks names up in).
        let named: Vec<(SourceFile, u32)> = chunks
            .iter()
            .copied()
            .filter(|(file, _)| {
                crate::names::expand::named_by_chunks(db, *file)
                    && crate::names::index::evaluates_names(&crate::names::items::file_items(
                        db, *file,
                    ))
            })
            .collect();
        if !named.is_empty() {
            on_every_core(db, &named, threads, |db, (file, chunk)| {
                crate::names::expand::chunk_names(db, workspace, file, chunk);
            });
            // Both made of the same names, one on each core: every chunk
            // looks its declarations' names up in the second (made first by
            // one chunk, the others waiting, it was ~1.5 ms of one core).
            on_every_core(db, &[true, false], threads, |db, index| {
                if index {
                    crate::names::index::name_index(db, workspace);
                } else {
                    crate::names::expand::generated_names(db, workspace);
                }
            });
        }
        drop(index_built);
        on_every_core(db, &chunks, threads, |db, (file, chunk)| {
            evaluate_chunk(db, workspace, file, chunk);
        });
    });
}

/// The chunks `evaluate_in_parallel` evaluates: none while a file has syntax
/// errors (`None`), else those of the files of several.
fn chunks_to_evaluate(
    db: &crate::db::Database,
    workspace: Workspace,
    files: &[SourceFile],
) -> Option<Vec<(SourceFile, u32)>> {
    if files
        .iter()
        .any(|file| !crate::check::file_syntax_diagnostics(db, *file).is_empty())
    {
        return None;
    }
    // Only the chunks of files of several: a file of one chunk is evaluated
    // by `check` as it comes. (Measured on a fleet of a hundred files of a
    // hundred clusters, evaluating them on two threads first was slower than
    // one after the other, in the editor after an edit above all: most were
    // evaluated already, and looking that up from another thread costs more
    // than it saves.)
    let chunks = files
        .iter()
        .flat_map(|file| {
            let count = chunks_of(&file_instances(db, workspace, *file));
            let several = if count > 1 { count } else { 0 };
            (0..several).map(move |chunk| (*file, chunk))
        })
        .collect();
    Some(chunks)
}

/// `work` done for each of `items` on up to `threads` threads, each with its
/// own handle of the database. Each thread takes the next item nobody took:
/// chunks of clusters and of apps cost different amounts. An edit in the
/// editor cancels the work: the `check` that follows finds out and stops the
/// same way.
fn on_every_core<T: Copy + Sync>(
    db: &crate::db::Database,
    items: &[T],
    threads: usize,
    work: impl Fn(&crate::db::Database, T) + Sync,
) {
    let threads = threads.min(items.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let next = &next;
            let db = db.clone();
            let work = &work;
            scope.spawn(move || {
                let taken = || items.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
                while let Some(item) = taken() {
                    let done = salsa::Cancelled::catch(std::panic::AssertUnwindSafe(|| {
                        work(&db, *item);
                    }));
                    if done.is_err() {
                        return;
                    }
                }
            });
        }
    });
}
