//! E0405: two overlays of one app at the same layer set the same field. Layers
//! have a fixed precedence, so only a tie is ambiguous; file order never decides.

use crate::diagnostics::{Diagnostic, Span, code};
use crate::eval::Evaluator;
use crate::eval::value::{Value, ValueKind};
use crate::model::{FleetModel, LayerKey};
use std::collections::HashMap;

pub fn same_layer_settings(evaluator: &Evaluator<'_>, model: &FleetModel) {
    for app in &model.apps {
        let mut set_at: HashMap<(LayerKey, String), Span> = HashMap::new();
        for layer in &app.layers {
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
