//! The fleet model as JSON (`fleet eval`): every declaration with its checked
//! fields, targets as the selector that wrote them and the clusters it selects,
//! overlays as layers. Quantities print as Kubernetes writes them (`250m`,
//! `512Mi`); names of variants and declarations print as names. A record made by
//! a record type (a constructor call such as `vault(...)`, or a record checked
//! against a type such as `AwsCluster`) names that type in a first key, `$type`.
//! No identifier starts with `$`, so only a field declared as the string
//! `"$type"` could clash; its value would replace the type's name.

use crate::db::Db;
use crate::eval::value::{CompareOp, Predicate, Record, Value, ValueKind};
use crate::model::{ClusterSet, Declared, FleetModel};
use crate::names::Name;
use crate::names::index::ItemId;
use rustc_hash::FxHashMap;
use serde_json::{Map, Value as Json, json};
use std::cell::RefCell;

/// A target set lists its clusters up to this many; past it, only the count.
pub const LISTED_CLUSTERS: usize = 100;

/// The key that names the record type a record was made with.
pub const TYPE_KEY: &str = "$type";

pub fn model_to_json(db: &dyn Db, model: &FleetModel) -> Json {
    let writer = Writer::new(db);
    let declared = |declared: &Declared| writer.declared(declared, Map::new());
    let set = |set: &ClusterSet| set_json(set, model);
    json!({
        "fleet": model.fleet.as_ref().map(declared),
        "envs": model.envs.iter().map(declared).collect::<Vec<_>>(),
        "teams": model.teams.iter().map(declared).collect::<Vec<_>>(),
        "clusters": model.clusters.iter().map(|cluster| declared(&cluster.declared)).collect::<Vec<_>>(),
        "apps": model.apps.iter().map(|app| {
            let mut extra = Map::new();
            extra.insert("targets".into(), set(&app.targets));
            extra.insert(
                "layers".into(),
                app.layers
                    .iter()
                    .map(|layer| json!({ "at": layer.key.describe(), "set": writer.value(&layer.value) }))
                    .collect::<Vec<_>>()
                    .into(),
            );
            writer.declared(&app.declared, extra)
        }).collect::<Vec<_>>(),
        "promotions": model.promotions.iter().map(declared).collect::<Vec<_>>(),
        "policies": model.policies.iter().map(|policy| {
            let mut extra = Map::new();
            extra.insert("targets".into(), set(&policy.targets));
            writer.declared(&policy.declared, extra)
        }).collect::<Vec<_>>(),
        "manifests": model.manifests.iter().map(|manifest| {
            let mut extra = Map::new();
            extra.insert("targets".into(), set(&manifest.targets));
            writer.declared(&manifest.declared, extra)
        }).collect::<Vec<_>>(),
    })
}

/// Writes values, looking up the names of record types (once each).
struct Writer<'db> {
    db: &'db dyn Db,
    type_names: RefCell<FxHashMap<ItemId, Option<Name>>>,
}

