//! Expressions, loosest binding first:
//!
//! | level | operators | shape |
//! | --- | --- | --- |
//! | filter | `where` | `clusters where env == production` |
//! | or | `or` | n-ary |
//! | and | `and` | n-ary |
//! | not | `not` (prefix) | |
//! | compare | `==` `!=` `<` `<=` `>` `>=` `in` `not in` | not chainable |
//! | path | `->` | n-ary: `dev -> staging -> production` |
//! | range | `..` | not chainable: `1..65535` |
//! | sum | `+` `-` | n-ary |
//! | product | `*` `/` `%` | n-ary |
//! | sign | `-` (prefix) | |
//! | postfix | `.field` `[index]` `(args)` | |
//!
//! A run of operators of one level is one `BINARY_EXPR` node, so `a + b + ... + z`
//! makes a flat node instead of a deep tree.

use super::bodies::body;
use super::input::{Input, PResult, backtrack};
use super::items::for_head;
use super::primitives::starting;
use super::{
    MAX_NESTING, Node, is_field_start, missing, nested, report_too_deep, report_unclosed,
    skip_group, starts_declaration,
};
use crate::diagnostics::{Diagnostic, code};
use crate::syntax::green::Green;
use crate::syntax::kind::{SyntaxKind, SyntaxKind::*};
use nom::Parser;
use nom::branch::alt;
use text_size::TextRange;

pub(super) fn can_start_expression(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        IDENT
            | NUMBER
            | QUANTITY
            | STRING_START
            | TRIPLE_START
            | TRUE_KW
            | FALSE_KW
            | L_BRACK
            | L_BRACE
            | L_PAREN
            | MINUS
            | NOT_KW
            | IF_KW
    )
}

/// An expression, or `Err` when none starts here (nothing recorded).
pub(super) fn expr(i: Input<'_>) -> PResult<'_, Green> {
    // A declaration on the next line is where the file goes on, not a value.
    if !can_start_expression(i.kind()) || (i.newline_before() && starts_declaration(i)) {
        return backtrack();
    }
    // Only brackets, prefixes and `if` count a nesting level: every cycle of the
    // grammar's recursion passes through one of them.
    Ok(expression_at(i, Level::Lowest))
}

/// An expression; when none starts here, reports E0103 and returns an `ERROR` node.
pub(super) fn expr_or_error(i: Input<'_>) -> (Input<'_>, Green) {
    match expr(i) {
        Ok(result) => result,
        Err(_) => missing_expression(i),
    }
}

/// An expression in a condition (`where`, `if`, `require`), where a lone `=` is
/// reported as a slip for `==`.
pub(super) fn condition_or_error(i: Input<'_>) -> (Input<'_>, Green) {
    i.with_condition(true, expr_or_error)
}

fn missing_expression(i: Input<'_>) -> (Input<'_>, Green) {
    let (range, found) = i.found();
    i.report(
        Diagnostic::new(
            code::E0103,
            format!("expected an expression, found {found}"),
        )
        .with_primary(i.span(range), "expected a value here"),
    );
    let stops = matches!(
        i.kind(),
        R_BRACE | R_BRACK | R_PAREN | COMMA | INTERP_END | SOURCE_FILE
    );
    if stops || i.newline_before() {
        return (i, missing(i, ERROR));
    }
    let mut node = Node::new(i, ERROR);
    let i = node.bump(i);
    node.done(i)
}

/// Infix operator levels, loosest first. `not` (prefix) sits between `and` and the
/// comparisons; a sign (prefix `-`) binds tighter than every infix operator.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Level {
    Lowest,
    Where,
    Or,
    And,
    Compare,
    Path,
    Range,
    Sum,
    Product,
    Sign,
}

impl Level {
    fn tighter(self) -> Level {
        match self {
            Level::Lowest => Level::Where,
            Level::Where => Level::Or,
            Level::Or => Level::And,
            Level::And => Level::Compare,
            Level::Compare => Level::Path,
            Level::Path => Level::Range,
            Level::Range => Level::Sum,
            Level::Sum => Level::Product,
            Level::Product | Level::Sign => Level::Sign,
        }
    }
}

