//! Registrations as CSV, one row per person: rows sharing a `household` value form one
//! household, whose own fields (desk, population group, arrival, consent, living conditions...)
//! are read from its first row and may be repeated, or left blank, on the others. An HXL row
//! may follow the header (`#beneficiary+name+given`, `#date+birth`...). One document per person.
//!
//! Every row is checked with the domain's registration rules, and every problem is reported
//! at its row and column ("row 7, column birth_date: the date of birth is in the future").
//! The file is read as it streams, so a million rows are never held twice.

use std::collections::HashMap;
use std::io::Write;

use rumbo_domain::registration::Household;
use rumbo_domain::registration::conditions::QUESTIONS;
use rumbo_domain::registration::consent::Consent;
pub use rumbo_domain::registration::export::ExportedPerson;
use rumbo_domain::registration::household::{
    DetailsInput, DocumentInput, HouseholdInput, MemberInput, WASHINGTON_FIELDS,
};
use rumbo_domain::registration::people::parse_date;
use time::Date;

use crate::WriteError;
use crate::export::guard;
use crate::table::{ColumnSpec, Row, Table};
use crate::text::{Problems, Rejected, utf8};

const fn spec(
    name: &'static str,
    aliases: &'static [&'static str],
    tag: &'static str,
    attrs: &'static [&'static str],
) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases,
        hxl: Some((tag, attrs)),
    }
}

/// Every column, in the order exports write them. Household fields first, then the person.
const SPECS: &[ColumnSpec] = &[
    spec(
        "household",
        &["household_code", "household_id", "hogar"],
        "beneficiary",
        &["code", "household"],
    ),
    spec(
        "desk",
        &["desk_code", "registration_desk", "location"],
        "loc",
        &["code"],
    ),
    spec(
        "registration_date",
        &["registered_on", "registered_at"],
        "date",
        &["registered"],
    ),
    spec("population_group", &["population_type"], "population", &["type"]),
    spec("arrival_date", &[], "date", &["arrival"]),
    spec("previous_country", &[], "country", &["code", "previous"]),
    spec("previous_area", &[], "adm1", &["code", "previous"]),
    spec("residence_area", &["residence_pcode"], "adm2", &["code", "residence"]),
    spec("lat", &["latitude"], "geo", &["lat"]),
    spec("lon", &["longitude", "lng"], "geo", &["lon"]),
    spec("child_headed", &[], "beneficiary", &["child_headed"]),
    spec("consent_registration", &[], "consent", &["registration"]),
    spec("consent_sharing", &[], "consent", &["sharing"]),
    spec("consent_referral", &[], "consent", &["referral"]),
    spec("meals", &[], "indicator", &["meals"]),
    spec("shelter", &[], "indicator", &["shelter"]),
    spec("water", &[], "indicator", &["water"]),
    spec("sanitation", &[], "indicator", &["sanitation"]),
    spec("electricity", &[], "indicator", &["electricity"]),
    spec("work", &[], "indicator", &["work"]),
    spec("coping", &[], "indicator", &["coping"]),
    spec("safety", &[], "indicator", &["safety"]),
    spec("internet", &[], "indicator", &["internet"]),
    spec("isolation", &[], "indicator", &["isolation"]),
    spec(
        "relationship",
        &["relationship_to_head"],
        "beneficiary",
        &["relationship"],
    ),
    spec(
        "given_names",
        &["nombres", "given_name"],
        "beneficiary",
        &["name", "given"],
    ),
    spec(
        "first_surname",
        &["primer_apellido"],
        "beneficiary",
        &["name", "surname", "first"],
    ),
    spec(
        "second_surname",
        &["segundo_apellido"],
        "beneficiary",
        &["name", "surname", "second"],
    ),
    spec("sex", &["sexo"], "beneficiary", &["sex"]),
    spec(
        "birth_date",
        &["date_of_birth", "dob", "fecha_de_nacimiento"],
        "date",
        &["birth"],
    ),
    spec("estimated_age", &["age"], "beneficiary", &["age", "estimated"]),
    spec("nationality", &["nacionalidad"], "beneficiary", &["nationality"]),
    spec("phone", &["telephone", "telefono", "teléfono"], "contact", &["phone"]),
    spec("needs", &["specific_needs"], "beneficiary", &["needs"]),
    spec("wg_seeing", &[], "beneficiary", &["wg", "seeing"]),
    spec("wg_hearing", &[], "beneficiary", &["wg", "hearing"]),
    spec("wg_walking", &[], "beneficiary", &["wg", "walking"]),
    spec("wg_cognition", &[], "beneficiary", &["wg", "cognition"]),
    spec("wg_self_care", &[], "beneficiary", &["wg", "self_care"]),
    spec("wg_communication", &[], "beneficiary", &["wg", "communication"]),
    spec("document_type", &[], "beneficiary", &["document", "type"]),
    spec("document_number", &[], "beneficiary", &["document", "code"]),
    spec("document_expiry", &[], "date", &["document", "expiry"]),
];

