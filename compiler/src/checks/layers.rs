//! E0405: two overlays of one app at the same layer set the same field. Layers
//! have a fixed precedence, so only a tie is ambiguous; file order never decides.
//! E0307: an overlay that would give an app both a `workload` and a `source`.

use crate::diagnostics::{Diagnostic, Span, code};
use crate::eval::Evaluator;
use crate::eval::value::{Value, ValueKind};
use crate::model::{FleetModel, LayerKey};
use std::collections::HashMap;

pub fn same_layer_settings(evaluator: &Evaluator<'_>, model: &FleetModel) {
    for app in &model.apps {
        // A layer's own fields are distinct (E0308 otherwise): only layers that
        // share their key with another can set a field twice. Most apps have
        // none, and their fields are not listed at all.
        let shared_key = |key: &LayerKey| {
            app.layers
                .iter()
                .filter(|layer| layer.key == *key)
                .nth(1)
                .is_some()
        };
        if !app.layers.iter().any(|layer| shared_key(&layer.key)) {
            continue;
        }
        let mut set_at: HashMap<(LayerKey, String), Span> = HashMap::new();
        for layer in app.layers.iter().filter(|layer| shared_key(&layer.key)) {
            let mut paths = Vec::new();
            leaf_paths(&layer.value, String::new(), &mut paths);
            for (path, span) in paths {
                match set_at.get(&(layer.key.clone(), path.clone())) {
                    Some(first) => evaluator.report(
                        Diagnostic::new(
                            code::E0405,
                            format!("`{path}` of `{}` is set twice at `{}`", app.declared.name, layer.key.describe()),
                        )
                        .with_primary(span, "set again here")
                        .with_secondary(*first, "first set here, by another overlay of the same layer")
                        .with_help("set it in one overlay; two settings at one layer would make the result depend on file order"),
                    ),
                    None => {
                        set_at.insert((layer.key.clone(), path), span);
                    }
                }
            }
        }
    }
}

/// Every leaf field of a record, as `a.b.c` with the span of its value.
fn leaf_paths(value: &Value, prefix: String, out: &mut Vec<(String, Span)>) {
    let ValueKind::Record(record) = &value.kind else {
        return;
    };
    for field in &record.fields {
        let path = if prefix.is_empty() {
            field.name.to_string()
        } else {
            format!("{prefix}.{}", field.name)
        };
        match &field.value.kind {
            ValueKind::Record(_) => leaf_paths(&field.value, path, out),
            _ => out.push((path, field.key_span)),
        }
    }
}

/// E0307: an overlay that gives a `source` to an app that has a `workload` (or the
/// other way round): on the clusters of that layer the app would have both, which
/// `App` forbids (an app runs an image or deploys manifests, not both).
pub fn workload_or_source(evaluator: &Evaluator<'_>, model: &FleetModel) {
    for app in &model.apps {
        let Some(base) = app.declared.value.as_record() else {
            continue;
        };
        for layer in &app.layers {
            let Some(set) = layer.value.as_record() else {
                continue;
            };
            for (added, existing) in [("source", "workload"), ("workload", "source")] {
                let (Some(added_field), Some(existing_field)) =
                    (set.field(added), base.field(existing))
                else {
                    continue;
                };
                if set.field(existing).is_some() {
                    continue;
                }
                evaluator.report(
                    Diagnostic::new(code::E0307, "an app has either a `workload` or a `source`")
                        .with_primary(
                            added_field.key_span,
                            format!("gives `{}` a `{added}` at `{}`", app.declared.name, layer.key.describe()),
                        )
                        .with_secondary(existing_field.key_span, format!("it has a `{existing}` here"))
                        .with_help(format!(
                            "an overlay changes fields of the `{existing}`; to deploy differently on some clusters, declare another app"
                        )),
                );
            }
        }
    }
}
