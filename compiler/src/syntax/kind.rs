//! `SyntaxKind`: one enum for every token and node kind of the syntax tree.
//!
//! Tokens come first (the lexer produces them), then nodes (the parser produces them).
//! Contextual keywords (`cluster`, `app`, `region`, ...) are lexed as `IDENT` and
//! re-tagged by the parser when it uses them as keywords, so `env = dev` inside a
//! body stays a field named `env`.

#[allow(non_camel_case_types)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum SyntaxKind {
    // ---- trivia -------------------------------------------------------------------
    WHITESPACE,
    COMMENT,
    /// `/// text`: documents the declaration, field or variant below it.
    DOC_COMMENT,
    /// `//! text`: documents the file it is in.
    MODULE_DOC_COMMENT,

    // ---- literals and names -------------------------------------------------------
    IDENT,
    /// A number without a suffix: `3`, `1_000`, `0.5`.
    NUMBER,
    /// A number with a suffix, one token: `30s`, `10%`, `500m`, `2Gi`, `1h30m`.
    /// The type checker decides what the suffix means.
    QUANTITY,

    // ---- strings ------------------------------------------------------------------
    STRING_START,
    STRING_END,
    /// `"""`, opening a multi-line string.
    TRIPLE_START,
    TRIPLE_END,
    STRING_TEXT,
    /// `\n`, `\"`, `\$`, `\u{1F680}`, ...
    STRING_ESCAPE,
    /// `${`
    INTERP_START,
    /// The `}` closing an interpolation.
    INTERP_END,

    // ---- punctuation --------------------------------------------------------------
    L_BRACE,
    R_BRACE,
    L_BRACK,
    R_BRACK,
    L_PAREN,
    R_PAREN,
    COMMA,
    DOT,
    DOT2,
    COLON,
    EQ,
    PLUS_EQ,
    MINUS_EQ,
    EQ2,
    NEQ,
    LT,
    LE,
    GT,
    GE,
    PLUS,
    MINUS,
    STAR,
    SLASH,
    PERCENT,
    ARROW,
    AT,
    QUESTION,
    PIPE,

    // ---- reserved keywords --------------------------------------------------------
    IMPORT_KW,
    AS_KW,
    LET_KW,
    FOR_KW,
    IN_KW,
    IF_KW,
    THEN_KW,
    ELSE_KW,
    AND_KW,
    OR_KW,
    NOT_KW,
    WHERE_KW,
    TRUE_KW,
    FALSE_KW,

    // ---- contextual keywords (lexed as IDENT, re-tagged by the parser) -------------
    FLEET_KW,
    ENV_KW,
    TEAM_KW,
    CLUSTER_KW,
    APP_KW,
    OVERLAY_KW,
    PROMOTION_KW,
    POLICY_KW,
    MANIFEST_KW,
    TEMPLATE_KW,
    TYPE_KW,
    ENUM_KW,
    REQUIRE_KW,
    REGION_KW,

    /// Characters that start no token (`#`, `;`, `&`, ...), one token per run.
    ERROR_TOKEN,

    // ---- nodes --------------------------------------------------------------------
    SOURCE_FILE,
    /// Tokens the parser could not place; a diagnostic always says why.
    ERROR,

    IMPORT,
    IMPORT_PATH,
    LET,
    TYPE_DECL,
    ENUM_DECL,
    /// `{ aws, gcp, azure }` of an enum.
    VARIANT_LIST,
    VARIANT,
    TEMPLATE_DECL,
    FLEET_DECL,
    ENV_DECL,
    TEAM_DECL,
    CLUSTER_DECL,
    APP_DECL,
    OVERLAY_DECL,
    PROMOTION_DECL,
    POLICY_DECL,
    MANIFEST_DECL,
    REQUIRE,
    /// `for e in envs, r in regions { declarations }`
    FOR_ITEM,
    /// `e in envs`, in a `for` item or a comprehension.
    FOR_BINDING,

    /// The name of a declaration: an identifier or a string (`"${e}-${r}"`).
    NAME,
    /// `: Type` after a declaration's name.
    TYPE_ANNOTATION,
    /// `@ production, region "eu-west-1"` on an overlay.
    LAYER_LIST,
    ENV_LAYER,
    REGION_LAYER,
    CLUSTER_LAYER,

    /// `{ fields }` of a declaration or block.
    BODY,
    /// `key = value`, `key += value`, `key -= value`.
    FIELD,
    /// `a.b.c` on the left of a field: names (tokens) and strings (nodes) between dots.
    FIELD_PATH,
    /// `key label* { fields }`: `workload { ... }`, `gate staging { ... }`.
    BLOCK,
    BLOCK_LABEL,

    // types
    RECORD_TYPE,
    FIELD_DECL,
    PATH_TYPE,
    TYPE_ARGS,
    LIST_TYPE,
    OPTIONAL_TYPE,
    UNION_TYPE,
    LITERAL_TYPE,
    PAREN_TYPE,

    // expressions
    LITERAL,
    STRING,
    INTERPOLATION,
    NAME_REF,
    LIST_EXPR,
    COMPREHENSION,
    RECORD_EXPR,
    PAREN_EXPR,
    IF_EXPR,
    PREFIX_EXPR,
    /// A run of one precedence level: `a + b - c` is one node, so a long chain
    /// does not make the tree deep.
    BINARY_EXPR,
    WHERE_EXPR,
    CALL_EXPR,
    ARG_LIST,
    NAMED_ARG,
    FIELD_EXPR,
    INDEX_EXPR,
}

use SyntaxKind::*;

impl SyntaxKind {
    pub fn is_trivia(self) -> bool {
        matches!(
            self,
            WHITESPACE | COMMENT | DOC_COMMENT | MODULE_DOC_COMMENT
        )
    }

