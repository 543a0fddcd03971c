//! `evaluate_in_parallel` evaluates a large file's declarations on every core,
//! chunk by chunk, before `check`: what `check` and `evaluate` give afterwards
//! must be what they give without it, diagnostics (merged across chunks) and
//! model alike, and the chunks must be those `check` uses (not evaluated twice).

use fleet_compiler::check::{check, workspace};
use fleet_compiler::db::Database;
use fleet_compiler::eval::chunks::{CHUNK, evaluate_in_parallel};
use fleet_compiler::eval::declarations::evaluate;
use fleet_compiler::model_json::model_to_json;
use fleet_compiler::source::FileId;
use std::sync::Arc;

/// A fleet of `clusters` generated clusters and a tenth as many apps, with a
/// problem in two iterations far apart and one every iteration shares.
fn fleet(clusters: usize) -> String {
    let apps = clusters / 10;
    format!(
        r#"fleet acme {{ repo = "https://github.com/acme/gitops" }}
env dev {{}}
env production {{}}
team web {{ owners = ["@acme/web"], namespaces = ["web"] }}

template eks: Cluster {{
  cloud = aws
  kubernetes = "1.35"
  node_groups = [{{ name = "system", instance = "m6i.large", min = 5, max = 3 }}]
}}

for i in range({clusters}) {{
  cluster "c-${{i}}": eks {{
    env = if i % 2 == 0 then dev else production
    region = if i == 3 or i == {far} then "eu-west-9" else "us-east-1"
  }}
}}

for j in range({apps}) {{
  app "app-${{j}}" {{
    team = web
    namespace = "web"
    targets = clusters where env == production
    workload {{
      image = "registry.example.com/web/app-${{j}}"
      port = 8080
      requests = {{ cpu = 100m, memory = 128Mi }}
      limits = {{ cpu = 500m, memory = 256Mi }}
    }}
    version {{ dev = "1.${{j}}.0", production = "1.${{j}}.0" }}
  }}
  overlay "app-${{j}}" @ production {{ replicas = 3 }}
}}
"#,
        far = clusters - 7,
    )
}

fn checked(text: &str, parallel: bool) -> (Vec<String>, String, Vec<String>) {
    let db = Database::default();
    let ws = workspace(
        &db,
        [(
            FileId(0),
            "fleet.fleet".to_string(),
            Arc::from(text),
            Arc::from(""),
        )],
    );
    db.record_executions();
    if parallel {
        evaluate_in_parallel(&db, ws);
    }
    let diagnostics: Vec<String> = check(&db, ws)
        .iter()
        .map(|diagnostic| format!("{diagnostic:?}"))
        .collect();
    let model = model_to_json(&db, &evaluate(&db, ws).model).to_string();
    let chunks = db
        .take_executions()
        .into_iter()
        .filter(|query| query.starts_with("evaluate_chunk("))
        .collect();
    (diagnostics, model, chunks)
}

#[test]
fn evaluating_in_parallel_first_changes_nothing_check_reports() {
    let text = fleet(3 * CHUNK);
    let (serial_diagnostics, serial_model, serial_chunks) = checked(&text, false);
    let (parallel_diagnostics, parallel_model, parallel_chunks) = checked(&text, true);
    assert_eq!(parallel_diagnostics, serial_diagnostics);
    assert_eq!(parallel_model, serial_model);
    // 3,072 clusters, 307 apps and as many overlays, and the rest: 4 chunks,
    // each evaluated once.
    assert_eq!(serial_chunks.len(), 4, "{serial_chunks:#?}");
    assert_eq!(parallel_chunks.len(), 4, "{parallel_chunks:#?}");
    // One diagnostic per problem, whatever the chunks: the region in two
    // iterations of different chunks, and the template's node group in all.
    assert_eq!(serial_diagnostics.len(), 2, "{serial_diagnostics:#?}");
    assert!(
        serial_diagnostics
            .iter()
            .any(|diagnostic| diagnostic.contains("in 2 iterations of the `for`")),
        "{serial_diagnostics:#?}"
    );
}
