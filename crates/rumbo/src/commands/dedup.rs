//! `rumbo dedup --input people.csv`: finds the people registered more than once in a CSV file
//! (see `rumbo_io::linkage` for its columns) with the linkage engine, and writes the matched
//! pairs and the cluster of every record. Nothing is stored: the file in, two files out. The
//! outputs hold record ids, probabilities and weights only — no names.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use rumbo_domain::linkage::{LinkageSettings, link_with};
use rumbo_io::linkage::{read_people, write_clusters_csv, write_pairs_csv};

#[derive(Debug, Args)]
pub struct DedupArgs {
    /// The people to de-duplicate: CSV, UTF-8, one row per registration, with the columns
    /// id, organisation, given_names, first_surname, second_surname, birth_date, sex, document,
    /// nationality, and optionally household (the organisation's own household or case number).
    #[arg(long, required_unless_present = "database")]
    pub input: Option<PathBuf>,
    /// Link the registrations stored in this database instead (see `dedup_store`).
    #[arg(long, conflicts_with = "input")]
    pub database: Option<String>,
    #[command(flatten)]
    pub store: super::dedup_store::StoreArgs,
    /// Where to write the matched pairs (left_id, right_id, probability, weight and each
    /// field's weight). Replaced if it exists.
    #[arg(long)]
    pub pairs_out: PathBuf,
    /// Where to write each record's cluster (id, cluster: the smallest id of the person's
    /// records). Replaced if it exists.
    #[arg(long)]
    pub clusters_out: PathBuf,
    /// Pairs at or above this match probability are reported and may join one person.
    #[arg(long, default_value_t = 0.5, value_parser = probability)]
    pub threshold: f64,
}

fn probability(raw: &str) -> Result<f64, String> {
    match raw.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("'{raw}' is not a probability between 0 and 1")),
    }
}

pub async fn run(args: DedupArgs) -> anyhow::Result<()> {
    if let Some(database) = &args.database {
        return super::dedup_store::run(database, &args).await;
    }
    let input = args.input.as_deref().context("give --input FILE or --database URL")?;
    let started = Instant::now();
    let bytes = rumbo_io::file::read_file(input).with_context(|| format!("cannot read {}", input.display()))?;
    let records = read_people(&bytes).map_err(|rejected| {
        let mut text = format!("{}: {rejected}", input.display());
        for problem in &rejected.problems {
            text.push_str(&format!("\n  {problem}"));
        }
        anyhow::anyhow!(text)
    })?;
    drop(bytes);
    let read = started.elapsed().as_secs_f64();
    let settings = LinkageSettings {
        report_threshold: args.threshold,
        cluster_threshold: args.threshold,
        ..LinkageSettings::default()
    };
    // The pairs are written while the engine groups them into persons.
    let (linkage, (pairs_written, pairs_seconds)) = link_with(&records, &settings, |pairs| {
        let clock = Instant::now();
        let written = create(&args.pairs_out).and_then(|out| {
            write_pairs_csv(&records, pairs, out).with_context(|| format!("cannot write {}", args.pairs_out.display()))
        });
        (written, clock.elapsed().as_secs_f64())
    });
    pairs_written?;

    let clock = Instant::now();
    write_clusters_csv(&records, &linkage.clusters, create(&args.clusters_out)?)
        .with_context(|| format!("cannot write {}", args.clusters_out.display()))?;
    let written = clock.elapsed().as_secs_f64();

    let s = &linkage.stats;
    let persons = linkage.clusters.len();
    eprintln!(
        "Read {} records; compared {} candidate pairs ({} distinct comparison vectors); \
         {} pairs at or above {}; {} persons ({} records in clusters of two or more).",
        s.records,
        s.candidates,
        s.patterns,
        linkage.pairs.len(),
        args.threshold,
        persons,
        linkage
            .clusters
            .iter()
            .filter(|c| c.len() > 1)
            .map(Vec::len)
            .sum::<usize>(),
    );
    eprintln!(
        "Seconds: read {read:.2}, {} (pairs written meanwhile in {pairs_seconds:.2}), write \
         {written:.2}; total {:.2}.",
        s.stage_seconds(),
        started.elapsed().as_secs_f64(),
    );
    // The process ends here: freeing a million records and pairs one allocation at a time
    // would take a good part of a second, and the system takes the memory back in one sweep.
    // That sweep is what the wall time adds to the total (about 0.1 s at a million records):
    // mimalloc's collection at exit hands back the memory freed during the run, page by page
    // (`madvise`), and the kernel unmaps the rest, some 850 MB. Without the collection
    // (`MIMALLOC_PURGE_DELAY=-1`) the kernel frees those pages instead and the exit takes as
    // long: only touching fewer pages would shorten it.
    std::mem::forget(linkage);
    std::mem::forget(records);
    Ok(())
}

fn create(path: &Path) -> anyhow::Result<std::io::BufWriter<std::fs::File>> {
    let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    // Large writes: the pairs come in buffers of several hundred kilobytes.
    Ok(std::io::BufWriter::with_capacity(1 << 20, file))
}
