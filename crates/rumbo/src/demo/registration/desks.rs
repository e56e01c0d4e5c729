//! Which demo enumerator works at which registration desk: each IOM enumerator at IOM's desk
//! in their town, as flow monitoring assigns them to the points there. Enumerators register,
//! see and correct households only at their desks.

use rumbo_domain::audit::Actor;
use rumbo_store::Store;

/// Desk codes (from `registration_desks.csv`) by enumerator (usernames from `people::LOGINS`).
pub const DESK_ASSIGNMENTS: [(&str, &[&str]); 8] = [
    ("enum.cucuta", &["COL-CUC-RD-OIM"]),
    ("enum.maicao", &["COL-MAI-RD-OIM"]),
    ("enum.ipiales", &["COL-IPI-RD-OIM"]),
    ("enum.tulcan", &["ECU-TUL-RD-OIM"]),
    ("enum.tumbes", &["PER-TUM-RD-OIM"]),
    ("enum.pacaraima", &["BRA-PAC-RD-OIM"]),
    ("enum.arica", &["CHL-ARI-RD-OIM"]),
    ("enum.darien", &["PAN-DAR-RD-OIM"]),
];

/// Assigns the demo enumerators to their desks (the desks and accounts exist already).
pub async fn assign(store: &Store) -> anyhow::Result<()> {
    let actor = Actor::system("cli");
    for (username, codes) in DESK_ASSIGNMENTS {
        let Some(user) = store.user_id_by_username(username).await? else {
            continue;
        };
        for code in codes {
            let desk = store.location_by_code(code).await?;
            store.set_desk_assignment(&actor, user, desk.id, true).await?;
        }
    }
    Ok(())
}
