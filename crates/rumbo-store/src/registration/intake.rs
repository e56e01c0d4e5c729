//! Registering households: one at a time from the registration form, or thousands at once from
//! a file or the demo, through the same batched writer. A registration is all or nothing: the
//! household, its members, needs, documents (sealed, with their blind indexes), consent, the
//! first entry of its history, its score and its audit entry are written in one transaction.
//! A document already registered is not refused: both records are flagged for review.

use std::collections::HashMap;

use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::Pcode;
use rumbo_domain::location::LocationKind;
use rumbo_domain::registration::conditions::QUESTIONS;
use rumbo_domain::registration::consent::ConsentPurpose;
use rumbo_domain::registration::facts::{Facts, Profile};
use rumbo_domain::registration::household::{Household, HouseholdInput};
use rumbo_domain::registration::people::format_date;
use rumbo_domain::registration::pseudonym::{Kind, encode};
use rumbo_domain::{DomainError, Problem, Vocabulary};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use super::batch::{Batch, Cell, reserve_ids};
use super::models::{ActiveModels, score_cells};
use super::writers::{HOUSEHOLD_COLUMNS, Writers, flag_duplicates};
use super::{columns, rejected, today};
use crate::audit::record;
use crate::{Result, Store, StoreError, now};

/// A registration desk: a location of kind registration_desk, run by an organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Desk {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub country: Iso3,
    pub organisation_id: i64,
    pub adm1: Option<Pcode>,
    pub adm2: Option<Pcode>,
}

/// A checked household, ready to be written: where it was registered and when.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    /// Where it came from, for problems: `form`, `household F-12 (rows 4-7)`.
    pub place: String,
    pub desk: Desk,
    pub household: Household,
    /// RFC 3339; now, for a registration made today.
    pub registered_at: String,
}

/// What registering one household did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegistrationOutcome {
    pub household_id: i64,
    pub code: String,
    /// Codes of other households in which a document of this one is registered too.
    pub possible_duplicates: Vec<String>,
    /// People of this household who may already be registered elsewhere, by the country's
    /// latest linkage model (see `deduplication`); filled for registrations made one by one.
    pub probable_matches: Vec<crate::deduplication::MatchSuggestion>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ImportSummary {
    pub households: usize,
    pub people: usize,
    pub documents: usize,
    /// Possible duplicates flagged for review.
    pub flagged: usize,
    /// Households scored by their country's active model.
    pub scored: usize,
}

/// An admin area's country, level and parent, to resolve where a household lives.
pub(crate) type AreaIndex = HashMap<String, (String, i64, Option<String>)>;

pub(crate) async fn area_index(conn: &mut AnyConnection) -> Result<AreaIndex> {
    let rows = sqlx::query("SELECT pcode, country_iso3, level, parent_pcode FROM admin_areas")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<String, _>("pcode")?,
                (
                    r.try_get("country_iso3")?,
                    r.try_get("level")?,
                    r.try_get("parent_pcode")?,
                ),
            ))
        })
        .collect()
}

/// Checks the P-codes a household names against the stored areas: the residence in the desk's
/// country, the previous residence anywhere. Problems are named by field.
pub(crate) fn check_areas(household: &Household, desk: &Desk, areas: &AreaIndex) -> Vec<(&'static str, DomainError)> {
    let mut problems = Vec::new();
    if let Some(area) = &household.details.residence_area {
        match areas.get(area.as_str()) {
            None => problems.push((
                "residence_area",
                DomainError::Invalid(format!("{area} is not an admin area Rumbo knows")),
            )),
            Some((country, _, _)) if country != desk.country.as_str() => problems.push((
                "residence_area",
                DomainError::Invalid(format!("{area} is not in {}, the desk's country", desk.country)),
            )),
            Some(_) => {}
        }
    }
    if let Some(area) = &household.details.previous_area
        && !areas.contains_key(area.as_str())
    {
        problems.push((
            "previous_area",
            DomainError::Invalid(format!("{area} is not an admin area Rumbo knows")),
        ));
    }
    problems
}

/// The level-1 and level-2 P-codes of where the household lives: its residence area, or the desk's.
pub(crate) fn residence(household: &Household, desk: &Desk, areas: &AreaIndex) -> (Option<String>, Option<String>) {
    let Some(area) = &household.details.residence_area else {
        return (
            desk.adm1.as_ref().map(|p| p.to_string()),
            desk.adm2.as_ref().map(|p| p.to_string()),
        );
    };
    let mut chain = vec![area.to_string()];
    let mut current = area.to_string();
    while let Some((_, _, Some(parent))) = areas.get(&current) {
        chain.push(parent.clone());
        current = parent.clone();
    }
    // `chain` runs from the area up to level 1.
    chain.reverse();
    (chain.first().cloned(), chain.get(1).cloned())
}

