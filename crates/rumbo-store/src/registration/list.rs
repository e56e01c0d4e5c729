//! Lists of households, limited to what a user may see (their organisation's registrations,
//! and those shared with it under an agreement in force, with the household's consent), and
//! searched by pseudonymous code or, for those who may see names, by document number through
//! its blind index. Lists with names are audited.

use rumbo_domain::access::RegistrationReach;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::Pcode;
use rumbo_domain::registration::consent::{Consent, ExportPurpose, SharingPurpose};
use rumbo_domain::registration::documents::DocumentType;
use rumbo_domain::registration::export::ExportedPerson;
use rumbo_domain::registration::needs::Difficulty;
use rumbo_domain::registration::people::{Sex, age_on, format_date};
use rumbo_domain::registration::pseudonym::{Kind, decode, encode};
use rumbo_domain::{DomainError, Vocabulary};
use serde::Serialize;
use sqlx::Row;

use super::households::{open_name, sealed};
use super::models::stored_conditions;
use super::{Disclosure, columns, parse_stored_date, stored_country, today};
use crate::audit::record;
use crate::query::{Filter, dynamic};
use crate::vault::Vault;
use crate::{Page, Result, Store, StoreError};

/// One household in a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseholdRow {
    pub id: i64,
    pub code: String,
    pub country: Iso3,
    pub desk_code: String,
    pub organisation: String,
    pub status: String,
    pub size: i64,
    pub head_sex: Option<Sex>,
    pub head_age: Option<u32>,
    pub registered_at: String,
    pub verified: bool,
    pub score: Option<f64>,
    pub eligible: Option<bool>,
    pub open_flags: i64,
    /// Only with personal disclosure.
    pub head_name: Option<String>,
}

/// Filters of a household list; all optional.
#[derive(Debug, Clone, Default)]
pub struct HouseholdQuery {
    pub country: Option<Iso3>,
    pub desk_id: Option<i64>,
    pub organisation_id: Option<i64>,
    /// Households living in this admin area (level 1 or 2).
    pub area: Option<Pcode>,
    /// active (the default), merged or erased.
    pub status: Option<String>,
    /// A household or person code; with personal disclosure, also a document number.
    pub search: Option<String>,
    pub flagged_only: bool,
    pub eligible_only: bool,
}

/// The condition limiting `households h` to what `reach` covers, reached for `purpose`.
pub(crate) fn reach_condition(filter: &mut Filter, reach: &RegistrationReach, purpose: SharingPurpose) {
    let RegistrationReach::Limited {
        organisation,
        own,
        at_desks,
        shared,
    } = reach
    else {
        return;
    };
    let countries = |filter: &mut Filter, set: &Option<Vec<Iso3>>| match set {
        None => "1 = 1".to_owned(),
        Some(list) if list.is_empty() => "1 = 0".to_owned(),
        Some(list) => {
            let marks: Vec<String> = list.iter().map(|c| filter.bind(c.to_string())).collect();
            format!("h.country_iso3 IN ({})", marks.join(", "))
        }
    };
    let own_countries = countries(filter, own);
    // An enumerator's desks, in the countries where they hold the role.
    let own_desks = if at_desks.is_empty() {
        "1 = 0".to_owned()
    } else {
        let marks: Vec<String> = at_desks.desks.iter().map(|d| filter.bind(*d)).collect();
        format!(
            "(h.desk_id IN ({}) AND {})",
            marks.join(", "),
            countries(filter, &at_desks.countries)
        )
    };
    let shared_countries = countries(filter, shared);
    let org = filter.bind(*organisation);
    let purpose = filter.bind(purpose.code());
    let day = filter.bind(format_date(today()));
    filter.push_fixed(&format!(
        "((h.organisation_id = {org} AND ({own_countries} OR {own_desks}))
          OR (h.consent_sharing = 1 AND {shared_countries} AND EXISTS (
              SELECT 1 FROM sharing_agreements a JOIN sharing_agreement_purposes p ON p.agreement_id = a.id
              WHERE a.from_org = h.organisation_id AND a.to_org = {org} AND a.country_iso3 = h.country_iso3
                AND p.purpose = {purpose} AND a.revoked_at IS NULL AND a.valid_from <= {day}
                AND (a.valid_until IS NULL OR a.valid_until >= {day}))))"
    ));
}

