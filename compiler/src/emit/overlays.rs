//! Kustomize overlays per app: a generated base for a typed `workload` and one
//! overlay folder per (env, region) the app runs in, plus one per cluster that has
//! a cluster-level overlay. Argo CD's ApplicationSets point at these folders.
//!
//! An overlay's patches are what its layers change: the documents of the app as
//! the overlay sees it (`workload_base`, from the app with the layers merged by
//! precedence) compared with the base's, written as strategic-merge patches with
//! a `target`; objects the base does not have (an autoscaler a layer adds) are
//! files of the overlay. The image tag is the app's `version` for the env
//! (`images`). A cluster's overlay refers to the base too, not to its region's
//! folder above it (Kustomize refuses that as a cycle), and carries the region's
//! layers with its own. An app with a `git` source has no base: its overlay
//! refers to the repository's folder at that version (a Kustomize remote
//! resource); a `helm` or `oci` source becomes Flux objects in the overlay
//! (`kubectl kustomize` cannot inflate a chart without `--enable-helm`).

use super::document::Node;
use super::places::Places;
use super::repository::{BATCH, FileSink, GeneratedFile, Settings, SourceNames, relative};
use super::workload_base::{self, Deploys, Object};
use super::yaml;
use crate::eval::expr::same_value;
use crate::eval::value::{Record, SetOp, Value, ValueKind};
use crate::model::{App, Cluster, FleetModel, Layer, LayerKey};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The overlay an app's clusters in `env` and `region` are synced from.
pub fn overlay_folder(env: &str, region: &str, app: &str) -> String {
    format!("workload-clusters/{env}/{region}/{app}")
}

/// The overlay of one cluster that has a cluster-level overlay of the app.
pub fn cluster_overlay_folder(env: &str, region: &str, app: &str, cluster: &str) -> String {
    format!("{}/clusters/{cluster}", overlay_folder(env, region, app))
}

/// The generated base of an app with a typed `workload`.
pub fn base_folder(app: &str) -> String {
    format!("workload-clusters/base/{app}")
}

/// Every app's overlays (and, for a typed `workload`, its generated base). Apps
/// are independent: made on every core.
pub fn generate(
    model: &FleetModel,
    places: &Places,
    settings: &Settings,
    files: &mut dyn FileSink,
) {
    let part_of = model.fleet.as_ref().map(|fleet| fleet.name.clone());
    let made = |apps: &[App]| {
        let mut files = Vec::new();
        for app in apps {
            let Some(base) = app.declared.value.as_record() else {
                continue;
            };
            let Some(namespace) = base.get("namespace").and_then(Value::as_str) else {
                continue;
            };
            let context = AppContext {
                made: std::cell::RefCell::default(),
                sources: &settings.sources,
                app,
                name: &app.declared.name,
                base,
                namespace,
                part_of: part_of.as_deref(),
                fleet_source: &settings.fleet_source,
                places,
            };
            context.write(model, &mut files);
        }
        files
    };
    crate::parallel::map_runs_batched(&model.apps, BATCH, 64, made, |made| files.push_all(made));
}

/// What an overlay's files depend on besides the app (see `write_overlay`).
#[derive(Clone, PartialEq, Eq)]
struct OverlayKey {
    env: String,
    /// The positions of its layers in the app's.
    layers: Vec<usize>,
    /// Slashes in its folder's path.
    depth: usize,
}

struct AppContext<'a> {
    /// The overlays made so far: for each, the folder made in and its files.
    made: std::cell::RefCell<Vec<(OverlayKey, String, Vec<GeneratedFile>)>>,
    sources: &'a SourceNames,
    app: &'a App,
    name: &'a str,
    /// The app's own value (with its template): what the base is made of.
    base: &'a Record,
    namespace: &'a str,
    /// The fleet's name, for `app.kubernetes.io/part-of`.
    part_of: Option<&'a str>,
    fleet_source: &'a str,
    places: &'a Places,
}

