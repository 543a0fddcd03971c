//! The documents of an app, built from its value as one overlay sees it (the app
//! with the layers that apply merged in): for a typed `workload`, the hardened
//! Deployment and what goes with it (ServiceAccount, Service, HPA, PDB); for a
//! `helm` or `oci` source, the Flux objects that install it. `overlays.rs` writes
//! the app's own value as the base and compares each overlay's documents with
//! its parent's to write the overlay's patches.

use super::document::{self, Node};
use crate::eval::value::{Record, Value, ValueKind};
use crate::types::UnitKind;
use std::sync::Arc;

/// The label every object of an app carries, and the only one its selectors use
/// (selectors are immutable; other labels may change).
pub const NAME_LABEL: &str = "app.kubernetes.io/name";

/// One generated document and the file (in its folder) it is written to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    pub file: &'static str,
    pub node: Node,
}

impl Object {
    pub fn kind(&self) -> &str {
        self.node.get("kind").and_then(Node::as_str).unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.node
            .at(&["metadata", "name"])
            .and_then(Node::as_str)
            .unwrap_or("")
    }
}

/// What an app deploys, by the kind of its `workload` or `source`.
pub enum Deploys<'a> {
    Workload(&'a Record),
    Git { url: String, path: String },
    Helm { url: String, chart: String },
    Oci { url: String },
}

/// What the app (a merged value) deploys; `None` for an app with neither a
/// workload nor a source (an error `check` reports).
pub fn deploys(app: &Record) -> Option<Deploys<'_>> {
    if let Some(workload) = app.get("workload").and_then(Value::as_record) {
        return Some(Deploys::Workload(workload));
    }
    let source = app.get("source")?.as_record()?;
    let text = |name: &str| source.get(name).and_then(Value::as_str).map(str::to_string);
    let url = text("url")?;
    // The constructors' fields tell them apart: `git` has a `path` (defaulted),
    // `helm` a `chart`, `oci` an `oci://` URL only.
    if let Some(chart) = text("chart") {
        Some(Deploys::Helm { url, chart })
    } else if url.starts_with("oci://") {
        Some(Deploys::Oci { url })
    } else {
        Some(Deploys::Git {
            url,
            path: text("path").unwrap_or_else(|| ".".into()),
        })
    }
}

/// The app's image (without its tag), for a workload app.
pub fn image(app: &Record) -> Option<&str> {
    app.get("workload")?.as_record()?.get("image")?.as_str()
}

/// The version of the app in `env`: an image tag, a chart version or a Git ref.
pub fn version<'a>(app: &'a Record, env: &str) -> Option<&'a str> {
    app.get("version")?.as_record()?.get(env)?.as_str()
}

