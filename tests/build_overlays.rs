//! `fleet build`'s Kustomize overlays (`compiler/src/emit/overlays.rs`) and the
//! generated workload base (`workload_base.rs`): every document validates against
//! its schema (`tests/schemas/`); every overlay folder renders with
//! `kubectl kustomize` into what the fleet model says for its env, region and
//! cluster (image tag, replicas or autoscaler, env vars, resources, probes);
//! every target cluster has its overlay folder; the pod spec is hardened. On
//! `examples/acme` and on a fixture fleet with cluster-level overlays, an
//! autoscaler, a disruption budget and `git`, `helm` and `oci` sources.

mod build_support;

use build_support::*;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// A fleet with what acme lacks: an autoscaler, a disruption budget, layers at
/// every precedence (cluster ones included), a probe replaced by a layer, and
/// `git`, `helm` and `oci` sources.
fn fixture() -> tempfile::TempDir {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("fleet.fleet"),
        r#"fleet shop { repo = "https://github.com/shop/gitops" }
env dev {}
env production {}
team web { owners = ["@shop/web"], namespaces = ["web"] }

template eks: Cluster {
  cloud = aws
  kubernetes = "1.35"
  node_groups = [{ name = "system", instance = "m6i.large", min = 2, max = 6 }]
}

for e in [dev, production], r in ["us-east-1", "eu-west-1"] {
  cluster "${e}-${r}": eks { env = e, region = r }
}
"#,
    )
    .unwrap();
    std::fs::write(
        folder.path().join("apps.fleet"),
        r#"app storefront {
  team = web
  namespace = "web"
  targets = clusters
  workload {
    image = "registry.example.com/web/storefront"
    port = 8080
    requests = { cpu = 100m, memory = 128Mi }
    limits = { cpu = 1, memory = 1Gi }
    liveness = http_get("/healthz", port = 8080)
    readiness = tcp_socket(port = 8080, period = 5s)
    labels = { tier = "frontend" }
    autoscale = { min = 2, max = 10, cpu_utilization = 70% }
    min_available = 1
  }
  version { dev = "2.0.0", production = "1.9.3" }
  env = { LOG_LEVEL = "info" }
}

overlay storefront @ dev { workload.readiness = http_get("/ready", port = 8080) }
overlay storefront @ production { workload.autoscale.max = 20 }
overlay storefront @ cluster production-eu-west-1 {
  workload.limits.memory = 2Gi
  env.DATA_RESIDENCY = "eu"
}

app checkout {
  team = web
  namespace = "web"
  targets = clusters where env == production
  workload {
    image = "registry.example.com/web/checkout"
    requests = { cpu = 250m, memory = 256Mi }
    limits = { cpu = 500m, memory = 512Mi }
  }
  version { production = "3.1.0" }
  replicas = 2
}

overlay checkout @ production { replicas = 6 }
overlay checkout @ region "eu-west-1" { replicas = 3, env.REGION = "eu" }
overlay checkout @ production, region "eu-west-1" { replicas = 4 }
overlay checkout @ cluster production-us-east-1 {
  workload.min_available = 2
  workload.autoscale = { min = 5, max = 8 }
  version.production = "3.2.0-rc.1"
}

app orders {
  team = web
  namespace = "web"
  targets = clusters
  source = git("https://git.example.com/shop/orders", path = "deploy")
  version { dev = "v1.1.0", production = "v1.0.0" }
}

overlay orders @ cluster dev-eu-west-1 { version.dev = "v1.2.0" }

app search {
  team = web
  namespace = "web"
  targets = clusters where region == "us-east-1"
  source = helm("https://charts.example.com/stable", chart = "opensearch")
  version { dev = "2.3.0", production = "2.2.0" }
  values = { replicas = 1, persistence = { size = "10Gi" } }
}

overlay search @ production { values.replicas = 3 }

app ledger {
  team = web
  namespace = "web"
  targets = clusters where env == production
  source = oci("oci://ghcr.io/shop/manifests/ledger")
  version { production = "1.0.0" }
}
"#,
    )
    .unwrap();
    folder
}

