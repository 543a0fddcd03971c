//! The admission check: every enforced policy's rules are evaluated, with the
//! `cel` crate, against the Pod (and Deployment) the compiler generates for each
//! app with a typed `workload`, per env, before anything is written. A rule that
//! reads what only admission knows (`namespaceObject`, `request`), an app
//! deployed from a `git`, `helm` or `oci` source, or an expression the crate
//! cannot evaluate is reported as unverified.

mod cel_document;
mod cel_runtime;
mod rule_memo;
#[cfg(test)]
mod test_pods;

pub use cel_runtime::evaluate_cel;

use super::document::Node;
use super::kyverno::{PolicyMode, PolicyView, RuleView};
use super::overlays::merge_record;
use super::places::Places;
use super::workload_base::{self, Deploys};
use crate::db::{Db, Workspace};
use crate::eval::declarations::evaluate;
use crate::eval::value::{Record, Value};
use crate::model::{App, Cluster, ClusterSet, FleetModel, Layer};
use cel_document::document_val;
use rule_memo::{Reads, RuleMemo};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// A rule of an enforced policy that a generated workload breaks: Kyverno would
/// refuse it at admission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The app's name where it is declared.
    pub span: crate::diagnostics::Span,
    pub app: String,
    pub env: String,
    pub policy: String,
    pub rule: String,
    pub message: String,
    /// The clusters of the env where the policy is enforced on the app.
    pub clusters: Vec<String>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "app `{}` in {} breaks rule `{}` of policy `{}`, enforced on {}: {}",
            self.app,
            self.env,
            self.rule,
            self.policy,
            self.clusters.join(", "),
            self.message
        )
    }
}

/// A check the build could not make.
impl Violation {
    /// E0417: the violation as a diagnostic at the app.
    pub fn diagnostic(&self) -> crate::diagnostics::Diagnostic {
        crate::diagnostics::Diagnostic::new(
            crate::diagnostics::code::E0417,
            format!(
                "app `{}` breaks policy `{}`, enforced in {}",
                self.app, self.policy, self.env
            ),
        )
        .with_primary(self.span, format!("rule `{}`: {}", self.rule, self.message))
        .with_note(format!(
            "checked on the Pod fleet generates for it in {}; enforced on {}",
            self.env,
            self.clusters.join(", ")
        ))
        .with_help(format!(
            "change the app so the rule holds, or set the policy to audit in {} while you do (`mode = {{ {} = audit }}`)",
            self.env, self.env
        ))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unverified {
    pub app: String,
    pub env: String,
    pub policy: String,
    /// `None` when no rule of the policy could be checked (an external source).
    pub rule: Option<String>,
    pub reason: String,
}

impl fmt::Display for Unverified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule {
            Some(rule) => write!(
                f,
                "app `{}` in {}: rule `{rule}` of policy `{}` not verified: {}",
                self.app, self.env, self.policy, self.reason
            ),
            None => write!(
                f,
                "app `{}` in {}: policy `{}` not verified: {}",
                self.app, self.env, self.policy, self.reason
            ),
        }
    }
}

/// The admission check's findings, in the model's order of apps, envs and
/// policies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdmissionReport {
    pub violations: Vec<Violation>,
    pub unverified: Vec<Unverified>,
    /// How many rule evaluations passed: one per (app, env, policy, rule) and
    /// distinct set of the app's layers among the env's clusters.
    pub passed: usize,
}

/// The admission check of the workspace's fleet.
pub fn admission_check(db: &dyn Db, workspace: Workspace) -> AdmissionReport {
    let evaluation = evaluate(db, workspace);
    check_model(&evaluation.model)
}

