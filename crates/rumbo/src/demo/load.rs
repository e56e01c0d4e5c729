//! Writing the demo through the store's public API, in the order a real set-up follows:
//! boundaries first (so that locations resolve to their admin areas when they are created),
//! then platforms, organisations, locations and the accounts of their staff. Every write is
//! audited as the system acting from the command line.

use std::collections::HashMap;

use anyhow::Context;
use indicatif::ProgressBar;
use rumbo_domain::access::{Grant, Scope};
use rumbo_domain::audit::Actor;
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::Pcode;
use rumbo_store::geography::AdminAreaQuery;
use rumbo_store::locations::LocationQuery;
use rumbo_store::organisations::OrganisationQuery;
use rumbo_store::users::NewUser;
use rumbo_store::{Page, Store, StoreError};

use super::{Demo, LOGINS, PASSWORD, seed_of_source, source};

/// What a database holds, as far as the demo is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseState {
    /// Nothing but the countries every Rumbo database starts with.
    Empty,
    /// A demo built with `seed`; `complete` is false when its build stopped half-way.
    Demo { seed: u64, complete: bool },
    /// Data that is not the demo's: never touched.
    Other,
}

/// The demo's marker: the source recorded on this admin area when the demo imports it.
const MARKER_AREA: &str = "CO54";

pub async fn state(store: &Store) -> anyhow::Result<DatabaseState> {
    let marker = match store.admin_area(&Pcode::parse(MARKER_AREA)?).await {
        Ok((area, _)) => area.source,
        Err(StoreError::NotFound { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    if let Some(seed) = marker.as_deref().and_then(seed_of_source) {
        // Accounts are created last: the last one exists only if the build finished.
        let last = LOGINS.last().map(|l| l.username).unwrap_or("admin");
        let complete = store.user_id_by_username(last).await?.is_some();
        return Ok(DatabaseState::Demo { seed, complete });
    }
    let one = Page { limit: 1, offset: 0 };
    let everything = OrganisationQuery {
        include_inactive: true,
        ..Default::default()
    };
    let (_, organisations) = store.organisations(&everything, one).await?;
    let (_, areas) = store.admin_areas(&AdminAreaQuery::default(), one).await?;
    let all_locations = LocationQuery {
        include_inactive: true,
        ..Default::default()
    };
    let (_, locations) = store.locations(&all_locations, one).await?;
    let platforms = store.platforms().await?.len();
    // Users, sessions and tokens all hang from organisations, so these counts are enough.
    if organisations == 0 && areas == 0 && locations == 0 && platforms == 0 {
        Ok(DatabaseState::Empty)
    } else {
        Ok(DatabaseState::Other)
    }
}

/// How many records the demo wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Loaded {
    pub admin_areas: usize,
    pub platforms: usize,
    pub organisations: usize,
    pub locations: usize,
    pub users: usize,
    pub registration: super::registration::LoadedRegistrations,
    pub flow: super::flow::FlowLoaded,
    pub reports_5w: usize,
}

/// Writes `demo` to an empty database, advancing `bar` as it goes.
pub async fn load(store: &Store, demo: &Demo, bar: &ProgressBar) -> anyhow::Result<Loaded> {
    let actor = Actor::system("cli");
    let source = source(demo.seed);
    bar.set_length((4 + demo.platforms.len() + demo.organisations.len() + demo.users.len()) as u64);

    bar.set_message(format!("{} admin areas and their boundaries", demo.admin_areas.len()));
    store
        .import_admin_areas(&actor, &demo.admin_areas, &source)
        .await
        .context("importing the demo's admin areas")?;
    bar.inc(1);

    bar.set_message("platforms");
    for platform in &demo.platforms {
        store
            .create_platform(&actor, platform.code, platform.name, platform.kind, &platform.countries)
            .await
            .with_context(|| format!("creating the platform {}", platform.code))?;
        bar.inc(1);
    }

    bar.set_message("organisations");
    let mut organisation_ids: HashMap<&str, i64> = HashMap::new();
    for demo_organisation in &demo.organisations {
        let organisation = store
            .create_organisation(&actor, &demo_organisation.input())
            .await
            .with_context(|| format!("creating the organisation {}", demo_organisation.acronym))?;
        organisation_ids.insert(&demo_organisation.acronym, organisation.id);
        bar.inc(1);
    }
    let organisation_id = |acronym: &str| {
        organisation_ids
            .get(acronym)
            .copied()
            .with_context(|| format!("the demo has no organisation {acronym}"))
    };

    bar.set_message(format!("{} locations", demo.locations.len()));
    let mut inputs = Vec::with_capacity(demo.locations.len());
    for location in &demo.locations {
        let mut input = location.input.clone();
        input.organisation_id = location.organisation.as_deref().map(organisation_id).transpose()?;
        inputs.push((format!("locations.csv, {}", input.code), input));
    }
    let locations = store
        .import_locations(&actor, &inputs, &source)
        .await
        .context("importing the demo's locations")?;
    bar.inc(1);

    // Before the accounts: the last account marks a finished build (see `state`).
    bar.set_message(format!(
        "{} households at registration desks",
        demo.registration.households.len()
    ));
    let registration = super::registration::load(store, &demo.registration, &organisation_ids, &source)
        .await
        .context("loading the demo's registrations")?;
    super::deduplication::load(store).await?;
    bar.inc(1);
    bar.set_message("linkage keys of three organisations");
    let linkage = super::clk::generate(demo.seed)?;
    super::clk::load(store, &linkage, &organisation_ids)
        .await
        .context("loading the demo's linkage keys")?;
    bar.set_message("flow monitoring: a year of counts and interviews");
    let end = time::OffsetDateTime::now_utc().date() - time::Duration::days(1);
    let flow = super::flow::generate(demo.seed, &demo.locations, end);
    let flow = super::flow::load(store, flow, &source).await?;

    bar.set_message(format!(
        "{} 5W reports, figures, targets, funding",
        demo.r4v.reports.len()
    ));
    let reports_5w = super::r4v::load(store, &demo.r4v, &organisation_ids, &source)
        .await
        .context("loading the demo's R4V data")?;
    bar.inc(1);

    // Each password is hashed with argon2: this is the slow step, so it advances one by one.
    bar.set_message("user accounts");
    for user in &demo.users {
        let login = user.login;
        let scope = Scope::from_country(login.country.map(Iso3::parse).transpose()?);
        store
            .create_user(
                &actor,
                &NewUser {
                    username: login.username.to_owned(),
                    display_name: user.display_name.clone(),
                    email: Some(user.email.clone()),
                    organisation_id: organisation_id(login.organisation)?,
                    password: PASSWORD.to_owned(),
                    language: login.language,
                    grants: vec![Grant {
                        role: login.role,
                        scope,
                    }],
                },
            )
            .await
            .with_context(|| format!("creating the account {}", login.username))?;
        bar.inc(1);
    }

    super::flow::assign(store)
        .await
        .context("assigning the demo enumerators")?;
    super::registration::assign_desks(store)
        .await
        .context("assigning the demo enumerators to registration desks")?;

    Ok(Loaded {
        flow,
        admin_areas: demo.admin_areas.len(),
        platforms: demo.platforms.len(),
        organisations: demo.organisations.len(),
        locations,
        users: demo.users.len(),
        registration,
        reports_5w,
    })
}
