//! The benchmark workload W(n) (shared/bench/workload.md), and what the benchmarks
//! of the `benches/` folder share.

pub mod lsp_client;
pub mod measure;
pub mod workload;

pub use workload::{Form, generate, generate_files};
