//! The fleet language server (issue 4). Until then this crate only forwards the
//! compiler, so the dependency direction CLI -> lsp -> compiler holds from day one.

pub use fleet_compiler as compiler;
