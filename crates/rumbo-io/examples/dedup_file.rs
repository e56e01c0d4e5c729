//! `rumbo dedup --input` without the rest of Rumbo: the same reader, engine and writers, built
//! in a fraction of the time the whole binary takes, for timing changes to the engine. The
//! outputs are byte for byte the CLI's; the figures that count are still the CLI's (bench/dedup).
//!
//! cargo run --release -p rumbo-io --example dedup_file -- PEOPLE.csv PAIRS.csv CLUSTERS.csv

use std::error::Error;
use std::fs::File;
use std::io::BufWriter;
use std::time::Instant;

use rumbo_domain::linkage::{LinkageSettings, link_with};
use rumbo_io::linkage::{read_people, write_clusters_csv, write_pairs_csv};

// The CLI's allocator: allocation is a good part of what is timed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, pairs_out, clusters_out] = args.as_slice() else {
        return Err("usage: dedup_file PEOPLE.csv PAIRS.csv CLUSTERS.csv".into());
    };
    let started = Instant::now();
    let records = read_people(&rumbo_io::file::read_file(input.as_ref())?)?;
    let read = started.elapsed().as_secs_f64();
    let (linkage, written) = link_with(&records, &LinkageSettings::default(), |pairs| {
        let clock = Instant::now();
        let out = File::create(pairs_out).map(|file| BufWriter::with_capacity(1 << 20, file));
        let written = out
            .map_err(Box::<dyn Error + Send + Sync>::from)
            .and_then(|out| write_pairs_csv(&records, pairs, out).map_err(Box::<dyn Error + Send + Sync>::from));
        (written, clock.elapsed().as_secs_f64())
    });
    written.0.map_err(|e| e as Box<dyn Error>)?;
    let clock = Instant::now();
    write_clusters_csv(
        &records,
        &linkage.clusters,
        BufWriter::with_capacity(1 << 20, File::create(clusters_out)?),
    )?;
    let s = &linkage.stats;
    eprintln!(
        "{} records, {} candidate pairs, {} pairs. Seconds: read {read:.2}, {} (pairs written \
         meanwhile in {:.2}), write {:.2}; total {:.2}.",
        s.records,
        s.candidates,
        linkage.pairs.len(),
        s.stage_seconds(),
        written.1,
        clock.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64(),
    );
    // As the CLI: the system takes the memory back in one sweep at exit.
    std::mem::forget(linkage);
    std::mem::forget(records);
    Ok(())
}
