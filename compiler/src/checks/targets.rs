//! The fleet's `targets`: a setting the targeted controller release cannot
//! serve. Namespaced composite resources (`crossplane_api = namespaced`) are
//! Crossplane 2's: a Crossplane 1.x would reject the v2 XRD on first apply.

use super::field;
use crate::diagnostics::{Diagnostic, code};
use crate::eval::Evaluator;
use crate::model::FleetModel;

pub fn crossplane_api(evaluator: &Evaluator<'_>, model: &FleetModel) {
    let Some(fleet) = &model.fleet else {
        return;
    };
    let Some(targets) = field(&fleet.value, "targets") else {
        return;
    };
    let Some(api) = field(targets, "crossplane_api") else {
        return;
    };
    if api.name().map(|name| &**name) != Some("namespaced") {
        return;
    }
    let Some(version) = field(targets, "crossplane") else {
        return;
    };
    let major = version
        .as_str()
        .and_then(|text| text.split('.').next())
        .and_then(|major| major.parse::<u32>().ok());
    if major.is_none_or(|major| major >= 2) {
        return;
    }
    let text = version.as_str().unwrap_or_default();
    let mut diagnostic = Diagnostic::new(
        code::E0420,
        format!("namespaced composite resources need Crossplane 2, and the fleet targets Crossplane {text}"),
    )
    .with_primary(api.span, "Crossplane 2's namespaced composites");
    if version.span.in_fleet() {
        diagnostic = diagnostic.with_secondary(
            version.span,
            format!("Crossplane {text} serves claims only"),
        );
    }
    evaluator.report(diagnostic.with_help(
        "target Crossplane 2.0 or later (`crossplane = \"2.3\"`), or write the clusters as claims (`crossplane_api = claims`)",
    ));
}
