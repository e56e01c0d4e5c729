//! 5W reports in R4V's template. Columns are found by HXL hashtag when the file has a hashtag
//! row, else by their label in English (as ActivityInfo exports them: `Appealing_org`,
//! `New_beneficiaries`...) or Spanish (`Organización solicitante`, `Nuevos beneficiarios`...),
//! in any case and with or without accents. Each row becomes an
//! [`Activity`](rumbo_domain::r4v::Activity) for the quality rules; what cannot be read at all
//! (a number that is not one, an unknown country) is a problem of the row.

use rumbo_domain::Problem;
use rumbo_domain::country::{Iso3, known_countries};
use rumbo_domain::r4v::DatasetType;
use rumbo_domain::r4v::encoding::repair;
use rumbo_domain::r4v::fields::{Month, fold, yes_no};
use rumbo_domain::r4v::hxl::{self, Hashtag, parse_number};
use rumbo_domain::r4v::rules::Activity;

use std::borrow::Cow;
use std::collections::HashMap;

use super::Repair;
use super::sheet::{SheetFormat, label_key, read_sheet};
use crate::Rejected;
use crate::text::utf8;

/// (field, accepted labels as keys): the template's columns, in its order.
pub const COLUMNS: &[(&str, &[&str])] = &[
    ("country", &["country", "pais", "country_name", "nombre_pais"]),
    (
        "admin1",
        &[
            "admin1",
            "admin_1",
            "admin1_name",
            "departamento",
            "estado",
            "provincia",
            "region_admin1",
        ],
    ),
    (
        "adm1_pcode",
        &["adm1_pcode", "admin1_pcode", "admin1_code", "pcode_admin1"],
    ),
    (
        "admin2",
        &["admin2", "admin_2", "admin2_name", "municipio", "canton", "distrito"],
    ),
    (
        "adm2_pcode",
        &["adm2_pcode", "admin2_pcode", "admin2_code", "pcode_admin2"],
    ),
    (
        "appealing_org",
        &[
            "appealing_org",
            "appealing_organization",
            "appealing_organisation",
            "organizacion_solicitante",
            "organizacion_lider",
        ],
    ),
    (
        "implementation",
        &[
            "implementation",
            "implementation_set_up",
            "implementation_setup",
            "configuracion_de_implementacion",
            "implementacion",
        ],
    ),
    (
        "implementing_partner",
        &[
            "implementing_partner",
            "implementing_organization",
            "implementing_organisation",
            "socio_implementador",
            "organizacion_implementadora",
        ],
    ),
    ("month", &["month", "mes", "reporting_month", "mes_de_reporte"]),
    (
        "sector",
        &["subsector", "sector", "sector_subsector", "indicator_sector"],
    ),
    ("sector_code", &["sector_code", "codigo_sector"]),
    ("indicator", &["indicator", "indicador", "indicator_name"]),
    ("indicator_code", &["indicator_code", "codigo_indicador"]),
    (
        "activity_name",
        &["activity_name", "nombre_de_la_actividad", "actividad"],
    ),
    (
        "activity_description",
        &["activity_description", "descripcion_de_la_actividad", "descripcion"],
    ),
    ("rmrp_activity", &["rmrpactivity", "rmrp_activity", "actividad_rmrp"]),
    (
        "cva",
        &["cva", "tm", "transferencias_monetarias", "cash_and_voucher_assistance"],
    ),
    (
        "value_usd",
        &[
            "value",
            "value_usd",
            "value_in_usd",
            "valor",
            "valor_usd",
            "valor_en_usd",
        ],
    ),
    ("delivery_mechanism", &["delivery_mechanism", "mecanismo_de_entrega"]),
    (
        "quantity_output",
        &[
            "quantity_output",
            "quantity_of_output",
            "cantidad_de_producto",
            "cantidad_de_productos",
        ],
    ),
    (
        "total_monthly",
        &[
            "total_monthly",
            "total_monthly_beneficiaries",
            "beneficiarios_totales_mensuales",
            "total_de_beneficiarios_mensuales",
            "total_mensual",
        ],
    ),
    (
        "new_beneficiaries",
        &[
            "new_beneficiaries",
            "new_beneficiaries_of_the_month",
            "nuevos_beneficiarios",
            "nuevos_beneficiarios_del_mes",
        ],
    ),
    (
        "in_destination",
        &[
            "in_destination",
            "refugees_and_migrants_in_destination",
            "en_destino",
            "refugiados_y_migrantes_en_destino",
        ],
    ),
    (
        "in_transit",
        &[
            "in_transit",
            "refugees_and_migrants_in_transit",
            "en_transito",
            "refugiados_y_migrantes_en_transito",
        ],
    ),
    (
        "host_community",
        &[
            "host_communities",
            "host_community",
            "comunidad_de_acogida",
            "comunidades_de_acogida",
        ],
    ),
    ("pendular", &["pendulars", "pendular", "pendulares"]),
    (
        "colombian_returnee",
        &[
            "returnees",
            "colombian_returnees",
            "colombianos_retornados",
            "retornados",
        ],
    ),
    ("girls", &["girls", "ninas"]),
    ("boys", &["boys", "ninos"]),
    ("women", &["women", "mujeres"]),
    ("men", &["men", "hombres"]),
    (
        "other_under_18",
        &[
            "other_under",
            "other_under_18",
            "otros_menores_de_18",
            "otro_menor_de_18",
        ],
    ),
    (
        "other_above_18",
        &[
            "other_above",
            "other_above_18",
            "otros_mayores_de_18",
            "otro_mayor_de_18",
        ],
    ),
];

