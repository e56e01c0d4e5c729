//! `rumbo registration import` and `export`: registrations from a CSV file, checked and written
//! whole or not at all, and back out, as the command line (the system) — for migrations from
//! and to other systems and for benchmarks. The same file format as the web import and export
//! (see `rumbo_io::registrations`). An export with names needs a stated purpose, and is audited
//! with it, as on the web.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use rumbo_domain::Problem;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::RegistrationReach;
use rumbo_domain::audit::Actor;
use rumbo_domain::country::Iso3;
use rumbo_domain::registration::consent::{ExportPurpose, SharingPurpose};
use rumbo_io::registrations::{read_registrations, write_registrations_csv};
use rumbo_store::registration::{Disclosure, HouseholdQuery, NewRegistration, today};
use rumbo_store::{StoreError, now};
use rumbo_web::transfer::clean_file_name;

use super::DatabaseArg;
use super::keys::DataKeyArg;

#[derive(Debug, Subcommand)]
pub enum RegistrationCommand {
    /// Import registrations (CSV, UTF-8, one row per person; see docs/registration.md). Every
    /// problem is listed with its row and column, and nothing is stored while there is one.
    Import {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        keys: DataKeyArg,
    },
    /// Export registrations as CSV, one row per person. Without --purpose the file holds
    /// pseudonymous codes only; with it, names, phones, documents and positions too (this needs
    /// the data keys, and is audited with the purpose).
    Export {
        /// Where to write the CSV. An existing file is never replaced.
        #[arg(long, short)]
        output: PathBuf,
        /// Only this country's registrations (ISO3, e.g. COL).
        #[arg(long)]
        country: Option<String>,
        /// Why the names leave Rumbo: distribution, case_management, referral, verification or
        /// subject_access_request.
        #[arg(long)]
        purpose: Option<String>,
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        keys: DataKeyArg,
    },
}

/// Problems as an error listing each on its own line.
fn refused(file: &std::path::Path, message: &str, problems: &[Problem]) -> anyhow::Error {
    let mut text = format!("{}: {message}", file.display());
    for problem in problems {
        text.push_str(&format!("\n  {problem}"));
    }
    anyhow::anyhow!(text)
}

pub async fn run(command: RegistrationCommand) -> anyhow::Result<()> {
    match command {
        RegistrationCommand::Import { file, db, keys } => import(file, db, keys).await,
        RegistrationCommand::Export {
            output,
            country,
            purpose,
            db,
            keys,
        } => export(output, country, purpose, db, keys).await,
    }
}

async fn export(
    output: PathBuf,
    country: Option<String>,
    purpose: Option<String>,
    db: DatabaseArg,
    keys: DataKeyArg,
) -> anyhow::Result<()> {
    if output.exists() {
        anyhow::bail!("{} exists already; choose another file", output.display());
    }
    let country = country.map(|c| Iso3::parse(&c)).transpose()?;
    let purpose = purpose.map(|p| ExportPurpose::parse(&p)).transpose()?;
    let store = db.open().await?;
    let (store, disclosure) = match purpose {
        Some(_) => (store.with_data_keys(keys.require()?)?, Disclosure::Personal),
        None => (store, Disclosure::Pseudonymous),
    };
    let query = HouseholdQuery {
        country,
        ..Default::default()
    };
    let people = store
        .export_people(
            &Actor::system("cli"),
            &query,
            &RegistrationReach::All,
            SharingPurpose::CaseManagement,
            disclosure,
            purpose,
        )
        .await?;
    let file = std::fs::File::create_new(&output).with_context(|| format!("cannot create {}", output.display()))?;
    write_registrations_csv(
        &people,
        disclosure == Disclosure::Personal,
        std::io::BufWriter::new(file),
    )?;
    eprintln!(
        "Wrote {} people to {}{}.",
        people.len(),
        output.display(),
        match purpose {
            Some(p) => format!(" with their personal data, for {} (audited)", p.code()),
            None => " under pseudonymous codes".to_owned(),
        }
    );
    Ok(())
}

async fn import(file: PathBuf, db: DatabaseArg, keys: DataKeyArg) -> anyhow::Result<()> {
    let started = Instant::now();
    let store = db.open().await?.with_data_keys(keys.require()?)?;
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let records = read_registrations(&bytes, today()).map_err(|r| refused(&file, &r.to_string(), &r.problems))?;
    drop(bytes);
    let read = started.elapsed();
    let mut desks = HashMap::new();
    let mut problems = Vec::new();
    let mut registrations = Vec::with_capacity(records.len());
    for record in records {
        let code = record.desk.trim().to_uppercase();
        if !desks.contains_key(&code) {
            let desk = match store.location_by_code(&code).await {
                Ok(location) => store.registration_desk(location.id).await.map_err(|e| e.to_string()),
                Err(StoreError::NotFound { .. }) => Err(format!("no location has the code {code}")),
                Err(e) => return Err(e.into()),
            };
            desks.insert(code.clone(), desk);
        }
        match desks.get(&code) {
            Some(Ok(desk)) => registrations.push(NewRegistration {
                place: record.place,
                desk: desk.clone(),
                household: record.household,
                registered_at: record.registered_at.unwrap_or_else(now),
            }),
            Some(Err(why)) => problems.push(Problem::new(format!("{}, column desk", record.place), why)),
            None => {}
        }
    }
    problems.extend(store.check_registration_areas(&registrations).await?);
    if !problems.is_empty() {
        return Err(refused(
            &file,
            &format!("{} problem(s); nothing was imported", problems.len()),
            &problems,
        ));
    }
    let source = clean_file_name(file.file_name().and_then(|n| n.to_str()));
    let (summary, _) = store
        .write_registrations(&Actor::system("cli"), &registrations, Some(&source))
        .await
        .map_err(|e| match e {
            StoreError::Rejected { message, problems } => refused(&file, &message, &problems),
            other => other.into(),
        })?;
    let total = started.elapsed();
    eprintln!(
        "Imported {}: {} households, {} people, {} documents; {} possible duplicates flagged; {} scored. \
         Read and checked in {:.1} s, written in {:.1} s ({:.0} people/s).",
        file.display(),
        summary.households,
        summary.people,
        summary.documents,
        summary.flagged,
        summary.scored,
        read.as_secs_f64(),
        (total - read).as_secs_f64(),
        summary.people as f64 / total.as_secs_f64()
    );
    Ok(())
}