/// An overlay folder and the clusters it is for, from the model.
struct Folder {
    app: String,
    env: String,
    path: String,
    /// The app's value with the layers that apply merged in, by precedence.
    value: Value,
}

/// Where a layer applies, from its `at` (`production`, `region "eu-west-1"`,
/// `production, region "eu-west-1"`, `cluster prod-1`).
fn layer_applies(at: &str, env: &str, region: &str, cluster: Option<&str>) -> bool {
    let mut layer_env = None;
    let mut layer_region = None;
    let mut layer_cluster = None;
    for part in at.split(", ") {
        if let Some(name) = part.strip_prefix("region ") {
            layer_region = Some(name.trim_matches('"'));
        } else if let Some(name) = part.strip_prefix("cluster ") {
            layer_cluster = Some(name);
        } else {
            layer_env = Some(part);
        }
    }
    layer_env.is_none_or(|layer_env| layer_env == env)
        && layer_region.is_none_or(|layer_region| layer_region == region)
        && (layer_cluster.is_none() || layer_cluster == cluster)
}

/// `upper` over `lower`: objects merge key by key, except two records of
/// different types (`$type`), which replace.
fn merge(lower: &mut Value, upper: &Value) {
    let (Value::Object(below), Value::Object(above)) = (&mut *lower, upper) else {
        *lower = upper.clone();
        return;
    };
    if below.contains_key("$type")
        && above.contains_key("$type")
        && below["$type"] != above["$type"]
    {
        *lower = upper.clone();
        return;
    }
    for (key, value) in above {
        match below.get_mut(key) {
            Some(existing) if existing.is_object() && value.is_object() => merge(existing, value),
            _ => {
                below.insert(key.clone(), value.clone());
            }
        }
    }
}

/// The overlay folders the model calls for: one per (env, region) of each app's
/// targets, one per cluster with a cluster-level layer.
fn folders(model: &Value) -> Vec<Folder> {
    let clusters: BTreeMap<&str, (&str, &str)> = model["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|cluster| {
            (
                cluster["name"].as_str().unwrap(),
                (
                    cluster["env"].as_str().unwrap(),
                    cluster["region"].as_str().unwrap(),
                ),
            )
        })
        .collect();
    let mut folders = Vec::new();
    for app in model["apps"].as_array().unwrap() {
        let name = app["name"].as_str().unwrap();
        let layers = app["layers"].as_array().unwrap();
        let value_with = |env: &str, region: &str, cluster: Option<&str>| {
            let mut value = app.clone();
            for layer in layers {
                if layer_applies(layer["at"].as_str().unwrap(), env, region, cluster) {
                    merge(&mut value, &layer["set"]);
                }
            }
            value
        };
        let targets: Vec<&str> = app["targets"]["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|cluster| cluster.as_str().unwrap())
            .collect();
        let pairs: BTreeSet<(&str, &str)> =
            targets.iter().map(|cluster| clusters[cluster]).collect();
        for (env, region) in pairs {
            folders.push(Folder {
                app: name.to_string(),
                env: env.to_string(),
                path: format!("workload-clusters/{env}/{region}/{name}"),
                value: value_with(env, region, None),
            });
        }
        for cluster in targets {
            let (env, region) = clusters[cluster];
            if layers
                .iter()
                .any(|layer| layer["at"].as_str().unwrap() == format!("cluster {cluster}"))
            {
                folders.push(Folder {
                    app: name.to_string(),
                    env: env.to_string(),
                    path: format!("workload-clusters/{env}/{region}/{name}/clusters/{cluster}"),
                    value: value_with(env, region, Some(cluster)),
                });
            }
        }
    }
    folders
}

fn kinds<'a>(objects: &'a [Value], kind: &str) -> Vec<&'a Value> {
    objects
        .iter()
        .filter(|object| object["kind"] == kind)
        .collect()
}

