//! `rumbo demo`: builds the demo database (or reuses it), prints the demo logins and serves it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use rumbo_domain::Vocabulary;
use rumbo_store::{Backend, Store, redact};
use sqlx::Row;

use super::ServerArgs;
use crate::demo::{self, DatabaseState};

/// The default demo database: a file in the current folder, apart from `rumbo.db`.
pub const DEMO_DATABASE: &str = "sqlite://rumbo-demo.db";

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to build the demo: sqlite://PATH (embedded) or postgres://USER:PASSWORD@HOST:PORT/DB.
    /// Deliberately not read from RUMBO_DATABASE_URL: a demo must never land in the database a
    /// real deployment points to.
    #[arg(long, default_value = DEMO_DATABASE)]
    pub database: String,
    /// The seed of the synthetic data: the same seed always builds the same demo.
    #[arg(long, default_value_t = demo::DEFAULT_SEED)]
    pub seed: u64,
    /// Build the demo again from scratch. On SQLite the database file is deleted; on PostgreSQL
    /// this is refused unless the database is empty or --yes-wipe is given.
    #[arg(long)]
    pub fresh: bool,
    /// With --fresh: also wipe a database that holds data other than the demo's (on PostgreSQL,
    /// the whole current schema). It is lost.
    #[arg(long, requires = "fresh")]
    pub yes_wipe: bool,
    /// Build (or check) the demo and print the logins, then exit instead of serving.
    #[arg(long)]
    pub no_serve: bool,
    #[command(flatten)]
    pub server: ServerArgs,
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let shown = redact(&args.database);
    if args.fresh
        && let Some(path) = sqlite_path(&args.database)
    {
        delete_sqlite(&args.database, &path, args.yes_wipe).await?;
    }
    let mut store = open(&args.database).await?;
    let mut state = demo::state(&store).await?;
    let key_file = key_file(&args);
    let postgres = store.backend() == Backend::Postgres;
    if args.fresh && postgres && state != DatabaseState::Empty {
        if !args.yes_wipe {
            bail!(
                "{shown} is not empty, and --fresh would delete everything in it. Add --yes-wipe if \
                 that is what you want, or give an empty database"
            );
        }
        wipe_postgres(&store).await?;
        eprintln!("Wiped {shown}.");
        // New connections: none may hold statements prepared against the dropped schema.
        store.close().await;
        store = open(&args.database).await?;
        state = demo::state(&store).await?;
    }
    let building = match state {
        DatabaseState::Empty => true,
        DatabaseState::Demo { seed, complete: true } => {
            eprintln!("{shown} already holds the demo (seed {seed}): reusing it. Add --fresh to build it again.");
            if seed != args.seed {
                eprintln!("Note: it was built with seed {seed}, not {}.", args.seed);
            }
            false
        }
        DatabaseState::Demo { complete: false, .. } => bail!(
            "{shown} holds a demo whose build did not finish: run `rumbo demo --fresh{}` to build it again",
            if postgres { " --yes-wipe" } else { "" }
        ),
        DatabaseState::Other => bail!(
            "{shown} holds data that is not Rumbo's demo, and the demo never writes into such a \
             database: give another --database, or an empty one"
        ),
    };
    // Only a demo's database is given keys: a foreign one was refused above, untouched.
    let store = store.with_data_keys(demo_keys(&key_file, building)?)?;
    eprintln!(
        "Personal data in the demo is encrypted with the keys in {} (kept beside the database, never in it).",
        key_file.display()
    );
    if building {
        build(&store, args.seed).await?;
    }
    let logins = login_table();
    if args.no_serve {
        println!("{logins}");
        store.close().await;
        return Ok(());
    }
    super::serve::listen(store, &args.server, Some(logins)).await
}

/// Where the demo keeps its data keys: the file given, or beside a SQLite database (its name
/// with `.keys`), or `rumbo-demo.keys` in the current folder for PostgreSQL.
fn key_file(args: &DemoArgs) -> PathBuf {
    if let Some(file) = &args.server.keys.data_key_file {
        return file.clone();
    }
    match sqlite_path(&args.database) {
        Some(path) => path.with_extension("keys"),
        None => PathBuf::from("rumbo-demo.keys"),
    }
}

/// The demo's keys: read from `file`, or made for a demo about to be built.
fn demo_keys(file: &Path, building: bool) -> anyhow::Result<rumbo_store::vault::DataKeys> {
    if file.exists() {
        return super::keys::read_keys(file);
    }
    if !building {
        bail!(
            "the demo database holds encrypted registrations, but its key file {} is missing: run `rumbo demo --fresh` to build it again",
            file.display()
        );
    }
    let keys = rumbo_store::vault::DataKeys::generate()?;
    super::keys::write_keys(file, &keys)?;
    Ok(keys)
}

/// Connects and brings the schema up to date.
async fn open(url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(url).await?;
    store.migrate().await?;
    Ok(store)
}

