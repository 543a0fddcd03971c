//! Expanding `for` items (decision 005): the declarations in a `for` body exist once
//! per iteration, named by evaluating their (usually interpolated) names. This
//! happens before the full name index exists, so the lists a `for` ranges over may
//! use literals, `range(...)`, `let`s and declared names, but not the names other
//! `for`s generate. A name interpolated outside a `for` (`cluster "dev-${region}"`)
//! is evaluated the same way, once. A file of the fleet's folder has its names
//! evaluated from its declarations with `for`s expanded, a chunk at a time
//! (`chunk_names`), so that a large one's are evaluated on every core.

use super::index::{ItemId, ModuleScope, NameIndex};
use super::items::{FileItems, ItemKind, LocalItem, Name, Namespace, file_items, name_text};
use crate::db::{Db, Origin, SourceFile, Workspace};
use crate::eval::Evaluator;
use crate::eval::chunks::{chunks_of, file_instances};
use crate::eval::scope::Scope;
use crate::syntax::SyntaxKind::*;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// A name made by evaluation: in an iteration of a `for`, or (iteration 0) a
/// declaration's interpolated name outside any `for`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Generated {
    pub namespace: Namespace,
    pub name: Name,
    pub item: ItemId,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FileExpansions {
    pub generated: Vec<Generated>,
}

