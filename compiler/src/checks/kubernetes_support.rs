//! E0412: the cluster's cloud does not offer its Kubernetes version: it never
//! did, or every support it sells for the version (standard, then extended) has
//! ended. W0411: the version is past its standard support on that cloud but still
//! in extended support. Both are judged on the date the stdlib pins
//! (`support_checked_on`), never the clock, so a check's result does not change by
//! itself.

use crate::diagnostics::{Diagnostic, code};
use crate::eval::Evaluator;
use crate::eval::value::Record;
use crate::model::FleetModel;
use crate::types::TypeDef;

/// The stdlib `let` holding the date support windows are checked against.
pub const SUPPORT_DATE_LET: &str = "support_checked_on";

/// One cloud's support of one version: the end of standard support and, where the
/// cloud sells it, of extended support.
struct Window<'r> {
    standard: &'r str,
    extended: Option<&'r str>,
}

impl<'r> Window<'r> {
    fn of(support: &'r Record) -> Window<'r> {
        Window {
            standard: support
                .get("standard_until")
                .and_then(|value| value.as_str())
                .unwrap_or(""),
            extended: support
                .get("extended_until")
                .and_then(|value| value.as_str()),
        }
    }

    /// The last day the cloud supports the version at all.
    fn last_day(&self) -> &'r str {
        self.extended.unwrap_or(self.standard)
    }

    /// What the note says of the version's support.
    fn describe(&self) -> String {
        match self.extended {
            Some(extended) => format!(
                "standard support ended {}, extended support {extended}",
                self.standard
            ),
            None => format!(
                "standard support ended {}, and there is no extended support",
                self.standard
            ),
        }
    }
}

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
    let checked_on = checked_on.as_str();
    // Versions found in standard support, per service: most clusters of a fleet
    // run one of a few versions, and those are fine.
    let mut supported: rustc_hash::FxHashSet<(&str, &str)> = rustc_hash::FxHashSet::default();
    for cluster in &model.clusters {
        let service = match &*cluster.cloud {
            "aws" => ("eks", "EKS"),
            "gcp" => ("gke", "GKE"),
            "azure" => ("aks", "AKS"),
            _ => continue,
        };
        if supported.contains(&(service.0, &*cluster.kubernetes)) {
            continue;
        }
        let Some(attributes) = evaluator.variant_attributes(&versions, &cluster.kubernetes) else {
            continue;
        };
        let span = super::field(&cluster.declared.value, "kubernetes")
            .map_or(cluster.declared.span, |value| value.span);
        // The versions in standard support on the cloud on the pinned date, newest
        // first, for the help: one past it would only trade this error for W0411.
        let offered = || {
            let names: Vec<String> = versions
                .variants
                .iter()
                .rev()
                .filter(|variant| {
                    evaluator
                        .variant_attributes(&versions, &variant.name)
                        .and_then(|attributes| {
                            let support = attributes.get(service.0)?.as_record()?;
                            Some(checked_on <= Window::of(support).standard)
                        })
                        .unwrap_or(false)
                })
                .map(|variant| format!("`{}`", variant.name))
                .collect();
            if names.is_empty() {
                format!(
                    "{} has no version in standard support that the stdlib knows",
                    service.1
                )
            } else {
                format!(
                    "use a version in standard support on {}: {}",
                    service.1,
                    names.join(", ")
                )
            }
        };
        let Some(support) = attributes
            .get(service.0)
            .and_then(|value| value.as_record())
        else {
            evaluator.report(
                Diagnostic::new(
                    code::E0412,
                    format!(
                        "{} does not offer Kubernetes {}",
                        service.1, cluster.kubernetes
                    ),
                )
                .with_primary(span, format!("not a version {} runs", service.1))
                .with_help(offered()),
            );
            continue;
        };
        let window = Window::of(support);
        if checked_on <= window.standard {
            supported.insert((service.0, &cluster.kubernetes));
            continue;
        }
        if checked_on > window.last_day() {
            evaluator.report(
                Diagnostic::new(
                    code::E0412,
                    format!(
                        "{} no longer offers Kubernetes {}",
                        service.1, cluster.kubernetes
                    ),
                )
                .with_primary(span, format!("out of all support as of {checked_on}"))
                .with_note(format!(
                    "{}; {} creates no new cluster on it",
                    window.describe(),
                    service.1
                ))
                .with_help(offered()),
            );
            continue;
        }
        // Past standard support and not past the last day: in extended support.
        let extended = window.last_day();
        let newest = versions
            .variants
            .last()
            .map(|variant| variant.name.to_string())
            .unwrap_or_default();
        evaluator.report(
            Diagnostic::new(
                code::W0411,
                format!(
                    "Kubernetes {} is past standard support on {}",
                    cluster.kubernetes, service.1
                ),
            )
            .with_primary(span, format!("as of {checked_on}"))
            .with_note(format!(
                "standard support ended {}; extended support (paid) runs until {extended}",
                window.standard
            ))
            .with_help(format!(
                "upgrade the cluster; the newest version the stdlib knows is `{newest}`"
            )),
        );
    }
}
