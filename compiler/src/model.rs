//! The evaluated fleet: what `fleet eval` prints and `fleet build` consumes.
//! Clusters, apps with their target sets and their overlays as layers, policies,
//! promotions, teams. Nothing is stored per (app x cluster) pair: targets are sets
//! (bit sets over the clusters), overlays are layers.

use crate::diagnostics::Span;
use crate::eval::value::{Predicate, Value};
use crate::names::Name;
use crate::names::index::ItemId;

/// A declaration and its checked value.
#[derive(Clone, Debug)]
pub struct Declared {
    pub name: Name,
    pub item: ItemId,
    /// The name as written (or the `for` item's name, for generated ones).
    pub span: Span,
    pub value: Value,
    /// For a declaration a `for` generated: the iteration, `e = dev, r = us-east-1`.
    pub iteration: Option<crate::eval::scope::Iteration>,
}

impl Declared {
    /// The strings of the list field `name` (a team's `namespaces`), in order;
    /// none when the field is missing or not a list.
    pub fn strings(&self, name: &str) -> Vec<&str> {
        self.value
            .as_record()
            .and_then(|record| record.get(name))
            .and_then(Value::as_list)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_str)
            .collect()
    }
}

#[derive(Clone, Debug)]
pub struct Cluster {
    pub declared: Declared,
    pub cloud: Name,
    pub env: Name,
    pub region: Name,
    pub kubernetes: Name,
}

/// A set of clusters, as the bits of their indices in `FleetModel::clusters`, with
/// the selector that wrote it.
#[derive(Clone, Debug, Default)]
pub struct ClusterSet {
    pub words: Vec<u64>,
    pub predicate: Option<Predicate>,
    pub span: Option<Span>,
}

impl ClusterSet {
    pub fn with_capacity(clusters: usize) -> ClusterSet {
        ClusterSet {
            words: vec![0; clusters.div_ceil(64)],
            predicate: None,
            span: None,
        }
    }

    pub fn insert(&mut self, index: usize) {
        self.words[index / 64] |= 1 << (index % 64);
    }

    pub fn contains(&self, index: usize) -> bool {
        self.words
            .get(index / 64)
            .is_some_and(|word| word & (1 << (index % 64)) != 0)
    }

    pub fn len(&self) -> usize {
        self.words
            .iter()
            .map(|word| word.count_ones() as usize)
            .sum()
    }

    /// The clusters in both sets.
    pub fn and(&self, other: &ClusterSet) -> ClusterSet {
        ClusterSet {
            words: self
                .words
                .iter()
                .zip(&other.words)
                .map(|(left, right)| left & right)
                .collect(),
            predicate: None,
            span: None,
        }
    }

    /// Adds the clusters of `other`.
    pub fn union_with(&mut self, other: &ClusterSet) {
        for (word, more) in self.words.iter_mut().zip(&other.words) {
            *word |= more;
        }
    }

    pub fn remove(&mut self, index: usize) {
        if let Some(word) = self.words.get_mut(index / 64) {
            *word &= !(1 << (index % 64));
        }
    }

    /// Whether the two sets share a cluster.
    pub fn intersects(&self, other: &ClusterSet) -> bool {
        self.words
            .iter()
            .zip(&other.words)
            .any(|(left, right)| left & right != 0)
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|word| *word == 0)
    }

    /// The clusters' positions, in order: one step per cluster in the set,
    /// not per cluster of the fleet.
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.words
            .iter()
            .enumerate()
            .flat_map(|(word_index, &word)| {
                let mut rest = word;
                std::iter::from_fn(move || {
                    if rest == 0 {
                        return None;
                    }
                    let bit = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    Some(word_index * 64 + bit)
                })
            })
    }
}

/// Which clusters an overlay changes: by env, region, both, or one cluster.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LayerKey {
    pub env: Option<Name>,
    pub region: Option<Name>,
    pub cluster: Option<Name>,
}

impl LayerKey {
    /// The precedence of the layer (higher wins): env, region, env and region,
    /// cluster. The app's own body is 0 and its template below it.
    pub fn precedence(&self) -> u8 {
        match (&self.env, &self.region, &self.cluster) {
            (_, _, Some(_)) => 4,
            (Some(_), Some(_), None) => 3,
            (None, Some(_), None) => 2,
            (Some(_), None, None) => 1,
            (None, None, None) => 0,
        }
    }

    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(env) = &self.env {
            parts.push(env.to_string());
        }
        if let Some(region) = &self.region {
            parts.push(format!("region \"{region}\""));
        }
        if let Some(cluster) = &self.cluster {
            parts.push(format!("cluster {cluster}"));
        }
        parts.join(", ")
    }
}

#[derive(Clone, Debug)]
pub struct Layer {
    pub key: LayerKey,
    /// The overlay's fields (a partial app).
    pub value: Value,
    pub item: ItemId,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct App {
    pub declared: Declared,
    pub targets: ClusterSet,
    /// The overlays of the app, lowest precedence first.
    pub layers: Vec<Layer>,
}

#[derive(Clone, Debug)]
pub struct Policy {
    pub declared: Declared,
    pub targets: ClusterSet,
}

#[derive(Clone, Debug)]
pub struct Manifest {
    pub declared: Declared,
    pub targets: ClusterSet,
}

#[derive(Clone, Debug, Default)]
pub struct FleetModel {
    pub fleet: Option<Declared>,
    pub envs: Vec<Declared>,
    pub teams: Vec<Declared>,
    pub clusters: Vec<Cluster>,
    pub apps: Vec<App>,
    pub promotions: Vec<Declared>,
    pub policies: Vec<Policy>,
    pub manifests: Vec<Manifest>,
}

impl FleetModel {}
