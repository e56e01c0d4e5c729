//! Changing the people of a household: correcting a member (names, documents, needs...) and
//! adding one. A document new to a person that someone else holds too is flagged, as at
//! registration; the history keeps the fields changed, the reason and the earlier values.

use rumbo_domain::Vocabulary;
use rumbo_domain::audit::{Actor, AuditAction, Entity};
use rumbo_domain::registration::household::{Member, MemberInput, composition_problems};
use rumbo_domain::registration::people::format_date;
use rumbo_domain::registration::pseudonym::{Kind, encode};

use super::batch::{Cell, lock_for_writing, reserve_ids};
use super::edit::{Event, composition, differences, write_event};
use super::households::MemberView;
use super::models::{Which, rescore};
use super::writers::{Writers, flag_duplicates, member_cells};
use super::{reason, rejected, today};
use crate::audit::record;
use crate::{Result, Store, StoreError, now};

fn member_pairs(old: &MemberView, new: &Member) -> Vec<(&'static str, String, String)> {
    let name = |n: Option<&rumbo_domain::registration::people::PersonName>| {
        n.map(|n| {
            (
                n.given_names.clone(),
                n.first_surname.clone(),
                n.second_surname.clone().unwrap_or_default(),
            )
        })
        .unwrap_or_default()
    };
    let (og, of, os) = name(old.name.as_ref());
    let (ng, nf, ns) = name(Some(&new.name));
    let docs = |list: Vec<String>| list.join("; ");
    vec![
        (
            "relationship",
            old.relationship.code().into(),
            new.relationship.code().into(),
        ),
        ("given_names", og, ng),
        ("first_surname", of, nf),
        ("second_surname", os, ns),
        ("sex", old.sex.code().into(), new.sex.code().into()),
        ("birth_date", format_date(old.birth.date), format_date(new.birth.date)),
        ("nationality", old.nationality.to_string(), new.nationality.to_string()),
        (
            "phone",
            old.phone.clone().unwrap_or_default(),
            new.phone.clone().unwrap_or_default(),
        ),
        ("needs", old.needs.codes(), new.needs.codes()),
        (
            "washington_group",
            format!("{:?}", old.washington.0),
            format!("{:?}", new.washington.0),
        ),
        (
            "documents",
            docs(
                old.documents
                    .iter()
                    .map(|d| format!("{} {}", d.doc_type.code(), d.number.clone().unwrap_or_default()))
                    .collect(),
            ),
            docs(
                new.documents
                    .iter()
                    .map(|d| format!("{} {}", d.doc_type.code(), d.number))
                    .collect(),
            ),
        ),
    ]
}

