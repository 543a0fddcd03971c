//! `fleet build`'s Kyverno policies (`compiler/src/emit/kyverno.rs`): every
//! generated policy, exception and NetworkPolicy validates against its schema
//! (`tests/schemas/`), for the `ValidatingPolicy` of Kyverno 1.17+ and the
//! `ClusterPolicy` of older targets; each cluster's policies folder lists
//! exactly the policies whose targets contain it and whose `mode` names its env,
//! in that mode; every folder renders with `kubectl kustomize`; and the
//! build-time admission check passes acme's workloads and names the app, env,
//! policy and rule a broken workload fails.

mod build_support;

use build_support::{
    acme, acme_copy, built, documents, kustomize, model, policies_folder_of, replace_in, root,
    validate,
};
use fleet_compiler::emit::admission;
use fleet_compiler::emit::document::Node;
use fleet_compiler::emit::kyverno::{
    self, ExceptionView, Flavor, PolicyMode, PolicyView, RuleView,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Validates every document of the files under `prefix`; returns their kinds.
fn validate_under(files: &BTreeMap<String, String>, prefix: &str) -> BTreeSet<String> {
    let mut kinds = BTreeSet::new();
    for (path, content) in files.range(prefix.to_string()..) {
        if !path.starts_with(prefix) {
            break;
        }
        for document in documents(content) {
            validate(path, &document);
            kinds.insert(format!(
                "{} {}",
                document["apiVersion"].as_str().unwrap(),
                document["kind"].as_str().unwrap()
            ));
        }
    }
    kinds
}

/// What the model says each cluster installs: `policy -> mode` for the policies
/// whose targets contain it and whose `mode` names its env.
/// Each cluster of the fleet in `fleet_folder` installs, through the folder its
/// Flux `policies` stage applies, exactly the policies (and modes) the model
/// places on it, and `kubectl kustomize` renders them.
fn check_placement(fleet_folder: &Path, out: &Path, files: &BTreeMap<String, String>) {
    let model = model(fleet_folder);
    let placement = expected_placement(&model);
    assert!(placement.values().any(|policies| !policies.is_empty()));
    for (cluster, expected) in &placement {
        let set = policies_folder_of(files, cluster);
        assert!(set.starts_with("policies/kyverno/sets/"), "{set}");
        let folder = out.join(&set);
        let listed = documents(&files[&format!("{set}/kustomization.yaml")]);
        let resources: BTreeMap<String, String> = listed[0]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|resource| {
                let resource = resource.as_str().unwrap();
                let parts: Vec<&str> = resource.split('/').collect();
                assert_eq!(parts[..3], ["..", "..", "policies"], "{resource}");
                (parts[3].to_string(), parts[4].to_string())
            })
            .collect();
        assert_eq!(&resources, expected, "placement of {cluster}");
        // What the cluster's Flux `policies` stage applies.
        let rendered = kustomize(&folder);
        let applied: BTreeMap<String, String> = rendered
            .iter()
            .map(|document| {
                assert_eq!(document["kind"], "ValidatingPolicy");
                let action = document["spec"]["validationActions"][0].as_str().unwrap();
                let mode = match action {
                    "Deny" => "enforce",
                    "Audit" => "audit",
                    other => panic!("{other}"),
                };
                (
                    document["metadata"]["name"].as_str().unwrap().to_string(),
                    mode.to_string(),
                )
            })
            .collect();
        assert_eq!(&applied, expected, "what kustomize renders for {cluster}");
    }
}

