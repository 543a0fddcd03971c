//! Declarations to the fleet model. Each declaration's body is evaluated, merged
//! over its template, checked against its type and completed; overlays become
//! layers of their app; selectors become sets once every cluster is known.

use super::Evaluator;
use super::scope::Scope;
use super::value::{ClusterField, CompareOp, Predicate, Record, Selector, Value, ValueKind};
use crate::db::{Db, Origin, Workspace};
use crate::diagnostics::{Diagnostic, Span, code};
use crate::model::{self, ClusterSet, Declared, FleetModel, Layer, LayerKey};
use crate::names::expand::generated_name;
use crate::names::index::ItemId;
use crate::names::items::{ItemKind, LocalItem, file_items, name_text};
use crate::names::{Name, Namespace};
use crate::syntax::{SyntaxKind::*, SyntaxNode};
use crate::types::lower::{declaration_type, lower_ty};
use crate::types::{Ty, TypeDef};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::hash::BuildHasher;
use std::sync::Arc;

/// The model and every diagnostic found making it.
#[derive(Debug, Default)]
pub struct Evaluation {
    pub model: FleetModel,
    pub diagnostics: Vec<Diagnostic>,
}

impl PartialEq for Evaluation {
    fn eq(&self, _: &Self) -> bool {
        // Values hold spans that move with every edit: an evaluation is never
        // considered unchanged, so what depends on it always re-runs.
        false
    }
}

/// The fleet of a workspace, evaluated.
#[salsa::tracked(returns(clone), no_eq)]
pub fn evaluate(db: &dyn Db, workspace: Workspace) -> Arc<Evaluation> {
    let evaluator = Evaluator::new(db, workspace);
    let model = evaluator.fleet_model();
    Arc::new(Evaluation {
        model,
        diagnostics: evaluator.take_diagnostics(),
    })
}

/// One declaration of the fleet: a plain item, or one iteration of a `for`.
#[derive(Clone)]
pub struct Instance {
    pub item: ItemId,
    pub kind: ItemKind,
    pub scope: Scope,
}

impl<'db> Evaluator<'db> {
    /// Every declaration of the fleet's files (not the stdlib's), `for`s expanded.
    pub fn instances(&self) -> Vec<Instance> {
        let mut out = Vec::new();
        for &file in self.workspace.files(self.db) {
            if file.origin(self.db) != Origin::Fleet {
                continue;
            }
            let items = file_items(self.db, file);
            // A library's other declarations are reported by its resolution (E0209).
            let library = !file.module(self.db).is_empty();
            for (local, summary) in items.items.iter().enumerate() {
                let local = local as LocalItem;
                if summary.inside_for.is_some() {
                    continue;
                }
                if library
                    && !matches!(
                        summary.kind,
                        ItemKind::Template | ItemKind::Let | ItemKind::Type | ItemKind::Enum
                    )
                {
                    continue;
                }
                let scope = self.file_scope(file);
                if summary.kind == ItemKind::For {
                    self.for_each_generated(
                        file,
                        local,
                        &scope,
                        &mut |declaration, scope, iteration| {
                            let kind = items.items[declaration as usize].kind;
                            let item = ItemId {
                                file,
                                file_id: file.id(self.db),
                                local: declaration,
                                iteration,
                            };
                            out.push(Instance {
                                item,
                                kind,
                                scope: scope.clone(),
                            });
                        },
                    );
                } else {
                    out.push(Instance {
                        item: ItemId::plain(self.db, file, local),
                        kind: summary.kind,
                        scope,
                    });
                }
            }
        }
        out
    }

