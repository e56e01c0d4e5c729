//! Matched pairs into persons. Connected components would chain: if Ana's record matches a
//! sloppy record that also matches her sister Ada's, all three become one person. Here pairs
//! are merged strongest first, and two groups of records become one person only when the
//! records of one match those of the other *as a whole*: every pair across the two groups is
//! scored (not only the pairs blocking found), and the merge happens only if their mean
//! probability reaches the threshold and none of them is a confident non-match (below the
//! floor, with a field that differs outright). A weak link to one member is then not enough to
//! pull a group in. A pair below the floor only for want of evidence — a sparse registration
//! without birth date or document, a lone surname — does not veto: it shares too little with
//! that member to be sure, not something that tells them apart, and another member may carry
//! what it lacks.
//!
//! Groups are small (a person is registered a handful of times), so scoring every pair across
//! two groups is cheap; two groups whose product of sizes exceeds [`MAX_CROSS`] are left
//! apart rather than merged unchecked.

/// The most pairs scored to decide one merge.
pub const MAX_CROSS: usize = 10_000;

/// Records `0..n` grouped: `edges` are `(i, j, probability)`; `scorer(k)` is part `k`'s way to
/// score any pair: its probability and whether some field speaks against it. Every record is
/// in exactly one group; members ascending, groups by first member.
///
/// Records that no edge at or above the threshold joins never meet: the records those edges
/// join (connected components) are grouped apart, in `parts` run on every core, each with the
/// merges, in the order, that grouping all records at once makes; so the groups are the same
/// however the work is cut. Most records are alone and cost only their group.
pub(crate) fn cluster<S>(
    n: usize,
    edges: &[(usize, usize, f64)],
    threshold: f64,
    floor: f64,
    parts: usize,
    scorer: impl Fn(usize) -> S + Sync,
) -> Vec<Vec<usize>>
where
    S: FnMut(usize, usize) -> (f64, bool),
{
    let strong: Vec<(f64, usize, usize)> = edges
        .iter()
        .filter(|(i, j, p)| *p >= threshold && i != j && *i < n && *j < n)
        .map(|(i, j, p)| (*p, *i, *j))
        .collect();
    let components = Components::of(n, &strong);
    drop(strong);
    // Runs of components with about as many edges each, one a part, in order.
    let parts = parts.max(1);
    let share = components.edges.len().div_ceil(parts).max(1);
    let mut runs: Vec<std::ops::Range<usize>> = Vec::with_capacity(parts);
    let mut start = 0;
    for c in 0..components.count() {
        if components.edge_starts[c + 1] - components.edge_starts[start] >= share {
            runs.push(start..c + 1);
            start = c + 1;
        }
    }
    if start < components.count() || runs.is_empty() {
        runs.push(start..components.count());
    }
    let grouped = crate::parallel::map_indices(runs.len(), 1, |k| {
        let mut score = scorer(k);
        let mut work = Work::default();
        let mut groups = Groups::default();
        for c in runs[k].clone() {
            work.group(&components, c, (threshold, floor), &mut score, &mut groups);
        }
        groups
    });
    components.into_groups(n, grouped)
}

/// The records joined by edges at or above the threshold, component by component: each
/// component's records ascending, and its edges strongest first, ties by records.
struct Components {
    /// The records of component `c` are `records[starts[c]..starts[c + 1]]`, ascending.
    records: Vec<usize>,
    starts: Vec<usize>,
    /// The edges of component `c`, `edges[edge_starts[c]..edge_starts[c + 1]]`, between the
    /// records' places in their component.
    edges: Vec<(f64, u32, u32)>,
    edge_starts: Vec<usize>,
    /// Whether each record is in a component.
    joined: Vec<bool>,
}

impl Components {
    /// Places in a component are `u32`, as blocking numbers the records.
    fn of(n: usize, strong: &[(f64, usize, usize)]) -> Components {
        // Union-find whose root is the smallest record: a record's parent is never after it, so
        // one pass in record order leaves every record pointing at its root.
        let mut parent: Vec<usize> = (0..n).collect();
        let mut joined = vec![false; n];
        let root = |parent: &mut Vec<usize>, mut x: usize| {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        };
        for (_, i, j) in strong {
            let (a, b) = (root(&mut parent, *i), root(&mut parent, *j));
            joined[*i] = true;
            joined[*j] = true;
            parent[a.max(b)] = a.min(b);
        }
        // Components numbered by their first record (reusing `parent`); each record's place in
        // its component.
        let mut place = vec![0u32; n];
        let mut sizes: Vec<u32> = Vec::new();
        for r in 0..n {
            if !joined[r] {
                continue;
            }
            parent[r] = if parent[r] == r {
                sizes.push(0);
                sizes.len() - 1
            } else {
                // The parent came first (and is joined): it holds its component's number now.
                parent[parent[r]]
            };
            place[r] = sizes[parent[r]];
            sizes[parent[r]] += 1;
        }
        let component = parent;
        let starts = offsets(sizes.iter().map(|s| *s as usize));
        let mut records = vec![0; starts.last().copied().unwrap_or(0)];
        for r in (0..n).filter(|r| joined[*r]) {
            records[starts[component[r]] + place[r] as usize] = r;
        }
        let mut counts = vec![0; sizes.len()];
        for (_, i, _) in strong {
            counts[component[*i]] += 1;
        }
        let edge_starts = offsets(counts.iter().copied());
        let mut at = edge_starts.clone();
        let mut edges = vec![(0.0, 0, 0); strong.len()];
        for (p, i, j) in strong {
            let c = component[*i];
            edges[at[c]] = (*p, place[*i], place[*j]);
            at[c] += 1;
        }
        // Places keep the records' order: this is the order of all edges, a component's apart.
        for c in 0..sizes.len() {
            edges[edge_starts[c]..edge_starts[c + 1]]
                .sort_unstable_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
        }
        Components {
            records,
            starts,
            edges,
            edge_starts,
            joined,
        }
    }