/// Clusters that install the same policies share a folder, named after the env
/// when it holds every policy of the env, else after the env and a hash; a
/// selector that leaves some clusters of an env out makes a second set there.
#[test]
fn clusters_share_policy_sets_and_a_subset_gets_its_own() {
    let fleet = acme_copy();
    replace_in(
        fleet.path(),
        "policies.fleet",
        "targets = clusters where env in [staging, production]",
        "targets = clusters where env in [staging, production] and region == \"us-east-1\"",
    );
    let (out, files) = built(fleet.path());
    check_placement(fleet.path(), out.path(), &files);
    let sets: BTreeSet<String> = [
        "production-us-east-1",
        "production-eu-west-1",
        "production-asia-south1",
    ]
    .iter()
    .map(|cluster| policies_folder_of(&files, cluster))
    .collect();
    assert_eq!(sets.len(), 2, "{sets:?}");
    assert!(
        sets.contains("policies/kyverno/sets/production"),
        "{sets:?}"
    );
    let subset = sets
        .iter()
        .find(|set| *set != "policies/kyverno/sets/production")
        .unwrap();
    let hash = subset
        .strip_prefix("policies/kyverno/sets/production-")
        .unwrap_or_else(|| panic!("{subset}"));
    assert!(
        hash.len() == 10 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{subset}"
    );
    // The production clusters the selector leaves out share one folder; every
    // set folder is one some cluster applies.
    assert_eq!(
        policies_folder_of(&files, "production-eu-west-1"),
        policies_folder_of(&files, "production-asia-south1")
    );
    let used: BTreeSet<String> = files
        .keys()
        .filter_map(|path| path.strip_prefix("gitops/flux/clusters/"))
        .filter_map(|rest| rest.strip_suffix("/sync.yaml"))
        .map(|cluster| policies_folder_of(&files, cluster))
        .collect();
    let written: BTreeSet<String> = files
        .keys()
        .filter(|path| path.starts_with("policies/kyverno/sets/"))
        .map(|path| path.trim_end_matches("/kustomization.yaml").to_string())
        .collect();
    assert_eq!(used, written);
}

fn expected_placement(model: &Value) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut placement = BTreeMap::new();
    for cluster in model["clusters"].as_array().unwrap() {
        let name = cluster["name"].as_str().unwrap();
        let env = cluster["env"].as_str().unwrap();
        let mut policies = BTreeMap::new();
        for policy in model["policies"].as_array().unwrap() {
            let targets: Vec<&str> = policy["targets"]["clusters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|cluster| cluster.as_str().unwrap())
                .collect();
            if let Some(mode) = policy["mode"][env].as_str()
                && targets.contains(&name)
            {
                policies.insert(
                    policy["name"].as_str().unwrap().to_string(),
                    mode.to_string(),
                );
            }
        }
        placement.insert(name.to_string(), policies);
    }
    placement
}

fn set_kyverno(fleet_folder: &Path, version: &str) {
    replace_in(
        fleet_folder,
        "fleet.fleet",
        "kyverno = \"1.19\"",
        &format!("kyverno = \"{version}\""),
    );
}

#[test]
fn acme_policies_validate_are_placed_as_the_model_says_and_render() {
    let (out, files) = built(&acme());
    let kinds = validate_under(&files, "policies/");
    assert_eq!(
        kinds,
        BTreeSet::from([
            "kustomize.config.k8s.io/v1beta1 Kustomization".to_string(),
            "networking.k8s.io/v1 NetworkPolicy".to_string(),
            "policies.kyverno.io/v1 ValidatingPolicy".to_string(),
        ])
    );
    check_placement(&acme(), out.path(), &files);
    // Every policy folder renders on its own, and so do the NetworkPolicies.
    for path in files.keys() {
        if path.starts_with("policies/")
            && path.ends_with("/kustomization.yaml")
            && !path.starts_with("policies/kyverno/sets/")
        {
            let folder = out
                .path()
                .join(path.trim_end_matches("/kustomization.yaml"));
            for document in kustomize(&folder) {
                validate(path, &document);
            }
        }
    }
    let network = kustomize(&out.path().join(kyverno::NETWORK_FOLDER));
    let namespaces: BTreeSet<&str> = network
        .iter()
        .map(|document| document["metadata"]["namespace"].as_str().unwrap())
        .collect();
    assert_eq!(namespaces, BTreeSet::from(["payments", "platform-system"]));
    for document in &network {
        assert_eq!(document["spec"]["podSelector"], serde_json::json!({}));
        assert_eq!(
            document["spec"]["policyTypes"],
            serde_json::json!(["Ingress"])
        );
    }
}

