//! Crossplane on the management cluster (`management-cluster/crossplane/`): the
//! clusters of the fleet as Crossplane composite resources.
//!
//! - `xrds/`: the `CompositeResourceDefinition` of `XCluster`, its schema derived
//!   field by field from the stdlib's `Cluster` type (`schema.rs`, `xrd.rs`);
//! - `compositions/`: one `Composition` per cloud (EKS, GKE, AKS), a pipeline of
//!   function-patch-and-transform then function-auto-ready (`compositions.rs`);
//! - `packages/`: the upjet providers, their `ProviderConfig`s and the two
//!   functions, with pinned package versions (`packages.rs`);
//! - `claims/`: one claim per cluster with its evaluated fields, and the
//!   protection that keeps a removed cluster from being deleted (`claims.rs`).
//!
//! Two modes (`CrossplaneMode`): claims (the default; a v1 XRD with
//! `scope: LegacyCluster` and `claimNames`, served by Crossplane 1.x and 2.x,
//! composing the cluster-scoped `*.upbound.io` resources), and namespaced
//! composites (a v2 XRD, `scope: Namespaced`, composing the namespaced
//! `*.m.upbound.io` resources). The fleet's `targets.crossplane_api` chooses.

pub mod accounts;
pub mod claims;
pub mod compositions;
pub mod packages;
pub mod schema;
pub mod xrd;

use super::document::Node;
use super::repository::{BATCH, FileSink, GeneratedFile, Settings};
use crate::db::{Db, Workspace};
use crate::eval::Evaluator;
use crate::model::FleetModel;
use std::collections::HashMap;
use std::sync::Arc;

/// Where everything Crossplane applies goes.
pub const FOLDER: &str = "management-cluster/crossplane";
/// The API group of the fleet's composite resources.
pub const GROUP: &str = "fleet.dev";
/// The one served (and referenceable) version of the XRD.
pub const VERSION: &str = "v1alpha1";
/// The composite resource's kind, and its plural.
pub const XR_KIND: &str = "XCluster";
pub const XR_PLURAL: &str = "xclusters";
/// The claim's kind, and its plural.
pub const CLAIM_KIND: &str = "Cluster";
pub const CLAIM_PLURAL: &str = "clusters";
/// The namespace of the claims (or of the namespaced composites).
pub const CLAIM_NAMESPACE: &str = "fleet-clusters";
/// The label on each Composition that claims select it by.
pub const CLOUD_LABEL: &str = "fleet.dev/cloud";

/// How the fleet's clusters are exposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrossplaneMode {
    /// v1 XRD (`scope: LegacyCluster`, `claimNames`), namespaced claims, and
    /// cluster-scoped managed resources (`*.upbound.io`).
    Claims,
    /// v2 XRD (`scope: Namespaced`), namespaced composites selecting their
    /// composition under `spec.crossplane`, and namespaced managed resources
    /// (`*.m.upbound.io`).
    Namespaced,
}

impl CrossplaneMode {
    /// The resource to create per cluster: the claim, or the composite itself.
    pub fn instance_kind(self) -> &'static str {
        match self {
            CrossplaneMode::Claims => CLAIM_KIND,
            CrossplaneMode::Namespaced => XR_KIND,
        }
    }
}

/// The mode a fleet gets: its `targets.crossplane_api` (claims by default;
/// E0420 keeps namespaced composites from a fleet targeting Crossplane 1.x).
pub fn mode(settings: &Settings) -> CrossplaneMode {
    settings.crossplane_api
}

/// `repository()`'s entry: the Crossplane files of the fleet, in its mode.
pub fn generate(
    db: &dyn Db,
    workspace: Workspace,
    model: &FleetModel,
    settings: &Settings,
    files: &mut dyn FileSink,
) {
    files_in_mode(
        db,
        workspace,
        model,
        &settings.fleet_source,
        mode(settings),
        files,
    );
}

/// The Crossplane files of a workspace's fleet in `mode`, evaluated here: for
/// tests and tools that want a mode the fleet's settings do not choose.
pub fn files_of_workspace(
    db: &dyn Db,
    workspace: Workspace,
    mode: CrossplaneMode,
) -> Vec<GeneratedFile> {
    let evaluation = crate::eval::declarations::evaluate(db, workspace);
    let model = &evaluation.model;
    let Some(fleet) = &model.fleet else {
        return Vec::new();
    };
    let fleet_source = super::repository::source_of(db, fleet);
    let mut files = Vec::new();
    files_in_mode(db, workspace, model, &fleet_source, mode, &mut files);
    files
}

