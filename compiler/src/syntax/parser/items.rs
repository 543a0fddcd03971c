//! Top-level items: `import`, `let`, `for`, `require` and the declarations
//! (`fleet`, `env`, `team`, `cluster`, `app`, `overlay`, `promotion`, `policy`,
//! `manifest`, `template`, `type`, `enum`).

use super::bodies::{body, record_like_body, record_type_entry};
use super::expressions::{condition_or_error, expr_or_error, primary_or_error, string};
use super::input::{Input, PResult, backtrack};
use super::primitives::{starting_at, token};
use super::types::type_or_error;
use super::{Node, nested, report_unclosed, skip_until, starts_declaration};
use crate::diagnostics::{Diagnostic, code};
use crate::syntax::green::Green;
use crate::syntax::kind::{ITEM_WORDS, SyntaxKind, SyntaxKind::*, declaration_keyword};
use nom::Parser;
use nom::branch::alt;
use nom::combinator::opt;
use text_size::TextRange;

/// Parses every item; returns where the root's children start on the sink's
/// stack (the sink finishes the root after the trailing trivia).
pub(super) fn source_file(i: Input<'_>) -> u32 {
    let mut node = Node::new(i, SOURCE_FILE);
    let i = items(i, &mut node, false);
    debug_assert!(i.at_eof(), "the top level consumes every token");
    node.mark
}

/// Items until the end of the file, or until `}` inside a `for`.
fn items<'a>(mut i: Input<'a>, node: &mut Node<'a>, in_for: bool) -> Input<'a> {
    loop {
        if i.at_eof() || (in_for && i.at(R_BRACE)) {
            return i;
        }
        i = match item(i) {
            Ok((rest, item)) => {
                node.push(item);
                rest
            }
            Err(_) => node.add(recover(i, in_for)),
        }
    }
}

