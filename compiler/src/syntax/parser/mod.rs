//! Tokens to the syntax tree, with nom over the significant tokens.
//!
//! `input.rs` makes the tokens a `nom::Input`; rules are nom parsers over it, and
//! the tree is written as they finish (`tree::TreeSink`). The grammar is LL(1)
//! almost everywhere: each rule looks at the current token (rarely the next one)
//! to decide, so no branch is undone after it records a diagnostic. Rules come in
//! two shapes:
//! - `fn rule(i) -> PResult<Green>`: a nom parser that fails, consuming nothing,
//!   when the rule does not start here; the grammar's choices and optional parts
//!   are nom's `alt` and `opt` over these (`primitives.rs` has the small ones);
//! - `fn rule(i) -> (Input, Green)`: called once the caller knows the rule starts
//!   here; it always succeeds and records what went wrong.
//!
//! Recovery follows the resilient-parsing playbook: every list knows what ends it
//! (`}`, `]`, a declaration word in column 0, the end of the file); an unexpected
//! token is reported and wrapped in an `ERROR` node, and every loop consumes at
//! least one token per turn. Nesting is bounded by `MAX_NESTING`.

mod bodies;
mod expressions;
mod input;
mod items;
mod primitives;
mod types;

pub use input::{MAX_ERRORS_PER_FILE, MAX_NESTING};

use crate::diagnostics::{Diagnostic, code};
use crate::source::FileId;
use crate::syntax::green::Green;
use crate::syntax::kind::{SyntaxKind, SyntaxKind::*, declaration_keyword};
use crate::syntax::lexer::Lexed;
use crate::syntax::tree::SyntaxTree;
use input::{Input, ParseContext};
use std::sync::Arc;
use text_size::TextRange;

/// Parses the tokens of one file; returns the root node, the syntax diagnostics
/// and how many more were not recorded (past `MAX_ERRORS_PER_FILE`).
pub fn parse_tokens(
    text: &Arc<str>,
    file: FileId,
    lexed: Lexed,
) -> (SyntaxTree, Vec<Diagnostic>, usize) {
    let context = ParseContext::new(text, file, &lexed);
    let root_mark = items::source_file(context.input());
    let (errors, suppressed) = context.finish_errors();
    let sink = context.sink.into_inner();
    (
        sink.into_tree(root_mark, lexed, text.clone()),
        errors,
        suppressed,
    )
}

/// A node under construction: its kind and where its children start on the
/// sink's stack (see `tree::TreeSink`).
struct Node<'a> {
    ctx: &'a ParseContext<'a>,
    kind: SyntaxKind,
    mark: u32,
}

