//! Evaluation: from the declarations of a workspace to the fleet model. The
//! `Evaluator` holds what one evaluation shares: the name index, memoized `let`s,
//! templates and lowered types, and the diagnostics found on the way.
//!
//! Values are computed without types first (`expr.rs`, `records.rs`), then checked
//! and given their meaning by the type that expects them (`conform.rs`): a bare
//! name becomes an enum variant or a reference, `30s` a duration.

pub mod chunks;
mod compiled;
pub mod conform;
pub mod declarations;
pub mod expr;
mod loop_memo;
pub mod records;
pub mod scope;
pub mod value;

use crate::db::{Db, SourceFile, Workspace};
use crate::diagnostics::{Code, Diagnostic, Span, code};
use crate::names::index::{ItemId, NameIndex, item_node, name_index};
use crate::names::items::{ImportTarget, file_items};
use crate::names::modules::resolve_import;
use crate::names::{Name, Namespace};
use crate::source::FileId;
use crate::types::TypeDef;
use rustc_hash::FxHashMap;
use scope::Scope;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use value::{Value, ValueKind};

enum Memo {
    InProgress,
    Done(Value),
}

pub struct Evaluator<'db> {
    pub db: &'db dyn Db,
    pub workspace: Workspace,
    pub index: Arc<NameIndex>,
    lets: RefCell<FxHashMap<ItemId, Memo>>,
    /// Lowered types, by declaration: behind an `Rc`, as the evaluator is its
    /// thread's own (one is looked up at every check of a named type, and an
    /// `Arc`'s atomic count was a tenth of the lookup).
    types: RefCell<FxHashMap<ItemId, Option<Rc<TypeDef>>>>,
    templates: RefCell<FxHashMap<ItemId, Option<Template>>>,
    /// The type annotations (`: Cluster`, `: eks`) of declarations in loops, by
    /// (file, node): see `annotation`.
    annotations: RefCell<FxHashMap<(FileId, u32), Annotation>>,
    defaults: RefCell<FxHashMap<(ItemId, Name), Option<Value>>>,
    attributes: RefCell<FxHashMap<(ItemId, Name), Option<Attributes>>>,
    /// Expressions evaluated inside loops, by (file, node): the value when the
    /// expression does not depend on the loop's variables, else its compiled
    /// form (see `compiled.rs`).
    invariants: RefCell<FxHashMap<(FileId, u32), LoopValue>>,
    /// The bodies of declarations in loops, by (file, node) then by the values
    /// they read the loop through: see `loop_memo.rs`.
    body_memos: RefCell<FxHashMap<(FileId, u32), loop_memo::BodyMemo>>,
    /// See `file_scope`.
    file_scopes: RefCell<FxHashMap<SourceFile, scope::Scope>>,
    /// The names `for`s generate, by item, from the name index (see
    /// `expanded_name`).
    expanded_names: std::cell::OnceCell<Arc<FxHashMap<ItemId, Name>>>,
    /// Names that read a `let` although a declaration has the same name, by the
    /// span of the name: a field whose type expects that kind of declaration
    /// takes the declaration instead (decision 004).
    let_names: RefCell<FxHashMap<Span, Name>>,
    /// Every field name and bare name read so far, shared: a body in a loop of
    /// ten thousand iterations names the same fields ten thousand times.
    names: RefCell<rustc_hash::FxHashSet<Name>>,
    /// The syntax node of each item met, by (file, item): every iteration of a
    /// `for` shares its declarations' nodes, and finding one goes through the
    /// database.
    item_nodes: RefCell<
        FxHashMap<(FileId, crate::names::items::LocalItem), crate::syntax::SyntaxNode<'db>>,
    >,
    /// The key paths of fields written with plain keys in loops, by (file, path
    /// node): see `key_path`.
    key_paths: RefCell<FxHashMap<(FileId, u32), records::RememberedKeys>>,
    /// Bare names found declared, by module: `report_if_undeclared` meets the
    /// same few (`dev`, `production`) in every iteration of a loop.
    declared_symbols: RefCell<FxHashMap<Arc<str>, rustc_hash::FxHashSet<Name>>>,
    /// The records and lists the iterations of a loop share, by address: the
    /// values of loop-invariant expressions (kept in `invariants`) and what
    /// checking those gave (kept in `shared_checks`). Both maps keep the values
    /// alive to the end of the evaluation, so an address names one value.
    shared_values: RefCell<rustc_hash::FxHashSet<usize>>,
    /// What `conform` and `complete` made of a shared value (by its address and
    /// span), per type and module: see `shared_check`.
    shared_checks: RefCell<FxHashMap<(usize, Span, SharedCheck), Vec<SharedCheckResult>>>,
    /// The model's clusters by the values selectors test, once they are gathered.
    selector_index: std::cell::OnceCell<declarations::SelectorIndex>,
    /// Declarations checked and completed, by the hash of (record, type, module)
    /// then by the key itself: see `checked_declaration`.
    checked_declarations: RefCell<FxHashMap<u64, Vec<(CheckedKey, Value)>>>,
    /// How deep definitions are being followed now (a `let` naming a `let`, a
    /// template built on a template, a type through its aliases), and whether
    /// going too deep was reported: see `nested`.
    depth: std::cell::Cell<u32>,
    too_deep: std::cell::Cell<bool>,
    /// The templates being evaluated, innermost last, to find cycles.
    template_stack: RefCell<Vec<ItemId>>,
    /// Whether a cluster failed to evaluate (and is missing from the model).
    pub clusters_dropped: std::cell::Cell<bool>,
    diagnostics: RefCell<Vec<Diagnostic>>,
    /// The positions in `diagnostics` of those reported by an expression that
    /// does not depend on its loop's variables: true of every iteration.
    loop_invariant_diagnostics: RefCell<rustc_hash::FxHashSet<usize>>,
    /// The iteration of a `for` each diagnostic (by position) was found in.
    diagnostic_iterations: RefCell<FxHashMap<usize, Arc<str>>>,
}

