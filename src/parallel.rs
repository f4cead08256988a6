//! An order-preserving parallel map over a slice, for the stages whose items are independent
//! (parsing chapters, highlighting code, compressing object streams). Each thread takes the
//! next item not yet taken, so one long item (a chapter of a 200,000-row table) does not
//! leave the other threads idle behind an even split; results come back in the items'
//! order, so the output never depends on which thread finished first. A panic in a worker
//! is re-raised, not hidden.
//!
//! Also [`drop_in_background`], for the large structures a build is done with.

use std::sync::atomic::{AtomicUsize, Ordering};

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
    let next = AtomicUsize::new(0);
    let take = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else {
                return done;
            };
            done.push((index, f(item)));
        }
    };
    let per_thread: Vec<Vec<(usize, R)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(take)).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    in_item_order(per_thread, items.len())
}

/// The results of every thread, each tagged with its item's index, as one list in the
/// items' order.
fn in_item_order<R>(per_thread: Vec<Vec<(usize, R)>>, len: usize) -> Vec<R> {
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(len).collect();
    for (index, result) in per_thread.into_iter().flatten() {
        slots[index] = Some(result);
    }
    // Every index below `len` was taken by exactly one thread, which pushed its result.
    slots.into_iter().flatten().collect()
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

    /// Items of very different cost still come back in order: the threads take them one
    /// at a time, so the fast items after a slow one finish first.
    #[test]
    fn uneven_items_keep_their_order() {
        let items: Vec<u64> = (0..64)
            .map(|n| if n % 7 == 0 { 200_000 } else { 10 })
            .collect();
        let sums = super::map(&items, |&n| (0..n).fold(0u64, |a, b| a.wrapping_add(b * b)));
        let expected: Vec<u64> = items
            .iter()
            .map(|&n| (0..n).fold(0u64, |a, b| a.wrapping_add(b * b)))
            .collect();
        assert_eq!(sums, expected);
    }
}
