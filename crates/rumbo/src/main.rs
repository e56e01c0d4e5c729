//! `rumbo`: the one binary. It serves the web interface and API, runs migrations, manages
//! users, imports and exports reference data, and builds the demo.

/// One module per group of subcommands; each turns parsed arguments into store calls.
mod commands;
/// The deterministic synthetic Venezuela situation behind `rumbo demo`.
mod demo;

use std::process::ExitCode;

use clap::Parser;

use crate::commands::Command;

/// mimalloc instead of glibc's malloc. Imports and de-duplication allocate millions of short
/// strings, often freed on another thread than the one that made them; with glibc, `malloc`,
/// `free` and their arena bookkeeping were a quarter of a million-row count import's samples.
/// Measured side by side: the count import uses 12% less user CPU, `rumbo dedup` at 150,000
/// records 30% less (bench/README.md). Outputs are unchanged (the pairs and clusters files are
/// byte for byte the same).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "rumbo", version, about = "Displacement tracking and inter-agency coordination", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RUMBO_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
