//! Flux on each workload cluster (decision 011): `gitops/flux/clusters/<cluster>/`
//! holds (in `sync.yaml`) the fleet repository's `GitRepository` and three
//! Kustomizations applied
//! in order by `dependsOn`, each waiting for what it applied to be ready:
//! `infrastructure` (the controllers and their CRDs: Kyverno), then `policies`
//! (the cluster's Kyverno policies, which need Kyverno's CRDs), then `teams`
//! (namespaces and RBAC). Argo CD owns the apps; Flux never applies them.

use super::document::{Node, metadata};
use super::policy_sets::PolicySets;
use super::repository::{BATCH, FileSink, GeneratedFile, Settings};
use crate::model::FleetModel;
use std::collections::HashMap;

/// Where Flux runs its own objects (the namespace `flux bootstrap` makes).
const FLUX_NAMESPACE: &str = "flux-system";
/// The name of the fleet repository's `GitRepository` on every cluster.
const FLEET_SOURCE: &str = "fleet";

/// The Kustomizations of every cluster, in the order they apply.
pub const STAGES: [&str; 3] = ["infrastructure", "policies", "teams"];

pub fn cluster_folder(cluster: &str) -> String {
    format!("gitops/flux/clusters/{cluster}")
}

pub const INFRASTRUCTURE_FOLDER: &str = "gitops/flux/infrastructure";
pub const TEAMS_FOLDER: &str = "gitops/flux/teams";

/// The file of a cluster's folder that holds its `GitRepository` and its
/// three Kustomizations (as `flux bootstrap` keeps its sync in one file).
pub const SYNC_FILE: &str = "sync.yaml";

/// For each cluster: `sync.yaml` with its `GitRepository` and the three
/// Kustomizations, and the `kustomization.yaml` that lists it (what `flux
/// bootstrap --path` applies). Made on every core: a large fleet has a folder
/// per cluster.
pub fn cluster_syncs(
    model: &FleetModel,
    settings: &Settings,
    policy_sets: &PolicySets,
    files: &mut dyn FileSink,
) {
    let indices: Vec<usize> = (0..model.clusters.len()).collect();
    let made = |indices: &[usize]| {
        let mut files = Vec::with_capacity(2 * indices.len());
        // A cluster's two files say nothing of the cluster itself: they follow
        // from its policy set and the file it is declared in (the header), the
        // same for most clusters of a run. Made once per (set, file); each
        // cluster gets a copy of the text under its own folder.
        let mut made: HashMap<(&str, String), [String; 2]> = HashMap::new();
        for &index in indices {
            let cluster = &model.clusters[index];
            let folder = cluster_folder(&cluster.declared.name);
            let policy_set = policy_sets.folder_of(index);
            let source = settings.sources.of(&cluster.declared);
            let [sync_text, kustomization_text] = made
                .entry((policy_set, source))
                .or_insert_with_key(|(policy_set, source)| {
                    let sources = vec![source.clone(), settings.fleet_source.clone()];
                    let paths = [INFRASTRUCTURE_FOLDER, policy_set, TEAMS_FOLDER];
                    let mut documents = vec![fleet_source(settings)];
                    let mut previous = None;
                    for (stage, path) in STAGES.iter().zip(paths) {
                        documents.push(sync(stage, path, previous, settings));
                        previous = Some(*stage);
                    }
                    let sync_file = GeneratedFile::new(SYNC_FILE, sources.clone(), documents);
                    let kustomization = kustomize_file("", sources, vec![Node::from(SYNC_FILE)]);
                    [sync_file.text, kustomization.text]
                });
            files.push(GeneratedFile {
                path: format!("{folder}/{SYNC_FILE}"),
                text: sync_text.clone(),
            });
            files.push(GeneratedFile {
                path: format!("{folder}/kustomization.yaml"),
                text: kustomization_text.clone(),
            });
        }
        files
    };
    crate::parallel::map_runs_batched(&indices, BATCH, 512, made, |made| files.push_all(made));
}

