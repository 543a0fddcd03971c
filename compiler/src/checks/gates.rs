//! The gates of promotions. E0415: a promotion into a `protected` env needs a gate
//! with an approval, so no version reaches it on a merge alone. E0416: a canary's
//! traffic steps increase and end at 100%, as Flagger's analysis walks them. Waves:
//! each takes some of the app's clusters in the env, and `rest` comes last.

use super::field;
use crate::diagnostics::{Diagnostic, code};
use crate::eval::Evaluator;
use crate::eval::value::{Value, ValueKind};
use crate::model::FleetModel;
use crate::types::UnitKind;

/// 100% in the unit `Percent` quantities count (hundredths of a percent).
const ALL_TRAFFIC: i128 = 100 * 100;

pub fn protected_envs(evaluator: &Evaluator<'_>, model: &FleetModel) {
    for promotion in &model.promotions {
        let Some(path) = field(&promotion.value, "path").and_then(Value::as_list) else {
            continue;
        };
        let gates = field(&promotion.value, "gate").and_then(|value| value.as_record());
        for step in path {
            let Some(env_name) = step.name() else {
                continue;
            };
            let Some(env) = model.envs.iter().find(|env| &env.name == env_name) else {
                continue;
            };
            let protected = field(&env.value, "protected");
            if !matches!(
                protected.map(|value| &value.kind),
                Some(ValueKind::Bool(true))
            ) {
                continue;
            }
            let gate = gates.and_then(|gates| gates.field(env_name));
            let approvers = gate
                .and_then(|gate| field(&gate.value, "approval"))
                .and_then(Value::as_list)
                .map_or(0, <[Value]>::len);
            if approvers > 0 {
                continue;
            }
            let mut diagnostic = Diagnostic::new(
                code::E0415,
                format!("`{env_name}` is protected, but the promotion into it needs no approval"),
            )
            .with_primary(step.span, format!("versions enter `{env_name}` here"));
            if let Some(protected) = protected {
                diagnostic = diagnostic.with_secondary(protected.span, "protected here");
            }
            if let Some(gate) = gate {
                diagnostic =
                    diagnostic.with_secondary(gate.key_span, "this gate names no approver");
            }
            evaluator.report(diagnostic.with_help(format!(
                "add `gate {env_name} {{ approval = [<team>] }}` to the promotion"
            )));
        }
    }
}

pub fn canary_steps(evaluator: &Evaluator<'_>, model: &FleetModel) {
    for promotion in &model.promotions {
        let Some(gates) = field(&promotion.value, "gate").and_then(|value| value.as_record())
        else {
            continue;
        };
        for gate in &gates.fields {
            let Some(steps) =
                field(&gate.value, "canary").and_then(|canary| field(canary, "steps"))
            else {
                continue;
            };
            check_steps(evaluator, &gate.name, steps);
        }
    }
}

fn check_steps(evaluator: &Evaluator<'_>, env: &str, steps: &Value) {
    let Some(list) = steps.as_list() else { return };
    let weights: Vec<(i128, &Value)> = list
        .iter()
        .filter_map(|step| match &step.kind {
            ValueKind::Quantity(quantity) if quantity.kind == UnitKind::Percent => {
                Some((quantity.amount, step))
            }
            _ => None,
        })
        .collect();
    if weights.len() != list.len() {
        // A step that is not a percent was reported by its type.
        return;
    }
    let Some((last, last_step)) = weights.last() else {
        evaluator.report(
            Diagnostic::new(code::E0416, format!("the canary of `{env}` has no steps"))
                .with_primary(steps.span, "no traffic steps")
                .with_help(
                    "list the traffic weights, increasing, ending at 100%: `[10%, 50%, 100%]`",
                ),
        );
        return;
    };
    for pair in weights.windows(2) {
        let [(before, before_step), (after, after_step)] = pair else {
            continue;
        };
        if after <= before {
            evaluator.report(
                Diagnostic::new(
                    code::E0416,
                    format!("the canary steps of `{env}` must increase"),
                )
                .with_primary(after_step.span, "not more traffic than the step before")
                .with_secondary(before_step.span, "the step before")
                .with_help("list the traffic weights in increasing order: `[10%, 50%, 100%]`"),
            );
            return;
        }
    }
    if *last != ALL_TRAFFIC {
        evaluator.report(
            Diagnostic::new(
                code::E0416,
                format!("the canary of `{env}` never sends all traffic to the new version"),
            )
            .with_primary(last_step.span, "the last step")
            .with_help("end the steps at `100%`, where the canary is promoted"),
        );
    }
}

/// The waves of a gate roll a version out to the env's clusters in turns. W0406
/// for a wave that takes none of the app's clusters in the env (it would wait for
/// nothing); E0407 for `rest` anywhere but last (the waves after it get nothing).
pub fn waves(evaluator: &Evaluator<'_>, model: &FleetModel) {
    for promotion in &model.promotions {
        let Some(app) = model
            .apps
            .iter()
            .find(|app| app.declared.name == promotion.name)
        else {
            continue;
        };
        // An app whose targets failed, or a cluster that failed, was reported: an
        // empty wave would only repeat it.
        let judged = app.targets.span.is_some() && !evaluator.clusters_dropped.get();
        let Some(gates) = field(&promotion.value, "gate").and_then(|value| value.as_record())
        else {
            continue;
        };
        for gate in &gates.fields {
            let Some(waves) = field(&gate.value, "waves").and_then(Value::as_list) else {
                continue;
            };
            // The app's clusters in the gate's env: what the waves share out.
            let in_env: Vec<usize> = model
                .clusters
                .iter()
                .enumerate()
                .filter(|(index, cluster)| cluster.env == gate.name && app.targets.contains(*index))
                .map(|(index, _)| index)
                .collect();
            for (position, wave) in waves.iter().enumerate() {
                match &wave.kind {
                    ValueKind::Rest if position + 1 < waves.len() => evaluator.report(
                        Diagnostic::new(code::E0407, "`rest` is the last wave")
                            .with_primary(wave.span, "the clusters no earlier wave took")
                            .with_secondary(waves[position + 1].span, "so this wave gets none")
                            .with_help("move `rest` to the end of `waves`"),
                    ),
                    ValueKind::Selector(selector) if judged => {
                        let Some(selected) = evaluator.clusters_selected(selector) else {
                            continue;
                        };
                        if in_env.iter().any(|index| selected.contains(*index)) {
                            continue;
                        }
                        evaluator.report(
                            Diagnostic::new(
                                code::W0406,
                                format!(
                                    "wave {} of the gate for `{}` selects no cluster of `{}`",
                                    position + 1,
                                    gate.name,
                                    app.declared.name
                                ),
                            )
                            .with_primary(wave.span, format!("none of the app's clusters in `{}`", gate.name))
                            .with_help("a wave takes the app's clusters in the gate's env; check its condition against them with `fleet eval`"),
                        );
                    }
                    _ => {}
                }
            }
        }
    }
}
