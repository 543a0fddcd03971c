//! The stdlib is compiled into the binary; an editor can only show files. So that
//! go to definition can land in it, the server writes the stdlib once into a
//! cache folder named by the stdlib's content (so a new version never reads an old
//! copy) and makes the files read-only: they are references, not sources. Edits an
//! editor makes to them anyway are ignored (they are not part of any fleet).

use fleet_compiler::stdlib::FILES;
use std::fs;
use std::path::{Path, PathBuf};

/// Where the stdlib's files are on disk, in `FILES` order; `None` where writing
/// them failed (go to definition then stays in the fleet).
pub struct StdlibOnDisk {
    pub paths: Vec<Option<PathBuf>>,
}

impl StdlibOnDisk {
    /// Writes the stdlib under `$XDG_CACHE_HOME/fleet` (or `~/.cache/fleet`, or the
    /// temporary folder) unless an identical copy is there.
    pub fn write() -> StdlibOnDisk {
        let folder = cache_root().join(format!("stdlib-{}", content_hash()));
        let paths = FILES
            .iter()
            .map(|file| {
                // `std/clusters.fleet`: keep the `std/` the diagnostics show.
                let path = folder.join(file.path);
                write_read_only(&path, file.text).then_some(path)
            })
            .collect();
        StdlibOnDisk { paths }
    }

    /// The position in `FILES` of the stdlib file at `path`.
    pub fn index_of(&self, path: &Path) -> Option<usize> {
        self.paths
            .iter()
            .position(|known| known.as_deref() == Some(path))
    }
}

/// Where fleet keeps what it may rebuild: `$XDG_CACHE_HOME/fleet`, else
/// `~/.cache/fleet`, else the temporary folder.
pub fn cache_root() -> PathBuf {
    if let Some(cache) = std::env::var_os("XDG_CACHE_HOME").filter(|value| !value.is_empty()) {
        return PathBuf::from(cache).join("fleet");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|value| !value.is_empty()) {
        return PathBuf::from(home).join(".cache").join("fleet");
    }
    std::env::temp_dir().join("fleet")
}

/// FNV-1a over the stdlib's paths and texts: stable across builds and platforms,
/// unlike `std`'s hasher.
fn content_hash() -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in FILES {
        for byte in file
            .path
            .bytes()
            .chain([0])
            .chain(file.text.bytes())
            .chain([0])
        {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// Whether `path` holds `text` (written now, or already), read-only.
fn write_read_only(path: &Path, text: &str) -> bool {
    if fs::read_to_string(path).is_ok_and(|existing| existing == text) {
        return true;
    }
    let Some(folder) = path.parent() else {
        return false;
    };
    if fs::create_dir_all(folder).is_err() {
        return false;
    }
    // Written beside and renamed, so a reader never sees half a file.
    let partial = path.with_extension("fleet.partial");
    if fs::write(&partial, text).is_err() {
        return false;
    }
    if let Ok(metadata) = fs::metadata(&partial) {
        let mut permissions = metadata.permissions();
        permissions.set_readonly(true);
        let _ = fs::set_permissions(&partial, permissions);
    }
    fs::rename(&partial, path).is_ok()
}
