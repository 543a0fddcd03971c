//! The standard library, compiled into the binary: `.fleet` files that declare the
//! types, enums, templates and data a fleet is checked against. A fleet never
//! depends on where `fleet` is installed.

use crate::db::{Db, Origin, SourceFile};
use crate::source::FileId;
use std::sync::Arc;

/// The module of the prelude: its names are visible everywhere without an import.
pub const PRELUDE: &str = "std";

/// A stdlib file: its path as diagnostics show it, its module, its text.
pub struct StdlibFile {
    pub path: &'static str,
    pub module: &'static str,
    pub text: &'static str,
}

macro_rules! stdlib_files {
    ($($file:literal => $module:literal,)*) => {
        /// Every stdlib file, in a fixed order.
        pub const FILES: &[StdlibFile] = &[$(
            StdlibFile {
                path: concat!("std/", $file),
                module: $module,
                text: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../stdlib/", $file)),
            },
        )*];
    };
}

stdlib_files! {
    "core.fleet" => "std",
    "apps.fleet" => "std",
    "clusters.fleet" => "std",
    "delivery.fleet" => "std",
    "manifests.fleet" => "std",
    "clouds.fleet" => "std",
    "kubernetes.fleet" => "std",
    "policies.fleet" => "std.policies",
}

/// File ids from here up are the stdlib's; the fleet's files count from 0.
pub const FIRST_FILE_ID: u32 = 1 << 30;

/// The stdlib files as database inputs (durable: they never change in a run).
pub fn inputs(db: &dyn Db) -> Vec<SourceFile> {
    FILES
        .iter()
        .enumerate()
        .map(|(index, file)| {
            SourceFile::builder(
                FileId(FIRST_FILE_ID + index as u32),
                file.path.to_string(),
                Arc::from(file.text),
                Origin::Stdlib,
                Arc::from(file.module),
            )
            .durability(salsa::Durability::HIGH)
            .new(db)
        })
        .collect()
}