    pub fn fleet_model(&self) -> FleetModel {
        let instances = self.instances();
        let iterations: FxHashMap<ItemId, Arc<str>> = instances
            .iter()
            .filter_map(|instance| Some((instance.item, instance.scope.iteration.clone()?)))
            .collect();
        self.check_duplicates(&iterations);
        let mut model = FleetModel::default();
        let mut apps: Vec<Instance> = Vec::new();
        let mut overlays: Vec<Instance> = Vec::new();
        let mut policies = Vec::new();
        let mut manifests = Vec::new();
        for instance in &instances {
            match instance.kind {
                // Reported by resolution (E0209): a `for` cannot declare the fleet.
                ItemKind::Fleet if instance.item.iteration > 0 => {}
                ItemKind::Fleet => {
                    if let Some(declared) = self.declare(instance, "Fleet") {
                        if let Some(first) = &model.fleet {
                            self.report(
                                Diagnostic::new(code::E0210, "a fleet has one `fleet` declaration")
                                    .with_primary(declared.span, "a second `fleet`")
                                    .with_secondary(first.span, "the first"),
                            );
                        } else {
                            model.fleet = Some(declared);
                        }
                    }
                }
                ItemKind::Env => model.envs.extend(self.declare(instance, "Env")),
                ItemKind::Team => model.teams.extend(self.declare(instance, "Team")),
                ItemKind::Cluster => match self.declare(instance, "Cluster") {
                    Some(declared) => model.clusters.push(cluster_of(declared)),
                    // Reported; what selects it would be reported again as empty.
                    None => self.clusters_dropped.set(true),
                },
                ItemKind::App => apps.push(instance.clone()),
                ItemKind::Overlay => overlays.push(instance.clone()),
                ItemKind::Promotion => model.promotions.extend(self.declare(instance, "Promotion")),
                ItemKind::Policy => policies.push(instance.clone()),
                ItemKind::Manifest => manifests.push(instance.clone()),
                ItemKind::Require => self.top_level_require(instance),
                // Definitions inside a `for` are reported by resolution (E0209);
                // evaluated outside their iteration, they would only cascade.
                ItemKind::Template | ItemKind::Let | ItemKind::Type | ItemKind::Enum
                    if instance.item.iteration > 0 => {}
                ItemKind::Template | ItemKind::Let | ItemKind::Type | ItemKind::Enum => {
                    // Checked where used; a template is also checked on its own.
                    if instance.kind == ItemKind::Template {
                        self.template(instance.item);
                    }
                    if instance.kind == ItemKind::Let {
                        self.let_item(instance.item);
                    }
                    if matches!(instance.kind, ItemKind::Type | ItemKind::Enum) {
                        self.type_def(instance.item);
                    }
                    if instance.kind == ItemKind::Enum {
                        self.check_variant_attributes(instance.item);
                    }
                }
                ItemKind::Import | ItemKind::For => {}
            }
        }
        if model.fleet.is_none()
            && instances
                .iter()
                .any(|instance| instance.kind != ItemKind::Import)
        {
            self.report(
                Diagnostic::new(code::E0210, "the fleet has no `fleet` declaration")
                    .with_help("declare the fleet's settings once: `fleet acme { repo = \"https://github.com/acme/gitops\" }`"),
            );
        }
        let index = self
            .selector_index
            .get_or_init(|| SelectorIndex::new(&model));
        for instance in &apps {
            let Some(declared) = self.declare(instance, "App") else {
                continue;
            };
            let targets = self.targets_of(&declared.value, index);
            model.apps.push(model::App {
                declared,
                targets,
                layers: Vec::new(),
            });
        }
        for instance in &policies {
            let Some(declared) = self.declare(instance, "Policy") else {
                continue;
            };
            let targets = self.targets_of(&declared.value, index);
            model.policies.push(model::Policy { declared, targets });
        }
        for instance in &manifests {
            let Some(declared) = self.declare(instance, "Manifest") else {
                continue;
            };
            let targets = self.targets_of(&declared.value, index);
            model.manifests.push(model::Manifest { declared, targets });
        }
        let app_positions: FxHashMap<Name, usize> = model
            .apps
            .iter()
            .enumerate()
            .map(|(position, app)| (app.declared.name.clone(), position))
            .collect();
        for instance in &overlays {
            self.overlay(instance, &mut model, &app_positions);
        }
        for app in &mut model.apps {
            app.layers.sort_by_key(|layer| layer.key.precedence());
        }
        crate::checks::run(self, &model);
        model
    }

    /// Evaluates a declaration of a kind whose default type is `type_name`. What
    /// is reported about a declaration a `for` generated names the iteration
    /// (decision 005), unless it is true of every iteration.
    fn declare(&self, instance: &Instance, type_name: &str) -> Option<Declared> {
        let Some(iteration) = &instance.scope.iteration else {
            return self.declare_in_scope(instance, type_name);
        };
        let before = self.diagnostics.borrow().len();
        let declared = self.declare_in_scope(instance, type_name);
        let after = self.diagnostics.borrow().len();
        let every_iteration = self.loop_invariant_diagnostics.borrow();
        let mut iterations = self.diagnostic_iterations.borrow_mut();
        for position in (before..after).filter(|position| !every_iteration.contains(position)) {
            iterations.insert(position, iteration.clone());
        }
        declared
    }

