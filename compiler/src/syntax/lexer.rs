//! Source text to tokens. Every byte lands in exactly one token, trivia included, so
//! the tree built from the tokens gives the text back byte for byte.
//!
//! Three logos lexers share the work, one per mode: code, a `"..."` string and a
//! `"""..."""` string. A small driver keeps the stack of modes, because `${ ... }`
//! puts code inside a string and that code may hold strings again. An interpolation
//! must close on its own line: a lost `}` then spoils one line, not the file.

use crate::diagnostics::{Diagnostic, Span, code};
use crate::source::FileId;
use crate::syntax::MAX_ERRORS_PER_FILE;
use crate::syntax::kind::{SyntaxKind, SyntaxKind::*, reserved_keyword};
use logos::Logos;
use text_size::{TextRange, TextSize};

/// The tokens of one file, as parallel arrays: `kinds[i]` starts at `starts[i]`
/// and ends where the next token starts (`starts` has one extra entry, the length).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lexed {
    pub kinds: Vec<SyntaxKind>,
    pub starts: Vec<u32>,
    /// The tokens the parser reads (all but trivia and unknown characters): their
    /// raw indices, kinds, and whether a line break comes before each.
    pub significant: Vec<u32>,
    pub significant_kinds: Vec<SyntaxKind>,
    pub newline_before: Vec<bool>,
    /// The first `MAX_ERRORS_PER_FILE` lexical errors.
    pub errors: Vec<Diagnostic>,
    /// How many more there were.
    pub suppressed_errors: usize,
}

impl Lexed {
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    pub fn range(&self, index: usize) -> TextRange {
        TextRange::new(self.starts[index].into(), self.starts[index + 1].into())
    }

    pub fn text<'t>(&self, source: &'t str, index: usize) -> &'t str {
        &source[self.starts[index] as usize..self.starts[index + 1] as usize]
    }
}

#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
enum CodeToken {
    #[regex(r"[ \t\r\n]+")]
    Whitespace,
    #[regex(r"//[^\n]*", allow_greedy = true)]
    Comment,
    #[regex(r"#[^\n]*", allow_greedy = true)]
    HashComment,
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*")]
    Ident,
    #[regex(r"[0-9][0-9_]*(\.[0-9][0-9_]*)?")]
    Number,
    #[regex(r"[0-9][0-9_]*(\.[0-9][0-9_]*)?(%|[A-Za-z][A-Za-z0-9]*)")]
    Quantity,
    #[token("\"\"\"")]
    TripleQuote,
    #[token("\"")]
    Quote,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("[")]
    LBrack,
    #[token("]")]
    RBrack,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token(",")]
    Comma,
    #[token(".")]
    Dot,
    #[token("..")]
    Dot2,
    #[token(":")]
    Colon,
    #[token("=")]
    Eq,
    #[token("+=")]
    PlusEq,
    #[token("-=")]
    MinusEq,
    #[token("==")]
    Eq2,
    #[token("!=")]
    Neq,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("->")]
    Arrow,
    #[token("@")]
    At,
    #[token("?")]
    Question,
    #[token("|")]
    Pipe,
    /// Operators from other languages, read as `and`, `or`, `not` after an error,
    /// so the rest of the expression parses.
    #[token("&&")]
    AmpAmp,
    #[token("||")]
    PipePipe,
    #[token("!")]
    Bang,
    /// A byte order mark: white space at the start of the file, an error elsewhere.
    #[token("\u{feff}")]
    ByteOrderMark,
}

/// How far `quote_closes_outer_string` looks for a `}`.
const LOOKAHEAD_FOR_BRACE: usize = 256;

/// Inside `"..."`: a string may not span lines.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
enum StringToken {
    #[regex(r#"[^"\\$\n]+"#)]
    Text,
    #[token("$")]
    Dollar,
    #[token("${")]
    InterpStart,
    #[regex(r"\\[^\n]")]
    Escape,
    #[regex(r"\\u\{[^}\n]*\}?")]
    UnicodeEscape,
    #[token("\\")]
    LoneBackslash,
    #[token("\"")]
    End,
    #[token("\n")]
    Newline,
}

