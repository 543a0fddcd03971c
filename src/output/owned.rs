//! The list of files a build wrote, with the hash of what it wrote: how the next
//! build knows a file is its own, whether it was edited by hand since, and which
//! of its files are no longer generated. Kept as sorted JSON at the output root,
//! so it diffs like the rest of the repository.

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// The list's file name, at the output root.
pub const OWNED_LIST: &str = ".fleet-owned.json";

const FORMAT_VERSION: u64 = 1;

/// Owned files by path (relative to the output root, `/`-separated) with the
/// SHA-256 of their contents as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OwnedFiles {
    pub files: BTreeMap<String, String>,
}

impl OwnedFiles {
    /// The list at `root`; empty when there is none (a first build).
    pub fn read(root: &Path) -> Result<OwnedFiles> {
        let path = root.join(OWNED_LIST);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Ok(OwnedFiles::default());
            }
            Err(error) => {
                return Err(error).with_context(|| format!("cannot read `{}`", path.display()));
            }
        };
        let json: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("`{}` is not the list fleet writes", path.display()))?;
        if json["version"] != FORMAT_VERSION {
            bail!(
                "`{}` was written by another version of fleet (format {}, this one reads {FORMAT_VERSION})",
                path.display(),
                json["version"]
            );
        }
        let mut files = BTreeMap::new();
        if let Some(entries) = json["files"].as_object() {
            for (file, hash) in entries {
                let Some(hash) = hash.as_str() else {
                    bail!("`{}`: the hash of `{file}` is not a string", path.display());
                };
                files.insert(file.clone(), hash.to_string());
            }
        }
        Ok(OwnedFiles { files })
    }

    /// The list as written to disk: sorted, one file a line.
    pub fn to_text(&self) -> String {
        let files: serde_json::Map<String, serde_json::Value> = self
            .files
            .iter()
            .map(|(file, hash)| (file.clone(), serde_json::Value::String(hash.clone())))
            .collect();
        let json = serde_json::json!({
            "about": "the files fleet build generated here, with the SHA-256 of each as written; fleet never touches other files",
            "version": FORMAT_VERSION,
            "files": files,
        });
        let mut text = serde_json::to_string_pretty(&json).expect("JSON values serialize");
        text.push('\n');
        text
    }
}

/// The SHA-256 of `contents`, as lower-case hex.
pub fn content_hash(contents: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(contents);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    hex
}
