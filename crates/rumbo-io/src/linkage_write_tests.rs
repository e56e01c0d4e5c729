//! The writers build their rows without the csv crate's writer: its files are the oracle here.

use proptest::prelude::*;
use rumbo_domain::linkage::FieldComparison;

use super::write::{Formatted, push_field};
use super::*;

/// Ids as people write them, quotes, commas and line breaks among them, short and long (more
/// than 15 bytes are kept apart).
fn id() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec!["7", "0", "+", "a", "ñ", " ", ",", "\"", "\n", "\r", "-"]),
        1..12,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    /// A row of fields pushed as the csv crate writes the same record.
    #[test]
    fn fields_are_pushed_as_the_csv_crate_writes_them(fields in prop::collection::vec(id(), 2..5)) {
        let mut pushed = Vec::new();
        for (k, field) in fields.iter().enumerate() {
            if k > 0 {
                pushed.push(b',');
            }
            push_field(&mut pushed, field.as_bytes());
        }
        pushed.push(b'\n');
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&fields).expect("write");
        prop_assert_eq!(pushed, writer.into_inner().expect("flush"));
    }

    /// A number kept formatted is the number `format!` writes, whatever was met before it in
    /// its slot.
    #[test]
    fn kept_numbers_are_formatted_as_format_writes_them(bits in prop::collection::vec(any::<u64>(), 1..50), again in any::<prop::sample::Index>()) {
        let mut values: Vec<f64> = bits.iter().map(|b| f64::from_bits(*b)).collect();
        values.extend([0.0, -0.0, 0.0625, 0.1875, 1.0, f64::NAN, f64::INFINITY, -1e300]);
        values.push(values[again.index(values.len())]);
        let mut three = Formatted::new(3);
        let mut six = Formatted::new(6);
        for value in values {
            prop_assert_eq!(three.of(value).to_vec(), format!("{value:.3}").into_bytes());
            prop_assert_eq!(six.of(value).to_vec(), format!("{value:.6}").into_bytes());
        }
    }

    /// Pairs and clusters written as the csv crate wrote them, ids that must be quoted and ids
    /// that read as the same number included.
    #[test]
    fn pairs_and_clusters_are_written_as_the_csv_crate_wrote_them(
        ids in prop::collection::vec(id(), 1..40),
        picks in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), -40.0f64..40.0), 0..30),
        cuts in prop::collection::vec(any::<bool>(), 40),
        households in any::<bool>(),
    ) {
        let records: Vec<PersonRecord> = ids
            .iter()
            .map(|id| PersonRecord {
                key: id.clone(),
                household: households.then(|| "1".to_owned()),
                ..PersonRecord::default()
            })
            .collect();
        let pairs: Vec<ScoredPair> = picks
            .iter()
            .map(|(a, b, w)| ScoredPair {
                left: a.index(records.len()),
                right: b.index(records.len()),
                probability: 1.0 / (1.0 + (-w).exp2()),
                weight: *w,
                fields: FIELDS
                    .iter()
                    .chain(households.then_some(&HOUSEHOLD_FIELD))
                    .enumerate()
                    .map(|(f, field)| FieldComparison { field, level: "exact", weight: w / (f + 1) as f64 })
                    .collect(),
            })
            .collect();
        let mut out = Vec::new();
        write_pairs_csv(&records, &pairs, &mut out).expect("write");
        prop_assert_eq!(out, pairs_by_csv(&records, &pairs, households));
        // Records cut into clusters where `cuts` says, the clusters written backwards: any order.
        let mut clusters: Vec<Vec<usize>> = vec![Vec::new()];
        for (i, cut) in cuts.iter().enumerate().take(records.len()) {
            if *cut && !clusters[clusters.len() - 1].is_empty() {
                clusters.push(Vec::new());
            }
            let last = clusters.len() - 1;
            clusters[last].push(i);
        }
        clusters.reverse();
        let mut out = Vec::new();
        write_clusters_csv(&records, &clusters, &mut out).expect("write");
        prop_assert_eq!(out, clusters_by_csv(&records, &clusters));
    }
}

/// The pairs as they were written through the csv crate's writer.
fn pairs_by_csv(records: &[PersonRecord], pairs: &[ScoredPair], households: bool) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut names = vec!["left_id", "right_id", "probability", "weight"];
    names.extend(FIELDS);
    if households {
        names.push(HOUSEHOLD_FIELD);
    }
    writer.write_record(&names).expect("write");
    for pair in pairs {
        let mut row = vec![
            records[pair.left].key.clone(),
            records[pair.right].key.clone(),
            format!("{:.6}", pair.probability),
            format!("{:.3}", pair.weight),
        ];
        row.extend(pair.fields.iter().map(|f| format!("{:.3}", f.weight)));
        writer.write_record(&row).expect("write");
    }
    writer.into_inner().expect("flush")
}

/// The clusters as they were written through the csv crate's writer.
fn clusters_by_csv(records: &[PersonRecord], clusters: &[Vec<usize>]) -> Vec<u8> {
    let mut name = vec![""; records.len()];
    for cluster in clusters.iter().filter(|c| c.len() > 1) {
        let smallest = cluster
            .iter()
            .map(|i| records[*i].key.as_str())
            .min_by_key(|id| id_order(id.as_bytes()))
            .unwrap_or("");
        for i in cluster {
            name[*i] = smallest;
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["id", "cluster"]).expect("write");
    for (record, cluster) in records.iter().zip(name) {
        let cluster = if cluster.is_empty() {
            record.key.as_str()
        } else {
            cluster
        };
        writer.write_record([record.key.as_str(), cluster]).expect("write");
    }
    writer.into_inner().expect("flush")
}