fn one<'a>(objects: &'a [Value], kind: &str, folder: &str) -> &'a Value {
    let found = kinds(objects, kind);
    assert_eq!(
        found.len(),
        1,
        "{folder}: one {kind} expected: {objects:#?}"
    );
    found[0]
}

/// The kustomize fields `domain-facts.md` rules out (deprecated or warned about).
const DEPRECATED: [&str; 5] = [
    "bases",
    "patchesStrategicMerge",
    "patchesJson6902",
    "commonLabels",
    "vars",
];

/// Every generated file of the overlays has the header naming its sources;
/// every document validates; kustomizations use current fields only and their
/// inline patches name what they patch.
fn check_documents(files: &BTreeMap<String, String>) {
    let mut count = 0;
    for (path, contents) in files {
        if !path.starts_with("workload-clusters/") {
            continue;
        }
        count += 1;
        let header = contents.lines().next().unwrap();
        assert!(
            header.starts_with("# Generated by fleet build from ") && header.contains(".fleet"),
            "{path} has no header naming its sources: {header}"
        );
        for document in documents(contents) {
            validate(path, &document);
            if document["apiVersion"] != "kustomize.config.k8s.io/v1beta1" {
                continue;
            }
            for field in DEPRECATED {
                assert!(document.get(field).is_none(), "{path} uses `{field}`");
            }
            for entry in document["patches"].as_array().into_iter().flatten() {
                let patch = documents(entry["patch"].as_str().expect("an inline patch"));
                assert_eq!(patch.len(), 1, "{path}");
                assert_eq!(patch[0]["kind"], entry["target"]["kind"], "{path}");
                assert_eq!(
                    patch[0]["metadata"]["name"], entry["target"]["name"],
                    "{path}"
                );
            }
            for labels in document["labels"].as_array().into_iter().flatten() {
                assert_eq!(labels["includeSelectors"], false, "{path}");
            }
        }
    }
    assert!(count > 0, "no overlay files were generated");
}

#[test]
fn every_overlay_document_validates_against_its_schema() {
    for fleet_folder in [acme(), fixture().path().to_path_buf()] {
        let (_out, files) = built(&fleet_folder);
        check_documents(&files);
    }
}

/// The overlay every target cluster of every app is synced from exists, and
/// nothing else is generated under `workload-clusters/`.
fn check_folders(files: &BTreeMap<String, String>, model: &Value) {
    let clusters: BTreeMap<&str, (&str, &str)> = model["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|cluster| {
            (
                cluster["name"].as_str().unwrap(),
                (
                    cluster["env"].as_str().unwrap(),
                    cluster["region"].as_str().unwrap(),
                ),
            )
        })
        .collect();
    for app in model["apps"].as_array().unwrap() {
        let name = app["name"].as_str().unwrap();
        for cluster in app["targets"]["clusters"].as_array().unwrap() {
            let (env, region) = clusters[cluster.as_str().unwrap()];
            let path = format!("workload-clusters/{env}/{region}/{name}/kustomization.yaml");
            assert!(files.contains_key(&path), "{name} on {cluster}: no {path}");
        }
    }
    let expected: BTreeSet<String> = folders(model)
        .into_iter()
        .map(|folder| folder.path)
        .chain(
            model["apps"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|app| app.get("workload").is_some())
                .map(|app| format!("workload-clusters/base/{}", app["name"].as_str().unwrap())),
        )
        .collect();
    let present: BTreeSet<String> = files
        .keys()
        .filter(|path| path.starts_with("workload-clusters/"))
        .filter_map(|path| path.strip_suffix("/kustomization.yaml"))
        .map(str::to_string)
        .collect();
    assert_eq!(present, expected);
}

#[test]
fn every_target_cluster_has_its_overlay_folder() {
    for fleet_folder in [acme(), fixture().path().to_path_buf()] {
        let (_out, files) = built(&fleet_folder);
        check_folders(&files, &model(&fleet_folder));
    }
}