impl AppContext<'_> {
    fn write(&self, model: &FleetModel, files: &mut Vec<GeneratedFile>) {
        let Some(deploys) = workload_base::deploys(self.base) else {
            return;
        };
        let base_image = workload_base::image(self.base).unwrap_or_default();
        // The base's objects: written once, and what every overlay's patches
        // are computed against.
        let base_objects = match deploys {
            Deploys::Workload(workload) => Some(workload_base::workload_objects(
                self.name, self.base, workload, base_image,
            )),
            _ => None,
        };
        if let Some(objects) = &base_objects {
            let folder = base_folder(self.name);
            let sources = vec![self.sources.of_item(self.app.declared.item)];
            write_objects(&folder, &sources, objects, files);
            files.push(GeneratedFile::new(
                format!("{folder}/kustomization.yaml"),
                sources,
                vec![workload_base::base_kustomization(self.namespace, objects)],
            ));
        }
        // The (env, region) pairs of the target clusters (a few set operations
        // per pair, not a pass over every cluster per app), and the target
        // clusters that have a layer of their own, in order.
        let pairs: Vec<(&str, &str)> = self
            .places
            .pairs
            .iter()
            .filter(|(_, clusters)| clusters.intersects(&self.app.targets))
            .map(|((env, region), _)| (&**env, &**region))
            .collect();
        let with_layer: BTreeSet<usize> = self
            .app
            .layers
            .iter()
            .filter_map(|layer| self.places.by_name.get(layer.key.cluster.as_deref()?))
            .copied()
            .filter(|&index| {
                self.app.targets.contains(index)
                    && self
                        .app
                        .layers
                        .iter()
                        .any(|layer| applies_to_cluster(&layer.key, &model.clusters[index]))
            })
            .collect();
        for (env, region) in pairs {
            let region_layers: Vec<&Layer> = self
                .app
                .layers
                .iter()
                .filter(|layer| applies_to_region(&layer.key, env, region))
                .collect();
            self.write_overlay(
                &overlay_folder(env, region, self.name),
                env,
                &region_layers,
                base_objects.as_deref(),
                files,
            );
            for &index in &with_layer {
                let cluster = &model.clusters[index];
                if (&*cluster.env, &*cluster.region) != (env, region) {
                    continue;
                }
                let mut layers = region_layers.clone();
                layers.extend(
                    self.app
                        .layers
                        .iter()
                        .filter(|layer| applies_to_cluster(&layer.key, cluster)),
                );
                let folder = cluster_overlay_folder(env, region, self.name, &cluster.declared.name);
                self.write_overlay(&folder, env, &layers, base_objects.as_deref(), files);
            }
        }
    }

    /// The overlay in `folder` of the app with `layers` (lowest precedence first)
    /// laid over it. A cluster's overlay stands alone on the base like its
    /// region's (with the region's layers and its own): Kustomize refuses a
    /// folder that includes a folder above it (`../..`: "cycle detected").
    fn write_overlay(
        &self,
        folder: &str,
        env: &str,
        layers: &[&Layer],
        base_objects: Option<&[Object]>,
        files: &mut Vec<GeneratedFile>,
    ) {
        // An overlay is a function of its env, its layers and how deep its
        // folder is (the path back to the base): the regions of an env without
        // layers of their own get the same files, made once.
        let key = OverlayKey {
            env: env.to_string(),
            layers: layers
                .iter()
                .filter_map(|layer| {
                    self.app
                        .layers
                        .iter()
                        .position(|own| std::ptr::eq(own, *layer))
                })
                .collect(),
            depth: folder.matches('/').count(),
        };
        if let Some((made_in, made)) = self
            .made
            .borrow()
            .iter()
            .find(|(made_for, ..)| *made_for == key)
            .map(|(_, made_in, made)| (made_in.clone(), made.clone()))
        {
            files.extend(made.into_iter().map(|file| GeneratedFile {
                path: format!("{folder}{}", &file.path[made_in.len()..]),
                text: file.text,
            }));
            return;
        }
        let merged = merge_layers(self.base, layers);
        let Some(overlay) = self.overlay(folder, env, &merged, base_objects) else {
            return;
        };
        let mut sources = self.sources(layers);
        if self.part_of.is_some() && !sources.iter().any(|source| source == self.fleet_source) {
            sources.push(self.fleet_source.to_string());
        }
        let mut made = Vec::new();
        overlay.write(folder, sources, &mut made);
        files.extend(made.iter().cloned());
        self.made.borrow_mut().push((key, folder.to_string(), made));
    }

    /// The app's file, then the files of the layers, once each.
    fn sources(&self, layers: &[&Layer]) -> Vec<String> {
        let mut sources = vec![self.sources.of_item(self.app.declared.item)];
        for layer in layers {
            let source = self.sources.of_item(layer.item);
            if !sources.contains(&source) {
                sources.push(source);
            }
        }
        sources
    }

    /// The labels every overlay adds to the objects it renders (not to selectors,
    /// which cannot change).
    fn labels(&self) -> Node {
        let mut pairs = Node::map().with(workload_base::NAME_LABEL, self.name);
        if let Some(part_of) = self.part_of {
            pairs.push("app.kubernetes.io/part-of", part_of);
        }
        Node::seq().item(
            Node::map()
                .with("pairs", pairs)
                .with("includeSelectors", false),
        )
    }

    fn namespace_of<'v>(&self, value: &'v Record) -> &'v str {
        value
            .get("namespace")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// An overlay: the base (or the source) with the app's version for `env` and
    /// what the layers merged into `merged` change (for a workload, against
    /// `base_objects`).
    fn overlay(
        &self,
        folder: &str,
        env: &str,
        merged: &Record,
        base_objects: Option<&[Object]>,
    ) -> Option<Overlay> {
        let namespace = self.namespace_of(merged);
        let version = workload_base::version(merged, env);
        let mut overlay = Overlay {
            labels: Some(self.labels()),
            ..Overlay::default()
        };
        match (
            workload_base::deploys(merged)?,
            workload_base::deploys(self.base)?,
        ) {
            (Deploys::Workload(workload), Deploys::Workload(_)) => {
                let base_image = workload_base::image(self.base).unwrap_or_default();
                let parent = base_objects?;
                let child =
                    workload_base::workload_objects(self.name, merged, workload, base_image);
                overlay
                    .resources
                    .push(relative(folder, &base_folder(self.name)));
                if namespace != self.namespace {
                    overlay.namespace = Some(namespace.to_string());
                }
                let image = workload_base::image(merged).unwrap_or(base_image);
                overlay.images = image_change(base_image, image, version);
                overlay.add_changes(parent, &child, true);
            }
            (Deploys::Git { url, path }, _) => {
                overlay.namespace = Some(namespace.to_string());
                overlay
                    .resources
                    .push(workload_base::git_resource(&url, &path, version));
            }
            (Deploys::Helm { url, chart }, _) => {
                overlay.objects = workload_base::helm_objects(
                    self.name, namespace, merged, &url, &chart, version,
                );
            }
            (Deploys::Oci { url }, _) => {
                overlay.objects = workload_base::oci_objects(self.name, namespace, &url, version);
            }
            // A layer cannot turn a workload into a source (E0307).
            _ => return None,
        }
        overlay.place_new_objects(namespace);
        Some(overlay)
    }
}

