//! Enumerators' assignments to registration desks: the desks at which an enumerator
//! registers, browses and corrects households (the access policy reads them from
//! [`Subject::desks`](rumbo_domain::access::Subject)). Stored and changed as flow monitoring's
//! point assignments are, each change audited in its own transaction.

use rumbo_domain::audit::{Actor, AuditAction, Entity};
use serde::Serialize;
use sqlx::Row;

use crate::assignments::Assignments;
use crate::audit::record;
use crate::{Result, Store, StoreError};

/// An account assigned to a desk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeskAssignee {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
}

impl Store {
    /// The desks (location ids) `user_id` is assigned to.
    pub async fn assigned_desks(&self, user_id: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT location_id FROM desk_assignments WHERE user_id = $1 ORDER BY location_id")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("location_id")?)).collect()
    }

    /// The accounts assigned to a desk, by username.
    pub async fn desk_assignees(&self, desk_id: i64) -> Result<Vec<DeskAssignee>> {
        let rows = sqlx::query(
            "SELECT u.id, u.username, u.display_name FROM desk_assignments a JOIN users u ON u.id = a.user_id
             WHERE a.location_id = $1 ORDER BY u.username",
        )
        .bind(desk_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DeskAssignee {
                    user_id: r.try_get("id")?,
                    username: r.try_get("username")?,
                    display_name: r.try_get("display_name")?,
                })
            })
            .collect()
    }

    /// Assigns an account to a desk, or takes the assignment away. Only staff of the
    /// organisation that runs the desk can be assigned to it.
    pub async fn set_desk_assignment(&self, actor: &Actor, user_id: i64, desk_id: i64, assigned: bool) -> Result<()> {
        let desk = self.registration_desk(desk_id).await?;
        let user = self.user(user_id).await?;
        if assigned && user.organisation_id != desk.organisation_id {
            return Err(StoreError::Conflict(format!(
                "{} does not work for the organisation that runs desk {}: only its staff can be assigned there",
                user.username, desk.code
            )));
        }
        let mut tx = self.pool.begin().await?;
        let changed = Assignments::RegistrationDesks
            .set(&mut tx, actor, user_id, desk_id, assigned)
            .await?;
        if changed {
            let (action, summary) = if assigned {
                (
                    AuditAction::Create,
                    format!("assigned user {user_id} to desk {}", desk.code),
                )
            } else {
                (
                    AuditAction::Delete,
                    format!("unassigned user {user_id} from desk {}", desk.code),
                )
            };
            record(
                &mut tx,
                actor,
                action,
                Entity::DeskAssignment,
                Some(&format!("{user_id}@{desk_id}")),
                &summary,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