/// A rendered workload overlay is what the model says for its clusters.
fn check_workload(folder: &Folder, objects: &[Value], part_of: &str) {
    let path = &folder.path;
    let value = &folder.value;
    let workload = &value["workload"];
    let namespace = value["namespace"].as_str().unwrap();
    for object in objects {
        assert_eq!(
            object["metadata"]["namespace"], namespace,
            "{path}: {object}"
        );
        let labels = &object["metadata"]["labels"];
        assert_eq!(
            labels["app.kubernetes.io/name"],
            folder.app.as_str(),
            "{path}"
        );
        assert_eq!(labels["app.kubernetes.io/part-of"], part_of, "{path}");
    }
    let deployment = one(objects, "Deployment", path);
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    let tag = value["version"][&folder.env].as_str().unwrap();
    assert_eq!(
        container["image"],
        format!("{}:{tag}", workload["image"].as_str().unwrap()),
        "{path}"
    );
    match workload.get("autoscale") {
        Some(autoscale) => {
            // The autoscaler owns the replica count.
            assert!(
                deployment["spec"].get("replicas").is_none(),
                "{path}: replicas with an autoscaler"
            );
            let hpa = one(objects, "HorizontalPodAutoscaler", path);
            assert_eq!(hpa["spec"]["minReplicas"], autoscale["min"], "{path}");
            assert_eq!(hpa["spec"]["maxReplicas"], autoscale["max"], "{path}");
            assert_eq!(hpa["spec"]["scaleTargetRef"]["name"], folder.app.as_str());
            if let Some(percent) = autoscale.get("cpu_utilization") {
                let percent: i64 = percent
                    .as_str()
                    .unwrap()
                    .trim_end_matches('%')
                    .parse()
                    .unwrap();
                assert_eq!(
                    hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], percent,
                    "{path}"
                );
            }
        }
        None => {
            assert_eq!(deployment["spec"]["replicas"], value["replicas"], "{path}");
            assert!(
                kinds(objects, "HorizontalPodAutoscaler").is_empty(),
                "{path}"
            );
        }
    }
    match workload.get("min_available") {
        Some(min) => assert_eq!(
            one(objects, "PodDisruptionBudget", path)["spec"]["minAvailable"],
            *min,
            "{path}"
        ),
        None => assert!(kinds(objects, "PodDisruptionBudget").is_empty(), "{path}"),
    }
    let env: Map<String, Value> = container["env"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|var| {
            (
                var["name"].as_str().unwrap().to_string(),
                var["value"].clone(),
            )
        })
        .collect();
    assert_eq!(Value::Object(env), value["env"], "{path}: env");
    for amounts in ["requests", "limits"] {
        for resource in ["cpu", "memory"] {
            assert_eq!(
                container["resources"][amounts][resource], workload[amounts][resource],
                "{path}: {amounts}.{resource}"
            );
        }
    }
    for (field, key) in [
        ("liveness", "livenessProbe"),
        ("readiness", "readinessProbe"),
    ] {
        let Some(probe) = workload.get(field) else {
            assert!(container.get(key).is_none(), "{path}: {key}");
            continue;
        };
        let rendered = &container[key];
        let handlers: Vec<&String> = rendered
            .as_object()
            .unwrap()
            .keys()
            .filter(|key| *key != "periodSeconds")
            .collect();
        assert_eq!(
            handlers.len(),
            1,
            "{path}: {key} has one handler: {rendered}"
        );
        match probe["$type"].as_str().unwrap() {
            "http_get" => {
                assert_eq!(rendered["httpGet"]["path"], probe["path"], "{path}: {key}");
                assert_eq!(rendered["httpGet"]["port"], probe["port"], "{path}: {key}");
            }
            "tcp_socket" => {
                assert_eq!(
                    rendered["tcpSocket"]["port"], probe["port"],
                    "{path}: {key}"
                )
            }
            other => panic!("{path}: a {other} probe in the fixture"),
        }
    }
    match workload.get("port") {
        Some(port) => {
            let service = one(objects, "Service", path);
            assert_eq!(service["spec"]["type"], "ClusterIP");
            assert_eq!(service["spec"]["ports"][0]["port"], *port, "{path}");
            assert_eq!(container["ports"][0]["containerPort"], *port, "{path}");
            let selector = service["spec"]["selector"].as_object().unwrap();
            let pod_labels = &deployment["spec"]["template"]["metadata"]["labels"];
            for (key, value) in selector {
                assert_eq!(
                    &pod_labels[key], value,
                    "{path}: the Service selects the pods"
                );
            }
        }
        None => assert!(kinds(objects, "Service").is_empty(), "{path}"),
    }
    for (key, label) in workload["labels"].as_object().unwrap() {
        assert_eq!(
            deployment["spec"]["template"]["metadata"]["labels"][key], *label,
            "{path}"
        );
    }
}

