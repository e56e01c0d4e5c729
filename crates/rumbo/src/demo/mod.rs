//! The demo: a synthetic but believable Venezuela situation, generated deterministically from a
//! seed. [`generate`](crate::demo::generate) is pure: it only builds domain values (admin
//! areas, platforms, organisations, locations, users), so it is tested without a database;
//! [`load`](crate::demo::load) writes them through the store's ordinary API, as an IM
//! officer's imports would.
//!
//! The data files beside this module hold the real reference data (admin areas and their
//! P-codes, organisations, locations); the seed decides the synthetic parts (people's names).
//! Nothing in the demo describes a real person.

/// Linkage keys of three organisations, linked once.
mod clk;
/// People registered twice with a second interview's errors, and the engine's first run.
mod deduplication;
/// The organisations and the platforms they belong to.
mod directory;
/// Flow monitoring: point profiles, a year of counts, survey interviews, assignments.
pub mod flow;
/// Admin areas from the data files, with boundaries drawn as Voronoi cells.
mod geography;
/// Writing the demo to a store, and telling a demo database from an empty or foreign one.
mod load;
/// Border crossings, flow monitoring points, sites and service points.
mod locations;
/// Demo accounts and their synthetic names.
mod people;
/// R4V: a year of 5W reports, population figures, targets, funding and needs.
pub mod r4v;
/// Households and people at the registration desks, models, programmes, sharing agreements.
mod registration;
/// The seeded random number generator (also behind the benchmarks' data).
pub mod rng;
/// Voronoi cells by half-plane clipping.
mod voronoi;

pub use directory::{DemoOrganisation, PlatformSpec};
pub use load::{DatabaseState, load, state};
pub use locations::DemoLocation;
pub use people::{DemoUser, LOGINS, PASSWORD};
use rumbo_domain::geography::AdminArea;

/// The default seed: the year R4V was set up.
pub const DEFAULT_SEED: u64 = 2018;

/// Everything the demo puts in a database.
#[derive(Debug, Clone, PartialEq)]
pub struct Demo {
    pub seed: u64,
    pub admin_areas: Vec<AdminArea>,
    pub platforms: Vec<PlatformSpec>,
    pub organisations: Vec<DemoOrganisation>,
    pub locations: Vec<DemoLocation>,
    pub users: Vec<DemoUser>,
    pub registration: registration::DemoRegistration,
    pub r4v: r4v::R4vDemo,
}

/// Builds the demo for `seed`. The same seed always gives the same values.
pub fn generate(seed: u64) -> anyhow::Result<Demo> {
    let mut rng = rng::Rng::new(seed);
    let locations = locations::locations()?;
    let anchors: Vec<geography::Anchor> = locations.iter().map(DemoLocation::anchor).collect();
    let admin_areas = geography::admin_areas(&geography::units()?, &anchors)?;
    let platforms = directory::platforms()?;
    let organisations = directory::organisations(&platforms)?;
    let users = people::users(&mut rng);
    // Drawn after the users, so that adding registrations changed nobody's name.
    let mut registration = registration::generate(&mut rng)?;
    deduplication::add_near_duplicates(seed, &mut registration);
    let r4v = r4v::generate(seed, &admin_areas, &organisations, &platforms);
    Ok(Demo {
        seed,
        admin_areas,
        platforms,
        organisations,
        locations,
        users,
        registration,
        r4v,
    })
}

/// What the demo writes as the source of its admin areas and locations: it marks a database
/// as a demo and remembers the seed.
pub fn source(seed: u64) -> String {
    format!("Rumbo demo (seed {seed})")
}

/// The seed of a demo database, read back from the source of its admin areas.
pub fn seed_of_source(source: &str) -> Option<u64> {
    source
        .strip_prefix("Rumbo demo (seed ")?
        .strip_suffix(')')?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use rumbo_domain::country::Iso3;
    use rumbo_domain::geography::{AdminIndex, Position};

    use super::*;

    #[test]
    fn same_seed_same_demo() {
        let a = generate(DEFAULT_SEED).expect("demo");
        assert_eq!(a, generate(DEFAULT_SEED).expect("demo"));
        let b = generate(7).expect("demo");
        assert_ne!(a.users, b.users);
        assert_eq!(
            a.admin_areas, b.admin_areas,
            "reference data does not depend on the seed"
        );
    }

    #[test]
    fn every_location_resolves_to_the_area_it_names() {
        let demo = generate(DEFAULT_SEED).expect("demo");
        let index = AdminIndex::new(&demo.admin_areas);
        for location in &demo.locations {
            let input = &location.input;
            let country = Iso3::parse(&input.country).expect("iso3");
            let position = Position::new(input.lon, input.lat).expect("position");
            let resolved = index.resolve(position, Some(country));
            let area = demo
                .admin_areas
                .iter()
                .find(|a| a.pcode == location.area)
                .expect("the named area exists");
            let (adm1, adm2) = match &area.parent {
                Some(parent) => (Some(parent), Some(&area.pcode)),
                None => (Some(&area.pcode), None),
            };
            assert_eq!(resolved.adm1.as_ref(), adm1, "{} adm1", input.code);
            assert_eq!(resolved.adm2.as_ref(), adm2, "{} adm2", input.code);
        }
    }

    #[test]
    fn locations_are_run_by_demo_organisations() {
        let demo = generate(DEFAULT_SEED).expect("demo");
        let known = |acronym: &str| demo.organisations.iter().any(|o| o.acronym == acronym);
        for location in &demo.locations {
            if let Some(org) = &location.organisation {
                assert!(known(org), "{}: unknown organisation {org}", location.input.code);
            }
        }
        for user in &demo.users {
            assert!(known(user.login.organisation), "{}", user.login.username);
        }
    }

    #[test]
    fn the_source_remembers_the_seed() {
        assert_eq!(seed_of_source(&source(2018)), Some(2018));
        assert_eq!(seed_of_source("COD-AB Colombia 2023"), None);
    }
}
