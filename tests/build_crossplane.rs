//! `fleet build`'s Crossplane output (`management-cluster/crossplane/`) on acme:
//! every document validates against its upstream schema, every claim against the
//! generated XRD's schema, every patch path exists on both sides, compositions
//! name generated functions and the XRD's type, each folder renders with
//! `kubectl kustomize`, and every claim is protected from deletion. The
//! namespaced-composite mode (v2 XRD) is checked the same way, through the
//! generator directly (no fleet setting chooses it yet).
//!
//! `tests/schemas/fleet.dev/cluster_v1alpha1.json` is the claim's schema made
//! from the generated XRD (so that `tests/build.rs` validates claims like every
//! other document); `the_claim_schema_file_is_the_generated_xrds` keeps it equal
//! to the XRD (`FLEET_UPDATE_SCHEMAS=1` rewrites it).

mod build_support;

use build_support::*;
use fleet_compiler::emit::crossplane::{self, CrossplaneMode};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const FOLDER: &str = "management-cluster/crossplane";

/// The Crossplane files of an acme build, by path under `FOLDER`.
fn built() -> (tempfile::TempDir, BTreeMap<String, String>) {
    built_from(&acme())
}

/// The Crossplane files of the build of `fleet_folder`, by path under `FOLDER`.
fn built_from(fleet_folder: &std::path::Path) -> (tempfile::TempDir, BTreeMap<String, String>) {
    let out = tempfile::tempdir().unwrap();
    let output = build(fleet_folder, out.path(), &[]);
    assert!(output.status.success(), "{}", text(&output));
    let files = tree(out.path())
        .into_iter()
        .filter_map(|(path, contents)| {
            path.strip_prefix(&format!("{FOLDER}/"))
                .map(|rest| (rest.to_string(), contents))
        })
        .collect();
    (out, files)
}

/// The Crossplane files of acme in `mode`, from the generator.
fn generated(mode: CrossplaneMode) -> BTreeMap<String, String> {
    let db = fleet_compiler::db::Database::default();
    let mut inputs = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(acme())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "fleet"))
        .collect();
    paths.sort();
    for (index, path) in paths.iter().enumerate() {
        inputs.push((
            fleet_compiler::source::FileId(index as u32),
            path.file_name().unwrap().to_string_lossy().into_owned(),
            std::sync::Arc::from(std::fs::read_to_string(path).unwrap()),
            std::sync::Arc::from(""),
        ));
    }
    let workspace = fleet_compiler::check::workspace(&db, inputs);
    crossplane::files_of_workspace(&db, workspace, mode)
        .into_iter()
        .map(|file| {
            let path = file
                .path
                .strip_prefix(&format!("{FOLDER}/"))
                .unwrap()
                .to_string();
            (path, file.text.clone())
        })
        .collect()
}

fn all_documents(files: &BTreeMap<String, String>) -> Vec<(String, Value)> {
    files
        .iter()
        .filter(|(path, _)| path.ends_with(".yaml"))
        .flat_map(|(path, contents)| {
            documents(contents)
                .into_iter()
                .map(move |document| (path.clone(), document))
        })
        .collect()
}

fn read_schema(relative: &str) -> Value {
    let path = root().join("tests/schemas").join(relative);
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("no schema {}", path.display())),
    )
    .unwrap()
}

/// The schema file of an apiVersion and kind (kubeconform layout).
fn schema_of(api_version: &str, kind: &str) -> Value {
    let (group, version) = api_version.split_once('/').unwrap_or(("core", api_version));
    read_schema(&format!("{group}/{}_{version}.json", kind.to_lowercase()))
}

