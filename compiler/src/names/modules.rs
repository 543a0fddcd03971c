//! Modules: the fleet's folder is the root module (`""`); a library folder it
//! imports is a module named by its path from the root (`"lib"`, `"lib/net"`); the
//! stdlib's prelude is `"std"` and its other modules `"std.policies"`.

use super::items::ImportTarget;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the loader found on disk where a folder import points and the workspace
/// has no files: the compiler does no IO, so only the one who read the folders can
/// tell a missing folder from an empty one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FolderState {
    /// No folder at that path. `siblings` are the folders beside where it would be
    /// that hold `.fleet` files, as modules (`"lib"`), for did-you-mean.
    Missing { siblings: Vec<Arc<str>> },
    /// A folder without any `.fleet` file.
    Empty,
    /// A file, not a folder (`import "./lib/eks.fleet"`).
    File,
}

/// The loader's findings, by module (`"libs"`), for the folder imports it could not
/// load. One per database: the CLI sets it before the first query (see
/// `LibraryFolders::new`); without it (tests, the language server for now), the
/// workspace's files are taken as the whole truth: a folder without files in the
/// workspace is reported as missing.
#[salsa::input(singleton, debug)]
pub struct LibraryFolders {
    #[returns(ref)]
    pub folders: BTreeMap<Arc<str>, FolderState>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportError {
    /// `import "../elsewhere"` from the root: a fleet may not reach outside itself.
    OutsideRoot,
    /// `import "/etc/fleet"`: imports are relative.
    Absolute,
}

/// The module an import names, seen from a file of `from`.
pub fn resolve_import(from: &str, target: &ImportTarget) -> Result<Arc<str>, ImportError> {
    let path = match target {
        ImportTarget::Stdlib(module) => return Ok(Arc::from(format!("std.{module}"))),
        ImportTarget::Folder(path) => path,
    };
    if path.starts_with('/') {
        return Err(ImportError::Absolute);
    }
    let mut parts: Vec<&str> = if from.is_empty() || from.starts_with("std") {
        Vec::new()
    } else {
        from.split('/').collect()
    };
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(ImportError::OutsideRoot);
                }
            }
            part => parts.push(part),
        }
    }
    Ok(Arc::from(parts.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(path: &str) -> ImportTarget {
        ImportTarget::Folder(Arc::from(path))
    }

    #[test]
    fn folders_resolve_from_the_importing_module() {
        assert_eq!(
            resolve_import("", &folder("./lib")).unwrap().as_ref(),
            "lib"
        );
        assert_eq!(
            resolve_import("lib", &folder("../shared/net"))
                .unwrap()
                .as_ref(),
            "shared/net"
        );
        assert_eq!(
            resolve_import("", &folder("../x")),
            Err(ImportError::OutsideRoot)
        );
        assert_eq!(
            resolve_import("", &folder("/etc")),
            Err(ImportError::Absolute)
        );
        assert_eq!(
            resolve_import("", &ImportTarget::Stdlib(Arc::from("policies")))
                .unwrap()
                .as_ref(),
            "std.policies"
        );
    }
}
