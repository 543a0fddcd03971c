//! Lowering `type` and `enum` declarations into `TypeDef`s, and type expressions
//! into `Ty`s. Names in types resolve in the type name space of the declaring
//! module (then the prelude); the built-in types are `Bool`, `Int`, `String`,
//! `Duration`, `Percent`, `Cpu`, `Memory`, `Any`, `List`, `Map` and `Set`.

use super::{EnumType, FieldDef, RecordType, StringConstraint, Ty, TypeDef, UnitKind, VariantDef};
use crate::diagnostics::{Diagnostic, code};
use crate::eval::Evaluator;
use crate::eval::scope::Scope;
use crate::eval::value::ValueKind;
use crate::names::index::ItemId;
use crate::names::items::{name_text, variant_name};
use crate::names::{Name, Namespace};
use crate::syntax::{SyntaxKind::*, SyntaxNode, ast};
use std::sync::Arc;

/// The declaration types whose name, used as a field's type, means a reference to
/// a declaration of that kind.
pub const DECLARATION_TYPES: &[(&str, Namespace)] = &[
    ("Fleet", Namespace::Fleet),
    ("Env", Namespace::Env),
    ("Team", Namespace::Team),
    ("Cluster", Namespace::Cluster),
    ("App", Namespace::App),
    ("Promotion", Namespace::Promotion),
    ("Policy", Namespace::Policy),
    ("Manifest", Namespace::Manifest),
];

/// The word and the type of each kind of declaration that has a type: a
/// `cluster` is a `Cluster`.
pub fn declaration_kind(kind: crate::syntax::SyntaxKind) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        FLEET_DECL => ("fleet", "Fleet"),
        ENV_DECL => ("env", "Env"),
        TEAM_DECL => ("team", "Team"),
        CLUSTER_DECL => ("cluster", "Cluster"),
        APP_DECL => ("app", "App"),
        PROMOTION_DECL => ("promotion", "Promotion"),
        POLICY_DECL => ("policy", "Policy"),
        MANIFEST_DECL => ("manifest", "Manifest"),
        _ => return None,
    })
}

pub fn lower(evaluator: &Evaluator<'_>, item: ItemId) -> Option<TypeDef> {
    let node = crate::eval::node_of(evaluator.db, item);
    let scope = evaluator.file_scope(item.file);
    let name = node.child_of_kind(NAME).and_then(name_text)?;
    match node.kind() {
        TYPE_DECL => {
            if let Some(record) = node.child_of_kind(RECORD_TYPE) {
                return Some(TypeDef::Record(Arc::new(lower_record(
                    evaluator, item, name, record, &scope,
                ))));
            }
            let ty = node
                .children()
                .find(|child| child.kind() != NAME)
                .map(|ty| lower_ty(evaluator, ty, &scope));
            Some(TypeDef::Alias(name, ty.unwrap_or(Ty::Error)))
        }
        ENUM_DECL => {
            let attributes = node
                .child_of_kind(TYPE_ANNOTATION)
                .and_then(|annotation| annotation.children().next())
                .map(|ty| lower_ty(evaluator, ty, &scope));
            let mut variants: Vec<VariantDef> = Vec::new();
            // Where each variant's name is written, for "declared twice".
            let mut written: Vec<crate::diagnostics::Span> = Vec::new();
            let list = node.child_of_kind(VARIANT_LIST);
            for variant in list
                .iter()
                .flat_map(|list| list.children())
                .filter(|variant| variant.kind() == VARIANT)
            {
                let Some(variant_name) = variant_name(variant) else {
                    continue;
                };
                let span = scope.span(variant_name_range(variant).unwrap_or(variant.range()));
                if let Some(first) = variants.iter().position(|known| known.name == variant_name) {
                    evaluator.report(
                        Diagnostic::new(
                            code::E0201,
                            format!("the variant `{variant_name}` of `{name}` is declared twice"),
                        )
                        .with_primary(span, "declared again here")
                        .with_secondary(written[first], "first declared here")
                        .with_help("each variant of an enum needs its own name"),
                    );
                    continue;
                }
                variants.push(VariantDef {
                    name: variant_name,
                    quoted: variant.child_of_kind(STRING).is_some(),
                    doc: doc_of(variant),
                });
                written.push(span);
            }
            Some(TypeDef::Enum(Arc::new(EnumType {
                name,
                item,
                variants,
                attributes,
            })))
        }
        _ => None,
    }
}

