//! The language server on the benchmark fleet (shared/bench/workload.md), driven
//! over stdio as an editor drives it: W(10,000), explicit form, the clusters split
//! into 100 files of 100 (plus the shared file). Measures, whole process:
//!
//! - initial diagnostics: from starting `fleet lsp` to diagnostics published for
//!   every file of the workspace (target < 2 s);
//! - a one-character edit inside a cluster block, to its document's diagnostics
//!   republished (target p95 < 50 ms);
//! - hover and go to definition (target p95 < 20 ms each);
//! - the server's peak resident memory (target < 1 GB).
//!
//! Run with `cargo bench --bench lsp` (`FLEET_BENCH_N=1000` for a smaller fleet,
//! `FLEET_BENCH_RUNS` edits and requests, 40 by default).

use fleet_bench::lsp_client::{Client, file_uri};
use fleet_bench::measure::{millis, requested_runs, requested_sizes, thousands};
use fleet_bench::{Form, generate_files};
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};

const FILES: usize = 100;

fn main() {
    let n = requested_sizes(&[10_000])[0];
    let runs = requested_runs(40);
    let root = tempfile::tempdir().expect("a temporary folder");
    let cache = tempfile::tempdir().expect("a temporary folder");
    let files = generate_files(n, Form::Explicit, FILES);
    let bytes: usize = files.iter().map(|(_, text)| text.len()).sum();
    for (name, text) in &files {
        std::fs::write(root.path().join(name), text).expect("the workload is written");
    }
    println!(
        "fleet-bench lsp: W({}), explicit form, {} files, {} bytes",
        thousands(n),
        files.len(),
        thousands(bytes)
    );
    println!("targets: initial < 2 s; edit p95 < 50 ms; hover, definition p95 < 20 ms; < 1 GB");

    let start = Instant::now();
    let mut client = Client::start(
        Path::new(env!("CARGO_BIN_EXE_fleet")),
        Some(root.path()),
        cache.path(),
    );
    let uris: Vec<String> = files
        .iter()
        .map(|(name, _)| file_uri(&root.path().join(name)))
        .collect();
    client.diagnostics_for_all(&uris);
    let initial = start.elapsed();
    println!("initial diagnostics  {}", millis(initial));

    // The editor opens one cluster file.
    let (name, text) = &files[FILES / 2];
    let uri = file_uri(&root.path().join(name));
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "fleet", "version": 1, "text": text } }),
    );
    client.diagnostics_for(&uri);

    // One character inside a cluster block: a node group's `min` (2 + i % 4,
    // so a digit 2..5) set to 2 and back to 3, alternately.
    let lines: Vec<&str> = text.lines().collect();
    let (min_line, min_column) = lines
        .iter()
        .enumerate()
        .find_map(|(number, line)| {
            let column = line.find("min = ")?;
            line.contains("applications")
                .then_some((number, column + "min = ".len()))
        })
        .expect("a cluster with an applications node group");
    let mut edits = Vec::new();
    for run in 0..runs {
        let digit = if run % 2 == 0 { "2" } else { "3" };
        let started = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": run + 2 },
                "contentChanges": [{
                    "range": {
                        "start": { "line": min_line, "character": min_column },
                        "end": { "line": min_line, "character": min_column + 1 }
                    },
                    "text": digit
                }]
            }),
        );
        client.diagnostics_for(&uri);
        edits.push(started.elapsed());
    }
    report("edit -> diagnostics", &mut edits);

    // Hover and definition on the cluster names, fields and references of the file.
    let positions: Vec<(usize, usize)> = lines
        .iter()
        .enumerate()
        .filter_map(|(number, line)| {
            let word = ["env = ", "region = ", "cluster ", "instance = "]
                .iter()
                .find_map(|word| line.find(word).map(|column| column + word.len() - 2))?;
            Some((number, word))
        })
        .take(runs.max(1) * 2)
        .collect();
    for method in ["textDocument/hover", "textDocument/definition"] {
        let mut times = Vec::new();
        for &(line, character) in positions.iter().cycle().take(runs) {
            let started = Instant::now();
            let response = client.request(
                method,
                json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
            );
            times.push(started.elapsed());
            assert!(response.get("error").is_none(), "{method}: {response}");
        }
        report(method.trim_start_matches("textDocument/"), &mut times);
    }
    match client.resident_bytes() {
        Some(bytes) => println!("peak resident memory {:.0} MB", bytes as f64 / 1e6),
        None => println!("peak resident memory: not measured (no /proc)"),
    }
    client.shutdown();
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let at = |fraction: f64| {
        times[((times.len() as f64 * fraction).ceil() as usize).clamp(1, times.len()) - 1]
    };
    println!(
        "{what:<20} p50 {}, p95 {}, max {} over {} runs",
        millis(at(0.5)),
        millis(at(0.95)),
        millis(times[times.len() - 1]),
        times.len()
    );
}