    fn count(&self) -> usize {
        self.starts.len() - 1
    }

    /// Every record's group, groups by first member: a record no edge joins alone, the others
    /// as their components' grouping left them.
    fn into_groups(self, n: usize, grouped: Vec<Groups>) -> Vec<Vec<usize>> {
        let mut members: Vec<usize> = Vec::with_capacity(self.records.len());
        let mut ends: Vec<usize> = Vec::new();
        for groups in grouped {
            let base = members.len();
            members.extend(groups.members);
            ends.extend(groups.ends.iter().map(|e| base + e));
        }
        // The group each record heads, if any.
        const NONE: u32 = u32::MAX;
        let mut heads = vec![NONE; n];
        let mut start = 0;
        for (g, end) in ends.iter().enumerate() {
            heads[members[start]] = g as u32;
            start = *end;
        }
        let span = |g: usize| if g == 0 { 0 } else { ends[g - 1] }..ends[g];
        // A piece of records a thread: a million groups are a million allocations.
        let piece = 1 << 16;
        let pieces = crate::parallel::map_indices(n.div_ceil(piece), 2, |k| {
            let mut out: Vec<Vec<usize>> = Vec::new();
            for r in k * piece..((k + 1) * piece).min(n) {
                if !self.joined[r] {
                    out.push(vec![r]);
                } else if heads[r] != NONE {
                    out.push(members[span(heads[r] as usize)].to_vec());
                }
            }
            out
        });
        let mut out = Vec::with_capacity(pieces.iter().map(Vec::len).sum());
        for piece in pieces {
            out.extend(piece);
        }
        out
    }
}

/// Where each of `sizes` starts in one list, and where the last ends.
fn offsets(sizes: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut out = vec![0];
    let mut at = 0;
    for size in sizes {
        at += size;
        out.push(at);
    }
    out
}

/// Groups found by one part: `members[ends[g - 1]..ends[g]]` is group `g`, members ascending,
/// the groups of a component by first member.
#[derive(Default)]
struct Groups {
    members: Vec<usize>,
    ends: Vec<usize>,
}

/// One part's room to group a component in, kept from one component to the next. A group is
/// a list through `next`, named by its first member (a place in the component), which stays
/// first: a merge appends the other group's list to it.
#[derive(Default)]
struct Work {
    group: Vec<u32>,
    next: Vec<u32>,
    last: Vec<u32>,
    size: Vec<usize>,
    seen: Vec<bool>,
    taken: Vec<usize>,
}

/// The end of a group's list.
const END: u32 = u32::MAX;

impl Work {
    /// Groups component `c`: its edges strongest first, two groups merged only when the pairs
    /// across them score high on average and none is vetoed (see the module).
    fn group(
        &mut self,
        components: &Components,
        c: usize,
        (threshold, floor): (f64, f64),
        score: &mut impl FnMut(usize, usize) -> (f64, bool),
        out: &mut Groups,
    ) {
        let records = &components.records[components.starts[c]..components.starts[c + 1]];
        let k = records.len();
        self.group.clear();
        self.group.extend(0..k as u32);
        self.next.clear();
        self.next.resize(k, END);
        self.last.clear();
        self.last.extend(0..k as u32);
        self.size.clear();
        self.size.resize(k, 1);
        for (_, i, j) in &components.edges[components.edge_starts[c]..components.edge_starts[c + 1]] {
            let (gi, gj) = (self.group[*i as usize] as usize, self.group[*j as usize] as usize);
            if gi == gj || self.size[gi] * self.size[gj] > MAX_CROSS {
                continue;
            }
            // Every pair across, in the order the groups list their members (the sum is the
            // same to the last bit).
            let mut sum = 0.0;
            let mut vetoed = false;
            let mut x = gi as u32;
            while x != END {
                let mut y = gj as u32;
                while y != END {
                    let (p, against) = if (x, y) == (*i, *j) {
                        (1.0, false)
                    } else {
                        score(records[x as usize], records[y as usize])
                    };
                    sum += p;
                    vetoed |= p < floor && against;
                    y = self.next[y as usize];
                }
                x = self.next[x as usize];
            }
            let mean = sum / (self.size[gi] * self.size[gj]) as f64;
            if vetoed || mean < threshold {
                continue;
            }
            let (keep, gone) = if self.size[gi] >= self.size[gj] {
                (gi, gj)
            } else {
                (gj, gi)
            };
            let mut m = gone as u32;
            while m != END {
                self.group[m as usize] = keep as u32;
                m = self.next[m as usize];
            }
            self.next[self.last[keep] as usize] = gone as u32;
            self.last[keep] = self.last[gone];
            self.size[keep] += self.size[gone];
        }
        // Groups by first member without sorting them: place by place, a group is taken at its
        // smallest member, the first of them met.
        self.seen.clear();
        self.seen.resize(k, false);
        for x in 0..k {
            let g = self.group[x] as usize;
            if std::mem::replace(&mut self.seen[g], true) {
                continue;
            }
            self.taken.clear();
            let mut m = g as u32;
            while m != END {
                self.taken.push(m as usize);
                m = self.next[m as usize];
            }
            self.taken.sort_unstable();
            out.members.extend(self.taken.iter().map(|m| records[*m]));
            out.ends.push(out.members.len());
        }
    }
}

#[cfg(test)]
#[path = "cluster_tests.rs"]
mod tests;