/// The admission check of a model: each enforced policy's rules against the Pod
/// (and Deployment) of each workload app, per env where the policy is enforced
/// on some of the app's clusters. Apps are independent: they are checked on
/// every core. The rules of the policies enforced somewhere are compiled
/// first, on every core too (parsing a rule costs as much as evaluating it a
/// few hundred times), and shared.
pub fn check_model(model: &FleetModel) -> AdmissionReport {
    let views: Vec<PolicyView> = model.policies.iter().map(PolicyView::of).collect();
    let places = Places::of(model);
    let environment = cel_runtime::environment();
    let rules: Vec<(usize, usize)> = views
        .iter()
        .enumerate()
        .filter(|(_, view)| {
            view.mode
                .iter()
                .any(|(_, mode)| *mode == PolicyMode::Enforce)
        })
        .flat_map(|(position, view)| (0..view.rules.len()).map(move |rule| (position, rule)))
        .collect();
    let compiled = crate::parallel::map_each(&rules, 2, |&(position, rule)| {
        environment
            .compile(&views[position].rules[rule].validate)
            .map_err(|error| format!("the expression does not parse: {error}"))
    });
    let programs: Programs = rules.into_iter().zip(compiled).collect();
    let reports = crate::parallel::map_runs(&model.apps, 256, |apps| {
        let checker = Checker {
            model,
            views: &views,
            places: &places,
            environment: environment.clone(),
            programs: &programs,
            memo: RefCell::default(),
        };
        apps.iter().map(|app| checker.check_app(app)).collect()
    });
    let mut report = AdmissionReport::default();
    for app_report in reports {
        report.violations.extend(app_report.violations);
        report.unverified.extend(app_report.unverified);
        report.passed += app_report.passed;
    }
    for violation in &mut report.violations {
        violation.clusters.sort();
        violation.clusters.dedup();
    }
    report
}

/// The compiled rules of the enforced policies, by (policy, rule) position.
type Programs = HashMap<(usize, usize), Result<cel::Program, String>>;

/// One thread's admission check: the model, and the compiled rules.
struct Checker<'a> {
    model: &'a FleetModel,
    views: &'a [PolicyView],
    places: &'a Places,
    environment: Arc<cel::Env>,
    programs: &'a Programs,
    /// Outcomes by what the rule read (see `rule_memo`), for this thread's apps.
    memo: RefCell<RuleMemo>,
}

