//! E0403: the names that become Kubernetes object names must be DNS-1123 labels.

use crate::diagnostics::wording::with_article;
use crate::diagnostics::{Diagnostic, code};
use crate::eval::Evaluator;
use crate::model::{Declared, FleetModel};

/// At most 63 characters of lower-case letters, digits and `-`, starting and
/// ending with a letter or digit.
pub fn is_dns1123_label(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

pub fn declaration_names(evaluator: &Evaluator<'_>, model: &FleetModel) {
    let groups: [(&str, Vec<&Declared>); 6] = [
        (
            "cluster",
            model
                .clusters
                .iter()
                .map(|cluster| &cluster.declared)
                .collect(),
        ),
        ("app", model.apps.iter().map(|app| &app.declared).collect()),
        ("env", model.envs.iter().collect()),
        ("team", model.teams.iter().collect()),
        (
            "policy",
            model
                .policies
                .iter()
                .map(|policy| &policy.declared)
                .collect(),
        ),
        (
            "manifest",
            model
                .manifests
                .iter()
                .map(|manifest| &manifest.declared)
                .collect(),
        ),
    ];
    for (kind, declarations) in groups {
        for declared in declarations {
            if is_dns1123_label(&declared.name) {
                continue;
            }
            let suggestion: String = declared
                .name
                .to_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect::<String>()
                .trim_matches('-')
                .chars()
                .take(63)
                .collect();
            let kind = with_article(kind);
            let mut diagnostic = Diagnostic::new(code::E0403, format!("`{}` cannot name {kind}", declared.name))
                .with_primary(declared.span, "not a DNS-1123 label")
                .with_note(format!(
                    "the name of {kind} becomes a Kubernetes object name: at most 63 lower-case letters, digits and `-`, starting and ending with a letter or digit"
                ));
            if let Some(iteration) = &declared.iteration {
                diagnostic =
                    diagnostic.with_note(format!("made by the `for` iteration {iteration}"));
            }
            if is_dns1123_label(&suggestion) {
                diagnostic = diagnostic.with_help(format!("for example `{suggestion}`"));
            }
            evaluator.report(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_dns1123_label;

    #[test]
    fn dns_labels() {
        assert!(is_dns1123_label("prod-eu-1"));
        assert!(is_dns1123_label("1password"));
        assert!(!is_dns1123_label("Prod"));
        assert!(!is_dns1123_label("-a"));
        assert!(!is_dns1123_label("a_b"));
        assert!(!is_dns1123_label(&"a".repeat(64)));
    }
}
