//! `fleet lsp`: the main loop. One thread owns the database and is the only one
//! that sets inputs (document edits, files appearing on disk); requests and the
//! workspace's diagnostics run on snapshots on other threads, and an edit cancels
//! them (salsa unwinds their queries; `snapshot::answer` turns that into a
//! `ContentModified` error). The loop handles messages in the order they arrive,
//! so an edit is always applied before a request that follows it.

use crate::convert::uri_to_path;
use crate::published_diagnostics::{self, ByDocument};
use crate::requests;
use crate::snapshot::{Interrupted, Snapshot, answer, catching, spawn};
use crate::text_edits::apply_changes;
use crate::workspace_files::WorkspaceFiles;
use anyhow::Result;
use crossbeam_channel::{Receiver, Sender};
use fleet_compiler::db::Database;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, RegisterCapability,
    Request as _,
};
use lsp_types::{
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, FileSystemWatcher, GlobPattern, InitializeParams, InitializeResult,
    OneOf, PositionEncodingKind, PublishDiagnosticsParams, Registration, RegistrationParams,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, Uri,
};
use std::collections::{BTreeMap, BTreeSet};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;

/// Serves the protocol on stdin and stdout until the client says `exit`.
pub fn run_stdio() -> Result<()> {
    let (connection, io_threads) = Connection::stdio();
    serve(connection)?;
    io_threads.join()?;
    Ok(())
}

/// Serves the protocol on `connection`: the handshake, then the main loop.
pub fn serve(connection: Connection) -> Result<()> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let result = InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "fleet".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    let mut server = Server::new(connection.sender.clone(), &params);
    server.main_loop(&connection)
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        // Positions count UTF-16 code units, the protocol's default, which every
        // client supports.
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

/// What the threads that compute diagnostics send back to the main loop.
struct DiagnosticsReady {
    generation: u64,
    by_document: ByDocument,
}

struct Server {
    sender: Sender<Message>,
    db: Database,
    files: WorkspaceFiles,
    watches_files: bool,
    /// Counts the changes; diagnostics computed before the latest are dropped.
    generation: u64,
    /// Documents edited since diagnostics were last published: theirs are
    /// published even when unchanged, so the editor knows they are current.
    edited: BTreeSet<String>,
    /// Whether the next publication covers every document (the first one).
    publish_all: bool,
    published: BTreeMap<String, Vec<lsp_types::Diagnostic>>,
    ready_sender: Sender<DiagnosticsReady>,
    ready_receiver: Receiver<DiagnosticsReady>,
}

