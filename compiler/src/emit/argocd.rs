//! Argo CD on the management cluster (`gitops/argocd/`): it owns the apps.
//!
//! - Each cluster is registered from the fleet's secret store: an `ExternalSecret`
//!   makes the Argo CD cluster Secret, with labels derived from the cluster's
//!   fields (`fleet.dev/env`, `fleet.dev/region`, ...) and its own labels; no
//!   credential is in Git (`docs/argocd-cluster-registration.md` follows the chain).
//! - Each app is one `ApplicationSet` whose clusters generators select, with
//!   `matchExpressions` over those labels, exactly the clusters the compiler
//!   computed for `targets`: the selector in disjunctive normal form, one generator
//!   per `or` branch. No per-app label is stamped on clusters. Its template syncs the
//!   app's overlay for the cluster's env and region (`overlays::overlay_folder`);
//!   a cluster with a cluster-level overlay gets a generator of its own whose
//!   template points at that overlay.
//! - Each team is an `AppProject`: its repositories, its namespaces as destinations.

use super::document::{Key, Node, metadata};
use super::overlays::{cluster_overlay_folder, overlay_folder};
use super::places::Places;
use super::repository::{BATCH, FileSink, GeneratedFile, Settings};
use crate::db::Db;
use crate::eval::value::{ClusterField, CompareOp, Predicate, Value};
use crate::model::{App, Cluster, Declared, FleetModel};
use crate::names::index::item_node;
use crate::names::items::name_text;
use crate::syntax::SyntaxKind::NAME;
use std::collections::BTreeSet;

/// Where Argo CD runs.
pub const ARGOCD_NAMESPACE: &str = "argocd";
/// The `ClusterSecretStore` made from the fleet's `secrets` setting.
pub const SECRET_STORE: &str = "fleet";
/// The folder of everything Argo CD applies.
pub const ARGOCD_FOLDER: &str = "gitops/argocd";
/// Where a cluster's credentials are in the secret store.
pub fn credentials_key(cluster: &str) -> String {
    format!("fleet/clusters/{cluster}")
}

/// The label every registered cluster carries with its name: every generator
/// requires it, so Argo CD's own `in-cluster` (which has no labels) is never
/// selected by accident.
pub const NAME_LABEL: &str = "fleet.dev/name";

/// The prefix of the labels fleet sets on clusters from their fields: a
/// cluster's own labels may not use it (E0424).
pub const FLEET_LABEL_PREFIX: &str = "fleet.dev/";

/// What makes a Secret in Argo CD's namespace a cluster registration.
pub const ARGOCD_SECRET_TYPE_LABEL: &str = "argocd.argoproj.io/secret-type";

/// More `or` branches than this make one generator listing the clusters by name
/// instead (still exact, but no longer readable as the selector).
const MAX_GENERATORS: usize = 32;

pub fn generate(
    db: &dyn Db,
    model: &FleetModel,
    places: &Places,
    settings: &Settings,
    files: &mut dyn FileSink,
) {
    let mut resources: Vec<String> = Vec::new();
    if let Some(store) = secret_store(db, model) {
        files.push(GeneratedFile::new(
            format!("{ARGOCD_FOLDER}/secret-store.yaml"),
            vec![settings.fleet_source.clone()],
            vec![store],
        ));
        resources.push("secret-store.yaml".into());
        // One registration per cluster, made on every core, a batch at a time.
        let registration_file = |cluster: &Cluster| {
            GeneratedFile::new(
                format!("{ARGOCD_FOLDER}/clusters/{}.yaml", cluster.declared.name),
                vec![
                    settings.sources.of(&cluster.declared),
                    settings.fleet_source.clone(),
                ],
                vec![registration(cluster)],
            )
        };
        crate::parallel::map_runs_batched(
            &model.clusters,
            BATCH,
            512,
            |clusters| clusters.iter().map(registration_file).collect(),
            |made| {
                for file in made {
                    resources.push(file.path[ARGOCD_FOLDER.len() + 1..].to_string());
                    files.push(file);
                }
            },
        );
    }
    for team in &model.teams {
        let path = format!("projects/{}.yaml", team.name);
        let repositories = team_repositories(model, &team.name, settings);
        files.push(GeneratedFile::new(
            format!("{ARGOCD_FOLDER}/{path}"),
            vec![settings.sources.of(team)],
            vec![project(team, &repositories)],
        ));
        resources.push(path);
    }
    let application_set_file = |app: &App| {
        let document = application_set(model, places, app, settings)?;
        let mut sources = vec![settings.sources.of(&app.declared)];
        for layer in &app.layers {
            let source = settings.sources.of_item(layer.item);
            if !sources.contains(&source) {
                sources.push(source);
            }
        }
        Some(GeneratedFile::new(
            format!("{ARGOCD_FOLDER}/applicationsets/{}.yaml", app.declared.name),
            sources,
            vec![document],
        ))
    };
    crate::parallel::map_runs_batched(
        &model.apps,
        BATCH,
        64,
        |apps| apps.iter().map(application_set_file).collect(),
        |made| {
            for file in made.into_iter().flatten() {
                resources.push(file.path[ARGOCD_FOLDER.len() + 1..].to_string());
                files.push(file);
            }
        },
    );
    resources.sort();
    files.push(super::flux::kustomize_file(
        ARGOCD_FOLDER,
        vec![settings.fleet_source.clone()],
        resources.into_iter().map(Node::from).collect(),
    ));
}

