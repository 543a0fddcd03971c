//! The `CompositeResourceDefinition` of `XCluster`: v1 with `scope: LegacyCluster`
//! and `claimNames` (claims), or v2 with `scope: Namespaced`.

use super::schema::Schema;
use super::{CLAIM_KIND, CLAIM_PLURAL, CrossplaneMode, GROUP, VERSION, XR_KIND, XR_PLURAL};
use crate::emit::document::Node;
use crate::emit::document::metadata;

/// The XRD, whose `spec` schema is `cluster` (the stdlib `Cluster` type's).
pub fn definition(cluster: &Schema, mode: CrossplaneMode) -> Node {
    let api_version = match mode {
        CrossplaneMode::Claims => "apiextensions.crossplane.io/v1",
        CrossplaneMode::Namespaced => "apiextensions.crossplane.io/v2",
    };
    let open_api = Node::map()
        .with("type", "object")
        .with("properties", Node::map().with("spec", cluster.to_node()))
        .with("required", Node::seq().item("spec"));
    let version = Node::map()
        .with("name", VERSION)
        .with("served", true)
        .with("referenceable", true)
        .with("schema", Node::map().with("openAPIV3Schema", open_api))
        .with("additionalPrinterColumns", printer_columns());
    let mut spec = Node::map().with("group", GROUP).with(
        "names",
        Node::map().with("kind", XR_KIND).with("plural", XR_PLURAL),
    );
    match mode {
        CrossplaneMode::Claims => {
            spec.push("scope", "LegacyCluster");
            spec.push(
                "claimNames",
                Node::map()
                    .with("kind", CLAIM_KIND)
                    .with("plural", CLAIM_PLURAL),
            );
        }
        CrossplaneMode::Namespaced => spec.push("scope", "Namespaced"),
    }
    spec.push("versions", Node::seq().item(version));
    Node::map()
        .with("apiVersion", api_version)
        .with("kind", "CompositeResourceDefinition")
        .with("metadata", metadata(&format!("{XR_PLURAL}.{GROUP}"), None))
        .with("spec", spec)
}

fn printer_columns() -> Node {
    let column = |name: &str, path: &str| {
        Node::map()
            .with("name", name)
            .with("type", "string")
            .with("jsonPath", path)
    };
    Node::seq()
        .item(column("Cloud", ".spec.cloud"))
        .item(column("Region", ".spec.region"))
        .item(column("Env", ".spec.env"))
        .item(column("Kubernetes", ".spec.kubernetes"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::crossplane::schema::Kind;

    fn spec_schema() -> Schema {
        Schema {
            description: None,
            kind: Kind::Object {
                properties: Vec::new(),
                required: Vec::new(),
            },
        }
    }

    #[test]
    fn claims_are_a_v1_legacy_cluster_xrd() {
        let xrd = definition(&spec_schema(), CrossplaneMode::Claims);
        assert_eq!(
            xrd.get("apiVersion").and_then(Node::as_str),
            Some("apiextensions.crossplane.io/v1")
        );
        assert_eq!(
            xrd.at(&["spec", "scope"]).and_then(Node::as_str),
            Some("LegacyCluster")
        );
        assert_eq!(
            xrd.at(&["spec", "claimNames", "kind"])
                .and_then(Node::as_str),
            Some(CLAIM_KIND)
        );
    }

    #[test]
    fn namespaced_composites_are_a_v2_xrd_without_claims() {
        let xrd = definition(&spec_schema(), CrossplaneMode::Namespaced);
        assert_eq!(
            xrd.get("apiVersion").and_then(Node::as_str),
            Some("apiextensions.crossplane.io/v2")
        );
        assert_eq!(
            xrd.at(&["spec", "scope"]).and_then(Node::as_str),
            Some("Namespaced")
        );
        assert!(xrd.at(&["spec", "claimNames"]).is_none());
        assert_eq!(
            xrd.at(&["metadata", "name"]).and_then(Node::as_str),
            Some("xclusters.fleet.dev")
        );
    }
}
