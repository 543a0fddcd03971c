//! A first build into an output root that does not exist yet: every file is
//! written into a staging folder beside the root, then the folder is renamed
//! to the root in one step. The root appears whole or not at all, as each file
//! does when it is replaced (`atomic.rs`), but a file costs four system calls
//! (create, write, stat, close) instead of six: no temporary name per file and
//! no rename per file. At 68,000 files that is about a third of the system
//! time of a first build.
//!
//! A root that exists but is empty (a folder made for the output) is built the
//! same way, except that the staging folder's entries (a handful: `gitops/`,
//! `management-cluster/`, ..., the owned list last) are renamed into it one by
//! one, so that the root keeps its owner and mode; each appears whole. Only
//! when the root is on the file system of the folder it is in: a mount point
//! is written file by file (a rename cannot cross file systems).
//!
//! The staging folder is `.<root name>.fleet-partial-<process id>`, next to the
//! root. Everything in it was created by this build, so a build that fails
//! half-way removes it; a build that is killed leaves it, and the next first
//! build into that root says where it is (it is never removed by a later
//! build: after a crash, nothing proves who owns it).

use super::build_state::Stamp;
use super::owned::{OWNED_LIST, content_hash, write_list};
use anyhow::{Context, Result, bail};
use fleet_compiler::emit::repository::{FileSink, GeneratedFile};
use rustc_hash::FxHashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What marks a staging folder, after the root's name.
const PARTIAL: &str = ".fleet-partial-";

/// The folder `root` is in and its name: where its staging folders are, and
/// what they are called after. `None` for a root that has no name of its own
/// (`/`, `..`).
fn parent_and_name(root: &Path) -> Option<(&Path, &str)> {
    let name = root.file_name()?.to_str()?;
    let parent = root
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some((parent, name))
}

/// Where a first build into `root` stages it; `None` for a root that has no
/// name of its own, which is written file by file instead.
pub fn staging_folder(root: &Path) -> Option<PathBuf> {
    let (parent, name) = parent_and_name(root)?;
    Some(parent.join(format!(".{name}{PARTIAL}{}", std::process::id())))
}

/// Staging folders of earlier first builds into `root` that did not finish
/// (killed, or the machine stopped): what the user should look at and remove.
pub fn leftover_staging_folders(root: &Path) -> Vec<PathBuf> {
    let Some((parent, name)) = parent_and_name(root) else {
        return Vec::new();
    };
    let prefix = format!(".{name}{PARTIAL}");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok())
        .filter(|entry| {
            entry
                .file_name()
                .to_str()
                .is_some_and(|entry_name| entry_name.starts_with(&prefix))
        })
        .map(|entry| entry.path())
        .collect();
    found.sort();
    found
}

/// A first build's files, written into the staging folder as the generators
/// make them, by writer threads (one per core) that run while the generators
/// go on: the system calls of one batch overlap the generating of the next,
/// and the repository's text is never all in memory (a first build of
/// W(10,000) held 230 MB, four times its text). `finish` writes the owned list
/// and moves the staging folder into place; dropped unfinished (an error, a
/// fleet the generators could not build), it removes the staging folder,
/// which holds only what it wrote.
pub struct FreshRoot {
    root: PathBuf,
    /// The root exists, empty: the staging folder's entries are moved into it
    /// (else the staging folder becomes the root).
    into_empty_root: bool,
    staging: PathBuf,
    pending: Vec<GeneratedFile>,
    /// Where batches go to the writers; `None` once `finish` closed it.
    batches: Option<std::sync::mpsc::SyncSender<Vec<GeneratedFile>>>,
    writers: Vec<std::thread::JoinHandle<Result<Vec<WrittenFile>>>>,
    /// Set by a writer that failed: the others stop, later files are dropped.
    failed: Arc<AtomicBool>,
    finished: bool,
}

/// A file of a first build, as written.
#[derive(Debug)]
pub struct WrittenFile {
    /// Under the root, `/`-separated.
    pub path: String,
    /// `content_hash` of what was written.
    pub hash: String,
    /// As read from the open file: renaming the staging folder keeps every
    /// file's inode, length and modification time.
    pub stamp: Option<Stamp>,
}

/// How many files go to a writer at a time.
const WRITE_BATCH: usize = 256;

/// How many batches may wait for a writer: what bounds the text in memory.
const WAITING_BATCHES: usize = 16;

