//! `rumbo flow ...`: count files and official border movement tables in from the command line
//! (the same checks and the same all-or-nothing rule as the web import), and, hidden, the
//! generator of the benchmarks' count data (`bench/flow-import`, `bench/flow-dashboards`).

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Subcommand;
use rumbo_domain::Vocabulary;
use rumbo_domain::audit::Actor;
use rumbo_domain::country::Iso3;
use rumbo_domain::flow::counts::{CountGroup, SLOTS, format_time};
use rumbo_domain::flow::{AgeBrackets, Direction, Sex, Transport};
use rumbo_store::flow::counts::{CountReport, ImportMode};
use time::Duration;

use super::DatabaseArg;
use crate::demo::rng::Rng;

#[derive(Debug, Subcommand)]
pub enum FlowCommand {
    /// Import a count file (CSV or XLSX, one row per group). Nothing is stored if any row has a
    /// problem, unless --import-valid says to store the valid rows.
    ImportCounts {
        file: PathBuf,
        /// Store the valid rows and list the rejected ones, instead of storing nothing.
        #[arg(long)]
        import_valid: bool,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Import an official border movement table (Country, Mov Type, Border Point, Month_Year,
    /// Total_individuals), whole or not at all.
    ImportOfficial {
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Benchmark data: deterministic count rows at the database's flow monitoring points over
    /// the last year, written as a count file (--csv) and/or stored in bulk (--store).
    #[command(hide = true)]
    BenchData {
        #[arg(long)]
        rows: usize,
        #[arg(long)]
        csv: Option<PathBuf>,
        #[arg(long)]
        store: bool,
        /// Start time of the generated observations (the demo's own are at 06:00).
        #[arg(long, default_value = "18:00")]
        start: String,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

pub async fn run(command: FlowCommand) -> anyhow::Result<()> {
    match command {
        FlowCommand::ImportCounts { file, import_valid, db } => {
            let store = db.open().await?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let started = Instant::now();
            let text = rumbo_web::flow_data::upload_text(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
            let brackets = store.age_brackets().await?;
            let columns = rumbo_io::flow_counts::count_columns(&text, &brackets).map_err(rejected)?;
            let mode = if import_valid {
                ImportMode::ValidRows
            } else {
                ImportMode::AllOrNothing
            };
            let source = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let report = store
                .import_counts(
                    &Actor::system("cli"),
                    rumbo_io::flow_counts::count_rows(text, columns),
                    mode,
                    &source,
                    &|_| true,
                )
                .await?;
            print_report(&report, started.elapsed().as_secs_f64());
            if !report.committed && !report.rejected.is_empty() {
                bail!(
                    "{} row problem(s); nothing was imported (add --import-valid to store the valid rows)",
                    report.rejected.len()
                );
            }
            Ok(())
        }
        FlowCommand::ImportOfficial { file, db } => {
            let store = db.open().await?;
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let text = rumbo_web::flow_data::upload_text(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
            let table = rumbo_io::official::read_official(&text).map_err(rejected)?;
            let figures: Vec<_> = table.figures.into_iter().map(|(_, f)| f).collect();
            let source = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let n = store
                .import_official_figures(&Actor::system("cli"), &figures, &source)
                .await?;
            println!(
                "Imported {n} official figures; {} rows had no figure.",
                table.not_reported
            );
            Ok(())
        }
        FlowCommand::BenchData {
            rows,
            csv,
            store: keep,
            start,
            seed,
            db,
        } => bench_data(rows, csv, keep, &start, seed, &db).await,
    }
}

fn rejected(r: rumbo_io::Rejected) -> anyhow::Error {
    let listed: Vec<String> = r.problems.iter().take(50).map(ToString::to_string).collect();
    anyhow::anyhow!("{r}:\n  {}", listed.join("\n  "))
}

fn print_report(report: &CountReport, seconds: f64) {
    println!(
        "{} {} rows ({} observations, {} people) in {seconds:.2} s: {:.0} rows/s; {} rejected.",
        if report.committed { "Imported" } else { "Checked" },
        report.valid,
        report.observations,
        report.people,
        report.valid as f64 / seconds.max(1e-9),
        report.rejected.len()
    );
    for r in report.rejected.iter().take(20) {
        println!("  row {}, column {}: {}", r.row, r.column, r.reason);
    }
}

/// Deterministic count rows spread over the points and the last 365 days, groups of 1 to 6
/// with a sex and age breakdown that adds up. As at a real point, groups at one point come
/// from one of three previous points and head to one of four next destinations.
async fn bench_data(
    rows: usize,
    csv: Option<PathBuf>,
    keep: bool,
    start: &str,
    seed: u64,
    db: &DatabaseArg,
) -> anyhow::Result<()> {
    let store = db.open().await?;
    let points = store.flow_points(None, None).await?;
    if points.is_empty() {
        bail!("the database has no flow monitoring points: build it with `rumbo demo --no-serve` first");
    }
    let start_minute = start
        .split_once(':')
        .and_then(|(h, m)| Some(h.parse::<u16>().ok()? * 60 + m.parse::<u16>().ok()?))
        .context("--start is HH:MM")?;
    let brackets = store.age_brackets().await?;
    let (header, _) = rumbo_io::flow_counts::count_header(&brackets);
    let mut out = match &csv {
        Some(path) => {
            let mut file = std::io::BufWriter::with_capacity(
                1 << 20,
                std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
            );
            writeln!(file, "{}", header.join(","))?;
            Some(file)
        }
        None => None,
    };
    let today = time::OffsetDateTime::now_utc().date();
    let first = today - Duration::days(365);
    let per_observation = rows.div_ceil(points.len() * 365 * 2).max(1);
    let nationalities = ["VEN", "VEN", "VEN", "VEN", "VEN", "VEN", "COL", "HTI", "CUB", "ECU"];
    let places: Vec<&str> = points.iter().map(|p| p.location.code.as_str()).collect();
    let mut rng = Rng::new(seed);
    let mut batch: Vec<CountGroup> = Vec::with_capacity(500_000);
    let (mut written, mut stored) = (0usize, 0usize);
    'outer: for day in 0..365 {
        let date = first + Duration::days(day);
        for (point_index, point) in points.iter().enumerate() {
            for direction in [Direction::Incoming, Direction::Outgoing] {
                for _ in 0..per_observation {
                    if written == rows {
                        break 'outer;
                    }
                    let size = 1 + rng.below(6) as u32;
                    let mut slots = [0u32; SLOTS];
                    for person in 0..size {
                        let bracket = if person == 0 { 3 } else { rng.below(brackets.len()) };
                        let sex = if rng.below(2) == 0 { Sex::Female } else { Sex::Male };
                        slots[sex as usize * AgeBrackets::MAX + bracket] += 1;
                    }
                    let group = CountGroup {
                        fmp_id: point.location.id,
                        date,
                        start_minute: Some(start_minute),
                        hours: 6,
                        direction,
                        size,
                        breakdown: Some(slots),
                        nationality: Iso3::parse(nationalities[rng.below(nationalities.len())]).ok(),
                        transport: Transport::ALL.get(rng.below(4)).copied(),
                        previous: Some(places[(point_index * 7 + rng.below(3)) % places.len()].to_owned()),
                        next: Some(places[(point_index * 11 + 1 + rng.below(4)) % places.len()].to_owned()),
                        final_destination: Some(["COL", "ECU", "PER", "CHL"][rng.below(4)].to_owned()),
                    };
                    if let Some(file) = out.as_mut() {
                        write_row(file, &point.location.code, &group, &brackets)?;
                    }
                    written += 1;
                    if keep {
                        batch.push(group);
                    }
                }
                // Whole observations per batch: a later batch may not add to a stored one.
                if batch.len() >= 500_000 {
                    stored += store_batch(&store, &mut batch).await?;
                }
            }
        }
    }
    if keep {
        stored += store_batch(&store, &mut batch).await?;
    }
    if let Some(mut file) = out {
        file.flush()?;
    }
    eprintln!("generated {written} rows; stored {stored}");
    Ok(())
}

async fn store_batch(store: &rumbo_store::Store, batch: &mut Vec<CountGroup>) -> anyhow::Result<usize> {
    if batch.is_empty() {
        return Ok(0);
    }
    let groups = std::mem::take(batch);
    let n = groups.len();
    store
        .record_count_groups(&Actor::system("cli"), groups, "benchmark data")
        .await?;
    batch.reserve(500_000);
    Ok(n)
}

fn write_row(out: &mut impl Write, code: &str, g: &CountGroup, brackets: &AgeBrackets) -> std::io::Result<()> {
    write!(
        out,
        "{code},{},{},{},{},{}",
        g.date,
        g.start_minute.map(format_time).unwrap_or_default(),
        g.hours,
        g.direction.code(),
        g.size
    )?;
    for (sex, bracket) in brackets.columns() {
        let n = g.breakdown.map_or(0, |b| b[sex as usize * AgeBrackets::MAX + bracket]);
        write!(out, ",{n}")?;
    }
    writeln!(
        out,
        ",{},{},{},{},{}",
        g.nationality.map(|n| n.to_string()).unwrap_or_default(),
        g.transport.map(|t| t.code()).unwrap_or(""),
        g.previous.as_deref().unwrap_or(""),
        g.next.as_deref().unwrap_or(""),
        g.final_destination.as_deref().unwrap_or("")
    )
}
