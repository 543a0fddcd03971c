//! Emission: the evaluated fleet -> Kubernetes documents -> text. `document` is the
//! documents as data (a [`document::Node`] tree whose maps keep insertion order),
//! `yaml` writes them as YAML that Kubernetes' YAML 1.1 readers read as written.
//! The generators (Flux, Argo CD, Crossplane, Kyverno, ...) build `Node`s from the
//! fleet model; nothing here does IO.

pub mod admission;
pub mod argocd;
pub mod crossplane;
pub mod document;
pub mod flux;
pub mod kyverno;
pub mod overlays;
pub mod places;
pub mod policy_sets;
pub mod repository;
pub mod workload_base;
pub mod yaml;