/// The household fields: read from a household's first row, and checked to agree on the others.
const HOUSEHOLD_FIELDS: [&str; 24] = [
    "desk",
    "registration_date",
    "population_group",
    "arrival_date",
    "previous_country",
    "previous_area",
    "residence_area",
    "lat",
    "lon",
    "child_headed",
    "consent_registration",
    "consent_sharing",
    "consent_referral",
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
    "household",
];

const REQUIRED: &[&str] = &[
    "household",
    "desk",
    "relationship",
    "given_names",
    "first_surname",
    "sex",
    "nationality",
];

/// A household read from a file, checked.
#[derive(Debug, Clone)]
pub struct RegistrationRecord {
    /// Such as `household F-12 (rows 4-7)`.
    pub place: String,
    /// The `household` value that grouped its rows.
    pub key: String,
    /// The code of the registration desk.
    pub desk: String,
    /// The registration date given, as RFC 3339 (noon UTC); `None` for today.
    pub registered_at: Option<String>,
    pub household: Household,
    /// The row of each member, in order.
    pub rows: Vec<usize>,
}

/// A household's rows as read, before they are checked.
struct Partial {
    first_row: usize,
    fields: HashMap<&'static str, (String, usize)>,
    members: Vec<MemberInput>,
    rows: Vec<usize>,
}

fn flag(raw: &str) -> Result<bool, String> {
    match raw.trim().to_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "sí" | "si" | "s" | "sim" | "x" => Ok(true),
        "" | "0" | "no" | "n" | "false" | "não" | "nao" => Ok(false),
        other => Err(format!("'{other}' is not yes or no")),
    }
}

fn member(table: &Table, row: &Row) -> MemberInput {
    let cell = |name: &str| row.get(table.column(name)).to_owned();
    MemberInput {
        relationship: cell("relationship"),
        given_names: cell("given_names"),
        first_surname: cell("first_surname"),
        second_surname: cell("second_surname"),
        sex: cell("sex"),
        birth_date: cell("birth_date"),
        estimated_age: cell("estimated_age"),
        nationality: cell("nationality"),
        phone: cell("phone"),
        needs: vec![cell("needs")],
        washington: std::array::from_fn(|i| cell(WASHINGTON_FIELDS[i])),
        documents: vec![DocumentInput {
            doc_type: cell("document_type"),
            number: cell("document_number"),
            expiry: cell("document_expiry"),
        }],
    }
}

/// Reads a file of registrations, each household checked as of `today`, or every problem
/// found in it (at most 200 listed).
pub fn read_registrations(bytes: &[u8], today: Date) -> Result<Vec<RegistrationRecord>, Rejected> {
    let text = utf8(bytes)?;
    let mut problems = Problems::default();
    let mut order: Vec<String> = Vec::new();
    let mut partials: HashMap<String, Partial> = HashMap::new();
    let mut row_problems: Vec<(String, String)> = Vec::new();
    let table = Table::stream(text, SPECS, &mut problems, |table, row| {
        let key = row.get(table.column("household")).to_owned();
        if key.is_empty() {
            row_problems.push((
                format!("row {}, column household", row.number),
                "give the household this person belongs to (rows with the same value form one household)".into(),
            ));
            return;
        }
        let partial = partials.entry(key.clone()).or_insert_with(|| {
            order.push(key.clone());
            Partial {
                first_row: row.number,
                fields: HashMap::new(),
                members: Vec::new(),
                rows: Vec::new(),
            }
        });
        for field in HOUSEHOLD_FIELDS {
            let value = row.get(table.column(field));
            if value.is_empty() {
                continue;
            }
            match partial.fields.get(field) {
                Some((first, at)) if first != value => row_problems.push((
                    format!("row {}, column {field}", row.number),
                    format!("differs from row {at} of the same household"),
                )),
                Some(_) => {}
                None => {
                    partial.fields.insert(field, (value.to_owned(), row.number));
                }
            }
        }
        partial.members.push(member(table, &row));
        partial.rows.push(row.number);
    })?;
    table.require(REQUIRED, &mut problems);
    for (place, problem) in row_problems {
        problems.push(place, problem);
    }
    if !problems.is_empty() {
        return problems.finish(Vec::new());
    }
    if order.is_empty() {
        return Err(Rejected::one("file", "the file has a header but no rows"));
    }
    let mut records = Vec::with_capacity(order.len());
    for key in order {
        let Some(partial) = partials.remove(&key) else { continue };
        if let Some(record) = check(key, partial, today, &mut problems) {
            records.push(record);
        }
    }
    problems.finish(records)
}

