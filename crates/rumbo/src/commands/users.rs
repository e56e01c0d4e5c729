// PLACEHOLDER — to be written by the users/organisations helper.
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// List user accounts.
    List,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// List tokens.
    List,
}

pub async fn run(_command: UserCommand) -> anyhow::Result<()> {
    anyhow::bail!("not written yet")
}

pub async fn run_token(_command: TokenCommand) -> anyhow::Result<()> {
    anyhow::bail!("not written yet")
}