/// A Flux `Kustomization` in `flux-system` applying the repository folder `path`
/// from the fleet's `GitRepository`, after `after` is ready, waiting for what it
/// applied to be ready in turn.
fn sync(name: &str, path: &str, after: Option<&str>, settings: &Settings) -> Node {
    let mut spec = Node::map();
    if let Some(after) = after {
        spec.push(
            "dependsOn",
            Node::Seq(vec![Node::map().with("name", after)]),
        );
    }
    spec.push("interval", "10m");
    spec.push("retryInterval", "1m");
    spec.push("timeout", "5m");
    spec.push(
        "sourceRef",
        Node::map()
            .with("kind", "GitRepository")
            .with("name", FLEET_SOURCE),
    );
    spec.push("path", format!("./{}{path}", settings.output_prefix));
    spec.push("prune", true);
    // Wait for everything applied to be ready, so that the next stage finds the
    // CRDs and namespaces it needs.
    spec.push("wait", true);
    Node::map()
        .with("apiVersion", "kustomize.toolkit.fluxcd.io/v1")
        .with("kind", "Kustomization")
        .with("metadata", metadata(name, Some(FLUX_NAMESPACE)))
        .with("spec", spec)
}

/// The fleet repository as a Flux source.
fn fleet_source(settings: &Settings) -> Node {
    Node::map()
        .with("apiVersion", "source.toolkit.fluxcd.io/v1")
        .with("kind", "GitRepository")
        .with("metadata", metadata(FLEET_SOURCE, Some(FLUX_NAMESPACE)))
        .with(
            "spec",
            Node::map()
                .with("interval", "5m")
                .with("url", &*settings.repo)
                .with("ref", Node::map().with("branch", &*settings.branch)),
        )
}

/// Where the management cluster's Flux is bootstrapped.
pub const MANAGEMENT_FOLDER: &str = "management-cluster/flux";

/// The management cluster's own Flux (`flux bootstrap --path
/// management-cluster/flux`): its controllers (Crossplane, External Secrets), then
/// the Crossplane packages, the XRD, the compositions and the claims (each needing
/// the one before), and Argo CD's objects (which need External Secrets).
pub fn management(settings: &Settings, files: &mut dyn FileSink) {
    let sources = vec![settings.fleet_source.clone()];
    let crossplane = super::crossplane::FOLDER;
    let stages = [
        (
            "infrastructure",
            MANAGEMENT_INFRASTRUCTURE_FOLDER.to_string(),
            None,
        ),
        (
            "crossplane-packages",
            format!("{crossplane}/packages"),
            Some("infrastructure"),
        ),
        (
            "crossplane-xrds",
            format!("{crossplane}/xrds"),
            Some("crossplane-packages"),
        ),
        (
            "crossplane-compositions",
            format!("{crossplane}/compositions"),
            Some("crossplane-xrds"),
        ),
        (
            "crossplane-claims",
            format!("{crossplane}/claims"),
            Some("crossplane-compositions"),
        ),
        (
            "argocd",
            super::argocd::ARGOCD_FOLDER.to_string(),
            Some("infrastructure"),
        ),
    ];
    let mut resources = vec![Node::from("fleet-source.yaml")];
    files.push(GeneratedFile::new(
        format!("{MANAGEMENT_FOLDER}/fleet-source.yaml"),
        sources.clone(),
        vec![fleet_source(settings)],
    ));
    for (name, path, after) in stages {
        let file = format!("{name}.yaml");
        resources.push(Node::from(file.as_str()));
        files.push(GeneratedFile::new(
            format!("{MANAGEMENT_FOLDER}/{file}"),
            sources.clone(),
            vec![sync(name, &path, after, settings)],
        ));
    }
    files.push(kustomize_file(MANAGEMENT_FOLDER, sources, resources));
    management_infrastructure(settings, files);
}

