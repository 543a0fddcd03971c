//! E0412: the cluster's cloud does not offer its Kubernetes version. W0411: the
//! version is past its standard support on that cloud, on the date the stdlib
//! pins (`support_checked_on`), never the clock, so a check's result does not
//! change by itself.

use crate::diagnostics::{Diagnostic, code};
use crate::eval::Evaluator;
use crate::model::FleetModel;
use crate::types::TypeDef;

/// The stdlib `let` holding the date support windows are checked against.
pub const SUPPORT_DATE_LET: &str = "support_checked_on";

pub fn versions(evaluator: &Evaluator<'_>, model: &FleetModel) {
    let Some(version_type) = evaluator.prelude_type("KubernetesVersion") else {
        return;
    };
    let Some(TypeDef::Enum(versions)) = evaluator.type_def(version_type).as_deref().cloned() else {
        return;
    };
    let checked_on = evaluator
        .let_value(crate::stdlib::PRELUDE, SUPPORT_DATE_LET)
        .and_then(|value| value.as_str().map(str::to_string));
    let Some(checked_on) = checked_on else { return };
    for cluster in &model.clusters {
        let service = match &*cluster.cloud {
            "aws" => ("eks", "EKS"),
            "gcp" => ("gke", "GKE"),
            "azure" => ("aks", "AKS"),
            _ => continue,
        };
        let Some(attributes) = evaluator.variant_attributes(&versions, &cluster.kubernetes) else {
            continue;
        };
        let span = super::field(&cluster.declared.value, "kubernetes")
            .map_or(cluster.declared.span, |value| value.span);
        let Some(support) = attributes
            .get(service.0)
            .and_then(|value| value.as_record())
        else {
            let offered: Vec<String> = versions
                .variants
                .iter()
                .filter(|variant| {
                    evaluator
                        .variant_attributes(&versions, &variant.name)
                        .is_some_and(|attributes| attributes.get(service.0).is_some())
                })
                .map(|variant| format!("`{}`", variant.name))
                .collect();
            evaluator.report(
                Diagnostic::new(
                    code::E0412,
                    format!(
                        "{} does not offer Kubernetes {}",
                        service.1, cluster.kubernetes
                    ),
                )
                .with_primary(span, format!("not a version {} runs", service.1))
                .with_help(format!("{} offers {}", service.1, offered.join(", "))),
            );
            continue;
        };
        let standard = support
            .get("standard_until")
            .and_then(|value| value.as_str())
            .unwrap_or("");
        let extended = support
            .get("extended_until")
            .and_then(|value| value.as_str());
        if checked_on.as_str() <= standard {
            continue;
        }
        let (headline, note) = match extended {
            Some(extended) if checked_on.as_str() <= extended => (
                format!(
                    "Kubernetes {} is past standard support on {}",
                    cluster.kubernetes, service.1
                ),
                format!(
                    "standard support ended {standard}; extended support (paid) runs until {extended}"
                ),
            ),
            Some(extended) => (
                format!(
                    "Kubernetes {} is out of support on {}",
                    cluster.kubernetes, service.1
                ),
                format!("standard support ended {standard}, extended support {extended}"),
            ),
            None => (
                format!(
                    "Kubernetes {} is out of support on {}",
                    cluster.kubernetes, service.1
                ),
                format!("standard support ended {standard}"),
            ),
        };
        let newest = versions
            .variants
            .last()
            .map(|variant| variant.name.to_string())
            .unwrap_or_default();
        evaluator.report(
            Diagnostic::new(code::W0411, headline)
                .with_primary(span, format!("as of {checked_on}"))
                .with_note(note)
                .with_help(format!(
                    "upgrade the cluster; the newest version the stdlib knows is {newest}"
                )),
        );
    }
}
