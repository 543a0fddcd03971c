//! Reads a fleet from disk: the `.fleet` files of one folder (regular files only,
//! not its subfolders, in name order), or a single file, and the library folders
//! they import (`import "./lib"`), each as a module. The compiler does no IO; this
//! is where bytes come from, and where an imported folder that gives no file is
//! found to be missing, empty or a file (`LoadedFleet::folders`).

use anyhow::{Context, Result};
use fleet_compiler::diagnostics::{Diagnostic, code};
use fleet_compiler::names::items::ImportTarget;
use fleet_compiler::names::modules::{FolderState, resolve_import};
use fleet_compiler::source::{FileId, SourceMap, Undecodable, check_size, decode};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
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
    /// The imported folders that gave no file, by module (`"libs"`): what is at
    /// their path. The compiler reports the imports (E0203) from this once it is
    /// set as the database's `LibraryFolders`.
    pub folders: BTreeMap<Arc<str>, FolderState>,
}

/// The texts of files open in an editor, by path: they replace what is on disk,
/// and count as files of their folder even before they are saved.
pub type OpenBuffers = BTreeMap<PathBuf, Arc<str>>;

/// Loads the fleet at `path`, finding each file's imports by parsing it alone
/// (for commands that keep no database, such as `fleet fmt`).
pub fn load(path: &Path) -> Result<LoadedFleet> {
    load_with(path, &OpenBuffers::new(), &mut |_, text| {
        fleet_compiler::names::items::folder_imports_in(text)
    })
}

