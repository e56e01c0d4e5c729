//! Assistance programmes and their beneficiary lists. A programme belongs to an organisation
//! and a country (and perhaps one area); its list ranks the eligible households that the
//! organisation may serve — its own registrations, and those shared with it for assistance —
//! by the score of the country's model in force, with the programme's tie-breaks and quotas.
//! A list is kept as drawn up (which model, why each household is on it). Assistance is
//! recorded per household and date, and every other programme's list shows it.

use std::collections::HashSet;

use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::Pcode;
use rumbo_domain::registration::people::{format_date, parse_date, parse_optional_date};
use rumbo_domain::registration::pseudonym::{Kind, encode};
use rumbo_domain::registration::ranking::{Quota, QuotaAttribute, Rules, TieBreak};
use rumbo_domain::{DomainError, Problem, Vocabulary};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::batch::lock_for_writing;
use super::{parse_stored_pcode, stored_country, today};
use crate::audit::record;
use crate::query::dynamic;
use crate::{Result, Store, StoreError, now};

/// A programme as a form or the API gives it.
#[derive(Debug, Clone, Default)]
pub struct ProgrammeInput {
    pub code: String,
    pub name: String,
    pub country: String,
    pub organisation_id: i64,
    pub area: String,
    pub target_households: String,
    /// (attribute, share in percent)
    pub quotas: Vec<(String, String)>,
    pub tie_breaks: Vec<String>,
    pub exclude_assisted_elsewhere: bool,
    pub starts_on: String,
    pub ends_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgrammeRecord {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub country: Iso3,
    pub organisation_id: i64,
    pub organisation: String,
    pub area: Option<Pcode>,
    pub rules: Rules,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub created_at: String,
    /// Households recorded as assisted.
    pub assisted: i64,
    /// The newest beneficiary list, if any.
    pub latest_list: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BeneficiaryEntry {
    pub rank: i64,
    pub household_id: i64,
    pub code: String,
    pub score: f64,
    /// `score`, or `quota:<attribute>`.
    pub reason: String,
    pub status: String,
    pub size: i64,
    pub desk_code: String,
    pub adm2: Option<String>,
    /// Dates this programme assisted the household.
    pub assisted_here: Vec<String>,
    /// Codes of other programmes that assisted it.
    pub assisted_elsewhere: Vec<String>,
    /// Personal disclosure only: the head's name, first document and phone.
    pub head_name: Option<String>,
    pub head_document: Option<String>,
    pub head_phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BeneficiaryListView {
    pub id: i64,
    pub programme_id: i64,
    pub programme_code: String,
    pub model_id: i64,
    pub model: String,
    pub generated_at: String,
    pub generated_by: Option<String>,
    pub eligible: i64,
    pub excluded_as_assisted: i64,
    /// Quotas that could not be met, in words ("female_headed: 120 needed, 87 listed").
    pub shortfalls: Vec<String>,
    pub entries: Vec<BeneficiaryEntry>,
    pub personal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssistanceView {
    pub programme_id: i64,
    pub programme_code: String,
    pub programme_name: String,
    pub organisation: String,
    pub assisted_on: String,
}

struct ValidProgramme {
    code: String,
    name: String,
    country: Iso3,
    area: Option<Pcode>,
    rules: Rules,
    starts_on: Option<String>,
    ends_on: Option<String>,
}

impl ProgrammeInput {
    fn validate(&self) -> std::result::Result<ValidProgramme, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut at = |field: &str, e: DomainError| problems.push(Problem::new(field, e));
        let code = rumbo_domain::location::parse_location_code(&self.code)
            .map_err(|e| at("code", e))
            .ok();
        let name = rumbo_domain::error::required_text("name", &self.name, 200)
            .map_err(|e| at("name", e))
            .ok();
        let country = Iso3::parse(&self.country).map_err(|e| at("country", e)).ok();
        let area = Some(self.area.trim())
            .filter(|a| !a.is_empty())
            .map(Pcode::parse)
            .transpose()
            .map_err(|e| at("area", e))
            .ok()
            .flatten();
        let target = self
            .target_households
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|t| (1..=1_000_000).contains(t))
            .ok_or(())
            .map_err(|_| {
                at(
                    "target_households",
                    DomainError::Invalid("how many households the programme can serve: a whole number from 1".into()),
                )
            })
            .ok();
        let mut quotas = Vec::new();
        for (attribute, share) in &self.quotas {
            if attribute.trim().is_empty() && share.trim().is_empty() {
                continue;
            }
            let attribute = QuotaAttribute::parse(attribute).map_err(|e| at("quotas", e)).ok();
            let share = share
                .trim()
                .trim_end_matches('%')
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .and_then(|p| {
                    Quota::new(QuotaAttribute::FemaleHeaded, p / 100.0)
                        .ok()
                        .map(|_| p / 100.0)
                })
                .ok_or(())
                .map_err(|_| {
                    at(
                        "quotas",
                        DomainError::Invalid("a quota is a share from 0% to 100%".into()),
                    )
                })
                .ok();
            if let (Some(attribute), Some(min_share)) = (attribute, share) {
                quotas.push(Quota { attribute, min_share });
            }
        }
        let mut tie_breaks = Vec::new();
        for raw in self.tie_breaks.iter().filter(|t| !t.trim().is_empty()) {
            match TieBreak::parse(raw) {
                Ok(t) if !tie_breaks.contains(&t) => tie_breaks.push(t),
                Ok(_) => {}
                Err(e) => at("tie_breaks", e),
            }
        }
        let starts_on = parse_optional_date("start", &self.starts_on)
            .map_err(|e| at("starts_on", e))
            .ok()
            .flatten();
        let ends_on = parse_optional_date("end", &self.ends_on)
            .map_err(|e| at("ends_on", e))
            .ok()
            .flatten();
        if let (Some(s), Some(e)) = (starts_on, ends_on)
            && e < s
        {
            at(
                "ends_on",
                DomainError::Invalid("the programme ends before it starts".into()),
            );
        }
        match (code, name, country, target) {
            (Some(code), Some(name), Some(country), Some(target)) if problems.is_empty() => Ok(ValidProgramme {
                code,
                name,
                country,
                area,
                rules: Rules {
                    target,
                    quotas,
                    tie_breaks,
                    exclude_assisted_elsewhere: self.exclude_assisted_elsewhere,
                },
                starts_on: starts_on.map(format_date),
                ends_on: ends_on.map(format_date),
            }),
            _ => Err(problems),
        }
    }
}

fn programme_from_row(row: &AnyRow) -> Result<ProgrammeRecord> {
    let rules: Rules = serde_json::from_str(&row.try_get::<String, _>("rules")?).map_err(|e| StoreError::Corrupt {
        what: "programme rules",
        detail: e.to_string(),
    })?;
    Ok(ProgrammeRecord {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        country: stored_country(&row.try_get::<String, _>("country_iso3")?)?,
        organisation_id: row.try_get("organisation_id")?,
        organisation: row.try_get("organisation")?,
        area: parse_stored_pcode(row.try_get("area_pcode")?)?,
        rules,
        starts_on: row.try_get("starts_on")?,
        ends_on: row.try_get("ends_on")?,
        created_at: row.try_get("created_at")?,
        assisted: row.try_get("assisted")?,
        latest_list: row.try_get("latest_list")?,
    })
}

const PROGRAMME_SELECT: &str = "SELECT p.*, o.acronym AS organisation,
        (SELECT COUNT(DISTINCT a.household_id) FROM assistance_records a WHERE a.programme_id = p.id) AS assisted,
        (SELECT MAX(b.id) FROM beneficiary_lists b WHERE b.programme_id = p.id) AS latest_list
     FROM programmes p JOIN organisations o ON o.id = p.organisation_id";

impl Store {
    pub async fn programmes(&self, countries: Option<&[Iso3]>) -> Result<Vec<ProgrammeRecord>> {
        let rows = sqlx::query(dynamic(format!("{PROGRAMME_SELECT} ORDER BY p.country_iso3, p.code")))
            .fetch_all(&self.pool)
            .await?;
        let all: Vec<ProgrammeRecord> = rows.iter().map(programme_from_row).collect::<Result<_>>()?;
        Ok(all
            .into_iter()
            .filter(|p| countries.is_none_or(|c| c.contains(&p.country)))
            .collect())
    }

    pub async fn programme(&self, id: i64) -> Result<ProgrammeRecord> {
        let row = sqlx::query(dynamic(format!("{PROGRAMME_SELECT} WHERE p.id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("programme", id))?;
        programme_from_row(&row)
    }

    pub async fn create_programme(&self, actor: &Actor, input: &ProgrammeInput) -> Result<ProgrammeRecord> {
        let valid = input.validate().map_err(|problems| StoreError::Rejected {
            message: format!("{} problem(s) in the programme; nothing was saved", problems.len()),
            problems,
        })?;
        self.organisation(input.organisation_id).await?;
        if let Some(area) = &valid.area {
            let found = self.admin_area_row(area).await?;
            if found.country != valid.country {
                return Err(StoreError::Invalid(DomainError::Invalid(format!(
                    "{area} is not in {}",
                    valid.country
                ))));
            }
        }
        let rules = serde_json::to_string(&valid.rules).map_err(|e| StoreError::Corrupt {
            what: "programme rules",
            detail: e.to_string(),
        })?;
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO programmes (code, name, country_iso3, organisation_id, area_pcode, target_households, rules,
                                     starts_on, ends_on, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(&valid.code)
        .bind(&valid.name)
        .bind(valid.country.to_string())
        .bind(input.organisation_id)
        .bind(valid.area.as_ref().map(|a| a.to_string()))
        .bind(valid.rules.target as i64)
        .bind(&rules)
        .bind(&valid.starts_on)
        .bind(&valid.ends_on)
        .bind(now())
        .bind(actor.user_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(crate::error::conflict_on_unique(|| {
            format!("a programme with the code {} exists already", valid.code)
        }))?
        .try_get("id")?;
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::Programme,
            Some(&id.to_string()),
            &format!(
                "created programme {} in {} for {} households",
                valid.code, valid.country, valid.rules.target
            ),
        )
        .await?;
        tx.commit().await?;
        self.programme(id).await
    }

    /// The households on a list, with their organisation, country and sharing consent: what
    /// the access policy needs before names are shown.
    pub async fn list_households(&self, list_id: i64) -> Result<Vec<super::HouseholdKey>> {
        let rows = sqlx::query("SELECT household_id FROM beneficiary_list_entries WHERE list_id = $1 ORDER BY rank")
            .bind(list_id)
            .fetch_all(&self.pool)
            .await?;
        let mut keys = Vec::with_capacity(rows.len());
        for row in &rows {
            keys.push(self.household_key(row.try_get("household_id")?).await?);
        }
        Ok(keys)
    }

    /// Records that the programme assisted `households` on `assisted_on`. Each must be on one
    /// of the programme's lists; assistance recorded twice for a day is counted once.
    pub async fn record_assistance(
        &self,
        actor: &Actor,
        programme_id: i64,
        households: &[i64],
        assisted_on: &str,
    ) -> Result<usize> {
        let programme = self.programme(programme_id).await?;
        let day = parse_date("assistance date", assisted_on)?;
        if day > today() {
            return Err(StoreError::Invalid(DomainError::Invalid(
                "the assistance date is in the future".into(),
            )));
        }
        let listed: HashSet<i64> = sqlx::query(
            "SELECT DISTINCT e.household_id FROM beneficiary_list_entries e JOIN beneficiary_lists b ON b.id = e.list_id
             WHERE b.programme_id = $1",
        )
        .bind(programme_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>("household_id"))
        .collect::<std::result::Result<_, _>>()?;
        let problems: Vec<Problem> = households
            .iter()
            .filter(|h| !listed.contains(h))
            .map(|h| {
                Problem::new(
                    encode(Kind::Household, *h),
                    "is not on any of this programme's beneficiary lists",
                )
            })
            .collect();
        if !problems.is_empty() {
            return Err(StoreError::Rejected {
                message: format!(
                    "{} household(s) are not on the programme's lists; nothing was recorded",
                    problems.len()
                ),
                problems,
            });
        }
        let day = format_date(day);
        let mut tx = self.pool.begin().await?;
        lock_for_writing(&mut tx, self.backend).await?;
        let mut recorded = 0;
        for household in households {
            let exists = sqlx::query(
                "SELECT 1 AS x FROM assistance_records WHERE programme_id = $1 AND household_id = $2 AND assisted_on = $3",
            )
            .bind(programme_id)
            .bind(household)
            .bind(&day)
            .fetch_optional(&mut *tx)
            .await?;
            if exists.is_none() {
                sqlx::query(
                    "INSERT INTO assistance_records (programme_id, household_id, assisted_on, recorded_at, recorded_by)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(programme_id)
                .bind(household)
                .bind(&day)
                .bind(now())
                .bind(actor.user_id)
                .execute(&mut *tx)
                .await?;
                recorded += 1;
            }
        }
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::Assistance,
            Some(&programme_id.to_string()),
            &format!(
                "recorded assistance of programme {} on {day} to {recorded} households",
                programme.code
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(recorded)
    }

    /// The assistance a household received, from every programme.
    pub async fn household_assistance(&self, household_id: i64) -> Result<Vec<AssistanceView>> {
        let rows = sqlx::query(
            "SELECT a.programme_id, a.assisted_on, p.code, p.name, o.acronym FROM assistance_records a
             JOIN programmes p ON p.id = a.programme_id JOIN organisations o ON o.id = p.organisation_id
             WHERE a.household_id = $1 ORDER BY a.assisted_on DESC",
        )
        .bind(household_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AssistanceView {
                    programme_id: r.try_get("programme_id")?,
                    programme_code: r.try_get("code")?,
                    programme_name: r.try_get("name")?,
                    organisation: r.try_get("acronym")?,
                    assisted_on: r.try_get("assisted_on")?,
                })
            })
            .collect()
    }
}
