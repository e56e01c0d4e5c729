//! The subcommands. Arguments are parsed by clap into the types below; each module turns them
//! into calls on the store, the domain or the web server.

/// `rumbo clk ...`: linkage across organisations without sharing names.
mod clk;
/// `rumbo dedup`: people registered more than once, from a CSV file.
mod dedup;
/// `rumbo dedup --database`: the linkage engine over the store, filing pairs for review.
mod dedup_store;
/// `rumbo demo`: the synthetic situation, then the server.
mod demo;
/// `rumbo flow ...`: count files and official tables in; benchmark data.
mod flow;
/// `rumbo import ...` and `rumbo export ...`: reference data in and out.
mod geography;
/// `rumbo keys ...`: the keys that encrypt personal data.
pub mod keys;
/// `rumbo registration import`: registrations from a file.
mod registration;
/// `rumbo serve` and `rumbo migrate`.
mod serve;
/// `rumbo user ...`, `rumbo token ...` and `rumbo organisation ...`.
mod users;

use clap::{Args, Subcommand};
use rumbo_store::Store;

pub use geography::{ExportCommand, ImportCommand};
pub use users::{OrganisationCommand, TokenCommand, UserCommand};

/// The default database: a file in the current folder.
pub const DEFAULT_DATABASE: &str = "sqlite://rumbo.db";

#[derive(Debug, Args)]
pub struct DatabaseArg {
    /// sqlite://PATH (embedded, one office) or postgres://USER:PASSWORD@HOST:PORT/DB.
    #[arg(long, env = "RUMBO_DATABASE_URL", default_value = DEFAULT_DATABASE)]
    pub database: String,
}

impl DatabaseArg {
    /// Opens the database and brings its schema up to date.
    pub async fn open(&self) -> anyhow::Result<Store> {
        let store = Store::connect(&self.database).await?;
        store.migrate().await?;
        Ok(store)
    }
}

#[derive(Debug, Args)]
pub struct ServerArgs {
    /// Address and port to listen on.
    #[arg(long, env = "RUMBO_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Mark cookies Secure: set whenever Rumbo is reached over HTTPS.
    #[arg(long, env = "RUMBO_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Take client addresses from X-Forwarded-For (only behind a proxy you run).
    #[arg(long, env = "RUMBO_TRUST_PROXY")]
    pub trust_proxy: bool,
    /// The largest upload accepted, in MiB.
    #[arg(long, env = "RUMBO_MAX_UPLOAD_MB", default_value_t = 50)]
    pub max_upload_mb: usize,
    #[command(flatten)]
    pub keys: keys::DataKeyArg,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server and API.
    Serve {
        #[command(flatten)]
        db: DatabaseArg,
        #[command(flatten)]
        server: ServerArgs,
    },
    /// Build a demo database with a synthetic Venezuela situation, then serve it.
    Demo(demo::DemoArgs),
    /// Bring the database schema up to date, then exit.
    Migrate {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// Manage user accounts and their roles.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Register and list organisations (the first administrator needs one).
    #[command(subcommand)]
    Organisation(OrganisationCommand),
    /// Import reference data: boundaries, P-code lists, locations.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export reference data as CSV (with HXL hashtags) or GeoJSON.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Registrations: import households and people from a file.
    #[command(subcommand)]
    Registration(registration::RegistrationCommand),
    /// The keys that encrypt personal data: generate, rotate, status.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Flow monitoring: import count files and official border movement tables.
    #[command(subcommand)]
    Flow(flow::FlowCommand),
    /// Linkage across organisations without sharing names: encode people into cryptographic
    /// linkage keys, link the keys of several organisations.
    #[command(subcommand)]
    Clk(clk::ClkCommand),
    /// Find people registered more than once: matched pairs and persons out as CSV.
    Dedup(dedup::DedupArgs),
}

pub async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve { db, server } => serve::serve(&db, &server).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Migrate { db } => serve::migrate(&db).await,
        Command::User(command) => users::run(command).await,
        Command::Token(command) => users::run_token(command).await,
        Command::Organisation(command) => users::run_organisation(command).await,
        Command::Import(command) => geography::import(command).await,
        Command::Export(command) => geography::export(command).await,
        Command::Registration(command) => registration::run(command).await,
        Command::Keys(command) => keys::run(command).await,
        Command::Flow(command) => flow::run(command).await,
        Command::Clk(command) => clk::run(command),
        Command::Dedup(args) => dedup::run(args).await,
    }
}
