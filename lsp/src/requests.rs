//! The requests the server answers, each on a snapshot: hover, go to definition,
//! document symbols, formatting. Each finds the document, converts the position,
//! asks the compiler's `ide` module and converts the answer.

use crate::convert;
use crate::snapshot::Snapshot;
use fleet_compiler::db::{Origin, SourceFile, line_index, parse};
use fleet_compiler::ide::symbols::{Symbol, SymbolKind};
use fleet_compiler::ide::{self, NavigationTarget};
use fleet_compiler::names::items::ItemKind;
use lsp_types::{
    DocumentFormattingParams, DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams, Location,
    MarkupContent, MarkupKind, TextEdit, Uri,
};

pub fn hover(snapshot: &Snapshot, params: HoverParams) -> Option<Hover> {
    let position = params.text_document_position_params;
    let (file, offset) = located(snapshot, &position.text_document.uri, position.position)?;
    let workspace = snapshot.files.workspace_of(&snapshot.db, file)?;
    let found = ide::hover::hover(&snapshot.db, workspace, file, offset)?;
    let index = line_index(&snapshot.db, file);
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: found.markdown,
        }),
        range: Some(convert::range(&index, found.range)),
    })
}

pub fn definition(
    snapshot: &Snapshot,
    params: GotoDefinitionParams,
) -> Option<GotoDefinitionResponse> {
    let position = params.text_document_position_params;
    let (file, offset) = located(snapshot, &position.text_document.uri, position.position)?;
    let workspace = snapshot.files.workspace_of(&snapshot.db, file)?;
    let targets = ide::definition::definition(&snapshot.db, workspace, file, offset);
    let locations: Vec<Location> = targets
        .iter()
        .filter_map(|target| location(snapshot, target))
        .collect();
    (!locations.is_empty()).then_some(GotoDefinitionResponse::Array(locations))
}

pub fn document_symbols(
    snapshot: &Snapshot,
    params: DocumentSymbolParams,
) -> Option<DocumentSymbolResponse> {
    let file = snapshot.files.file(&params.text_document.uri)?;
    let index = line_index(&snapshot.db, file);
    let symbols = ide::symbols::document_symbols(&snapshot.db, file);
    Some(DocumentSymbolResponse::Nested(
        symbols
            .into_iter()
            .map(|symbol| document_symbol(&index, symbol))
            .collect(),
    ))
}

/// The whole document formatted as `fleet fmt` would, as one edit; no edit when
/// it is formatted already, and none while it has syntax errors (the formatter
/// does not guess) or for the read-only stdlib.
pub fn formatting(snapshot: &Snapshot, params: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
    let file = snapshot.files.file(&params.text_document.uri)?;
    if file.origin(&snapshot.db) == Origin::Stdlib {
        return None;
    }
    let text = file.text(&snapshot.db);
    let formatted = fleet_compiler::format::format(parse(&snapshot.db, file))?;
    if formatted == **text {
        return Some(Vec::new());
    }
    let index = line_index(&snapshot.db, file);
    let whole = text_size::TextRange::up_to(text_size::TextSize::of(&**text));
    Some(vec![TextEdit::new(
        convert::range(&index, whole),
        formatted,
    )])
}

fn located(
    snapshot: &Snapshot,
    uri: &Uri,
    position: lsp_types::Position,
) -> Option<(SourceFile, text_size::TextSize)> {
    let file = snapshot.files.file(uri)?;
    let index = line_index(&snapshot.db, file);
    Some((file, convert::offset(&index, position)))
}

fn location(snapshot: &Snapshot, target: &NavigationTarget) -> Option<Location> {
    let uri = snapshot.files.uri(target.file.id(&snapshot.db))?;
    let index = line_index(&snapshot.db, target.file);
    Some(Location::new(
        uri.clone(),
        convert::range(&index, target.focus_range),
    ))
}

#[allow(deprecated)] // `deprecated` is a required field of the protocol's struct.
fn document_symbol(index: &fleet_compiler::source::LineIndex, symbol: Symbol) -> DocumentSymbol {
    DocumentSymbol {
        name: if symbol.name.is_empty() {
            "_".to_string()
        } else {
            symbol.name
        },
        detail: symbol.detail,
        kind: symbol_kind(symbol.kind),
        tags: None,
        deprecated: None,
        range: convert::range(index, symbol.full_range),
        selection_range: convert::range(index, symbol.focus_range),
        children: (!symbol.children.is_empty()).then(|| {
            symbol
                .children
                .into_iter()
                .map(|child| document_symbol(index, child))
                .collect()
        }),
    }
}

/// The protocol has no words for fleets; these read best in editors' outlines.
fn symbol_kind(kind: SymbolKind) -> lsp_types::SymbolKind {
    use lsp_types::SymbolKind as Lsp;
    match kind {
        SymbolKind::Field => Lsp::FIELD,
        SymbolKind::Variant => Lsp::ENUM_MEMBER,
        SymbolKind::Item(item) => match item {
            ItemKind::Import => Lsp::MODULE,
            ItemKind::Let => Lsp::CONSTANT,
            ItemKind::Type => Lsp::STRUCT,
            ItemKind::Enum => Lsp::ENUM,
            ItemKind::Template => Lsp::CLASS,
            ItemKind::Fleet => Lsp::PACKAGE,
            ItemKind::Env => Lsp::NAMESPACE,
            ItemKind::Team => Lsp::INTERFACE,
            ItemKind::Cluster => Lsp::OBJECT,
            ItemKind::App => Lsp::MODULE,
            ItemKind::Overlay => Lsp::EVENT,
            ItemKind::Promotion => Lsp::OPERATOR,
            ItemKind::Policy => Lsp::PROPERTY,
            ItemKind::Manifest => Lsp::FILE,
            ItemKind::Require => Lsp::BOOLEAN,
            ItemKind::For => Lsp::ARRAY,
        },
    }
}