    fn declare_in_scope(&self, instance: &Instance, type_name: &str) -> Option<Declared> {
        let node = self.item_node(instance.item);
        let scope = &instance.scope;
        let (name, span) = self.declaration_name(instance.item, node, scope)?;
        let (base, ty) = match node
            .child_of_kind(TYPE_ANNOTATION)
            .and_then(|annotation| annotation.children().next())
        {
            Some(annotation) => self.annotation(annotation, scope)?,
            None => (None, declaration_type(self, type_name)),
        };
        let raw = node
            .child_of_kind(BODY)
            .map(|body| self.body(body, scope))
            .unwrap_or_default();
        let merged = match &base {
            Some(base) => self.merge(base, &raw, &|field| list_key(self, &ty, field)),
            None => raw,
        };
        let value = Value::new(ValueKind::Record(Arc::new(merged)), span);
        // Only the declarations of a `for` can be equal: two written out differ
        // at least in where their fields are written.
        let completed = if instance.item.iteration > 0 {
            self.checked_declaration(value, &ty, &scope.module)
        } else {
            let typed = self.conform(value, &ty, &scope.module);
            self.complete(typed, &ty, &scope.module)
        };
        self.body_requires(node, &completed, scope, &name);
        Some(Declared {
            name,
            item: instance.item,
            span,
            value: completed,
            iteration: scope.iteration.clone(),
        })
    }

    /// A declaration's record checked against its type and completed. The
    /// declarations a `for` makes often differ only in their names: a record equal
    /// to one checked before (the same fields set by the same expressions, spans
    /// included) gives the same result, remembered unless checking it reported
    /// something.
    fn checked_declaration(&self, value: Value, ty: &Ty, module: &Arc<str>) -> Value {
        let key = (value, ty.clone(), module.clone());
        // Records are hashed once, by hand: hashing a whole declaration costs
        // about as much as comparing it, and a map would hash it again to insert.
        let hash = rustc_hash::FxBuildHasher.hash_one(&key);
        if let Some((_, known)) = self
            .checked_declarations
            .borrow()
            .get(&hash)
            .and_then(|same_hash| same_hash.iter().find(|(checked, _)| *checked == key))
        {
            return known.clone();
        }
        let before = self.diagnostics.borrow().len();
        let typed = self.conform(key.0.clone(), ty, module);
        let completed = self.complete(typed, ty, module);
        if self.diagnostics.borrow().len() == before {
            self.checked_declarations
                .borrow_mut()
                .entry(hash)
                .or_default()
                .push((key, completed.clone()));
        }
        completed
    }

    /// The name a `for` generated for `item`, as the name index computed it: each
    /// generated name is evaluated once, when the index is built.
    fn expanded_name(&self, item: ItemId) -> Option<Name> {
        let names = self.expanded_names.get_or_init(|| {
            let mut names = FxHashMap::default();
            for &file in self.workspace.files(self.db) {
                let items = file_items(self.db, file);
                if !items.items.iter().any(|item| item.kind == ItemKind::For) {
                    continue;
                }
                let expansions =
                    crate::names::expand::file_expansions(self.db, self.workspace, file);
                for generated in &expansions.generated {
                    names.insert(generated.item, generated.name.clone());
                }
            }
            names
        });
        names.get(&item).cloned()
    }

    /// The name of a declaration (evaluated in its iteration) and its span.
    fn declaration_name(
        &self,
        item: ItemId,
        node: SyntaxNode<'_>,
        scope: &Scope,
    ) -> Option<(Name, Span)> {
        let name_node = node.child_of_kind(NAME)?;
        let span = scope.span(name_node.range());
        let name = match name_node.child_of_kind(STRING) {
            Some(_) => match self.expanded_name(item) {
                Some(name) => name,
                None => generated_name(self, node, scope)?,
            },
            None => name_text(name_node)?,
        };
        Some((name, span))
    }

    /// `: eks` (a template: its record is the base) or `: Cluster` (a type). The
    /// type, or the template's, must be the declaration kind's (`Cluster` for a
    /// cluster) or a member of it (`AwsCluster`); a template may be of any kind.
    pub(crate) fn annotation(
        &self,
        annotation: SyntaxNode<'_>,
        scope: &Scope,
    ) -> Option<(Option<Record>, Ty)> {
        // Type names are not expressions: an annotation means the same in every
        // iteration of a loop, and is worked out once. (Outside loops each is
        // met once.) What reported something is worked out again, so that each
        // iteration reports it as before.
        if !scope.has_bindings() {
            return self.annotation_uncached(annotation, scope);
        }
        let key = (scope.file_id, annotation.id());
        if let Some(known) = self.annotations.borrow().get(&key) {
            return Some(known.clone());
        }
        let before = self.diagnostics.borrow().len();
        let found = self.annotation_uncached(annotation, scope)?;
        if self.diagnostics.borrow().len() == before {
            self.annotations.borrow_mut().insert(key, found.clone());
        }
        Some(found)
    }

