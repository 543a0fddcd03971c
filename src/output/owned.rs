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
        let files: Vec<(&str, &str)> = self
            .files
            .iter()
            .map(|(file, hash)| (file.as_str(), hash.as_str()))
            .collect();
        let mut text = Vec::new();
        write_list(&mut text, &files, |&(file, hash)| (file, hash))
            .expect("writing to memory cannot fail");
        String::from_utf8(text).expect("the list is made of `str`s")
    }
}

const ABOUT: &str = "the files fleet build generated here, with the SHA-256 of each as written; fleet never touches other files";

/// Writes the owned list of `files` (each gives its path and hash through
/// `entry`), given in path order, to `out`: pretty JSON, as `serde_json`
/// writes it. Written directly, not through a JSON value (a first build of
/// W(10,000) spent 70 ms building the value of 68,000 files first), and the
/// entries on every core: one after the other they took 30 to 40 ms, most of
/// it waiting for memory (each path and hash is an allocation of its own).
pub fn write_list<F: Sync>(
    out: &mut impl std::io::Write,
    files: &[F],
    entry: impl Fn(&F) -> (&str, &str) + Sync,
) -> std::io::Result<()> {
    out.write_all(b"{\n  \"about\": ")?;
    let mut about = Vec::new();
    push_json_string(&mut about, ABOUT);
    out.write_all(&about)?;
    write!(out, ",\n  \"version\": {FORMAT_VERSION},\n  \"files\": {{")?;
    // Each entry after a comma; the first one's is dropped below.
    let runs = fleet_compiler::parallel::map_runs(files, 4096, |run| {
        let mut text = Vec::with_capacity(run.len() * 144);
        for file in run {
            let (path, hash) = entry(file);
            text.extend_from_slice(b",\n    ");
            push_json_string(&mut text, path);
            text.extend_from_slice(b": ");
            push_json_string(&mut text, hash);
        }
        vec![text]
    });
    let mut first = true;
    for run in &runs {
        match run.split_first() {
            Some((_comma, rest)) if first => out.write_all(rest)?,
            _ => out.write_all(run)?,
        }
        first &= run.is_empty();
    }
    out.write_all(if files.is_empty() {
        b"}\n}\n"
    } else {
        b"\n  }\n}\n"
    })
}

/// `value` as a JSON string: quoted, and escaped where JSON needs it (`"`,
/// `\`, control characters), as `serde_json` does.
fn push_json_string(text: &mut Vec<u8>, value: &str) {
    if value
        .bytes()
        .any(|byte| byte < 0x20 || byte == b'"' || byte == b'\\')
    {
        text.extend_from_slice(serde_json::Value::from(value).to_string().as_bytes());
    } else {
        text.push(b'"');
        text.extend_from_slice(value.as_bytes());
        text.push(b'"');
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

    /// A list long enough to be written in runs on several threads: one comma
    /// between entries, none before the first, wherever a run begins.
    #[test]
    fn a_long_list_is_written_whole_and_in_order() {
        let files: BTreeMap<String, String> = (0..20_000)
            .map(|index| {
                (
                    format!("f/{index:05}.yaml"),
                    content_hash(index.to_string().as_bytes()),
                )
            })
            .collect();
        let owned = OwnedFiles { files };
        assert_eq!(owned.to_text(), through_serde(&owned.files));
    }
}
