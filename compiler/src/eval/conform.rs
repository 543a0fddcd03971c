//! Checking values against types, and giving them their meaning: a symbol becomes
//! an enum variant or a reference to a declaration, a quantity literal becomes a
//! duration, a record becomes a record of its type. Each mismatch is reported once,
//! at the span that set the value, and the value becomes an error value so nothing
//! downstream reports it again.
//!
//! `conform` checks what a value is; `complete` (after layers are merged) checks
//! what a record lacks: missing fields, defaults, and `require`s.

use super::value::{
    ClusterField, CompareOp, Field, Predicate, Record, Selector, SetOp, Value, ValueKind,
};
use super::{Evaluator, SharedCheck};
use crate::diagnostics::wording::{article, or_list, with_article};
use crate::diagnostics::{Diagnostic, Span, code};
use crate::names::index::ItemId;
use crate::names::{Name, Namespace};
use crate::types::lower::{field_decl_name, field_default};
use crate::types::units::{UnitError, memory_unit_fix, parse_quantity};
use crate::types::{EnumType, RecordType, StringConstraint, Ty, TypeDef};
use std::sync::Arc;

impl Evaluator<'_> {
    /// `value` as a value of `ty`, or an error value (reported).
    pub fn conform(&self, value: Value, ty: &Ty, module: &str) -> Value {
        if value.is_error() {
            return value;
        }
        let span = value.span;
        self.shared_check(SharedCheck::Conform, value, ty, module, |value| {
            self.nested(
                span,
                || Value::error(span),
                || self.conform_value(value, ty, module),
            )
        })
    }

    fn conform_value(&self, value: Value, ty: &Ty, module: &str) -> Value {
        match ty {
            // A type that did not resolve was reported: its values are not
            // checked (their names would only cascade).
            Ty::Error => value,
            Ty::Any => self.conform_any(value, module),
            Ty::Bool => match value.kind {
                ValueKind::Bool(_) => value,
                _ => self.mismatch(value, "`true` or `false`"),
            },
            Ty::Int(range) => match value.kind {
                ValueKind::Int(number) => match range {
                    Some((low, high)) if number < *low || number > *high => {
                        self.report(
                            Diagnostic::new(code::E0304, format!("`{number}` is out of range"))
                                .with_primary(
                                    value.span,
                                    format!("expected a whole number from {low} to {high}"),
                                ),
                        );
                        Value::error(value.span)
                    }
                    _ => value,
                },
                _ => self.mismatch(value, "a whole number"),
            },
            Ty::String(constraint) => self.conform_string(value, constraint.as_deref()),
            Ty::Unit(kind) => {
                let text = match &value.kind {
                    ValueKind::QuantityLiteral(text) => text.to_string(),
                    ValueKind::Int(number) => number.to_string(),
                    ValueKind::Quantity(quantity) if quantity.kind == *kind => return value,
                    _ => {
                        return self.mismatch(
                            value,
                            &format!(
                                "{} such as {}",
                                with_article(&format!("`{}`", kind.name())),
                                unit_example(*kind)
                            ),
                        );
                    }
                };
                match parse_quantity(&text, *kind) {
                    Ok(quantity) => Value::new(ValueKind::Quantity(Arc::new(quantity)), value.span),
                    Err(error) => {
                        self.bad_unit(&value, &text, *kind, error);
                        Value::error(value.span)
                    }
                }
            }
            Ty::List(element, _) => match &value.kind {
                ValueKind::List(items) => {
                    // In a list of cluster sets (a gate's `waves`), `rest` is the
                    // clusters no earlier element took.
                    let ordered_sets = self.is_cluster_set(element);
                    let items: Arc<[Value]> = items
                        .iter()
                        .map(|item| match item.kind {
                            ValueKind::Rest if ordered_sets => item.clone(),
                            _ => self.conform(item.clone(), element, module),
                        })
                        .collect();
                    Value::new(ValueKind::List(items), value.span)
                }
                _ => self.mismatch(value, "a list"),
            },
            Ty::Map(key, element) => match &value.kind {
                ValueKind::Record(record) => {
                    let mut fields = Vec::with_capacity(record.fields.len());
                    for field in &record.fields {
                        if !self.map_key_ok(&field.name, field.key_span, key, module) {
                            continue;
                        }
                        let value = self.conform(field.value.clone(), element, module);
                        fields.push(Field {
                            value,
                            ..field.clone()
                        });
                    }
                    Value::new(
                        ValueKind::Record(Arc::new(Record { ty: None, fields })),
                        value.span,
                    )
                }
                _ => self.mismatch(value, "a record of entries (`{ key = value }`)"),
            },
            Ty::ClusterSet => self.conform_cluster_set(value, module),
            Ty::Optional(inner) => self.conform(value, inner, module),
            Ty::Named(item) => match self.type_def(*item).as_deref() {
                Some(TypeDef::Record(record)) => self.conform_record(value, record, module),
                Some(TypeDef::Enum(enumeration)) => self.conform_enum(value, enumeration, module),
                // `Probe`: a union that messages can name.
                // An alias may lead back to itself through a union
                // (`type A = B | Int`, `type B = A`): following one is bounded.
                Some(TypeDef::Alias(name, Ty::Union(members))) => {
                    let (name, members) = (name.clone(), members.clone());
                    let span = value.span;
                    self.nested(
                        span,
                        || Value::error(span),
                        || self.conform_union(value, &members, module, Some(&name)),
                    )
                }
                Some(TypeDef::Alias(_, aliased)) => {
                    let span = value.span;
                    self.nested(
                        span,
                        || Value::error(span),
                        || self.conform(value, &aliased.clone(), module),
                    )
                }
                None => value,
            },
            Ty::Variant(enumeration, name) => {
                let conformed = self.conform(value.clone(), &Ty::Named(*enumeration), module);
                match conformed.name() {
                    Some(found) if found == name => conformed,
                    Some(found) => {
                        self.report(
                            Diagnostic::new(
                                code::E0302,
                                format!("expected `{name}`, found `{found}`"),
                            )
                            .with_primary(value.span, format!("only `{name}` fits here")),
                        );
                        Value::error(value.span)
                    }
                    None => conformed,
                }
            }
            Ty::Union(members) => self.conform_union(value, members, module, None),
            Ty::Decl(namespace) => {
                // Decision 004: where the type expects a declaration, a name means
                // the declaration, even if a `let` of that name was read.
                let value = match self.let_names.borrow().get(&value.span) {
                    Some(name) if !self.index.lookup(module, *namespace, name).is_empty() => {
                        Value::new(ValueKind::Symbol(name.clone()), value.span)
                    }
                    _ => value,
                };
                self.conform_reference(value, *namespace, module)
            }
        }
    }

    /// In `Any`, values stay as they are; a bare name is still a mistake.
    fn conform_any(&self, value: Value, module: &str) -> Value {
        match &value.kind {
            ValueKind::Symbol(name) => {
                let mut diagnostic =
                    Diagnostic::new(code::E0200, format!("no value named `{name}`"))
                        .with_primary(value.span, format!("`{name}` is not declared"));
                diagnostic = diagnostic.with_help(format!("for the text, write `\"{name}\"`"));
                let _ = module;
                self.report(diagnostic);
                Value::error(value.span)
            }
            ValueKind::List(items) => {
                let items: Arc<[Value]> = items
                    .iter()
                    .map(|item| self.conform_any(item.clone(), module))
                    .collect();
                Value::new(ValueKind::List(items), value.span)
            }
            ValueKind::Record(record) => {
                let fields = record
                    .fields
                    .iter()
                    .map(|field| Field {
                        value: self.conform_any(field.value.clone(), module),
                        ..field.clone()
                    })
                    .collect();
                Value::new(
                    ValueKind::Record(Arc::new(Record {
                        ty: record.ty,
                        fields,
                    })),
                    value.span,
                )
            }
            _ => value,
        }
    }

    fn conform_string(&self, value: Value, constraint: Option<&StringConstraint>) -> Value {
        let text = match &value.kind {
            ValueKind::String(text) => text.clone(),
            ValueKind::Symbol(name) => {
                self.report(
                    Diagnostic::new(
                        code::E0302,
                        format!("expected {}, found the name `{name}`", describe(constraint)),
                    )
                    .with_primary(value.span, "a name, not text")
                    .with_help(format!("text is quoted: `\"{name}\"`")),
                );
                return Value::error(value.span);
            }
            _ => {
                let is_version = constraint.is_some_and(|constraint| {
                    constraint.semver
                        || constraint
                            .describe
                            .as_deref()
                            .is_some_and(|describe| describe.contains("version"))
                });
                // Only where quoting fixes it: not `url = 5`.
                let help = number_text(&value)
                    .filter(|number| {
                        is_version
                            || constraint.is_none_or(|constraint| {
                                string_problem(number, constraint).is_none()
                            })
                    })
                    .map(|number| quote_help(&number, is_version));
                return self.mismatch_with_help(value, &describe(constraint), help);
            }
        };
        let Some(constraint) = constraint else {
            return value;
        };
        if let Some(problem) = string_problem(&text, constraint) {
            let mut diagnostic = Diagnostic::new(
                code::E0305,
                format!("{} is not {}", shown(&text), describe(Some(constraint))),
            )
            .with_primary(value.span, problem);
            if let Some(family) = &constraint.family
                && let Some(other) = self.family_member_matching(&text, family)
            {
                diagnostic = diagnostic.with_note(format!("{} is {other}", shown(&text)));
            }
            self.report(diagnostic);
            return Value::error(value.span);
        }
        value
    }

    /// The description of another type of the same family that `text` fits:
    /// "`n2-standard-4` is a Google Cloud machine type" (without the type's example
    /// when it is `text` itself).
    fn family_member_matching(&self, text: &str, family: &str) -> Option<String> {
        for scope in self.index.modules.values() {
            for (namespace, _, items) in scope.entries() {
                if namespace != Namespace::Type {
                    continue;
                }
                for item in items {
                    if let Some(TypeDef::Alias(_, Ty::String(Some(other)))) =
                        self.type_def(*item).as_deref()
                        && other.family.as_deref() == Some(family)
                        && string_problem(text, other).is_none()
                    {
                        let described = other.describe.as_deref().unwrap_or("of another kind");
                        let example = format!(" such as `{text}`");
                        return Some(described.replace(&example, ""));
                    }
                }
            }
        }
        None
    }

    fn conform_enum(&self, value: Value, enumeration: &EnumType, module: &str) -> Value {
        let written = match &value.kind {
            ValueKind::Symbol(name) => Some((name.clone(), false)),
            ValueKind::String(text) => Some((Name::from(&**text), true)),
            ValueKind::Variant {
                enumeration: item, ..
            } if *item == enumeration.item => return value,
            _ => None,
        };
        let Some((name, was_quoted)) = written else {
            // `kubernetes = 1.35`: a number where quoted text is expected.
            let is_version = is_version_enum(enumeration);
            let help = number_text(&value)
                .filter(|number| {
                    is_version
                        || enumeration
                            .variant(number)
                            .is_some_and(|found| found.quoted)
                })
                .map(|number| quote_help(&number, is_version));
            let expected = with_article(&format!("`{}`", enumeration.name));
            return self.mismatch_with_help(value, &expected, help);
        };
        if let Some(variant) = enumeration.variant(&name) {
            if variant.quoted && !was_quoted {
                self.report(
                    Diagnostic::new(code::E0302, format!("`{name}` is written as a string"))
                        .with_primary(
                            value.span,
                            format!(
                                "{} is quoted",
                                with_article(&format!("`{}`", enumeration.name))
                            ),
                        )
                        .with_help(format!("write `\"{name}\"`")),
                );
                return Value::error(value.span);
            }
            if !variant.quoted && was_quoted {
                self.report(
                    Diagnostic::new(code::E0302, format!("`{name}` is a name, not text"))
                        .with_primary(
                            value.span,
                            format!(
                                "{} is written without quotes",
                                with_article(&format!("`{}`", enumeration.name))
                            ),
                        )
                        .with_help(format!("write `{name}`")),
                );
                return Value::error(value.span);
            }
            return Value::new(
                ValueKind::Variant {
                    enumeration: enumeration.item,
                    name: variant.name.clone(),
                },
                value.span,
            );
        }
        self.not_a_variant(&value, &name, enumeration, module);
        Value::error(value.span)
    }

    /// E0306, with the likeliest variant: the same place in another enum of the
    /// same attribute type (`ap-south-1` is Mumbai on AWS; on GCP Mumbai is
    /// `asia-south1`), or the closest spelling; for versions, which ones exist.
    fn not_a_variant(&self, value: &Value, name: &str, enumeration: &EnumType, module: &str) {
        let mut diagnostic = Diagnostic::new(
            code::E0306,
            format!(
                "`{name}` is not {}",
                with_article(&format!("`{}`", enumeration.name))
            ),
        )
        .with_primary(
            value.span,
            format!(
                "not one of the {} values of `{}`",
                enumeration.variants.len(),
                enumeration.name
            ),
        );
        if is_version_enum(enumeration) {
            // By spelling, `1.27` is close to `1.29`: say which versions exist.
            let (note, help) = version_advice(name, enumeration);
            if let Some(note) = note {
                diagnostic = diagnostic.with_note(note);
            }
            self.report(diagnostic.with_help(help));
            return;
        }
        let equivalent = self.equivalent_variant(name, enumeration, module);
        match equivalent {
            Some((other_enum, attributes, suggestion)) => {
                diagnostic = diagnostic
                    .with_note(format!(
                        "`{name}` is {} `{other_enum}` ({attributes})",
                        article(&other_enum)
                    ))
                    .with_help(format!(
                        "did you mean `{suggestion}`, the `{}` there?",
                        enumeration.name
                    ));
            }
            None => {
                if let Some(suggestion) = super::closest(
                    name,
                    enumeration.variants.iter().map(|variant| &*variant.name),
                ) {
                    diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?"));
                } else if enumeration.variants.len() <= 12 {
                    let names: Vec<String> = enumeration
                        .variants
                        .iter()
                        .map(|variant| format!("`{}`", variant.name))
                        .collect();
                    diagnostic =
                        diagnostic.with_help(format!("expected one of {}", names.join(", ")));
                }
            }
        }
        self.report(diagnostic);
    }

    /// A variant of `enumeration` with the same attributes as `name` has in a
    /// sibling enum (one with the same attribute type).
    fn equivalent_variant(
        &self,
        name: &str,
        enumeration: &EnumType,
        module: &str,
    ) -> Option<(Name, String, Name)> {
        let attribute_type = enumeration.attributes.as_ref()?;
        for owner in self.index.variant_owners(module, name) {
            let Some(TypeDef::Enum(other)) = self.type_def(owner).as_deref().cloned() else {
                continue;
            };
            if other.item == enumeration.item || other.attributes.as_ref() != Some(attribute_type) {
                continue;
            }
            let theirs = self.variant_attributes(&other, name)?;
            let description = describe_attributes(&theirs);
            let wanted_key = theirs.fields.first()?;
            for candidate in &enumeration.variants {
                let Some(ours) = self.variant_attributes(enumeration, &candidate.name) else {
                    continue;
                };
                if ours
                    .get(&wanted_key.name)
                    .is_some_and(|value| super::expr::same_value(value, &wanted_key.value))
                {
                    return Some((other.name.clone(), description, candidate.name.clone()));
                }
            }
        }
        None
    }

    /// A template's record with each `+=` and `-=` that has nothing below it
    /// applied to its field's default, all the way down: what a declaration laid
    /// over the template finds below it is the default already changed. (With no
    /// default, the operation stays: it has nothing to apply to.)
    pub fn settle(&self, value: Value, ty: &Ty) -> Value {
        match (ty, &value.kind) {
            (Ty::Optional(inner), _) => self.settle(value, inner),
            (Ty::List(element, _), ValueKind::List(items)) => {
                let items: Arc<[Value]> = items
                    .iter()
                    .map(|item| self.settle(item.clone(), element))
                    .collect();
                Value::new(ValueKind::List(items), value.span)
            }
            (Ty::Union(members), ValueKind::Record(record)) => match record.ty {
                Some(item) if members.contains(&Ty::Named(item)) => {
                    self.settle(value, &Ty::Named(item))
                }
                _ => value,
            },
            (Ty::Named(item), ValueKind::Record(record)) => match self.type_def(*item).as_deref() {
                Some(TypeDef::Record(record_type)) => {
                    let fields = record
                        .fields
                        .iter()
                        .map(|field| {
                            let Some(definition) = record_type.field(&field.name) else {
                                return field.clone();
                            };
                            let field = match field.op {
                                SetOp::Set => field.clone(),
                                _ => match self.default_value(record_type, &field.name) {
                                    Some(default) => {
                                        self.apply_to_default(default, field, &definition.ty)
                                    }
                                    None => field.clone(),
                                },
                            };
                            Field {
                                value: self.settle(field.value.clone(), &definition.ty),
                                ..field
                            }
                        })
                        .collect();
                    Value::new(
                        ValueKind::Record(Arc::new(Record {
                            ty: record.ty,
                            fields,
                        })),
                        value.span,
                    )
                }
                Some(TypeDef::Alias(_, aliased)) => self.settle(value, &aliased.clone()),
                _ => value,
            },
            _ => value,
        }
    }

    /// A `+=` or `-=` field applied to its type's default, as if the default
    /// were a layer below it.
    fn apply_to_default(&self, default: Value, field: &Field, ty: &Ty) -> Field {
        let key = match ty {
            Ty::List(_, key) => key.clone(),
            _ => None,
        };
        let below = Record {
            ty: None,
            fields: vec![Field {
                name: field.name.clone(),
                key_span: default.span,
                value: default,
                op: SetOp::Set,
            }],
        };
        let above = Record {
            ty: None,
            fields: vec![field.clone()],
        };
        let merged = self.merge(&below, &above, &|_| key.clone());
        merged
            .fields
            .into_iter()
            .next()
            .unwrap_or_else(|| field.clone())
    }

    /// The default of a field of a record type, checked and completed; evaluated
    /// once per evaluation (defaults are constants of the type's declaration).
    fn default_value(&self, record_type: &RecordType, field: &Name) -> Option<Value> {
        let key = (record_type.item, field.clone());
        if let Some(cached) = self.defaults.borrow().get(&key) {
            return cached.clone();
        }
        let definition = record_type.field(field)?;
        let type_node = self.item_node(record_type.item);
        let body = type_node.child_of_kind(crate::syntax::SyntaxKind::RECORD_TYPE);
        let entry = body.and_then(|body| {
            body.children()
                .find(|entry| field_decl_name(*entry).as_deref() == Some(&**field))
        });
        let value = entry.and_then(field_default).map(|expression| {
            let scope = self.file_scope(record_type.item.file);
            let module = record_type.item.file.module(self.db).clone();
            let raw = self.eval(Some(expression), &scope);
            let conformed = self.conform(raw, &definition.ty, &module);
            self.complete(conformed, &definition.ty, &module)
        });
        self.defaults.borrow_mut().insert(key, value.clone());
        value
    }

    /// The attribute record of one variant (`{ city = "Mumbai", ... }`), evaluated
    /// once per evaluation.
    pub fn variant_attributes(&self, enumeration: &EnumType, variant: &str) -> Option<Arc<Record>> {
        let key = (enumeration.item, Name::from(variant));
        if let Some(cached) = self.attributes.borrow().get(&key) {
            return cached.clone();
        }
        let found = self.evaluate_variant_attributes(enumeration, variant);
        self.attributes.borrow_mut().insert(key, found.clone());
        found
    }

    fn evaluate_variant_attributes(
        &self,
        enumeration: &EnumType,
        variant: &str,
    ) -> Option<Arc<Record>> {
        let node = self.item_node(enumeration.item);
        let list = node.child_of_kind(crate::syntax::SyntaxKind::VARIANT_LIST)?;
        let variant_node = list.children().find(|candidate| {
            crate::names::items::variant_name(*candidate).is_some_and(|found| &*found == variant)
        })?;
        let body = variant_node.child_of_kind(crate::syntax::SyntaxKind::BODY)?;
        let scope = self.file_scope(enumeration.item.file);
        let record = self.body(body, &scope);
        let Some(ty) = &enumeration.attributes else {
            return Some(Arc::new(record));
        };
        // `enum AwsRegion: Region { "us-east-1" { city = "N. Virginia" } }`: the
        // attributes are a `Region`, checked and completed like any record.
        let span = scope.span(body.range());
        let value = Value::new(ValueKind::Record(Arc::new(record)), span);
        let conformed = self.conform(value, ty, &scope.module);
        let completed = self.complete(conformed, ty, &scope.module);
        match completed.kind {
            ValueKind::Record(record) => Some(record),
            _ => None,
        }
    }

    /// Checks the attributes of every variant of an enum that declares a type for
    /// them (the variants a fleet never uses are checked too).
    pub fn check_variant_attributes(&self, item: ItemId) {
        let Some(TypeDef::Enum(enumeration)) = self.type_def(item).as_deref().cloned() else {
            return;
        };
        if enumeration.attributes.is_none() {
            return;
        }
        for variant in &enumeration.variants {
            self.variant_attributes(&enumeration, &variant.name);
        }
    }

    fn conform_reference(&self, value: Value, namespace: Namespace, module: &str) -> Value {
        let name = match &value.kind {
            ValueKind::Ref {
                namespace: found, ..
            } if *found == namespace => return value,
            ValueKind::Ref {
                namespace: found,
                name,
                ..
            } => {
                self.report(
                    Diagnostic::new(
                        code::E0302,
                        format!(
                            "`{name}` is {}, but {} is expected",
                            with_article(found.describe()),
                            with_article(namespace.describe())
                        ),
                    )
                    .with_primary(
                        value.span,
                        format!("expected {}", with_article(namespace.describe())),
                    ),
                );
                return Value::error(value.span);
            }
            ValueKind::Symbol(name) => name.clone(),
            ValueKind::String(text) => Name::from(&**text),
            _ => {
                let expected = format!("the name of {}", with_article(namespace.describe()));
                return self.mismatch(value, &expected);
            }
        };
        let found = self.index.lookup(module, namespace, &name);
        if let Some(&item) = found.first() {
            return Value::new(
                ValueKind::Ref {
                    namespace,
                    name,
                    item,
                },
                value.span,
            );
        }
        // Declared, but as another kind of thing?
        let other = [
            Namespace::Env,
            Namespace::Team,
            Namespace::Cluster,
            Namespace::App,
            Namespace::Policy,
            Namespace::Promotion,
            Namespace::Template,
            Namespace::Value,
        ]
        .into_iter()
        .find(|other| *other != namespace && !self.index.lookup(module, *other, &name).is_empty());
        if let Some(other) = other {
            self.report(
                Diagnostic::new(
                    code::E0302,
                    format!(
                        "`{name}` is {}, but {} is expected",
                        with_article(other.describe()),
                        with_article(namespace.describe())
                    ),
                )
                .with_primary(
                    value.span,
                    format!("no {} is called `{name}`", namespace.describe()),
                ),
            );
        } else {
            self.unresolved(&name, value.span, module, Some(namespace));
        }
        Value::error(value.span)
    }

    /// Whether `ty` is a set of clusters (`ClusterSet`, `Set(Cluster)`).
    fn is_cluster_set(&self, ty: &Ty) -> bool {
        match ty {
            Ty::ClusterSet => true,
            Ty::Optional(inner) => self.is_cluster_set(inner),
            Ty::Named(item) => match self.type_def(*item).as_deref() {
                Some(TypeDef::Alias(_, aliased)) => self.is_cluster_set(&aliased.clone()),
                _ => false,
            },
            _ => false,
        }
    }

    fn conform_cluster_set(&self, value: Value, module: &str) -> Value {
        match &value.kind {
            ValueKind::Selector(_) => value,
            // `targets = rest`: the rest of what? Only a list of sets says.
            ValueKind::Rest => {
                self.report(
                    Diagnostic::new(code::E0302, "`rest` is not a set of clusters here")
                        .with_primary(
                            value.span,
                            "`rest` is only in a list of cluster sets, such as a gate's `waves`",
                        )
                        .with_note("`rest` is the clusters that no earlier wave took")
                        .with_help("for every cluster, write `clusters`"),
                );
                Value::error(value.span)
            }
            // `[prod-eu-1, prod-us-1]`: clusters by name.
            ValueKind::List(items) => {
                let mut names = Vec::new();
                for item in items.iter() {
                    let reference =
                        self.conform_reference(item.clone(), Namespace::Cluster, module);
                    if let Some(name) = reference.name() {
                        names.push(Value::new(
                            ValueKind::String(Arc::from(&**name)),
                            reference.span,
                        ));
                    }
                }
                let predicate = Predicate::Compare {
                    field: ClusterField::Name,
                    op: CompareOp::In,
                    values: names,
                    span: value.span,
                };
                Value::new(
                    ValueKind::Selector(Arc::new(Selector {
                        predicate: Some(predicate),
                    })),
                    value.span,
                )
            }
            _ => self.mismatch(value, "a set of clusters (`clusters where ...`)"),
        }
    }

    /// `value` as a value of one of `members`; `union` is the union's name, when
    /// it has one (`Probe`), for messages.
    fn conform_union(
        &self,
        value: Value,
        members: &[Ty],
        module: &str,
        union: Option<&str>,
    ) -> Value {
        // A constructor call names its member: `vault(...)` in `SecretStore`.
        if let ValueKind::Record(record) = &value.kind {
            if let Some(constructor) = record.ty {
                if members.contains(&Ty::Named(constructor)) {
                    return self.conform(value, &Ty::Named(constructor), module);
                }
                let allowed = self.member_names(members);
                self.report(
                    Diagnostic::new(
                        code::E0302,
                        format!("`{}` is not one of {allowed}", self.type_name(constructor)),
                    )
                    .with_primary(value.span, format!("expected one of {allowed}")),
                );
                return Value::error(value.span);
            }
            // A union with a discriminant (`cloud`): the record says its member.
            if self.discriminant(members).is_some() {
                return match self.discriminate(record, members, value.span, module) {
                    Some(member) => self.conform(value, &member, module),
                    None => Value::error(value.span),
                };
            }
            // A member that takes any record (a map, `Any`).
            if let Some(member) = members.iter().find(|member| {
                self.record_type_of(member).is_none() && self.accepts(&value, member, module)
            }) {
                return self.conform(value, member, module);
            }
            self.plain_record_in_union(&value, record, members, union, module);
            return Value::error(value.span);
        }
        // Otherwise the first member that takes the value without complaint.
        for member in members {
            if self.accepts(&value, member, module) {
                return self.conform(value, member, module);
            }
        }
        let allowed = self.member_names(members);
        self.mismatch(value, &format!("one of {allowed}"))
    }

    /// The record type a union member names, if it names one.
    fn record_type_of(&self, member: &Ty) -> Option<Arc<RecordType>> {
        match member {
            Ty::Named(item) => match self.type_def(*item).as_deref() {
                Some(TypeDef::Record(record)) => Some(record.clone()),
                _ => None,
            },
            _ => None,
        }
    }

    /// E0302 for a record written without its constructor where a union of
    /// record types expects one (`liveness = { path = "/healthz", port = 8080 }`):
    /// nothing says which member it is. The help names the constructors, and
    /// writes the call for the one member whose fields the record sets.
    fn plain_record_in_union(
        &self,
        value: &Value,
        record: &Record,
        members: &[Ty],
        union: Option<&str>,
        module: &str,
    ) {
        let records: Vec<Arc<RecordType>> = members
            .iter()
            .filter_map(|member| self.record_type_of(member))
            .collect();
        let calls: Vec<String> = records
            .iter()
            .map(|record_type| format!("`{}(...)`", record_type.name))
            .collect();
        let expected = match union {
            Some(name) => with_article(&format!("`{name}`")),
            None => format!("one of {}", self.member_names(members)),
        };
        let made_with = match union {
            Some(name) => format!(
                "{} is made with {}",
                with_article(&format!("`{name}`")),
                or_list(&calls)
            ),
            None => format!("its records are made with {}", or_list(&calls)),
        };
        let mut diagnostic = Diagnostic::new(
            code::E0302,
            format!("expected {expected}, found a record without its constructor"),
        )
        .with_primary(
            value.span,
            match union {
                Some(name) => format!("a record, but which kind of `{name}`?"),
                None => "a record, but of which type?".to_string(),
            },
        );
        match self.constructor_call(record, &records, module) {
            Some(call) => {
                diagnostic = diagnostic
                    .with_help(format!("write `{call}`"))
                    .with_note(made_with);
            }
            None => diagnostic = diagnostic.with_help(made_with),
        }
        self.report(diagnostic);
    }

    /// The constructor call that makes `record` as the one member of `records`
    /// whose fields it sets: `http_get("/healthz", port = 8080)` for `{ path =
    /// "/healthz", port = 8080 }`. Of the members that have every field the record
    /// sets, one whose types take the values and that gets all its required
    /// fields is preferred; none if no single member fits best, or a value is not
    /// short text on one line.
    fn constructor_call(
        &self,
        record: &Record,
        records: &[Arc<RecordType>],
        module: &str,
    ) -> Option<String> {
        let has_fields = |record_type: &RecordType| {
            !record.fields.is_empty()
                && record
                    .fields
                    .iter()
                    .all(|field| record_type.field(&field.name).is_some())
        };
        let values_fit = |record_type: &RecordType| {
            record.fields.iter().all(|field| {
                record_type
                    .field(&field.name)
                    .is_some_and(|definition| self.accepts(&field.value, &definition.ty, module))
            })
        };
        let complete = |record_type: &RecordType| {
            record_type.fields.iter().all(|definition| {
                definition.optional
                    || definition.has_default
                    || record.field(&definition.name).is_some()
            })
        };
        // The fields' names must be the member's; then the closer the fit, the
        // better: values that fit and nothing missing, values that fit, nothing
        // missing. Two members equally close: no suggestion.
        let named: Vec<&Arc<RecordType>> = records
            .iter()
            .filter(|record_type| has_fields(record_type))
            .collect();
        let tiers: [&dyn Fn(&RecordType) -> bool; 4] = [
            &|record_type| values_fit(record_type) && complete(record_type),
            &|record_type| values_fit(record_type),
            &|record_type| complete(record_type),
            &|_| true,
        ];
        let chosen = tiers.iter().find_map(|tier| {
            let matching: Vec<&Arc<RecordType>> = named
                .iter()
                .copied()
                .filter(|record_type| tier(record_type))
                .collect();
            match matching.as_slice() {
                [] => None,
                [one] => Some(Some(*one)),
                _ => Some(None),
            }
        })??;
        let mut arguments = Vec::new();
        for (position, definition) in chosen.fields.iter().enumerate() {
            let Some(field) = record.field(&definition.name) else {
                continue;
            };
            let text = self.source_text(field.value.span)?;
            if text.contains('\n') || text.len() > 60 {
                return None;
            }
            // A first field given as text reads well without its name:
            // `git("https://...")`, `slack("#alerts")`.
            if position == 0 && matches!(field.value.kind, ValueKind::String(_)) {
                arguments.push(text);
            } else {
                arguments.push(format!("{} = {text}", definition.name));
            }
        }
        Some(format!("{}({})", chosen.name, arguments.join(", ")))
    }

    /// The text a span covers, as written.
    fn source_text(&self, span: Span) -> Option<String> {
        let file = self
            .workspace
            .files(self.db)
            .iter()
            .find(|file| file.id(self.db) == span.file)?;
        file.text(self.db)
            .get(std::ops::Range::<usize>::from(span.range))
            .map(str::to_string)
    }

    /// The discriminant of a union of record types: the field whose type is one
    /// variant in every member (`cloud`), with the members.
    fn discriminant(
        &self,
        members: &[Ty],
    ) -> Option<(Vec<Arc<RecordType>>, crate::types::FieldDef)> {
        let records: Vec<Arc<RecordType>> = members
            .iter()
            .filter_map(|member| self.record_type_of(member))
            .collect();
        let first = records.first()?;
        let discriminant = first.fields.iter().find(|field| {
            matches!(field.ty, Ty::Variant(..))
                && records.iter().all(|record| {
                    record
                        .field(&field.name)
                        .is_some_and(|other| matches!(other.ty, Ty::Variant(..)))
                })
        })?;
        let discriminant = discriminant.clone();
        Some((records, discriminant))
    }

    /// The member of a union of records that a record value belongs to, by its
    /// discriminant: the field whose type is one variant in every member (`cloud`).
    pub fn discriminate(
        &self,
        record: &Record,
        members: &[Ty],
        span: Span,
        module: &str,
    ) -> Option<Ty> {
        let (records, discriminant) = self.discriminant(members)?;
        let options: Vec<String> = records
            .iter()
            .filter_map(|record| match &record.field(&discriminant.name)?.ty {
                Ty::Variant(_, name) => Some(format!("`{name}`")),
                _ => None,
            })
            .collect();
        let Some(given) = record.get(&discriminant.name) else {
            self.report(
                Diagnostic::new(
                    code::E0301,
                    format!("missing field `{}`", discriminant.name),
                )
                .with_primary(
                    span,
                    format!("`{}` decides which fields apply", discriminant.name),
                )
                .with_help(format!(
                    "set `{} = ...` to one of {}",
                    discriminant.name,
                    options.join(", ")
                )),
            );
            return None;
        };
        let Ty::Variant(enumeration, _) = &discriminant.ty else {
            return None;
        };
        let variant = self.conform(given.clone(), &Ty::Named(*enumeration), module);
        let chosen = variant.name()?;
        let found = records
            .iter()
            .find(|record| matches!(&record.field(&discriminant.name).map(|field| &field.ty), Some(Ty::Variant(_, name)) if name == chosen))
            .map(|record| Ty::Named(record.item));
        if found.is_none() {
            // A variant of the enum that no member of this union is for.
            self.report(
                Diagnostic::new(
                    code::E0302,
                    format!(
                        "no member of {} has `{} = {chosen}`",
                        self.member_names(members),
                        discriminant.name
                    ),
                )
                .with_primary(
                    given.span,
                    format!("expected one of {}", options.join(", ")),
                ),
            );
        }
        found
    }

    /// Whether `value` fits `ty` (without reporting).
    fn accepts(&self, value: &Value, ty: &Ty, module: &str) -> bool {
        match (ty, &value.kind) {
            (Ty::Any | Ty::Error, _) => true,
            (Ty::Bool, ValueKind::Bool(_)) => true,
            (Ty::Int(_), ValueKind::Int(_)) => true,
            (Ty::String(constraint), ValueKind::String(text)) => constraint
                .as_deref()
                .is_none_or(|constraint| string_problem(text, constraint).is_none()),
            (Ty::Unit(kind), ValueKind::QuantityLiteral(text)) => {
                parse_quantity(text, *kind).is_ok()
            }
            (Ty::List(..), ValueKind::List(_)) => true,
            (Ty::Map(..), ValueKind::Record(_)) => true,
            (Ty::ClusterSet, ValueKind::Selector(_)) => true,
            (Ty::Optional(inner), _) => self.accepts(value, inner, module),
            (Ty::Decl(namespace), ValueKind::Symbol(name)) => {
                !self.index.lookup(module, *namespace, name).is_empty()
            }
            (Ty::Named(item), _) => match self.type_def(*item).as_deref() {
                Some(TypeDef::Enum(enumeration)) => {
                    value
                        .name()
                        .or(value.as_str().map(|_| &enumeration.name))
                        .is_some()
                        && enumeration
                            .variant(
                                value
                                    .name()
                                    .map(|name| &**name)
                                    .or(value.as_str())
                                    .unwrap_or(""),
                            )
                            .is_some()
                }
                Some(TypeDef::Record(record)) => {
                    matches!(&value.kind, ValueKind::Record(given) if given.ty.is_none_or(|ty| ty == record.item))
                }
                Some(TypeDef::Alias(_, aliased)) => self.accepts(value, &aliased.clone(), module),
                None => false,
            },
            (Ty::Variant(_, name), _) => value.name() == Some(name),
            (Ty::Union(members), _) => members
                .iter()
                .any(|member| self.accepts(value, member, module)),
            _ => false,
        }
    }

    /// A record value checked against a record type: each field must exist and
    /// fit. Missing fields are `complete`'s business.
    fn conform_record(&self, value: Value, record_type: &RecordType, module: &str) -> Value {
        let ValueKind::Record(record) = &value.kind else {
            let expected = format!(
                "{} record",
                with_article(&format!("`{}`", record_type.name))
            );
            return self.mismatch(value, &expected);
        };
        if let Some(constructor) = record.ty
            && constructor != record_type.item
        {
            self.report(
                Diagnostic::new(
                    code::E0302,
                    format!(
                        "expected {}, found {}",
                        with_article(&format!("`{}`", record_type.name)),
                        with_article(&format!("`{}`", self.type_name(constructor)))
                    ),
                )
                .with_primary(
                    value.span,
                    format!(
                        "expected {}",
                        with_article(&format!("`{}`", record_type.name))
                    ),
                ),
            );
            return Value::error(value.span);
        }
        let mut fields = Vec::with_capacity(record.fields.len());
        for field in &record.fields {
            let Some(definition) = record_type.field(&field.name) else {
                self.unknown_field(field, record_type);
                continue;
            };
            let conformed = self.conform(field.value.clone(), &definition.ty, module);
            fields.push(Field {
                value: conformed,
                ..field.clone()
            });
        }
        Value::new(
            ValueKind::Record(Arc::new(Record {
                ty: Some(record_type.item),
                fields,
            })),
            value.span,
        )
    }

    fn unknown_field(&self, field: &Field, record_type: &RecordType) {
        let mut diagnostic = Diagnostic::new(
            code::E0300,
            format!("`{}` has no field `{}`", record_type.name, field.name),
        )
        .with_primary(field.key_span, "unknown field");
        if let Some(suggestion) = super::closest(
            &field.name,
            record_type.fields.iter().map(|field| &*field.name),
        ) {
            diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?"));
        } else {
            let names: Vec<String> = record_type
                .fields
                .iter()
                .map(|field| format!("`{}`", field.name))
                .collect();
            diagnostic = diagnostic.with_help(format!(
                "the fields of `{}` are {}",
                record_type.name,
                names.join(", ")
            ));
        }
        self.report(diagnostic);
    }

    /// Completes a record of a record type after its layers are merged: fills
    /// defaults, reports missing fields (where the record was written), completes
    /// nested records, and checks the type's `require`s.
    pub fn complete(&self, value: Value, ty: &Ty, module: &str) -> Value {
        let span = value.span;
        self.shared_check(SharedCheck::Complete, value, ty, module, |value| {
            self.nested(
                span,
                || Value::error(span),
                || self.complete_value(value, ty, module),
            )
        })
    }

    fn complete_value(&self, value: Value, ty: &Ty, module: &str) -> Value {
        match (ty, &value.kind) {
            (_, ValueKind::Error) => value,
            (Ty::Optional(inner), _) => self.complete(value, inner, module),
            (Ty::List(element, _), ValueKind::List(items)) => {
                let items: Arc<[Value]> = items
                    .iter()
                    .map(|item| self.complete(item.clone(), element, module))
                    .collect();
                Value::new(ValueKind::List(items), value.span)
            }
            (Ty::Map(_, element), ValueKind::Record(record)) => {
                let fields = record
                    .fields
                    .iter()
                    .map(|field| Field {
                        value: self.complete(field.value.clone(), element, module),
                        ..field.clone()
                    })
                    .collect();
                Value::new(
                    ValueKind::Record(Arc::new(Record { ty: None, fields })),
                    value.span,
                )
            }
            (Ty::Union(members), ValueKind::Record(record)) => match record.ty {
                Some(item) if members.contains(&Ty::Named(item)) => {
                    self.complete(value, &Ty::Named(item), module)
                }
                _ => value,
            },
            (Ty::Named(item), ValueKind::Record(_)) => match self.type_def(*item).as_deref() {
                // Missing fields are reported where the record was written.
                Some(TypeDef::Record(record_type)) => {
                    let anchor = value.span;
                    self.complete_record(value, &record_type.clone(), anchor, module)
                }
                Some(TypeDef::Alias(_, aliased)) => {
                    let span = value.span;
                    self.nested(
                        span,
                        || Value::error(span),
                        || self.complete(value, &aliased.clone(), module),
                    )
                }
                _ => value,
            },
            _ => value,
        }
    }

    fn complete_record(
        &self,
        value: Value,
        record_type: &RecordType,
        anchor: Span,
        module: &str,
    ) -> Value {
        let ValueKind::Record(record) = &value.kind else {
            return value;
        };
        let mut fields: Vec<Field> = Vec::with_capacity(record_type.fields.len());
        let mut missing = Vec::new();
        // `f -= [...]` with nothing below and no default: where each is written.
        let mut removed_from_nothing: Vec<&Field> = Vec::new();
        for definition in &record_type.fields {
            match record.field(&definition.name) {
                Some(field) => {
                    // `+=` / `-=` with no layer below: they apply to the default.
                    let field = match field.op {
                        SetOp::Set => field.clone(),
                        _ => match self.default_value(record_type, &definition.name) {
                            Some(default) => self.apply_to_default(default, field, &definition.ty),
                            // Removing from nothing leaves nothing: the field is
                            // unset, and missing unless it may be.
                            None if field.op == SetOp::Remove => {
                                if !definition.optional {
                                    missing.push(definition);
                                    removed_from_nothing.push(field);
                                }
                                continue;
                            }
                            None => field.clone(),
                        },
                    };
                    let completed = self.complete(field.value.clone(), &definition.ty, module);
                    fields.push(Field {
                        value: completed,
                        op: SetOp::Set,
                        ..field
                    });
                }
                None if definition.has_default => {
                    let Some(default) = self.default_value(record_type, &definition.name) else {
                        continue;
                    };
                    fields.push(Field {
                        name: definition.name.clone(),
                        key_span: default.span,
                        value: default,
                        op: SetOp::Set,
                    });
                }
                None if definition.optional => {}
                None => missing.push(definition),
            }
        }
        if !missing.is_empty() {
            let names: Vec<String> = missing
                .iter()
                .map(|field| format!("`{}`", field.name))
                .collect();
            let mut diagnostic = Diagnostic::new(
                code::E0301,
                format!(
                    "missing {} {}",
                    if missing.len() == 1 {
                        "field"
                    } else {
                        "fields"
                    },
                    names.join(", ")
                ),
            )
            .with_primary(
                anchor,
                format!(
                    "this `{}` does not set {}",
                    record_type.name,
                    names.join(", ")
                ),
            );
            for removed in &removed_from_nothing {
                diagnostic = diagnostic.with_secondary(
                    removed.key_span,
                    format!(
                        "nothing to remove from: no template or default sets `{}`",
                        removed.name
                    ),
                );
            }
            if let [removed] = removed_from_nothing.as_slice() {
                diagnostic = diagnostic.with_help(format!(
                    "`-=` removes from what is below it; set the field with `{} = ...`",
                    removed.name
                ));
            }
            for field in &missing {
                if !field.doc.is_empty() {
                    diagnostic = diagnostic.with_note(format!(
                        "`{}`: {}",
                        field.name,
                        field.doc.lines().next().unwrap_or("")
                    ));
                }
            }
            self.report(diagnostic);
        }
        let record = Record {
            ty: Some(record_type.item),
            fields,
        };
        let completed = Value::new(ValueKind::Record(Arc::new(record)), value.span);
        if missing.is_empty() {
            self.check_requires(&completed, record_type, anchor);
        }
        completed
    }

    /// The type's `require`s, with the record's fields as names.
    fn check_requires(&self, value: &Value, record_type: &RecordType, anchor: Span) {
        if record_type.requires.is_empty() {
            return;
        }
        let Some(record) = value.as_record() else {
            return;
        };
        if record.fields.iter().any(|field| field.value.is_error()) {
            return;
        }
        let node = self.item_node(record_type.item);
        let Some(body) = node.child_of_kind(crate::syntax::SyntaxKind::RECORD_TYPE) else {
            return;
        };
        let entries: Vec<_> = body.children().collect();
        let scope =
            self.file_scope(record_type.item.file)
                .with(record_type.required_fields.iter().map(|name| {
                    let value = record
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| Value::error(anchor));
                    (name.clone(), value)
                }));
        for &position in &record_type.requires {
            let Some(require) = entries.get(position as usize) else {
                continue;
            };
            let mut parts = require.children();
            let condition = parts.next();
            let result = self.eval(condition, &scope);
            if let ValueKind::Bool(false) = result.kind {
                // The message only when it is shown, as for a declaration's own
                // `require`s.
                let message = parts
                    .next()
                    .map(|message| self.eval(Some(message), &scope))
                    .and_then(|message| message.as_str().map(str::to_string));
                let headline = message.clone().unwrap_or_else(|| {
                    format!("a requirement of `{}` is not met", record_type.name)
                });
                let mut diagnostic = Diagnostic::new(code::E0307, headline).with_primary(
                    anchor,
                    format!(
                        "this `{}` does not meet `{}`",
                        record_type.name,
                        condition.map(|c| c.text()).unwrap_or("")
                    ),
                );
                // Point at the values the condition reads.
                if let Some(condition) = condition {
                    for name_ref in condition
                        .descendants()
                        .filter(|node| node.kind() == crate::syntax::SyntaxKind::NAME_REF)
                    {
                        if let Some(field) = record.field(name_ref.text()) {
                            let shown = field
                                .value
                                .interpolated()
                                .unwrap_or_else(|| field.value.describe());
                            diagnostic = diagnostic.with_secondary(
                                field.value.span,
                                format!("`{}` is {shown}", field.name),
                            );
                        }
                    }
                }
                self.report(diagnostic);
            }
        }
    }

    /// E0302 when `ty`, written (or made by the template `template`) at `span`,
    /// is not the type of a declaration of `kind` nor a member of it: `env
    /// staging: Team`. `None` when it was reported.
    pub fn check_declaration_kind(
        &self,
        (word, type_name): (&str, &str),
        ty: &Ty,
        span: Span,
        template: Option<&str>,
    ) -> Option<()> {
        let expected = crate::types::lower::declaration_type(self, type_name);
        let Ty::Named(expected_item) = expected else {
            return Some(());
        };
        // Through aliases: `type Eks = AwsCluster`.
        let mut found = ty.clone();
        while let Ty::Named(item) = found
            && let Some(TypeDef::Alias(_, aliased @ Ty::Named(_))) = self.type_def(item).as_deref()
        {
            found = aliased.clone();
        }
        let members: Vec<Ty> = match self.type_def(expected_item).as_deref() {
            Some(TypeDef::Alias(_, Ty::Union(members))) => members.to_vec(),
            _ => Vec::new(),
        };
        if matches!(found, Ty::Error) || found == expected || members.contains(&found) {
            return Some(());
        }
        let found_name = match &found {
            Ty::Named(item) => format!("`{}`", self.type_name(*item)),
            Ty::Variant(_, variant) => format!("`{variant}`"),
            _ => self.ty_text(ty),
        };
        // `ty_text` gives its own article to what is not a name ("a list of ...").
        let a_found = if found_name.starts_with('`') {
            with_article(&found_name)
        } else {
            found_name.clone()
        };
        let a_word = with_article(word);
        let label = match template {
            Some(template) => format!("`{template}` is a template of {found_name}"),
            None => format!("{a_found}, not {}", with_article(&format!("`{type_name}`"))),
        };
        let members_text: Vec<String> = members
            .iter()
            .filter_map(|member| match member {
                Ty::Named(item) => Some(format!("`{}`", self.type_name(*item))),
                _ => None,
            })
            .collect();
        let help = if members_text.is_empty() {
            format!(
                "{a_word}'s type is `{type_name}`: leave the type out, as in `{word} name {{ ... }}`"
            )
        } else {
            format!(
                "{a_word}'s type is `{type_name}` or one of its members, {}",
                or_list(&members_text)
            )
        };
        self.report(
            Diagnostic::new(code::E0302, format!("{a_word} cannot be {a_found}"))
                .with_primary(span, label)
                .with_help(help),
        );
        None
    }

    /// The name of a declared type, for messages.
    pub fn type_name(&self, item: ItemId) -> String {
        self.type_def(item)
            .map(|definition| definition.name().to_string())
            .unwrap_or_else(|| "?".into())
    }

    fn member_names(&self, members: &[Ty]) -> String {
        let names: Vec<String> = members
            .iter()
            .map(|member| match member {
                Ty::Named(item) => format!("`{}`", self.type_name(*item)),
                other => self.ty_text(other),
            })
            .collect();
        names.join(", ")
    }

    /// A type as a message shows it: `Int`, `[String]`, a string type's description.
    pub(crate) fn ty_text(&self, ty: &Ty) -> String {
        match ty {
            Ty::Any | Ty::Error => "any value".into(),
            Ty::Bool => "`Bool`".into(),
            Ty::Int(_) => "`Int`".into(),
            Ty::String(constraint) => {
                match constraint.as_deref().and_then(|c| c.describe.as_deref()) {
                    // A literal type, `"audit"`, describes itself as the literal.
                    Some(literal) if literal.starts_with('"') => format!("`{literal}`"),
                    Some(described) => described.to_string(),
                    None => "`String`".into(),
                }
            }
            Ty::Unit(kind) => format!("`{}`", kind.name()),
            Ty::List(element, _) => format!("a list of {}", self.ty_text(element)),
            Ty::Map(..) => "a record of entries".into(),
            Ty::ClusterSet => "a set of clusters".into(),
            Ty::Optional(inner) => self.ty_text(inner),
            Ty::Named(item) => format!("`{}`", self.type_name(*item)),
            Ty::Variant(_, name) => format!("`{name}`"),
            Ty::Union(members) => self.member_names(members),
            Ty::Decl(namespace) => format!("the name of {}", with_article(namespace.describe())),
        }
    }

    fn map_key_ok(&self, key: &str, span: Span, key_type: &Ty, module: &str) -> bool {
        match key_type {
            Ty::Decl(namespace) => {
                if self.index.lookup(module, *namespace, key).is_empty() {
                    self.unresolved(key, span, module, Some(*namespace));
                    return false;
                }
                true
            }
            Ty::String(Some(constraint)) => match string_problem(key, constraint) {
                Some(problem) => {
                    self.report(
                        Diagnostic::new(
                            code::E0305,
                            format!("{} is not {}", shown(key), describe(Some(constraint))),
                        )
                        .with_primary(span, problem),
                    );
                    false
                }
                None => true,
            },
            _ => true,
        }
    }

    fn mismatch(&self, value: Value, expected: &str) -> Value {
        self.mismatch_with_help(value, expected, None)
    }

    fn mismatch_with_help(&self, value: Value, expected: &str, help: Option<String>) -> Value {
        let mut diagnostic = Diagnostic::new(
            code::E0302,
            format!("expected {expected}, found {}", value.describe()),
        )
        .with_primary(value.span, format!("expected {expected}"));
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.report(diagnostic);
        Value::error(value.span)
    }

    /// E0303, with the specific reason: an unknown unit, a missing one, a value
    /// out of range or finer than the kind counts (`0.5m` of CPU).
    fn bad_unit(&self, value: &Value, text: &str, kind: crate::types::UnitKind, error: UnitError) {
        let name = format!("`{}`", kind.name());
        let a_name = with_article(&name);
        let written_with = format!("{a_name} is written with {}", kind.suffixes());
        let (message, label, help) = match error {
            UnitError::UnknownSuffix {
                suffix,
                did_you_mean,
            } => (
                format!("`{text}` is not {a_name}"),
                format!("`{suffix}` is not a unit of {name}"),
                match did_you_mean {
                    Some(fix) => Some(format!(
                        "did you mean `{}`?",
                        text.replacen(&suffix, fix, 1)
                    )),
                    None => Some(written_with),
                },
            ),
            UnitError::OutOfRange(why) => {
                (format!("`{text}` is out of range"), why, Some(written_with))
            }
            UnitError::MissingUnit => match kind {
                // Kubernetes would read it as bytes.
                crate::types::UnitKind::Memory => (
                    format!("`{text}` needs a unit"),
                    format!("without a unit, this is {text} bytes"),
                    Some(match memory_unit_fix(text) {
                        Some(fix) => format!("write `{fix}`"),
                        None => written_with,
                    }),
                ),
                crate::types::UnitKind::Percent => (
                    format!("`{text}` needs a unit"),
                    format!("{a_name} has a unit"),
                    Some(format!("write `{text}%`")),
                ),
                _ => (
                    format!("`{text}` needs a unit"),
                    format!("{a_name} has a unit"),
                    Some(written_with),
                ),
            },
            UnitError::TrailingNumber {
                number,
                did_you_mean,
            } => (
                format!("`{text}` ends in a number without a unit"),
                format!("`{number}` has no unit"),
                Some(match did_you_mean {
                    Some(unit) => format!("did you mean `{text}{unit}`?"),
                    None => written_with,
                }),
            ),
            UnitError::TooFine { nearest } => (
                match kind {
                    crate::types::UnitKind::Memory => {
                        format!("`{text}` is not a whole number of bytes")
                    }
                    _ => format!("`{text}` is finer than {}", kind.step()),
                },
                format!("{a_name} is counted in whole {}", kind.steps()),
                nearest.map(|nearest| format!("round it to `{nearest}`")),
            ),
            UnitError::Negative => (
                format!("`{text}` is negative"),
                format!("{a_name} cannot be below zero"),
                None,
            ),
            UnitError::TooLarge => (
                format!("`{text}` is too large"),
                format!("more than {a_name} can hold"),
                None,
            ),
        };
        let mut diagnostic = Diagnostic::new(code::E0303, message).with_primary(value.span, label);
        if let Some(help) = help {
            diagnostic = diagnostic.with_help(help);
        }
        self.report(diagnostic);
    }
}

