//! The files the server compiles, as database inputs. The folder the editor opened
//! is the fleet: its `.fleet` files and the library folders they import, read from
//! disk except where a document is open (the editor's text wins). Each path keeps
//! its input (and file id) while it is part of the fleet, so an edit changes one
//! input's text and salsa re-runs only what depends on it. Documents open outside
//! the fleet's folder get syntax diagnostics, symbols and formatting only.

use crate::convert::{path_to_uri, uri_to_path};
use crate::fleet_loader::{self, OpenBuffers};
use crate::stdlib_on_disk::StdlibOnDisk;
use fleet_compiler::db::{Database, Origin, SourceFile, Workspace};
use fleet_compiler::diagnostics::Diagnostic;
use fleet_compiler::names::modules::LibraryFolders;
use fleet_compiler::source::FileId;
use lsp_types::Uri;
use salsa::Setter;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What a request needs to find files: shared (read-only) with the threads that
/// answer requests, rebuilt when the set of files changes.
#[derive(Default)]
pub struct FileTable {
    by_id: HashMap<FileId, (Uri, SourceFile)>,
    by_path: HashMap<PathBuf, SourceFile>,
    /// The fleet's files, in load order.
    pub fleet_files: Vec<SourceFile>,
    /// Open documents outside the fleet.
    pub outside: Vec<SourceFile>,
    pub workspace: Option<Workspace>,
}

impl FileTable {
    pub fn file(&self, uri: &Uri) -> Option<SourceFile> {
        self.by_path.get(&uri_to_path(uri)?).copied()
    }

    pub fn uri(&self, id: FileId) -> Option<&Uri> {
        self.by_id.get(&id).map(|(uri, _)| uri)
    }

    /// The workspace a file is compiled in; `None` for one outside the fleet.
    pub fn workspace_of(&self, db: &Database, file: SourceFile) -> Option<Workspace> {
        let workspace = self.workspace?;
        workspace.files(db).contains(&file).then_some(workspace)
    }
}

pub struct WorkspaceFiles {
    pub root: Option<PathBuf>,
    /// The text of each open document, by path.
    pub buffers: OpenBuffers,
    inputs: BTreeMap<PathBuf, SourceFile>,
    outside: BTreeMap<PathBuf, SourceFile>,
    stdlib: StdlibOnDisk,
    stdlib_inputs: Vec<SourceFile>,
    workspace: Option<Workspace>,
    library_folders: Option<LibraryFolders>,
    next_id: u32,
    /// What reading the folder found wrong (a file that is not UTF-8), by file.
    pub load_diagnostics: Vec<(PathBuf, Diagnostic)>,
    pub table: Arc<FileTable>,
}

impl WorkspaceFiles {
    pub fn new(db: &Database, root: Option<PathBuf>) -> WorkspaceFiles {
        WorkspaceFiles {
            root,
            buffers: OpenBuffers::new(),
            inputs: BTreeMap::new(),
            outside: BTreeMap::new(),
            stdlib: StdlibOnDisk::write(),
            stdlib_inputs: fleet_compiler::stdlib::inputs(db),
            workspace: None,
            library_folders: None,
            next_id: 0,
            load_diagnostics: Vec::new(),
            table: Arc::default(),
        }
    }

    pub fn is_stdlib(&self, path: &Path) -> bool {
        self.stdlib.index_of(path).is_some()
    }

    /// Sets the text of a file already loaded; `false` when the path is not one
    /// (the caller reloads the folder).
    pub fn set_text(&mut self, db: &mut Database, path: &Path, text: Arc<str>) -> bool {
        let Some(input) = self
            .inputs
            .get(path)
            .or_else(|| self.outside.get(path))
            .copied()
        else {
            return false;
        };
        if **input.text(db) != *text {
            input.set_text(db).to(text);
        }
        true
    }

