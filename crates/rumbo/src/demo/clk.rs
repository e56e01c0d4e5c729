//! The demo's linkage keys: three organisations in Colombia each encode the people they
//! registered (synthetic, drawn from the seed; some registered by two or three of them, written
//! a little differently each time) under a secret they share, upload the encodings, and an IM
//! officer has linked them once. UNHCR and IOM consented to releasing their pairs to each other.
//! The demo plays every organisation, so it knows the secret; a real Rumbo never does.

use std::collections::HashMap;

use anyhow::Context;
use rumbo_domain::audit::Actor;
use rumbo_domain::clk::{Clk, Encoder, Identity};
use rumbo_domain::country::Iso3;
use rumbo_domain::registration::people::Sex;
use rumbo_store::Store;

use super::rng::Rng;

const GIVEN: &[&str] = &[
    "María",
    "José",
    "Ana",
    "Carmen",
    "Yusmary",
    "Luis",
    "Carlos",
    "Jesús",
    "Daniela",
    "Miguel",
    "Andreína",
    "Rafael",
    "Génesis",
    "Wilmer",
    "Yelitza",
    "Ángel",
];
const SURNAMES: &[&str] = &[
    "González",
    "Rodríguez",
    "Pérez",
    "Hernández",
    "García",
    "Ramírez",
    "Rojas",
    "Rivas",
    "Mendoza",
    "Silva",
    "Castillo",
    "Chacón",
    "Briceño",
    "Colmenares",
    "Quintero",
    "Marcano",
    "Useche",
    "Carrasquel",
];
/// The organisations that upload, and how many people each registered.
const UPLOADERS: &[(&str, usize)] = &[("UNHCR", 1_200), ("IOM", 900), ("UNICEF", 500)];
/// The secret the demo's organisations share.
const SECRET: &[u8] = b"demo secret shared by the organisations, never by Rumbo";

/// Each uploader's encodings.
pub struct DemoLinkage {
    pub sets: Vec<(&'static str, Vec<(String, Clk)>)>,
}

fn person(rng: &mut Rng) -> Identity {
    let pick = |rng: &mut Rng, list: &[&str]| list[rng.below(list.len())].to_owned();
    Identity {
        given_names: pick(rng, GIVEN),
        first_surname: pick(rng, SURNAMES),
        second_surname: Some(pick(rng, SURNAMES)),
        birth_date: time::Date::from_julian_day(2_433_000 + rng.below(25_000) as i32).ok(),
        sex: Some(if rng.below(2) == 0 { Sex::Female } else { Sex::Male }),
        document: Some(format!("V-{}", 5_000_000 + rng.below(25_000_000))),
    }
}

/// The same person as another organisation wrote them: surnames swapped, one missing, or the
/// document without its prefix.
fn rewritten(rng: &mut Rng, p: &Identity) -> Identity {
    let mut q = p.clone();
    match rng.below(3) {
        0 => {
            (q.first_surname, q.second_surname) = (
                p.second_surname.clone().unwrap_or_default(),
                Some(p.first_surname.clone()),
            )
        }
        1 => q.second_surname = None,
        _ => q.document = p.document.as_ref().map(|d| d.replace("V-", "")),
    }
    q
}

pub fn generate(seed: u64) -> anyhow::Result<DemoLinkage> {
    let encoder = Encoder::new(SECRET)?;
    let mut rng = Rng::new(seed ^ 0xC1C1_C1C1);
    // A pool of people; each organisation registered a stretch of it, the stretches overlap.
    let pool: Vec<Identity> = (0..2_000).map(|_| person(&mut rng)).collect();
    let mut start = 0;
    let mut sets = Vec::new();
    for (acronym, count) in UPLOADERS {
        let rows = pool
            .iter()
            .cycle()
            .skip(start)
            .take(*count)
            .enumerate()
            .map(|(i, p)| {
                let written = if rng.below(2) == 0 {
                    rewritten(&mut rng, p)
                } else {
                    p.clone()
                };
                (encoder.pseudonym(&format!("{acronym}-{i}")), encoder.encode(&written))
            })
            .collect();
        sets.push((*acronym, rows));
        start += count * 3 / 4;
    }
    Ok(DemoLinkage { sets })
}

pub async fn load(store: &Store, demo: &DemoLinkage, organisation_ids: &HashMap<&str, i64>) -> anyhow::Result<()> {
    let actor = Actor::system("cli");
    let country = Iso3::parse("COL")?;
    for (acronym, rows) in &demo.sets {
        let id = *organisation_ids
            .get(acronym)
            .with_context(|| format!("the demo has no organisation {acronym}"))?;
        store.upload_linkage_keys(&actor, country, id, rows).await?;
    }
    store.run_linkage(&actor, country, 0.8).await?;
    let (unhcr, iom) = (organisation_ids.get("UNHCR"), organisation_ids.get("IOM"));
    if let (Some(&unhcr), Some(&iom)) = (unhcr, iom) {
        store.consent_to_linkage(&actor, country, unhcr, iom).await?;
        store.consent_to_linkage(&actor, country, iom, unhcr).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_keys_and_no_names() -> anyhow::Result<()> {
        let (a, b) = (generate(7)?, generate(7)?);
        assert_eq!(a.sets, b.sets);
        assert_eq!(a.sets.iter().map(|s| s.1.len()).collect::<Vec<_>>(), [1_200, 900, 500]);
        assert!(
            a.sets[0]
                .1
                .iter()
                .all(|(pseudonym, _)| pseudonym.len() == 32 && !pseudonym.contains("UNHCR"))
        );
        Ok(())
    }
}
