//! salsa reuses what an edit does not touch: editing one cluster in one file of a
//! multi-file fleet re-parses, re-resolves and re-evaluates that file only (the
//! fleet-wide step, `evaluate`, runs again over the files' evaluations).

use fleet_compiler::check::{check, workspace};
use fleet_compiler::db::Database;
use fleet_compiler::source::FileId;
use salsa::Setter;
use std::sync::Arc;

const FLEET: &str = "fleet acme { repo = \"https://github.com/acme/gitops\" }\nenv dev {}\nenv production {}\nteam web { owners = [\"@acme/web\"], namespaces = [\"web\"] }\n";

fn cluster(name: &str, max: u32) -> String {
    format!(
        "cluster {name}: Cluster {{\n  cloud = aws\n  region = \"eu-west-1\"\n  env = dev\n  kubernetes = \"1.35\"\n  node_groups = [{{ name = \"system\", instance = \"m6i.large\", min = 1, max = {max} }}]\n}}\n"
    )
}

fn executed(log: &[String], query: &str, file: &str) -> bool {
    log.iter()
        .any(|entry| entry.contains(query) && entry.contains(file))
}

#[test]
fn editing_one_cluster_reparses_and_resolves_only_its_file() {
    let mut db = Database::default();
    let files: Vec<(FileId, String, Arc<str>, Arc<str>)> = vec![
        (
            FileId(0),
            "fleet.fleet".into(),
            Arc::from(FLEET),
            Arc::from(""),
        ),
        (
            FileId(1),
            "a.fleet".into(),
            Arc::from(cluster("a-1", 4)),
            Arc::from(""),
        ),
        (
            FileId(2),
            "b.fleet".into(),
            Arc::from(cluster("b-1", 4)),
            Arc::from(""),
        ),
    ];
    let workspace = workspace(&db, files);
    assert!(
        check(&db, workspace).is_empty(),
        "{:#?}",
        check(&db, workspace)
    );
    let a = workspace.files(&db)[1];
    let b = workspace.files(&db)[2];
    let a_key = format!("({:?})", salsa::plumbing::AsId::as_id(&a));
    let b_key = format!("({:?})", salsa::plumbing::AsId::as_id(&b));

    db.record_executions();
    a.set_text(&mut db).to(Arc::from(cluster("a-1", 8)));
    let diagnostics = check(&db, workspace);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    let log = db.take_executions();

    let count = |query: &str| {
        log.iter()
            .filter(|entry| entry.starts_with(&format!("{query}(")))
            .count()
    };
    assert!(
        executed(&log, "parse(", &a_key),
        "the edited file is parsed again: {log:#?}"
    );
    assert!(
        !executed(&log, "parse(", &b_key),
        "the other file is not parsed again: {log:#?}"
    );
    assert_eq!(
        count("parse"),
        1,
        "only the edited file is parsed again: {log:#?}"
    );
    // resolve_file is keyed by (workspace, file): one run means the edited file only.
    assert_eq!(
        count("resolve_file"),
        1,
        "only the edited file is resolved again: {log:#?}"
    );
    assert_eq!(
        count("name_index"),
        0,
        "no name changed, so the index is kept: {log:#?}"
    );
    assert_eq!(
        count("evaluate_file"),
        1,
        "only the edited file's declarations are evaluated again: {log:#?}"
    );
    // (keyed by an interned (workspace, file): the model tells which one ran.)
    let model = &fleet_compiler::eval::declarations::evaluate(&db, workspace).model;
    let edited = fleet_compiler::model_json::value_json(&model.clusters[0].declared.value);
    assert_eq!(edited["node_groups"][0]["max"], 8, "{edited}");
    assert_eq!(
        count("evaluate"),
        1,
        "the fleet-wide step runs again: {log:#?}"
    );
}