#[test]
fn acme_validating_policy_matches_pods_and_leaves_the_controllers_namespaces_alone() {
    let (_out, files) = built(&acme());
    let policy =
        &documents(&files["policies/kyverno/policies/require-resource-limits/enforce/policy.yaml"])
            [0];
    let spec = &policy["spec"];
    assert_eq!(spec["validationActions"], serde_json::json!(["Deny"]));
    assert_eq!(
        spec["matchConstraints"]["resourceRules"],
        serde_json::json!([{
            "apiGroups": [""],
            "apiVersions": ["v1"],
            "operations": ["CREATE", "UPDATE"],
            "resources": ["pods"],
        }])
    );
    let selector = &spec["matchConstraints"]["namespaceSelector"]["matchExpressions"][0];
    assert_eq!(selector["key"], "kubernetes.io/metadata.name");
    assert_eq!(selector["operator"], "NotIn");
    assert!(
        selector["values"]
            .as_array()
            .unwrap()
            .contains(&Value::from("kube-system"))
    );
    assert_eq!(
        spec["autogen"]["podControllers"]["controllers"],
        serde_json::json!([
            "deployments",
            "statefulsets",
            "daemonsets",
            "jobs",
            "cronjobs"
        ])
    );
    assert!(
        spec["validations"][0]["expression"]
            .as_str()
            .unwrap()
            .contains("limits")
    );
    let audit =
        &documents(&files["policies/kyverno/policies/require-resource-limits/audit/policy.yaml"])
            [0];
    assert_eq!(
        audit["spec"]["validationActions"],
        serde_json::json!(["Audit"])
    );
}

#[test]
fn older_kyverno_targets_get_cluster_policies_that_validate() {
    for (version, per_rule) in [("1.15", true), ("1.12", false)] {
        let fleet = acme_copy();
        set_kyverno(fleet.path(), version);
        let (out, files) = built(fleet.path());
        let kinds = validate_under(&files, "policies/");
        assert!(
            kinds.contains("kyverno.io/v1 ClusterPolicy")
                && !kinds.contains("policies.kyverno.io/v1 ValidatingPolicy"),
            "{version}: {kinds:?}"
        );
        let policy =
            &documents(&files["policies/kyverno/policies/disallow-privileged/enforce/policy.yaml"])
                [0];
        let rule = &policy["spec"]["rules"][0];
        assert_eq!(rule["name"], "privileged-containers");
        assert_eq!(
            rule["match"]["any"][0]["resources"]["kinds"],
            serde_json::json!(["Pod"])
        );
        assert!(
            rule["exclude"]["any"][0]["resources"]["namespaces"]
                .as_array()
                .unwrap()
                .contains(&Value::from("kyverno"))
        );
        assert!(rule["validate"]["cel"]["expressions"][0]["expression"].is_string());
        if per_rule {
            assert_eq!(rule["validate"]["failureAction"], "Enforce", "{version}");
            assert!(policy["spec"].get("validationFailureAction").is_none());
        } else {
            assert_eq!(
                policy["spec"]["validationFailureAction"], "Enforce",
                "{version}"
            );
            assert!(rule["validate"].get("failureAction").is_none());
        }
        let rendered = kustomize(&out.path().join(policies_folder_of(&files, "dev-us-east-1")));
        assert!(
            rendered
                .iter()
                .all(|document| document["kind"] == "ClusterPolicy")
        );
        assert!(!rendered.is_empty());
    }
}

