//! W0406: a selector that selects no cluster (almost always a typo in a value, or
//! an env with no clusters yet). E0414: a policy targets clusters of an env it
//! sets no mode for.

use super::field;
use crate::diagnostics::{Diagnostic, code};
use crate::eval::Evaluator;
use crate::model::{ClusterSet, FleetModel};
use crate::model_json::predicate_text;
use std::collections::BTreeSet;

pub fn empty_selections(evaluator: &Evaluator<'_>, model: &FleetModel) {
    if evaluator.clusters_dropped.get() {
        // A cluster with errors is missing from the model: a selector that would
        // select it is not the problem to report.
        return;
    }
    let sets = model
        .apps
        .iter()
        .map(|app| ("app", &app.declared.name, &app.targets))
        .chain(
            model
                .policies
                .iter()
                .map(|policy| ("policy", &policy.declared.name, &policy.targets)),
        )
        .chain(
            model
                .manifests
                .iter()
                .map(|manifest| ("manifest", &manifest.declared.name, &manifest.targets)),
        );
    for (kind, name, set) in sets {
        warn_if_empty(evaluator, kind, name, set);
    }
}

fn warn_if_empty(evaluator: &Evaluator<'_>, kind: &str, name: &str, set: &ClusterSet) {
    let (false, Some(span)) = (!set.is_empty(), set.span) else {
        return;
    };
    let label = match &set.predicate {
        Some(predicate) => format!("no cluster has {}", predicate_text(predicate)),
        None => "the fleet declares no cluster yet".to_string(),
    };
    evaluator.report(
        Diagnostic::new(
            code::W0406,
            format!("the {kind} `{name}` selects no cluster"),
        )
        .with_primary(span, label)
        .with_help(
            "check the values against the clusters' fields; `fleet eval` lists every cluster",
        ),
    );
}

pub fn policy_modes(evaluator: &Evaluator<'_>, model: &FleetModel) {
    // The clusters of each env, once: a fleet has a few envs and thousands of
    // clusters, which each policy would otherwise go through.
    let mut envs: std::collections::BTreeMap<&str, ClusterSet> = std::collections::BTreeMap::new();
    for (index, cluster) in model.clusters.iter().enumerate() {
        envs.entry(&*cluster.env)
            .or_insert_with(|| ClusterSet::with_capacity(model.clusters.len()))
            .insert(index);
    }
    for policy in &model.policies {
        let Some(mode) = field(&policy.declared.value, "mode").and_then(|value| value.as_record())
        else {
            continue;
        };
        let with_mode: BTreeSet<&str> = mode.fields.iter().map(|field| &*field.name).collect();
        let missing: BTreeSet<&str> = envs
            .iter()
            .filter(|(env, clusters)| {
                !with_mode.contains(*env) && policy.targets.intersects(clusters)
            })
            .map(|(env, _)| *env)
            .collect();
        if missing.is_empty() {
            continue;
        }
        let span =
            field(&policy.declared.value, "mode").map_or(policy.declared.span, |mode| mode.span);
        let names: Vec<String> = missing.iter().map(|env| format!("`{env}`")).collect();
        evaluator.report(
            Diagnostic::new(
                code::E0414,
                format!(
                    "the policy `{}` targets clusters in {} but sets no mode there",
                    policy.declared.name,
                    names.join(", ")
                ),
            )
            .with_primary(span, format!("no mode for {}", names.join(", ")))
            .with_help(format!(
                "add `{} = audit` (or `enforce`) to `mode`, or narrow `targets`",
                missing.iter().next().unwrap_or(&"")
            )),
        );
    }
}
