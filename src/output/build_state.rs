//! What the last build into an output folder saw, so that a rebuild with nothing
//! changed can say so without compiling (as `make` and Cargo do): a
//! fingerprint of its inputs (the `fleet` binary, the fleet folder, every
//! source file's path and text) and the length, modification time and inode of
//! every file it owns (the owned list included).
//!
//! Kept outside the repository, under `$XDG_CACHE_HOME/fleet/builds/` (one file
//! per output folder, named by a hash of its absolute path): modification times
//! differ on every clone and must not churn Git. Only a build that reported
//! nothing (no warning, no note) leaves a state, so the fast path never hides a
//! warning. A state that is missing, unreadable or from another `fleet` means a
//! full build; nothing here can make a build write a wrong file, only skip one
//! that nothing changed.
//!
//! A build that wrote files returns only once the clock has moved on since
//! its last write (a short wait, spent recording them), so a later edit, even
//! one of the same length, changes a recorded modification time. An edit made
//! while a build runs, between its plan and its end, is the one case a state
//! does not see; the next build that compiles (any change to a source) does.

use anyhow::{Context, Result};
use fleet_compiler::parallel::{map_each, map_runs};
use sha2::{Digest, Sha256};
use std::fmt::Write;
use std::io::Write as _;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

const FORMAT: &str = "fleet-build-state 1";

/// A file as the file system describes it: what an edit changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    length: u64,
    modified_ns: i128,
    inode: u64,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        Stamp::of_metadata(&std::fs::symlink_metadata(path).ok()?)
    }

    /// The stamp of a file from its metadata (`None` for anything else).
    pub fn of_metadata(metadata: &std::fs::Metadata) -> Option<Stamp> {
        if !metadata.is_file() {
            return None;
        }
        Some(Stamp {
            length: metadata.len(),
            modified_ns: i128::from(metadata.mtime()) * 1_000_000_000
                + i128::from(metadata.mtime_nsec()),
            inode: metadata.ino(),
        })
    }
}

/// The last clean build into an output folder.
pub struct BuildState {
    /// The output root, relative to the `--out` folder (the fleet's `output`).
    pub root: PathBuf,
    /// What the build said it built: `7 clusters, 1 app, 2 policies`.
    pub summary: String,
    /// Owned files (the owned list last), relative to the root.
    files: Vec<(String, Stamp)>,
}

/// The inputs of a build of `fleet_folder` from `sources` (path, text): equal
/// fingerprints mean equal output.
pub fn fingerprint<'a>(
    fleet_folder: &Path,
    sources: impl Iterator<Item = (&'a str, &'a str)>,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(FORMAT.as_bytes());
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    // The binary itself: a rebuilt `fleet` may generate other files.
    if let Some(binary) = std::env::current_exe()
        .ok()
        .and_then(|path| Stamp::of(&path))
    {
        hasher.update(format!("{binary:?}").as_bytes());
    }
    let folder = fleet_folder
        .canonicalize()
        .unwrap_or_else(|_| fleet_folder.to_path_buf());
    hasher.update(folder.as_os_str().as_encoded_bytes());
    for (path, text) in sources {
        hasher.update((path.len() as u64).to_le_bytes());
        hasher.update(path.as_bytes());
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    hex(&hasher.finalize())
}

