//! Disclosure control for public outputs. A disaggregated cell that counts very few people —
//! three girls of other gender in transit in one municipality — can single someone out, so
//! public tables show such counts as suppressed. Zero is shown: it reveals no one.

/// Counts from 1 up to this, exclusive, are suppressed in public disaggregated tables.
pub const THRESHOLD: i64 = 5;

/// A count as published: `None` when it is suppressed.
pub fn publish(count: i64) -> Option<i64> {
    if (1..THRESHOLD).contains(&count) {
        None
    } else {
        Some(count)
    }
}

/// Publishes each count of a breakdown.
pub fn publish_all<const N: usize>(counts: [i64; N]) -> [Option<i64>; N] {
    counts.map(publish)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_suppressed_and_zero_is_not() {
        assert_eq!(publish(0), Some(0));
        assert_eq!(publish(1), None);
        assert_eq!(publish(4), None);
        assert_eq!(publish(5), Some(5));
        assert_eq!(publish_all([3, 120]), [None, Some(120)]);
    }
}