    fn annotation_uncached(
        &self,
        annotation: SyntaxNode<'_>,
        scope: &Scope,
    ) -> Option<(Option<Record>, Ty)> {
        let words: Vec<_> = annotation
            .child_tokens()
            .filter(|token| token.kind() == IDENT)
            .map(|token| token.text())
            .collect();
        let (module, name): (Arc<str>, &str) = match words.as_slice() {
            [name] => (scope.module.clone(), name),
            [alias, name] => (self.import_alias(scope.file, alias)?, name),
            _ => return None,
        };
        let span = scope.span(annotation.range());
        let kind = annotation
            .parent()
            .and_then(|type_annotation| type_annotation.parent())
            .and_then(|declaration| crate::types::lower::declaration_kind(declaration.kind()));
        let template = if words.len() == 1 {
            self.index
                .lookup(&module, Namespace::Template, name)
                .first()
                .copied()
        } else {
            self.index
                .module(&module)
                .and_then(|scope| scope.lookup(Namespace::Template, name).first().copied())
        };
        if let Some(template) = template {
            let (record, ty) = self.template(template)?;
            if let Some(kind) = kind {
                self.check_declaration_kind(kind, &ty, span, Some(&words.join(".")))?;
            }
            return Some((Some(record), ty));
        }
        let builtin = words.len() == 1 && crate::types::lower::BUILTIN_TYPES.contains(&name);
        if self.type_named(&module, name).is_some() || builtin {
            let ty = lower_ty(self, annotation, scope);
            let ty = match ty {
                // A declaration's own type, not a reference to one.
                Ty::Decl(_) => declaration_type(self, name),
                other => other,
            };
            if let Some(kind) = kind {
                self.check_declaration_kind(kind, &ty, span, None)?;
            }
            return Some((None, ty));
        }
        self.unresolved(name, span, &module, Some(Namespace::Template));
        None
    }

    /// A template's record (checked, not completed) and the type it is part of.
    pub fn template(&self, item: ItemId) -> Option<(Record, Ty)> {
        if let Some(found) = self.templates.borrow().get(&item) {
            return found.clone();
        }
        let node = self.item_node(item);
        let scope = self.file_scope(item.file);
        let in_progress = self
            .template_stack
            .borrow()
            .iter()
            .position(|open| *open == item);
        if let Some(start) = in_progress {
            let cycle: Vec<ItemId> = self.template_stack.borrow()[start..].to_vec();
            self.report_template_cycle(&cycle);
            return None;
        }
        self.template_stack.borrow_mut().push(item);
        let result = (|| {
            let annotation = node
                .child_of_kind(TYPE_ANNOTATION)
                .and_then(|annotation| annotation.children().next());
            let Some(annotation) = annotation else {
                let span = node
                    .child_of_kind(NAME)
                    .map_or(scope.span(node.range()), |name| scope.span(name.range()));
                self.report(
                    Diagnostic::new(code::E0301, "a template needs a type")
                        .with_primary(span, "which type is this a template of?")
                        .with_help("write `template name: Cluster { ... }`"),
                );
                return None;
            };
            let (base, ty) = self.nested(
                scope.span(annotation.range()),
                || None,
                || self.annotation(annotation, &scope),
            )?;
            let raw = node
                .child_of_kind(BODY)
                .map(|body| self.body(body, &scope))
                .unwrap_or_default();
            let merged = match &base {
                Some(base) => self.merge(base, &raw, &|field| list_key(self, &ty, field)),
                None => raw,
            };
            let span = scope.span(node.range());
            let typed = self.conform(
                Value::new(ValueKind::Record(Arc::new(merged)), span),
                &ty,
                &scope.module,
            );
            // Its `+=` and `-=` applied to the defaults, for what is laid over it.
            let typed = self.settle(typed, &ty);
            let record = typed.as_record()?.as_ref().clone();
            // The type a union resolved to: a template of `Cluster` with `cloud = aws`
            // is a template of `AwsCluster`.
            let ty = match record.ty {
                Some(resolved) => Ty::Named(resolved),
                None => ty,
            };
            Some((record, ty))
        })();
        self.template_stack.borrow_mut().pop();
        self.templates.borrow_mut().insert(item, result.clone());
        result
    }

    /// E0211 for templates that build on each other: `cycle` is the chain of
    /// templates being evaluated, from the one met again.
    fn report_template_cycle(&self, cycle: &[ItemId]) {
        let name_of = |item: ItemId| {
            let node = self.item_node(item);
            let name = node.child_of_kind(NAME);
            let text = name.and_then(name_text).unwrap_or_else(|| Name::from("?"));
            let range = name.map_or(node.range(), |name| name.range());
            (text, Span::new(item.file_id, range))
        };
        let named: Vec<(Name, Span)> = cycle.iter().map(|item| name_of(*item)).collect();
        let chain: Vec<String> = named
            .iter()
            .chain(named.first())
            .map(|(name, _)| format!("`{name}`"))
            .collect();
        let (first, first_span) = &named[0];
        let mut diagnostic = Diagnostic::new(
            code::E0211,
            format!("the template `{first}` builds on itself"),
        )
        .with_primary(*first_span, chain.join(" -> "));
        for (index, (name, span)) in named.iter().enumerate().skip(1) {
            let next = &named[(index + 1) % named.len()].0;
            diagnostic = diagnostic.with_secondary(*span, format!("`{name}` builds on `{next}`"));
        }
        self.report(diagnostic.with_help(
            "one template of the cycle must not build on the others: give it a type (`template base: Cluster`)",
        ));
    }