const POPULATION_FIELDS: [&str; 5] = [
    "in_destination",
    "in_transit",
    "host_community",
    "pendular",
    "colombian_returnee",
];
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
fn locate(header: &[&str], hashtags: Option<&[&str]>) -> Vec<Option<usize>> {
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

/// The index in [`COLUMNS`] of `field`.
const fn at(field: &str) -> usize {
    let mut i = 0;
    while i < COLUMNS.len() {
        if str_eq(COLUMNS[i].0, field) {
            return i;
        }
        i += 1;
    }
    panic!("not a 5W column");
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Reads a 5W file (XLSX or CSV). The header must name at least the country and the month
/// columns; everything else may be missing (the rules report it). A CSV file is read record by
/// record, so a million reports are never held as a table of text; a large one is cut at record
/// boundaries and its parts read on every core.
pub fn read_five_w(bytes: &[u8]) -> Result<FiveWFile, Rejected> {
    match SheetFormat::sniff(bytes) {
        SheetFormat::Xlsx => {
            let mut reader = Reader::default();
            let sheet = read_sheet(bytes)?;
            for (number, cells) in &sheet.rows {
                let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
                reader.row(*number, &cells)?;
            }
            reader.finish()
        }
        SheetFormat::Csv => read_csv(utf8(bytes)?),
    }
}

/// Refuses a header without the country or the month column.
fn missing_columns(columns: &[Option<usize>]) -> Result<(), Rejected> {
    let mut missing = Vec::new();
    if columns[at("country")].is_none() {
        missing.push("country (Country, País or #country+code)");
    }
    if columns[at("month")].is_none() {
        missing.push("month (Month, Mes or #date+month)");
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(Rejected {
        problems: missing
            .into_iter()
            .map(|m| Problem::new("header", format!("the column {m} is missing")))
            .collect(),
    })
}

/// Where the reader is in the file.
#[derive(Default)]
enum Stage {
    #[default]
    Header,
    /// The header is read; the next row may be hashtags.
    Tags(Vec<String>),
    Data {
        names: Vec<String>,
        columns: Vec<Option<usize>>,
    },
}

#[derive(Default)]
struct Reader {
    stage: Stage,
    file: FiveWFile,
    /// Countries as written, resolved once: a file names a handful, a million times.
    countries: HashMap<String, Option<Iso3>>,
}

impl Reader {
    fn row(&mut self, number: usize, cells: &[&str]) -> Result<(), Rejected> {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return Ok(());
        }
        match std::mem::take(&mut self.stage) {
            Stage::Header => self.stage = Stage::Tags(cells.iter().map(|c| (*c).to_owned()).collect()),
            Stage::Tags(header) => {
                let header: Vec<&str> = header.iter().map(String::as_str).collect();
                let tagged = hxl::is_hashtag_row(cells.iter().copied());
                let columns = locate(&header, tagged.then_some(cells));
                missing_columns(&columns)?;
                self.stage = Stage::Data {
                    names: header.iter().map(|h| h.trim().to_owned()).collect(),
                    columns,
                };
                if !tagged {
                    self.row(number, cells)?;
                }
            }
            Stage::Data { names, columns } => {
                self.data(number, cells, &names, &columns);
                self.stage = Stage::Data { names, columns };
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<FiveWFile, Rejected> {
        match self.stage {
            Stage::Header => Err(Rejected::one("file", "the file is empty")),
            Stage::Tags(header) => {
                let header: Vec<&str> = header.iter().map(String::as_str).collect();
                missing_columns(&locate(&header, None))?;
                Err(Rejected::one("file", "the file has a header but no reports"))
            }
            Stage::Data { .. } if self.file.rows_read == 0 => {
                Err(Rejected::one("file", "the file has a header but no reports"))
            }
            Stage::Data { .. } => Ok(self.file),
        }
    }

    fn data(&mut self, number: usize, cells: &[&str], names: &[String], columns: &[Option<usize>]) {
        self.file.rows_read += 1;
        let place = |field: usize| {
            let label = columns[field]
                .and_then(|i| names.get(i))
                .filter(|n| !n.is_empty())
                .map_or(COLUMNS[field].0, String::as_str);
            format!("row {number}, column {label}")
        };
        // Cells are borrowed from the record; only text kept in the report, and repaired text,
        // is copied.
        let mut values: Vec<Option<Cow<str>>> = Vec::with_capacity(COLUMNS.len());
        for (field, column) in columns.iter().enumerate() {
            let raw = column.and_then(|i| cells.get(i)).map_or("", |c| c.trim());
            values.push(if raw.is_empty() {
                None
            } else {
                match repair(raw) {
                    Some(fixed) => {
                        self.file.repairs.push(Repair {
                            location: place(field),
                            before: raw.to_owned(),
                            after: fixed.clone(),
                        });
                        Some(Cow::Owned(fixed))
                    }
                    None => Some(Cow::Borrowed(raw)),
                }
            });
        }
        let mut problems = Vec::new();
        let mut take = |field: &str| values[at(field)].take();
        let mut count = |field: &str, value: Option<Cow<str>>| -> Option<i64> {
            let raw = value?;
            // The common case, a plain whole number, without the general number reader.
            if let Ok(n) = raw.parse::<i64>()
                && (0..1_000_000_000).contains(&n)
            {
                return Some(n);
            }
            match hxl::check_cell(hxl::CellKind::Count, &raw) {
                Ok(v) => v.count(),
                Err(e) => {
                    problems.push(Problem::new(place(at(field)), e));
                    None
                }
            }
        };
        let quantity_output = count("quantity_output", take("quantity_output"));
        let total_monthly = count("total_monthly", take("total_monthly"));
        let new_beneficiaries = count("new_beneficiaries", take("new_beneficiaries"));
        let population = POPULATION_FIELDS.map(|f| count(f, take(f)));
        let age_gender = AGE_GENDER_FIELDS.map(|f| count(f, take(f)));
        let value_usd = match take("value_usd") {
            None => None,
            Some(raw) => match parse_number(&raw) {
                Some(v) if v >= 0.0 => Some(v),
                _ => {
                    problems.push(Problem::new(
                        place(at("value_usd")),
                        format!("'{raw}' is not an amount in USD"),
                    ));
                    None
                }
            },
        };
        let mut flag = |field: &str, value: Option<Cow<str>>| -> Option<bool> {
            let raw = value?;
            yes_no(&raw).unwrap_or_else(|e| {
                problems.push(Problem::new(place(at(field)), format!("{e}: write Yes or No")));
                None
            })
        };
        let implementation = flag("implementation", take("implementation"));
        let rmrp_activity = flag("rmrp_activity", take("rmrp_activity"));
        let cva = flag("cva", take("cva"));
        let month = take("month").and_then(|raw| {
            Month::parse(&raw)
                .map_err(|e| problems.push(Problem::new(place(at("month")), e)))
                .ok()
        });
        let country = match take("country") {
            None => {
                problems.push(Problem::new(
                    place(at("country")),
                    "the country is missing (rule 1); every report belongs to a country",
                ));
                None
            }
            Some(raw) => {
                let found = match self.countries.get(raw.as_ref()) {
                    Some(found) => *found,
                    None => *self
                        .countries
                        .entry(raw.to_string())
                        .or_insert_with(|| country_named(&raw)),
                };
                if found.is_none() {
                    problems.push(Problem::new(
                        place(at("country")),
                        format!("'{raw}' is not a country of the response"),
                    ));
                }
                found
            }
        };
        if !problems.is_empty() {
            self.file.rejected.push((number, problems));
            return;
        }
        let mut text = |field: &str| take(field).map(Cow::into_owned);
        let mut either = |a: &str, b: &str| text(a).or_else(|| text(b));
        let admin1 = either("admin1", "adm1_pcode");
        let admin2 = either("admin2", "adm2_pcode");
        let sector = either("sector", "sector_code");
        let indicator = either("indicator", "indicator_code");
        self.file.rows.push(FiveWRow {
            number,
            activity: Activity {
                country,
                admin1,
                admin2,
                appealing_org: text("appealing_org"),
                implementation,
                implementing_partner: text("implementing_partner"),
                month,
                sector,
                indicator,
                activity_name: text("activity_name"),
                activity_description: text("activity_description"),
                rmrp_activity,
                cva,
                value_usd,
                delivery_mechanism: text("delivery_mechanism"),
                quantity_output,
                total_monthly,
                new_beneficiaries,
                population,
                age_gender,
            },
        });
    }
}

/// Large CSV files read in parts, one per core.
#[path = "five_w_parts.rs"]
mod parts;

use parts::read_csv;

#[cfg(test)]
#[path = "five_w_tests.rs"]
mod tests;
