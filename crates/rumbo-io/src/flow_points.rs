//! Point profiles in: one row per flow monitoring point (by its location code) with the round
//! of its profile to record — `code, point_type, movement_types, days, hours_from, hours_to,
//! services, institutions, key_informants, active_from, active_until, notes`. Lists of codes are
//! separated by `;` or `|` (or commas inside quotes). The points themselves are locations,
//! imported with the location list; this file adds their profiles.

use rumbo_domain::flow::profile::ProfileInput;
use rumbo_domain::location::parse_location_code;

use crate::table::{ColumnSpec, Table};
use crate::text::{Problems, Rejected, utf8};

const SPECS: &[ColumnSpec] = &[
    ColumnSpec {
        name: "code",
        aliases: &["fmp", "location_code", "point"],
        hxl: Some(("loc", &["code"])),
    },
    ColumnSpec {
        name: "point_type",
        aliases: &["type"],
        hxl: Some(("loc", &["type"])),
    },
    ColumnSpec {
        name: "movement_types",
        aliases: &["movements"],
        hxl: None,
    },
    ColumnSpec {
        name: "days",
        aliases: &["schedule_days"],
        hxl: None,
    },
    ColumnSpec {
        name: "hours_from",
        aliases: &["from"],
        hxl: None,
    },
    ColumnSpec {
        name: "hours_to",
        aliases: &["to"],
        hxl: None,
    },
    ColumnSpec {
        name: "services",
        aliases: &[],
        hxl: None,
    },
    ColumnSpec {
        name: "institutions",
        aliases: &[],
        hxl: None,
    },
    ColumnSpec {
        name: "key_informants",
        aliases: &["informants"],
        hxl: None,
    },
    ColumnSpec {
        name: "active_from",
        aliases: &[],
        hxl: None,
    },
    ColumnSpec {
        name: "active_until",
        aliases: &[],
        hxl: None,
    },
    ColumnSpec {
        name: "notes",
        aliases: &[],
        hxl: Some(("description", &[])),
    },
];

/// Reads a profile file: each row's place (`row 4`), point code and profile, unchecked (the
/// domain checks each profile, and the store that each code is a point).
pub fn read_profiles(bytes: &[u8]) -> Result<Vec<(String, String, ProfileInput)>, Rejected> {
    let text = utf8(bytes)?;
    let mut problems = Problems::default();
    let table = Table::read(text, SPECS, &mut problems)?;
    table.require(&["code", "point_type", "movement_types"], &mut problems);
    if !problems.is_empty() {
        return problems.finish(Vec::new());
    }
    let mut out = Vec::new();
    for row in &table.rows {
        let cell = |c: &str| row.get(table.column(c)).to_owned();
        match parse_location_code(&cell("code")) {
            Ok(code) => out.push((
                format!("row {}", row.number),
                code,
                ProfileInput {
                    point_type: cell("point_type"),
                    movement_types: cell("movement_types"),
                    days: cell("days"),
                    hours_from: cell("hours_from"),
                    hours_to: cell("hours_to"),
                    services: cell("services"),
                    institutions: cell("institutions"),
                    key_informants: cell("key_informants"),
                    active_from: cell("active_from"),
                    active_until: cell("active_until"),
                    notes: cell("notes"),
                },
            )),
            Err(e) => problems.push(format!("row {}, column code", row.number), e),
        }
    }
    problems.finish(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_read_with_lists_in_one_cell() {
        let rows = read_profiles(
            b"code,point_type,movement_types,days,services\nCOL-CUC-SB-FM,official_border_crossing,incoming;outgoing,mon|tue,water;health\n",
        )
        .expect("read");
        assert_eq!(rows[0].0, "row 2");
        assert_eq!(rows[0].1, "COL-CUC-SB-FM");
        assert!(rows[0].2.check().is_ok());
        let err = read_profiles(b"code,point_type\nA B,airport\n").expect_err("bad");
        let listed: Vec<String> = err.problems.iter().map(ToString::to_string).collect();
        assert!(
            listed.iter().any(|p| p.contains("'movement_types' is missing")),
            "{listed:?}"
        );
    }
}
