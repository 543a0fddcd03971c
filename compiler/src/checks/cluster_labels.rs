//! A cluster's own `labels` go on its Argo CD cluster Secret beside the labels
//! fleet sets from its fields (`fleet.dev/env`, `fleet.dev/region`, ...), which
//! the ApplicationSets' generators select on, and Argo CD's
//! `argocd.argoproj.io/secret-type: cluster`, which makes the Secret a cluster
//! registration. An own label with one of those keys would write the key twice
//! (a map Kubernetes refuses) and, read either way, move the cluster out of
//! the selections the compiler computed (E0424). The `fleet.dev/` prefix is
//! fleet's as a whole, so that a label fleet adds later cannot collide.

use super::field;
use crate::diagnostics::{Diagnostic, code};
use crate::emit::argocd::{ARGOCD_SECRET_TYPE_LABEL, FLEET_LABEL_PREFIX};
use crate::eval::Evaluator;
use crate::eval::value::{ClusterField, Value};
use crate::model::FleetModel;

pub fn reserved_keys(evaluator: &Evaluator<'_>, model: &FleetModel) {
    for cluster in &model.clusters {
        let Some(labels) = field(&cluster.declared.value, "labels").and_then(Value::as_record)
        else {
            continue;
        };
        for label in &labels.fields {
            let key = &*label.name;
            let (what, whose, help) = match key.strip_prefix(FLEET_LABEL_PREFIX) {
                // `fleet.dev/env` and the other fields selectors read.
                Some(field) if ClusterField::of_name(field).is_some() => (
                    "a label fleet sets itself".to_string(),
                    "fleet's label",
                    format!(
                        "fleet sets it from the cluster's `{field}`: select on that (`clusters where {field} == ...`), or give your label a key of your own"
                    ),
                ),
                Some(rest) => (
                    format!("in the `{FLEET_LABEL_PREFIX}` prefix, which is fleet's"),
                    "fleet's prefix",
                    format!("give the label a key of your own: `acme.example/{rest}`"),
                ),
                None if key == ARGOCD_SECRET_TYPE_LABEL => (
                    "the label that makes its Secret a cluster registration".to_string(),
                    "Argo CD's label",
                    "remove it: fleet sets it to `cluster` on every cluster's registration"
                        .to_string(),
                ),
                None => continue,
            };
            evaluator.report(
                Diagnostic::new(
                    code::E0424,
                    format!(
                        "cluster `{}` sets `{key}`, {what}",
                        cluster.declared.name
                    ),
                )
                .with_primary(label.key_span, whose)
                .with_note(format!(
                    "a cluster's labels go on its Argo CD cluster Secret, beside `{ARGOCD_SECRET_TYPE_LABEL}` and the `{FLEET_LABEL_PREFIX}` labels the ApplicationSets select on"
                ))
                .with_help(help),
            );
        }
    }
}