/// The infix operator here: its level and how many tokens it takes.
fn infix(i: Input<'_>) -> Option<(Level, u32)> {
    Some(match i.kind() {
        WHERE_KW => (Level::Where, 1),
        OR_KW => (Level::Or, 1),
        AND_KW => (Level::And, 1),
        EQ2 | NEQ | LT | LE | GT | GE | IN_KW => (Level::Compare, 1),
        NOT_KW if i.nth(1) == IN_KW => (Level::Compare, 2),
        // `=` in a condition is a slip for `==`: read it as one (reported when consumed).
        EQ if i.in_condition() => (Level::Compare, 1),
        ARROW => (Level::Path, 1),
        DOT2 => (Level::Range, 1),
        PLUS | MINUS => (Level::Sum, 1),
        STAR | SLASH | PERCENT => (Level::Product, 1),
        _ => return None,
    })
}

/// Precedence climbing. A run of operators of one level becomes one n-ary
/// `BINARY_EXPR`; each `where` wraps what is before it in a `WHERE_EXPR`.
fn expression_at(i: Input<'_>, min: Level) -> (Input<'_>, Green) {
    let (mut i, mut lhs) = match i.kind() {
        NOT_KW => prefix(i, Level::Compare),
        MINUS => prefix(i, Level::Sign),
        _ => postfix_level(i),
    };
    let depth = i.depth();
    let mut filters = 0;
    while let Some((level, _)) = infix(i) {
        if level < min {
            break;
        }
        if level == Level::Where {
            if depth + filters >= MAX_NESTING {
                return too_long_chain(i, lhs, |i| i.at(WHERE_KW), |i| expression_at(i, Level::Or));
            }
            filters += 1;
            let mut node = Node::new(i, WHERE_EXPR);
            node.push(lhs);
            i = node.bump(i);
            i = node.add(i.with_condition(true, |i| operand(i, Level::Or)));
            lhs = node.finish();
            continue;
        }
        let mut node = Node::new(i, BINARY_EXPR);
        node.push(lhs);
        let mut count = 0;
        while let Some((next, tokens)) = infix(i)
            && next == level
        {
            if count == 1 {
                report_chained(i, level, tokens);
            }
            if i.at(EQ) {
                i.report(
                    Diagnostic::new(code::E0117, "`=` in a condition")
                        .with_primary(i.span(i.range()), "`=` sets a field; it does not compare")
                        .with_help("compare with `==`"),
                );
            }
            for _ in 0..tokens {
                i = node.bump(i);
            }
            i = node.add(operand(i, level.tighter()));
            count += 1;
        }
        lhs = node.finish();
    }
    (i, lhs)
}

fn report_chained(i: Input<'_>, level: Level, tokens: u32) {
    let range = TextRange::new(i.range().start(), i.nth_range(tokens - 1).end());
    match level {
        Level::Compare => i.report(
            Diagnostic::new(code::E0111, "comparisons cannot be chained")
                .with_primary(i.span(range), "a second comparison in a row")
                .with_help("join two comparisons with `and`: `a < b and b < c`"),
        ),
        Level::Range => i.report(
            Diagnostic::new(code::E0100, "a range has one `..`")
                .with_primary(i.span(range), "a second `..`")
                .with_help("write a range as `low..high`"),
        ),
        _ => {}
    }
}

/// An operand at `min` or tighter, or E0103 when none starts here.
fn operand(i: Input<'_>, min: Level) -> (Input<'_>, Green) {
    if can_start_expression(i.kind()) {
        expression_at(i, min)
    } else {
        missing_expression(i)
    }
}

