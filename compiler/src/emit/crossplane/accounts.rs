//! The cloud accounts Crossplane creates clusters in, from the fleet's
//! `accounts`: a Google Cloud project for GKE clusters, an Azure subscription
//! and tenant for AKS clusters (AWS takes the account of the IRSA role). A
//! cluster on a cloud whose account the fleet does not name cannot be created:
//! `fleet build` stops with E0423 at the first such cluster.

use crate::diagnostics::{Diagnostic, code};
use crate::model::FleetModel;

/// The fleet's `accounts`, as the provider configs need them.
#[derive(Default)]
pub struct Accounts {
    pub gcp_project: Option<String>,
    pub azure_subscription: Option<String>,
    pub azure_tenant: Option<String>,
}

impl Accounts {
    pub fn of(model: &FleetModel) -> Accounts {
        let accounts = model
            .fleet
            .as_ref()
            .and_then(|fleet| fleet.value.as_record()?.get("accounts")?.as_record());
        let text = |name: &str| {
            accounts
                .and_then(|record| record.get(name)?.as_str())
                .map(str::to_string)
        };
        Accounts {
            gcp_project: text("gcp_project"),
            azure_subscription: text("azure_subscription"),
            azure_tenant: text("azure_tenant"),
        }
    }
}

/// E0423, from `fleet build`: for each cloud with a cluster but no account,
/// one diagnostic at its first cluster.
pub fn missing_accounts(model: &FleetModel) -> Vec<Diagnostic> {
    let Some(fleet) = &model.fleet else {
        return Vec::new();
    };
    let accounts = Accounts::of(model);
    let mut diagnostics = Vec::new();
    for (cloud, missing, example) in [
        (
            "gcp",
            [("gcp_project", accounts.gcp_project.is_none())].to_vec(),
            "accounts { gcp_project = \"acme-platform\" }",
        ),
        (
            "azure",
            [
                ("azure_subscription", accounts.azure_subscription.is_none()),
                ("azure_tenant", accounts.azure_tenant.is_none()),
            ]
            .to_vec(),
            "accounts { azure_subscription = \"<subscription UUID>\", azure_tenant = \"<tenant UUID>\" }",
        ),
    ] {
        let missing: Vec<&str> = missing
            .into_iter()
            .filter(|(_, missing)| *missing)
            .map(|(name, _)| name)
            .collect();
        if missing.is_empty() {
            continue;
        }
        let mut on_cloud = model
            .clusters
            .iter()
            .filter(|cluster| &*cluster.cloud == cloud);
        let Some(first) = on_cloud.next() else {
            continue;
        };
        let more = match on_cloud.count() {
            0 => String::new(),
            1 => " (and 1 more cluster)".to_string(),
            n => format!(" (and {n} more clusters)"),
        };
        let span = first
            .declared
            .value
            .as_record()
            .and_then(|record| record.get("cloud"))
            .map(|cloud| cloud.span)
            .filter(|span| span.in_fleet())
            .unwrap_or(first.declared.span);
        diagnostics.push(
            Diagnostic::new(
                code::E0423,
                format!(
                    "cluster `{}` is on {cloud}, and the fleet names no `{}` to create it in",
                    first.declared.name,
                    missing.join("` or `")
                ),
            )
            .with_primary(span, format!("a {cloud} cluster{more}"))
            .with_secondary(fleet.span, "the fleet, whose `accounts` name them")
            .with_help(format!("name the account in the fleet: `{example}`")),
        );
    }
    diagnostics
}