impl FreshRoot {
    /// Creates the staging folder `staging` (from `staging_folder`) for the
    /// root `root` (one that does not exist, or an empty folder for which
    /// `can_fill` holds), and the folders above it, and starts the writers.
    pub fn begin(root: &Path, staging: PathBuf) -> Result<FreshRoot> {
        let into_empty_root = std::fs::symlink_metadata(root).is_ok();
        if let Some(parent) = staging.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create the folder `{}`", parent.display()))?;
        }
        std::fs::create_dir(&staging).with_context(|| {
            format!(
                "cannot create the staging folder `{}` for the first build into `{}`",
                staging.display(),
                root.display()
            )
        })?;
        let (sender, receiver) = std::sync::mpsc::sync_channel(WAITING_BATCHES);
        let receiver = Arc::new(Mutex::new(receiver));
        let made = Arc::new(Mutex::new(FxHashSet::default()));
        let failed = Arc::new(AtomicBool::new(false));
        let threads = fleet_compiler::parallel::threads();
        let writers = (0..threads)
            .map(|_| {
                let writer = Writer {
                    staging: staging.clone(),
                    made: Arc::clone(&made),
                    failed: Arc::clone(&failed),
                };
                let receiver = Arc::clone(&receiver);
                std::thread::spawn(move || writer.run(&receiver))
            })
            .collect();
        Ok(FreshRoot {
            root: root.to_path_buf(),
            into_empty_root,
            staging,
            pending: Vec::with_capacity(WRITE_BATCH),
            batches: Some(sender),
            writers,
            failed,
            finished: false,
        })
    }

    /// Hands the files collected so far to the writers.
    fn send_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let batch = std::mem::replace(&mut self.pending, Vec::with_capacity(WRITE_BATCH));
        if let Some(batches) = &self.batches {
            // A writer that failed is reported by `finish`.
            let _ = batches.send(batch);
        }
    }

    /// Waits for the writers; the files written, in path order, or the first
    /// failure.
    fn wait_for_writers(&mut self) -> Result<Vec<WrittenFile>> {
        self.send_pending();
        // Closing the channel ends each writer once it is empty.
        self.batches = None;
        let mut written = Vec::new();
        let mut failure = None;
        for writer in self.writers.drain(..) {
            match writer
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            {
                Ok(files) => written = merged(written, files),
                Err(error) => failure = failure.or(Some(error)),
            }
        }
        match failure {
            Some(error) => Err(error),
            None => Ok(written),
        }
    }

    /// Writes what is left and the owned list, then renames the staging
    /// folder to the root. Gives the files written, in path order, and the
    /// owned list's stamp. On failure nothing is left: neither the root nor
    /// the staging folder.
    pub fn finish(mut self) -> Result<(Vec<WrittenFile>, Option<Stamp>)> {
        let written = self.wait_for_writers()?;
        let list = write_new_with(&self.staging.join(OWNED_LIST), |out| {
            write_list(out, &written, |file| (&file.path, &file.hash))
        })?;
        if self.into_empty_root {
            self.move_into_empty_root()?;
        } else {
            // Another process made the root meanwhile: its content wins, this
            // build's is dropped (`rename` would replace an empty folder
            // silently).
            if self.root.exists() {
                bail!(
                    "`{}` appeared while the build was writing it: build again",
                    self.root.display()
                );
            }
            std::fs::rename(&self.staging, &self.root).with_context(|| {
                format!(
                    "cannot move `{}` to `{}`",
                    self.staging.display(),
                    self.root.display()
                )
            })?;
        }
        self.finished = true;
        Ok((written, list))
    }

    /// Renames the staging folder's entries into the (empty) root, the owned
    /// list last, then removes the staging folder. Once an entry is moved the
    /// build is committed: a failure after that is reported, and what was
    /// not moved stays in the staging folder, whose name the next first build
    /// into the root gives.
    fn move_into_empty_root(&mut self) -> Result<()> {
        if !is_empty_folder(&self.root) {
            bail!(
                "`{}` was written to while the build was writing it: build again",
                self.root.display()
            );
        }
        let mut entries: Vec<std::ffi::OsString> = std::fs::read_dir(&self.staging)
            .with_context(|| format!("cannot read `{}`", self.staging.display()))?
            .map(|entry| entry.map(|entry| entry.file_name()))
            .collect::<std::io::Result<_>>()
            .with_context(|| format!("cannot read `{}`", self.staging.display()))?;
        // The owned list last: until it is there, nothing says the files are
        // the build's.
        entries.sort_by_key(|name| name == OWNED_LIST);
        for (position, name) in entries.iter().enumerate() {
            let (from, to) = (self.staging.join(name), self.root.join(name));
            if let Err(error) = std::fs::rename(&from, &to) {
                // Nothing moved yet: the staging folder is removed on drop.
                self.finished = position > 0;
                return Err(error).with_context(|| {
                    format!("cannot move `{}` to `{}`", from.display(), to.display())
                });
            }
        }
        self.finished = true;
        std::fs::remove_dir(&self.staging)
            .with_context(|| format!("cannot remove `{}`", self.staging.display()))
    }
}

