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
    for app in &model.apps {
        let value = &app.declared.value;
        let (Some(team), Some(namespace)) = (field(value, "team"), field(value, "namespace"))
        else {
            continue;
        };
        let (Some(team_name), Some(namespace_name)) = (team.name(), namespace.as_str()) else {
            continue;
        };
        let Some(team) = model
            .teams
            .iter()
            .find(|candidate| &candidate.name == team_name)
        else {
            continue;
        };
        let owned: Vec<&str> = field(&team.value, "namespaces")
            .and_then(|value| value.as_list())
            .map(|list| list.iter().filter_map(|value| value.as_str()).collect())
            .unwrap_or_default();
        if owned.contains(&namespace_name) {
            continue;
        }
        let mut diagnostic = Diagnostic::new(
            code::E0413,
            format!("the app `{}` runs in `{namespace_name}`, which its team `{team_name}` does not own", app.declared.name),
        )
        .with_primary(namespace.span, "not one of the team's namespaces")
        .with_secondary(team.span, format!("`{team_name}` is declared here"));
        diagnostic = if owned.is_empty() {
            diagnostic.with_help(format!(
                "add `namespaces = [\"{namespace_name}\"]` to the team `{team_name}`"
            ))
        } else {
            diagnostic.with_help(format!(
                "use one of {}, or add `\"{namespace_name}\"` to the team's `namespaces`",
                owned
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        };
        evaluator.report(diagnostic);
    }
}