/// What evaluating an expression inside a loop found (see `invariants`).
#[derive(Clone)]
enum LoopValue {
    /// The expression does not depend on the loop's variables: its value.
    Invariant(Value),
    /// It does: compiled the second time it is met.
    Dependent(Option<std::rc::Rc<compiled::Compiled>>),
}

impl<'db> Evaluator<'db> {
    pub fn new(db: &'db dyn Db, workspace: Workspace) -> Evaluator<'db> {
        Evaluator::with_index(db, workspace, name_index(db, workspace))
    }

    /// An evaluator that sees the names of `index` (expansion uses one without the
    /// names `for`s generate).
    pub fn with_index(
        db: &'db dyn Db,
        workspace: Workspace,
        index: Arc<NameIndex>,
    ) -> Evaluator<'db> {
        Evaluator {
            db,
            workspace,
            index,
            lets: RefCell::default(),
            types: RefCell::default(),
            templates: RefCell::default(),
            annotations: RefCell::default(),
            defaults: RefCell::default(),
            attributes: RefCell::default(),
            invariants: RefCell::default(),
            body_memos: RefCell::default(),
            file_scopes: RefCell::default(),
            expanded_names: std::cell::OnceCell::new(),
            template_stack: RefCell::default(),
            depth: std::cell::Cell::new(0),
            too_deep: std::cell::Cell::new(false),
            checked_declarations: RefCell::default(),
            selector_index: std::cell::OnceCell::new(),
            shared_values: RefCell::default(),
            shared_checks: RefCell::default(),
            names: RefCell::default(),
            item_nodes: RefCell::default(),
            key_paths: RefCell::default(),
            declared_symbols: RefCell::default(),
            let_names: RefCell::default(),
            clusters_dropped: std::cell::Cell::new(false),
            diagnostics: RefCell::default(),
            loop_invariant_diagnostics: RefCell::default(),
            diagnostic_iterations: RefCell::default(),
        }
    }

    /// Runs `work` one level deeper into definitions, or, past `MAX_DEPTH`
    /// levels, reports E0211 once and gives `fallback`. A fleet never needs such
    /// depth; without the limit a long enough chain (`let a0 = a1`, `let a1 =
    /// a2`, ...) would overflow the stack.
    pub fn nested<T>(
        &self,
        span: Span,
        fallback: impl FnOnce() -> T,
        work: impl FnOnce() -> T,
    ) -> T {
        if self.depth.get() >= MAX_DEPTH {
            if !self.too_deep.replace(true) {
                self.report(
                    Diagnostic::new(code::E0211, format!("definitions nest more than {MAX_DEPTH} deep"))
                        .with_primary(span, "reached here")
                        .with_note("a `let` that names a `let`, a template built on a template or a type defined by a type counts one level")
                        .with_help("shorten the chain: refer to the value, template or type itself"),
                );
            }
            return fallback();
        }
        self.depth.set(self.depth.get() + 1);
        let result = work();
        self.depth.set(self.depth.get() - 1);
        result
    }

