//! The record-linkage engine (`rumbo_domain::linkage`) over the store. A run trains the engine
//! on a country's registered people (names opened from the vault in memory only, never written
//! anywhere in clear), stores the trained model, and files every pair above the threshold that
//! no one has decided yet as a `probable_match` in the review queue. On each new registration
//! the latest model scores the new people against those already registered with a compatible
//! date of birth or the same document, and files what it finds the same way.
//!
//! A run over a country is a job (`super::runs`): this module holds what it reads and files.
//!
//! A pair already in the queue — open, confirmed or rejected — is never filed again, nor a pair
//! already resolved into one identity: that is how a rejected pair stays rejected after re-runs.
//! Nor two members of one household: a household lists each of its people once.

use std::collections::{HashMap, HashSet};

use rumbo_domain::Vocabulary;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::linkage::{Linkage, MatchModel, PersonRecord, ScoredPair};
use rumbo_domain::registration::people::{Sex, format_date};
use rumbo_domain::registration::pseudonym::{Kind, encode};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use time::{Date, Month};

use super::PROBABLE_MATCH;
use super::queue::FieldExplanation;
use crate::audit::record;
use crate::registration::batch::{Batch, Cell};
use crate::registration::{columns, open_name, parse_stored_date};
use crate::vault::Vault;
use crate::{Result, Store, StoreError, now};

/// A pair as the command line writes it: (person code, person code, probability, weight, and
/// each field's weight by name).
pub type PairLine = (String, String, f64, f64, Vec<(String, f64)>);

/// What a run over a country did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    pub country: Iso3,
    /// The run, as `deduplication_runs` records it.
    pub run_id: i64,
    pub model_id: i64,
    /// People compared.
    pub records: usize,
    /// Candidate pairs from blocking, each compared once.
    pub candidate_pairs: usize,
    /// Pairs at or above the threshold.
    pub pairs: usize,
    /// Of those, filed for review now (the rest were already in the queue or decided).
    pub suggested: usize,
    /// Persons the engine's clustering found (singletons included).
    pub clusters: usize,
    /// The pairs (person code, person code, probability, weight, per-field weights in the
    /// order `linkage::FIELDS`) and each person's cluster (person code, cluster's first code):
    /// for the command line's CSV files. Pseudonymous codes only.
    #[serde(skip)]
    pub pair_rows: Vec<PairLine>,
    #[serde(skip)]
    pub cluster_rows: Vec<(String, String)>,
}

/// "This person may already be registered at desk X": a probable match filed on registration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchSuggestion {
    pub flag_id: i64,
    /// The newly registered person.
    pub person: String,
    pub other_household_id: i64,
    pub other_household: String,
    pub other_desk: String,
    pub other_organisation: String,
    pub probability: f64,
}

/// A registered person as the engine sees them, with where they are stored.
pub(super) struct Person {
    member_id: i64,
    household_id: i64,
    record: PersonRecord,
}

const PEOPLE: &str = "SELECT m.id, m.household_id, m.given_names_enc, m.first_surname_enc, m.second_surname_enc,
        m.sex, m.birth_date, m.birth_date_estimated, m.nationality, o.acronym AS organisation,
        (SELECT d.number_enc FROM member_documents d WHERE d.member_id = m.id ORDER BY d.id LIMIT 1) AS document_enc
    FROM household_members m JOIN households h ON h.id = m.household_id
    JOIN organisations o ON o.id = h.organisation_id
    WHERE h.status = 'active' AND m.status = 'active'";

