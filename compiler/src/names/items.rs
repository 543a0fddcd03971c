//! What a file declares: each item's kind, name and place among the file's items,
//! without spans or bodies. Editing inside a body leaves this unchanged, so salsa
//! stops there and nothing that depends on the names of other files re-runs.

use crate::db::{Db, SourceFile, parse};
use crate::syntax::ast;
use crate::syntax::{SyntaxKind, SyntaxKind::*, SyntaxNode};
use std::sync::Arc;

/// A name as written (identifiers keep their `-`; quoted names lose their quotes).
pub type Name = Arc<str>;

/// The kinds of items a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemKind {
    Import,
    Let,
    Type,
    Enum,
    Template,
    Fleet,
    Env,
    Team,
    Cluster,
    App,
    Overlay,
    Promotion,
    Policy,
    Manifest,
    Require,
    For,
}

/// Each kind of named thing has a name space of its own (decision 004).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Namespace {
    Value,
    Type,
    Template,
    Fleet,
    Env,
    Team,
    Cluster,
    App,
    Promotion,
    Policy,
    Manifest,
}

impl ItemKind {
    pub fn of_node(kind: SyntaxKind) -> Option<ItemKind> {
        Some(match kind {
            IMPORT => ItemKind::Import,
            LET => ItemKind::Let,
            TYPE_DECL => ItemKind::Type,
            ENUM_DECL => ItemKind::Enum,
            TEMPLATE_DECL => ItemKind::Template,
            FLEET_DECL => ItemKind::Fleet,
            ENV_DECL => ItemKind::Env,
            TEAM_DECL => ItemKind::Team,
            CLUSTER_DECL => ItemKind::Cluster,
            APP_DECL => ItemKind::App,
            OVERLAY_DECL => ItemKind::Overlay,
            PROMOTION_DECL => ItemKind::Promotion,
            POLICY_DECL => ItemKind::Policy,
            MANIFEST_DECL => ItemKind::Manifest,
            REQUIRE => ItemKind::Require,
            FOR_ITEM => ItemKind::For,
            _ => return None,
        })
    }

    /// The name space the item's name goes in; `None` for items without a name.
    pub fn namespace(self) -> Option<Namespace> {
        Some(match self {
            ItemKind::Let => Namespace::Value,
            ItemKind::Type | ItemKind::Enum => Namespace::Type,
            ItemKind::Template => Namespace::Template,
            ItemKind::Fleet => Namespace::Fleet,
            ItemKind::Env => Namespace::Env,
            ItemKind::Team => Namespace::Team,
            ItemKind::Cluster => Namespace::Cluster,
            ItemKind::App => Namespace::App,
            ItemKind::Promotion => Namespace::Promotion,
            ItemKind::Policy => Namespace::Policy,
            ItemKind::Manifest => Namespace::Manifest,
            ItemKind::Import | ItemKind::Overlay | ItemKind::Require | ItemKind::For => {
                return None;
            }
        })
    }

    /// How the kind reads in a message: "cluster", "type".
    pub fn describe(self) -> &'static str {
        match self {
            ItemKind::Import => "import",
            ItemKind::Let => "let",
            ItemKind::Type => "type",
            ItemKind::Enum => "enum",
            ItemKind::Template => "template",
            ItemKind::Fleet => "fleet",
            ItemKind::Env => "env",
            ItemKind::Team => "team",
            ItemKind::Cluster => "cluster",
            ItemKind::App => "app",
            ItemKind::Overlay => "overlay",
            ItemKind::Promotion => "promotion",
            ItemKind::Policy => "policy",
            ItemKind::Manifest => "manifest",
            ItemKind::Require => "require",
            ItemKind::For => "for",
        }
    }

    /// The kind with its article: "an app", "a cluster".
    pub fn with_article(self) -> String {
        crate::diagnostics::wording::with_article(self.describe())
    }
}