/// W0418, from `fleet build`: apps and clusters, but no secret store to register
/// the clusters with Argo CD from, so no app is deployed anywhere.
pub fn registration_warning(model: &FleetModel) -> Option<crate::diagnostics::Diagnostic> {
    let fleet = model.fleet.as_ref()?;
    let has_store = fleet
        .value
        .as_record()
        .is_some_and(|record| record.get("secrets").is_some());
    if has_store || model.apps.is_empty() || model.clusters.is_empty() {
        return None;
    }
    Some(
        crate::diagnostics::Diagnostic::new(
            crate::diagnostics::code::W0418,
            "no cluster is registered with Argo CD: the fleet has no secret store",
        )
        .with_primary(fleet.span, "no `secrets` here")
        .with_note(format!(
            "Argo CD learns each cluster's address and credential from the secret store; without it, the ApplicationSets of {} select no cluster",
            if model.apps.len() == 1 { "the app".to_string() } else { format!("the {} apps", model.apps.len()) }
        ))
        .with_help("name the store in the fleet: `secrets = vault(\"https://vault.example.com\", role = \"fleet\")` (or `aws_secrets_manager(...)`, `gcp_secret_manager(...)`, `azure_key_vault(...)`)"),
    )
}

/// The labels of a cluster's Argo CD Secret: its fields, then its own labels.
pub fn cluster_labels(cluster: &Cluster) -> Vec<(String, String)> {
    let mut labels = Vec::new();
    each_cluster_label(cluster, |key, value| {
        labels.push((key.to_string(), value.to_string()));
    });
    labels
}

/// [`cluster_labels`] one at a time, keys as a map of a document takes them:
/// what the registration of every cluster of a large fleet writes.
fn each_cluster_label(cluster: &Cluster, mut label: impl FnMut(Key, &str)) {
    label(Key::Literal(ARGOCD_SECRET_TYPE_LABEL), "cluster");
    label(Key::Literal(NAME_LABEL), &cluster.declared.name);
    label(Key::Literal("fleet.dev/env"), &cluster.env);
    label(Key::Literal("fleet.dev/region"), &cluster.region);
    label(Key::Literal("fleet.dev/cloud"), &cluster.cloud);
    label(Key::Literal("fleet.dev/kubernetes"), &cluster.kubernetes);
    if let Some(own) = cluster
        .declared
        .value
        .as_record()
        .and_then(|record| record.get("labels"))
        .and_then(Value::as_record)
    {
        for field in &own.fields {
            if let Some(value) = field.value.as_str() {
                label(Key::Made(field.name.clone()), value);
            }
        }
    }
}

/// The label a selector's field is read from.
pub fn label_key(field: &ClusterField) -> String {
    match field {
        ClusterField::Name => NAME_LABEL.to_string(),
        ClusterField::Env => "fleet.dev/env".to_string(),
        ClusterField::Region => "fleet.dev/region".to_string(),
        ClusterField::Cloud => "fleet.dev/cloud".to_string(),
        ClusterField::Kubernetes => "fleet.dev/kubernetes".to_string(),
        ClusterField::Label(key) => key.to_string(),
    }
}

/// One label requirement of a selector.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Requirement {
    key: String,
    /// `In` or `NotIn` (or `Exists`, with no values).
    operator: &'static str,
    values: Vec<String>,
}

impl Requirement {
    fn node(&self) -> Node {
        let node = Node::map()
            .with("key", self.key.as_str())
            .with("operator", self.operator);
        if self.operator == "Exists" {
            return node;
        }
        node.with(
            "values",
            self.values
                .iter()
                .map(|value| Node::from(value.as_str()))
                .collect::<Node>(),
        )
    }
}