impl<'db> Writer<'db> {
    fn new(db: &'db dyn Db) -> Writer<'db> {
        Writer {
            db,
            type_names: RefCell::new(FxHashMap::default()),
        }
    }

    fn declared(&self, declared: &Declared, extra: Map<String, Json>) -> Json {
        let mut object = Map::new();
        object.insert("name".into(), Json::String(declared.name.to_string()));
        if let Some(iteration) = &declared.iteration {
            object.insert(
                "generated_by".into(),
                Json::String(format!("for {iteration}")),
            );
        }
        if let Json::Object(fields) = self.value(&declared.value) {
            object.extend(fields);
        }
        object.extend(extra);
        Json::Object(object)
    }

    fn value(&self, value: &Value) -> Json {
        match &value.kind {
            ValueKind::List(items) => {
                Json::Array(items.iter().map(|item| self.value(item)).collect())
            }
            ValueKind::Record(record) => self.record(record),
            _ => value_json(value),
        }
    }

    fn record(&self, record: &Record) -> Json {
        let mut object = Map::new();
        if let Some(name) = record.ty.and_then(|item| self.type_name(item)) {
            object.insert(TYPE_KEY.into(), Json::String(name.to_string()));
        }
        for field in &record.fields {
            object.insert(field.name.to_string(), self.value(&field.value));
        }
        Json::Object(object)
    }

    /// The name a record type is declared with (`vault`, `AwsCluster`).
    fn type_name(&self, item: ItemId) -> Option<Name> {
        self.type_names
            .borrow_mut()
            .entry(item)
            .or_insert_with(|| {
                crate::names::items::plain_name(crate::names::index::item_node(self.db, item))
            })
            .clone()
    }
}

/// A value as JSON, without the names of record types (a record's `$type`), for
/// where no database is at hand.
pub fn value_json(value: &Value) -> Json {
    match &value.kind {
        ValueKind::Bool(value) => Json::Bool(*value),
        ValueKind::Int(value) => json!(value),
        ValueKind::String(text) => Json::String(text.to_string()),
        ValueKind::QuantityLiteral(text) => Json::String(text.to_string()),
        ValueKind::Quantity(quantity) => Json::String(quantity.to_string()),
        ValueKind::List(items) => Json::Array(items.iter().map(value_json).collect()),
        ValueKind::Record(record) => Json::Object(
            record
                .fields
                .iter()
                .map(|field| (field.name.to_string(), value_json(&field.value)))
                .collect(),
        ),
        ValueKind::Symbol(name) | ValueKind::Variant { name, .. } | ValueKind::Ref { name, .. } => {
            Json::String(name.to_string())
        }
        ValueKind::Selector(selector) => {
            json!({ "where": selector.predicate.as_ref().map(predicate_text) })
        }
        ValueKind::Rest => Json::String("rest".into()),
        ValueKind::Error => Json::Null,
    }
}

fn set_json(set: &ClusterSet, model: &FleetModel) -> Json {
    let mut object = Map::new();
    object.insert(
        "where".into(),
        set.predicate
            .as_ref()
            .map(predicate_text)
            .map_or(Json::Null, Json::String),
    );
    object.insert("count".into(), json!(set.len()));
    if set.len() <= LISTED_CLUSTERS {
        let names: Vec<Json> = set
            .indices()
            .map(|index| Json::String(model.clusters[index].declared.name.to_string()))
            .collect();
        object.insert("clusters".into(), Json::Array(names));
    }
    Json::Object(object)
}

/// A predicate as `fleet` source: `env in [dev, staging] and cloud == aws`.
pub fn predicate_text(predicate: &Predicate) -> String {
    match predicate {
        Predicate::Constant(value) => value.to_string(),
        Predicate::Not(inner) => format!("not ({})", predicate_text(inner)),
        Predicate::And(parts) => parts
            .iter()
            .map(|part| group(part, predicate_text(part)))
            .collect::<Vec<_>>()
            .join(" and "),
        Predicate::Or(parts) => parts
            .iter()
            .map(|part| group(part, predicate_text(part)))
            .collect::<Vec<_>>()
            .join(" or "),
        Predicate::Compare {
            field, op, values, ..
        } => {
            let shown: Vec<String> = values.iter().map(shown_value).collect();
            match op {
                CompareOp::Equal => format!("{field} == {}", shown.join(", ")),
                CompareOp::NotEqual => format!("{field} != {}", shown.join(", ")),
                CompareOp::In => format!("{field} in [{}]", shown.join(", ")),
                CompareOp::NotIn => format!("{field} not in [{}]", shown.join(", ")),
            }
        }
    }
}

fn group(part: &Predicate, text: String) -> String {
    match part {
        Predicate::And(_) | Predicate::Or(_) => format!("({text})"),
        _ => text,
    }
}

fn shown_value(value: &Value) -> String {
    match &value.kind {
        ValueKind::String(text) => format!("\"{text}\""),
        _ => value.interpolated().unwrap_or_else(|| value.describe()),
    }
}
