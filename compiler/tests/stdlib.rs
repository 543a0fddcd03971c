//! The stdlib's own data is checked by its own types: every variant of every enum
//! that declares a type for its attributes (regions and their cities, instance
//! families, Kubernetes versions and their support dates) conforms to it, and every
//! stdlib type lowers without a diagnostic. A fleet uses only some variants, so a
//! mistake in the others would otherwise wait for the first fleet that names them.

use fleet_compiler::check::workspace;
use fleet_compiler::db::{Database, Origin};
use fleet_compiler::eval::Evaluator;
use fleet_compiler::names::ItemKind;
use fleet_compiler::names::index::ItemId;
use fleet_compiler::names::items::file_items;
use fleet_compiler::source::FileId;
use std::sync::Arc;

#[test]
fn every_stdlib_type_and_enum_attribute_checks_clean() {
    let db = Database::default();
    let fleet = "fleet acme { repo = \"https://github.com/acme/gitops\" }\nenv dev {}\n";
    let ws = workspace(
        &db,
        [(
            FileId(0),
            "fleet.fleet".to_string(),
            Arc::from(fleet),
            Arc::from(""),
        )],
    );
    let evaluator = Evaluator::new(&db, ws);
    let mut enums = 0;
    for &file in ws.files(&db) {
        if file.origin(&db) != Origin::Stdlib {
            continue;
        }
        for (local, item) in file_items(&db, file).items.iter().enumerate() {
            let id = ItemId::plain(&db, file, local as u32);
            match item.kind {
                ItemKind::Type => {
                    evaluator.type_def(id);
                }
                ItemKind::Enum => {
                    enums += 1;
                    evaluator.check_variant_attributes(id);
                }
                _ => {}
            }
        }
    }
    assert!(enums >= 10, "only {enums} stdlib enums were found");
    let diagnostics = evaluator.take_diagnostics();
    let shown: Vec<String> = diagnostics
        .iter()
        .map(|diagnostic| {
            format!(
                "{} {} at {:?}",
                diagnostic.code.id,
                diagnostic.message,
                diagnostic.primary.as_ref().map(|label| label.span)
            )
        })
        .collect();
    assert!(
        shown.is_empty(),
        "the stdlib does not check against itself:\n{}",
        shown.join("\n")
    );
}
