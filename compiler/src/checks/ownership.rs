//! E0409: a namespace belongs to one team (the diagnostic points at each later
//! claim, with the first beside it). E0413: an app runs in a namespace its
//! team owns.

use super::field;
use crate::diagnostics::{Diagnostic, Span, code};
use crate::eval::Evaluator;
use crate::model::FleetModel;
use std::collections::HashMap;

pub fn namespaces(evaluator: &Evaluator<'_>, model: &FleetModel) {
    let mut owners: HashMap<&str, (&str, Span)> = HashMap::new();
    for team in &model.teams {
        let Some(namespaces) = field(&team.value, "namespaces").and_then(|value| value.as_list())
        else {
            continue;
        };
        for namespace in namespaces {
            let Some(name) = namespace.as_str() else {
                continue;
            };
            match owners.get(name) {
                Some((owner, first)) if *owner != &*team.name => {
                    evaluator.report(
                        Diagnostic::new(code::E0409, format!("the namespace `{name}` is owned by two teams"))
                            .with_primary(namespace.span, format!("`{}` claims it too", team.name))
                            .with_secondary(*first, format!("first claimed here, by `{owner}`"))
                            .with_help("give the namespace to one team; Argo CD projects and RBAC are per namespace"),
                    );
                }
                Some(_) => {}
                None => {
                    owners.insert(name, (&team.name, namespace.span));
                }
            }
        }
    }
}

pub fn app_namespaces(evaluator: &Evaluator<'_>, model: &FleetModel) {
    // Who owns each namespace (the first claim; a second one is E0409).
    let mut owners: HashMap<&str, &str> = HashMap::new();
    for team in &model.teams {
        let names = field(&team.value, "namespaces").and_then(|value| value.as_list());
        for namespace in names.into_iter().flatten() {
            if let Some(name) = namespace.as_str() {
                owners.entry(name).or_insert(&team.name);
            }
        }
    }
    for app in &model.apps {
        let value = &app.declared.value;
        let (Some(team), Some(namespace)) = (field(value, "team"), field(value, "namespace"))
        else {
            continue;
        };
        check_app_namespace(
            evaluator,
            model,
            &owners,
            &app.declared.name,
            team,
            namespace,
        );
        // An overlay that moves the app to another namespace (or team) on some
        // clusters must keep it in a namespace its team owns there.
        for layer in &app.layers {
            let (layer_team, layer_namespace) = (
                field(&layer.value, "team"),
                field(&layer.value, "namespace"),
            );
            if layer_team.is_none() && layer_namespace.is_none() {
                continue;
            }
            check_app_namespace(
                evaluator,
                model,
                &owners,
                &app.declared.name,
                layer_team.unwrap_or(team),
                layer_namespace.unwrap_or(namespace),
            );
        }
    }
}

/// E0413 when `namespace` is not one of the namespaces of the team `team`.
fn check_app_namespace(
    evaluator: &Evaluator<'_>,
    model: &FleetModel,
    owners: &HashMap<&str, &str>,
    app_name: &str,
    team: &crate::eval::value::Value,
    namespace: &crate::eval::value::Value,
) {
    let (Some(team_name), Some(namespace_name)) = (team.name(), namespace.as_str()) else {
        return;
    };
    let Some(team) = model
        .teams
        .iter()
        .find(|candidate| &candidate.name == team_name)
    else {
        return;
    };
    let namespaces = field(&team.value, "namespaces");
    // A team's namespaces that were themselves in error (reported there) say
    // nothing about which namespaces it owns.
    if team.value.is_error()
        || namespaces.is_some_and(|value| {
            value.is_error()
                || value
                    .as_list()
                    .is_some_and(|list| list.iter().any(|namespace| namespace.is_error()))
        })
    {
        return;
    }
    let owned: Vec<&str> = namespaces
        .and_then(|value| value.as_list())
        .map(|list| list.iter().filter_map(|value| value.as_str()).collect())
        .unwrap_or_default();
    if owned.contains(&namespace_name) {
        return;
    }
    let mut diagnostic = Diagnostic::new(
            code::E0413,
            format!("the app `{app_name}` runs in `{namespace_name}`, which its team `{team_name}` does not own"),
        )
        .with_primary(namespace.span, "not one of the team's namespaces")
        .with_secondary(team.span, format!("`{team_name}` is declared here"));
    let listed = owned
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let use_owned = match owned.len() {
        0 => None,
        1 => Some(format!("use the team's namespace, {listed}")),
        _ => Some(format!("use one of the team's namespaces ({listed})")),
    };
    diagnostic = match owners.get(namespace_name) {
        // Another team's: adding it to this team would only move the error to
        // E0409.
        Some(owner) => {
            diagnostic =
                diagnostic.with_note(format!("`{namespace_name}` belongs to the team `{owner}`"));
            let move_app = format!("set `team = {owner}` if the app is theirs");
            diagnostic.with_help(match use_owned {
                Some(use_owned) => format!("{use_owned}, or {move_app}"),
                None => {
                    format!("give the team `{team_name}` a namespace of its own, or {move_app}")
                }
            })
        }
        None => diagnostic.with_help(match use_owned {
            Some(use_owned) => {
                format!("{use_owned}, or add `\"{namespace_name}\"` to the team's `namespaces`")
            }
            None => {
                format!("add `namespaces = [\"{namespace_name}\"]` to the team `{team_name}`")
            }
        }),
    };
    evaluator.report(diagnostic);
}
