//! Resolution of one file: what every name in it refers to (for the editor's
//! go-to-definition and hover), and the problems with its imports and with
//! declarations in the wrong place. It depends on the file's syntax and on the
//! workspace's name index only, so editing one file re-resolves that file alone.
//!
//! Which of several candidates a name means (a team or an app called `search`) is
//! decided where a type expects it, during evaluation; unresolved names are
//! reported there too, where the expected kind makes the suggestion precise.

use super::index::{ItemId, name_index};
use super::items::{ImportTarget, ItemKind, file_items};
use super::modules::{ImportError, resolve_import};
use super::{Name, Namespace};
use crate::db::{Db, SourceFile, Workspace, parse};
use crate::diagnostics::{Diagnostic, Span, code};
use crate::stdlib::PRELUDE;
use crate::syntax::{SyntaxKind::*, SyntaxNode};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use text_size::TextRange;

/// What a name refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// A `for` or comprehension variable, or a field in a `require`.
    Local,
    /// A field of the cluster a `where` tests.
    ClusterField,
    /// `clusters`, `rest`, `range`, `len`, `present`.
    Builtin,
    /// Declarations (of any kind) and enum types with a variant of that name.
    Items {
        declarations: Vec<(Namespace, ItemId)>,
        variant_of: Vec<ItemId>,
    },
    /// Nothing in scope has this name (reported during evaluation).
    Unresolved,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileResolution {
    /// Every `NAME_REF` of the file, by its range.
    pub names: Vec<(TextRange, Resolution)>,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileResolution {
    pub fn at(&self, range: TextRange) -> Option<&Resolution> {
        self.names
            .binary_search_by_key(&range.start(), |(found, _)| found.start())
            .ok()
            .map(|index| &self.names[index].1)
    }
}

const NAME_SPACES: [Namespace; 11] = [
    Namespace::Value,
    Namespace::Type,
    Namespace::Template,
    Namespace::Fleet,
    Namespace::Env,
    Namespace::Team,
    Namespace::Cluster,
    Namespace::App,
    Namespace::Promotion,
    Namespace::Policy,
    Namespace::Manifest,
];

#[salsa::tracked(returns(clone))]
pub fn resolve_file(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Arc<FileResolution> {
    let index = name_index(db, workspace);
    let parse = parse(db, file);
    let module = file.module(db).clone();
    let span = |range: TextRange| Span::new(file.id(db), range);
    let mut resolution = FileResolution::default();

    check_imports(db, workspace, file, &mut resolution.diagnostics);
    check_placement(db, file, &mut resolution.diagnostics);

    // Walk the tree with the names bound around each node.
    let mut stack: Vec<(SyntaxNode<'_>, Vec<Name>, bool)> =
        vec![(parse.tree().root(), Vec::new(), false)];
    while let Some((node, bound, in_where)) = stack.pop() {
        match node.kind() {
            NAME_REF => {
                let name = node.text();
                let found = if bound.iter().any(|bound| &**bound == name) {
                    Resolution::Local
                } else if in_where && crate::eval::value::ClusterField::of_name(name).is_some() {
                    Resolution::ClusterField
                } else if matches!(name, "clusters" | "rest" | "range" | "len" | "present") {
                    Resolution::Builtin
                } else {
                    let declarations: Vec<(Namespace, ItemId)> = NAME_SPACES
                        .iter()
                        .flat_map(|namespace| {
                            index
                                .lookup(&module, *namespace, name)
                                .iter()
                                .map(move |item| (*namespace, *item))
                        })
                        .collect();
                    let variant_of = index.variant_owners(&module, name);
                    if declarations.is_empty() && variant_of.is_empty() {
                        Resolution::Unresolved
                    } else {
                        Resolution::Items {
                            declarations,
                            variant_of,
                        }
                    }
                };
                resolution.names.push((node.range(), found));
            }
            _ => {
                let mut inner_bound = bound.clone();
                // Variables of a `for` or a comprehension are in scope in it.
                if matches!(node.kind(), FOR_ITEM | COMPREHENSION) {
                    for binding in node.children().filter(|child| child.kind() == FOR_BINDING) {
                        if let Some(name) =
                            binding.child_tokens().find(|token| token.kind() == IDENT)
                        {
                            inner_bound.push(Name::from(name.text()));
                        }
                    }
                }
                // A record type's fields are in scope in its `require`s.
                if node.kind() == RECORD_TYPE {
                    for entry in node.children().filter(|entry| entry.kind() == FIELD_DECL) {
                        if let Some(name) = crate::types::lower::field_decl_name(entry) {
                            inner_bound.push(name);
                        }
                    }
                }
                let children: Vec<_> = node.children().collect();
                for (position, child) in children.into_iter().enumerate().rev() {
                    // In `x where condition`, the condition is the second child.
                    let child_in_where = in_where || (node.kind() == WHERE_EXPR && position == 1);
                    stack.push((child, inner_bound.clone(), child_in_where));
                }
            }
        }
    }
    resolution.names.sort_by_key(|(range, _)| range.start());
    let _ = span;
    Arc::new(resolution)
}

/// E0203 (no such module or folder), E0204 (outside the fleet), E0205 (cycle).
fn check_imports(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let items = file_items(db, file);
    let nodes = crate::names::index::item_node_ids(db, file);
    let parse = parse(db, file);
    let modules: HashSet<Arc<str>> = workspace
        .files(db)
        .iter()
        .map(|file| file.module(db).clone())
        .collect();
    let from = file.module(db).clone();
    for (local, item) in items.items.iter().enumerate() {
        let Some(import) = &item.import else { continue };
        let node = parse.tree().node(nodes[local]);
        let span = Span::new(
            file.id(db),
            node.child_of_kind(IMPORT_PATH)
                .map_or(node.range(), |path| path.range()),
        );
        match resolve_import(&from, &import.target) {
            Err(ImportError::OutsideRoot) => diagnostics.push(
                Diagnostic::new(code::E0204, "this import leaves the fleet's folder")
                    .with_primary(span, "outside the fleet")
                    .with_help(
                        "a fleet imports only folders inside its own folder; move the library in",
                    ),
            ),
            Err(ImportError::Absolute) => diagnostics.push(
                Diagnostic::new(code::E0204, "imports are relative to the importing file")
                    .with_primary(span, "an absolute path")
                    .with_help("write the path from this file's folder: \"./lib\""),
            ),
            Ok(module) if !modules.contains(&module) => {
                let (what, known): (String, Vec<String>) = match &import.target {
                    ImportTarget::Stdlib(name) => (
                        format!("the standard library has no module `std.{name}`"),
                        modules
                            .iter()
                            .filter(|module| module.starts_with("std."))
                            .map(|module| module.to_string())
                            .collect(),
                    ),
                    ImportTarget::Folder(path) => (
                        format!("no `.fleet` files in the folder \"{path}\""),
                        Vec::new(),
                    ),
                };
                let mut diagnostic =
                    Diagnostic::new(code::E0203, what).with_primary(span, "nothing to import here");
                if let Some(suggestion) = crate::eval::closest(
                    &format!("std.{}", import_name(&import.target)),
                    known.iter().map(String::as_str),
                ) {
                    diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?"));
                }
                diagnostics.push(diagnostic);
            }
            Ok(module) => {
                if let Some(cycle) = import_cycle(db, workspace, &from, &module) {
                    diagnostics.push(
                        Diagnostic::new(code::E0205, "libraries import each other")
                            .with_primary(span, format!("this import closes a cycle: {cycle}"))
                            .with_help("move what both need into a third library that neither imports back"),
                    );
                }
            }
        }
    }
}

fn import_name(target: &ImportTarget) -> &str {
    match target {
        ImportTarget::Stdlib(name) | ImportTarget::Folder(name) => name,
    }
}

/// The modules a module's files import (folders only).
fn module_imports(db: &dyn Db, workspace: Workspace, module: &str) -> Vec<Arc<str>> {
    let mut out = Vec::new();
    for &file in workspace.files(db) {
        if file.module(db).as_ref() != module {
            continue;
        }
        for item in &file_items(db, file).items {
            if let Some(import) = &item.import
                && matches!(import.target, ImportTarget::Folder(_))
                && let Ok(target) = resolve_import(module, &import.target)
            {
                out.push(target);
            }
        }
    }
    out
}

/// `lib -> shared -> lib` when importing `to` from `from` closes a cycle.
fn import_cycle(db: &dyn Db, workspace: Workspace, from: &str, to: &str) -> Option<String> {
    let mut parents: HashMap<Arc<str>, Arc<str>> = HashMap::new();
    let mut queue = vec![Arc::<str>::from(to)];
    let mut seen: HashSet<Arc<str>> = HashSet::new();
    while let Some(module) = queue.pop() {
        if &*module == from {
            // Walk back from `from` to `to`, then read the chain forwards.
            let mut chain = vec![module.to_string()];
            let mut current = module.clone();
            while let Some(parent) = parents.get(&current) {
                chain.push(parent.to_string());
                current = parent.clone();
            }
            chain.push(from.to_string());
            chain.reverse();
            let shown: Vec<String> = chain.iter().map(|module| display_module(module)).collect();
            return Some(shown.join(" -> "));
        }
        if !seen.insert(module.clone()) {
            continue;
        }
        for next in module_imports(db, workspace, &module) {
            parents
                .entry(next.clone())
                .or_insert_with(|| module.clone());
            queue.push(next);
        }
    }
    None
}

fn display_module(module: &str) -> String {
    if module.is_empty() {
        "the fleet".into()
    } else {
        format!("\"{module}\"")
    }
}

/// E0209: libraries hold reusable definitions only; a `for` body repeats
/// declarations, not `let`s or imports.
fn check_placement(db: &dyn Db, file: SourceFile, diagnostics: &mut Vec<Diagnostic>) {
    let module = file.module(db);
    let items = file_items(db, file);
    let nodes = crate::names::index::item_node_ids(db, file);
    let parse = parse(db, file);
    let is_library = !module.is_empty() && !module.starts_with(PRELUDE);
    for (local, item) in items.items.iter().enumerate() {
        let node = parse.tree().node(nodes[local]);
        let span = Span::new(
            file.id(db),
            node.first_significant_token()
                .map_or(node.range(), |token| token.range()),
        );
        let definition = matches!(
            item.kind,
            ItemKind::Type | ItemKind::Enum | ItemKind::Template | ItemKind::Let | ItemKind::Import
        );
        if is_library && !definition && item.inside_for.is_none() {
            diagnostics.push(
                Diagnostic::new(code::E0209, format!("a library cannot declare a {}", item.kind.describe()))
                    .with_primary(span, "declared in a library folder")
                    .with_help("libraries hold types, enums, templates and `let`s; declare clusters, apps and the rest in the fleet's folder"),
            );
        }
        if item.inside_for.is_some()
            && matches!(
                item.kind,
                ItemKind::Let | ItemKind::Import | ItemKind::Fleet
            )
        {
            diagnostics.push(
                Diagnostic::new(code::E0209, format!("a `for` cannot repeat {}", item.kind.describe()))
                    .with_primary(span, "inside a `for`")
                    .with_help("a `for` repeats declarations such as clusters and apps; write this at the top level"),
            );
        }
    }
}
