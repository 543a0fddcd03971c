//! From a declaration to the record type each of its fields is declared in: the
//! type a body is checked against, and a field of a type found through aliases,
//! options, lists and unions.

use crate::db::Db;
use crate::eval::Evaluator;
use crate::names::index::{ItemId, item_node};
use crate::syntax::{SyntaxKind::*, SyntaxNode};
use crate::types::lower::{declaration_kind, declaration_type, field_decl_name};
use crate::types::{FieldDef, Ty, TypeDef};

/// The type the body of the declaration `item` (whose node is `node`) is checked
/// against: its annotation's, its kind's, an app's for an overlay.
pub fn body_type(evaluator: &Evaluator<'_>, item: ItemId, node: SyntaxNode<'_>) -> Option<Ty> {
    let scope = evaluator.file_scope(item.file);
    let ty = match node.kind() {
        OVERLAY_DECL => declaration_type(evaluator, "App"),
        TEMPLATE_DECL => evaluator.template(item)?.1,
        kind => {
            let (_, type_name) = declaration_kind(kind)?;
            match node
                .child_of_kind(TYPE_ANNOTATION)
                .and_then(|annotation| annotation.children().next())
            {
                Some(annotation) => evaluator.annotation(annotation, &scope)?.1,
                None => declaration_type(evaluator, type_name),
            }
        }
    };
    // What is wrong with the annotation is `check`'s to report.
    drop(evaluator.take_diagnostics());
    Some(ty)
}

/// The field `name` of the record type `ty` and the record type that declares it:
/// through aliases, options, lists and unions, the member `actual` (the record
/// type an evaluated value turned out to be) first, else the first that has it.
pub fn field_of(
    evaluator: &Evaluator<'_>,
    ty: &Ty,
    name: &str,
    actual: Option<ItemId>,
) -> Option<(ItemId, FieldDef)> {
    if let Some(found) = actual.and_then(|actual| record_field(evaluator, actual, name)) {
        return Some(found);
    }
    let mut pending = vec![ty.clone()];
    // A bound, for types that lead back to themselves (reported as E0211).
    for _ in 0..64 {
        let ty = pending.pop()?;
        match ty {
            Ty::Named(item) => match evaluator.type_def(item).as_deref() {
                Some(TypeDef::Record(_)) => {
                    if let Some(found) = record_field(evaluator, item, name) {
                        return Some(found);
                    }
                }
                Some(TypeDef::Alias(_, aliased)) => pending.push(aliased.clone()),
                _ => {}
            },
            Ty::Optional(inner) | Ty::List(inner, _) => pending.push((*inner).clone()),
            Ty::Union(members) => pending.extend(members.iter().rev().cloned()),
            _ => {}
        }
    }
    None
}

fn record_field(
    evaluator: &Evaluator<'_>,
    record_type: ItemId,
    name: &str,
) -> Option<(ItemId, FieldDef)> {
    match evaluator.type_def(record_type).as_deref() {
        Some(TypeDef::Record(record)) => {
            record.field(name).map(|field| (record_type, field.clone()))
        }
        _ => None,
    }
}

/// The syntax of the field `name` in the record type `owner`.
pub fn field_decl_node<'db>(db: &'db dyn Db, owner: ItemId, name: &str) -> Option<SyntaxNode<'db>> {
    item_node(db, owner)
        .descendants()
        .filter(|entry| entry.kind() == FIELD_DECL)
        .find(|entry| field_decl_name(*entry).is_some_and(|found| &*found == name))
}