/// The names the `for` items of a file generate, and the interpolated names of its
/// other declarations. Holds no spans, so it stays equal (and stops salsa) while an
/// edit changes only positions or bodies.
#[salsa::tracked(returns(clone))]
pub fn file_expansions(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Arc<FileExpansions> {
    if named_by_chunks(db, file) {
        let instances = file_instances(db, workspace, file);
        let mut generated = Vec::new();
        for chunk in 0..chunks_of(&instances) {
            generated.extend(chunk_names(db, workspace, file, chunk).iter().cloned());
        }
        return Arc::new(FileExpansions { generated });
    }
    let evaluator = Evaluator::with_index(db, workspace, declared_names(db, workspace));
    let items = file_items(db, file);
    let mut generated = Vec::new();
    for (local, item) in items.items.iter().enumerate() {
        if item.inside_for.is_some() {
            continue;
        }
        let local = local as LocalItem;
        if item.interpolated_name
            && let Some(namespace) = item.kind.namespace()
        {
            let node = crate::names::index::item_node(db, ItemId::plain(db, file, local));
            let scope = evaluator.file_scope(file);
            if let Some(name) = generated_name(&evaluator, node, &scope) {
                generated.push(Generated {
                    namespace,
                    name,
                    item: ItemId::plain(db, file, local),
                });
            }
            continue;
        }
        if item.kind != ItemKind::For {
            continue;
        }
        let scope = evaluator.file_scope(file);
        evaluator.for_each_generated(file, local, &scope, &mut |declaration, scope, iteration| {
            let summary = &items.items[declaration as usize];
            if is_not_repeated(summary.kind) {
                return;
            }
            let Some(namespace) = summary.kind.namespace() else {
                return;
            };
            let node = evaluator.item_node(ItemId::plain(db, file, declaration));
            let Some(name) = generated_name(&evaluator, node, scope) else {
                return;
            };
            let item = ItemId {
                file,
                file_id: file.id(db),
                local: declaration,
                iteration,
            };
            generated.push(Generated {
                namespace,
                name,
                item,
            });
        });
    }
    // Diagnostics of this evaluation are reported again by the full evaluation,
    // which goes through the same iterations with the complete index.
    drop(evaluator.take_diagnostics());
    Arc::new(FileExpansions { generated })
}

/// Whether a file's generated names are evaluated from its declarations with
/// `for`s expanded (`file_instances`), a chunk of them at a time
/// (`chunk_names`), so that a large fleet's are evaluated on every core
/// (`evaluate_in_parallel`): a file of the fleet's own folder. A library's and
/// the stdlib's are evaluated by `file_expansions` itself (their `for`s are
/// reported, E0209, and not evaluated as declarations).
pub fn named_by_chunks(db: &dyn Db, file: SourceFile) -> bool {
    file.origin(db) == Origin::Fleet && file.module(db).is_empty()
}

/// The names the declarations of the `chunk`th chunk of a file's (see
/// `named_by_chunks`) have when they are evaluated: those a `for` generates
/// and the interpolated names outside `for`s, in order. Each chunk is
/// evaluated as `file_expansions` evaluates a file's: with the names declared
/// outside `for`s, and what it reports dropped.
#[salsa::tracked(returns(clone))]
pub fn chunk_names(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    chunk: u32,
) -> Arc<[Generated]> {
    let evaluator = Evaluator::with_index(db, workspace, declared_names(db, workspace));
    let items = file_items(db, file);
    let instances = file_instances(db, workspace, file);
    let mut generated = Vec::new();
    for instance in instances.chunk(chunk) {
        let summary = &items.items[instance.item.local as usize];
        let in_a_for = instance.item.iteration > 0;
        if !in_a_for && !summary.interpolated_name {
            continue;
        }
        if in_a_for && is_not_repeated(summary.kind) {
            continue;
        }
        let Some(namespace) = summary.kind.namespace() else {
            continue;
        };
        let node = evaluator.item_node(instance.item);
        if let Some(name) = generated_name(&evaluator, node, &instance.scope) {
            generated.push(Generated {
                namespace,
                name,
                item: instance.item,
            });
        }
    }
    drop(evaluator.take_diagnostics());
    generated.into()
}

/// A `let`, the `fleet` or a definition has no place in a `for` (E0209): it is
/// not repeated, so not reported as declared twice too.
fn is_not_repeated(kind: ItemKind) -> bool {
    matches!(
        kind,
        ItemKind::Let | ItemKind::Fleet | ItemKind::Type | ItemKind::Enum | ItemKind::Template
    )
}

/// The names `for`s generate, by the declaration (item and iteration) each
/// names: what evaluating a generated declaration looks its name up in. Its
/// own query, so that the evaluations of a large file's chunks share one map
/// instead of each building it.
#[salsa::tracked(returns(clone))]
pub fn generated_names(db: &dyn Db, workspace: Workspace) -> Arc<FxHashMap<ItemId, Name>> {
    let expansions: Vec<Arc<FileExpansions>> = workspace
        .files(db)
        .iter()
        .filter(|file| {
            file_items(db, **file)
                .items
                .iter()
                .any(|item| item.kind == ItemKind::For)
        })
        .map(|file| file_expansions(db, workspace, *file))
        .collect();
    // Made at its size: ten thousand names grew it through a dozen copies.
    let mut names = FxHashMap::with_capacity_and_hasher(
        expansions
            .iter()
            .map(|expanded| expanded.generated.len())
            .sum(),
        Default::default(),
    );
    for expanded in &expansions {
        for generated in &expanded.generated {
            names.insert(generated.item, generated.name.clone());
        }
    }
    Arc::new(names)
}

/// The name of a declaration in an iteration: a plain name, or its string
/// evaluated in the iteration's scope.
pub fn generated_name(
    evaluator: &Evaluator<'_>,
    node: crate::syntax::SyntaxNode<'_>,
    scope: &Scope,
) -> Option<Name> {
    let name = node.child_of_kind(NAME)?;
    if let Some(string) = name.child_of_kind(STRING) {
        // The string's text is the name as it is (both are `Arc<str>`): shared,
        // not copied. Evaluated as any expression, so that in a loop it is
        // compiled once (see `eval/compiled.rs`).
        return match evaluator.eval(Some(string), scope).kind {
            crate::eval::value::ValueKind::String(text) => Some(text),
            _ => None,
        };
    }
    name_text(name)
}

/// The names declared outside `for` items, with enum variants: what expanding a
/// `for` may refer to.
#[salsa::tracked(returns(clone))]
pub fn declared_names(db: &dyn Db, workspace: Workspace) -> Arc<NameIndex> {
    let mut index = NameIndex::default();
    for &file in workspace.files(db) {
        let items = file_items(db, file);
        let scope = index.modules.entry(file.module(db).clone()).or_default();
        add_declared(db, file, &items, scope);
    }
    Arc::new(index)
}

pub(super) fn add_declared(
    db: &dyn Db,
    file: SourceFile,
    items: &FileItems,
    scope: &mut ModuleScope,
) {
    for (local, item) in items.items.iter().enumerate() {
        let local = local as LocalItem;
        if item.inside_for.is_some() {
            continue;
        }
        if let (Some(namespace), Some(name)) = (item.kind.namespace(), &item.name) {
            scope.insert(namespace, name.clone(), ItemId::plain(db, file, local));
        }
        if item.kind == ItemKind::Enum {
            for variant in &item.variants {
                scope
                    .variants
                    .entry(variant.clone())
                    .or_default()
                    .push(ItemId::plain(db, file, local));
            }
        }
    }
}

impl Evaluator<'_> {
    /// Calls `each` for every declaration generated by the `for` item `local` of
    /// `file`: the declaration's `LocalItem`, the iteration's scope, and its
    /// iteration number (1-based, in order). Nested `for`s are expanded too.
    pub fn for_each_generated(
        &self,
        file: SourceFile,
        local: LocalItem,
        scope: &Scope,
        each: &mut dyn FnMut(LocalItem, &Scope, u32),
    ) {
        let items = file_items(self.db, file);
        let mut iteration = 0u32;
        self.expand(file, &items, local, scope, &mut iteration, each);
    }

    fn expand(
        &self,
        file: SourceFile,
        items: &FileItems,
        local: LocalItem,
        scope: &Scope,
        iteration: &mut u32,
        each: &mut dyn FnMut(LocalItem, &Scope, u32),
    ) {
        let node = crate::names::index::item_node(self.db, ItemId::plain(self.db, file, local));
        let bindings: Vec<_> = node
            .children()
            .filter(|child| child.kind() == FOR_BINDING)
            .collect();
        let condition = node.children().find(|child| {
            !matches!(child.kind(), FOR_BINDING) && ItemKind::of_node(child.kind()).is_none()
        });
        let inner: Vec<LocalItem> = items
            .items
            .iter()
            .enumerate()
            .filter(|(_, item)| item.inside_for == Some(local))
            .map(|(index, _)| index as LocalItem)
            .collect();
        self.iterate(&bindings, scope, &mut |bound: &Scope| {
            if let Some(condition) = condition {
                match self.eval(Some(condition), bound).kind {
                    crate::eval::value::ValueKind::Bool(true) => {}
                    crate::eval::value::ValueKind::Bool(false)
                    | crate::eval::value::ValueKind::Error => return,
                    _ => {
                        self.report(
                            crate::diagnostics::Diagnostic::new(
                                crate::diagnostics::code::E0302,
                                "a `for`'s `if` needs `true` or `false`",
                            )
                            .with_primary(bound.span(condition.range()), "not a condition"),
                        );
                        return;
                    }
                }
            }
            let bound = bound.clone().as_iteration();
            for &declaration in &inner {
                if items.items[declaration as usize].kind == ItemKind::For {
                    self.expand(file, items, declaration, &bound, iteration, each);
                } else {
                    *iteration += 1;
                    each(declaration, &bound, *iteration);
                }
            }
        });
    }
}
