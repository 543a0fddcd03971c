//! The generator of the benchmark workload W(n) (shared/bench/workload.md): a synthetic
//! fleet of `n` clusters, `max(1, n / 5)` apps and 10 policies, as `.fleet` source in
//! the compact form (`for` over a range) or the explicit form (every cluster written out).
//!
//! The explicit form writes each cluster as a hand-kept fleet does: its name, region,
//! env and `applications` node-group minimum, over a template per cloud (`eks`, `gke`)
//! that holds the cloud, the Kubernetes version and the node groups (node groups merge
//! by `name`). That keeps W(10,000) near the 3 MB the description gives; with every
//! field repeated in every cluster it would be about 4.7 MB. The compact form computes
//! the cloud and instance types from the region in one loop over `Cluster`.
//!
//! The output depends on `n`, the form and the number of files only: no clock, no
//! hash-map order.

use std::fmt::Write;
use std::ops::Range;

/// How the clusters and apps are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Form {
    /// Clusters and apps written with `for i in range(N)` over `let` lists, as a
    /// person writes a generated fleet.
    Compact,
    /// Every cluster and every app written out, as a large hand-kept fleet looks
    /// (about 3 MB of source at n = 10,000).
    Explicit,
}

/// The name of the file that holds the shared declarations in [`generate_files`].
pub const SHARED_FILE: &str = "fleet.fleet";

const ENVS: [&str; 3] = ["dev", "staging", "production"];

const TEAMS: [&str; 4] = ["payments", "search", "identity", "growth"];

/// The Kubernetes version every cluster pins.
const KUBERNETES: &str = "1.35";

struct Region {
    name: &'static str,
    cloud: &'static str,
    /// The template that holds what the clusters of this cloud share.
    template: &'static str,
    system_instance: &'static str,
    applications_instance: &'static str,
}

const REGIONS: [Region; 3] = [
    Region {
        name: "us-east-1",
        cloud: "aws",
        template: "eks",
        system_instance: "m6i.xlarge",
        applications_instance: "m6i.2xlarge",
    },
    Region {
        name: "eu-west-1",
        cloud: "aws",
        template: "eks",
        system_instance: "m6i.xlarge",
        applications_instance: "m6i.2xlarge",
    },
    Region {
        name: "asia-south1",
        cloud: "gcp",
        template: "gke",
        system_instance: "n2-standard-4",
        applications_instance: "n2-standard-8",
    },
];

/// The policies of the stdlib library, and whether production enforces them (dev and
/// staging only audit).
const POLICIES: [(&str, bool); 10] = [
    ("require-resource-limits", true),
    ("disallow-latest-tag", true),
    ("require-labels", false),
    ("disallow-privileged", true),
    ("require-run-as-non-root", true),
    ("disallow-host-network", true),
    ("require-probes", false),
    ("restrict-image-registries", true),
    ("disallow-default-namespace", true),
    ("require-read-only-root-fs", false),
];

const ALL_ENVS_SELECTOR: &str = "clusters where env in [dev, staging, production]";

/// The number of apps of W(n).
pub fn app_count(n: usize) -> usize {
    (n / 5).max(1)
}

/// W(n) as one `.fleet` file: the shared declarations, then the clusters, then the apps.
pub fn generate(n: usize, form: Form) -> String {
    let mut out = String::with_capacity(estimated_size(n, form));
    writeln!(
        out,
        "// W({n}), {} form: the benchmark fleet of shared/bench/workload.md",
        form.word()
    )
    .unwrap();
    out.push('\n');
    shared(&mut out, form);
    out.push('\n');
    part(&mut out, form, 0..n, 0..app_count(n));
    out
}