    /// An overlay, as a layer of its app (`apps` finds an app's place in the
    /// model by its name).
    fn overlay(&self, instance: &Instance, model: &mut FleetModel, apps: &FxHashMap<Name, usize>) {
        let node = self.item_node(instance.item);
        let scope = &instance.scope;
        let span = scope.span(node.range());
        let target = node
            .children()
            .find(|child| matches!(child.kind(), NAME_REF | STRING));
        let Some(target) = target else { return };
        let app_name = self.eval(Some(target), scope);
        let app_ref = self.conform(app_name, &Ty::Decl(Namespace::App), &scope.module);
        let Some(app_name) = app_ref.name().cloned() else {
            return;
        };
        let Some(key) = self.layer_key(node, scope) else {
            return;
        };
        let app_type = declaration_type(self, "App");
        let raw = node
            .child_of_kind(BODY)
            .map(|body| self.body(body, scope))
            .unwrap_or_default();
        // `workload.liveness.period = 30s` changes the app's `http_get(...)`: the
        // overlay's partial record is of the constructor the app's value has.
        let position = apps.get(&app_name).copied();
        let raw =
            match position.and_then(|position| model.apps[position].declared.value.as_record()) {
                Some(app) => adopt_constructors(&raw, app),
                None => raw,
            };
        let value = self.conform(
            Value::new(ValueKind::Record(Arc::new(raw)), span),
            &app_type,
            &scope.module,
        );
        if let Some(position) = position {
            model.apps[position].layers.push(Layer {
                key,
                value,
                item: instance.item,
                span,
            });
        }
    }

    /// Whether `text` is a region of one of the clouds; E0302 with the closest
    /// region if not (an overlay for a misspelt region would never apply).
    pub(crate) fn is_region(&self, text: &str, span: Span) -> bool {
        let mut known: Vec<Name> = Vec::new();
        for type_name in REGION_TYPES {
            let Some(item) = self.prelude_type(type_name) else {
                continue;
            };
            if let Some(TypeDef::Enum(enumeration)) = self.type_def(item).as_deref() {
                if enumeration.variant(text).is_some() {
                    return true;
                }
                known.extend(
                    enumeration
                        .variants
                        .iter()
                        .map(|variant| variant.name.clone()),
                );
            }
        }
        let mut diagnostic = Diagnostic::new(
            code::E0302,
            format!("\"{text}\" is not a region of any cloud"),
        )
        .with_primary(span, "no cloud has this region");
        if let Some(closest) = super::closest(text, known.iter().map(|name| &**name)) {
            diagnostic = diagnostic.with_help(format!("did you mean \"{closest}\"?"));
        }
        self.report(diagnostic);
        false
    }

    /// `@ production, region "eu-west-1"`: the layer an overlay is on.
    fn layer_key(&self, node: SyntaxNode<'_>, scope: &Scope) -> Option<LayerKey> {
        let list = node.child_of_kind(LAYER_LIST)?;
        let mut key = LayerKey {
            env: None,
            region: None,
            cluster: None,
        };
        for layer in list.children() {
            let value_node = layer.children().next();
            let value = self.eval(value_node, scope);
            let (slot, namespace) = match layer.kind() {
                ENV_LAYER => (&mut key.env, Some(Namespace::Env)),
                REGION_LAYER => (&mut key.region, None),
                CLUSTER_LAYER => (&mut key.cluster, Some(Namespace::Cluster)),
                _ => continue,
            };
            let name = match namespace {
                Some(namespace) => self
                    .conform(value, &Ty::Decl(namespace), &scope.module)
                    .name()
                    .cloned(),
                None => match &value.kind {
                    ValueKind::String(text) if self.is_region(text, value.span) => {
                        Some(Name::from(&**text))
                    }
                    ValueKind::String(_) | ValueKind::Error => None,
                    _ => {
                        self.report(
                            Diagnostic::new(
                                code::E0302,
                                format!(
                                    "a region is written as a string, found {}",
                                    value.describe()
                                ),
                            )
                            .with_primary(value.span, "expected a string such as \"eu-west-1\""),
                        );
                        None
                    }
                },
            };
            let name = name?;
            if slot.replace(name).is_some() {
                self.report(
                    Diagnostic::new(
                        code::E0209,
                        "a layer names each of env, region and cluster once",
                    )
                    .with_primary(scope.span(layer.range()), "named twice")
                    .with_help(
                        "one overlay is one layer, such as `@ production, region \"eu-west-1\"`; write another overlay for another layer",
                    ),
                );
                return None;
            }
        }
        if key.cluster.is_some() && (key.env.is_some() || key.region.is_some()) {
            let mut diagnostic = Diagnostic::new(code::E0209, "a cluster layer stands alone");
            for layer in list.children() {
                let span = scope.span(layer.range());
                diagnostic = if layer.kind() == CLUSTER_LAYER {
                    diagnostic.with_primary(span, "a cluster is already in one env and one region")
                } else {
                    diagnostic.with_secondary(span, "so this says nothing more")
                };
            }
            self.report(diagnostic.with_help("write `@ cluster name` alone"));
            return None;
        }
        Some(key)
    }

