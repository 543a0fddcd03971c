//! Declarations to the fleet model. Each declaration's body is evaluated, merged
//! over its template, checked against its type and completed; overlays become
//! layers of their app; selectors become sets once every cluster is known.

use super::chunks::{chunks_of, evaluate_chunk, file_instances};
use super::scope::Scope;
use super::value::{ClusterField, CompareOp, Predicate, Record, Selector, Value, ValueKind};
use super::{Evaluator, SharedCheck};
use crate::db::{Db, Origin, SourceFile, Workspace};
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

/// The fleet of a workspace, evaluated: each file's declarations (its own
/// query, `evaluate_file`), then what needs them all: selectors become sets of
/// clusters, overlays layers of their apps, and the fleet-wide checks run.
#[salsa::tracked(returns(clone), no_eq)]
pub fn evaluate(db: &dyn Db, workspace: Workspace) -> Arc<Evaluation> {
    let evaluator = Evaluator::new(db, workspace);
    let mut diagnostics = Vec::new();
    let model = evaluator.fleet_model(&mut diagnostics);
    diagnostics.extend(evaluator.take_diagnostics());
    Arc::new(Evaluation { model, diagnostics })
}

/// The declarations of one file, each evaluated, checked against its type and
/// completed: everything that does not need the other files' declarations. An
/// edit inside one file's declarations re-runs this for that file only.
///
/// The declarations are evaluated `CHUNK` at a time, each run its own query
/// (`evaluate_chunk`, see `chunks.rs`), so that `evaluate_in_parallel` can
/// evaluate a large file's on every core first; this query then finds them
/// done and keeps them as they are (see `FileEvaluation::pieces`). Overlays of
/// apps of another chunk are layered here.
#[salsa::tracked(returns(clone), no_eq)]
pub fn evaluate_file(db: &dyn Db, workspace: Workspace, file: SourceFile) -> Arc<FileEvaluation> {
    let instances = file_instances(db, workspace, file);
    let mut evaluation = FileEvaluation {
        declares_something: instances
            .instances
            .iter()
            .any(|instance| instance.kind != ItemKind::Import),
        instances: Some(instances.clone()),
        ..FileEvaluation::default()
    };
    let mut reported = instances.reported.clone();
    let chunks: Vec<_> = (0..chunks_of(&instances))
        .map(|chunk| evaluate_chunk(db, workspace, file, chunk))
        .collect();
    // Overlays of apps of another chunk (or file).
    let mut pending = Vec::new();
    for chunk in &chunks {
        pending.extend(
            chunk
                .declarations
                .overlays
                .iter()
                .map(|(_, instance)| instance.clone()),
        );
        reported.extend(chunk.reported.iter().cloned());
        evaluation.clusters_dropped |= chunk.declarations.clusters_dropped;
    }
    let evaluator = Evaluator::new(db, workspace);
    let apps = chunks
        .iter()
        .flat_map(|chunk| &chunk.declarations.apps)
        .map(|declared| (&declared.name, declared))
        .collect();
    let (layers, overlays) = evaluator.layer_overlays(&apps, &pending);
    evaluation.layers = layers;
    evaluation.overlays = overlays;
    reported.extend(evaluator.take_reported());
    evaluation.diagnostics = super::merge_iterations(reported);
    evaluation.chunks = chunks;
    Arc::new(evaluation)
}