    pub fn is_comment(self) -> bool {
        matches!(self, COMMENT | DOC_COMMENT | MODULE_DOC_COMMENT)
    }

    pub fn is_token(self) -> bool {
        (self as u8) <= (ERROR_TOKEN as u8)
    }

    pub fn is_reserved_keyword(self) -> bool {
        (IMPORT_KW as u8..=FALSE_KW as u8).contains(&(self as u8))
    }

    pub fn is_contextual_keyword(self) -> bool {
        (FLEET_KW as u8..=REGION_KW as u8).contains(&(self as u8))
    }

    /// Nodes that take the comments written on the lines just above them, so a
    /// comment moves with the declaration or field it describes.
    pub fn takes_leading_comments(self) -> bool {
        matches!(
            self,
            IMPORT
                | LET
                | TYPE_DECL
                | ENUM_DECL
                | VARIANT
                | TEMPLATE_DECL
                | FLEET_DECL
                | ENV_DECL
                | TEAM_DECL
                | CLUSTER_DECL
                | APP_DECL
                | OVERLAY_DECL
                | PROMOTION_DECL
                | POLICY_DECL
                | MANIFEST_DECL
                | REQUIRE
                | FOR_ITEM
                | FIELD
                | BLOCK
                | FIELD_DECL
        )
    }

    /// How the kind reads in a message: `` `{` ``, `an identifier`, ...
    pub fn describe(self) -> &'static str {
        match self {
            WHITESPACE => "white space",
            COMMENT | DOC_COMMENT | MODULE_DOC_COMMENT => "a comment",
            IDENT => "a name",
            NUMBER => "a number",
            QUANTITY => "a number with a unit",
            STRING_START | TRIPLE_START => "a string",
            STRING_END | TRIPLE_END => "the end of the string",
            STRING_TEXT | STRING_ESCAPE => "string text",
            INTERP_START => "`${`",
            INTERP_END => "`}`",
            L_BRACE => "`{`",
            R_BRACE => "`}`",
            L_BRACK => "`[`",
            R_BRACK => "`]`",
            L_PAREN => "`(`",
            R_PAREN => "`)`",
            COMMA => "`,`",
            DOT => "`.`",
            DOT2 => "`..`",
            COLON => "`:`",
            EQ => "`=`",
            PLUS_EQ => "`+=`",
            MINUS_EQ => "`-=`",
            EQ2 => "`==`",
            NEQ => "`!=`",
            LT => "`<`",
            LE => "`<=`",
            GT => "`>`",
            GE => "`>=`",
            PLUS => "`+`",
            MINUS => "`-`",
            STAR => "`*`",
            SLASH => "`/`",
            PERCENT => "`%`",
            ARROW => "`->`",
            AT => "`@`",
            QUESTION => "`?`",
            PIPE => "`|`",
            IMPORT_KW => "`import`",
            AS_KW => "`as`",
            LET_KW => "`let`",
            FOR_KW => "`for`",
            IN_KW => "`in`",
            IF_KW => "`if`",
            THEN_KW => "`then`",
            ELSE_KW => "`else`",
            AND_KW => "`and`",
            OR_KW => "`or`",
            NOT_KW => "`not`",
            WHERE_KW => "`where`",
            TRUE_KW => "`true`",
            FALSE_KW => "`false`",
            FLEET_KW => "`fleet`",
            ENV_KW => "`env`",
            TEAM_KW => "`team`",
            CLUSTER_KW => "`cluster`",
            APP_KW => "`app`",
            OVERLAY_KW => "`overlay`",
            PROMOTION_KW => "`promotion`",
            POLICY_KW => "`policy`",
            MANIFEST_KW => "`manifest`",
            TEMPLATE_KW => "`template`",
            TYPE_KW => "`type`",
            ENUM_KW => "`enum`",
            REQUIRE_KW => "`require`",
            REGION_KW => "`region`",
            ERROR_TOKEN => "an unknown character",
            _ => "a syntax node",
        }
    }
}

/// The reserved keywords, by their text. Everything else that looks like a name is
/// an identifier, including the declaration words.
pub fn reserved_keyword(text: &str) -> Option<SyntaxKind> {
    Some(match text {
        "import" => IMPORT_KW,
        "as" => AS_KW,
        "let" => LET_KW,
        "for" => FOR_KW,
        "in" => IN_KW,
        "if" => IF_KW,
        "then" => THEN_KW,
        "else" => ELSE_KW,
        "and" => AND_KW,
        "or" => OR_KW,
        "not" => NOT_KW,
        "where" => WHERE_KW,
        "true" => TRUE_KW,
        "false" => FALSE_KW,
        _ => return None,
    })
}

/// The declaration keywords that may start a top-level item, by their text.
pub fn declaration_keyword(text: &str) -> Option<SyntaxKind> {
    Some(match text {
        "fleet" => FLEET_KW,
        "env" => ENV_KW,
        "team" => TEAM_KW,
        "cluster" => CLUSTER_KW,
        "app" => APP_KW,
        "overlay" => OVERLAY_KW,
        "promotion" => PROMOTION_KW,
        "policy" => POLICY_KW,
        "manifest" => MANIFEST_KW,
        "template" => TEMPLATE_KW,
        "type" => TYPE_KW,
        "enum" => ENUM_KW,
        "require" => REQUIRE_KW,
        _ => return None,
    })
}

/// Every word that starts a top-level item, for did-you-mean on a misspelt one.
pub const ITEM_WORDS: &[&str] = &[
    "import",
    "let",
    "for",
    "fleet",
    "env",
    "team",
    "cluster",
    "app",
    "overlay",
    "promotion",
    "policy",
    "manifest",
    "template",
    "type",
    "enum",
    "require",
];
