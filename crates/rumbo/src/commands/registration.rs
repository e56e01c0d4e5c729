//! `rumbo registration import`: registrations from a CSV file, checked and written whole or
//! not at all, as the command line (the system) — for migrations from other systems and for
//! benchmarks. The same file format as the web import (see `rumbo_io::registrations`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use rumbo_domain::Problem;
use rumbo_domain::audit::Actor;
use rumbo_io::registrations::read_registrations;
use rumbo_store::registration::{NewRegistration, today};
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
    let RegistrationCommand::Import { file, db, keys } = command;
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
