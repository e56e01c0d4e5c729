//! Households change shape: a couple separates (split), two registrations turn out to be one
//! family (merge), a teenager goes to live with an aunt (move). Each keeps both households'
//! histories: the entries name the other household, and nobody's record is rewritten. Both
//! households must be the same organisation's, in the same country, and stay valid (one
//! head each, a child head acknowledged).

use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::registration::consent::ConsentPurpose;
use rumbo_domain::registration::household::composition_problems;
use rumbo_domain::registration::people::Relationship;
use rumbo_domain::registration::pseudonym::{Kind, encode};
use rumbo_domain::{DomainError, Vocabulary};
use sqlx::Row;

use super::batch::{lock_for_writing, reserve_ids};
use super::edit::{Event, composition, write_event};
use super::households::HouseholdView;
use super::models::{Which, rescore};
use super::{reason, rejected, today};
use crate::audit::record;
use crate::query::dynamic;
use crate::{Result, Store, StoreError, now};

fn same_owner(a: &HouseholdView, b: &HouseholdView) -> Result<()> {
    if a.organisation_id != b.organisation_id || a.country != b.country {
        return Err(StoreError::Conflict(format!(
            "households {} and {} are held by different organisations or countries: people move only between \
             households of one organisation in one country",
            a.code, b.code
        )));
    }
    if a.id == b.id {
        return Err(StoreError::Invalid(DomainError::Invalid(
            "choose another household".into(),
        )));
    }
    Ok(())
}

