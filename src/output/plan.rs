//! What a build changes in the output folder, decided before anything is written:
//! files to add, update and remove, those left as they are, and what the build
//! refuses to do (overwrite a file fleet did not write, or one edited by hand).

use super::owned::{OwnedFiles, content_hash};
use anyhow::{Context, Result};
use std::collections::BTreeSet;
use std::path::Path;

/// A file the build would write or remove, by its path under the output root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Add(String),
    Update(String),
    Remove(String),
}

impl Change {
    pub fn path(&self) -> &str {
        match self {
            Change::Add(path) | Change::Update(path) | Change::Remove(path) => path,
        }
    }

    pub fn verb(&self) -> &'static str {
        match self {
            Change::Add(_) => "add",
            Change::Update(_) => "update",
            Change::Remove(_) => "remove",
        }
    }
}

/// Why a build would not go on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A file fleet wrote was changed since (by hand, or by another tool).
    EditedByHand { path: String, remove: bool },
    /// A file fleet did not write is where it would write one.
    NotOwned { path: String },
}

impl Refusal {
    pub fn message(&self) -> String {
        match self {
            Refusal::EditedByHand {
                path,
                remove: false,
            } => format!(
                "`{path}` was edited after fleet wrote it: change the .fleet source instead, or pass --force to overwrite the edit"
            ),
            Refusal::EditedByHand { path, remove: true } => format!(
                "`{path}` is no longer generated but was edited after fleet wrote it: remove it yourself, or pass --force"
            ),
            Refusal::NotOwned { path } => format!(
                "`{path}` exists and fleet did not write it: fleet never overwrites a file it does not own; move it away"
            ),
        }
    }
}

#[derive(Debug, Default)]
pub struct Plan {
    /// In the order of the generated files, then removals in path order.
    pub changes: Vec<Change>,
    pub unchanged: usize,
    pub refusals: Vec<Refusal>,
    /// The owned list once the changes are made.
    pub owned_after: OwnedFiles,
}

/// What writing `generated` (path under `root`, contents) changes, given the
/// owned list of the last build. `force` lets hand edits of owned files be
/// overwritten (or removed); a file fleet does not own is never touched.
pub fn plan(
    root: &Path,
    generated: &[(String, String)],
    owned: &OwnedFiles,
    force: bool,
) -> Result<Plan> {
    let mut plan = Plan::default();
    // A file in a folder that does not exist is not there either: each folder
    // is looked at once, and only when its parent exists (a first build into a
    // new folder looks at none).
    let existing = if root.is_dir() {
        let folders: BTreeSet<&str> = generated
            .iter()
            .map(|(path, _)| path.rsplit_once('/').map_or("", |(folder, _)| folder))
            .collect();
        existing_folders(root, &folders)
    } else {
        std::collections::HashSet::new()
    };
    // Reading and hashing, file by file, on every core; deciding, in order.
    let found = fleet_compiler::parallel::map_each(generated, 64, |(path, contents)| {
        let new_hash = content_hash(contents.as_bytes());
        let folder = path.rsplit_once('/').map_or("", |(folder, _)| folder);
        let on_disk = if existing.contains(folder) {
            read_if_present(&root.join(path))?
        } else {
            None
        };
        let state = match on_disk {
            None => OnDisk::Missing,
            Some(bytes) if bytes == contents.as_bytes() => OnDisk::Same,
            Some(bytes) => OnDisk::Different(content_hash(&bytes)),
        };
        Ok::<_, anyhow::Error>((new_hash, state))
    });
    // Made in one go, not file by file: a large fleet's paths share long
    // prefixes, and comparing them is most of inserting them one by one.
    let mut owned_after = Vec::with_capacity(generated.len());
    for ((path, _), found) in generated.iter().zip(found) {
        let (new_hash, state) = found?;
        owned_after.push((path.clone(), new_hash));
        let disk_hash = match state {
            OnDisk::Missing => {
                plan.changes.push(Change::Add(path.clone()));
                continue;
            }
            // Already what fleet would write (whoever wrote it): kept, and owned.
            OnDisk::Same => {
                plan.unchanged += 1;
                continue;
            }
            OnDisk::Different(hash) => hash,
        };
        match owned.files.get(path) {
            Some(written) if *written == disk_hash => {
                plan.changes.push(Change::Update(path.clone()));
            }
            Some(_) if force => plan.changes.push(Change::Update(path.clone())),
            Some(_) => plan.refusals.push(Refusal::EditedByHand {
                path: path.clone(),
                remove: false,
            }),
            None => plan.refusals.push(Refusal::NotOwned { path: path.clone() }),
        }
    }
    plan.owned_after.files = owned_after.into_iter().collect();
    for (path, written) in &owned.files {
        if plan.owned_after.files.contains_key(path) {
            continue;
        }
        let Some(on_disk) = read_if_present(&root.join(path))? else {
            // Gone already: nothing to remove, and no longer owned.
            continue;
        };
        if *written == content_hash(&on_disk) || force {
            plan.changes.push(Change::Remove(path.clone()));
        } else {
            plan.refusals.push(Refusal::EditedByHand {
                path: path.clone(),
                remove: true,
            });
            // Still ours until it is dealt with.
            plan.owned_after.files.insert(path.clone(), written.clone());
        }
    }
    Ok(plan)
}