/// `not x` or `-x`: the operand binds at `operand_level` or tighter.
fn prefix(i: Input<'_>, operand_level: Level) -> (Input<'_>, Green) {
    nested(i, |i| {
        let mut node = Node::new(i, PREFIX_EXPR);
        let i = node.bump(i);
        let i = node.add(operand(i, operand_level));
        node.done(i)
    })
}

fn postfix_level(i: Input<'_>) -> (Input<'_>, Green) {
    let (mut i, mut lhs) = primary(i);
    let depth = i.depth();
    let mut wraps = 0;
    loop {
        let kind = match i.kind() {
            DOT => FIELD_EXPR,
            L_BRACK if !i.newline_before() => INDEX_EXPR,
            L_PAREN if !i.newline_before() => CALL_EXPR,
            _ => break,
        };
        if depth + wraps >= MAX_NESTING {
            let (rest, chain) = too_long_chain(i, lhs, at_postfix, |i| {
                let mut node = Node::new(i, ERROR);
                let i = skip_group(i, &mut node);
                node.done(i)
            });
            i.set_depth(depth);
            return (rest, chain);
        }
        wraps += 1;
        i.set_depth(depth + wraps);
        let mut node = Node::new(i, kind);
        node.push(lhs);
        i = match kind {
            FIELD_EXPR => {
                let i = node.bump(i);
                if i.at(IDENT) || (i.kind().is_reserved_keyword() && !i.newline_before()) {
                    node.bump(i)
                } else {
                    i.report_expected("a field name after `.`");
                    i
                }
            }
            INDEX_EXPR => {
                let open = i.range();
                let i = node.bump(i);
                let i = node.add(expr_or_error(i));
                close(i, &mut node, open, R_BRACK)
            }
            _ => node.add(argument_list(i)),
        };
        lhs = node.finish();
    }
    i.set_depth(depth);
    (i, lhs)
}

fn at_postfix(i: Input<'_>) -> bool {
    i.at(DOT) || (matches!(i.kind(), L_BRACK | L_PAREN) && !i.newline_before())
}

/// A chain of `where` filters or postfix operations longer than the nesting
/// limit: reported once, and the rest of the chain kept flat in an `ERROR` node.
fn too_long_chain<'a>(
    i: Input<'a>,
    lhs: Green,
    at_link: fn(Input<'a>) -> bool,
    link: fn(Input<'a>) -> (Input<'a>, Green),
) -> (Input<'a>, Green) {
    report_too_deep(i);
    let mut node = Node::new(i, ERROR);
    node.push(lhs);
    let mut i = i;
    while at_link(i) {
        i = node.bump(i);
        if !i.at_eof() && !at_link(i) && !i.newline_before() {
            i = node.add(link(i));
        }
    }
    node.done(i)
}

/// Consumes the closing delimiter, or reports the opener as unclosed.
fn close<'a>(i: Input<'a>, node: &mut Node<'a>, open: TextRange, closer: SyntaxKind) -> Input<'a> {
    if i.at(closer) {
        node.bump(i)
    } else {
        report_unclosed(i, open, closer);
        i
    }
}

/// A single value: literal, string, name, list, record, parenthesised expression
/// or `if`. Used directly where only a simple value fits (overlay layers).
pub(super) fn primary_or_error(i: Input<'_>) -> (Input<'_>, Green) {
    if can_start_expression(i.kind()) {
        primary(i)
    } else {
        missing_expression(i)
    }
}

fn primary(i: Input<'_>) -> (Input<'_>, Green) {
    match i.kind() {
        NUMBER => number(i),
        QUANTITY => quantity(i),
        TRUE_KW | FALSE_KW => {
            let mut node = Node::new(i, LITERAL);
            let i = node.bump(i);
            node.done(i)
        }
        STRING_START | TRIPLE_START => string(i),
        IDENT => {
            let mut node = Node::new(i, NAME_REF);
            let i = node.bump(i);
            node.done(i)
        }
        L_BRACK if i.nth(1) == FOR_KW => nested(i, comprehension),
        L_BRACK => nested(i, list),
        L_BRACE => body(i, RECORD_EXPR),
        L_PAREN => nested(i, |i| {
            let mut node = Node::new(i, PAREN_EXPR);
            let open = i.range();
            let i = node.bump(i);
            let i = node.add(i.with_condition(false, expr_or_error));
            let i = close(i, &mut node, open, R_PAREN);
            node.done(i)
        }),
        IF_KW => nested(i, if_expr),
        NOT_KW => prefix(i, Level::Compare),
        MINUS => prefix(i, Level::Sign),
        _ => missing_expression(i),
    }
}

