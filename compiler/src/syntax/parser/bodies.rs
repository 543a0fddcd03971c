//! Bodies: `{ ... }` of declarations, blocks and record values (fields and
//! blocks), of record types (field declarations) and of enums (variants). Entries
//! are separated by a new line or a comma.

use super::expressions::can_start_expression;
use super::expressions::{expr_or_error, string};
use super::input::{Input, PResult, backtrack};
use super::items::require;
use super::primitives::{starting, token};
use super::types::type_or_error;
use super::{
    Node, is_field_start, missing, nested, report_unclosed, skip_until, starts_declaration,
};
use crate::diagnostics::{Diagnostic, code};
use crate::syntax::green::Green;
use crate::syntax::kind::{SyntaxKind, SyntaxKind::*};
use nom::Parser;
use nom::branch::alt;
use nom::combinator::opt;
use text_size::TextRange;

/// `{ fields and blocks }`, as a `BODY` or a `RECORD_EXPR`.
pub(super) fn body(i: Input<'_>, kind: SyntaxKind) -> (Input<'_>, Green) {
    nested(i, |i| record_like_body(i, kind, body_entry))
}

/// `{ entry, entry \n entry }` where `entry` says what an entry is. The caller is at `{`.
pub(super) fn record_like_body<'a>(
    i: Input<'a>,
    kind: SyntaxKind,
    entry: fn(Input<'a>) -> PResult<'a, Green>,
) -> (Input<'a>, Green) {
    // `=` inside a record value sets a field, even within a condition.
    i.with_condition(false, |i| {
        let mut node = Node::new(i, kind);
        let open = i.range();
        let mut i = node.bump(i);
        loop {
            match i.kind() {
                R_BRACE => {
                    i = node.bump(i);
                    break;
                }
                SOURCE_FILE => {
                    report_unclosed(i, open, R_BRACE);
                    break;
                }
                _ if i.at_column_zero() && starts_declaration(i) => {
                    report_unclosed(i, open, R_BRACE);
                    break;
                }
                COMMA => {
                    report_expected_entry(i, kind);
                    i = node.bump(i);
                    continue;
                }
                _ => {}
            }
            match entry(i) {
                Ok((rest, child)) => {
                    node.push(child);
                    i = separator(rest, &mut node);
                }
                Err(_) => {
                    report_expected_entry(i, kind);
                    i = node.add(skip_until(i, |i| {
                        i.at(COMMA) || i.at(R_BRACE) || i.newline_before()
                    }));
                }
            }
        }
        node.done(i)
    })
}

fn report_expected_entry(i: Input<'_>, kind: SyntaxKind) {
    let what = match kind {
        RECORD_TYPE => "a field declaration (`name: Type`)",
        BODY | RECORD_EXPR => "a field",
        VARIANT_LIST => "a variant",
        _ => "an entry",
    };
    let (range, found) = i.found();
    let mut diagnostic = Diagnostic::new(code::E0119, format!("expected {what}, found {found}"))
        .with_primary(i.span(range), format!("expected {what}"));
    if i.at(COMMA) {
        diagnostic = diagnostic.with_help("remove the extra `,`");
    }
    i.report(diagnostic);
}

/// After an entry: a comma, a new line, or the end of the body. When something
/// else follows on the line and cannot start an entry, the rest of the line is
/// skipped (reported once, here).
fn separator<'a>(i: Input<'a>, node: &mut Node<'a>) -> Input<'a> {
    match i.kind() {
        COMMA => node.bump(i),
        R_BRACE | SOURCE_FILE => i,
        _ if i.newline_before() => i,
        kind => {
            let at = TextRange::empty(i.previous_end());
            i.report(
                Diagnostic::new(
                    code::E0105,
                    format!("expected `,` or a new line, found {}", i.describe_current()),
                )
                .with_primary(i.span(at), "the previous entry ends here")
                .with_secondary(i.span(i.range()), "the next one starts here")
                .with_help("put each field on its own line, or separate them with `,`"),
            );
            if matches!(kind, IDENT | STRING_START) || kind.is_reserved_keyword() {
                return i;
            }
            node.add(skip_until(i, |i| {
                i.newline_before() || matches!(i.kind(), COMMA | R_BRACE)
            }))
        }
    }
}

