//! Kyverno: the fleet's `policy` declarations as admission policies, where each
//! cluster's Flux `policies` stage applies them, and a build-time check of the
//! enforced ones against the workloads the compiler generates.
//!
//! **Layout.** One folder per (policy, mode) the policy is installed with,
//! `policies/kyverno/policies/<policy>/<audit|enforce>/` (`policy.yaml`, its
//! exceptions in `exceptions.yaml`, and a `kustomization.yaml`). A cluster's
//! policy set (`policy_sets`, a folder shared by the clusters that install the
//! same policies) lists the folders of the policies whose `targets` contain it,
//! in the mode its env has (a policy whose `mode` does not name the env is not
//! installed there). The object has the policy's name in
//! every mode: a cluster has one env, so one mode of each policy.
//!
//! **Kinds** (decided by the fleet's `targets.kyverno`): from Kyverno 1.17,
//! `policies.kyverno.io/v1` `ValidatingPolicy` (`validationActions: [Audit]` or
//! `[Deny]`; the excluded namespaces as a `namespaceSelector`; Pod rules are
//! auto-generated for the Pod controllers) and `policies.kyverno.io/v1`
//! `PolicyException`; before, `kyverno.io/v1` `ClusterPolicy` with the CEL in
//! `validate.cel` (per-rule `validate.failureAction` from 1.13, the spec-level
//! `validationFailureAction` before) and `kyverno.io/v2` `PolicyException`.
//! A policy's `params` become a CEL variable, `variables.params`.
//!
//! **Default deny.** A `NetworkPolicy` denying ingress to every Pod of each team
//! namespace, in `policies/network/teams/` (one file per team). Its namespaces
//! are created by the `teams` stage, which runs after `policies`, so a
//! cluster's policies folder cannot list it; the `teams` kustomization is where
//! it belongs (`NETWORK_FOLDER`).
//!
//! **Admission check**: `super::admission` evaluates the enforced policies'
//! rules against the workloads the compiler generates.

use super::document::{Node, metadata};
use super::places::Places;
use super::repository::{FileSink, GeneratedFile, Settings};
use super::workload_base;
use crate::eval::value::{Record, Value};
use crate::model::{FleetModel, Policy};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Where the policies' folders are, one per (policy, mode).
pub const POLICIES_FOLDER: &str = "policies/kyverno/policies";
/// The default-deny NetworkPolicies of the team namespaces.
pub const NETWORK_FOLDER: &str = "policies/network/teams";

/// The folder of `policy` installed in `mode` (`audit` or `enforce`).
pub fn policy_folder(policy: &str, mode: PolicyMode) -> String {
    format!("{POLICIES_FOLDER}/{policy}/{}", mode.as_str())
}

/// The controllers Kyverno generates a Pod rule's checks for.
const POD_CONTROLLERS: [&str; 5] = [
    "deployments",
    "statefulsets",
    "daemonsets",
    "jobs",
    "cronjobs",
];
/// Their kinds, for a `kyverno.io/v2` exception of an auto-generated rule.
const POD_CONTROLLER_KINDS: [&str; 5] =
    ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"];
/// Where `policies.kyverno.io` exceptions live (Kyverno's own namespace).
const EXCEPTION_NAMESPACE: &str = "kyverno";

/// What a policy does in one env.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyMode {
    Audit,
    Enforce,
}

impl PolicyMode {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyMode::Audit => "audit",
            PolicyMode::Enforce => "enforce",
        }
    }

    fn parse(name: &str) -> Option<PolicyMode> {
        match name {
            "audit" => Some(PolicyMode::Audit),
            "enforce" => Some(PolicyMode::Enforce),
            _ => None,
        }
    }
}

/// The kind of Kyverno policy a Kyverno release is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// Kyverno 1.17 and later: `policies.kyverno.io/v1` `ValidatingPolicy`.
    ValidatingPolicy,
    /// Kyverno 1.13 to 1.16: `ClusterPolicy`, per-rule `validate.failureAction`.
    ClusterPolicy,
    /// Before Kyverno 1.13: `ClusterPolicy`, spec-level `validationFailureAction`.
    ClusterPolicySpecAction,
}