/// A string value as a message shows it: `web-team`, or "the empty string".
fn shown(text: &str) -> String {
    if text.is_empty() {
        "the empty string".into()
    } else {
        format!("`{text}`")
    }
}

/// The text of a plain number (`1.35`, `3`), for "quote it" hints.
fn number_text(value: &Value) -> Option<String> {
    match &value.kind {
        ValueKind::Int(number) => Some(number.to_string()),
        ValueKind::QuantityLiteral(text)
            if text
                .chars()
                .all(|c| c.is_ascii_digit() || c == '.' || c == '_') =>
        {
            Some(text.to_string())
        }
        _ => None,
    }
}

/// The help for a number given where text is expected.
fn quote_help(number: &str, is_version: bool) -> String {
    if is_version {
        format!("quote it: `\"{number}\"`; a version is text, and YAML would read 1.30 as 1.3")
    } else {
        format!("quote it: `\"{number}\"`")
    }
}

/// `1.35` -> `[1, 35]`: a dotted version of two or more numbers.
fn version_parts(text: &str) -> Option<Vec<u64>> {
    let parts: Vec<u64> = text
        .split('.')
        .map(|part| part.parse().ok())
        .collect::<Option<_>>()?;
    (parts.len() >= 2).then_some(parts)
}

/// An enum whose values are all quoted versions (`KubernetesVersion`).
fn is_version_enum(enumeration: &EnumType) -> bool {
    !enumeration.variants.is_empty()
        && enumeration
            .variants
            .iter()
            .all(|variant| variant.quoted && version_parts(&variant.name).is_some())
}

