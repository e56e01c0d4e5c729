//! Changing a registration: verifying it, correcting the household's fields or a member's,
//! adding a member, recording consent, reviewing a possible duplicate. Nothing is lost: every
//! change adds an entry to the household's history saying who changed which fields, why, and
//! what they held before (sealed, since both may be personal), and the household is scored
//! again in the same transaction.

use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::registration::consent::ConsentPurpose;
use rumbo_domain::registration::household::{DetailsInput, FieldProblem, composition_problems};
use rumbo_domain::registration::people::{BirthDate, Relationship, format_date};
use rumbo_domain::{DomainError, Vocabulary};
use sqlx::AnyConnection;

use super::batch::lock_for_writing;
use super::households::HouseholdView;
use super::intake::{Desk, area_index, check_areas, residence};
use super::models::{Which, rescore};
use super::{Disclosure, columns, reason, rejected, today};
use crate::audit::record;
use crate::vault::Vault;
use crate::{Result, Store, StoreError, now};

/// One entry of a household's history.
pub(crate) struct Event<'a> {
    pub household_id: i64,
    pub member_id: Option<i64>,
    pub kind: &'static str,
    pub fields: Vec<&'static str>,
    pub reason: Option<&'a str>,
    /// The values before the change, as "field: value" lines.
    pub before: Option<String>,
    pub related: Option<i64>,
}

pub(crate) async fn write_event(
    conn: &mut AnyConnection,
    vault: &Vault,
    actor: &Actor,
    event: Event<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO registration_events (household_id, member_id, at, user_id, kind, fields, reason_enc, before_enc,
                                          related_household_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(event.household_id)
    .bind(event.member_id)
    .bind(now())
    .bind(actor.user_id)
    .bind(event.kind)
    .bind(event.fields.join(","))
    .bind(vault.seal_opt(columns::REASON, event.reason)?)
    .bind(vault.seal_opt(columns::BEFORE, event.before.as_deref())?)
    .bind(event.related)
    .execute(conn)
    .await?;
    Ok(())
}

/// The household must be active to change.
pub(crate) fn require_active(view: &HouseholdView) -> Result<()> {
    if view.status == "active" {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!(
            "household {} is {}: it can no longer be changed",
            view.code, view.status
        )))
    }
}

/// (relationship, birth) of the active members, with `replace` standing in for member `id`
/// (or added, when `id` is `None`) and `remove` left out.
pub(crate) fn composition(
    view: &HouseholdView,
    replace: Option<(Option<i64>, Relationship, BirthDate)>,
    remove: &[i64],
) -> Vec<(Relationship, BirthDate)> {
    let mut list: Vec<(Relationship, BirthDate)> = view
        .active_members()
        .filter(|m| !remove.contains(&m.id))
        .map(|m| match replace {
            Some((Some(id), relationship, birth)) if id == m.id => (relationship, birth),
            _ => (m.relationship, m.birth),
        })
        .collect();
    if let Some((None, relationship, birth)) = replace {
        list.push((relationship, birth));
    }
    list
}

