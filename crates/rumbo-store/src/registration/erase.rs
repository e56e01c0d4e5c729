//! Erasure on request. A person (or a whole household) asks to be forgotten: their names,
//! phone, document numbers and the blind indexes of those numbers, the household's position,
//! and the reasons and earlier values kept in its history are removed. What remains — sex,
//! age, nationality, specific needs, that a document of some type was held, that assistance
//! was given — identifies nobody, and keeps every figure Rumbo has published true: an erased
//! person is still counted among the people registered.

use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::registration::people::Relationship;
use rumbo_domain::registration::pseudonym::{Kind, encode};
use sqlx::AnyConnection;

use super::batch::lock_for_writing;
use super::edit::{Event, write_event};
use super::models::{Which, rescore};
use crate::audit::record;
use crate::{Result, Store, StoreError, now};

/// Empties one member's personal fields.
async fn erase_member_fields(conn: &mut AnyConnection, member_id: i64, at: &str) -> Result<()> {
    sqlx::query(
        "UPDATE household_members SET given_names_enc = NULL, first_surname_enc = NULL, second_surname_enc = NULL,
             phone_enc = NULL, status = 'erased', erased_at = $1, updated_at = $1 WHERE id = $2",
    )
    .bind(at)
    .bind(member_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE member_documents SET number_enc = NULL, number_blind = NULL WHERE member_id = $1")
        .bind(member_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE registration_events SET reason_enc = NULL, before_enc = NULL WHERE member_id = $1")
        .bind(member_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Erases one person's personal data. The head cannot be erased alone: erase the
    /// household, or make another member head first.
    pub async fn erase_member(&self, actor: &Actor, member_id: i64) -> Result<()> {
        let vault = self.vault()?;
        let household_id = self.member_household(member_id).await?;
        let view = self
            .household_view_internal(household_id, super::Disclosure::Pseudonymous)
            .await?;
        let member = view
            .members
            .iter()
            .find(|m| m.id == member_id)
            .ok_or_else(|| StoreError::not_found("person", encode(Kind::Person, member_id)))?;
        if member.status == "erased" {
            return Err(StoreError::Conflict(format!("{} is erased already", member.code)));
        }
        if member.relationship == Relationship::Head && view.active_members().count() > 1 {
            return Err(StoreError::Conflict(format!(
                "{} is the head of household {}: erase the whole household, or make another member head first",
                member.code, view.code
            )));
        }
        if view.active_members().count() == 1 {
            return self.erase_household(actor, household_id).await;
        }
        let at = now();
        let mut tx = self.pool.begin().await?;
        lock_for_writing(&mut tx, self.backend).await?;
        erase_member_fields(&mut tx, member_id, &at).await?;
        write_event(
            &mut tx,
            vault,
            actor,
            Event {
                household_id,
                member_id: Some(member_id),
                kind: "member_erased",
                fields: vec![],
                reason: None,
                before: None,
                related: None,
            },
        )
        .await?;
        rescore(&mut tx, Which::Households(&[household_id])).await?;
        record(
            &mut tx,
            actor,
            AuditAction::Delete,
            Entity::Person,
            Some(&member_id.to_string()),
            &format!(
                "erased the personal data of {} of household {} on request",
                member.code, view.code
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Erases the personal data of a whole household. It leaves lists, its score is removed,
    /// and it stays in the figures.
    pub async fn erase_household(&self, actor: &Actor, id: i64) -> Result<()> {
        let key = self.household_key(id).await?;
        if key.status == "erased" {
            return Err(StoreError::Conflict(format!(
                "household {} is erased already",
                key.code
            )));
        }
        let at = now();
        let mut tx = self.pool.begin().await?;
        lock_for_writing(&mut tx, self.backend).await?;
        let members: Vec<i64> = sqlx::query("SELECT id FROM household_members WHERE household_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| sqlx::Row::try_get::<i64, _>(r, "id"))
            .collect::<std::result::Result<_, _>>()?;
        for member in &members {
            erase_member_fields(&mut tx, *member, &at).await?;
        }
        sqlx::query("UPDATE households SET position_enc = NULL, status = 'erased', erased_at = $1, updated_at = $1 WHERE id = $2")
            .bind(&at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE registration_events SET reason_enc = NULL, before_enc = NULL WHERE household_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM vulnerability_scores WHERE household_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE review_flags SET status = 'erased', reviewed_at = $1 WHERE (household_id = $2 OR other_household_id = $2)
               AND status = 'open'",
        )
        .bind(&at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO registration_events (household_id, at, user_id, kind, fields) VALUES ($1, $2, $3, 'erased', '')",
        )
        .bind(id)
        .bind(&at)
        .bind(actor.user_id)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            AuditAction::Delete,
            Entity::Household,
            Some(&id.to_string()),
            &format!(
                "erased the personal data of household {} ({} people) on request",
                key.code,
                members.len()
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