/// A predicate as an `or` of `and`s of label requirements; `None` when it has
/// too many branches to be worth writing out.
fn normal_form(predicate: &Predicate, negated: bool) -> Option<Vec<Vec<Requirement>>> {
    Some(match (predicate, negated) {
        (Predicate::Constant(value), _) => {
            if *value != negated {
                vec![Vec::new()]
            } else {
                Vec::new()
            }
        }
        (Predicate::Not(inner), _) => normal_form(inner, !negated)?,
        (
            Predicate::Compare {
                field, op, values, ..
            },
            _,
        ) => {
            let positive = matches!(op, CompareOp::Equal | CompareOp::In) != negated;
            let mut texts: Vec<String> = values
                .iter()
                .filter_map(|value| value.interpolated())
                .collect();
            texts.sort();
            texts.dedup();
            if texts.is_empty() {
                // `in []`: nothing, or (negated) everything.
                return Some(if positive {
                    Vec::new()
                } else {
                    vec![Vec::new()]
                });
            }
            vec![vec![Requirement {
                key: label_key(field),
                operator: if positive { "In" } else { "NotIn" },
                values: texts,
            }]]
        }
        // `and` (or a negated `or`): every combination of the parts' branches.
        (Predicate::And(parts), false) | (Predicate::Or(parts), true) => {
            let mut product: Vec<Vec<Requirement>> = vec![Vec::new()];
            for part in parts {
                let branches = normal_form(part, negated)?;
                let mut next = Vec::new();
                for left in &product {
                    for right in &branches {
                        let mut both = left.clone();
                        both.extend(right.iter().cloned());
                        next.push(both);
                    }
                }
                if next.len() > MAX_GENERATORS {
                    return None;
                }
                product = next;
            }
            product
        }
        (Predicate::Or(parts), false) | (Predicate::And(parts), true) => {
            let mut branches = Vec::new();
            for part in parts {
                branches.extend(normal_form(part, negated)?);
                if branches.len() > MAX_GENERATORS {
                    return None;
                }
            }
            branches
        }
    })
}

/// The clusters generators selecting the app's target clusters, except those
/// in `excluded` (which get generators of their own).
fn generators(model: &FleetModel, app: &App, excluded: &[String]) -> Vec<Node> {
    let branches = app
        .targets
        .predicate
        .as_ref()
        .and_then(|predicate| normal_form(predicate, false));
    let branches = match branches {
        Some(branches) => branches,
        // Too many branches: the clusters by name, exactly the computed set.
        None => {
            let names: Vec<String> = app
                .targets
                .indices()
                .filter_map(|index| model.clusters.get(index))
                .map(|cluster| cluster.declared.name.to_string())
                .collect();
            vec![vec![Requirement {
                key: NAME_LABEL.to_string(),
                operator: "In",
                values: names,
            }]]
        }
    };
    let mut seen = BTreeSet::new();
    branches
        .into_iter()
        .filter_map(|mut requirements| {
            requirements.sort();
            requirements.dedup();
            if !seen.insert(requirements.clone()) {
                return None;
            }
            let mut expressions = vec![Requirement {
                key: NAME_LABEL.to_string(),
                operator: "Exists",
                values: Vec::new(),
            }];
            expressions.extend(requirements);
            if !excluded.is_empty() {
                expressions.push(Requirement {
                    key: NAME_LABEL.to_string(),
                    operator: "NotIn",
                    values: excluded.to_vec(),
                });
            }
            Some(clusters_generator(&expressions, None))
        })
        .collect()
}

fn clusters_generator(expressions: &[Requirement], template: Option<Node>) -> Node {
    let selector = Node::map().with(
        "matchExpressions",
        expressions.iter().map(Requirement::node).collect::<Node>(),
    );
    let clusters = Node::map()
        .with("selector", selector)
        .with_some("template", template);
    Node::map().with("clusters", clusters)
}