/// The Crossplane files of the fleet in `mode`: XRD, compositions, packages,
/// claims, and a `kustomization.yaml` per folder.
pub fn files_in_mode(
    db: &dyn Db,
    workspace: Workspace,
    model: &FleetModel,
    fleet_source: &str,
    mode: CrossplaneMode,
    files: &mut dyn FileSink,
) {
    let evaluator = Evaluator::new(db, workspace);
    let Some(cluster_schema) = schema::Deriver::new(&evaluator).prelude("Cluster") else {
        return;
    };
    // The XRD and the compositions come from the stdlib's `Cluster` type.
    let stdlib = evaluator
        .prelude_type("Cluster")
        .map(|item| vec![super::repository::source_of_item(db, item)])
        .unwrap_or_else(|| vec![fleet_source.to_string()]);
    let mut folder = |name: &str, entries: Vec<(String, Vec<String>, Vec<Node>)>| {
        let mut resources = Vec::new();
        let mut sources_of_folder: Vec<String> = Vec::new();
        for (file, sources, documents) in entries {
            for source in &sources {
                if !sources_of_folder.contains(source) {
                    sources_of_folder.push(source.clone());
                }
            }
            resources.push(Node::from(file.as_str()));
            files.push(GeneratedFile::new(
                format!("{FOLDER}/{name}/{file}"),
                sources,
                documents,
            ));
        }
        if sources_of_folder.is_empty() {
            sources_of_folder.push(fleet_source.to_string());
        }
        files.push(super::flux::kustomize_file(
            &format!("{FOLDER}/{name}"),
            sources_of_folder,
            resources,
        ));
    };
    folder(
        "xrds",
        vec![(
            format!("{XR_PLURAL}.{GROUP}.yaml"),
            stdlib.clone(),
            vec![xrd::definition(&cluster_schema, mode)],
        )],
    );
    folder(
        "compositions",
        compositions::Cloud::ALL
            .iter()
            .map(|cloud| {
                (
                    format!("{}.yaml", cloud.composition_name()),
                    stdlib.clone(),
                    vec![compositions::composition(*cloud, mode)],
                )
            })
            .collect(),
    );
    folder(
        "packages",
        packages::files(model, mode)
            .into_iter()
            .map(|(file, documents)| (file, vec![fleet_source.to_string()], documents))
            .collect(),
    );
    // One claim per cluster, rendered on every core, a batch at a time.
    let names = super::repository::SourceNames::new(db, workspace);
    let mut resources = vec![Node::from("namespace.yaml")];
    let mut sources_of_folder = vec![fleet_source.to_string()];
    files.push(GeneratedFile::new(
        format!("{FOLDER}/claims/namespace.yaml"),
        vec![fleet_source.to_string()],
        vec![claims::namespace()],
    ));
    // A run's clusters share a few values (a `for` makes clusters that differ
    // in their names, which are not in them): the fields of each written once.
    let claims = |clusters: &[crate::model::Cluster]| {
        let mut fields_of: HashMap<*const crate::eval::value::Record, String> = HashMap::new();
        clusters
            .iter()
            .map(|cluster| {
                let key = cluster
                    .declared
                    .value
                    .as_record()
                    .map_or(std::ptr::null(), Arc::as_ptr);
                let fields = fields_of
                    .entry(key)
                    .or_insert_with(|| claims::spec_fields_text(cluster, &cluster_schema));
                GeneratedFile::written(
                    format!("{FOLDER}/claims/{}.yaml", cluster.declared.name),
                    &[names.of(&cluster.declared)],
                    |text| claims::write_documents(text, cluster, fields, mode),
                )
            })
            .collect()
    };
    crate::parallel::map_runs_batched(&model.clusters, BATCH, 512, claims, |made| {
        for file in made {
            resources.push(Node::from(&file.path[FOLDER.len() + "/claims/".len()..]));
            files.push(file);
        }
    });
    for cluster in &model.clusters {
        let source = names.of(&cluster.declared);
        if !sources_of_folder.contains(&source) {
            sources_of_folder.push(source);
        }
    }
    files.push(super::flux::kustomize_file(
        &format!("{FOLDER}/claims"),
        sources_of_folder,
        resources,
    ));
}