fn check(key: String, partial: Partial, today: Date, problems: &mut Problems) -> Option<RegistrationRecord> {
    let field = |name: &str| partial.fields.get(name).map(|(v, _)| v.clone()).unwrap_or_default();
    let at = |name: &str| {
        let row = partial.fields.get(name).map_or(partial.first_row, |(_, r)| *r);
        format!("row {row}, column {name}")
    };
    let before = problems.count();
    let mut consent = Consent::default();
    for (name, slot) in [
        ("consent_registration", &mut consent.registration),
        ("consent_sharing", &mut consent.sharing),
        ("consent_referral", &mut consent.referral),
    ] {
        match flag(&field(name)) {
            Ok(v) => *slot = v,
            Err(e) => problems.push(at(name), e),
        }
    }
    let child_headed = flag(&field("child_headed"))
        .map_err(|e| problems.push(at("child_headed"), e))
        .unwrap_or(false);
    let registered_at = match field("registration_date").as_str() {
        "" => None,
        raw => match parse_date("registration date", raw) {
            Ok(date) if date > today => {
                problems.push(at("registration_date"), "the registration date is in the future");
                None
            }
            Ok(date) => Some(format!(
                "{}T12:00:00Z",
                rumbo_domain::registration::people::format_date(date)
            )),
            Err(e) => {
                problems.push(at("registration_date"), e);
                None
            }
        },
    };
    let input = HouseholdInput {
        details: DetailsInput {
            population_group: field("population_group"),
            arrival_date: field("arrival_date"),
            previous_country: field("previous_country"),
            previous_area: field("previous_area"),
            residence_area: field("residence_area"),
            lat: field("lat"),
            lon: field("lon"),
            child_headed,
            conditions: QUESTIONS.iter().map(|q| field(q.code)).collect(),
        },
        consent,
        members: partial.members,
    };
    let household = match input.validate(today) {
        Ok(h) => Some(h),
        Err(found) => {
            for p in found {
                let place = match p.member.and_then(|m| partial.rows.get(m)) {
                    Some(row) => format!("row {row}, column {}", p.field),
                    None if p.field == "members" => at("household"),
                    None => at(p.field),
                };
                problems.push(place, p.error);
            }
            None
        }
    };
    if problems.count() != before {
        return None;
    }
    let (first, last) = (
        partial.rows.first().copied().unwrap_or(0),
        partial.rows.last().copied().unwrap_or(0),
    );
    Some(RegistrationRecord {
        place: if first == last {
            format!("household {key} (row {first})")
        } else {
            format!("household {key} (rows {first}-{last})")
        },
        desk: field("desk"),
        key,
        registered_at,
        household: household?,
        rows: partial.rows,
    })
}

/// Columns a pseudonymous export leaves out.
const PERSONAL: [&str; 7] = [
    "given_names",
    "first_surname",
    "second_surname",
    "phone",
    "document_number",
    "lat",
    "lon",
];

