//! Hover: what the thing under the cursor is, in Markdown. A name: its
//! declaration, doc comment and facts from the evaluated fleet (a cluster's cloud
//! and the apps it runs). A field: its type and doc comment from the stdlib, and
//! its evaluated value with the layer and file that set it (and, for an app, what
//! each overlay sets). A selector: the clusters it matches.

use super::describe::{cluster_list, facts, header_text, origin, source_text, value_text};
use super::fields::{body_type, field_decl_node, field_of};
use super::locate::{PathStep, field_path, item_at, token_at};
use crate::db::{Db, SourceFile, Workspace};
use crate::eval::Evaluator;
use crate::eval::declarations::evaluate;
use crate::eval::value::{Field, Value, ValueKind};
use crate::model::FleetModel;
use crate::names::Name;
use crate::names::index::ItemId;
use crate::names::items::LocalItem;
use crate::names::resolve::{Resolution, resolve_file};
use crate::syntax::{SyntaxKind::*, SyntaxNode, SyntaxToken};
use crate::types::lower::{declaration_type, doc_of};
use crate::types::{FieldDef, Ty, TypeDef};
use text_size::{TextRange, TextSize};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    /// What the hover is about (the editor highlights it).
    pub range: TextRange,
    pub markdown: String,
}

pub fn hover(
    db: &dyn Db,
    workspace: Workspace,
    file: SourceFile,
    offset: TextSize,
) -> Option<Hover> {
    let token = token_at(db, file, offset)?;
    let parent = token.parent();
    let context = Context {
        db,
        workspace,
        file,
        evaluator: Evaluator::new(db, workspace),
    };
    let markdown = match (token.kind(), parent.kind()) {
        (WHERE_KW, WHERE_EXPR) => context.selector(parent),
        (IDENT, NAME_REF) if token.text() == "clusters" && in_where(parent) => {
            context.selector(parent.parent()?)
        }
        (IDENT, NAME_REF) => context.name_ref(parent, &token),
        (_, NAME) => {
            let (local, node) = item_at(db, file, token.range().start())?;
            context.declaration(context.first_instance(local), node)
        }
        (IDENT, FIELD_PATH) => context.field(&token),
        (IDENT, FIELD_DECL) => context.field_declaration(parent),
        (IDENT, VARIANT) => context.variant_declaration(parent, token.text()),
        (IDENT, PATH_TYPE) => context.type_name(parent, &token),
        _ => None,
    }?;
    Some(Hover {
        range: token.range(),
        markdown,
    })
}

fn in_where(name_ref: SyntaxNode<'_>) -> bool {
    name_ref.parent().is_some_and(|parent| {
        parent.kind() == WHERE_EXPR && parent.children().next() == Some(name_ref)
    })
}

struct Context<'db> {
    db: &'db dyn Db,
    workspace: Workspace,
    file: SourceFile,
    evaluator: Evaluator<'db>,
}

impl<'db> Context<'db> {
    fn model(&self) -> std::sync::Arc<crate::eval::declarations::Evaluation> {
        evaluate(self.db, self.workspace)
    }

    /// The item to describe for the declaration at `local`: itself, or for one
    /// inside a `for`, its first iteration (the others differ only in values).
    fn first_instance(&self, local: LocalItem) -> ItemId {
        let plain = ItemId::plain(self.db, self.file, local);
        let evaluation = self.model();
        instances(&evaluation.model)
            .filter(|(item, _)| item.file == self.file && item.local == local)
            .map(|(item, _)| item)
            .min_by_key(|item| item.iteration)
            .unwrap_or(plain)
    }

    fn selector(&self, where_expr: SyntaxNode<'_>) -> Option<String> {
        let evaluation = self.model();
        let model = &evaluation.model;
        let file_id = self.file.id(self.db);
        let sets = model
            .apps
            .iter()
            .map(|app| &app.targets)
            .chain(model.policies.iter().map(|policy| &policy.targets))
            .chain(model.manifests.iter().map(|manifest| &manifest.targets));
        let mut markdown = format!("```fleet\n{}\n```\n", one_line(where_expr.text()));
        let found = sets
            .filter(|set| {
                set.span.is_some_and(|span| {
                    span.file == file_id && span.range.contains_range(where_expr.range())
                })
            })
            .min_by_key(|set| set.span.map(|span| span.range.len()));
        match found {
            Some(set) => markdown.push_str(&format!("Matches {}.", cluster_list(model, set))),
            None => markdown.push_str("A set of clusters (not evaluated here)."),
        }
        Some(markdown)
    }

