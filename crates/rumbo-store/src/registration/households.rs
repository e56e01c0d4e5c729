//! Reading registrations: what the access policy needs to decide ([`HouseholdKey`]), one
//! household with its members, score, flags, assistance and history ([`HouseholdView`]), and
//! lists (in `list`). Personal fields are opened only for [`Disclosure::Personal`], and every
//! view of a household is audited.

use rumbo_domain::Vocabulary;
use rumbo_domain::access::Target;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::{Pcode, Position};
use rumbo_domain::registration::consent::{Consent, SharingPurpose};
use rumbo_domain::registration::documents::DocumentType;
use rumbo_domain::registration::household::Details;
use rumbo_domain::registration::needs::{Difficulty, NeedSet, SpecificNeed, WashingtonGroup};
use rumbo_domain::registration::people::{BirthDate, PersonName, PopulationGroup, Relationship, Sex, age_on};
use rumbo_domain::registration::pseudonym::{Kind, decode, encode};
use rumbo_domain::registration::scoring::{CappedGroup, Contribution, Explanation};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::Date;

use super::models::{StoredExplanation, stored_conditions};
use super::programmes::AssistanceView;
use super::{Disclosure, columns, parse_stored_date, parse_stored_pcode, stored_country, today};
use crate::audit::record;
use crate::vault::Vault;
use crate::{Result, Store, StoreError};