/// What every cluster runs before its policies: Kyverno (its CRDs come with the
/// chart), from its Helm repository.
pub fn infrastructure(settings: &Settings, files: &mut dyn FileSink) {
    let sources = vec![settings.fleet_source.clone()];
    let kyverno = HelmComponent {
        name: "kyverno",
        repository: "https://kyverno.github.io/kyverno/",
        version: kyverno_chart(&settings.kyverno),
    };
    files.push(GeneratedFile::new(
        format!("{INFRASTRUCTURE_FOLDER}/kyverno.yaml"),
        sources.clone(),
        kyverno.documents(),
    ));
    files.push(kustomize_file(
        INFRASTRUCTURE_FOLDER,
        sources,
        vec![Node::from("kyverno.yaml")],
    ));
}

/// The management cluster's controllers, applied before what needs their CRDs:
/// Crossplane (the XRD, compositions and claims) and External Secrets (the cluster
/// registrations). Argo CD itself is installed when the hub is bootstrapped.
pub const MANAGEMENT_INFRASTRUCTURE_FOLDER: &str = "management-cluster/flux/infrastructure";

/// The External Secrets release the generated `ExternalSecret`s and
/// `ClusterSecretStore` are written for (the pinned schemas' 2.9); its chart
/// versions follow the app's.
const EXTERNAL_SECRETS_CHART: &str = "2.9.x";

fn management_infrastructure(settings: &Settings, files: &mut dyn FileSink) {
    let sources = vec![settings.fleet_source.clone()];
    // Crossplane's chart versions follow its releases: `targets.crossplane`.
    let components = [
        HelmComponent {
            name: "crossplane",
            repository: "https://charts.crossplane.io/stable",
            version: format!("{}.x", settings.crossplane),
        },
        HelmComponent {
            name: "external-secrets",
            repository: "https://charts.external-secrets.io",
            version: EXTERNAL_SECRETS_CHART.to_string(),
        },
    ];
    let mut resources = Vec::new();
    for component in components {
        let file = format!("{}.yaml", component.name);
        files.push(GeneratedFile::new(
            format!("{MANAGEMENT_INFRASTRUCTURE_FOLDER}/{file}"),
            sources.clone(),
            component.documents(),
        ));
        resources.push(Node::from(file.as_str()));
    }
    files.push(kustomize_file(
        MANAGEMENT_INFRASTRUCTURE_FOLDER,
        sources,
        resources,
    ));
}

/// A controller installed from its Helm chart, CRDs included, into a namespace
/// of its name.
struct HelmComponent {
    name: &'static str,
    repository: &'static str,
    /// A chart version or range (`3.9.x`).
    version: String,
}

impl HelmComponent {
    /// Its namespace, its `HelmRepository` and its `HelmRelease`.
    fn documents(&self) -> Vec<Node> {
        let namespace = Node::map()
            .with("apiVersion", "v1")
            .with("kind", "Namespace")
            .with("metadata", metadata(self.name, None));
        let repository = Node::map()
            .with("apiVersion", "source.toolkit.fluxcd.io/v1")
            .with("kind", "HelmRepository")
            .with("metadata", metadata(self.name, Some(FLUX_NAMESPACE)))
            .with(
                "spec",
                Node::map()
                    .with("interval", "1h")
                    .with("url", self.repository),
            );
        let release = Node::map()
            .with("apiVersion", "helm.toolkit.fluxcd.io/v2")
            .with("kind", "HelmRelease")
            .with("metadata", metadata(self.name, Some(FLUX_NAMESPACE)))
            .with(
                "spec",
                Node::map()
                    .with("interval", "1h")
                    .with("targetNamespace", self.name)
                    .with(
                        "chart",
                        Node::map().with(
                            "spec",
                            Node::map()
                                .with("chart", self.name)
                                .with("version", self.version.as_str())
                                .with(
                                    "sourceRef",
                                    Node::map()
                                        .with("kind", "HelmRepository")
                                        .with("name", self.name)
                                        .with("namespace", FLUX_NAMESPACE),
                                ),
                        ),
                    )
                    .with("install", Node::map().with("crds", "CreateReplace"))
                    .with("upgrade", Node::map().with("crds", "CreateReplace")),
            );
        vec![namespace, repository, release]
    }
}

