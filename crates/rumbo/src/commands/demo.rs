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
    /// With --fresh: also wipe a database that holds data other than the demo's. It is lost.
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
    let store = Store::connect(&args.database).await?;
    store.migrate().await?;
    let mut state = demo::state(&store).await?;
    if args.fresh && store.backend() == Backend::Postgres && state != DatabaseState::Empty {
        if !args.yes_wipe {
            bail!(
                "{shown} is not empty, and --fresh would delete everything in it. Add --yes-wipe if \
                 that is what you want, or give an empty database"
            );
        }
        wipe_postgres(&store).await?;
        eprintln!("Emptied every table of {shown}.");
        store.migrate().await?;
        state = demo::state(&store).await?;
    }
    match state {
        DatabaseState::Empty => build(&store, args.seed).await?,
        DatabaseState::Demo { seed, complete: true } => {
            eprintln!("{shown} already holds the demo (seed {seed}): reusing it. Add --fresh to build it again.");
            if seed != args.seed {
                eprintln!("Note: it was built with seed {seed}, not {}.", args.seed);
            }
        }
        DatabaseState::Demo { complete: false, .. } => {
            bail!("{shown} holds a demo whose build did not finish: run `rumbo demo --fresh` to build it again")
        }
        DatabaseState::Other => bail!(
            "{shown} holds data that is not Rumbo's demo, and the demo never writes into such a \
             database: give another --database, or an empty one"
        ),
    }
    let logins = login_table();
    if args.no_serve {
        println!("{logins}");
        store.close().await;
        return Ok(());
    }
    super::serve::listen(store, &args.server, Some(logins)).await
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
        "Built the demo (seed {seed}) in {:.1} s: {} admin areas, {} platforms, {} organisations, {} locations, {} accounts.",
        started.elapsed().as_secs_f64(),
        loaded.admin_areas,
        loaded.platforms,
        loaded.organisations,
        loaded.locations,
        loaded.users
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

/// Empties every table of the current schema on PostgreSQL (but the migrations' history, so
/// that the schema is known to be up to date), and restarts the ids so that a rebuilt demo
/// gets the same ones. Written here because the store has no "wipe" and should not grow one
/// just for the demo.
async fn wipe_postgres(store: &Store) -> anyhow::Result<()> {
    let rows = sqlx::query(
        "SELECT tablename::text AS tablename FROM pg_tables
         WHERE schemaname = current_schema() AND tablename <> '_sqlx_migrations'",
    )
    .fetch_all(store.pool())
    .await?;
    let tables = rows
        .iter()
        .map(|row| row.try_get::<String, _>("tablename"))
        .collect::<Result<Vec<_>, _>>()?;
    if tables.is_empty() {
        return Ok(());
    }
    let list = tables
        .iter()
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(", ");
    // The table names come from the catalogue and are quoted: nothing typed by a user.
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "TRUNCATE TABLE {list} RESTART IDENTITY CASCADE"
    )))
    .execute(store.pool())
    .await?;
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