/// The units a number may carry; a name from this list after a number and a space
/// is a unit written apart (`30 s`).
const UNIT_SUFFIXES: &[&str] = &[
    "ns", "us", "ms", "s", "m", "h", "d", "k", "K", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi",
    "Ti", "Pi", "Ei", "mi", "gi", "ki", "ti",
];

fn number(i: Input<'_>) -> (Input<'_>, Green) {
    let mut node = Node::new(i, LITERAL);
    let number_text = i.text();
    let number_range = i.range();
    let mut i = node.bump(i);
    // `10 %` with no operand after it: a percent written with a space.
    if i.at(PERCENT)
        && !i.newline_before()
        && (!can_start_expression(i.nth(1)) || i.newline_before_nth(1))
    {
        i.report(
            Diagnostic::new(code::E0110, "unit separated from its number")
                .with_primary(
                    i.span(TextRange::new(number_range.end(), i.range().end())),
                    "a space between the number and `%`",
                )
                .with_help(format!("write `{number_text}%`")),
        );
        i = node.bump(i);
    } else if i.at(IDENT) && !i.newline_before() && UNIT_SUFFIXES.contains(&i.text()) {
        let unit = i.text();
        i.report(
            Diagnostic::new(code::E0110, "unit separated from its number")
                .with_primary(
                    i.span(TextRange::new(number_range.end(), i.range().end())),
                    "a space between the number and its unit",
                )
                .with_help(format!("write `{number_text}{unit}`")),
        );
        i = node.bump(i);
    }
    node.done(i)
}

fn quantity(i: Input<'_>) -> (Input<'_>, Green) {
    let mut node = Node::new(i, LITERAL);
    let text = i.text();
    let range = i.range();
    let mut i = node.bump(i);
    // `10%3`: the lexer read a percent, then a number.
    if text.ends_with('%') && matches!(i.kind(), NUMBER | IDENT) && i.range().start() == range.end()
    {
        let number = &text[..text.len() - 1];
        let right = i.text();
        i.report(
            Diagnostic::new(
                code::E0115,
                format!("`{text}{right}` reads as the percent `{text}` followed by `{right}`"),
            )
            .with_primary(
                i.span(TextRange::new(range.start(), i.range().end())),
                format!("the percent `{text}`, then `{right}`"),
            )
            .with_help(format!(
                "for the remainder of a division, put spaces around `%`: `{number} % {right}`"
            )),
        );
        i = node.bump(i);
    }
    node.done(i)
}

/// `"text ${expr} text"` or `"""..."""`.
pub(super) fn string(i: Input<'_>) -> (Input<'_>, Green) {
    let mut node = Node::new(i, STRING);
    let end = if i.at(TRIPLE_START) {
        TRIPLE_END
    } else {
        STRING_END
    };
    let mut i = node.bump(i);
    loop {
        match i.kind() {
            STRING_TEXT | STRING_ESCAPE => i = node.bump(i),
            INTERP_START => i = node.add(nested(i, interpolation)),
            kind if kind == end => {
                i = node.bump(i);
                break;
            }
            // The lexer reported the missing end (E0004).
            _ => break,
        }
    }
    node.done(i)
}

