//! The Crossplane packages the compositions need (`packages/`): the upjet
//! providers of each cloud with that cloud's `ProviderConfig` named `default`
//! (the one managed resources use when they name none), and the two functions of
//! the pipelines. Versions are pinned to the releases whose CRDs the tests check
//! against (`tests/schemas/README.md`):
//!
//! - crossplane-contrib provider-upjet-aws v2.6.0, -gcp v3.0.0, -azure v2.7.0;
//! - function-patch-and-transform v0.10.8;
//! - function-auto-ready v0.7.0 (its newest minor release; no schema is checked:
//!   it takes no input).
//!
//! Credentials come from the management cluster's workload identity, never from a
//! secret in Git: IRSA on AWS, `InjectedIdentity` (GKE Workload Identity) on
//! Google Cloud, the system-assigned managed identity on Azure. The project
//! (Google Cloud) and the subscription and tenant (Azure) come from the fleet's
//! `accounts`; a cloud without them gets no `ProviderConfig` (and no cluster:
//! E0423).

use super::CrossplaneMode;
use super::accounts::Accounts;
use crate::emit::document::Node;
use crate::emit::document::metadata;
use crate::model::FleetModel;

/// Where the packages are published.
pub const REGISTRY: &str = "xpkg.crossplane.io/crossplane-contrib";

pub const PATCH_AND_TRANSFORM: &str = "function-patch-and-transform";
pub const PATCH_AND_TRANSFORM_VERSION: &str = "v0.10.8";
pub const AUTO_READY: &str = "function-auto-ready";
pub const AUTO_READY_VERSION: &str = "v0.7.0";

/// The providers each cloud's composition needs, and their release.
pub const PROVIDERS: [(&str, &[&str], &str); 3] = [
    (
        "aws",
        &["provider-aws-eks", "provider-aws-ec2", "provider-aws-iam"],
        "v2.6.0",
    ),
    (
        "gcp",
        &["provider-gcp-container", "provider-gcp-compute"],
        "v3.0.0",
    ),
    (
        "azure",
        &["provider-azure-containerservice", "provider-azure-network"],
        "v2.7.0",
    ),
];

fn package(name: &str, kind: &str, version: &str) -> Node {
    Node::map()
        .with("apiVersion", "pkg.crossplane.io/v1")
        .with("kind", kind)
        .with("metadata", metadata(name, None))
        .with(
            "spec",
            Node::map().with("package", format!("{REGISTRY}/{name}:{version}")),
        )
}

/// The `ProviderConfig` (claims) or `ClusterProviderConfig` (namespaced) of a
/// cloud, named `default`, with the account the fleet names for it (`None`
/// for Google Cloud or Azure when the fleet names none: a config without its
/// account would not work, and `fleet build` stops with E0423 when the fleet
/// has a cluster there).
fn provider_config(cloud: &str, mode: CrossplaneMode, accounts: &Accounts) -> Option<Node> {
    let (api_version, kind) = match mode {
        CrossplaneMode::Claims => (format!("{cloud}.upbound.io/v1beta1"), "ProviderConfig"),
        CrossplaneMode::Namespaced => (
            format!("{cloud}.m.upbound.io/v1beta1"),
            "ClusterProviderConfig",
        ),
    };
    let source = match cloud {
        "aws" => "IRSA",
        "gcp" => "InjectedIdentity",
        _ => "SystemAssignedManagedIdentity",
    };
    let mut spec = Node::map().with("credentials", Node::map().with("source", source));
    match cloud {
        "gcp" => spec.push("projectID", accounts.gcp_project.as_deref()?),
        "azure" => {
            spec.push("subscriptionID", accounts.azure_subscription.as_deref()?);
            spec.push("tenantID", accounts.azure_tenant.as_deref()?);
        }
        _ => {}
    }
    Some(
        Node::map()
            .with("apiVersion", api_version)
            .with("kind", kind)
            .with("metadata", metadata("default", None))
            .with("spec", spec),
    )
}

/// The files of `packages/`: `functions.yaml`, then one per cloud.
pub fn files(model: &FleetModel, mode: CrossplaneMode) -> Vec<(String, Vec<Node>)> {
    let accounts = Accounts::of(model);
    let mut files = vec![(
        "functions.yaml".to_string(),
        vec![
            package(PATCH_AND_TRANSFORM, "Function", PATCH_AND_TRANSFORM_VERSION),
            package(AUTO_READY, "Function", AUTO_READY_VERSION),
        ],
    )];
    for (cloud, providers, version) in PROVIDERS {
        let mut documents: Vec<Node> = providers
            .iter()
            .map(|provider| package(provider, "Provider", version))
            .collect();
        documents.extend(provider_config(cloud, mode, &accounts));
        files.push((format!("{cloud}.yaml"), documents));
    }
    files
}
