//! 5W reports in R4V's template. Columns are found by HXL hashtag when the file has a hashtag
//! row, else by their label in English (as ActivityInfo exports them: `Appealing_org`,
//! `New_beneficiaries`...) or Spanish (`Organización solicitante`, `Nuevos beneficiarios`...),
//! in any case and with or without accents. Each row becomes an
//! [`Activity`](rumbo_domain::r4v::Activity) for the quality rules; what cannot be read at all
//! (a number that is not one, an unknown country) is a problem of the row.

use rumbo_domain::Problem;
use rumbo_domain::country::{Iso3, known_countries};
use rumbo_domain::r4v::encoding::repair;
use rumbo_domain::r4v::fields::{Month, fold, yes_no};
use rumbo_domain::r4v::hxl::{self, Hashtag, parse_number};
use rumbo_domain::r4v::rules::Activity;
use rumbo_domain::r4v::DatasetType;

use super::Repair;
use super::sheet::{Sheet, label_key, read_sheet};
use crate::Rejected;

/// (field, accepted labels as keys): the template's columns, in its order.
pub const COLUMNS: &[(&str, &[&str])] = &[
    ("country", &["country", "pais", "country_name", "nombre_pais"]),
    ("admin1", &["admin1", "admin_1", "admin1_name", "departamento", "estado", "provincia", "region_admin1"]),
    ("adm1_pcode", &["adm1_pcode", "admin1_pcode", "admin1_code", "pcode_admin1"]),
    ("admin2", &["admin2", "admin_2", "admin2_name", "municipio", "canton", "distrito"]),
    ("adm2_pcode", &["adm2_pcode", "admin2_pcode", "admin2_code", "pcode_admin2"]),
    ("appealing_org", &["appealing_org", "appealing_organization", "appealing_organisation", "organizacion_solicitante", "organizacion_lider"]),
    ("implementation", &["implementation", "implementation_set_up", "implementation_setup", "configuracion_de_implementacion", "implementacion"]),
    ("implementing_partner", &["implementing_partner", "implementing_organization", "implementing_organisation", "socio_implementador", "organizacion_implementadora"]),
    ("month", &["month", "mes", "reporting_month", "mes_de_reporte"]),
    ("sector", &["subsector", "sector", "sector_subsector", "indicator_sector"]),
    ("sector_code", &["sector_code", "codigo_sector"]),
    ("indicator", &["indicator", "indicador", "indicator_name"]),
    ("indicator_code", &["indicator_code", "codigo_indicador"]),
    ("activity_name", &["activity_name", "nombre_de_la_actividad", "actividad"]),
    ("activity_description", &["activity_description", "descripcion_de_la_actividad", "descripcion"]),
    ("rmrp_activity", &["rmrpactivity", "rmrp_activity", "actividad_rmrp"]),
    ("cva", &["cva", "tm", "transferencias_monetarias", "cash_and_voucher_assistance"]),
    ("value_usd", &["value", "value_usd", "value_in_usd", "valor", "valor_usd", "valor_en_usd"]),
    ("delivery_mechanism", &["delivery_mechanism", "mecanismo_de_entrega"]),
    ("quantity_output", &["quantity_output", "quantity_of_output", "cantidad_de_producto", "cantidad_de_productos"]),
    ("total_monthly", &["total_monthly", "total_monthly_beneficiaries", "beneficiarios_totales_mensuales", "total_de_beneficiarios_mensuales", "total_mensual"]),
    ("new_beneficiaries", &["new_beneficiaries", "new_beneficiaries_of_the_month", "nuevos_beneficiarios", "nuevos_beneficiarios_del_mes"]),
    ("in_destination", &["in_destination", "refugees_and_migrants_in_destination", "en_destino", "refugiados_y_migrantes_en_destino"]),
    ("in_transit", &["in_transit", "refugees_and_migrants_in_transit", "en_transito", "refugiados_y_migrantes_en_transito"]),
    ("host_community", &["host_communities", "host_community", "comunidad_de_acogida", "comunidades_de_acogida"]),
    ("pendular", &["pendulars", "pendular", "pendulares"]),
    ("colombian_returnee", &["returnees", "colombian_returnees", "colombianos_retornados", "retornados"]),
    ("girls", &["girls", "ninas"]),
    ("boys", &["boys", "ninos"]),
    ("women", &["women", "mujeres"]),
    ("men", &["men", "hombres"]),
    ("other_under_18", &["other_under", "other_under_18", "otros_menores_de_18", "otro_menor_de_18"]),
    ("other_above_18", &["other_above", "other_above_18", "otros_mayores_de_18", "otro_mayor_de_18"]),
];