    fn top_level_require(&self, instance: &Instance) {
        let node = self.item_node(instance.item);
        self.require(
            node,
            &instance.scope,
            "a requirement of the fleet is not met",
        );
    }

    /// The `require`s written in a declaration's body, checked against the
    /// declaration as completed: its fields are names in the condition
    /// (`require replicas >= 2 else "..."`).
    fn body_requires(&self, node: SyntaxNode<'_>, value: &Value, scope: &Scope, name: &str) {
        let Some(body) = node.child_of_kind(BODY) else {
            return;
        };
        let mut requires = body
            .children()
            .filter(|child| child.kind() == REQUIRE)
            .peekable();
        if requires.peek().is_none() {
            return;
        }
        let Some(record) = value.as_record() else {
            return;
        };
        if record.fields.iter().any(|field| field.value.is_error()) {
            return;
        }
        let scope = scope.with(
            record
                .fields
                .iter()
                .map(|field| (field.name.clone(), field.value.clone())),
        );
        let fallback = format!("a requirement of `{name}` is not met");
        for require in requires {
            self.require(require, &scope, &fallback);
        }
    }

    /// E0307 when a `require`'s condition is false.
    fn require(&self, node: SyntaxNode<'_>, scope: &Scope, fallback: &str) {
        let mut parts = node.children();
        let condition = parts.next();
        let message = parts.next();
        let result = self.eval(condition, scope);
        match result.kind {
            ValueKind::Bool(true) | ValueKind::Error => {}
            ValueKind::Bool(false) => {
                let message = self.eval(message, scope);
                let headline = message.as_str().unwrap_or(fallback).to_string();
                let mut diagnostic = Diagnostic::new(code::E0307, headline)
                    .with_primary(result.span, "this is false");
                // Show the values the condition read, where they were set.
                let mut shown: Vec<&str> = Vec::new();
                for name_ref in condition
                    .into_iter()
                    .flat_map(|condition| condition.descendants())
                    .filter(|node| node.kind() == NAME_REF)
                {
                    let name = name_ref.text();
                    let Some(value) = scope.lookup(name) else {
                        continue;
                    };
                    if shown.contains(&name) || value.span.file != result.span.file {
                        continue;
                    }
                    shown.push(name);
                    let text = value
                        .interpolated()
                        .map_or_else(|| value.describe(), |text| format!("`{text}`"));
                    diagnostic =
                        diagnostic.with_secondary(value.span, format!("`{name}` is {text}"));
                }
                self.report(diagnostic);
            }
            _ => {
                self.report(
                    Diagnostic::new(
                        code::E0302,
                        format!(
                            "`require` needs `true` or `false`, found {}",
                            result.describe()
                        ),
                    )
                    .with_primary(result.span, "not a condition"),
                );
            }
        }
    }

