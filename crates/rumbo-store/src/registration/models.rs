//! Vulnerability models: each country's versions (a change is a new version, never an edit),
//! the one in force, and the scores it gives. Scores are recomputed whenever a household
//! changes and, for the whole country, whenever another version is put in force; every score
//! names the version that produced it and keeps the criteria that matched.

use std::collections::HashMap;

use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::registration::conditions::{Conditions, QUESTIONS};
use rumbo_domain::registration::documents::DocumentType;
use rumbo_domain::registration::facts::{MemberProfile, Profile};
use rumbo_domain::registration::needs::{Difficulty, NeedSet, SpecificNeed, WashingtonGroup};
use rumbo_domain::registration::people::{PopulationGroup, Relationship, Sex};
use rumbo_domain::registration::profiles::Profiles;
use rumbo_domain::registration::scoring::{Definition, Model, Score};
use rumbo_domain::{Problem, Vocabulary};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::batch::{Batch, Cell, lock_for_writing};
use super::{parse_stored_date, stored_country, today};
use crate::audit::record;
use crate::query::dynamic;
use crate::{Result, Store, StoreError, now};

/// A model version as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSummary {
    pub id: i64,
    pub country: Iso3,
    pub name: String,
    pub version: i64,
    pub threshold: f64,
    pub criteria: usize,
    pub source: String,
    pub is_active: bool,
    pub created_at: String,
    pub created_by: Option<String>,
}

/// A model version with its criteria.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRecord {
    pub summary: ModelSummary,
    pub model: Model,
}

fn model_from_row(row: &AnyRow) -> Result<ModelRecord> {
    let text: String = row.try_get("definition")?;
    let definition: Definition = serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
        what: "vulnerability model",
        detail: e.to_string(),
    })?;
    let model = Model::new(definition).map_err(|problems| StoreError::Corrupt {
        what: "vulnerability model",
        detail: problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "),
    })?;
    Ok(ModelRecord {
        summary: ModelSummary {
            id: row.try_get("id")?,
            country: stored_country(&row.try_get::<String, _>("country_iso3")?)?,
            name: row.try_get("name")?,
            version: row.try_get("version")?,
            threshold: row.try_get("threshold")?,
            criteria: model.definition().criteria.len(),
            source: row.try_get("source")?,
            is_active: row.try_get::<i64, _>("is_active")? != 0,
            created_at: row.try_get("created_at")?,
            created_by: row.try_get("created_by_name")?,
        },
        model,
    })
}

const MODEL_COLUMNS: &str = "v.id, v.country_iso3, v.name, v.version, v.threshold, v.definition, v.source, v.is_active,
     v.created_at, u.username AS created_by_name";

/// The active model of each country, loaded once per transaction.
#[derive(Default)]
pub(crate) struct ActiveModels(HashMap<Iso3, Option<(i64, Model)>>);

impl ActiveModels {
    pub async fn get(&mut self, conn: &mut AnyConnection, country: Iso3) -> Result<Option<(i64, &Model)>> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.0.entry(country) {
            let row = sqlx::query(dynamic(format!(
                "SELECT {MODEL_COLUMNS} FROM vulnerability_models v LEFT JOIN users u ON u.id = v.created_by
                 WHERE v.country_iso3 = $1 AND v.is_active = 1"
            )))
            .bind(country.to_string())
            .fetch_optional(&mut *conn)
            .await?;
            let loaded = row
                .as_ref()
                .map(model_from_row)
                .transpose()?
                .map(|r| (r.summary.id, r.model));
            slot.insert(loaded);
        }
        Ok(self.0.get(&country).and_then(|m| m.as_ref()).map(|(id, m)| (*id, m)))
    }
}

/// The explanation kept with a score: the ids of the criteria that matched and the groups
/// that were capped (labels and points are in the model version it names).
#[derive(Debug, Serialize, serde::Deserialize)]
pub(crate) struct StoredExplanation {
    pub matched: Vec<String>,
    pub capped: Vec<String>,
}

