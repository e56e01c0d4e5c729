//! Decisions on possible duplicates. Confirming merges two people into one resolved identity:
//! nothing is deleted or rewritten, the source records and their histories stay as they were,
//! and `person_identities` is rebuilt from the confirmed pairs. Rejecting closes the pair for
//! good (a rejected pair is never suggested again). Undoing a merge reopens the pair. Every
//! decision is kept in `review_decisions` and audited in the same transaction.

use std::collections::{BTreeMap, BTreeSet};

use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::registration::pseudonym::{Kind, encode};
use rumbo_domain::{DomainError, Vocabulary};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

use crate::audit::record;
use crate::query::{Filter, dynamic};
use crate::{Result, Store, StoreError, now};

/// What a reviewer decides on a possible duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The same person: merged into one identity.
    Confirm,
    /// Different people: never suggested again.
    Reject,
    /// Take a confirmed merge back: the pair is open again.
    Undo,
}

impl Vocabulary for Decision {
    const NAME: &'static str = "decision";
    const ALL: &'static [Self] = &[Self::Confirm, Self::Reject, Self::Undo];

    fn code(self) -> &'static str {
        match self {
            Decision::Confirm => "confirm",
            Decision::Reject => "reject",
            Decision::Undo => "undo",
        }
    }
}

impl Decision {
    /// The outcomes the household page has always sent (`duplicate`, `not_duplicate`) as well
    /// as the queue's (`confirm`, `reject`, `undo`).
    pub fn from_outcome(raw: &str) -> std::result::Result<Decision, DomainError> {
        match raw.trim() {
            "duplicate" => Ok(Decision::Confirm),
            "not_duplicate" => Ok(Decision::Reject),
            other => Decision::parse(other),
        }
    }

    /// The status a flag must have for this decision, and the status it then gets.
    fn transition(self) -> (&'static str, &'static str) {
        match self {
            Decision::Confirm => ("open", "duplicate"),
            Decision::Reject => ("open", "not_duplicate"),
            Decision::Undo => ("duplicate", "open"),
        }
    }

    /// As `review_decisions` records it.
    fn recorded(self) -> &'static str {
        match self {
            Decision::Confirm => "duplicate",
            Decision::Reject => "not_duplicate",
            Decision::Undo => "undone",
        }
    }
}

/// One resolved identity: the people confirmed to be one person, by pseudonymous code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    pub identity: String,
    pub country: Iso3,
    /// (person code, household code, desk code, organisation)
    pub people: Vec<(String, String, String, String)>,
}

impl Store {
    /// Takes `decision` on the possible duplicate `flag_id`; returns its new status. A decision
    /// that does not fit the pair's status (confirming a rejected pair, undoing an open one)
    /// is refused with a conflict.
    pub async fn decide_duplicate(&self, actor: &Actor, flag_id: i64, decision: Decision) -> Result<&'static str> {
        let (from, to) = decision.transition();
        let mut tx = self.pool.begin().await?;
        let row =
            sqlx::query("SELECT status, household_id, member_id, other_member_id FROM review_flags WHERE id = $1")
                .bind(flag_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::not_found("possible duplicate", flag_id))?;
        let status: String = row.try_get("status")?;
        if status != from {
            return Err(StoreError::Conflict(format!(
                "possible duplicate {flag_id} is {status}: it cannot be given the decision {}",
                decision.code()
            )));
        }
        let household: i64 = row.try_get("household_id")?;
        let members: Vec<i64> = [
            row.try_get::<Option<i64>, _>("member_id")?,
            row.try_get("other_member_id")?,
        ]
        .into_iter()
        .flatten()
        .collect();
        let at = now();
        sqlx::query("UPDATE review_flags SET status = $1, reviewed_at = $2, reviewed_by = $3 WHERE id = $4")
            .bind(to)
            .bind(&at)
            .bind(actor.user_id)
            .bind(flag_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO review_decisions (flag_id, decision, at, user_id) VALUES ($1, $2, $3, $4)")
            .bind(flag_id)
            .bind(decision.recorded())
            .bind(&at)
            .bind(actor.user_id)
            .execute(&mut *tx)
            .await?;
        if decision != Decision::Reject && members.len() == 2 {
            rebuild_identities(&mut tx, &members, &at).await?;
        }
        let people: Vec<String> = members.iter().map(|m| encode(Kind::Person, *m)).collect();
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::ReviewFlag,
            Some(&flag_id.to_string()),
            &format!(
                "reviewed possible duplicate {flag_id} of household {} ({}): {}",
                encode(Kind::Household, household),
                people.join(", "),
                decision.recorded()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(to)
    }

    /// The resolved identity of a person: the code of the identity's first registration, when
    /// the person was confirmed to be someone else too.
    pub async fn person_identity(&self, member_id: i64) -> Result<Option<i64>> {
        Ok(
            sqlx::query("SELECT identity_id FROM person_identities WHERE member_id = $1")
                .bind(member_id)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get("identity_id"))
                .transpose()?,
        )
    }