fn lower_record(
    evaluator: &Evaluator<'_>,
    item: ItemId,
    name: Name,
    body: SyntaxNode<'_>,
    scope: &Scope,
) -> RecordType {
    let mut fields: Vec<FieldDef> = Vec::new();
    // Where each field's name is written, for "declared twice".
    let mut written: Vec<crate::diagnostics::Span> = Vec::new();
    let mut requires = Vec::new();
    // Every name a `require` mentions (a field, a function, a `let`).
    let mut mentioned: Vec<&str> = Vec::new();
    for (position, entry) in body.children().enumerate() {
        match entry.kind() {
            FIELD_DECL => {
                let Some(field_name) = field_decl_name(entry) else {
                    continue;
                };
                let optional = entry.token_of_kind(QUESTION).is_some();
                let ty = entry
                    .children()
                    .find(|child| child.kind() != STRING || !is_key(entry, *child))
                    .filter(|child| is_type_node(child.kind()))
                    .map(|ty| lower_ty(evaluator, ty, scope))
                    .unwrap_or(Ty::Error);
                let has_default = entry.token_of_kind(EQ).is_some();
                let span = scope.span(field_decl_name_range(entry).unwrap_or(entry.range()));
                if let Some(first) = fields.iter().position(|field| field.name == field_name) {
                    evaluator.report(
                        Diagnostic::new(
                            code::E0201,
                            format!("the field `{field_name}` of `{name}` is declared twice"),
                        )
                        .with_primary(span, "declared again here")
                        .with_secondary(written[first], "first declared here")
                        .with_help("each field of a record type needs its own name"),
                    );
                    continue;
                }
                fields.push(FieldDef {
                    name: field_name,
                    ty,
                    optional,
                    has_default,
                    doc: doc_of(entry),
                });
                written.push(span);
            }
            REQUIRE => {
                requires.push(position as u32);
                mentioned.extend(
                    entry
                        .descendants()
                        .filter(|node| node.kind() == NAME_REF)
                        .map(|node| node.text()),
                );
            }
            _ => {}
        }
    }
    let required_fields = fields
        .iter()
        .filter(|field| mentioned.contains(&&*field.name))
        .map(|field| field.name.clone())
        .collect();
    RecordType {
        name,
        item,
        fields,
        requires,
        required_fields,
    }
}

/// The name of a `FIELD_DECL`: its first identifier or string.
pub fn field_decl_name(entry: SyntaxNode<'_>) -> Option<Name> {
    for element in entry.children_with_tokens() {
        match element {
            crate::syntax::SyntaxElement::Token(token) if token.kind() == IDENT => {
                return Some(Name::from(token.text()));
            }
            crate::syntax::SyntaxElement::Node(node) if node.kind() == STRING => {
                return ast::plain_string(node).map(Name::from);
            }
            crate::syntax::SyntaxElement::Token(token) if !token.kind().is_trivia() => return None,
            _ => {}
        }
    }
    None
}

/// Where the name of a `FIELD_DECL` is written (without its doc comment).
fn field_decl_name_range(entry: SyntaxNode<'_>) -> Option<text_size::TextRange> {
    for element in entry.children_with_tokens() {
        match element {
            crate::syntax::SyntaxElement::Token(token) if token.kind() == IDENT => {
                return Some(token.range());
            }
            crate::syntax::SyntaxElement::Node(node) if node.kind() == STRING => {
                return Some(node.range());
            }
            crate::syntax::SyntaxElement::Token(token) if !token.kind().is_trivia() => return None,
            _ => {}
        }
    }
    None
}

