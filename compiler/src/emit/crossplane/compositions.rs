//! One `Composition` per cloud (EKS, GKE, AKS) for `XCluster`, `mode: Pipeline`:
//! step 1 function-patch-and-transform composes the network, the IAM roles (AWS),
//! the cluster and its node groups from the upjet managed resources, patched
//! from the composite's `spec`; step 2 function-auto-ready marks the composite
//! ready when they are.
//!
//! Managed resources: the cluster-scoped `*.upbound.io` kinds in claims mode (at
//! v1beta2 where the provider serves it, else v1beta1), the namespaced
//! `*.m.upbound.io` kinds (v1beta1) for namespaced composites. Both use the
//! object shape of nested blocks. References between them are selectors with
//! `matchControllerRef` (and a `fleet.dev/role` label where a composition has
//! two of a kind, the AWS roles).
//!
//! Node groups: patch-and-transform has no loops, so each composition has
//! `MAX_NODE_GROUPS` node-group resources, the `i`th patched from
//! `spec.nodeGroups[i]`. The first patch of each (the node group's name, to the
//! external name) is `policy.fromFieldPath: Required`, so a node group the
//! cluster does not have is not composed. Node groups are matched by position:
//! removing one from the middle of the list shifts the later ones (edit the list
//! at its end). Taints are patched per index too, up to `MAX_TAINTS` per group
//! (EKS and GKE spell the effect in upper case: `no_schedule` -> `NO_SCHEDULE`;
//! AKS node pools take `key=value:NoSchedule` strings, combined from the fields
//! and respelled with string `Replace` transforms). On AKS the first node group
//! is the cluster's default (system) pool, which takes no taints (W0422).

use super::{CLOUD_LABEL, CrossplaneMode, GROUP, VERSION, XR_KIND, XR_PLURAL};
use crate::emit::document::Node;
use crate::emit::document::metadata;

/// The node groups a composition can compose (a cluster with more is E0421).
pub const MAX_NODE_GROUPS: usize = 5;
/// The taints per node group patched (more is E0421).
pub const MAX_TAINTS: usize = 3;

/// The label that tells two managed resources of one kind apart for selectors.
const ROLE_LABEL: &str = "fleet.dev/role";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cloud {
    Aws,
    Gcp,
    Azure,
}

impl Cloud {
    pub const ALL: [Cloud; 3] = [Cloud::Aws, Cloud::Gcp, Cloud::Azure];

    /// The `cloud` variant of the stdlib (`aws`), the value of `fleet.dev/cloud`.
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Aws => "aws",
            Cloud::Gcp => "gcp",
            Cloud::Azure => "azure",
        }
    }

    pub fn service(self) -> &'static str {
        match self {
            Cloud::Aws => "eks",
            Cloud::Gcp => "gke",
            Cloud::Azure => "aks",
        }
    }

    /// `eks.xclusters.fleet.dev`
    pub fn composition_name(self) -> String {
        format!("{}.{XR_PLURAL}.{GROUP}", self.service())
    }
}

/// A managed resource's API: its group (without `.upbound.io`), its kind, and
/// its version cluster-scoped; namespaced ones are all `v1beta1`.
struct Api {
    group: &'static str,
    kind: &'static str,
    version: &'static str,
}

const fn api(group: &'static str, kind: &'static str, version: &'static str) -> Api {
    Api {
        group,
        kind,
        version,
    }
}

impl Api {
    fn api_version(&self, mode: CrossplaneMode) -> String {
        match mode {
            CrossplaneMode::Claims => format!("{}.upbound.io/{}", self.group, self.version),
            CrossplaneMode::Namespaced => format!("{}.m.upbound.io/v1beta1", self.group),
        }
    }
}

