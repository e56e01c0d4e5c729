//! `rumbo import ...` and `rumbo export ...`: reference data in and out from the command line,
//! in the same formats as the web interface and the API (see `rumbo_web::transfer`). Imports
//! are whole or nothing, list every problem with where it is, and are recorded in the audit
//! log as done by the command line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use rumbo_domain::Vocabulary;
use rumbo_domain::audit::Actor;
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::AdminLevel;
use rumbo_domain::location::LocationKind;
use rumbo_store::StoreError;
use rumbo_store::locations::LocationQuery;
use rumbo_web::transfer::{self, AreaFormat, ExportFormat, TransferError, clean_file_name};

use super::DatabaseArg;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Admin boundaries: a COD-AB style GeoJSON FeatureCollection of one admin level, with
    /// properties such as ADM2_PCODE, ADM2_ES, ADM2_EN, ADM2_PT, ADM1_PCODE and ADM0_PCODE.
    Boundaries {
        /// The GeoJSON file.
        file: PathBuf,
        /// The admin level of the areas in the file: 1, 2 or 3.
        #[arg(long)]
        level: i64,
        /// ISO3 code of the country of every area, when the file does not say (no ADM0_PCODE).
        #[arg(long)]
        country: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// A P-code list (CSV, UTF-8): columns pcode, level, parent_pcode, country, name_es,
    /// name_en, name_pt; or one row per lowest area with adm1_pcode, adm1_name_es, adm2_pcode...
    Pcodes {
        /// The CSV file.
        file: PathBuf,
        /// ISO3 code: refuse the file if an area in it is in another country.
        #[arg(long)]
        country: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// A location list (CSV, UTF-8): columns code, name, kind, country, lat, lon, and
    /// optionally organisation (acronym), notes, active. New codes are created, known codes
    /// replaced.
    Locations {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

/// The shapes of an export.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// CSV with an HXL hashtag row under the header.
    Csv,
    /// GeoJSON (RFC 7946).
    Geojson,
}

impl From<Format> for ExportFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Csv => ExportFormat::Csv,
            Format::Geojson => ExportFormat::GeoJson,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Admin areas: CSV (one row per area with its ancestors' P-codes and names) or GeoJSON
    /// (full boundaries, COD-AB properties). Both import again.
    AdminAreas {
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        /// ISO3 code of one country; all countries when absent.
        #[arg(long)]
        country: Option<String>,
        /// One admin level (1, 2 or 3); all when absent.
        #[arg(long)]
        level: Option<i64>,
        /// Write here instead of to standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Locations: CSV with HXL hashtags, or GeoJSON points. The CSV imports again.
    Locations {
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        /// ISO3 code of one country; all countries when absent.
        #[arg(long)]
        country: Option<String>,
        /// One location type, such as border_crossing.
        #[arg(long)]
        kind: Option<String>,
        /// Deactivated locations too.
        #[arg(long)]
        include_inactive: bool,
        /// Write here instead of to standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        db: DatabaseArg,
    },
}

/// A spinner on standard error, saying what is being done; silent when stderr is not a
/// terminal (indicatif hides it), so scripts see only the result.
fn spinner(message: String) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar.set_message(message);
    bar
}

fn read(file: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))
}

/// A refused file as an error whose message lists every problem, one per line.
fn explain(file: &Path, e: TransferError) -> anyhow::Error {
    let (message, problems) = match e {
        TransferError::Rejected(r) => (r.to_string(), r.problems),
        TransferError::Store(StoreError::Rejected { message, problems }) => (message, problems),
        other => return anyhow::Error::new(other),
    };
    let mut text = format!("{}: {message}", file.display());
    for problem in problems {
        text.push_str(&format!("\n  {problem}"));
    }
    anyhow::anyhow!(text)
}

fn parse_country(raw: Option<&str>) -> anyhow::Result<Option<Iso3>> {
    Ok(raw.map(Iso3::parse).transpose()?)
}

fn parse_level(raw: Option<i64>) -> anyhow::Result<Option<AdminLevel>> {
    Ok(raw.map(AdminLevel::new).transpose()?)
}