impl FileSink for FreshRoot {
    fn push(&mut self, file: GeneratedFile) {
        if self.failed.load(Ordering::Relaxed) {
            return;
        }
        self.pending.push(file);
        if self.pending.len() >= WRITE_BATCH {
            self.send_pending();
        }
    }
}

impl Drop for FreshRoot {
    fn drop(&mut self) {
        if !self.finished {
            // The writers first, so that none writes into what is removed:
            // they finish the batch in hand and drain the rest. What they
            // wrote or why they stopped (a panic included) no longer matters.
            self.failed.store(true, Ordering::Relaxed);
            self.batches = None;
            for writer in self.writers.drain(..) {
                let _ = writer.join();
            }
            // Everything in it was created by this build.
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Whether a first build into the existing folder `root` can be staged (see
/// the module's comment): an empty folder (not a link to one) on the file
/// system of the folder it is in, where its staging folder goes.
pub fn can_fill(root: &Path, staging: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(metadata) = std::fs::symlink_metadata(root) else {
        return false;
    };
    let staging_device = staging
        .parent()
        .and_then(|parent| std::fs::metadata(parent).ok())
        .map(|parent| parent.dev());
    metadata.is_dir() && staging_device == Some(metadata.dev()) && is_empty_folder(root)
}

fn is_empty_folder(folder: &Path) -> bool {
    std::fs::read_dir(folder).is_ok_and(|mut entries| entries.next().is_none())
}

/// Two lists of files in path order as one.
fn merged(first: Vec<WrittenFile>, second: Vec<WrittenFile>) -> Vec<WrittenFile> {
    if first.is_empty() {
        return second;
    }
    let mut all = Vec::with_capacity(first.len() + second.len());
    let mut second = second.into_iter().peekable();
    for file in first {
        while let Some(before) = second.next_if(|other| other.path < file.path) {
            all.push(before);
        }
        all.push(file);
    }
    all.extend(second);
    all
}

/// One writer thread of a `FreshRoot`.
struct Writer {
    staging: PathBuf,
    /// The folders made so far by any writer, under the staging folder.
    made: Arc<Mutex<FxHashSet<String>>>,
    failed: Arc<AtomicBool>,
}

impl Writer {
    /// Writes batches until the channel closes or a writer fails.
    fn run(
        &self,
        batches: &Mutex<std::sync::mpsc::Receiver<Vec<GeneratedFile>>>,
    ) -> Result<Vec<WrittenFile>> {
        let mut written = Vec::new();
        // The folders this writer knows exist: most files of a batch are in
        // a folder it met before, found without the shared set's lock (the
        // other writer waited on it while it grew).
        let mut known = FxHashSet::default();
        loop {
            let received = batches
                .lock()
                .unwrap_or_else(|poison| poison.into_inner())
                .recv();
            let Ok(batch) = received else {
                // Sorted here, on every core (the lock released above);
                // `finish` merges the writers' lists.
                written.sort_unstable_by(|a: &WrittenFile, b| a.path.cmp(&b.path));
                return Ok(written);
            };
            if self.failed.load(Ordering::Relaxed) {
                // Drained, not written, so that `push` never blocks on a
                // channel no one reads.
                continue;
            }
            for file in batch {
                match self.write(&file, &mut known) {
                    Ok((stamp, hash)) => written.push(WrittenFile {
                        path: file.path,
                        hash,
                        stamp,
                    }),
                    Err(error) => {
                        // The other writers drain the channel.
                        self.failed.store(true, Ordering::Relaxed);
                        return Err(error);
                    }
                }
            }
        }
    }

    /// Writes `file`, making its folder first when no writer has; `known`
    /// is the folders this writer knows exist.
    fn write(
        &self,
        file: &GeneratedFile,
        known: &mut FxHashSet<String>,
    ) -> Result<(Option<Stamp>, String)> {
        if let Some((folder, _)) = file.path.rsplit_once('/')
            && !known.contains(folder)
        {
            let made = self
                .made
                .lock()
                .unwrap_or_else(|poison| poison.into_inner())
                .contains(folder);
            if !made {
                // Another writer making it at the same time is no failure.
                let path = self.staging.join(folder);
                std::fs::create_dir_all(&path)
                    .with_context(|| format!("cannot create the folder `{}`", path.display()))?;
                self.made
                    .lock()
                    .unwrap_or_else(|poison| poison.into_inner())
                    .insert(folder.to_string());
            }
            known.insert(folder.to_string());
        }
        let text = file.text.as_bytes();
        let stamp = write_new(&self.staging.join(&file.path), text)?;
        Ok((stamp, content_hash(text)))
    }
}

/// Creates the file `path` (it must not exist) with `contents`; its stamp.
fn write_new(path: &Path, contents: &[u8]) -> Result<Option<Stamp>> {
    let mut file = create_new(path)?;
    file.write_all(contents)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    read_back(&file, path)
}

/// Creates the file `path` (it must not exist) and writes it with `write`,
/// through a buffer: for a long text written piece by piece (a file's whole
/// text goes to `write_new`, not copied into a buffer first).
fn write_new_with(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<Option<Stamp>> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, create_new(path)?);
    write(&mut out)
        .and_then(|()| out.flush())
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    read_back(out.get_ref(), path)
}

fn create_new(path: &Path) -> Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create `{}`", path.display()))
}

/// The stamp of a file just written, from its open handle.
fn read_back(file: &std::fs::File, path: &Path) -> Result<Option<Stamp>> {
    let metadata = file
        .metadata()
        .with_context(|| format!("cannot read back `{}`", path.display()))?;
    Ok(Stamp::of_metadata(&metadata))
}

#[cfg(test)]
mod tests {
    use super::super::owned::OwnedFiles;
    use super::*;

    fn file(path: &str, text: &str) -> GeneratedFile {
        GeneratedFile {
            path: path.to_string(),
            text: text.to_string(),
        }
    }

    fn write(root: &Path, files: &[(&str, &str)]) -> Result<(Vec<WrittenFile>, Option<Stamp>)> {
        let mut fresh = FreshRoot::begin(root, staging_folder(root).unwrap())?;
        for (path, text) in files {
            fresh.push(file(path, text));
        }
        fresh.finish()
    }

    #[test]
    fn a_first_build_appears_whole_and_leaves_no_staging_folder() {
        let parent = tempfile::tempdir().unwrap();
        let root = parent.path().join("new/repo");
        let (written, list) = write(
            &root,
            &[
                ("top.yaml", "top"),
                ("a/b/one.yaml", "one"),
                ("a/two.yaml", "two"),
            ],
        )
        .unwrap();
        assert_eq!(std::fs::read(root.join("a/b/one.yaml")).unwrap(), b"one");
        assert_eq!(std::fs::read(root.join("top.yaml")).unwrap(), b"top");
        // The files in path order, each with its hash; the owned list lists them.
        let paths: Vec<&str> = written.iter().map(|file| file.path.as_str()).collect();
        assert_eq!(paths, ["a/b/one.yaml", "a/two.yaml", "top.yaml"]);
        assert_eq!(written[1].hash, content_hash(b"two"));
        let owned = OwnedFiles::read(&root).unwrap();
        assert_eq!(owned.files.len(), 3);
        assert_eq!(owned.files["a/two.yaml"], content_hash(b"two"));
        // The stamp read before the rename is the file's after it.
        let after = std::fs::metadata(root.join("a/two.yaml")).unwrap();
        assert_eq!(written[1].stamp, Stamp::of_metadata(&after));
        assert!(written[1].stamp.is_some());
        let list_after = std::fs::metadata(root.join(OWNED_LIST)).unwrap();
        assert_eq!(list, Stamp::of_metadata(&list_after));
        assert!(!staging_folder(&root).unwrap().exists());
        assert!(leftover_staging_folders(&root).is_empty());
    }

    #[test]
    fn files_are_written_a_batch_at_a_time_in_folders_made_once() {
        let parent = tempfile::tempdir().unwrap();
        let root = parent.path().join("repo");
        // More than a batch, in folders that come back in later batches.
        let files: Vec<(String, String)> = (0..WRITE_BATCH * 2 + 7)
            .map(|index| {
                (
                    format!("f{}/g{}/{index}.yaml", index % 5, index % 3),
                    index.to_string(),
                )
            })
            .collect();
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(path, text)| (path.as_str(), text.as_str()))
            .collect();
        let (written, _) = write(&root, &files).unwrap();
        assert_eq!(written.len(), files.len());
        assert_eq!(
            std::fs::read_to_string(root.join("f2/g1/7.yaml")).unwrap(),
            "7"
        );
        assert_eq!(OwnedFiles::read(&root).unwrap().files.len(), files.len());
    }

    #[test]
    fn a_failed_first_build_leaves_neither_root_nor_staging_folder() {
        let parent = tempfile::tempdir().unwrap();
        let root = parent.path().join("repo");
        // `a` is a file, so the folder `a` cannot be made for `a/b.yaml`.
        let error = write(&root, &[("a", "file"), ("a/b.yaml", "b")]).unwrap_err();
        assert!(format!("{error:#}").contains("cannot"), "{error:#}");
        assert!(!root.exists());
        assert!(!staging_folder(&root).unwrap().exists());
    }

    #[test]
    fn a_first_build_dropped_unfinished_removes_its_staging_folder() {
        let parent = tempfile::tempdir().unwrap();
        let root = parent.path().join("repo");
        let mut fresh = FreshRoot::begin(&root, staging_folder(&root).unwrap()).unwrap();
        fresh.push(file("a/b.yaml", "b"));
        fresh.wait_for_writers().unwrap();
        assert!(staging_folder(&root).unwrap().join("a/b.yaml").exists());
        drop(fresh);
        assert!(!root.exists());
        assert!(!staging_folder(&root).unwrap().exists());
    }

    #[test]
    fn a_first_build_into_an_empty_folder_fills_it_and_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let parent = tempfile::tempdir().unwrap();
        let root = parent.path().join("repo");
        std::fs::create_dir(&root).unwrap();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o750)).unwrap();
        assert!(can_fill(&root, &staging_folder(&root).unwrap()));
        let (written, _) = write(&root, &[("a/b.yaml", "b"), ("top.yaml", "top")]).unwrap();
        assert_eq!(written.len(), 2);
        assert_eq!(std::fs::read(root.join("a/b.yaml")).unwrap(), b"b");
        assert_eq!(OwnedFiles::read(&root).unwrap().files.len(), 2);
        let mode = std::fs::metadata(&root).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o750);
        let beside: Vec<_> = std::fs::read_dir(parent.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(beside, ["repo"]);
    }

    #[test]
    fn only_an_empty_folder_is_filled() {
        let parent = tempfile::tempdir().unwrap();
        let folder = parent.path().join("full");
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("README.md"), "mine").unwrap();
        assert!(!can_fill(&folder, &staging_folder(&folder).unwrap()));
        let file = parent.path().join("file");
        std::fs::write(&file, "").unwrap();
        assert!(!can_fill(&file, &staging_folder(&file).unwrap()));
        let empty = parent.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let link = parent.path().join("link");
        std::os::unix::fs::symlink(&empty, &link).unwrap();
        assert!(!can_fill(&link, &staging_folder(&link).unwrap()));
        let missing = parent.path().join("missing");
        assert!(!can_fill(&missing, &staging_folder(&missing).unwrap()));
    }

    #[test]
    fn a_folder_written_to_during_a_first_build_is_not_filled() {
        let parent = tempfile::tempdir().unwrap();
        let root = parent.path().join("repo");
        std::fs::create_dir(&root).unwrap();
        let mut fresh = FreshRoot::begin(&root, staging_folder(&root).unwrap()).unwrap();
        fresh.push(file("a.yaml", "a"));
        std::fs::write(root.join("theirs.txt"), "theirs").unwrap();
        let error = fresh.finish().unwrap_err();
        assert!(format!("{error:#}").contains("written to"), "{error:#}");
        assert!(!root.join("a.yaml").exists());
        assert!(!staging_folder(&root).unwrap().exists());
    }

    #[test]
    fn a_staging_folder_left_by_a_killed_build_is_found_not_removed() {
        let parent = tempfile::tempdir().unwrap();
        let root = parent.path().join("repo");
        let left = parent.path().join(".repo.fleet-partial-12345");
        std::fs::create_dir(&left).unwrap();
        std::fs::create_dir(parent.path().join(".other.fleet-partial-1")).unwrap();
        assert_eq!(leftover_staging_folders(&root), std::slice::from_ref(&left));
        write(&root, &[("x.yaml", "x")]).unwrap();
        assert!(left.exists());
    }
}