/// W(n) split into files, as (file name, text): the shared declarations (fleet
/// settings, envs, teams, templates, policies, and the `let` lists of the compact form)
/// in [`SHARED_FILE`], then the clusters and apps spread evenly over `files` files
/// named `clusters-000.fleet`, `clusters-001.fleet`, ... (`files + 1` files in all).
///
/// `files` is clamped to `1..=n` (to 1 when n is 0), so that no file is empty.
pub fn generate_files(n: usize, form: Form, files: usize) -> Vec<(String, String)> {
    let files = files.clamp(1, n.max(1));
    let apps = app_count(n);
    let width = (files - 1).to_string().len().max(3);
    let mut result = Vec::with_capacity(files + 1);

    let mut text = String::new();
    writeln!(
        text,
        "// {SHARED_FILE} — W({n}), {} form: what the {files} cluster files share",
        form.word()
    )
    .unwrap();
    text.push('\n');
    shared(&mut text, form);
    result.push((SHARED_FILE.to_string(), text));

    for k in 0..files {
        let clusters = n * k / files..n * (k + 1) / files;
        let app_range = apps * k / files..apps * (k + 1) / files;
        let name = format!("clusters-{k:0width$}.fleet");
        let mut text = String::with_capacity(estimated_size(n, form) / files);
        writeln!(
            text,
            "// {name} — W({n}), {} form: clusters {}, apps {}",
            form.word(),
            describe(&clusters),
            describe(&app_range)
        )
        .unwrap();
        text.push('\n');
        part(&mut text, form, clusters, app_range);
        result.push((name, text));
    }
    result
}

impl Form {
    fn word(self) -> &'static str {
        match self {
            Form::Compact => "compact",
            Form::Explicit => "explicit",
        }
    }
}

/// `3..6` for a range, `none` for an empty one.
fn describe(range: &Range<usize>) -> String {
    if range.is_empty() {
        "none".to_string()
    } else {
        format!("{}..{}", range.start, range.end)
    }
}

fn estimated_size(n: usize, form: Form) -> usize {
    match form {
        Form::Compact => 8 * 1024,
        Form::Explicit => 8 * 1024 + n * 300,
    }
}

/// The clusters `clusters` and the apps `apps` of W(n).
fn part(out: &mut String, form: Form, clusters: Range<usize>, apps: Range<usize>) {
    match form {
        Form::Compact => {
            if !clusters.is_empty() {
                compact_clusters(out, &clusters);
            }
            if !apps.is_empty() {
                if !clusters.is_empty() {
                    out.push('\n');
                }
                compact_apps(out, &apps);
            }
        }
        Form::Explicit => {
            for i in clusters {
                explicit_cluster(out, i);
                out.push('\n');
            }
            for j in apps {
                explicit_app(out, j);
                out.push('\n');
            }
            // One blank line between declarations, none at the end of the file.
            if out.ends_with("\n\n") {
                out.pop();
            }
        }
    }
}

