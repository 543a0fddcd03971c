//! Lex + parse time and peak heap of W(n), explicit form, one file (n = 1,000 and
//! 10,000; `FLEET_BENCH_N=10000` or `-- 10000` runs one n). Dependency-free: wall time
//! from `std::time::Instant`, heap from a counting global allocator.
//!
//! Run with `cargo bench -p fleet-bench --bench parse`.

use fleet_bench::{Form, generate};
use fleet_compiler::source::FileId;
use fleet_compiler::syntax::{lexer, parse};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

/// The sizes run when no n is given.
const DEFAULT_SIZES: [usize; 2] = [1_000, 10_000];
const WARM_UP_RUNS: usize = 3;
/// Timed runs per n (at least 15); `FLEET_BENCH_RUNS` changes it.
const DEFAULT_RUNS: usize = 21;

/// `std::alloc::System`, counting the bytes allocated now and the most at any time.
struct CountingAllocator;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn allocated(bytes: usize) {
    let now = CURRENT.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(now, Relaxed);
}

fn freed(bytes: usize) {
    CURRENT.fetch_sub(bytes, Relaxed);
}

// SAFETY: every call is forwarded to `System` unchanged; the counters are only
// bookkeeping beside it.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            allocated(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            allocated(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        freed(layout.size());
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            if new_size >= layout.size() {
                allocated(new_size - layout.size());
            } else {
                freed(layout.size() - new_size);
            }
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn main() {
    let sizes = requested_sizes();
    let runs = std::env::var("FLEET_BENCH_RUNS")
        .ok()
        .and_then(|runs| runs.parse::<usize>().ok())
        .unwrap_or(DEFAULT_RUNS)
        .max(1);
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

/// The n to run: `FLEET_BENCH_N`, else a number among the arguments (cargo bench adds
/// `--bench`), else the defaults. Either may list several, separated by commas.
fn requested_sizes() -> Vec<usize> {
    let from_env = std::env::var("FLEET_BENCH_N").ok();
    let from_args = std::env::args()
        .skip(1)
        .find(|argument| !argument.starts_with('-'));
    match from_env.or(from_args) {
        Some(list) => list
            .split(',')
            .map(|n| {
                let n = n.trim().replace('_', "");
                n.parse()
                    .unwrap_or_else(|_| panic!("n must be a number, got `{n}`"))
            })
            .collect(),
        None => DEFAULT_SIZES.to_vec(),
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

    for _ in 0..WARM_UP_RUNS {
        drop(black_box(parse(black_box(text.clone()), FileId(0))));
    }
    let mut parse_times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let result = parse(black_box(text.clone()), FileId(0));
        parse_times.push(start.elapsed());
        drop(black_box(result));
    }
    let mut lex_times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let result = lexer::lex(black_box(&text), FileId(0));
        lex_times.push(start.elapsed());
        drop(black_box(result));
    }

    // Heap: one more parse, with the peak reset to what is live just before it.
    let before = CURRENT.load(Relaxed);
    PEAK.store(before, Relaxed);
    let result = parse(black_box(text.clone()), FileId(0));
    let peak = PEAK.load(Relaxed) - before;
    let retained = CURRENT.load(Relaxed).saturating_sub(before);
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

fn min_and_median(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort_unstable();
    let middle = times.len() / 2;
    let median = if !times.len().is_multiple_of(2) {
        times[middle]
    } else {
        (times[middle - 1] + times[middle]) / 2
    };
    (times[0], median)
}

fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}

fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn megabytes_per_second(bytes: usize, duration: Duration) -> f64 {
    bytes as f64 / 1e6 / duration.as_secs_f64()
}

/// `2811510` as `2,811,510`.
fn thousands(value: usize) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (k, digit) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