fn interpolation(i: Input<'_>) -> (Input<'_>, Green) {
    let mut node = Node::new(i, INTERPOLATION);
    let mut i = node.bump(i);
    if i.at(INTERP_END) {
        i.report(
            Diagnostic::new(code::E0103, "expected an expression, found `}`")
                .with_primary(i.span(i.range()), "an empty `${}` interpolates nothing")
                .with_help("put a value inside, or write `\\${` for the text `${`"),
        );
    } else {
        i = node.add(i.with_condition(false, expr_or_error));
    }
    if i.at(INTERP_END) {
        let i = node.bump(i);
        return node.done(i);
    }
    // Tokens left before the `}` on this line; when there is no `}`, the lexer
    // reported the interpolation as unterminated (E0005).
    let mut ahead = 0;
    let string_part = |kind| {
        matches!(
            kind,
            STRING_TEXT | STRING_ESCAPE | STRING_END | TRIPLE_END | INTERP_START
        )
    };
    while !i.newline_before_nth(ahead)
        && !matches!(i.nth(ahead), INTERP_END | SOURCE_FILE)
        && !string_part(i.nth(ahead))
    {
        ahead += 1;
    }
    if i.nth(ahead) == INTERP_END && !i.newline_before_nth(ahead) {
        i.report_expected("`}` to end the interpolation");
        let mut junk = Node::new(i, ERROR);
        while !i.at(INTERP_END) {
            i = junk.bump(i);
        }
        node.push(junk.finish());
        i = node.bump(i);
    }
    node.done(i)
}

/// `[a, b, c]`
fn list(i: Input<'_>) -> (Input<'_>, Green) {
    i.with_condition(false, |i| {
        let mut node = Node::new(i, LIST_EXPR);
        let open = i.range();
        let i = node.bump(i);
        let i = delimited_elements(i, &mut node, open, R_BRACK, |i| expr(i), "a list element");
        node.done(i)
    })
}

/// `(a, name = b)`
fn argument_list(i: Input<'_>) -> (Input<'_>, Green) {
    i.with_condition(false, |i| {
        let mut node = Node::new(i, ARG_LIST);
        let open = i.range();
        let i = node.bump(i);
        let i = delimited_elements(i, &mut node, open, R_PAREN, argument, "an argument");
        node.done(i)
    })
}

fn argument(i: Input<'_>) -> PResult<'_, Green> {
    alt((named_argument, expr)).parse(i)
}

/// `name = value` in an argument list (of a call or of a type).
pub(super) fn named_argument(i: Input<'_>) -> PResult<'_, Green> {
    let starts = |i: Input<'_>| i.at(IDENT) && i.nth(1) == EQ;
    starting(starts, |i| {
        let mut node = Node::new(i, NAMED_ARG);
        let i = node.bump(i);
        let i = node.bump(i);
        let i = node.add(expr_or_error(i));
        node.done(i)
    })(i)
}

/// Comma-separated elements up to `closer`, with recovery: a missing comma is
/// reported and parsing goes on; a stray token is wrapped in `ERROR`; a `}` or a
/// declaration in column 0 ends an unclosed list.
pub(super) fn delimited_elements<'a>(
    mut i: Input<'a>,
    node: &mut Node<'a>,
    open: TextRange,
    closer: SyntaxKind,
    element: impl Fn(Input<'a>) -> PResult<'a, Green>,
    what: &str,
) -> Input<'a> {
    // Right after the opener or a comma, an element is due; elsewhere a line that
    // starts like a field (`name = ...`) means the list was never closed. In an
    // argument list that line is a named argument when an element is due.
    let mut element_due = true;
    loop {
        let next_field =
            i.newline_before() && is_field_start(i) && (closer == R_BRACK || !element_due);
        match i.kind() {
            kind if kind == closer => return node.bump(i),
            SOURCE_FILE | R_BRACE | R_BRACK | R_PAREN | INTERP_END => {
                report_unclosed(i, open, closer);
                return i;
            }
            _ if (i.at_column_zero() && starts_declaration(i)) || next_field => {
                report_unclosed(i, open, closer);
                return i;
            }
            COMMA => {
                let (range, _) = i.found();
                i.report(
                    Diagnostic::new(code::E0103, format!("expected {what}, found `,`"))
                        .with_primary(i.span(range), "nothing stands before this `,`")
                        .with_help("remove the extra `,`"),
                );
                i = node.bump(i);
                continue;
            }
            _ => {}
        }
        match element(i) {
            Ok((rest, child)) => {
                node.push(child);
                i = rest;
                element_due = false;
            }
            Err(_) => {
                let (range, found) = i.found();
                i.report(
                    Diagnostic::new(code::E0100, format!("expected {what}, found {found}"))
                        .with_primary(i.span(range), format!("expected {what}")),
                );
                let mut junk = Node::new(i, ERROR);
                i = junk.bump(i);
                node.push(junk.finish());
                continue;
            }
        }
        match i.kind() {
            COMMA => {
                i = node.bump(i);
                element_due = true;
            }
            kind if kind == closer => {}
            kind if can_start_expression(kind)
                && !(i.at_column_zero() && starts_declaration(i))
                && !(i.newline_before() && is_field_start(i)) =>
            {
                i.report(
                    Diagnostic::new(code::E0106, "missing comma")
                        .with_primary(
                            i.span(TextRange::empty(i.previous_end())),
                            "expected `,` here",
                        )
                        .with_help(format!(
                            "separate the elements with `,`: `{}`",
                            example_list(closer)
                        )),
                );
            }
            _ => {}
        }
    }
}

fn example_list(closer: SyntaxKind) -> &'static str {
    match closer {
        R_PAREN => "f(a, b)",
        _ => "[a, b]",
    }
}