/// Inside `"""..."""`: newlines and single quotes are text.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
enum TripleToken {
    #[regex(r#"[^"\\$]+"#)]
    Text,
    #[token("\"")]
    Quote,
    #[token("\"\"")]
    Quotes,
    #[token("$")]
    Dollar,
    #[token("${")]
    InterpStart,
    #[regex(r"\\[^\n]")]
    Escape,
    #[regex(r"\\u\{[^}\n]*\}?")]
    UnicodeEscape,
    #[token("\\")]
    LoneBackslash,
    #[token("\"\"\"")]
    End,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Code at the top of the file, or inside an interpolation (with the count of
    /// `{` opened inside it and the offset of its `${`).
    Code {
        interpolation: Option<(u32, u32)>,
    },
    /// A string, with the offset of its opening quote.
    Single {
        start: u32,
    },
    Triple {
        start: u32,
    },
}

struct Driver<'s> {
    source: &'s str,
    file: FileId,
    kinds: Vec<SyntaxKind>,
    starts: Vec<u32>,
    significant: Vec<u32>,
    significant_kinds: Vec<SyntaxKind>,
    newline_before: Vec<bool>,
    /// Whether a line break was seen since the last significant token.
    saw_newline: bool,
    errors: Vec<Diagnostic>,
    suppressed_errors: usize,
    modes: Vec<Mode>,
}

pub fn lex(source: &str, file: FileId) -> Lexed {
    assert!(
        source.len() <= u32::MAX as usize,
        "callers refuse larger files (source::decode)"
    );
    let mut driver = Driver {
        source,
        file,
        kinds: Vec::with_capacity(source.len() / 2 + 16),
        starts: Vec::with_capacity(source.len() / 2 + 17),
        significant: Vec::with_capacity(source.len() / 4 + 16),
        significant_kinds: Vec::with_capacity(source.len() / 4 + 16),
        newline_before: Vec::with_capacity(source.len() / 4 + 16),
        saw_newline: false,
        errors: Vec::new(),
        suppressed_errors: 0,
        modes: vec![Mode::Code {
            interpolation: None,
        }],
    };
    driver.run();
    driver.starts.push(source.len() as u32);
    Lexed {
        kinds: driver.kinds,
        starts: driver.starts,
        significant: driver.significant,
        significant_kinds: driver.significant_kinds,
        newline_before: driver.newline_before,
        errors: driver.errors,
        suppressed_errors: driver.suppressed_errors,
    }
}

impl<'s> Driver<'s> {
    fn run(&mut self) {
        let mut pos = 0usize;
        while pos < self.source.len() {
            let mode = *self.modes.last().expect("the code mode is never popped");
            pos = match mode {
                Mode::Code { interpolation } => self.lex_code(pos, interpolation),
                Mode::Single { start } => self.lex_single(pos, start),
                Mode::Triple { .. } => self.lex_triple(pos),
            };
        }
        // End of file inside a string or an interpolation.
        while self.modes.len() > 1 {
            match self.modes.pop() {
                Some(Mode::Single { start }) | Some(Mode::Triple { start }) => {
                    self.unterminated_string(start)
                }
                Some(Mode::Code {
                    interpolation: Some((_, start)),
                }) => self.unterminated_interpolation(start),
                _ => {}
            }
        }
    }

    fn push(&mut self, kind: SyntaxKind, start: usize) {
        // Adjacent pieces of the same kind of text make one token.
        if matches!(kind, STRING_TEXT | ERROR_TOKEN) && self.kinds.last() == Some(&kind) {
            return;
        }
        if !(kind.is_trivia() || kind == ERROR_TOKEN) {
            self.significant.push(self.kinds.len() as u32);
            self.significant_kinds.push(kind);
            self.newline_before
                .push(std::mem::take(&mut self.saw_newline));
        }
        self.kinds.push(kind);
        self.starts.push(start as u32);
    }