const VPC: Api = api("ec2.aws", "VPC", "v1beta1");
const SUBNET: Api = api("ec2.aws", "Subnet", "v1beta1");
const ROLE: Api = api("iam.aws", "Role", "v1beta1");
const ROLE_POLICY: Api = api("iam.aws", "RolePolicyAttachment", "v1beta1");
const EKS_CLUSTER: Api = api("eks.aws", "Cluster", "v1beta2");
const EKS_NODE_GROUP: Api = api("eks.aws", "NodeGroup", "v1beta2");
const NETWORK: Api = api("compute.gcp", "Network", "v1beta1");
const SUBNETWORK: Api = api("compute.gcp", "Subnetwork", "v1beta2");
const GKE_CLUSTER: Api = api("container.gcp", "Cluster", "v1beta2");
const GKE_NODE_POOL: Api = api("container.gcp", "NodePool", "v1beta2");
const RESOURCE_GROUP: Api = api("azure", "ResourceGroup", "v1beta1");
const VIRTUAL_NETWORK: Api = api("network.azure", "VirtualNetwork", "v1beta2");
const AZURE_SUBNET: Api = api("network.azure", "Subnet", "v1beta2");
const AKS_CLUSTER: Api = api("containerservice.azure", "KubernetesCluster", "v1beta2");
const AKS_NODE_POOL: Api = api(
    "containerservice.azure",
    "KubernetesClusterNodePool",
    "v1beta2",
);

/// A composed resource of patch-and-transform's `Resources` input.
struct Composed {
    name: String,
    base: Node,
    patches: Vec<Node>,
}

fn composed(
    name: impl Into<String>,
    api: &Api,
    mode: CrossplaneMode,
    labels: Option<Node>,
    for_provider: Node,
    patches: Vec<Node>,
) -> Composed {
    let mut base = Node::map()
        .with("apiVersion", api.api_version(mode))
        .with("kind", api.kind);
    if let Some(labels) = labels {
        base.push("metadata", Node::map().with("labels", labels));
    }
    base.push("spec", Node::map().with("forProvider", for_provider));
    Composed {
        name: name.into(),
        base,
        patches,
    }
}

fn patch(from: &str, to: &str) -> Node {
    Node::map()
        .with("type", "FromCompositeFieldPath")
        .with("fromFieldPath", from)
        .with("toFieldPath", to)
}

fn required(from: &str, to: &str) -> Node {
    patch(from, to).with("policy", Node::map().with("fromFieldPath", "Required"))
}

fn formatted(from: &str, to: &str, fmt: &str) -> Node {
    patch(from, to).with(
        "transforms",
        Node::seq().item(Node::map().with("type", "string").with(
            "string",
            Node::map().with("type", "Format").with("fmt", fmt),
        )),
    )
}

fn upper_case(from: &str, to: &str) -> Node {
    patch(from, to).with(
        "transforms",
        Node::seq().item(
            Node::map().with("type", "string").with(
                "string",
                Node::map()
                    .with("type", "Convert")
                    .with("convert", "ToUpper"),
            ),
        ),
    )
}

fn controller_ref() -> Node {
    Node::map().with("matchControllerRef", true)
}

fn controller_ref_with_role(role: &str) -> Node {
    controller_ref().with("matchLabels", Node::map().with(ROLE_LABEL, role))
}

fn role_label(role: &str) -> Option<Node> {
    Some(Node::map().with(ROLE_LABEL, role))
}

/// The composite's name as the cloud should know the cluster: the claim's name
/// (claims), or the composite's own (namespaced composites).
fn cluster_name_path(mode: CrossplaneMode) -> &'static str {
    match mode {
        CrossplaneMode::Claims => "metadata.labels[crossplane.io/claim-name]",
        CrossplaneMode::Namespaced => "metadata.name",
    }
}

const EXTERNAL_NAME: &str = "metadata.annotations[crossplane.io/external-name]";

fn node_group(index: usize, field: &str) -> String {
    format!("spec.nodeGroups[{index}].{field}")
}

fn taint_patches(index: usize, to_prefix: &str) -> Vec<Node> {
    let mut patches = Vec::new();
    for taint in 0..MAX_TAINTS {
        let from = |field: &str| node_group(index, &format!("taints[{taint}].{field}"));
        let to = |field: &str| format!("{to_prefix}[{taint}].{field}");
        patches.push(patch(&from("key"), &to("key")));
        patches.push(patch(&from("value"), &to("value")));
        patches.push(upper_case(&from("effect"), &to("effect")));
    }
    patches
}

/// How AKS spells each taint effect of the stdlib (`NoSchedule`), after a colon.
const AKS_EFFECTS: [(&str, &str); 3] = [
    (":no_schedule", ":NoSchedule"),
    (":prefer_no_schedule", ":PreferNoSchedule"),
    (":no_execute", ":NoExecute"),
];