/// What to say of `written`, not a value of an enum of versions: the version
/// meant when it is only written another way (`v1.35`, `1.35.2`), else which
/// versions exist, or the next one after a gap. (A did-you-mean by spelling would
/// offer `1.29` for `1.27`.) Returns a note and a help.
fn version_advice(written: &str, enumeration: &EnumType) -> (Option<String>, String) {
    let type_name = format!("`{}`", enumeration.name);
    let mut known: Vec<(Vec<u64>, &str)> = enumeration
        .variants
        .iter()
        .filter_map(|variant| Some((version_parts(&variant.name)?, &*variant.name)))
        .collect();
    known.sort();
    let (Some((oldest, oldest_name)), Some((newest, newest_name))) = (known.first(), known.last())
    else {
        return (None, String::new());
    };
    let range = format!("use a version from `{oldest_name}` to `{newest_name}`");
    let plain = written.strip_prefix(['v', 'V']).unwrap_or(written);
    if plain != written && enumeration.variant(plain).is_some() {
        return (None, format!("write `\"{plain}\"`, without the `v`"));
    }
    let Some(parts) = version_parts(plain) else {
        return (None, range);
    };
    // `1.35.2`: a patch release of a version that exists.
    if let Some((_, name)) = known
        .iter()
        .find(|(version, _)| version.len() < parts.len() && parts.starts_with(version))
    {
        return (
            Some(format!(
                "{} names a minor version, not a patch release",
                with_article(&type_name)
            )),
            format!("write `\"{name}\"`"),
        );
    }
    if parts < *oldest {
        let note = format!("`{written}` is older than `{oldest_name}`, the oldest {type_name}");
        return (Some(note), range);
    }
    if parts > *newest {
        let note = format!("`{written}` is newer than `{newest_name}`, the newest {type_name}");
        return (Some(note), range);
    }
    // Between two that exist: the next one up.
    match known.iter().find(|(version, _)| *version > parts) {
        Some((_, next)) => (None, format!("the next {type_name} is `{next}`")),
        None => (None, range),
    }
}