const POPULATION_FIELDS: [&str; 5] = ["in_destination", "in_transit", "host_community", "pendular", "colombian_returnee"];
const AGE_GENDER_FIELDS: [&str; 6] = ["girls", "boys", "women", "men", "other_under_18", "other_above_18"];

/// One readable row.
#[derive(Debug, Clone, PartialEq)]
pub struct FiveWRow {
    pub number: usize,
    pub activity: Activity,
}

/// A 5W file read: the rows that could be read, those that could not with their problems,
/// and every repaired cell.
#[derive(Debug, Clone, Default)]
pub struct FiveWFile {
    pub rows: Vec<FiveWRow>,
    pub rejected: Vec<(usize, Vec<Problem>)>,
    pub repairs: Vec<Repair>,
    pub rows_read: usize,
}

impl FiveWFile {
    /// Every problem of the rows that could not be read.
    pub fn problems(&self) -> Vec<Problem> {
        self.rejected.iter().flat_map(|(_, p)| p.iter().cloned()).collect()
    }
}

/// A country by ISO3 or ISO2 code, or by its name in Spanish, English or Portuguese.
pub fn country_named(text: &str) -> Option<Iso3> {
    let folded = fold(text);
    known_countries().into_iter().find_map(|c| {
        let names = [c.names.es.as_deref(), c.names.en.as_deref(), c.names.pt.as_deref()];
        let matches = fold(c.iso3.as_str()) == folded
            || fold(&c.iso2) == folded
            || names.iter().flatten().any(|n| fold(n) == folded);
        matches.then_some(c.iso3)
    })
}

/// Finds each template column: by hashtag when the file has a hashtag row, else by label.
fn locate(header: &[String], hashtags: Option<&[String]>) -> Vec<Option<usize>> {
    let keys: Vec<String> = header.iter().map(|h| label_key(h)).collect();
    let by_tag: Vec<(&str, Option<usize>)> = match hashtags {
        Some(tags) => {
            let schema = hxl::schema(DatasetType::Activities5w);
            let parsed: Vec<Option<Hashtag>> = tags.iter().map(|t| Hashtag::parse(t)).collect();
            let mut found: Vec<(&str, Option<usize>)> = schema
                .iter()
                .map(|c| c.field)
                .zip(hxl::map_columns(schema, &parsed))
                .collect();
            // #country+name holds a country too.
            if found.iter().any(|(f, i)| *f == "country" && i.is_none())
                && let Some(i) = parsed
                    .iter()
                    .position(|t| t.as_ref().is_some_and(|t| t.tag == "country"))
            {
                found.push(("country", Some(i)));
            }
            found
        }
        None => Vec::new(),
    };
    COLUMNS
        .iter()
        .map(|(field, labels)| {
            by_tag
                .iter()
                .find(|(f, i)| f == field && i.is_some())
                .and_then(|(_, i)| *i)
                .or_else(|| keys.iter().position(|k| labels.contains(&k.as_str())))
        })
        .collect()
}

/// Reads a 5W file (XLSX or CSV). The header must name at least the country and the month
/// columns; everything else may be missing (the rules report it).
pub fn read_five_w(bytes: &[u8]) -> Result<FiveWFile, Rejected> {
    let sheet = read_sheet(bytes)?;
    read_five_w_sheet(&sheet)
}