impl Store {
    /// Corrects a member, saying why. Documents are replaced by those given; a document new to
    /// this person that someone else holds too is flagged.
    pub async fn edit_member(
        &self,
        actor: &Actor,
        member_id: i64,
        input: &MemberInput,
        why: &str,
    ) -> Result<Vec<&'static str>> {
        let vault = self.vault()?;
        let why = reason(why)?;
        let household_id = self.member_household(member_id).await?;
        let view = self.household_view_for_change(household_id).await?;
        let old = view
            .active_members()
            .find(|m| m.id == member_id)
            .cloned()
            .ok_or_else(|| {
                StoreError::Conflict(format!(
                    "{} was erased: it can no longer be changed",
                    encode(Kind::Person, member_id)
                ))
            })?;
        let today = today();
        let member = input.validate(today).map_err(|p| rejected("person", p))?;
        let problems = composition_problems(
            &view.details,
            &composition(&view, Some((Some(member_id), member.relationship, member.birth)), &[]),
            today,
        );
        if !problems.is_empty() {
            return Err(rejected("household", problems));
        }
        let (fields, before) = differences(&member_pairs(&old, &member));
        let mut tx = self.pool.begin().await?;
        lock_for_writing(&mut tx, self.backend).await?;
        let cells = member_cells(vault, member_id, household_id, &member, &now())?;
        let value = |i: usize| match &cells[i] {
            Cell::Text(v) => v.clone(),
            _ => None,
        };
        sqlx::query(
            "UPDATE household_members SET relationship = $1, given_names_enc = $2, first_surname_enc = $3,
                 second_surname_enc = $4, phone_enc = $5, sex = $6, birth_date = $7, birth_date_estimated = $8,
                 nationality = $9, wg_seeing = $10, wg_hearing = $11, wg_walking = $12, wg_cognition = $13,
                 wg_self_care = $14, wg_communication = $15, updated_at = $16 WHERE id = $17",
        )
        .bind(member.relationship.code())
        .bind(value(3))
        .bind(value(4))
        .bind(value(5))
        .bind(value(6))
        .bind(member.sex.code())
        .bind(format_date(member.birth.date))
        .bind(i64::from(member.birth.estimated))
        .bind(member.nationality.to_string())
        .bind(member.washington.0[0].map(|d| d.score()))
        .bind(member.washington.0[1].map(|d| d.score()))
        .bind(member.washington.0[2].map(|d| d.score()))
        .bind(member.washington.0[3].map(|d| d.score()))
        .bind(member.washington.0[4].map(|d| d.score()))
        .bind(member.washington.0[5].map(|d| d.score()))
        .bind(now())
        .bind(member_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM member_needs WHERE member_id = $1")
            .bind(member_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM member_documents WHERE member_id = $1")
            .bind(member_id)
            .execute(&mut *tx)
            .await?;
        let mut writers = Writers::new();
        for need in member.needs.iter() {
            writers
                .needs
                .push(&mut tx, vec![member_id.into(), need.code().into()])
                .await?;
        }
        writers
            .documents(&mut tx, vault, member_id, household_id, &member.documents)
            .await?;
        writers.flush(&mut tx).await?;
        let known: Vec<String> = old
            .documents
            .iter()
            .filter_map(|d| {
                d.number
                    .as_ref()
                    .map(|n| vault.blind_index(&format!("{}:{n}", d.doc_type.code())))
            })
            .collect();
        let new_blinds: Vec<(String, i64, i64)> = writers
            .blinds
            .into_iter()
            .filter(|(b, _, _)| !known.contains(b))
            .collect();
        flag_duplicates(&mut tx, &new_blinds).await?;
        write_event(
            &mut tx,
            vault,
            actor,
            Event {
                household_id,
                member_id: Some(member_id),
                kind: "member_edited",
                fields: fields.clone(),
                reason: Some(&why),
                before: Some(before),
                related: None,
            },
        )
        .await?;
        rescore(&mut tx, Which::Households(&[household_id])).await?;
        let summary = format!(
            "edited {} of household {}: changed {}",
            old.code,
            view.code,
            if fields.is_empty() {
                "nothing".to_owned()
            } else {
                fields.join(", ")
            }
        );
        record(
            &mut tx,
            actor,
            AuditAction::Update,
            Entity::Person,
            Some(&member_id.to_string()),
            &summary,
        )
        .await?;
        tx.commit().await?;
        Ok(fields)
    }

    /// Adds a member to a household (a birth, someone who joined), saying why.
    pub async fn add_member(&self, actor: &Actor, household_id: i64, input: &MemberInput, why: &str) -> Result<String> {
        let vault = self.vault()?;
        let why = reason(why)?;
        let view = self.household_view_for_change(household_id).await?;
        let today = today();
        let member = input.validate(today).map_err(|p| rejected("person", p))?;
        let problems = composition_problems(
            &view.details,
            &composition(&view, Some((None, member.relationship, member.birth)), &[]),
            today,
        );
        if !problems.is_empty() {
            return Err(rejected("household", problems));
        }
        let mut tx = self.pool.begin().await?;
        let ids = reserve_ids(&mut tx, self.backend, "household_members", 1).await?;
        let member_id = *ids.first().ok_or_else(|| StoreError::Corrupt {
            what: "reserved ids",
            detail: "none".into(),
        })?;
        let mut writers = Writers::new();
        writers
            .member(&mut tx, vault, member_id, household_id, &member, &now())
            .await?;
        writers.flush(&mut tx).await?;
        flag_duplicates(&mut tx, &writers.blinds).await?;
        write_event(
            &mut tx,
            vault,
            actor,
            Event {
                household_id,
                member_id: Some(member_id),
                kind: "member_added",
                fields: vec![],
                reason: Some(&why),
                before: None,
                related: None,
            },
        )
        .await?;
        rescore(&mut tx, Which::Households(&[household_id])).await?;
        let code = encode(Kind::Person, member_id);
        record(
            &mut tx,
            actor,
            AuditAction::Create,
            Entity::Person,
            Some(&member_id.to_string()),
            &format!("added {code} to household {}", view.code),
        )
        .await?;
        tx.commit().await?;
        self.suggest_matches_after(actor, household_id, Some(member_id)).await;
        Ok(code)
    }
}