/// Reads people with `condition` (binding `values` as $1...), names opened from the vault.
async fn people(conn: &mut AnyConnection, vault: &Vault, condition: &str, values: &[Cell]) -> Result<Vec<Person>> {
    let sql = format!("{PEOPLE} AND {condition} ORDER BY m.id");
    let mut query = sqlx::query(crate::query::dynamic(sql));
    for value in values {
        query = match value {
            Cell::Int(v) => query.bind(*v),
            Cell::Text(v) => query.bind(v.clone()),
            Cell::Real(v) => query.bind(crate::dialect::OptionalF64(*v)),
        };
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut people = Vec::with_capacity(rows.len());
    for row in &rows {
        let Some(name) = open_name(vault, row, "")? else {
            continue;
        };
        let member_id: i64 = row.try_get("id")?;
        let estimated = row.try_get::<i64, _>("birth_date_estimated")? != 0;
        let birth: String = row.try_get("birth_date")?;
        let document: Option<String> = row.try_get("document_enc")?;
        let sex: String = row.try_get("sex")?;
        let household_id: i64 = row.try_get("household_id")?;
        people.push(Person {
            member_id,
            household_id,
            record: PersonRecord {
                key: member_id.to_string(),
                source: row.try_get("organisation")?,
                given_names: name.given_names,
                first_surname: name.first_surname,
                second_surname: name.second_surname,
                // A date estimated from an age agrees with anything near it by construction.
                birth_date: if estimated {
                    None
                } else {
                    Some(parse_stored_date("date of birth", &birth)?)
                },
                sex: Sex::parse(&sex).ok(),
                document: vault.open_opt(columns::DOCUMENT_NUMBER, document.as_deref())?,
                nationality: row.try_get("nationality")?,
                // Unique across organisations already: one number a household.
                household: Some(household_id.to_string()),
            },
        });
    }
    Ok(people)
}

/// Every pair already in the queue, in any status, as (smaller, larger) member ids.
async fn known_pairs(conn: &mut AnyConnection, country: Iso3) -> Result<HashSet<(i64, i64)>> {
    let rows = sqlx::query(
        "SELECT f.member_id, f.other_member_id FROM review_flags f JOIN households h ON h.id = f.household_id
         WHERE h.country_iso3 = $1 AND f.member_id IS NOT NULL AND f.other_member_id IS NOT NULL",
    )
    .bind(country.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let (a, b): (i64, i64) = (r.try_get("member_id")?, r.try_get("other_member_id")?);
            Ok((a.min(b), a.max(b)))
        })
        .collect()
}

/// Resolved identities by member.
async fn identities(conn: &mut AnyConnection) -> Result<HashMap<i64, i64>> {
    let rows = sqlx::query("SELECT member_id, identity_id FROM person_identities")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("member_id")?, r.try_get("identity_id")?)))
        .collect()
}

fn explanation(pair: &ScoredPair) -> Result<String> {
    let fields: Vec<FieldExplanation> = pair
        .fields
        .iter()
        .map(|f| FieldExplanation {
            field: f.field.to_owned(),
            level: f.level.to_owned(),
            weight: f.weight,
        })
        .collect();
    serde_json::to_string(&fields).map_err(|e| StoreError::Corrupt {
        what: "explanation",
        detail: e.to_string(),
    })
}

const FLAG_COLUMNS: &[&str] = &[
    "kind",
    "household_id",
    "member_id",
    "other_household_id",
    "other_member_id",
    "created_at",
    "status",
    "probability",
    "explanation",
    "model_id",
];

/// The flag's row: from the later registration (`later`) to the earlier, as exact duplicates are.
fn flag_cells(later: &Person, earlier: &Person, pair: &ScoredPair, model_id: i64, at: &str) -> Result<Vec<Cell>> {
    Ok(vec![
        PROBABLE_MATCH.into(),
        later.household_id.into(),
        later.member_id.into(),
        earlier.household_id.into(),
        earlier.member_id.into(),
        at.into(),
        "open".into(),
        pair.probability.into(),
        explanation(pair)?.into(),
        model_id.into(),
    ])
}

/// A country's registered people as the engine reads them: names opened from the vault, in
/// memory only. The read is audited by [`file_linkage`], in the transaction that files the run.
pub(super) async fn country_people(conn: &mut AnyConnection, vault: &Vault, country: Iso3) -> Result<Vec<Person>> {
    people(conn, vault, "h.country_iso3 = $1", &[country.to_string().into()]).await
}

/// The engine's input: one record per person, in the order of `people`.
pub(super) fn records(people: &[Person]) -> Vec<PersonRecord> {
    people.iter().map(|p| p.record.clone()).collect()
}