    fn name_ref(&self, name_ref: SyntaxNode<'_>, token: &SyntaxToken<'_>) -> Option<String> {
        let resolution = resolve_file(self.db, self.workspace, self.file);
        match resolution.at(name_ref.range())? {
            Resolution::Items {
                declarations,
                variant_of,
            } => {
                let mut sections: Vec<String> = declarations
                    .iter()
                    .map(|(_, item)| {
                        let node = crate::names::index::item_node(self.db, *item);
                        self.declaration(*item, node)
                    })
                    .collect::<Option<_>>()?;
                for enumeration in variant_of {
                    sections.extend(self.variant(*enumeration, token.text()));
                }
                (!sections.is_empty()).then(|| sections.join("\n\n---\n\n"))
            }
            Resolution::Local => {
                let binder = name_ref.ancestors().find_map(|ancestor| {
                    ancestor
                        .children()
                        .filter(|child| child.kind() == FOR_BINDING)
                        .find(|binding| {
                            binding
                                .child_tokens()
                                .any(|word| word.kind() == IDENT && word.text() == token.text())
                        })
                });
                Some(match binder {
                    Some(binding) => format!(
                        "```fleet\nfor {}\n```\nA variable of the `for`: each iteration binds it to the next value.",
                        one_line(binding.text())
                    ),
                    None => format!(
                        "```fleet\n{}\n```\nA field of the record being checked.",
                        token.text()
                    ),
                })
            }
            Resolution::ClusterField => {
                let cluster = declaration_type(&self.evaluator, "Cluster");
                let mut markdown = format!(
                    "```fleet\n{}\n```\nA field of each cluster the selector tests.",
                    token.text()
                );
                if let Some((_, field)) = field_of(&self.evaluator, &cluster, token.text(), None)
                    && !field.doc.is_empty()
                {
                    markdown.push_str("\n\n");
                    markdown.push_str(&field.doc);
                }
                Some(markdown)
            }
            Resolution::Builtin => Some(builtin_doc(token.text()).to_string()),
            Resolution::Unresolved => None,
        }
    }

    /// A declared thing: its header, doc comment and what the evaluation knows.
    fn declaration(&self, item: ItemId, node: SyntaxNode<'_>) -> Option<String> {
        let word = node.first_significant_token()?.text();
        let header = match node.kind() {
            // A `let`'s value is shown evaluated, below.
            LET => super::locate::item_name(node)
                .map(|name| name.to_string())
                .unwrap_or_default(),
            _ => header_text(node),
        };
        let mut markdown = format!("```fleet\n{word} {header}\n```");
        let doc = doc_of(node);
        if !doc.is_empty() {
            markdown.push_str("\n\n");
            markdown.push_str(&doc);
        }
        if node.kind() == LET {
            let value = self.evaluator.let_item(item);
            drop(self.evaluator.take_diagnostics());
            markdown.push_str(&format!("\n\n= `{}`", value_text(&value)));
        }
        if matches!(node.kind(), TYPE_DECL | ENUM_DECL)
            && let Some(definition) = self.evaluator.type_def(item)
        {
            markdown.push_str(&members_of(&definition));
        }
        let evaluation = self.model();
        let facts = facts(&evaluation.model, item);
        if !facts.is_empty() {
            markdown.push_str("\n\n");
            let lines: Vec<String> = facts.iter().map(|fact| format!("- {fact}")).collect();
            markdown.push_str(&lines.join("\n"));
        }
        if item.iteration > 0 {
            let iteration = instances(&evaluation.model)
                .find(|(instance, _)| *instance == item)
                .and_then(|(_, iteration)| iteration);
            if let Some(iteration) = iteration {
                markdown.push_str(&format!(
                    "\n\nMade by a `for` (first iteration: {iteration})."
                ));
            }
        }
        Some(markdown)
    }