    /// E0201 for every name declared more than once in a name space.
    fn check_duplicates(&self, iterations: &FxHashMap<ItemId, Arc<str>>) {
        let mut seen: Vec<(Namespace, &Name, &Vec<ItemId>)> = self
            .index
            .modules
            .iter()
            .filter(|(module, _)| !module.starts_with("std"))
            .flat_map(|(_, scope)| scope.entries())
            .filter(|(_, _, items)| items.len() > 1)
            .collect();
        seen.sort_by_key(|(_, _, items)| items.iter().map(ItemId::sort_key).min());
        for (namespace, name, items) in seen {
            let mut items = items.clone();
            items.sort_by_key(ItemId::sort_key);
            let spans: Vec<Span> = items
                .iter()
                .map(|item| self.item_name_span(*item))
                .collect();
            let kind = namespace.describe();
            let in_iteration = |index: usize| {
                iterations
                    .get(&items[index])
                    .map(|iteration| format!(" (where `{iteration}`)"))
                    .unwrap_or_default()
            };
            let diagnostic = if spans[0] == spans[1] {
                // One declaration in a `for` made the same name in two iterations.
                Diagnostic::new(
                    code::E0201,
                    format!("the `for` makes the {kind} `{name}` more than once"),
                )
                .with_primary(spans[0], {
                    let made: Vec<String> = items
                        .iter()
                        .take(3)
                        .filter_map(|item| iterations.get(item))
                        .map(|iteration| format!("`{iteration}`"))
                        .collect();
                    let more = if items.len() > 3 { ", …" } else { "" };
                    format!("made in {} iterations: {}{more}", items.len(), made.join(", "))
                })
                .with_help("put the loop's variables in the name, as in `\"web-${i}\"`, so each iteration makes its own")
            } else {
                let mut diagnostic = Diagnostic::new(
                    code::E0201,
                    format!("the {kind} `{name}` is declared twice"),
                )
                .with_primary(spans[1], format!("declared again here{}", in_iteration(1)))
                .with_secondary(spans[0], format!("first declared here{}", in_iteration(0)))
                .with_help(format!("each {kind} needs its own name"));
                if items.iter().any(|item| item.iteration > 0) {
                    diagnostic = diagnostic
                        .with_note("a name made in a `for` must differ in every iteration");
                }
                diagnostic
            };
            self.report(diagnostic);
        }
    }

    fn item_name_span(&self, item: ItemId) -> Span {
        let node = self.item_node(item);
        let range = node
            .child_of_kind(NAME)
            .map_or(node.range(), |name| name.range());
        Span::new(item.file_id, range)
    }

    /// The clusters a selector selects, once the model's clusters are known.
    pub fn clusters_selected(&self, selector: &Selector) -> Option<ClusterSet> {
        Some(self.selector_index.get()?.select(selector))
    }

    /// The `targets` of a declaration, as a set over the model's clusters.
    fn targets_of(&self, value: &Value, index: &SelectorIndex) -> ClusterSet {
        let Some(targets) = value
            .as_record()
            .and_then(|record| record.get("targets").cloned())
        else {
            return ClusterSet::with_capacity(index.clusters);
        };
        match &targets.kind {
            ValueKind::Selector(selector) => {
                let mut set = index.select(selector);
                set.predicate = selector.predicate.clone();
                set.span = Some(targets.span);
                set
            }
            _ => ClusterSet::with_capacity(index.clusters),
        }
    }
}

/// An overlay's partial record, where it changes inside a record a constructor
/// made (`http_get(...)`, `git(...)`), typed as that constructor's record, so the
/// change is checked against the value it changes.
fn adopt_constructors(overlay: &Record, below: &Record) -> Record {
    let fields = overlay
        .fields
        .iter()
        .map(|field| {
            let (ValueKind::Record(partial), Some(ValueKind::Record(existing))) = (
                &field.value.kind,
                below.get(&field.name).map(|value| &value.kind),
            ) else {
                return field.clone();
            };
            let mut adopted = adopt_constructors(partial, existing);
            if adopted.ty.is_none() {
                adopted.ty = existing.ty;
            }
            let mut field = field.clone();
            field.value = Value::new(ValueKind::Record(Arc::new(adopted)), field.value.span);
            field
        })
        .collect();
    Record {
        ty: overlay.ty,
        fields,
    }
}

/// The region enums of the clouds, in the prelude.
const REGION_TYPES: [&str; 3] = ["AwsRegion", "GcpRegion", "AzureRegion"];

/// The element type a list field merges by, from the declaration's type.
fn list_key(evaluator: &Evaluator<'_>, ty: &Ty, field: &str) -> Option<Name> {
    let members: Vec<Ty> = match ty {
        Ty::Union(members) => members.to_vec(),
        Ty::Named(item) => match evaluator.type_def(*item).as_deref() {
            Some(TypeDef::Alias(_, Ty::Union(members))) => members.to_vec(),
            _ => vec![ty.clone()],
        },
        other => vec![other.clone()],
    };
    for member in members {
        if let Ty::Named(item) = member
            && let Some(TypeDef::Record(record)) = evaluator.type_def(item).as_deref()
            && let Some(Ty::List(_, Some(key))) = record.field(field).map(|field| &field.ty)
        {
            return Some(key.clone());
        }
    }
    None
}

fn cluster_of(declared: Declared) -> model::Cluster {
    let field = |name: &str| -> Name {
        declared
            .value
            .as_record()
            .and_then(|record| record.get(name))
            .and_then(|value| {
                value
                    .name()
                    .cloned()
                    .or_else(|| value.as_str().map(Name::from))
            })
            .unwrap_or_else(|| Name::from(""))
    };
    model::Cluster {
        cloud: field("cloud"),
        env: field("env"),
        region: field("region"),
        kubernetes: field("kubernetes"),
        declared,
    }
}

