//! E0407: a promotion's path goes through each env once, for an app that exists,
//! and every gate is for an env on the path (a gate elsewhere would never apply).
//! E0408: a later stage is not pinned to a version newer than the stage before
//! it: production never runs what staging never ran.

use super::field;
use crate::diagnostics::{Diagnostic, code};
use crate::eval::Evaluator;
use crate::model::FleetModel;

pub fn paths_and_versions(evaluator: &Evaluator<'_>, model: &FleetModel) {
    for promotion in &model.promotions {
        let Some(app) = model
            .apps
            .iter()
            .find(|app| app.declared.name == promotion.name)
        else {
            let mut diagnostic = Diagnostic::new(
                code::E0407,
                format!("there is no app `{}` to promote", promotion.name),
            )
            .with_primary(
                promotion.span,
                "a promotion is named after the app it moves",
            );
            let names = model.apps.iter().map(|app| &*app.declared.name);
            if let Some(suggestion) = crate::eval::closest(&promotion.name, names) {
                diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?"));
            }
            evaluator.report(diagnostic);
            continue;
        };
        let Some(path) = field(&promotion.value, "path").and_then(|value| value.as_list()) else {
            continue;
        };
        let mut seen: Vec<(&str, crate::diagnostics::Span)> = Vec::new();
        for step in path {
            let Some(env) = step.name() else { continue };
            if let Some((_, first)) = seen.iter().find(|(name, _)| *name == &**env) {
                evaluator.report(
                    Diagnostic::new(code::E0407, format!("the path goes through `{env}` twice"))
                        .with_primary(step.span, "again here")
                        .with_secondary(*first, "first here")
                        .with_help(
                            "a path visits each env once, in order: `dev -> staging -> production`",
                        ),
                );
                continue;
            }
            seen.push((env, step.span));
        }
        gates_on_path(evaluator, model, &promotion.value, &seen);
        // Versions along the path must not increase.
        let Some(versions) =
            field(&app.declared.value, "version").and_then(|value| value.as_record())
        else {
            continue;
        };
        let pinned: Vec<(&str, &crate::eval::value::Value)> = seen
            .iter()
            .filter_map(|(env, _)| versions.get(env).map(|version| (*env, version)))
            .collect();
        for pair in pinned.windows(2) {
            let [(earlier_env, earlier), (later_env, later)] = pair else {
                continue;
            };
            let (Some(earlier_text), Some(later_text)) = (earlier.as_str(), later.as_str()) else {
                continue;
            };
            let (Ok(earlier_version), Ok(later_version)) =
                (parse_version(earlier_text), parse_version(later_text))
            else {
                continue;
            };
            if later_version > earlier_version {
                evaluator.report(
                    Diagnostic::new(
                        code::E0408,
                        format!("`{later_env}` would run {later_text}, which `{earlier_env}` never ran"),
                    )
                    .with_primary(later.span, format!("{later_text} in `{later_env}`"))
                    .with_secondary(earlier.span, format!("`{earlier_env}`, earlier on the path, runs {earlier_text}"))
                    .with_help(format!("promote through the path: set `{earlier_env}` to {later_text} first, or pin `{later_env}` to {earlier_text}")),
                );
            }
        }
    }
}

/// Every gate of a promotion is for an env its path goes through: a version never
/// enters an env off the path, so a gate there would never apply. Envs that are not
/// declared are reported by name resolution, not here.
fn gates_on_path(
    evaluator: &Evaluator<'_>,
    model: &FleetModel,
    promotion: &crate::eval::value::Value,
    path: &[(&str, crate::diagnostics::Span)],
) {
    let Some(path_value) = field(promotion, "path") else {
        return;
    };
    // A path with a step that did not evaluate to an env cannot be judged.
    if path_value
        .as_list()
        .is_none_or(|steps| steps.iter().any(|step| step.name().is_none()))
    {
        return;
    }
    let Some(gates) = field(promotion, "gate").and_then(|value| value.as_record()) else {
        return;
    };
    let shown = path
        .iter()
        .map(|(env, _)| *env)
        .collect::<Vec<_>>()
        .join(" -> ");
    for gate in &gates.fields {
        let env = &*gate.name;
        if path.iter().any(|(step, _)| *step == env)
            || !model.envs.iter().any(|declared| &*declared.name == env)
        {
            continue;
        }
        evaluator.report(
            Diagnostic::new(
                code::E0407,
                format!("the gate for `{env}` never applies: the path does not go through `{env}`"),
            )
            .with_primary(gate.key_span, format!("`{env}` is not on the path"))
            .with_secondary(path_value.span, format!("the path: {shown}"))
            .with_help(format!(
                "add `{env}` to the path where versions should stop, or remove the gate"
            )),
        );
    }
}

/// A semantic version, `v` allowed in front.
fn parse_version(text: &str) -> Result<semver::Version, semver::Error> {
    semver::Version::parse(text.strip_prefix('v').unwrap_or(text))
}
