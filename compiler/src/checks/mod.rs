//! The fleet's own checks: mistakes that only show once the whole fleet is
//! evaluated (a namespace owned by two teams, a promotion that skips ahead, a
//! selector that selects nothing, a Kubernetes version past its support). Each
//! check is a function over the model; each points at the span that set the value
//! it complains about.

mod cluster_labels;
mod composition_limits;
pub mod credentials;
mod gates;
mod kubernetes_support;
mod layers;
mod names;
mod ownership;
mod policy_params;
mod promotions;
mod selectors;
mod targets;

use crate::eval::Evaluator;
use crate::model::FleetModel;

pub use kubernetes_support::SUPPORT_DATE_LET;

/// Runs every check over the evaluated model.
pub fn run(evaluator: &Evaluator<'_>, model: &FleetModel) {
    names::declaration_names(evaluator, model);
    ownership::namespaces(evaluator, model);
    ownership::app_namespaces(evaluator, model);
    layers::same_layer_settings(evaluator, model);
    layers::workload_or_source(evaluator, model);
    selectors::empty_selections(evaluator, model);
    selectors::policy_modes(evaluator, model);
    policy_params::given(evaluator, model);
    promotions::paths_and_versions(evaluator, model);
    gates::protected_envs(evaluator, model);
    gates::canary_steps(evaluator, model);
    gates::waves(evaluator, model);
    kubernetes_support::versions(evaluator, model);
    targets::controller_versions(evaluator, model);
    composition_limits::node_groups_and_taints(evaluator, model);
    cluster_labels::reserved_keys(evaluator, model);
}

/// A field of a declaration's record value.
fn field<'m>(
    value: &'m crate::eval::value::Value,
    name: &str,
) -> Option<&'m crate::eval::value::Value> {
    value.as_record()?.get(name)
}
