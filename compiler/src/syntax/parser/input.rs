//! The parser's input: the significant tokens of one file (trivia left out), as a
//! `nom::Input`, with the shared state every parser function needs — the list the
//! diagnostics go into and the nesting depth.
//!
//! **Invariant:** a parser function that returns `Err` (the rule does not start
//! here) has recorded no diagnostic and consumed nothing the caller keeps. Once a
//! rule has seen its first token it always succeeds, recording what went wrong and
//! putting what it could not place in an `ERROR` node.

use crate::diagnostics::{Diagnostic, Span, code};
use crate::source::FileId;
use crate::syntax::green::Green;
use crate::syntax::kind::{SyntaxKind, SyntaxKind::*};
use crate::syntax::lexer::Lexed;
use crate::syntax::tree::TreeSink;
use std::cell::{Cell, RefCell};
use std::sync::Arc;
use text_size::{TextRange, TextSize};

/// How deeply expressions, bodies and types may nest. Deeper input is reported
/// (E0109) and skipped without recursion, so no input can exhaust the stack.
pub const MAX_NESTING: u32 = 64;

/// After this many syntax errors in one file the rest are counted, not listed.
pub const MAX_ERRORS_PER_FILE: usize = 100;

/// A marker for "this rule does not start here"; the diagnostics themselves are
/// recorded in the context, never carried by `Err`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backtrack;

impl<I> nom::error::ParseError<I> for Backtrack {
    fn from_error_kind(_: I, _: nom::error::ErrorKind) -> Self {
        Backtrack
    }
    fn append(_: I, _: nom::error::ErrorKind, _: Self) -> Self {
        Backtrack
    }
}

pub type PResult<'a, O> = nom::IResult<Input<'a>, O, Backtrack>;

pub fn backtrack<'a, O>() -> PResult<'a, O> {
    Err(nom::Err::Error(Backtrack))
}

pub struct ParseContext<'a> {
    pub source: &'a str,
    pub file: FileId,
    pub(super) lexed: &'a Lexed,
    /// Raw token index of each significant token (unknown characters, reported by
    /// the lexer, are left out with the trivia: one slip, one diagnostic).
    significant: &'a [u32],
    kinds: &'a [SyntaxKind],
    /// Whether a line break stands between this significant token and the previous one.
    newline_before: &'a [bool],
    /// The tree being built.
    pub(super) sink: RefCell<TreeSink>,
    errors: RefCell<Vec<Diagnostic>>,
    suppressed_errors: Cell<usize>,
    last_error_at: Cell<Option<TextSize>>,
    depth: Cell<u32>,
    /// Inside a `where`, `if` or `require` condition, where `=` is a slip for `==`.
    in_condition: Cell<bool>,
}

impl<'a> ParseContext<'a> {
    pub fn new(text: &'a Arc<str>, file: FileId, lexed: &'a Lexed) -> ParseContext<'a> {
        let source: &'a str = text;
        ParseContext {
            source,
            file,
            lexed,
            significant: &lexed.significant,
            kinds: &lexed.significant_kinds,
            newline_before: &lexed.newline_before,
            sink: RefCell::new(TreeSink::new(lexed)),
            errors: RefCell::new(Vec::new()),
            suppressed_errors: Cell::new(0),
            last_error_at: Cell::new(None),
            depth: Cell::new(0),
            in_condition: Cell::new(false),
        }
    }

    pub fn input(&'a self) -> Input<'a> {
        Input {
            ctx: self,
            pos: 0,
            end: self.kinds.len() as u32,
        }
    }

    /// The diagnostics recorded, and how many more there were past the limit.
    pub fn finish_errors(&self) -> (Vec<Diagnostic>, usize) {
        (self.errors.take(), self.suppressed_errors.get())
    }
}