    /// The syntax node of an item (of any iteration: they share their syntax).
    pub fn item_node(&self, item: ItemId) -> crate::syntax::SyntaxNode<'db> {
        let key = (item.file_id, item.local);
        if let Some(node) = self.item_nodes.borrow().get(&key) {
            return *node;
        }
        let node = item_node(self.db, item);
        self.item_nodes.borrow_mut().insert(key, node);
        node
    }

    /// Marks a value the iterations of a loop share (see `shared_values`); the
    /// caller keeps it alive to the end of the evaluation.
    pub(crate) fn share(&self, value: &Value) {
        if let Some(address) = shared_address(value) {
            self.shared_values.borrow_mut().insert(address);
        }
    }

    /// `check` (`conform` or `complete`) of `value` against `ty` in `module`,
    /// done once for a value the iterations of a loop share: `requests = { cpu =
    /// 100m }` or `liveness = http_get("/healthz")` in a body in a loop is the
    /// same record in every iteration, and so is what checking it gives. What reported something is
    /// checked again, so that each iteration reports it as before.
    pub(crate) fn shared_check(
        &self,
        step: SharedCheck,
        value: Value,
        ty: &crate::types::Ty,
        module: &str,
        check: impl FnOnce(Value) -> Value,
    ) -> Value {
        let Some(address) =
            shared_address(&value).filter(|address| self.shared_values.borrow().contains(address))
        else {
            return check(value);
        };
        let key = (address, value.span, step);
        if let Some(known) = self.shared_checks.borrow().get(&key).and_then(|results| {
            results
                .iter()
                .find(|result| result.ty == *ty && *result.module == *module)
                .map(|result| result.value.clone())
        }) {
            return known;
        }
        let before = self.diagnostics.borrow().len();
        let checked = check(value);
        if self.diagnostics.borrow().len() == before {
            self.share(&checked);
            self.shared_checks
                .borrow_mut()
                .entry(key)
                .or_default()
                .push(SharedCheckResult {
                    ty: ty.clone(),
                    module: Arc::from(module),
                    value: checked.clone(),
                });
        }
        checked
    }

    /// `text` as a `Name`, shared with every other use of the same text.
    pub fn name(&self, text: &str) -> Name {
        if let Some(name) = self.names.borrow().get(text) {
            return name.clone();
        }
        let name = Name::from(text);
        self.names.borrow_mut().insert(name.clone());
        name
    }

    pub fn report(&self, diagnostic: Diagnostic) {
        self.diagnostics.borrow_mut().push(diagnostic);
    }

    /// Everything reported, once each: the same problem found in several
    /// iterations of a `for` is one diagnostic that names them.
    pub fn take_diagnostics(&self) -> Vec<Diagnostic> {
        merge_iterations(self.take_reported())
    }

    /// Everything reported, as reported: each diagnostic with the iteration of
    /// a `for` it was found in (none for one true of every iteration). What
    /// evaluations of parts of a file give, merged once for the file.
    pub fn take_reported(&self) -> Vec<Reported> {
        self.loop_invariant_diagnostics.borrow_mut().clear();
        let mut iterations = std::mem::take(&mut *self.diagnostic_iterations.borrow_mut());
        let reported = std::mem::take(&mut *self.diagnostics.borrow_mut());
        reported
            .into_iter()
            .enumerate()
            .map(|(position, diagnostic)| (diagnostic, iterations.remove(&position)))
            .collect()
    }

    /// A scope at the top of a file.
    /// The scope of `file`'s top level. Kept per file: each read of an
    /// input is recorded as a dependency of the query (a record type's
    /// `require`s are evaluated in its file's scope for every record checked).
    pub fn file_scope(&self, file: SourceFile) -> Scope {
        if let Some(scope) = self.file_scopes.borrow().get(&file) {
            return scope.clone();
        }
        let scope = Scope::new(file, file.id(self.db), file.module(self.db).clone());
        self.file_scopes.borrow_mut().insert(file, scope.clone());
        scope
    }

    /// The value of the `let` called `name`, as seen from `module`.
    pub fn let_value(&self, module: &str, name: &str) -> Option<Value> {
        let item = *self.index.lookup(module, Namespace::Value, name).first()?;
        Some(self.let_item(item))
    }

    pub fn let_item(&self, item: ItemId) -> Value {
        if let Some(Memo::Done(value)) = self.lets.borrow().get(&item) {
            return value.clone();
        }
        let node = self.item_node(item);
        let scope = self.file_scope(item.file);
        let span = scope.span(node.range());
        match self.lets.borrow().get(&item) {
            Some(Memo::Done(value)) => return value.clone(),
            Some(Memo::InProgress) => {
                self.report(
                    Diagnostic::new(code::E0211, "this `let` depends on itself")
                        .with_primary(span, "its value needs its own value")
                        .with_help("break the cycle: one of the `let`s in it must not refer back"),
                );
                return Value::error(span);
            }
            None => {}
        }
        self.lets.borrow_mut().insert(item, Memo::InProgress);
        let expression = node.children().rfind(|child| {
            !matches!(
                child.kind(),
                crate::syntax::SyntaxKind::NAME | crate::syntax::SyntaxKind::TYPE_ANNOTATION
            )
        });
        let value = self.nested(
            span,
            || Value::error(span),
            || self.eval(expression, &scope),
        );
        let value = match node.child_of_kind(crate::syntax::SyntaxKind::TYPE_ANNOTATION) {
            // `let replicas: Int = ...`: the value is checked like a field's.
            Some(annotation) => match annotation.children().next() {
                Some(type_node) => {
                    let ty = crate::types::lower::lower_ty(self, type_node, &scope);
                    let conformed = self.conform(value, &ty, &scope.module);
                    self.complete(conformed, &ty, &scope.module)
                }
                None => value,
            },
            None => {
                self.check_unambiguous(&value, &scope.module);
                value
            }
        };
        self.lets
            .borrow_mut()
            .insert(item, Memo::Done(value.clone()));
        value
    }

    /// E0202 for a bare name, in a `let` without a type, that several kinds of
    /// declaration share: no type says which one it means (decision 004). E0200
    /// for one that nothing declares.
    pub fn check_unambiguous(&self, value: &Value, module: &str) {
        let name = match &value.kind {
            ValueKind::Symbol(name) => name,
            // `let owners = [search, web]`: each element, as a bare name.
            ValueKind::List(items) => {
                for item in items.iter() {
                    self.check_unambiguous(item, module);
                }
                return;
            }
            _ => return,
        };
        let kinds: Vec<Namespace> = Namespace::DECLARATIONS
            .iter()
            .copied()
            .filter(|namespace| !self.index.lookup(module, *namespace, name).is_empty())
            .collect();
        if kinds.is_empty()
            && self.index.variant_owners(module, name).is_empty()
            && [
                Namespace::Value,
                Namespace::Type,
                Namespace::Template,
                Namespace::Fleet,
            ]
            .iter()
            .all(|namespace| self.index.lookup(module, *namespace, name).is_empty())
        {
            // Nothing will ever give it a meaning.
            self.unresolved(name, value.span, module, None);
            return;
        }
        if kinds.len() < 2 {
            return;
        }
        let words: Vec<String> = kinds
            .iter()
            .map(|namespace| format!("`{}.{name}`", namespace.keyword()))
            .collect();
        let described: Vec<&str> = kinds.iter().map(|namespace| namespace.describe()).collect();
        self.report(
            Diagnostic::new(code::E0202, format!("`{name}` is ambiguous"))
                .with_primary(value.span, format!("both {}", described.join(" and ")))
                .with_note("no type says which kind of declaration this name means")
                .with_help(format!("say which one: {}", words.join(" or "))),
        );
    }

    /// The type declared as `name` (a `type` or an `enum`), seen from `module`.
    pub fn type_named(&self, module: &str, name: &str) -> Option<ItemId> {
        self.index
            .lookup(module, Namespace::Type, name)
            .first()
            .copied()
    }

    /// The prelude's type called `name` (`Cluster`, `App`, ...).
    pub fn prelude_type(&self, name: &str) -> Option<ItemId> {
        self.type_named(crate::stdlib::PRELUDE, name)
    }

    /// The lowered definition of a `type` or `enum` item.
    pub fn type_def(&self, item: ItemId) -> Option<Rc<TypeDef>> {
        if let Some(found) = self.types.borrow().get(&item) {
            return found.clone();
        }
        let lowered = crate::types::lower::lower(self, item)
            .map(|lowered| Rc::new(self.through_aliases(item, lowered)));
        self.types.borrow_mut().insert(item, lowered.clone());
        lowered
    }

    /// `type A = B` where `B` is itself an alias: `A` is made an alias of what the
    /// chain ends in, so that no later stage follows aliases more than once (every
    /// alias on the way is settled too, so a long chain is walked once); a chain
    /// that comes back to a type it passed is E0211 and ends in `Error`.
    fn through_aliases(&self, item: ItemId, lowered: TypeDef) -> TypeDef {
        let TypeDef::Alias(name, target) = &lowered else {
            return lowered;
        };
        let mut chain: Vec<(ItemId, Name)> = vec![(item, name.clone())];
        let crate::types::Ty::Named(first) = target else {
            // An alias of a union or an option: only its members can lead back.
            if self.leads_back(target, &chain) {
                return self.defined_by_itself(item, name);
            }
            return lowered;
        };
        let mut next = *first;
        let end = loop {
            if chain.iter().any(|(passed, _)| *passed == next) {
                let node = self.item_node(item);
                let range = node
                    .child_of_kind(crate::syntax::SyntaxKind::NAME)
                    .map_or(node.range(), |name| name.range());
                self.report(
                    Diagnostic::new(code::E0211, format!("the type `{name}` is defined by itself"))
                        .with_primary(Span::new(item.file_id, range), "its definition comes back to it")
                        .with_help("one type of the chain must say what it is: a record, an enum or a built-in type"),
                );
                break crate::types::Ty::Error;
            }
            // A type already settled is an alias of its chain's end, or no alias.
            if let Some(settled) = self.types.borrow().get(&next) {
                break match settled.as_deref() {
                    Some(TypeDef::Alias(_, target)) => target.clone(),
                    _ => crate::types::Ty::Named(next),
                };
            }
            match crate::types::lower::lower(self, next) {
                Some(TypeDef::Alias(further_name, crate::types::Ty::Named(further))) => {
                    chain.push((next, further_name));
                    next = further;
                }
                Some(TypeDef::Alias(further_name, target)) => {
                    chain.push((next, further_name));
                    break target;
                }
                _ => break crate::types::Ty::Named(next),
            }
        };
        // A union or option the chain ends in may lead back through its members
        // without the value getting any smaller (`type A = B | Int`, `type B = A`).
        let end = if !matches!(end, crate::types::Ty::Error) && self.leads_back(&end, &chain) {
            let TypeDef::Alias(_, error) = self.defined_by_itself(item, name) else {
                unreachable!("defined_by_itself makes an alias")
            };
            error
        } else {
            end
        };
        for (passed, passed_name) in chain.iter().skip(1) {
            self.types.borrow_mut().insert(
                *passed,
                Some(Rc::new(TypeDef::Alias(passed_name.clone(), end.clone()))),
            );
        }
        TypeDef::Alias(name.clone(), end)
    }

    /// E0211 for a type whose union or option members lead back to it; the type
    /// becomes an alias of `Error`, so nothing follows it again.
    fn defined_by_itself(&self, item: ItemId, name: &Name) -> TypeDef {
        let node = self.item_node(item);
        let range = node
            .child_of_kind(crate::syntax::SyntaxKind::NAME)
            .map_or(node.range(), |name| name.range());
        self.report(
            Diagnostic::new(
                code::E0211,
                format!("the type `{name}` is defined by itself"),
            )
            .with_primary(
                Span::new(item.file_id, range),
                "a member of its definition comes back to it",
            )
            .with_help("a type may contain itself only inside a list, a map or a record field"),
        );
        TypeDef::Alias(name.clone(), crate::types::Ty::Error)
    }

    /// Whether `ty` reaches one of the `chain`'s types through unions, options and
    /// aliases only (what conforming a value follows without taking it apart).
    fn leads_back(&self, ty: &crate::types::Ty, chain: &[(ItemId, Name)]) -> bool {
        use crate::types::Ty;
        let mut pending: Vec<Ty> = vec![ty.clone()];
        let mut seen: Vec<ItemId> = Vec::new();
        while let Some(ty) = pending.pop() {
            match ty {
                Ty::Union(members) => pending.extend(members.iter().cloned()),
                Ty::Optional(inner) => pending.push((*inner).clone()),
                Ty::Named(next) => {
                    if chain.iter().any(|(passed, _)| *passed == next) {
                        return true;
                    }
                    if seen.contains(&next) {
                        continue;
                    }
                    seen.push(next);
                    let settled = self.types.borrow().get(&next).cloned();
                    let definition = match settled {
                        Some(settled) => settled.as_deref().cloned(),
                        None => crate::types::lower::lower(self, next),
                    };
                    if let Some(TypeDef::Alias(_, target)) = definition {
                        pending.push(target);
                    }
                }
                _ => {}
            }
        }
        false
    }

    /// The module an import alias of `file` refers to.
    pub fn import_alias(&self, file: SourceFile, alias: &str) -> Option<Arc<str>> {
        let items = file_items(self.db, file);
        let import = items
            .items
            .iter()
            .filter_map(|item| item.import.as_ref())
            .find(|import| &*import.alias == alias)?;
        match &import.target {
            ImportTarget::Stdlib(module) => Some(Arc::from(format!("std.{module}"))),
            ImportTarget::Folder(_) => resolve_import(file.module(self.db), &import.target).ok(),
        }
    }

    /// `alias.name`: a `let`, template or type of an imported module.
    fn module_member(&self, module: &str, alias: &str, name: &str, span: Span) -> Value {
        if let Some(value) = self.let_value(module, name) {
            return Value {
                kind: value.kind,
                span,
            };
        }
        for namespace in [Namespace::Template, Namespace::Type] {
            if let Some(&item) = self
                .index
                .module(module)
                .map(|scope| scope.lookup(namespace, name))
                .unwrap_or(&[])
                .first()
            {
                return Value::new(
                    ValueKind::Ref {
                        namespace,
                        name: Name::from(name),
                        item,
                    },
                    span,
                );
            }
        }
        let known: Vec<Name> = self
            .index
            .module(module)
            .map(|scope| scope.entries().map(|(_, name, _)| name.clone()).collect())
            .unwrap_or_default();
        let mut diagnostic = Diagnostic::new(code::E0200, format!("`{alias}` has no `{name}`"))
            .with_primary(span, format!("not declared in `{alias}`"));
        if let Some(suggestion) = closest(name, known.iter().map(|name| &**name)) {
            diagnostic = diagnostic.with_help(format!("did you mean `{alias}.{suggestion}`?"));
        }
        self.report(diagnostic);
        Value::error(span)
    }

    /// E0200 for a name no scope declares, with the closest visible name.
    pub fn unresolved(&self, name: &str, span: Span, module: &str, namespace: Option<Namespace>) {
        self.unresolved_with(name, span, module, namespace, &|_| false);
    }

    /// E0200 for a bare name met where a value is needed (an index, an operand,
    /// an interpolation) that nothing declares. Returns whether it reported:
    /// a declared name (`dev`, a variant) has a meaning the type decides later.
    /// Inline: nearly every value met is not a bare name, in every iteration
    /// of every loop.
    #[inline]
    pub fn report_if_undeclared(&self, value: &Value, scope: &Scope) -> bool {
        match &value.kind {
            ValueKind::Symbol(name) => self.report_if_undeclared_symbol(name, value.span, scope),
            _ => false,
        }
    }

    fn report_if_undeclared_symbol(&self, name: &Name, span: Span, scope: &Scope) -> bool {
        let module = &scope.module;
        let known = self
            .declared_symbols
            .borrow()
            .get(&**module)
            .is_some_and(|names| names.contains(&**name));
        if known {
            return false;
        }
        let declared = [
            Namespace::Value,
            Namespace::Type,
            Namespace::Template,
            Namespace::Fleet,
        ]
        .into_iter()
        .chain(Namespace::DECLARATIONS)
        .any(|namespace| !self.index.lookup(module, namespace, name).is_empty())
            || !self.index.variant_owners(module, name).is_empty()
            // A variant of an enum of an imported module (`tier == gold`, with
            // `tier` a `lib.Tier`): compared by name, as any variant.
            || self
                .index
                .modules
                .values()
                .any(|scope| scope.variants.contains_key(&**name));
        if declared {
            self.declared_symbols
                .borrow_mut()
                .entry(module.clone())
                .or_default()
                .insert(name.clone());
            return false;
        }
        self.unresolved_with(name, span, module, None, &|part| scope.is_bound(part));
        true
    }

    fn unresolved_with(
        &self,
        name: &str,
        span: Span,
        module: &str,
        namespace: Option<Namespace>,
        is_bound: &dyn Fn(&str) -> bool,
    ) {
        let message = match namespace {
            Some(namespace) => format!("no {} named `{name}`", namespace.describe()),
            None => format!("nothing is named `{name}`"),
        };
        let mut diagnostic = Diagnostic::new(code::E0200, message)
            .with_primary(span, format!("`{name}` is not declared"));
        let candidates = match namespace {
            Some(namespace) => self.index.visible_names(module, namespace),
            None => [Namespace::Value]
                .into_iter()
                .chain(Namespace::DECLARATIONS)
                .flat_map(|namespace| self.index.visible_names(module, namespace))
                .collect(),
        };
        // Decision 001: `a-b` is one name. When both sides mean something on
        // their own, the subtraction was likely meant: say so before any
        // did-you-mean (`i-1` is not a misspelt `i`).
        let means_something = |part: &str| {
            part.parse::<i64>().is_ok()
                || is_bound(part)
                || !self.index.lookup(module, Namespace::Value, part).is_empty()
        };
        let subtraction = name
            .split_once('-')
            .filter(|(left, right)| means_something(left) && means_something(right));
        if let Some((left, right)) = subtraction {
            diagnostic = diagnostic.with_help(format!(
                "names may contain `-`, so this is one name; for subtraction write `{left} - {right}`"
            ));
        } else if let Some(suggestion) = closest(name, candidates.iter().map(|name| &**name)) {
            diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?"));
        }
        self.report(diagnostic);
    }

    /// A constructor call: `vault("https://...", role = "fleet")` makes a record of
    /// the record type `vault`, arguments given in the order of its fields.
    fn construct(
        &self,
        name: &str,
        arguments: &[crate::syntax::SyntaxNode<'_>],
        span: Span,
        scope: &Scope,
    ) -> Value {
        let Some(item) = self.type_named(&scope.module, name) else {
            let mut diagnostic = Diagnostic::new(
                code::E0200,
                format!("no function or record type named `{name}`"),
            )
            .with_primary(span, "this call");
            let types = self.index.visible_names(&scope.module, Namespace::Type);
            if let Some(suggestion) = closest(
                name,
                types
                    .iter()
                    .map(|name| &**name)
                    .chain(["range", "len", "present"]),
            ) {
                diagnostic = diagnostic.with_help(format!("did you mean `{suggestion}`?"));
            }
            self.report(diagnostic);
            return Value::error(span);
        };
        let Some(TypeDef::Record(record)) = self.type_def(item).as_deref().cloned() else {
            self.report(
                Diagnostic::new(
                    code::E0310,
                    format!("`{name}` is not a record type, so it cannot be called"),
                )
                .with_primary(span, "this call"),
            );
            return Value::error(span);
        };
        let (positional, named) = self.arguments(arguments, scope);
        let mut fields = Vec::new();
        if positional.len() > record.fields.len() {
            let takes = record.fields.len();
            let extra = &positional[takes..];
            let first = extra[0].span;
            let last = extra[extra.len() - 1].span;
            let span = if first.file == last.file {
                Span::new(first.file, first.range.cover(last.range))
            } else {
                first
            };
            let parameters: Vec<&str> = record.fields.iter().map(|field| &*field.name).collect();
            self.report(
                Diagnostic::new(
                    code::E0310,
                    match takes {
                        0 => format!("`{name}` takes no arguments"),
                        1 => format!("`{name}` takes at most 1 argument"),
                        _ => format!("`{name}` takes at most {takes} arguments"),
                    },
                )
                .with_primary(
                    span,
                    match extra.len() {
                        1 => "one too many".to_string(),
                        count => format!("{count} too many"),
                    },
                )
                .with_help(format!(
                    "its parameters are `{name}({})`",
                    parameters.join(", ")
                )),
            );
        }
        for (value, field) in positional.into_iter().zip(record.fields.iter()) {
            let key_span = value.span;
            fields.push(value::Field {
                name: field.name.clone(),
                value,
                key_span,
                op: value::SetOp::Set,
            });
        }
        for (field_name, value, key_span) in named {
            if fields.iter().any(|field| field.name == field_name) {
                self.report(
                    Diagnostic::new(code::E0308, format!("`{field_name}` is given twice"))
                        .with_primary(key_span, "given again here"),
                );
                continue;
            }
            fields.push(value::Field {
                name: field_name,
                value,
                key_span,
                op: value::SetOp::Set,
            });
        }
        let record = value::Record {
            ty: Some(item),
            fields,
        };
        Value::new(ValueKind::Record(Arc::new(record)), span)
    }
}

