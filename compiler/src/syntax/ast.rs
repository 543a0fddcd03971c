//! Typed views over the syntax tree (`ClusterDecl`, `Field`, ...): a node of the
//! right kind with accessors, so later stages ask `decl.name()` instead of walking
//! children by kind. Missing pieces (a half-typed file) come back as `None`.

use super::kind::{SyntaxKind, SyntaxKind::*};
use super::tree::{SyntaxElement, SyntaxNode, SyntaxToken};

macro_rules! ast_node {
    ($(#[$doc:meta])* $name:ident: $($kind:ident)|+) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name<'t>(SyntaxNode<'t>);

        impl<'t> $name<'t> {
            pub fn cast(node: SyntaxNode<'t>) -> Option<Self> {
                matches!(node.kind(), $($kind)|+).then_some($name(node))
            }

            pub fn syntax(&self) -> SyntaxNode<'t> {
                self.0
            }
        }
    };
}

ast_node!(
    /// The whole file.
    SourceFile: SOURCE_FILE
);
ast_node!(
    /// Any declaration with a name and a body: `fleet`, `env`, `team`, `cluster`,
    /// `app`, `promotion`, `policy`, `manifest`, `template`.
    Declaration: FLEET_DECL | ENV_DECL | TEAM_DECL | CLUSTER_DECL | APP_DECL | PROMOTION_DECL | POLICY_DECL | MANIFEST_DECL | TEMPLATE_DECL
);
ast_node!(
    /// `key = value` (also `+=`, `-=`).
    Field: FIELD
);
ast_node!(
    /// `key label* { ... }`
    Block: BLOCK
);
ast_node!(
    /// `{ ... }` of a declaration or block, or a record value.
    Body: BODY | RECORD_EXPR
);

impl<'t> SourceFile<'t> {
    pub fn declarations(&self) -> impl Iterator<Item = Declaration<'t>> + use<'t> {
        self.0.children().filter_map(Declaration::cast)
    }

    /// The `//!` comments at the top of the file, without their markers.
    pub fn module_doc(&self) -> String {
        doc_text(
            self.0
                .child_tokens()
                .filter(|token| token.kind() == MODULE_DOC_COMMENT),
            "//!",
        )
    }
}

impl<'t> Declaration<'t> {
    pub fn keyword(&self) -> Option<SyntaxToken<'t>> {
        self.0
            .child_tokens()
            .find(|token| token.kind().is_contextual_keyword())
    }

    /// The name as written: an identifier, or a string with its quotes.
    pub fn name(&self) -> Option<SyntaxNode<'t>> {
        self.0.child_of_kind(NAME)
    }

    /// `: eks` after the name.
    pub fn annotation(&self) -> Option<SyntaxNode<'t>> {
        self.0
            .child_of_kind(TYPE_ANNOTATION)
            .and_then(|annotation| annotation.children().next())
    }

    pub fn body(&self) -> Option<Body<'t>> {
        self.0.child_of_kind(BODY).and_then(Body::cast)
    }

    /// The `///` comments directly above the declaration.
    pub fn doc(&self) -> String {
        doc_text(
            self.0
                .child_tokens()
                .filter(|token| token.kind() == DOC_COMMENT),
            "///",
        )
    }
}

impl<'t> Body<'t> {
    pub fn fields(&self) -> impl Iterator<Item = Field<'t>> + use<'t> {
        self.0.children().filter_map(Field::cast)
    }

    pub fn blocks(&self) -> impl Iterator<Item = Block<'t>> + use<'t> {
        self.0.children().filter_map(Block::cast)
    }
}

impl<'t> Field<'t> {
    /// The key path as text, `env.REGION` for `env.REGION = "eu"`.
    pub fn path(&self) -> String {
        key_path_text(self.0)
    }

    /// `=`, `+=` or `-=`.
    pub fn operator(&self) -> Option<SyntaxKind> {
        self.0
            .child_tokens()
            .map(|token| token.kind())
            .find(|kind| matches!(kind, EQ | PLUS_EQ | MINUS_EQ | COLON))
    }

    pub fn value(&self) -> Option<SyntaxNode<'t>> {
        self.0.children().rfind(|child| child.kind() != FIELD_PATH)
    }
}

impl<'t> Block<'t> {
    pub fn path(&self) -> String {
        key_path_text(self.0)
    }

    pub fn labels(&self) -> impl Iterator<Item = SyntaxNode<'t>> + use<'t> {
        self.0
            .children()
            .filter(|child| child.kind() == BLOCK_LABEL)
    }

    pub fn body(&self) -> Option<Body<'t>> {
        self.0.child_of_kind(BODY).and_then(Body::cast)
    }
}

