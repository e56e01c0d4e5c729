//! Writing people in batches: the columns of households and members, a member's row with its
//! personal fields sealed, its needs and documents (with blind indexes), and the flags raised
//! when a document is held by someone else too.

use std::collections::HashMap;

use rumbo_domain::Vocabulary;
use rumbo_domain::registration::people::format_date;
use sqlx::{AnyConnection, Row};

use super::batch::{Batch, Cell};
use super::columns;
use crate::query::dynamic;
use crate::vault::Vault;
use crate::{Result, now};

pub(crate) const HOUSEHOLD_COLUMNS: &[&str] = &[
    "id",
    "country_iso3",
    "desk_id",
    "organisation_id",
    "status",
    "population_group",
    "arrival_date",
    "previous_country",
    "previous_area",
    "adm1_pcode",
    "adm2_pcode",
    "position_enc",
    "child_headed",
    "meals",
    "shelter",
    "water",
    "sanitation",
    "electricity",
    "work",
    "coping",
    "safety",
    "internet",
    "isolation",
    "consent_registration",
    "consent_sharing",
    "consent_referral",
    "registered_at",
    "registered_by",
    "updated_at",
];

pub(crate) const MEMBER_COLUMNS: &[&str] = &[
    "id",
    "household_id",
    "relationship",
    "given_names_enc",
    "first_surname_enc",
    "second_surname_enc",
    "phone_enc",
    "sex",
    "birth_date",
    "birth_date_estimated",
    "nationality",
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_cognition",
    "wg_self_care",
    "wg_communication",
    "status",
    "created_at",
    "updated_at",
];

/// A member's row, sealed.
pub(crate) fn member_cells(
    vault: &Vault,
    id: i64,
    household_id: i64,
    member: &rumbo_domain::registration::Member,
    at: &str,
) -> Result<Vec<Cell>> {
    let mut cells: Vec<Cell> = vec![
        id.into(),
        household_id.into(),
        member.relationship.code().into(),
        vault.seal(columns::GIVEN_NAMES, &member.name.given_names)?.into(),
        vault.seal(columns::FIRST_SURNAME, &member.name.first_surname)?.into(),
        vault
            .seal_opt(columns::SECOND_SURNAME, member.name.second_surname.as_deref())?
            .into(),
        vault.seal_opt(columns::PHONE, member.phone.as_deref())?.into(),
        member.sex.code().into(),
        format_date(member.birth.date).into(),
        i64::from(member.birth.estimated).into(),
        member.nationality.to_string().into(),
    ];
    cells.extend(member.washington.0.iter().map(|d| Cell::Int(d.map(|d| d.score()))));
    cells.extend([Cell::from("active"), at.into(), at.into()]);
    Ok(cells)
}

/// The batches a registration writes to, and the blind indexes of the documents written.
pub(crate) struct Writers {
    pub members: Batch,
    pub needs: Batch,
    pub documents: Batch,
    pub events: Batch,
    /// (blind index, member id, household id) of every document written.
    pub blinds: Vec<(String, i64, i64)>,
}

impl Writers {
    pub fn new() -> Writers {
        Writers {
            members: Batch::new("household_members", MEMBER_COLUMNS),
            needs: Batch::deferred("member_needs", &["member_id", "need"]),
            documents: Batch::deferred(
                "member_documents",
                &["member_id", "doc_type", "number_enc", "number_blind", "expiry_date"],
            ),
            events: Batch::deferred(
                "registration_events",
                &[
                    "household_id",
                    "member_id",
                    "at",
                    "user_id",
                    "kind",
                    "fields",
                    "reason_enc",
                    "before_enc",
                ],
            ),
            blinds: Vec::new(),
        }
    }

    /// Writes a member with its needs and documents.
    pub async fn member(
        &mut self,
        conn: &mut AnyConnection,
        vault: &Vault,
        id: i64,
        household_id: i64,
        member: &rumbo_domain::registration::Member,
        at: &str,
    ) -> Result<()> {
        self.members
            .push(conn, member_cells(vault, id, household_id, member, at)?)
            .await?;
        for need in member.needs.iter() {
            self.needs.push(conn, vec![id.into(), need.code().into()]).await?;
        }
        self.documents(conn, vault, id, household_id, &member.documents).await
    }

    pub async fn documents(
        &mut self,
        conn: &mut AnyConnection,
        vault: &Vault,
        member_id: i64,
        household_id: i64,
        documents: &[rumbo_domain::registration::documents::Document],
    ) -> Result<()> {
        for doc in documents {
            let blind = vault.blind_index(&doc.match_key());
            self.documents
                .push(
                    conn,
                    vec![
                        member_id.into(),
                        doc.doc_type.code().into(),
                        vault.seal(columns::DOCUMENT_NUMBER, &doc.number)?.into(),
                        blind.clone().into(),
                        doc.expiry.map(format_date).into(),
                    ],
                )
                .await?;
            self.blinds.push((blind, member_id, household_id));
        }
        Ok(())
    }

    pub async fn flush(&mut self, conn: &mut AnyConnection) -> Result<()> {
        self.members.flush(conn).await?;
        self.needs.flush(conn).await?;
        self.documents.flush(conn).await?;
        self.events.flush(conn).await?;
        Ok(())
    }
}

/// Flags every document in `blinds` that another member holds too (once per pair: the later
/// member points to the earlier). Returns, by household, the ids of the other households.
pub(crate) async fn flag_duplicates(
    conn: &mut AnyConnection,
    blinds: &[(String, i64, i64)],
) -> Result<HashMap<i64, Vec<i64>>> {
    let mut found: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut wanted: Vec<&str> = blinds.iter().map(|(b, _, _)| b.as_str()).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut holders: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
    for chunk in wanted.chunks(500) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT d.number_blind, d.member_id, m.household_id FROM member_documents d
             JOIN household_members m ON m.id = d.member_id
             WHERE d.number_blind IN ({}) AND m.status = 'active'",
            list.join(", ")
        );
        let mut query = sqlx::query(dynamic(sql));
        for blind in chunk {
            query = query.bind(*blind);
        }
        for row in query.fetch_all(&mut *conn).await? {
            holders
                .entry(row.try_get("number_blind")?)
                .or_default()
                .push((row.try_get("member_id")?, row.try_get("household_id")?));
        }
    }
    let mut flags = Batch::new(
        "review_flags",
        &[
            "kind",
            "household_id",
            "member_id",
            "other_household_id",
            "other_member_id",
            "created_at",
            "status",
        ],
    );
    let at = now();
    for (blind, member, household) in blinds {
        let Some(others) = holders.get(blind) else { continue };
        for (other_member, other_household) in others {
            if other_member < member {
                flags
                    .push(
                        conn,
                        vec![
                            "duplicate_document".into(),
                            (*household).into(),
                            (*member).into(),
                            (*other_household).into(),
                            (*other_member).into(),
                            at.as_str().into(),
                            "open".into(),
                        ],
                    )
                    .await?;
                found.entry(*household).or_default().push(*other_household);
                found.entry(*other_household).or_default().push(*household);
            }
        }
    }
    flags.flush(conn).await?;
    Ok(found)
}
