//! Kustomize overlays per app: a generated base for a typed `workload` and one
//! overlay folder per (env, region) the app runs in, plus one per cluster that has
//! a cluster-level overlay. Argo CD's ApplicationSets point at these folders.

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
