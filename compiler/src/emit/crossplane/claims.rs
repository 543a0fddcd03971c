//! One claim per cluster (`claims/<cluster>.yaml`), in the `fleet-clusters`
//! namespace, with the cluster's evaluated fields in the XRD's shape, and what
//! keeps a cluster removed from the fleet from being deleted:
//!
//! 1. The claim and its `Usage` carry `kustomize.toolkit.fluxcd.io/prune: disabled`
//!    and Argo CD's `Prune=false,Delete=false`: when the file leaves Git, neither
//!    GitOps tool deletes the claim; it stays (and shows as orphaned/out of sync).
//! 2. A `protection.crossplane.io/v1beta1` `Usage` of the claim with a `reason`:
//!    Crossplane's admission webhook refuses a `kubectl delete` of the claim while
//!    the Usage exists. Deleting a cluster is two deliberate steps: delete the
//!    Usage, then the claim.
//!
//! `crossplane.io/paused` was not chosen: it stops reconciling (upgrades, node
//! group changes) rather than deletion, and the managed resources' `deletionPolicy:
//! Orphan` would leave the cloud cluster running and billed, unmanaged, after a
//! deliberate delete too.

use super::schema::Schema;
use super::{CLAIM_NAMESPACE, CLOUD_LABEL, CrossplaneMode, GROUP, VERSION};
use crate::emit::document::Node;
use crate::emit::document::metadata;
use crate::emit::yaml;
use crate::model::Cluster;

/// The annotations that keep Flux and Argo CD from deleting an object whose
/// file left Git.
pub const NO_PRUNE: [(&str, &str); 2] = [
    ("kustomize.toolkit.fluxcd.io/prune", "disabled"),
    (
        "argocd.argoproj.io/sync-options",
        "Prune=false,Delete=false",
    ),
];

/// The cluster a path of the generated repository is the claim of:
/// `management-cluster/crossplane/claims/<cluster>.yaml`.
pub fn cluster_of_claim_path(path: &str) -> Option<&str> {
    let file = path.strip_prefix(super::FOLDER)?.strip_prefix("/claims/")?;
    let cluster = file.strip_suffix(".yaml")?;
    (!cluster.contains('/') && cluster != "kustomization" && cluster != "namespace")
        .then_some(cluster)
}

/// What removing a cluster from the fleet does, in words: its claim leaves Git,
/// the cluster does not go, and how to destroy it on purpose.
pub fn removal_notice(cluster: &str) -> String {
    format!(
        "cluster `{cluster}` is no longer in the fleet: its claim leaves Git, but the cluster keeps running (Flux and Argo CD do not prune claims, and a Usage protects it from deletion). To destroy it: kubectl -n {namespace} delete usage {usage}, then kubectl -n {namespace} delete {kind}.{group} {cluster}",
        namespace = super::CLAIM_NAMESPACE,
        usage = usage_name(cluster),
        kind = super::CLAIM_PLURAL,
        group = super::GROUP,
    )
}

/// The name of a cluster's `Usage`.
pub fn usage_name(cluster: &str) -> String {
    format!("{cluster}-deletion-protection")
}

/// The claim (or, namespaced, the composite) of a cluster, then its `Usage`,
/// with the cluster's fields (the end of the instance's `spec`, see
/// [`spec_fields_text`]) given as text: clusters a `for` makes share a few
/// values (their names are not in them), and a run of claims writes each once.
pub fn write_documents(
    out: &mut String,
    cluster: &Cluster,
    spec_fields: &str,
    mode: CrossplaneMode,
) {
    let name = &*cluster.declared.name;
    let instance = instance(cluster, mode);
    // The fields are added after the text of `spec`, its last key.
    debug_assert!(
        matches!(&instance, Node::Map(entries) if entries.last().is_some_and(|(key, _)| &**key == "spec"))
    );
    yaml::write_document(out, &instance);
    out.push_str(spec_fields);
    out.push_str("---\n");
    yaml::write_document(out, &usage(name, mode));
}

/// The cluster's fields in the XRD's shape, as they end the instance's `spec`.
pub fn spec_fields_text(cluster: &Cluster, schema: &Schema) -> String {
    let mut text = String::new();
    if let Some(Node::Map(fields)) = schema.value(&cluster.declared.value) {
        yaml::write_entries(&mut text, &fields, 2);
    }
    text
}

fn annotations() -> Node {
    let mut annotations = Node::map();
    for (key, value) in NO_PRUNE {
        annotations.push(key, value);
    }
    annotations
}

/// The instance without the cluster's fields: its `spec` is last, so they are
/// added at its end.
fn instance(cluster: &Cluster, mode: CrossplaneMode) -> Node {
    let name = &*cluster.declared.name;
    let selector = Node::map().with(
        "compositionSelector",
        Node::map().with(
            "matchLabels",
            Node::map().with(CLOUD_LABEL, &*cluster.cloud),
        ),
    );
    let spec = match mode {
        CrossplaneMode::Claims => selector,
        CrossplaneMode::Namespaced => Node::map().with("crossplane", selector),
    };
    let metadata = metadata(name, Some(CLAIM_NAMESPACE))
        .with(
            "labels",
            Node::map()
                .with(CLOUD_LABEL, &*cluster.cloud)
                .with("fleet.dev/env", &*cluster.env)
                .with("fleet.dev/region", &*cluster.region),
        )
        .with("annotations", annotations());
    Node::map()
        .with("apiVersion", format!("{GROUP}/{VERSION}"))
        .with("kind", mode.instance_kind())
        .with("metadata", metadata)
        .with("spec", spec)
}

fn usage(cluster: &str, mode: CrossplaneMode) -> Node {
    Node::map()
        .with("apiVersion", "protection.crossplane.io/v1beta1")
        .with("kind", "Usage")
        .with(
            "metadata",
            metadata(&usage_name(cluster), Some(CLAIM_NAMESPACE))
                .with("annotations", annotations()),
        )
        .with(
            "spec",
            Node::map()
                .with(
                    "of",
                    Node::map()
                        .with("apiVersion", format!("{GROUP}/{VERSION}"))
                        .with("kind", mode.instance_kind())
                        .with("resourceRef", Node::map().with("name", cluster)),
                )
                .with(
                    "reason",
                    format!(
                        "fleet cluster {cluster}: deleting it deletes a real cluster; \
                         delete this Usage first to mean it"
                    ),
                ),
        )
}

/// The namespace of the claims.
pub fn namespace() -> Node {
    Node::map()
        .with("apiVersion", "v1")
        .with("kind", "Namespace")
        .with("metadata", metadata(CLAIM_NAMESPACE, None))
}
