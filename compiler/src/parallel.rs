//! Work spread over the machine's cores (up to 8): the items split into one run
//! of consecutive items per thread, results in the items' order. For the parts
//! of a build that are independent per item (apps, files) and large on a large
//! fleet.

/// `work` applied to consecutive runs of `items`, one run per thread, the
/// first on this thread (one run, on this thread, for fewer than `minimum`
/// items), the results concatenated in order. A panic in `work` is resumed on
/// this thread.
pub fn map_runs<T: Sync, R: Send>(
    items: &[T],
    minimum: usize,
    work: impl Fn(&[T]) -> Vec<R> + Sync,
) -> Vec<R> {
    let threads = threads();
    if threads == 1 || items.len() < minimum.max(2) {
        return work(items);
    }
    let run = items.len().div_ceil(threads);
    let mut parts = items.chunks(run);
    let first = parts.next().unwrap_or_default();
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .map(|part| {
                let work = &work;
                scope.spawn(move || work(part))
            })
            .collect();
        // The first run on this thread, which would otherwise only wait.
        let mut results = work(first);
        for handle in handles {
            results.extend(
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        results
    })
}

/// `work` applied to every item, spread over the cores as `map_runs` does.
pub fn map_each<T: Sync, R: Send>(
    items: &[T],
    minimum: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    map_runs(items, minimum, |part| part.iter().map(&work).collect())
}

/// `map_runs` over `items` a batch of `batch` items at a time, each batch's
/// results handed to `consume` before the next batch is made: what keeps a
/// large fleet's output from being all in memory at once when it is streamed.
pub fn map_runs_batched<T: Sync, R: Send>(
    items: &[T],
    batch: usize,
    minimum: usize,
    work: impl Fn(&[T]) -> Vec<R> + Sync,
    mut consume: impl FnMut(Vec<R>),
) {
    for part in items.chunks(batch.max(1)) {
        consume(map_runs(part, minimum, &work));
    }
}

/// How many threads work is spread over: the cores this process may use, up
/// to 8. Asked once: `available_parallelism` reads the cgroup's files on
/// every call.
pub fn threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|count| count.get())
            .unwrap_or(1)
            .min(8)
    })
}
