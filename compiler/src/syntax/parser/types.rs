//! Type expressions: `Int(1..65535)`, `[NodeGroup]`, `Map(String, String)`,
//! `Addon?`, `AwsCluster | GcpCluster`, `"aws"`, `{ name: String, min: Int = 1 }`.

use super::bodies::{record_like_body, record_type_entry};
use super::expressions::{delimited_elements, expr, named_argument, string};
use super::input::{Input, PResult, backtrack};
use super::{Node, missing, nested, starts_declaration};
use crate::diagnostics::{Diagnostic, code};
use crate::syntax::green::Green;
use crate::syntax::kind::{SyntaxKind, SyntaxKind::*};
use nom::Parser;
use nom::branch::alt;

fn can_start_type(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        IDENT | L_BRACK | L_BRACE | L_PAREN | STRING_START | NUMBER | QUANTITY | TRUE_KW | FALSE_KW
    )
}

pub(super) fn type_(i: Input<'_>) -> PResult<'_, Green> {
    if !can_start_type(i.kind()) || (i.newline_before() && starts_declaration(i)) {
        return backtrack();
    }
    Ok(union(i))
}

pub(super) fn type_or_error(i: Input<'_>) -> (Input<'_>, Green) {
    match type_(i) {
        Ok(result) => result,
        Err(_) => {
            let (range, found) = i.found();
            i.report(
                Diagnostic::new(code::E0108, format!("expected a type, found {found}"))
                    .with_primary(
                        i.span(range),
                        "expected a type such as `String`, `Int` or `Cluster`",
                    ),
            );
            (i, missing(i, ERROR))
        }
    }
}

fn union(i: Input<'_>) -> (Input<'_>, Green) {
    let (mut i, first) = optional(i);
    if !i.at(PIPE) {
        return (i, first);
    }
    let mut node = Node::new(i, UNION_TYPE);
    node.push(first);
    while i.at(PIPE) {
        i = node.bump(i);
        i = node.add(if can_start_type(i.kind()) {
            optional(i)
        } else {
            type_or_error(i)
        });
    }
    node.done(i)
}

fn optional(i: Input<'_>) -> (Input<'_>, Green) {
    let (i, inner) = primary_type(i);
    if !i.at(QUESTION) {
        return (i, inner);
    }
    let mut node = Node::new(i, OPTIONAL_TYPE);
    node.push(inner);
    let i = node.bump(i);
    node.done(i)
}

fn primary_type(i: Input<'_>) -> (Input<'_>, Green) {
    match i.kind() {
        IDENT => {
            let mut node = Node::new(i, PATH_TYPE);
            let mut i = node.bump(i);
            while i.at(DOT) && i.nth(1) == IDENT {
                i = node.bump(i);
                i = node.bump(i);
            }
            if i.at(L_PAREN) && !i.newline_before() {
                i = node.add(type_arguments(i));
            }
            node.done(i)
        }
        L_BRACK => nested(i, |i| {
            let mut node = Node::new(i, LIST_TYPE);
            let i = node.bump(i);
            let i = node.add(type_or_error(i));
            let i = node.expect(i, R_BRACK);
            node.done(i)
        }),
        L_BRACE => nested(i, |i| record_like_body(i, RECORD_TYPE, record_type_entry)),
        L_PAREN => nested(i, |i| {
            let mut node = Node::new(i, PAREN_TYPE);
            let i = node.bump(i);
            let i = node.add(type_or_error(i));
            let i = node.expect(i, R_PAREN);
            node.done(i)
        }),
        STRING_START => {
            let mut node = Node::new(i, LITERAL_TYPE);
            let i = node.add(string(i));
            node.done(i)
        }
        _ => {
            let mut node = Node::new(i, LITERAL_TYPE);
            let i = node.bump(i);
            node.done(i)
        }
    }
}

/// `(1..65535)`, `(pattern = "...")`, `(String, Int)`: constraints and type
/// arguments. An argument that starts like a value is a value, otherwise a type.
fn type_arguments(i: Input<'_>) -> (Input<'_>, Green) {
    nested(i, |i| {
        let mut node = Node::new(i, TYPE_ARGS);
        let open = i.range();
        let i = node.bump(i);
        let i = delimited_elements(
            i,
            &mut node,
            open,
            R_PAREN,
            type_argument,
            "a type argument",
        );
        node.done(i)
    })
}

fn type_argument(i: Input<'_>) -> PResult<'_, Green> {
    alt((named_argument, value_argument, type_)).parse(i)
}

/// A constraint written as a value: `1..65535`, `"^[a-z]+$"`, `64Gi`, `-1`.
fn value_argument(i: Input<'_>) -> PResult<'_, Green> {
    if matches!(i.kind(), NUMBER | QUANTITY | STRING_START | MINUS) {
        expr(i)
    } else {
        backtrack()
    }
}
