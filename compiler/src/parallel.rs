//! Work spread over the machine's cores (up to 8): the items split into runs
//! of consecutive items, a few per thread, each thread taking the next run as
//! it finishes one; results in the items' order. For the parts of a build that
//! are independent per item (apps, files) and large on a large fleet.

/// `work` applied to consecutive runs of `items`, the runs shared out to
/// one thread per core as each finishes its last (the calling thread one of
/// them), the results concatenated in the items' order. Fewer than `minimum`
/// items are one run, on this thread. A panic in `work` is resumed on this
/// thread.
///
/// Each thread gets several runs, not one half: on a machine whose cores are
/// not all there all the time (a virtual machine whose host takes one away for
/// a while), a thread that is held up does fewer runs instead of being waited
/// for.
pub fn map_runs<T: Sync, R: Send>(
    items: &[T],
    minimum: usize,
    work: impl Fn(&[T]) -> Vec<R> + Sync,
) -> Vec<R> {
    let threads = threads();
    if threads == 1 || items.len() < minimum.max(2) {
        return work(items);
    }
    let runs: Vec<&[T]> = items
        .chunks(items.len().div_ceil(threads * RUNS_PER_THREAD))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    // Each thread's results, with the position of the run they are of.
    let take_runs = || {
        let mut done: Vec<(usize, Vec<R>)> = Vec::new();
        loop {
            let position = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(run) = runs.get(position) else {
                return done;
            };
            done.push((position, work(run)));
        }
    };
    let mut done = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads.min(runs.len()))
            .map(|_| scope.spawn(take_runs))
            .collect();
        let mut done = take_runs();
        for handle in handles {
            done.extend(
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        done
    });
    done.sort_unstable_by_key(|(position, _)| *position);
    let mut results = Vec::with_capacity(items.len());
    for (_, part) in done {
        results.extend(part);
    }
    results
}

/// How many runs `map_runs` makes per thread.
const RUNS_PER_THREAD: usize = 4;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_come_back_in_the_items_order_whatever_their_cost() {
        let items: Vec<u64> = (0..1000).collect();
        // Early runs cost more, so later ones finish first on another thread.
        let results = map_runs(&items, 2, |run| {
            let spin = 1000 - run[0];
            let mut total = 0u64;
            for step in 0..spin * 100 {
                total = total.wrapping_add(std::hint::black_box(step));
            }
            std::hint::black_box(total);
            run.iter()
                .flat_map(|item| [*item * 2, *item * 2 + 1])
                .collect()
        });
        assert_eq!(results, (0..2000).collect::<Vec<u64>>());
    }

    #[test]
    fn a_panic_in_a_run_is_resumed_with_its_message() {
        let items: Vec<usize> = (0..64).collect();
        let caught = std::panic::catch_unwind(|| {
            map_each(&items, 2, |item| {
                assert!(*item != 50, "item fifty");
                *item
            })
        });
        let payload = caught.expect_err("the panic reaches the caller");
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|text| text.to_string()));
        assert_eq!(message.as_deref(), Some("item fifty"));
    }
}