/// `[for x in xs, y in ys if condition: expression]`
fn comprehension(i: Input<'_>) -> (Input<'_>, Green) {
    i.with_condition(false, |i| {
        let mut node = Node::new(i, COMPREHENSION);
        let open = i.range();
        let mut i = node.bump(i);
        i = node.bump(i);
        i = for_head(i, &mut node);
        i = node.expect(i, COLON);
        i = node.add(expr_or_error(i));
        i = close(i, &mut node, open, R_BRACK);
        node.done(i)
    })
}

/// `if condition then value else value`
fn if_expr(i: Input<'_>) -> (Input<'_>, Green) {
    i.with_condition(false, |i| {
        let mut node = Node::new(i, IF_EXPR);
        let mut i = node.bump(i);
        i = node.add(condition_or_error(i));
        let mut braces = false;
        if i.at(THEN_KW) {
            i = node.bump(i);
        } else {
            let (range, found) = i.found();
            braces = i.at(L_BRACE);
            i.report(
                Diagnostic::new(code::E0100, format!("expected `then`, found {found}"))
                    .with_primary(i.span(range), "expected `then`")
                    .with_help("write `if condition then value else other`; braces make a record, not a block"),
            );
        }
        i = node.add(if braces { braced_branch(i) } else { expr_or_error(i) });
        if i.at(ELSE_KW) {
            i = node.bump(i);
            i = node.add(if braces && i.at(L_BRACE) { braced_branch(i) } else { expr_or_error(i) });
        } else {
            let (range, found) = i.found();
            i.report(
                Diagnostic::new(code::E0100, format!("expected `else`, found {found}"))
                    .with_primary(i.span(range), "expected `else`")
                    .with_help("an `if` needs an `else`: every value must be defined"),
            );
        }
        node.done(i)
    })
}

/// `{ value }` as a branch of an `if` written with braces: already reported (the
/// missing `then`); read the value inside so the rest of the line parses.
fn braced_branch(i: Input<'_>) -> (Input<'_>, Green) {
    let mut node = Node::new(i, ERROR);
    let open = i.range();
    let i = node.bump(i);
    let i = node.add(expr_or_error(i));
    let i = close(i, &mut node, open, R_BRACE);
    node.done(i)
}