impl<'a> Node<'a> {
    fn new(input: Input<'a>, kind: SyntaxKind) -> Node<'a> {
        let mark = input.ctx.sink.borrow().mark();
        Node {
            ctx: input.ctx,
            kind,
            mark,
        }
    }

    fn push(&mut self, child: Green) {
        self.ctx.sink.borrow_mut().push(child);
    }

    /// Pushes the child a rule returned; gives back the input after it.
    fn add(&mut self, (input, child): (Input<'a>, Green)) -> Input<'a> {
        self.push(child);
        input
    }

    fn bump(&mut self, input: Input<'a>) -> Input<'a> {
        self.add(input.bump())
    }

    fn bump_as(&mut self, input: Input<'a>, kind: SyntaxKind) -> Input<'a> {
        self.add(input.bump_as(kind))
    }

    /// Consumes `kind` if it is here; otherwise reports "expected `kind`".
    fn expect(&mut self, input: Input<'a>, kind: SyntaxKind) -> Input<'a> {
        if input.at(kind) {
            self.bump(input)
        } else {
            input.report_expected(kind.describe());
            input
        }
    }

    /// Wraps what was pushed since `mark` (a `self.position()`) in a node of its own.
    fn wrap_since(&mut self, mark: u32, kind: SyntaxKind) {
        let mut sink = self.ctx.sink.borrow_mut();
        let wrapped = sink.finish(kind, mark, self.ctx.lexed, self.ctx.source);
        sink.push(wrapped);
    }

    fn position(&self) -> u32 {
        self.ctx.sink.borrow().mark()
    }

    fn finish(self) -> Green {
        self.ctx
            .sink
            .borrow_mut()
            .finish(self.kind, self.mark, self.ctx.lexed, self.ctx.source)
    }

    fn done(self, input: Input<'a>) -> (Input<'a>, Green) {
        (input, self.finish())
    }
}

/// A node that holds nothing, where an expected piece is missing.
fn missing(input: Input<'_>, kind: SyntaxKind) -> Green {
    Node::new(input, kind).finish()
}

/// Whether the current token starts a top-level declaration. Used to stop error
/// recovery, and (in column 0) to end a body whose `}` is missing.
fn starts_declaration(i: Input<'_>) -> bool {
    match i.kind() {
        IMPORT_KW | LET_KW | FOR_KW => true,
        IDENT => match declaration_keyword(i.text()) {
            Some(REQUIRE_KW) => !matches!(
                i.nth(1),
                EQ | PLUS_EQ | MINUS_EQ | DOT | L_BRACE | COLON | R_BRACE | COMMA | SOURCE_FILE
            ),
            Some(_) => matches!(i.nth(1), IDENT | STRING_START),
            None => false,
        },
        _ => false,
    }
}

/// Reports an opening delimiter that is never closed, pointing at the opener and
/// at what made the parser give up on it.
fn report_unclosed(i: Input<'_>, opener: TextRange, closer: SyntaxKind) {
    let open_text = &i.ctx.source[opener];
    let (here, why) = if i.at_eof() {
        (
            TextRange::empty(i.previous_end()),
            "the file ends here".to_string(),
        )
    } else if starts_declaration(i) {
        (
            i.range(),
            format!("`{}` starts the next declaration", i.text()),
        )
    } else if i.newline_before() && is_field_start(i) {
        (i.range(), format!("`{}` starts the next field", i.text()))
    } else {
        (
            i.range(),
            format!(
                "expected {} before {}",
                closer.describe(),
                i.describe_current()
            ),
        )
    };
    i.report(
        Diagnostic::new(code::E0102, format!("unclosed `{open_text}`"))
            .with_primary(
                i.span(opener),
                format!("this `{open_text}` is never closed"),
            )
            .with_secondary(i.span(here), why)
            .with_help(format!(
                "add {} where the {} ends",
                closer.describe(),
                what_opener_opens(open_text)
            )),
    );
}

/// Whether the current token looks like the start of a field: `name =`,
/// `name {`, `name:`. Used where a value or list is missing its end.
fn is_field_start(i: Input<'_>) -> bool {
    i.at(IDENT) && matches!(i.nth(1), EQ | PLUS_EQ | MINUS_EQ | L_BRACE | COLON)
}

fn what_opener_opens(open_text: &str) -> &'static str {
    match open_text {
        "[" => "list",
        "(" => "parenthesised part",
        _ => "block",
    }
}

/// Skips tokens, at least one, until `stop` says so; returns them as an `ERROR`
/// node. Brackets are not balanced here: a stray `{` must not swallow the file.
fn skip_until<'a>(mut i: Input<'a>, stop: impl Fn(Input<'a>) -> bool) -> (Input<'a>, Green) {
    let mut node = Node::new(i, ERROR);
    if !i.at_eof() {
        i = node.bump(i);
    }
    while !i.at_eof() && !stop(i) {
        i = node.bump(i);
    }
    node.done(i)
}

/// Runs `rule` one nesting level deeper, or reports E0109 past the limit and skips
/// the over-deep part without recursing.
fn nested<'a>(
    i: Input<'a>,
    rule: impl FnOnce(Input<'a>) -> (Input<'a>, Green),
) -> (Input<'a>, Green) {
    let depth = i.depth();
    if depth >= MAX_NESTING {
        return too_deep(i);
    }
    i.set_depth(depth + 1);
    let result = rule(i);
    i.set_depth(depth);
    result
}

fn too_deep(i: Input<'_>) -> (Input<'_>, Green) {
    report_too_deep(i);
    let mut node = Node::new(i, ERROR);
    let i = skip_group(i, &mut node);
    node.done(i)
}

fn report_too_deep(i: Input<'_>) {
    i.report(
        Diagnostic::new(code::E0109, "nesting too deep")
            .with_primary(
                i.span(i.range()),
                format!("this passes the limit of {MAX_NESTING} nested levels"),
            )
            .with_help("name the inner parts with `let` and refer to them"),
    );
}

/// Skips one token, or a whole bracketed group, counting instead of recursing.
fn skip_group<'a>(mut i: Input<'a>, node: &mut Node<'a>) -> Input<'a> {
    let mut open = 0u32;
    loop {
        if i.at_eof() {
            break;
        }
        match i.kind() {
            L_BRACE | L_BRACK | L_PAREN | INTERP_START => open += 1,
            R_BRACE | R_BRACK | R_PAREN | INTERP_END => open = open.saturating_sub(1),
            _ => {}
        }
        i = node.bump(i);
        if open == 0 {
            break;
        }
    }
    i
}