/// What one overlay folder holds.
#[derive(Default)]
struct Overlay {
    namespace: Option<String>,
    /// Folders and remote resources, before the folder's own files.
    resources: Vec<String>,
    /// Objects written in the folder (and listed in `resources`).
    objects: Vec<Object>,
    labels: Option<Node>,
    images: Option<Node>,
    patches: Vec<Node>,
}

impl Overlay {
    /// The objects `child` adds to `parent`, and patches for the ones it changes
    /// or removes.
    fn add_changes(&mut self, parent: &[Object], child: &[Object], keyed: bool) {
        for object in child {
            match parent
                .iter()
                .find(|old| old.kind() == object.kind() && old.name() == object.name())
            {
                Some(old) => {
                    if let Some(patch) = object_patch(&old.node, &object.node, keyed) {
                        self.patches.push(patch_entry(object, patch));
                    }
                }
                None => self.objects.push(object.clone()),
            }
        }
        for old in parent {
            if !child
                .iter()
                .any(|object| old.kind() == object.kind() && old.name() == object.name())
            {
                let patch = patch_head(&old.node).with("$patch", "delete");
                self.patches.push(patch_entry(old, patch));
            }
        }
    }

    /// Objects of a workload written in an overlay folder (an autoscaler a layer
    /// adds) are not under the base's `namespace:`: the overlay sets it.
    fn place_new_objects(&mut self, namespace: &str) {
        let unplaced = self
            .objects
            .iter()
            .any(|object| object.node.at(&["metadata", "namespace"]).is_none());
        if unplaced && self.namespace.is_none() {
            self.namespace = Some(namespace.to_string());
        }
    }

