//! Privacy-preserving linkage in the store: each organisation's encodings for a country (one
//! set, replaced by the next upload), linkage runs with their overlaps and matched pairs, and
//! the organisations' consents to release the pairs. Only pseudonyms and Bloom filters are
//! stored; every upload, run, consent and release is audited in its transaction.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::clk::{Clk, OrganisationSet, link};
use rumbo_domain::country::Iso3;
use serde::Serialize;
use sqlx::Row;

use crate::audit::record;
use crate::{Result, Store, StoreError, now};

/// An organisation's uploaded set, without its contents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeySetSummary {
    pub organisation_id: i64,
    pub organisation: String,
    pub records: i64,
    pub uploaded_at: String,
}

/// How many people two organisations both registered, in a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverlapRecord {
    pub left_org: i64,
    pub left: String,
    pub right_org: i64,
    pub right: String,
    pub left_records: i64,
    pub right_records: i64,
    pub matched: i64,
}

/// A linkage of a country, with its overlaps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRecord {
    pub id: i64,
    pub country: Iso3,
    pub threshold: f64,
    pub comparisons: i64,
    pub run_at: String,
    pub overlaps: Vec<OverlapRecord>,
}

/// An organisation's consent in force to release the pairs with a partner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsentRecord {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation: String,
    pub partner_id: i64,
    pub partner: String,
    pub created_at: String,
}

/// One matched pair as released: the pseudonym on each side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleasedPair {
    pub own_pseudonym: String,
    pub partner_pseudonym: String,
    pub dice: f64,
}

fn corrupt(detail: impl ToString) -> StoreError {
    StoreError::Corrupt {
        what: "linkage keys",
        detail: detail.to_string(),
    }
}

/// The stored form: `pseudonym,base64` lines.
fn pack(rows: &[(String, Clk)]) -> String {
    let mut text = String::with_capacity(rows.len() * 210);
    for (pseudonym, clk) in rows {
        text.push_str(pseudonym);
        text.push(',');
        text.push_str(&STANDARD.encode(clk.to_bytes()));
        text.push('\n');
    }
    text
}

fn unpack(text: &str) -> Result<(Vec<String>, Vec<Clk>)> {
    let mut pseudonyms = Vec::new();
    let mut clks = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let (pseudonym, encoded) = line.split_once(',').ok_or_else(|| corrupt("a line without a comma"))?;
        let bytes = STANDARD.decode(encoded).map_err(corrupt)?;
        clks.push(Clk::from_bytes(&bytes).ok_or_else(|| corrupt("a filter of the wrong length"))?);
        pseudonyms.push(pseudonym.to_owned());
    }
    Ok((pseudonyms, clks))
}

