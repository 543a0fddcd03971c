//! Resolution of one file: what every name in it refers to (for the editor's
//! go-to-definition and hover), and the problems with its imports and with
//! declarations in the wrong place. It depends on the file's syntax and on the
//! workspace's name index only, so editing one file re-resolves that file alone.
//!
//! Which of several candidates a name means (a team or an app called `search`) is
//! decided where a type expects it, during evaluation; unresolved names are
//! reported there too, where the expected kind makes the suggestion precise.

use super::index::{ItemId, name_index};
use super::items::{ImportTarget, ItemKind, LocalItem, file_items};
use super::modules::{FolderState, ImportError, LibraryFolders, resolve_import};
use super::{Name, Namespace};
use crate::db::{Db, SourceFile, Workspace, parse};
use crate::diagnostics::{Diagnostic, Span, code};
use crate::source::FileId;
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

#[salsa::tracked(returns(clone))]
pub fn resolve_file(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Arc<FileResolution> {
    let index = name_index(db, workspace);
    let parse = parse(db, file);
    let module = file.module(db).clone();
    let mut resolution = FileResolution::default();

    check_imports(db, workspace, file, &mut resolution.diagnostics);
    check_placement(db, file, &mut resolution.diagnostics);
    check_qualified_annotations(db, workspace, file, &mut resolution.diagnostics);

    let mut resolved: rustc_hash::FxHashMap<&str, Resolution> = rustc_hash::FxHashMap::default();
    // Walk the tree with the names bound around each node.
    // The bound names are shared by all the nodes below a binder.
    let mut stack: Vec<(SyntaxNode<'_>, std::rc::Rc<Vec<Name>>, bool)> =
        vec![(parse.tree().root(), std::rc::Rc::default(), false)];
    let mut children = Vec::new();
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
                } else if let Some(known) = resolved.get(name) {
                    // A name resolves the same way wherever nothing binds it.
                    known.clone()
                } else {
                    let declarations: Vec<(Namespace, ItemId)> = Namespace::ALL
                        .iter()
                        .flat_map(|namespace| {
                            index
                                .lookup(&module, *namespace, name)
                                .iter()
                                .map(move |item| (*namespace, *item))
                        })
                        .collect();
                    let variant_of = index.variant_owners(&module, name);
                    let found = if declarations.is_empty() && variant_of.is_empty() {
                        Resolution::Unresolved
                    } else {
                        Resolution::Items {
                            declarations,
                            variant_of,
                        }
                    };
                    resolved.insert(name, found.clone());
                    found
                };
                resolution.names.push((node.range(), found));
            }
            _ => {
                let mut inner_bound = bound;
                // Variables of a `for` or a comprehension are in scope in it.
                if matches!(node.kind(), FOR_ITEM | COMPREHENSION) {
                    let names = std::rc::Rc::make_mut(&mut inner_bound);
                    for binding in node.children().filter(|child| child.kind() == FOR_BINDING) {
                        if let Some(name) =
                            binding.child_tokens().find(|token| token.kind() == IDENT)
                        {
                            names.push(Name::from(name.text()));
                        }
                    }
                }
                // A record type's fields are in scope in its `require`s.
                if node.kind() == RECORD_TYPE {
                    let names = std::rc::Rc::make_mut(&mut inner_bound);
                    for entry in node.children().filter(|entry| entry.kind() == FIELD_DECL) {
                        if let Some(name) = crate::types::lower::field_decl_name(entry) {
                            names.push(name);
                        }
                    }
                }
                children.clear();
                children.extend(node.children());
                for (position, child) in children.iter().copied().enumerate().rev() {
                    // In `x where condition`, the condition is the second child.
                    let child_in_where = in_where || (node.kind() == WHERE_EXPR && position == 1);
                    stack.push((child, inner_bound.clone(), child_in_where));
                }
            }
        }
    }
    resolution.names.sort_by_key(|(range, _)| range.start());
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
        if item.kind != ItemKind::Import {
            continue;
        }
        let node = parse.tree().node(nodes[local]);
        let span = Span::new(
            file.id(db),
            node.child_of_kind(IMPORT_PATH)
                .map_or(node.range(), |path| path.range()),
        );
        let Some(import) = &item.import else {
            diagnostics.extend(unreadable_import(node, span, &modules));
            continue;
        };
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
            Ok(module) if !modules.contains(&module) => diagnostics.push(match &import.target {
                ImportTarget::Stdlib(name) => unknown_stdlib_module(name, span),
                ImportTarget::Folder(path) => missing_folder(db, &modules, &module, path, span),
            }),
            Ok(module) if module == from => diagnostics.push(
                Diagnostic::new(code::E0205, "a folder cannot import itself")
                    .with_primary(span, "the importing file's own folder")
                    .with_help(
                        "the files of a folder see each other's declarations already: delete this import",
                    ),
            ),
            Ok(module) => {
                let this = (file.id(db), local as LocalItem);
                if let Some(cycle) = import_cycle(db, workspace, &from, &module, this) {
                    diagnostics.push(cycle);
                }
            }
        }
    }
}

