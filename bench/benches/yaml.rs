//! The YAML writer on manifests shaped like `fleet build`'s: per cluster a
//! Crossplane claim, a Flux Kustomization, an Argo CD cluster Secret and a
//! ConfigMap (4 documents; n = 10,000 clusters is 40,000 documents), with labels,
//! nested specs, lists of maps, strings that must be quoted (`"1.30"`, `"yes"`,
//! `"8080"`) and a multi-line value. Times building the `Node` trees; writing them
//! all as one stream into a `String` (the writer alone, on trees built beforehand
//! and out of cache; the buffer is reused, so its growth is not counted); and
//! building and writing one cluster at a time, as a streaming `fleet build
//! --stdout` would. `FLEET_BENCH_N=1000` or `-- 1000` runs another n.
//!
//! Run with `cargo bench -p fleet-bench --bench yaml`.

use fleet_bench::measure::{
    CountingAllocator, live_bytes, megabytes, megabytes_per_second, millis, min_and_median,
    requested_runs, requested_sizes, thousands,
};
use fleet_compiler::emit::document::Node;
use fleet_compiler::emit::yaml;
use std::hint::black_box;
use std::time::Instant;

const DEFAULT_SIZES: [usize; 1] = [10_000];
const WARM_UP_RUNS: usize = 3;
/// Timed runs per n; `FLEET_BENCH_RUNS` changes it.
const DEFAULT_RUNS: usize = 21;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn main() {
    let sizes = requested_sizes(&DEFAULT_SIZES);
    let runs = requested_runs(DEFAULT_RUNS);
    println!("fleet-bench yaml: 4 manifests per cluster, written as one YAML stream");
    println!(
        "target: the writer well above 200 MB/s, so that `fleet build --stdout` can reach 200 MB/s"
    );
    println!("(MB = 10^6 bytes)");
    for n in sizes {
        println!();
        bench_one(n, runs);
    }
}

fn bench_one(n: usize, runs: usize) {
    let before = live_bytes();
    let start = Instant::now();
    let documents = manifests(n);
    let build = start.elapsed();
    let tree_bytes = live_bytes().saturating_sub(before);

    let mut out = String::new();
    yaml::write_stream(&mut out, &documents);
    let bytes = out.len();
    // The figures mean something only if the stream is what it should be.
    assert_eq!(
        out.matches("\n---\n").count(),
        documents.len() - 1,
        "one `---` between documents"
    );
    assert!(out.contains("  version: \"1.30\"\n") && out.contains("  config: |\n"));

    for _ in 0..WARM_UP_RUNS {
        out.clear();
        yaml::write_stream(black_box(&mut out), black_box(&documents));
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        out.clear();
        let start = Instant::now();
        yaml::write_stream(black_box(&mut out), black_box(&documents));
        times.push(start.elapsed());
    }
    let fresh = {
        let start = Instant::now();
        let text = yaml::stream_to_string(black_box(&documents));
        let elapsed = start.elapsed();
        drop(black_box(text));
        elapsed
    };
    let (min, median) = min_and_median(&mut times);

    // As `fleet build --stdout` would go: build a cluster's documents, write them,
    // drop them; the trees stay small and in cache.
    let mut streamed_times = Vec::with_capacity(runs);
    for _ in 0..runs.div_ceil(3) {
        out.clear();
        let start = Instant::now();
        for index in 0..n {
            let cluster = cluster(index);
            let documents = cluster_documents(&cluster);
            if index > 0 {
                out.push_str("---\n");
            }
            yaml::write_stream(black_box(&mut out), black_box(&documents));
        }
        streamed_times.push(start.elapsed());
        assert_eq!(out.len(), bytes, "the same stream");
    }
    let (_, streamed) = min_and_median(&mut streamed_times);

    println!("n = {} clusters", thousands(n));
    println!(
        "  documents  {} (claim, Kustomization, Secret, ConfigMap per cluster), {} bytes of YAML ({}), {} lines",
        thousands(documents.len()),
        thousands(bytes),
        megabytes(bytes),
        thousands(out.matches('\n').count())
    );
    println!(
        "  build      {} to build the trees; {} ({}) of heap",
        millis(build),
        thousands(tree_bytes),
        megabytes(tree_bytes)
    );
    println!(
        "  write      min {}, median {} over {runs} runs (after {WARM_UP_RUNS} warm-up runs); {:.0} MB/s at the median, {:.0} MB/s at the min",
        millis(min),
        millis(median),
        megabytes_per_second(bytes, median),
        megabytes_per_second(bytes, min)
    );
    println!(
        "  fresh      {} into a new String (its growth included); {:.0} MB/s",
        millis(fresh),
        megabytes_per_second(bytes, fresh)
    );
    println!(
        "  streamed   median {}, building and writing one cluster at a time; {:.0} MB/s",
        millis(streamed),
        megabytes_per_second(bytes, streamed)
    );
}

/// The documents of `n` clusters.
fn manifests(n: usize) -> Vec<Node> {
    let mut documents = Vec::with_capacity(4 * n);
    for index in 0..n {
        documents.extend(cluster_documents(&cluster(index)));
    }
    documents
}

fn cluster(index: usize) -> Cluster {
    const REGIONS: [&str; 4] = ["eu-west-1", "us-east-1", "ap-south-1", "eu-central-1"];
    const ENVS: [&str; 3] = ["dev", "staging", "prod"];
    let env = ENVS[index % ENVS.len()];
    let region = REGIONS[index % REGIONS.len()];
    let name = format!("{env}-{region}-{index:05}");
    Cluster {
        server: format!("https://{name}.k8s.acme.example.com:6443"),
        name,
        env,
        region,
        version: if index.is_multiple_of(2) {
            "1.30"
        } else {
            "1.31"
        },
        nodes: 3 + (index % 5) as i64,
    }
}