/// A policy with params, two sets of kinds and exceptions, through the
/// generator for each Kyverno kind.
#[test]
fn the_generator_writes_both_kinds_with_params_and_exceptions() {
    let rule = |name: &str, kinds: &[&str], validate: &str| RuleView {
        name: name.into(),
        kinds: kinds.iter().map(|kind| kind.to_string()).collect(),
        validate: validate.into(),
        message: format!("{name} failed"),
    };
    let view = PolicyView {
        name: "registries".into(),
        mode: vec![("production".into(), PolicyMode::Enforce)],
        rules: vec![
            rule(
                "allowed-registries",
                &["Pod"],
                "object.spec.containers.all(c, params.registries.exists(r, c.image.startsWith(r)) && c.name != 'params')",
            ),
            rule(
                "default-namespace",
                &["Pod", "Deployment"],
                "object.metadata.?namespace.orValue('default') != 'default'",
            ),
        ],
        exclude_namespaces: vec!["kube-system".into()],
        params: Node::map().with(
            "registries",
            Node::seq().item("ghcr.io/acme/").item("it's/"),
        ),
        description: Some("Images from our registries.".into()),
        exceptions: vec![ExceptionView {
            name: "legacy".into(),
            namespaces: vec!["legacy".into()],
            names: vec!["old-app".into()],
            rules: vec!["allowed-registries".into()],
        }],
    };
    for (version, flavor) in [
        ("1.19", Flavor::ValidatingPolicy),
        ("1.17.0", Flavor::ValidatingPolicy),
        ("1.16", Flavor::ClusterPolicy),
        ("1.13", Flavor::ClusterPolicy),
        ("1.12", Flavor::ClusterPolicySpecAction),
    ] {
        assert_eq!(Flavor::for_version(version), flavor, "{version}");
        let mut files = Vec::new();
        kyverno::policy_files(
            &view,
            PolicyMode::Enforce,
            flavor,
            &["p.fleet".into()],
            &mut files,
        );
        let paths: Vec<&str> = files.iter().map(|file| file.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "policies/kyverno/policies/registries/enforce/policy.yaml",
                "policies/kyverno/policies/registries/enforce/exceptions.yaml",
                "policies/kyverno/policies/registries/enforce/kustomization.yaml",
            ]
        );
        let folder = tempfile::tempdir().unwrap();
        let mut all = Vec::new();
        for file in &files {
            let name = file.path.rsplit('/').next().unwrap();
            let rendered = &file.text;
            std::fs::write(folder.path().join(name), rendered).unwrap();
            for document in documents(rendered) {
                validate(&file.path, &document);
                all.push(document);
            }
        }
        assert_eq!(kustomize(folder.path()).len(), all.len() - 1, "{version}");
        let policies: Vec<&Value> = all
            .iter()
            .filter(|document| {
                document["kind"] != "Kustomization" && document["kind"] != "PolicyException"
            })
            .collect();
        let exception = all
            .iter()
            .find(|document| document["kind"] == "PolicyException")
            .unwrap();
        assert_eq!(exception["metadata"]["name"], "registries-legacy");
        match flavor {
            Flavor::ValidatingPolicy => {
                // One object per set of kinds; `params` is a variable.
                assert_eq!(policies.len(), 2);
                assert_eq!(policies[0]["metadata"]["name"], "registries");
                assert_eq!(
                    policies[1]["metadata"]["name"],
                    "registries-default-namespace"
                );
                let spec = &policies[0]["spec"];
                assert_eq!(spec["variables"][0]["name"], "params");
                assert_eq!(
                    spec["variables"][0]["expression"],
                    "{'registries': ['ghcr.io/acme/', 'it\\'s/']}"
                );
                let expression = spec["validations"][0]["expression"].as_str().unwrap();
                assert!(expression.contains("variables.params.registries"));
                assert!(expression.contains("c.name != 'params'"));
                assert_eq!(
                    policies[1]["spec"]["autogen"]["podControllers"]["controllers"],
                    serde_json::json!([])
                );
                assert_eq!(
                    policies[1]["spec"]["matchConstraints"]["resourceRules"]
                        .as_array()
                        .unwrap()
                        .len(),
                    2
                );
                assert_eq!(exception["apiVersion"], "policies.kyverno.io/v1");
                assert_eq!(
                    exception["spec"]["policyRefs"],
                    serde_json::json!([{"name": "registries", "kind": "ValidatingPolicy"}])
                );
            }
            _ => {
                assert_eq!(policies.len(), 1);
                let rules = policies[0]["spec"]["rules"].as_array().unwrap();
                assert_eq!(rules.len(), 2);
                assert_eq!(
                    rules[0]["validate"]["cel"]["variables"][0]["name"],
                    "params"
                );
                assert!(rules[1]["validate"]["cel"].get("variables").is_none());
                assert_eq!(exception["apiVersion"], "kyverno.io/v2");
                assert_eq!(
                    exception["spec"]["exceptions"][0]["ruleNames"],
                    serde_json::json!([
                        "allowed-registries",
                        "autogen-allowed-registries",
                        "autogen-cronjob-allowed-registries"
                    ])
                );
            }
        }
    }
}