/// Where the name of a `VARIANT` is written (without its doc comment or
/// attributes).
fn variant_name_range(variant: SyntaxNode<'_>) -> Option<text_size::TextRange> {
    if let Some(string) = variant.child_of_kind(STRING) {
        return Some(string.range());
    }
    variant
        .child_tokens()
        .find(|token| token.kind() == IDENT)
        .map(|token| token.range())
}

fn is_key(entry: SyntaxNode<'_>, node: SyntaxNode<'_>) -> bool {
    entry.children().next() == Some(node)
}

fn is_type_node(kind: crate::syntax::SyntaxKind) -> bool {
    matches!(
        kind,
        PATH_TYPE
            | LIST_TYPE
            | OPTIONAL_TYPE
            | UNION_TYPE
            | LITERAL_TYPE
            | PAREN_TYPE
            | RECORD_TYPE
    )
}

/// The default value's expression of a field declaration, if any.
pub fn field_default(entry: SyntaxNode<'_>) -> Option<SyntaxNode<'_>> {
    entry.token_of_kind(EQ)?;
    entry
        .children()
        .rfind(|child| !is_type_node(child.kind()))
        .filter(|child| !is_key(entry, *child))
}

/// The `///` comments of a node, joined.
pub fn doc_of(node: SyntaxNode<'_>) -> Arc<str> {
    let lines: Vec<&str> = node
        .child_tokens()
        .filter(|token| token.kind() == DOC_COMMENT)
        .map(|token| {
            let line = &token.text()[3..];
            line.strip_prefix(' ').unwrap_or(line).trim_end()
        })
        .collect();
    Arc::from(lines.join("\n"))
}

/// A type expression as a `Ty`.
pub fn lower_ty(evaluator: &Evaluator<'_>, node: SyntaxNode<'_>, scope: &Scope) -> Ty {
    match node.kind() {
        PAREN_TYPE => node
            .children()
            .next()
            .map_or(Ty::Error, |inner| lower_ty(evaluator, inner, scope)),
        LIST_TYPE => {
            let element = node
                .children()
                .next()
                .map_or(Ty::Error, |inner| lower_ty(evaluator, inner, scope));
            Ty::List(Arc::new(element), None)
        }
        OPTIONAL_TYPE => {
            let inner = node
                .children()
                .next()
                .map_or(Ty::Error, |inner| lower_ty(evaluator, inner, scope));
            Ty::Optional(Arc::new(inner))
        }
        UNION_TYPE => Ty::Union(
            node.children()
                .map(|member| lower_ty(evaluator, member, scope))
                .collect(),
        ),
        LITERAL_TYPE => match node.child_of_kind(STRING).and_then(ast::plain_string) {
            Some(text) => Ty::String(Some(Arc::new(StringConstraint {
                // An escaped text always compiles.
                pattern: super::patterns::Pattern::new(&format!("^{}$", regex::escape(&text))).ok(),
                describe: Some(Arc::from(format!("\"{text}\""))),
                ..StringConstraint::default()
            }))),
            None => unsupported(
                evaluator,
                node,
                scope,
                "only string literal types are supported",
            ),
        },
        PATH_TYPE => lower_path(evaluator, node, scope),
        RECORD_TYPE => unsupported(
            evaluator,
            node,
            scope,
            "declare the record as a `type` of its own and use its name",
        ),
        _ => Ty::Error,
    }
}

fn unsupported(evaluator: &Evaluator<'_>, node: SyntaxNode<'_>, scope: &Scope, help: &str) -> Ty {
    evaluator.report(
        Diagnostic::new(code::E0312, "this type cannot be used here")
            .with_primary(scope.span(node.range()), "unsupported type")
            .with_help(help.to_string()),
    );
    Ty::Error
}

fn lower_path(evaluator: &Evaluator<'_>, node: SyntaxNode<'_>, scope: &Scope) -> Ty {
    let words: Vec<_> = node
        .child_tokens()
        .filter(|token| token.kind() == IDENT)
        .collect();
    let arguments: Vec<_> = node
        .child_of_kind(TYPE_ARGS)
        .map(|list| list.children().collect())
        .unwrap_or_default();
    let span = scope.span(node.range());
    match words.as_slice() {
        [word] => {
            let name = word.text();
            if let Some(builtin) = builtin(evaluator, name, &arguments, scope, span) {
                return builtin;
            }
            let Some(item) = evaluator.type_named(&scope.module, name) else {
                unknown_type(evaluator, name, scope.span(word.range()), &scope.module);
                return Ty::Error;
            };
            if !arguments.is_empty() {
                no_arguments(evaluator, name, span);
                return Ty::Error;
            }
            let is_prelude = item.file.module(evaluator.db).as_ref() == crate::stdlib::PRELUDE;
            match DECLARATION_TYPES
                .iter()
                .find(|(type_name, _)| *type_name == name)
            {
                Some((_, namespace)) if is_prelude => Ty::Decl(*namespace),
                _ => Ty::Named(item),
            }
        }
        // `lib.Tier`: a type of the module the file imports as `lib`.
        [alias, name]
            if evaluator.type_named(&scope.module, alias.text()).is_none()
                && evaluator.import_alias(scope.file, alias.text()).is_some() =>
        {
            let module = evaluator
                .import_alias(scope.file, alias.text())
                .expect("checked");
            let found = evaluator
                .index
                .module(&module)
                .and_then(|scope| scope.lookup(Namespace::Type, name.text()).first().copied());
            let Some(item) = found else {
                let declared: Vec<Name> = evaluator
                    .index
                    .module(&module)
                    .map(|scope| {
                        scope
                            .entries()
                            .filter(|(namespace, _, _)| *namespace == Namespace::Type)
                            .map(|(_, name, _)| name.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                let mut declared = declared;
                declared.sort();
                let (alias, name) = (alias.text(), name.text());
                let mut diagnostic =
                    Diagnostic::new(code::E0200, format!("`{alias}` has no type `{name}`"))
                        .with_primary(span, format!("not declared in `{alias}`"));
                if let Some(suggestion) =
                    crate::eval::closest(name, declared.iter().map(|name| &**name))
                {
                    diagnostic =
                        diagnostic.with_help(format!("did you mean `{alias}.{suggestion}`?"));
                }
                evaluator.report(diagnostic);
                return Ty::Error;
            };
            if !arguments.is_empty() {
                no_arguments(
                    evaluator,
                    &format!("{}.{}", alias.text(), name.text()),
                    span,
                );
                return Ty::Error;
            }
            Ty::Named(item)
        }
        // `Cloud.aws`: one variant of an enum, as a type.
        [enumeration, variant] => {
            let Some(item) = evaluator.type_named(&scope.module, enumeration.text()) else {
                let first = enumeration.text();
                // `lib.Tier` without `import "./lib"`: say what the path can mean.
                let stdlib = crate::stdlib::FILES
                    .iter()
                    .map(|file| file.module)
                    .find(|module| module.strip_prefix("std.") == Some(first));
                if first.starts_with(|c: char| c.is_ascii_lowercase()) {
                    let help = match stdlib {
                        Some(module) => format!("add `import {module}`"),
                        None => format!(
                            "if `{first}` is a library folder beside this file, add `import \"./{first}\"`"
                        ),
                    };
                    evaluator.report(
                        Diagnostic::new(code::E0200, format!("no type or import named `{first}`"))
                            .with_primary(
                                span,
                                format!(
                                    "`{first}.{}` names a type of an imported module, or a variant of an enum",
                                    variant.text()
                                ),
                            )
                            .with_help(help),
                    );
                    return Ty::Error;
                }
                evaluator.unresolved(first, span, &scope.module, Some(Namespace::Type));
                return Ty::Error;
            };
            Ty::Variant(item, Name::from(variant.text()))
        }
        _ => unsupported(
            evaluator,
            node,
            scope,
            "write a type name, or an enum variant as `Enum.variant`",
        ),
    }
}

/// E0312 for a declared type written with arguments.
fn no_arguments(evaluator: &Evaluator<'_>, name: &str, span: crate::diagnostics::Span) {
    evaluator.report(
        Diagnostic::new(code::E0312, format!("`{name}` takes no arguments"))
            .with_primary(span, "a declared type with arguments")
            .with_help(
                "only the built-in types take arguments: `Int(...)`, `String(...)`, \
                 `List(...)` and `Map(...)`; for a narrower type, declare one with \
                 the built-in type and its limits",
            ),
    );
}

/// The built-in types, which no `type` declares.
pub const BUILTIN_TYPES: &[&str] = &[
    "Bool", "Int", "String", "Duration", "Percent", "Cpu", "Memory", "Any", "List", "Map", "Set",
];

/// E0200 for a type name that is neither built in nor declared, with the closest
/// of both as the suggestion (`Strin` -> `String`).
fn unknown_type(
    evaluator: &Evaluator<'_>,
    name: &str,
    span: crate::diagnostics::Span,
    module: &str,
) {
    let mut diagnostic = Diagnostic::new(code::E0200, format!("no type named `{name}`"))
        .with_primary(span, format!("`{name}` is not declared"));
    let declared = evaluator.index.visible_names(module, Namespace::Type);
    let candidates = BUILTIN_TYPES
        .iter()
        .copied()
        .chain(declared.iter().map(|name| &**name));
    if let Some(suggestion) = crate::eval::closest(name, candidates) {
        diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?"));
    }
    evaluator.report(diagnostic);
}

fn builtin(
    evaluator: &Evaluator<'_>,
    name: &str,
    arguments: &[SyntaxNode<'_>],
    scope: &Scope,
    span: crate::diagnostics::Span,
) -> Option<Ty> {
    let lower_argument = |index: usize| {
        arguments
            .get(index)
            .map(|node| lower_ty(evaluator, *node, scope))
    };
    Some(match name {
        "Bool" => Ty::Bool,
        "Any" => Ty::Any,
        "Duration" => Ty::Unit(UnitKind::Duration),
        "Percent" => Ty::Unit(UnitKind::Percent),
        "Cpu" => Ty::Unit(UnitKind::Cpu),
        "Memory" => Ty::Unit(UnitKind::Memory),
        "Int" => Ty::Int(int_range(evaluator, arguments, scope)),
        "String" => {
            let constraint = string_constraint(evaluator, arguments, scope);
            Ty::String(constraint.map(Arc::new))
        }
        "List" => {
            let element = lower_argument(0).unwrap_or(Ty::Any);
            let key = named_argument(arguments, "key")
                .and_then(|value| evaluator.eval(Some(value), scope).as_str().map(Name::from));
            Ty::List(Arc::new(element), key)
        }
        "Map" => Ty::Map(
            Arc::new(lower_argument(0).unwrap_or(Ty::Any)),
            Arc::new(lower_argument(1).unwrap_or(Ty::Any)),
        ),
        "Set" => {
            let _ = span;
            Ty::ClusterSet
        }
        _ => return None,
    })
}

fn named_argument<'t>(arguments: &[SyntaxNode<'t>], name: &str) -> Option<SyntaxNode<'t>> {
    arguments
        .iter()
        .find(|argument| {
            argument.kind() == NAMED_ARG
                && argument
                    .child_tokens()
                    .find(|token| token.kind() == IDENT)
                    .is_some_and(|token| token.text() == name)
        })
        .and_then(|argument| argument.children().next())
}

/// `Int(1..65535)`
fn int_range(
    evaluator: &Evaluator<'_>,
    arguments: &[SyntaxNode<'_>],
    scope: &Scope,
) -> Option<(i64, i64)> {
    let range = arguments.first()?;
    let bounds: Vec<_> = range.children().collect();
    if range.kind() != BINARY_EXPR || bounds.len() != 2 {
        unsupported(
            evaluator,
            *range,
            scope,
            "write a range of whole numbers: `Int(1..65535)`",
        );
        return None;
    }
    let low = evaluator.eval(Some(bounds[0]), scope);
    let high = evaluator.eval(Some(bounds[1]), scope);
    match (low.kind, high.kind) {
        (ValueKind::Int(low), ValueKind::Int(high)) => Some((low, high)),
        _ => {
            unsupported(
                evaluator,
                *range,
                scope,
                "write a range of whole numbers: `Int(1..65535)`",
            );
            None
        }
    }
}

fn string_constraint(
    evaluator: &Evaluator<'_>,
    arguments: &[SyntaxNode<'_>],
    scope: &Scope,
) -> Option<StringConstraint> {
    if arguments.is_empty() {
        return None;
    }
    let mut constraint = StringConstraint::default();
    for argument in arguments {
        let Some(name) = argument
            .child_tokens()
            .find(|token| token.kind() == IDENT)
            .filter(|_| argument.kind() == NAMED_ARG)
        else {
            unsupported(
                evaluator,
                *argument,
                scope,
                "a string's limits are named: `String(pattern = \"...\")`",
            );
            continue;
        };
        let value = evaluator.eval(argument.children().next(), scope);
        let text = value.as_str().map(Arc::<str>::from);
        let number = match value.kind {
            ValueKind::Int(number) if number >= 0 => Some(number as usize),
            _ => None,
        };
        match (name.text(), text, number) {
            ("pattern", Some(pattern), _) => match super::patterns::Pattern::new(&pattern) {
                Ok(pattern) => constraint.pattern = Some(pattern),
                Err(error) => evaluator.report(
                    Diagnostic::new(code::E0312, "invalid pattern")
                        .with_primary(value.span, error.lines().last().unwrap_or("").to_string()),
                ),
            },
            ("describe", Some(text), _) => constraint.describe = Some(text),
            ("family", Some(text), _) => constraint.family = Some(text),
            ("max_length", _, Some(number)) => constraint.max_length = Some(number),
            ("min_length", _, Some(number)) => constraint.min_length = Some(number),
            ("semver", _, _) => constraint.semver = matches!(value.kind, ValueKind::Bool(true)),
            (other, _, _) => {
                evaluator.report(
                    Diagnostic::new(code::E0312, format!("`String` has no limit `{other}`"))
                        .with_primary(scope.span(name.range()), "unknown limit")
                        .with_help("the limits are `pattern`, `min_length`, `max_length`, `describe`, `family` and `semver`"),
                );
            }
        }
    }
    Some(constraint)
}

/// The lowered type of a declaration kind's bodies, by its type's name: the
/// prelude's, or else the stdlib module's that declares it (`Policy` is
/// `std.policies.Policy`, whether or not the fleet imports `std.policies`).
pub fn declaration_type(evaluator: &Evaluator<'_>, type_name: &str) -> Ty {
    match stdlib_type(evaluator, type_name) {
        Some(item) => Ty::Named(item),
        None => Ty::Error,
    }
}

/// The stdlib's type called `name`: the prelude's, then the other modules', in
/// the stdlib's order.
pub fn stdlib_type(evaluator: &Evaluator<'_>, name: &str) -> Option<ItemId> {
    if let Some(item) = evaluator.prelude_type(name) {
        return Some(item);
    }
    let mut modules: Vec<&str> = crate::stdlib::FILES
        .iter()
        .map(|file| file.module)
        .collect();
    modules.dedup();
    modules.into_iter().find_map(|module| {
        evaluator
            .index
            .module(module)
            .and_then(|scope| scope.lookup(Namespace::Type, name).first().copied())
    })
}