/// The "field: value" lines of the fields that differ, and their names.
pub(crate) fn differences(pairs: &[(&'static str, String, String)]) -> (Vec<&'static str>, String) {
    let changed: Vec<&(&'static str, String, String)> = pairs.iter().filter(|(_, a, b)| a != b).collect();
    (
        changed.iter().map(|(f, _, _)| *f).collect(),
        changed
            .iter()
            .map(|(f, before, _)| format!("{f}: {before}"))
            .collect::<Vec<_>>()
            .join("\n"),
    )
}

impl Store {
    /// The desk of a stored household as registration rules need it (whether or not the desk
    /// still takes registrations).
    pub(crate) async fn desk_of(&self, view: &HouseholdView) -> Result<Desk> {
        let location = self.location(view.desk_id).await?;
        Ok(Desk {
            id: location.id,
            code: location.code,
            name: location.name,
            country: location.country,
            organisation_id: view.organisation_id,
            adm1: location.adm1,
            adm2: location.adm2,
        })
    }

    /// Marks a household as verified: its documents were seen and its members met.
    pub async fn verify_household(&self, actor: &Actor, id: i64) -> Result<()> {
        let vault = self.vault()?;
        let view = self.household_view_for_change(id).await?;
        let mut tx = self.pool.begin().await?;
        lock_for_writing(&mut tx, self.backend).await?;
        sqlx::query("UPDATE households SET verified_at = $1, verified_by = $2, updated_at = $1 WHERE id = $3")
            .bind(now())
            .bind(actor.user_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        write_event(
            &mut tx,
            vault,
            actor,
            Event {
                household_id: id,
                member_id: None,
                kind: "verified",
                fields: vec![],
                reason: None,
                before: None,
                related: None,
            },
        )
        .await?;
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::Household,
            Some(&id.to_string()),
            &format!("verified household {}", view.code),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The household with everything opened, for the store's own checks before a change (not
    /// shown to anyone, so not audited as a read).
    pub(crate) async fn household_view_for_change(&self, id: i64) -> Result<HouseholdView> {
        let view = self.household_view_internal(id, Disclosure::Personal).await?;
        require_active(&view)?;
        Ok(view)
    }

    /// Corrects the household's own fields, saying why.
    pub async fn edit_household(
        &self,
        actor: &Actor,
        id: i64,
        input: &DetailsInput,
        why: &str,
    ) -> Result<Vec<&'static str>> {
        let vault = self.vault()?;
        let why = reason(why)?;
        let view = self.household_view_for_change(id).await?;
        let today = today();
        let details = input.validate(today).map_err(|p| rejected("household", p))?;
        let mut problems = composition_problems(&details, &composition(&view, None, &[]), today);
        let desk = self.desk_of(&view).await?;
        let mut conn = self.pool.acquire().await?;
        let areas = area_index(&mut conn).await?;
        drop(conn);
        let probe = rumbo_domain::registration::Household {
            details: details.clone(),
            consent: view.consent,
            members: vec![],
        };
        for (field, error) in check_areas(&probe, &desk, &areas) {
            problems.push(FieldProblem {
                member: None,
                field,
                error,
            });
        }
        if !problems.is_empty() {
            return Err(rejected("household", problems));
        }
        let (adm1, adm2) = residence(&probe, &desk, &areas);
        let old = &view.details;
        let position = |p: Option<rumbo_domain::geography::Position>| {
            p.map(|p| format!("{},{}", p.lat, p.lon)).unwrap_or_default()
        };
        let date = |d: Option<time::Date>| d.map(format_date).unwrap_or_default();
        let mut pairs = vec![
            (
                "population_group",
                old.population_group.code().to_owned(),
                details.population_group.code().to_owned(),
            ),
            ("arrival_date", date(old.arrival_date), date(details.arrival_date)),
            (
                "previous_country",
                old.previous_country.map(|c| c.to_string()).unwrap_or_default(),
                details.previous_country.map(|c| c.to_string()).unwrap_or_default(),
            ),
            (
                "previous_area",
                old.previous_area.as_ref().map(|p| p.to_string()).unwrap_or_default(),
                details
                    .previous_area
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
            ),
            (
                "residence",
                format!(
                    "{} {}",
                    view.adm1.as_ref().map(|p| p.to_string()).unwrap_or_default(),
                    view.adm2.as_ref().map(|p| p.to_string()).unwrap_or_default()
                ),
                format!(
                    "{} {}",
                    adm1.clone().unwrap_or_default(),
                    adm2.clone().unwrap_or_default()
                ),
            ),
            ("position", position(old.position), position(details.position)),
            (
                "child_headed",
                old.child_headed.to_string(),
                details.child_headed.to_string(),
            ),
        ];
        for (q, question) in rumbo_domain::registration::conditions::QUESTIONS.iter().enumerate() {
            pairs.push((
                question.code,
                old.conditions.answer(q).unwrap_or("").into(),
                details.conditions.answer(q).unwrap_or("").into(),
            ));
        }
        let (fields, before) = differences(&pairs);
        let mut tx = self.pool.begin().await?;
        lock_for_writing(&mut tx, self.backend).await?;
        let mut sql = String::from(
            "UPDATE households SET population_group = $1, arrival_date = $2, previous_country = $3, previous_area = $4,
                 adm1_pcode = $5, adm2_pcode = $6, position_enc = $7, child_headed = $8, updated_at = $9",
        );
        for (q, question) in rumbo_domain::registration::conditions::QUESTIONS.iter().enumerate() {
            sql.push_str(&format!(", {} = ${}", question.code, q + 10));
        }
        sql.push_str(&format!(
            " WHERE id = ${}",
            rumbo_domain::registration::conditions::QUESTIONS.len() + 10
        ));
        let mut update = sqlx::query(crate::query::dynamic(sql))
            .bind(details.population_group.code())
            .bind(details.arrival_date.map(format_date))
            .bind(details.previous_country.map(|c| c.to_string()))
            .bind(details.previous_area.as_ref().map(|p| p.to_string()))
            .bind(adm1)
            .bind(adm2)
            .bind(vault.seal_opt(
                columns::POSITION,
                details.position.map(|p| format!("{},{}", p.lat, p.lon)).as_deref(),
            )?)
            .bind(i64::from(details.child_headed))
            .bind(now());
        for q in 0..rumbo_domain::registration::conditions::QUESTIONS.len() {
            update = update.bind(details.conditions.answer(q));
        }
        update.bind(id).execute(&mut *tx).await?;
        write_event(
            &mut tx,
            vault,
            actor,
            Event {
                household_id: id,
                member_id: None,
                kind: "edited",
                fields: fields.clone(),
                reason: Some(&why),
                before: Some(before),
                related: None,
            },
        )
        .await?;
        rescore(&mut tx, Which::Households(&[id])).await?;
        let summary = if fields.is_empty() {
            format!("saved household {} without changes", view.code)
        } else {
            format!("edited household {}: changed {}", view.code, fields.join(", "))
        };
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::Household,
            Some(&id.to_string()),
            &summary,
        )
        .await?;
        tx.commit().await?;
        Ok(fields)
    }

    /// Records consent given or withdrawn for `purpose`, by whom and when. Consent to be
    /// registered cannot be withdrawn here: that is a request for erasure.
    pub async fn set_consent(
        &self,
        actor: &Actor,
        household_id: i64,
        purpose: ConsentPurpose,
        given: bool,
    ) -> Result<()> {
        let vault = self.vault()?;
        if purpose == ConsentPurpose::Registration && !given {
            return Err(StoreError::Invalid(DomainError::Invalid(
                "withdrawing consent to be registered is a request for erasure: erase the household instead".into(),
            )));
        }
        let view = self.household_view_for_change(household_id).await?;
        let column = match purpose {
            ConsentPurpose::Registration => "consent_registration",
            ConsentPurpose::Sharing => "consent_sharing",
            ConsentPurpose::Referral => "consent_referral",
        };
        let mut tx = self.pool.begin().await?;
        lock_for_writing(&mut tx, self.backend).await?;
        sqlx::query(crate::query::dynamic(format!(
            "UPDATE households SET {column} = $1, updated_at = $2 WHERE id = $3"
        )))
        .bind(i64::from(given))
        .bind(now())
        .bind(household_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO household_consents (household_id, purpose, given, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(household_id)
        .bind(purpose.code())
        .bind(i64::from(given))
        .bind(now())
        .bind(actor.user_id)
        .execute(&mut *tx)
        .await?;
        write_event(
            &mut tx,
            vault,
            actor,
            Event {
                household_id,
                member_id: None,
                kind: if given { "consent_given" } else { "consent_withdrawn" },
                fields: vec![column],
                reason: None,
                before: None,
                related: None,
            },
        )
        .await?;
        let what = if given { "given" } else { "withdrawn" };
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::Household,
            Some(&household_id.to_string()),
            &format!(
                "recorded consent to {} {what} for household {}",
                purpose.code(),
                view.code
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The two households a review flag links.
    pub async fn flag_households(&self, flag_id: i64) -> Result<(i64, Option<i64>)> {
        let row = sqlx::query("SELECT household_id, other_household_id FROM review_flags WHERE id = $1")
            .bind(flag_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("review flag", flag_id))?;
        use sqlx::Row;
        Ok((row.try_get("household_id")?, row.try_get("other_household_id")?))
    }

    /// Closes a possible duplicate: `duplicate` (the same person, registered twice: merged into
    /// one resolved identity) or `not_duplicate`. The one review queue decides it (see
    /// [`Store::decide_duplicate`]).
    pub async fn review_flag(&self, actor: &Actor, flag_id: i64, outcome: &str) -> Result<()> {
        if !matches!(outcome, "duplicate" | "not_duplicate") {
            return Err(StoreError::Invalid(DomainError::Invalid(
                "a review ends as duplicate or not_duplicate".into(),
            )));
        }
        let decision = crate::deduplication::Decision::from_outcome(outcome)?;
        self.decide_duplicate(actor, flag_id, decision).await?;
        Ok(())
    }
}
