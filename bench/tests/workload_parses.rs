//! W(n) is valid `.fleet` syntax in both forms, one file or several, has the size the
//! workload description gives, and is the same on every call.

use fleet_bench::workload::{SHARED_FILE, app_count};
use fleet_bench::{Form, generate, generate_files};
use fleet_compiler::source::FileId;
use fleet_compiler::syntax::parse;

fn assert_parses(name: &str, text: &str) {
    let result = parse(text, FileId(0));
    assert!(
        result.errors().is_empty(),
        "{name} has {} syntax diagnostics, the first: {:#?}",
        result.errors().len(),
        result.errors()[0]
    );
}

/// The lines that start a cluster or app declaration, in order.
fn declarations<'t>(texts: impl IntoIterator<Item = &'t str>) -> Vec<&'t str> {
    texts
        .into_iter()
        .flat_map(str::lines)
        .filter(|line| line.starts_with("cluster ") || line.starts_with("app "))
        .collect()
}

#[test]
fn both_forms_parse_without_diagnostics() {
    for form in [Form::Compact, Form::Explicit] {
        for n in [30, 300] {
            assert_parses(&format!("W({n}) {form:?}"), &generate(n, form));
        }
    }
}

#[test]
fn split_files_parse_without_diagnostics() {
    for form in [Form::Compact, Form::Explicit] {
        let files = generate_files(300, form, 3);
        let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                SHARED_FILE,
                "clusters-000.fleet",
                "clusters-001.fleet",
                "clusters-002.fleet"
            ]
        );
        for (name, text) in &files {
            assert_parses(&format!("W(300) {form:?} {name}"), text);
        }
    }
}

#[test]
fn split_files_hold_the_same_fleet() {
    let whole = generate(300, Form::Explicit);
    let files = generate_files(300, Form::Explicit, 3);
    let mut split = declarations(files.iter().map(|(_, text)| text.as_str()));
    let mut one = declarations([whole.as_str()]);
    split.sort_unstable();
    one.sort_unstable();
    assert!(
        split == one,
        "the split files declare other clusters or apps than the single file"
    );
    assert_eq!(
        split
            .iter()
            .filter(|line| line.starts_with("cluster "))
            .count(),
        300
    );
    assert_eq!(
        split.iter().filter(|line| line.starts_with("app ")).count(),
        app_count(300)
    );
    // Evenly: 100 clusters and 20 apps a file, and nothing but shared declarations in fleet.fleet.
    for (name, text) in &files[1..] {
        let own = declarations([text.as_str()]);
        assert_eq!(own.len(), 120, "{name}");
    }
    assert!(declarations([files[0].1.as_str()]).is_empty());
}

#[test]
fn clusters_follow_the_index_arithmetic() {
    let text = generate(10, Form::Explicit);
    // i = 8: env production (8 % 3), region asia-south1 ((8 / 3) % 3), min 2 + 8 % 4.
    let at = text
        .find("cluster production-asia-south1-8: gke {\n")
        .expect("cluster 8");
    assert!(text[at..].starts_with(concat!(
        "cluster production-asia-south1-8: gke {\n",
        "  region = \"asia-south1\"\n",
        "  env = production\n",
        "  node_groups = [{ name = \"applications\", min = 2 }]\n",
    )));
    assert_eq!(app_count(0), 1);
    assert_eq!(app_count(10_000), 2_000);
}

#[test]
fn explicit_form_is_about_3_mb_at_10_000() {
    let bytes = generate(10_000, Form::Explicit).len();
    assert!(
        (2_000_000..=4_500_000).contains(&bytes),
        "W(10,000) explicit is {bytes} bytes"
    );
}

#[test]
fn generation_is_deterministic() {
    for form in [Form::Compact, Form::Explicit] {
        assert_eq!(generate(1_000, form), generate(1_000, form));
        assert_eq!(
            generate_files(1_000, form, 10),
            generate_files(1_000, form, 10)
        );
    }
}

#[test]
fn language_server_split_is_100_files_of_100_clusters() {
    let files = generate_files(10_000, Form::Explicit, 100);
    assert_eq!(files.len(), 101);
    assert_eq!(files[1].0, "clusters-000.fleet");
    assert_eq!(files[100].0, "clusters-099.fleet");
    for (name, text) in &files[1..] {
        let own = declarations([text.as_str()]);
        let clusters = own
            .iter()
            .filter(|line| line.starts_with("cluster "))
            .count();
        assert_eq!((clusters, own.len() - clusters), (100, 20), "{name}");
    }
    // One of them parses cleanly (all of them take a while in a debug build).
    assert_parses(&files[57].0, &files[57].1);
}