    fn variant(&self, enumeration: ItemId, name: &str) -> Option<String> {
        let definition = self.evaluator.type_def(enumeration)?;
        let TypeDef::Enum(enum_type) = &*definition else {
            return None;
        };
        let variant = enum_type.variant(name)?;
        let mut markdown = format!(
            "```fleet\n{}.{}\n```\nA variant of the enum `{}`.",
            enum_type.name, name, enum_type.name
        );
        if !variant.doc.is_empty() {
            markdown.push_str("\n\n");
            markdown.push_str(&variant.doc);
        }
        if let Some(attributes) = self.evaluator.variant_attributes(enum_type, name) {
            let value = Value::new(
                ValueKind::Record(attributes),
                crate::diagnostics::Span::new(enumeration.file_id, TextRange::default()),
            );
            markdown.push_str(&format!("\n\n`{}`", value_text(&value)));
        }
        Some(markdown)
    }

    fn variant_declaration(&self, variant: SyntaxNode<'_>, name: &str) -> Option<String> {
        let (local, _) = item_at(self.db, self.file, variant.range().start())?;
        self.variant(ItemId::plain(self.db, self.file, local), name)
    }

    /// A field of a record type, where it is declared.
    fn field_declaration(&self, field_decl: SyntaxNode<'_>) -> Option<String> {
        let (_, node) = item_at(self.db, self.file, field_decl.range().start())?;
        let mut markdown = format!("```fleet\n{}\n```", declaration_text(field_decl));
        let doc = doc_of(field_decl);
        if !doc.is_empty() {
            markdown.push_str("\n\n");
            markdown.push_str(&doc);
        }
        let owner = crate::names::items::name_text(node.child_of_kind(NAME)?)?;
        markdown.push_str(&format!("\n\nA field of `{owner}`."));
        Some(markdown)
    }

    /// A type or template named in an annotation: `: Cluster`, `: policies.x`.
    fn type_name(&self, path: SyntaxNode<'_>, token: &SyntaxToken<'_>) -> Option<String> {
        let words: Vec<_> = path
            .child_tokens()
            .filter(|word| word.kind() == IDENT)
            .collect();
        let module = match words.as_slice() {
            [_] => self.file.module(self.db).clone(),
            [alias, name] if name.range() == token.range() => {
                self.evaluator.import_alias(self.file, alias.text())?
            }
            _ => return None,
        };
        let name = token.text();
        let index = crate::names::index::name_index(self.db, self.workspace);
        let item = [
            crate::names::Namespace::Template,
            crate::names::Namespace::Type,
        ]
        .iter()
        .find_map(|namespace| index.lookup(&module, *namespace, name).first().copied())?;
        let node = crate::names::index::item_node(self.db, item);
        self.declaration(item, node)
    }