impl Store {
    /// Households within `reach` (reached for `purpose`) matching `query`, newest first. With
    /// personal disclosure the head's name is opened and the listing is audited.
    #[allow(clippy::too_many_arguments)] // each is a separate concern a caller decides
    pub async fn households(
        &self,
        actor: &Actor,
        query: &HouseholdQuery,
        reach: &RegistrationReach,
        purpose: SharingPurpose,
        disclosure: Disclosure,
        page: Page,
    ) -> Result<(Vec<HouseholdRow>, i64)> {
        let vault = match disclosure {
            Disclosure::Personal => Some(self.vault()?),
            Disclosure::Pseudonymous => None,
        };
        let mut filter = self.list_filter(query, reach, purpose, vault)?;
        let clause = filter.where_clause();
        let total: i64 = sqlx::query_with(
            dynamic(format!("SELECT COUNT(*) AS n FROM households h{clause}")),
            filter.args(),
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let sql = format!(
            "SELECT h.id, h.country_iso3, l.code AS desk_code, o.acronym AS organisation, h.status, h.registered_at,
                    h.verified_at, hm.sex AS head_sex, hm.birth_date AS head_birth, hm.given_names_enc,
                    hm.first_surname_enc, hm.second_surname_enc, s.score, s.eligible,
                    (SELECT COUNT(*) FROM household_members m WHERE m.household_id = h.id AND m.status = 'active') AS size,
                    (SELECT COUNT(*) FROM review_flags f
                      WHERE (f.household_id = h.id OR f.other_household_id = h.id) AND f.status = 'open') AS open_flags
             FROM households h JOIN locations l ON l.id = h.desk_id JOIN organisations o ON o.id = h.organisation_id
             LEFT JOIN household_members hm ON hm.household_id = h.id AND hm.relationship = 'head' AND hm.status = 'active'
             LEFT JOIN vulnerability_scores s ON s.household_id = h.id{clause}
             ORDER BY h.id DESC{}",
            filter.limit(page)
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        let today = today();
        let mut list = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let head_birth: Option<String> = row.try_get("head_birth")?;
            let head_name = match vault {
                Some(vault) => open_name(vault, row, "")?.map(|n| n.full()),
                None => None,
            };
            list.push(HouseholdRow {
                id,
                code: encode(Kind::Household, id),
                country: stored_country(&row.try_get::<String, _>("country_iso3")?)?,
                desk_code: row.try_get("desk_code")?,
                organisation: row.try_get("organisation")?,
                status: row.try_get("status")?,
                size: row.try_get("size")?,
                head_sex: row
                    .try_get::<Option<String>, _>("head_sex")?
                    .as_deref()
                    .map(Sex::parse)
                    .transpose()?,
                head_age: head_birth
                    .as_deref()
                    .map(|b| parse_stored_date("date of birth", b).map(|d| age_on(d, today)))
                    .transpose()?,
                registered_at: row.try_get("registered_at")?,
                verified: row.try_get::<Option<String>, _>("verified_at")?.is_some(),
                score: row.try_get("score")?,
                eligible: row.try_get::<Option<i64>, _>("eligible")?.map(|e| e != 0),
                open_flags: row.try_get("open_flags")?,
                head_name,
            });
        }
        if vault.is_some() && !list.is_empty() {
            let mut conn = self.pool.acquire().await?;
            record(
                &mut conn,
                actor,
                AuditAction::Read,
                Entity::Household,
                None,
                &format!("listed {} households with the names of their heads", list.len()),
            )
            .await?;
        }
        Ok((list, total))
    }

    /// The conditions of a household list: reach, status and the query's filters.
    fn list_filter(
        &self,
        query: &HouseholdQuery,
        reach: &RegistrationReach,
        purpose: SharingPurpose,
        vault: Option<&Vault>,
    ) -> Result<Filter> {
        let mut filter = Filter::default();
        reach_condition(&mut filter, reach, purpose);
        filter.push("h.status = $", query.status.clone().unwrap_or_else(|| "active".into()));
        if let Some(country) = query.country {
            filter.push("h.country_iso3 = $", country.to_string());
        }
        if let Some(desk) = query.desk_id {
            filter.push("h.desk_id = $", desk);
        }
        if let Some(org) = query.organisation_id {
            filter.push("h.organisation_id = $", org);
        }
        if let Some(area) = &query.area {
            let p = filter.bind(area.as_str());
            filter.push_fixed(&format!("(h.adm1_pcode = {p} OR h.adm2_pcode = {p})"));
        }
        if query.flagged_only {
            filter.push_fixed(
                "EXISTS (SELECT 1 FROM review_flags f WHERE (f.household_id = h.id OR f.other_household_id = h.id) AND f.status = 'open')",
            );
        }
        if query.eligible_only {
            filter.push_fixed(
                "EXISTS (SELECT 1 FROM vulnerability_scores s2 WHERE s2.household_id = h.id AND s2.eligible = 1)",
            );
        }
        if let Some(search) = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            self.search_condition(&mut filter, search, vault)?;
        }
        Ok(filter)
    }