fn admission(fleet_folder: &Path) -> admission::AdmissionReport {
    let compilation = fleet_lsp::compilation::Compilation::open(fleet_folder).unwrap();
    let diagnostics = compilation.diagnostics();
    assert!(
        diagnostics
            .iter()
            .all(|diagnostic| diagnostic.severity != fleet_compiler::diagnostics::Severity::Error),
        "{diagnostics:?}"
    );
    admission::admission_check(&compilation.db, compilation.workspace)
}

#[test]
fn acme_workloads_pass_the_enforced_policies() {
    let report = admission(&acme());
    assert_eq!(report.violations, [], "{report:#?}");
    assert_eq!(report.unverified, [], "{report:#?}");
    // payment-service: limits in production, privileged in staging and
    // production (production's eu-west-1 layer makes a Pod of its own).
    assert_eq!(report.passed, 5, "{report:#?}");
}

#[test]
fn a_workload_that_breaks_an_enforced_policy_fails_the_check() {
    let fleet = acme_copy();
    let apps = fleet.path().join("apps.fleet");
    let text = std::fs::read_to_string(&apps).unwrap();
    let broken = text
        .replace(
            "read_only_root_filesystem = true",
            "read_only_root_filesystem = false",
        )
        .replace("run_as_non_root = true", "run_as_non_root = false");
    assert_ne!(broken, text);
    std::fs::write(&apps, broken).unwrap();
    std::fs::write(
        fleet.path().join("more-policies.fleet"),
        r#"import std.policies

policy non-root: policies.require_run_as_non_root {
  mode = { staging = audit, production = enforce }
  targets = clusters where env in [staging, production]
}

policy read-only: policies.require_read_only_root_fs {
  mode = { dev = enforce, staging = audit, production = enforce }
  targets = clusters where env in [dev, production]
}

policy registries: policies.restrict_image_registries {
  mode = { production = enforce }
  targets = clusters where env == production
  params = { registries = ["registry.example.com/"] }
}

policy default-deny: policies.default_deny_network {
  mode = { production = enforce }
  targets = clusters where env == production
}
"#,
    )
    .unwrap();
    let report = admission(fleet.path());
    let found: BTreeSet<(String, String, String, String)> = report
        .violations
        .iter()
        .map(|violation| {
            (
                violation.app.clone(),
                violation.env.clone(),
                violation.policy.clone(),
                violation.rule.clone(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String, String, String)> = [
        ("dev", "read-only", "read-only-root-filesystem"),
        ("production", "read-only", "read-only-root-filesystem"),
        ("production", "non-root", "run-as-non-root"),
    ]
    .iter()
    .map(|(env, policy, rule)| {
        (
            "payment-service".to_string(),
            env.to_string(),
            policy.to_string(),
            rule.to_string(),
        )
    })
    .collect();
    assert_eq!(found, expected, "{report:#?}");
    let non_root = report
        .violations
        .iter()
        .find(|violation| violation.policy == "non-root")
        .unwrap();
    let message = non_root.to_string();
    for part in [
        "payment-service",
        "production",
        "non-root",
        "run-as-non-root",
        "production-eu-west-1",
        "production-us-east-1",
        "runAsNonRoot",
    ] {
        assert!(message.contains(part), "{message}");
    }
    // The namespace's labels are known at admission only.
    assert_eq!(report.unverified.len(), 1, "{report:#?}");
    let unverified = &report.unverified[0];
    assert_eq!(unverified.policy, "default-deny");
    assert!(
        unverified.to_string().contains("namespaceObject"),
        "{unverified}"
    );
    // The registry is allowed (params are read), and disallow-privileged passes.
    assert!(report.passed >= 3, "{report:#?}");
}

/// Apps made by one loop share most of their Pods, and the check remembers a
/// rule's outcome by what the rule read (`rule_memo`): each app that breaks a
/// rule is still named, and only those, whichever app of the loop was
/// evaluated and which recalled.
#[test]
fn apps_of_one_loop_are_each_checked() {
    let fleet = acme_copy();
    std::fs::write(
        fleet.path().join("many.fleet"),
        r#"import std.policies

for j in range(30) {
  app "svc-${j}" {
    team = payments
    namespace = "payments"
    targets = clusters where env == production
    workload {
      image = if j % 5 == 0 then "docker.io/payments/svc-${j}" else "registry.example.com/payments/svc-${j}"
      port = 8080
      requests = { cpu = 100m, memory = 128Mi }
      limits = { cpu = 500m, memory = 256Mi }
      liveness = http_get("/healthz", port = 8080)
      readiness = http_get("/healthz", port = 8080)
      run_as_non_root = j % 3 != 0
      read_only_root_filesystem = true
    }
    version { production = "1.${j}.0" }
  }
}

policy non-root: policies.require_run_as_non_root {
  mode = { production = enforce }
  targets = clusters where env == production
}

policy registries: policies.restrict_image_registries {
  mode = { production = enforce }
  targets = clusters where env == production
  params = { registries = ["registry.example.com/"] }
}
"#,
    )
    .unwrap();
    let report = admission(fleet.path());
    let found: BTreeSet<(String, String)> = report
        .violations
        .iter()
        .map(|violation| (violation.policy.clone(), violation.app.clone()))
        .collect();
    let expected: BTreeSet<(String, String)> = (0..30)
        .filter(|j| j % 3 == 0)
        .map(|j| ("non-root".to_string(), format!("svc-{j}")))
        .chain(
            (0..30)
                .filter(|j| j % 5 == 0)
                .map(|j| ("registries".to_string(), format!("svc-{j}"))),
        )
        .collect();
    assert_eq!(found, expected, "{report:#?}");
    assert_eq!(report.violations.len(), expected.len(), "{report:#?}");
}

/// A rule about Deployments is checked on the generated Deployment (with the
/// env's replicas, its namespace and the image with the env's tag), beside a
/// rule about Pods in the same policy.
#[test]
fn rules_about_deployments_are_checked_on_the_deployment() {
    let fleet = acme_copy();
    std::fs::write(
        fleet.path().join("deployments.fleet"),
        r#"policy deployments {
  mode = { staging = enforce, production = enforce }
  targets = clusters where env in [staging, production]
  rules = [
    {
      name = "three-replicas"
      kinds = ["Deployment"]
      validate = "object.spec.replicas >= 3"
      message = "run at least three replicas"
    },
    {
      name = "released-image"
      kinds = ["Deployment"]
      validate = "object.metadata.namespace == 'payments' && object.spec.template.spec.containers.all(c, c.image.endsWith(':1.4.1') || c.image.endsWith(':1.4.0'))"
      message = "run a released image in the app's namespace"
    },
    {
      name = "pod-namespace"
      kinds = ["Pod"]
      validate = "object.metadata.namespace == 'payments'"
      message = "run in the app's namespace"
    }
  ]
}
"#,
    )
    .unwrap();
    let report = admission(fleet.path());
    let found: Vec<(&str, &str)> = report
        .violations
        .iter()
        .filter(|violation| violation.policy == "deployments")
        .map(|violation| (violation.env.as_str(), violation.rule.as_str()))
        .collect();
    // Staging runs two replicas; production six. The other rules hold in both.
    assert_eq!(found, [("staging", "three-replicas")], "{report:#?}");
    assert_eq!(report.unverified, [], "{report:#?}");
}

#[test]
fn external_sources_are_reported_unverified() {
    let fleet = acme_copy();
    std::fs::write(
        fleet.path().join("charts.fleet"),
        r#"app charts {
  team = payments
  namespace = "payments"
  targets = clusters where env == production
  source = helm("https://charts.example.com", chart = "thing")
  version { production = "1.0.0" }
}
"#,
    )
    .unwrap();
    let report = admission(fleet.path());
    assert_eq!(report.violations, []);
    let unverified: Vec<String> = report.unverified.iter().map(ToString::to_string).collect();
    assert_eq!(unverified.len(), 2, "{unverified:#?}");
    assert!(
        unverified
            .iter()
            .all(|line| line.contains("`charts`") && line.contains("helm"))
    );
}

/// The stdlib's rules all parse and evaluate with the CEL crate the check
/// uses (optional syntax included), on a compliant Pod.
#[test]
fn the_stdlib_rules_hold_for_a_hardened_pod() {
    let stdlib = std::fs::read_to_string(root().join("stdlib/policies.fleet")).unwrap();
    let expressions: Vec<&str> = stdlib
        .lines()
        .filter_map(|line| line.trim().strip_prefix("validate = \""))
        .map(|line| line.strip_suffix('"').unwrap())
        .collect();
    assert!(expressions.len() >= 30, "{}", expressions.len());
    let pod: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/admission/hardened-pod.json")).unwrap(),
    )
    .unwrap();
    let namespace = serde_json::json!({"metadata": {"labels": {"fleet.dev/default-deny": "true"}}});
    let params = serde_json::json!({"registries": ["registry.example.com/"]});
    let (pod, namespace, params) = (
        Node::from(&pod),
        Node::from(&namespace),
        Node::from(&params),
    );
    for expression in expressions {
        assert_eq!(
            admission::evaluate_cel(
                expression,
                &[
                    ("object", &pod),
                    ("namespaceObject", &namespace),
                    ("params", &params)
                ],
            ),
            Ok(true),
            "{expression}"
        );
    }
}