    /// A field key in a declaration: its type and doc, and its evaluated value.
    fn field(&self, key: &SyntaxToken<'_>) -> Option<String> {
        let (local, item_node) = item_at(self.db, self.file, key.range().start())?;
        let path = field_path(item_node, key)?;
        let item = self.first_instance(local);
        let evaluation = self.model();
        let model = &evaluation.model;
        let declared = instances_values(model)
            .find(|(instance, _)| *instance == item)
            .map(|(_, value)| value);
        let root = body_type(&self.evaluator, item, item_node)?;

        // The type: walk the path, following the evaluated record where there is
        // one (it knows which member of a union the value is).
        let mut ty = root;
        let mut value = declared;
        let mut field: Option<(ItemId, FieldDef)> = None;
        let mut map_entry = false;
        for step in &path {
            match step {
                PathStep::Element => {
                    ty = element_type(&self.evaluator, &ty);
                    value = value
                        .and_then(|value| value.as_list())
                        .and_then(|items| items.first());
                }
                PathStep::Field(name) => {
                    let record = value.and_then(Value::as_record).map(|record| &**record);
                    if let Ty::Map(_, entry) = strip(&self.evaluator, &ty) {
                        ty = (*entry).clone();
                        field = None;
                        map_entry = true;
                    } else {
                        let (owner, definition) = field_of(
                            &self.evaluator,
                            &ty,
                            name,
                            record.and_then(|record| record.ty),
                        )?;
                        ty = definition.ty.clone();
                        field = Some((owner, definition));
                        map_entry = false;
                    }
                    value = record.and_then(|record| record.get(name));
                }
            }
        }
        let name = key.text();
        let mut markdown = match &field {
            Some((owner, definition)) => {
                let text = field_decl_node(self.db, *owner, &definition.name)
                    .map(declaration_text)
                    .unwrap_or_else(|| {
                        format!(
                            "{}: {}",
                            definition.name,
                            self.evaluator.ty_text(&definition.ty)
                        )
                    });
                let mut markdown = format!("```fleet\n{text}\n```");
                if !definition.doc.is_empty() {
                    markdown.push_str("\n\n");
                    markdown.push_str(&definition.doc);
                }
                markdown
            }
            None if map_entry => format!(
                "```fleet\n{name}\n```\nAn entry of a map, of {}.",
                self.evaluator.ty_text(&ty)
            ),
            None => return None,
        };

        // The value this key set, found by where its key is written.
        let file_id = self.file.id(self.db);
        let set_here = declared.and_then(|value| field_keyed_at(value, file_id, key.range()));
        let evaluated = set_here.map(|field| &field.value).or(value);
        if let Some(evaluated) = evaluated {
            markdown.push_str(&format!(
                "\n\n**Value** `{}`, set by {}",
                value_text(evaluated),
                origin(self.db, self.workspace, evaluated.span)
            ));
            let iteration = instances(model)
                .find(|(instance, _)| *instance == item)
                .and_then(|(_, iteration)| iteration);
            if let Some(iteration) = iteration {
                markdown.push_str(&format!(
                    " (in the first iteration of the `for`: {iteration})"
                ));
            }
        }
        // For an app (or an overlay of one), what each layer sets.
        let names: Option<Vec<&Name>> = path
            .iter()
            .map(|step| match step {
                PathStep::Field(name) => Some(name),
                PathStep::Element => None,
            })
            .collect();
        if let Some(names) = names
            && let Some(app) = self.app_of(model, item, item_node)
        {
            let layers: Vec<String> = app
                .layers
                .iter()
                .filter_map(|layer| {
                    let value = value_at(&layer.value, &names)?;
                    Some(format!(
                        "- {}: `{}` ({})",
                        layer.key.describe(),
                        value_text(value),
                        origin(self.db, self.workspace, value.span)
                    ))
                })
                .collect();
            if !layers.is_empty() {
                markdown.push_str("\n\n**Overlays**\n");
                markdown.push_str(&layers.join("\n"));
            }
        }
        Some(markdown)
    }

    /// The app a declaration is, or the app an overlay is for.
    fn app_of<'m>(
        &self,
        model: &'m FleetModel,
        item: ItemId,
        node: SyntaxNode<'_>,
    ) -> Option<&'m crate::model::App> {
        match node.kind() {
            APP_DECL => model.apps.iter().find(|app| app.declared.item == item),
            OVERLAY_DECL => model.apps.iter().find(|app| {
                app.layers
                    .iter()
                    .any(|layer| layer.item.file == item.file && layer.item.local == item.local)
            }),
            _ => None,
        }
    }
}

/// The evaluated declarations of the model with the iteration each was made in.
fn instances(
    model: &FleetModel,
) -> impl Iterator<Item = (ItemId, Option<crate::eval::scope::Iteration>)> + '_ {
    all_declared(model).map(|declared| (declared.item, declared.iteration.clone()))
}

fn instances_values(model: &FleetModel) -> impl Iterator<Item = (ItemId, &Value)> + '_ {
    all_declared(model)
        .map(|declared| (declared.item, &declared.value))
        .chain(
            model
                .apps
                .iter()
                .flat_map(|app| app.layers.iter().map(|layer| (layer.item, &layer.value))),
        )
}