    fn write(self, folder: &str, sources: Vec<String>, files: &mut Vec<GeneratedFile>) {
        let mut resources: Vec<Node> = self.resources.iter().map(Node::from).collect();
        let mut written: Vec<&str> = Vec::new();
        for object in &self.objects {
            if !written.contains(&object.file) {
                written.push(object.file);
                resources.push(Node::from(object.file));
            }
        }
        write_objects(folder, &sources, &self.objects, files);
        let mut kustomization = Node::map()
            .with("apiVersion", "kustomize.config.k8s.io/v1beta1")
            .with("kind", "Kustomization")
            .with_some("namespace", self.namespace)
            .with("resources", Node::Seq(resources))
            .with_some("labels", self.labels)
            .with_some("images", self.images);
        if !self.patches.is_empty() {
            kustomization.push("patches", Node::Seq(self.patches));
        }
        files.push(GeneratedFile::new(
            format!("{folder}/kustomization.yaml"),
            sources,
            vec![kustomization],
        ));
    }
}

/// The objects, one file per `Object::file`, in order.
fn write_objects(
    folder: &str,
    sources: &[String],
    objects: &[Object],
    files: &mut Vec<GeneratedFile>,
) {
    let mut names: Vec<&str> = Vec::new();
    for object in objects {
        if !names.contains(&object.file) {
            names.push(object.file);
        }
    }
    for name in names {
        let documents = objects
            .iter()
            .filter(|object| object.file == name)
            .map(|object| &object.node);
        files.push(GeneratedFile::written(
            format!("{folder}/{name}"),
            sources,
            |text| super::yaml::write_stream(text, documents),
        ));
    }
}

/// Kustomize's `images` entry that turns the base's image `from` into
/// `image:tag` (`None` when nothing changes).
fn image_change(from: &str, image: &str, tag: Option<&str>) -> Option<Node> {
    if image == from && tag.is_none() {
        return None;
    }
    let entry = Node::map()
        .with("name", from)
        .with_some("newName", (image != from).then_some(image))
        .with_some("newTag", tag);
    Some(Node::seq().item(entry))
}

/// A `patches` entry: the strategic-merge `patch` (inline) and its `target`.
fn patch_entry(object: &Object, patch: Node) -> Node {
    Node::map()
        .with(
            "target",
            Node::map()
                .with("kind", object.kind())
                .with("name", object.name()),
        )
        .with("patch", yaml::to_string(&patch))
}

/// The apiVersion, kind and name of an object: how a patch names it.
fn patch_head(object: &Node) -> Node {
    patch_with_metadata(object, Node::map().with("name", name_of(object)))
}

/// A patch of `object` with this `metadata` (its name first).
fn patch_with_metadata(object: &Node, metadata: Node) -> Node {
    let text = |key: &str| {
        object
            .get(key)
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string()
    };
    Node::map()
        .with("apiVersion", text("apiVersion"))
        .with("kind", text("kind"))
        .with("metadata", metadata)
}