    /// Reads the fleet again (what is on disk, and the open documents) and brings
    /// the inputs in line: new files become inputs, changed ones get their new
    /// text, files gone leave the workspace.
    pub fn reload(&mut self, db: &mut Database) {
        let mut loaded_files: Vec<(PathBuf, Arc<str>, Arc<str>)> = Vec::new();
        let mut folders = BTreeMap::new();
        self.load_diagnostics.clear();
        if let Some(root) = self.root.clone() {
            let result = fleet_loader::load_with(&root, &self.buffers, &mut |file, text| {
                loaded_files.push((file.path.clone(), file.module.clone(), text.clone()));
                fleet_compiler::names::items::folder_imports_in(text)
            });
            if let Ok(loaded) = result {
                folders = loaded.folders;
                self.load_diagnostics = Self::by_path(&loaded.sources, loaded.diagnostics);
            }
        }

        let mut inputs = BTreeMap::new();
        let mut order = Vec::new();
        for (path, module, text) in loaded_files {
            let previous = self.inputs.remove(&path);
            let input = self.input_for(db, previous, &path, text, module);
            order.push(input);
            inputs.insert(path, input);
        }
        self.inputs = inputs;

        // Open documents that are not part of the fleet.
        let mut outside = BTreeMap::new();
        let buffers = self.buffers.clone();
        for (path, text) in &buffers {
            if self.inputs.contains_key(path) || self.is_stdlib(path) {
                continue;
            }
            let previous = self.outside.remove(path);
            let input = self.input_for(db, previous, path, text.clone(), Arc::from(""));
            outside.insert(path.clone(), input);
        }
        self.outside = outside;

        let mut files = order.clone();
        files.extend(self.stdlib_inputs.iter().copied());
        match self.workspace {
            Some(workspace) => {
                if *workspace.files(db) != files {
                    workspace.set_files(db).to(files);
                }
            }
            None => self.workspace = Some(Workspace::new(db, files)),
        }
        match self.library_folders {
            Some(library) => {
                if *library.folders(db) != folders {
                    library.set_folders(db).to(folders);
                }
            }
            None => self.library_folders = Some(LibraryFolders::new(db, folders)),
        }
        self.table = Arc::new(self.file_table(db, order));
    }

    /// The input of `path`: the one it had, its text and module brought up to
    /// date (salsa sees a change only if they differ), or a new one.
    fn input_for(
        &mut self,
        db: &mut Database,
        previous: Option<SourceFile>,
        path: &Path,
        text: Arc<str>,
        module: Arc<str>,
    ) -> SourceFile {
        let Some(input) = previous else {
            let id = FileId(self.next_id);
            self.next_id += 1;
            let path = path.display().to_string();
            return SourceFile::new(db, id, path, text, Origin::Fleet, module);
        };
        if **input.text(db) != *text {
            input.set_text(db).to(text);
        }
        if **input.module(db) != *module {
            input.set_module(db).to(module);
        }
        input
    }

    fn file_table(&self, db: &Database, fleet_files: Vec<SourceFile>) -> FileTable {
        let mut table = FileTable {
            fleet_files,
            outside: self.outside.values().copied().collect(),
            workspace: self.workspace,
            ..FileTable::default()
        };
        for (path, input) in self.inputs.iter().chain(&self.outside) {
            table
                .by_id
                .insert(input.id(db), (path_to_uri(path), *input));
            table.by_path.insert(path.clone(), *input);
        }
        for (path, input) in self.stdlib.paths.iter().zip(&self.stdlib_inputs) {
            if let Some(path) = path {
                table
                    .by_id
                    .insert(input.id(db), (path_to_uri(path), *input));
                table.by_path.insert(path.clone(), *input);
            }
        }
        table
    }

    /// The loader's diagnostics by the path of their file (one that is not text
    /// has no input, so no id of ours). Those about no file in particular (an
    /// empty folder) have nowhere to be shown in an editor.
    fn by_path(
        sources: &fleet_compiler::source::SourceMap,
        diagnostics: Vec<Diagnostic>,
    ) -> Vec<(PathBuf, Diagnostic)> {
        diagnostics
            .into_iter()
            .filter_map(|diagnostic| {
                let label = diagnostic.primary.as_ref()?;
                let path = PathBuf::from(&sources.get(label.span.file).path);
                Some((path, diagnostic))
            })
            .collect()
    }
}