/// A score's row in vulnerability_scores.
pub(crate) fn score_cells(household_id: i64, model_id: i64, model: &Model, score: &Score, at: &str) -> Vec<Cell> {
    let explanation = model.explain(score);
    let stored = StoredExplanation {
        matched: explanation.contributions.into_iter().map(|c| c.id).collect(),
        capped: explanation.capped.into_iter().map(|c| c.group).collect(),
    };
    vec![
        household_id.into(),
        model_id.into(),
        score.value.into(),
        i64::from(score.eligible).into(),
        serde_json::to_string(&stored).unwrap_or_default().into(),
        at.into(),
    ]
}

/// Which households to load profiles of.
pub(crate) enum Which<'a> {
    Country(Iso3),
    Households(&'a [i64]),
}

impl Which<'_> {
    /// A condition on `households h` and its bound values.
    fn condition(&self) -> (String, Vec<String>) {
        match self {
            Which::Country(c) => ("h.country_iso3 = $1".into(), vec![c.to_string()]),
            Which::Households(ids) => {
                let list: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
                // Ids are numbers we hold, not user input; listed inline so any count works.
                (
                    format!(
                        "h.id IN ({})",
                        if list.is_empty() {
                            "NULL".into()
                        } else {
                            list.join(", ")
                        }
                    ),
                    vec![],
                )
            }
        }
    }
}

