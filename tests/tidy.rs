//! Code hygiene the reviews would otherwise repeat: every Rust source file says what
//! it is for in a `//!` line, and no module is a catch-all (`utils`, `helpers`, ...).

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|name| name != "target" && name != "node_modules")
            {
                rust_files(&path, found);
            }
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
}

fn workspace_rust_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "compiler", "lsp", "bench", "tests"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 20, "the walk found the sources");
    files
}

#[test]
fn every_rust_file_starts_with_a_module_comment() {
    let missing: Vec<_> = workspace_rust_files()
        .into_iter()
        .filter(|path| !std::fs::read_to_string(path).unwrap().starts_with("//!"))
        .collect();
    assert!(
        missing.is_empty(),
        "these files do not start with a `//!` line saying what they are for: {missing:#?}"
    );
}

#[test]
fn no_catch_all_module_names() {
    const CATCH_ALL: &[&str] = &["utils", "util", "helpers", "helper", "misc", "common"];
    let bad: Vec<_> = workspace_rust_files()
        .into_iter()
        .filter(|path| {
            path.file_stem()
                .is_some_and(|stem| CATCH_ALL.contains(&stem.to_string_lossy().as_ref()))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "name these modules for what they are: {bad:#?}"
    );
}
