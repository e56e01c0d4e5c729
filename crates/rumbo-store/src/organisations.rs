use rumbo_domain::Vocabulary;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::error::required_text;
use rumbo_domain::organisation::{OrganisationKind, PlatformKind, parse_website};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Acquire, Row};

use crate::audit::{Changes, record};
use crate::dialect::{ilike, like_pattern};
use crate::error::conflict_on_unique;
use crate::query::{Filter, dynamic};
use crate::{Page, Result, Store, StoreError, now};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub acronym: String,
    pub kind: OrganisationKind,
    /// `None` for regional and international organisations.
    pub country: Option<Iso3>,
    pub website: Option<String>,
    pub is_active: bool,
    /// Codes of the platforms the organisation belongs to.
    pub platforms: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// An organisation as a form or an API call describes it, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct OrganisationInput {
    pub name: String,
    pub acronym: String,
    pub kind: String,
    pub country: Option<String>,
    pub website: Option<String>,
    pub platforms: Vec<String>,
    pub is_active: bool,
}

/// A checked organisation, ready to be stored.
struct ValidOrganisation {
    name: String,
    acronym: String,
    kind: OrganisationKind,
    country: Option<Iso3>,
    website: Option<String>,
    platforms: Vec<String>,
    is_active: bool,
}