fn key_path_text(node: SyntaxNode<'_>) -> String {
    let Some(path) = node.child_of_kind(FIELD_PATH) else {
        return String::new();
    };
    path.children_with_tokens()
        .filter(|element| !element.kind().is_trivia() && element.kind() != DOT)
        .map(|key| match key {
            SyntaxElement::Token(token) => token.text().to_string(),
            SyntaxElement::Node(string) => string.text().trim_matches('"').to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn doc_text<'t>(tokens: impl Iterator<Item = SyntaxToken<'t>>, marker: &str) -> String {
    tokens
        .map(|token| {
            let line = &token.text()[marker.len()..];
            line.strip_prefix(' ').unwrap_or(line)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;
    use crate::syntax::parse;

    #[test]
    fn declarations_expose_name_annotation_doc_and_fields() {
        let parse = parse(
            "//! The fleet.\n\n/// Payments' cluster.\ncluster pay-1: eks {\n  env = dev\n  workload { port = 8080 }\n  env.REGION = \"eu\"\n}\n",
            FileId(0),
        );
        assert!(parse.errors().is_empty(), "{:?}", parse.errors());
        let file = SourceFile::cast(parse.tree().root()).unwrap();
        assert_eq!(file.module_doc(), "The fleet.");
        let decl = file.declarations().next().unwrap();
        assert_eq!(decl.keyword().unwrap().text(), "cluster");
        assert_eq!(decl.name().unwrap().text(), "pay-1");
        assert_eq!(decl.annotation().unwrap().text(), "eks");
        assert_eq!(decl.doc(), "Payments' cluster.");
        let body = decl.body().unwrap();
        let fields: Vec<_> = body
            .fields()
            .map(|field| (field.path(), field.value().unwrap().text()))
            .collect();
        assert_eq!(
            fields,
            vec![
                ("env".to_string(), "dev"),
                ("env.REGION".to_string(), "\"eu\"")
            ]
        );
        assert_eq!(body.blocks().next().unwrap().path(), "workload");
    }
}

/// The pieces of a string literal: text (escapes decoded) and interpolations.
#[derive(Clone, Copy, Debug)]
pub enum StringPart<'t> {
    Text(&'t str),
    /// An escape such as `\n`, decoded to its character (`None` if invalid).
    Escape(Option<char>),
    /// The expression inside `${...}`.
    Interpolation(Option<SyntaxNode<'t>>),
}

/// The parts of a `STRING` node, in order. A `"""` string drops the line break
/// after its opening quotes and the indentation of its closing line from every
/// line (see `docs/language.md`).
pub fn string_parts(string: SyntaxNode<'_>) -> impl Iterator<Item = StringPart<'_>> {
    string
        .children_with_tokens()
        .filter_map(|element| match element {
            super::SyntaxElement::Token(token) => match token.kind() {
                STRING_TEXT => Some(StringPart::Text(token.text())),
                STRING_ESCAPE => Some(StringPart::Escape(decode_escape(token.text()))),
                _ => None,
            },
            super::SyntaxElement::Node(node) if node.kind() == INTERPOLATION => {
                Some(StringPart::Interpolation(node.children().next()))
            }
            super::SyntaxElement::Node(_) => None,
        })
}

/// Whether the string is a `"""` string.
pub fn is_multi_line(string: SyntaxNode<'_>) -> bool {
    string
        .first_significant_token()
        .is_some_and(|token| token.kind() == TRIPLE_START)
}

/// The value of a string without interpolation (escapes decoded, `"""` strings
/// de-indented); `None` when it interpolates or has an invalid escape.
pub fn plain_string(string: SyntaxNode<'_>) -> Option<String> {
    let mut out = String::new();
    for part in string_parts(string) {
        match part {
            StringPart::Text(text) => out.push_str(text),
            StringPart::Escape(Some(character)) => out.push(character),
            StringPart::Escape(None) | StringPart::Interpolation(_) => return None,
        }
    }
    Some(if is_multi_line(string) {
        dedent(&out)
    } else {
        out
    })
}

pub fn decode_escape(text: &str) -> Option<char> {
    let rest = text.strip_prefix('\\')?;
    Some(match rest {
        "n" => '\n',
        "r" => '\r',
        "t" => '\t',
        "\\" => '\\',
        "\"" => '"',
        "$" => '$',
        _ => {
            let hex = rest.strip_prefix("u{")?.strip_suffix('}')?;
            char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
        }
    })
}

/// The text of a `"""` string as its value: without the line break after the
/// opening quotes, and without the closing line's indentation on every line.
pub fn dedent(raw: &str) -> String {
    let body = raw
        .strip_prefix("\r\n")
        .or_else(|| raw.strip_prefix('\n'))
        .unwrap_or(raw);
    let (content, indent) = match body.rfind('\n') {
        Some(last) if body[last + 1..].chars().all(|c| c == ' ' || c == '\t') => {
            (&body[..last + 1], &body[last + 1..])
        }
        _ => (body, ""),
    };
    content
        .split_inclusive('\n')
        .map(|line| {
            line.strip_prefix(indent)
                .unwrap_or(line.trim_start_matches([' ', '\t']))
        })
        .collect()
}
