use rumbo_domain::access::{Grant, Role, Scope, Subject, Target, UserReach};
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::error::{optional_text, required_text};
use rumbo_domain::language::Language;
use rumbo_domain::{DomainError, Vocabulary};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::audit::{Changes, record};
use crate::credentials::{dummy_hash, hash_password, token_hash, verify_password};
use crate::dialect::{ilike, like_pattern};
use crate::error::conflict_on_unique;
use crate::query::{Filter, dynamic};
use crate::{Page, Result, Store, StoreError, now};

/// A user account. Names and e-mail addresses are personal data: views of them are audited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub organisation_id: i64,
    pub organisation_acronym: String,
    pub language: Option<Language>,
    pub is_active: bool,
    pub grants: Vec<Grant>,
    /// The registration desks (location ids) the account is assigned to; loaded with the
    /// account for access checks ([`Store::user`]), empty in lists.
    pub desks: Vec<i64>,
    pub created_at: String,
    pub last_sign_in_at: Option<String>,
}

impl User {
    pub fn subject(&self) -> Subject {
        Subject {
            user_id: self.id,
            organisation_id: self.organisation_id,
            grants: if self.is_active {
                self.grants.clone()
            } else {
                Vec::new()
            },
            desks: self.desks.clone(),
        }
    }

    /// The countries this user holds any role in (their country of work, for access checks).
    pub fn countries(&self) -> Vec<Iso3> {
        let mut countries: Vec<Iso3> = self.grants.iter().filter_map(|g| g.scope.country()).collect();
        countries.sort();
        countries.dedup();
        countries
    }
}

/// A new account as a form or an API call gives it.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub organisation_id: i64,
    pub password: String,
    pub language: Option<Language>,
    pub grants: Vec<Grant>,
}

/// Changes to an account's profile; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub display_name: Option<String>,
    pub email: Option<Option<String>>,
    pub organisation_id: Option<i64>,
    pub language: Option<Option<Language>>,
    pub is_active: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub organisation_id: Option<i64>,
    pub role: Option<Role>,
    /// Users holding any role in one of these countries (or region-wide).
    pub countries: Option<Vec<Iso3>>,
    pub search: Option<String>,
    pub include_inactive: bool,
    /// The accounts the viewer may see at all (from `Subject::user_reach`); `None` for the
    /// system itself. Applied on top of the other filters.
    pub reach: Option<UserReach>,
}

/// Usernames: 3 to 40 characters, lower-case letters, digits, `.`, `_` and `-`.
pub fn parse_username(raw: &str) -> Result<String, DomainError> {
    let name = raw.trim().to_lowercase();
    let valid = (3..=40).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'));
    if valid {
        Ok(name)
    } else {
        Err(DomainError::Invalid(
            "a username has 3 to 40 characters: letters, digits, '.', '_' or '-'".into(),
        ))
    }
}

/// An e-mail address: blank for none, otherwise something@somewhere, at most 200 characters.
/// Deliverability is not checked; the rule catches a name typed into the wrong field.
pub fn parse_email(raw: Option<&str>) -> Result<Option<String>, DomainError> {
    let Some(email) = optional_text("e-mail", raw, 200)? else {
        return Ok(None);
    };
    match email.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && domain.contains('.') && !email.chars().any(char::is_whitespace) =>
        {
            Ok(Some(email))
        }
        _ => Err(DomainError::Invalid(
            "an e-mail address looks like name@example.org".into(),
        )),
    }
}

impl User {
    /// What showing or changing this account touches, for the access policy: the countries
    /// it holds roles in and its organisation.
    pub fn as_target(&self) -> Target {
        Target {
            countries: self.countries(),
            organisation: Some(self.organisation_id),
            ..Target::default()
        }
    }
}

const USER_COLUMNS: &str =
    "u.id, u.username, u.display_name, u.email, u.organisation_id, o.acronym AS organisation_acronym,
     u.language, u.is_active, u.created_at, u.last_sign_in_at";

