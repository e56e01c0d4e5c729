//! `rumbo keys ...`: the keys that encrypt personal data. They live in a file (or in
//! `RUMBO_DATA_KEY`), never in the database: `generate` makes a key set, `rotate` adds a new
//! data key, makes it current and re-encrypts every sealed value under it, `status` counts the
//! values sealed under each key. See docs/data-protection.md.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use rumbo_domain::audit::Actor;
use rumbo_store::Store;
use rumbo_store::vault::DataKeys;

use super::DatabaseArg;

/// Where the data keys come from.
#[derive(Debug, Clone, Args)]
pub struct DataKeyArg {
    /// The file holding the keys that encrypt personal data (`rumbo keys generate` makes one).
    /// The keys may instead be given whole in RUMBO_DATA_KEY (pairs separated by `;`).
    #[arg(long, env = "RUMBO_DATA_KEY_FILE")]
    pub data_key_file: Option<PathBuf>,
}

/// The environment variable that may hold the key set itself.
pub const DATA_KEY_ENV: &str = "RUMBO_DATA_KEY";

impl DataKeyArg {
    /// The key set from the file, or from RUMBO_DATA_KEY; `None` when neither is given.
    pub fn load(&self) -> anyhow::Result<Option<DataKeys>> {
        if let Some(file) = &self.data_key_file {
            return read_keys(file).map(Some);
        }
        match std::env::var(DATA_KEY_ENV) {
            Ok(text) if !text.trim().is_empty() => {
                Ok(Some(DataKeys::parse(&text).with_context(|| {
                    format!("{DATA_KEY_ENV} does not hold a valid key set")
                })?))
            }
            _ => Ok(None),
        }
    }

    /// The key set, or an error saying how to give one.
    pub fn require(&self) -> anyhow::Result<DataKeys> {
        self.load()?.context(
            "this needs the data keys: give --data-key-file (or RUMBO_DATA_KEY_FILE), or the keys themselves in RUMBO_DATA_KEY",
        )
    }
}

pub fn read_keys(file: &Path) -> anyhow::Result<DataKeys> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read the key file {}", file.display()))?;
    DataKeys::parse(&text).with_context(|| format!("{} is not a valid key file", file.display()))
}

/// Writes a key file readable by its owner only, replacing any file there.
pub fn write_keys(file: &Path, keys: &DataKeys) -> anyhow::Result<()> {
    let temporary = file.with_extension("keys.tmp");
    std::fs::write(&temporary, keys.to_text()).with_context(|| format!("cannot write {}", temporary.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&temporary, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(&temporary, file).with_context(|| format!("cannot write {}", file.display()))?;
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new key set (a data key and a blind-index key) and write it to a file.
    Generate {
        /// Where to write it. An existing file is never replaced.
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Add a data key, make it current, write the key file, then re-encrypt every personal
    /// value under the new key. The old keys stay in the file until you remove them.
    Rotate {
        #[command(flatten)]
        db: DatabaseArg,
        /// The key file to rotate (it is rewritten; the previous one is kept as FILE.previous).
        #[arg(long, env = "RUMBO_DATA_KEY_FILE")]
        data_key_file: PathBuf,
    },
    /// How many personal values are sealed under each data key.
    Status {
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        keys: DataKeyArg,
    },
}

pub async fn run(command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Generate { output } => {
            if output.exists() {
                bail!("{} exists already; Rumbo never replaces a key file", output.display());
            }
            write_keys(&output, &DataKeys::generate()?)?;
            eprintln!(
                "Wrote a new key set to {}. Keep it secret and backed up apart from the database: without it, \
                 the personal data cannot be read.",
                output.display()
            );
            Ok(())
        }
        KeysCommand::Rotate { db, data_key_file } => {
            let keys = read_keys(&data_key_file)?;
            let rotated = keys.rotated()?;
            let previous = data_key_file.with_extension("previous");
            std::fs::copy(&data_key_file, &previous)
                .with_context(|| format!("cannot keep a copy of the key file as {}", previous.display()))?;
            // The new key is written before anything is sealed under it: it can never be lost.
            write_keys(&data_key_file, &rotated)?;
            let store = db.open().await?.with_data_keys(rotated.clone())?;
            let count = store.reencrypt_personal_data(&Actor::system("cli")).await?;
            eprintln!(
                "Data key {} is now current; {count} personal values were sealed again under it. The old keys \
                 ({}) are still in {}: remove them once no backup you may restore needs them.",
                rotated.current(),
                keys.ids()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                data_key_file.display()
            );
            Ok(())
        }
        KeysCommand::Status { db, keys } => {
            let keys = keys.require()?;
            let store: Store = db.open().await?.with_data_keys(keys.clone())?;
            let usage = store.data_key_usage().await?;
            println!("current data key: {}", keys.current());
            for id in keys.ids() {
                println!("key {id}: {} values", usage.by_key.get(&id).copied().unwrap_or(0));
            }
            for (id, count) in usage.by_key.iter().filter(|(id, _)| !keys.ids().contains(id)) {
                println!("key {id}: {count} values, NOT IN THE KEY SET: they cannot be read");
            }
            if usage.unreadable > 0 {
                println!("{} values name no key: they are damaged", usage.unreadable);
            }
            Ok(())
        }
    }
}