impl Flavor {
    /// For a Kyverno version as the fleet writes it (`1.19`, `1.12.3`); an
    /// unreadable one gets the current kind.
    pub fn for_version(version: &str) -> Flavor {
        let mut parts = version.trim().trim_start_matches('v').split('.');
        let major = parts.next().and_then(|part| part.parse::<u32>().ok());
        let minor = parts
            .next()
            .and_then(|part| part.parse::<u32>().ok())
            .unwrap_or(0);
        match major {
            Some(1) if minor < 13 => Flavor::ClusterPolicySpecAction,
            Some(1) if minor < 17 => Flavor::ClusterPolicy,
            Some(0) => Flavor::ClusterPolicySpecAction,
            _ => Flavor::ValidatingPolicy,
        }
    }
}

/// One rule of a policy, as the stdlib's `Rule` has it.
#[derive(Clone, Debug)]
pub struct RuleView {
    pub name: String,
    pub kinds: Vec<String>,
    pub validate: String,
    pub message: String,
}

/// One exception of a policy (the stdlib's `PolicyException`).
#[derive(Clone, Debug)]
pub struct ExceptionView {
    pub name: String,
    pub namespaces: Vec<String>,
    /// Object names; every object in the namespaces when empty.
    pub names: Vec<String>,
    /// Rule names; every rule when empty.
    pub rules: Vec<String>,
}

/// A policy declaration, read from the model.
#[derive(Clone, Debug)]
pub struct PolicyView {
    pub name: String,
    pub mode: Vec<(Arc<str>, PolicyMode)>,
    pub rules: Vec<RuleView>,
    pub exclude_namespaces: Vec<String>,
    /// The declaration's `params`, as a document node (a map).
    pub params: Node,
    pub description: Option<String>,
    pub exceptions: Vec<ExceptionView>,
}

