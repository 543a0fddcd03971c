//! Shared by the fixture tests: reading a fixture, rendering its diagnostics the
//! way the CLI does (without colour), and snapshots stored beside the fixture.

#![allow(dead_code)]

use fleet_compiler::diagnostics::{Diagnostic, RenderOptions, render};
use fleet_compiler::source::{FileId, SourceMap};
use fleet_compiler::syntax::{self, Parse};
use std::path::Path;

/// The fixture's path relative to the repository, as diagnostics show it.
pub fn display_path(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

pub fn parse_fixture(path: &Path) -> (String, Parse) {
    let text = std::fs::read_to_string(path).expect("fixtures are UTF-8");
    let parse = syntax::parse(text.as_str(), FileId(0));
    (text, parse)
}

pub fn rendered_diagnostics(path: &Path, text: &str, diagnostics: &[Diagnostic]) -> String {
    let mut sources = SourceMap::new();
    sources.add(display_path(path), text);
    diagnostics
        .iter()
        .map(|diagnostic| render(diagnostic, &sources, RenderOptions { color: false }))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The tree gives the file back byte for byte.
pub fn assert_lossless(text: &str, parse: &Parse) {
    let rebuilt: String = parse.tree().tokens().map(|token| token.text()).collect();
    assert!(
        rebuilt == text,
        "the syntax tree does not reproduce its source"
    );
    let from_root: String = parse
        .tree()
        .root()
        .descendant_tokens()
        .map(|token| token.text())
        .collect();
    assert!(
        from_root == text,
        "walking the tree from the root does not reproduce its source"
    );
}

/// Snapshots `value` as `<fixture name>.snap` in the fixture's folder.
pub fn snapshot_beside(path: &Path, value: String) {
    let name = path.file_stem().unwrap().to_string_lossy().to_string();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(path.parent().unwrap());
    settings.set_prepend_module_to_snapshot(false);
    settings.remove_snapshot_suffix();
    settings.set_input_file(path);
    settings.bind(|| insta::assert_snapshot!(name, value));
}
