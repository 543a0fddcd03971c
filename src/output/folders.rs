//! Creating the folders a build writes into, before its files.

use anyhow::{Context, Result};
use std::path::Path;

/// Creates `folders` (paths under `root`) and the folders above them, on every
/// core: a large fleet's tree has tens of thousands. `create_dir_all` takes a
/// folder another thread made first as made.
pub fn create_folders<P: AsRef<Path> + Sync>(root: &Path, folders: &[P]) -> Result<()> {
    fleet_compiler::parallel::map_each(folders, 256, |folder| {
        let folder = root.join(folder);
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("cannot create the folder `{}`", folder.display()))
    })
    .into_iter()
    .collect()
}