/// AKS takes a node pool's taints as `key=value:Effect` strings: each is the
/// taint's fields combined, the effect then respelled. (A key or a label value
/// cannot hold a `:`, so `:no_schedule` is only ever the effect.)
fn aks_taint_patches(index: usize) -> Vec<Node> {
    (0..MAX_TAINTS)
        .map(|taint| {
            let from = |field: &str| node_group(index, &format!("taints[{taint}].{field}"));
            let variables = Node::Seq(
                ["key", "value", "effect"]
                    .iter()
                    .map(|field| Node::map().with("fromFieldPath", from(field)))
                    .collect(),
            );
            let respell = Node::Seq(
                AKS_EFFECTS
                    .iter()
                    .map(|(search, replace)| {
                        Node::map().with("type", "string").with(
                            "string",
                            Node::map().with("type", "Replace").with(
                                "replace",
                                Node::map()
                                    .with("search", *search)
                                    .with("replace", *replace),
                            ),
                        )
                    })
                    .collect(),
            );
            Node::map()
                .with("type", "CombineFromComposite")
                .with(
                    "combine",
                    Node::map()
                        .with("variables", variables)
                        .with("strategy", "string")
                        .with("string", Node::map().with("fmt", "%s=%s:%s")),
                )
                .with(
                    "toFieldPath",
                    format!("spec.forProvider.nodeTaints[{taint}]"),
                )
                .with("transforms", respell)
        })
        .collect()
}

fn aws(mode: CrossplaneMode) -> Vec<Composed> {
    let region = || patch("spec.region", "spec.forProvider.region");
    let mut resources = vec![composed(
        "vpc",
        &VPC,
        mode,
        None,
        Node::map()
            .with("cidrBlock", "10.0.0.0/16")
            .with("enableDnsHostnames", true)
            .with("enableDnsSupport", true),
        vec![region()],
    )];
    for (zone, cidr) in [("a", "10.0.0.0/17"), ("b", "10.0.128.0/17")] {
        resources.push(composed(
            format!("subnet-{zone}"),
            &SUBNET,
            mode,
            None,
            Node::map()
                .with("cidrBlock", cidr)
                .with("mapPublicIpOnLaunch", true)
                .with("vpcIdSelector", controller_ref())
                .with("tags", Node::map().with("kubernetes.io/role/elb", "1")),
            vec![
                region(),
                formatted(
                    "spec.region",
                    "spec.forProvider.availabilityZone",
                    &format!("%s{zone}"),
                ),
            ],
        ));
    }
    let assume = |service: &str| {
        format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\
             \"Principal\":{{\"Service\":\"{service}\"}},\"Action\":\"sts:AssumeRole\"}}]}}"
        )
    };
    let roles: [(&str, &str, &[&str]); 2] = [
        ("cluster", "eks.amazonaws.com", &["AmazonEKSClusterPolicy"]),
        (
            "node",
            "ec2.amazonaws.com",
            &[
                "AmazonEKSWorkerNodePolicy",
                "AmazonEKS_CNI_Policy",
                "AmazonEC2ContainerRegistryReadOnly",
            ],
        ),
    ];
    for (role, service, policies) in roles {
        resources.push(composed(
            format!("{role}-role"),
            &ROLE,
            mode,
            role_label(role),
            Node::map().with("assumeRolePolicy", assume(service)),
            Vec::new(),
        ));
        for policy in policies {
            resources.push(composed(
                format!("{role}-role-{}", policy.to_lowercase().replace('_', "-")),
                &ROLE_POLICY,
                mode,
                None,
                Node::map()
                    .with("policyArn", format!("arn:aws:iam::aws:policy/{policy}"))
                    .with("roleSelector", controller_ref_with_role(role)),
                Vec::new(),
            ));
        }
    }
    resources.push(composed(
        "cluster",
        &EKS_CLUSTER,
        mode,
        None,
        Node::map()
            .with("roleArnSelector", controller_ref_with_role("cluster"))
            .with(
                "vpcConfig",
                Node::map()
                    .with("endpointPublicAccess", true)
                    .with("subnetIdSelector", controller_ref()),
            )
            .with(
                "accessConfig",
                Node::map().with("authenticationMode", "API"),
            ),
        vec![
            patch(cluster_name_path(mode), EXTERNAL_NAME),
            region(),
            patch("spec.kubernetes", "spec.forProvider.version"),
        ],
    ));
    for index in 0..MAX_NODE_GROUPS {
        let mut patches = vec![
            required(&node_group(index, "name"), EXTERNAL_NAME),
            region(),
            patch(
                &node_group(index, "instance"),
                "spec.forProvider.instanceTypes[0]",
            ),
            patch(
                &node_group(index, "min"),
                "spec.forProvider.scalingConfig.minSize",
            ),
            patch(
                &node_group(index, "max"),
                "spec.forProvider.scalingConfig.maxSize",
            ),
            // The autoscaler owns the desired size once the group exists.
            patch(
                &node_group(index, "min"),
                "spec.initProvider.scalingConfig.desiredSize",
            ),
            patch(&node_group(index, "labels"), "spec.forProvider.labels"),
        ];
        patches.extend(taint_patches(index, "spec.forProvider.taint"));
        resources.push(composed(
            format!("node-group-{index}"),
            &EKS_NODE_GROUP,
            mode,
            None,
            Node::map()
                .with("clusterNameSelector", controller_ref())
                .with("nodeRoleArnSelector", controller_ref_with_role("node"))
                .with("subnetIdSelector", controller_ref()),
            patches,
        ));
    }
    resources
}

