//! What a request runs on: a clone of the database (a snapshot: when the main
//! loop sets an input, salsa cancels the queries running on clones, and waits for
//! them to let go) and the file table of the moment. A request's panic, salsa's
//! cancellation included, is caught at one boundary, `answer`: the server
//! answers with an error and goes on.

use crate::workspace_files::FileTable;
use fleet_compiler::db::Database;
use lsp_server::{ErrorCode, RequestId, Response};
use serde::Serialize;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

/// The stack of the threads that run requests: evaluation recurses through
/// nested values (the CLI's main thread has the same).
pub const WORKER_STACK: usize = 512 * 1024 * 1024;

#[derive(Clone)]
pub struct Snapshot {
    pub db: Database,
    pub files: Arc<FileTable>,
}

/// Why running something on a snapshot gave no result.
pub enum Interrupted {
    /// An edit arrived: the result would describe text that is gone.
    Cancelled,
    /// A bug: the message of the panic.
    Panicked(String),
}

/// Runs `work`, catching salsa's cancellation and any panic.
pub fn catching<T>(work: impl FnOnce() -> T) -> Result<T, Interrupted> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
        if payload.is::<salsa::Cancelled>() {
            return Interrupted::Cancelled;
        }
        let message = payload
            .downcast_ref::<&str>()
            .map(|text| text.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string());
        Interrupted::Panicked(message)
    })
}

/// The response to a request: `work`'s result, or the error that says why there
/// is none.
pub fn answer<T: Serialize>(id: RequestId, work: impl FnOnce() -> T) -> Response {
    match catching(work) {
        Ok(result) => Response::new_ok(id, result),
        Err(Interrupted::Cancelled) => Response::new_err(
            id,
            ErrorCode::ContentModified as i32,
            "the document changed while the request ran".to_string(),
        ),
        Err(Interrupted::Panicked(message)) => {
            eprintln!("fleet lsp: a request failed: {message}");
            Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("internal error: {message}"),
            )
        }
    }
}

/// Runs `work` on a thread of its own with a large stack.
pub fn spawn(work: impl FnOnce() + Send + 'static) {
    let spawned = std::thread::Builder::new()
        .name("fleet-lsp-worker".into())
        .stack_size(WORKER_STACK)
        .spawn(work);
    if let Err(error) = spawned {
        eprintln!("fleet lsp: cannot start a worker thread: {error}");
    }
}