impl PolicyView {
    pub fn of(policy: &Policy) -> PolicyView {
        let record = policy.declared.value.as_record();
        let get = |name: &str| record.and_then(|record| record.get(name));
        let strings = |value: Option<&Value>| -> Vec<String> {
            value
                .and_then(Value::as_list)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|item| item.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let text = |record: &Record, name: &str| {
            record
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let mode = get("mode")
            .and_then(Value::as_record)
            .map(|modes| {
                modes
                    .fields
                    .iter()
                    .filter_map(|field| {
                        let mode = PolicyMode::parse(field.value.name()?)?;
                        Some((field.name.clone(), mode))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let rules = get("rules")
            .and_then(Value::as_list)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_record)
            .map(|rule| RuleView {
                name: text(rule, "name"),
                kinds: strings(rule.get("kinds")),
                validate: text(rule, "validate"),
                message: text(rule, "message"),
            })
            .collect();
        let exceptions = get("exceptions")
            .and_then(Value::as_list)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_record)
            .map(|exception| ExceptionView {
                name: text(exception, "name"),
                namespaces: strings(exception.get("namespaces")),
                names: strings(exception.get("names")),
                rules: strings(exception.get("rules")),
            })
            .collect();
        PolicyView {
            name: policy.declared.name.to_string(),
            mode,
            rules,
            exclude_namespaces: strings(get("exclude_namespaces")),
            params: get("params")
                .map(workload_base::value_node)
                .filter(|node| node.as_map().is_some())
                .unwrap_or_else(Node::map),
            description: get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
            exceptions,
        }
    }

    pub fn mode_in(&self, env: &str) -> Option<PolicyMode> {
        self.mode
            .iter()
            .find(|(name, _)| &**name == env)
            .map(|(_, mode)| *mode)
    }
}

/// The modes a policy is installed with: the mode of each env that has a
/// target cluster.
fn installed_modes(places: &Places, policy: &Policy, view: &PolicyView) -> BTreeSet<PolicyMode> {
    places
        .envs
        .iter()
        .filter(|(_, clusters)| clusters.intersects(&policy.targets))
        .filter_map(|(env, _)| view.mode_in(env))
        .collect()
}

/// The policies' folders and the default-deny NetworkPolicies.
pub fn generate(
    model: &FleetModel,
    places: &Places,
    views: &[PolicyView],
    settings: &Settings,
    files: &mut dyn FileSink,
) {
    let flavor = Flavor::for_version(&settings.kyverno);
    for (policy, view) in model.policies.iter().zip(views) {
        let sources = vec![settings.sources.of(&policy.declared)];
        for mode in installed_modes(places, policy, view) {
            policy_files(view, mode, flavor, &sources, files);
        }
    }
    network_policies(model, settings, files);
}

/// The files of one policy folder: `policy.yaml`, `exceptions.yaml` when the
/// policy has exceptions, and the `kustomization.yaml` listing them.
pub fn policy_files(
    view: &PolicyView,
    mode: PolicyMode,
    flavor: Flavor,
    sources: &[String],
    files: &mut dyn FileSink,
) {
    let folder = policy_folder(&view.name, mode);
    let mut resources = vec![Node::from("policy.yaml")];
    files.push(GeneratedFile::new(
        format!("{folder}/policy.yaml"),
        sources.to_vec(),
        policy_documents(view, mode, flavor),
    ));
    let exceptions = exception_documents(view, flavor);
    if !exceptions.is_empty() {
        resources.push(Node::from("exceptions.yaml"));
        files.push(GeneratedFile::new(
            format!("{folder}/exceptions.yaml"),
            sources.to_vec(),
            exceptions,
        ));
    }
    files.push(super::flux::kustomize_file(
        &folder,
        sources.to_vec(),
        resources,
    ));
}

/// The policy objects of `view` in `mode`, of the kind `flavor` says.
pub fn policy_documents(view: &PolicyView, mode: PolicyMode, flavor: Flavor) -> Vec<Node> {
    match flavor {
        Flavor::ValidatingPolicy => validating_policies(view, mode),
        Flavor::ClusterPolicy | Flavor::ClusterPolicySpecAction => {
            vec![cluster_policy(view, mode, flavor)]
        }
    }
}

fn policy_metadata(name: &str, description: Option<&str>) -> Node {
    let mut metadata = Node::map().with("name", name);
    if let Some(description) = description {
        metadata.push(
            "annotations",
            Node::map().with("policies.kyverno.io/description", description),
        );
    }
    metadata
}

/// The rules of `view` grouped by the kinds they match, in order: a
/// `ValidatingPolicy` matches one set of kinds for all its validations.
fn rules_by_kinds(view: &PolicyView) -> Vec<(Vec<String>, Vec<&RuleView>)> {
    let mut groups: Vec<(Vec<String>, Vec<&RuleView>)> = Vec::new();
    for rule in &view.rules {
        let mut kinds = rule.kinds.clone();
        kinds.sort();
        kinds.dedup();
        match groups.iter_mut().find(|(existing, _)| *existing == kinds) {
            Some((_, rules)) => rules.push(rule),
            None => groups.push((kinds, vec![rule])),
        }
    }
    groups
}

/// The names of the `ValidatingPolicy` objects of a policy, with the rules of
/// each: the policy's name, and `<policy>-<first rule>` for each further set of
/// kinds (the stdlib's policies have one).
fn validating_policy_names(view: &PolicyView) -> Vec<(String, Vec<String>, Vec<&RuleView>)> {
    rules_by_kinds(view)
        .into_iter()
        .enumerate()
        .map(|(position, (kinds, rules))| {
            let name = if position == 0 {
                view.name.clone()
            } else {
                format!("{}-{}", view.name, rules[0].name)
            };
            (name, kinds, rules)
        })
        .collect()
}

fn validating_policies(view: &PolicyView, mode: PolicyMode) -> Vec<Node> {
    let action = match mode {
        PolicyMode::Audit => "Audit",
        PolicyMode::Enforce => "Deny",
    };
    validating_policy_names(view)
        .into_iter()
        .map(|(name, kinds, rules)| {
            let mut constraints = Node::map().with("resourceRules", resource_rules(&kinds));
            if !view.exclude_namespaces.is_empty() {
                constraints.push("namespaceSelector", excluded_namespaces(view));
            }
            let controllers: Node = if kinds == ["Pod"] {
                POD_CONTROLLERS
                    .iter()
                    .map(|name| Node::from(*name))
                    .collect()
            } else {
                Node::seq()
            };
            let mut spec = Node::map()
                .with("validationActions", Node::seq().item(action))
                .with("matchConstraints", constraints)
                .with(
                    "autogen",
                    Node::map().with(
                        "podControllers",
                        Node::map().with("controllers", controllers),
                    ),
                );
            if rules
                .iter()
                .any(|rule| !rewrite_params(&rule.validate).1.is_empty())
            {
                spec.push("variables", Node::seq().item(params_variable(view)));
            }
            spec.push(
                "validations",
                rules
                    .iter()
                    .map(|rule| {
                        Node::map()
                            .with("expression", rewrite_params(&rule.validate).0)
                            .with("message", format!("{}: {}", rule.name, rule.message))
                    })
                    .collect::<Node>(),
            );
            Node::map()
                .with("apiVersion", "policies.kyverno.io/v1")
                .with("kind", "ValidatingPolicy")
                .with(
                    "metadata",
                    policy_metadata(&name, view.description.as_deref()),
                )
                .with("spec", spec)
        })
        .collect()
}

/// `kubernetes.io/metadata.name NotIn [...]`: the policy's excluded namespaces.
fn excluded_namespaces(view: &PolicyView) -> Node {
    Node::map().with(
        "matchExpressions",
        Node::seq().item(
            Node::map()
                .with("key", "kubernetes.io/metadata.name")
                .with("operator", "NotIn")
                .with(
                    "values",
                    view.exclude_namespaces
                        .iter()
                        .map(Node::from)
                        .collect::<Node>(),
                ),
        ),
    )
}

/// The admission rules of `kinds`, one per API group and version.
fn resource_rules(kinds: &[String]) -> Node {
    let mut groups: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    for kind in kinds {
        let (group, version, resource) = resource_of(kind);
        groups.entry((group, version)).or_default().push(resource);
    }
    groups
        .into_iter()
        .map(|((group, version), resources)| {
            Node::map()
                .with("apiGroups", Node::seq().item(group))
                .with("apiVersions", Node::seq().item(version))
                .with("operations", Node::seq().item("CREATE").item("UPDATE"))
                .with(
                    "resources",
                    resources.into_iter().map(Node::from).collect::<Node>(),
                )
        })
        .collect()
}

/// The API group, version and resource of a kind.
fn resource_of(kind: &str) -> (&'static str, &'static str, String) {
    let resource = {
        let lower = kind.to_ascii_lowercase();
        if lower.ends_with('s') {
            format!("{lower}es")
        } else if let Some(stem) = lower.strip_suffix('y') {
            format!("{stem}ies")
        } else {
            format!("{lower}s")
        }
    };
    let (group, version) = match kind {
        "Pod"
        | "Service"
        | "ConfigMap"
        | "Secret"
        | "ServiceAccount"
        | "Namespace"
        | "PersistentVolumeClaim" => ("", "v1"),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => ("apps", "v1"),
        "Job" | "CronJob" => ("batch", "v1"),
        "Ingress" | "NetworkPolicy" => ("networking.k8s.io", "v1"),
        _ => ("*", "*"),
    };
    (group, version, resource)
}

fn cluster_policy(view: &PolicyView, mode: PolicyMode, flavor: Flavor) -> Node {
    let action = match mode {
        PolicyMode::Audit => "Audit",
        PolicyMode::Enforce => "Enforce",
    };
    let mut spec = Node::map();
    if flavor == Flavor::ClusterPolicySpecAction {
        spec.push("validationFailureAction", action);
    }
    spec.push("background", true);
    let rules = view
        .rules
        .iter()
        .map(|rule| {
            let kinds: Node = rule.kinds.iter().map(Node::from).collect();
            let mut node = Node::map().with("name", rule.name.as_str()).with(
                "match",
                Node::map().with(
                    "any",
                    Node::seq()
                        .item(Node::map().with("resources", Node::map().with("kinds", kinds))),
                ),
            );
            if !view.exclude_namespaces.is_empty() {
                let namespaces: Node = view.exclude_namespaces.iter().map(Node::from).collect();
                node.push(
                    "exclude",
                    Node::map().with(
                        "any",
                        Node::seq().item(
                            Node::map()
                                .with("resources", Node::map().with("namespaces", namespaces)),
                        ),
                    ),
                );
            }
            let (expression, uses_params) = rewrite_params(&rule.validate);
            let mut cel = Node::map();
            if !uses_params.is_empty() {
                cel.push("variables", Node::seq().item(params_variable(view)));
            }
            cel.push(
                "expressions",
                Node::seq().item(
                    Node::map()
                        .with("expression", expression)
                        .with("message", rule.message.as_str()),
                ),
            );
            let mut validate = Node::map();
            if flavor == Flavor::ClusterPolicy {
                validate.push("failureAction", action);
            }
            validate.push("cel", cel);
            node.push("validate", validate);
            node
        })
        .collect::<Node>();
    spec.push("rules", rules);
    Node::map()
        .with("apiVersion", "kyverno.io/v1")
        .with("kind", "ClusterPolicy")
        .with(
            "metadata",
            policy_metadata(&view.name, view.description.as_deref()),
        )
        .with("spec", spec)
}

/// The variable `params`: the declaration's `params` as a CEL literal.
fn params_variable(view: &PolicyView) -> Node {
    Node::map()
        .with("name", "params")
        .with("expression", cel_literal(&view.params))
}

/// `expression` with each `params` identifier read as `variables.params` (a
/// Kyverno policy has no parameter object of its own), and whether it had any
/// (the positions, for the caller's test).
pub fn rewrite_params(expression: &str) -> (String, Vec<usize>) {
    let bytes = expression.as_bytes();
    let mut out = String::with_capacity(expression.len());
    let mut found = Vec::new();
    let mut position = 0;
    let identifier = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_';
    while position < bytes.len() {
        let byte = bytes[position];
        if byte == b'\'' || byte == b'"' {
            // A string literal, copied as it is.
            let start = position;
            position += 1;
            while position < bytes.len() && bytes[position] != byte {
                if bytes[position] == b'\\' {
                    position += 1;
                }
                position += 1;
            }
            position = (position + 1).min(bytes.len());
            out.push_str(&expression[start..position]);
            continue;
        }
        if identifier(byte) {
            let start = position;
            while position < bytes.len() && identifier(bytes[position]) {
                position += 1;
            }
            let word = &expression[start..position];
            let after_dot = expression[..start].trim_end().ends_with('.');
            if word == "params" && !after_dot {
                found.push(start);
                out.push_str("variables.params");
            } else {
                out.push_str(word);
            }
            continue;
        }
        let next = expression[position..].chars().next().unwrap_or_default();
        out.push(next);
        position += next.len_utf8();
    }
    (out, found)
}

/// A node as a CEL literal: strings single-quoted, maps with string keys.
fn cel_literal(node: &Node) -> String {
    match node {
        Node::Null => "null".into(),
        Node::Bool(flag) => flag.to_string(),
        Node::Int(number) => number.to_string(),
        Node::Str(text) => cel_string(text),
        Node::Seq(items) => format!(
            "[{}]",
            items.iter().map(cel_literal).collect::<Vec<_>>().join(", ")
        ),
        Node::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(key, value)| format!("{}: {}", cel_string(key), cel_literal(value)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn cel_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for character in text.chars() {
        match character {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            character => out.push(character),
        }
    }
    out.push('\'');
    out
}

/// The policy's exceptions: `policies.kyverno.io/v1` `PolicyException`s (in
/// Kyverno's namespace) for a `ValidatingPolicy`, `kyverno.io/v2` ones for a
/// `ClusterPolicy`.
pub fn exception_documents(view: &PolicyView, flavor: Flavor) -> Vec<Node> {
    view.exceptions
        .iter()
        .map(|exception| match flavor {
            Flavor::ValidatingPolicy => new_exception(view, exception),
            Flavor::ClusterPolicy | Flavor::ClusterPolicySpecAction => {
                old_exception(view, exception)
            }
        })
        .collect()
}

fn exception_name(view: &PolicyView, exception: &ExceptionView) -> String {
    format!("{}-{}", view.name, exception.name)
}

fn new_exception(view: &PolicyView, exception: &ExceptionView) -> Node {
    let refs: Node = validating_policy_names(view)
        .into_iter()
        .filter(|(_, _, rules)| {
            exception.rules.is_empty()
                || rules
                    .iter()
                    .any(|rule| exception.rules.contains(&rule.name))
        })
        .map(|(name, _, _)| {
            Node::map()
                .with("name", name)
                .with("kind", "ValidatingPolicy")
        })
        .collect();
    let list = |items: &[String]| {
        items
            .iter()
            .map(|item| cel_string(item))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut conditions = Node::seq().item(Node::map().with("name", "namespaces").with(
        "expression",
        format!(
            "object.metadata.?namespace.orValue('') in [{}]",
            list(&exception.namespaces)
        ),
    ));
    if !exception.names.is_empty() {
        conditions.push_item(Node::map().with("name", "names").with(
            "expression",
            format!(
                "object.metadata.?name.orValue('') in [{}]",
                list(&exception.names)
            ),
        ));
    }
    Node::map()
        .with("apiVersion", "policies.kyverno.io/v1")
        .with("kind", "PolicyException")
        .with(
            "metadata",
            metadata(&exception_name(view, exception), Some(EXCEPTION_NAMESPACE)),
        )
        .with(
            "spec",
            Node::map()
                .with("policyRefs", refs)
                .with("matchConditions", conditions),
        )
}

fn old_exception(view: &PolicyView, exception: &ExceptionView) -> Node {
    let rules: Vec<&RuleView> = view
        .rules
        .iter()
        .filter(|rule| exception.rules.is_empty() || exception.rules.contains(&rule.name))
        .collect();
    // Auto-generated rules have names of their own: `autogen-<rule>` for the
    // controllers with a Pod template, `autogen-cronjob-<rule>` for CronJobs.
    let mut rule_names = Vec::new();
    let mut kinds: Vec<String> = Vec::new();
    for rule in &rules {
        rule_names.push(rule.name.clone());
        let pod_only = rule.kinds == ["Pod"];
        if pod_only {
            rule_names.push(format!("autogen-{}", rule.name));
            rule_names.push(format!("autogen-cronjob-{}", rule.name));
        }
        let mut rule_kinds = rule.kinds.clone();
        if pod_only {
            rule_kinds.extend(POD_CONTROLLER_KINDS.iter().map(|kind| kind.to_string()));
        }
        for kind in rule_kinds {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    let mut resources = Node::map()
        .with("kinds", kinds.iter().map(Node::from).collect::<Node>())
        .with(
            "namespaces",
            exception
                .namespaces
                .iter()
                .map(Node::from)
                .collect::<Node>(),
        );
    if !exception.names.is_empty() {
        resources.push(
            "names",
            exception.names.iter().map(Node::from).collect::<Node>(),
        );
    }
    Node::map()
        .with("apiVersion", "kyverno.io/v2")
        .with("kind", "PolicyException")
        .with(
            "metadata",
            metadata(&exception_name(view, exception), Some(EXCEPTION_NAMESPACE)),
        )
        .with(
            "spec",
            Node::map()
                .with(
                    "exceptions",
                    Node::seq().item(Node::map().with("policyName", view.name.as_str()).with(
                        "ruleNames",
                        rule_names.iter().map(Node::from).collect::<Node>(),
                    )),
                )
                .with(
                    "match",
                    Node::map().with(
                        "any",
                        Node::seq().item(Node::map().with("resources", resources)),
                    ),
                ),
        )
}

/// A default-deny (ingress) NetworkPolicy in each team namespace, one file per
/// team, and the folder's `kustomization.yaml`.
fn network_policies(model: &FleetModel, settings: &Settings, files: &mut dyn FileSink) {
    let mut resources = Vec::new();
    let mut sources = Vec::new();
    for team in &model.teams {
        let namespaces = team.strings("namespaces");
        if namespaces.is_empty() {
            continue;
        }
        let source = settings.sources.of(team);
        let documents = namespaces
            .iter()
            .map(|namespace| default_deny(namespace))
            .collect();
        let file = format!("{}.yaml", team.name);
        resources.push(Node::from(file.as_str()));
        files.push(GeneratedFile::new(
            format!("{NETWORK_FOLDER}/{file}"),
            vec![source.clone()],
            documents,
        ));
        if !sources.contains(&source) {
            sources.push(source);
        }
    }
    if !resources.is_empty() {
        files.push(super::flux::kustomize_file(
            NETWORK_FOLDER,
            sources,
            resources,
        ));
    }
}

/// Denies all ingress to the Pods of `namespace`; other NetworkPolicies open
/// what an app needs.
pub fn default_deny(namespace: &str) -> Node {
    Node::map()
        .with("apiVersion", "networking.k8s.io/v1")
        .with("kind", "NetworkPolicy")
        .with(
            "metadata",
            Node::map()
                .with("name", "default-deny-ingress")
                .with("namespace", namespace)
                .with(
                    "labels",
                    Node::map().with("app.kubernetes.io/managed-by", "fleet"),
                ),
        )
        .with(
            "spec",
            Node::map()
                .with("podSelector", Node::map())
                .with("policyTypes", Node::seq().item("Ingress")),
        )
}