/// The documents of a workload app: ServiceAccount, Deployment, then Service,
/// HPA and PDB when the workload asks for them. `image` is the image the
/// Deployment names (without a tag: the overlays' `images` set it).
pub fn workload_objects(name: &str, app: &Record, workload: &Record, image: &str) -> Vec<Object> {
    let int = |record: &Record, field: &str| record.get(field).and_then(int_of);
    let labels = labels(name, workload);
    let port = int(workload, "port");
    let autoscale = workload.get("autoscale").and_then(Value::as_record);
    let mut objects = Vec::new();

    objects.push(Object {
        file: "serviceaccount.yaml",
        node: Node::map()
            .with("apiVersion", "v1")
            .with("kind", "ServiceAccount")
            .with("metadata", metadata(name, &labels))
            .with("automountServiceAccountToken", false),
    });

    let mut container = Node::map().with("name", name).with("image", image);
    if let Some(port) = port {
        container.push(
            "ports",
            Node::seq().item(
                Node::map()
                    .with("name", "http")
                    .with("containerPort", port)
                    .with("protocol", "TCP"),
            ),
        );
    }
    let env = string_map(app.get("env"));
    if !env.is_empty() {
        container.push(
            "env",
            env.into_iter()
                .map(|(key, value)| Node::map().with("name", key).with("value", value))
                .collect::<Node>(),
        );
    }
    let mut resources = Node::map();
    for field in ["requests", "limits"] {
        if let Some(amounts) = workload.get(field).and_then(Value::as_record) {
            let mut node = Node::map();
            for resource in ["cpu", "memory"] {
                if let Some(text) = amounts.get(resource).and_then(quantity_text) {
                    node.push(resource, text);
                }
            }
            resources.push(field, node);
        }
    }
    container.push("resources", resources);
    for (field, key) in [
        ("liveness", "livenessProbe"),
        ("readiness", "readinessProbe"),
    ] {
        if let Some(probe) = workload.get(field).and_then(Value::as_record) {
            container.push(key, probe_node(probe));
        }
    }
    let flag = |field: &str| {
        workload
            .get(field)
            .and_then(|value| match value.kind {
                ValueKind::Bool(flag) => Some(flag),
                _ => None,
            })
            .unwrap_or(true)
    };
    container.push(
        "securityContext",
        Node::map()
            .with("allowPrivilegeEscalation", false)
            .with("readOnlyRootFilesystem", flag("read_only_root_filesystem"))
            .with(
                "capabilities",
                Node::map().with("drop", Node::seq().item("ALL")),
            ),
    );

    let mut spec = Node::map();
    // With an autoscaler the HPA owns the replica count: a count in the
    // Deployment would be set back at every sync.
    if autoscale.is_none() {
        spec.push("replicas", int(app, "replicas").unwrap_or(1));
    }
    spec.push("selector", Node::map().with("matchLabels", selector(name)));
    spec.push(
        "template",
        Node::map()
            .with("metadata", Node::map().with("labels", labels.clone()))
            .with(
                "spec",
                Node::map()
                    .with("serviceAccountName", name)
                    .with("automountServiceAccountToken", false)
                    .with(
                        "securityContext",
                        Node::map()
                            .with("runAsNonRoot", flag("run_as_non_root"))
                            .with("seccompProfile", Node::map().with("type", "RuntimeDefault")),
                    )
                    .with("containers", Node::seq().item(container)),
            ),
    );
    objects.push(Object {
        file: "deployment.yaml",
        node: Node::map()
            .with("apiVersion", "apps/v1")
            .with("kind", "Deployment")
            .with("metadata", metadata(name, &labels))
            .with("spec", spec),
    });

    if let Some(port) = port {
        objects.push(Object {
            file: "service.yaml",
            node: Node::map()
                .with("apiVersion", "v1")
                .with("kind", "Service")
                .with("metadata", metadata(name, &labels))
                .with(
                    "spec",
                    Node::map()
                        .with("type", "ClusterIP")
                        .with("selector", selector(name))
                        .with(
                            "ports",
                            Node::seq().item(
                                Node::map()
                                    .with("name", "http")
                                    .with("port", port)
                                    .with("targetPort", "http")
                                    .with("protocol", "TCP"),
                            ),
                        ),
                ),
        });
    }

    if let Some(autoscale) = autoscale {
        let mut spec = Node::map().with(
            "scaleTargetRef",
            Node::map()
                .with("apiVersion", "apps/v1")
                .with("kind", "Deployment")
                .with("name", name),
        );
        spec.push("minReplicas", int(autoscale, "min").unwrap_or(1));
        spec.push(
            "maxReplicas",
            int(autoscale, "max").unwrap_or_else(|| int(autoscale, "min").unwrap_or(1)),
        );
        // Without a target, Kubernetes scales on 80% CPU, the stdlib's default too.
        if let Some(percent) = autoscale.get("cpu_utilization").and_then(percent_of) {
            spec.push(
                "metrics",
                Node::seq().item(
                    Node::map().with("type", "Resource").with(
                        "resource",
                        Node::map().with("name", "cpu").with(
                            "target",
                            Node::map()
                                .with("type", "Utilization")
                                .with("averageUtilization", percent),
                        ),
                    ),
                ),
            );
        }
        objects.push(Object {
            file: "horizontalpodautoscaler.yaml",
            node: Node::map()
                .with("apiVersion", "autoscaling/v2")
                .with("kind", "HorizontalPodAutoscaler")
                .with("metadata", metadata(name, &labels))
                .with("spec", spec),
        });
    }

    if let Some(min_available) = int(workload, "min_available") {
        objects.push(Object {
            file: "poddisruptionbudget.yaml",
            node: Node::map()
                .with("apiVersion", "policy/v1")
                .with("kind", "PodDisruptionBudget")
                .with("metadata", metadata(name, &labels))
                .with(
                    "spec",
                    Node::map()
                        .with("minAvailable", min_available)
                        .with("selector", Node::map().with("matchLabels", selector(name))),
                ),
        });
    }
    objects
}

