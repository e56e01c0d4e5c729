//! The review queue: possible duplicates filtered by country, desk, organisation, probability
//! and status; one pair with both records side by side; pairs and their sides for export.

use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::registration::people::{Sex, age_on};
use rumbo_domain::registration::pseudonym::{Kind, encode};
use rumbo_domain::{DomainError, Vocabulary};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::record;
use crate::query::{Filter, dynamic};
use crate::registration::today;
use crate::{Page, Result, Store, StoreError};

/// Filters of the queue; all optional. `countries: None` is every country.
#[derive(Debug, Clone, Default)]
pub struct PairQuery {
    pub countries: Option<Vec<Iso3>>,
    /// A desk on either side.
    pub desk_id: Option<i64>,
    /// An organisation on either side.
    pub organisation_id: Option<i64>,
    /// At least this probability, in percent (exact document duplicates count as 100).
    pub min_percent: Option<i64>,
    /// open (the default), duplicate, not_duplicate, or `all`.
    pub status: Option<String>,
    /// duplicate_document or probable_match; both when `None`.
    pub kind: Option<String>,
}

/// One side of a pair as lists show it: pseudonymous codes, desk and organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairEnd {
    pub household_id: i64,
    pub household_code: String,
    pub member_id: Option<i64>,
    pub member_code: Option<String>,
    pub desk_code: String,
    pub desk_name: String,
    pub organisation_id: i64,
    pub organisation: String,
}

/// One possible duplicate in the queue. `person` is the later registration, `other` the earlier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairRow {
    pub id: i64,
    /// duplicate_document (the same document registered twice) or probable_match (the engine).
    pub kind: String,
    /// open, duplicate (confirmed), not_duplicate (rejected) or erased.
    pub status: String,
    /// The engine's match probability; `None` for an exact document duplicate.
    pub probability: Option<f64>,
    pub country: Iso3,
    pub created_at: String,
    pub person: PairEnd,
    pub other: PairEnd,
}

/// One compared field: how far the two records agree, and what it weighed (log2 Bayes factor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldExplanation {
    pub field: String,
    pub level: String,
    pub weight: f64,
}

/// Names, date of birth and documents of one side: only where the access policy allows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonDetails {
    pub given_names: String,
    pub first_surname: String,
    pub second_surname: Option<String>,
    pub birth_date: String,
    /// (type code, number)
    pub documents: Vec<(String, String)>,
}

/// One side of a pair on its page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairSide {
    pub end: PairEnd,
    pub sex: Option<Sex>,
    pub age: Option<u32>,
    pub nationality: Option<String>,
    /// The person's resolved identity (a person code), when confirmed to be someone else too.
    pub identity: Option<String>,
    /// `None`: not disclosed to this reviewer (or erased).
    pub details: Option<PersonDetails>,
}

/// A decision as history shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionView {
    pub decision: String,
    pub at: String,
    pub user: Option<String>,
}

/// A pair side by side, with the engine's explanation and the decisions taken on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairView {
    pub pair: PairRow,
    pub person: PairSide,
    pub other: PairSide,
    pub explanation: Vec<FieldExplanation>,
    pub decisions: Vec<DecisionView>,
}

const PAIR_SELECT: &str = "SELECT f.id, f.kind, f.status, f.probability, f.created_at, f.explanation,
        h.id AS h_id, h.country_iso3, f.member_id AS m_id, l.code AS l_code, l.name AS l_name,
        h.organisation_id AS h_org, o.acronym AS o_name,
        h2.id AS h2_id, f.other_member_id AS m2_id, l2.code AS l2_code, l2.name AS l2_name,
        h2.organisation_id AS h2_org, o2.acronym AS o2_name
    FROM review_flags f
    JOIN households h ON h.id = f.household_id JOIN locations l ON l.id = h.desk_id
    JOIN organisations o ON o.id = h.organisation_id
    JOIN households h2 ON h2.id = f.other_household_id JOIN locations l2 ON l2.id = h2.desk_id
    JOIN organisations o2 ON o2.id = h2.organisation_id";

