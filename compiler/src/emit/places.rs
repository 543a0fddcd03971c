//! Where the fleet's clusters are, as sets: by env, by (env, region), and each
//! cluster's position by name. The generators ask "which of this app's clusters
//! are in production, in eu-west-1" for thousands of apps; a few set operations
//! answer it, where a pass over every cluster per app would not scale.

use crate::model::{ClusterSet, FleetModel};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// An env and a region.
pub type EnvRegion = (Arc<str>, Arc<str>);

pub struct Places {
    /// Each env with its clusters, in name order.
    pub envs: Vec<(Arc<str>, ClusterSet)>,
    /// Each (env, region) with its clusters, in order.
    pub pairs: Vec<(EnvRegion, ClusterSet)>,
    pub by_name: HashMap<Arc<str>, usize>,
}

impl Places {
    pub fn of(model: &FleetModel) -> Places {
        let size = model.clusters.len();
        let mut envs: BTreeMap<Arc<str>, ClusterSet> = BTreeMap::new();
        let mut pairs: BTreeMap<EnvRegion, ClusterSet> = BTreeMap::new();
        let mut by_name = HashMap::new();
        for (index, cluster) in model.clusters.iter().enumerate() {
            envs.entry(cluster.env.clone())
                .or_insert_with(|| ClusterSet::with_capacity(size))
                .insert(index);
            pairs
                .entry((cluster.env.clone(), cluster.region.clone()))
                .or_insert_with(|| ClusterSet::with_capacity(size))
                .insert(index);
            by_name.insert(cluster.declared.name.clone(), index);
        }
        Places {
            envs: envs.into_iter().collect(),
            pairs: pairs.into_iter().collect(),
            by_name,
        }
    }
}