/// The Flux objects that install a Helm chart: its repository and a
/// `HelmRelease` of `version` with the app's `values`. `kubectl kustomize` (and
/// Argo CD without `--enable-helm`) cannot inflate a chart itself; Flux's
/// helm-controller, which every cluster runs, can.
pub fn helm_objects(
    name: &str,
    namespace: &str,
    app: &Record,
    url: &str,
    chart: &str,
    version: Option<&str>,
) -> Vec<Object> {
    let mut chart_spec = Node::map().with("chart", chart);
    if let Some(version) = version {
        chart_spec.push("version", version);
    }
    chart_spec.push(
        "sourceRef",
        Node::map()
            .with("kind", "HelmRepository")
            .with("name", name),
    );
    let mut spec = Node::map()
        .with("interval", "10m")
        .with("chart", Node::map().with("spec", chart_spec));
    if let Some(values) = app.get("values").and_then(Value::as_record)
        && !values.fields.is_empty()
    {
        spec.push("values", record_node(values));
    }
    vec![
        Object {
            file: "helm.yaml",
            node: Node::map()
                .with("apiVersion", "source.toolkit.fluxcd.io/v1")
                .with("kind", "HelmRepository")
                .with("metadata", document::metadata(name, Some(namespace)))
                .with("spec", Node::map().with("interval", "1h").with("url", url)),
        },
        Object {
            file: "helm.yaml",
            node: Node::map()
                .with("apiVersion", "helm.toolkit.fluxcd.io/v2")
                .with("kind", "HelmRelease")
                .with("metadata", document::metadata(name, Some(namespace)))
                .with("spec", spec),
        },
    ]
}

/// The Flux objects that apply manifests from an OCI artifact: the repository at
/// tag `version` and a Flux `Kustomization` applying it into the app's namespace.
pub fn oci_objects(name: &str, namespace: &str, url: &str, version: Option<&str>) -> Vec<Object> {
    let mut spec = Node::map().with("interval", "5m").with("url", url);
    if let Some(version) = version {
        spec.push("ref", Node::map().with("tag", version));
    }
    vec![
        Object {
            file: "oci.yaml",
            node: Node::map()
                .with("apiVersion", "source.toolkit.fluxcd.io/v1")
                .with("kind", "OCIRepository")
                .with("metadata", document::metadata(name, Some(namespace)))
                .with("spec", spec),
        },
        Object {
            file: "oci.yaml",
            node: Node::map()
                .with("apiVersion", "kustomize.toolkit.fluxcd.io/v1")
                .with("kind", "Kustomization")
                .with("metadata", document::metadata(name, Some(namespace)))
                .with(
                    "spec",
                    Node::map()
                        .with("interval", "10m")
                        .with(
                            "sourceRef",
                            Node::map().with("kind", "OCIRepository").with("name", name),
                        )
                        .with("path", "./")
                        .with("prune", true)
                        .with("targetNamespace", namespace),
                ),
        },
    ]
}

/// Kustomize's remote resource for a folder of a Git repository at `reference`:
/// `<repo>//<folder>?ref=<reference>` (`<repo>?ref=...` for its root).
pub fn git_resource(url: &str, path: &str, reference: Option<&str>) -> String {
    let repository = url.trim_end_matches('/');
    let folder = path.trim_start_matches("./").trim_matches('/');
    let mut resource = match folder {
        "" | "." => repository.to_string(),
        folder => format!("{repository}//{folder}"),
    };
    if let Some(reference) = reference {
        resource.push_str("?ref=");
        resource.push_str(reference);
    }
    resource
}

/// The base's `kustomization.yaml`: the app's namespace and its objects' files.
pub fn base_kustomization(namespace: &str, objects: &[Object]) -> Node {
    let mut files: Vec<&str> = Vec::new();
    for object in objects {
        if !files.contains(&object.file) {
            files.push(object.file);
        }
    }
    Node::map()
        .with("apiVersion", "kustomize.config.k8s.io/v1beta1")
        .with("kind", "Kustomization")
        .with("namespace", namespace)
        .with(
            "resources",
            files.into_iter().map(Node::from).collect::<Node>(),
        )
}

/// The app's labels: its name, then the workload's own labels (sorted; the name
/// label cannot be changed, the selectors use it).
fn labels(name: &str, workload: &Record) -> Node {
    let mut labels = Node::map().with(NAME_LABEL, name);
    for (key, value) in string_map(workload.get("labels")) {
        if &*key != NAME_LABEL {
            labels.push(key, value);
        }
    }
    labels
}

