//! Reads a fleet from disk: the `.fleet` files of one folder (regular files only,
//! not its subfolders, in name order), or a single file. The compiler does no IO;
//! this is where bytes come from.

use anyhow::{Context, Result};
use fleet_compiler::diagnostics::{Diagnostic, code};
use fleet_compiler::source::{FileId, SourceMap, Undecodable, check_size, decode};
use std::fs;
use std::path::{Path, PathBuf};

pub struct LoadedFleet {
    pub sources: SourceMap,
    /// The files that decoded as text, with their paths on disk.
    pub files: Vec<(FileId, PathBuf)>,
    /// How many `.fleet` files were found, readable as text or not.
    pub files_read: usize,
    /// Problems found while reading: no files, not UTF-8, binary.
    pub diagnostics: Vec<Diagnostic>,
}

pub fn load(path: &Path) -> Result<LoadedFleet> {
    let metadata =
        fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let paths = if metadata.is_dir() {
        fleet_files_in(path)?
    } else {
        vec![path.to_path_buf()]
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
    for file_path in paths {
        let display = file_path.display().to_string();
        let read_error = || format!("cannot read `{}`", file_path.display());
        let len = fs::metadata(&file_path).with_context(read_error)?.len();
        // A file too large is refused before it is read.
        let decoded = match check_size(FileId(0), len) {
            Some(diagnostic) => Err(Box::new(Undecodable {
                diagnostic,
                display_text: String::new(),
            })),
            None => decode(FileId(0), fs::read(&file_path).with_context(read_error)?),
        };
        loaded.files_read += 1;
        match decoded {
            Ok(text) => {
                let id = loaded.sources.add(display, text);
                loaded.files.push((id, file_path));
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
            }
        }
    }
    Ok(loaded)
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
