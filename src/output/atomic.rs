//! A file replaced in one step: written beside its place, then renamed over it,
//! so a reader (or a crash) never sees half a file.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

/// Writes `contents` to `path` atomically, keeping the permissions of the file it
/// replaces; creates the folders on the way.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    let folder = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder)
        .with_context(|| format!("cannot create the folder `{}`", folder.display()))?;
    let permissions = std::fs::metadata(path)
        .map(|metadata| metadata.permissions())
        .ok();
    let mut temporary = tempfile::NamedTempFile::new_in(folder)
        .with_context(|| format!("cannot write in `{}`", folder.display()))?;
    temporary
        .write_all(contents)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    if let Some(permissions) = permissions {
        std::fs::set_permissions(temporary.path(), permissions)
            .with_context(|| format!("cannot keep the permissions of `{}`", path.display()))?;
    }
    temporary
        .persist(path)
        .with_context(|| format!("cannot replace `{}`", path.display()))?;
    Ok(())
}
