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
use super::{columns, rejected, today};
use crate::audit::record;
use crate::query::dynamic;
use crate::vault::Vault;
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

pub(crate) const HOUSEHOLD_COLUMNS: &[&str] = &[
    "id",
    "country_iso3",
    "desk_id",
    "organisation_id",
    "status",
    "population_group",
    "arrival_date",
    "previous_country",
    "previous_area",
    "adm1_pcode",
    "adm2_pcode",
    "position_enc",
    "child_headed",
    "meals",
    "shelter",
    "water",
    "sanitation",
    "electricity",
    "work",
    "coping",
    "safety",
    "internet",
    "isolation",
    "consent_registration",
    "consent_sharing",
    "consent_referral",
    "registered_at",
    "registered_by",
    "updated_at",
];

pub(crate) const MEMBER_COLUMNS: &[&str] = &[
    "id",
    "household_id",
    "relationship",
    "given_names_enc",
    "first_surname_enc",
    "second_surname_enc",
    "phone_enc",
    "sex",
    "birth_date",
    "birth_date_estimated",
    "nationality",
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_cognition",
    "wg_self_care",
    "wg_communication",
    "status",
    "created_at",
    "updated_at",
];

/// A member's row, sealed.
pub(crate) fn member_cells(
    vault: &Vault,
    id: i64,
    household_id: i64,
    member: &rumbo_domain::registration::Member,
    at: &str,
) -> Result<Vec<Cell>> {
    let mut cells: Vec<Cell> = vec![
        id.into(),
        household_id.into(),
        member.relationship.code().into(),
        vault.seal(columns::GIVEN_NAMES, &member.name.given_names)?.into(),
        vault.seal(columns::FIRST_SURNAME, &member.name.first_surname)?.into(),
        vault
            .seal_opt(columns::SECOND_SURNAME, member.name.second_surname.as_deref())?
            .into(),
        vault.seal_opt(columns::PHONE, member.phone.as_deref())?.into(),
        member.sex.code().into(),
        format_date(member.birth.date).into(),
        i64::from(member.birth.estimated).into(),
        member.nationality.to_string().into(),
    ];
    cells.extend(member.washington.0.iter().map(|d| Cell::Int(d.map(|d| d.score()))));
    cells.extend([Cell::from("active"), at.into(), at.into()]);
    Ok(cells)
}

/// The batches a registration writes to, and the blind indexes of the documents written.
pub(crate) struct Writers {
    pub members: Batch,
    pub needs: Batch,
    pub documents: Batch,
    pub events: Batch,
    /// (blind index, member id, household id) of every document written.
    pub blinds: Vec<(String, i64, i64)>,
}

impl Writers {
    pub fn new() -> Writers {
        Writers {
            members: Batch::new("household_members", MEMBER_COLUMNS),
            needs: Batch::new("member_needs", &["member_id", "need"]),
            documents: Batch::new(
                "member_documents",
                &["member_id", "doc_type", "number_enc", "number_blind", "expiry_date"],
            ),
            events: Batch::new(
                "registration_events",
                &[
                    "household_id",
                    "member_id",
                    "at",
                    "user_id",
                    "kind",
                    "fields",
                    "reason_enc",
                    "before_enc",
                ],
            ),
            blinds: Vec::new(),
        }
    }

    /// Writes a member with its needs and documents.
    pub async fn member(
        &mut self,
        conn: &mut AnyConnection,
        vault: &Vault,
        id: i64,
        household_id: i64,
        member: &rumbo_domain::registration::Member,
        at: &str,
    ) -> Result<()> {
        self.members
            .push(conn, member_cells(vault, id, household_id, member, at)?)
            .await?;
        for need in member.needs.iter() {
            self.needs.push(conn, vec![id.into(), need.code().into()]).await?;
        }
        self.documents(conn, vault, id, household_id, &member.documents).await
    }

    pub async fn documents(
        &mut self,
        conn: &mut AnyConnection,
        vault: &Vault,
        member_id: i64,
        household_id: i64,
        documents: &[rumbo_domain::registration::documents::Document],
    ) -> Result<()> {
        for doc in documents {
            let blind = vault.blind_index(&doc.match_key());
            self.documents
                .push(
                    conn,
                    vec![
                        member_id.into(),
                        doc.doc_type.code().into(),
                        vault.seal(columns::DOCUMENT_NUMBER, &doc.number)?.into(),
                        blind.clone().into(),
                        doc.expiry.map(format_date).into(),
                    ],
                )
                .await?;
            self.blinds.push((blind, member_id, household_id));
        }
        Ok(())
    }

    pub async fn flush(&mut self, conn: &mut AnyConnection) -> Result<()> {
        self.members.flush(conn).await?;
        self.needs.flush(conn).await?;
        self.documents.flush(conn).await?;
        self.events.flush(conn).await?;
        Ok(())
    }
}

/// Flags every document in `blinds` that another member holds too (once per pair: the later
/// member points to the earlier). Returns, by household, the ids of the other households.
pub(crate) async fn flag_duplicates(
    conn: &mut AnyConnection,
    blinds: &[(String, i64, i64)],
) -> Result<HashMap<i64, Vec<i64>>> {
    let mut found: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut wanted: Vec<&str> = blinds.iter().map(|(b, _, _)| b.as_str()).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut holders: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
    for chunk in wanted.chunks(500) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT d.number_blind, d.member_id, m.household_id FROM member_documents d
             JOIN household_members m ON m.id = d.member_id
             WHERE d.number_blind IN ({}) AND m.status = 'active'",
            list.join(", ")
        );
        let mut query = sqlx::query(dynamic(sql));
        for blind in chunk {
            query = query.bind(*blind);
        }
        for row in query.fetch_all(&mut *conn).await? {
            holders
                .entry(row.try_get("number_blind")?)
                .or_default()
                .push((row.try_get("member_id")?, row.try_get("household_id")?));
        }
    }
    let mut flags = Batch::new(
        "review_flags",
        &[
            "kind",
            "household_id",
            "member_id",
            "other_household_id",
            "other_member_id",
            "created_at",
            "status",
        ],
    );
    let at = now();
    for (blind, member, household) in blinds {
        let Some(others) = holders.get(blind) else { continue };
        for (other_member, other_household) in others {
            if other_member < member {
                flags
                    .push(
                        conn,
                        vec![
                            "duplicate_document".into(),
                            (*household).into(),
                            (*member).into(),
                            (*other_household).into(),
                            (*other_member).into(),
                            at.as_str().into(),
                            "open".into(),
                        ],
                    )
                    .await?;
                found.entry(*household).or_default().push(*other_household);
                found.entry(*other_household).or_default().push(*household);
            }
        }
    }
    flags.flush(conn).await?;
    Ok(found)
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
        outcomes.pop().ok_or_else(|| StoreError::Corrupt {
            what: "registration",
            detail: "nothing was written".into(),
        })
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
        let mut tx = self.pool.begin().await?;
        let household_ids = reserve_ids(&mut tx, self.backend, "households", registrations.len()).await?;
        let people: usize = registrations.iter().map(|r| r.household.members.len()).sum();
        let member_ids = reserve_ids(&mut tx, self.backend, "household_members", people).await?;
        let areas = area_index(&mut tx).await?;
        let mut models = ActiveModels::default();
        let at = now();
        let mut households = Batch::new("households", HOUSEHOLD_COLUMNS);
        let mut consents = Batch::new(
            "household_consents",
            &["household_id", "purpose", "given", "recorded_at", "recorded_by"],
        );
        let mut scores = Batch::new(
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
        for (registration, id) in registrations.iter().zip(&household_ids) {
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
