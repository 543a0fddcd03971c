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