/// Which of `folders` (paths under `root`, `""` for the root itself) exist,
/// found level by level from the root: the folders under a missing one are not
/// looked at. Each level's folders are looked at on every core.
fn existing_folders<'a>(
    root: &Path,
    folders: &BTreeSet<&'a str>,
) -> std::collections::HashSet<&'a str> {
    let mut wanted: BTreeSet<&'a str> = BTreeSet::new();
    for folder in folders {
        let mut at = *folder;
        wanted.insert(at);
        while let Some((parent, _)) = at.rsplit_once('/') {
            wanted.insert(parent);
            at = parent;
        }
    }
    let depth = |folder: &str| match folder {
        "" => 0,
        folder => folder.matches('/').count() + 1,
    };
    let mut existing = std::collections::HashSet::new();
    if !root.is_dir() {
        return existing;
    }
    existing.insert("");
    let deepest = wanted.iter().map(|folder| depth(folder)).max().unwrap_or(0);
    for level in 1..=deepest {
        let candidates: Vec<&'a str> = wanted
            .iter()
            .copied()
            .filter(|folder| depth(folder) == level)
            .filter(|folder| {
                let parent = folder.rsplit_once('/').map_or("", |(parent, _)| parent);
                existing.contains(parent)
            })
            .collect();
        let found = fleet_compiler::parallel::map_each(&candidates, 256, |folder| {
            root.join(folder).is_dir()
        });
        existing.extend(
            candidates
                .into_iter()
                .zip(found)
                .filter_map(|(folder, exists)| exists.then_some(folder)),
        );
    }
    existing
}

/// A generated file's path, as found on disk.
enum OnDisk {
    Missing,
    /// Holds exactly what the build would write.
    Same,
    /// Holds something else, with this hash.
    Different(String),
}

fn read_if_present(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error).with_context(|| format!("cannot read `{}`", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_under_a_missing_folder_are_missing_and_the_rest_are_looked_at() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("a/b")).unwrap();
        std::fs::write(root.path().join("a/file"), "not a folder").unwrap();
        let folders: BTreeSet<&str> = ["", "a/b", "a/b/c", "a/file", "x/y/z"].into();
        let mut found: Vec<&str> = existing_folders(root.path(), &folders)
            .into_iter()
            .collect();
        found.sort();
        assert_eq!(found, ["", "a", "a/b"]);
        let missing_root = root.path().join("nothing-here");
        assert!(existing_folders(&missing_root, &folders).is_empty());
    }
}
