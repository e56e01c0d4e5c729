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
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if items.len() < 2 * per_thread.max(1) || threads < 2 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<_>>()))
            .collect();
        // A thread that panicked left a bug, not bad input: do its part again on this one.
        let mut out = Vec::with_capacity(items.len());
        for (handle, part) in handles.into_iter().zip(items.chunks(chunk)) {
            match handle.join() {
                Ok(results) => out.extend(results),
                Err(_) => out.extend(part.iter().map(f)),
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