fn pair_end(row: &AnyRow, suffix: &str) -> Result<PairEnd> {
    let household_id: i64 = row.try_get(format!("h{suffix}_id").as_str())?;
    let member_id: Option<i64> = row.try_get(format!("m{suffix}_id").as_str())?;
    Ok(PairEnd {
        household_id,
        household_code: encode(Kind::Household, household_id),
        member_id,
        member_code: member_id.map(|m| encode(Kind::Person, m)),
        desk_code: row.try_get(format!("l{suffix}_code").as_str())?,
        desk_name: row.try_get(format!("l{suffix}_name").as_str())?,
        organisation_id: row.try_get(format!("h{suffix}_org").as_str())?,
        organisation: row.try_get(format!("o{suffix}_name").as_str())?,
    })
}

fn pair_row(row: &AnyRow) -> Result<PairRow> {
    Ok(PairRow {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        status: row.try_get("status")?,
        probability: row.try_get("probability")?,
        country: crate::registration::stored_country(&row.try_get::<String, _>("country_iso3")?)?,
        created_at: row.try_get("created_at")?,
        person: pair_end(row, "")?,
        other: pair_end(row, "2")?,
    })
}

fn queue_filter(query: &PairQuery) -> Filter {
    let mut filter = Filter::default();
    if let Some(list) = &query.countries {
        if list.is_empty() {
            filter.push_fixed("1 = 0");
        } else {
            let marks: Vec<String> = list.iter().map(|c| filter.bind(c.to_string())).collect();
            filter.push_fixed(&format!("h.country_iso3 IN ({})", marks.join(", ")));
        }
    }
    match query.status.as_deref().map(str::trim) {
        Some("all") => {}
        Some(s) if !s.is_empty() => {
            filter.push("f.status = $", s);
        }
        _ => {
            filter.push_fixed("f.status = 'open'");
        }
    }
    if let Some(kind) = query.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        filter.push("f.kind = $", kind);
    }
    if let Some(desk) = query.desk_id {
        let p = filter.bind(desk);
        filter.push_fixed(&format!("(h.desk_id = {p} OR h2.desk_id = {p})"));
    }
    if let Some(org) = query.organisation_id {
        let p = filter.bind(org);
        filter.push_fixed(&format!("(h.organisation_id = {p} OR h2.organisation_id = {p})"));
    }
    if let Some(percent) = query.min_percent {
        filter.push("COALESCE(f.probability, 1.0) * 100 >= $", percent);
    }
    filter
}