/// The schema of patch-and-transform's `Resources` input (v0.10.8), with the
/// string transform types its Go code accepts: the CRD's enum
/// (`Format;Convert;TrimPrefix;TrimSuffix;Regexp`) lags the release's own
/// `StringTransformType` constants and `validate.go`, which also take `Join`
/// and `Replace` (the `replace` field is in the schema already). The function
/// validates its input itself; the API server does not apply this schema.
fn patch_and_transform_input_schema() -> Value {
    fn amend(node: &mut Value) {
        match node {
            Value::Object(map) => {
                if let Some(Value::Array(values)) = map.get_mut("enum")
                    && values.first() == Some(&Value::from("Format"))
                    && values.contains(&Value::from("Regexp"))
                {
                    values.push(Value::from("Join"));
                    values.push(Value::from("Replace"));
                }
                map.values_mut().for_each(amend);
            }
            Value::Array(items) => items.iter_mut().for_each(amend),
            _ => {}
        }
    }
    let mut schema = read_schema("pt.fn.crossplane.io/resources_v1beta1.json");
    amend(&mut schema);
    schema
}

fn errors_against(schema: &Value, document: &Value) -> Vec<String> {
    let validator = jsonschema::validator_for(schema).expect("the schema compiles");
    validator
        .iter_errors(document)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect()
}

/// Every object schema with `properties` and no `additionalProperties` made
/// strict, as `shared/schemas/tools/crd_to_jsonschema.py` makes the upstream ones.
fn strict(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            for value in map.values_mut() {
                strict(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strict),
        _ => {}
    }
}

/// `schema` with every `required` removed: a composition's base leaves out what
/// its patches fill in.
fn without_required(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| *key != "required")
                .map(|(key, value)| (key.clone(), without_required(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_required).collect()),
        other => other.clone(),
    }
}

/// The JSON Schema of an instance (claim or namespaced composite) of the XRD:
/// its `openAPIV3Schema` made strict, with the fields Crossplane adds to every
/// claim's or composite's `spec`.
fn instance_schema(xrd: &Value, mode: CrossplaneMode) -> Value {
    let version = &xrd["spec"]["versions"][0];
    let group = xrd["spec"]["group"].as_str().unwrap();
    let kind = match mode {
        CrossplaneMode::Claims => &xrd["spec"]["claimNames"]["kind"],
        CrossplaneMode::Namespaced => &xrd["spec"]["names"]["kind"],
    };
    let mut schema = version["schema"]["openAPIV3Schema"].clone();
    strict(&mut schema);
    let spec = schema["properties"]["spec"]["properties"]
        .as_object_mut()
        .unwrap();
    let object = json!({ "type": "object" });
    match mode {
        CrossplaneMode::Claims => {
            for field in [
                "compositionSelector",
                "compositionRef",
                "compositionRevisionRef",
                "compositionRevisionSelector",
                "resourceRef",
                "writeConnectionSecretToRef",
                "publishConnectionDetailsTo",
            ] {
                spec.insert(field.into(), object.clone());
            }
            for field in ["compositionUpdatePolicy", "compositeDeletePolicy"] {
                spec.insert(field.into(), json!({ "type": "string" }));
            }
        }
        CrossplaneMode::Namespaced => {
            spec.insert("crossplane".into(), object.clone());
        }
    }
    let properties = schema["properties"].as_object_mut().unwrap();
    properties.insert(
        "apiVersion".into(),
        json!({ "type": "string", "enum": [format!("{group}/{}", version["name"].as_str().unwrap())] }),
    );
    properties.insert("kind".into(), json!({ "type": "string", "enum": [kind] }));
    properties.insert("metadata".into(), object);
    schema["required"] = json!(["apiVersion", "kind", "metadata", "spec"]);
    schema
}

/// Whether `path` (`spec.nodeGroups[0].taints[1].key`, `metadata.labels[x]`)
/// names a field `schema` allows.
fn path_exists(schema: &Value, path: &str) -> bool {
    if let Some(rest) = path.strip_prefix("metadata.") {
        // ObjectMeta is opaque in CRD schemas: check its own few fields.
        return rest == "name" || rest.starts_with("labels[") || rest.starts_with("annotations[");
    }
    let mut segments = Vec::new();
    for part in path.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(at) => (&part[..at], &part[at..]),
            None => (part, ""),
        };
        segments.push(name.to_string());
        while let Some(end) = rest.find(']') {
            segments.push(rest[..=end].to_string());
            rest = &rest[end + 1..];
        }
    }
    let mut node = schema;
    for segment in &segments {
        if let Some(inner) = segment.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            if inner.parse::<usize>().is_ok() {
                match node.get("items") {
                    Some(items) => node = items,
                    None => return false,
                }
                continue;
            }
            match node["properties"]
                .get(inner)
                .or(node.get("additionalProperties"))
            {
                Some(next) if next.is_object() => node = next,
                _ => return false,
            }
            continue;
        }
        match node["properties"].get(segment) {
            Some(next) => node = next,
            None => match node.get("additionalProperties") {
                Some(next) if next.is_object() => node = next,
                _ => return false,
            },
        }
    }
    true
}