fn unit_example(kind: crate::types::UnitKind) -> &'static str {
    match kind {
        crate::types::UnitKind::Duration => "`30s`",
        crate::types::UnitKind::Percent => "`10%`",
        crate::types::UnitKind::Cpu => "`250m`",
        crate::types::UnitKind::Memory => "`512Mi`",
    }
}

fn describe(constraint: Option<&StringConstraint>) -> String {
    constraint
        .and_then(|constraint| constraint.describe.as_deref())
        .unwrap_or("a string")
        .to_string()
}

/// Why `text` does not fit `constraint`, or `None` if it does.
pub fn string_problem(text: &str, constraint: &StringConstraint) -> Option<String> {
    let length = text.chars().count();
    if let Some(max) = constraint.max_length
        && length > max
    {
        return Some(format!("{length} characters, at most {max} are allowed"));
    }
    if let Some(min) = constraint.min_length
        && length < min
    {
        return Some(format!("{length} characters, at least {min} are needed"));
    }
    if let Some(pattern) = &constraint.pattern
        && !pattern.matches(text)
    {
        return Some(match &constraint.describe {
            Some(describe) => format!("expected {describe}"),
            None => format!("does not match `{pattern}`"),
        });
    }
    None
}

fn describe_attributes(record: &Record) -> String {
    record
        .fields
        .iter()
        .filter_map(|field| Some(format!("{}: {}", field.name, field.value.interpolated()?)))
        .collect::<Vec<_>>()
        .join(", ")
}
