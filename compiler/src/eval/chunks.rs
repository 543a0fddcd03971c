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
        // they make (which every chunk's evaluation looks names up in), then
        // the chunks: three phases on the same threads.
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
        let name_chunks = |db: &crate::db::Database, item: usize| {
            let (file, chunk) = named[item];
            crate::names::expand::chunk_names(db, workspace, file, chunk);
        };
        // Both made of the same names, one on each core: every chunk looks its
        // declarations' names up in the second (made first by one chunk, the
        // others waiting, it was ~1.5 ms of one core).
        let index_names = |db: &crate::db::Database, item: usize| match item {
            0 => drop(crate::names::index::name_index(db, workspace)),
            _ => drop(crate::names::expand::generated_names(db, workspace)),
        };
        let evaluate_chunks = |db: &crate::db::Database, item: usize| {
            let (file, chunk) = chunks[item];
            evaluate_chunk(db, workspace, file, chunk);
        };
        let mut phases = Vec::new();
        if !named.is_empty() {
            phases.push(Phase {
                items: named.len(),
                work: &name_chunks,
            });
            phases.push(Phase {
                items: 2,
                work: &index_names,
            });
        }
        let index_phase = phases.len();
        phases.push(Phase {
            items: chunks.len(),
            work: &evaluate_chunks,
        });
        // The index is built once the phase before the chunks' is done.
        let mut index_built = Some(index_built);
        if index_phase == 0 {
            index_built.take();
        }
        in_phases(db, threads, &phases, |phase| {
            if phase + 1 == index_phase {
                index_built.take();
            }
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

/// Work on every item of one phase of `in_phases`: `work(db, item)` for each
/// `item` below `items`.
struct Phase<'a> {
    items: usize,
    work: &'a (dyn Fn(&crate::db::Database, usize) + Sync),
}

/// Each of `phases` in order, on up to `threads` threads (this one among
/// them), each with its own handle of the database; a phase starts once
/// every thread is done with the one before, and `between(phase)` runs on this
/// thread once `phase` is done. Each thread takes the next item nobody took:
/// chunks of clusters and of apps cost different amounts. The threads are
/// made once for all the phases: a new thread starts with an allocator heap
/// of its own, which took over the memory of the threads before it page by
/// page (~4% of checking W(10,000), with the thread starts), and this one
/// would wait idle. An edit in the editor cancels the work: the `check` that
/// follows finds out and stops the same way. A panic stops the work too, and
/// is resumed here (no thread is left waiting at a barrier).
fn in_phases(
    db: &crate::db::Database,
    threads: usize,
    phases: &[Phase<'_>],
    mut between: impl FnMut(usize),
) {
    let most = phases.iter().map(|phase| phase.items).max().unwrap_or(0);
    let threads = threads.min(most).max(1);
    let barrier = std::sync::Barrier::new(threads);
    let next: Vec<std::sync::atomic::AtomicUsize> = phases
        .iter()
        .map(|_| std::sync::atomic::AtomicUsize::new(0))
        .collect();
    // Cancelled by an edit, or a panic: the work stops, and a panic is
    // resumed on this thread once every thread is done.
    let stopped = std::sync::atomic::AtomicBool::new(false);
    let panicked = std::sync::Mutex::new(None);
    let phase = |db: &crate::db::Database, position: usize| {
        let Phase { items, work } = &phases[position];
        while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
            let item = next[position].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if item >= *items {
                break;
            }
            let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(db, item)));
            if let Err(payload) = done {
                stopped.store(true, std::sync::atomic::Ordering::Relaxed);
                if !payload.is::<salsa::Cancelled>() {
                    let mut first = panicked
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    first.get_or_insert(payload);
                }
            }
        }
        // Stopped or not, every thread meets every barrier.
        barrier.wait();
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            let db = db.clone();
            let phase = &phase;
            scope.spawn(move || {
                for position in 0..phases.len() {
                    phase(&db, position);
                }
            });
        }
        let db = db.clone();
        for position in 0..phases.len() {
            phase(&db, position);
            between(position);
        }
    });
    let panicked = panicked
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(payload) = panicked {
        std::panic::resume_unwind(payload);
    }
}

#[cfg(test)]
mod tests {
    use super::{Phase, in_phases};
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn phases_run_in_order_on_every_thread() {
        let db = crate::db::Database::default();
        let first = AtomicUsize::new(0);
        let second_saw = std::sync::Mutex::new(Vec::new());
        let count = |_: &crate::db::Database, _: usize| {
            first.fetch_add(1, Ordering::SeqCst);
        };
        let check = |_: &crate::db::Database, item: usize| {
            // Every item of the first phase is done before any of the second.
            second_saw
                .lock()
                .unwrap()
                .push((item, first.load(Ordering::SeqCst)));
        };
        let mut between = Vec::new();
        in_phases(
            &db,
            2,
            &[
                Phase {
                    items: 50,
                    work: &count,
                },
                Phase {
                    items: 10,
                    work: &check,
                },
            ],
            |phase| between.push(phase),
        );
        let mut saw = second_saw.into_inner().unwrap();
        saw.sort();
        assert_eq!(saw, (0..10).map(|item| (item, 50)).collect::<Vec<_>>());
        assert_eq!(between, [0, 1]);
    }

    #[test]
    fn a_panic_stops_the_phases_and_is_resumed_without_a_thread_left_waiting() {
        let db = crate::db::Database::default();
        let later = AtomicUsize::new(0);
        let fails = |_: &crate::db::Database, item: usize| {
            if item == 3 {
                panic!("item 3 fails");
            }
        };
        let counts = |_: &crate::db::Database, _: usize| {
            later.fetch_add(1, Ordering::SeqCst);
        };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            in_phases(
                &db,
                2,
                &[
                    Phase {
                        items: 8,
                        work: &fails,
                    },
                    Phase {
                        items: 8,
                        work: &counts,
                    },
                ],
                |_| {},
            );
        }));
        let payload = result.expect_err("the panic is resumed");
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"item 3 fails"));
        assert_eq!(
            later.load(Ordering::SeqCst),
            0,
            "the next phase does not run"
        );
    }
}
