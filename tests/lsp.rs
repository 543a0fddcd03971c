//! The language server, driven as an editor drives it: each test starts the real
//! `fleet lsp` over stdio (`fleet_bench::lsp_client`), opens a fleet written to a
//! temporary folder, and sends requests.
//!
//! Feature fixtures live in `tests/lsp/<feature>/*.fleet`: a whole fleet, one file
//! or several (`//- path.fleet` starts each file, as in the semantic fixtures), with
//! `$0` marking the cursor (in the file it is in; that file is the one opened). The
//! response is snapshotted beside the fixture as JSON, with the temporary folder
//! written `file:///ROOT` and the stdlib's copy `file:///STDLIB`.

mod fixture;

use fixture::snapshot_beside;
use fleet_bench::lsp_client::{Client, file_uri};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const CURSOR: &str = "$0";
const MARKER: &str = "//- ";

/// A fixture written to disk, with the server started on it.
struct Opened {
    client: Client,
    root: TempDir,
    _cache: TempDir,
    /// The opened file's name and URI, and the cursor in it (line, UTF-16 column).
    file: String,
    uri: String,
    cursor: Option<(u32, u32)>,
}

fn files_of(text: &str) -> Vec<(String, String)> {
    if !text.lines().any(|line| line.starts_with(MARKER)) {
        return vec![("fleet.fleet".to_string(), text.to_string())];
    }
    let mut files: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix(MARKER) {
            files.push((name.trim().to_string(), String::new()));
        } else if let Some((_, file)) = files.last_mut() {
            file.push_str(line);
        }
    }
    files
}

fn open_fixture(path: &Path) -> Opened {
    let text = std::fs::read_to_string(path).expect("the fixture reads");
    let root = tempfile::tempdir().expect("a temporary folder");
    let cache = tempfile::tempdir().expect("a temporary folder");
    let mut opened_file = None;
    let mut cursor = None;
    let files = files_of(&text);
    for (name, text) in &files {
        let mut text = text.clone();
        if let Some(offset) = text.find(CURSOR) {
            let before = &text[..offset];
            let line = before.matches('\n').count() as u32;
            let column = before
                .rsplit('\n')
                .next()
                .unwrap_or("")
                .encode_utf16()
                .count() as u32;
            cursor = Some((line, column));
            text = text.replacen(CURSOR, "", 1);
            opened_file = Some(name.clone());
        }
        let file = root.path().join(name);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, &text).unwrap();
    }
    let opened_file = opened_file.unwrap_or_else(|| files[0].0.clone());
    let opened_path = root.path().join(&opened_file);
    let uri = file_uri(&opened_path);
    let mut client = Client::start(
        Path::new(env!("CARGO_BIN_EXE_fleet")),
        Some(root.path()),
        cache.path(),
    );
    let text = std::fs::read_to_string(&opened_path).unwrap();
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "fleet", "version": 1, "text": text } }),
    );
    client.diagnostics_for(&uri);
    Opened {
        client,
        root,
        _cache: cache,
        file: opened_file,
        uri,
        cursor,
    }
}

/// The response as pretty JSON, with the temporary folders' URIs made stable.
fn redacted(value: &Value, opened: &Opened) -> String {
    let text = serde_json::to_string_pretty(value).unwrap();
    let root = file_uri(opened.root.path());
    let text = text.replace(&root, "file:///ROOT");
    let stdlib = file_uri(&opened._cache.path().join("fleet"));
    // `.../fleet/stdlib-<hash>/std/x.fleet`: the hash changes with the stdlib.
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find(&stdlib) {
        out.push_str(&rest[..start]);
        let after = &rest[start + stdlib.len()..];
        let skip = after.find("/std/").unwrap_or(0);
        out.push_str("file:///STDLIB");
        rest = &after[skip..];
    }
    out.push_str(rest);
    out
}

fn fixtures(feature: &str) -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/lsp")
        .join(feature);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|_| panic!("no folder {}", folder.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "fleet")
        })
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixtures in {}", folder.display());
    paths
}

fn at_cursor(opened: &Opened, path: &Path) -> Value {
    let (line, character) = opened
        .cursor
        .unwrap_or_else(|| panic!("{}: no `{CURSOR}` cursor", path.display()));
    json!({
        "textDocument": { "uri": opened.uri },
        "position": { "line": line, "character": character }
    })
}

/// Runs `method` at each fixture's cursor and snapshots the response.
fn run_position_fixtures(feature: &str, method: &str) {
    for path in fixtures(feature) {
        let mut opened = open_fixture(&path);
        let params = at_cursor(&opened, &path);
        let response = opened.client.request(method, params);
        assert!(
            response.get("error").is_none(),
            "{}: {response}",
            path.display()
        );
        let snapshot = redacted(&response["result"], &opened);
        snapshot_beside(&path, snapshot);
        assert_eq!(opened.client.shutdown(), Some(0));
    }
}

#[test]
fn hover() {
    run_position_fixtures("hover", "textDocument/hover");
}

#[test]
fn definition() {
    run_position_fixtures("definition", "textDocument/definition");
}

#[test]
fn document_symbols() {
    for path in fixtures("symbols") {
        let mut opened = open_fixture(&path);
        let uri = opened.uri.clone();
        let response = opened.client.request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": uri } }),
        );
        let snapshot = redacted(&response["result"], &opened);
        snapshot_beside(&path, snapshot);
    }
}

#[test]
fn formatting_is_fleet_fmt() {
    for path in fixtures("formatting") {
        let mut opened = open_fixture(&path);
        let uri = opened.uri.clone();
        let response = opened.client.request(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
        );
        let snapshot = redacted(&response["result"], &opened);
        // The same text as `fleet fmt` gives.
        let text = std::fs::read_to_string(
            opened.root.path().join(
                files_of(&std::fs::read_to_string(&path).unwrap())[0]
                    .0
                    .clone(),
            ),
        )
        .unwrap();
        let parse = fleet_compiler::syntax::parse(text.as_str(), fleet_compiler::source::FileId(0));
        let expected = fleet_compiler::format::format(&parse);
        match expected {
            Some(formatted) if formatted != text => {
                assert_eq!(response["result"][0]["newText"], json!(formatted))
            }
            Some(_) => assert_eq!(response["result"], json!([])),
            None => assert_eq!(response["result"], Value::Null),
        }
        snapshot_beside(&path, snapshot);
    }
}

/// Every document's published diagnostics after opening the fixture.
#[test]
fn diagnostics() {
    for path in fixtures("diagnostics") {
        let files = files_of(&std::fs::read_to_string(&path).unwrap());
        let mut opened = open_fixture(&path);
        let mut published = serde_json::Map::new();
        for (name, _) in &files {
            let uri = file_uri(&opened.root.path().join(name));
            if uri != opened.uri {
                let diagnostics = opened.client.diagnostics_for(&uri);
                published.insert(name.clone(), json!(diagnostics));
            }
        }
        // The opened document's were taken when it opened; an edit that changes
        // nothing republishes them.
        let uri = opened.uri.clone();
        opened.client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [] }),
        );
        let diagnostics = opened.client.diagnostics_for(&uri);
        published.insert(opened.file.clone(), json!(diagnostics));
        let snapshot = redacted(&Value::Object(published), &opened);
        snapshot_beside(&path, snapshot);
    }
}
