//! What the admission check's unit tests evaluate: the stdlib's rules, and two
//! Pods, one every rule passes (shared with `tests/build_kyverno.rs`) and one
//! that breaks most of them.

use crate::emit::document::Node;

/// The `validate` of every stdlib rule that the build can check (not those
/// reading `namespaceObject`).
pub fn stdlib_rules() -> Vec<&'static str> {
    let rules: Vec<&str> = crate::stdlib::FILES
        .iter()
        .find(|file| file.path == "std/policies.fleet")
        .expect("the stdlib has its policies")
        .text
        .lines()
        .filter_map(|line| line.trim().strip_prefix("validate = \""))
        .map(|line| line.strip_suffix('"').expect("a rule on one line"))
        .filter(|expression| !expression.contains("namespaceObject"))
        .collect();
    assert!(rules.len() >= 30, "{}", rules.len());
    rules
}

/// The hardened Pod, then the loose one.
pub fn pods() -> Vec<Node> {
    [
        include_str!("../../../../tests/admission/hardened-pod.json"),
        include_str!("../../../../tests/admission/loose-pod.json"),
    ]
    .iter()
    .map(|text| {
        let value: serde_json::Value = serde_json::from_str(text).expect("the Pod is JSON");
        Node::from(&value)
    })
    .collect()
}
