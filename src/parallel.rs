//! An order-preserving parallel map over a slice, for the stages whose items are independent
//! (parsing chapters, making page content streams). The slice is cut into one run of items
//! per core; results come back in the items' order, so the output never depends on which
//! thread finished first. A panic in a worker is re-raised, not hidden.
//!
//! Also [`drop_in_background`], for the large structures a build is done with.

/// Most threads used, whatever the machine offers.
const MAX_THREADS: usize = 8;

/// `items.iter().map(f).collect()`, computed on up to one thread per core.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(MAX_THREADS)
        .min(items.len());
    if threads <= 1 {
        return items.iter().map(&f).collect();
    }
    let run = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(run)
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Drops `value` on a thread of its own. Freeing a finished PDF document or a composed
/// book means millions of small deallocations (about 40 ms each for the x100 benchmark
/// book) that the build need not wait for; if the process ends first, the system takes the
/// memory back anyway. Dropped here when no thread can be started.
pub(crate) fn drop_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("drop".to_string())
        .spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u32> = (0..1000).collect();
        assert_eq!(
            super::map(&items, |n| n * 2),
            items.iter().map(|n| n * 2).collect::<Vec<_>>()
        );
        assert!(super::map(&[] as &[u32], |n| *n).is_empty());
    }
}