/// E0203 for an import `file_items` could not read as a module or a folder:
/// `import std`, `import polices`, a folder written with `${...}`.
fn unreadable_import(
    node: SyntaxNode<'_>,
    span: Span,
    modules: &HashSet<Arc<str>>,
) -> Option<Diagnostic> {
    let path = node.child_of_kind(IMPORT_PATH)?;
    if path.child_of_kind(STRING).is_some() {
        return Some(
            Diagnostic::new(
                code::E0203,
                "an imported folder is written as a plain string",
            )
            .with_primary(span, "`${...}` cannot be used in an import")
            .with_help("write the folder's path from this file's folder: \"./lib\""),
        );
    }
    let words: Vec<&str> = path
        .child_tokens()
        .filter(|token| token.kind() == IDENT)
        .map(|token| token.text())
        .collect();
    if words.is_empty() {
        return None;
    }
    let written = words.join(".");
    if written == PRELUDE {
        return Some(
            Diagnostic::new(code::E0203, "`std` is imported already")
                .with_primary(span, "the prelude, which every file sees")
                .with_help(format!(
                    "delete this import; the other modules of the standard library are imported by name: {}",
                    stdlib_modules()
                        .map(|module| format!("`import {module}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
        );
    }
    let mut diagnostic = Diagnostic::new(code::E0203, format!("no module `{written}`"))
        .with_primary(span, "not a module of the standard library")
        .with_note(
            "modules of the standard library start with `std.`; a library folder is imported by its path, as a string",
        );
    let stdlib: Vec<&str> = stdlib_modules().collect();
    let short = |module: &'static str| module.strip_prefix("std.").unwrap_or(module);
    let help = if let Some(module) = stdlib.iter().find(|module| short(module) == written) {
        Some(format!("write `import {module}`"))
    } else if modules.contains(words.join("/").as_str()) {
        Some(format!(
            "a library folder is imported by its path: `import \"./{}\"`",
            words.join("/")
        ))
    } else {
        crate::eval::closest(&written, stdlib.iter().map(|module| short(module)))
            .and_then(|close| stdlib.iter().find(|module| short(module) == close))
            .map(|module| format!("did you mean `{module}`?"))
    };
    if let Some(help) = help {
        diagnostic = diagnostic.with_help(help);
    }
    Some(diagnostic)
}

/// E0200 for `policy p: policies.require_limits` when no import of the file is
/// called `policies`: a declaration's template or type from a module must come
/// through an import. (`let` types are lowered, and reported, with the types.)
fn check_qualified_annotations(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let items = file_items(db, file);
    let nodes = crate::names::index::item_node_ids(db, file);
    let parse = parse(db, file);
    let from = file.module(db).clone();
    // Every alias an import of the file gives, readable or not (a bad import is
    // reported once, as E0203, not again at each use).
    let aliases: Vec<(Name, Option<&ImportTarget>)> = items
        .items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.kind == ItemKind::Import)
        .filter_map(|(local, item)| match &item.import {
            Some(import) => Some((import.alias.clone(), Some(&import.target))),
            None => written_alias(parse.tree().node(nodes[local])).map(|alias| (alias, None)),
        })
        .collect();
    for (local, item) in items.items.iter().enumerate() {
        if matches!(item.kind, ItemKind::Let | ItemKind::Import) {
            continue;
        }
        let node = parse.tree().node(nodes[local]);
        let Some(path) = node
            .child_of_kind(TYPE_ANNOTATION)
            .and_then(|annotation| annotation.child_of_kind(PATH_TYPE))
        else {
            continue;
        };
        let words: Vec<_> = path
            .child_tokens()
            .filter(|token| token.kind() == IDENT)
            .collect();
        let span = |range: TextRange| Span::new(file.id(db), range);
        match words.as_slice() {
            [] | [_] => {}
            [alias, name] => {
                let (alias_text, name_text) = (alias.text(), name.text());
                if aliases.iter().any(|(known, _)| &**known == alias_text) {
                    continue;
                }
                diagnostics.push(not_imported(
                    db,
                    workspace,
                    &from,
                    &aliases,
                    alias_text,
                    name_text,
                    span(alias.range()),
                ));
            }
            [first, .., last] => {
                let written: Vec<&str> = words.iter().map(|word| word.text()).collect();
                let module = written[..written.len() - 1].join(".");
                let mut diagnostic = Diagnostic::new(
                    code::E0200,
                    format!("`{}` is not a template or type", written.join(".")),
                )
                .with_primary(
                    span(TextRange::new(first.range().start(), last.range().end())),
                    "a module's template or type is written `alias.name`",
                );
                let imported = aliases.iter().find(|(_, target)| {
                    matches!(target, Some(ImportTarget::Stdlib(name)) if format!("std.{name}") == module)
                });
                diagnostic = match imported {
                    Some((alias, _)) => {
                        diagnostic.with_help(format!("write `{alias}.{}`", last.text()))
                    }
                    None if stdlib_modules().any(|known| known == module) => {
                        let alias = last_segment_dotted(&module);
                        diagnostic.with_help(format!(
                            "add `import {module}` and write `{alias}.{}`",
                            last.text()
                        ))
                    }
                    None => diagnostic,
                };
                diagnostics.push(diagnostic);
            }
        }
    }
}

/// `policies` for `std.policies`.
fn last_segment_dotted(module: &str) -> &str {
    module.rsplit_once('.').map_or(module, |(_, last)| last)
}

/// The alias an `IMPORT` node gives, read from its syntax: the name after `as`,
/// else the last word of its path.
fn written_alias(node: SyntaxNode<'_>) -> Option<Name> {
    if let Some(alias) = node.token_of_kind(IDENT) {
        return Some(Name::from(alias.text()));
    }
    let path = node.child_of_kind(IMPORT_PATH)?;
    path.child_tokens()
        .rfind(|token| token.kind() == IDENT)
        .map(|token| Name::from(token.text()))
}

/// E0200 for `alias.name` where the file imports nothing as `alias`, with the
/// import to add when a module of that name exists.
fn not_imported(
    db: &dyn Db,
    workspace: Workspace,
    from: &str,
    aliases: &[(Name, Option<&ImportTarget>)],
    alias: &str,
    name: &str,
    span: Span,
) -> Diagnostic {
    // Imported under another alias: `import std.policies as p`.
    let renamed = aliases.iter().find(|(_, target)| match target {
        Some(ImportTarget::Stdlib(module)) => last_segment_dotted(module) == alias,
        Some(ImportTarget::Folder(path)) => {
            path.trim_end_matches('/').rsplit('/').next() == Some(alias)
        }
        None => false,
    });
    if let Some((known, _)) = renamed {
        return Diagnostic::new(code::E0200, format!("`{alias}` is imported as `{known}`"))
            .with_primary(span, format!("no import is called `{alias}`"))
            .with_help(format!("write `{known}.{name}`"));
    }
    let stdlib = stdlib_modules().find(|module| last_segment_dotted(module) == alias);
    let library = workspace
        .files(db)
        .iter()
        .map(|file| file.module(db))
        .filter(|module| !module.is_empty() && !module.starts_with(PRELUDE))
        .filter(|module| last_segment(module) == alias)
        .min()
        .map(|module| relative_folder(from, module));
    let (message, help) = match (stdlib, library) {
        (Some(module), _) => (
            format!("`{alias}` is not imported"),
            Some(format!("add `import {module}`")),
        ),
        (None, Some(folder)) => (
            format!("`{alias}` is not imported"),
            Some(format!("add `import \"{folder}\"`")),
        ),
        (None, None) => (
            format!("no import is called `{alias}`"),
            Some(
                match crate::eval::closest(alias, aliases.iter().map(|(known, _)| &**known)) {
                    Some(close) => format!("did you mean `{close}.{name}`?"),
                    // The folder may exist unread: only imported folders are loaded.
                    None => format!(
                        "if `{alias}` is a library folder beside this file, add `import \"./{alias}\"`"
                    ),
                },
            ),
        ),
    };
    let mut diagnostic = Diagnostic::new(code::E0200, message).with_primary(
        span,
        format!("`{alias}.{name}` names a template or type of an imported module"),
    );
    if let Some(help) = help {
        diagnostic = diagnostic.with_help(help);
    }
    diagnostic
}

/// The path of folder `module` seen from a file of `from`: `"./lib"`,
/// `"../shared"`.
fn relative_folder(from: &str, module: &str) -> String {
    let from: Vec<&str> = if from.is_empty() {
        Vec::new()
    } else {
        from.split('/').collect()
    };
    let to: Vec<&str> = module.split('/').collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = Vec::new();
    if common == from.len() {
        parts.push(".");
    }
    parts.extend(std::iter::repeat_n("..", from.len() - common));
    parts.extend(&to[common..]);
    parts.join("/")
}

/// The modules of the standard library that are imported by name
/// (`std.policies`): all but the prelude.
fn stdlib_modules() -> impl Iterator<Item = &'static str> {
    let mut modules: Vec<&'static str> = crate::stdlib::FILES
        .iter()
        .map(|file| file.module)
        .filter(|module| *module != PRELUDE)
        .collect();
    modules.sort_unstable();
    modules.dedup();
    modules.into_iter()
}

/// E0203 for `import std.<name>` when the standard library has no such module.
fn unknown_stdlib_module(name: &str, span: Span) -> Diagnostic {
    let wanted = format!("std.{name}");
    let mut diagnostic = Diagnostic::new(
        code::E0203,
        format!("the standard library has no module `{wanted}`"),
    )
    .with_primary(span, "nothing to import here");
    // `import std.clusters`: a file of the prelude, not a module.
    let in_prelude = crate::stdlib::FILES.iter().any(|file| {
        file.module == PRELUDE
            && file
                .path
                .strip_prefix("std/")
                .and_then(|path| path.strip_suffix(".fleet"))
                == Some(name)
    });
    if in_prelude {
        diagnostic = diagnostic.with_help(format!(
            "`{wanted}` is part of the prelude, which every file sees without an import: delete this import"
        ));
    } else if let Some(suggestion) = crate::eval::closest(&wanted, stdlib_modules()) {
        diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?"));
    }
    diagnostic
}

/// E0203 for `import "./libs"` when the workspace has no file of that folder: no
/// such folder, an empty one, or a file. Only the loader knows which
/// (`LibraryFolders`); without its findings, the workspace is the whole fleet.
fn missing_folder(
    db: &dyn Db,
    modules: &HashSet<Arc<str>>,
    module: &str,
    written: &str,
    span: Span,
) -> Diagnostic {
    let state = LibraryFolders::try_get(db)
        .and_then(|found| found.folders(db).get(module).cloned())
        .unwrap_or_else(|| {
            let parent = parent_module(module);
            let mut siblings: Vec<Arc<str>> = modules
                .iter()
                .filter(|other| !other.is_empty() && !other.starts_with(PRELUDE))
                .filter(|other| parent_module(other) == parent)
                .cloned()
                .collect();
            siblings.sort();
            FolderState::Missing { siblings }
        });
    match state {
        FolderState::Empty => {
            Diagnostic::new(code::E0203, format!("`{written}` holds no `.fleet` files"))
                .with_primary(span, "an empty folder")
                .with_help("put the library's `.fleet` files in the folder, or delete this import")
        }
        FolderState::File => {
            let folder = written
                .trim_end_matches('/')
                .rsplit_once('/')
                .map_or(".", |(folder, _)| folder);
            Diagnostic::new(code::E0203, format!("`{written}` is a file, not a folder"))
                .with_primary(span, "a file")
                .with_help(format!(
                    "an import names a folder, and brings in all its `.fleet` files: `import \"{folder}\"`"
                ))
        }
        FolderState::Missing { siblings } => {
            let mut diagnostic = Diagnostic::new(code::E0203, format!("no folder `{written}`"))
                .with_primary(span, "not found");
            let wanted = last_segment(module);
            let suggestion =
                crate::eval::closest(wanted, siblings.iter().map(|sibling| last_segment(sibling)));
            diagnostic = match suggestion {
                Some(suggestion) => {
                    let trimmed = written.trim_end_matches('/');
                    let path = match trimmed.rsplit_once('/') {
                        Some((folder, _)) => format!("{folder}/{suggestion}"),
                        None => suggestion.to_string(),
                    };
                    diagnostic.with_help(format!("did you mean `{path}`?"))
                }
                None => diagnostic.with_help(
                    "a folder is found from the importing file's folder: check the path, and that the folder holds `.fleet` files",
                ),
            };
            diagnostic
        }
    }
}

/// `"shared"` for `"shared/net"`, `""` for `"lib"`.
fn parent_module(module: &str) -> &str {
    module.rsplit_once('/').map_or("", |(parent, _)| parent)
}

/// `"net"` for `"shared/net"`.
fn last_segment(module: &str) -> &str {
    module.rsplit_once('/').map_or(module, |(_, last)| last)
}

/// Where an import is: its file and its place among the file's items. Ordered
/// as the files are, then as the text is.
type ImportSite = (FileId, LocalItem);

/// The folders a module's files import, each with the first import of it (in
/// file order).
fn module_imports(
    db: &dyn Db,
    workspace: Workspace,
    module: &str,
) -> Vec<(Arc<str>, SourceFile, ImportSite)> {
    let mut out: Vec<(Arc<str>, SourceFile, ImportSite)> = Vec::new();
    for &file in workspace.files(db) {
        if file.module(db).as_ref() != module {
            continue;
        }
        for (local, item) in file_items(db, file).items.iter().enumerate() {
            if let Some(import) = &item.import
                && matches!(import.target, ImportTarget::Folder(_))
                && let Ok(target) = resolve_import(module, &import.target)
            {
                let site = (file.id(db), local as LocalItem);
                match out.iter_mut().find(|(known, _, _)| *known == target) {
                    Some(known) if site < known.2 => *known = (target, file, site),
                    Some(_) => {}
                    None => out.push((target, file, site)),
                }
            }
        }
    }
    out
}

/// E0205 when importing `to` from `from` (at `this`) closes a cycle of imports,
/// `"lib" -> "shared" -> "lib"`. A cycle is reported once: at the import of it
/// that comes first in file order, with the others as secondary labels.
fn import_cycle(
    db: &dyn Db,
    workspace: Workspace,
    from: &str,
    to: &str,
    this: ImportSite,
) -> Option<Diagnostic> {
    // Breadth first from `to`, so the cycle found is a shortest one.
    let mut parents: HashMap<Arc<str>, (Arc<str>, SourceFile, ImportSite)> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([Arc::<str>::from(to)]);
    let mut seen: HashSet<Arc<str>> = HashSet::from([Arc::<str>::from(to)]);
    let mut found = false;
    while let Some(module) = queue.pop_front() {
        if &*module == from {
            found = true;
            break;
        }
        for (next, file, site) in module_imports(db, workspace, &module) {
            if seen.insert(next.clone()) {
                parents.insert(next.clone(), (module.clone(), file, site));
                queue.push_back(next);
            }
        }
    }
    if !found {
        return None;
    }
    // The other imports of the cycle, walking back from `from` to `to`.
    let mut others: Vec<(Arc<str>, Arc<str>, SourceFile, ImportSite)> = Vec::new();
    let mut current: Arc<str> = Arc::from(from);
    while let Some((parent, file, site)) = parents.get(&current) {
        others.push((parent.clone(), current.clone(), *file, *site));
        current = parent.clone();
    }
    others.reverse();
    // Another import of the cycle comes first (another one of `to` in this
    // module, or one further along the cycle): the cycle is reported there.
    let first_of_to = module_imports(db, workspace, from)
        .into_iter()
        .find(|(target, _, _)| &**target == to)
        .map(|(_, _, site)| site);
    if first_of_to.is_some_and(|site| site < this)
        || others.iter().any(|(_, _, _, site)| *site < this)
    {
        return None;
    }
    let mut chain = vec![display_module(from), display_module(to)];
    chain.extend(
        others
            .iter()
            .map(|(_, module, _, _)| display_module(module)),
    );
    let span = import_span(db, workspace, this)?;
    let mut diagnostic = Diagnostic::new(code::E0205, "libraries import each other")
        .with_primary(span, format!("a cycle: {}", chain.join(" -> ")));
    for (importer, imported, file, site) in &others {
        if let Some(span) = import_span_in(db, *file, site.1) {
            diagnostic = diagnostic.with_secondary(
                span,
                format!(
                    "{} imports {}",
                    display_module(importer),
                    display_module(imported)
                ),
            );
        }
    }
    let help = if others.len() == 1 {
        "move what both need into a third library that neither imports back"
    } else {
        "move what they need from each other into another library that none of them imports"
    };
    Some(diagnostic.with_help(help))
}

/// The span of the path of the import at `site`.
fn import_span(db: &dyn Db, workspace: Workspace, site: ImportSite) -> Option<Span> {
    let file = workspace
        .files(db)
        .iter()
        .find(|file| file.id(db) == site.0)?;
    import_span_in(db, *file, site.1)
}

fn import_span_in(db: &dyn Db, file: SourceFile, local: LocalItem) -> Option<Span> {
    let nodes = crate::names::index::item_node_ids(db, file);
    let node = parse(db, file).tree().node(*nodes.get(local as usize)?);
    let path = node.child_of_kind(IMPORT_PATH)?;
    Some(Span::new(file.id(db), path.range()))
}

fn display_module(module: &str) -> String {
    if module.is_empty() {
        "the fleet".into()
    } else {
        format!("\"{module}\"")
    }
}
/// E0209: libraries hold reusable definitions only; a `for` body repeats
/// declarations, not `let`s, imports or the `fleet`.
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
                Diagnostic::new(code::E0209, format!("a library cannot declare {}", item.kind.with_article()))
                    .with_primary(span, "declared in a library folder")
                    .with_help("libraries hold types, enums, templates and `let`s; declare clusters, apps and the rest in the fleet's folder"),
            );
        }
        if item.inside_for.is_some() {
            let (message, help) = match item.kind {
                ItemKind::Let => (
                    "a `for` cannot declare a `let`",
                    "declare the `let` before the `for`; to make a list of values, use a comprehension: `[for x in xs: ...]`",
                ),
                ItemKind::Import => (
                    "a `for` cannot hold an `import`",
                    "import at the top level of the file",
                ),
                ItemKind::Fleet => (
                    "a `for` cannot declare the `fleet`",
                    "declare the fleet once, at the top level",
                ),
                ItemKind::Type | ItemKind::Enum => (
                    "a `for` cannot declare a type",
                    "declare the type once, at the top level; a `for` repeats declarations of clusters, apps and the rest",
                ),
                ItemKind::Template => (
                    "a `for` cannot declare a template",
                    "declare the template once, at the top level, and set what differs per iteration in the declarations the `for` repeats",
                ),
                _ => continue,
            };
            diagnostics.push(
                Diagnostic::new(code::E0209, message)
                    .with_primary(span, "inside a `for`")
                    .with_help(help),
            );
        }
    }
}