fn gcp(mode: CrossplaneMode) -> Vec<Composed> {
    let mut resources = vec![
        composed(
            "network",
            &NETWORK,
            mode,
            None,
            Node::map().with("autoCreateSubnetworks", false),
            Vec::new(),
        ),
        composed(
            "subnetwork",
            &SUBNETWORK,
            mode,
            None,
            Node::map()
                .with("ipCidrRange", "10.0.0.0/20")
                .with("privateIpGoogleAccess", true)
                .with("networkSelector", controller_ref()),
            vec![patch("spec.region", "spec.forProvider.region")],
        ),
        composed(
            "cluster",
            &GKE_CLUSTER,
            mode,
            None,
            Node::map()
                .with("removeDefaultNodePool", true)
                .with("initialNodeCount", Node::Int(1))
                .with("networkSelector", controller_ref())
                .with("subnetworkSelector", controller_ref())
                .with(
                    "ipAllocationPolicy",
                    Node::map()
                        .with("clusterIpv4CidrBlock", "/14")
                        .with("servicesIpv4CidrBlock", "/20"),
                ),
            vec![
                patch(cluster_name_path(mode), EXTERNAL_NAME),
                patch("spec.region", "spec.forProvider.location"),
                patch("spec.kubernetes", "spec.forProvider.minMasterVersion"),
            ],
        ),
    ];
    for index in 0..MAX_NODE_GROUPS {
        let mut patches = vec![
            required(&node_group(index, "name"), EXTERNAL_NAME),
            patch("spec.region", "spec.forProvider.location"),
            patch(
                &node_group(index, "instance"),
                "spec.forProvider.nodeConfig.machineType",
            ),
            patch(
                &node_group(index, "min"),
                "spec.forProvider.autoscaling.minNodeCount",
            ),
            patch(
                &node_group(index, "max"),
                "spec.forProvider.autoscaling.maxNodeCount",
            ),
            patch(
                &node_group(index, "min"),
                "spec.initProvider.initialNodeCount",
            ),
            patch(
                &node_group(index, "labels"),
                "spec.forProvider.nodeConfig.labels",
            ),
        ];
        patches.extend(taint_patches(index, "spec.forProvider.nodeConfig.taint"));
        resources.push(composed(
            format!("node-pool-{index}"),
            &GKE_NODE_POOL,
            mode,
            None,
            Node::map().with("clusterSelector", controller_ref()).with(
                "management",
                Node::map()
                    .with("autoRepair", true)
                    .with("autoUpgrade", true),
            ),
            patches,
        ));
    }
    resources
}

