//! Who may and who may not, over real HTTP: one table of (account, method, path, body,
//! expected status) across the endpoints and pages of the foundation, run against a fresh
//! server with one account of every role (see `helpers::spawn_app`).
//!
//! To extend it, add rows to `TABLE`. Paths and bodies may name seeded records:
//! `{org:NGO-A}` becomes that organisation's id and `{user:viewer}` that account's id.
//! Rows run in order on one server, so a row that changes something (a grant, a new
//! organisation) must keep later rows true; new names keep creations from colliding.
//! Requests carry the account's personal API token, pages included; `anonymous` carries none.
//! Registration rows may also name the records `registration::seed` creates: `{household:A}`
//! (NGO-A's), `{household:B}` (NGO-B's), `{desk:A}`, `{list:A}`...

use super::helpers::{TestApp, spawn_app};

/// (who, method, path, JSON body or "", expected status)
type Row = (&'static str, &'static str, &'static str, &'static str, u16);

const NGO_A: &str = r#"{"name":"NGO-A test organisation","acronym":"NGO-A","kind":"national_ngo","country":"COL"}"#;
const NGO_B: &str = r#"{"name":"NGO-B test organisation","acronym":"NGO-B","kind":"national_ngo","country":"COL"}"#;
const NGO_P: &str = r#"{"name":"NGO-P test organisation","acronym":"NGO-P","kind":"national_ngo","country":"PER"}"#;
const VIEWER_COL: &str = r#"{"role":"viewer","country":"COL"}"#;
const REPORT_NGO_A: &str = r#"{"country":"COL","appealing_org":"NGO-A","month":"2024-01"}"#;
const REPORT_NGO_B: &str = r#"{"country":"COL","appealing_org":"NGO-B","month":"2024-01"}"#;
const REPORT_PER: &str = r#"{"country":"PER","appealing_org":"NGO-A","month":"2024-01"}"#;
const VALIDATE_COL: &str = r#"{"country":"COL","month":"2024-01"}"#;