fn cluster_documents(cluster: &Cluster) -> [Node; 4] {
    [
        claim(cluster),
        kustomization(cluster),
        cluster_secret(cluster),
        config_map(cluster),
    ]
}

struct Cluster {
    name: String,
    env: &'static str,
    region: &'static str,
    version: &'static str,
    nodes: i64,
    server: String,
}

fn labels(cluster: &Cluster) -> Node {
    Node::map()
        .with("app.kubernetes.io/managed-by", "fleet")
        .with("fleet.dev/cluster", cluster.name.as_str())
        .with("fleet.dev/env", cluster.env)
        .with("fleet.dev/region", cluster.region)
}

fn metadata(name: &str, namespace: &str, labels: Node) -> Node {
    Node::map()
        .with("name", name)
        .with("namespace", namespace)
        .with("labels", labels)
        .with(
            "annotations",
            Node::map().with("fleet.dev/source", "clusters.fleet"),
        )
}

/// A Crossplane claim for the cluster: parameters, node pools, taints.
fn claim(cluster: &Cluster) -> Node {
    let pool = |name: &str, instance: &str, min: i64, max: i64, spot: bool| {
        Node::map()
            .with("name", name)
            .with("instanceType", instance)
            .with("minSize", min)
            .with("maxSize", max)
            .with("spot", spot)
            .with("labels", Node::map().with("fleet.dev/pool", name))
            .with(
                "taints",
                if spot {
                    Node::seq().item(
                        Node::map()
                            .with("key", "spot")
                            .with("value", "true")
                            .with("effect", "NoSchedule"),
                    )
                } else {
                    Node::seq()
                },
            )
    };
    Node::map()
        .with("apiVersion", "platform.acme.io/v1alpha1")
        .with("kind", "KubernetesCluster")
        .with(
            "metadata",
            metadata(&cluster.name, "crossplane-claims", labels(cluster)),
        )
        .with(
            "spec",
            Node::map()
                .with(
                    "compositionSelector",
                    Node::map().with(
                        "matchLabels",
                        Node::map()
                            .with("provider", "aws")
                            .with("fleet.dev/env", cluster.env),
                    ),
                )
                .with(
                    "parameters",
                    Node::map()
                        .with("region", cluster.region)
                        .with("version", cluster.version)
                        .with("nodes", cluster.nodes)
                        .with("privateEndpoint", true)
                        .with("cidr", "10.0.0.0/16")
                        .with(
                            "nodePools",
                            Node::seq()
                                .item(pool("system", "m6i.large", 2, 4, false))
                                .item(pool("workloads", "m6i.2xlarge", 3, 30, true)),
                        ),
                )
                .with(
                    "writeConnectionSecretToRef",
                    Node::map().with("name", format!("{}-kubeconfig", cluster.name)),
                ),
        )
}

/// The Flux Kustomization that applies the cluster's folder.
fn kustomization(cluster: &Cluster) -> Node {
    Node::map()
        .with("apiVersion", "kustomize.toolkit.fluxcd.io/v1")
        .with("kind", "Kustomization")
        .with(
            "metadata",
            metadata("teams", "flux-system", labels(cluster)),
        )
        .with(
            "spec",
            Node::map()
                .with(
                    "dependsOn",
                    Node::seq().item(Node::map().with("name", "policies")),
                )
                .with("interval", "10m")
                .with("retryInterval", "1m")
                .with("timeout", "5m")
                .with(
                    "sourceRef",
                    Node::map()
                        .with("kind", "GitRepository")
                        .with("name", "fleet"),
                )
                .with("path", format!("./gitops/flux/clusters/{}", cluster.name))
                .with("prune", true)
                .with("wait", true)
                .with(
                    "postBuild",
                    Node::map().with(
                        "substitute",
                        Node::map()
                            .with("cluster", cluster.name.as_str())
                            .with("region", cluster.region),
                    ),
                ),
        )
}

/// The Argo CD cluster Secret, with its JSON config as a multi-line string.
fn cluster_secret(cluster: &Cluster) -> Node {
    let labels = labels(cluster).with("argocd.argoproj.io/secret-type", "cluster");
    let metadata = metadata(&format!("cluster-{}", cluster.name), "argocd", labels);
    Node::map()
        .with("apiVersion", "v1")
        .with("kind", "Secret")
        .with("metadata", metadata)
        .with("type", "Opaque")
        .with(
            "stringData",
            Node::map()
                .with("name", cluster.name.as_str())
                .with("server", cluster.server.as_str())
                .with(
                    "config",
                    format!(
                        "{{\n  \"awsAuthConfig\": {{\n    \"clusterName\": \"{}\",\n    \"roleARN\": \"arn:aws:iam::123456789012:role/argocd\"\n  }},\n  \"tlsClientConfig\": {{\n    \"insecure\": false\n  }}\n}}\n",
                        cluster.name
                    ),
                ),
        )
}

/// A ConfigMap of settings, several of which read as other types when plain.
fn config_map(cluster: &Cluster) -> Node {
    Node::map()
        .with("apiVersion", "v1")
        .with("kind", "ConfigMap")
        .with(
            "metadata",
            metadata("cluster-info", "kube-system", labels(cluster)),
        )
        .with(
            "data",
            Node::map()
                .with("cluster", cluster.name.as_str())
                .with("region", cluster.region)
                .with("kubernetesVersion", cluster.version)
                .with("monitoring", "yes")
                .with("port", "8080")
                .with("maintenanceWindow", "Sun 02:00-04:00")
                .with("owner", "platform-team@acme.example.com"),
        )
}