impl Server {
    fn new(sender: Sender<Message>, params: &InitializeParams) -> Server {
        let db = Database::default();
        let files = WorkspaceFiles::new(&db, root_of(params));
        let watches_files = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|workspace| workspace.did_change_watched_files.as_ref())
            .and_then(|watched| watched.dynamic_registration)
            .unwrap_or(false);
        let (ready_sender, ready_receiver) = crossbeam_channel::unbounded();
        Server {
            sender,
            db,
            files,
            watches_files,
            generation: 0,
            edited: BTreeSet::new(),
            publish_all: true,
            published: BTreeMap::new(),
            ready_sender,
            ready_receiver,
        }
    }

    fn main_loop(&mut self, connection: &Connection) -> Result<()> {
        // `initialize_finish` took the client's `initialized`: the handshake is
        // done, so the server may ask for file events now.
        self.watch_files();
        self.files.reload(&mut self.db);
        self.check_workspace();
        loop {
            crossbeam_channel::select! {
                recv(connection.receiver) -> message => {
                    let Ok(message) = message else { return Ok(()) };
                    match message {
                        Message::Request(request) => {
                            if connection.handle_shutdown(&request)? {
                                return Ok(());
                            }
                            self.on_request(request);
                        }
                        Message::Notification(notification) => {
                            if notification.method == lsp_types::notification::Exit::METHOD {
                                return Ok(());
                            }
                            self.guarded(|server| server.on_notification(notification));
                        }
                        Message::Response(_) => {}
                    }
                }
                recv(self.ready_receiver) -> ready => {
                    if let Ok(ready) = ready {
                        self.guarded(|server| server.publish(ready));
                    }
                }
            }
        }
    }

    /// Runs a handler of the main loop; a bug in one is logged, not fatal.
    fn guarded(&mut self, handler: impl FnOnce(&mut Server)) {
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| handler(self)));
        if let Err(payload) = result {
            let message = payload
                .downcast_ref::<&str>()
                .map(|text| text.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            eprintln!("fleet lsp: handling a notification failed: {message}");
        }
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            db: self.db.clone(),
            files: self.files.table.clone(),
        }
    }

    fn on_request(&mut self, request: Request) {
        match request.method.as_str() {
            HoverRequest::METHOD => self.run::<HoverRequest>(request, requests::hover),
            GotoDefinition::METHOD => self.run::<GotoDefinition>(request, requests::definition),
            DocumentSymbolRequest::METHOD => {
                self.run::<DocumentSymbolRequest>(request, requests::document_symbols)
            }
            Formatting::METHOD => self.run::<Formatting>(request, requests::formatting),
            _ => self.respond(Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("fleet lsp does not handle `{}`", request.method),
            )),
        }
    }

    /// Answers a request on a snapshot, on a thread of its own.
    fn run<R: lsp_types::request::Request>(
        &mut self,
        request: Request,
        handler: fn(&Snapshot, R::Params) -> R::Result,
    ) where
        R::Params: Send + 'static,
    {
        let params: R::Params = match serde_json::from_value(request.params) {
            Ok(params) => params,
            Err(error) => {
                return self.respond(Response::new_err(
                    request.id,
                    ErrorCode::InvalidParams as i32,
                    format!("invalid parameters for `{}`: {error}", request.method),
                ));
            }
        };
        let snapshot = self.snapshot();
        let sender = self.sender.clone();
        let id = request.id;
        spawn(move || {
            let response = answer(id, || handler(&snapshot, params));
            let _ = sender.send(Message::Response(response));
        });
    }

    fn respond(&self, response: Response) {
        let _ = self.sender.send(Message::Response(response));
    }

    fn on_notification(&mut self, notification: Notification) {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(params) =
                    serde_json::from_value::<DidOpenTextDocumentParams>(notification.params)
                {
                    self.opened(params);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(params) =
                    serde_json::from_value::<DidChangeTextDocumentParams>(notification.params)
                {
                    self.changed(params);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(params) =
                    serde_json::from_value::<DidCloseTextDocumentParams>(notification.params)
                {
                    self.closed(params);
                }
            }
            DidChangeWatchedFiles::METHOD => {
                if let Ok(params) =
                    serde_json::from_value::<DidChangeWatchedFilesParams>(notification.params)
                {
                    self.files_changed_on_disk(params);
                }
            }
            // Saving changes nothing the server does not know; other notifications
            // (`$/cancelRequest`, settings) have nothing to act on.
            _ => {}
        }
    }

    /// A path the server handles: a file, not a read-only stdlib file.
    fn document_path(&self, uri: &Uri) -> Option<PathBuf> {
        let path = uri_to_path(uri)?;
        (!self.files.is_stdlib(&path)).then_some(path)
    }

    fn opened(&mut self, params: DidOpenTextDocumentParams) {
        let uri = params.text_document.uri;
        let Some(path) = self.document_path(&uri) else {
            return;
        };
        if self.files.root.is_none() {
            // No folder was opened: the document's folder is the fleet.
            self.files.root = path.parent().map(PathBuf::from);
        }
        let text: Arc<str> = Arc::from(params.text_document.text);
        self.files.buffers.insert(path.clone(), text.clone());
        if !self.files.set_text(&mut self.db, &path, text) {
            self.files.reload(&mut self.db);
        }
        self.edited.insert(uri.as_str().to_string());
        self.check_workspace();
    }

    fn changed(&mut self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let Some(path) = self.document_path(&uri) else {
            return;
        };
        let Some(before) = self.files.buffers.get(&path).cloned() else {
            return;
        };
        let text: Arc<str> = Arc::from(apply_changes(&before, params.content_changes));
        self.files.buffers.insert(path.clone(), text.clone());
        let imports = fleet_compiler::names::items::folder_imports_in;
        if imports(&before) != imports(&text) || !self.files.set_text(&mut self.db, &path, text) {
            // Another library folder is imported (or no longer): read the fleet again.
            self.files.reload(&mut self.db);
        }
        self.edited.insert(uri.as_str().to_string());
        self.check_workspace();
    }

    fn closed(&mut self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let Some(path) = self.document_path(&uri) else {
            return;
        };
        // What is on disk takes over again (or the file leaves the fleet).
        self.files.buffers.remove(&path);
        self.files.reload(&mut self.db);
        self.edited.insert(uri.as_str().to_string());
        self.check_workspace();
    }

    fn files_changed_on_disk(&mut self, params: DidChangeWatchedFilesParams) {
        let affects_closed_file = params.changes.iter().any(|change| {
            uri_to_path(&change.uri).is_some_and(|path| !self.files.buffers.contains_key(&path))
        });
        if affects_closed_file {
            self.files.reload(&mut self.db);
            self.check_workspace();
        }
    }

    /// Asks the client to report `.fleet` files created, changed or deleted on
    /// disk, when it can. Without that, the folder is read again whenever a
    /// document is opened or closed.
    fn watch_files(&mut self) {
        if !self.watches_files {
            return;
        }
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*.fleet".to_string()),
                kind: None,
            }],
        };
        let registration = Registration {
            id: "fleet-files".to_string(),
            method: DidChangeWatchedFiles::METHOD.to_string(),
            register_options: serde_json::to_value(options).ok(),
        };
        let request = Request::new(
            "fleet/register-file-watcher".to_string().into(),
            RegisterCapability::METHOD.to_string(),
            RegistrationParams {
                registrations: vec![registration],
            },
        );
        let _ = self.sender.send(Message::Request(request));
    }

    /// Starts computing the diagnostics of every document on a snapshot.
    fn check_workspace(&mut self) {
        self.generation += 1;
        let generation = self.generation;
        let snapshot = self.snapshot();
        let load_diagnostics = self.files.load_diagnostics.clone();
        let ready = self.ready_sender.clone();
        spawn(move || {
            match catching(|| published_diagnostics::compute(&snapshot, &load_diagnostics)) {
                Ok(by_document) => {
                    let _ = ready.send(DiagnosticsReady {
                        generation,
                        by_document,
                    });
                }
                // A later change started a newer computation.
                Err(Interrupted::Cancelled) => {}
                Err(Interrupted::Panicked(message)) => {
                    eprintln!("fleet lsp: computing diagnostics failed: {message}");
                }
            }
        });
    }

    /// Publishes what changed since the last publication, and the edited
    /// documents' diagnostics; those of documents gone are cleared.
    fn publish(&mut self, ready: DiagnosticsReady) {
        if ready.generation != self.generation {
            return;
        }
        let mut documents: BTreeSet<String> = ready.by_document.keys().cloned().collect();
        documents.extend(self.published.keys().cloned());
        for key in documents {
            let (uri, diagnostics) = match ready.by_document.get(&key) {
                Some((uri, diagnostics)) => (uri.clone(), diagnostics.clone()),
                None => match key.parse::<Uri>() {
                    Ok(uri) => (uri, Vec::new()),
                    Err(_) => continue,
                },
            };
            let unchanged = self
                .published
                .get(&key)
                .map_or(diagnostics.is_empty(), |before| *before == diagnostics);
            if unchanged && !self.publish_all && !self.edited.contains(&key) {
                continue;
            }
            let params = PublishDiagnosticsParams::new(uri, diagnostics.clone(), None);
            let notification = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
            let _ = self.sender.send(Message::Notification(notification));
            if diagnostics.is_empty() {
                self.published.remove(&key);
            } else {
                self.published.insert(key, diagnostics);
            }
        }
        self.edited.clear();
        self.publish_all = false;
    }
}

/// The folder the editor opened: the first workspace folder, else the root URI.
#[allow(deprecated)] // `root_uri` is how older clients say it.
fn root_of(params: &InitializeParams) -> Option<PathBuf> {
    params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .and_then(|folder| uri_to_path(&folder.uri))
        .or_else(|| params.root_uri.as_ref().and_then(uri_to_path))
        .filter(|path| path.is_dir())
}
