//! Words for the editor: a value as `fleet` shows it, where a value was set (the
//! layer and the file), and one-line facts about declared things.

use super::locate::{file_of, item_at, item_name};
use crate::db::{Db, Origin, Workspace};
use crate::diagnostics::Span;
use crate::eval::value::Value;
use crate::model::FleetModel;
use crate::model_json::value_json;
use crate::names::index::ItemId;
use crate::syntax::{SyntaxKind::*, SyntaxNode};

/// Long values are cut: a hover is read at a glance.
const MAX_VALUE_CHARS: usize = 240;
/// How many clusters a hover names before it only counts them.
pub const LISTED_CLUSTERS: usize = 12;

/// A value as compact JSON-like text: `6`, `"1.4.0"`, `{"cpu":"100m"}`.
pub fn value_text(value: &Value) -> String {
    let text = value_json(value).to_string();
    if text.chars().count() <= MAX_VALUE_CHARS {
        return text;
    }
    let cut: String = text.chars().take(MAX_VALUE_CHARS).collect();
    format!("{cut}…")
}

/// Where a span is, as a layer and a file: "overlay `web @ production`,
/// apps.fleet:12", "default of type `App`, std/apps.fleet:40".
pub fn origin(db: &dyn Db, workspace: Workspace, span: Span) -> String {
    let Some(file) = file_of(db, workspace, span.file) else {
        return "unknown place".into();
    };
    let text = file.text(db);
    let start = usize::from(span.range.start()).min(text.len());
    let line = text[..start].bytes().filter(|byte| *byte == b'\n').count() + 1;
    let place = format!("{}:{line}", short_path(file.path(db), file.origin(db)));
    match item_at(db, file, span.range.start()) {
        Some((_, node)) => format!("{}, {place}", layer_of(node)),
        None => place,
    }
}

/// The file's name as the editor shows it in a hover: the stdlib's as
/// `std/<file>`, the fleet's by its last component.
fn short_path(path: &str, origin: Origin) -> String {
    match origin {
        Origin::Stdlib => path.to_string(),
        Origin::Fleet => std::path::Path::new(path)
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_string()),
    }
}

/// What kind of layer an item is, for provenance.
fn layer_of(node: SyntaxNode<'_>) -> String {
    let name = item_name(node).unwrap_or_else(|| "?".into());
    match node.kind() {
        OVERLAY_DECL => format!("overlay `{}`", header_text(node)),
        TEMPLATE_DECL => format!("template `{name}`"),
        TYPE_DECL => format!("default of type `{name}`"),
        LET => format!("let `{name}`"),
        kind => match crate::types::lower::declaration_kind(kind) {
            Some((word, _)) => format!("{word} `{name}`"),
            None => "this file".into(),
        },
    }
}

/// A declaration's text after its keyword and before its body, on one line:
/// `web @ production, region "eu-west-1"`, `prod-asia: Cluster`.
pub fn header_text(node: SyntaxNode<'_>) -> String {
    let end = node
        .child_of_kind(BODY)
        .map(|body| body.range().start())
        .unwrap_or_else(|| node.range().end());
    let mut significant = node
        .descendant_tokens()
        .filter(|token| !token.kind().is_trivia());
    // The declaration word.
    significant.next();
    let Some(first) = significant
        .next()
        .filter(|token| token.range().start() < end)
    else {
        return String::new();
    };
    source_text(node, first.range().start(), end)
}

/// The source between two offsets of `node`'s tree, white space runs folded.
pub fn source_text(
    node: SyntaxNode<'_>,
    start: text_size::TextSize,
    end: text_size::TextSize,
) -> String {
    let text = node.tree().text();
    let start = usize::from(start).min(text.len());
    let end = usize::from(end).clamp(start, text.len());
    text[start..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Facts about a declared thing from the evaluated fleet, one per line.
pub fn facts(model: &FleetModel, item: ItemId) -> Vec<String> {
    let mut facts = Vec::new();
    if let Some((index, cluster)) = model
        .clusters
        .iter()
        .enumerate()
        .find(|(_, cluster)| cluster.declared.item == item)
    {
        facts.push(format!(
            "cloud `{}`, region `{}`, env `{}`, Kubernetes `{}`",
            cluster.cloud, cluster.region, cluster.env, cluster.kubernetes
        ));
        let apps: Vec<&str> = model
            .apps
            .iter()
            .filter(|app| app.targets.contains(index))
            .map(|app| &*app.declared.name)
            .collect();
        facts.push(format!("runs {}", counted_names(&apps, "app")));
        let policies: Vec<&str> = model
            .policies
            .iter()
            .filter(|policy| policy.targets.contains(index))
            .map(|policy| &*policy.declared.name)
            .collect();
        facts.push(match policies.len() {
            0 => "no policy applies to it".to_string(),
            _ => format!("under {}", counted_names(&policies, "policy")),
        });
    }
    if let Some(app) = model.apps.iter().find(|app| app.declared.item == item) {
        facts.push(format!("targets {}", cluster_list(model, &app.targets)));
        for layer in &app.layers {
            facts.push(format!("overlay for {}", layer.key.describe()));
        }
    }
    if let Some(policy) = model
        .policies
        .iter()
        .find(|policy| policy.declared.item == item)
    {
        facts.push(format!(
            "applies to {}",
            cluster_list(model, &policy.targets)
        ));
    }
    if let Some(env) = model.envs.iter().find(|env| env.item == item) {
        let clusters: Vec<&str> = model
            .clusters
            .iter()
            .filter(|cluster| cluster.env == env.name)
            .map(|cluster| &*cluster.declared.name)
            .collect();
        facts.push(format!("has {}", counted_names(&clusters, "cluster")));
    }
    if let Some(team) = model.teams.iter().find(|team| team.item == item) {
        let apps: Vec<&str> = model
            .apps
            .iter()
            .filter(|app| {
                app.declared
                    .value
                    .as_record()
                    .and_then(|record| record.get("team"))
                    .and_then(Value::name)
                    .is_some_and(|owner| *owner == team.name)
            })
            .map(|app| &*app.declared.name)
            .collect();
        facts.push(format!("owns {}", counted_names(&apps, "app")));
    }
    facts
}

/// The clusters of a set: "3 clusters: `a`, `b`, `c`", the first few named.
pub fn cluster_list(model: &FleetModel, set: &crate::model::ClusterSet) -> String {
    let names: Vec<&str> = set
        .indices()
        .filter_map(|index| model.clusters.get(index))
        .map(|cluster| &*cluster.declared.name)
        .collect();
    counted_names(&names, "cluster")
}

/// "no apps", "1 app: `web`", "14 apps: `a`, `b`, … and 2 more".
fn counted_names(names: &[&str], noun: &str) -> String {
    let plural = match (names.len(), noun.strip_suffix('y')) {
        (1, _) => noun.to_string(),
        (_, Some(stem)) => format!("{stem}ies"),
        (_, None) => format!("{noun}s"),
    };
    if names.is_empty() {
        return format!("no {plural}");
    }
    let shown: Vec<String> = names
        .iter()
        .take(LISTED_CLUSTERS)
        .map(|name| format!("`{name}`"))
        .collect();
    let more = names.len().saturating_sub(LISTED_CLUSTERS);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!("{} {plural}: {}{tail}", names.len(), shown.join(", "))
}