impl Store {
    /// A registration desk by id: an active location of kind registration_desk with the
    /// organisation that runs it.
    pub async fn registration_desk(&self, id: i64) -> Result<Desk> {
        let location = self.location(id).await?;
        if location.kind != LocationKind::RegistrationDesk {
            return Err(StoreError::Invalid(DomainError::Invalid(format!(
                "location {} is not a registration desk",
                location.code
            ))));
        }
        if !location.is_active {
            return Err(StoreError::Conflict(format!(
                "registration desk {} is deactivated",
                location.code
            )));
        }
        let organisation_id = location.organisation_id.ok_or_else(|| {
            StoreError::Conflict(format!(
                "registration desk {} has no organisation: an IM officer must say who runs it before anyone registers there",
                location.code
            ))
        })?;
        Ok(Desk {
            id: location.id,
            code: location.code,
            name: location.name,
            country: location.country,
            organisation_id,
            adm1: location.adm1,
            adm2: location.adm2,
        })
    }

    /// Every active registration desk that has an organisation, by country and code.
    pub async fn registration_desks(&self) -> Result<Vec<Desk>> {
        let rows = sqlx::query(
            "SELECT id FROM locations WHERE kind = 'registration_desk' AND is_active = 1
               AND organisation_id IS NOT NULL ORDER BY country_iso3, code",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut desks = Vec::with_capacity(rows.len());
        for row in rows {
            desks.push(self.registration_desk(row.try_get("id")?).await?);
        }
        Ok(desks)
    }

    /// Registers one household at `desk` (from the form or the API). The input is checked in
    /// full first; a document registered elsewhere too is flagged, not refused.
    pub async fn register_household(
        &self,
        actor: &Actor,
        desk: &Desk,
        input: &HouseholdInput,
    ) -> Result<RegistrationOutcome> {
        let household = input.validate(today()).map_err(|p| rejected("household", p))?;
        let mut conn = self.pool.acquire().await?;
        let areas = area_index(&mut conn).await?;
        drop(conn);
        let area_problems = check_areas(&household, desk, &areas);
        if !area_problems.is_empty() {
            let problems = area_problems
                .into_iter()
                .map(|(field, error)| rumbo_domain::registration::household::FieldProblem {
                    member: None,
                    field,
                    error,
                })
                .collect();
            return Err(rejected("household", problems));
        }
        let registration = NewRegistration {
            place: "form".into(),
            desk: desk.clone(),
            household,
            registered_at: now(),
        };
        let (_, mut outcomes) = self.write_registrations(actor, &[registration], None).await?;
        let mut outcome = outcomes.pop().ok_or_else(|| StoreError::Corrupt {
            what: "registration",
            detail: "nothing was written".into(),
        })?;
        outcome.probable_matches = self.suggest_matches_after(actor, outcome.household_id, None).await;
        Ok(outcome)
    }

    /// Writes checked registrations in one transaction. With `source` (a file name), one
    /// import entry is audited; without, one entry per household.
    pub async fn write_registrations(
        &self,
        actor: &Actor,
        registrations: &[NewRegistration],
        source: Option<&str>,
    ) -> Result<(ImportSummary, Vec<RegistrationOutcome>)> {
        let vault = self.vault()?;
        let mut conn = self.bulk_connection().await?;
        let mut tx = sqlx::Acquire::begin(&mut *conn).await?;
        let household_ids = reserve_ids(&mut tx, self.backend, "households", registrations.len()).await?;
        let people: usize = registrations.iter().map(|r| r.household.members.len()).sum();
        let member_ids = reserve_ids(&mut tx, self.backend, "household_members", people).await?;
        let areas = area_index(&mut tx).await?;
        let mut models = ActiveModels::default();
        let at = now();
        let mut households = Batch::new("households", HOUSEHOLD_COLUMNS);
        let mut consents = Batch::deferred(
            "household_consents",
            &["household_id", "purpose", "given", "recorded_at", "recorded_by"],
        );
        let mut scores = Batch::deferred(
            "vulnerability_scores",
            &[
                "household_id",
                "model_id",
                "score",
                "eligible",
                "explanation",
                "computed_at",
            ],
        );
        let mut writers = Writers::new();
        let mut summary = ImportSummary::default();
        let mut next_member = member_ids.iter();
        let today = today();
        // Chunk by chunk, each table's rows after those they refer to: households, then their
        // members, then needs, documents, consent, history and scores.
        for (chunk, ids) in registrations.chunks(500).zip(household_ids.chunks(500)) {
            for (registration, id) in chunk.iter().zip(ids) {
                let (h, desk) = (&registration.household, &registration.desk);
                let (adm1, adm2) = residence(h, desk, &areas);
                let d = &h.details;
                let mut cells: Vec<Cell> = vec![
                    (*id).into(),
                    desk.country.to_string().into(),
                    desk.id.into(),
                    desk.organisation_id.into(),
                    "active".into(),
                    d.population_group.code().into(),
                    d.arrival_date.map(format_date).into(),
                    d.previous_country.map(|c| c.to_string()).into(),
                    d.previous_area.as_ref().map(|p| p.to_string()).into(),
                    adm1.into(),
                    adm2.into(),
                    vault
                        .seal_opt(
                            columns::POSITION,
                            d.position.map(|p| format!("{},{}", p.lat, p.lon)).as_deref(),
                        )?
                        .into(),
                    i64::from(d.child_headed).into(),
                ];
                for q in 0..QUESTIONS.len() {
                    cells.push(d.conditions.answer(q).into());
                }
                cells.extend([
                    Cell::from(i64::from(h.consent.registration)),
                    i64::from(h.consent.sharing).into(),
                    i64::from(h.consent.referral).into(),
                    registration.registered_at.as_str().into(),
                    actor.user_id.into(),
                    at.as_str().into(),
                ]);
                households.push(&mut tx, cells).await?;
            }
            households.flush(&mut tx).await?;
            for (registration, id) in chunk.iter().zip(ids) {
                let (h, desk) = (&registration.household, &registration.desk);
                for purpose in ConsentPurpose::ALL {
                    consents
                        .push(
                            &mut tx,
                            vec![
                                (*id).into(),
                                purpose.code().into(),
                                i64::from(h.consent.given(*purpose)).into(),
                                registration.registered_at.as_str().into(),
                                actor.user_id.into(),
                            ],
                        )
                        .await?;
                }
                for member in &h.members {
                    let member_id = *next_member.next().ok_or_else(|| StoreError::Corrupt {
                        what: "reserved ids",
                        detail: "fewer than the people to write".into(),
                    })?;
                    writers
                        .member(&mut tx, vault, member_id, *id, member, &registration.registered_at)
                        .await?;
                    summary.documents += member.documents.len();
                }
                writers
                    .events
                    .push(
                        &mut tx,
                        vec![
                            (*id).into(),
                            Cell::Int(None),
                            registration.registered_at.as_str().into(),
                            actor.user_id.into(),
                            "registered".into(),
                            "".into(),
                            Cell::Text(None),
                            Cell::Text(None),
                        ],
                    )
                    .await?;
                if let Some((model_id, model)) = models.get(&mut tx, desk.country).await? {
                    let score = model.score(&Facts::of(&Profile::from(h), today));
                    scores
                        .push(&mut tx, score_cells(*id, model_id, model, &score, &at))
                        .await?;
                    summary.scored += 1;
                }
                summary.households += 1;
                summary.people += h.members.len();
            }
            writers.flush(&mut tx).await?;
            consents.flush(&mut tx).await?;
            scores.flush(&mut tx).await?;
        }
        households.flush(&mut tx).await?;
        writers.flush(&mut tx).await?;
        consents.flush(&mut tx).await?;
        scores.flush(&mut tx).await?;
        let duplicates = flag_duplicates(&mut tx, &writers.blinds).await?;
        summary.flagged = duplicates.values().map(Vec::len).sum::<usize>() / 2;
        let outcomes: Vec<RegistrationOutcome> = household_ids
            .iter()
            .map(|id| {
                let mut others: Vec<String> = duplicates
                    .get(id)
                    .map(|list| list.iter().map(|o| encode(Kind::Household, *o)).collect())
                    .unwrap_or_default();
                others.sort();
                others.dedup();
                RegistrationOutcome {
                    household_id: *id,
                    code: encode(Kind::Household, *id),
                    possible_duplicates: others,
                    probable_matches: Vec::new(),
                }
            })
            .collect();
        match source {
            Some(source) => {
                record(
                    &mut tx,
                    actor,
                    AuditAction::Import,
                    Entity::Household,
                    None,
                    &format!(
                        "imported {} households ({} people, {} documents) from {source}; {} possible duplicates flagged",
                        summary.households, summary.people, summary.documents, summary.flagged
                    ),
                )
                .await?;
            }
            None => {
                for outcome in &outcomes {
                    let flagged = if outcome.possible_duplicates.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; flagged as a possible duplicate of {}",
                            outcome.possible_duplicates.join(", ")
                        )
                    };
                    record(
                        &mut tx,
                        actor,
                        AuditAction::Create,
                        Entity::Household,
                        Some(&outcome.household_id.to_string()),
                        &format!("registered household {}{flagged}", outcome.code),
                    )
                    .await?;
                }
            }
        }
        tx.commit().await?;
        self.end_bulk(&mut conn).await?;
        Ok((summary, outcomes))
    }

    /// Checks that every registration names areas Rumbo knows, before a bulk write. Problems
    /// carry each registration's place.
    pub async fn check_registration_areas(&self, registrations: &[NewRegistration]) -> Result<Vec<Problem>> {
        let mut conn = self.pool.acquire().await?;
        let areas = area_index(&mut conn).await?;
        Ok(registrations
            .iter()
            .flat_map(|r| {
                check_areas(&r.household, &r.desk, &areas)
                    .into_iter()
                    .map(|(field, e)| Problem::new(format!("{}, column {field}", r.place), e))
            })
            .collect())
    }
}