fn application_set(
    model: &FleetModel,
    places: &Places,
    app: &App,
    settings: &Settings,
) -> Option<Node> {
    let name = &*app.declared.name;
    let record = app.declared.value.as_record()?;
    let team = record.get("team").and_then(Value::name)?.to_string();
    let namespace = record.get("namespace").and_then(Value::as_str)?.to_string();
    // Clusters with an overlay of their own, among the app's targets.
    // Found from the layers (a few), not by a pass over every cluster per app.
    let mut own_overlays: Vec<&Cluster> = app
        .layers
        .iter()
        .filter_map(|layer| places.by_name.get(layer.key.cluster.as_deref()?))
        .copied()
        .filter(|&index| app.targets.contains(index))
        .map(|index| &model.clusters[index])
        .collect();
    own_overlays.sort_by(|a, b| a.declared.name.cmp(&b.declared.name));
    own_overlays.dedup_by(|a, b| a.declared.name == b.declared.name);
    let excluded: Vec<String> = own_overlays
        .iter()
        .map(|cluster| cluster.declared.name.to_string())
        .collect();
    let mut all = generators(model, app, &excluded);
    for cluster in &own_overlays {
        let path =
            cluster_overlay_folder(&cluster.env, &cluster.region, name, &cluster.declared.name);
        let template = template(
            name,
            &team,
            &namespace,
            settings,
            &format!("{}{path}", settings.output_prefix),
        );
        let expressions = [Requirement {
            key: NAME_LABEL.to_string(),
            operator: "In",
            values: vec![cluster.declared.name.to_string()],
        }];
        all.push(clusters_generator(&expressions, Some(template)));
    }
    if all.is_empty() {
        // Selects no cluster (warned about by `check`): nothing to sync.
        return None;
    }
    let path = format!(
        "{}{}",
        settings.output_prefix,
        overlay_folder(
            "{{ index .metadata.labels \"fleet.dev/env\" }}",
            "{{ index .metadata.labels \"fleet.dev/region\" }}",
            name
        )
    );
    Some(
        Node::map()
            .with("apiVersion", "argoproj.io/v1alpha1")
            .with("kind", "ApplicationSet")
            .with("metadata", metadata(name, Some(ARGOCD_NAMESPACE)))
            .with(
                "spec",
                Node::map()
                    .with("goTemplate", true)
                    .with(
                        "goTemplateOptions",
                        Node::Seq(vec![Node::from("missingkey=error")]),
                    )
                    .with("generators", Node::Seq(all))
                    .with(
                        "template",
                        template(name, &team, &namespace, settings, &path),
                    ),
            ),
    )
}

fn template(app: &str, team: &str, namespace: &str, settings: &Settings, path: &str) -> Node {
    Node::map()
        .with(
            "metadata",
            Node::map()
                .with("name", format!("{{{{ .name }}}}-{app}"))
                .with("labels", Node::map().with("fleet.dev/app", app)),
        )
        .with(
            "spec",
            Node::map()
                .with("project", team)
                .with(
                    "source",
                    Node::map()
                        .with("repoURL", &*settings.repo)
                        .with("targetRevision", &*settings.branch)
                        .with("path", path),
                )
                .with(
                    "destination",
                    Node::map()
                        .with("server", "{{ .server }}")
                        .with("namespace", namespace),
                )
                .with(
                    "syncPolicy",
                    Node::map().with(
                        "automated",
                        Node::map().with("prune", true).with("selfHeal", true),
                    ),
                ),
        )
}

/// The cluster's Argo CD Secret, made by External Secrets from the store: the
/// server and its `config` (a JSON string) are read from `fleet/clusters/<name>`.
fn registration(cluster: &Cluster) -> Node {
    let name = &*cluster.declared.name;
    let secret = format!("cluster-{name}");
    let key = credentials_key(name);
    let mut labels = Node::map_with_capacity(6);
    each_cluster_label(cluster, |key, value| labels.push(key, value));
    let remote = |property: &str| {
        Node::map().with("secretKey", property).with(
            "remoteRef",
            Node::map()
                .with("key", key.as_str())
                .with("property", property),
        )
    };
    Node::map()
        .with("apiVersion", "external-secrets.io/v1")
        .with("kind", "ExternalSecret")
        .with(
            "metadata",
            metadata(secret.as_str(), Some(ARGOCD_NAMESPACE)),
        )
        .with(
            "spec",
            Node::map()
                .with("refreshInterval", "1h")
                .with(
                    "secretStoreRef",
                    Node::map()
                        .with("kind", "ClusterSecretStore")
                        .with("name", SECRET_STORE),
                )
                .with(
                    "target",
                    Node::map()
                        .with("name", secret.as_str())
                        .with("creationPolicy", "Owner")
                        .with(
                            "template",
                            Node::map()
                                .with("type", "Opaque")
                                .with("metadata", Node::map().with("labels", labels))
                                .with(
                                    "data",
                                    Node::map()
                                        .with("name", name)
                                        .with("server", "{{ .server }}")
                                        .with("config", "{{ .config }}"),
                                ),
                        ),
                )
                .with("data", Node::Seq(vec![remote("server"), remote("config")])),
        )
}