/// The pod spec of a generated Deployment is hardened, and its ServiceAccount is
/// its own and mounts no token.
fn check_hardening(path: &str, objects: &[Value]) {
    let deployment = one(objects, "Deployment", path);
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{path}");
    assert_eq!(
        pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault",
        "{path}"
    );
    assert_eq!(pod["automountServiceAccountToken"], false, "{path}");
    let account = one(objects, "ServiceAccount", path);
    assert_eq!(
        pod["serviceAccountName"], account["metadata"]["name"],
        "{path}"
    );
    assert_eq!(account["automountServiceAccountToken"], false, "{path}");
    for container in pod["containers"].as_array().unwrap() {
        let security = &container["securityContext"];
        assert_eq!(security["allowPrivilegeEscalation"], false, "{path}");
        assert_eq!(security["readOnlyRootFilesystem"], true, "{path}");
        assert_eq!(
            security["capabilities"]["drop"],
            serde_json::json!(["ALL"]),
            "{path}"
        );
        for amounts in ["requests", "limits"] {
            for resource in ["cpu", "memory"] {
                assert!(
                    container["resources"][amounts][resource].is_string(),
                    "{path}: no {amounts}.{resource}"
                );
            }
        }
    }
}

/// Renders every workload overlay of a fleet and checks it against the model.
fn check_workload_overlays(fleet_folder: &Path) -> BTreeMap<String, Vec<Value>> {
    let (out, _files) = built(fleet_folder);
    let model = model(fleet_folder);
    let part_of = model["fleet"]["name"].as_str().unwrap();
    let mut rendered = BTreeMap::new();
    for folder in folders(&model) {
        if folder.value.get("workload").is_none() {
            continue;
        }
        let objects = kustomize_with(&out.path().join(&folder.path), &[]);
        check_workload(&folder, &objects, part_of);
        check_hardening(&folder.path, &objects);
        rendered.insert(folder.path, objects);
    }
    rendered
}

fn deployment<'a>(rendered: &'a BTreeMap<String, Vec<Value>>, folder: &str) -> &'a Value {
    one(&rendered[folder], "Deployment", folder)
}

#[test]
fn acme_overlays_render_what_the_model_says() {
    let rendered = check_workload_overlays(&acme());
    assert_eq!(rendered.len(), 7, "{:?}", rendered.keys());
    // acme's payment-service: 1 replica in dev, 2 in staging, 6 in production;
    // REGION=eu in production eu-west-1 only.
    let folder =
        |env: &str, region: &str| format!("workload-clusters/{env}/{region}/payment-service");
    for (env, region, replicas, tag) in [
        ("dev", "us-east-1", 1, "1.4.2"),
        ("staging", "eu-west-1", 2, "1.4.1"),
        ("production", "us-east-1", 6, "1.4.0"),
        ("production", "eu-west-1", 6, "1.4.0"),
        ("production", "asia-south1", 6, "1.4.0"),
    ] {
        let deployment = deployment(&rendered, &folder(env, region));
        assert_eq!(deployment["spec"]["replicas"], replicas, "{env} {region}");
        let container = &deployment["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(
            container["image"],
            format!("registry.example.com/payments/payment-service:{tag}")
        );
        let region_var = container["env"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|var| var["name"] == "REGION");
        match (env, region) {
            ("production", "eu-west-1") => assert_eq!(region_var.unwrap()["value"], "eu"),
            _ => assert!(region_var.is_none(), "{env} {region}"),
        }
    }
}

