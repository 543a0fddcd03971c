//! What the generated Crossplane compositions can compose. Patch-and-transform
//! has no loops: a composition has one node-group resource per position and
//! patches a fixed number of taints per node group
//! (`emit::crossplane::compositions`), so a cluster with more would be created
//! without the rest (E0421). On AKS the first node group is the cluster's
//! default node pool, which takes no taints: its taints are not applied, and
//! the fleet is told (W0422).

use super::field;
use crate::diagnostics::{Diagnostic, code};
use crate::emit::crossplane::compositions::{MAX_NODE_GROUPS, MAX_TAINTS};
use crate::eval::Evaluator;
use crate::eval::value::Value;
use crate::model::FleetModel;

pub fn node_groups_and_taints(evaluator: &Evaluator<'_>, model: &FleetModel) {
    for cluster in &model.clusters {
        let name = &cluster.declared.name;
        let Some(groups) = field(&cluster.declared.value, "node_groups").and_then(Value::as_list)
        else {
            continue;
        };
        if let Some(extra) = groups.get(MAX_NODE_GROUPS) {
            evaluator.report(
                Diagnostic::new(
                    code::E0421,
                    format!(
                        "cluster `{name}` has {} node groups; its composition composes {MAX_NODE_GROUPS}",
                        groups.len()
                    ),
                )
                .with_primary(extra.span, format!("node group {} of {}", MAX_NODE_GROUPS + 1, groups.len()))
                .with_note("a Composition has one node-group resource per position in `node_groups`, patched from it")
                .with_help(format!(
                    "merge node groups (their instance types and taints) so the cluster has at most {MAX_NODE_GROUPS}"
                )),
            );
        }
        for (position, group) in groups.iter().enumerate() {
            let Some(taints) = field(group, "taints").and_then(Value::as_list) else {
                continue;
            };
            let group_name = field(group, "name").and_then(Value::as_str).unwrap_or("?");
            if let Some(extra) = taints.get(MAX_TAINTS) {
                evaluator.report(
                    Diagnostic::new(
                        code::E0421,
                        format!(
                            "node group `{group_name}` of cluster `{name}` has {} taints; its composition patches {MAX_TAINTS}",
                            taints.len()
                        ),
                    )
                    .with_primary(extra.span, format!("taint {} of {}", MAX_TAINTS + 1, taints.len()))
                    .with_note("a Composition patches a fixed number of taints per node group")
                    .with_help(format!(
                        "keep at most {MAX_TAINTS} taints on a node group: one taint with a shared key often does the work of several"
                    )),
                );
            }
            // AKS's default node pool (the first node group) takes no taints;
            // the node pools of the others do.
            if &*cluster.cloud == "azure"
                && position == 0
                && let Some(first) = taints.first()
            {
                evaluator.report(
                    Diagnostic::new(
                        code::W0422,
                        format!(
                            "the taints of `{group_name}`, the default node pool of AKS cluster `{name}`, are not applied"
                        ),
                    )
                    .with_primary(first.span, "AKS's default node pool takes no taints")
                    .with_note("on AKS the first node group is the cluster's default (system) node pool; the other node groups are node pools, which take taints")
                    .with_help("move the taint to a second node group, or keep pods off these nodes with a node label and required node affinity"),
                );
            }
        }
    }
}