/// Writes people as CSV with an HXL row. A personal export reads back with
/// [`read_registrations`]; a pseudonymous one has codes instead of names and no numbers.
pub fn write_registrations_csv<W: Write>(rows: &[ExportedPerson], personal: bool, out: W) -> Result<(), WriteError> {
    let mut writer = csv::Writer::from_writer(out);
    let mut header: Vec<String> = Vec::new();
    let mut hxl: Vec<String> = Vec::new();
    let columns: Vec<&ColumnSpec> = SPECS
        .iter()
        .filter(|s| personal || !PERSONAL.contains(&s.name))
        .collect();
    for s in &columns {
        header.push(s.name.to_owned());
        hxl.push(
            s.hxl
                .map(|(tag, attrs)| format!("#{tag}+{}", attrs.join("+")))
                .unwrap_or_default(),
        );
    }
    for (name, tag) in [
        ("person", "#beneficiary+code+person"),
        ("score", "#severity+score"),
        ("eligible", "#status+eligible"),
    ] {
        header.push(name.into());
        hxl.push(tag.into());
    }
    writer.write_record(&header)?;
    writer.write_record(&hxl)?;
    let yes = |b: bool| if b { "yes" } else { "no" }.to_owned();
    for row in rows {
        let mut record = Vec::with_capacity(header.len());
        for s in &columns {
            let value = match s.name {
                "household" => row.household.clone(),
                "desk" => row.desk.clone(),
                "registration_date" => row.registration_date.clone(),
                "population_group" => row.population_group.clone(),
                "arrival_date" => row.arrival_date.clone(),
                "previous_country" => row.previous_country.clone(),
                "previous_area" => row.previous_area.clone(),
                "residence_area" => row.residence_area.clone(),
                "lat" => row.lat.clone(),
                "lon" => row.lon.clone(),
                "child_headed" => yes(row.child_headed),
                "consent_registration" => yes(row.consent.registration),
                "consent_sharing" => yes(row.consent.sharing),
                "consent_referral" => yes(row.consent.referral),
                "relationship" => row.relationship.clone(),
                "given_names" => row.given_names.clone(),
                "first_surname" => row.first_surname.clone(),
                "second_surname" => row.second_surname.clone(),
                "sex" => row.sex.clone(),
                // An estimated date of birth goes out as the estimated age it came from.
                "birth_date" if row.birth_date_estimated => String::new(),
                "birth_date" => row.birth_date.clone(),
                "estimated_age" if row.birth_date_estimated => estimated_age(&row.birth_date, &row.registration_date),
                "estimated_age" => String::new(),
                "nationality" => row.nationality.clone(),
                "phone" => row.phone.clone(),
                "needs" => row.needs.clone(),
                "document_type" => row.document_type.clone(),
                "document_number" => row.document_number.clone(),
                "document_expiry" => row.document_expiry.clone(),
                other => match (
                    QUESTIONS.iter().position(|q| q.code == other),
                    WASHINGTON_FIELDS.iter().position(|w| *w == other),
                ) {
                    (Some(q), _) => row.conditions.get(q).cloned().unwrap_or_default(),
                    (_, Some(w)) => row.washington[w].clone(),
                    _ => String::new(),
                },
            };
            record.push(guard(&value));
        }
        record.extend([row.person.clone(), row.score.clone(), row.eligible.clone()]);
        writer.write_record(&record)?;
    }
    writer.flush()?;
    Ok(())
}

/// The age, on the registration date, of someone born on `birth_date` (both `YYYY-MM-DD...`).
fn estimated_age(birth_date: &str, registered: &str) -> String {
    let parse = |s: &str| s.get(..10).and_then(|d| parse_date("date", d).ok());
    match (parse(birth_date), parse(registered)) {
        (Some(b), Some(r)) => rumbo_domain::registration::people::age_on(b, r).to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
#[path = "registrations_tests.rs"]
mod tests;

/// One household of a beneficiary list, as a distribution sheet shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BeneficiaryRow {
    pub rank: i64,
    pub household: String,
    pub score: f64,
    pub reason: String,
    pub size: i64,
    pub desk: String,
    pub area: String,
    pub assisted_here: String,
    pub assisted_elsewhere: String,
    pub head_name: String,
    pub head_document: String,
    pub head_phone: String,
}

/// Writes a beneficiary list as CSV with an HXL row; the head's name, document and phone only
/// in a personal export (for distribution).
pub fn write_beneficiaries_csv<W: Write>(rows: &[BeneficiaryRow], personal: bool, out: W) -> Result<(), WriteError> {
    let mut writer = csv::Writer::from_writer(out);
    let mut header = vec![
        "rank",
        "household",
        "score",
        "reason",
        "size",
        "desk",
        "area",
        "assisted_here",
        "assisted_elsewhere",
    ];
    let mut hxl = vec![
        "#priority+rank",
        "#beneficiary+code+household",
        "#severity+score",
        "#description+reason",
        "#beneficiary+num",
        "#loc+code",
        "#adm2+code",
        "#date+assisted",
        "#activity+code+elsewhere",
    ];
    if personal {
        header.extend(["head_name", "head_document", "head_phone"]);
        hxl.extend(["#beneficiary+name", "#beneficiary+document+code", "#contact+phone"]);
    }
    writer.write_record(&header)?;
    writer.write_record(&hxl)?;
    for row in rows {
        let mut record = vec![
            row.rank.to_string(),
            row.household.clone(),
            row.score.to_string(),
            row.reason.clone(),
            row.size.to_string(),
            row.desk.clone(),
            row.area.clone(),
            row.assisted_here.clone(),
            row.assisted_elsewhere.clone(),
        ];
        if personal {
            record.extend([guard(&row.head_name), guard(&row.head_document), guard(&row.head_phone)]);
        }
        writer.write_record(&record)?;
    }
    writer.flush()?;
    Ok(())
}
