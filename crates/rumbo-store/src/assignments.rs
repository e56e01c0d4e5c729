//! Staff assigned to places: enumerators to flow monitoring points (`flow_assignments`) and to
//! registration desks (`desk_assignments`). Both tables have the same shape; each caller checks
//! who may be assigned where and writes its own audit entry.

use rumbo_domain::audit::Actor;
use sqlx::AnyConnection;

use crate::query::dynamic;
use crate::{Result, now};

/// Which assignments.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Assignments {
    FlowPoints,
    RegistrationDesks,
}

impl Assignments {
    fn table(self) -> &'static str {
        match self {
            Assignments::FlowPoints => "flow_assignments",
            Assignments::RegistrationDesks => "desk_assignments",
        }
    }

    /// Assigns `user_id` to `location_id`, or takes the assignment away; true when that
    /// changed anything (assigning twice, or removing what is not there, changes nothing).
    pub(crate) async fn set(
        self,
        conn: &mut AnyConnection,
        actor: &Actor,
        user_id: i64,
        location_id: i64,
        assigned: bool,
    ) -> Result<bool> {
        let table = self.table();
        let done = if assigned {
            sqlx::query(dynamic(format!(
                "INSERT INTO {table} (user_id, location_id, assigned_by, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id, location_id) DO NOTHING"
            )))
            .bind(user_id)
            .bind(location_id)
            .bind(actor.user_id)
            .bind(now())
            .execute(&mut *conn)
            .await?
        } else {
            sqlx::query(dynamic(format!(
                "DELETE FROM {table} WHERE user_id = $1 AND location_id = $2"
            )))
            .bind(user_id)
            .bind(location_id)
            .execute(&mut *conn)
            .await?
        };
        Ok(done.rows_affected() > 0)
    }
}