impl BuildState {
    /// The state of the last clean build into `out`, if it had `fingerprint`.
    pub fn read(out: &Path, fingerprint: &str) -> Option<BuildState> {
        let text = std::fs::read_to_string(state_path(out)?).ok()?;
        let mut lines = text.lines();
        if lines.next()? != FORMAT {
            return None;
        }
        let recorded = lines.next()?;
        if recorded != fingerprint {
            return None;
        }
        let root = PathBuf::from(lines.next()?);
        let summary = lines.next()?.to_string();
        let files = lines
            .map(|line| {
                let mut fields = line.splitn(4, ' ');
                let stamp = Stamp {
                    length: fields.next()?.parse().ok()?,
                    modified_ns: fields.next()?.parse().ok()?,
                    inode: fields.next()?.parse().ok()?,
                };
                Some((fields.next()?.to_string(), stamp))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(BuildState {
            root,
            summary,
            files,
        })
    }

    /// Whether every file the last build owned is as it left it (and so the
    /// output is what this build would write). Checked on every core, and
    /// given up at the first file that differs: an output folder emptied or
    /// removed since (the last file first, the owned list, says so at once)
    /// would otherwise cost a failed look-up per file before the build starts
    /// (68,000 of them at n = 10,000, 0.1-0.2 s).
    pub fn output_unchanged(&self, out: &Path) -> bool {
        let root = out.join(&self.root);
        let same = |(path, stamp): &(String, Stamp)| Stamp::of(&root.join(path)) == Some(*stamp);
        if !self.files.last().is_none_or(same) {
            return false;
        }
        let differs = AtomicBool::new(false);
        map_each(&self.files, 1024, |file| {
            if !differs.load(Ordering::Relaxed) && !same(file) {
                differs.store(true, Ordering::Relaxed);
            }
        });
        !differs.into_inner()
    }

    /// The stamps of `owned` (paths under `root` in `out`, the owned list
    /// included): of the files a build wrote (`written`) as they were written,
    /// of the others as they are now. None when one of them vanished already
    /// (no state then: the next build compiles).
    pub fn stamps<'a>(
        out: &Path,
        root: &Path,
        owned: &[&'a str],
        written: &std::collections::HashMap<&str, Stamp>,
    ) -> Vec<(&'a str, Stamp)> {
        let absolute_root = out.join(root);
        let stamps = map_each(owned, 1024, |file| match written.get(file) {
            Some(stamp) => Some(*stamp),
            None => Stamp::of(&absolute_root.join(file)),
        });
        let files: Option<Vec<(&str, Stamp)>> = owned
            .iter()
            .zip(stamps)
            .map(|(file, stamp)| Some((*file, stamp?)))
            .collect();
        files.unwrap_or_default()
    }

    /// Records a clean build into `out` that owns `files` (paths under `root`,
    /// the owned list last) with their stamps; none when `files` is empty.
    /// When it wrote something, it returns only once the clock has moved on
    /// since `last_write` (see the module's comment). Failing to record is not
    /// an error of the build: the next one compiles.
    pub fn record(
        out: &Path,
        fingerprint: &str,
        root: &Path,
        summary: &str,
        files: &[(&str, Stamp)],
        last_write: Option<std::time::Instant>,
    ) {
        let settled = last_write.map(|at| at + std::time::Duration::from_millis(20));
        let wait = || {
            if let Some(settled) = settled {
                std::thread::sleep(settled.saturating_duration_since(std::time::Instant::now()));
            }
        };
        let Some(path) = state_path(out).filter(|_| !files.is_empty()) else {
            return wait();
        };
        let header = format!("{FORMAT}\n{fingerprint}\n{}\n{summary}\n", root.display());
        // On every core (68,000 lines one after the other took 15 to 20 ms),
        // each run written as it is: not copied into one text first.
        let runs = map_runs(files, 4096, |run| {
            let mut lines = String::with_capacity(run.len() * 100);
            for (file, stamp) in run {
                // Writing to a `String` cannot fail. A time in nanoseconds fits in
                // an `i64` until 2262, and is written much faster as one.
                let _ = match i64::try_from(stamp.modified_ns) {
                    Ok(modified_ns) => writeln!(
                        lines,
                        "{} {modified_ns} {} {file}",
                        stamp.length, stamp.inode
                    ),
                    Err(_) => writeln!(
                        lines,
                        "{} {} {} {file}",
                        stamp.length, stamp.modified_ns, stamp.inode
                    ),
                };
            }
            vec![lines]
        });
        // Written during the wait, not after it: what matters is that the
        // build does not return before the clock has moved on (an edit made
        // while it runs is not seen either way). Written beside it, then
        // renamed over it: a build killed while writing must not leave the
        // first lines of a state, which would vouch for those files only.
        let partial = path.with_extension(format!("partial-{}", std::process::id()));
        let recorded = path
            .parent()
            .map(std::fs::create_dir_all)
            .transpose()
            .and_then(|_| {
                let mut state = std::fs::File::create(&partial)?;
                state.write_all(header.as_bytes())?;
                runs.iter()
                    .try_for_each(|run| state.write_all(run.as_bytes()))?;
                std::fs::rename(&partial, &path)
            });
        if recorded.is_err() {
            let _ = std::fs::remove_file(&partial);
            let _ = std::fs::remove_file(&path);
        }
        wait();
    }

    /// Forgets the last build into `out` (a build that warned, or failed).
    pub fn forget(out: &Path) -> Result<()> {
        let Some(path) = state_path(out) else {
            return Ok(());
        };
        match std::fs::remove_file(&path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                Err(error).with_context(|| format!("cannot remove `{}`", path.display()))
            }
            _ => Ok(()),
        }
    }

    /// How many files the last build wrote or kept (the owned list aside).
    pub fn generated_files(&self) -> usize {
        self.files.len().saturating_sub(1)
    }
}

/// The state file of the output folder `out`: `None` when `out` does not exist.
fn state_path(out: &Path) -> Option<PathBuf> {
    let absolute = out.canonicalize().ok()?;
    let name = hex(&Sha256::digest(absolute.as_os_str().as_encoded_bytes()));
    Some(fleet_lsp::cache_root().join("builds").join(&name[..32]))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
