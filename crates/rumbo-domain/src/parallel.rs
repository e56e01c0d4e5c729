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

/// Every item `make` emits for the indices `0..n`, sorted as `sort_unstable` sorts them, on every
/// core: each thread counts the items of its run of indices by bucket, then places them in its
/// room of each bucket, and the buckets are sorted each on its own by `sort_bucket`, which must
/// sort as `sort_unstable` does (it may count on a bucket's items being in the order of their
/// indices, as placed). `bucket` must not decrease as items grow (the leading bits of a key):
/// then the buckets in order are the items in order.
///
/// Where many items are made from fewer indices (keys from records), this takes the place of
/// collecting them and sorting the whole: every item is written once where it belongs, no sort
/// sees more than a bucket, and every part of the work is on every core. `make` is called twice
/// an index, to count and to place, and must emit the same items both times: keeping them from
/// the count to the placing would cost a second copy of all of them.
pub fn gather_sorted<T, B, F, S>(n: usize, buckets: usize, bucket: B, make: F, sort_bucket: S) -> Vec<T>
where
    T: Ord + Copy + Default + Send + Sync,
    B: Fn(&T) -> usize + Sync,
    F: Fn(usize, &mut Vec<T>) + Sync,
    S: Fn(&mut [T]) + Sync,
{
    let parts = if n >= 2 * SORT_PER_THREAD { threads() } else { 1 };
    gather_sorted_in_parts(n, buckets, bucket, make, sort_bucket, parts)
}

fn gather_sorted_in_parts<T, B, F, S>(
    n: usize,
    buckets: usize,
    bucket: B,
    make: F,
    sort_bucket: S,
    parts: usize,
) -> Vec<T>
where
    T: Ord + Copy + Default + Send + Sync,
    B: Fn(&T) -> usize + Sync,
    F: Fn(usize, &mut Vec<T>) + Sync,
    S: Fn(&mut [T]) + Sync,
{
    let buckets = buckets.max(1);
    let bucket = |item: &T| bucket(item).min(buckets - 1);
    let chunk = n.div_ceil(parts.max(1)).max(1);
    let runs: Vec<std::ops::Range<usize>> = (0..n).step_by(chunk).map(|s| s..(s + chunk).min(n)).collect();
    let counts: Vec<Vec<usize>> = map_indices(runs.len(), 1, |r| {
        let mut counts = vec![0usize; buckets];
        let mut items = Vec::new();
        for i in runs[r].clone() {
            items.clear();
            make(i, &mut items);
            for item in &items {
                counts[bucket(item)] += 1;
            }
        }
        counts
    });
    let sizes: Vec<usize> = (0..buckets).map(|b| counts.iter().map(|c| c[b]).sum()).collect();
    let mut out = vec![T::default(); sizes.iter().sum()];
    // Each run's room in each bucket, the runs in order: a bucket holds its items in the order
    // of their indices before it is sorted.
    let mut rooms: Vec<Vec<&mut [T]>> = runs.iter().map(|_| Vec::with_capacity(buckets)).collect();
    let mut rest: &mut [T] = &mut out;
    for b in 0..buckets {
        for (room, count) in rooms.iter_mut().zip(&counts) {
            let (here, after) = std::mem::take(&mut rest).split_at_mut(count[b]);
            room.push(here);
            rest = after;
        }
    }
    let place = |run: std::ops::Range<usize>, mut room: Vec<&mut [T]>| {
        let mut at = vec![0usize; buckets];
        let mut items = Vec::new();
        for i in run {
            items.clear();
            make(i, &mut items);
            for item in &items {
                let b = bucket(item);
                // Counted above from the same items: the room is there.
                if let Some(slot) = room[b].get_mut(at[b]) {
                    *slot = *item;
                }
                at[b] += 1;
            }
        }
    };
    on_threads(runs.into_iter().zip(rooms).collect(), |(run, room)| place(run, room));
    // The buckets in groups of about equal size, a group a thread.
    let mut groups: Vec<Vec<&mut [T]>> = Vec::new();
    let per = out.len().div_ceil(parts.max(1)).max(1);
    let (mut rest, mut filled): (&mut [T], usize) = (&mut out, per);
    for size in sizes {
        let (here, after) = std::mem::take(&mut rest).split_at_mut(size);
        rest = after;
        if filled >= per {
            groups.push(Vec::new());
            filled = 0;
        }
        filled += size;
        if let Some(group) = groups.last_mut() {
            group.push(here);
        }
    }
    on_threads(groups, |group| {
        for bucket in group {
            sort_bucket(bucket);
        }
    });
    out
}

/// `f` on each of `work`, each on a thread of its own (the first on this one).
pub fn on_threads<W: Send, F: Fn(W) + Sync>(work: Vec<W>, f: F) {
    let f = &f;
    std::thread::scope(|scope| {
        let mut work = work.into_iter();
        let first = work.next();
        for w in work {
            scope.spawn(move || f(w));
        }
        if let Some(w) = first {
            f(w);
        }
    });
}

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

    /// Gathered and sorted by buckets, on any number of threads: the items `sort_unstable`
    /// gives, however many each index makes, repeats and empty buckets included.
    #[test]
    fn gathers_as_sorting_everything_does() {
        let item = |i: usize, k: usize| {
            let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (k as u64) << 7;
            x ^= x >> 31;
            // Few distinct keys: runs of equal keys cross the runs of indices.
            ((x % 997) << 54, (i % 5) as u32)
        };
        let make = |i: usize, out: &mut Vec<(u64, u32)>| out.extend((0..i % 4).map(|k| item(i, k)));
        for n in [0, 1, 7, 1_000, 140_001] {
            let mut expected: Vec<(u64, u32)> = Vec::new();
            for i in 0..n {
                make(i, &mut expected);
            }
            expected.sort_unstable();
            for parts in [1, 2, 3, 7] {
                for buckets in [1usize, 16, 4096] {
                    let shift = 64 - buckets.trailing_zeros().max(1);
                    let got = super::gather_sorted_in_parts(
                        n,
                        buckets,
                        |x: &(u64, u32)| (x.0 >> shift) as usize,
                        make,
                        <[(u64, u32)]>::sort_unstable,
                        parts,
                    );
                    assert_eq!(got, expected, "{n} items, {parts} parts, {buckets} buckets");
                }
            }
            assert_eq!(
                super::gather_sorted(
                    n,
                    64,
                    |x: &(u64, u32)| (x.0 >> 58) as usize,
                    make,
                    <[(u64, u32)]>::sort_unstable
                ),
                expected
            );
        }
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