fn selector(name: &str) -> Node {
    Node::map().with(NAME_LABEL, name)
}

fn metadata(name: &str, labels: &Node) -> Node {
    Node::map()
        .with("name", name)
        .with("labels", labels.clone())
}

/// A probe from `http_get(...)`, `tcp_socket(...)` or `exec(...)` (told apart by
/// their fields).
fn probe_node(probe: &Record) -> Node {
    let mut node = Node::map();
    let port = probe.get("port").and_then(int_of);
    if let Some(path) = probe.get("path").and_then(Value::as_str) {
        let mut action = Node::map().with("path", path);
        if let Some(port) = port {
            action.push("port", port);
        }
        node.push("httpGet", action);
    } else if let Some(command) = probe.get("command").and_then(Value::as_list) {
        node.push(
            "exec",
            Node::map().with(
                "command",
                command
                    .iter()
                    .filter_map(Value::interpolated)
                    .map(Node::from)
                    .collect::<Node>(),
            ),
        );
    } else if let Some(port) = port {
        node.push("tcpSocket", Node::map().with("port", port));
    }
    if let Some(period) = probe.get("period").and_then(seconds_of) {
        node.push("periodSeconds", period);
    }
    node
}

/// A map of strings (`env`, `labels`), sorted by key.
fn string_map(value: Option<&Value>) -> Vec<(Arc<str>, String)> {
    let Some(record) = value.and_then(Value::as_record) else {
        return Vec::new();
    };
    let mut entries: Vec<(Arc<str>, String)> = record
        .fields
        .iter()
        .filter_map(|field| Some((field.name.clone(), field.value.interpolated()?)))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries
}

fn int_of(value: &Value) -> Option<i64> {
    match value.kind {
        ValueKind::Int(value) => Some(value),
        _ => None,
    }
}

/// A CPU or memory amount as Kubernetes writes it: `250m`, `1`, `512Mi`.
fn quantity_text(value: &Value) -> Option<String> {
    match &value.kind {
        ValueKind::Quantity(quantity) => Some(quantity.kubernetes_text()),
        ValueKind::QuantityLiteral(text) | ValueKind::String(text) => Some(text.to_string()),
        ValueKind::Int(amount) => Some(amount.to_string()),
        _ => None,
    }
}

/// A duration in whole seconds, at least one (what `periodSeconds` takes).
fn seconds_of(value: &Value) -> Option<i64> {
    match &value.kind {
        ValueKind::Quantity(quantity) if quantity.kind == UnitKind::Duration => {
            let seconds = (quantity.amount + 999) / 1000;
            i64::try_from(seconds.max(1)).ok()
        }
        _ => None,
    }
}

/// A percentage in whole percent (what `averageUtilization` takes).
fn percent_of(value: &Value) -> Option<i64> {
    match &value.kind {
        ValueKind::Quantity(quantity) if quantity.kind == UnitKind::Percent => {
            i64::try_from(quantity.amount / 100).ok()
        }
        ValueKind::Int(percent) => Some(*percent),
        _ => None,
    }
}

/// Any value as a document node (Helm values): records as maps in their order,
/// quantities and names as strings.
pub fn value_node(value: &Value) -> Node {
    match &value.kind {
        ValueKind::Bool(flag) => Node::Bool(*flag),
        ValueKind::Int(number) => Node::Int(*number),
        ValueKind::String(text) | ValueKind::QuantityLiteral(text) => {
            Node::Str(super::document::Text::from(text))
        }
        ValueKind::Quantity(quantity) => Node::from(quantity.kubernetes_text()),
        ValueKind::List(items) => items.iter().map(value_node).collect(),
        ValueKind::Record(record) => record_node(record),
        ValueKind::Symbol(name) | ValueKind::Variant { name, .. } | ValueKind::Ref { name, .. } => {
            Node::Str(super::document::Text::from(name))
        }
        ValueKind::Selector(_) | ValueKind::Rest | ValueKind::Error => Node::Null,
    }
}

fn record_node(record: &Record) -> Node {
    let mut node = Node::map_with_capacity(record.fields.len());
    for field in &record.fields {
        node.push(field.name.clone(), value_node(&field.value));
    }
    node
}