    /// Lexes code from `pos` until the mode changes; returns where it stopped.
    fn lex_code(&mut self, pos: usize, interpolation: Option<(u32, u32)>) -> usize {
        let mut lexer = CodeToken::lexer(&self.source[pos..]);
        let mut depth = interpolation.map(|(depth, _)| depth);
        while let Some(result) = lexer.next() {
            let span = lexer.span();
            let start = pos + span.start;
            let end = pos + span.end;
            let token = match result {
                Ok(token) => token,
                Err(()) => {
                    self.unknown_character(start, end);
                    continue;
                }
            };
            let kind = match token {
                CodeToken::Whitespace => {
                    let has_newline = lexer.slice().contains('\n');
                    if let Some((_, interp_start)) = interpolation
                        && has_newline
                    {
                        // The interpolation did not close on its line: give up on
                        // it and on its string, and go on as code after them.
                        let newline = start + lexer.slice().find('\n').unwrap_or(0);
                        if newline > start {
                            self.push(WHITESPACE, start);
                        }
                        self.unterminated_interpolation(interp_start);
                        self.pop_interpolation_and_string();
                        return newline;
                    }
                    self.saw_newline |= has_newline;
                    WHITESPACE
                }
                CodeToken::Comment => classify_comment(lexer.slice()),
                CodeToken::HashComment => {
                    self.error(
                        Diagnostic::new(code::E0011, "`#` does not start a comment")
                            .with_primary(self.span(start, end), "this line starts with `#`")
                            .with_help("comments start with `//`"),
                    );
                    ERROR_TOKEN
                }
                CodeToken::Ident => reserved_keyword(lexer.slice()).unwrap_or(IDENT),
                CodeToken::Number => NUMBER,
                CodeToken::Quantity => QUANTITY,
                CodeToken::Quote
                    if interpolation.is_some() && self.quote_closes_outer_string(end) =>
                {
                    let (_, interp_start) = interpolation.expect("checked above");
                    self.unterminated_interpolation(interp_start);
                    self.modes.pop();
                    self.push(STRING_END, start);
                    self.modes.pop();
                    return end;
                }
                CodeToken::Quote => {
                    self.push(STRING_START, start);
                    self.modes.push(Mode::Single {
                        start: start as u32,
                    });
                    return end;
                }
                CodeToken::TripleQuote => {
                    self.push(TRIPLE_START, start);
                    self.modes.push(Mode::Triple {
                        start: start as u32,
                    });
                    return end;
                }
                CodeToken::LBrace => {
                    if let Some(depth) = depth.as_mut() {
                        *depth += 1;
                    }
                    L_BRACE
                }
                CodeToken::RBrace => match depth.as_mut() {
                    Some(0) => {
                        self.push(INTERP_END, start);
                        self.modes.pop();
                        return end;
                    }
                    Some(depth) => {
                        *depth -= 1;
                        R_BRACE
                    }
                    None => R_BRACE,
                },
                CodeToken::LBrack => L_BRACK,
                CodeToken::RBrack => R_BRACK,
                CodeToken::LParen => L_PAREN,
                CodeToken::RParen => R_PAREN,
                CodeToken::Comma => COMMA,
                CodeToken::Dot => DOT,
                CodeToken::Dot2 => DOT2,
                CodeToken::Colon => COLON,
                CodeToken::Eq => EQ,
                CodeToken::PlusEq => PLUS_EQ,
                CodeToken::MinusEq => MINUS_EQ,
                CodeToken::Eq2 => EQ2,
                CodeToken::Neq => NEQ,
                CodeToken::Lt => LT,
                CodeToken::Le => LE,
                CodeToken::Gt => GT,
                CodeToken::Ge => GE,
                CodeToken::Plus => PLUS,
                CodeToken::Minus => MINUS,
                CodeToken::Star => STAR,
                CodeToken::Slash => SLASH,
                CodeToken::Percent => PERCENT,
                CodeToken::Arrow => ARROW,
                CodeToken::At => AT,
                CodeToken::Question => QUESTION,
                CodeToken::Pipe => PIPE,
                CodeToken::AmpAmp => self.foreign_operator(start, end, AND_KW, "and"),
                CodeToken::PipePipe => self.foreign_operator(start, end, OR_KW, "or"),
                CodeToken::Bang => self.foreign_operator(start, end, NOT_KW, "not"),
                CodeToken::ByteOrderMark if start == 0 => WHITESPACE,
                CodeToken::ByteOrderMark => {
                    self.unknown_character(start, end);
                    continue;
                }
            };
            self.push(kind, start);
            // Keep the brace depth of this interpolation in its mode, so a string
            // nested inside it comes back to the right count.
            if let (
                Some(depth),
                Some(Mode::Code {
                    interpolation: Some((saved, _)),
                }),
            ) = (depth, self.modes.last_mut())
            {
                *saved = depth;
            }
        }
        self.source.len()
    }

