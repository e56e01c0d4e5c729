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

/// `items` sorted as `sort_unstable` sorts them, on every core: cut in place around a pivot
/// into a part a thread (all of one part below all of the next), each part sorted on its own.
/// No second copy of the items, so no more memory than one thread. Equal items must be
/// indistinguishable (plain numbers and tuples of them), so the order is the same whoever sorts.
pub fn sort<T: Ord + Copy + Send>(items: &mut [T]) {
    sort_in_parts(items, threads());
}

fn sort_in_parts<T: Ord + Copy + Send>(items: &mut [T], parts: usize) {
    if parts < 2 || items.len() < 2 * SORT_PER_THREAD {
        items.sort_unstable();
        return;
    }
    // The median of a spread of samples cuts near the middle.
    let step = items.len() / 64;
    let mut samples: Vec<T> = (0..64).map(|k| items[k * step]).collect();
    samples.sort_unstable();
    let pivot = samples[32];
    // Lomuto's partition: below the pivot to the left, the rest to the right.
    let mut mid = 0;
    for k in 0..items.len() {
        if items[k] < pivot {
            items.swap(mid, k);
            mid += 1;
        }
    }
    // Most items equal: one run, one thread.
    if mid == 0 {
        items.sort_unstable();
        return;
    }
    let (left, right) = items.split_at_mut(mid);
    let left_parts = parts / 2;
    std::thread::scope(|scope| {
        scope.spawn(move || sort_in_parts(right, parts - left_parts));
        sort_in_parts(left, left_parts);
    });
}

/// Below this many items a part, [`sort`] sorts on one thread.
const SORT_PER_THREAD: usize = 1 << 16;

#[cfg(test)]
mod tests {
    use super::map;

    #[test]
    fn sorts_as_one_thread_does() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut items: Vec<(u64, u32)> = (0..300_001u32)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % 5_000, i % 7)
            })
            .collect();
        let mut expected = items.clone();
        expected.sort_unstable();
        super::sort(&mut items);
        assert_eq!(items, expected);
        for parts in [2, 3, 7] {
            let mut again = expected.clone();
            again.reverse();
            super::sort_in_parts(&mut again, parts);
            assert_eq!(again, expected, "{parts} parts");
        }
        let mut same = vec![(7u64, 1u32); 200_000];
        super::sort(&mut same);
        assert!(same.iter().all(|x| *x == (7, 1)));
        let mut few = vec![3, 1, 2];
        super::sort(&mut few);
        assert_eq!(few, [1, 2, 3]);
    }

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
