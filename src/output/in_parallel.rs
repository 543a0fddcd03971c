//! File work spread over the machine's cores: a build reads, hashes and writes
//! tens of thousands of small files, and each waits on the file system.

/// `work` applied to every item, on up to one thread per core, results in order.
pub(super) fn map_in_parallel<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|count| count.get())
        .unwrap_or(1)
        .min(8);
    // Small batches are not worth a thread.
    if threads == 1 || items.len() < 64 {
        return items.iter().map(&work).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let work = &work;
                scope.spawn(move || part.iter().map(work).collect::<Vec<R>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().expect("file work does not panic"))
            .collect()
    })
}
