//! The surnames' level of a pair. Each record carries up to two surnames; desks write them in
//! either order, or only one of them. Which words are equal is known from their ids; how two
//! different words relate is a question to [`Relate`], and only the questions whose answer can
//! change the level are asked: the surnames in the other order only when they could rank above
//! those in the same order, the single surname's likeness only when it is not found exactly.

use super::super::prepare::{Interner, NONE, Prepared};
use super::{Agree, ONE_SURNAME, ONE_SURNAME_EACH_DIFFERENT, Relate, agree};

pub(super) fn surnames(a: &Prepared, b: &Prepared, words: &Interner, relate: &mut impl Relate) -> u32 {
    use Agree::*;
    let (na, nb) = (a.surname_count(), b.surname_count());
    if na == 0 || nb == 0 {
        return 0;
    }
    let first = |p: &Prepared| {
        if p.surnames[0] != NONE {
            p.surnames[0]
        } else {
            p.surnames[1]
        }
    };
    if na == 1 && nb == 1 {
        return match agree(first(a), first(b), words, relate) {
            Equal => ONE_SURNAME as u32,
            Close => 6,
            _ => ONE_SURNAME_EACH_DIFFERENT as u32,
        };
    }
    if na == 1 || nb == 1 {
        let (single, both) = if na == 1 { (first(a), b) } else { (first(b), a) };
        // Found exactly, whatever the other surname is like.
        if both.surnames.contains(&single) {
            return 4;
        }
        let mut close = |s: u32| agree(single, s, words, relate) == Close;
        return if close(both.surnames[0]) || close(both.surnames[1]) {
            6
        } else {
            10
        };
    }
    let straight = [
        agree(a.surnames[0], b.surnames[0], words, relate),
        agree(a.surnames[1], b.surnames[1], words, relate),
    ];
    // The other order wins only by a higher rank, and it can rank at most 3 for each surname
    // equal crosswise (known from the ids) and 1 for each other one (close at best): when the
    // same order reaches that, the crossed words need not be compared.
    let crossed_equal = usize::from(a.surnames[0] == b.surnames[1]) + usize::from(a.surnames[1] == b.surnames[0]);
    let (best, is_swapped) = if rank(straight) >= crossed_equal * 3 + (2 - crossed_equal) {
        (straight, false)
    } else {
        let swapped = [
            agree(a.surnames[0], b.surnames[1], words, relate),
            agree(a.surnames[1], b.surnames[0], words, relate),
        ];
        if rank(swapped) > rank(straight) {
            (swapped, true)
        } else {
            (straight, false)
        }
    };
    let equal = best.iter().filter(|x| **x == Equal).count();
    let close = best.iter().filter(|x| **x == Close).count();
    match (equal, close) {
        (2, _) if is_swapped => 2,
        (2, _) => 1,
        (1, 1) => 3,
        (1, _) => 5,
        (0, 2) => 6,
        _ => 10,
    }
}

/// How well two surnames compared in one order agree: an equal surname outweighs any number
/// of close ones.
fn rank(s: [Agree; 2]) -> usize {
    let equal = s.iter().filter(|x| **x == Agree::Equal).count();
    let close = s.iter().filter(|x| **x == Agree::Close).count();
    equal * 3 + close
}
