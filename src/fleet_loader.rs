//! Reads a fleet from disk: the `.fleet` files of one folder (regular files only,
//! not its subfolders, in name order), or a single file, and the library folders
//! they import (`import "./lib"`), each as a module. The compiler does no IO; this
//! is where bytes come from.

use anyhow::{Context, Result};
use fleet_compiler::diagnostics::{Diagnostic, code};
use fleet_compiler::names::items::folder_imports_in;
use fleet_compiler::names::modules::resolve_import;
use fleet_compiler::source::{FileId, SourceMap, Undecodable, check_size, decode};
use std::collections::{BTreeSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct LoadedFile {
    pub id: FileId,
    pub path: PathBuf,
    /// `""` for the fleet's folder, the folder's path from it for a library.
    pub module: Arc<str>,
}

pub struct LoadedFleet {
    pub sources: SourceMap,
    /// The files that decoded as text.
    pub files: Vec<LoadedFile>,
    /// How many `.fleet` files were found, readable as text or not.
    pub files_read: usize,
    /// Problems found while reading: no files, not UTF-8, binary.
    pub diagnostics: Vec<Diagnostic>,
}

pub fn load(path: &Path) -> Result<LoadedFleet> {
    let metadata =
        fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let (root, paths) = if metadata.is_dir() {
        (path.to_path_buf(), fleet_files_in(path)?)
    } else {
        (
            path.parent().map(Path::to_path_buf).unwrap_or_default(),
            vec![path.to_path_buf()],
        )
    };
    let mut loaded = LoadedFleet {
        sources: SourceMap::new(),
        files: Vec::new(),
        files_read: 0,
        diagnostics: Vec::new(),
    };
    if paths.is_empty() {
        loaded.diagnostics.push(
            Diagnostic::new(
                code::E0008,
                format!("no `.fleet` files in `{}`", path.display()),
            )
            .with_help("a fleet is a folder of `.fleet` files; pass the folder that holds them"),
        );
    }
    let mut modules_loaded: BTreeSet<Arc<str>> = BTreeSet::from([Arc::from("")]);
    let mut pending: VecDeque<(Arc<str>, Vec<PathBuf>)> = VecDeque::from([(Arc::from(""), paths)]);
    while let Some((module, paths)) = pending.pop_front() {
        for file_path in paths {
            let Some(text) = read_file(&mut loaded, &file_path, module.clone())? else {
                continue;
            };
            // Follow the file's imports of library folders inside the fleet.
            for import in folder_imports_in(&text) {
                let Ok(target) = resolve_import(&module, &import) else {
                    continue;
                };
                if !modules_loaded.insert(target.clone()) {
                    continue;
                }
                let folder = root.join(&*target);
                if folder.is_dir() {
                    pending.push_back((target, fleet_files_in(&folder)?));
                }
            }
        }
    }
    Ok(loaded)
}

/// Reads one file into the source map; the text if it decodes, else a diagnostic.
fn read_file(
    loaded: &mut LoadedFleet,
    file_path: &Path,
    module: Arc<str>,
) -> Result<Option<Arc<str>>> {
    let display = file_path.display().to_string();
    let read_error = || format!("cannot read `{}`", file_path.display());
    let len = fs::metadata(file_path).with_context(read_error)?.len();
    // A file too large is refused before it is read.
    let decoded = match check_size(FileId(0), len) {
        Some(diagnostic) => Err(Box::new(Undecodable {
            diagnostic,
            display_text: String::new(),
        })),
        None => decode(FileId(0), fs::read(file_path).with_context(read_error)?),
    };
    loaded.files_read += 1;
    match decoded {
        Ok(text) => {
            let text: Arc<str> = Arc::from(text);
            let id = loaded.sources.add(display, text.clone());
            loaded.files.push(LoadedFile {
                id,
                path: file_path.to_path_buf(),
                module,
            });
            Ok(Some(text))
        }
        Err(undecodable) => {
            let Undecodable {
                mut diagnostic,
                display_text,
            } = *undecodable;
            let id = loaded.sources.add(display, display_text);
            if let Some(label) = diagnostic.primary.as_mut() {
                label.span.file = id;
            }
            loaded.diagnostics.push(diagnostic);
            Ok(None)
        }
    }
}

fn fleet_files_in(folder: &Path) -> Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    let entries = fs::read_dir(folder)
        .with_context(|| format!("cannot read folder `{}`", folder.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read folder `{}`", folder.display()))?;
        let path = entry.path();
        if path
            .extension()
            .is_some_and(|extension| extension == "fleet")
            && fs::metadata(&path).is_ok_and(|metadata| metadata.is_file())
        {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}