/// Files what the engine found over `country` in `tx`: the trained model, every pair at or
/// above the threshold that nobody has decided yet, and the audit entries of the read and of
/// the run `run_id`. The caller commits.
pub(super) async fn file_linkage(
    tx: &mut AnyConnection,
    actor: &Actor,
    run_id: i64,
    country: Iso3,
    people: &[Person],
    linkage: &Linkage,
) -> Result<RunSummary> {
    let model = serde_json::to_string(&linkage.model).map_err(|e| StoreError::Corrupt {
        what: "linkage model",
        detail: e.to_string(),
    })?;
    let known = known_pairs(&mut *tx, country).await?;
    let identity = identities(&mut *tx).await?;
    let at = now();
    let model_id: i64 = sqlx::query(
        "INSERT INTO linkage_models (country_iso3, model, records, pairs, suggested, trained_at, trained_by)
         VALUES ($1, $2, $3, $4, 0, $5, $6) RETURNING id",
    )
    .bind(country.to_string())
    .bind(&model)
    .bind(people.len() as i64)
    .bind(linkage.pairs.len() as i64)
    .bind(&at)
    .bind(actor.user_id)
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    let mut flags = Batch::new("review_flags", FLAG_COLUMNS);
    let mut suggested = 0usize;
    let mut pair_rows = Vec::with_capacity(linkage.pairs.len());
    for pair in &linkage.pairs {
        let (Some(a), Some(b)) = (people.get(pair.left), people.get(pair.right)) else {
            continue;
        };
        let (earlier, later) = if a.member_id < b.member_id { (a, b) } else { (b, a) };
        pair_rows.push((
            encode(Kind::Person, a.member_id),
            encode(Kind::Person, b.member_id),
            pair.probability,
            pair.weight,
            pair.fields.iter().map(|f| (f.field.to_owned(), f.weight)).collect(),
        ));
        let same_identity = matches!(
            (identity.get(&a.member_id), identity.get(&b.member_id)),
            (Some(x), Some(y)) if x == y
        );
        // Two members of one household are two people: a household lists each person once.
        let same_household = a.household_id == b.household_id;
        if same_identity || same_household || known.contains(&(earlier.member_id, later.member_id)) {
            continue;
        }
        flags
            .push(&mut *tx, flag_cells(later, earlier, pair, model_id, &at)?)
            .await?;
        suggested += 1;
    }
    flags.flush(&mut *tx).await?;
    sqlx::query("UPDATE linkage_models SET suggested = $1 WHERE id = $2")
        .bind(suggested as i64)
        .bind(model_id)
        .execute(&mut *tx)
        .await?;
    let mut cluster_rows = Vec::with_capacity(people.len());
    for cluster in &linkage.clusters {
        let first = cluster.iter().filter_map(|i| people.get(*i)).map(|p| p.member_id).min();
        let Some(first) = first else { continue };
        for person in cluster.iter().filter_map(|i| people.get(*i)) {
            cluster_rows.push((encode(Kind::Person, person.member_id), encode(Kind::Person, first)));
        }
    }
    record(
        &mut *tx,
        actor,
        AuditAction::Read,
        Entity::Person,
        None,
        &format!(
            "read the names, dates of birth and documents of {} people registered in {country} to link them",
            people.len()
        ),
    )
    .await?;
    record(
        &mut *tx,
        actor,
        AuditAction::Create,
        Entity::ReviewFlag,
        None,
        &format!(
            "de-duplication run {run_id} over {country} finished: {} people compared, {} pairs at or above the threshold, {suggested} filed for review",
            people.len(),
            linkage.pairs.len()
        ),
    )
    .await?;
    Ok(RunSummary {
        country,
        run_id,
        model_id,
        records: people.len(),
        candidate_pairs: linkage.stats.candidates,
        pairs: linkage.pairs.len(),
        suggested,
        clusters: linkage.clusters.len(),
        pair_rows,
        cluster_rows,
    })
}