/// The Kyverno chart for a Kyverno release: chart 3.N serves Kyverno 1.(N + 10)
/// (chart 3.5 is Kyverno 1.15, 3.7 is 1.17), any patch of it.
fn kyverno_chart(kyverno: &str) -> String {
    let minor = kyverno
        .split('.')
        .nth(1)
        .and_then(|minor| minor.parse::<u32>().ok())
        .unwrap_or(19);
    format!("3.{}.x", minor.saturating_sub(10))
}

/// Each team's namespaces, with a RoleBinding giving the team (a group of the
/// clusters' identity provider, named as the team) `edit` in them.
pub fn teams(model: &FleetModel, settings: &Settings, files: &mut dyn FileSink) {
    let mut resources = Vec::new();
    let mut sources = Vec::new();
    for team in &model.teams {
        let name = &*team.name;
        let source = settings.sources.of(team);
        let namespaces = team.strings("namespaces");
        let mut documents = Vec::new();
        for &namespace in &namespaces {
            documents.push(
                Node::map()
                    .with("apiVersion", "v1")
                    .with("kind", "Namespace")
                    .with(
                        "metadata",
                        Node::map().with("name", namespace).with(
                            "labels",
                            Node::map()
                                .with("fleet.dev/team", name)
                                // Its default-deny NetworkPolicy comes with it
                                // (the stdlib's `default_deny_network` checks).
                                .with("fleet.dev/default-deny", "true"),
                        ),
                    ),
            );
            documents.push(
                Node::map()
                    .with("apiVersion", "rbac.authorization.k8s.io/v1")
                    .with("kind", "RoleBinding")
                    .with(
                        "metadata",
                        metadata(&format!("team-{name}"), Some(namespace)),
                    )
                    .with(
                        "roleRef",
                        Node::map()
                            .with("apiGroup", "rbac.authorization.k8s.io")
                            .with("kind", "ClusterRole")
                            .with("name", "edit"),
                    )
                    .with(
                        "subjects",
                        Node::Seq(vec![
                            Node::map()
                                .with("apiGroup", "rbac.authorization.k8s.io")
                                .with("kind", "Group")
                                .with("name", name),
                        ]),
                    ),
            );
        }
        if documents.is_empty() {
            continue;
        }
        let file = format!("{name}.yaml");
        resources.push(Node::from(file.as_str()));
        files.push(GeneratedFile::new(
            format!("{TEAMS_FOLDER}/{file}"),
            vec![source.clone()],
            documents,
        ));
        if !sources.contains(&source) {
            sources.push(source);
        }
    }
    // Each team namespace's default-deny NetworkPolicy, applied with the
    // namespaces (the `policies` stage runs before they exist).
    resources.push(Node::from(format!(
        "../../../{}",
        super::kyverno::NETWORK_FOLDER
    )));
    files.push(kustomize_file(TEAMS_FOLDER, sources, resources));
}

/// A `kustomization.yaml` listing `resources` (relative to `folder`).
pub fn kustomize_file(folder: &str, sources: Vec<String>, resources: Vec<Node>) -> GeneratedFile {
    let kustomization = Node::map()
        .with("apiVersion", "kustomize.config.k8s.io/v1beta1")
        .with("kind", "Kustomization")
        .with("resources", Node::Seq(resources));
    GeneratedFile::new(
        format!("{folder}/kustomization.yaml"),
        sources,
        vec![kustomization],
    )
}
