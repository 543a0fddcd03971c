//! What the tests of `fleet build` share: running the build into a temporary
//! folder, reading the tree it wrote, parsing YAML documents, and validating them
//! against the upstream schemas copied into `tests/schemas/`.

#![allow(dead_code)]

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `fleet` with its cache (where `fleet build` keeps what the last build
/// of a folder saw) under the test's target folder, not the user's.
pub fn fleet(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fleet"))
        .args(args)
        .env("XDG_CACHE_HOME", cache_folder())
        .output()
        .expect("the fleet binary runs")
}

/// The `XDG_CACHE_HOME` of the tests' `fleet` runs.
pub fn cache_folder() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fleet-cache")
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn build(fleet_folder: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "build",
        fleet_folder.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    fleet(&args)
}

pub fn text(output: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Every file under `folder`, by path relative to it, with its contents.
pub fn tree(folder: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut pending = vec![folder.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path
                    .strip_prefix(folder)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(relative, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    files
}

/// The documents of a YAML file, as JSON values.
pub fn documents(text: &str) -> Vec<Value> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(text)
        .map(|document| {
            let value = serde_yaml::Value::deserialize(document).expect("generated YAML parses");
            serde_json::to_value(value).expect("YAML documents are JSON values")
        })
        .filter(|value| !value.is_null())
        .collect()
}

/// The schema file of a document's apiVersion and kind, in the kubeconform layout.
pub fn schema_path(document: &Value) -> PathBuf {
    let api_version = document["apiVersion"].as_str().expect("apiVersion");
    let kind = document["kind"].as_str().expect("kind").to_lowercase();
    let (group, version) = match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("core", api_version),
    };
    root()
        .join("tests/schemas")
        .join(group)
        .join(format!("{kind}_{version}.json"))
}

pub fn validate(path: &str, document: &Value) {
    let schema_file = schema_path(document);
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_file).unwrap_or_else(|_| {
            panic!(
                "{path}: no schema {} in tests/schemas",
                schema_file.display()
            )
        }))
        .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(document)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{path}: {} does not validate against {}:\n{}",
        document["kind"],
        schema_file.display(),
        errors.join("\n")
    );
}

pub fn acme() -> PathBuf {
    root().join("examples/acme")
}

/// A copy of the acme fleet to change.
pub fn acme_copy() -> tempfile::TempDir {
    copy_of(&acme(), |text| text)
}

/// A copy of the fleet folder `folder` (its files, not its subfolders) in a
/// temporary folder, each file's text passed through `edit`.
pub fn copy_of(folder: &Path, edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(copy.path().join(path.file_name().unwrap()), edit(text)).unwrap();
    }
    copy
}

/// Replaces `from` with `to` in the file `file` of the fleet folder `folder`
/// (a copy being changed for a test), which must contain it.
pub fn replace_in(folder: &Path, file: &str, from: &str, to: &str) {
    let path = folder.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "`{file}` has no `{from}`");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

/// The repository `fleet build` writes for a fleet folder, and the folder it is in.
pub fn built(fleet_folder: &Path) -> (tempfile::TempDir, BTreeMap<String, String>) {
    let out = tempfile::tempdir().unwrap();
    let output = build(fleet_folder, out.path(), &[]);
    assert!(output.status.success(), "{}", text(&output));
    let files = tree(out.path());
    (out, files)
}

/// What `fleet eval --format json` says about the fleet.
pub fn model(fleet_folder: &Path) -> Value {
    let output = fleet(&["eval", fleet_folder.to_str().unwrap(), "--format", "json"]);
    assert!(output.status.success(), "{}", text(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The folder a cluster's Flux `policies` stage applies (its policy set), found
/// the way Flux finds it: the `path` of the `policies` Kustomization in the
/// cluster's `sync.yaml`.
pub fn policies_folder_of(files: &BTreeMap<String, String>, cluster: &str) -> String {
    let sync = documents(&files[&format!("gitops/flux/clusters/{cluster}/sync.yaml")]);
    let stage = sync
        .iter()
        .find(|object| {
            object["kind"] == "Kustomization" && object["metadata"]["name"] == "policies"
        })
        .unwrap_or_else(|| panic!("{cluster} has no policies stage"));
    stage["spec"]["path"]
        .as_str()
        .unwrap()
        .trim_start_matches("./")
        .to_string()
}

/// `examples/multicloud`: EKS, GKE and AKS clusters, a generated workload and
/// apps from Helm and Git sources. Its `output` is `deploy`.
pub fn multicloud() -> PathBuf {
    root().join("examples/multicloud")
}

/// A copy of `examples/multicloud` writing at the root of `--out` (without its
/// `output = "deploy"`), for the tests that read the tree by repository path.
pub fn multicloud_at_root() -> tempfile::TempDir {
    copy_of(&multicloud(), |text| {
        text.replace("  output = \"deploy\"\n", "")
    })
}

/// `kubectl kustomize folder` with `env` added to its environment: the
/// documents it renders (a failure fails the test, with kubectl's message).
pub fn kustomize_with(folder: &Path, env: &[(String, String)]) -> Vec<Value> {
    let rendered = Command::new("kubectl")
        .arg("kustomize")
        .arg(folder)
        .envs(env.iter().map(|(key, value)| (key, value)))
        .output()
        .expect("kubectl runs (the tests need it on PATH)");
    assert!(
        rendered.status.success(),
        "kubectl kustomize {}: {}",
        folder.display(),
        String::from_utf8_lossy(&rendered.stderr)
    );
    documents(&String::from_utf8(rendered.stdout).unwrap())
}

/// `kubectl kustomize folder`: the documents it renders.
pub fn kustomize(folder: &Path) -> Vec<Value> {
    kustomize_with(folder, &[])
}