async fn build(store: &Store, seed: u64) -> anyhow::Result<()> {
    let started = Instant::now();
    let bar = ProgressBar::new(1);
    bar.set_style(
        ProgressStyle::with_template("{spinner} Building the demo: {msg:42} [{bar:24}] {pos}/{len}")?
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar.set_message("drawing boundaries");
    // Pure CPU work: keep it off the async workers.
    let generated = tokio::task::spawn_blocking(move || demo::generate(seed))
        .await
        .context("the demo generator stopped")??;
    let loaded = demo::load(store, &generated, &bar).await;
    bar.finish_and_clear();
    let loaded = loaded?;
    eprintln!(
        "Built the demo (seed {seed}) in {:.1} s: {} admin areas, {} platforms, {} organisations, {} locations, {} accounts, {} 5W reports; \
         {} counted groups ({} people), {} survey interviews ({} protection cases); \
         {} households ({} people; {} possible duplicates to review) at {} more registration desks (written in {:.1} s).",
        started.elapsed().as_secs_f64(),
        loaded.admin_areas,
        loaded.platforms,
        loaded.organisations,
        loaded.locations,
        loaded.users,
        loaded.reports_5w,
        loaded.flow.groups,
        loaded.flow.people,
        loaded.flow.interviews,
        loaded.flow.cases,
        loaded.registration.households,
        loaded.registration.people,
        loaded.registration.flagged,
        loaded.registration.desks,
        loaded.registration.millis as f64 / 1000.0
    );
    Ok(())
}

/// The demo logins as a table for the terminal.
fn login_table() -> String {
    let rows: Vec<[String; 5]> = demo::LOGINS
        .iter()
        .map(|login| {
            [
                login.username.to_owned(),
                login.role.code().replace('_', " "),
                login.country.unwrap_or("region").to_owned(),
                login.organisation.to_owned(),
                demo::PASSWORD.to_owned(),
            ]
        })
        .collect();
    let header = ["username", "role", "country", "organisation", "password"].map(str::to_owned);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |row: &[String; 5]| {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        format!("  {}", cells.join("  ").trim_end())
    };
    let mut table = format!("Demo logins (every account has the password {}):\n", demo::PASSWORD);
    table.push_str(&line(&header));
    for row in &rows {
        table.push('\n');
        table.push_str(&line(row));
    }
    table
}

/// The file behind a `sqlite:` URL, or `None` for other databases.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty()).then(|| PathBuf::from(path))
}

/// Deletes a SQLite demo database and its journal files. A file holding anything other than a
/// demo (or that cannot be read as one) is kept unless `yes_wipe` says otherwise.
async fn delete_sqlite(url: &str, path: &Path, yes_wipe: bool) -> anyhow::Result<()> {
    if !path.exists() {
        return Ok(());
    }
    if !yes_wipe {
        // Not migrated: a file that is not a Rumbo database must not gain Rumbo's tables.
        let store = Store::connect(url).await?;
        let state = demo::state(&store).await.unwrap_or(DatabaseState::Other);
        store.close().await;
        if state == DatabaseState::Other {
            bail!(
                "{} holds data that is not Rumbo's demo, and --fresh would delete it. Add \
                 --yes-wipe if that is what you want",
                path.display()
            );
        }
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        if file.exists() {
            std::fs::remove_file(&file).with_context(|| format!("cannot delete {}", file.display()))?;
        }
    }
    eprintln!("Deleted {}.", path.display());
    Ok(())
}

/// Drops the current schema on PostgreSQL with everything in it, and creates it again empty:
/// the migrations then rebuild Rumbo's tables (and any rows they insert) from scratch, and the
/// ids start again from 1, so that a rebuilt demo gets the same ones. Written here because the
/// store has no "wipe" and should not grow one just for the demo.
async fn wipe_postgres(store: &Store) -> anyhow::Result<()> {
    let schema: Option<String> = sqlx::query("SELECT current_schema()::text AS name")
        .fetch_one(store.pool())
        .await?
        .try_get("name")?;
    let schema = schema.context("the database has no current schema to wipe")?;
    // The name comes from the database itself and is quoted: nothing typed by a user.
    let quoted = format!("\"{}\"", schema.replace('"', "\"\""));
    let mut tx = store.pool().begin().await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {quoted} CASCADE")))
        .execute(&mut *tx)
        .await
        .with_context(|| format!("cannot drop the schema {schema} (is this user its owner?)"))?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {quoted}")))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite://rumbo-demo.db"),
            Some(PathBuf::from("rumbo-demo.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:///tmp/x.db?mode=rwc"),
            Some(PathBuf::from("/tmp/x.db"))
        );
        assert_eq!(sqlite_path("sqlite:demo.db"), Some(PathBuf::from("demo.db")));
        assert_eq!(sqlite_path("postgres://localhost/rumbo"), None);
    }

    #[test]
    fn the_login_table_lists_every_login_with_the_password() {
        let table = login_table();
        for login in demo::LOGINS {
            assert!(table.contains(login.username), "{}", login.username);
        }
        assert!(table.contains("platform admin") && table.contains(demo::PASSWORD));
    }
}