/// A position in the significant tokens. Cheap to copy: parsers thread it through
/// as nom does with `&str`.
#[derive(Clone, Copy)]
pub struct Input<'a> {
    pub ctx: &'a ParseContext<'a>,
    pos: u32,
    end: u32,
}

impl std::fmt::Debug for Input<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Input({}..{}, at {:?})", self.pos, self.end, self.kind())
    }
}

impl<'a> Input<'a> {
    pub fn at_eof(&self) -> bool {
        self.pos >= self.end
    }

    /// The kind of the current token; `EOF` is reported as `SOURCE_FILE` so that a
    /// `match` needs no `Option`.
    pub fn kind(&self) -> SyntaxKind {
        self.nth(0)
    }

    pub fn nth(&self, n: u32) -> SyntaxKind {
        let pos = self.pos + n;
        if pos < self.end {
            self.ctx.kinds[pos as usize]
        } else {
            SOURCE_FILE
        }
    }

    pub fn at(&self, kind: SyntaxKind) -> bool {
        self.kind() == kind
    }

    /// The text of the n-th token from here ("" past the end).
    pub fn nth_text(&self, n: u32) -> &'a str {
        let pos = self.pos + n;
        if pos >= self.end {
            return "";
        }
        let raw = self.ctx.significant[pos as usize] as usize;
        self.ctx.lexed.text(self.ctx.source, raw)
    }

    pub fn text(&self) -> &'a str {
        self.nth_text(0)
    }

    /// Whether the current token is an identifier spelled `word`.
    pub fn at_word(&self, word: &str) -> bool {
        self.at(IDENT) && self.text() == word
    }

    pub fn newline_before(&self) -> bool {
        self.newline_before_nth(0)
    }

    pub fn newline_before_nth(&self, n: u32) -> bool {
        let pos = self.pos + n;
        pos < self.end && self.ctx.newline_before[pos as usize]
    }

    /// Whether the current token is the first thing on its line, in column 0. A
    /// declaration word there ends an unclosed body: indentation is a strong hint.
    pub fn at_column_zero(&self) -> bool {
        // Only the first token of a line can be in column 0 (or the file's first).
        if self.at_eof() || (self.pos > 0 && !self.newline_before()) {
            return false;
        }
        let start = self.range().start();
        let start = usize::from(start);
        start == 0 || self.ctx.source.as_bytes()[start - 1] == b'\n'
    }

    pub fn range(&self) -> TextRange {
        self.nth_range(0)
    }

    pub fn nth_range(&self, n: u32) -> TextRange {
        let pos = self.pos + n;
        if pos >= self.end {
            return TextRange::empty(TextSize::of(self.ctx.source));
        }
        self.ctx
            .lexed
            .range(self.ctx.significant[pos as usize] as usize)
    }

    /// The end of the previous significant token, where "missing X" is reported.
    pub fn previous_end(&self) -> TextSize {
        if self.pos == 0 {
            return 0.into();
        }
        self.ctx
            .lexed
            .range(self.ctx.significant[self.pos as usize - 1] as usize)
            .end()
    }

    pub fn span(&self, range: TextRange) -> Span {
        Span::new(self.ctx.file, range)
    }

    /// Consumes the current token as it was lexed.
    pub fn bump(self) -> (Input<'a>, Green) {
        let kind = self.kind();
        self.bump_as(kind)
    }

    /// Consumes the current token, tagged `kind` (a contextual keyword).
    pub fn bump_as(self, kind: SyntaxKind) -> (Input<'a>, Green) {
        debug_assert!(!self.at_eof(), "bump at the end of the input");
        let raw = self.ctx.significant[self.pos as usize];
        let token = self.ctx.sink.borrow_mut().token(raw, kind, self.ctx.lexed);
        (
            Input {
                pos: self.pos + 1,
                ..self
            },
            token,
        )
    }

    /// Records a diagnostic, unless one was already recorded at the same place
    /// (a cascade) or the file has reached its limit.
    pub fn report(&self, diagnostic: Diagnostic) {
        let at = diagnostic
            .primary
            .as_ref()
            .map(|label| label.span.range.start());
        if at.is_some() && at == self.ctx.last_error_at.get() {
            return;
        }
        self.ctx.last_error_at.set(at);
        let mut errors = self.ctx.errors.borrow_mut();
        if errors.len() >= MAX_ERRORS_PER_FILE {
            self.ctx
                .suppressed_errors
                .set(self.ctx.suppressed_errors.get() + 1);
        } else {
            errors.push(diagnostic);
        }
    }

    /// "expected X, found Y" at the current token (or just after the previous one
    /// when the current one is on a later line or is the end of the file).
    pub fn report_expected(&self, what: &str) {
        let (range, found) = self.found();
        self.report(
            Diagnostic::new(code::E0100, format!("expected {what}, found {found}"))
                .with_primary(self.span(range), format!("expected {what}")),
        );
    }

    /// Where to point at "what is here" and how to name it.
    pub fn found(&self) -> (TextRange, String) {
        if self.at_eof() {
            (
                TextRange::empty(self.previous_end()),
                "the end of the file".to_string(),
            )
        } else if self.newline_before() && !matches!(self.kind(), R_BRACE | R_BRACK | R_PAREN) {
            (
                TextRange::empty(self.previous_end()),
                "the end of the line".to_string(),
            )
        } else if self.newline_before() {
            // `replicas = 2 *` then `}`: the closer is what cut the value short.
            (
                TextRange::empty(self.previous_end()),
                self.describe_current(),
            )
        } else {
            (self.range(), self.describe_current())
        }
    }

    pub fn describe_current(&self) -> String {
        match self.kind() {
            IDENT | NUMBER | QUANTITY => format!("`{}`", self.text()),
            kind if kind.is_reserved_keyword() => format!("the keyword `{}`", self.text()),
            kind => kind.describe().to_string(),
        }
    }

    pub fn depth(&self) -> u32 {
        self.ctx.depth.get()
    }

    pub fn set_depth(&self, depth: u32) {
        self.ctx.depth.set(depth)
    }

    pub fn in_condition(&self) -> bool {
        self.ctx.in_condition.get()
    }

    /// Runs `f` with the condition flag set to `value`, restoring it after.
    pub fn with_condition<T>(self, value: bool, f: impl FnOnce(Input<'a>) -> T) -> T {
        let saved = self.ctx.in_condition.replace(value);
        let result = f(self);
        self.ctx.in_condition.set(saved);
        result
    }
}

