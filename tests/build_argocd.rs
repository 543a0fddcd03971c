//! Argo CD's part of `fleet build`: each app's ApplicationSet selects, through its
//! clusters generators' `matchExpressions` over the labels of the generated
//! cluster Secrets, exactly the clusters the compiler computed for `targets`
//! (`fleet eval` says which); its project and the cluster Secrets' secret store
//! are in the repository; its path is an overlay folder that exists for every
//! cluster it selects.

mod build_support;

use build_support::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A fleet whose selectors use `and`, `or`, `not`, `!=`, `not in` and labels,
/// with a cluster-level overlay.
const SELECTORS: &str = r#"
fleet shop {
  repo = "https://github.com/shop/gitops"
  secrets = aws_secrets_manager(region = "eu-west-1")
}

env dev {}
env production {}

team web { owners = ["@shop/web"], namespaces = ["web"] }

template small: Cluster {
  cloud = aws
  kubernetes = "1.35"
  node_groups = [{ name = "system", instance = "m6i.large", min = 2, max = 4 }]
}

for e in [dev, production], r in ["us-east-1", "eu-west-1"] {
  cluster "${e}-${r}": small { env = e, region = r, labels = { tier = if r == "eu-west-1" then "gold" else "silver" } }
}

cluster production-gpu: small { env = production, region = "us-east-1", labels = { tier = "gpu" } }

template web-app: App {
  team = web
  namespace = "web"
  workload {
    image = "registry.example.com/web/site"
    port = 8080
    requests = { cpu = 100m, memory = 128Mi }
    limits = { cpu = 200m, memory = 256Mi }
  }
  version { dev = "1.0.0", production = "1.0.0" }
}

app everywhere: web-app { targets = clusters where env in [dev, production] }
app eu-or-gpu: web-app { targets = clusters where region == "eu-west-1" or labels.tier == "gpu" }
app not-dev-silver: web-app { targets = clusters where not (env == dev or labels.tier == "silver") }
app production-not-gpu: web-app { targets = clusters where env == production and labels.tier != "gpu" }
app named: web-app { targets = clusters where name not in ["dev-us-east-1", "production-gpu"] }

overlay everywhere @ production { replicas = 3 }
overlay everywhere @ cluster production-gpu { replicas = 1 }
"#;

/// The clusters each app targets, by the compiler (`fleet eval`).
fn targets(fleet_folder: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let output = fleet(&["eval", fleet_folder.to_str().unwrap(), "--format", "json"]);
    assert!(output.status.success(), "{}", text(&output));
    let model: Value = serde_json::from_slice(&output.stdout).unwrap();
    model["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|app| {
            let clusters = app["targets"]["clusters"]
                .as_array()
                .expect("few enough clusters to be listed")
                .iter()
                .map(|name| name.as_str().unwrap().to_string())
                .collect();
            (app["name"].as_str().unwrap().to_string(), clusters)
        })
        .collect()
}

/// Whether a label selector's `matchExpressions` hold for `labels`.
fn matches(expressions: &Value, labels: &BTreeMap<String, String>) -> bool {
    expressions.as_array().unwrap().iter().all(|expression| {
        let key = expression["key"].as_str().unwrap();
        let values: BTreeSet<&str> = expression["values"]
            .as_array()
            .map(|values| values.iter().map(|value| value.as_str().unwrap()).collect())
            .unwrap_or_default();
        let label = labels.get(key);
        match expression["operator"].as_str().unwrap() {
            "In" => label.is_some_and(|value| values.contains(value.as_str())),
            "NotIn" => !label.is_some_and(|value| values.contains(value.as_str())),
            "Exists" => label.is_some(),
            "DoesNotExist" => label.is_none(),
            other => panic!("unknown operator {other}"),
        }
    })
}

