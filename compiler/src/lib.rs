//! The fleet compiler: from `.fleet` source text to diagnostics (and, in later
//! stages, to the evaluated fleet and the manifests). See ARCHITECTURE.md.
//!
//! **Invariant:** this crate does no IO. Text arrives as arguments; results go back
//! as values.

pub mod db;
pub mod diagnostics;
pub mod format;
pub mod source;
pub mod syntax;