fn name_of(object: &Node) -> String {
    object
        .at(&["metadata", "name"])
        .and_then(Node::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The strategic-merge patch that turns `old` into `new` (`None` when equal).
fn object_patch(old: &Node, new: &Node, keyed: bool) -> Option<Node> {
    let Node::Map(entries) = map_difference(old, new, keyed)? else {
        return None;
    };
    let mut metadata = Node::map().with("name", name_of(new));
    let mut changes = Vec::new();
    for (key, value) in entries {
        match (&*key, value) {
            ("apiVersion" | "kind", _) => {}
            ("metadata", Node::Map(changed)) => {
                for (field, value) in changed {
                    if &*field != "name" {
                        metadata.push(field, value);
                    }
                }
            }
            (_, value) => changes.push((key, value)),
        }
    }
    let mut patch = patch_with_metadata(new, metadata);
    for (key, value) in changes {
        patch.push(key, value);
    }
    Some(patch)
}

/// The fields of map `new` that differ from `old`, as a strategic-merge patch:
/// changed and added fields, `null` for removed ones; maps recursively.
fn map_difference(old: &Node, new: &Node, keyed: bool) -> Option<Node> {
    let (Node::Map(old_entries), Node::Map(new_entries)) = (old, new) else {
        return (old != new).then(|| new.clone());
    };
    let mut difference = Node::map();
    for (key, value) in new_entries {
        match old_entries.iter().find(|(old_key, _)| old_key == key) {
            Some((_, old_value)) => {
                if let Some(changed) = value_difference(key, old_value, value, keyed) {
                    difference.push(key.clone(), changed);
                }
            }
            None => difference.push(key.clone(), value.clone()),
        }
    }
    for (key, _) in old_entries {
        if !new_entries.iter().any(|(new_key, _)| new_key == key) {
            difference.push(key.clone(), Node::Null);
        }
    }
    match &difference {
        Node::Map(entries) if entries.is_empty() => None,
        _ => Some(difference),
    }
}

fn value_difference(key: &str, old: &Node, new: &Node, keyed: bool) -> Option<Node> {
    if old == new {
        return None;
    }
    match (old, new) {
        (Node::Map(_), Node::Map(_)) => map_difference(old, new, keyed),
        (Node::Seq(old_items), Node::Seq(new_items)) => {
            let merge_key = if keyed {
                merge_key(key, old_items, new_items)
            } else {
                None
            };
            Some(match merge_key {
                Some(merge_key) => keyed_difference(merge_key, old_items, new_items),
                None => replaced_list(old_items, new_items),
            })
        }
        _ => Some(new.clone()),
    }
}

/// The key Kubernetes merges a list of the generated objects by: containers and
/// env vars by `name`, container ports by `containerPort`, Service ports by `port`.
fn merge_key(field: &str, old: &[Node], new: &[Node]) -> Option<&'static str> {
    let has = |key: &str| old.iter().chain(new).any(|item| item.get(key).is_some());
    match field {
        "containers" | "env" => Some("name"),
        "ports" if has("containerPort") => Some("containerPort"),
        "ports" => Some("port"),
        _ => None,
    }
}

/// A list merged by `merge_key`: the items added or changed (changed ones as
/// their own difference), and `$patch: delete` for the items removed.
fn keyed_difference(merge_key: &str, old: &[Node], new: &[Node]) -> Node {
    let key_of = |item: &Node| item.get(merge_key).cloned();
    let mut items = Node::seq();
    for item in new {
        let key = key_of(item);
        match old
            .iter()
            .find(|old_item| key.is_some() && key_of(old_item) == key)
        {
            Some(old_item) => {
                if let (Some(key), Some(Node::Map(changed))) =
                    (key, map_difference(old_item, item, true))
                {
                    let mut entry = Node::map().with(merge_key.to_string(), key);
                    for (field, value) in changed {
                        if &*field != merge_key {
                            entry.push(field, value);
                        }
                    }
                    items.push_item(entry);
                }
            }
            None => items.push_item(item.clone()),
        }
    }
    for old_item in old {
        let key = key_of(old_item);
        if let Some(key) = key
            && !new.iter().any(|item| key_of(item).as_ref() == Some(&key))
        {
            items.push_item(
                Node::map()
                    .with(merge_key.to_string(), key)
                    .with("$patch", "delete"),
            );
        }
    }
    items
}

/// A list replaced whole. A list of maps says so (`$patch: replace`): Kustomize
/// would otherwise merge maps that have a `name` (or similar) field by it.
fn replaced_list(old: &[Node], new: &[Node]) -> Node {
    let maps = old
        .iter()
        .chain(new)
        .any(|item| matches!(item, Node::Map(_)));
    let mut items = Vec::with_capacity(new.len() + 1);
    if maps {
        items.push(Node::map().with("$patch", "replace"));
    }
    items.extend(new.iter().cloned());
    Node::Seq(items)
}

/// Whether an env or region layer applies to the clusters of `env` in `region`.
fn applies_to_region(key: &LayerKey, env: &str, region: &str) -> bool {
    key.cluster.is_none()
        && key.env.as_deref().is_none_or(|layer_env| layer_env == env)
        && key
            .region
            .as_deref()
            .is_none_or(|layer_region| layer_region == region)
}

/// Whether a cluster layer applies to `cluster`.
fn applies_to_cluster(key: &LayerKey, cluster: &Cluster) -> bool {
    key.cluster.as_deref() == Some(&*cluster.declared.name)
        && key.env.as_deref().is_none_or(|env| env == &*cluster.env)
        && key
            .region
            .as_deref()
            .is_none_or(|region| region == &*cluster.region)
}

/// The app's value with `layers` (lowest precedence first) laid over it.
fn merge_layers(base: &Record, layers: &[&Layer]) -> Record {
    let mut merged = base.clone();
    for layer in layers {
        if let Some(upper) = layer.value.as_record() {
            merged = merge_record(&merged, upper);
        }
    }
    merged
}

/// `upper` over `lower`, as the evaluator merges layers: records merge field by
/// field (records of two different constructors replace); `+=` appends to a
/// list, `-=` removes from it; anything else replaces.
pub(crate) fn merge_record(lower: &Record, upper: &Record) -> Record {
    let mut merged = lower.clone();
    merged.ty = lower.ty.or(upper.ty);
    for field in &upper.fields {
        let Some(position) = merged
            .fields
            .iter()
            .position(|existing| existing.name == field.name)
        else {
            if field.op != SetOp::Remove {
                let mut field = field.clone();
                field.op = SetOp::Set;
                merged.fields.push(field);
            }
            continue;
        };
        let existing = &merged.fields[position].value;
        let value = match (&existing.kind, &field.value.kind, field.op) {
            (ValueKind::Record(below), ValueKind::Record(above), SetOp::Set)
                if below.ty.is_none() || above.ty.is_none() || below.ty == above.ty =>
            {
                Value::new(
                    ValueKind::Record(Arc::new(merge_record(below, above))),
                    field.value.span,
                )
            }
            (ValueKind::List(below), ValueKind::List(above), SetOp::Append) => {
                let items: Vec<Value> = below.iter().chain(above.iter()).cloned().collect();
                Value::new(ValueKind::List(items.into()), field.value.span)
            }
            (ValueKind::List(below), ValueKind::List(above), SetOp::Remove) => {
                let items: Vec<Value> = below
                    .iter()
                    .filter(|item| !above.iter().any(|removed| same_value(item, removed)))
                    .cloned()
                    .collect();
                Value::new(ValueKind::List(items.into()), field.value.span)
            }
            _ => field.value.clone(),
        };
        merged.fields[position].value = value;
    }
    merged
}