impl Checker<'_> {
    /// The outcome of the rule at `key` (compiled to `program`) on `object`,
    /// bound in `context`: remembered from an object on which the rule read
    /// the same, else evaluated (and traced, `object_reads`, while the rule
    /// is worth it).
    fn outcome(
        &self,
        key: (usize, usize),
        program: &cel::Program,
        (context, object, object_reads): (&cel::Context, &Node, &Reads),
        rule: &RuleView,
    ) -> Outcome {
        let mut memo = self.memo.borrow_mut();
        if let Some(holds) = memo.recall(key, object) {
            return if holds { Outcome::Pass } else { Outcome::Fail };
        }
        let traced = memo.traces(key);
        object_reads.start(traced);
        let outcome = evaluate_rule(program, context, rule);
        let holds = match outcome {
            Outcome::Pass => Some(true),
            Outcome::Fail => Some(false),
            Outcome::Unverified(_) => None,
        };
        memo.evaluated(key, object, traced.then_some(object_reads), holds);
        object_reads.start(false);
        outcome
    }

    /// The findings for one app, in the order of envs and policies.
    fn check_app(&self, app: &App) -> AdmissionReport {
        let mut report = AdmissionReport::default();
        let Some(base) = app.declared.value.as_record() else {
            return report;
        };
        let Some(deploys) = workload_base::deploys(base) else {
            return report;
        };
        let (model, views, places) = (self.model, self.views, self.places);
        let namespace = base.get("namespace").and_then(Value::as_str).unwrap_or("");
        let external = match deploys {
            Deploys::Workload(_) => None,
            Deploys::Git { .. } => Some("git"),
            Deploys::Helm { .. } => Some("helm"),
            Deploys::Oci { .. } => Some("oci"),
        };
        // Each finding once per (env, policy, rule).
        let mut seen: BTreeSet<(String, String, String)> = BTreeSet::new();
        // The clusters of each own-layer cluster, by name (usually none).
        let own_layer_clusters: BTreeSet<usize> = app
            .layers
            .iter()
            .filter_map(|layer| places.by_name.get(layer.key.cluster.as_deref()?))
            .copied()
            .collect();
        for (env, env_clusters) in &places.envs {
            let app_env = env_clusters.and(&app.targets);
            if app_env.is_empty() {
                continue;
            }
            // The policies enforced here on some of the app's clusters, with them.
            let enforced: Vec<(usize, ClusterSet)> = model
                .policies
                .iter()
                .zip(views)
                .enumerate()
                .filter(|(_, (_, view))| {
                    view.mode_in(env) == Some(PolicyMode::Enforce)
                        && !view.exclude_namespaces.iter().any(|name| name == namespace)
                })
                .map(|(position, (policy, _))| (position, app_env.and(&policy.targets)))
                .filter(|(_, clusters)| !clusters.is_empty())
                .collect();
            if enforced.is_empty() {
                continue;
            }
            if let Some(source) = external {
                for (position, _) in &enforced {
                    report.unverified.push(Unverified {
                        app: app.declared.name.to_string(),
                        env: env.to_string(),
                        policy: views[*position].name.clone(),
                        rule: None,
                        reason: format!(
                            "the app is deployed from a `{source}` source, whose objects the build does not see"
                        ),
                    });
                }
                continue;
            }
            // The clusters that get the same objects: one group per region (the
            // layers depend on env and region), one per cluster with its own layer.
            let mut groups: Vec<(Vec<usize>, ClusterSet)> = Vec::new();
            let mut add = |layers: Vec<usize>, members: ClusterSet| match groups
                .iter_mut()
                .find(|(key, _)| *key == layers)
            {
                Some((_, existing)) => existing.union_with(&members),
                None => groups.push((layers, members)),
            };
            for ((pair_env, _), pair_clusters) in &places.pairs {
                if pair_env != env {
                    continue;
                }
                let mut members = pair_clusters.and(&app_env);
                for &own in &own_layer_clusters {
                    members.remove(own);
                }
                let Some(first) = members.indices().next() else {
                    continue;
                };
                add(layers_of(app, &model.clusters[first]), members);
            }
            for &own in &own_layer_clusters {
                if app_env.contains(own) {
                    let mut members = ClusterSet::with_capacity(model.clusters.len());
                    members.insert(own);
                    add(layers_of(app, &model.clusters[own]), members);
                }
            }
            // Only the objects some rule is about are made and bound (the
            // stdlib's rules are all about Pods).
            let reads = |position: usize, object: RuleObject| {
                views[position]
                    .rules
                    .iter()
                    .any(|rule| rule_object(rule) == Some(object))
            };
            let with_deployment = enforced
                .iter()
                .any(|(position, _)| reads(*position, RuleObject::Deployment));
            for (layers, members) in groups {
                let Some((pod, deployment)) =
                    admitted_objects(app, base, &layers, env, with_deployment)
                else {
                    continue;
                };
                // The objects bound once per group, read in place (see
                // `cel_document`): every rule of every policy reads them, each
                // policy in a scope that adds its params. What a rule reads of
                // its object is noted, for the memo.
                let (pod_reads, deployment_reads) = (Reads::default(), Reads::default());
                let pod_context = bound(&self.environment, &pod, &pod_reads);
                let deployment_context = deployment
                    .as_ref()
                    .map(|deployment| bound(&self.environment, deployment, &deployment_reads));
                for (position, policy_clusters) in &enforced {
                    if !members.intersects(policy_clusters) {
                        continue;
                    }
                    let view = &views[*position];
                    let pod_scope = reads(*position, RuleObject::Pod)
                        .then(|| with_params(&pod_context, &view.params));
                    let deployment_scope = deployment_context
                        .as_ref()
                        .filter(|_| reads(*position, RuleObject::Deployment))
                        .map(|context| with_params(context, &view.params));
                    // Only a violation names them.
                    let cluster_names = || -> Vec<String> {
                        members
                            .and(policy_clusters)
                            .indices()
                            .map(|index| model.clusters[index].declared.name.to_string())
                            .collect()
                    };
                    for (rule_position, rule) in view.rules.iter().enumerate() {
                        // Made above for every rule about them.
                        let Some((context, object, object_reads)) = (match rule_object(rule) {
                            Some(RuleObject::Pod) => {
                                pod_scope.as_ref().map(|scope| (scope, &pod, &pod_reads))
                            }
                            Some(RuleObject::Deployment) => deployment_scope
                                .as_ref()
                                .zip(deployment.as_ref())
                                .map(|(scope, object)| (scope, object, &deployment_reads)),
                            None => None,
                        }) else {
                            continue;
                        };
                        let key = (*position, rule_position);
                        let outcome = match self.programs.get(&key) {
                            Some(Ok(program)) => {
                                self.outcome(key, program, (context, object, object_reads), rule)
                            }
                            Some(Err(error)) => Outcome::Unverified(error.clone()),
                            // Enforced here, so compiled above.
                            None => continue,
                        };
                        match outcome {
                            Outcome::Pass => report.passed += 1,
                            Outcome::Fail => {
                                if let Some(existing) = report.violations.iter_mut().find(|v| {
                                    (v.env.as_str(), &v.policy, &v.rule)
                                        == (&**env, &view.name, &rule.name)
                                }) {
                                    existing.clusters.extend(cluster_names());
                                } else {
                                    report.violations.push(Violation {
                                        span: app.declared.span,
                                        app: app.declared.name.to_string(),
                                        env: env.to_string(),
                                        policy: view.name.clone(),
                                        rule: rule.name.clone(),
                                        message: rule.message.clone(),
                                        clusters: cluster_names(),
                                    });
                                }
                            }
                            Outcome::Unverified(reason) => {
                                let key = (env.to_string(), view.name.clone(), rule.name.clone());
                                if seen.insert(key) {
                                    report.unverified.push(Unverified {
                                        app: app.declared.name.to_string(),
                                        env: env.to_string(),
                                        policy: view.name.clone(),
                                        rule: Some(rule.name.clone()),
                                        reason,
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
        report
    }
}

/// A context with `object` bound to a generated object, read in place; what
/// a rule reads of it is noted in `reads` while they are started.
fn bound<'p, 'v: 'p>(
    environment: &Arc<cel::Env>,
    object: &'v Node,
    reads: &'v Reads,
) -> cel::Context<'p, 'v> {
    let mut context = cel::Context::with_env(environment.clone());
    context.add_variable_as_val("object", document_val(object, Some(reads)));
    context
}

/// A scope of `context` with a policy's `params` bound.
fn with_params<'b, 'v>(
    context: &'b cel::Context<'_, 'v>,
    params: &'v Node,
) -> cel::Context<'b, 'v> {
    let mut scope = context.new_inner_scope();
    scope.add_variable_as_val("params", document_val(params, None));
    scope
}

/// The generated object a rule is checked on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RuleObject {
    Pod,
    Deployment,
}

/// The Pod for a rule about Pods (the Deployment's Pods are what Kyverno's
/// autogen checks), else the Deployment for a rule about Deployments; `None`
/// for a rule about neither.
fn rule_object(rule: &RuleView) -> Option<RuleObject> {
    if rule.kinds.iter().any(|kind| kind == "Pod") {
        Some(RuleObject::Pod)
    } else if rule.kinds.iter().any(|kind| kind == "Deployment") {
        Some(RuleObject::Deployment)
    } else {
        None
    }
}

/// The positions of the app's layers that apply to `cluster`, lowest first.
fn layers_of(app: &App, cluster: &Cluster) -> Vec<usize> {
    app.layers
        .iter()
        .enumerate()
        .filter(|(_, layer)| applies(layer, cluster))
        .map(|(position, _)| position)
        .collect()
}

enum Outcome {
    Pass,
    Fail,
    Unverified(String),
}

/// What only admission knows: a rule reading it cannot be checked at build time.
const ADMISSION_ONLY: [&str; 4] = ["namespaceObject", "request", "oldObject", "authorizer"];

fn evaluate_rule(program: &cel::Program, context: &cel::Context, rule: &RuleView) -> Outcome {
    match program.execute(context) {
        Ok(cel::Value::Bool(true)) => Outcome::Pass,
        Ok(cel::Value::Bool(false)) => Outcome::Fail,
        Ok(other) => Outcome::Unverified(format!("the expression gives {other:?}, not a boolean")),
        Err(error) => {
            let reads: Vec<&str> = ADMISSION_ONLY
                .iter()
                .copied()
                .filter(|name| mentions(&rule.validate, name))
                .collect();
            if reads.is_empty() {
                Outcome::Unverified(format!("the expression fails: {error}"))
            } else {
                Outcome::Unverified(format!(
                    "it reads `{}`, known only at admission",
                    reads.join("`, `")
                ))
            }
        }
    }
}

/// Whether `expression` names the identifier `name` (outside strings, roughly).
fn mentions(expression: &str, name: &str) -> bool {
    expression.match_indices(name).any(|(start, _)| {
        let before = expression[..start].chars().next_back();
        let after = expression[start + name.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
            && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Whether a layer of the app applies to `cluster` (env, region and cluster
/// layers alike).
fn applies(layer: &Layer, cluster: &Cluster) -> bool {
    layer
        .key
        .env
        .as_deref()
        .is_none_or(|env| env == &*cluster.env)
        && layer
            .key
            .region
            .as_deref()
            .is_none_or(|region| region == &*cluster.region)
        && layer
            .key
            .cluster
            .as_deref()
            .is_none_or(|name| name == &*cluster.declared.name)
}

/// The Pod Kubernetes would admit for the app's Deployment with `layers` laid
/// over it in `env` (the Deployment's Pod template as a Pod: its labels, the
/// app's namespace, the image with the env's tag), and, `with_deployment`,
/// the Deployment. `None` for an app that is not a typed workload there.
pub fn admitted_objects(
    app: &App,
    base: &Record,
    layers: &[usize],
    env: &str,
    with_deployment: bool,
) -> Option<(Node, Option<Node>)> {
    let mut merged = base.clone();
    for &position in layers {
        if let Some(upper) = app
            .layers
            .get(position)
            .and_then(|layer| layer.value.as_record())
        {
            merged = merge_record(&merged, upper);
        }
    }
    let Deploys::Workload(workload) = workload_base::deploys(&merged)? else {
        return None;
    };
    let base_image = workload_base::image(base).unwrap_or_default();
    let mut objects =
        workload_base::workload_objects(&app.declared.name, &merged, workload, base_image);
    let position = objects
        .iter()
        .position(|object| object.kind() == "Deployment")?;
    let mut deployment = objects.swap_remove(position).node;
    let namespace = merged
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    // The overlay's `images` entry: the image named for the env, with its tag.
    let image = workload_base::image(&merged).unwrap_or(base_image);
    let image = match workload_base::version(&merged, env) {
        Some(tag) => format!("{image}:{tag}"),
        None => image.to_string(),
    };
    let template = deployment
        .get_mut("spec")
        .and_then(|spec| spec.get_mut("template"))?;
    if let Some(pod_spec) = template.get_mut("spec") {
        retag(pod_spec, base_image, &image);
    }
    // The template's parts: copied when the Deployment is kept, else moved.
    let mut part = |key: &str| match template.get_mut(key) {
        Some(node) if with_deployment => node.clone(),
        Some(node) => std::mem::replace(node, Node::Null),
        None => Node::map(),
    };
    let mut metadata = part("metadata");
    let spec = part("spec");
    metadata.push("namespace", namespace);
    let pod = Node::map()
        .with("apiVersion", "v1")
        .with("kind", "Pod")
        .with("metadata", metadata)
        .with("spec", spec);
    let deployment = with_deployment.then(|| {
        if let Some(metadata) = deployment.get_mut("metadata") {
            metadata.push("namespace", namespace);
        }
        deployment
    });
    Some((pod, deployment))
}

/// Sets the image of the containers that run `from` to `to`.
fn retag(spec: &mut Node, from: &str, to: &str) {
    let Node::Map(entries) = spec else {
        return;
    };
    for (key, containers) in entries.iter_mut() {
        if !matches!(&**key, "containers" | "initContainers") {
            continue;
        }
        let Node::Seq(containers) = containers else {
            continue;
        };
        for container in containers {
            if let Node::Map(fields) = container {
                for (key, value) in fields.iter_mut() {
                    if &**key == "image" && value.as_str() == Some(from) {
                        *value = Node::from(to);
                    }
                }
            }
        }
    }
}