    /// A search term: a household or person code, or (with the vault, that is personal
    /// disclosure) a document number, found through its blind index under every type whose
    /// format it fits.
    fn search_condition(&self, filter: &mut Filter, search: &str, vault: Option<&Vault>) -> Result<()> {
        if let Ok(id) = decode(Kind::Household, search) {
            filter.push("h.id = $", id);
            return Ok(());
        }
        if let Ok(id) = decode(Kind::Person, search) {
            filter.push(
                "h.id IN (SELECT m.household_id FROM household_members m WHERE m.id = $)",
                id,
            );
            return Ok(());
        }
        let Some(vault) = vault else {
            return Err(StoreError::Invalid(DomainError::Invalid(
                "search by a household code (H-...) or a person code (P-...)".into(),
            )));
        };
        let blinds: Vec<String> = DocumentType::ALL
            .iter()
            .filter_map(|t| {
                t.normalise(search)
                    .ok()
                    .map(|n| vault.blind_index(&format!("{}:{n}", t.code())))
            })
            .collect();
        if blinds.is_empty() {
            return Err(StoreError::Invalid(DomainError::Invalid(
                "search by a household code (H-...), a person code (P-...) or a document number".into(),
            )));
        }
        let marks: Vec<String> = blinds.into_iter().map(|b| filter.bind(b)).collect();
        filter.push_fixed(&format!(
            "h.id IN (SELECT m.household_id FROM household_members m JOIN member_documents d ON d.member_id = m.id
                      WHERE d.number_blind IN ({}))",
            marks.join(", ")
        ));
        Ok(())
    }

    /// The people of the households within `reach` matching `query`, one row each, for an
    /// export. Personal disclosure opens names, phones, document numbers and positions and
    /// needs a stated purpose; every export is audited, with its purpose.
    #[allow(clippy::too_many_arguments)] // each is a separate concern a caller decides
    pub async fn export_people(
        &self,
        actor: &Actor,
        query: &HouseholdQuery,
        reach: &RegistrationReach,
        purpose: SharingPurpose,
        disclosure: Disclosure,
        why: Option<ExportPurpose>,
    ) -> Result<Vec<ExportedPerson>> {
        let vault = match disclosure {
            Disclosure::Personal => Some(self.vault()?),
            Disclosure::Pseudonymous => None,
        };
        if vault.is_some() && why.is_none() {
            return Err(StoreError::Invalid(DomainError::Invalid(
                "an export with personal data needs a stated purpose".into(),
            )));
        }
        let conditions = rumbo_domain::registration::conditions::QUESTIONS
            .iter()
            .map(|q| format!("h.{}", q.code))
            .collect::<Vec<_>>()
            .join(", ");
        let filter = self.list_filter(query, reach, purpose, vault)?;
        let clause = filter.where_clause();
        let people = sqlx::query_with(
            dynamic(format!(
                "SELECT h.id AS household_id, h.registered_at, h.population_group, h.arrival_date, h.previous_country,
                        h.previous_area, h.adm1_pcode, h.adm2_pcode, h.position_enc, h.child_headed, h.consent_registration,
                        h.consent_sharing, h.consent_referral, {conditions}, l.code AS desk_code, s.score, s.eligible,
                        m.id AS member_id, m.relationship, m.given_names_enc, m.first_surname_enc, m.second_surname_enc,
                        m.phone_enc, m.sex, m.birth_date, m.birth_date_estimated, m.nationality, m.wg_seeing, m.wg_hearing,
                        m.wg_walking, m.wg_cognition, m.wg_self_care, m.wg_communication
                 FROM households h JOIN locations l ON l.id = h.desk_id
                 JOIN household_members m ON m.household_id = h.id AND m.status = 'active'
                 LEFT JOIN vulnerability_scores s ON s.household_id = h.id{clause}
                 ORDER BY h.id, CASE WHEN m.relationship = 'head' THEN 0 ELSE 1 END, m.id"
            )),
            filter.args(),
        )
        .fetch_all(&self.pool)
        .await?;
        let needs = sqlx::query_with(
            dynamic(format!(
                "SELECT n.member_id, n.need FROM member_needs n JOIN household_members m ON m.id = n.member_id
                 JOIN households h ON h.id = m.household_id{clause} ORDER BY n.member_id, n.need"
            )),
            filter.args(),
        )
        .fetch_all(&self.pool)
        .await?;
        let documents = sqlx::query_with(
            dynamic(format!(
                "SELECT d.member_id, d.doc_type, d.number_enc, d.expiry_date FROM member_documents d
                 JOIN household_members m ON m.id = d.member_id JOIN households h ON h.id = m.household_id{clause}
                 ORDER BY d.id"
            )),
            filter.args(),
        )
        .fetch_all(&self.pool)
        .await?;
        let mut need_codes: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
        for row in &needs {
            need_codes
                .entry(row.try_get("member_id")?)
                .or_default()
                .push(row.try_get("need")?);
        }
        let mut first_document: std::collections::HashMap<i64, (String, Option<String>, Option<String>)> =
            std::collections::HashMap::new();
        for row in &documents {
            let member: i64 = row.try_get("member_id")?;
            if first_document.contains_key(&member) {
                continue;
            }
            let number = match vault {
                Some(vault) => vault.open_opt(columns::DOCUMENT_NUMBER, sealed(row, "number_enc")?.as_deref())?,
                None => None,
            };
            first_document.insert(member, (row.try_get("doc_type")?, number, row.try_get("expiry_date")?));
        }
        let mut out = Vec::with_capacity(people.len());
        let mut households = std::collections::HashSet::new();
        for row in &people {
            let household_id: i64 = row.try_get("household_id")?;
            let member_id: i64 = row.try_get("member_id")?;
            households.insert(household_id);
            let (name, phone, position) = match vault {
                Some(vault) => (
                    open_name(vault, row, "")?,
                    vault.open_opt(columns::PHONE, sealed(row, "phone_enc")?.as_deref())?,
                    vault.open_opt(columns::POSITION, sealed(row, "position_enc")?.as_deref())?,
                ),
                None => (None, None, None),
            };
            let (lat, lon) = position
                .as_deref()
                .and_then(|p| p.split_once(','))
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .unwrap_or_default();
            let conditions = stored_conditions(row)?;
            let document = first_document.remove(&member_id);
            let mut washington: [String; 6] = Default::default();
            for (i, column) in [
                "wg_seeing",
                "wg_hearing",
                "wg_walking",
                "wg_cognition",
                "wg_self_care",
                "wg_communication",
            ]
            .iter()
            .enumerate()
            {
                washington[i] = row
                    .try_get::<Option<i64>, _>(*column)?
                    .and_then(Difficulty::from_score)
                    .map(|d| d.code().to_owned())
                    .unwrap_or_default();
            }
            let registered_at: String = row.try_get("registered_at")?;
            let adm2: Option<String> = row.try_get("adm2_pcode")?;
            out.push(ExportedPerson {
                household: encode(Kind::Household, household_id),
                person: encode(Kind::Person, member_id),
                desk: row.try_get("desk_code")?,
                registration_date: registered_at.chars().take(10).collect(),
                population_group: row.try_get("population_group")?,
                arrival_date: row.try_get::<Option<String>, _>("arrival_date")?.unwrap_or_default(),
                previous_country: row
                    .try_get::<Option<String>, _>("previous_country")?
                    .unwrap_or_default(),
                previous_area: row.try_get::<Option<String>, _>("previous_area")?.unwrap_or_default(),
                residence_area: adm2.or(row.try_get("adm1_pcode")?).unwrap_or_default(),
                lat,
                lon,
                child_headed: row.try_get::<i64, _>("child_headed")? != 0,
                consent: Consent {
                    registration: row.try_get::<i64, _>("consent_registration")? != 0,
                    sharing: row.try_get::<i64, _>("consent_sharing")? != 0,
                    referral: row.try_get::<i64, _>("consent_referral")? != 0,
                },
                conditions: (0..rumbo_domain::registration::conditions::QUESTIONS.len())
                    .map(|q| conditions.answer(q).unwrap_or("").to_owned())
                    .collect(),
                relationship: row.try_get("relationship")?,
                given_names: name.as_ref().map(|n| n.given_names.clone()).unwrap_or_default(),
                first_surname: name.as_ref().map(|n| n.first_surname.clone()).unwrap_or_default(),
                second_surname: name.and_then(|n| n.second_surname).unwrap_or_default(),
                sex: row.try_get("sex")?,
                birth_date: row.try_get("birth_date")?,
                birth_date_estimated: row.try_get::<i64, _>("birth_date_estimated")? != 0,
                nationality: row.try_get("nationality")?,
                phone: phone.unwrap_or_default(),
                needs: need_codes.remove(&member_id).unwrap_or_default().join(";"),
                washington,
                document_type: document.as_ref().map(|d| d.0.clone()).unwrap_or_default(),
                document_number: document.as_ref().and_then(|d| d.1.clone()).unwrap_or_default(),
                document_expiry: document.and_then(|d| d.2).unwrap_or_default(),
                score: row
                    .try_get::<Option<f64>, _>("score")?
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                eligible: row
                    .try_get::<Option<i64>, _>("eligible")?
                    .map(|e| if e != 0 { "yes" } else { "no" }.to_owned())
                    .unwrap_or_default(),
            });
        }
        let summary = match (vault, why) {
            (Some(_), Some(why)) => format!(
                "exported {} people of {} households with personal data, for {}",
                out.len(),
                households.len(),
                why.code()
            ),
            _ => format!(
                "exported {} people of {} households, pseudonymised",
                out.len(),
                households.len()
            ),
        };
        let mut conn = self.pool.acquire().await?;
        record(&mut conn, actor, AuditAction::Export, Entity::Household, None, &summary).await?;
        Ok(out)
    }
}