/// The clusters by each value of each field a selector can test, so that
/// evaluating a selector costs a few set operations rather than a pass over every
/// cluster. Lists of indices rather than sets: most values (names, above all)
/// belong to one cluster, and a set per name would cost clusters² bits.
pub struct SelectorIndex {
    clusters: usize,
    by_field: FxHashMap<(ClusterField, Name), Vec<u32>>,
    /// Selectors already evaluated, by their text: most apps of a fleet select
    /// the same way (`clusters where env in [dev, staging, production]`).
    selected: RefCell<FxHashMap<String, Vec<u64>>>,
}

impl SelectorIndex {
    fn new(model: &FleetModel) -> SelectorIndex {
        let clusters = model.clusters.len();
        let mut by_field: FxHashMap<(ClusterField, Name), Vec<u32>> = FxHashMap::default();
        by_field.reserve(clusters + 64);
        for (index, cluster) in model.clusters.iter().enumerate() {
            let index = index as u32;
            let mut add = |field: ClusterField, value: &Name| match by_field
                .get_mut(&(field.clone(), value.clone()))
            {
                Some(members) => members.push(index),
                None => {
                    by_field.insert((field, value.clone()), vec![index]);
                }
            };
            add(ClusterField::Name, &cluster.declared.name);
            add(ClusterField::Env, &cluster.env);
            add(ClusterField::Region, &cluster.region);
            add(ClusterField::Cloud, &cluster.cloud);
            add(ClusterField::Kubernetes, &cluster.kubernetes);
            if let Some(labels) = cluster
                .declared
                .value
                .as_record()
                .and_then(|record| record.get("labels"))
                .and_then(Value::as_record)
            {
                for label in &labels.fields {
                    if let Some(text) = label.value.as_str() {
                        add(ClusterField::Label(label.name.clone()), &Name::from(text));
                    }
                }
            }
        }
        SelectorIndex {
            clusters,
            by_field,
            selected: RefCell::default(),
        }
    }

    /// The clusters a selector selects.
    pub fn select(&self, selector: &Selector) -> ClusterSet {
        // The text shows every name and string the evaluation reads, so two
        // selectors with one text select the same clusters.
        let key = selector
            .predicate
            .as_ref()
            .map(crate::model_json::predicate_text)
            .unwrap_or_default();
        if let Some(words) = self.selected.borrow().get(&key) {
            return ClusterSet {
                words: words.clone(),
                predicate: None,
                span: None,
            };
        }
        let set = match &selector.predicate {
            Some(predicate) => self.evaluate(predicate),
            None => self.all(),
        };
        self.selected.borrow_mut().insert(key, set.words.clone());
        set
    }

    fn all(&self) -> ClusterSet {
        let mut set = ClusterSet::with_capacity(self.clusters);
        for index in 0..self.clusters {
            set.insert(index);
        }
        set
    }

    fn evaluate(&self, predicate: &Predicate) -> ClusterSet {
        match predicate {
            Predicate::Constant(true) => self.all(),
            Predicate::Constant(false) => ClusterSet::with_capacity(self.clusters),
            Predicate::Not(inner) => self.complement(&self.evaluate(inner)),
            Predicate::And(parts) => {
                let mut result = self.all();
                for part in parts {
                    let set = self.evaluate(part);
                    for (word, other) in result.words.iter_mut().zip(set.words) {
                        *word &= other;
                    }
                }
                result
            }
            Predicate::Or(parts) => {
                let mut result = ClusterSet::with_capacity(self.clusters);
                for part in parts {
                    let set = self.evaluate(part);
                    for (word, other) in result.words.iter_mut().zip(set.words) {
                        *word |= other;
                    }
                }
                result
            }
            Predicate::Compare {
                field, op, values, ..
            } => {
                let mut matched = ClusterSet::with_capacity(self.clusters);
                for value in values {
                    let Some(text) = value
                        .name()
                        .cloned()
                        .or_else(|| value.interpolated().map(Name::from))
                    else {
                        continue;
                    };
                    for &index in self
                        .by_field
                        .get(&(field.clone(), text))
                        .into_iter()
                        .flatten()
                    {
                        matched.insert(index as usize);
                    }
                }
                match op {
                    CompareOp::Equal | CompareOp::In => matched,
                    CompareOp::NotEqual | CompareOp::NotIn => self.complement(&matched),
                }
            }
        }
    }

    fn complement(&self, set: &ClusterSet) -> ClusterSet {
        let mut result = self.all();
        for (word, other) in result.words.iter_mut().zip(&set.words) {
            *word &= !other;
        }
        result
    }
}