/// Fleet settings, envs, teams, templates and policies; in the compact form also the
/// `let` lists the loops index.
fn shared(out: &mut String, form: Form) {
    out.push_str(concat!(
        "import std.policies\n",
        "\n",
        "fleet acme {\n",
        "  repo = \"https://github.com/acme/gitops-control-plane\"\n",
        "  branch = \"main\"\n",
        "  targets { crossplane = \"2.3\", flux = \"2.9\", argocd = \"3.5\", kyverno = \"1.19\" }\n",
        "  accounts { gcp_project = \"acme-platform\" }\n",
        "  secrets = vault(\"https://vault.acme.internal\", role = \"fleet\")\n",
        "  notify = slack(\"#platform-alerts\")\n",
        "}\n",
        "\n",
    ));
    for env in ENVS {
        writeln!(out, "env {env} {{}}").unwrap();
    }
    out.push('\n');
    for team in TEAMS {
        writeln!(
            out,
            "team {team} {{ owners = [\"@acme/{team}\"], namespaces = [\"{team}\"] }}"
        )
        .unwrap();
    }
    out.push('\n');
    if form == Form::Compact {
        out.push_str("let envs = [");
        list(out, ENVS.iter().map(|env| env.to_string()));
        out.push_str("]\nlet regions = [");
        list(
            out,
            REGIONS.iter().map(|region| format!("\"{}\"", region.name)),
        );
        out.push_str("]\nlet teams = [");
        list(out, TEAMS.iter().map(|team| team.to_string()));
        out.push_str("]\n\n");
    }
    if form == Form::Explicit {
        templates(out);
    }
    for (k, (policy, enforced)) in POLICIES.iter().enumerate() {
        let production = if *enforced { "enforce" } else { "audit" };
        writeln!(
            out,
            "policy {policy}: policies.{} {{",
            policy.replace('-', "_")
        )
        .unwrap();
        writeln!(
            out,
            "  mode = {{ dev = audit, staging = audit, production = {production} }}"
        )
        .unwrap();
        writeln!(out, "  targets = {ALL_ENVS_SELECTOR}").unwrap();
        if *policy == "restrict-image-registries" {
            // The registry every app's image comes from (workload.md).
            writeln!(
                out,
                "  params = {{ registries = [\"registry.example.com/\"] }}"
            )
            .unwrap();
        }
        out.push_str("}\n");
        if k + 1 < POLICIES.len() {
            out.push('\n');
        }
    }
}

fn list(out: &mut String, items: impl Iterator<Item = String>) {
    for (k, item) in items.enumerate() {
        if k > 0 {
            out.push_str(", ");
        }
        out.push_str(&item);
    }
}

/// The `range(...)` of a loop over `range`: `range(end)` from 0, else `range(start, end)`.
fn range_call(range: &Range<usize>) -> String {
    if range.start == 0 {
        format!("range({})", range.end)
    } else {
        format!("range({}, {})", range.start, range.end)
    }
}

const TAINT: &str = "{ key = \"workload\", value = \"apps\", effect = no_schedule }";

/// One template per cloud: what the clusters of that cloud share. The clusters give
/// the `applications` node group its `min` (node groups merge by `name`).
fn templates(out: &mut String) {
    for region in [&REGIONS[0], &REGIONS[2]] {
        writeln!(out, "template {}: Cluster {{", region.template).unwrap();
        writeln!(out, "  cloud = {}", region.cloud).unwrap();
        writeln!(out, "  kubernetes = \"{KUBERNETES}\"").unwrap();
        out.push_str("  node_groups = [\n");
        writeln!(
            out,
            "    {{ name = \"system\", instance = \"{}\", min = 3, max = 10 }},",
            region.system_instance
        )
        .unwrap();
        writeln!(
            out,
            "    {{ name = \"applications\", instance = \"{}\", max = 50, taints = [{TAINT}] }},",
            region.applications_instance
        )
        .unwrap();
        out.push_str("  ]\n}\n\n");
    }
}

fn explicit_cluster(out: &mut String, i: usize) {
    let env = ENVS[i % 3];
    let region = &REGIONS[(i / 3) % 3];
    writeln!(
        out,
        "cluster {env}-{}-{i}: {} {{",
        region.name, region.template
    )
    .unwrap();
    writeln!(out, "  region = \"{}\"", region.name).unwrap();
    writeln!(out, "  env = {env}").unwrap();
    writeln!(
        out,
        "  node_groups = [{{ name = \"applications\", min = {} }}]",
        2 + i % 4
    )
    .unwrap();
    out.push_str("}\n");
}