fn all_declared(model: &FleetModel) -> impl Iterator<Item = &crate::model::Declared> + '_ {
    model
        .fleet
        .iter()
        .chain(&model.envs)
        .chain(&model.teams)
        .chain(model.clusters.iter().map(|cluster| &cluster.declared))
        .chain(model.apps.iter().map(|app| &app.declared))
        .chain(&model.promotions)
        .chain(model.policies.iter().map(|policy| &policy.declared))
        .chain(model.manifests.iter().map(|manifest| &manifest.declared))
}

/// The field whose key is written at `range` (of file `file`), anywhere in `value`.
fn field_keyed_at(value: &Value, file: crate::source::FileId, range: TextRange) -> Option<&Field> {
    match &value.kind {
        ValueKind::Record(record) => record.fields.iter().find_map(|field| {
            if field.key_span.file == file && field.key_span.range.contains_range(range) {
                // `a.b = 1` keys the outer field; the inner one is the one asked for.
                field_keyed_at(&field.value, file, range).or(Some(field))
            } else {
                field_keyed_at(&field.value, file, range)
            }
        }),
        ValueKind::List(items) => items
            .iter()
            .find_map(|item| field_keyed_at(item, file, range)),
        _ => None,
    }
}

fn value_at<'v>(value: &'v Value, names: &[&Name]) -> Option<&'v Value> {
    let mut current = value;
    for name in names {
        current = current.as_record()?.get(name)?;
    }
    Some(current)
}

/// Through aliases, to what a type is.
fn strip(evaluator: &Evaluator<'_>, ty: &Ty) -> Ty {
    let mut ty = ty.clone();
    for _ in 0..64 {
        ty = match ty {
            Ty::Optional(inner) => (*inner).clone(),
            Ty::Named(item) => match evaluator.type_def(item).as_deref() {
                Some(TypeDef::Alias(_, aliased)) => aliased.clone(),
                _ => return Ty::Named(item),
            },
            other => return other,
        };
    }
    ty
}

fn element_type(evaluator: &Evaluator<'_>, ty: &Ty) -> Ty {
    match strip(evaluator, ty) {
        Ty::List(element, _) => (*element).clone(),
        other => other,
    }
}

/// A declaration's text without its doc comment, on one line.
fn declaration_text(node: SyntaxNode<'_>) -> String {
    let start = node
        .descendant_tokens()
        .find(|token| !token.kind().is_trivia())
        .map(|token| token.range().start())
        .unwrap_or_else(|| node.range().start());
    source_text(node, start, node.range().end())
}

/// Text on one line, white space runs folded.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn members_of(definition: &TypeDef) -> String {
    match definition {
        TypeDef::Record(record) => {
            let names: Vec<String> = record
                .fields
                .iter()
                .map(|field| format!("`{}`", field.name))
                .collect();
            format!("\n\nFields: {}", names.join(", "))
        }
        TypeDef::Enum(enumeration) => {
            let names: Vec<String> = enumeration
                .variants
                .iter()
                .take(40)
                .map(|variant| format!("`{}`", variant.name))
                .collect();
            let more = enumeration.variants.len().saturating_sub(40);
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!("\n\nVariants: {}{tail}", names.join(", "))
        }
        TypeDef::Alias(..) => String::new(),
    }
}

fn builtin_doc(name: &str) -> &'static str {
    match name {
        "clusters" => {
            "```fleet\nclusters\n```\nEvery cluster of the fleet; `clusters where ...` selects some of them."
        }
        "rest" => "```fleet\nrest\n```\nIn a promotion's waves: the clusters no earlier wave took.",
        "range" => "```fleet\nrange(n)\n```\nThe list `[0, 1, ..., n - 1]`.",
        "len" => "```fleet\nlen(list)\n```\nHow many items a list (or characters a string) has.",
        "present" => {
            "```fleet\npresent(field)\n```\nWhether an optional field is set (in a `require`)."
        }
        _ => "A built-in name.",
    }
}