    fn lex_single(&mut self, pos: usize, string_start: u32) -> usize {
        let mut lexer = StringToken::lexer(&self.source[pos..]);
        while let Some(result) = lexer.next() {
            let span = lexer.span();
            let start = pos + span.start;
            let end = pos + span.end;
            match result {
                Ok(StringToken::Text | StringToken::Dollar) => self.push(STRING_TEXT, start),
                Ok(
                    StringToken::Escape | StringToken::UnicodeEscape | StringToken::LoneBackslash,
                ) => self.escape(lexer.slice(), start, end),
                Ok(StringToken::InterpStart) => return self.open_interpolation(start, end),
                Ok(StringToken::End) => {
                    self.push(STRING_END, start);
                    self.modes.pop();
                    return end;
                }
                Ok(StringToken::Newline) => {
                    // The newline is not part of the string: it is white space after it.
                    self.unterminated_string(string_start);
                    self.modes.pop();
                    return start;
                }
                Err(()) => self.push(STRING_TEXT, start),
            }
        }
        self.source.len()
    }

    fn lex_triple(&mut self, pos: usize) -> usize {
        let mut lexer = TripleToken::lexer(&self.source[pos..]);
        while let Some(result) = lexer.next() {
            let span = lexer.span();
            let start = pos + span.start;
            let end = pos + span.end;
            match result {
                Ok(
                    TripleToken::Text
                    | TripleToken::Dollar
                    | TripleToken::Quote
                    | TripleToken::Quotes,
                ) => self.push(STRING_TEXT, start),
                Ok(
                    TripleToken::Escape | TripleToken::UnicodeEscape | TripleToken::LoneBackslash,
                ) => self.escape(lexer.slice(), start, end),
                Ok(TripleToken::InterpStart) => return self.open_interpolation(start, end),
                Ok(TripleToken::End) => {
                    self.push(TRIPLE_END, start);
                    self.modes.pop();
                    return end;
                }
                Err(()) => self.push(STRING_TEXT, start),
            }
        }
        self.source.len()
    }

    /// `${` in a string: code until its `}`. Returns where lexing goes on.
    fn open_interpolation(&mut self, start: usize, end: usize) -> usize {
        self.push(INTERP_START, start);
        self.modes.push(Mode::Code {
            interpolation: Some((0, start as u32)),
        });
        end
    }

    fn escape(&mut self, text: &str, start: usize, end: usize) {
        self.push(STRING_ESCAPE, start);
        if let Some(problem) = escape_problem(text) {
            self.error(
                Diagnostic::new(code::E0006, "invalid escape sequence")
                    .with_primary(self.span(start, end), problem)
                    .with_help(
                        r#"the escapes are \" \\ \n \r \t \$ and \u{...} with 1 to 6 hex digits"#,
                    ),
            );
        }
    }

    /// Leaves an interpolation that did not close on its line. A one-line string
    /// ends with it; a `"""` string goes on.
    fn foreign_operator(
        &mut self,
        start: usize,
        end: usize,
        kind: SyntaxKind,
        word: &str,
    ) -> SyntaxKind {
        let written = &self.source[start..end];
        self.error(
            Diagnostic::new(code::E0003, format!("`{written}` is written `{word}`"))
                .with_primary(
                    self.span(start, end),
                    format!("this is `{word}` in other languages"),
                )
                .with_help(format!("write `{word}`")),
        );
        kind
    }

