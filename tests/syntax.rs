//! Parser fixtures: every `tests/syntax/ok/*.fleet` parses without a diagnostic and
//! snapshots its tree; every `tests/syntax/err/*.fleet` has diagnostics and
//! snapshots them (rendered as the CLI shows them) with the tree it still got.
//! Snapshots sit beside their fixtures (`name.snap`); review them with
//! `cargo insta review` or by reading the `.snap.new` files.

mod fixture;

use fixture::{assert_lossless, parse_fixture, rendered_diagnostics, snapshot_beside};

#[test]
fn valid_fixtures_parse_cleanly() {
    insta::glob!("syntax/ok/*.fleet", |path| {
        let (text, parse) = parse_fixture(path);
        assert_lossless(&text, &parse);
        assert!(
            parse.errors().is_empty(),
            "{} should parse without diagnostics:\n{}",
            path.display(),
            rendered_diagnostics(path, &text, parse.errors())
        );
        snapshot_beside(path, parse.tree().debug_dump());
    });
}

#[test]
fn invalid_fixtures_report_and_recover() {
    insta::glob!("syntax/err/*.fleet", |path| {
        let (text, parse) = parse_fixture(path);
        assert_lossless(&text, &parse);
        assert!(
            !parse.errors().is_empty(),
            "{} should have diagnostics",
            path.display()
        );
        let report = rendered_diagnostics(path, &text, parse.errors());
        snapshot_beside(path, format!("{report}\n{}", parse.tree().debug_dump()));
    });
}

#[test]
fn five_independent_mistakes_give_five_diagnostics_and_the_rest_parses() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/syntax/err/five-mistakes.fleet");
    let (_, parse) = parse_fixture(&path);
    let codes: Vec<_> = parse
        .errors()
        .iter()
        .map(|diagnostic| diagnostic.code.id)
        .collect();
    assert_eq!(codes, ["E0004", "E0106", "E0120", "E0105", "E0102"]);
    // Every declaration of the file is in the tree, the ones after each mistake too,
    // and none is swallowed by an error node.
    let declarations: Vec<_> = parse
        .tree()
        .root()
        .children()
        .map(|node| format!("{:?}", node.kind()))
        .collect();
    assert_eq!(
        declarations,
        [
            "ENV_DECL",
            "ENV_DECL",
            "CLUSTER_DECL",
            "TEAM_DECL",
            "APP_DECL",
            "CLUSTER_DECL",
            "POLICY_DECL",
            "ENV_DECL"
        ]
    );
}

/// Every `.fleet` file of the repository, not only the fixtures, gives its text back.
#[test]
fn every_fleet_file_in_the_repository_round_trips() {
    fn walk(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir()
                && path
                    .file_name()
                    .is_some_and(|name| name != "target" && name != ".git")
            {
                walk(&path, found);
            } else if path
                .extension()
                .is_some_and(|extension| extension == "fleet")
            {
                found.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), &mut files);
    assert!(files.len() >= 50, "found {} files", files.len());
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let parse = fleet_compiler::syntax::parse(text.as_str(), fleet_compiler::source::FileId(0));
        assert_lossless(&text, &parse);
    }
}
