// PLACEHOLDER — to be written by the geography helper.
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import boundaries.
    Boundaries,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Export admin areas.
    AdminAreas,
}

pub async fn import(_command: ImportCommand) -> anyhow::Result<()> {
    anyhow::bail!("not written yet")
}

pub async fn export(_command: ExportCommand) -> anyhow::Result<()> {
    anyhow::bail!("not written yet")
}