/// What `evaluate_file` finds in a file, in source order per kind.
#[derive(Default)]
pub struct FileEvaluation {
    pub fleets: Vec<Declared>,
    pub envs: Vec<Declared>,
    pub teams: Vec<Declared>,
    pub clusters: Vec<model::Cluster>,
    pub apps: Vec<Declared>,
    pub promotions: Vec<Declared>,
    pub policies: Vec<Declared>,
    pub manifests: Vec<Declared>,
    /// The layers of overlays for apps of this file, by app.
    pub layers: Vec<(Name, Layer)>,
    /// Overlays for apps of other files, by app: evaluated against the app's
    /// value once every app is known. (A chunk's: for apps of other chunks.)
    pub overlays: PendingOverlays,
    /// A cluster failed to evaluate (and is missing).
    pub clusters_dropped: bool,
    /// The file declares something besides imports (so the fleet needs a `fleet`).
    pub declares_something: bool,
    /// The file's declarations (the chunks' own have none): what each one a
    /// `for` made is called in diagnostics (`r = eu-west-1`).
    pub instances: Option<Arc<super::chunks::FileInstances>>,
    /// A file's chunks, which hold its declarations (the file's own lists
    /// hold the layers of overlays of apps of another chunk): kept, not
    /// copied into one list, which took a millisecond per ten thousand
    /// clusters, on one core, before the model copies them once more.
    pub chunks: Vec<Arc<super::chunks::ChunkEvaluation>>,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileEvaluation {
    /// The evaluations that hold a file's declarations and layers, in source
    /// order: its chunks', then its own.
    pub fn pieces(&self) -> impl Iterator<Item = &FileEvaluation> {
        self.chunks
            .iter()
            .map(|chunk| &chunk.declarations)
            .chain(std::iter::once(self))
    }
}

/// Overlays for apps evaluated elsewhere, by app.
type PendingOverlays = Vec<(Name, Instance)>;

/// One declaration of the fleet: a plain item, or one iteration of a `for`.
#[derive(Clone)]
pub struct Instance {
    pub item: ItemId,
    pub kind: ItemKind,
    pub scope: Scope,
}

impl<'db> Evaluator<'db> {
    /// Every declaration of a file of the fleet (not the stdlib's), `for`s
    /// expanded.
    pub fn instances(&self, file: SourceFile) -> Vec<Instance> {
        let mut out = Vec::new();
        {
            if file.origin(self.db) != Origin::Fleet {
                return out;
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
                    // Read once: a read of an input is recorded as a dependency
                    // of the query each time (a `for` of ten thousand).
                    let file_id = file.id(self.db);
                    self.for_each_generated(
                        file,
                        local,
                        &scope,
                        &mut |declaration, scope, iteration| {
                            let kind = items.items[declaration as usize].kind;
                            let item = ItemId {
                                file,
                                file_id,
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

    /// Evaluates `instances` (a file's, or a chunk of them; overlays are left
    /// to `overlay_layers`).
    pub fn declare_instances(&self, instances: &[Instance]) -> FileEvaluation {
        let mut part = FileEvaluation::default();
        for instance in instances {
            match instance.kind {
                // Reported by resolution (E0209): a `for` cannot declare the fleet.
                ItemKind::Fleet if instance.item.iteration > 0 => {}
                ItemKind::Fleet => part.fleets.extend(self.declare(instance, "Fleet")),
                ItemKind::Env => part.envs.extend(self.declare(instance, "Env")),
                ItemKind::Team => part.teams.extend(self.declare(instance, "Team")),
                ItemKind::Cluster => match self.declare(instance, "Cluster") {
                    Some(declared) => part.clusters.push(cluster_of(declared)),
                    // Reported; what selects it would be reported again as empty.
                    None => part.clusters_dropped = true,
                },
                ItemKind::App => part.apps.extend(self.declare(instance, "App")),
                ItemKind::Overlay => {}
                ItemKind::Promotion => part.promotions.extend(self.declare(instance, "Promotion")),
                ItemKind::Policy => part.policies.extend(self.declare(instance, "Policy")),
                ItemKind::Manifest => part.manifests.extend(self.declare(instance, "Manifest")),
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
        part
    }

    /// Adds the layers `overlays` make to `part`: an overlay is checked against
    /// its app's value, now when the app is in `part` (usual), else later
    /// (added to `part.overlays`): by `evaluate_file` for an app of another
    /// chunk of the file, once every file is evaluated for one of another file.
    pub fn overlay_layers(&self, part: &mut FileEvaluation, overlays: &[Instance]) {
        let apps = part
            .apps
            .iter()
            .map(|declared| (&declared.name, declared))
            .collect();
        let (layers, other) = self.layer_overlays(&apps, overlays);
        part.layers.extend(layers);
        part.overlays.extend(other);
    }

    /// The layers of `overlays` of `apps`, and the overlays of other apps.
    fn layer_overlays(
        &self,
        apps: &FxHashMap<&Name, &Declared>,
        overlays: &[Instance],
    ) -> (Vec<(Name, Layer)>, PendingOverlays) {
        let (mut layers, mut other) = (Vec::new(), Vec::new());
        for instance in overlays {
            let Some(app) = self.overlay_target(instance) else {
                continue;
            };
            match apps.get(&app) {
                Some(declared) => {
                    let value = declared.value.as_record().cloned();
                    if let Some(layer) = self.overlay_layer(instance, value.as_deref()) {
                        layers.push((app, layer));
                    }
                }
                None => other.push((app, instance.clone())),
            }
        }
        (layers, other)
    }

    /// The fleet's model from its files' evaluations (`evaluate_file`, whose
    /// diagnostics go to `diagnostics`), with what needs the whole fleet: one
    /// `fleet`, names declared twice, targets as sets of clusters, overlays as
    /// layers, and the fleet-wide checks.
    pub fn fleet_model(&self, diagnostics: &mut Vec<Diagnostic>) -> FleetModel {
        let parts: Vec<Arc<FileEvaluation>> = self
            .workspace
            .files(self.db)
            .iter()
            .filter(|file| file.origin(self.db) == Origin::Fleet)
            .map(|file| evaluate_file(self.db, self.workspace, *file))
            .collect();
        self.check_duplicates(&parts);
        let mut model = FleetModel::default();
        let pieces = || parts.iter().flat_map(|part| part.pieces());
        model
            .clusters
            .reserve(pieces().map(|piece| piece.clusters.len()).sum());
        let mut apps = Vec::with_capacity(pieces().map(|piece| piece.apps.len()).sum());
        let mut policies = Vec::new();
        let mut manifests = Vec::new();
        for part in &parts {
            diagnostics.extend(part.diagnostics.iter().cloned());
            if part.clusters_dropped {
                self.clusters_dropped.set(true);
            }
        }
        for piece in pieces() {
            for declared in &piece.fleets {
                match &model.fleet {
                    Some(first) => self.report(
                        Diagnostic::new(code::E0210, "a fleet has one `fleet` declaration")
                            .with_primary(declared.span, "a second `fleet`")
                            .with_secondary(first.span, "the first"),
                    ),
                    None => model.fleet = Some(declared.clone()),
                }
            }
            model.envs.extend(piece.envs.iter().cloned());
            model.teams.extend(piece.teams.iter().cloned());
            model.clusters.extend(piece.clusters.iter().cloned());
            model.promotions.extend(piece.promotions.iter().cloned());
            apps.extend(piece.apps.iter().cloned());
            policies.extend(piece.policies.iter().cloned());
            manifests.extend(piece.manifests.iter().cloned());
        }
        if model.fleet.is_none() && parts.iter().any(|part| part.declares_something) {
            self.report(
                Diagnostic::new(code::E0210, "the fleet has no `fleet` declaration")
                    .with_help("declare the fleet's settings once: `fleet acme { repo = \"https://github.com/acme/gitops\" }`"),
            );
        }
        let index = self
            .selector_index
            .get_or_init(|| SelectorIndex::new(&model));
        model.apps.reserve(apps.len());
        for declared in apps {
            let targets = self.targets_of(&declared.value, index);
            model.apps.push(model::App {
                declared,
                targets,
                layers: Vec::new(),
            });
        }
        for declared in policies {
            let targets = self.targets_of(&declared.value, index);
            model.policies.push(model::Policy { declared, targets });
        }
        for declared in manifests {
            let targets = self.targets_of(&declared.value, index);
            model.manifests.push(model::Manifest { declared, targets });
        }
        let app_positions: FxHashMap<Name, usize> = model
            .apps
            .iter()
            .enumerate()
            .map(|(position, app)| (app.declared.name.clone(), position))
            .collect();
        for part in &parts {
            for (app, layer) in part.pieces().flat_map(|piece| &piece.layers) {
                if let Some(&position) = app_positions.get(app) {
                    model.apps[position].layers.push(layer.clone());
                }
            }
            // Only the file's own, for apps of other files: its chunks' were
            // layered by `evaluate_file` (or passed on to these).
            for (app, instance) in &part.overlays {
                // An app that failed is not in the model; its overlays are still
                // checked.
                let position = app_positions.get(app).copied();
                let value = position
                    .and_then(|position| model.apps[position].declared.value.as_record().cloned());
                let layer = self.overlay_layer(instance, value.as_deref());
                if let (Some(position), Some(layer)) = (position, layer) {
                    model.apps[position].layers.push(layer);
                }
            }
        }
        // Most specific last; overlays of one precedence in source order.
        for app in &mut model.apps {
            app.layers
                .sort_by_key(|layer| (layer.key.precedence(), layer.item.sort_key()));
        }
        crate::checks::run(self, &model);
        model
    }

    /// Evaluates a declaration of a kind whose default type is `type_name`. What
    /// is reported about a declaration a `for` generated names the iteration
    /// (decision 005), unless it is true of every iteration.
    fn declare(&self, instance: &Instance, type_name: &str) -> Option<Declared> {
        let Some(iteration) = instance.scope.iteration() else {
            return self.declare_in_scope(instance, type_name, None);
        };
        let before = self.diagnostics.borrow().len();
        let declared = self.declare_in_scope(instance, type_name, Some(iteration.clone()));
        let after = self.diagnostics.borrow().len();
        let every_iteration = self.loop_invariant_diagnostics.borrow();
        let mut iterations = self.diagnostic_iterations.borrow_mut();
        let mut described = None;
        for position in (before..after).filter(|position| !every_iteration.contains(position)) {
            let text = described.get_or_insert_with(|| iteration.describe());
            iterations.insert(position, text.clone());
        }
        declared
    }

    fn declare_in_scope(
        &self,
        instance: &Instance,
        type_name: &str,
        iteration: Option<super::scope::Iteration>,
    ) -> Option<Declared> {
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
        // Without a template, the body as evaluated: in a loop, iterations with
        // the same key share it (see `loop_memo.rs`), and so its check.
        let raw = self.declaration_body(node, scope);
        let record = match &base {
            Some(base) => Arc::new(self.merge(base, &raw, &|field| list_key(self, &ty, field))),
            None => raw,
        };
        let value = Value::new(ValueKind::Record(record), span);
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
            iteration,
        })
    }

    /// The record a declaration's (or an overlay's) body sets. In a loop it is
    /// evaluated as an expression, so that it is compiled after the first
    /// iteration (see `compiled.rs`), and kept as evaluated: a body that does
    /// not depend on the loop (`overlay "app-${j}" @ dev { replicas = 1 }`), or
    /// one whose key an earlier iteration had (`loop_memo.rs`), is one value
    /// shared by those iterations, checked once (see `shared_check`).
    fn declaration_body(&self, node: SyntaxNode<'_>, scope: &Scope) -> Arc<Record> {
        match node.child_of_kind(BODY) {
            Some(body) if scope.has_bindings() => match self.eval(Some(body), scope).kind {
                ValueKind::Record(record) => record,
                _ => Arc::default(),
            },
            Some(body) => Arc::new(self.body(body, scope)),
            None => Arc::default(),
        }
    }

    /// A declaration's record checked against its type and completed. The
    /// declarations a `for` makes often differ only in their names: a record equal
    /// to one checked before (the same fields set by the same expressions, spans
    /// included) gives the same result, remembered unless checking it reported
    /// something.
    fn checked_declaration(&self, value: Value, ty: &Ty, module: &Arc<str>) -> Value {
        // A body iterations share (see `loop_memo.rs`): found by its address.
        self.shared_check(SharedCheck::Declaration, value, ty, module, |value| {
            self.checked_by_contents(value, ty, module)
        })
    }

    fn checked_by_contents(&self, value: Value, ty: &Ty, module: &Arc<str>) -> Value {
        let key = (value, ty.clone(), module.clone());
        // Records are hashed once, by hand, by their contents only (the
        // iterations of one declaration share their spans and field names):
        // hashing a whole declaration costs about as much as comparing it, and
        // a map would hash it again to insert.
        let hash = {
            use std::hash::{Hash, Hasher};
            let mut hasher = rustc_hash::FxHasher::default();
            key.0.hash_contents(&mut hasher);
            key.1.hash(&mut hasher);
            key.2.hash(&mut hasher);
            hasher.finish()
        };
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
        let names = self
            .expanded_names
            .get_or_init(|| crate::names::expand::generated_names(self.db, self.workspace));
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
    /// The app an overlay is for (an unknown one is reported).
    fn overlay_target(&self, instance: &Instance) -> Option<Name> {
        let node = self.item_node(instance.item);
        let target = node
            .children()
            .find(|child| matches!(child.kind(), NAME_REF | STRING))?;
        let app_name = self.eval(Some(target), &instance.scope);
        let app_ref = self.conform(app_name, &Ty::Decl(Namespace::App), &instance.scope.module);
        app_ref.name().cloned()
    }

    /// An overlay as a layer of its app, whose value is `app` (when it evaluated).
    fn overlay_layer(&self, instance: &Instance, app: Option<&Record>) -> Option<Layer> {
        let node = self.item_node(instance.item);
        let scope = &instance.scope;
        let span = scope.span(node.range());
        let key = self.layer_key(node, scope)?;
        let app_type = declaration_type(self, "App");
        let raw = self.declaration_body(node, scope);
        // `workload.liveness.period = 30s` changes the app's `http_get(...)`: the
        // overlay's partial record is of the constructor the app's value has.
        let raw = match app {
            Some(app) if changes_constructed(&raw, app) => Arc::new(adopt_constructors(&raw, app)),
            _ => raw,
        };
        let value = self.conform(
            Value::new(ValueKind::Record(raw), span),
            &app_type,
            &scope.module,
        );
        Some(Layer {
            key,
            value,
            item: instance.item,
            span,
        })
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
    fn check_duplicates(&self, parts: &[Arc<FileEvaluation>]) {
        let mut seen: Vec<(Namespace, &Name, &Vec<ItemId>)> = self
            .index
            .modules
            .iter()
            .filter(|(module, _)| !module.starts_with("std"))
            .flat_map(|(_, scope)| scope.entries())
            .filter(|(_, _, items)| items.len() > 1)
            .collect();
        if seen.is_empty() {
            return;
        }
        seen.sort_by_key(|(_, _, items)| items.iter().map(ItemId::sort_key).min());
        // What each iteration is called, looked up only when a name is
        // declared twice (tens of thousands of entries in a large fleet).
        let iterations: FxHashMap<ItemId, super::scope::Iteration> = parts
            .iter()
            .filter_map(|part| part.instances.as_ref())
            .flat_map(|instances| &instances.instances)
            .filter_map(|instance| Some((instance.item, instance.scope.iteration()?)))
            .collect();
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
    pub fn clusters_selected(&self, selector: &Arc<Selector>) -> Option<ClusterSet> {
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

/// Whether an overlay's partial record changes inside a record of the value
/// below it (what `adopt_constructors` is for).
fn changes_constructed(overlay: &Record, below: &Record) -> bool {
    overlay.fields.iter().any(|field| {
        matches!(
            (
                &field.value.kind,
                below.get(&field.name).map(|value| &value.kind)
            ),
            (ValueKind::Record(_), Some(ValueKind::Record(_)))
        )
    })
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
    /// The clusters' names, by position: each names one cluster, so comparing
    /// names (rare in selectors) scans them rather than indexing ten thousand
    /// one-element lists.
    names: Vec<Name>,
    /// The clusters with each value of each field, by field then value (looked
    /// up by the value's text, without making a key).
    by_field: FxHashMap<ClusterField, FxHashMap<Name, Vec<u32>>>,
    /// Selectors already evaluated, by their text: most apps of a fleet select
    /// the same way (`clusters where env in [dev, staging, production]`).
    selected: RefCell<FxHashMap<String, Vec<u64>>>,
    /// Selectors already evaluated, by their address (see `select`).
    selected_by_address: RefCell<FxHashMap<usize, SelectedByAddress>>,
}

/// A selector (kept alive, so that its address stays its own) and the
/// clusters it selects.
type SelectedByAddress = (Arc<Selector>, Vec<u64>);

impl SelectorIndex {
    fn new(model: &FleetModel) -> SelectorIndex {
        let clusters = model.clusters.len();
        // The four fields every cluster has, each in a map of its own while
        // the index is built (one lookup a value, not two), then the labels.
        type Members = FxHashMap<Name, Vec<u32>>;
        let mut fixed: [(ClusterField, Members); 4] = [
            (ClusterField::Env, Members::default()),
            (ClusterField::Region, Members::default()),
            (ClusterField::Cloud, Members::default()),
            (ClusterField::Kubernetes, Members::default()),
        ];
        let mut labels: FxHashMap<ClusterField, Members> = FxHashMap::default();
        let add = |members: &mut Members, value: &Name, index: u32| match members.get_mut(&**value)
        {
            Some(members) => members.push(index),
            None => {
                members.insert(value.clone(), vec![index]);
            }
        };
        for (index, cluster) in model.clusters.iter().enumerate() {
            let index = index as u32;
            let [env, region, cloud, kubernetes] = &mut fixed;
            add(&mut env.1, &cluster.env, index);
            add(&mut region.1, &cluster.region, index);
            add(&mut cloud.1, &cluster.cloud, index);
            add(&mut kubernetes.1, &cluster.kubernetes, index);
            if let Some(declared) = cluster
                .declared
                .value
                .as_record()
                .and_then(|record| record.get("labels"))
                .and_then(Value::as_record)
            {
                for label in &declared.fields {
                    if let Some(text) = label.value.as_str() {
                        let members = labels
                            .entry(ClusterField::Label(label.name.clone()))
                            .or_default();
                        add(members, &Name::from(text), index);
                    }
                }
            }
        }
        let mut by_field = labels;
        by_field.extend(fixed);
        SelectorIndex {
            clusters,
            names: model
                .clusters
                .iter()
                .map(|cluster| cluster.declared.name.clone())
                .collect(),
            by_field,
            selected: RefCell::default(),
            selected_by_address: RefCell::default(),
        }
    }

    /// The clusters a selector selects.
    pub fn select(&self, selector: &Arc<Selector>) -> ClusterSet {
        // The selector of a declaration a `for` repeats is one value, shared
        // by every iteration: found by its address (kept alive here, so the
        // address is not another's) before its text is made.
        let address = Arc::as_ptr(selector) as usize;
        let known = self
            .selected_by_address
            .borrow()
            .get(&address)
            .map(|(_, words)| words.clone());
        let words = known.unwrap_or_else(|| {
            let words = self.select_by_text(selector);
            self.selected_by_address
                .borrow_mut()
                .insert(address, (selector.clone(), words.clone()));
            words
        });
        ClusterSet {
            words,
            predicate: None,
            span: None,
        }
    }

    /// The clusters a selector selects, remembered by its text: the text shows
    /// every name and string the evaluation reads, so two selectors with one
    /// text select the same clusters.
    fn select_by_text(&self, selector: &Selector) -> Vec<u64> {
        let key = selector
            .predicate
            .as_ref()
            .map(crate::model_json::predicate_text)
            .unwrap_or_default();
        if let Some(words) = self.selected.borrow().get(&key) {
            return words.clone();
        }
        let set = match &selector.predicate {
            Some(predicate) => self.evaluate(predicate),
            None => self.all(),
        };
        self.selected.borrow_mut().insert(key, set.words.clone());
        set.words
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
                    if *field == ClusterField::Name {
                        for (index, name) in self.names.iter().enumerate() {
                            if *name == text {
                                matched.insert(index);
                            }
                        }
                        continue;
                    }
                    for &index in self
                        .by_field
                        .get(field)
                        .and_then(|values| values.get(&*text))
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
