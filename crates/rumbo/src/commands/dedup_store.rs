//! `rumbo dedup --database URL [--country ISO3] --pairs-out pairs.csv --clusters-out clusters.csv`:
//! the linkage engine over the registrations stored in Rumbo, country by country (every country
//! with registrations when none is given). Each run trains the country's model, keeps it for
//! matching new registrations, and files the pairs nobody has decided yet in the review queue,
//! as a run from the web does, and is recorded as a run (`deduplication_runs`) that the
//! review queue's page lists; it is refused while a run over the country is queued or running.
//! The two files hold pseudonymous person codes (`P-...`),
//! probabilities and weights in the same columns as the file mode — never a name.

use std::path::Path;

use anyhow::Context;
use clap::Args;
use rumbo_domain::audit::Actor;
use rumbo_domain::country::Iso3;
use rumbo_domain::linkage::{FIELDS, LinkageSettings};
use rumbo_io::tables::{Cell, DataTable, TableFormat, write_table};

use super::dedup::DedupArgs;
use super::keys::DataKeyArg;

/// The options only the store mode reads.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// With --database: only this country's registrations (ISO3, e.g. COL).
    #[arg(long, requires = "database")]
    pub country: Option<String>,
    #[command(flatten)]
    pub keys: DataKeyArg,
}

pub async fn run(database: &str, args: &DedupArgs) -> anyhow::Result<()> {
    let store = rumbo_store::Store::connect(database).await?;
    store.migrate().await?;
    let store = store.with_data_keys(args.store.keys.require()?)?;
    let countries = match &args.store.country {
        Some(raw) => vec![Iso3::parse(raw)?],
        None => store.registration_countries().await?,
    };
    let settings = LinkageSettings {
        report_threshold: args.threshold,
        cluster_threshold: args.threshold,
        ..LinkageSettings::default()
    };
    let mut pairs = DataTable::new(
        "pairs",
        &[("left_id", ""), ("right_id", ""), ("probability", ""), ("weight", "")],
    );
    pairs
        .columns
        .extend(FIELDS.iter().map(|f| ((*f).to_owned(), String::new())));
    let mut clusters = DataTable::new("clusters", &[("id", ""), ("cluster", "")]);
    let actor = Actor::system("cli");
    for country in countries {
        let started = std::time::Instant::now();
        let run = match store.run_deduplication(&actor, country, &settings).await {
            Ok(run) => run,
            // Recorded as a failed run; the other countries still run.
            Err(e) if rumbo_store::deduplication::runs::nothing_to_compare(&e) => {
                eprintln!("{country}: {e}.");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        eprintln!(
            "{country}: {} people compared; {} pairs at or above {}; {} filed for review; {} persons; {:.2} s.",
            run.records,
            run.pairs,
            args.threshold,
            run.suggested,
            run.clusters,
            started.elapsed().as_secs_f64()
        );
        for (left, right, probability, weight, fields) in &run.pair_rows {
            let mut row: Vec<Cell> = vec![
                left.as_str().into(),
                right.as_str().into(),
                Cell::Float(*probability),
                Cell::Float(*weight),
            ];
            row.extend(FIELDS.iter().map(|name| {
                fields
                    .iter()
                    .find(|(f, _)| f == name)
                    .map_or(Cell::Empty, |(_, w)| Cell::Float(*w))
            }));
            pairs.push(row);
        }
        for (id, cluster) in &run.cluster_rows {
            clusters.push(vec![id.as_str().into(), cluster.as_str().into()]);
        }
    }
    write(&pairs, &args.pairs_out)?;
    write(&clusters, &args.clusters_out)?;
    Ok(())
}

fn write(table: &DataTable, path: &Path) -> anyhow::Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    write_table(table, TableFormat::Csv, None, std::io::BufWriter::new(file))
        .with_context(|| format!("cannot write {}", path.display()))
}