impl<'a> nom::Input for Input<'a> {
    type Item = SyntaxKind;
    type Iter = std::iter::Copied<std::slice::Iter<'a, SyntaxKind>>;
    type IterIndices = std::iter::Enumerate<Self::Iter>;

    fn input_len(&self) -> usize {
        (self.end - self.pos) as usize
    }

    fn take(&self, index: usize) -> Self {
        Input {
            end: self.pos + index as u32,
            ..*self
        }
    }

    fn take_from(&self, index: usize) -> Self {
        Input {
            pos: self.pos + index as u32,
            ..*self
        }
    }

    fn take_split(&self, index: usize) -> (Self, Self) {
        (self.take_from(index), self.take(index))
    }

    fn position<P>(&self, predicate: P) -> Option<usize>
    where
        P: Fn(Self::Item) -> bool,
    {
        self.iter_elements().position(predicate)
    }

    fn iter_elements(&self) -> Self::Iter {
        self.ctx.kinds[self.pos as usize..self.end as usize]
            .iter()
            .copied()
    }

    fn iter_indices(&self) -> Self::IterIndices {
        self.iter_elements().enumerate()
    }

    fn slice_index(&self, count: usize) -> Result<usize, nom::Needed> {
        if count <= self.input_len() {
            Ok(count)
        } else {
            Err(nom::Needed::new(count - self.input_len()))
        }
    }
}