impl Store {
    /// Stores an organisation's encodings for a country, replacing its previous set.
    pub async fn upload_linkage_keys(
        &self,
        actor: &Actor,
        country: Iso3,
        organisation_id: i64,
        rows: &[(String, Clk)],
    ) -> Result<KeySetSummary> {
        if rows.is_empty() {
            return Err(StoreError::Rejected {
                message: "the file holds no encodings; nothing was saved".into(),
                problems: vec![rumbo_domain::Problem::new("file", "no rows")],
            });
        }
        let organisation = self.organisation(organisation_id).await?;
        let mut tx = self.pool.begin().await?;
        let replaced = sqlx::query("DELETE FROM linkage_key_sets WHERE country_iso3 = $1 AND organisation_id = $2")
            .bind(country.to_string())
            .bind(organisation_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let uploaded_at = now();
        sqlx::query(
            "INSERT INTO linkage_key_sets (country_iso3, organisation_id, records, encodings, uploaded_at, uploaded_by)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(country.to_string())
        .bind(organisation_id)
        .bind(rows.len() as i64)
        .bind(pack(rows))
        .bind(&uploaded_at)
        .bind(actor.user_id)
        .execute(&mut *tx)
        .await?;
        let verb = if replaced > 0 { "replaced by" } else { "uploaded:" };
        record(
            &mut tx,
            actor,
            AuditAction::Import,
            Entity::LinkageKeys,
            Some(&format!("{country}/{organisation_id}")),
            &format!(
                "linkage keys of {} in {country} {verb} {} encodings",
                organisation.acronym,
                rows.len()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(KeySetSummary {
            organisation_id,
            organisation: organisation.acronym,
            records: rows.len() as i64,
            uploaded_at,
        })
    }

    /// The sets uploaded for a country, by organisation.
    pub async fn linkage_key_sets(&self, country: Iso3) -> Result<Vec<KeySetSummary>> {
        let rows = sqlx::query(
            "SELECT s.organisation_id, o.acronym, s.records, s.uploaded_at FROM linkage_key_sets s
             JOIN organisations o ON o.id = s.organisation_id WHERE s.country_iso3 = $1 ORDER BY o.acronym",
        )
        .bind(country.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(KeySetSummary {
                    organisation_id: r.try_get("organisation_id")?,
                    organisation: r.try_get("acronym")?,
                    records: r.try_get("records")?,
                    uploaded_at: r.try_get("uploaded_at")?,
                })
            })
            .collect()
    }

    /// Links every set of the country at `threshold` and stores the overlaps and pairs.
    pub async fn run_linkage(&self, actor: &Actor, country: Iso3, threshold: f64) -> Result<RunRecord> {
        if !(0.5..=1.0).contains(&threshold) {
            return Err(StoreError::Invalid(rumbo_domain::DomainError::Invalid(format!(
                "the threshold must be between 0.5 and 1, not {threshold}"
            ))));
        }
        let rows = sqlx::query(
            "SELECT organisation_id, encodings FROM linkage_key_sets WHERE country_iso3 = $1 ORDER BY organisation_id",
        )
        .bind(country.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut orgs = Vec::new();
        let mut sets = Vec::new();
        for row in &rows {
            let (pseudonyms, clks) = unpack(&row.try_get::<String, _>("encodings")?)?;
            let organisation: i64 = row.try_get("organisation_id")?;
            orgs.push(organisation);
            sets.push(OrganisationSet {
                organisation: organisation.to_string(),
                pseudonyms,
                clks,
            });
        }
        if sets.len() < 2 {
            return Err(StoreError::Conflict(format!(
                "linking needs the keys of at least two organisations in {country}; {} uploaded so far",
                sets.len()
            )));
        }
        // A billion comparisons take a second or two on every core: off the async workers.
        let (sets, linked) = tokio::task::spawn_blocking(move || {
            let linked = link(&sets, threshold);
            (sets, linked)
        })
        .await
        .map_err(|e| corrupt(format!("the linkage stopped: {e}")))?;

        let mut tx = self.pool.begin().await?;
        let run_at = now();
        let id: i64 = sqlx::query(
            "INSERT INTO linkage_runs (country_iso3, threshold, comparisons, run_at, run_by)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(country.to_string())
        .bind(threshold)
        .bind(linked.comparisons as i64)
        .bind(&run_at)
        .bind(actor.user_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        for o in &linked.overlaps {
            sqlx::query(
                "INSERT INTO linkage_overlaps (run_id, left_org, right_org, left_records, right_records, matched)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(orgs[o.left])
            .bind(orgs[o.right])
            .bind(o.left_records as i64)
            .bind(o.right_records as i64)
            .bind(o.matched as i64)
            .execute(&mut *tx)
            .await?;
        }
        for p in &linked.pairs {
            sqlx::query(
                "INSERT INTO linkage_pairs (run_id, left_org, left_pseudonym, right_org, right_pseudonym, dice)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(orgs[p.left])
            .bind(&sets[p.left].pseudonyms[p.left_record])
            .bind(orgs[p.right])
            .bind(&sets[p.right].pseudonyms[p.right_record])
            .bind(p.dice)
            .execute(&mut *tx)
            .await?;
        }
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::LinkageRun,
            Some(&id.to_string()),
            &format!(
                "linked {} organisations' keys in {country} at {threshold}: {} comparisons, {} matched pairs",
                sets.len(),
                linked.comparisons,
                linked.pairs.len()
            ),
        )
        .await?;
        tx.commit().await?;
        self.latest_linkage_run(country)
            .await?
            .ok_or_else(|| corrupt("the run just stored is missing"))
    }

    /// The country's latest run with its overlaps, if any.
    pub async fn latest_linkage_run(&self, country: Iso3) -> Result<Option<RunRecord>> {
        let Some(run) = sqlx::query("SELECT * FROM linkage_runs WHERE country_iso3 = $1 ORDER BY id DESC LIMIT 1")
            .bind(country.to_string())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let id: i64 = run.try_get("id")?;
        let overlaps = sqlx::query(
            "SELECT v.*, l.acronym AS left_acronym, r.acronym AS right_acronym FROM linkage_overlaps v
             JOIN organisations l ON l.id = v.left_org JOIN organisations r ON r.id = v.right_org
             WHERE v.run_id = $1 ORDER BY l.acronym, r.acronym",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(OverlapRecord {
                left_org: r.try_get("left_org")?,
                left: r.try_get("left_acronym")?,
                right_org: r.try_get("right_org")?,
                right: r.try_get("right_acronym")?,
                left_records: r.try_get("left_records")?,
                right_records: r.try_get("right_records")?,
                matched: r.try_get("matched")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(Some(RunRecord {
            id,
            country,
            threshold: run.try_get("threshold")?,
            comparisons: run.try_get("comparisons")?,
            run_at: run.try_get("run_at")?,
            overlaps,
        }))
    }

    /// The consents in force in a country.
    pub async fn linkage_consents(&self, country: Iso3) -> Result<Vec<ConsentRecord>> {
        let rows = sqlx::query(
            "SELECT c.id, c.organisation_id, o.acronym, c.partner_id, p.acronym AS partner_acronym, c.created_at
             FROM linkage_consents c JOIN organisations o ON o.id = c.organisation_id
             JOIN organisations p ON p.id = c.partner_id
             WHERE c.country_iso3 = $1 AND c.revoked_at IS NULL ORDER BY o.acronym, p.acronym",
        )
        .bind(country.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ConsentRecord {
                    id: r.try_get("id")?,
                    organisation_id: r.try_get("organisation_id")?,
                    organisation: r.try_get("acronym")?,
                    partner_id: r.try_get("partner_id")?,
                    partner: r.try_get("partner_acronym")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    /// Whether both organisations consent, in force, to releasing their pairs in the country.
    pub async fn linkage_pairs_released(&self, country: Iso3, a: i64, b: i64) -> Result<bool> {
        let consents = self.linkage_consents(country).await?;
        let gave = |from: i64, to: i64| consents.iter().any(|c| c.organisation_id == from && c.partner_id == to);
        Ok(a != b && gave(a, b) && gave(b, a))
    }

    /// Records the organisation's consent to release the pairs with `partner` (once).
    pub async fn consent_to_linkage(
        &self,
        actor: &Actor,
        country: Iso3,
        organisation_id: i64,
        partner_id: i64,
    ) -> Result<ConsentRecord> {
        if organisation_id == partner_id {
            return Err(StoreError::Invalid(rumbo_domain::DomainError::Invalid(
                "an organisation does not link with itself".into(),
            )));
        }
        let partner = self.organisation(partner_id).await?;
        if let Some(existing) = self
            .linkage_consents(country)
            .await?
            .into_iter()
            .find(|c| c.organisation_id == organisation_id && c.partner_id == partner_id)
        {
            return Ok(existing);
        }
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO linkage_consents (country_iso3, organisation_id, partner_id, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(country.to_string())
        .bind(organisation_id)
        .bind(partner_id)
        .bind(now())
        .bind(actor.user_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::LinkageConsent,
            Some(&id.to_string()),
            &format!(
                "organisation {organisation_id} consents to release its linkage pairs with {} in {country}",
                partner.acronym
            ),
        )
        .await?;
        tx.commit().await?;
        self.linkage_consents(country)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| corrupt("the consent just stored is missing"))
    }

    /// The consent `id` in force, if there is one (for checking who may revoke it).
    pub async fn linkage_consent(&self, id: i64) -> Result<(Iso3, ConsentRecord)> {
        let row = sqlx::query("SELECT country_iso3 FROM linkage_consents WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                entity: "linkage consent",
                key: id.to_string(),
            })?;
        let country = crate::registration::stored_country(&row.try_get::<String, _>("country_iso3")?)?;
        let consent = self
            .linkage_consents(country)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| StoreError::NotFound {
                entity: "linkage consent",
                key: id.to_string(),
            })?;
        Ok((country, consent))
    }

    /// Withdraws a consent: from now on the pairs with that partner are not released.
    pub async fn revoke_linkage_consent(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE linkage_consents SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(actor.user_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::LinkageConsent,
            Some(&id.to_string()),
            "revoked",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Releases the latest run's matched pairs between `own` and `partner` to `own`, audited.
    /// The caller has checked the consents (see [`Store::linkage_pairs_released`]).
    pub async fn release_linkage_pairs(
        &self,
        actor: &Actor,
        country: Iso3,
        own: i64,
        partner: i64,
    ) -> Result<Vec<ReleasedPair>> {
        let Some(run) = self.latest_linkage_run(country).await? else {
            return Err(StoreError::Conflict(format!(
                "no linkage has been run in {country} yet"
            )));
        };
        let rows = sqlx::query(
            "SELECT left_org, left_pseudonym, right_pseudonym, dice FROM linkage_pairs
             WHERE run_id = $1 AND ((left_org = $2 AND right_org = $3) OR (left_org = $3 AND right_org = $2))
             ORDER BY dice DESC, left_pseudonym",
        )
        .bind(run.id)
        .bind(own)
        .bind(partner)
        .fetch_all(&self.pool)
        .await?;
        let mut pairs = Vec::with_capacity(rows.len());
        for r in &rows {
            let (left, right): (String, String) = (r.try_get("left_pseudonym")?, r.try_get("right_pseudonym")?);
            let own_is_left = r.try_get::<i64, _>("left_org")? == own;
            let (own_pseudonym, partner_pseudonym) = if own_is_left { (left, right) } else { (right, left) };
            pairs.push(ReleasedPair {
                own_pseudonym,
                partner_pseudonym,
                dice: r.try_get("dice")?,
            });
        }
        let mut conn = self.pool.acquire().await?;
        record(
            &mut conn,
            actor,
            AuditAction::Export,
            Entity::LinkageRun,
            Some(&run.id.to_string()),
            &format!(
                "{} matched pairs between organisations {own} and {partner} released to {own}",
                pairs.len()
            ),
        )
        .await?;
        Ok(pairs)
    }
}