    fn error(&mut self, diagnostic: Diagnostic) {
        if self.errors.len() < MAX_ERRORS_PER_FILE {
            self.errors.push(diagnostic);
        } else {
            self.suppressed_errors += 1;
        }
    }

    fn pop_interpolation_and_string(&mut self) {
        self.modes.pop();
        if matches!(self.modes.last(), Some(Mode::Single { .. })) {
            self.modes.pop();
        }
    }

    /// Inside `"...${` a `"` with no `}` after it on the line most likely closes
    /// the string whose interpolation lost its `}` (`"prod-${region"`), rather than
    /// opening a string nested in the interpolation. Looks a bounded distance ahead.
    fn quote_closes_outer_string(&self, after_quote: usize) -> bool {
        if !matches!(self.modes.iter().rev().nth(1), Some(Mode::Single { .. })) {
            return false;
        }
        let rest = &self.source.as_bytes()[after_quote..];
        let window = &rest[..rest.len().min(LOOKAHEAD_FOR_BRACE)];
        match window.iter().position(|&b| b == b'}' || b == b'\n') {
            Some(at) => window[at] == b'\n',
            None => window.len() == rest.len(),
        }
    }

    fn unknown_character(&mut self, start: usize, end: usize) {
        let merged = self.kinds.last() == Some(&ERROR_TOKEN);
        self.push(ERROR_TOKEN, start);
        if merged {
            // One diagnostic per run of unknown characters: widen the last one.
            if let Some(last) = self.errors.last_mut()
                && last.code == code::E0003
                && let Some(label) = last.primary.as_mut()
                && u32::from(label.span.range.end()) == start as u32
            {
                label.span.range =
                    TextRange::new(label.span.range.start(), TextSize::from(end as u32));
                last.message = "unknown characters".to_string();
                label.message = "these characters start no token".to_string();
                return;
            }
        }
        let character = self.source[start..end].chars().next().unwrap_or('?');
        let mut diagnostic = Diagnostic::new(code::E0003, "unknown character")
            .with_primary(self.span(start, end), "this character starts no token");
        if let Some(help) = unknown_character_help(character) {
            diagnostic = diagnostic.with_help(help);
        }
        self.error(diagnostic);
    }

    fn unterminated_string(&mut self, start: u32) {
        let triple = self.source[start as usize..].starts_with("\"\"\"");
        let quote_len = if triple { 3 } else { 1 };
        let help = if triple {
            "close it with `\"\"\"`"
        } else {
            "close it with `\"` on the same line; a string over several lines is written `\"\"\"...\"\"\"`"
        };
        self.error(
            Diagnostic::new(code::E0004, "unterminated string")
                .with_primary(
                    Span::new(
                        self.file,
                        TextRange::at(start.into(), TextSize::from(quote_len)),
                    ),
                    "this string is never closed",
                )
                .with_help(help),
        );
    }

    fn unterminated_interpolation(&mut self, start: u32) {
        self.error(
            Diagnostic::new(code::E0005, "unterminated interpolation")
                .with_primary(
                    Span::new(self.file, TextRange::at(start.into(), 2.into())),
                    "this `${` is never closed on its line",
                )
                .with_help("close it with `}` before the end of the line"),
        );
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(
            self.file,
            TextRange::new((start as u32).into(), (end as u32).into()),
        )
    }
}

fn classify_comment(text: &str) -> SyntaxKind {
    if text.starts_with("///") && !text.starts_with("////") {
        DOC_COMMENT
    } else if text.starts_with("//!") {
        MODULE_DOC_COMMENT
    } else {
        COMMENT
    }
}