/// Whether the current token can be a key: a name, a string, or (reported) a
/// reserved word followed by what follows a key.
fn at_key(i: Input<'_>) -> bool {
    matches!(i.kind(), IDENT | STRING_START)
        || (i.kind().is_reserved_keyword()
            && matches!(i.nth(1), EQ | PLUS_EQ | MINUS_EQ | L_BRACE | COLON | DOT))
}

/// A key: an identifier token or a string node, with no node around it (keys are
/// the most common thing in a fleet; a node each would cost a fifth of the tree).
fn key(i: Input<'_>) -> (Input<'_>, Green) {
    match i.kind() {
        IDENT => i.bump(),
        STRING_START => string(i),
        kind if kind.is_reserved_keyword() => {
            let word = i.text();
            i.report(
                Diagnostic::new(code::E0116, format!("`{word}` is a reserved word"))
                    .with_primary(i.span(i.range()), "a reserved word cannot name a field")
                    .with_help(format!("quote it to use it as a field name: \"{word}\"")),
            );
            i.bump()
        }
        _ => {
            i.report_expected("a field name");
            (i, missing(i, ERROR))
        }
    }
}

/// `a.b.c`: the key of a field.
fn field_path(i: Input<'_>) -> (Input<'_>, Green) {
    let mut node = Node::new(i, FIELD_PATH);
    let mut i = node.add(key(i));
    while i.at(DOT) {
        i = node.bump(i);
        i = node.add(key(i));
    }
    node.done(i)
}

