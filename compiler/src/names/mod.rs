//! Names: what each file declares (`items`) and where every name of the fleet is
//! declared (`index`).

pub mod expand;
pub mod index;
pub mod items;
pub mod modules;
pub mod resolve;

pub use items::{
    FileItems, ImportTarget, ItemKind, ItemSummary, LocalItem, Name, Namespace, file_items,
};