#[test]
fn fixture_overlays_render_what_the_model_says() {
    let fixture = fixture();
    let rendered = check_workload_overlays(fixture.path());
    // Precedence: env < region < env and region < cluster.
    let checkout = |rest: &str| format!("workload-clusters/production/{rest}");
    assert_eq!(
        deployment(&rendered, &checkout("eu-west-1/checkout"))["spec"]["replicas"],
        4
    );
    assert_eq!(
        deployment(&rendered, &checkout("us-east-1/checkout"))["spec"]["replicas"],
        6
    );
    // The cluster layer adds an autoscaler (the replica count goes to it), a
    // disruption budget and another image tag.
    let cluster = checkout("us-east-1/checkout/clusters/production-us-east-1");
    let objects = &rendered[&cluster];
    assert!(
        deployment(&rendered, &cluster)["spec"]
            .get("replicas")
            .is_none()
    );
    assert_eq!(
        one(objects, "HorizontalPodAutoscaler", &cluster)["spec"]["minReplicas"],
        5
    );
    assert_eq!(
        one(objects, "PodDisruptionBudget", &cluster)["spec"]["minAvailable"],
        2
    );
    assert_eq!(
        deployment(&rendered, &cluster)["spec"]["template"]["spec"]["containers"][0]["image"],
        "registry.example.com/web/checkout:3.2.0-rc.1"
    );
    // A cluster's overlay keeps its region's layers and adds its own.
    let cluster = "workload-clusters/production/eu-west-1/storefront/clusters/production-eu-west-1";
    let container = &deployment(&rendered, cluster)["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["resources"]["limits"]["memory"], "2Gi");
    assert_eq!(container["resources"]["limits"]["cpu"], "1");
    assert_eq!(
        one(&rendered[cluster], "HorizontalPodAutoscaler", cluster)["spec"]["maxReplicas"],
        20
    );
    // The dev layer replaced the tcp_socket readiness probe by an http_get one.
    let dev = "workload-clusters/dev/eu-west-1/storefront";
    let probe =
        &deployment(&rendered, dev)["spec"]["template"]["spec"]["containers"][0]["readinessProbe"];
    assert_eq!(probe["httpGet"]["path"], "/ready");
    assert!(probe.get("tcpSocket").is_none(), "{probe}");
}

fn git(folder: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args([
            "-c",
            "user.name=fleet",
            "-c",
            "user.email=fleet@example.com",
        ])
        .args(args)
        .current_dir(folder)
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", text(&output));
}

/// A `git` source's overlays refer to the repository's folder at the env's
/// revision (the cluster's, for a cluster layer that changes it). Kustomize
/// fetches it with git, which a local repository stands in for here
/// (`url.<local>.insteadOf`).
#[test]
fn git_source_overlays_render_the_revision_of_their_env() {
    let fixture = fixture();
    let (out, files) = built(fixture.path());
    let repository = tempfile::tempdir().unwrap();
    let deploy = repository.path().join("deploy");
    std::fs::create_dir_all(&deploy).unwrap();
    git(repository.path(), &["init", "--quiet"]);
    std::fs::write(
        deploy.join("kustomization.yaml"),
        "resources: [configmap.yaml]\n",
    )
    .unwrap();
    for tag in ["v1.0.0", "v1.1.0", "v1.2.0"] {
        std::fs::write(
            deploy.join("configmap.yaml"),
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: orders\ndata:\n  revision: {tag}\n"
            ),
        )
        .unwrap();
        git(repository.path(), &["add", "."]);
        git(repository.path(), &["commit", "--quiet", "-m", tag]);
        git(repository.path(), &["tag", tag]);
    }
    let redirect = vec![
        ("GIT_CONFIG_COUNT".to_string(), "1".to_string()),
        (
            "GIT_CONFIG_KEY_0".to_string(),
            format!("url.file://{}.insteadOf", repository.path().display()),
        ),
        (
            "GIT_CONFIG_VALUE_0".to_string(),
            "https://git.example.com/shop/orders".to_string(),
        ),
    ];
    let model = model(fixture.path());
    let mut rendered = 0;
    for folder in folders(&model) {
        if folder.app != "orders" {
            continue;
        }
        let kustomization = documents(&files[&format!("{}/kustomization.yaml", folder.path)]);
        let revision = folder.value["version"][&folder.env].as_str().unwrap();
        assert_eq!(
            kustomization[0]["resources"],
            serde_json::json!([format!(
                "https://git.example.com/shop/orders//deploy?ref={revision}"
            )]),
            "{}",
            folder.path
        );
        let objects = kustomize_with(&out.path().join(&folder.path), &redirect);
        let config = one(&objects, "ConfigMap", &folder.path);
        assert_eq!(config["data"]["revision"], revision, "{}", folder.path);
        assert_eq!(config["metadata"]["namespace"], "web", "{}", folder.path);
        assert_eq!(
            config["metadata"]["labels"]["app.kubernetes.io/name"], "orders",
            "{}",
            folder.path
        );
        rendered += 1;
    }
    // Four (env, region) overlays and dev-eu-west-1's own (at v1.2.0).
    assert_eq!(rendered, 5);
}