#[test]
fn declared_exceptions_become_policy_exceptions_of_either_kind() {
    for (version, api_version) in [
        ("1.19", "policies.kyverno.io/v1"),
        ("1.15", "kyverno.io/v2"),
    ] {
        let fleet = acme_copy();
        set_kyverno(fleet.path(), version);
        replace_in(
            fleet.path(),
            "policies.fleet",
            "  targets = clusters\n}",
            "  targets = clusters\n  exceptions = [{ name = \"debug\", namespaces = [\"debug\"], names = [\"toolbox\"] }]\n}",
        );
        let (out, files) = built(fleet.path());
        validate_under(&files, "policies/");
        let path = "policies/kyverno/policies/disallow-privileged/enforce/exceptions.yaml";
        let exception = &documents(&files[path])[0];
        assert_eq!(exception["apiVersion"], api_version, "{version}");
        assert_eq!(exception["kind"], "PolicyException");
        assert_eq!(exception["metadata"]["name"], "disallow-privileged-debug");
        let rendered = kustomize(
            &out.path()
                .join(policies_folder_of(&files, "production-eu-west-1")),
        );
        assert!(
            rendered
                .iter()
                .any(|document| document["kind"] == "PolicyException"),
            "{version}"
        );
    }
}

/// The admission check's own `matches` (patterns compiled once per thread): both
/// call forms, RE2 semantics, the same pattern on other text, and an invalid
/// pattern reported, not a pass.
#[test]
fn cel_matches_is_the_re2_function_in_both_forms() {
    let image = Node::from("registry.example.com/app:1.2.0");
    let latest = Node::from("registry.example.com/app:latest");
    let holds = |expression: &str, object: &Node| {
        admission::evaluate_cel(expression, &[("object", object)])
    };
    assert_eq!(holds("object.matches('^[^@]+:[^/:@]+$')", &image), Ok(true));
    assert_eq!(
        holds("matches(object, ':latest(@.*)?$')", &image),
        Ok(false)
    );
    assert_eq!(
        holds("matches(object, ':latest(@.*)?$')", &latest),
        Ok(true)
    );
    assert_eq!(holds("object.matches(':latest(@.*)?$')", &latest), Ok(true));
    let invalid = holds("object.matches('(unclosed')", &image);
    assert!(
        invalid
            .as_ref()
            .is_err_and(|reason| reason.contains("not a valid regular expression")),
        "{invalid:?}"
    );
}
