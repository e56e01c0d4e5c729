//! Sharing agreements: organisation A lets organisation B see its registrations in one country,
//! for stated purposes (case management, assistance), from one date to another. Agreements are
//! data, set up by IM officers and administrators; they are revoked, never deleted, so that
//! who could see what, and when, stays on record. A household is shared only if it consented.

use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::registration::consent::SharingPurpose;
use rumbo_domain::registration::people::{format_date, parse_date, parse_optional_date};
use rumbo_domain::{DomainError, Problem, Vocabulary};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{stored_country, today};
use crate::audit::record;
use crate::{Result, Store, StoreError, now};

/// An agreement as a form or the API gives it.
#[derive(Debug, Clone, Default)]
pub struct AgreementInput {
    pub from_org: i64,
    pub to_org: i64,
    pub country: String,
    pub purposes: Vec<String>,
    /// The signed agreement's reference (a document number, a memorandum's title).
    pub reference: String,
    pub valid_from: String,
    pub valid_until: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgreementRecord {
    pub id: i64,
    pub from_org: i64,
    pub from: String,
    pub to_org: i64,
    pub to: String,
    pub country: Iso3,
    pub purposes: Vec<SharingPurpose>,
    pub reference: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
    /// Not revoked, and today is within its dates.
    pub in_force: bool,
}

/// An agreement's checked fields: country, purposes, reference, valid from, valid until.
type CheckedAgreement = (Iso3, Vec<SharingPurpose>, String, String, Option<String>);

impl AgreementInput {
    fn validate(&self) -> Result<CheckedAgreement, Vec<Problem>> {
        let mut problems = Vec::new();
        let country = Iso3::parse(&self.country)
            .map_err(|e| problems.push(Problem::new("country", e)))
            .ok();
        let mut purposes = Vec::new();
        for raw in &self.purposes {
            match SharingPurpose::parse(raw) {
                Ok(p) if !purposes.contains(&p) => purposes.push(p),
                Ok(_) => {}
                Err(e) => problems.push(Problem::new("purposes", e)),
            }
        }
        if purposes.is_empty() && problems.is_empty() {
            problems.push(Problem::new("purposes", "state at least one purpose"));
        }
        if self.from_org == self.to_org {
            problems.push(Problem::new("to_org", "an organisation does not share with itself"));
        }
        let reference = rumbo_domain::error::required_text("reference", &self.reference, 200)
            .map_err(|e| problems.push(Problem::new("reference", e)))
            .ok();
        let from = parse_date("valid from", &self.valid_from)
            .map_err(|e| problems.push(Problem::new("valid_from", e)))
            .ok();
        let until = parse_optional_date("valid until", &self.valid_until)
            .map_err(|e| problems.push(Problem::new("valid_until", e)))
            .ok()
            .flatten();
        if let (Some(from), Some(until)) = (from, until)
            && until < from
        {
            problems.push(Problem::new(
                "valid_until",
                DomainError::Invalid("the agreement ends before it starts".into()),
            ));
        }
        match (country, reference, from) {
            (Some(country), Some(reference), Some(from)) if problems.is_empty() => {
                Ok((country, purposes, reference, format_date(from), until.map(format_date)))
            }
            _ => Err(problems),
        }
    }
}

fn agreement_from_row(row: &AnyRow, purposes: Vec<SharingPurpose>) -> Result<AgreementRecord> {
    let valid_from: String = row.try_get("valid_from")?;
    let valid_until: Option<String> = row.try_get("valid_until")?;
    let revoked_at: Option<String> = row.try_get("revoked_at")?;
    let today = format_date(today());
    Ok(AgreementRecord {
        id: row.try_get("id")?,
        from_org: row.try_get("from_org")?,
        from: row.try_get("from_acronym")?,
        to_org: row.try_get("to_org")?,
        to: row.try_get("to_acronym")?,
        country: stored_country(&row.try_get::<String, _>("country_iso3")?)?,
        purposes,
        reference: row.try_get("reference")?,
        in_force: revoked_at.is_none() && valid_from <= today && valid_until.as_ref().is_none_or(|u| *u >= today),
        valid_from,
        valid_until,
        created_at: row.try_get("created_at")?,
        revoked_at,
    })
}

impl Store {
    /// The agreements of `countries` (all when `None`), newest first.
    pub async fn sharing_agreements(&self, countries: Option<&[Iso3]>) -> Result<Vec<AgreementRecord>> {
        let rows = sqlx::query(
            "SELECT a.*, f.acronym AS from_acronym, t.acronym AS to_acronym FROM sharing_agreements a
             JOIN organisations f ON f.id = a.from_org JOIN organisations t ON t.id = a.to_org ORDER BY a.id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        let purposes = sqlx::query("SELECT agreement_id, purpose FROM sharing_agreement_purposes ORDER BY purpose")
            .fetch_all(&self.pool)
            .await?;
        let mut list = Vec::new();
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let mut own = Vec::new();
            for p in purposes
                .iter()
                .filter(|p| p.try_get::<i64, _>("agreement_id").ok() == Some(id))
            {
                own.push(SharingPurpose::parse(&p.try_get::<String, _>("purpose")?)?);
            }
            let record = agreement_from_row(row, own)?;
            if countries.is_none_or(|c| c.contains(&record.country)) {
                list.push(record);
            }
        }
        Ok(list)
    }

    pub async fn sharing_agreement(&self, id: i64) -> Result<AgreementRecord> {
        self.sharing_agreements(None)
            .await?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| StoreError::not_found("sharing agreement", id))
    }

    pub async fn create_sharing_agreement(&self, actor: &Actor, input: &AgreementInput) -> Result<AgreementRecord> {
        let (country, purposes, reference, from, until) =
            input.validate().map_err(|problems| StoreError::Rejected {
                message: format!("{} problem(s) in the agreement; nothing was saved", problems.len()),
                problems,
            })?;
        for org in [input.from_org, input.to_org] {
            self.organisation(org).await?;
        }
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO sharing_agreements (from_org, to_org, country_iso3, reference, valid_from, valid_until, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(input.from_org)
        .bind(input.to_org)
        .bind(country.to_string())
        .bind(&reference)
        .bind(&from)
        .bind(&until)
        .bind(now())
        .bind(actor.user_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        for purpose in &purposes {
            sqlx::query("INSERT INTO sharing_agreement_purposes (agreement_id, purpose) VALUES ($1, $2)")
                .bind(id)
                .bind(purpose.code())
                .execute(&mut *tx)
                .await?;
        }
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::SharingAgreement,
            Some(&id.to_string()),
            &format!(
                "organisation {} shares its registrations in {country} with organisation {} for {}",
                input.from_org,
                input.to_org,
                purposes.iter().map(|p| p.code()).collect::<Vec<_>>().join(", ")
            ),
        )
        .await?;
        tx.commit().await?;
        self.sharing_agreement(id).await
    }

    /// Ends an agreement today: from now on the partner no longer sees what it covered.
    pub async fn revoke_sharing_agreement(&self, actor: &Actor, id: i64) -> Result<AgreementRecord> {
        let agreement = self.sharing_agreement(id).await?;
        if agreement.revoked_at.is_some() {
            return Err(StoreError::Conflict(format!(
                "sharing agreement {id} is revoked already"
            )));
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE sharing_agreements SET revoked_at = $1, revoked_by = $2 WHERE id = $3")
            .bind(now())
            .bind(actor.user_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::SharingAgreement,
            Some(&id.to_string()),
            "revoked",
        )
        .await?;
        tx.commit().await?;
        self.sharing_agreement(id).await
    }
}
