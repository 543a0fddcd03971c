//! The fleet's `targets`: a controller release older than the objects `fleet
//! build` writes need (E0420), which would refuse them on first apply.
//!
//! - Crossplane 2.0: the claims' v1 XRD has `scope: LegacyCluster`, deletion
//!   protection is a `protection.crossplane.io` Usage, and namespaced composites
//!   (`crossplane_api = namespaced`) are Crossplane 2's;
//! - Kyverno 1.11: the policies' rules are CEL (`validate.cel`, then
//!   `ValidatingPolicy` from 1.17);
//! - Flux 2.3: `HelmRelease` is `helm.toolkit.fluxcd.io/v2` and `HelmRepository`
//!   `source.toolkit.fluxcd.io/v1`.

use super::field;
use crate::diagnostics::{Diagnostic, code};
use crate::eval::Evaluator;
use crate::eval::value::Value;
use crate::model::FleetModel;

/// A controller, the oldest release the generated objects work with, and why.
struct Minimum {
    field: &'static str,
    name: &'static str,
    oldest: (u32, u32),
    why: fn(&Value) -> &'static str,
}

const MINIMUMS: [Minimum; 3] = [
    Minimum {
        field: "crossplane",
        name: "Crossplane",
        oldest: (2, 0),
        why: |targets| {
            if field(targets, "crossplane_api")
                .and_then(Value::name)
                .map(|name| &**name)
                == Some("namespaced")
            {
                "namespaced composite resources (`crossplane_api = namespaced`) are Crossplane 2's"
            } else {
                "the claims' XRD (`scope: LegacyCluster`) and their deletion protection (`protection.crossplane.io` usages) are Crossplane 2's"
            }
        },
    },
    Minimum {
        field: "kyverno",
        name: "Kyverno",
        oldest: (1, 11),
        why: |_| "the policies' rules are CEL expressions, which Kyverno evaluates from 1.11",
    },
    Minimum {
        field: "flux",
        name: "Flux",
        oldest: (2, 3),
        why: |_| "the Helm releases are `helm.toolkit.fluxcd.io/v2`, served from Flux 2.3",
    },
];

pub fn controller_versions(evaluator: &Evaluator<'_>, model: &FleetModel) {
    let Some(fleet) = &model.fleet else {
        return;
    };
    let Some(targets) = field(&fleet.value, "targets") else {
        return;
    };
    for minimum in &MINIMUMS {
        let Some(version) = field(targets, minimum.field) else {
            continue;
        };
        let Some(text) = version.as_str() else {
            continue;
        };
        let Some(release) = major_minor(text) else {
            continue;
        };
        if release >= minimum.oldest {
            continue;
        }
        let (major, minor) = minimum.oldest;
        let span = if version.span.in_fleet() {
            version.span
        } else {
            fleet.span
        };
        evaluator.report(
            Diagnostic::new(
                code::E0420,
                format!(
                    "the fleet targets {} {text}, and what `fleet build` writes needs {} {major}.{minor}",
                    minimum.name, minimum.name
                ),
            )
            .with_primary(span, format!("{} {text}", minimum.name))
            .with_note((minimum.why)(targets))
            .with_help(format!(
                "target {} {major}.{minor} or later (`{} = \"{major}.{minor}\"`) once the clusters run it",
                minimum.name, minimum.field
            )),
        );
    }
}

/// `2.3` as (2, 3).
fn major_minor(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}