pub async fn import(command: ImportCommand) -> anyhow::Result<()> {
    let actor = Actor::system("cli");
    match command {
        ImportCommand::Boundaries {
            file,
            level,
            country,
            db,
        } => {
            let level = parse_level(Some(level))?;
            let country = parse_country(country.as_deref())?;
            import_areas(&db, &actor, &file, AreaFormat::GeoJson, level, country).await
        }
        ImportCommand::Pcodes { file, country, db } => {
            let country = parse_country(country.as_deref())?;
            import_areas(&db, &actor, &file, AreaFormat::Csv, None, country).await
        }
        ImportCommand::Locations { file, db } => {
            let store = db.open().await?;
            let bar = spinner(format!("Reading {}", file.display()));
            let bytes = read(&file)?;
            let rows = transfer::read_location_rows(&bytes).map_err(|e| {
                bar.finish_and_clear();
                explain(&file, e.into())
            })?;
            bar.set_message(format!("Importing {} locations", rows.len()));
            let source = clean_file_name(file.file_name().and_then(|n| n.to_str()));
            let summary = store
                .import_location_rows(&actor, &rows, &source)
                .await
                .map_err(|e| explain(&file, e.into()));
            bar.finish_and_clear();
            let summary = summary?;
            eprintln!(
                "Imported {}: {} new locations, {} replaced.",
                file.display(),
                summary.created,
                summary.updated
            );
            Ok(())
        }
    }
}

async fn import_areas(
    db: &DatabaseArg,
    actor: &Actor,
    file: &Path,
    format: AreaFormat,
    level: Option<AdminLevel>,
    country: Option<Iso3>,
) -> anyhow::Result<()> {
    let store = db.open().await?;
    let bar = spinner(format!("Reading {}", file.display()));
    let bytes = read(file)?;
    let areas = transfer::read_admin_areas(&bytes, format, level, country).map_err(|e| {
        bar.finish_and_clear();
        explain(file, e.into())
    })?;
    bar.set_message(format!(
        "Importing {} admin areas and placing locations in them",
        areas.len()
    ));
    let source = clean_file_name(file.file_name().and_then(|n| n.to_str()));
    let summary = store
        .import_admin_areas_from(actor, &areas, &source)
        .await
        .map_err(|e| explain(file, e.into()));
    bar.finish_and_clear();
    let summary = summary?;
    eprintln!(
        "Imported {}: {} new admin areas, {} replaced; {} locations placed again.",
        file.display(),
        summary.created,
        summary.updated,
        summary.locations_resolved
    );
    Ok(())
}

pub async fn export(command: ExportCommand) -> anyhow::Result<()> {
    let actor = Actor::system("cli");
    let (bytes, count, what, output) = match command {
        ExportCommand::AdminAreas {
            format,
            country,
            level,
            output,
            db,
        } => {
            let store = db.open().await?;
            let bar = spinner("Writing admin areas".into());
            let exported = transfer::export_admin_areas(
                &store,
                &actor,
                format.into(),
                parse_country(country.as_deref())?,
                parse_level(level)?,
            )
            .await;
            bar.finish_and_clear();
            let (bytes, count) = exported?;
            (bytes, count, "admin areas", output)
        }
        ExportCommand::Locations {
            format,
            country,
            kind,
            include_inactive,
            output,
            db,
        } => {
            let store = db.open().await?;
            let query = LocationQuery {
                country: parse_country(country.as_deref())?,
                kind: kind.as_deref().map(LocationKind::parse).transpose()?,
                include_inactive,
                ..Default::default()
            };
            let bar = spinner("Writing locations".into());
            let exported = transfer::export_locations(&store, &actor, format.into(), &query).await;
            bar.finish_and_clear();
            let (bytes, count) = exported?;
            (bytes, count, "locations", output)
        }
    };
    match &output {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("Wrote {count} {what} to {}.", path.display());
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&bytes)?;
            stdout.flush()?;
        }
    }
    Ok(())
}