fn explicit_app(out: &mut String, j: usize) {
    let team = TEAMS[j % 4];
    writeln!(out, "app app-{j} {{").unwrap();
    writeln!(out, "  team = {team}").unwrap();
    writeln!(out, "  namespace = \"{team}\"").unwrap();
    writeln!(out, "  targets = {ALL_ENVS_SELECTOR}").unwrap();
    out.push_str("  workload {\n");
    writeln!(out, "    image = \"registry.example.com/{team}/app-{j}\"").unwrap();
    out.push_str(WORKLOAD_SETTINGS);
    writeln!(
        out,
        "    labels = {{ \"app.kubernetes.io/name\" = \"app-{j}\", team = \"{team}\" }}"
    )
    .unwrap();
    out.push_str("  }\n");
    writeln!(
        out,
        "  version {{ dev = \"1.{j}.2\", staging = \"1.{j}.1\", production = \"1.{j}.0\" }}"
    )
    .unwrap();
    out.push_str("}\n\n");
    for (replicas, env) in ENVS.iter().enumerate() {
        writeln!(
            out,
            "overlay app-{j} @ {env} {{ replicas = {} }}",
            replicas + 1
        )
        .unwrap();
    }
}

/// What every app's workload sets to satisfy the enforced policies, at the
/// indentation of a `workload` block in an app.
const WORKLOAD_SETTINGS: &str = concat!(
    "    port = 8080\n",
    "    requests = { cpu = 100m, memory = 128Mi }\n",
    "    limits = { cpu = 500m, memory = 256Mi }\n",
    "    liveness = http_get(\"/healthz\", port = 8080)\n",
    "    readiness = http_get(\"/healthz\", port = 8080)\n",
    "    run_as_non_root = true\n",
    "    read_only_root_filesystem = true\n",
);

fn compact_clusters(out: &mut String, clusters: &Range<usize>) {
    const GCP: &str = "regions[(i / 3) % 3] == \"asia-south1\"";
    writeln!(out, "for i in {} {{", range_call(clusters)).unwrap();
    out.push_str("  cluster \"${envs[i % 3]}-${regions[(i / 3) % 3]}-${i}\": Cluster {\n");
    writeln!(out, "    cloud = if {GCP} then gcp else aws").unwrap();
    out.push_str("    region = regions[(i / 3) % 3]\n");
    out.push_str("    env = envs[i % 3]\n");
    writeln!(out, "    kubernetes = \"{KUBERNETES}\"").unwrap();
    out.push_str("    node_groups = [\n");
    writeln!(
        out,
        "      {{ name = \"system\", instance = if {GCP} then \"{}\" else \"{}\", min = 3, max = 10 }},",
        REGIONS[2].system_instance, REGIONS[0].system_instance
    )
    .unwrap();
    writeln!(
        out,
        "      {{ name = \"applications\", instance = if {GCP} then \"{}\" else \"{}\", min = 2 + i % 4, max = 50, taints = [{TAINT}] }},",
        REGIONS[2].applications_instance, REGIONS[0].applications_instance
    )
    .unwrap();
    out.push_str("    ]\n  }\n}\n");
}

fn compact_apps(out: &mut String, apps: &Range<usize>) {
    writeln!(out, "for j in {} {{", range_call(apps)).unwrap();
    out.push_str(concat!(
        "  app \"app-${j}\" {\n",
        "    team = teams[j % 4]\n",
        "    namespace = \"${teams[j % 4]}\"\n",
    ));
    writeln!(out, "    targets = {ALL_ENVS_SELECTOR}").unwrap();
    out.push_str("    workload {\n");
    out.push_str("      image = \"registry.example.com/${teams[j % 4]}/app-${j}\"\n");
    for line in WORKLOAD_SETTINGS.lines() {
        writeln!(out, "  {line}").unwrap();
    }
    out.push_str(concat!(
        "      labels = { \"app.kubernetes.io/name\" = \"app-${j}\", team = \"${teams[j % 4]}\" }\n",
        "    }\n",
        "    version { dev = \"1.${j}.2\", staging = \"1.${j}.1\", production = \"1.${j}.0\" }\n",
        "  }\n",
    ));
    for (replicas, env) in ENVS.iter().enumerate() {
        writeln!(
            out,
            "  overlay \"app-${{j}}\" @ {env} {{ replicas = {} }}",
            replicas + 1
        )
        .unwrap();
    }
    out.push_str("}\n");
}
