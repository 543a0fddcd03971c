//! From a position to what is written there: the token under the cursor, the item
//! around it, the field path that leads to it from its declaration, and from a
//! declared thing back to its syntax.

use super::NavigationTarget;
use crate::db::{Db, SourceFile, Workspace, parse};
use crate::names::Name;
use crate::names::index::ItemId;
use crate::names::items::{LocalItem, item_nodes, name_text};
use crate::source::FileId;
use crate::syntax::{SyntaxKind::*, SyntaxNode, SyntaxToken};
use text_size::TextSize;

/// The token a cursor at `offset` is on. A cursor just after a name (`env|`) is
/// on that name, as editors place it after a double-click or while typing.
pub fn token_at(db: &dyn Db, file: SourceFile, offset: TextSize) -> Option<SyntaxToken<'_>> {
    let tree = parse(db, file).tree();
    let here = tree.token_at_offset(offset);
    let is_word = |token: &SyntaxToken<'_>| {
        token.kind() == IDENT
            || token.kind().is_reserved_keyword()
            || token.kind().is_contextual_keyword()
    };
    if let Some(token) = here
        && is_word(&token)
    {
        return Some(token);
    }
    if offset > TextSize::from(0)
        && let Some(before) = tree.token_at_offset(offset - TextSize::from(1))
        && is_word(&before)
    {
        return Some(before);
    }
    here
}

/// The innermost item whose syntax contains `offset`, with its position among the
/// file's items.
pub fn item_at(
    db: &dyn Db,
    file: SourceFile,
    offset: TextSize,
) -> Option<(LocalItem, SyntaxNode<'_>)> {
    let root = parse(db, file).tree().root();
    item_nodes(root)
        .into_iter()
        .enumerate()
        .filter(|(_, (node, _))| node.range().contains_inclusive(offset))
        .max_by_key(|(_, (node, _))| node.range().start())
        .map(|(local, (node, _))| (local as LocalItem, node))
}

/// The workspace file with id `id`.
pub fn file_of(db: &dyn Db, workspace: Workspace, id: FileId) -> Option<SourceFile> {
    workspace
        .files(db)
        .iter()
        .copied()
        .find(|file| file.id(db) == id)
}

/// Where an item is declared: all of it, and its name.
pub fn item_target(db: &dyn Db, item: ItemId) -> NavigationTarget {
    let node = crate::names::index::item_node(db, item);
    let focus = node
        .child_of_kind(NAME)
        .map(|name| name.range())
        .unwrap_or_else(|| node.range());
    NavigationTarget {
        file: item.file,
        full_range: node.range(),
        focus_range: focus,
    }
}

/// The name an item is declared under, as written (interpolated names keep their
/// `${...}`).
pub fn item_name(node: SyntaxNode<'_>) -> Option<Name> {
    let name = node.child_of_kind(NAME)?;
    name_text(name).or_else(|| Some(Name::from(name.text())))
}

/// One step from a declaration down to a field: a field name, or into the
/// elements of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    Field(Name),
    Element,
}

/// The fields from `item` (a declaration's node) down to the field key `key` (an
/// `IDENT` of a field's or block's `FIELD_PATH`), outermost first. `None` when the
/// token is not a field key inside the item.
pub fn field_path(item: SyntaxNode<'_>, key: &SyntaxToken<'_>) -> Option<Vec<PathStep>> {
    let own_path = key.parent();
    if own_path.kind() != FIELD_PATH {
        return None;
    }
    let segments = |path: SyntaxNode<'_>, up_to: Option<TextSize>| -> Vec<PathStep> {
        path.child_tokens()
            .filter(|token| token.kind() == IDENT)
            .take_while(|token| up_to.is_none_or(|end| token.range().start() <= end))
            .map(|token| PathStep::Field(Name::from(token.text())))
            .collect()
    };
    // Innermost first while walking up; reversed at the end.
    let mut steps: Vec<PathStep> = segments(own_path, Some(key.range().start()));
    steps.reverse();
    let owner = own_path.parent()?;
    let mut node = owner.parent();
    while let Some(current) = node {
        if current.id() == item.id() {
            steps.reverse();
            return Some(steps);
        }
        match current.kind() {
            FIELD | BLOCK => {
                let mut outer = current
                    .child_of_kind(FIELD_PATH)
                    .map(|path| segments(path, None))
                    .unwrap_or_default();
                outer.reverse();
                steps.extend(outer);
            }
            LIST_EXPR => steps.push(PathStep::Element),
            _ => {}
        }
        node = current.parent();
    }
    None
}