/// The note naming the iterations of a `for` a problem was found in.
/// A diagnostic as reported, with the iteration of a `for` it was found in.
pub type Reported = (Diagnostic, Option<Arc<str>>);

/// Diagnostics as reported, once each: one problem (one code and headline at
/// one place) found in several iterations of a `for` is one diagnostic with a
/// note that names them. Its labels may show values that differ from one
/// iteration to the next; the first stay.
pub fn merge_iterations(reported: impl IntoIterator<Item = Reported>) -> Vec<Diagnostic> {
    let mut merged: Vec<(Diagnostic, Vec<Arc<str>>)> = Vec::new();
    let mut position_of: FxHashMap<(Code, String, Option<Span>), usize> = FxHashMap::default();
    for (diagnostic, iteration) in reported {
        let key = (
            diagnostic.code,
            diagnostic.message.clone(),
            diagnostic.primary.as_ref().map(|label| label.span),
        );
        match position_of.get(&key) {
            Some(&earlier) => merged[earlier].1.extend(iteration),
            None => {
                position_of.insert(key, merged.len());
                merged.push((diagnostic, iteration.into_iter().collect()));
            }
        }
    }
    merged
        .into_iter()
        .map(|(mut diagnostic, iterations)| {
            if let Some(note) = iterations_note(&iterations) {
                diagnostic.notes.push(note);
            }
            diagnostic
        })
        .collect()
}