/// The `ClusterSecretStore` of the fleet's `secrets` setting; `None` without one.
fn secret_store(db: &dyn Db, model: &FleetModel) -> Option<Node> {
    let fleet = model.fleet.as_ref()?;
    let store = fleet.value.as_record()?.get("secrets")?.as_record()?;
    let text = |name: &str| {
        let value = store.get(name)?;
        value
            .as_str()
            .map(str::to_string)
            .or_else(|| value.name().map(|name| name.to_string()))
    };
    let service_account = Node::map()
        .with("name", "external-secrets")
        .with("namespace", "external-secrets");
    let provider = match constructor_name(db, store)?.as_str() {
        "vault" => Node::map().with(
            "vault",
            Node::map()
                .with("server", text("address")?)
                .with("path", text("mount").unwrap_or_else(|| "secret".into()))
                .with("version", "v2")
                .with(
                    "auth",
                    Node::map().with(
                        "kubernetes",
                        Node::map()
                            .with("mountPath", "kubernetes")
                            .with("role", text("role")?)
                            .with("serviceAccountRef", service_account),
                    ),
                ),
        ),
        "aws_secrets_manager" => Node::map().with(
            "aws",
            Node::map()
                .with("service", "SecretsManager")
                .with("region", text("region")?)
                .with_some("role", text("role_arn"))
                .with(
                    "auth",
                    Node::map().with(
                        "jwt",
                        Node::map().with("serviceAccountRef", service_account),
                    ),
                ),
        ),
        "gcp_secret_manager" => {
            Node::map().with("gcpsm", Node::map().with("projectID", text("project")?))
        }
        "azure_key_vault" => Node::map().with(
            "azurekv",
            Node::map()
                .with("vaultUrl", text("url")?)
                .with("tenantId", text("tenant_id")?)
                .with("authType", "WorkloadIdentity")
                .with("serviceAccountRef", service_account),
        ),
        _ => return None,
    };
    Some(
        Node::map()
            .with("apiVersion", "external-secrets.io/v1")
            .with("kind", "ClusterSecretStore")
            .with("metadata", Node::map().with("name", SECRET_STORE))
            .with("spec", Node::map().with("provider", provider)),
    )
}

fn project(declared: &Declared, repositories: &[String]) -> Node {
    let team = &*declared.name;
    let namespaces: Vec<Node> = declared
        .strings("namespaces")
        .into_iter()
        .map(|namespace| Node::map().with("server", "*").with("namespace", namespace))
        .collect();
    Node::map()
        .with("apiVersion", "argoproj.io/v1alpha1")
        .with("kind", "AppProject")
        .with("metadata", metadata(team, Some(ARGOCD_NAMESPACE)))
        .with(
            "spec",
            Node::map()
                .with("description", format!("The apps of the team {team}"))
                .with(
                    "sourceRepos",
                    repositories
                        .iter()
                        .map(|repo| Node::from(repo.as_str()))
                        .collect::<Node>(),
                )
                .with("destinations", Node::Seq(namespaces))
                // No cluster-wide objects: a team's apps live in its namespaces.
                .with("clusterResourceWhitelist", Node::Seq(Vec::new())),
        )
}

/// The repositories a team's apps are synced from: the fleet's, and the Git
/// repositories of its apps' `git` sources.
fn team_repositories(model: &FleetModel, team: &str, settings: &Settings) -> Vec<String> {
    let mut repositories = BTreeSet::from([settings.repo.to_string()]);
    for app in &model.apps {
        let Some(record) = app.declared.value.as_record() else {
            continue;
        };
        if record.get("team").and_then(Value::name).map(|name| &**name) != Some(team) {
            continue;
        }
        if let Some(url) = record
            .get("source")
            .and_then(Value::as_record)
            .and_then(|source| source.get("url").or_else(|| source.get("repo")))
            .and_then(Value::as_str)
        {
            repositories.insert(url.to_string());
        }
    }
    repositories.into_iter().collect()
}

/// The name of the record type a constructor made (`vault`), from its declaration.
pub fn constructor_name(db: &dyn Db, record: &crate::eval::value::Record) -> Option<String> {
    let node = item_node(db, record.ty?);
    node.child_of_kind(NAME)
        .and_then(name_text)
        .map(|name| name.to_string())
}