impl Store {
    /// Moves a member to another household of the same organisation, as `relationship` to its
    /// head. The head cannot move out of a household that has other members: make another
    /// member head first.
    pub async fn move_member(
        &self,
        actor: &Actor,
        member_id: i64,
        to: i64,
        relationship: Relationship,
        why: &str,
    ) -> Result<()> {
        let vault = self.vault()?;
        let why = reason(why)?;
        let from = self.member_household(member_id).await?;
        let source = self.household_view_for_change(from).await?;
        let target = self.household_view_for_change(to).await?;
        same_owner(&source, &target)?;
        let member = source
            .active_members()
            .find(|m| m.id == member_id)
            .ok_or_else(|| StoreError::Conflict("an erased person cannot move".into()))?;
        let today = today();
        let mut problems = composition_problems(&source.details, &composition(&source, None, &[member_id]), today);
        if source.active_members().count() == 1 {
            problems.clear();
        }
        problems.extend(composition_problems(
            &target.details,
            &composition(&target, Some((None, relationship, member.birth)), &[]),
            today,
        ));
        if !problems.is_empty() {
            return Err(rejected("households after the move", problems));
        }
        let code = member.code.clone();
        let mut tx = self.pool.begin().await?;
        lock_for_writing(&mut tx, self.backend).await?;
        sqlx::query("UPDATE household_members SET household_id = $1, relationship = $2, updated_at = $3 WHERE id = $4")
            .bind(to)
            .bind(relationship.code())
            .bind(now())
            .bind(member_id)
            .execute(&mut *tx)
            .await?;
        for (household, kind, related) in [(from, "member_moved_out", to), (to, "member_moved_in", from)] {
            write_event(
                &mut tx,
                vault,
                actor,
                Event {
                    household_id: household,
                    member_id: Some(member_id),
                    kind,
                    fields: vec!["relationship"],
                    reason: Some(&why),
                    before: None,
                    related: Some(related),
                },
            )
            .await?;
        }
        if source.active_members().count() == 1 {
            // The last member left: the household lives on in the other one.
            close_as_merged(&mut tx, from, to).await?;
        }
        rescore(&mut tx, Which::Households(&[from, to])).await?;
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::Person,
            Some(&member_id.to_string()),
            &format!("moved {code} from household {} to {}", source.code, target.code),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Splits `members` off into a new household at the same desk, with `head` (one of them)
    /// as its head. The new household starts with the old one's fields and consent.
    pub async fn split_household(
        &self,
        actor: &Actor,
        id: i64,
        members: &[i64],
        head: i64,
        why: &str,
    ) -> Result<String> {
        let vault = self.vault()?;
        let why = reason(why)?;
        let source = self.household_view_for_change(id).await?;
        let moving: Vec<_> = source.active_members().filter(|m| members.contains(&m.id)).collect();
        if moving.len() != members.len() || members.is_empty() {
            return Err(StoreError::Invalid(DomainError::Invalid(
                "choose one or more members of this household to split off".into(),
            )));
        }
        if moving.len() == source.active_members().count() {
            return Err(StoreError::Invalid(DomainError::Invalid(
                "a split leaves at least one member in the household".into(),
            )));
        }
        if !members.contains(&head) {
            return Err(StoreError::Invalid(DomainError::Invalid(
                "the new head must be one of the members split off".into(),
            )));
        }
        let today = today();
        let mut problems = composition_problems(&source.details, &composition(&source, None, members), today);
        let new_members: Vec<_> = moving
            .iter()
            .map(|m| {
                (
                    if m.id == head {
                        Relationship::Head
                    } else if m.relationship == Relationship::Head {
                        Relationship::OtherRelative
                    } else {
                        m.relationship
                    },
                    m.birth,
                )
            })
            .collect();
        problems.extend(composition_problems(&source.details, &new_members, today));
        if !problems.is_empty() {
            return Err(rejected("households after the split", problems));
        }
        let mut tx = self.pool.begin().await?;
        let new_id = *reserve_ids(&mut tx, self.backend, "households", 1)
            .await?
            .first()
            .ok_or_else(|| StoreError::Corrupt {
                what: "reserved ids",
                detail: "none".into(),
            })?;
        let columns = super::writers::HOUSEHOLD_COLUMNS
            .iter()
            .filter(|c| **c != "id")
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(dynamic(format!(
            "INSERT INTO households (id, {columns}) SELECT $1, {columns} FROM households WHERE id = $2"
        )))
        .bind(new_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE households SET registered_at = $1, registered_by = $2, updated_at = $1, verified_at = NULL, verified_by = NULL WHERE id = $3")
            .bind(now())
            .bind(actor.user_id)
            .bind(new_id)
            .execute(&mut *tx)
            .await?;
        for purpose in ConsentPurpose::ALL {
            sqlx::query(
                "INSERT INTO household_consents (household_id, purpose, given, recorded_at, recorded_by)
                 SELECT $1, purpose, given, $2, $3 FROM household_consents WHERE household_id = $4 AND purpose = $5
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(new_id)
            .bind(now())
            .bind(actor.user_id)
            .bind(id)
            .bind(purpose.code())
            .execute(&mut *tx)
            .await?;
        }
        for member in &moving {
            let relationship = if member.id == head {
                Relationship::Head
            } else if member.relationship == Relationship::Head {
                Relationship::OtherRelative
            } else {
                member.relationship
            };
            sqlx::query(
                "UPDATE household_members SET household_id = $1, relationship = $2, updated_at = $3 WHERE id = $4",
            )
            .bind(new_id)
            .bind(relationship.code())
            .bind(now())
            .bind(member.id)
            .execute(&mut *tx)
            .await?;
        }
        for (household, kind, related) in [(id, "split_off", new_id), (new_id, "split_from", id)] {
            write_event(
                &mut tx,
                vault,
                actor,
                Event {
                    household_id: household,
                    member_id: None,
                    kind,
                    fields: vec!["members"],
                    reason: Some(&why),
                    before: None,
                    related: Some(related),
                },
            )
            .await?;
        }
        rescore(&mut tx, Which::Households(&[id, new_id])).await?;
        let new_code = encode(Kind::Household, new_id);
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::Household,
            Some(&new_id.to_string()),
            &format!(
                "split {} members of household {} into new household {new_code}",
                moving.len(),
                source.code
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(new_code)
    }

    /// Merges household `from` into `into`: its members join `into` (its head as another
    /// relative), and `from` is closed as merged, pointing to `into`.
    pub async fn merge_households(&self, actor: &Actor, into: i64, from: i64, why: &str) -> Result<()> {
        let vault = self.vault()?;
        let why = reason(why)?;
        let target = self.household_view_for_change(into).await?;
        let source = self.household_view_for_change(from).await?;
        same_owner(&target, &source)?;
        let mut tx = self.pool.begin().await?;
        lock_for_writing(&mut tx, self.backend).await?;
        sqlx::query(
            "UPDATE household_members SET household_id = $1, updated_at = $2,
                 relationship = CASE WHEN relationship = 'head' THEN 'other_relative' ELSE relationship END
             WHERE household_id = $3",
        )
        .bind(into)
        .bind(now())
        .bind(from)
        .execute(&mut *tx)
        .await?;
        close_as_merged(&mut tx, from, into).await?;
        for (household, kind, related) in [(into, "merged_in", from), (from, "merged_into", into)] {
            write_event(
                &mut tx,
                vault,
                actor,
                Event {
                    household_id: household,
                    member_id: None,
                    kind,
                    fields: vec!["members"],
                    reason: Some(&why),
                    before: None,
                    related: Some(related),
                },
            )
            .await?;
        }
        rescore(&mut tx, Which::Households(&[into])).await?;
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::Household,
            Some(&into.to_string()),
            &format!("merged household {} into {}", source.code, target.code),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// How many households each organisation holds in each country: for checks in tests and
    /// the demo's summary.
    pub async fn household_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM households")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }
}

async fn close_as_merged(conn: &mut sqlx::AnyConnection, from: i64, into: i64) -> Result<()> {
    sqlx::query("UPDATE households SET status = 'merged', merged_into = $1, updated_at = $2 WHERE id = $3")
        .bind(into)
        .bind(now())
        .bind(from)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM vulnerability_scores WHERE household_id = $1")
        .bind(from)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