impl Namespace {
    pub fn describe(self) -> &'static str {
        match self {
            Namespace::Value => "value",
            Namespace::Type => "type",
            Namespace::Template => "template",
            Namespace::Fleet => "fleet",
            Namespace::Env => "env",
            Namespace::Team => "team",
            Namespace::Cluster => "cluster",
            Namespace::App => "app",
            Namespace::Promotion => "promotion",
            Namespace::Policy => "policy",
            Namespace::Manifest => "manifest",
        }
    }

    /// Every name space.
    pub const ALL: [Namespace; 11] = [
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

    /// The name spaces of declarations a bare name can mean, each qualified by
    /// its declaration word (`team.search`).
    pub const DECLARATIONS: [Namespace; 6] = [
        Namespace::Env,
        Namespace::Team,
        Namespace::Cluster,
        Namespace::App,
        Namespace::Promotion,
        Namespace::Policy,
    ];

    /// The name space's kind with its article: "an app", "a team".
    pub fn with_article(self) -> String {
        crate::diagnostics::wording::with_article(self.describe())
    }

    /// The declaration word of a name space: `team` for teams.
    pub fn keyword(self) -> &'static str {
        self.describe()
    }

    /// The name space a declaration word names, for `team.search`-style
    /// qualification.
    pub fn of_word(word: &str) -> Option<Namespace> {
        Some(match word {
            "env" => Namespace::Env,
            "team" => Namespace::Team,
            "cluster" => Namespace::Cluster,
            "app" => Namespace::App,
            "promotion" => Namespace::Promotion,
            "policy" => Namespace::Policy,
            "template" => Namespace::Template,
            "manifest" => Namespace::Manifest,
            _ => return None,
        })
    }
}

/// The position of an item among a file's items, in source order, counting the
/// items inside `for` bodies too. Stable while items are not added or removed.
pub type LocalItem = u32;

