//! Pure work over many items on every core, in the items' order: used where a batch is large
//! enough (a country's year of 5W, a million households rescored) for threads to pay.

/// `f` applied to each of `items`, in order; on several threads when there are at least
/// `2 × per_thread` items and more than one core.
pub fn map<T, R, F>(items: &[T], per_thread: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    map_indices(items.len(), per_thread, |i| f(&items[i]))
}

/// How many threads [`map`] splits work over: one a core, at most eight. For work that keeps
/// state per thread (a cache) and so is best cut into exactly this many parts.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |t| t.get().min(8))
}

/// `f` applied to each of `0..n`, in order, as [`map`] does: for items held column by column,
/// which no slice of items represents.
pub fn map_indices<R, F>(n: usize, per_thread: usize, f: F) -> Vec<R>
where
    R: Send,
    F: Fn(usize) -> R + Sync,
{
    let threads = threads();
    if n < 2 * per_thread.max(1) || threads < 2 {
        return (0..n).map(&f).collect();
    }
    let chunk = n.div_ceil(threads);
    let parts: Vec<std::ops::Range<usize>> = (0..n).step_by(chunk).map(|s| s..(s + chunk).min(n)).collect();
    let f = &f;
    std::thread::scope(|scope| {
        // This thread does the first part itself rather than wait idle for the others.
        let handles: Vec<_> = parts[1..]
            .iter()
            .map(|part| {
                let part = part.clone();
                scope.spawn(move || part.map(f).collect::<Vec<_>>())
            })
            .collect();
        let mut out: Vec<R> = Vec::with_capacity(n);
        out.extend(parts[0].clone().map(f));
        // A thread that panicked left a bug, not bad input: do its part again on this one.
        for (handle, part) in handles.into_iter().zip(&parts[1..]) {
            match handle.join() {
                Ok(results) => out.extend(results),
                Err(_) => out.extend(part.clone().map(f)),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::map;

    #[test]
    fn keeps_the_order_whether_split_or_not() {
        let items: Vec<u64> = (0..100_000).collect();
        let split = map(&items, 1_000, |n| n * 3);
        let whole = map(&items, 1_000_000, |n| n * 3);
        assert_eq!(split, whole);
        assert_eq!(split[99_999], 299_997);
        assert!(map(&[] as &[u64], 10, |n| *n).is_empty());
    }
}