/// Loads the fleet at `path`. `folder_imports` gives the library folders a file
/// imports, so that the caller can find them with the parse it keeps (the
/// compilation's database) rather than parsing every file twice.
pub fn load_with(
    path: &Path,
    buffers: &OpenBuffers,
    folder_imports: &mut dyn FnMut(&LoadedFile, &Arc<str>) -> Vec<ImportTarget>,
) -> Result<LoadedFleet> {
    let metadata =
        fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let (root, paths) = if metadata.is_dir() {
        (path.to_path_buf(), fleet_files_in(path, buffers)?)
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
        folders: BTreeMap::new(),
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
            let Some(text) = read_file(&mut loaded, &file_path, module.clone(), buffers)? else {
                continue;
            };
            // Follow the file's imports of library folders inside the fleet.
            let file = loaded.files.last().expect("read_file added the file");
            for import in folder_imports(file, &text) {
                let Ok(target) = resolve_import(&module, &import) else {
                    continue;
                };
                if !modules_loaded.insert(target.clone()) {
                    continue;
                }
                let folder = root.join(&*target);
                if folder.is_dir() {
                    let files = fleet_files_in(&folder, buffers)?;
                    if files.is_empty() {
                        loaded.folders.insert(target.clone(), FolderState::Empty);
                    }
                    pending.push_back((target, files));
                } else if folder.exists() {
                    loaded.folders.insert(target, FolderState::File);
                } else {
                    let siblings = library_folders_beside(&root, &target);
                    loaded
                        .folders
                        .insert(target, FolderState::Missing { siblings });
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
    buffers: &OpenBuffers,
) -> Result<Option<Arc<str>>> {
    let display = file_path.display().to_string();
    if let Some(text) = buffers.get(file_path) {
        loaded.files_read += 1;
        let id = loaded.sources.add(display, text.clone());
        loaded.files.push(LoadedFile {
            id,
            path: file_path.to_path_buf(),
            module,
        });
        return Ok(Some(text.clone()));
    }
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

/// The folders beside where the missing folder `module` would be that hold
/// `.fleet` files, as modules (`"lib"`, `"shared/net"`), for did-you-mean. Folders
/// that cannot be read are left out: this only feeds a suggestion.
fn library_folders_beside(root: &Path, module: &str) -> Vec<Arc<str>> {
    let parent = module.rsplit_once('/').map_or("", |(parent, _)| parent);
    let Ok(entries) = fs::read_dir(root.join(parent)) else {
        return Vec::new();
    };
    let mut siblings: Vec<Arc<str>> = entries
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir())
        .filter(|entry| {
            fleet_files_in(&entry.path(), &OpenBuffers::new()).is_ok_and(|files| !files.is_empty())
        })
        .filter_map(|entry| entry.file_name().to_str().map(str::to_string))
        .map(|name| match parent {
            "" => Arc::from(name),
            parent => Arc::from(format!("{parent}/{name}")),
        })
        .collect();
    siblings.sort();
    siblings
}

/// The `.fleet` files of `folder`, in name order, with the open buffers of that
/// folder that are not saved yet.
fn fleet_files_in(folder: &Path, buffers: &OpenBuffers) -> Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = buffers
        .keys()
        .filter(|path| path.parent() == Some(folder) && is_fleet_file_name(path))
        .cloned()
        .collect();
    let entries = fs::read_dir(folder)
        .with_context(|| format!("cannot read folder `{}`", folder.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read folder `{}`", folder.display()))?;
        let path = entry.path();
        if is_fleet_file_name(&path)
            && fs::metadata(&path).is_ok_and(|metadata| metadata.is_file())
            && !paths.contains(&path)
        {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

pub fn is_fleet_file_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension == "fleet")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compilation::Compilation;

    const FLEET: &str = "fleet acme { repo = \"https://github.com/acme/gitops\" }\nenv dev {}\n";

    /// Loads `root` and checks it the way `fleet check` does.
    fn check_messages(root: &Path) -> Vec<(String, Option<String>)> {
        let compilation = Compilation::open(root).expect("the fleet loads");
        compilation
            .diagnostics()
            .iter()
            .map(|diagnostic| {
                assert_eq!(diagnostic.code.id, "E0203", "{diagnostic:?}");
                (diagnostic.message.clone(), diagnostic.help.clone())
            })
            .collect()
    }

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    #[test]
    fn a_missing_folder_is_told_from_an_empty_one_and_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            &root.join("fleet.fleet"),
            &format!("import \"./libs\"\nimport \"./empty\"\nimport \"./lib/eks.fleet\"\n{FLEET}"),
        );
        write(
            &root.join("lib/eks.fleet"),
            "template eks: Cluster { cloud = aws }\n",
        );
        // Beside `libs`, but without `.fleet` files: not suggested.
        write(&root.join("libz/notes.txt"), "");
        fs::create_dir_all(root.join("empty")).unwrap();
        let loaded = load(root).unwrap();
        assert_eq!(
            loaded.folders,
            BTreeMap::from([
                (Arc::from("empty"), FolderState::Empty),
                (Arc::from("lib/eks.fleet"), FolderState::File),
                (
                    Arc::from("libs"),
                    FolderState::Missing {
                        siblings: vec![Arc::from("lib")]
                    }
                ),
            ])
        );
        let messages = check_messages(root);
        assert_eq!(
            messages,
            [
                (
                    "no folder `./libs`".to_string(),
                    Some("did you mean `./lib`?".to_string())
                ),
                (
                    "`./empty` holds no `.fleet` files".to_string(),
                    Some(
                        "put the library's `.fleet` files in the folder, or delete this import"
                            .to_string()
                    )
                ),
                (
                    "`./lib/eks.fleet` is a file, not a folder".to_string(),
                    Some(
                        "an import names a folder, and brings in all its `.fleet` files: `import \"./lib\"`"
                            .to_string()
                    )
                ),
            ]
        );
    }

    #[test]
    fn siblings_are_found_beside_a_nested_missing_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            &root.join("fleet.fleet"),
            &format!("import \"./lib\"\n{FLEET}"),
        );
        write(
            &root.join("lib/eks.fleet"),
            "import \"../shared/nett\"\n\nlet a = 1\n",
        );
        write(&root.join("shared/net/vpc.fleet"), "let b = 2\n");
        let messages = check_messages(root);
        assert_eq!(
            messages,
            [(
                "no folder `../shared/nett`".to_string(),
                Some("did you mean `../shared/net`?".to_string())
            )]
        );
    }
}