fn item(i: Input<'_>) -> PResult<'_, Green> {
    alt((
        starting_at(IMPORT_KW, import),
        starting_at(LET_KW, let_item),
        starting_at(FOR_KW, for_item),
        declaration,
    ))
    .parse(i)
}

/// A declaration, chosen by its word (a contextual keyword).
fn declaration(i: Input<'_>) -> PResult<'_, Green> {
    if !i.at(IDENT) {
        return backtrack();
    }
    Ok(match declaration_keyword(i.text()) {
        Some(REQUIRE_KW) => require(i),
        Some(TYPE_KW) => type_decl(i),
        Some(ENUM_KW) => enum_decl(i),
        Some(OVERLAY_KW) => overlay(i),
        Some(keyword) => named_declaration(i, keyword),
        None => return backtrack(),
    })
}

/// Something that starts no item: report it, then skip to the next line that
/// starts a declaration.
fn recover(i: Input<'_>, in_for: bool) -> (Input<'_>, Green) {
    let range = i.range();
    match i.kind() {
        R_BRACE | R_BRACK | R_PAREN => {
            let text = i.text();
            i.report(
                Diagnostic::new(code::E0112, format!("unmatched `{text}`"))
                    .with_primary(i.span(range), format!("this `{text}` closes nothing"))
                    .with_help("remove it, or add the opening bracket it belongs to"),
            );
            let mut node = Node::new(i, ERROR);
            let i = node.bump(i);
            return node.done(i);
        }
        IDENT => {
            let word = i.text();
            let mut diagnostic = Diagnostic::new(
                code::E0101,
                format!("expected a declaration, found `{word}`"),
            )
            .with_primary(
                i.span(range),
                "a declaration starts with a word such as `cluster` or `app`",
            );
            if let Some(suggestion) = closest_item_word(word) {
                diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?"));
            } else if matches!(i.nth(1), EQ | COLON) {
                diagnostic = diagnostic.with_help(format!(
                    "fields belong inside a declaration; a value of its own is written `let {word} = ...`"
                ));
            }
            i.report(diagnostic);
        }
        _ => {
            let found = i.describe_current();
            i.report(
                Diagnostic::new(
                    code::E0101,
                    format!("expected a declaration, found {found}"),
                )
                .with_primary(
                    i.span(range),
                    "a declaration starts with a word such as `cluster` or `app`",
                ),
            );
        }
    }
    skip_until(i, move |i| {
        (i.newline_before() && starts_declaration(i)) || (in_for && i.at(R_BRACE))
    })
}

fn closest_item_word(word: &str) -> Option<&'static str> {
    ITEM_WORDS
        .iter()
        .map(|candidate| (strsim::damerau_levenshtein(word, candidate), *candidate))
        .filter(|(distance, candidate)| {
            *distance > 0 && *distance <= 2 && *distance < candidate.len()
        })
        .min()
        .map(|(_, candidate)| candidate)
}

fn declaration_node(keyword: SyntaxKind) -> SyntaxKind {
    match keyword {
        FLEET_KW => FLEET_DECL,
        ENV_KW => ENV_DECL,
        TEAM_KW => TEAM_DECL,
        CLUSTER_KW => CLUSTER_DECL,
        APP_KW => APP_DECL,
        PROMOTION_KW => PROMOTION_DECL,
        POLICY_KW => POLICY_DECL,
        MANIFEST_KW => MANIFEST_DECL,
        TEMPLATE_KW => TEMPLATE_DECL,
        other => unreachable!("{other:?} has a rule of its own"),
    }
}

/// `cluster name (: template)? { body }` and the other named declarations.
fn named_declaration(i: Input<'_>, keyword: SyntaxKind) -> (Input<'_>, Green) {
    let mut node = Node::new(i, declaration_node(keyword));
    let word = i.text();
    let i = node.bump_as(i, keyword);
    let i = name(i, &mut node, word);
    let i = optional_annotation(i, &mut node);
    let i = optional_body(i, &mut node);
    node.done(i)
}

/// `: Type`, if it is there.
fn optional_annotation<'a>(i: Input<'a>, node: &mut Node<'a>) -> Input<'a> {
    match opt(starting_at(COLON, type_annotation)).parse(i) {
        Ok((i, Some(annotation))) => node.add((i, annotation)),
        _ => i,
    }
}

/// A body, or nothing when the line ends; anything else on the line is an error.
fn optional_body<'a>(i: Input<'a>, node: &mut Node<'a>) -> Input<'a> {
    if i.at(L_BRACE) {
        return node.add(body(i, BODY));
    }
    if i.at_eof() || i.newline_before() {
        return i;
    }
    i.report_expected("`{` or a new line");
    let i = node.add(skip_until(i, |i| i.newline_before() || i.at(L_BRACE)));
    if i.at(L_BRACE) && !i.newline_before() {
        node.add(body(i, BODY))
    } else {
        i
    }
}

/// The name of a declaration: an identifier or a string.
fn name<'a>(i: Input<'a>, node: &mut Node<'a>, what: &str) -> Input<'a> {
    match i.kind() {
        IDENT => {
            let mut name = Node::new(i, NAME);
            let i = name.bump(i);
            node.push(name.finish());
            i
        }
        STRING_START | TRIPLE_START => {
            let mut name = Node::new(i, NAME);
            let i = name.add(string(i));
            node.push(name.finish());
            i
        }
        kind if kind.is_reserved_keyword() && !i.newline_before() => {
            let word = i.text();
            i.report(
                Diagnostic::new(code::E0116, format!("`{word}` is a reserved word"))
                    .with_primary(
                        i.span(i.range()),
                        "a reserved word cannot name a declaration",
                    )
                    .with_help(format!("quote it to use it as a name: \"{word}\"")),
            );
            let mut name = Node::new(i, NAME);
            let i = name.bump(i);
            node.push(name.finish());
            i
        }
        _ => {
            let (range, found) = i.found();
            i.report(
                Diagnostic::new(
                    code::E0107,
                    format!("expected a name for the {what}, found {found}"),
                )
                .with_primary(i.span(range), "the name goes here")
                .with_help(format!("write `{what} my-name {{ ... }}`")),
            );
            i
        }
    }
}

fn type_annotation(i: Input<'_>) -> (Input<'_>, Green) {
    let mut node = Node::new(i, TYPE_ANNOTATION);
    let i = node.bump(i);
    let i = node.add(type_or_error(i));
    node.done(i)
}

/// `import std.policies`, `import "./lib" as lib`
fn import(i: Input<'_>) -> (Input<'_>, Green) {
    let mut node = Node::new(i, IMPORT);
    let mut i = node.bump(i);
    let mut path = Node::new(i, IMPORT_PATH);
    match i.kind() {
        IDENT => {
            i = path.bump(i);
            while i.at(DOT) && !i.newline_before() {
                i = path.bump(i);
                i = path.expect(i, IDENT);
            }
        }
        STRING_START => i = path.add(string(i)),
        _ => i.report_expected("a module (`std.policies`) or a folder (\"./lib\")"),
    }
    node.push(path.finish());
    if i.at(AS_KW) {
        i = node.bump(i);
        i = node.expect(i, IDENT);
    }
    node.done(i)
}

/// `let name (: Type)? = value`
fn let_item(i: Input<'_>) -> (Input<'_>, Green) {
    let mut node = Node::new(i, LET);
    let i = node.bump(i);
    let i = name(i, &mut node, "let");
    let i = optional_annotation(i, &mut node);
    let i = node.expect(i, EQ);
    let i = node.add(expr_or_error(i));
    node.done(i)
}

/// `require condition (else "message")?`: an assertion about the fleet.
pub(super) fn require(i: Input<'_>) -> (Input<'_>, Green) {
    let mut node = Node::new(i, REQUIRE);
    let i = node.bump_as(i, REQUIRE_KW);
    let i = node.add(condition_or_error(i));
    // `else "message"`
    let i = match opt(token(ELSE_KW)).parse(i) {
        Ok((i, Some(else_keyword))) => {
            node.push(else_keyword);
            node.add(expr_or_error(i))
        }
        _ => i,
    };
    node.done(i)
}

/// `for e in envs, r in regions (if condition)? { items }`
fn for_item(i: Input<'_>) -> (Input<'_>, Green) {
    nested(i, |i| {
        let mut node = Node::new(i, FOR_ITEM);
        let i = node.bump(i);
        let mut i = for_head(i, &mut node);
        if !i.at(L_BRACE) {
            i.report_expected("`{` and the declarations to repeat");
            return node.done(i);
        }
        let open = i.range();
        i = node.bump(i);
        i = items(i, &mut node, true);
        if i.at(R_BRACE) {
            i = node.bump(i);
        } else {
            report_unclosed(i, open, R_BRACE);
        }
        node.done(i)
    })
}

/// `x in xs, y in ys (if condition)?` after `for`, in a `for` item or a comprehension.
pub(super) fn for_head<'a>(i: Input<'a>, node: &mut Node<'a>) -> Input<'a> {
    let mut i = node.add(for_binding(i));
    while i.at(COMMA) {
        i = node.bump(i);
        i = node.add(for_binding(i));
    }
    if i.at(IF_KW) {
        i = node.bump(i);
        i = node.add(condition_or_error(i));
    }
    i
}

/// `name in values`, in a `for` item or a comprehension.
fn for_binding(i: Input<'_>) -> (Input<'_>, Green) {
    let mut node = Node::new(i, FOR_BINDING);
    let mut i = i;
    if i.at(IDENT) {
        i = node.bump(i);
    } else {
        i.report_expected("a loop variable");
    }
    let i = node.expect(i, IN_KW);
    let i = node.add(expr_or_error(i));
    node.done(i)
}

/// `overlay app @ env, region "r", cluster c { body }`
fn overlay(i: Input<'_>) -> (Input<'_>, Green) {
    let mut node = Node::new(i, OVERLAY_DECL);
    let mut i = node.bump_as(i, OVERLAY_KW);
    match i.kind() {
        IDENT | STRING_START => i = node.add(primary_or_error(i)),
        _ => {
            let (range, found) = i.found();
            i.report(
                Diagnostic::new(
                    code::E0107,
                    format!("expected the app this overlay changes, found {found}"),
                )
                .with_primary(i.span(range), "the app's name goes here")
                .with_help("write `overlay my-app @ production { ... }`"),
            );
        }
    }
    if i.at(AT) {
        i = node.add(layer_list(i));
    } else {
        i.report_expected("`@` and the layer the overlay applies to");
    }
    let i = optional_body(i, &mut node);
    node.done(i)
}

fn layer_list(i: Input<'_>) -> (Input<'_>, Green) {
    let mut node = Node::new(i, LAYER_LIST);
    let mut i = node.bump(i);
    while let Some((rest, layer)) = layer(i) {
        i = node.add((rest, layer));
        if !i.at(COMMA) {
            break;
        }
        i = node.bump(i);
    }
    node.done(i)
}

fn layer(i: Input<'_>) -> Option<(Input<'_>, Green)> {
    let next_is_name = matches!(i.nth(1), IDENT | STRING_START) && !i.newline_before_nth(1);
    if i.at_word("region") && next_is_name {
        let mut node = Node::new(i, REGION_LAYER);
        let i = node.bump_as(i, REGION_KW);
        let i = node.add(primary_or_error(i));
        return Some(node.done(i));
    }
    if i.at_word("cluster") && next_is_name {
        let mut node = Node::new(i, CLUSTER_LAYER);
        let i = node.bump_as(i, CLUSTER_KW);
        let i = node.add(primary_or_error(i));
        return Some(node.done(i));
    }
    if i.at(IDENT) {
        let mut node = Node::new(i, ENV_LAYER);
        let i = node.add(primary_or_error(i));
        return Some(node.done(i));
    }
    if i.at(STRING_START) && !i.newline_before() {
        // `@ "eu-west-1"`: a region without its word.
        let mut node = Node::new(i, ERROR);
        let start = i.range().start();
        let i = node.add(string(i));
        let written = &i.ctx.source[TextRange::new(start, i.previous_end())];
        i.report(
            Diagnostic::new(
                code::E0114,
                format!("expected an overlay layer, found `{written}`"),
            )
            .with_primary(
                i.span(TextRange::new(start, i.previous_end())),
                "a string is not a layer",
            )
            .with_help(format!("for a region, write `@ region {written}`")),
        );
        return Some(node.done(i));
    }
    let (range, found) = i.found();
    i.report(
        Diagnostic::new(code::E0114, format!("expected an overlay layer, found {found}"))
            .with_primary(i.span(range), "a layer goes here")
            .with_help("a layer is an env (`@ production`), a region (`@ region \"eu-west-1\"`), a cluster (`@ cluster prod-eu-1`), or an env with either (`@ production, region \"eu-west-1\"`)"),
    );
    // Keep the bad layer in the list unless it is what follows the list.
    if i.at_eof() || i.newline_before() || i.at(L_BRACE) {
        return None;
    }
    let mut node = Node::new(i, ERROR);
    let i = node.bump(i);
    Some(node.done(i))
}

/// `type Name = Type` or `type Name { field: Type ... }`
fn type_decl(i: Input<'_>) -> (Input<'_>, Green) {
    let mut node = Node::new(i, TYPE_DECL);
    let i = node.bump_as(i, TYPE_KW);
    let i = name(i, &mut node, "type");
    let i = match i.kind() {
        EQ => {
            let i = node.bump(i);
            node.add(type_or_error(i))
        }
        L_BRACE => node.add(nested(i, |i| {
            record_like_body(i, RECORD_TYPE, record_type_entry)
        })),
        _ => {
            i.report_expected("`=` and a type, or `{` and fields");
            i
        }
    };
    node.done(i)
}

/// `enum Name { variant, "variant" ... }`
fn enum_decl(i: Input<'_>) -> (Input<'_>, Green) {
    let mut node = Node::new(i, ENUM_DECL);
    let i = node.bump_as(i, ENUM_KW);
    let i = name(i, &mut node, "enum");
    // `enum AwsRegion: Region { ... }`: the type of the variants' attributes.
    let i = optional_annotation(i, &mut node);
    let i = if i.at(L_BRACE) {
        node.add(nested(i, |i| record_like_body(i, VARIANT_LIST, variant)))
    } else {
        i.report_expected("`{` and the variants");
        i
    };
    node.done(i)
}

/// `aws`, `"us-east-1"`, or either with attributes: `"asia-south1" { city = "Mumbai" }`.
fn variant(i: Input<'_>) -> PResult<'_, Green> {
    let mut node = Node::new(i, VARIANT);
    let i = match i.kind() {
        IDENT => node.bump(i),
        STRING_START => node.add(string(i)),
        _ => return backtrack(),
    };
    let i = if i.at(L_BRACE) && !i.newline_before() {
        node.add(body(i, BODY))
    } else {
        i
    };
    Ok(node.done(i))
}
