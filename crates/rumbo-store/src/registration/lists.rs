//! Beneficiary lists: drawn up from the scores in force for a programme (ranked with its
//! tie-breaks and quotas by `rumbo_domain::registration::ranking`), kept as drawn up, and read
//! back pseudonymised or, for distribution, with each head's name, document and phone.

use std::collections::{HashMap, HashSet};

use rumbo_domain::Vocabulary;
use rumbo_domain::access::{DeskReach, RegistrationReach};
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::registration::consent::SharingPurpose;
use rumbo_domain::registration::facts::{Fact, Facts};
use rumbo_domain::registration::pseudonym::{Kind, encode};
use rumbo_domain::registration::ranking::{Candidate, QuotaAttribute, Reason, rank};
use sqlx::Row;

use super::batch::{Batch, lock_for_writing};
use super::list::reach_condition;
use super::models::{Which, load_profiles};
use super::programmes::{BeneficiaryEntry, BeneficiaryListView};
use super::{Disclosure, columns, today};
use crate::audit::record;
use crate::query::{Filter, dynamic};
use crate::{Result, Store, StoreError, now};

impl Store {
    /// Draws up a new beneficiary list for the programme from the scores in force.
    pub async fn generate_beneficiary_list(&self, actor: &Actor, programme_id: i64) -> Result<i64> {
        let programme = self.programme(programme_id).await?;
        let model = self
            .vulnerability_models(Some(programme.country))
            .await?
            .into_iter()
            .find(|m| m.is_active)
            .ok_or_else(|| {
                StoreError::Conflict(format!(
                    "{} has no vulnerability model in force: households cannot be ranked",
                    programme.country
                ))
            })?;
        let reach = RegistrationReach::Limited {
            organisation: programme.organisation_id,
            own: Some(vec![programme.country]),
            at_desks: DeskReach::default(),
            shared: Some(vec![programme.country]),
        };
        let mut filter = Filter::default();
        reach_condition(&mut filter, &reach, SharingPurpose::Assistance);
        filter.push_fixed("h.status = 'active'");
        filter.push("h.country_iso3 = $", programme.country.to_string());
        filter.push("s.model_id = $", model.id);
        if let Some(area) = &programme.area {
            let p = filter.bind(area.as_str());
            filter.push_fixed(&format!("(h.adm1_pcode = {p} OR h.adm2_pcode = {p})"));
        }
        let rows = sqlx::query_with(
            dynamic(format!(
                "SELECT h.id, h.registered_at, s.score, s.eligible FROM households h
                 JOIN vulnerability_scores s ON s.household_id = h.id{}",
                filter.where_clause()
            )),
            filter.args(),
        )
        .fetch_all(&self.pool)
        .await?;
        let elsewhere: HashSet<i64> =
            sqlx::query("SELECT DISTINCT a.household_id FROM assistance_records a WHERE a.programme_id <> $1")
                .bind(programme_id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>("household_id"))
                .collect::<std::result::Result<_, _>>()?;
        let mut conn = self.pool.acquire().await?;
        // The candidates' profiles only, unless they are most of a large country's households.
        let ids: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<std::result::Result<_, _>>()?;
        let which = if ids.len() <= 20_000 {
            Which::Households(&ids)
        } else {
            Which::Country(programme.country)
        };
        let profiles: HashMap<i64, Facts> = load_profiles(&mut conn, which)
            .await?
            .into_iter()
            .map(|(id, _, p)| (id, Facts::of(&p, today())))
            .collect();
        drop(conn);
        let mut candidates = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let Some(facts) = profiles.get(&id) else { continue };
            let count = |f: Fact| facts.get(f).max(0.0) as u32;
            let mut attributes = 0u8;
            for (attribute, yes) in [
                (QuotaAttribute::FemaleHeaded, facts.get(Fact::FemaleHeaded) == 1.0),
                (QuotaAttribute::ChildHeaded, facts.get(Fact::ChildHeaded) == 1.0),
                (QuotaAttribute::Disability, facts.get(Fact::Disability) == 1.0),
                (QuotaAttribute::OlderPerson, facts.get(Fact::OlderPeople) >= 1.0),
                (QuotaAttribute::SingleHeaded, facts.get(Fact::SingleHeaded) == 1.0),
                (
                    QuotaAttribute::SpecificNeeds,
                    facts.get(Fact::MembersWithSpecificNeeds) >= 1.0,
                ),
            ] {
                if yes {
                    attributes |= attribute.bit();
                }
            }
            candidates.push(Candidate {
                household_id: id,
                score: row.try_get("score")?,
                eligible: row.try_get::<i64, _>("eligible")? != 0,
                attributes,
                size: count(Fact::HouseholdSize),
                children: count(Fact::Children),
                specific_needs: count(Fact::MembersWithSpecificNeeds),
                registered_at: row.try_get("registered_at")?,
                head_age: count(Fact::HeadAge),
                assisted_elsewhere: elsewhere.contains(&id),
            });
        }
        let selection = rank(&candidates, &programme.rules);
        let shortfalls: Vec<String> = selection
            .shortfalls
            .iter()
            .map(|s| format!("{}: {} needed, {} listed", s.attribute.code(), s.needed, s.selected))
            .collect();
        let mut tx = self.pool.begin().await?;
        lock_for_writing(&mut tx, self.backend).await?;
        let list_id: i64 = sqlx::query(
            "INSERT INTO beneficiary_lists (programme_id, model_id, generated_at, generated_by, eligible, excluded_as_assisted, shortfalls)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(programme_id)
        .bind(model.id)
        .bind(now())
        .bind(actor.user_id)
        .bind(selection.eligible as i64)
        .bind(selection.excluded_as_assisted as i64)
        .bind(serde_json::to_string(&shortfalls).unwrap_or_default())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let mut entries = Batch::new(
            "beneficiary_list_entries",
            &["list_id", "rank", "household_id", "score", "reason"],
        );
        for s in &selection.selected {
            let reason = match s.reason {
                Reason::Score => "score".to_owned(),
                Reason::Quota(q) => format!("quota:{}", q.code()),
            };
            entries
                .push(
                    &mut tx,
                    vec![
                        list_id.into(),
                        (s.rank as i64).into(),
                        s.household_id.into(),
                        s.score.into(),
                        reason.into(),
                    ],
                )
                .await?;
        }
        entries.flush(&mut tx).await?;
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::BeneficiaryList,
            Some(&list_id.to_string()),
            &format!(
                "drew up a beneficiary list of {} households for programme {} from {} eligible (model {} version {}){}",
                selection.selected.len(),
                programme.code,
                selection.eligible,
                model.country,
                model.version,
                if shortfalls.is_empty() {
                    String::new()
                } else {
                    format!("; quotas not met: {}", shortfalls.join("; "))
                }
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(list_id)
    }

    /// The programme a list belongs to.
    pub async fn list_programme(&self, list_id: i64) -> Result<i64> {
        Ok(sqlx::query("SELECT programme_id FROM beneficiary_lists WHERE id = $1")
            .bind(list_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("beneficiary list", list_id))?
            .try_get("programme_id")?)
    }

    /// A beneficiary list. With personal disclosure (for distribution), each head's name,
    /// first document and phone are opened; the caller must have checked that the user may see
    /// every household on it, and the read is audited.
    pub async fn beneficiary_list(
        &self,
        actor: &Actor,
        list_id: i64,
        disclosure: Disclosure,
    ) -> Result<BeneficiaryListView> {
        let vault = match disclosure {
            Disclosure::Personal => Some(self.vault()?),
            Disclosure::Pseudonymous => None,
        };
        let head = sqlx::query(
            "SELECT b.*, p.code AS programme_code, v.name AS model_name, v.version, u.username FROM beneficiary_lists b
             JOIN programmes p ON p.id = b.programme_id JOIN vulnerability_models v ON v.id = b.model_id
             LEFT JOIN users u ON u.id = b.generated_by WHERE b.id = $1",
        )
        .bind(list_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("beneficiary list", list_id))?;
        let programme_id: i64 = head.try_get("programme_id")?;
        let rows = sqlx::query(
            "SELECT e.rank, e.household_id, e.score, e.reason, h.status, h.adm2_pcode, l.code AS desk_code,
                    (SELECT COUNT(*) FROM household_members m WHERE m.household_id = h.id AND m.status = 'active') AS size,
                    hm.id AS head_id, hm.given_names_enc, hm.first_surname_enc, hm.second_surname_enc, hm.phone_enc
             FROM beneficiary_list_entries e JOIN households h ON h.id = e.household_id JOIN locations l ON l.id = h.desk_id
             LEFT JOIN household_members hm ON hm.household_id = h.id AND hm.relationship = 'head' AND hm.status = 'active'
             WHERE e.list_id = $1 ORDER BY e.rank",
        )
        .bind(list_id)
        .fetch_all(&self.pool)
        .await?;
        let assisted = sqlx::query(
            "SELECT a.household_id, a.programme_id, a.assisted_on, p.code FROM assistance_records a
             JOIN programmes p ON p.id = a.programme_id
             WHERE a.household_id IN (SELECT household_id FROM beneficiary_list_entries WHERE list_id = $1)
             ORDER BY a.assisted_on",
        )
        .bind(list_id)
        .fetch_all(&self.pool)
        .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in &rows {
            let household_id: i64 = row.try_get("household_id")?;
            let mut here = Vec::new();
            let mut elsewhere = Vec::new();
            for a in assisted
                .iter()
                .filter(|a| a.try_get::<i64, _>("household_id").ok() == Some(household_id))
            {
                if a.try_get::<i64, _>("programme_id")? == programme_id {
                    here.push(a.try_get::<String, _>("assisted_on")?);
                } else {
                    let code: String = a.try_get("code")?;
                    if !elsewhere.contains(&code) {
                        elsewhere.push(code);
                    }
                }
            }
            let (mut head_name, mut head_document, mut head_phone) = (None, None, None);
            if let Some(vault) = vault {
                let given: Option<String> = row.try_get("given_names_enc")?;
                let first: Option<String> = row.try_get("first_surname_enc")?;
                if let (Some(given), Some(first)) = (given, first) {
                    let second: Option<String> = row.try_get("second_surname_enc")?;
                    let name = rumbo_domain::registration::people::PersonName {
                        given_names: vault.open(columns::GIVEN_NAMES, &given)?,
                        first_surname: vault.open(columns::FIRST_SURNAME, &first)?,
                        second_surname: vault.open_opt(columns::SECOND_SURNAME, second.as_deref())?,
                    };
                    head_name = Some(name.full());
                }
                head_phone = vault.open_opt(
                    columns::PHONE,
                    row.try_get::<Option<String>, _>("phone_enc")?.as_deref(),
                )?;
                if let Some(head_id) = row.try_get::<Option<i64>, _>("head_id")?
                    && let Some(doc) = sqlx::query(
                        "SELECT doc_type, number_enc FROM member_documents WHERE member_id = $1 AND number_enc IS NOT NULL ORDER BY id LIMIT 1",
                    )
                    .bind(head_id)
                    .fetch_optional(&self.pool)
                    .await?
                {
                    let number = vault.open(columns::DOCUMENT_NUMBER, &doc.try_get::<String, _>("number_enc")?)?;
                    head_document = Some(format!("{} {number}", doc.try_get::<String, _>("doc_type")?));
                }
            }
            entries.push(BeneficiaryEntry {
                rank: row.try_get("rank")?,
                household_id,
                code: encode(Kind::Household, household_id),
                score: row.try_get("score")?,
                reason: row.try_get("reason")?,
                status: row.try_get("status")?,
                size: row.try_get("size")?,
                desk_code: row.try_get("desk_code")?,
                adm2: row.try_get("adm2_pcode")?,
                assisted_here: here,
                assisted_elsewhere: elsewhere,
                head_name,
                head_document,
                head_phone,
            });
        }
        let shortfalls: Vec<String> =
            serde_json::from_str(&head.try_get::<String, _>("shortfalls")?).unwrap_or_default();
        let view = BeneficiaryListView {
            id: list_id,
            programme_id,
            programme_code: head.try_get("programme_code")?,
            model_id: head.try_get("model_id")?,
            model: format!(
                "{} v{}",
                head.try_get::<String, _>("model_name")?,
                head.try_get::<i64, _>("version")?
            ),
            generated_at: head.try_get("generated_at")?,
            generated_by: head.try_get("username")?,
            eligible: head.try_get("eligible")?,
            excluded_as_assisted: head.try_get("excluded_as_assisted")?,
            shortfalls,
            entries,
            personal: vault.is_some(),
        };
        if vault.is_some() {
            let mut conn = self.pool.acquire().await?;
            record(
                &mut conn,
                actor,
                AuditAction::Read,
                Entity::BeneficiaryList,
                Some(&list_id.to_string()),
                &format!(
                    "viewed beneficiary list {list_id} of programme {} with the names of {} heads of household",
                    view.programme_code,
                    view.entries.len()
                ),
            )
            .await?;
        }
        Ok(view)
    }
}