fn check_application_sets(fleet_folder: &Path) -> BTreeMap<String, String> {
    let out = tempfile::tempdir().unwrap();
    let output = build(fleet_folder, out.path(), &[]);
    assert!(output.status.success(), "{}", text(&output));
    let files = tree(out.path());
    let expected = targets(fleet_folder);
    // The cluster Secrets' labels, as External Secrets will make them.
    let mut secrets: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut stores = BTreeSet::new();
    let mut projects = BTreeMap::new();
    for (path, contents) in &files {
        for document in documents(contents) {
            match document["kind"].as_str().unwrap_or("") {
                "ExternalSecret" => {
                    let template = &document["spec"]["target"]["template"];
                    let labels = template["metadata"]["labels"]
                        .as_object()
                        .unwrap()
                        .iter()
                        .map(|(key, value)| (key.clone(), value.as_str().unwrap().to_string()))
                        .collect::<BTreeMap<_, _>>();
                    assert_eq!(
                        labels["argocd.argoproj.io/secret-type"], "cluster",
                        "{path}"
                    );
                    let name = template["data"]["name"].as_str().unwrap().to_string();
                    assert_eq!(
                        document["spec"]["secretStoreRef"]["kind"],
                        "ClusterSecretStore"
                    );
                    stores.insert(
                        document["spec"]["secretStoreRef"]["name"]
                            .as_str()
                            .unwrap()
                            .to_string(),
                    );
                    secrets.insert(name, labels);
                }
                "ClusterSecretStore" => {
                    stores.remove(document["metadata"]["name"].as_str().unwrap());
                }
                "AppProject" => {
                    projects.insert(
                        document["metadata"]["name"].as_str().unwrap().to_string(),
                        document.clone(),
                    );
                }
                _ => {}
            }
        }
    }
    assert!(
        stores.is_empty(),
        "secret stores referenced but not generated: {stores:?}"
    );
    assert!(!secrets.is_empty(), "no cluster is registered");
    for (app, targets) in &expected {
        let path = format!("gitops/argocd/applicationsets/{app}.yaml");
        let set = &documents(&files[&path])[0];
        let default_template = &set["spec"]["template"];
        let mut selected = BTreeSet::new();
        for generator in set["spec"]["generators"].as_array().unwrap() {
            let clusters = &generator["clusters"];
            let template = if clusters["template"].is_null() {
                default_template
            } else {
                &clusters["template"]
            };
            for (cluster, labels) in &secrets {
                if !matches(&clusters["selector"]["matchExpressions"], labels) {
                    continue;
                }
                assert!(
                    selected.insert(cluster.clone()),
                    "{app}: {cluster} is selected by two generators"
                );
                // The path the Application syncs is a folder of the repository.
                let source_path = template["spec"]["source"]["path"]
                    .as_str()
                    .unwrap()
                    .replace(
                        "{{ index .metadata.labels \"fleet.dev/env\" }}",
                        &labels["fleet.dev/env"],
                    )
                    .replace(
                        "{{ index .metadata.labels \"fleet.dev/region\" }}",
                        &labels["fleet.dev/region"],
                    );
                assert!(
                    files.contains_key(&format!("{source_path}/kustomization.yaml")),
                    "{app} on {cluster}: `{source_path}` is not an overlay folder of the output"
                );
                // Its project is generated and lets it deploy to its namespace.
                let project = &projects[template["spec"]["project"].as_str().unwrap()];
                let namespace = &template["spec"]["destination"]["namespace"];
                assert!(
                    project["spec"]["destinations"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|d| d["namespace"] == *namespace),
                    "{app}: project has no destination for {namespace}"
                );
            }
        }
        assert_eq!(
            &selected, targets,
            "{app}: the ApplicationSet selects what the compiler computed"
        );
    }
    files
}

#[test]
fn acme_application_sets_select_the_computed_clusters() {
    check_application_sets(&acme());
}

#[test]
fn multicloud_application_sets_select_the_computed_clusters() {
    check_application_sets(multicloud_at_root().path());
}

#[test]
fn selectors_with_or_not_and_labels_become_exact_generators() {
    let fleet_folder = tempfile::tempdir().unwrap();
    std::fs::write(fleet_folder.path().join("fleet.fleet"), SELECTORS).unwrap();
    let check = fleet(&["check", fleet_folder.path().to_str().unwrap()]);
    assert!(check.status.success(), "{}", text(&check));
    let files = check_application_sets(fleet_folder.path());
    // `or` is two generators; the cluster with an overlay of its own has its own.
    let eu_or_gpu = &documents(&files["gitops/argocd/applicationsets/eu-or-gpu.yaml"])[0];
    assert_eq!(eu_or_gpu["spec"]["generators"].as_array().unwrap().len(), 2);
    let everywhere = &documents(&files["gitops/argocd/applicationsets/everywhere.yaml"])[0];
    let generators = everywhere["spec"]["generators"].as_array().unwrap();
    assert_eq!(generators.len(), 2, "{everywhere:#}");
    assert!(
        generators[1]["clusters"]["template"]["spec"]["source"]["path"]
            .as_str()
            .unwrap()
            .ends_with("everywhere/clusters/production-gpu")
    );
    // Every document validates, the AWS secret store included.
    for (path, contents) in &files {
        if path.ends_with(".yaml") {
            for document in documents(contents) {
                validate(path, &document);
            }
        }
    }
}
