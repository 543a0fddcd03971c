//! What the benchmarks measure with and print: a counting global allocator for peak
//! heap, and the formatting of times and sizes. Dependency-free on purpose: the
//! figures must not depend on a harness's own allocations or warm-up policy.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering::Relaxed};
use std::time::Duration;

/// mimalloc as the `fleet` binary asks it (`fleet_compiler::allocator`), counting the bytes allocated
/// now and the most at any time.
/// A benchmark binary installs it with
/// `#[global_allocator] static ALLOCATOR: CountingAllocator = CountingAllocator;`.
pub struct CountingAllocator;

// Signed: a block allocated while uncounted and freed while counted takes
// its size off, which must not wrap around.
static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);
/// Off while [`uncounted`] work runs.
static COUNTING: AtomicBool = AtomicBool::new(true);

fn allocated(bytes: usize) {
    if COUNTING.load(Relaxed) {
        let bytes = bytes as isize;
        let now = CURRENT.fetch_add(bytes, Relaxed) + bytes;
        PEAK.fetch_max(now, Relaxed);
    }
}

fn freed(bytes: usize) {
    if COUNTING.load(Relaxed) {
        CURRENT.fetch_sub(bytes as isize, Relaxed);
    }
}

/// Runs `work` without counting its allocations: what timed runs do. Two
/// counters updated by every allocation of every thread are a cache line the
/// cores fight over: they were 8% of a timed `fleet check` on two cores, a
/// cost the `fleet` binary does not have. Whatever `work` allocates it must
/// free (a timed run drops its database), or the counts drift.
pub fn uncounted<T>(work: impl FnOnce() -> T) -> T {
    COUNTING.store(false, Relaxed);
    let result = work();
    COUNTING.store(true, Relaxed);
    result
}

// SAFETY: every call is forwarded to mimalloc (the `fleet` binary's allocator)
// unchanged; the counters are only bookkeeping beside it.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { fleet_compiler::allocator::Mimalloc.alloc(layout) };
        if !pointer.is_null() {
            allocated(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { fleet_compiler::allocator::Mimalloc.alloc_zeroed(layout) };
        if !pointer.is_null() {
            allocated(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { fleet_compiler::allocator::Mimalloc.dealloc(pointer, layout) };
        freed(layout.size());
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved =
            unsafe { fleet_compiler::allocator::Mimalloc.realloc(pointer, layout, new_size) };
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

/// Bytes allocated and not yet freed (0 unless [`CountingAllocator`] is installed).
pub fn live_bytes() -> usize {
    CURRENT.load(Relaxed).max(0) as usize
}

/// Runs `work` and returns its result with the most bytes live above what was live
/// before it, at any point while it ran.
pub fn peak_heap_of<T>(work: impl FnOnce() -> T) -> (T, usize) {
    let before = CURRENT.load(Relaxed);
    PEAK.store(before, Relaxed);
    let result = work();
    (result, (PEAK.load(Relaxed) - before).max(0) as usize)
}

/// The fastest and the median of some timed runs.
pub fn min_and_median(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort_unstable();
    let middle = times.len() / 2;
    let median = if !times.len().is_multiple_of(2) {
        times[middle]
    } else {
        (times[middle - 1] + times[middle]) / 2
    };
    (times[0], median)
}

/// The n to run: `FLEET_BENCH_N`, else a number among the arguments (cargo bench adds
/// `--bench`), else `defaults`. Either may list several, separated by commas.
pub fn requested_sizes(defaults: &[usize]) -> Vec<usize> {
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
        None => defaults.to_vec(),
    }
}

/// Timed runs per n: `FLEET_BENCH_RUNS`, else `default`.
pub fn requested_runs(default: usize) -> usize {
    std::env::var("FLEET_BENCH_RUNS")
        .ok()
        .and_then(|runs| runs.parse::<usize>().ok())
        .unwrap_or(default)
        .max(1)
}

pub fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1e3)
}

pub fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

pub fn megabytes_per_second(bytes: usize, duration: Duration) -> f64 {
    bytes as f64 / 1e6 / duration.as_secs_f64()
}

/// `2811510` as `2,811,510`.
pub fn thousands(value: usize) -> String {
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