#[rustfmt::skip]
const TABLE: &[Row] = &[
    // Nobody signed in: the API says 401, pages send people to the sign-in form.
    ("anonymous", "GET", "/api/v1/organisations", "", 401),
    ("anonymous", "GET", "/api/v1/users", "", 401),
    ("anonymous", "GET", "/api/v1/tokens", "", 401),
    ("anonymous", "POST", "/api/v1/tokens", r#"{"name":"x"}"#, 401),
    ("anonymous", "GET", "/api/v1/audit", "", 401),
    ("anonymous", "GET", "/organisations", "", 303),
    ("anonymous", "GET", "/users", "", 303),
    ("anonymous", "GET", "/account", "", 303),
    ("anonymous", "GET", "/audit", "", 303),

    // Platform administrator: everything, except changing their own roles.
    ("admin", "GET", "/api/v1/organisations", "", 200),
    ("admin", "POST", "/api/v1/organisations", r#"{"name":"A donor","acronym":"ADM-1","kind":"donor"}"#, 201),
    ("admin", "PUT", "/api/v1/organisations/{org:NGO-P}", NGO_P, 200),
    ("admin", "GET", "/api/v1/users", "", 200),
    ("admin", "GET", "/api/v1/users/{user:viewer_per}", "", 200),
    ("admin", "POST", "/api/v1/users", r#"{"username":"by_admin","display_name":"New","organisation_id":{org:NGO-P},"password":"a long enough password","roles":[{"role":"protection_officer","country":"PER"}]}"#, 201),
    ("admin", "PUT", "/api/v1/users/{user:im_per}", r#"{"display_name":"Test im_per"}"#, 200),
    ("admin", "POST", "/api/v1/users/{user:viewer_per}/roles", r#"{"role":"enumerator","country":"PER"}"#, 201),
    ("admin", "POST", "/api/v1/users/{user:admin}/roles", VIEWER_COL, 403),
    ("admin", "PUT", "/api/v1/users/{user:admin}", r#"{"active":false}"#, 403),
    ("admin", "GET", "/api/v1/audit", "", 200),
    ("admin", "GET", "/api/v1/tokens", "", 200),
    ("admin", "POST", "/api/v1/tokens", r#"{"name":"admin script"}"#, 201),
    ("admin", "DELETE", "/api/v1/tokens/999999", "", 404),
    ("admin", "GET", "/api/v1/users/999999", "", 404),
    ("admin", "GET", "/organisations", "", 200),
    ("admin", "GET", "/organisations/new", "", 200),
    ("admin", "GET", "/organisations/{org:NGO-B}/edit", "", 200),
    ("admin", "GET", "/users", "", 200),
    ("admin", "GET", "/users/new", "", 200),
    ("admin", "GET", "/users/{user:im_col}", "", 200),
    ("admin", "GET", "/users/{user:im_col}/edit", "", 200),
    ("admin", "GET", "/users/{user:admin}/edit", "", 403),
    ("admin", "GET", "/audit", "", 200),
    ("admin", "GET", "/account", "", 200),

    // IM officer in Colombia: organisations and users of Colombia; no accounts to manage.
    ("im_col", "POST", "/api/v1/organisations", r#"{"name":"Colombian NGO","acronym":"IMC-1","kind":"national_ngo","country":"COL"}"#, 201),
    ("im_col", "POST", "/api/v1/organisations", r#"{"name":"Peruvian NGO","acronym":"IMC-2","kind":"national_ngo","country":"PER"}"#, 403),
    ("im_col", "POST", "/api/v1/organisations", r#"{"name":"Regional NGO","acronym":"IMC-3","kind":"international_ngo"}"#, 403),
    ("im_col", "PUT", "/api/v1/organisations/{org:NGO-B}", NGO_B, 200),
    ("im_col", "PUT", "/api/v1/organisations/{org:NGO-P}", NGO_P, 403),
    ("im_col", "PUT", "/api/v1/organisations/{org:NGO-B}", r#"{"name":"NGO-B test organisation","acronym":"NGO-B","kind":"national_ngo","country":"PER"}"#, 403),
    ("im_col", "GET", "/api/v1/users", "", 200),
    ("im_col", "GET", "/api/v1/users/{user:viewer}", "", 200),
    ("im_col", "GET", "/api/v1/users/{user:viewer_per}", "", 403),
    ("im_col", "POST", "/api/v1/users", r#"{"username":"by_im","display_name":"New","organisation_id":{org:NGO-B},"password":"a long enough password","roles":[{"role":"enumerator","country":"COL"}]}"#, 403),
    ("im_col", "POST", "/api/v1/users/{user:viewer}/roles", VIEWER_COL, 403),
    ("im_col", "PUT", "/api/v1/users/{user:viewer}", r#"{"display_name":"x"}"#, 403),
    ("im_col", "GET", "/api/v1/audit", "", 403),
    ("im_col", "GET", "/api/v1/tokens", "", 200),
    ("im_col", "GET", "/organisations/new", "", 200),
    ("im_col", "GET", "/organisations/{org:NGO-B}/edit", "", 200),
    ("im_col", "GET", "/organisations/{org:NGO-P}/edit", "", 403),
    ("im_col", "GET", "/users", "", 200),
    ("im_col", "GET", "/users/{user:viewer}", "", 200),
    ("im_col", "GET", "/users/{user:viewer_per}", "", 403),
    ("im_col", "GET", "/users/{user:viewer}/edit", "", 403),
    ("im_col", "GET", "/users/new", "", 403),
    ("im_col", "GET", "/audit", "", 403),

    // IM officer in Peru: the mirror image.
    ("im_per", "PUT", "/api/v1/organisations/{org:NGO-P}", NGO_P, 200),
    ("im_per", "PUT", "/api/v1/organisations/{org:NGO-A}", NGO_A, 403),
    ("im_per", "GET", "/api/v1/users/{user:viewer_per}", "", 200),
    ("im_per", "GET", "/api/v1/users/{user:viewer}", "", 403),

    // Organisation manager of NGO-A in Colombia: its own profile and its field staff.
    ("manager", "POST", "/api/v1/organisations", r#"{"name":"Manager's NGO","acronym":"MGR-1","kind":"national_ngo","country":"COL"}"#, 403),
    ("manager", "PUT", "/api/v1/organisations/{org:NGO-A}", NGO_A, 200),
    ("manager", "PUT", "/api/v1/organisations/{org:NGO-B}", NGO_B, 403),
    ("manager", "GET", "/api/v1/users", "", 200),
    ("manager", "GET", "/api/v1/users/{user:enumerator}", "", 200),
    ("manager", "GET", "/api/v1/users/{user:viewer}", "", 403),
    ("manager", "POST", "/api/v1/users", r#"{"username":"by_manager","display_name":"New","organisation_id":{org:NGO-A},"password":"a long enough password","roles":[{"role":"enumerator","country":"COL"}]}"#, 201),
    ("manager", "POST", "/api/v1/users", r#"{"username":"by_manager_b","display_name":"New","organisation_id":{org:NGO-B},"password":"a long enough password","roles":[{"role":"enumerator","country":"COL"}]}"#, 403),
    ("manager", "POST", "/api/v1/users", r#"{"username":"by_manager_im","display_name":"New","organisation_id":{org:NGO-A},"password":"a long enough password","roles":[{"role":"im_officer","country":"COL"}]}"#, 403),
    ("manager", "POST", "/api/v1/users", r#"{"username":"by_manager_per","display_name":"New","organisation_id":{org:NGO-A},"password":"a long enough password","roles":[{"role":"viewer","country":"PER"}]}"#, 403),
    ("manager", "POST", "/api/v1/users/{user:enumerator}/roles", VIEWER_COL, 201),
    ("manager", "DELETE", "/api/v1/users/{user:enumerator}/roles", VIEWER_COL, 200),
    ("manager", "POST", "/api/v1/users/{user:enumerator}/roles", r#"{"role":"protection_officer","country":"COL"}"#, 403),
    ("manager", "POST", "/api/v1/users/{user:manager}/roles", r#"{"role":"enumerator","country":"COL"}"#, 403),
    ("manager", "POST", "/api/v1/users/{user:viewer}/roles", VIEWER_COL, 403),
    ("manager", "PUT", "/api/v1/users/{user:enumerator}", r#"{"display_name":"Test enumerator"}"#, 200),
    ("manager", "PUT", "/api/v1/users/{user:enumerator}", r#"{"organisation_id":{org:NGO-B}}"#, 403),
    ("manager", "PUT", "/api/v1/users/{user:protection}", r#"{"display_name":"x"}"#, 403),
    ("manager", "POST", "/api/v1/users/{user:viewer}/password", r#"{"password":"a long enough password"}"#, 403),
    ("manager", "GET", "/api/v1/audit", "", 403),
    ("manager", "GET", "/organisations/new", "", 403),
    ("manager", "GET", "/organisations/{org:NGO-A}/edit", "", 200),
    ("manager", "GET", "/organisations/{org:NGO-B}/edit", "", 403),
    ("manager", "GET", "/users", "", 200),
    ("manager", "GET", "/users/new", "", 200),
    ("manager", "GET", "/users/{user:enumerator}", "", 200),
    ("manager", "GET", "/users/{user:enumerator}/edit", "", 200),
    ("manager", "GET", "/users/{user:protection}/edit", "", 403),
    ("manager", "GET", "/users/{user:viewer}", "", 403),
    ("manager", "GET", "/audit", "", 403),

    // Flow monitoring (points seeded by `flow::seed_points`: the enumerator is assigned to
    // COL-FM-A only; {case} is a flagged interview's case at COL-FM-A).
    ("anonymous", "GET", "/api/v1/flow/series", "", 401),
    ("anonymous", "GET", "/flow", "", 303),
    ("enumerator", "POST", "/api/v1/flow/observations", r#"{"point":{loc:COL-FM-A},"date":"2025-03-03","hours":12,"direction":"incoming","groups":[{"size":2}]}"#, 201),
    ("enumerator", "POST", "/api/v1/flow/observations", r#"{"point":{loc:COL-FM-B},"date":"2025-03-03","hours":12,"direction":"incoming","groups":[{"size":2}]}"#, 403),
    ("enumerator", "POST", "/api/v1/fms/interviews", r#"{"point":{loc:COL-FM-B},"date":"2025-03-03","answers":{"consent":true,"sex":"male","age":30,"nationality":"VEN"}}"#, 403),
    ("enumerator", "POST", "/api/v1/fms/interviews", r#"{"point":{loc:COL-FM-A},"date":"2025-03-03","answers":{"consent":true,"sex":"male","age":30,"nationality":"VEN"}}"#, 201),
    ("enumerator", "POST", "/api/v1/flow/points/{loc:COL-FM-A}/profile", r#"{"point_type":"airport","movement_types":"incoming"}"#, 403),
    ("enumerator", "GET", "/api/v1/flow/series", "", 200),
    ("enumerator", "GET", "/api/v1/fms/interviews", "", 403),
    ("enumerator", "GET", "/api/v1/protection/cases", "", 403),
    ("enumerator", "GET", "/flow/record", "", 200),
    ("enumerator", "GET", "/protection", "", 403),
    ("im_col", "POST", "/api/v1/flow/observations", r#"{"point":{loc:COL-FM-B},"date":"2025-03-04","hours":12,"direction":"incoming","groups":[{"size":2}]}"#, 201),
    ("im_col", "POST", "/api/v1/flow/observations", r#"{"point":{loc:PER-FM-A},"date":"2025-03-04","hours":12,"direction":"incoming","groups":[{"size":2}]}"#, 403),
    ("im_col", "POST", "/api/v1/flow/points/{loc:COL-FM-A}/profile", r#"{"point_type":"official_border_crossing","movement_types":"incoming,outgoing","active_from":"2024-01-01"}"#, 200),
    ("im_col", "POST", "/api/v1/flow/points/{loc:PER-FM-A}/profile", r#"{"point_type":"official_border_crossing","movement_types":"incoming"}"#, 403),
    ("im_col", "POST", "/api/v1/flow/points/{loc:COL-FM-B}/assignments", r#"{"user_id":{user:enumerator},"assigned":false}"#, 204),
    ("im_col", "POST", "/api/v1/flow/points/{loc:PER-FM-A}/assignments", r#"{"user_id":{user:enumerator}}"#, 403),
    ("im_col", "GET", "/api/v1/flow/points/{loc:PER-FM-A}", "", 403),
    ("im_col", "GET", "/api/v1/fms/interviews", "", 200),
    ("im_col", "GET", "/api/v1/protection/cases", "", 403),
    ("im_col", "GET", "/api/v1/protection/cases/{case}", "", 403),
    ("im_col", "PUT", "/api/v1/fms/rules", r#"{"rules":[{"flag":"gbv_risk","level":"high","when":{"field":"feels_unsafe"}}]}"#, 403),
    ("im_col", "PUT", "/api/v1/flow/settings/age-brackets", r#"{"brackets":"0,18,60"}"#, 403),
    ("im_col", "GET", "/flow/points/new", "", 200),
    ("im_col", "GET", "/protection", "", 403),
    ("im_per", "GET", "/api/v1/flow/points/{loc:COL-FM-A}", "", 403),
    ("im_per", "GET", "/api/v1/fms/interviews", "", 200),
    ("protection", "GET", "/api/v1/protection/cases", "", 200),
    ("protection", "GET", "/api/v1/protection/cases/{case}", "", 200),
    ("protection", "POST", "/api/v1/protection/cases/{case}/follow-up", r#"{"status":"referred"}"#, 200),
    ("protection", "GET", "/protection", "", 200),
    ("protection", "GET", "/protection/{case}", "", 200),
    ("protection", "POST", "/api/v1/flow/observations", r#"{"point":{loc:COL-FM-A},"date":"2025-03-05","hours":12,"direction":"incoming","groups":[{"size":2}]}"#, 403),
    ("viewer", "GET", "/api/v1/flow/series", "", 200),
    ("viewer", "GET", "/api/v1/fms/indicators", "", 200),
    ("viewer", "GET", "/api/v1/fms/interviews", "", 403),
    ("viewer", "GET", "/api/v1/protection/cases/{case}", "", 403),
    ("viewer", "GET", "/flow", "", 200),
    ("viewer", "GET", "/fms", "", 200),
    ("viewer_per", "GET", "/api/v1/flow/points/{loc:COL-FM-A}", "", 403),
    ("viewer_per", "GET", "/api/v1/protection/cases/{case}", "", 403),
    ("manager", "GET", "/api/v1/protection/cases", "", 403),
    ("manager", "POST", "/api/v1/flow/points", r#"{"code":"MGR-FM","name":"x","country":"COL","lat":7.8,"lon":-72.4,"profile":{"point_type":"airport","movement_types":"incoming"}}"#, 403),
    ("admin", "GET", "/api/v1/protection/cases/{case}", "", 200),
    ("admin", "PUT", "/api/v1/flow/settings/age-brackets", r#"{"brackets":"0,18,60"}"#, 409),
    ("admin", "PUT", "/api/v1/fms/rules", r#"{"rules":[{"flag":"gbv_risk","level":"high","when":{"field":"feels_unsafe"}}]}"#, 200),
    // R4V: consolidated figures are public; partners report and see their own 5W; IM officers
    // see, correct and validate their country's, and the coordination views.
    ("anonymous", "GET", "/api/v1/r4v/public/consolidated", "", 200),
    ("anonymous", "GET", "/api/v1/r4v/public/figures", "", 200),
    ("anonymous", "GET", "/api/v1/r4v/exchange/schemas", "", 200),
    ("anonymous", "GET", "/api/v1/r4v/indicators", "", 200),
    ("anonymous", "GET", "/r4v", "", 200),
    ("anonymous", "GET", "/api/v1/r4v/activities", "", 401),
    ("anonymous", "GET", "/api/v1/r4v/consolidated", "", 401),
    ("anonymous", "GET", "/r4v/activities", "", 303),
    ("admin", "GET", "/api/v1/r4v/consolidated", "", 200),
    ("admin", "GET", "/api/v1/r4v/overlaps", "", 200),
    ("admin", "POST", "/api/v1/r4v/activities/validate", r#"{"country":"PER","month":"2024-01"}"#, 200),
    ("im_col", "POST", "/api/v1/r4v/activities", REPORT_NGO_B, 201),
    ("im_col", "POST", "/api/v1/r4v/activities", REPORT_PER, 403),
    ("im_col", "POST", "/api/v1/r4v/activities/validate", VALIDATE_COL, 200),
    ("im_col", "POST", "/api/v1/r4v/activities/validate", r#"{"country":"PER","month":"2024-01"}"#, 403),
    ("im_col", "GET", "/api/v1/r4v/consolidated", "", 200),
    ("im_col", "GET", "/api/v1/r4v/overlaps", "", 200),
    ("im_col", "GET", "/r4v/overlaps", "", 200),
    ("im_col", "GET", "/api/v1/r4v/errors", "", 200),
    ("im_per", "POST", "/api/v1/r4v/activities/validate", VALIDATE_COL, 403),
    ("im_per", "POST", "/api/v1/r4v/activities", REPORT_NGO_B, 403),
    ("manager", "POST", "/api/v1/r4v/activities", REPORT_NGO_A, 201),
    ("manager", "POST", "/api/v1/r4v/activities", REPORT_NGO_B, 403),
    ("manager", "POST", "/api/v1/r4v/activities", REPORT_PER, 403),
    ("manager", "POST", "/api/v1/r4v/activities/validate", VALIDATE_COL, 403),
    ("manager", "GET", "/api/v1/r4v/consolidated", "", 403),
    ("manager", "GET", "/api/v1/r4v/overlaps", "", 403),
    ("manager", "GET", "/r4v/activities/new", "", 200),
    ("manager", "GET", "/r4v/activities/import", "", 200),
    ("enumerator", "POST", "/api/v1/r4v/activities", REPORT_NGO_A, 201),
    ("protection", "POST", "/api/v1/r4v/activities", REPORT_NGO_A, 403),
    ("viewer", "POST", "/api/v1/r4v/activities", REPORT_NGO_B, 403),
    ("viewer_per", "POST", "/api/v1/r4v/activities", REPORT_PER, 403),
    ("viewer", "GET", "/r4v/activities/new", "", 403),

    // Linkage keys: an organisation's managers and IM officers upload their own; IM officers of
    // the country link and see overlaps; pairs only to the two organisations, when both consented.
    ("anonymous", "GET", "/api/v1/linkage-keys/COL", "", 401),
    ("manager", "GET", "/api/v1/linkage-keys/COL", "", 200),
    ("im_col", "GET", "/api/v1/linkage-keys/COL", "", 200),
    ("viewer", "GET", "/api/v1/linkage-keys/COL", "", 403),
    ("enumerator", "GET", "/api/v1/linkage-keys/COL", "", 403),
    ("im_per", "GET", "/api/v1/linkage-keys/COL", "", 403),
    ("manager", "POST", "/api/v1/linkage-keys/COL/runs", r#"{"threshold":0.8}"#, 403),
    ("viewer", "POST", "/api/v1/linkage-keys/COL/runs", r#"{"threshold":0.8}"#, 403),
    ("im_per", "POST", "/api/v1/linkage-keys/COL/runs", r#"{"threshold":0.8}"#, 403),
    ("im_col", "POST", "/api/v1/linkage-keys/COL/runs", r#"{"threshold":0.8}"#, 409),
    ("manager", "POST", "/api/v1/linkage-keys/PER/consents", r#"{"partner_id":{org:NGO-B}}"#, 403),
    ("viewer", "POST", "/api/v1/linkage-keys/COL/consents", r#"{"partner_id":{org:NGO-A}}"#, 403),
    ("manager", "GET", "/api/v1/linkage-keys/COL/pairs/{org:NGO-B}", "", 403),
    ("manager", "POST", "/api/v1/linkage-keys/COL/consents", r#"{"partner_id":{org:NGO-B}}"#, 201),
    ("manager", "GET", "/api/v1/linkage-keys/COL/pairs/{org:NGO-B}", "", 403),
    ("viewer", "GET", "/api/v1/linkage-keys/COL/pairs/{org:NGO-A}", "", 403),
    ("manager", "GET", "/linkage-keys", "", 200),
    ("im_col", "GET", "/linkage-keys?country=COL", "", 200),
    ("enumerator", "GET", "/linkage-keys", "", 403),
    ("viewer_per", "GET", "/linkage-keys", "", 403),
];

/// What every field role (enumerator, protection officer, viewer) may and may not do: read the
/// shared reference data and look after their own account; nothing about other people.
#[rustfmt::skip]
const FIELD_ROLE: &[(&str, &str, &str, u16)] = &[
    ("GET", "/api/v1/organisations", "", 200),
    ("GET", "/api/v1/organisations/{org:NGO-A}", "", 200),
    ("GET", "/api/v1/platforms", "", 200),
    ("POST", "/api/v1/organisations", r#"{"name":"Field NGO","acronym":"FLD-1","kind":"national_ngo","country":"COL"}"#, 403),
    ("PUT", "/api/v1/organisations/{org:NGO-A}", NGO_A, 403),
    ("GET", "/api/v1/users", "", 403),
    ("GET", "/api/v1/users/{user:manager}", "", 403),
    ("GET", "/api/v1/users/999999", "", 403),
    ("POST", "/api/v1/users", r#"{"username":"by_field","display_name":"New","organisation_id":{org:NGO-A},"password":"a long enough password","roles":[]}"#, 403),
    ("POST", "/api/v1/users/{user:enumerator}/roles", VIEWER_COL, 403),
    ("GET", "/api/v1/audit", "", 403),
    ("GET", "/api/v1/me", "", 200),
    ("GET", "/api/v1/tokens", "", 200),
    ("POST", "/api/v1/tokens", r#"{"name":"my phone"}"#, 201),
    ("GET", "/organisations", "", 200),
    ("GET", "/organisations/platforms", "", 200),
    ("GET", "/organisations/{org:NGO-A}", "", 200),
    ("GET", "/organisations/new", "", 403),
    ("GET", "/organisations/{org:NGO-A}/edit", "", 403),
    ("GET", "/users", "", 403),
    ("GET", "/users/new", "", 403),
    ("GET", "/users/{user:manager}", "", 403),
    ("GET", "/audit", "", 403),
    ("GET", "/account", "", 200),
    ("GET", "/api/v1/r4v/activities", "", 200),
    ("GET", "/api/v1/r4v/errors", "", 200),
    ("GET", "/api/v1/r4v/dashboard", "", 200),
    ("GET", "/api/v1/r4v/submissions", "", 200),
    ("POST", "/api/v1/r4v/activities/validate", VALIDATE_COL, 403),
    ("GET", "/api/v1/r4v/consolidated", "", 403),
    ("GET", "/api/v1/r4v/overlaps", "", 403),
    ("GET", "/r4v", "", 200),
    ("GET", "/r4v/activities", "", 200),
    ("GET", "/r4v/overlaps", "", 403),
];

const FIELD_ACCOUNTS: &[&str] = &["enumerator", "protection", "viewer", "viewer_per"];

const EDIT_A: &str = r#"{"population_group":"in_transit","reason":"they are moving on to Peru"}"#;
const REGISTER_A: &str = r#"{"desk_id":{desk:A},"population_group":"in_destination","consent":{"registration":true},"members":[{"relationship":"head","given_names":"Rosa","first_surname":"Mena","sex":"female","birth_date":"1990-01-01","nationality":"VEN"}]}"#;
const REGISTER_B: &str = r#"{"desk_id":{desk:B},"population_group":"in_destination","consent":{"registration":true},"members":[{"relationship":"head","given_names":"Rosa","first_surname":"Mena","sex":"female","birth_date":"1990-01-01","nationality":"VEN"}]}"#;
const SHARE_B_WITH_A: &str = r#"{"from_org":{org:NGO-B},"to_org":{org:NGO-A},"country":"COL","purposes":["case_management"],"reference":"MoU 2026-01","valid_from":"2026-01-01"}"#;
const PROGRAMME_A: &str =
    r#"{"code":"PRG-A-2","name":"Food","country":"COL","organisation_id":{org:NGO-A},"target_households":5}"#;
const ASSIST_A: &str = r#"{"households":["{household:A}"],"assisted_on":"2026-01-10"}"#;

/// Registration: enumerators register and browse at their organisation's desks only,
/// caseworkers see their country's households (their organisation's, and others' under an
/// agreement), viewers see figures and pseudonymous records, and an organisation sees another's
/// registrations only once a sharing agreement says so.
#[rustfmt::skip]
const REGISTRATION: &[Row] = &[
    ("anonymous", "GET", "/api/v1/registration/households", "", 401),
    ("anonymous", "GET", "/registration", "", 303),
    ("anonymous", "GET", "/registration/households/{household:A}", "", 303),

    ("enumerator", "POST", "/api/v1/registration/households", REGISTER_A, 201),
    ("enumerator", "POST", "/api/v1/registration/households", REGISTER_B, 403),
    ("enumerator", "GET", "/api/v1/registration/households", "", 200),
    ("enumerator", "GET", "/api/v1/registration/households/{household:A}", "", 200),
    ("enumerator", "GET", "/api/v1/registration/households/{household:B}", "", 403),
    ("enumerator", "PUT", "/api/v1/registration/households/{household:A}", EDIT_A, 200),
    ("enumerator", "POST", "/api/v1/registration/households/{household:C}/erase", "", 403),
    ("enumerator", "GET", "/api/v1/registration/figures", "", 200),
    ("enumerator", "POST", "/api/v1/registration/models/{model:COL}/activate", "", 403),
    ("enumerator", "GET", "/api/v1/registration/lists/{list:A}", "", 200),
    ("enumerator", "POST", "/api/v1/registration/programmes/{programme:A}/assistance", ASSIST_A, 200),
    ("enumerator", "POST", "/api/v1/registration/programmes", PROGRAMME_A, 403),
    ("enumerator", "GET", "/api/v1/registration/sharing-agreements", "", 403),
    ("enumerator", "GET", "/registration", "", 200),
    ("enumerator", "GET", "/registration/households", "", 200),
    ("enumerator", "GET", "/registration/households/{household:A}", "", 200),
    ("enumerator", "GET", "/registration/households/{household:B}", "", 403),
    ("enumerator", "GET", "/registration/households/new", "", 200),

    ("protection", "GET", "/api/v1/registration/households/{household:A}", "", 200),
    ("protection", "GET", "/api/v1/registration/households/{household:B}", "", 403),
    ("protection", "GET", "/api/v1/registration/export?purpose=case_management", "", 200),
    ("protection", "GET", "/api/v1/registration/export?purpose=gossip", "", 422),
    ("protection", "GET", "/api/v1/registration/lists/{list:A}/export?purpose=distribution", "", 200),

    ("viewer", "GET", "/api/v1/registration/households/{household:B}", "", 200),
    ("viewer", "GET", "/api/v1/registration/households/{household:A}", "", 403),
    ("viewer", "POST", "/api/v1/registration/households", REGISTER_B, 403),
    ("viewer", "PUT", "/api/v1/registration/households/{household:B}", EDIT_A, 403),
    ("viewer", "GET", "/api/v1/registration/figures", "", 200),
    ("viewer", "GET", "/api/v1/registration/export?purpose=distribution", "", 403),
    ("viewer", "GET", "/api/v1/registration/export", "", 200),
    ("viewer", "GET", "/api/v1/registration/lists/{list:A}", "", 403),
    ("viewer", "POST", "/api/v1/registration/programmes/{programme:A}/assistance", ASSIST_A, 403),
    ("viewer", "GET", "/registration/households/{household:B}", "", 200),
    ("viewer", "GET", "/registration/households/new", "", 403),
    ("viewer_per", "GET", "/api/v1/registration/households/{household:B}", "", 403),
    ("viewer_per", "GET", "/api/v1/registration/figures?country=COL", "", 403),

    ("im_col", "GET", "/api/v1/registration/households/{household:A}", "", 403),
    ("im_col", "POST", "/api/v1/registration/models/{model:COL}/activate", "", 200),
    ("im_col", "POST", "/api/v1/registration/programmes", PROGRAMME_A, 201),
    ("im_col", "GET", "/api/v1/registration/lists/{list:A}", "", 200),
    ("im_col", "GET", "/api/v1/registration/lists/{list:A}/export?purpose=distribution", "", 422),
    ("im_per", "POST", "/api/v1/registration/sharing-agreements", SHARE_B_WITH_A, 403),
    ("im_per", "POST", "/api/v1/registration/models/{model:COL}/activate", "", 403),
    ("manager", "GET", "/api/v1/registration/households/{household:A}", "", 200),
    ("manager", "GET", "/api/v1/registration/lists/{list:A}/export?purpose=distribution", "", 422),

    // NGO-B shares with NGO-A for case management: NGO-A's caseworker sees B's household, its
    // enumerator still does not, and nobody of NGO-A may change it.
    ("im_col", "POST", "/api/v1/registration/sharing-agreements", SHARE_B_WITH_A, 201),
    ("im_col", "GET", "/api/v1/registration/sharing-agreements", "", 200),
    ("protection", "GET", "/api/v1/registration/households/{household:B}", "", 200),
    ("protection", "PUT", "/api/v1/registration/households/{household:B}", EDIT_A, 403),
    ("enumerator", "GET", "/api/v1/registration/households/{household:B}", "", 403),
    ("manager", "GET", "/api/v1/registration/households/{household:B}", "", 200),

    ("protection", "POST", "/api/v1/registration/households/{household:C}/erase", "", 204),
    ("admin", "GET", "/api/v1/registration/households/{household:B}", "", 200),
];

const REGISTER_A2: &str = r#"{"desk_id":{desk:A2},"population_group":"in_destination","consent":{"registration":true},"members":[{"relationship":"head","given_names":"Rosa","first_surname":"Mena","sex":"female","birth_date":"1990-01-01","nationality":"VEN"}]}"#;
const ASSIGN_ENUMERATOR: &str = r#"{"user_id":{user:enumerator}}"#;
const ASSIGN_NGO_B_VIEWER: &str = r#"{"user_id":{user:viewer}}"#;

/// Registration desks: NGO-A's enumerator is assigned to desk A, not to NGO-A's desk A2 in the
/// same country, and registers, sees and corrects households only at desk A. The desk's
/// organisation's manager and the country's IM officers assign enumerators, and only the
/// organisation's own staff.
#[rustfmt::skip]
const DESKS: &[Row] = &[
    ("enumerator", "POST", "/api/v1/registration/households", REGISTER_A2, 403),
    ("enumerator", "GET", "/api/v1/registration/households/{household:A2}", "", 403),
    ("enumerator", "PUT", "/api/v1/registration/households/{household:A2}", EDIT_A, 403),
    ("enumerator", "GET", "/registration/households/{household:A2}", "", 403),
    ("enumerator", "GET", "/registration/households/{household:A2}/edit", "", 403),
    ("enumerator", "GET", "/api/v1/registration/households/{household:A}", "", 200),
    ("protection", "GET", "/api/v1/registration/households/{household:A2}", "", 200),
    ("protection", "PUT", "/api/v1/registration/households/{household:A2}", EDIT_A, 200),
    ("manager", "GET", "/api/v1/registration/households/{household:A2}", "", 200),

    ("manager", "GET", "/api/v1/registration/desks/{desk:A2}/assignments", "", 200),
    ("manager", "GET", "/api/v1/registration/desks/{desk:B}/assignments", "", 403),
    ("manager", "POST", "/api/v1/registration/desks/{desk:A}/assignments", ASSIGN_ENUMERATOR, 204),
    ("manager", "POST", "/api/v1/registration/desks/{desk:B}/assignments", ASSIGN_ENUMERATOR, 403),
    ("manager", "POST", "/api/v1/registration/desks/{desk:A}/assignments", ASSIGN_NGO_B_VIEWER, 409),
    ("im_col", "GET", "/api/v1/registration/desks/{desk:B}/assignments", "", 200),
    ("im_per", "GET", "/api/v1/registration/desks/{desk:A}/assignments", "", 403),
    ("im_per", "POST", "/api/v1/registration/desks/{desk:A}/assignments", ASSIGN_ENUMERATOR, 403),
    ("enumerator", "POST", "/api/v1/registration/desks/{desk:A2}/assignments", ASSIGN_ENUMERATOR, 403),
    ("protection", "POST", "/api/v1/registration/desks/{desk:A2}/assignments", ASSIGN_ENUMERATOR, 403),
    ("viewer", "GET", "/api/v1/registration/desks/{desk:B}/assignments", "", 403),
    ("manager", "GET", "/registration/desks", "", 200),
    ("im_col", "GET", "/registration/desks", "", 200),
    ("enumerator", "GET", "/registration/desks", "", 403),
    ("viewer", "GET", "/registration/desks", "", 403),
    ("enumerator", "GET", "/api/v1/registration/households/{household:A2}", "", 403),
];

const CONFIRM: &str = r#"{"decision":"confirm"}"#;
const UNDO: &str = r#"{"decision":"undo"}"#;

/// De-duplication: IM officers of the country run and review the queue; nobody else does.
/// `{pair:A}` is household A's head registered again at NGO-B's desk.
#[rustfmt::skip]
const DEDUPLICATION: &[Row] = &[
    ("anonymous", "GET", "/api/v1/registration/duplicates", "", 401),
    ("anonymous", "GET", "/registration/duplicates", "", 303),
    ("im_col", "GET", "/api/v1/registration/duplicates", "", 200),
    ("im_col", "GET", "/api/v1/registration/duplicates?country=PER", "", 403),
    ("im_col", "GET", "/api/v1/registration/duplicates?min_probability=150", "", 422),
    ("im_col", "GET", "/api/v1/registration/duplicates/{pair:A}", "", 200),
    ("im_col", "GET", "/api/v1/registration/duplicates/999999", "", 404),
    ("im_col", "GET", "/api/v1/registration/duplicates/export?what=pairs", "", 200),
    ("im_col", "GET", "/api/v1/registration/duplicates/export?what=people", "", 422),
    ("im_col", "GET", "/registration/duplicates", "", 200),
    ("im_col", "GET", "/registration/duplicates/{pair:A}", "", 200),
    ("im_col", "POST", "/api/v1/registration/duplicates/{pair:A}/decision", CONFIRM, 200),
    ("im_col", "POST", "/api/v1/registration/duplicates/{pair:A}/decision", CONFIRM, 409),
    ("im_col", "POST", "/api/v1/registration/duplicates/{pair:A}/decision", UNDO, 200),
    ("im_per", "GET", "/api/v1/registration/duplicates", "", 200),
    ("im_per", "GET", "/api/v1/registration/duplicates/{pair:A}", "", 403),
    ("im_per", "POST", "/api/v1/registration/duplicates/{pair:A}/decision", CONFIRM, 403),
    ("im_per", "GET", "/registration/duplicates/{pair:A}", "", 403),
    ("admin", "GET", "/api/v1/registration/duplicates/{pair:A}", "", 200),
    ("enumerator", "GET", "/api/v1/registration/duplicates", "", 403),
    ("enumerator", "GET", "/api/v1/registration/duplicates/{pair:A}", "", 403),
    ("enumerator", "POST", "/api/v1/registration/duplicates/{pair:A}/decision", CONFIRM, 403),
    ("protection", "GET", "/api/v1/registration/duplicates/{pair:A}", "", 403),
    ("protection", "GET", "/registration/duplicates", "", 403),
    ("manager", "GET", "/api/v1/registration/duplicates", "", 403),
    ("viewer", "GET", "/api/v1/registration/duplicates/{pair:A}", "", 403),
    ("viewer", "GET", "/api/v1/registration/duplicates/export", "", 403),
    // Runs: asked for (202, queued in the background), listed and followed by IM officers of
    // the country. `{run:COL}` is a finished run over Colombia.
    ("anonymous", "GET", "/api/v1/registration/duplicates/runs", "", 401),
    ("anonymous", "GET", "/registration/duplicates/runs/{run:COL}", "", 303),
    ("im_col", "GET", "/api/v1/registration/duplicates/runs", "", 200),
    ("im_col", "GET", "/api/v1/registration/duplicates/runs?country=COL&status=done", "", 200),
    ("im_col", "GET", "/api/v1/registration/duplicates/runs?country=PER", "", 403),
    ("im_col", "GET", "/api/v1/registration/duplicates/runs?status=lost", "", 422),
    ("im_col", "GET", "/api/v1/registration/duplicates/runs/{run:COL}", "", 200),
    ("im_col", "GET", "/api/v1/registration/duplicates/runs/999999", "", 404),
    ("im_col", "GET", "/api/v1/registration/duplicates/runs/latest", "", 404),
    ("im_col", "GET", "/registration/duplicates/runs/{run:COL}", "", 200),
    ("admin", "GET", "/api/v1/registration/duplicates/runs/{run:COL}", "", 200),
    ("im_per", "GET", "/api/v1/registration/duplicates/runs?country=COL", "", 403),
    ("im_per", "GET", "/api/v1/registration/duplicates/runs/{run:COL}", "", 403),
    ("im_per", "GET", "/registration/duplicates/runs/{run:COL}", "", 403),
    ("enumerator", "GET", "/api/v1/registration/duplicates/runs", "", 403),
    ("protection", "GET", "/registration/duplicates/runs/{run:COL}", "", 403),
    ("manager", "GET", "/api/v1/registration/duplicates/runs/{run:COL}", "", 403),
    ("viewer", "GET", "/api/v1/registration/duplicates/runs/{run:COL}", "", 403),
    ("im_col", "POST", "/api/v1/registration/duplicates/run", r#"{"country":"COL"}"#, 202),
    ("im_col", "POST", "/api/v1/registration/duplicates/run", r#"{"country":"PER"}"#, 403),
    ("im_col", "POST", "/api/v1/registration/duplicates/run", r#"{"country":"Colombia"}"#, 422),
    ("im_per", "POST", "/api/v1/registration/duplicates/run", r#"{"country":"COL"}"#, 403),
    ("protection", "POST", "/api/v1/registration/duplicates/run", r#"{"country":"COL"}"#, 403),
    ("enumerator", "POST", "/registration/duplicates/run", "", 403),
];

/// Replaces `{org:ACRONYM}`, `{user:USERNAME}` and the registration records' names with the
/// seeded ids.
fn resolve(app: &TestApp, extra: &[(String, String)], text: &str) -> String {
    let mut out = text.to_owned();
    for (name, id) in extra {
        out = out.replace(name, id);
    }
    for (acronym, id) in &app.organisations {
        out = out.replace(&format!("{{org:{acronym}}}"), &id.to_string());
    }
    for (username, account) in &app.accounts {
        out = out.replace(&format!("{{user:{username}}}"), &account.id.to_string());
    }
    assert!(
        !out.contains("{org:")
            && !out.contains("{user:")
            && !out.contains(":A}")
            && !out.contains(":B}")
            && !out.contains("{loc:")
            && !out.contains("{case}")
            && !out.contains("{run:"),
        "unknown name in {text}"
    );
    out
}

async fn status_of(app: &TestApp, extra: &[(String, String)], who: &str, method: &str, path: &str, body: &str) -> u16 {
    let client = if who == "anonymous" {
        app.anonymous()
    } else {
        app.api(who)
    };
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = client.request(method, app.url(&resolve(app, extra, path)));
    if !body.is_empty() {
        request = request
            .header("content-type", "application/json")
            .body(resolve(app, extra, body));
    }
    request.send().await.expect("request").status().as_u16()
}

#[tokio::test]
async fn every_role_can_do_what_the_policy_allows_and_nothing_else() {
    let app = spawn_app().await;
    let seeded = super::registration::seed::seed(&app).await;
    let mut extra = super::registration::seed::placeholders(&seeded);
    extra.extend(super::flow::seed_access(&app).await);
    extra.extend(super::registration::seed::second_desk(&app).await);
    extra.extend(super::deduplication::seed_pair(&app, &seeded).await);
    extra.extend(super::deduplication_runs::seed_run(&app).await);
    let mut rows: Vec<(&str, &str, &str, &str, u16)> = TABLE.to_vec();
    rows.extend_from_slice(REGISTRATION);
    rows.extend_from_slice(DESKS);
    rows.extend_from_slice(DEDUPLICATION);
    for who in FIELD_ACCOUNTS {
        rows.extend(FIELD_ROLE.iter().map(|(m, p, b, s)| (*who, *m, *p, *b, *s)));
    }
    let mut wrong = Vec::new();
    for (who, method, path, body, expected) in rows {
        let got = status_of(&app, &extra, who, method, path, body).await;
        if got != expected {
            wrong.push(format!("{who} {method} {path}: expected {expected}, got {got}"));
        }
    }
    assert!(wrong.is_empty(), "{} rows differ:\n{}", wrong.len(), wrong.join("\n"));
}