/// Every check of this file on one mode's files.
fn check_mode(files: &BTreeMap<String, String>, mode: CrossplaneMode) {
    let documents = all_documents(files);
    for folder in ["xrds", "compositions", "claims", "packages"] {
        assert!(
            files.contains_key(&format!("{folder}/kustomization.yaml")),
            "no {folder}/kustomization.yaml: {:?}",
            files.keys()
        );
    }
    // Every document against its upstream schema (claims: below).
    for (path, document) in &documents {
        if path.starts_with("claims/") && document["apiVersion"] == "fleet.dev/v1alpha1" {
            continue;
        }
        let schema = schema_of(
            document["apiVersion"].as_str().unwrap(),
            document["kind"].as_str().unwrap(),
        );
        let errors = errors_against(&schema, document);
        assert!(
            errors.is_empty(),
            "{path}: {}:\n{}",
            document["kind"],
            errors.join("\n")
        );
    }
    let xrds: Vec<&Value> = documents
        .iter()
        .filter(|(_, d)| d["kind"] == "CompositeResourceDefinition")
        .map(|(_, d)| d)
        .collect();
    assert_eq!(xrds.len(), 1);
    let xrd = xrds[0];
    let expected_api = match mode {
        CrossplaneMode::Claims => "apiextensions.crossplane.io/v1",
        CrossplaneMode::Namespaced => "apiextensions.crossplane.io/v2",
    };
    assert_eq!(xrd["apiVersion"], expected_api);
    match mode {
        CrossplaneMode::Claims => {
            assert_eq!(xrd["spec"]["scope"], "LegacyCluster");
            assert_eq!(xrd["spec"]["claimNames"]["kind"], "Cluster");
        }
        CrossplaneMode::Namespaced => {
            assert_eq!(xrd["spec"]["scope"], "Namespaced");
            assert!(xrd["spec"].get("claimNames").is_none());
        }
    }
    let xrd_text = serde_json::to_string(xrd).unwrap();
    assert!(!xrd_text.contains("x-kubernetes-preserve-unknown-fields"));
    let versions = xrd["spec"]["versions"].as_array().unwrap();
    assert_eq!(
        versions
            .iter()
            .filter(|v| v["referenceable"] == true && v["served"] == true)
            .count(),
        1
    );
    assert_eq!(
        xrd["metadata"]["name"],
        format!(
            "{}.{}",
            xrd["spec"]["names"]["plural"].as_str().unwrap(),
            xrd["spec"]["group"].as_str().unwrap()
        )
    );
    let xr_api_version = format!(
        "{}/{}",
        xrd["spec"]["group"].as_str().unwrap(),
        versions[0]["name"].as_str().unwrap()
    );
    let instances = instance_schema(xrd, mode);
    let xr_spec = &xrd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];

    // Claims (or composites) against the generated XRD, and their protection.
    let instance_kind = mode.instance_kind();
    let mut claimed = BTreeSet::new();
    let usages: Vec<&Value> = documents
        .iter()
        .filter(|(_, d)| d["kind"] == "Usage")
        .map(|(_, d)| d)
        .collect();
    for (path, document) in &documents {
        if document["apiVersion"] != xr_api_version.as_str() {
            continue;
        }
        assert_eq!(document["kind"], instance_kind, "{path}");
        let errors = errors_against(&instances, document);
        assert!(
            errors.is_empty(),
            "{path} against the XRD:\n{}",
            errors.join("\n")
        );
        let name = document["metadata"]["name"].as_str().unwrap().to_string();
        assert_eq!(path, &format!("claims/{name}.yaml"));
        let selector = match mode {
            CrossplaneMode::Claims => &document["spec"]["compositionSelector"],
            CrossplaneMode::Namespaced => &document["spec"]["crossplane"]["compositionSelector"],
        };
        assert_eq!(
            selector["matchLabels"]["fleet.dev/cloud"], document["spec"]["cloud"],
            "{path}"
        );
        assert_eq!(
            document["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/prune"], "disabled",
            "{path}: Flux would delete the claim when its file goes"
        );
        let protected = usages.iter().any(|usage| {
            usage["metadata"]["namespace"] == document["metadata"]["namespace"]
                && usage["spec"]["of"]["apiVersion"] == document["apiVersion"]
                && usage["spec"]["of"]["kind"] == document["kind"]
                && usage["spec"]["of"]["resourceRef"]["name"] == name.as_str()
                && usage["spec"]["reason"].is_string()
                && usage["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/prune"]
                    == "disabled"
        });
        assert!(protected, "{path}: no Usage protects {name}");
        claimed.insert(name);
    }
    assert_eq!(claimed.len(), 7, "acme has seven clusters: {claimed:?}");

    // Compositions: functions, type, patch paths, bases.
    let functions: BTreeSet<&str> = documents
        .iter()
        .filter(|(_, d)| d["kind"] == "Function")
        .map(|(_, d)| d["metadata"]["name"].as_str().unwrap())
        .collect();
    let compositions: Vec<&(String, Value)> = documents
        .iter()
        .filter(|(_, d)| d["kind"] == "Composition")
        .collect();
    assert_eq!(compositions.len(), 3, "one composition per cloud");
    let mut clouds = BTreeSet::new();
    for (path, composition) in compositions {
        let spec = &composition["spec"];
        assert_eq!(spec["mode"], "Pipeline");
        assert_eq!(
            spec["compositeTypeRef"]["apiVersion"],
            xr_api_version.as_str()
        );
        assert_eq!(
            spec["compositeTypeRef"]["kind"],
            xrd["spec"]["names"]["kind"]
        );
        clouds.insert(
            composition["metadata"]["labels"]["fleet.dev/cloud"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        let pipeline = spec["pipeline"].as_array().unwrap();
        assert_eq!(pipeline.len(), 2, "{path}");
        for step in pipeline {
            let function = step["functionRef"]["name"].as_str().unwrap();
            assert!(
                functions.contains(function),
                "{path}: no Function {function}"
            );
        }
        let input = &pipeline[0]["input"];
        let errors = errors_against(&patch_and_transform_input_schema(), input);
        assert!(errors.is_empty(), "{path}: input:\n{}", errors.join("\n"));
        for resource in input["resources"].as_array().unwrap() {
            let base = &resource["base"];
            let api_version = base["apiVersion"].as_str().unwrap();
            match mode {
                CrossplaneMode::Claims => assert!(
                    api_version.contains(".upbound.io/") && !api_version.contains(".m.upbound.io/"),
                    "{path}: {api_version}"
                ),
                CrossplaneMode::Namespaced => {
                    assert!(
                        api_version.contains(".m.upbound.io/"),
                        "{path}: {api_version}"
                    )
                }
            }
            let schema = schema_of(api_version, base["kind"].as_str().unwrap());
            let errors = errors_against(&without_required(&schema), base);
            assert!(
                errors.is_empty(),
                "{path}: the base of {}:\n{}",
                resource["name"],
                errors.join("\n")
            );
            for patch in resource["patches"].as_array().into_iter().flatten() {
                // Read from the composite: one field, or several combined.
                let sources: Vec<&str> = match patch["type"].as_str().unwrap() {
                    "FromCompositeFieldPath" => vec![patch["fromFieldPath"].as_str().unwrap()],
                    "CombineFromComposite" => patch["combine"]["variables"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|variable| variable["fromFieldPath"].as_str().unwrap())
                        .collect(),
                    other => panic!("{path}: a patch of type {other}"),
                };
                let to = patch["toFieldPath"].as_str().unwrap();
                for from in sources {
                    assert!(
                        path_exists(xr_spec, from),
                        "{path}: {}: `{from}` is not in the XRD",
                        resource["name"]
                    );
                }
                assert!(
                    path_exists(&schema, to),
                    "{path}: {}: `{to}` is not in {api_version} {}",
                    resource["name"],
                    base["kind"]
                );
            }
        }
    }
    assert_eq!(
        clouds,
        ["aws", "azure", "gcp"]
            .into_iter()
            .map(String::from)
            .collect()
    );
}

#[test]
fn claims_mode_output_is_valid_and_consistent() {
    let (_out, files) = built();
    check_mode(&files, CrossplaneMode::Claims);
}

/// `targets.crossplane_api = namespaced` makes the build write namespaced
/// composites, valid and consistent like claims.
#[test]
fn namespaced_mode_is_valid_and_consistent() {
    let fleet = acme_copy();
    replace_in(
        fleet.path(),
        "fleet.fleet",
        "kyverno = \"1.19\" }",
        "kyverno = \"1.19\", crossplane_api = namespaced }",
    );
    let (_out, files) = built_from(fleet.path());
    check_mode(&files, CrossplaneMode::Namespaced);
    assert_eq!(files, generated(CrossplaneMode::Namespaced));
}

#[test]
fn the_build_writes_claims_mode() {
    let (_out, built) = built();
    assert_eq!(built, generated(CrossplaneMode::Claims));
}

#[test]
fn the_claim_schema_file_is_the_generated_xrds() {
    let (_out, files) = built();
    let xrd = all_documents(&files)
        .into_iter()
        .find(|(_, d)| d["kind"] == "CompositeResourceDefinition")
        .unwrap()
        .1;
    let schema = instance_schema(&xrd, CrossplaneMode::Claims);
    let path = root().join("tests/schemas/fleet.dev/cluster_v1alpha1.json");
    let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
    if std::env::var_os("FLEET_UPDATE_SCHEMAS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap_or_default(),
        text,
        "{} is not the generated XRD's claim schema: run with FLEET_UPDATE_SCHEMAS=1",
        path.display()
    );
}

#[test]
fn the_patch_path_check_is_not_vacuous() {
    let schema = schema_of("eks.aws.upbound.io/v1beta2", "NodeGroup");
    assert!(path_exists(
        &schema,
        "spec.forProvider.scalingConfig.minSize"
    ));
    assert!(path_exists(&schema, "spec.forProvider.instanceTypes[0]"));
    assert!(path_exists(&schema, "spec.forProvider.taint[2].effect"));
    assert!(path_exists(&schema, "spec.forProvider.labels[team]"));
    assert!(!path_exists(
        &schema,
        "spec.forProvider.scalingConfig.minimum"
    ));
    assert!(!path_exists(&schema, "spec.forProvider.instanceType"));
    assert!(!path_exists(
        &schema,
        "spec.forProvider.scalingConfig[0].minSize"
    ));
}

#[test]
fn a_claim_that_breaks_the_xrd_fails_its_schema() {
    let (_out, files) = built();
    let documents = all_documents(&files);
    let xrd = &documents
        .iter()
        .find(|(_, d)| d["kind"] == "CompositeResourceDefinition")
        .unwrap()
        .1;
    let schema = instance_schema(xrd, CrossplaneMode::Claims);
    let mut claim = documents
        .iter()
        .find(|(_, d)| d["kind"] == "Cluster")
        .unwrap()
        .1
        .clone();
    assert!(errors_against(&schema, &claim).is_empty());
    claim["spec"]["nodeGroups"][0]["min"] = json!(5000);
    claim["spec"]["region"] = json!("mars-north-1");
    claim["spec"]["nodeGruops"] = json!([]);
    let errors = errors_against(&schema, &claim).join("\n");
    assert!(errors.contains("5000"), "{errors}");
    assert!(errors.contains("mars-north-1"), "{errors}");
    assert!(errors.contains("nodeGruops"), "{errors}");
}

#[test]
fn crossplane_folders_render_with_kubectl() {
    let (out, files) = built();
    let folders: Vec<&str> = files
        .keys()
        .filter_map(|path| path.strip_suffix("/kustomization.yaml"))
        .collect();
    assert_eq!(folders.len(), 4, "{folders:?}");
    for folder in folders {
        kustomize(&out.path().join(FOLDER).join(folder));
    }
}

/// The Google Cloud project comes from the fleet's `accounts` into the GCP
/// `ProviderConfig`; without it, a fleet with a GKE cluster builds nothing
/// (E0423), and a fleet with no Azure cluster gets no Azure `ProviderConfig`.
#[test]
fn cloud_accounts_come_from_the_fleet_or_the_build_stops() {
    let (_out, files) = built();
    let gcp = documents(&files["packages/gcp.yaml"]);
    let config = gcp.iter().find(|d| d["kind"] == "ProviderConfig").unwrap();
    assert_eq!(config["spec"]["projectID"], "acme-platform");
    let azure = documents(&files["packages/azure.yaml"]);
    assert!(azure.iter().all(|d| d["kind"] != "ProviderConfig"));

    let fleet = acme_copy();
    replace_in(
        fleet.path(),
        "fleet.fleet",
        "  accounts { gcp_project = \"acme-platform\" }\n",
        "",
    );
    let out = tempfile::tempdir().unwrap();
    let output = build(fleet.path(), out.path(), &[]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("E0423"), "{}", text(&output));
    assert!(
        text(&output).contains("cluster `production-asia-south1` is on gcp"),
        "{}",
        text(&output)
    );
    assert!(tree(out.path()).is_empty(), "nothing is written");
}

/// An AKS node pool's taints: the composition's combine patch, applied as
/// patch-and-transform applies it (Go's `%s` of each variable, then each string
/// `Replace` in order), makes from the multicloud example's claim the string
/// AKS takes.
#[test]
fn aks_node_pool_taints_are_spelled_as_aks_takes_them() {
    let (_out, files) = built_from(multicloud_at_root().path());
    let claim = &documents(&files["claims/production-westeurope.yaml"])
        .into_iter()
        .find(|document| document["kind"] == "Cluster")
        .unwrap();
    let composition = &documents(&files["compositions/aks.xclusters.fleet.dev.yaml"])[0];
    let resources = composition["spec"]["pipeline"][0]["input"]["resources"]
        .as_array()
        .unwrap();
    let mut taints = Vec::new();
    for resource in resources {
        for patch in resource["patches"].as_array().into_iter().flatten() {
            if patch["type"] != "CombineFromComposite" {
                continue;
            }
            let values: Option<Vec<String>> = patch["combine"]["variables"]
                .as_array()
                .unwrap()
                .iter()
                .map(|variable| {
                    let path = variable["fromFieldPath"].as_str().unwrap();
                    field_at(claim, path).and_then(|value| value.as_str().map(String::from))
                })
                .collect();
            // A taint the claim does not have: the patch is skipped.
            let Some(values) = values else { continue };
            let mut text = patch["combine"]["string"]["fmt"]
                .as_str()
                .unwrap()
                .to_string();
            for value in &values {
                text = text.replacen("%s", value, 1);
            }
            for transform in patch["transforms"].as_array().unwrap() {
                let replace = &transform["string"]["replace"];
                text = text.replace(
                    replace["search"].as_str().unwrap(),
                    replace["replace"].as_str().unwrap(),
                );
            }
            taints.push((resource["name"].as_str().unwrap().to_string(), text));
        }
    }
    assert_eq!(
        taints,
        [(
            "node-pool-1".to_string(),
            "workload=apps:PreferNoSchedule".to_string()
        )]
    );
}

/// The value at a patch path (`spec.nodeGroups[1].taints[0].key`) of a claim.
fn field_at<'v>(document: &'v Value, path: &str) -> Option<&'v Value> {
    let mut node = document;
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        node = node.get(name)?;
        if let Some(index) = index {
            node = node.get(index)?;
        }
    }
    Some(node)
}
