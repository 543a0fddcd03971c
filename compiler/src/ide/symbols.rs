//! The outline of a file: its declarations, with the `for`s and their
//! declarations nested, a type's fields and an enum's variants, and the fields a
//! declaration sets. From the syntax tree alone, so it works while the fleet does
//! not check.

use super::describe::header_text;
use crate::db::{Db, SourceFile, parse};
use crate::names::items::ItemKind;
use crate::syntax::{SyntaxKind::*, SyntaxNode};
use crate::types::lower::field_decl_name;
use text_size::TextRange;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Item(ItemKind),
    /// A field a declaration sets, or a field of a record type.
    Field,
    Variant,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    /// The type or template a declaration names (`Cluster`, `eks-defaults`).
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub full_range: TextRange,
    pub focus_range: TextRange,
    pub children: Vec<Symbol>,
}

pub fn document_symbols(db: &dyn Db, file: SourceFile) -> Vec<Symbol> {
    let root = parse(db, file).tree().root();
    items_in(root)
}

fn items_in(node: SyntaxNode<'_>) -> Vec<Symbol> {
    node.children()
        .filter_map(|child| {
            let kind = ItemKind::of_node(child.kind())?;
            Some(item_symbol(child, kind))
        })
        .collect()
}

fn item_symbol(node: SyntaxNode<'_>, kind: ItemKind) -> Symbol {
    let name_node = node.child_of_kind(NAME);
    let name = match kind {
        ItemKind::For | ItemKind::Overlay | ItemKind::Import | ItemKind::Require => {
            format!("{} {}", kind.describe(), header_text(node))
        }
        _ => name_node
            .map(|name| name.text().to_string())
            .unwrap_or_else(|| kind.describe().to_string()),
    };
    let detail = node
        .child_of_kind(TYPE_ANNOTATION)
        .map(|annotation| one_line(annotation.text().trim_start_matches(':')));
    let children = match kind {
        ItemKind::For => items_in(node),
        ItemKind::Type => field_declarations(node),
        ItemKind::Enum => variants(node),
        _ => node.child_of_kind(BODY).map(fields_of).unwrap_or_default(),
    };
    Symbol {
        name: one_line(&name),
        detail,
        kind: SymbolKind::Item(kind),
        full_range: node.range(),
        focus_range: name_node
            .map(|name| name.range())
            .unwrap_or_else(|| keyword_range(node)),
        children,
    }
}

/// The fields a body sets, with the fields of its blocks (`workload { ... }`).
fn fields_of(body: SyntaxNode<'_>) -> Vec<Symbol> {
    body.children()
        .filter(|child| matches!(child.kind(), FIELD | BLOCK))
        .filter_map(|entry| {
            let path = entry.child_of_kind(FIELD_PATH)?;
            let children = match entry.kind() {
                BLOCK => entry.child_of_kind(BODY).map(fields_of).unwrap_or_default(),
                _ => Vec::new(),
            };
            Some(Symbol {
                name: path.text().to_string(),
                detail: None,
                kind: SymbolKind::Field,
                full_range: entry.range(),
                focus_range: path.range(),
                children,
            })
        })
        .collect()
}

fn field_declarations(type_decl: SyntaxNode<'_>) -> Vec<Symbol> {
    type_decl
        .descendants()
        .filter(|entry| entry.kind() == FIELD_DECL)
        .filter_map(|entry| {
            let name = field_decl_name(entry)?;
            let focus = entry
                .child_tokens()
                .find(|token| token.kind() == IDENT)
                .map(|token| token.range())
                .unwrap_or_else(|| entry.range());
            Some(Symbol {
                name: name.to_string(),
                detail: None,
                kind: SymbolKind::Field,
                full_range: entry.range(),
                focus_range: focus,
                children: Vec::new(),
            })
        })
        .collect()
}

fn variants(enum_decl: SyntaxNode<'_>) -> Vec<Symbol> {
    enum_decl
        .descendants()
        .filter(|variant| variant.kind() == VARIANT)
        .filter_map(|variant| {
            let first = variant
                .descendant_tokens()
                .find(|token| !token.kind().is_trivia())?;
            let name = match first.kind() {
                IDENT => first.text().to_string(),
                // A quoted variant: `"us-east-1"`, its text without the quotes.
                _ => variant
                    .descendant_tokens()
                    .find(|token| token.kind() == STRING_TEXT)
                    .map(|token| token.text().to_string())?,
            };
            Some(Symbol {
                name,
                detail: None,
                kind: SymbolKind::Variant,
                full_range: variant.range(),
                focus_range: first.range(),
                children: Vec::new(),
            })
        })
        .collect()
}

fn keyword_range(node: SyntaxNode<'_>) -> TextRange {
    node.first_significant_token()
        .map(|token| token.range())
        .unwrap_or_else(|| node.range())
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