impl OrganisationInput {
    fn validate(&self) -> Result<ValidOrganisation> {
        Ok(ValidOrganisation {
            name: required_text("name", &self.name, 200)?,
            acronym: required_text("acronym", &self.acronym, 40)?,
            kind: OrganisationKind::parse(&self.kind)?,
            country: match self.country.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(code) => Some(Iso3::parse(code)?),
            },
            website: parse_website(self.website.as_deref())?,
            platforms: {
                // Sorted like the stored list, so that an unchanged set is not reported as changed.
                let mut codes: Vec<String> = self
                    .platforms
                    .iter()
                    .map(|p| p.trim().to_ascii_uppercase())
                    .filter(|p| !p.is_empty())
                    .collect();
                codes.sort();
                codes.dedup();
                codes
            },
            is_active: self.is_active,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Platform {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: PlatformKind,
    pub countries: Vec<Iso3>,
}

/// An organisation as a member of a platform, for the platforms overview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlatformMember {
    pub platform_id: i64,
    pub organisation_id: i64,
    pub acronym: String,
    pub name: String,
    pub is_active: bool,
}

#[derive(Debug, Clone, Default)]
pub struct OrganisationQuery {
    pub kind: Option<OrganisationKind>,
    pub country: Option<Iso3>,
    pub platform: Option<String>,
    /// Matches name or acronym, case-insensitively.
    pub search: Option<String>,
    pub include_inactive: bool,
}

const ORG_COLUMNS: &str =
    "o.id, o.name, o.acronym, o.kind, o.country_iso3, o.website, o.is_active, o.created_at, o.updated_at";

fn organisation_from_row(row: &AnyRow) -> Result<Organisation> {
    let kind: String = row.try_get("kind")?;
    let country: Option<String> = row.try_get("country_iso3")?;
    let active: i64 = row.try_get("is_active")?;
    Ok(Organisation {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        acronym: row.try_get("acronym")?,
        kind: OrganisationKind::parse(&kind)?,
        country: country.as_deref().map(Iso3::parse).transpose()?,
        website: row.try_get("website")?,
        is_active: active != 0,
        platforms: Vec::new(),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Store {
    pub async fn organisations(&self, query: &OrganisationQuery, page: Page) -> Result<(Vec<Organisation>, i64)> {
        let mut filter = Filter::default();
        if let Some(kind) = query.kind {
            filter.push("o.kind = $", kind.code());
        }
        if let Some(country) = query.country {
            filter.push("o.country_iso3 = $", country.to_string());
        }
        if let Some(platform) = &query.platform {
            filter.push(
                "o.id IN (SELECT op.organisation_id FROM organisation_platforms op JOIN platforms p ON p.id = op.platform_id WHERE p.code = $)",
                platform.to_ascii_uppercase(),
            );
        }
        if let Some(search) = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let op = ilike(self.backend);
            filter.push(
                &format!("(o.name {op} $ ESCAPE '\\' OR o.acronym {op} $ ESCAPE '\\')"),
                like_pattern(search),
            );
        }
        if !query.include_inactive {
            filter.push_fixed("o.is_active = 1");
        }
        let clause = filter.where_clause();
        let total: i64 = sqlx::query_with(
            dynamic(format!("SELECT COUNT(*) AS n FROM organisations o{clause}")),
            filter.args(),
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let sql = format!(
            "SELECT {ORG_COLUMNS} FROM organisations o{clause} ORDER BY o.acronym{}",
            filter.limit(page)
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        let mut organisations = rows.iter().map(organisation_from_row).collect::<Result<Vec<_>>>()?;
        self.attach_platforms(&mut organisations).await?;
        Ok((organisations, total))
    }

    pub async fn organisation(&self, id: i64) -> Result<Organisation> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {ORG_COLUMNS} FROM organisations o WHERE o.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("organisation", id))?;
        let mut organisation = vec![organisation_from_row(&row)?];
        self.attach_platforms(&mut organisation).await?;
        organisation
            .pop()
            .ok_or_else(|| StoreError::not_found("organisation", id))
    }

    /// The organisation with this acronym, ignoring case: how the command line names one.
    pub async fn organisation_by_acronym(&self, acronym: &str) -> Result<Option<Organisation>> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {ORG_COLUMNS} FROM organisations o WHERE UPPER(o.acronym) = UPPER($1)"
        )))
        .bind(acronym.trim())
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => self.organisation(organisation_from_row(&row)?.id).await.map(Some),
            None => Ok(None),
        }
    }

    /// How many active accounts belong to the organisation. A count, not personal data.
    pub async fn organisation_user_count(&self, id: i64) -> Result<i64> {
        Ok(
            sqlx::query("SELECT COUNT(*) AS n FROM users WHERE organisation_id = $1 AND is_active = 1")
                .bind(id)
                .fetch_one(&self.pool)
                .await?
                .try_get("n")?,
        )
    }

    /// Every organisation's membership of every platform, ordered by platform then acronym.
    pub async fn platform_members(&self) -> Result<Vec<PlatformMember>> {
        let rows = sqlx::query(
            "SELECT op.platform_id, o.id, o.acronym, o.name, o.is_active
             FROM organisation_platforms op JOIN organisations o ON o.id = op.organisation_id
             ORDER BY op.platform_id, o.acronym",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PlatformMember {
                    platform_id: row.try_get("platform_id")?,
                    organisation_id: row.try_get("id")?,
                    acronym: row.try_get("acronym")?,
                    name: row.try_get("name")?,
                    is_active: row.try_get::<i64, _>("is_active")? != 0,
                })
            })
            .collect()
    }

    async fn attach_platforms(&self, organisations: &mut [Organisation]) -> Result<()> {
        if organisations.is_empty() {
            return Ok(());
        }
        // Only the memberships of the organisations at hand: a page, not the whole table.
        let mut filter = Filter::default();
        let ids: Vec<String> = organisations.iter().map(|o| filter.bind(o.id)).collect();
        let sql = format!(
            "SELECT op.organisation_id, p.code FROM organisation_platforms op JOIN platforms p ON p.id = op.platform_id
             WHERE op.organisation_id IN ({}) ORDER BY p.code",
            ids.join(", ")
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        for row in rows {
            let id: i64 = row.try_get("organisation_id")?;
            if let Some(org) = organisations.iter_mut().find(|o| o.id == id) {
                org.platforms.push(row.try_get("code")?);
            }
        }
        Ok(())
    }

    pub async fn create_organisation(&self, actor: &Actor, input: &OrganisationInput) -> Result<Organisation> {
        let org = input.validate()?;
        let mut tx = self.pool.begin().await?;
        let at = now();
        let id: i64 = sqlx::query(
            "INSERT INTO organisations (name, acronym, kind, country_iso3, website, is_active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(&org.name)
        .bind(&org.acronym)
        .bind(org.kind.code())
        .bind(org.country.map(|c| c.to_string()))
        .bind(&org.website)
        .bind(i64::from(org.is_active))
        .bind(&at)
        .fetch_one(&mut *tx)
        .await
        .map_err(conflict_on_unique(|| {
            format!("an organisation with the acronym '{}' already exists", org.acronym)
        }))?
        .try_get("id")?;
        set_platforms(tx.acquire().await?, id, &org.platforms).await?;
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::Organisation,
            Some(&id.to_string()),
            &format!("created organisation {}", org.acronym),
        )
        .await?;
        tx.commit().await?;
        self.organisation(id).await
    }

    pub async fn update_organisation(&self, actor: &Actor, id: i64, input: &OrganisationInput) -> Result<Organisation> {
        let org = input.validate()?;
        let before = self.organisation(id).await?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE organisations SET name = $1, acronym = $2, kind = $3, country_iso3 = $4, website = $5, is_active = $6, updated_at = $7
             WHERE id = $8",
        )
        .bind(&org.name)
        .bind(&org.acronym)
        .bind(org.kind.code())
        .bind(org.country.map(|c| c.to_string()))
        .bind(&org.website)
        .bind(i64::from(org.is_active))
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(conflict_on_unique(|| format!("an organisation with the acronym '{}' already exists", org.acronym)))?;
        set_platforms(tx.acquire().await?, id, &org.platforms).await?;
        let summary = Changes::default()
            .field("name", &before.name, &org.name)
            .field("acronym", &before.acronym, &org.acronym)
            .field("type", &before.kind, &org.kind)
            .field("country", &before.country, &org.country)
            .field("website", &before.website, &org.website)
            .field("active", &before.is_active, &org.is_active)
            .field("platforms", &before.platforms, &org.platforms)
            .summary();
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::Organisation,
            Some(&id.to_string()),
            &summary,
        )
        .await?;
        tx.commit().await?;
        self.organisation(id).await
    }

    pub async fn platforms(&self) -> Result<Vec<Platform>> {
        let rows = sqlx::query("SELECT id, code, name, kind FROM platforms ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        let countries = sqlx::query("SELECT platform_id, country_iso3 FROM platform_countries ORDER BY country_iso3")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                let kind: String = row.try_get("kind")?;
                let mut platform_countries = Vec::new();
                for c in &countries {
                    if c.try_get::<i64, _>("platform_id")? == id {
                        platform_countries.push(Iso3::parse(&c.try_get::<String, _>("country_iso3")?)?);
                    }
                }
                Ok(Platform {
                    id,
                    code: row.try_get("code")?,
                    name: row.try_get("name")?,
                    kind: PlatformKind::parse(&kind)?,
                    countries: platform_countries,
                })
            })
            .collect()
    }

    pub async fn create_platform(
        &self,
        actor: &Actor,
        code: &str,
        name: &str,
        kind: PlatformKind,
        countries: &[Iso3],
    ) -> Result<Platform> {
        let code = required_text("platform code", code, 40)?.to_ascii_uppercase();
        let name = required_text("platform name", name, 200)?;
        let mut tx = self.pool.begin().await?;
        let id: i64 =
            sqlx::query("INSERT INTO platforms (code, name, kind, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(&code)
                .bind(&name)
                .bind(kind.code())
                .bind(now())
                .fetch_one(&mut *tx)
                .await
                .map_err(conflict_on_unique(|| {
                    format!("a platform with the code '{code}' already exists")
                }))?
                .try_get("id")?;
        for country in countries {
            sqlx::query("INSERT INTO platform_countries (platform_id, country_iso3) VALUES ($1, $2)")
                .bind(id)
                .bind(country.to_string())
                .execute(&mut *tx)
                .await?;
        }
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::Platform,
            Some(&id.to_string()),
            &format!("created platform {code}"),
        )
        .await?;
        tx.commit().await?;
        self.platforms()
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| StoreError::not_found("platform", id))
    }
}

/// Replaces the platform memberships of an organisation; unknown platform codes are refused.
async fn set_platforms(conn: &mut sqlx::AnyConnection, organisation: i64, codes: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM organisation_platforms WHERE organisation_id = $1")
        .bind(organisation)
        .execute(&mut *conn)
        .await?;
    for code in codes {
        let platform: Option<i64> = sqlx::query("SELECT id FROM platforms WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut *conn)
            .await?
            .map(|row| row.try_get("id"))
            .transpose()?;
        let platform = platform.ok_or_else(|| StoreError::not_found("platform", code))?;
        sqlx::query("INSERT INTO organisation_platforms (organisation_id, platform_id) VALUES ($1, $2)")
            .bind(organisation)
            .bind(platform)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
