//! Lex + parse time and peak heap of W(n), explicit form, one file (n = 1,000 and
//! 10,000; `FLEET_BENCH_N=10000` or `-- 10000` runs one n). Dependency-free: wall time
//! from `std::time::Instant`, heap from a counting global allocator.
//!
//! Run with `cargo bench -p fleet-bench --bench parse`.

use fleet_bench::measure::{
    CountingAllocator, live_bytes, megabytes, megabytes_per_second, millis, min_and_median,
    peak_heap_of, requested_runs, requested_sizes, thousands, uncounted,
};
use fleet_bench::{Form, generate};
use fleet_compiler::source::FileId;
use fleet_compiler::syntax::{lexer, parse};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

/// The sizes run when no n is given.
const DEFAULT_SIZES: [usize; 2] = [1_000, 10_000];
const WARM_UP_RUNS: usize = 3;
/// Timed runs per n (at least 15); `FLEET_BENCH_RUNS` changes it.
const DEFAULT_RUNS: usize = 21;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn main() {
    let sizes = requested_sizes(&DEFAULT_SIZES);
    let runs = requested_runs(DEFAULT_RUNS);
    println!(
        "fleet-bench parse: W(n), explicit form, one file; lex + parse with fleet_compiler::syntax::parse"
    );
    println!("target: < 60 ms, < 150 MB at n = 10,000");
    println!(
        "(MB = 10^6 bytes; times are wall time of the `parse` call, dropping the result not included)"
    );
    for n in sizes {
        println!();
        bench_one(n, runs);
    }
}

fn bench_one(n: usize, runs: usize) {
    let text: Arc<str> = generate(n, Form::Explicit).into();
    let bytes = text.len();

    // Correctness first: the workload must parse cleanly, or the figures mean nothing.
    let first = parse(text.clone(), FileId(0));
    assert!(
        !first.has_errors(),
        "W({n}) has {} syntax errors; the first: {:?}",
        first.errors().len(),
        first.errors()[0]
    );
    drop(first);

    let lexed = lexer::lex(&text, FileId(0));
    let tokens = lexed.len();
    let significant = lexed.kinds.iter().filter(|kind| !kind.is_trivia()).count();
    drop(lexed);

    // Timed without the allocation counters (see `uncounted`).
    let mut parse_times = Vec::with_capacity(runs);
    let mut lex_times = Vec::with_capacity(runs);
    uncounted(|| {
        for _ in 0..WARM_UP_RUNS {
            drop(black_box(parse(black_box(text.clone()), FileId(0))));
        }
        for _ in 0..runs {
            let start = Instant::now();
            let result = parse(black_box(text.clone()), FileId(0));
            parse_times.push(start.elapsed());
            drop(black_box(result));
        }
        for _ in 0..runs {
            let start = Instant::now();
            let result = lexer::lex(black_box(&text), FileId(0));
            lex_times.push(start.elapsed());
            drop(black_box(result));
        }
    });

    // Heap: one more parse, with the peak reset to what is live just before it.
    let before = live_bytes();
    let (result, peak) = peak_heap_of(|| parse(black_box(text.clone()), FileId(0)));
    let retained = live_bytes().saturating_sub(before);
    drop(black_box(result));

    let (parse_min, parse_median) = min_and_median(&mut parse_times);
    let (lex_min, lex_median) = min_and_median(&mut lex_times);
    println!("n = {}", thousands(n));
    println!(
        "  source     {} bytes, {} tokens ({} without trivia)",
        thousands(bytes),
        thousands(tokens),
        thousands(significant)
    );
    println!(
        "  parse      min {}, median {} over {runs} runs (after {WARM_UP_RUNS} warm-up runs); {:.1} MB/s at the median, {:.1} MB/s at the min",
        millis(parse_min),
        millis(parse_median),
        megabytes_per_second(bytes, parse_median),
        megabytes_per_second(bytes, parse_min)
    );
    println!(
        "  lex only   min {}, median {}; {:.1} MB/s at the median",
        millis(lex_min),
        millis(lex_median),
        megabytes_per_second(bytes, lex_median)
    );
    println!(
        "  peak heap  {} bytes ({}) above the {} bytes live before the parse; with the source text {} bytes ({})",
        thousands(peak),
        megabytes(peak),
        thousands(before),
        thousands(peak + bytes),
        megabytes(peak + bytes)
    );
    println!(
        "  retained   {} bytes ({}) held by the returned Parse",
        thousands(retained),
        megabytes(retained)
    );
}