impl Store {
    /// The queue: possible duplicates matching `query`, the most probable first, and how many match.
    pub async fn duplicate_pairs(&self, query: &PairQuery, page: Page) -> Result<(Vec<PairRow>, i64)> {
        let mut filter = queue_filter(query);
        let clause = filter.where_clause();
        let total: i64 = sqlx::query_with(
            dynamic(format!(
                "SELECT COUNT(*) AS n FROM review_flags f JOIN households h ON h.id = f.household_id
                 JOIN households h2 ON h2.id = f.other_household_id{clause}"
            )),
            filter.args(),
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let sql = format!(
            "{PAIR_SELECT}{clause} ORDER BY COALESCE(f.probability, 1.0) DESC, f.id{}",
            filter.limit(page)
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        let pairs = rows.iter().map(pair_row).collect::<Result<Vec<_>>>()?;
        Ok((pairs, total))
    }

    /// One pair as the queue lists it (no personal data: used to decide access before a view).
    pub async fn duplicate_pair_row(&self, id: i64) -> Result<PairRow> {
        let row = sqlx::query(dynamic(format!("{PAIR_SELECT} WHERE f.id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("possible duplicate", id))?;
        pair_row(&row)
    }

    /// One pair side by side. `disclose` says, for (person, other), whether the access policy
    /// lets this reader see that side's names and documents. The view is an audited read.
    pub async fn duplicate_pair(&self, actor: &Actor, id: i64, disclose: (bool, bool)) -> Result<PairView> {
        let row = sqlx::query(dynamic(format!("{PAIR_SELECT} WHERE f.id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("possible duplicate", id))?;
        let pair = pair_row(&row)?;
        let explanation: Vec<FieldExplanation> = match row.try_get::<Option<String>, _>("explanation")? {
            Some(json) => serde_json::from_str(&json).map_err(|e| StoreError::Corrupt {
                what: "explanation of a possible duplicate",
                detail: e.to_string(),
            })?,
            None => Vec::new(),
        };
        let mut conn = self.pool.acquire().await?;
        let person = self.pair_side(&mut conn, &pair.person, disclose.0).await?;
        let other = self.pair_side(&mut conn, &pair.other, disclose.1).await?;
        let decisions = sqlx::query(
            "SELECT d.decision, d.at, u.username FROM review_decisions d LEFT JOIN users u ON u.id = d.user_id
             WHERE d.flag_id = $1 ORDER BY d.id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(DecisionView {
                decision: r.try_get("decision")?,
                at: r.try_get("at")?,
                user: r.try_get("username")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let shown = usize::from(person.details.is_some()) + usize::from(other.details.is_some());
        record(
            &mut conn,
            actor,
            AuditAction::Read,
            Entity::ReviewFlag,
            Some(&id.to_string()),
            &format!(
                "viewed possible duplicate {id} ({} and {}), personal data of {shown} of 2 sides",
                pair.person
                    .member_code
                    .as_deref()
                    .unwrap_or(&pair.person.household_code),
                pair.other.member_code.as_deref().unwrap_or(&pair.other.household_code),
            ),
        )
        .await?;
        Ok(PairView {
            pair,
            person,
            other,
            explanation,
            decisions,
        })
    }

    async fn pair_side(&self, conn: &mut sqlx::AnyConnection, end: &PairEnd, disclose: bool) -> Result<PairSide> {
        let Some(member_id) = end.member_id else {
            return Ok(PairSide {
                end: end.clone(),
                sex: None,
                age: None,
                nationality: None,
                identity: None,
                details: None,
            });
        };
        let row = sqlx::query(
            "SELECT m.sex, m.birth_date, m.nationality, m.status, m.given_names_enc, m.first_surname_enc,
                    m.second_surname_enc, pi.identity_id
             FROM household_members m LEFT JOIN person_identities pi ON pi.member_id = m.id WHERE m.id = $1",
        )
        .bind(member_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("person", encode(Kind::Person, member_id)))?;
        let birth: String = row.try_get("birth_date")?;
        let birth_date = crate::registration::parse_stored_date("date of birth", &birth)?;
        let details = if disclose && row.try_get::<String, _>("status")? == "active" {
            let vault = self.vault()?;
            match crate::registration::open_name(vault, &row, "")? {
                Some(name) => {
                    let documents = sqlx::query(
                        "SELECT doc_type, number_enc FROM member_documents WHERE member_id = $1 ORDER BY id",
                    )
                    .bind(member_id)
                    .fetch_all(&mut *conn)
                    .await?
                    .iter()
                    .map(|d| {
                        let number: Option<String> = d.try_get("number_enc")?;
                        Ok((
                            d.try_get::<String, _>("doc_type")?,
                            vault
                                .open_opt(crate::registration::columns::DOCUMENT_NUMBER, number.as_deref())?
                                .unwrap_or_default(),
                        ))
                    })
                    .collect::<Result<Vec<_>>>()?;
                    Some(PersonDetails {
                        given_names: name.given_names,
                        first_surname: name.first_surname,
                        second_surname: name.second_surname,
                        birth_date: birth.clone(),
                        documents,
                    })
                }
                None => None,
            }
        } else {
            None
        };
        Ok(PairSide {
            end: end.clone(),
            sex: Some(
                Sex::parse(&row.try_get::<String, _>("sex")?).map_err(|e: DomainError| StoreError::Corrupt {
                    what: "sex",
                    detail: e.to_string(),
                })?,
            ),
            age: Some(age_on(birth_date, today())),
            nationality: row.try_get("nationality")?,
            identity: row
                .try_get::<Option<i64>, _>("identity_id")?
                .map(|i| encode(Kind::Person, i)),
            details,
        })
    }
}

impl Store {
    /// Audits an export of the queue or of resolved identities (pseudonymous codes only).
    pub async fn record_duplicate_export(&self, actor: &Actor, what: &str, rows: usize) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        record(
            &mut conn,
            actor,
            AuditAction::Export,
            Entity::ReviewFlag,
            None,
            &format!("exported {rows} rows of {what} (pseudonymous codes)"),
        )
        .await
    }
}
