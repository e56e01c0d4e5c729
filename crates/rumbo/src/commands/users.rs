//! `rumbo user ...`, `rumbo token ...` and `rumbo organisation ...`: accounts, roles, personal
//! API tokens and the organisations they belong to, from the command line. This is how the
//! first administrator is created, and how machine clients and benchmarks get a token.
//! Everything done here is recorded in the audit log with the channel `cli`.
//!
//! Passwords are never taken from an argument (it would stay in the shell history and be
//! visible to every user of the machine in the process list): they are read from standard
//! input with `--password-stdin`, or asked for when a person is at the terminal.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};
use clap::Subcommand;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::{Grant, Role};
use rumbo_domain::audit::Actor;
use rumbo_domain::language::Language;
use rumbo_store::credentials::MIN_PASSWORD_LEN;
use rumbo_store::organisations::{Organisation, OrganisationInput, OrganisationQuery};
use rumbo_store::sessions::MAX_TOKEN_DAYS;
use rumbo_store::users::{NewUser, UserPatch, UserQuery};
use rumbo_store::{Page, Store, StoreError};

use super::DatabaseArg;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user account. The password is read from standard input (--password-stdin) or
    /// asked for at the terminal; never give it as an argument.
    Create {
        #[command(flatten)]
        db: DatabaseArg,
        /// 3 to 40 characters: letters, digits, '.', '_' or '-'.
        #[arg(long)]
        username: String,
        /// The person's name as others see it.
        #[arg(long)]
        name: String,
        /// The acronym of the account's organisation, such as UNHCR.
        #[arg(long)]
        organisation: String,
        /// A role, region-wide (platform_admin) or in one country (im_officer:COL). Repeat for
        /// several.
        #[arg(long = "role", value_name = "ROLE[:ISO3]")]
        roles: Vec<String>,
        #[arg(long)]
        email: Option<String>,
        /// Interface language: es, en or pt (default: the browser's).
        #[arg(long)]
        language: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List user accounts (the listing is recorded in the audit log: it shows names).
    List {
        #[command(flatten)]
        db: DatabaseArg,
        /// Only accounts of this organisation (acronym).
        #[arg(long)]
        organisation: Option<String>,
        /// Only accounts holding this role.
        #[arg(long)]
        role: Option<String>,
        /// Include deactivated accounts.
        #[arg(long)]
        all: bool,
    },
    /// Set a new password for an account and sign it out everywhere.
    SetPassword {
        #[command(flatten)]
        db: DatabaseArg,
        username: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Grant a role: ROLE for the whole region, ROLE:ISO3 for one country.
    Grant {
        #[command(flatten)]
        db: DatabaseArg,
        username: String,
        #[arg(value_name = "ROLE[:ISO3]")]
        grant: String,
    },
    /// Revoke a role: ROLE for the whole region, ROLE:ISO3 for one country.
    Revoke {
        #[command(flatten)]
        db: DatabaseArg,
        username: String,
        #[arg(value_name = "ROLE[:ISO3]")]
        grant: String,
    },
    /// Deactivate an account: it is signed out everywhere and cannot sign in.
    Deactivate {
        #[command(flatten)]
        db: DatabaseArg,
        username: String,
    },
    /// Reactivate a deactivated account.
    Reactivate {
        #[command(flatten)]
        db: DatabaseArg,
        username: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a personal API token for an account and print it (only this once).
    Create {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        username: String,
        /// What the token is for.
        #[arg(long)]
        name: String,
        /// Days until it expires; without it, it lives until revoked.
        #[arg(long)]
        expires_days: Option<i64>,
    },
    /// List an account's tokens (never the tokens themselves).
    List {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        username: String,
    },
    /// Revoke one of an account's tokens by its id (see `rumbo token list`).
    Revoke {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        username: String,
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrganisationCommand {
    /// Register an organisation, such as the first administrator's.
    Create {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        acronym: String,
        #[arg(long)]
        name: String,
        /// un_agency, international_ngo, national_ngo, red_cross, government, donor, academic.
        #[arg(long)]
        kind: String,
        /// ISO3 code of its country; leave out for a regional or international organisation.
        #[arg(long)]
        country: Option<String>,
        #[arg(long)]
        website: Option<String>,
    },
    /// List the organisations.
    List {
        #[command(flatten)]
        db: DatabaseArg,
    },
}

fn cli() -> Actor {
    Actor::system("cli")
}

pub async fn run(command: UserCommand) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let output = user(command, &mut stdin.lock(), interactive).await?;
    print(&output)
}

pub async fn run_token(command: TokenCommand) -> anyhow::Result<()> {
    print(&token(command).await?)
}

pub async fn run_organisation(command: OrganisationCommand) -> anyhow::Result<()> {
    print(&organisation(command).await?)
}

fn print(output: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(output.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// Reads a password: the first line of `input` with `--password-stdin`; otherwise, when a
/// person is at the terminal, asked for twice without echo.
fn read_password(input: &mut dyn BufRead, from_stdin: bool, interactive: bool) -> anyhow::Result<String> {
    let read_line = |input: &mut dyn BufRead| -> anyhow::Result<String> {
        let mut line = String::new();
        input.read_line(&mut line).context("cannot read the password")?;
        Ok(line.trim_end_matches(['\n', '\r']).to_owned())
    };
    let password = if from_stdin {
        read_line(input)?
    } else if interactive {
        let echo = Echo::off();
        eprint!("Password (at least {MIN_PASSWORD_LEN} characters): ");
        let first = read_line(input)?;
        eprint!("\nRepeat it: ");
        let second = read_line(input)?;
        eprintln!();
        drop(echo);
        if first != second {
            bail!("the two passwords are not the same; nothing was changed");
        }
        first
    } else {
        bail!("give the password on standard input with --password-stdin (it is never taken from an argument)");
    };
    if password.chars().count() < MIN_PASSWORD_LEN {
        bail!("the password is too short: at least {MIN_PASSWORD_LEN} characters; nothing was changed");
    }
    Ok(password)
}

/// Turns terminal echo off while it lives, through `stty` (present wherever a terminal is),
/// so that a typed password does not appear on screen. Without `stty`, echo stays on.
struct Echo {
    off: bool,
}

impl Echo {
    fn off() -> Echo {
        let off = std::process::Command::new("stty")
            .arg("-echo")
            .stdin(std::process::Stdio::inherit())
            .status()
            .is_ok_and(|s| s.success());
        Echo { off }
    }
}

impl Drop for Echo {
    fn drop(&mut self) {
        if self.off {
            let _ = std::process::Command::new("stty")
                .arg("echo")
                .stdin(std::process::Stdio::inherit())
                .status();
        }
    }
}

async fn organisation_by_acronym(store: &Store, acronym: &str) -> anyhow::Result<Organisation> {
    if let Some(found) = store.organisation_by_acronym(acronym).await? {
        return Ok(found);
    }
    let (known, _) = store
        .organisations(
            &OrganisationQuery {
                include_inactive: true,
                ..Default::default()
            },
            Page::new(Some(50), None),
        )
        .await?;
    if known.is_empty() {
        bail!(
            "no organisation has the acronym '{acronym}': there are none yet; register one first with \
             `rumbo organisation create --acronym {acronym} --name NAME --kind KIND`"
        );
    }
    let acronyms: Vec<&str> = known.iter().map(|o| o.acronym.as_str()).collect();
    bail!(
        "no organisation has the acronym '{acronym}'; known ones: {}",
        acronyms.join(", ")
    )
}

async fn user_id(store: &Store, username: &str) -> anyhow::Result<i64> {
    store
        .user_id_by_username(username)
        .await?
        .with_context(|| format!("no user has the username '{}'", username.trim().to_lowercase()))
}

fn parse_grant(raw: &str) -> anyhow::Result<Grant> {
    Grant::parse(raw).with_context(|| format!("'{raw}' is not a role: write ROLE for the whole region or ROLE:ISO3"))
}

async fn user(command: UserCommand, input: &mut dyn BufRead, interactive: bool) -> anyhow::Result<String> {
    match command {
        UserCommand::Create {
            db,
            username,
            name,
            organisation,
            roles,
            email,
            language,
            password_stdin,
        } => {
            let grants = roles
                .iter()
                .map(|r| parse_grant(r))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let language = language
                .map(|l| Language::parse(&l).with_context(|| format!("'{l}' is not a language of Rumbo (es, en, pt)")))
                .transpose()?;
            let store = db.open().await?;
            let organisation = organisation_by_acronym(&store, &organisation).await?;
            let password = read_password(input, password_stdin, interactive)?;
            let new = NewUser {
                username,
                display_name: name,
                email,
                organisation_id: organisation.id,
                password,
                language,
                grants,
            };
            let user = store.create_user(&cli(), &new).await?;
            let roles: Vec<String> = user.grants.iter().map(Grant::code).collect();
            Ok(format!(
                "Created user {} (id {}) in {} with roles: {}\n",
                user.username,
                user.id,
                user.organisation_acronym,
                if roles.is_empty() {
                    "none".to_owned()
                } else {
                    roles.join(", ")
                }
            ))
        }
        UserCommand::List {
            db,
            organisation,
            role,
            all,
        } => {
            let role = role.as_deref().map(Role::parse).transpose()?;
            let store = db.open().await?;
            let organisation_id = match organisation {
                Some(acronym) => Some(organisation_by_acronym(&store, &acronym).await?.id),
                None => None,
            };
            let query = UserQuery {
                organisation_id,
                role,
                include_inactive: all,
                ..Default::default()
            };
            let (users, total) = store
                .users(&cli(), &query, Page::new(Some(Page::MAX_LIMIT), None))
                .await?;
            let mut out = format!(
                "{:<24} {:<28} {:<12} {:<8} ROLES\n",
                "USERNAME", "NAME", "ORGANISATION", "ACTIVE"
            );
            for u in &users {
                let roles: Vec<String> = u.grants.iter().map(Grant::code).collect();
                out.push_str(&format!(
                    "{:<24} {:<28} {:<12} {:<8} {}\n",
                    u.username,
                    u.display_name,
                    u.organisation_acronym,
                    if u.is_active { "yes" } else { "no" },
                    roles.join(", ")
                ));
            }
            if total > users.len() as i64 {
                out.push_str(&format!("... and {} more\n", total - users.len() as i64));
            }
            Ok(out)
        }
        UserCommand::SetPassword {
            db,
            username,
            password_stdin,
        } => {
            let store = db.open().await?;
            let id = user_id(&store, &username).await?;
            let password = read_password(input, password_stdin, interactive)?;
            store.set_password(&cli(), id, &password).await?;
            Ok(format!(
                "Changed the password of {username}; it was signed out everywhere.\n"
            ))
        }
        UserCommand::Grant { db, username, grant } => {
            let grant = parse_grant(&grant)?;
            let store = db.open().await?;
            let id = user_id(&store, &username).await?;
            store.grant_role(&cli(), id, grant).await?;
            Ok(format!("Granted {} to {username}.\n", grant.code()))
        }
        UserCommand::Revoke { db, username, grant } => {
            let grant = parse_grant(&grant)?;
            let store = db.open().await?;
            let id = user_id(&store, &username).await?;
            match store.revoke_role(&cli(), id, grant).await {
                Ok(()) => Ok(format!("Revoked {} from {username}.\n", grant.code())),
                Err(StoreError::NotFound { .. }) => bail!("{username} does not hold {}", grant.code()),
                Err(e) => Err(e.into()),
            }
        }
        UserCommand::Deactivate { db, username } => set_active(&db, &username, false).await,
        UserCommand::Reactivate { db, username } => set_active(&db, &username, true).await,
    }
}

async fn set_active(db: &DatabaseArg, username: &str, active: bool) -> anyhow::Result<String> {
    let store = db.open().await?;
    let id = user_id(&store, username).await?;
    let patch = UserPatch {
        is_active: Some(active),
        ..UserPatch::default()
    };
    store.update_user(&cli(), id, &patch).await?;
    Ok(if active {
        format!("Reactivated {username}.\n")
    } else {
        format!("Deactivated {username}; it was signed out everywhere.\n")
    })
}

async fn token(command: TokenCommand) -> anyhow::Result<String> {
    match command {
        TokenCommand::Create {
            db,
            username,
            name,
            expires_days,
        } => {
            let expires = match expires_days {
                None => None,
                Some(days) if (1..=MAX_TOKEN_DAYS).contains(&days) => {
                    Some(time::OffsetDateTime::now_utc() + time::Duration::days(days))
                }
                Some(days) => bail!("--expires-days {days}: give 1 to {MAX_TOKEN_DAYS} days, or leave it out"),
            };
            let store = db.open().await?;
            let id = user_id(&store, &username).await?;
            let (token, listed) = store.create_api_token(&cli(), id, &name, expires).await?;
            // The token alone on standard output, so that scripts can capture it; the rest on
            // standard error.
            eprintln!(
                "Created API token '{}' (id {}) for {username}{}. It is shown only now: keep it somewhere safe.",
                listed.name,
                listed.id,
                listed
                    .expires_at
                    .as_deref()
                    .map(|at| format!(", expiring {at}"))
                    .unwrap_or_default()
            );
            Ok(format!("{token}\n"))
        }
        TokenCommand::List { db, username } => {
            let store = db.open().await?;
            let id = user_id(&store, &username).await?;
            let mut out = format!(
                "{:<6} {:<24} {:<14} {:<21} {:<21} {:<21} STATE\n",
                "ID", "NAME", "PREFIX", "CREATED", "LAST USED", "EXPIRES"
            );
            let now = rumbo_store::now();
            for t in store.api_tokens(id).await? {
                let state = match (&t.revoked_at, &t.expires_at) {
                    (Some(at), _) => format!("revoked {at}"),
                    (None, Some(at)) if at.as_str() <= now.as_str() => "expired".to_owned(),
                    _ => "valid".to_owned(),
                };
                out.push_str(&format!(
                    "{:<6} {:<24} {:<14} {:<21} {:<21} {:<21} {state}\n",
                    t.id,
                    t.name,
                    format!("{}…", t.prefix),
                    t.created_at,
                    t.last_used_at.as_deref().unwrap_or("-"),
                    t.expires_at.as_deref().unwrap_or("never"),
                ));
            }
            Ok(out)
        }
        TokenCommand::Revoke { db, username, id } => {
            let store = db.open().await?;
            let user = user_id(&store, &username).await?;
            store.revoke_api_token(&cli(), user, id).await?;
            Ok(format!("Revoked API token {id} of {username}.\n"))
        }
    }
}

async fn organisation(command: OrganisationCommand) -> anyhow::Result<String> {
    match command {
        OrganisationCommand::Create {
            db,
            acronym,
            name,
            kind,
            country,
            website,
        } => {
            let store = db.open().await?;
            let input = OrganisationInput {
                name,
                acronym,
                kind,
                country,
                website,
                platforms: Vec::new(),
                is_active: true,
            };
            let created = store.create_organisation(&cli(), &input).await?;
            Ok(format!(
                "Registered organisation {} (id {}).\n",
                created.acronym, created.id
            ))
        }
        OrganisationCommand::List { db } => {
            let store = db.open().await?;
            let query = OrganisationQuery {
                include_inactive: true,
                ..Default::default()
            };
            let (organisations, _) = store
                .organisations(&query, Page::new(Some(Page::MAX_LIMIT), None))
                .await?;
            let mut out = format!("{:<6} {:<14} {:<18} {:<8} NAME\n", "ID", "ACRONYM", "TYPE", "COUNTRY");
            for o in organisations {
                out.push_str(&format!(
                    "{:<6} {:<14} {:<18} {:<8} {}{}\n",
                    o.id,
                    o.acronym,
                    o.kind.code(),
                    o.country.map(|c| c.to_string()).unwrap_or_else(|| "-".into()),
                    o.name,
                    if o.is_active { "" } else { " (inactive)" }
                ));
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests;
