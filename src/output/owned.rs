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
        list_text(
            self.files
                .iter()
                .map(|(file, hash)| (file.as_str(), hash.as_str())),
        )
    }
}

const ABOUT: &str = "the files fleet build generated here, with the SHA-256 of each as written; fleet never touches other files";

/// The owned list's text for `files` (path, hash), given in path order:
/// pretty JSON, as `serde_json` writes it, written directly (a first build of
/// W(10,000) spent 70 ms building the JSON value of 68,000 files first).
pub fn list_text<'a>(files: impl ExactSizeIterator<Item = (&'a str, &'a str)>) -> String {
    let mut text = String::with_capacity(256 + files.len() * 128);
    text.push_str("{\n  \"about\": ");
    push_json_string(&mut text, ABOUT);
    text.push_str(&format!(
        ",\n  \"version\": {FORMAT_VERSION},\n  \"files\": {{"
    ));
    let mut empty = true;
    for (file, hash) in files {
        text.push_str(if empty { "\n    " } else { ",\n    " });
        empty = false;
        push_json_string(&mut text, file);
        text.push_str(": ");
        push_json_string(&mut text, hash);
    }
    text.push_str(if empty { "}\n}\n" } else { "\n  }\n}\n" });
    text
}

/// `value` as a JSON string: quoted, and escaped where JSON needs it (`"`,
/// `\`, control characters), as `serde_json` does.
fn push_json_string(text: &mut String, value: &str) {
    if value
        .bytes()
        .any(|byte| byte < 0x20 || byte == b'"' || byte == b'\\')
    {
        text.push_str(&serde_json::Value::from(value).to_string());
    } else {
        text.push('"');
        text.push_str(value);
        text.push('"');
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What the list was before it was written directly: `serde_json`'s
    /// pretty JSON of the same value.
    fn through_serde(files: &BTreeMap<String, String>) -> String {
        let files: serde_json::Map<String, serde_json::Value> = files
            .iter()
            .map(|(file, hash)| (file.clone(), serde_json::Value::String(hash.clone())))
            .collect();
        let json = serde_json::json!({
            "about": ABOUT,
            "version": FORMAT_VERSION,
            "files": files,
        });
        let mut text = serde_json::to_string_pretty(&json).unwrap();
        text.push('\n');
        text
    }

    #[test]
    fn the_list_is_written_as_serde_json_writes_it() {
        let mut files = BTreeMap::new();
        assert_eq!(
            OwnedFiles {
                files: files.clone()
            }
            .to_text(),
            through_serde(&files)
        );
        files.insert("a/b.yaml".to_string(), content_hash(b"b"));
        files.insert(
            "quote\"back\\slash\ttab é.yaml".to_string(),
            content_hash(b"q"),
        );
        files.insert("z.yaml".to_string(), content_hash(b"z"));
        let owned = OwnedFiles { files };
        assert_eq!(owned.to_text(), through_serde(&owned.files));
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join(OWNED_LIST), owned.to_text()).unwrap();
        assert_eq!(OwnedFiles::read(root.path()).unwrap(), owned);
    }
}
