//! A 5W report from named fields (a page's form, an API body): one parser for both, so that a
//! report is read the same way however it arrives. Field names are those of the 5W schema
//! (`country`, `admin1`, `new_beneficiaries`, `girls`...).

use rumbo_domain::error::optional_text;
use rumbo_domain::r4v::Month;
use rumbo_domain::r4v::fields::yes_no;
use rumbo_domain::r4v::hxl::{CellKind, check_cell, parse_number};
use rumbo_domain::r4v::rules::Activity;
use rumbo_io::r4v::five_w::country_named;

/// The population-type fields, in the template's order.
pub const POPULATION: [&str; 5] = [
    "in_destination",
    "in_transit",
    "host_community",
    "pendular",
    "colombian_returnee",
];
/// The age-gender fields, in the template's order.
pub const AGE_GENDER: [&str; 6] = ["girls", "boys", "women", "men", "other_under_18", "other_above_18"];
/// The text fields of a report.
pub const TEXTS: [&str; 9] = [
    "admin1",
    "admin2",
    "appealing_org",
    "implementing_partner",
    "sector",
    "indicator",
    "activity_name",
    "activity_description",
    "delivery_mechanism",
];

/// Parses a report; every problem comes back with its field.
pub fn parse_activity(field: &dyn Fn(&str) -> Option<String>) -> Result<Activity, Vec<(&'static str, String)>> {
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    let value = |name: &str| field(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let mut text = |name: &'static str| match optional_text(name, value(name).as_deref(), 2000) {
        Ok(v) => v,
        Err(e) => {
            problems.push((name, e.to_string()));
            None
        }
    };
    let texts: Vec<Option<String>> = TEXTS.iter().map(|n| text(n)).collect();
    let mut count = |name: &'static str| {
        let raw = value(name)?;
        match check_cell(CellKind::Count, &raw) {
            Ok(v) => v.count(),
            Err(e) => {
                problems.push((name, e));
                None
            }
        }
    };
    let quantity_output = count("quantity_output");
    let total_monthly = count("total_monthly");
    let new_beneficiaries = count("new_beneficiaries");
    let population = POPULATION.map(&mut count);
    let age_gender = AGE_GENDER.map(&mut count);
    let mut flag = |name: &'static str| {
        let raw = value(name)?;
        yes_no(&raw).unwrap_or_else(|e| {
            problems.push((name, e.to_string()));
            None
        })
    };
    let implementation = flag("implementation");
    let rmrp_activity = flag("rmrp_activity");
    let cva = flag("cva");
    let value_usd = value("value_usd").and_then(|raw| match parse_number(&raw) {
        Some(v) if v >= 0.0 => Some(v),
        _ => {
            problems.push(("value_usd", format!("'{raw}' is not an amount in USD")));
            None
        }
    });
    let month = value("month").and_then(|raw| {
        Month::parse(&raw)
            .map_err(|e| problems.push(("month", e.to_string())))
            .ok()
    });
    let country = match value("country") {
        None => {
            problems.push(("country", "the country is required".into()));
            None
        }
        Some(raw) => country_named(&raw).or_else(|| {
            problems.push(("country", format!("'{raw}' is not a country of the response")));
            None
        }),
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let [
        admin1,
        admin2,
        appealing_org,
        implementing_partner,
        sector,
        indicator,
        activity_name,
        activity_description,
        delivery_mechanism,
    ] = <[Option<String>; 9]>::try_from(texts).unwrap_or_default();
    Ok(Activity {
        country,
        admin1,
        admin2,
        appealing_org,
        implementation,
        implementing_partner,
        month,
        sector,
        indicator,
        activity_name,
        activity_description,
        rmrp_activity,
        cva,
        value_usd,
        delivery_mechanism,
        quantity_output,
        total_monthly,
        new_beneficiaries,
        population,
        age_gender,
    })
}

/// A report's fields as text, for a form showing it.
pub fn fields_of(a: &Activity) -> Vec<(&'static str, String)> {
    let yes = |b: Option<bool>| b.map(|b| if b { "yes" } else { "no" }.to_owned()).unwrap_or_default();
    let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    let t = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut out = vec![
        ("country", a.country.map(|c| c.to_string()).unwrap_or_default()),
        ("admin1", t(&a.admin1)),
        ("admin2", t(&a.admin2)),
        ("appealing_org", t(&a.appealing_org)),
        ("implementation", yes(a.implementation)),
        ("implementing_partner", t(&a.implementing_partner)),
        ("month", a.month.map(|m| m.to_string()).unwrap_or_default()),
        ("sector", t(&a.sector)),
        ("indicator", t(&a.indicator)),
        ("activity_name", t(&a.activity_name)),
        ("activity_description", t(&a.activity_description)),
        ("rmrp_activity", yes(a.rmrp_activity)),
        ("cva", yes(a.cva)),
        ("value_usd", a.value_usd.map(|v| v.to_string()).unwrap_or_default()),
        ("delivery_mechanism", t(&a.delivery_mechanism)),
        ("quantity_output", n(a.quantity_output)),
        ("total_monthly", n(a.total_monthly)),
        ("new_beneficiaries", n(a.new_beneficiaries)),
    ];
    out.extend(POPULATION.iter().zip(a.population).map(|(f, v)| (*f, n(v))));
    out.extend(AGE_GENDER.iter().zip(a.age_gender).map(|(f, v)| (*f, n(v))));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip_and_problems_name_their_field() {
        let given = [
            ("country", "Colombia"),
            ("month", "2024-02"),
            ("girls", "3"),
            ("cva", "Sí"),
            ("value_usd", "10,5"),
        ];
        let get = |name: &str| given.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned());
        let a = parse_activity(&get).expect("parses");
        assert_eq!(a.age_gender[0], Some(3));
        assert_eq!(a.cva, Some(true));
        assert_eq!(a.value_usd, Some(10.5));
        let back = fields_of(&a);
        let again =
            parse_activity(&|name: &str| back.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone())).expect("again");
        assert_eq!(a, again);
        let bad = [("country", "Narnia"), ("girls", "-1"), ("month", "soon")];
        let get = |name: &str| bad.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned());
        let fields: Vec<&str> = parse_activity(&get)
            .expect_err("problems")
            .iter()
            .map(|(f, _)| *f)
            .collect();
        assert_eq!(fields, ["girls", "month", "country"]);
    }
}