/// `kubectl kustomize` cannot inflate a Helm chart without `--enable-helm`, so a
/// `helm` source is a Flux HelmRelease of the env's chart version with the
/// merged values; an `oci` one an OCIRepository at the env's tag, applied by a
/// Flux Kustomization. Both render as they are.
#[test]
fn helm_and_oci_sources_are_flux_objects_per_env() {
    let fixture = fixture();
    let (out, _files) = built(fixture.path());
    let model = model(fixture.path());
    let mut seen = BTreeSet::new();
    for folder in folders(&model) {
        if !["search", "ledger"].contains(&folder.app.as_str()) {
            continue;
        }
        let version = folder.value["version"][&folder.env].as_str().unwrap();
        let objects = kustomize_with(&out.path().join(&folder.path), &[]);
        match folder.app.as_str() {
            "search" => {
                let release = one(&objects, "HelmRelease", &folder.path);
                assert_eq!(release["metadata"]["namespace"], "web");
                assert_eq!(release["spec"]["chart"]["spec"]["chart"], "opensearch");
                assert_eq!(release["spec"]["chart"]["spec"]["version"], version);
                let mut values = folder.value["values"].clone();
                values.as_object_mut().unwrap().remove("$type");
                assert_eq!(release["spec"]["values"], values, "{}", folder.path);
                let repository = one(&objects, "HelmRepository", &folder.path);
                assert_eq!(
                    release["spec"]["chart"]["spec"]["sourceRef"]["name"],
                    repository["metadata"]["name"]
                );
                assert_eq!(
                    repository["spec"]["url"],
                    "https://charts.example.com/stable"
                );
                seen.insert(format!(
                    "{} {}",
                    folder.app, release["spec"]["values"]["replicas"]
                ));
            }
            "ledger" => {
                let repository = one(&objects, "OCIRepository", &folder.path);
                assert_eq!(repository["spec"]["ref"]["tag"], version);
                let apply = one(&objects, "Kustomization", &folder.path);
                assert_eq!(apply["spec"]["sourceRef"]["kind"], "OCIRepository");
                assert_eq!(apply["spec"]["targetNamespace"], "web");
                seen.insert(folder.app.clone());
            }
            _ => {}
        }
    }
    assert_eq!(
        seen,
        BTreeSet::from(["ledger".into(), "search 1".into(), "search 3".into()])
    );
}

#[test]
fn overlays_are_byte_identical_across_builds() {
    let fixture = fixture();
    let (_first, first) = built(fixture.path());
    let (_second, second) = built(fixture.path());
    assert_eq!(first, second);
}
