//! The generated repository on disk: which files `fleet build` owns there (a list
//! with each file's content hash, kept beside the files), what a build would
//! change, and writing that change. Every decision is made before the first
//! write, so a build that must refuse (a hand-edited file, a file fleet does not
//! own in the way) writes nothing.

mod atomic;
mod build_state;
mod folders;
mod fresh_root;
mod owned;
mod plan;

pub use atomic::{write_atomically, write_new_atomically};
pub use build_state::{BuildState, Stamp, fingerprint};
pub use folders::create_folders;
pub use fresh_root::{FreshRoot, can_fill, leftover_staging_folders, staging_folder};
pub use owned::{OWNED_LIST, OwnedFiles};
pub use plan::{Change, plan};