/// A declared item, without its place in the text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ItemSummary {
    pub kind: ItemKind,
    /// The name when it is written plainly; `None` for unnamed items and for names
    /// made by interpolation (`"${e}-${r}"`), which exist only once the `for` around
    /// them is expanded.
    pub name: Option<Name>,
    /// The name is a string with interpolation (`"dev-${region}"`): it is known
    /// once evaluated (see `expand::file_expansions`).
    pub interpolated_name: bool,
    /// The `for` item this one is inside, if any.
    pub inside_for: Option<LocalItem>,
    /// `std.policies` or `"./lib"` for an import; the alias it is used under.
    pub import: Option<Import>,
    /// The variants of an enum, by name.
    pub variants: Vec<Name>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Import {
    pub target: ImportTarget,
    /// The qualifier names from the import are used under: `policies`, `lib`.
    pub alias: Name,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ImportTarget {
    /// `import std.policies`: a module of the standard library.
    Stdlib(Name),
    /// `import "./lib"`: a folder of the fleet, relative to this file's folder.
    Folder(Name),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FileItems {
    pub items: Vec<ItemSummary>,
}

/// The items of a file, in source order (see `LocalItem`).
#[salsa::tracked(returns(clone))]
pub fn file_items(db: &dyn Db, file: SourceFile) -> Arc<FileItems> {
    let parse = parse(db, file);
    let mut items = Vec::new();
    for node in item_nodes(parse.tree().root()) {
        let (node, inside_for) = node;
        let Some(kind) = ItemKind::of_node(node.kind()) else {
            continue;
        };
        let import = (kind == ItemKind::Import)
            .then(|| import_of(node))
            .flatten();
        let variants = if kind == ItemKind::Enum {
            variant_names(node)
        } else {
            Vec::new()
        };
        let name = plain_name(node);
        let interpolated_name = name.is_none()
            && node
                .child_of_kind(NAME)
                .is_some_and(|name| name.child_of_kind(STRING).is_some());
        items.push(ItemSummary {
            kind,
            name,
            interpolated_name,
            inside_for,
            import,
            variants,
        });
    }
    Arc::new(FileItems { items })
}

/// The item nodes of a file in the order `LocalItem` numbers them, each with the
/// `LocalItem` of the `for` it is inside.
pub fn item_nodes(root: SyntaxNode<'_>) -> Vec<(SyntaxNode<'_>, Option<LocalItem>)> {
    let mut out = Vec::new();
    let mut stack: Vec<(SyntaxNode<'_>, Option<LocalItem>)> = root
        .children()
        .filter(|node| ItemKind::of_node(node.kind()).is_some())
        .map(|node| (node, None))
        .collect();
    stack.reverse();
    while let Some((node, inside_for)) = stack.pop() {
        let index = out.len() as LocalItem;
        out.push((node, inside_for));
        if node.kind() == FOR_ITEM {
            let inner: Vec<_> = node
                .children()
                .filter(|child| ItemKind::of_node(child.kind()).is_some())
                .collect();
            stack.extend(inner.into_iter().rev().map(|child| (child, Some(index))));
        }
    }
    out
}

/// The name of a declaration when written plainly: an identifier, or a string
/// without interpolation.
pub fn plain_name(node: SyntaxNode<'_>) -> Option<Name> {
    let name = node.child_of_kind(NAME)?;
    name_text(name)
}

/// The text of a `NAME` node: `None` if it interpolates.
pub fn name_text(name: SyntaxNode<'_>) -> Option<Name> {
    if let Some(string) = name.child_of_kind(STRING) {
        return ast::plain_string(string).map(Name::from);
    }
    name.first_significant_token()
        .map(|token| Name::from(token.text()))
}

/// The library folders a file's text imports, for the loader to follow before a
/// database exists.
pub fn folder_imports_in(text: &str) -> Vec<ImportTarget> {
    // Most files import no folder; they are not parsed twice. A folder import
    // needs the word `import` with a quote somewhere after it.
    let may_import_folder = text
        .find("import")
        .is_some_and(|at| text[at..].contains('"'));
    if !may_import_folder {
        return Vec::new();
    }
    // Lexing is a fraction of parsing: parse only when some `import` is
    // followed by a string.
    let lexed = crate::syntax::lexer::lex(text, crate::source::FileId(0));
    let imports_a_folder = lexed.significant_kinds.windows(2).any(|pair| {
        pair[0] == crate::syntax::SyntaxKind::IMPORT_KW
            && matches!(
                pair[1],
                crate::syntax::SyntaxKind::STRING_START | crate::syntax::SyntaxKind::TRIPLE_START
            )
    });
    if !imports_a_folder {
        return Vec::new();
    }
    let parse = crate::syntax::parse(text, crate::source::FileId(0));
    parse
        .tree()
        .root()
        .children()
        .filter(|node| node.kind() == IMPORT)
        .filter_map(import_of)
        .map(|import| import.target)
        .filter(|target| matches!(target, ImportTarget::Folder(_)))
        .collect()
}

fn variant_names(node: SyntaxNode<'_>) -> Vec<Name> {
    let Some(list) = node.child_of_kind(VARIANT_LIST) else {
        return Vec::new();
    };
    list.children()
        .filter(|variant| variant.kind() == VARIANT)
        .filter_map(variant_name)
        .collect()
}

/// The name of a `VARIANT` node: its identifier, or its string's text.
pub fn variant_name(variant: SyntaxNode<'_>) -> Option<Name> {
    if let Some(string) = variant.child_of_kind(STRING) {
        return ast::plain_string(string).map(Name::from);
    }
    variant
        .child_tokens()
        .find(|token| token.kind() == IDENT)
        .map(|token| Name::from(token.text()))
}

fn import_of(node: SyntaxNode<'_>) -> Option<Import> {
    let path = node.child_of_kind(IMPORT_PATH)?;
    let explicit_alias = node
        .token_of_kind(IDENT)
        .map(|token| Name::from(token.text()));
    if let Some(string) = path.child_of_kind(STRING) {
        let folder = ast::plain_string(string)?;
        let last = folder
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(&folder)
            .to_string();
        return Some(Import {
            alias: explicit_alias.unwrap_or_else(|| Name::from(last)),
            target: ImportTarget::Folder(Name::from(folder)),
        });
    }
    let words: Vec<&str> = path
        .child_tokens()
        .filter(|token| token.kind() == IDENT)
        .map(|token| token.text())
        .collect();
    let (first, rest) = words.split_first()?;
    if *first != "std" || rest.is_empty() {
        return None;
    }
    Some(Import {
        alias: explicit_alias
            .unwrap_or_else(|| Name::from(*rest.last().expect("checked non-empty"))),
        target: ImportTarget::Stdlib(Name::from(rest.join("."))),
    })
}
