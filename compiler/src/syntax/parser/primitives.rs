//! The nom parsers the grammar is built from: single tokens, contextual keywords,
//! and `starting`, which turns a rule that always succeeds into a nom parser that
//! fails (consuming nothing) where the rule does not start. With them the grammar's
//! choices and optional parts are nom's `alt` and `opt`; the loops that recover from
//! errors stay hand-written.
//!
//! A parser here returns the handle of what it consumed; the caller pushes it into
//! its node at once (see `green.rs` for why the order matters).

use super::input::{Input, PResult, backtrack};
use crate::syntax::green::Green;
use crate::syntax::kind::SyntaxKind;

/// One token of `kind`.
pub(super) fn token<'a>(kind: SyntaxKind) -> impl Fn(Input<'a>) -> PResult<'a, Green> {
    move |i: Input<'a>| {
        if i.at(kind) {
            Ok(i.bump())
        } else {
            backtrack()
        }
    }
}

/// A rule that always succeeds once it starts, as a parser that starts where
/// `starts_here` says so.
pub(super) fn starting<'a>(
    starts_here: impl Fn(Input<'a>) -> bool,
    rule: impl Fn(Input<'a>) -> (Input<'a>, Green),
) -> impl Fn(Input<'a>) -> PResult<'a, Green> {
    move |i: Input<'a>| {
        if starts_here(i) {
            Ok(rule(i))
        } else {
            backtrack()
        }
    }
}

/// A rule that starts at a token of `kind`.
pub(super) fn starting_at<'a>(
    kind: SyntaxKind,
    rule: impl Fn(Input<'a>) -> (Input<'a>, Green),
) -> impl Fn(Input<'a>) -> PResult<'a, Green> {
    starting(move |i: Input<'a>| i.at(kind), rule)
}