/// What the access policy needs to know about a household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdKey {
    pub id: i64,
    pub code: String,
    pub country: Iso3,
    pub organisation_id: i64,
    pub desk_id: i64,
    pub status: String,
    pub consent_sharing: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentView {
    pub doc_type: DocumentType,
    /// Only with personal disclosure.
    pub number: Option<String>,
    pub expiry: Option<Date>,
    pub in_force: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberView {
    pub id: i64,
    pub code: String,
    pub relationship: Relationship,
    pub sex: Sex,
    pub birth: BirthDate,
    pub age: u32,
    pub nationality: Iso3,
    pub needs: NeedSet,
    pub washington: WashingtonGroup,
    pub disability: bool,
    pub documents: Vec<DocumentView>,
    /// Only with personal disclosure, and never for an erased person.
    pub name: Option<PersonName>,
    pub phone: Option<String>,
    /// active or erased.
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreView {
    pub model_id: i64,
    pub model_name: String,
    pub model_version: i64,
    pub computed_at: String,
    pub explanation: Explanation,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlagView {
    pub id: i64,
    pub kind: String,
    /// The person of this household whose document is registered elsewhere too.
    pub member_code: Option<String>,
    pub other_household_id: Option<i64>,
    pub other_household: Option<String>,
    pub status: String,
    pub created_at: String,
    /// A probable match's probability (the engine's); `None` for the same document.
    pub probability: Option<f64>,
    /// Where the other registration was made: desk name and organisation acronym.
    pub other_desk: Option<String>,
    pub other_organisation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventView {
    pub at: String,
    pub user: Option<String>,
    pub kind: String,
    pub member_code: Option<String>,
    pub fields: Vec<String>,
    /// Why, and the values before the change: personal disclosure only.
    pub reason: Option<String>,
    pub before: Option<String>,
    pub related_household: Option<String>,
}

/// One household as a page or the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseholdView {
    pub id: i64,
    pub code: String,
    pub country: Iso3,
    pub desk_id: i64,
    pub desk_code: String,
    pub desk_name: String,
    pub organisation_id: i64,
    pub organisation: String,
    pub status: String,
    pub merged_into: Option<String>,
    pub details: Details,
    pub adm1: Option<Pcode>,
    pub adm2: Option<Pcode>,
    pub consent: Consent,
    pub registered_at: String,
    pub registered_by: Option<String>,
    pub verified_at: Option<String>,
    pub verified_by: Option<String>,
    pub erased_at: Option<String>,
    pub members: Vec<MemberView>,
    pub score: Option<ScoreView>,
    pub flags: Vec<FlagView>,
    pub assistance: Vec<AssistanceView>,
    pub history: Vec<EventView>,
    pub personal: bool,
}

impl HouseholdView {
    pub fn head(&self) -> Option<&MemberView> {
        self.members
            .iter()
            .find(|m| m.relationship == Relationship::Head && m.status == "active")
    }

    /// The members who are still registered (not erased).
    pub fn active_members(&self) -> impl Iterator<Item = &MemberView> {
        self.members.iter().filter(|m| m.status == "active")
    }
}

pub(crate) fn sealed(row: &AnyRow, column: &str) -> Result<Option<String>> {
    Ok(row.try_get::<Option<String>, _>(column)?)
}

/// Opens a member's name from a row holding its three sealed parts.
pub(crate) fn open_name(vault: &Vault, row: &AnyRow, prefix: &str) -> Result<Option<PersonName>> {
    let given = sealed(row, &format!("{prefix}given_names_enc"))?;
    let first = sealed(row, &format!("{prefix}first_surname_enc"))?;
    let second = sealed(row, &format!("{prefix}second_surname_enc"))?;
    match (given, first) {
        (Some(given), Some(first)) => Ok(Some(PersonName {
            given_names: vault.open(columns::GIVEN_NAMES, &given)?,
            first_surname: vault.open(columns::FIRST_SURNAME, &first)?,
            second_surname: vault.open_opt(columns::SECOND_SURNAME, second.as_deref())?,
        })),
        _ => Ok(None),
    }
}

impl Store {
    pub async fn household_key(&self, id: i64) -> Result<HouseholdKey> {
        let row = sqlx::query(
            "SELECT id, country_iso3, organisation_id, desk_id, status, consent_sharing FROM households WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("household", encode(Kind::Household, id)))?;
        Ok(HouseholdKey {
            id,
            code: encode(Kind::Household, id),
            country: stored_country(&row.try_get::<String, _>("country_iso3")?)?,
            organisation_id: row.try_get("organisation_id")?,
            desk_id: row.try_get("desk_id")?,
            status: row.try_get("status")?,
            consent_sharing: row.try_get::<i64, _>("consent_sharing")? != 0,
        })
    }

    /// A household by its code (`H-...`) or numeric id.
    pub async fn household_key_by_code(&self, code: &str) -> Result<HouseholdKey> {
        let id = match code.trim().parse::<i64>() {
            Ok(id) => id,
            Err(_) => decode(Kind::Household, code)?,
        };
        self.household_key(id).await
    }

    /// The household a member belongs to now.
    pub async fn member_household(&self, member_id: i64) -> Result<i64> {
        Ok(sqlx::query("SELECT household_id FROM household_members WHERE id = $1")
            .bind(member_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("person", encode(Kind::Person, member_id)))?
            .try_get("household_id")?)
    }

    /// The household as the access policy sees it, reached for `purpose`: its organisation,
    /// its country, and the organisations it is shared with (agreements in force, and only
    /// when the household consented to sharing).
    pub async fn household_target(&self, key: &HouseholdKey, purpose: SharingPurpose) -> Result<Target> {
        let shared_with = if key.consent_sharing {
            self.sharing_partners(key.organisation_id, key.country, purpose).await?
        } else {
            Vec::new()
        };
        Ok(Target::registration(key.organisation_id, key.country, shared_with).at_desk(key.desk_id))
    }

    /// One household, with personal fields opened only for [`Disclosure::Personal`]; the view
    /// is audited either way.
    pub async fn household(&self, actor: &Actor, id: i64, disclosure: Disclosure) -> Result<HouseholdView> {
        let view = self.household_view_internal(id, disclosure).await?;
        let mut conn = self.pool.acquire().await?;
        let how = match disclosure {
            Disclosure::Personal => "with personal data",
            Disclosure::Pseudonymous => "pseudonymised",
        };
        record(
            &mut conn,
            actor,
            AuditAction::Read,
            Entity::Household,
            Some(&id.to_string()),
            &format!("viewed household {} {how}", view.code),
        )
        .await?;
        Ok(view)
    }

    pub(crate) async fn household_view_internal(&self, id: i64, disclosure: Disclosure) -> Result<HouseholdView> {
        let vault = match disclosure {
            Disclosure::Personal => Some(self.vault()?),
            Disclosure::Pseudonymous => None,
        };
        let row = sqlx::query(
            "SELECT h.*, l.code AS desk_code, l.name AS desk_name, o.acronym AS organisation,
                    ru.username AS registered_by_name, vu.username AS verified_by_name
             FROM households h JOIN locations l ON l.id = h.desk_id JOIN organisations o ON o.id = h.organisation_id
             LEFT JOIN users ru ON ru.id = h.registered_by LEFT JOIN users vu ON vu.id = h.verified_by
             WHERE h.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("household", encode(Kind::Household, id)))?;
        let position = match (vault, sealed(&row, "position_enc")?) {
            (Some(vault), Some(value)) => {
                let text = vault.open(columns::POSITION, &value)?;
                let (lat, lon) = text.split_once(',').ok_or_else(|| StoreError::Corrupt {
                    what: "position",
                    detail: "not lat,lon".into(),
                })?;
                let number = |v: &str| {
                    v.parse::<f64>().map_err(|_| StoreError::Corrupt {
                        what: "position",
                        detail: "not a number".into(),
                    })
                };
                Some(Position::new(number(lon)?, number(lat)?)?)
            }
            _ => None,
        };
        let details = Details {
            population_group: PopulationGroup::parse(&row.try_get::<String, _>("population_group")?)?,
            arrival_date: row
                .try_get::<Option<String>, _>("arrival_date")?
                .as_deref()
                .map(|d| parse_stored_date("arrival date", d))
                .transpose()?,
            previous_country: row
                .try_get::<Option<String>, _>("previous_country")?
                .as_deref()
                .map(stored_country)
                .transpose()?,
            previous_area: parse_stored_pcode(row.try_get("previous_area")?)?,
            residence_area: None,
            position,
            child_headed: row.try_get::<i64, _>("child_headed")? != 0,
            conditions: stored_conditions(&row)?,
        };
        let merged_into: Option<i64> = row.try_get("merged_into")?;
        let members = self.member_views(id, vault).await?;
        let score = self.score_view(id).await?;
        let flags = self.flag_views(id).await?;
        let assistance = self.household_assistance(id).await?;
        let history = self.history(id, vault).await?;
        Ok(HouseholdView {
            id,
            code: encode(Kind::Household, id),
            country: stored_country(&row.try_get::<String, _>("country_iso3")?)?,
            desk_id: row.try_get("desk_id")?,
            desk_code: row.try_get("desk_code")?,
            desk_name: row.try_get("desk_name")?,
            organisation_id: row.try_get("organisation_id")?,
            organisation: row.try_get("organisation")?,
            status: row.try_get("status")?,
            merged_into: merged_into.map(|m| encode(Kind::Household, m)),
            details,
            adm1: parse_stored_pcode(row.try_get("adm1_pcode")?)?,
            adm2: parse_stored_pcode(row.try_get("adm2_pcode")?)?,
            consent: Consent {
                registration: row.try_get::<i64, _>("consent_registration")? != 0,
                sharing: row.try_get::<i64, _>("consent_sharing")? != 0,
                referral: row.try_get::<i64, _>("consent_referral")? != 0,
            },
            registered_at: row.try_get("registered_at")?,
            registered_by: row.try_get("registered_by_name")?,
            verified_at: row.try_get("verified_at")?,
            verified_by: row.try_get("verified_by_name")?,
            erased_at: row.try_get("erased_at")?,
            members,
            score,
            flags,
            assistance,
            history,
            personal: vault.is_some(),
        })
    }

    async fn member_views(&self, household_id: i64, vault: Option<&Vault>) -> Result<Vec<MemberView>> {
        let rows = sqlx::query(
            "SELECT * FROM household_members WHERE household_id = $1
             ORDER BY CASE WHEN relationship = 'head' THEN 0 ELSE 1 END, id",
        )
        .bind(household_id)
        .fetch_all(&self.pool)
        .await?;
        let needs = sqlx::query(
            "SELECT n.member_id, n.need FROM member_needs n JOIN household_members m ON m.id = n.member_id
             WHERE m.household_id = $1",
        )
        .bind(household_id)
        .fetch_all(&self.pool)
        .await?;
        let documents = sqlx::query(
            "SELECT d.member_id, d.doc_type, d.number_enc, d.expiry_date FROM member_documents d
             JOIN household_members m ON m.id = d.member_id WHERE m.household_id = $1 ORDER BY d.id",
        )
        .bind(household_id)
        .fetch_all(&self.pool)
        .await?;
        let today = today();
        let mut members = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let mut need_set = NeedSet::default();
            for n in needs
                .iter()
                .filter(|n| n.try_get::<i64, _>("member_id").ok() == Some(id))
            {
                need_set.insert(SpecificNeed::parse(&n.try_get::<String, _>("need")?)?);
            }
            let mut docs = Vec::new();
            for d in documents
                .iter()
                .filter(|d| d.try_get::<i64, _>("member_id").ok() == Some(id))
            {
                let expiry = d
                    .try_get::<Option<String>, _>("expiry_date")?
                    .as_deref()
                    .map(|e| parse_stored_date("document expiry", e))
                    .transpose()?;
                let number = match vault {
                    Some(vault) => vault.open_opt(columns::DOCUMENT_NUMBER, sealed(d, "number_enc")?.as_deref())?,
                    None => None,
                };
                docs.push(DocumentView {
                    doc_type: DocumentType::parse(&d.try_get::<String, _>("doc_type")?)?,
                    number,
                    expiry,
                    in_force: expiry.is_none_or(|e| e >= today),
                });
            }
            let mut washington = [None; 6];
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
                washington[i] = row.try_get::<Option<i64>, _>(*column)?.and_then(Difficulty::from_score);
            }
            let washington = WashingtonGroup(washington);
            let birth = BirthDate {
                date: parse_stored_date("date of birth", &row.try_get::<String, _>("birth_date")?)?,
                estimated: row.try_get::<i64, _>("birth_date_estimated")? != 0,
            };
            let (name, phone) = match vault {
                Some(vault) => (
                    open_name(vault, row, "")?,
                    vault.open_opt(columns::PHONE, sealed(row, "phone_enc")?.as_deref())?,
                ),
                None => (None, None),
            };
            members.push(MemberView {
                id,
                code: encode(Kind::Person, id),
                relationship: Relationship::parse(&row.try_get::<String, _>("relationship")?)?,
                sex: Sex::parse(&row.try_get::<String, _>("sex")?)?,
                age: age_on(birth.date, today),
                birth,
                nationality: stored_country(&row.try_get::<String, _>("nationality")?)?,
                disability: need_set.contains(SpecificNeed::Disability) || washington.identifies_disability(),
                needs: need_set,
                washington,
                documents: docs,
                name,
                phone,
                status: row.try_get("status")?,
            });
        }
        Ok(members)
    }

    async fn score_view(&self, household_id: i64) -> Result<Option<ScoreView>> {
        let Some(row) = sqlx::query(
            "SELECT model_id, score, eligible, explanation, computed_at FROM vulnerability_scores WHERE household_id = $1",
        )
        .bind(household_id)
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let model = self.vulnerability_model(row.try_get("model_id")?).await?;
        let stored: StoredExplanation =
            serde_json::from_str(&row.try_get::<String, _>("explanation")?).map_err(|e| StoreError::Corrupt {
                what: "score explanation",
                detail: e.to_string(),
            })?;
        let definition = model.model.definition();
        let contributions: Vec<Contribution> = definition
            .criteria
            .iter()
            .filter(|c| stored.matched.contains(&c.id))
            .map(|c| Contribution {
                id: c.id.clone(),
                label: c.label.clone(),
                group: c.group.clone(),
                points: c.points,
            })
            .collect();
        let capped = stored
            .capped
            .iter()
            .map(|group| CappedGroup {
                group: group.clone(),
                raw_points: contributions
                    .iter()
                    .filter(|c| c.group.as_deref() == Some(group))
                    .map(|c| c.points)
                    .sum(),
                counted: definition
                    .caps
                    .iter()
                    .find(|cap| cap.group == *group)
                    .map_or(0.0, |cap| cap.max_points),
            })
            .collect();
        Ok(Some(ScoreView {
            model_id: model.summary.id,
            model_name: model.summary.name.clone(),
            model_version: model.summary.version,
            computed_at: row.try_get("computed_at")?,
            explanation: Explanation {
                score: row.try_get("score")?,
                threshold: model.summary.threshold,
                eligible: row.try_get::<i64, _>("eligible")? != 0,
                contributions,
                capped,
            },
        }))
    }

    async fn flag_views(&self, household_id: i64) -> Result<Vec<FlagView>> {
        let rows = sqlx::query(
            "SELECT f.id, f.kind, f.household_id, f.member_id, f.other_household_id, f.other_member_id, f.status,
                    f.created_at, f.probability, l.name AS desk_a, o.acronym AS org_a, l2.name AS desk_b, o2.acronym AS org_b
             FROM review_flags f
             JOIN households h ON h.id = f.household_id JOIN locations l ON l.id = h.desk_id
             JOIN organisations o ON o.id = h.organisation_id
             LEFT JOIN households h2 ON h2.id = f.other_household_id LEFT JOIN locations l2 ON l2.id = h2.desk_id
             LEFT JOIN organisations o2 ON o2.id = h2.organisation_id
             WHERE f.household_id = $1 OR f.other_household_id = $1 ORDER BY f.id",
        )
        .bind(household_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let (this, other): (i64, Option<i64>) = (r.try_get("household_id")?, r.try_get("other_household_id")?);
                // The flag points from the later registration to the earlier: show the other side.
                let (member, other_household, desk, organisation) = if this == household_id {
                    (
                        r.try_get::<Option<i64>, _>("member_id")?,
                        other,
                        r.try_get("desk_b")?,
                        r.try_get("org_b")?,
                    )
                } else {
                    (
                        r.try_get::<Option<i64>, _>("other_member_id")?,
                        Some(this),
                        r.try_get("desk_a")?,
                        r.try_get("org_a")?,
                    )
                };
                Ok(FlagView {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    member_code: member.map(|m| encode(Kind::Person, m)),
                    other_household_id: other_household,
                    other_household: other_household.map(|o| encode(Kind::Household, o)),
                    status: r.try_get("status")?,
                    created_at: r.try_get("created_at")?,
                    probability: r.try_get("probability")?,
                    other_desk: desk,
                    other_organisation: organisation,
                })
            })
            .collect()
    }

    async fn history(&self, household_id: i64, vault: Option<&Vault>) -> Result<Vec<EventView>> {
        let rows = sqlx::query(
            "SELECT e.at, u.username, e.kind, e.member_id, e.fields, e.reason_enc, e.before_enc, e.related_household_id
             FROM registration_events e LEFT JOIN users u ON u.id = e.user_id
             WHERE e.household_id = $1 ORDER BY e.id",
        )
        .bind(household_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let fields: String = r.try_get("fields")?;
                let (reason, before) = match vault {
                    Some(vault) => (
                        vault.open_opt(columns::REASON, sealed(r, "reason_enc")?.as_deref())?,
                        vault.open_opt(columns::BEFORE, sealed(r, "before_enc")?.as_deref())?,
                    ),
                    None => (None, None),
                };
                Ok(EventView {
                    at: r.try_get("at")?,
                    user: r.try_get("username")?,
                    kind: r.try_get("kind")?,
                    member_code: r
                        .try_get::<Option<i64>, _>("member_id")?
                        .map(|m| encode(Kind::Person, m)),
                    fields: fields.split(',').filter(|f| !f.is_empty()).map(str::to_owned).collect(),
                    reason,
                    before,
                    related_household: r
                        .try_get::<Option<i64>, _>("related_household_id")?
                        .map(|h| encode(Kind::Household, h)),
                })
            })
            .collect()
    }
}