/// `key = value`, `key += value`, `key -= value`, `key { ... }`,
/// `key label { ... }`, or `require ...`.
/// An entry of a body or record: an assertion, a field or a block.
fn body_entry(i: Input<'_>) -> PResult<'_, Green> {
    alt((
        assertion(&[EQ, PLUS_EQ, MINUS_EQ, DOT, L_BRACE, COLON]),
        field_or_block,
    ))
    .parse(i)
}

/// An entry of a record type: an assertion or a field declaration.
pub(super) fn record_type_entry(i: Input<'_>) -> PResult<'_, Green> {
    alt((assertion(&[COLON, QUESTION]), field_decl)).parse(i)
}

/// `require condition else "message"` inside a body, where `require` followed by
/// one of `key_followers` is a field named `require` instead.
fn assertion<'a>(key_followers: &'static [SyntaxKind]) -> impl Fn(Input<'a>) -> PResult<'a, Green> {
    let starts = move |i: Input<'a>| i.at_word("require") && !key_followers.contains(&i.nth(1));
    starting(starts, require)
}

fn field_or_block(i: Input<'_>) -> PResult<'_, Green> {
    if !at_key(i) {
        return backtrack();
    }
    let key_text = i.text();
    // The node starts before its key; what it is (field or block) shows after.
    let mut node = Node::new(i, FIELD);
    let i = node.add(field_path(i));
    let i = match i.kind() {
        EQ | PLUS_EQ | MINUS_EQ => {
            let operator = i.range();
            let i = node.bump(i);
            node.add(field_value(i, operator))
        }
        COLON => {
            let colon = i.range();
            i.report(
                Diagnostic::new(code::E0120, format!("`{key_text}` is set with `:`"))
                    .with_primary(i.span(colon), "fields are set with `=`, not `:`")
                    .with_help(format!("write `{key_text} = ...`")),
            );
            let i = node.bump(i);
            node.add(field_value(i, colon))
        }
        L_BRACE => {
            node.kind = BLOCK;
            node.add(body(i, BODY))
        }
        IDENT | STRING_START if !i.newline_before() => block_with_labels(i, &mut node, key_text),
        kind if can_start_expression(kind) && !i.newline_before() => {
            // `replicas 3`: the `=` is missing; read the value as if it were there.
            let value_text = i.text();
            i.report(
                Diagnostic::new(code::E0104, format!("expected `=` after `{key_text}`"))
                    .with_primary(
                        i.span(TextRange::empty(i.range().start())),
                        "expected `=` here",
                    )
                    .with_help(format!("write `{key_text} = {value_text}`")),
            );
            node.add(expr_or_error(i))
        }
        _ => {
            let (range, found) = i.found();
            i.report(
                Diagnostic::new(
                    code::E0104,
                    format!("expected `=` or `{{` after `{key_text}`, found {found}"),
                )
                .with_primary(i.span(range), "expected `=` and a value, or `{` and fields")
                .with_help(format!(
                    "write `{key_text} = value` or `{key_text} {{ ... }}`"
                )),
            );
            i
        }
    };
    Ok(node.done(i))
}

/// `gate staging { ... }`: a block with labels. Without the `{` the labels were
/// most likely a value missing its `=`.
fn block_with_labels<'a>(mut i: Input<'a>, node: &mut Node<'a>, key_text: &str) -> Input<'a> {
    let first = i.range();
    let labels = node.position();
    while matches!(i.kind(), IDENT | STRING_START) && !i.newline_before() {
        let mut label = Node::new(i, BLOCK_LABEL);
        i = match i.kind() {
            IDENT => label.bump(i),
            _ => label.add(string(i)),
        };
        node.push(label.finish());
    }
    if i.at(L_BRACE) {
        node.kind = BLOCK;
        return node.add(body(i, BODY));
    }
    let value = &i.ctx.source[TextRange::new(first.start(), i.previous_end())];
    i.report(
        Diagnostic::new(code::E0104, format!("expected `=` after `{key_text}`"))
            .with_primary(i.span(TextRange::empty(first.start())), "expected `=` here")
            .with_help(format!("write `{key_text} = {value}`")),
    );
    node.wrap_since(labels, ERROR);
    i
}

/// The value after `=`. A new line that starts another field means the value is
/// missing, rather than that the next field's name is the value.
fn field_value(i: Input<'_>, operator: TextRange) -> (Input<'_>, Green) {
    let value_missing = match i.kind() {
        R_BRACE | COMMA | SOURCE_FILE => true,
        IDENT | STRING_START if i.newline_before() => is_field_start(i) || starts_declaration(i),
        _ => false,
    };
    if value_missing {
        i.report(
            Diagnostic::new(code::E0113, "missing value")
                .with_primary(i.span(operator), "this has no value after it")
                .with_help("write the value after the `=` on the same line"),
        );
        return (i, missing(i, ERROR));
    }
    expr_or_error(i)
}

/// `name?: Type = default` in a record type, or `require ...`.
fn field_decl(i: Input<'_>) -> PResult<'_, Green> {
    if !matches!(i.kind(), IDENT | STRING_START) {
        return backtrack();
    }
    let mut node = Node::new(i, FIELD_DECL);
    let key_text = i.text();
    let mut i = node.add(key(i));
    // `name?: Type`: an optional field.
    if let Ok((rest, Some(question))) = opt(token(QUESTION)).parse(i) {
        i = node.add((rest, question));
    }
    match i.kind() {
        COLON => {
            i = node.bump(i);
            i = node.add(type_or_error(i));
        }
        IDENT | L_BRACK | L_BRACE | STRING_START if !i.newline_before() => {
            // `name String`: the `:` is missing; read the type as if it were there.
            i.report(
                Diagnostic::new(code::E0100, format!("expected `:` after `{key_text}`"))
                    .with_primary(
                        i.span(TextRange::empty(i.range().start())),
                        "expected `:` here",
                    )
                    .with_help(format!("write `{key_text}: {}`", i.text())),
            );
            i = node.add(type_or_error(i));
        }
        _ => {
            let (range, found) = i.found();
            i.report(
                Diagnostic::new(code::E0100, format!("expected `:` and a type after `{key_text}`, found {found}"))
                    .with_primary(i.span(range), "expected `:`")
                    .with_help(format!("a field of a type is declared `{key_text}: Type`, with an optional default `= value`")),
            );
        }
    }
    if i.at(EQ) {
        let operator = i.range();
        i = node.bump(i);
        i = node.add(field_value(i, operator));
    }
    Ok(node.done(i))
}
