//! A file replaced in one step: written beside its place, then renamed over it,
//! so a reader (or a crash) never sees half a file.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

/// Writes `contents` to `path` atomically, keeping the permissions of the file it
/// replaces; creates the folders on the way. Gives the written file's metadata
/// (read from the open file: no path to look up again).
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<std::fs::Metadata> {
    let folder = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)
        .with_context(|| format!("cannot create the folder `{}`", folder.display()))?;
    let permissions = std::fs::metadata(path)
        .map(|metadata| metadata.permissions())
        .ok();
    write_beside_and_rename(path, folder, contents, permissions)
}

/// Writes a new file atomically where the plan found none, in a folder that
/// exists: no folder to create and no permissions to keep, so only the four
/// system calls a file needs (a build of a large fleet writes a hundred
/// thousand).
pub fn write_new_atomically(path: &Path, contents: &[u8]) -> Result<std::fs::Metadata> {
    let folder = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    write_beside_and_rename(path, folder, contents, None)
}

fn write_beside_and_rename(
    path: &Path,
    folder: &Path,
    contents: &[u8],
    permissions: Option<std::fs::Permissions>,
) -> Result<std::fs::Metadata> {
    let mut temporary = tempfile::NamedTempFile::new_in(folder)
        .with_context(|| format!("cannot write in `{}`", folder.display()))?;
    temporary
        .write_all(contents)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    if let Some(permissions) = permissions {
        std::fs::set_permissions(temporary.path(), permissions)
            .with_context(|| format!("cannot keep the permissions of `{}`", path.display()))?;
    }
    // Renaming keeps the inode, length and modification time read here.
    let metadata = temporary
        .as_file()
        .metadata()
        .with_context(|| format!("cannot read back `{}`", path.display()))?;
    temporary
        .persist(path)
        .with_context(|| format!("cannot replace `{}`", path.display()))?;
    Ok(metadata)
}