fn azure(mode: CrossplaneMode) -> Vec<Composed> {
    let location = || patch("spec.region", "spec.forProvider.location");
    let mut resources = vec![
        composed(
            "resource-group",
            &RESOURCE_GROUP,
            mode,
            None,
            Node::map(),
            vec![location()],
        ),
        composed(
            "virtual-network",
            &VIRTUAL_NETWORK,
            mode,
            None,
            Node::map()
                .with("addressSpace", Node::seq().item("10.0.0.0/16"))
                .with("resourceGroupNameSelector", controller_ref()),
            vec![location()],
        ),
        composed(
            "subnet",
            &AZURE_SUBNET,
            mode,
            None,
            Node::map()
                .with("addressPrefixes", Node::seq().item("10.0.0.0/18"))
                .with("resourceGroupNameSelector", controller_ref())
                .with("virtualNetworkNameSelector", controller_ref()),
            Vec::new(),
        ),
        composed(
            "cluster",
            &AKS_CLUSTER,
            mode,
            None,
            Node::map()
                .with("resourceGroupNameSelector", controller_ref())
                .with("identity", Node::map().with("type", "SystemAssigned"))
                .with("networkProfile", Node::map().with("networkPlugin", "azure"))
                .with(
                    "defaultNodePool",
                    Node::map()
                        .with("autoScalingEnabled", true)
                        .with("vnetSubnetIdSelector", controller_ref()),
                ),
            vec![
                patch(cluster_name_path(mode), EXTERNAL_NAME),
                patch(cluster_name_path(mode), "spec.forProvider.dnsPrefix"),
                location(),
                patch("spec.kubernetes", "spec.forProvider.kubernetesVersion"),
                patch(
                    &node_group(0, "name"),
                    "spec.forProvider.defaultNodePool.name",
                ),
                patch(
                    &node_group(0, "instance"),
                    "spec.forProvider.defaultNodePool.vmSize",
                ),
                patch(
                    &node_group(0, "min"),
                    "spec.forProvider.defaultNodePool.minCount",
                ),
                patch(
                    &node_group(0, "max"),
                    "spec.forProvider.defaultNodePool.maxCount",
                ),
                patch(
                    &node_group(0, "labels"),
                    "spec.forProvider.defaultNodePool.nodeLabels",
                ),
            ],
        ),
    ];
    for index in 1..MAX_NODE_GROUPS {
        resources.push(composed(
            format!("node-pool-{index}"),
            &AKS_NODE_POOL,
            mode,
            None,
            Node::map()
                .with("kubernetesClusterIdSelector", controller_ref())
                .with("autoScalingEnabled", true)
                .with("vnetSubnetIdSelector", controller_ref()),
            [
                required(&node_group(index, "name"), EXTERNAL_NAME),
                patch(&node_group(index, "instance"), "spec.forProvider.vmSize"),
                patch(&node_group(index, "min"), "spec.forProvider.minCount"),
                patch(&node_group(index, "max"), "spec.forProvider.maxCount"),
                patch(&node_group(index, "labels"), "spec.forProvider.nodeLabels"),
            ]
            .into_iter()
            .chain(aks_taint_patches(index))
            .collect(),
        ));
    }
    resources
}

/// The composition of `cloud`'s clusters.
pub fn composition(cloud: Cloud, mode: CrossplaneMode) -> Node {
    let resources = match cloud {
        Cloud::Aws => aws(mode),
        Cloud::Gcp => gcp(mode),
        Cloud::Azure => azure(mode),
    };
    let resources = Node::Seq(
        resources
            .into_iter()
            .map(|resource| {
                let mut node = Node::map()
                    .with("name", resource.name)
                    .with("base", resource.base);
                if !resource.patches.is_empty() {
                    node.push("patches", Node::Seq(resource.patches));
                }
                node
            })
            .collect(),
    );
    let input = Node::map()
        .with("apiVersion", "pt.fn.crossplane.io/v1beta1")
        .with("kind", "Resources")
        .with("resources", resources);
    let pipeline = Node::seq()
        .item(
            Node::map()
                .with("step", "patch-and-transform")
                .with(
                    "functionRef",
                    Node::map().with("name", super::packages::PATCH_AND_TRANSFORM),
                )
                .with("input", input),
        )
        .item(Node::map().with("step", "automatically-detect-ready").with(
            "functionRef",
            Node::map().with("name", super::packages::AUTO_READY),
        ));
    Node::map()
        .with("apiVersion", "apiextensions.crossplane.io/v1")
        .with("kind", "Composition")
        .with(
            "metadata",
            metadata(&cloud.composition_name(), None).with(
                "labels",
                Node::map()
                    .with(CLOUD_LABEL, cloud.name())
                    .with("fleet.dev/provider", cloud.service()),
            ),
        )
        .with(
            "spec",
            Node::map()
                .with(
                    "compositeTypeRef",
                    Node::map()
                        .with("apiVersion", format!("{GROUP}/{VERSION}"))
                        .with("kind", XR_KIND),
                )
                .with("mode", "Pipeline")
                .with("pipeline", pipeline),
        )
}