/// What is wrong with an escape sequence, or `None` when it is valid.
fn escape_problem(text: &str) -> Option<String> {
    let rest = &text[1..];
    match rest.chars().next() {
        Some('"' | '\\' | 'n' | 'r' | 't' | '$') if rest.len() == 1 => None,
        Some('u') if rest.len() == 1 => Some("`\\u` needs braces: `\\u{1F680}`".to_string()),
        Some('u') => {
            let Some(hex) = rest
                .strip_prefix("u{")
                .and_then(|hex| hex.strip_suffix('}'))
            else {
                return Some("this `\\u{` is not closed with `}`".to_string());
            };
            if hex.is_empty() {
                return Some("`\\u{}` has no hex digits".to_string());
            }
            if hex.len() > 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                return Some(format!("`{hex}` is not 1 to 6 hex digits"));
            }
            match u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                Some(_) => None,
                None => Some(format!("U+{hex} is not a Unicode scalar value")),
            }
        }
        None => Some("a `\\` at the end of a line escapes nothing".to_string()),
        Some(other) => Some(format!("`\\{other}` is not an escape")),
    }
}

fn unknown_character_help(character: char) -> Option<&'static str> {
    Some(match character {
        ';' => "fields are separated by new lines or commas; no `;` is needed",
        '&' => "write `and`",
        '\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}' => {
            "this is a typographic quote; strings use straight double quotes: \"text\""
        }
        '\'' => "strings use double quotes: \"text\"",
        '`' => "strings use double quotes: \"text\"",
        '$' => "`${...}` interpolates only inside a string",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(SyntaxKind, &str)> {
        let lexed = lex(text, FileId(0));
        (0..lexed.len())
            .map(|i| (lexed.kinds[i], lexed.text(text, i)))
            .collect()
    }

    fn significant(text: &str) -> Vec<(SyntaxKind, &str)> {
        kinds(text)
            .into_iter()
            .filter(|(kind, _)| !kind.is_trivia())
            .collect()
    }

    #[test]
    fn kebab_names_are_one_identifier_and_spaced_minus_subtracts() {
        assert_eq!(
            significant("production-asia-south1"),
            vec![(IDENT, "production-asia-south1")]
        );
        assert_eq!(
            significant("a - b"),
            vec![(IDENT, "a"), (MINUS, "-"), (IDENT, "b")]
        );
        assert_eq!(significant("a-"), vec![(IDENT, "a"), (MINUS, "-")]);
        assert_eq!(
            significant("dev->staging"),
            vec![(IDENT, "dev"), (ARROW, "->"), (IDENT, "staging")]
        );
    }

    #[test]
    fn numbers_with_units_are_one_token() {
        assert_eq!(
            significant("30s 10% 500m 2Gi 1h30m 1.5h 3 1_000"),
            vec![
                (QUANTITY, "30s"),
                (QUANTITY, "10%"),
                (QUANTITY, "500m"),
                (QUANTITY, "2Gi"),
                (QUANTITY, "1h30m"),
                (QUANTITY, "1.5h"),
                (NUMBER, "3"),
                (NUMBER, "1_000"),
            ]
        );
        assert_eq!(
            significant("i % 3"),
            vec![(IDENT, "i"), (PERCENT, "%"), (NUMBER, "3")]
        );
        assert_eq!(
            significant("1..10"),
            vec![(NUMBER, "1"), (DOT2, ".."), (NUMBER, "10")]
        );
    }

    #[test]
    fn keywords_are_whole_words() {
        assert_eq!(
            significant("if iffy in"),
            vec![(IF_KW, "if"), (IDENT, "iffy"), (IN_KW, "in")]
        );
        assert_eq!(significant("cluster"), vec![(IDENT, "cluster")]);
    }

    #[test]
    fn comments_and_doc_comments() {
        assert_eq!(
            kinds("/// doc\n// plain\n//! module\n//// plain too"),
            vec![
                (DOC_COMMENT, "/// doc"),
                (WHITESPACE, "\n"),
                (COMMENT, "// plain"),
                (WHITESPACE, "\n"),
                (MODULE_DOC_COMMENT, "//! module"),
                (WHITESPACE, "\n"),
                (COMMENT, "//// plain too"),
            ]
        );
    }

    #[test]
    fn interpolation_nests_strings_and_braces() {
        assert_eq!(
            significant(r#""a${ {x = "b${c}"}.x }d""#),
            vec![
                (STRING_START, "\""),
                (STRING_TEXT, "a"),
                (INTERP_START, "${"),
                (L_BRACE, "{"),
                (IDENT, "x"),
                (EQ, "="),
                (STRING_START, "\""),
                (STRING_TEXT, "b"),
                (INTERP_START, "${"),
                (IDENT, "c"),
                (INTERP_END, "}"),
                (STRING_END, "\""),
                (R_BRACE, "}"),
                (DOT, "."),
                (IDENT, "x"),
                (INTERP_END, "}"),
                (STRING_TEXT, "d"),
                (STRING_END, "\""),
            ]
        );
    }

    #[test]
    fn dollar_without_brace_and_escapes_are_text() {
        assert_eq!(
            significant(r#""$x \$ \n \u{1F680}""#),
            vec![
                (STRING_START, "\""),
                (STRING_TEXT, "$x "),
                (STRING_ESCAPE, "\\$"),
                (STRING_TEXT, " "),
                (STRING_ESCAPE, "\\n"),
                (STRING_TEXT, " "),
                (STRING_ESCAPE, "\\u{1F680}"),
                (STRING_END, "\""),
            ]
        );
        assert!(lex(r#""\q \u{110000} \u{zz}""#, FileId(0)).errors.len() == 3);
    }

    #[test]
    fn unterminated_string_stops_at_the_end_of_its_line() {
        let text = "a = \"open\nb = 1";
        let lexed = lex(text, FileId(0));
        assert_eq!(lexed.errors.len(), 1);
        assert_eq!(lexed.errors[0].code, code::E0004);
        assert_eq!(
            significant(text),
            vec![
                (IDENT, "a"),
                (EQ, "="),
                (STRING_START, "\""),
                (STRING_TEXT, "open"),
                (IDENT, "b"),
                (EQ, "="),
                (NUMBER, "1"),
            ]
        );
    }

    #[test]
    fn unterminated_interpolation_stops_at_the_end_of_its_line() {
        let text = "a = \"x${y\nb = 1";
        let lexed = lex(text, FileId(0));
        assert_eq!(
            lexed.errors.iter().map(|e| e.code).collect::<Vec<_>>(),
            vec![code::E0005]
        );
        assert_eq!(significant(text).last(), Some(&(NUMBER, "1")));
    }

    #[test]
    fn triple_quoted_strings_span_lines() {
        assert_eq!(
            significant("\"\"\"a\n\"b\" ${c}\n\"\"\""),
            vec![
                (TRIPLE_START, "\"\"\""),
                (STRING_TEXT, "a\n\"b\" "),
                (INTERP_START, "${"),
                (IDENT, "c"),
                (INTERP_END, "}"),
                (STRING_TEXT, "\n"),
                (TRIPLE_END, "\"\"\""),
            ]
        );
    }

    #[test]
    fn unknown_characters_make_one_token_and_one_diagnostic_per_run() {
        let text = "a ;;; b ^";
        let lexed = lex(text, FileId(0));
        assert_eq!(
            significant(text),
            vec![
                (IDENT, "a"),
                (ERROR_TOKEN, ";;;"),
                (IDENT, "b"),
                (ERROR_TOKEN, "^")
            ]
        );
        assert_eq!(lexed.errors.len(), 2);
    }

    #[test]
    fn every_byte_is_in_a_token() {
        for text in [
            "",
            "a",
            "\"x${\"y\"}z\"",
            "\u{1F680} = 3",
            "\"\"\"open",
            "#x\n\"${",
            "\"a\\",
        ] {
            let lexed = lex(text, FileId(0));
            let joined: String = (0..lexed.len()).map(|i| lexed.text(text, i)).collect();
            assert_eq!(joined, text);
        }
    }
}