/// The profiles (what scoring reads) of active households, with each one's country.
pub(crate) async fn load_profiles(conn: &mut AnyConnection, which: Which<'_>) -> Result<Vec<(i64, Iso3, Profile)>> {
    let (condition, binds) = which.condition();
    let bind_all = |sql: String| {
        let mut q = sqlx::query(dynamic(sql));
        for b in &binds {
            q = q.bind(b.clone());
        }
        q
    };
    let conditions_columns = QUESTIONS
        .iter()
        .map(|q| format!("h.{}", q.code))
        .collect::<Vec<_>>()
        .join(", ");
    let households = bind_all(format!(
        "SELECT h.id, h.country_iso3, h.population_group, h.arrival_date, {conditions_columns}
         FROM households h WHERE {condition} AND h.status = 'active' ORDER BY h.id"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let member_filter = format!(
        "FROM household_members m JOIN households h ON h.id = m.household_id
         WHERE {condition} AND h.status = 'active' AND m.status = 'active'"
    );
    let members = bind_all(format!(
        "SELECT m.id, m.household_id, m.relationship, m.sex, m.birth_date, m.wg_seeing, m.wg_hearing, m.wg_walking,
                m.wg_cognition, m.wg_self_care, m.wg_communication {member_filter} ORDER BY m.id"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let needs = bind_all(format!(
        "SELECT n.member_id, n.need FROM member_needs n JOIN household_members m ON m.id = n.member_id
         JOIN households h ON h.id = m.household_id WHERE {condition} AND h.status = 'active' AND m.status = 'active'"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let documents = bind_all(format!(
        "SELECT d.member_id, d.doc_type, d.expiry_date FROM member_documents d JOIN household_members m ON m.id = d.member_id
         JOIN households h ON h.id = m.household_id WHERE {condition} AND h.status = 'active' AND m.status = 'active'"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut need_sets: HashMap<i64, NeedSet> = HashMap::new();
    for row in &needs {
        let need = SpecificNeed::parse(&row.try_get::<String, _>("need")?)?;
        need_sets.entry(row.try_get("member_id")?).or_default().insert(need);
    }
    let mut docs: HashMap<i64, Vec<(DocumentType, Option<time::Date>)>> = HashMap::new();
    for row in &documents {
        let expiry: Option<String> = row.try_get("expiry_date")?;
        docs.entry(row.try_get("member_id")?).or_default().push((
            DocumentType::parse(&row.try_get::<String, _>("doc_type")?)?,
            expiry
                .as_deref()
                .map(|e| parse_stored_date("document expiry", e))
                .transpose()?,
        ));
    }
    let mut by_household: HashMap<i64, Vec<MemberProfile>> = HashMap::new();
    for row in &members {
        let id: i64 = row.try_get("id")?;
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
        by_household
            .entry(row.try_get("household_id")?)
            .or_default()
            .push(MemberProfile {
                relationship: Relationship::parse(&row.try_get::<String, _>("relationship")?)?,
                sex: Sex::parse(&row.try_get::<String, _>("sex")?)?,
                birth_date: parse_stored_date("date of birth", &row.try_get::<String, _>("birth_date")?)?,
                needs: need_sets.remove(&id).unwrap_or_default(),
                washington: WashingtonGroup(washington),
                documents: docs.remove(&id).unwrap_or_default(),
            });
    }
    let mut profiles = Vec::with_capacity(households.len());
    for row in &households {
        let id: i64 = row.try_get("id")?;
        profiles.push((
            id,
            stored_country(&row.try_get::<String, _>("country_iso3")?)?,
            Profile {
                population_group: PopulationGroup::parse(&row.try_get::<String, _>("population_group")?)?,
                arrival_date: row
                    .try_get::<Option<String>, _>("arrival_date")?
                    .as_deref()
                    .map(|d| parse_stored_date("arrival date", d))
                    .transpose()?,
                conditions: stored_conditions(row)?,
                members: by_household.remove(&id).unwrap_or_default(),
            },
        ));
    }
    Ok(profiles)
}

/// The living-conditions answers of a household row (columns named after the questions).
pub(crate) fn stored_conditions(row: &AnyRow) -> Result<Conditions> {
    let mut answers = [None; 10];
    for (i, question) in QUESTIONS.iter().enumerate() {
        if let Some(answer) = row.try_get::<Option<String>, _>(question.code)? {
            answers[i] = Some(question.parse(&answer)?);
        }
    }
    Ok(Conditions(answers))
}

/// Scores `which` households again under their countries' active models (removing the scores
/// of households whose country has none). Returns how many were scored.
pub(crate) async fn rescore(conn: &mut AnyConnection, which: Which<'_>) -> Result<usize> {
    let profiles = load_profiles(conn, which).await?;
    let ids: Vec<String> = profiles.iter().map(|(id, _, _)| id.to_string()).collect();
    for chunk in ids.chunks(1000) {
        sqlx::query(dynamic(format!(
            "DELETE FROM vulnerability_scores WHERE household_id IN ({})",
            chunk.join(", ")
        )))
        .execute(&mut *conn)
        .await?;
    }
    let mut models = ActiveModels::default();
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
    let (at, today) = (now(), today());
    let mut by_country: std::collections::BTreeMap<Iso3, (Vec<i64>, Profiles)> = Default::default();
    for (id, country, profile) in &profiles {
        let (ids, of_country) = by_country
            .entry(*country)
            .or_insert_with(|| (Vec::new(), Profiles::new()));
        ids.push(*id);
        of_country.push(profile);
    }
    let mut scored = 0;
    for (country, (ids, of_country)) in by_country {
        if let Some((model_id, model)) = models.get(conn, country).await? {
            for (id, score) in ids.into_iter().zip(model.score_all(&of_country, today)) {
                scores.push(conn, score_cells(id, model_id, model, &score, &at)).await?;
                scored += 1;
            }
        }
    }
    scores.flush(conn).await?;
    Ok(scored)
}

impl Store {
    /// The model versions of `country` (or of every country), newest first.
    pub async fn vulnerability_models(&self, country: Option<Iso3>) -> Result<Vec<ModelSummary>> {
        let rows = sqlx::query(dynamic(format!(
            "SELECT {MODEL_COLUMNS} FROM vulnerability_models v LEFT JOIN users u ON u.id = v.created_by
             WHERE ($1 = '' OR v.country_iso3 = $1) ORDER BY v.country_iso3, v.version DESC"
        )))
        .bind(country.map(|c| c.to_string()).unwrap_or_default())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(model_from_row(r)?.summary)).collect()
    }

    pub async fn vulnerability_model(&self, id: i64) -> Result<ModelRecord> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {MODEL_COLUMNS} FROM vulnerability_models v LEFT JOIN users u ON u.id = v.created_by WHERE v.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("vulnerability model", id))?;
        model_from_row(&row)
    }

    /// Stores `definition` as the next version of `country`'s model, after checking it; with
    /// `activate`, puts it in force and scores the country's households again.
    pub async fn save_vulnerability_model(
        &self,
        actor: &Actor,
        country: Iso3,
        name: &str,
        definition: Definition,
        source: &str,
        activate: bool,
    ) -> Result<ModelRecord> {
        let name = rumbo_domain::error::required_text("name", name, 200)?;
        let model = Model::new(definition).map_err(|problems| StoreError::Rejected {
            message: format!("{} problem(s) in the model; nothing was saved", problems.len()),
            problems,
        })?;
        let definition_json = serde_json::to_string(model.definition()).map_err(|e| StoreError::Corrupt {
            what: "vulnerability model",
            detail: e.to_string(),
        })?;
        let mut tx = self.pool.begin().await?;
        lock_for_writing(&mut tx, self.backend).await?;
        let version: i64 =
            sqlx::query("SELECT COALESCE(MAX(version), 0) + 1 AS v FROM vulnerability_models WHERE country_iso3 = $1")
                .bind(country.to_string())
                .fetch_one(&mut *tx)
                .await?
                .try_get("v")?;
        let id: i64 = sqlx::query(
            "INSERT INTO vulnerability_models (country_iso3, name, version, threshold, definition, source, is_active,
                                               created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8) RETURNING id",
        )
        .bind(country.to_string())
        .bind(&name)
        .bind(version)
        .bind(model.threshold())
        .bind(&definition_json)
        .bind(source)
        .bind(now())
        .bind(actor.user_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::VulnerabilityModel,
            Some(&id.to_string()),
            &format!(
                "saved vulnerability model {country} version {version} ({} criteria, threshold {}) from {source}",
                model.definition().criteria.len(),
                model.threshold()
            ),
        )
        .await?;
        if activate {
            activate_in(&mut tx, actor, id, country, version).await?;
        }
        tx.commit().await?;
        self.vulnerability_model(id).await
    }

    /// Puts model version `id` in force for its country and scores all the country's
    /// households again. Returns how many were scored.
    pub async fn activate_vulnerability_model(&self, actor: &Actor, id: i64) -> Result<usize> {
        let record = self.vulnerability_model(id).await?;
        let mut tx = self.pool.begin().await?;
        lock_for_writing(&mut tx, self.backend).await?;
        let scored = activate_in(&mut tx, actor, id, record.summary.country, record.summary.version).await?;
        tx.commit().await?;
        Ok(scored)
    }

    /// Checks a definition without saving it: what an upload would store.
    pub fn check_vulnerability_model(definition: Definition) -> Result<Model, Vec<Problem>> {
        Model::new(definition)
    }
}

async fn activate_in(conn: &mut AnyConnection, actor: &Actor, id: i64, country: Iso3, version: i64) -> Result<usize> {
    sqlx::query(
        "UPDATE vulnerability_models SET is_active = CASE WHEN id = $1 THEN 1 ELSE 0 END WHERE country_iso3 = $2",
    )
    .bind(id)
    .bind(country.to_string())
    .execute(&mut *conn)
    .await?;
    let scored = rescore(conn, Which::Country(country)).await?;
    record(
        conn,
        actor,
        AuditAction::Update,
        Entity::VulnerabilityModel,
        Some(&id.to_string()),
        &format!("put vulnerability model {country} version {version} in force; {scored} households scored again"),
    )
    .await?;
    Ok(scored)
}