pub fn read_five_w_sheet(sheet: &Sheet) -> Result<FiveWFile, Rejected> {
    let mut rows = sheet.rows.iter().filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((_, header)) = rows.next() else {
        return Err(Rejected::one("file", "the file is empty"));
    };
    let mut data: Vec<&(usize, Vec<String>)> = rows.collect();
    let hashtags = data
        .first()
        .filter(|(_, cells)| hxl::is_hashtag_row(cells.iter().map(String::as_str)))
        .map(|(_, cells)| cells.clone());
    if hashtags.is_some() {
        data.remove(0);
    }
    let found = locate(header, hashtags.as_deref());
    let column = |field: &str| COLUMNS.iter().position(|(f, _)| *f == field).and_then(|i| found[i]);
    let mut missing = Vec::new();
    if column("country").is_none() {
        missing.push("country (Country, País or #country+code)");
    }
    if column("month").is_none() {
        missing.push("month (Month, Mes or #date+month)");
    }
    if !missing.is_empty() {
        return Err(Rejected {
            problems: missing
                .into_iter()
                .map(|m| Problem::new("header", format!("the column {m} is missing")))
                .collect(),
        });
    }
    let name_of = |index: usize| header.get(index).map(|h| h.trim().to_owned()).filter(|h| !h.is_empty());
    let mut file = FiveWFile {
        rows_read: data.len(),
        ..Default::default()
    };
    for (number, cells) in data {
        let mut problems = Vec::new();
        let mut cell = |field: &'static str| -> Option<String> {
            let index = column(field)?;
            let raw = cells.get(index).map(|c| c.trim()).unwrap_or("");
            if raw.is_empty() {
                return None;
            }
            let place = format!("row {number}, column {}", name_of(index).unwrap_or_else(|| field.to_owned()));
            match repair(raw) {
                Some(fixed) => {
                    file.repairs.push(Repair {
                        location: place,
                        before: raw.to_owned(),
                        after: fixed.clone(),
                    });
                    Some(fixed)
                }
                None => Some(raw.to_owned()),
            }
        };
        let mut values: Vec<(&'static str, Option<String>)> = COLUMNS.iter().map(|(f, _)| (*f, None)).collect();
        for (field, value) in values.iter_mut() {
            *value = cell(field);
        }
        let get = |field: &str| values.iter().find(|(f, _)| *f == field).and_then(|(_, v)| v.clone());
        let place = |field: &str| {
            let label = column(field).and_then(name_of).unwrap_or_else(|| field.to_owned());
            format!("row {number}, column {label}")
        };
        let mut count = |field: &str| -> Option<i64> {
            let raw = get(field)?;
            match hxl::check_cell(hxl::CellKind::Count, &raw) {
                Ok(v) => v.count(),
                Err(e) => {
                    problems.push(Problem::new(place(field), e));
                    None
                }
            }
        };
        let quantity_output = count("quantity_output");
        let total_monthly = count("total_monthly");
        let new_beneficiaries = count("new_beneficiaries");
        let population = POPULATION_FIELDS.map(&mut count);
        let age_gender = AGE_GENDER_FIELDS.map(&mut count);
        let value_usd = match get("value_usd") {
            None => None,
            Some(raw) => match parse_number(&raw) {
                Some(v) if v >= 0.0 => Some(v),
                _ => {
                    problems.push(Problem::new(place("value_usd"), format!("'{raw}' is not an amount in USD")));
                    None
                }
            },
        };
        let mut flag = |field: &str| -> Option<bool> {
            let raw = get(field)?;
            yes_no(&raw).unwrap_or_else(|e| {
                problems.push(Problem::new(place(field), format!("{e}: write Yes or No")));
                None
            })
        };
        let implementation = flag("implementation");
        let rmrp_activity = flag("rmrp_activity");
        let cva = flag("cva");
        let month = get("month").and_then(|raw| {
            Month::parse(&raw)
                .map_err(|e| problems.push(Problem::new(place("month"), e)))
                .ok()
        });
        let country = match get("country") {
            None => {
                problems.push(Problem::new(
                    place("country"),
                    "the country is missing (rule 1); every report belongs to a country",
                ));
                None
            }
            Some(raw) => country_named(&raw).or_else(|| {
                problems.push(Problem::new(place("country"), format!("'{raw}' is not a country of the response")));
                None
            }),
        };
        if !problems.is_empty() {
            file.rejected.push((*number, problems));
            continue;
        }
        file.rows.push(FiveWRow {
            number: *number,
            activity: Activity {
                country,
                admin1: get("admin1").or_else(|| get("adm1_pcode")),
                admin2: get("admin2").or_else(|| get("adm2_pcode")),
                appealing_org: get("appealing_org"),
                implementation,
                implementing_partner: get("implementing_partner"),
                month,
                sector: get("sector").or_else(|| get("sector_code")),
                indicator: get("indicator").or_else(|| get("indicator_code")),
                activity_name: get("activity_name"),
                activity_description: get("activity_description"),
                rmrp_activity,
                cva,
                value_usd,
                delivery_mechanism: get("delivery_mechanism"),
                quantity_output,
                total_monthly,
                new_beneficiaries,
                population,
                age_gender,
            },
        });
    }
    Ok(file)
}

#[cfg(test)]
#[path = "five_w_tests.rs"]
mod tests;