    /// Resolved identities of two or more people in `countries` (every country when `None`).
    pub async fn resolved_identities(&self, countries: Option<&[Iso3]>) -> Result<Vec<Cluster>> {
        let mut filter = Filter::default();
        if let Some(list) = countries {
            if list.is_empty() {
                filter.push_fixed("1 = 0");
            } else {
                let marks: Vec<String> = list.iter().map(|c| filter.bind(c.to_string())).collect();
                filter.push_fixed(&format!("h.country_iso3 IN ({})", marks.join(", ")));
            }
        }
        let rows = sqlx::query_with(
            dynamic(format!(
                "SELECT pi.identity_id, pi.member_id, h.id AS household_id, h.country_iso3, l.code AS desk_code,
                        o.acronym AS organisation
                 FROM person_identities pi JOIN household_members m ON m.id = pi.member_id
                 JOIN households h ON h.id = m.household_id JOIN locations l ON l.id = h.desk_id
                 JOIN organisations o ON o.id = h.organisation_id{}
                 ORDER BY pi.identity_id, pi.member_id",
                filter.where_clause()
            )),
            filter.args(),
        )
        .fetch_all(&self.pool)
        .await?;
        let mut clusters: BTreeMap<i64, Cluster> = BTreeMap::new();
        for row in &rows {
            let identity: i64 = row.try_get("identity_id")?;
            let country = crate::registration::stored_country(&row.try_get::<String, _>("country_iso3")?)?;
            clusters
                .entry(identity)
                .or_insert_with(|| Cluster {
                    identity: encode(Kind::Person, identity),
                    country,
                    people: Vec::new(),
                })
                .people
                .push((
                    encode(Kind::Person, row.try_get("member_id")?),
                    encode(Kind::Household, row.try_get("household_id")?),
                    row.try_get("desk_code")?,
                    row.try_get("organisation")?,
                ));
        }
        Ok(clusters.into_values().collect())
    }
}

/// Rebuilds the identities of `seeds` and of everyone who shared an identity with them: the
/// connected components of the confirmed pairs. Identities are small (a handful of
/// registrations of one person), so walking them pair by pair is cheap.
async fn rebuild_identities(conn: &mut AnyConnection, seeds: &[i64], at: &str) -> Result<()> {
    let mut affected: BTreeSet<i64> = seeds.iter().copied().collect();
    for seed in seeds {
        let rows = sqlx::query(
            "SELECT member_id FROM person_identities WHERE identity_id IN
               (SELECT identity_id FROM person_identities WHERE member_id = $1)",
        )
        .bind(*seed)
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            affected.insert(row.try_get("member_id")?);
        }
    }
    for member in &affected {
        sqlx::query("DELETE FROM person_identities WHERE member_id = $1")
            .bind(*member)
            .execute(&mut *conn)
            .await?;
    }
    let mut seen: BTreeSet<i64> = BTreeSet::new();
    for start in &affected {
        if seen.contains(start) {
            continue;
        }
        let mut component = BTreeSet::from([*start]);
        let mut stack = vec![*start];
        while let Some(member) = stack.pop() {
            let rows = sqlx::query(
                "SELECT member_id, other_member_id FROM review_flags
                 WHERE status = 'duplicate' AND (member_id = $1 OR other_member_id = $1)",
            )
            .bind(member)
            .fetch_all(&mut *conn)
            .await?;
            for row in &rows {
                for column in ["member_id", "other_member_id"] {
                    if let Some(next) = row.try_get::<Option<i64>, _>(column)?
                        && component.insert(next)
                    {
                        stack.push(next);
                    }
                }
            }
        }
        seen.extend(component.iter().copied());
        if component.len() < 2 {
            continue;
        }
        let identity = *component.iter().next().unwrap_or(start);
        for member in &component {
            sqlx::query("DELETE FROM person_identities WHERE member_id = $1")
                .bind(*member)
                .execute(&mut *conn)
                .await?;
            sqlx::query("INSERT INTO person_identities (member_id, identity_id, resolved_at) VALUES ($1, $2, $3)")
                .bind(*member)
                .bind(identity)
                .bind(at)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}
