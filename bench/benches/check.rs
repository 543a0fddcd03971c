//! `fleet check` + `fleet eval` time and peak heap on W(n), both source forms
//! (n = 1,000 and 10,000; `FLEET_BENCH_N=10000` or `-- 10000` runs one n). Each run
//! starts from source text in a fresh database, as the CLI does: parse (the fleet's
//! files and the stdlib's), names, evaluation into the model and every check, in the
//! order the CLI runs them (`evaluate_in_parallel`, then `check`). Reading the files
//! from disk and printing are not included. Also prints where the time of the median
//! run goes, stage by stage. `FLEET_BENCH_FORM=compact` (or `explicit`) runs
//! one form, `FLEET_BENCH_RUNS` sets the number of timed runs.
//!
//! Run with `cargo bench -p fleet-bench --bench check`.

use fleet_bench::measure::{
    CountingAllocator, megabytes, millis, min_and_median, peak_heap_of, requested_runs,
    requested_sizes, thousands, uncounted,
};
use fleet_bench::{Form, generate};
use fleet_compiler::check::{check, file_syntax_diagnostics, workspace};
use fleet_compiler::db::Database;
use fleet_compiler::eval::chunks::evaluate_in_parallel;
use fleet_compiler::eval::declarations::evaluate;
use fleet_compiler::source::FileId;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const DEFAULT_SIZES: [usize; 2] = [1_000, 10_000];
const WARM_UP_RUNS: usize = 2;
const DEFAULT_RUNS: usize = 15;

fn main() {
    let sizes = requested_sizes(&DEFAULT_SIZES);
    let runs = requested_runs(DEFAULT_RUNS);
    println!("fleet-bench check: W(n), one file; source text -> checked, evaluated model");
    println!("targets at n = 10,000: compact < 50 ms; explicit < 250 ms and < 300 MB");
    println!("(MB = 10^6 bytes; peak heap counts the database, the source text excluded)");
    for n in sizes {
        for form in requested_forms() {
            println!();
            bench_one(n, form, runs);
        }
    }
}

/// Both forms, or the one `FLEET_BENCH_FORM` (`compact` or `explicit`) names.
fn requested_forms() -> Vec<Form> {
    match std::env::var("FLEET_BENCH_FORM").as_deref() {
        Ok("compact") => vec![Form::Compact],
        Ok("explicit") => vec![Form::Explicit],
        Ok(other) => panic!("FLEET_BENCH_FORM is `compact` or `explicit`, not `{other}`"),
        Err(_) => vec![Form::Compact, Form::Explicit],
    }
}

/// The time of each stage of one run; the stages run in order, so each one's queries
/// find the earlier stages' results cached.
#[derive(Default, Clone, Copy)]
struct Stages {
    parse: Duration,
    /// `evaluate_in_parallel`, as the CLI runs it: names, then the chunks of
    /// declarations on every core, the credentials scan alongside the names.
    parallel: Duration,
    /// The fleet-wide model (joining the chunks, selectors, fleet-wide checks).
    model: Duration,
    rest: Duration,
}

impl Stages {
    fn total(&self) -> Duration {
        self.parse + self.parallel + self.model + self.rest
    }
}

/// One check from scratch; returns the diagnostic count and the model's size.
fn run(text: &Arc<str>, stages: &mut Stages) -> (usize, usize) {
    let db = Database::default();
    let start = Instant::now();
    let ws = workspace(
        &db,
        [(
            FileId(0),
            "fleet.fleet".to_string(),
            text.clone(),
            Arc::from(""),
        )],
    );
    let files = ws.files(&db).clone();
    for &file in &files {
        black_box(file_syntax_diagnostics(&db, file));
    }
    let parsed = Instant::now();
    // As the CLI and the language server do.
    evaluate_in_parallel(&db, ws);
    let prepared = Instant::now();
    let evaluation = evaluate(&db, ws);
    let evaluated = Instant::now();
    let diagnostics = check(&db, ws);
    let done = Instant::now();
    *stages = Stages {
        parse: parsed - start,
        parallel: prepared - parsed,
        model: evaluated - prepared,
        rest: done - evaluated,
    };
    let size = evaluation.model.clusters.len() + evaluation.model.apps.len();
    let count = diagnostics.len();
    drop(black_box(evaluation));
    // Dropping the database is part of what a CLI run pays, but not of the answer.
    drop(db);
    (count, size)
}

fn bench_one(n: usize, form: Form, runs: usize) {
    let text: Arc<str> = generate(n, form).into();
    let mut stages = Stages::default();

    // Correctness first: the workload must check cleanly, or the figures mean nothing.
    let (diagnostics, size) = run(&text, &mut stages);
    assert_eq!(
        diagnostics, 0,
        "W({n}) {form:?} has {diagnostics} diagnostics"
    );
    // Timed without the allocation counters (see `uncounted`); the peak heap
    // from one more run, counted.
    let mut timed: Vec<(Duration, Stages)> = Vec::with_capacity(runs);
    uncounted(|| {
        for _ in 0..WARM_UP_RUNS {
            run(&text, &mut stages);
        }
        for _ in 0..runs {
            run(&text, &mut stages);
            timed.push((stages.total(), stages));
        }
    });
    let (_, peak) = peak_heap_of(|| run(&text, &mut stages));

    let mut totals: Vec<Duration> = timed.iter().map(|(total, _)| *total).collect();
    let (min, median) = min_and_median(&mut totals);
    timed.sort_by_key(|(total, _)| *total);
    let (_, median_stages) = timed[timed.len() / 2];
    println!("n = {}, {form:?} form", thousands(n));
    println!(
        "  source      {} bytes; model: {} clusters and apps",
        thousands(text.len()),
        thousands(size)
    );
    println!(
        "  check+eval  min {}, median {} over {runs} runs (after {WARM_UP_RUNS} warm-up runs)",
        millis(min),
        millis(median)
    );
    println!(
        "  stages      parse {}, names and chunks (credentials alongside) {}, fleet-wide model {}, the rest {}",
        millis(median_stages.parse),
        millis(median_stages.parallel),
        millis(median_stages.model),
        millis(median_stages.rest)
    );
    println!(
        "  peak heap   {} bytes ({})",
        thousands(peak),
        megabytes(peak)
    );
}
