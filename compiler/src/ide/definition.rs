//! Go to definition: from a name to where it is declared (in the fleet or in the
//! stdlib, which the editor shows read-only), from a field key to the field's
//! declaration in its record type, from a type in an annotation to its
//! declaration, from an import to the module's first file.

use super::NavigationTarget;
use super::fields::{body_type, field_decl_node, field_of};
use super::locate::{PathStep, field_path, item_at, item_target, token_at};
use crate::db::{Db, SourceFile, Workspace};
use crate::eval::Evaluator;
use crate::names::Namespace;
use crate::names::index::{ItemId, item_node, name_index};
use crate::names::items::file_items;
use crate::names::modules::resolve_import;
use crate::names::resolve::{Resolution, resolve_file};
use crate::syntax::{SyntaxKind::*, SyntaxNode, SyntaxToken};
use crate::types::Ty;
use crate::types::lower::declaration_type;
use text_size::{TextRange, TextSize};

pub fn definition(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    offset: TextSize,
) -> Vec<NavigationTarget> {
    let Some(token) = token_at(db, file, offset) else {
        return Vec::new();
    };
    let parent = token.parent();
    let evaluator = Evaluator::new(db, workspace);
    let targets = match (token.kind(), parent.kind()) {
        (IDENT, NAME_REF) => name_ref(db, workspace, file, &evaluator, parent, &token),
        (IDENT, PATH_TYPE) => type_name(db, workspace, file, &evaluator, parent, &token),
        (IDENT, FIELD_PATH) => field_key(db, file, &evaluator, &token)
            .into_iter()
            .collect(),
        (_, IMPORT_PATH) | (_, STRING) | (_, IMPORT) => {
            import(db, workspace, file, token.range().start())
        }
        (_, NAME) => item_at(db, file, token.range().start())
            .map(|(local, _)| vec![item_target(db, ItemId::plain(db, file, local))])
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    drop(evaluator.take_diagnostics());
    targets
}

fn name_ref(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    evaluator: &Evaluator<'_>,
    name_ref: SyntaxNode<'_>,
    token: &SyntaxToken<'_>,
) -> Vec<NavigationTarget> {
    let resolution = resolve_file(db, workspace, file);
    match resolution.at(name_ref.range()) {
        Some(Resolution::Items {
            declarations,
            variant_of,
        }) => {
            let mut targets: Vec<NavigationTarget> = Vec::new();
            for (_, item) in declarations {
                // The iterations of a `for` share one declaration.
                let target = item_target(
                    db,
                    ItemId {
                        iteration: 0,
                        ..*item
                    },
                );
                if !targets.contains(&target) {
                    targets.push(target);
                }
            }
            for enumeration in variant_of {
                targets.extend(variant(db, *enumeration, token.text()));
            }
            targets
        }
        Some(Resolution::Local) => name_ref
            .ancestors()
            .find_map(|ancestor| {
                ancestor
                    .children()
                    .filter(|child| child.kind() == FOR_BINDING)
                    .find_map(|binding| {
                        binding
                            .child_tokens()
                            .find(|word| word.kind() == IDENT && word.text() == token.text())
                            .map(|word| NavigationTarget {
                                file,
                                full_range: binding.range(),
                                focus_range: word.range(),
                            })
                    })
            })
            .into_iter()
            .collect(),
        Some(Resolution::ClusterField) => {
            let cluster = declaration_type(evaluator, "Cluster");
            field_declaration(db, evaluator, &cluster, token.text())
                .into_iter()
                .collect()
        }
        _ => Vec::new(),
    }
}

fn variant(db: &dyn Db, enumeration: ItemId, name: &str) -> Option<NavigationTarget> {
    let node = item_node(db, enumeration);
    let variant = node
        .descendants()
        .filter(|child| child.kind() == VARIANT)
        .find(|variant| {
            variant
                .descendant_tokens()
                .find(|token| !token.kind().is_trivia())
                .is_some_and(|token| token.text().trim_matches('"') == name)
        })?;
    let focus = variant
        .descendant_tokens()
        .find(|token| !token.kind().is_trivia())
        .map(|token| token.range())
        .unwrap_or_else(|| variant.range());
    Some(NavigationTarget {
        file: enumeration.file,
        full_range: variant.range(),
        focus_range: focus,
    })
}

/// A type or template named in an annotation.
fn type_name(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    evaluator: &Evaluator<'_>,
    path: SyntaxNode<'_>,
    token: &SyntaxToken<'_>,
) -> Vec<NavigationTarget> {
    let words: Vec<_> = path
        .child_tokens()
        .filter(|word| word.kind() == IDENT)
        .collect();
    let module = match words.as_slice() {
        [_] => file.module(db).clone(),
        [alias, name] if name.range() == token.range() => {
            match evaluator.import_alias(file, alias.text()) {
                Some(module) => module,
                None => return Vec::new(),
            }
        }
        // The alias of `policies.x` goes to the import's module.
        [alias, _] if alias.range() == token.range() => {
            return match evaluator.import_alias(file, alias.text()) {
                Some(module) => module_start(db, workspace, &module).into_iter().collect(),
                None => Vec::new(),
            };
        }
        _ => return Vec::new(),
    };
    let index = name_index(db, workspace);
    [Namespace::Template, Namespace::Type]
        .iter()
        .flat_map(|namespace| index.lookup(&module, *namespace, token.text()).iter())
        .map(|item| item_target(db, *item))
        .collect()
}

/// A field key in a declaration's body: the field in its record type.
fn field_key(
    db: &dyn Db,
    file: SourceFile,
    evaluator: &Evaluator<'_>,
    key: &SyntaxToken<'_>,
) -> Option<NavigationTarget> {
    let (local, node) = item_at(db, file, key.range().start())?;
    let path = field_path(node, key)?;
    let item = ItemId::plain(db, file, local);
    let mut ty = body_type(evaluator, item, node)?;
    let (last, leading) = path.split_last()?;
    for step in leading {
        ty = match step {
            PathStep::Element => ty,
            PathStep::Field(name) => field_of(evaluator, &ty, name, None)?.1.ty,
        };
    }
    let PathStep::Field(name) = last else {
        return None;
    };
    field_declaration(db, evaluator, &ty, name)
}

/// The declaration of the field `name` of the record type `ty`.
fn field_declaration(
    db: &dyn Db,
    evaluator: &Evaluator<'_>,
    ty: &Ty,
    name: &str,
) -> Option<NavigationTarget> {
    let (owner, _) = field_of(evaluator, ty, name, None)?;
    let entry = field_decl_node(db, owner, name)?;
    let focus = entry
        .child_tokens()
        .find(|token| token.kind() == IDENT)
        .map(|token| token.range())
        .unwrap_or_else(|| entry.range());
    Some(NavigationTarget {
        file: owner.file,
        full_range: entry.range(),
        focus_range: focus,
    })
}

/// An import: the first file of the module it brings in.
fn import(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    offset: TextSize,
) -> Vec<NavigationTarget> {
    let Some((local, node)) = item_at(db, file, offset) else {
        return Vec::new();
    };
    if node.kind() != IMPORT {
        return Vec::new();
    }
    let items = file_items(db, file);
    let Some(import) = items
        .items
        .get(local as usize)
        .and_then(|item| item.import.as_ref())
    else {
        return Vec::new();
    };
    let Ok(module) = resolve_import(file.module(db), &import.target) else {
        return Vec::new();
    };
    module_start(db, workspace, &module).into_iter().collect()
}

fn module_start(db: &dyn Db, workspace: Workspace, module: &str) -> Option<NavigationTarget> {
    let file = workspace
        .files(db)
        .iter()
        .copied()
        .find(|file| &**file.module(db) == module)?;
    Some(NavigationTarget {
        file,
        full_range: TextRange::default(),
        focus_range: TextRange::default(),
    })
}
