//! Which Kyverno policies each cluster installs, as folders its Flux `policies`
//! Kustomization applies. Clusters that install the same policies in the same
//! modes share one folder, `policies/kyverno/sets/<set>/`, whose
//! `kustomization.yaml` lists the policies' folders: a fleet of 10,000 clusters
//! has a handful of sets, not 10,000 copies of a list.
//!
//! A set is named after its env when it holds every policy whose `mode` names
//! that env (the usual case: `production`); any other set (some policies'
//! selectors leave the cluster out) is `<env>-<hash>`, the hash of the folders
//! it lists, so a name changes only when what the set installs changes.

use super::document::Node;
use super::flux::kustomize_file;
use super::kyverno::{PolicyMode, PolicyView, policy_folder};
use super::repository::{GeneratedFile, SourceNames, relative};
use crate::model::FleetModel;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The (policy position, mode) pairs a cluster installs.
type Installs = Vec<(usize, PolicyMode)>;

/// Where the sets' folders are.
pub const SETS_FOLDER: &str = "policies/kyverno/sets";

/// The policy sets of a fleet and the set of each cluster.
pub struct PolicySets {
    pub sets: Vec<PolicySet>,
    /// For each cluster, in the model's order, the position of its set.
    of_cluster: Vec<usize>,
}

/// Clusters that install the same policies.
pub struct PolicySet {
    /// `policies/kyverno/sets/<set>`.
    pub folder: String,
    /// The (policy, mode) pairs it installs, by policy position, in the model's
    /// order of policies.
    pub policies: Vec<(usize, PolicyMode)>,
    /// Its clusters, by position, in the model's order.
    pub clusters: Vec<usize>,
}

impl PolicySets {
    pub fn of(model: &FleetModel, views: &[PolicyView]) -> PolicySets {
        let mut sets: Vec<PolicySet> = Vec::new();
        // What a cluster installs follows from its env and the policies whose
        // targets hold it: each cluster's policies as a bit mask, made policy
        // by policy over their targets (a fleet has thousands of clusters and
        // a few policies), then the set of each (env, mask), in the order
        // clusters first need them.
        let words = model.policies.len().div_ceil(64).max(1);
        let mut masks = vec![0u64; model.clusters.len() * words];
        for (position, policy) in model.policies.iter().enumerate() {
            for index in policy.targets.indices() {
                if let Some(word) = masks.get_mut(index * words + position / 64) {
                    *word |= 1 << (position % 64);
                }
            }
        }
        let mut by_env: HashMap<&str, HashMap<&[u64], usize>> = HashMap::new();
        let mut of_cluster = Vec::with_capacity(model.clusters.len());
        for (index, cluster) in model.clusters.iter().enumerate() {
            let mask = &masks[index * words..(index + 1) * words];
            let of_env = by_env.entry(&*cluster.env).or_default();
            let position = match of_env.get(mask) {
                Some(&position) => position,
                None => {
                    let policies: Installs = views
                        .iter()
                        .enumerate()
                        .filter(|(position, _)| mask[position / 64] & (1 << (position % 64)) != 0)
                        .filter_map(|(position, view)| {
                            Some((position, view.mode_in(&cluster.env)?))
                        })
                        .collect();
                    // Two masks of an env may install the same (a policy whose
                    // mode leaves the env out): one set for both.
                    let existing = sets.iter().position(|set| {
                        set.policies == policies
                            && *model.clusters[set.clusters[0]].env == *cluster.env
                    });
                    let position = existing.unwrap_or_else(|| {
                        sets.push(PolicySet {
                            folder: String::new(),
                            policies,
                            clusters: Vec::new(),
                        });
                        sets.len() - 1
                    });
                    of_env.insert(mask, position);
                    position
                }
            };
            sets[position].clusters.push(index);
            of_cluster.push(position);
        }
        // Names, once every set is known.
        let mut taken: HashMap<String, usize> = HashMap::new();
        for (position, set) in sets.iter_mut().enumerate() {
            let env = &*model.clusters[set.clusters[0]].env;
            let every_policy_of_env = views
                .iter()
                .enumerate()
                .filter_map(|(policy, view)| Some((policy, view.mode_in(env)?)))
                .eq(set.policies.iter().copied());
            let folders = set
                .policies
                .iter()
                .map(|(policy, mode)| policy_folder(&views[*policy].name, *mode))
                .collect::<Vec<_>>()
                .join("\n");
            let digest = Sha256::digest(format!("{env}\n{folders}").as_bytes());
            let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
            // Ten hex digits, more in the unlikely case two sets of an env share them.
            let mut name = if every_policy_of_env {
                env.to_string()
            } else {
                format!("{env}-{}", &hex[..10])
            };
            let mut digits = 10;
            while taken.contains_key(&name) && digits < hex.len() {
                digits += 2;
                name = format!("{env}-{}", &hex[..digits]);
            }
            taken.insert(name.clone(), position);
            set.folder = format!("{SETS_FOLDER}/{name}");
        }
        sets.sort_by(|a, b| a.folder.cmp(&b.folder));
        let mut renumbered = vec![0; sets.len()];
        for (new, set) in sets.iter().enumerate() {
            renumbered[taken[&set.folder[SETS_FOLDER.len() + 1..]]] = new;
        }
        for position in &mut of_cluster {
            *position = renumbered[*position];
        }
        PolicySets { sets, of_cluster }
    }

    /// The folder the cluster at `index` installs its policies from.
    pub fn folder_of(&self, index: usize) -> &str {
        &self.sets[self.of_cluster[index]].folder
    }

    /// Each set's `kustomization.yaml`, listing its policies' folders.
    pub fn files(
        &self,
        model: &FleetModel,
        views: &[PolicyView],
        sources: &SourceNames,
    ) -> Vec<GeneratedFile> {
        self.sets
            .iter()
            .map(|set| {
                let mut files_of_set: Vec<String> = Vec::new();
                let mut add = |source: String| {
                    if !files_of_set.contains(&source) {
                        files_of_set.push(source);
                    }
                };
                for &cluster in &set.clusters {
                    add(sources.of(&model.clusters[cluster].declared));
                }
                let mut resources = Vec::new();
                for &(policy, mode) in &set.policies {
                    add(sources.of(&model.policies[policy].declared));
                    resources.push(Node::from(relative(
                        &set.folder,
                        &policy_folder(&views[policy].name, mode),
                    )));
                }
                kustomize_file(&set.folder, files_of_set, resources)
            })
            .collect()
    }
}
