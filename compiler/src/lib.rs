//! The fleet compiler: from `.fleet` source text to diagnostics (and, in later
//! stages, to the evaluated fleet and the manifests). See ARCHITECTURE.md.
//!
//! **Invariant:** this crate does no IO. Text arrives as arguments; results go back
//! as values.

pub mod allocator;
pub mod check;
pub mod checks;
pub mod db;
pub mod diagnostics;
pub mod emit;
pub mod eval;
pub mod format;
pub mod ide;
pub mod model;
pub mod model_json;
pub mod names;
pub mod parallel;
pub mod source;
pub mod stdlib;
pub mod syntax;
pub mod types;
