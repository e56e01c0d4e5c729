//! Registration figures: households and people by sex and age bracket, specific needs, desks,
//! eligibility. Figures count every organisation's registrations (they identify nobody), and
//! count erased people too, so that erasure never changes a published number; households
//! merged into another are counted once, in the one they joined. People confirmed to be one
//! person (a resolved identity, see `deduplication`) are counted once: by the identity's first
//! registration, whose sex and age stand for the person.

use rumbo_domain::Vocabulary;
use rumbo_domain::country::Iso3;
use rumbo_domain::registration::needs::SpecificNeed;
use rumbo_domain::registration::people::{Sex, format_date};
use rumbo_domain::registration::statistics::AGE_BRACKETS;
use serde::Serialize;
use sqlx::Row;
use time::Date;

use super::today;
use crate::query::{Filter, dynamic};
use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeskFigures {
    pub desk_id: i64,
    pub code: String,
    pub name: String,
    pub households: i64,
    pub people: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct RegistrationFigures {
    pub households: i64,
    /// Unique persons: each resolved identity once.
    pub people: i64,
    /// Registrations of people, duplicates included.
    pub person_records: i64,
    /// People by sex (female, male, other) and age bracket (see `AGE_BRACKETS`).
    pub by_sex_and_age: [[i64; 5]; 3],
    pub needs: Vec<(SpecificNeed, i64)>,
    pub verified: i64,
    pub scored: i64,
    pub eligible: i64,
    pub erased_households: i64,
    pub open_flags: i64,
    pub desks: Vec<DeskFigures>,
}

/// Counts a person (`household_members m`) once per resolved identity: people without one, and
/// the identity's first registration.
const ONCE_PER_IDENTITY: &str =
    "NOT EXISTS (SELECT 1 FROM person_identities pi WHERE pi.member_id = m.id AND pi.identity_id <> m.id)";

/// The date on which someone born on it turns `years` today.
fn years_before(today: Date, years: i32) -> String {
    let year = today.year() - years;
    let date = Date::from_calendar_date(year, today.month(), today.day())
        .or_else(|_| Date::from_calendar_date(year, today.month(), 28))
        .unwrap_or(today);
    format_date(date)
}

impl Store {
    /// Figures over the households of `countries` (every country when `None`).
    pub async fn registration_figures(&self, countries: Option<&[Iso3]>) -> Result<RegistrationFigures> {
        let scope = |filter: &mut Filter| {
            if let Some(list) = countries {
                let marks: Vec<String> = list.iter().map(|c| filter.bind(c.to_string())).collect();
                filter.push_fixed(&if marks.is_empty() {
                    "1 = 0".to_owned()
                } else {
                    format!("h.country_iso3 IN ({})", marks.join(", "))
                });
            }
            filter.push_fixed("h.status <> 'merged'");
        };
        let mut figures = RegistrationFigures::default();

        let mut filter = Filter::default();
        scope(&mut filter);
        let row = sqlx::query_with(
            dynamic(format!(
                "SELECT COUNT(*) AS n,
                        CAST(COALESCE(SUM(CASE WHEN h.verified_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS verified,
                        CAST(COALESCE(SUM(CASE WHEN h.status = 'erased' THEN 1 ELSE 0 END), 0) AS BIGINT) AS erased
                 FROM households h{}",
                filter.where_clause()
            )),
            filter.args(),
        )
        .fetch_one(&self.pool)
        .await?;
        figures.households = row.try_get("n")?;
        figures.verified = row.try_get("verified")?;
        figures.erased_households = row.try_get("erased")?;

        let mut filter = Filter::default();
        scope(&mut filter);
        let records: i64 = sqlx::query_with(
            dynamic(format!(
                "SELECT COUNT(*) AS n FROM household_members m JOIN households h ON h.id = m.household_id{}",
                filter.where_clause()
            )),
            filter.args(),
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        figures.person_records = records;
        let today = today();
        let mut filter = Filter::default();
        let cuts: Vec<String> = AGE_BRACKETS
            .iter()
            .skip(1)
            .map(|(from, _)| filter.bind(years_before(today, *from as i32)))
            .collect();
        scope(&mut filter);
        filter.push_fixed(ONCE_PER_IDENTITY);
        let bracket = format!(
            "CASE WHEN m.birth_date > {} THEN 0 WHEN m.birth_date > {} THEN 1 WHEN m.birth_date > {} THEN 2
                  WHEN m.birth_date > {} THEN 3 ELSE 4 END",
            cuts[0], cuts[1], cuts[2], cuts[3]
        );
        let rows = sqlx::query_with(
            dynamic(format!(
                "SELECT m.sex, CAST({bracket} AS BIGINT) AS bracket, COUNT(*) AS n FROM household_members m
                 JOIN households h ON h.id = m.household_id{} GROUP BY m.sex, {bracket}",
                filter.where_clause()
            )),
            filter.args(),
        )
        .fetch_all(&self.pool)
        .await?;
        for row in &rows {
            let sex = Sex::parse(&row.try_get::<String, _>("sex")?)?;
            let s = Sex::ALL.iter().position(|x| *x == sex).unwrap_or(2);
            let b = (row.try_get::<i64, _>("bracket")?.clamp(0, 4)) as usize;
            let n: i64 = row.try_get("n")?;
            figures.by_sex_and_age[s][b] += n;
            figures.people += n;
        }

        let mut filter = Filter::default();
        scope(&mut filter);
        filter.push_fixed(ONCE_PER_IDENTITY);
        let rows = sqlx::query_with(
            dynamic(format!(
                "SELECT n.need, COUNT(*) AS c FROM member_needs n JOIN household_members m ON m.id = n.member_id
                 JOIN households h ON h.id = m.household_id{} GROUP BY n.need",
                filter.where_clause()
            )),
            filter.args(),
        )
        .fetch_all(&self.pool)
        .await?;
        for need in SpecificNeed::ALL {
            let count = rows
                .iter()
                .find(|r| r.try_get::<String, _>("need").ok().as_deref() == Some(need.code()))
                .map(|r| r.try_get::<i64, _>("c"))
                .transpose()?
                .unwrap_or(0);
            figures.needs.push((*need, count));
        }

        let mut filter = Filter::default();
        scope(&mut filter);
        let row = sqlx::query_with(
            dynamic(format!(
                "SELECT COUNT(*) AS scored, CAST(COALESCE(SUM(s.eligible), 0) AS BIGINT) AS eligible FROM vulnerability_scores s
                 JOIN households h ON h.id = s.household_id{}",
                filter.where_clause()
            )),
            filter.args(),
        )
        .fetch_one(&self.pool)
        .await?;
        figures.scored = row.try_get("scored")?;
        figures.eligible = row.try_get("eligible")?;

        let mut filter = Filter::default();
        scope(&mut filter);
        filter.push_fixed("f.status = 'open'");
        figures.open_flags = sqlx::query_with(
            dynamic(format!(
                "SELECT COUNT(*) AS n FROM review_flags f JOIN households h ON h.id = f.household_id{}",
                filter.where_clause()
            )),
            filter.args(),
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;

        let mut filter = Filter::default();
        scope(&mut filter);
        let rows = sqlx::query_with(
            dynamic(format!(
                "SELECT l.id, l.code, l.name, COUNT(DISTINCT h.id) AS households, COUNT(m.id) AS people
                 FROM households h JOIN locations l ON l.id = h.desk_id
                 LEFT JOIN household_members m ON m.household_id = h.id{}
                 GROUP BY l.id, l.code, l.name ORDER BY l.code",
                filter.where_clause()
            )),
            filter.args(),
        )
        .fetch_all(&self.pool)
        .await?;
        for row in &rows {
            figures.desks.push(DeskFigures {
                desk_id: row.try_get("id")?,
                code: row.try_get("code")?,
                name: row.try_get("name")?,
                households: row.try_get("households")?,
                people: row.try_get("people")?,
            });
        }
        Ok(figures)
    }
}