fn user_from_row(row: &AnyRow) -> Result<User> {
    let language: Option<String> = row.try_get("language")?;
    let active: i64 = row.try_get("is_active")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        email: row.try_get("email")?,
        organisation_id: row.try_get("organisation_id")?,
        organisation_acronym: row.try_get("organisation_acronym")?,
        language: language.as_deref().and_then(Language::parse),
        is_active: active != 0,
        grants: Vec::new(),
        desks: Vec::new(),
        created_at: row.try_get("created_at")?,
        last_sign_in_at: row.try_get("last_sign_in_at")?,
    })
}

fn grant_from_row(row: &AnyRow) -> Result<Grant> {
    let role: String = row.try_get("role")?;
    let country: Option<String> = row.try_get("country_iso3")?;
    Ok(Grant {
        role: Role::parse(&role)?,
        scope: Scope::from_country(country.as_deref().map(Iso3::parse).transpose()?),
    })
}

impl Store {
    /// A user by id, for the system's own use (authentication, access checks): not audited.
    /// Showing the record to someone goes through [`Store::view_user`].
    pub async fn user(&self, id: i64) -> Result<User> {
        let row = sqlx::query(dynamic(format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id WHERE u.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("user", id))?;
        let mut user = user_from_row(&row)?;
        user.grants = self.grants_of(user.id).await?;
        user.desks = self.assigned_desks(user.id).await?;
        Ok(user)
    }

    /// A user shown to `actor`: the view is audited.
    pub async fn view_user(&self, actor: &Actor, id: i64) -> Result<User> {
        let user = self.user(id).await?;
        let mut conn = self.pool.acquire().await?;
        record(
            &mut conn,
            actor,
            AuditAction::Read,
            Entity::User,
            Some(&id.to_string()),
            "viewed user profile",
        )
        .await?;
        Ok(user)
    }

    pub async fn user_id_by_username(&self, username: &str) -> Result<Option<i64>> {
        Ok(sqlx::query("SELECT id FROM users WHERE username = $1")
            .bind(username.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?
            .map(|row| row.try_get("id"))
            .transpose()?)
    }

    async fn grants_of(&self, user: i64) -> Result<Vec<Grant>> {
        let rows = sqlx::query("SELECT role, country_iso3 FROM role_grants WHERE user_id = $1")
            .bind(user)
            .fetch_all(&self.pool)
            .await?;
        let mut grants = rows.iter().map(grant_from_row).collect::<Result<Vec<_>>>()?;
        grants.sort();
        Ok(grants)
    }

    /// Users matching `query`, shown to `actor`: the listing is audited, since it shows names.
    pub async fn users(&self, actor: &Actor, query: &UserQuery, page: Page) -> Result<(Vec<User>, i64)> {
        let mut filter = Filter::default();
        if let Some(org) = query.organisation_id {
            filter.push("u.organisation_id = $", org);
        }
        if let Some(role) = query.role {
            filter.push(
                "u.id IN (SELECT g.user_id FROM role_grants g WHERE g.role = $)",
                role.code(),
            );
        }
        if let Some(countries) = &query.countries {
            let placeholders: Vec<String> = countries.iter().map(|c| filter.bind(c.to_string())).collect();
            let list = if placeholders.is_empty() {
                "NULL".to_owned()
            } else {
                placeholders.join(", ")
            };
            filter.push_fixed(&format!(
                "u.id IN (SELECT g.user_id FROM role_grants g WHERE g.country_iso3 IN ({list}))"
            ));
        }
        if let Some(UserReach::Limited {
            countries,
            organisation,
        }) = &query.reach
        {
            let mut within = Vec::new();
            if !countries.is_empty() {
                let list: Vec<String> = countries.iter().map(|c| filter.bind(c.to_string())).collect();
                within.push(format!(
                    "u.id IN (SELECT g.user_id FROM role_grants g WHERE g.country_iso3 IN ({}))",
                    list.join(", ")
                ));
            }
            if let Some(org) = organisation {
                within.push(format!("u.organisation_id = {}", filter.bind(*org)));
            }
            if within.is_empty() {
                filter.push_fixed("1 = 0");
            } else {
                filter.push_fixed(&format!("({})", within.join(" OR ")));
            }
        }
        if let Some(search) = query.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let op = ilike(self.backend);
            filter.push(
                &format!("(u.username {op} $ ESCAPE '\\' OR u.display_name {op} $ ESCAPE '\\')"),
                like_pattern(search),
            );
        }
        if !query.include_inactive {
            filter.push_fixed("u.is_active = 1");
        }
        let clause = filter.where_clause();
        let total: i64 = sqlx::query_with(
            dynamic(format!("SELECT COUNT(*) AS n FROM users u{clause}")),
            filter.args(),
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id{clause} ORDER BY u.username{}",
            filter.limit(page)
        );
        let rows = sqlx::query_with(dynamic(sql), filter.into_args())
            .fetch_all(&self.pool)
            .await?;
        let mut users = rows.iter().map(user_from_row).collect::<Result<Vec<_>>>()?;
        for user in &mut users {
            user.grants = self.grants_of(user.id).await?;
        }
        let mut conn = self.pool.acquire().await?;
        record(
            &mut conn,
            actor,
            AuditAction::Read,
            Entity::User,
            None,
            &format!("listed {} users", users.len()),
        )
        .await?;
        Ok((users, total))
    }

    pub async fn create_user(&self, actor: &Actor, new: &NewUser) -> Result<User> {
        let username = parse_username(&new.username)?;
        let display_name = required_text("display name", &new.display_name, 120)?;
        let email = parse_email(new.email.as_deref())?;
        let password_hash = hash_password(&new.password)?;
        let mut tx = self.pool.begin().await?;
        let at = now();
        let id: i64 = sqlx::query(
            "INSERT INTO users (username, display_name, email, organisation_id, password_hash, language, is_active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING id",
        )
        .bind(&username)
        .bind(&display_name)
        .bind(&email)
        .bind(new.organisation_id)
        .bind(&password_hash)
        .bind(new.language.map(|l| l.code()))
        .bind(&at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::not_found("organisation", new.organisation_id),
            _ => conflict_on_unique(|| format!("the username '{username}' is already taken"))(e),
        })?
        .try_get("id")?;
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::User,
            Some(&id.to_string()),
            &format!("created user {username}"),
        )
        .await?;
        for grant in &new.grants {
            insert_grant(&mut tx, actor, id, *grant).await?;
        }
        tx.commit().await?;
        self.user(id).await
    }

    pub async fn update_user(&self, actor: &Actor, id: i64, patch: &UserPatch) -> Result<User> {
        let before = self.user(id).await?;
        let mut user = before.clone();
        if let Some(name) = &patch.display_name {
            user.display_name = required_text("display name", name, 120)?;
        }
        if let Some(email) = &patch.email {
            user.email = parse_email(email.as_deref())?;
        }
        if let Some(org) = patch.organisation_id {
            user.organisation_id = org;
        }
        if let Some(language) = patch.language {
            user.language = language;
        }
        if let Some(active) = patch.is_active {
            user.is_active = active;
        }
        // Field names only: the values are personal data.
        let mut changes = Changes::default();
        changes
            .field("display name", &before.display_name, &user.display_name)
            .field("e-mail", &before.email, &user.email)
            .field("organisation", &before.organisation_id, &user.organisation_id)
            .field("language", &before.language, &user.language);
        if user.is_active != before.is_active {
            changes.note(if user.is_active { "reactivated" } else { "deactivated" });
        }
        let summary = changes.summary();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE users SET display_name = $1, email = $2, organisation_id = $3, language = $4, is_active = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(&user.display_name)
        .bind(&user.email)
        .bind(user.organisation_id)
        .bind(user.language.map(|l| l.code()))
        .bind(i64::from(user.is_active))
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::not_found("organisation", user.organisation_id),
            _ => StoreError::Database(e),
        })?;
        if !user.is_active {
            // A deactivated account is signed out everywhere at once.
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::User,
            Some(&id.to_string()),
            &summary,
        )
        .await?;
        tx.commit().await?;
        self.user(id).await
    }

    /// Sets a new password and signs the user out of every session: an administrator's or
    /// manager's reset, after which whoever held the account must sign in again.
    pub async fn set_password(&self, actor: &Actor, id: i64, password: &str) -> Result<()> {
        self.set_password_keeping(actor, id, password, None).await
    }

    /// Whether `password` is the account's current one, asked before the account's own
    /// holder changes it. A wrong answer is recorded, as a failed sign-in would be.
    pub async fn confirm_password(&self, actor: &Actor, id: i64, password: &str) -> Result<bool> {
        let stored: Option<String> = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|row| row.try_get("password_hash"))
            .transpose()?;
        let confirmed = verify_password(password, stored.as_deref().unwrap_or(dummy_hash())) && stored.is_some();
        if !confirmed {
            let mut conn = self.pool.acquire().await?;
            record(
                &mut conn,
                actor,
                AuditAction::SignInFailed,
                Entity::User,
                Some(&id.to_string()),
                "current password not confirmed",
            )
            .await?;
        }
        Ok(confirmed)
    }

    /// Sets a new password and ends every session of the account except the one whose cookie
    /// token is `keep` (the session from which its holder changed it).
    pub async fn set_password_keeping(&self, actor: &Actor, id: i64, password: &str, keep: Option<&str>) -> Result<()> {
        let hash = hash_password(password)?;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(&hash)
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("user", id));
        }
        // Whoever else holds a session of the account may be the reason for the change.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(id)
            .bind(keep.map(token_hash).unwrap_or_default())
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::User,
            Some(&id.to_string()),
            "changed password",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn grant_role(&self, actor: &Actor, user: i64, grant: Grant) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        insert_grant(&mut tx, actor, user, grant).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn revoke_role(&self, actor: &Actor, user: i64, grant: Grant) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let done = match grant.scope.country() {
            Some(country) => {
                sqlx::query("DELETE FROM role_grants WHERE user_id = $1 AND role = $2 AND country_iso3 = $3")
                    .bind(user)
                    .bind(grant.role.code())
                    .bind(country.to_string())
                    .execute(&mut *tx)
                    .await?
            }
            None => {
                sqlx::query("DELETE FROM role_grants WHERE user_id = $1 AND role = $2 AND country_iso3 IS NULL")
                    .bind(user)
                    .bind(grant.role.code())
                    .execute(&mut *tx)
                    .await?
            }
        };
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found(
                "role",
                format!("{} of user {user}", describe(grant)),
            ));
        }
        record(
            &mut tx,
            actor,
            AuditAction::Delete,
            Entity::RoleGrant,
            Some(&user.to_string()),
            &format!("revoked {}", describe(grant)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn describe(grant: Grant) -> String {
    match grant.scope {
        Scope::Region => format!("{} (region)", grant.role.code()),
        Scope::Country(c) => format!("{} in {c}", grant.role.code()),
    }
}

async fn insert_grant(conn: &mut AnyConnection, actor: &Actor, user: i64, grant: Grant) -> Result<()> {
    sqlx::query(
        "INSERT INTO role_grants (user_id, role, country_iso3, granted_by, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user)
    .bind(grant.role.code())
    .bind(grant.scope.country().map(|c| c.to_string()))
    .bind(actor.user_id)
    .bind(now())
    .execute(&mut *conn)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Invalid(DomainError::Invalid(
            format!("cannot grant {}: unknown user or country", describe(grant)),
        )),
        _ => conflict_on_unique(|| format!("the user already holds {}", describe(grant)))(e),
    })?;
    record(
        conn,
        actor,
        AuditAction::Create,
        Entity::RoleGrant,
        Some(&user.to_string()),
        &format!("granted {}", describe(grant)),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses() {
        assert_eq!(
            parse_email(Some(" ana@example.org ")),
            Ok(Some("ana@example.org".into()))
        );
        assert_eq!(parse_email(Some("")), Ok(None));
        assert!(parse_email(Some("Ana Pérez")).is_err());
        assert!(parse_email(Some("@example.org")).is_err());
        assert!(parse_email(Some("ana@localhost")).is_err());
    }

    #[test]
    fn usernames() {
        assert_eq!(parse_username(" Ana.Perez "), Ok("ana.perez".into()));
        assert!(parse_username("ab").is_err());
        assert!(parse_username("ana pérez").is_err());
    }
}
