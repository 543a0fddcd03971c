//! The fleet language server, and the loading of a fleet from disk that it shares
//! with the command line: the IO side of the compiler (which does none).
//!
//! - `fleet_loader`: a folder's `.fleet` files and the library folders they import,
//!   read from disk (open editor buffers override what is on disk).
//! - `compilation`: a loaded fleet in a compiler database, as the CLI checks it.
//! - `server`: `fleet lsp`, the language server over stdio.

pub mod compilation;
mod convert;
pub mod fleet_loader;
mod published_diagnostics;
mod requests;
mod server;
mod snapshot;
mod stdlib_on_disk;
mod text_edits;
mod workspace_files;

pub use server::{run_stdio, serve};
pub use stdlib_on_disk::cache_root;

pub use fleet_compiler as compiler;
