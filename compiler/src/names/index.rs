//! Where every name of a workspace is declared: per module, per name space, plus
//! the variants of every enum. Built from `file_items` (names only) and the names
//! made by evaluation (by `for` items, or interpolated outside them), so edits
//! inside bodies do not rebuild it.

use super::expand::{add_declared, file_expansions};
use super::items::{FileItems, ItemKind, LocalItem, Name, Namespace, file_items};
use crate::db::{Db, SourceFile, Workspace, parse};
use crate::source::FileId;
use crate::stdlib::PRELUDE;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// An item of the workspace. A declaration inside a `for` exists once per
/// iteration: `iteration` is 0 for plain items and `1 + n` for the n-th iteration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ItemId {
    pub file: SourceFile,
    /// The file's id, for ordering and for diagnostics without the database.
    pub file_id: FileId,
    pub local: LocalItem,
    pub iteration: u32,
}

impl ItemId {
    pub fn plain(db: &dyn Db, file: SourceFile, local: LocalItem) -> ItemId {
        ItemId {
            file,
            file_id: file.id(db),
            local,
            iteration: 0,
        }
    }

    /// A total order that follows the files and their text.
    pub fn sort_key(&self) -> (u32, u32, u32) {
        (self.file_id.0, self.local, self.iteration)
    }
}

/// The names of one module, by name space then name (looked up by `&str`, so a
/// lookup allocates nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModuleScope {
    names: FxHashMap<Namespace, FxHashMap<Name, Vec<ItemId>>>,
    /// Enum variant name -> the enums that have it.
    pub variants: FxHashMap<Name, Vec<ItemId>>,
}

impl ModuleScope {
    pub fn insert(&mut self, namespace: Namespace, name: Name, item: ItemId) {
        // A fleet is declared once; a second `fleet` is E0210, which says so
        // better than "declared twice" (E0201) would. The index keeps the first.
        if namespace == Namespace::Fleet && !self.lookup(namespace, &name).is_empty() {
            return;
        }
        self.names
            .entry(namespace)
            .or_default()
            .entry(name)
            // Most names have one declaration.
            .or_insert_with(|| Vec::with_capacity(1))
            .push(item);
    }

    /// Room for `additional` more names of `namespace`: a `for` of ten
    /// thousand grew the map through a dozen copies.
    pub fn reserve(&mut self, namespace: Namespace, additional: usize) {
        self.names.entry(namespace).or_default().reserve(additional);
    }

    pub fn lookup(&self, namespace: Namespace, name: &str) -> &[ItemId] {
        self.names
            .get(&namespace)
            .and_then(|names| names.get(name))
            .map_or(&[], Vec::as_slice)
    }

    /// Every name of a name space, for did-you-mean.
    pub fn names_in(&self, namespace: Namespace) -> impl Iterator<Item = &Name> {
        self.names
            .get(&namespace)
            .into_iter()
            .flat_map(|names| names.keys())
    }

    /// Every (name space, name, items) of the module.
    pub fn entries(&self) -> impl Iterator<Item = (Namespace, &Name, &Vec<ItemId>)> {
        self.names.iter().flat_map(|(namespace, names)| {
            names
                .iter()
                .map(move |(name, items)| (*namespace, name, items))
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameIndex {
    pub modules: FxHashMap<Arc<str>, ModuleScope>,
}

impl NameIndex {
    pub fn module(&self, module: &str) -> Option<&ModuleScope> {
        self.modules.get(module)
    }

    /// The items named `name` in `namespace` as seen from `module`: its own, then
    /// the prelude's.
    pub fn lookup(&self, module: &str, namespace: Namespace, name: &str) -> &[ItemId] {
        let own = self
            .module(module)
            .map(|scope| scope.lookup(namespace, name))
            .unwrap_or(&[]);
        if !own.is_empty() || module == PRELUDE {
            return own;
        }
        self.module(PRELUDE)
            .map(|scope| scope.lookup(namespace, name))
            .unwrap_or(&[])
    }

    /// The enums with a variant `name`, as seen from `module`.
    pub fn variant_owners(&self, module: &str, name: &str) -> Vec<ItemId> {
        let mut owners = Vec::new();
        for scope in [module, PRELUDE] {
            if let Some(found) = self
                .module(scope)
                .and_then(|scope| scope.variants.get(name))
            {
                owners.extend(found.iter().copied());
            }
            if module == PRELUDE {
                break;
            }
        }
        owners
    }

    /// Names of `namespace` visible from `module`, for did-you-mean.
    pub fn visible_names(&self, module: &str, namespace: Namespace) -> Vec<Name> {
        let mut names: Vec<Name> = Vec::new();
        for scope in [module, PRELUDE] {
            if let Some(scope) = self.module(scope) {
                names.extend(scope.names_in(namespace).cloned());
            }
        }
        names.sort();
        names.dedup();
        names
    }
}

/// Every name of the workspace.
#[salsa::tracked(returns(clone))]
pub fn name_index(db: &dyn Db, workspace: Workspace) -> Arc<NameIndex> {
    let mut index = NameIndex::default();
    for &file in workspace.files(db) {
        let module = file.module(db).clone();
        let items = file_items(db, file);
        let scope = index.modules.entry(module).or_default();
        add_file(db, workspace, file, &items, scope);
    }
    Arc::new(index)
}

/// Whether some of a file's names are made by evaluation: a `for`, or an
/// interpolated name (`cluster "dev-${region}"`).
pub fn evaluates_names(items: &FileItems) -> bool {
    items.items.iter().any(|item| {
        item.kind == ItemKind::For || (item.interpolated_name && item.inside_for.is_none())
    })
}

fn add_file(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    items: &FileItems,
    scope: &mut ModuleScope,
) {
    add_declared(db, file, items, scope);
    if evaluates_names(items) {
        let expansions = file_expansions(db, workspace, file);
        let mut counts: FxHashMap<Namespace, usize> = FxHashMap::default();
        for generated in &expansions.generated {
            *counts.entry(generated.namespace).or_default() += 1;
        }
        for (namespace, count) in counts {
            scope.reserve(namespace, count);
        }
        for generated in &expansions.generated {
            scope.insert(generated.namespace, generated.name.clone(), generated.item);
        }
    }
}

/// The syntax node of each item of a file, by `LocalItem` (as node ids).
#[salsa::tracked(returns(ref))]
pub fn item_node_ids(db: &dyn Db, file: SourceFile) -> Vec<u32> {
    let parse = parse(db, file);
    super::items::item_nodes(parse.tree().root())
        .into_iter()
        .map(|(node, _)| node.id())
        .collect()
}

/// The syntax node of an item (of any iteration: they share their syntax).
pub fn item_node(db: &dyn Db, item: ItemId) -> crate::syntax::SyntaxNode<'_> {
    let parse = parse(db, item.file);
    parse
        .tree()
        .node(item_node_ids(db, item.file)[item.local as usize])
}