fn iterations_note(iterations: &[Arc<str>]) -> Option<String> {
    const SHOWN: usize = 3;
    match iterations {
        [] => None,
        [one] => Some(format!("in the iteration of the `for` where `{one}`")),
        _ => {
            let shown: Vec<String> = iterations
                .iter()
                .take(SHOWN)
                .map(|iteration| format!("`{iteration}`"))
                .collect();
            let more = match iterations.len().saturating_sub(SHOWN) {
                0 => String::new(),
                rest => format!(" and {rest} more"),
            };
            Some(format!(
                "in {} iterations of the `for`: {}{more}",
                iterations.len(),
                shown.join(", ")
            ))
        }
    }
}

/// Which check `shared_check` remembers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum SharedCheck {
    Conform,
    Complete,
    /// Both, of a declaration's record (see `checked_declaration`).
    Declaration,
}

/// What a check of a shared value gave, for one type and module.
struct SharedCheckResult {
    ty: crate::types::Ty,
    module: Arc<str>,
    value: Value,
}

/// The address of a record or list value: what identifies a value shared by the
/// iterations of a loop (other values are cheap to check again).
fn shared_address(value: &Value) -> Option<usize> {
    match &value.kind {
        ValueKind::Record(record) => Some(Arc::as_ptr(record) as *const () as usize),
        ValueKind::List(items) => Some(Arc::as_ptr(items) as *const () as usize),
        _ => None,
    }
}

/// A declaration's record as written, its type, and the module it was read in.
type CheckedKey = (Value, crate::types::Ty, Arc<str>);

/// How many definitions deep `nested` follows before it stops (see there).
pub const MAX_DEPTH: u32 = 256;

/// A template's record (checked, not completed) and the type it is part of.
type Template = (value::Record, crate::types::Ty);

/// What a declaration's type annotation gives: the template's record, if it
/// names a template, and the declaration's type.
type Annotation = (Option<value::Record>, crate::types::Ty);

/// The attribute record of an enum variant (`{ city = "Mumbai", ... }`).
type Attributes = Arc<value::Record>;

/// The syntax node of an item.
pub fn node_of(db: &dyn Db, item: ItemId) -> crate::syntax::SyntaxNode<'_> {
    item_node(db, item)
}

/// The candidate closest to `name`, if close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .filter(|candidate| *candidate != name)
        .map(|candidate| (strsim::jaro_winkler(name, candidate), candidate))
        .filter(|(score, candidate)| {
            *score >= 0.85 || strsim::damerau_levenshtein(name, candidate) <= 2.max(name.len() / 4)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}