impl Store {
    /// Scores the people of a household (all, or just `member`) against those already
    /// registered in its country with the country's latest model, and files the probable
    /// matches. Nothing happens before a first run has trained a model for the country.
    pub async fn suggest_matches(
        &self,
        actor: &Actor,
        household_id: i64,
        member: Option<i64>,
    ) -> Result<Vec<MatchSuggestion>> {
        let key = self.household_key(household_id).await?;
        let Some(row) =
            sqlx::query("SELECT id, model FROM linkage_models WHERE country_iso3 = $1 ORDER BY id DESC LIMIT 1")
                .bind(key.country.to_string())
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(Vec::new());
        };
        let model_id: i64 = row.try_get("id")?;
        let model: MatchModel =
            serde_json::from_str(&row.try_get::<String, _>("model")?).map_err(|e| StoreError::Corrupt {
                what: "linkage model",
                detail: e.to_string(),
            })?;
        let vault = self.vault()?;
        let mut tx = self.pool.begin().await?;
        let mut newcomers = people(&mut tx, vault, "m.household_id = $1", &[household_id.into()]).await?;
        if let Some(member) = member {
            newcomers.retain(|p| p.member_id == member);
        }
        let known = known_pairs(&mut tx, key.country).await?;
        let identity = identities(&mut tx).await?;
        let at = now();
        let mut found = Vec::new();
        let mut compared = 0usize;
        for person in &newcomers {
            let existing = candidates(&mut tx, vault, key.country, household_id, person).await?;
            compared += existing.len();
            let records: Vec<PersonRecord> = existing.iter().map(|p| p.record.clone()).collect();
            for pair in model.candidates_for(&person.record, &records) {
                let Some(other) = existing.get(pair.left) else { continue };
                let key_pair = (
                    other.member_id.min(person.member_id),
                    other.member_id.max(person.member_id),
                );
                let same_identity = matches!(
                    (identity.get(&other.member_id), identity.get(&person.member_id)),
                    (Some(x), Some(y)) if x == y
                );
                if same_identity || known.contains(&key_pair) {
                    continue;
                }
                let cells = flag_cells(person, other, &pair, model_id, &at)?;
                let mut flags = Batch::new("review_flags", FLAG_COLUMNS);
                flags.push(&mut tx, cells).await?;
                flags.flush(&mut tx).await?;
                let flag_id: i64 = sqlx::query(
                    "SELECT id FROM review_flags WHERE member_id = $1 AND other_member_id = $2 ORDER BY id DESC LIMIT 1",
                )
                .bind(person.member_id)
                .bind(other.member_id)
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?;
                let place = sqlx::query(
                    "SELECT l.name, o.acronym FROM households h JOIN locations l ON l.id = h.desk_id
                     JOIN organisations o ON o.id = h.organisation_id WHERE h.id = $1",
                )
                .bind(other.household_id)
                .fetch_one(&mut *tx)
                .await?;
                found.push(MatchSuggestion {
                    flag_id,
                    person: encode(Kind::Person, person.member_id),
                    other_household_id: other.household_id,
                    other_household: encode(Kind::Household, other.household_id),
                    other_desk: place.try_get("name")?,
                    other_organisation: place.try_get("acronym")?,
                    probability: pair.probability,
                });
            }
        }
        if !newcomers.is_empty() {
            record(
                &mut tx,
                actor,
                AuditAction::Read,
                Entity::Person,
                None,
                &format!(
                    "compared {} people of household {} with {compared} registered people in {}: {} probable matches filed",
                    newcomers.len(),
                    key.code,
                    key.country,
                    found.len()
                ),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(found)
    }
}

impl Store {
    /// [`Store::suggest_matches`] after a registration was committed: the registration stands
    /// whatever happens here, so a failure is logged (by kind, nothing personal) and no
    /// suggestion is made; the next run over the country finds the pair instead.
    pub(crate) async fn suggest_matches_after(
        &self,
        actor: &Actor,
        household_id: i64,
        member: Option<i64>,
    ) -> Vec<MatchSuggestion> {
        match self.suggest_matches(actor, household_id, member).await {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(household_id, error = %e, "probable matches of a new registration not filed");
                Vec::new()
            }
        }
    }
}

/// People registered in `country` outside `household` who could be `person`: born within a
/// year of them (a day and month swapped keeps the year; a year off by one stays within it),
/// or holding the same document. A person whose date was estimated is compared with everyone
/// holding the same document only, to keep the comparison small.
async fn candidates(
    conn: &mut AnyConnection,
    vault: &Vault,
    country: Iso3,
    household: i64,
    person: &Person,
) -> Result<Vec<Person>> {
    let same_document = "m.id IN (SELECT d2.member_id FROM member_documents d2
        JOIN member_documents d1 ON d1.number_blind = d2.number_blind WHERE d1.member_id = $3)";
    let mut values: Vec<Cell> = vec![country.to_string().into(), household.into(), person.member_id.into()];
    let condition = match person.record.birth_date {
        Some(birth) => {
            let year = birth.year();
            let from = Date::from_calendar_date(year - 1, Month::January, 1).map_err(|e| StoreError::Corrupt {
                what: "date of birth",
                detail: e.to_string(),
            })?;
            let until = Date::from_calendar_date(year + 1, Month::December, 31).map_err(|e| StoreError::Corrupt {
                what: "date of birth",
                detail: e.to_string(),
            })?;
            values.push(format_date(from).into());
            values.push(format_date(until).into());
            format!(
                "h.country_iso3 = $1 AND m.household_id <> $2 AND (m.birth_date BETWEEN $4 AND $5 OR {same_document})"
            )
        }
        None => format!("h.country_iso3 = $1 AND m.household_id <> $2 AND {same_document}"),
    };
    people(conn, vault, &condition, &values).await
}

impl Store {
    /// The countries with active registrations, for runs over all of them.
    pub async fn registration_countries(&self) -> Result<Vec<Iso3>> {
        let rows =
            sqlx::query("SELECT DISTINCT country_iso3 FROM households WHERE status = 'active' ORDER BY country_iso3")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| crate::registration::stored_country(&r.try_get::<String, _>("country_iso3")?))
            .collect()
    }
}
