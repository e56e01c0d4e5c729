//! Tables read against a schema: the datasets of the information exchange protocol
//! (population figures, needs, flow counts; see `rumbo_domain::r4v::hxl`), partners' targets
//! and OCHA FTS funding flows. Columns are found by HXL hashtag when the file has a hashtag
//! row, else by their field name or another accepted label. Every cell is checked against its
//! kind; each problem names its row and column.

use rumbo_domain::Problem;
use rumbo_domain::r4v::encoding::repair;
use rumbo_domain::r4v::hxl::{self, CellKind, Hashtag, SchemaColumn, Value};

use super::Repair;
use super::sheet::{Sheet, label_key, read_sheet};
use crate::Rejected;

/// One checked row: its number and a value per schema column.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub number: usize,
    pub values: Vec<Value>,
}

impl Record {
    /// The value of `field` (a schema field).
    pub fn get(&self, schema: &[SchemaColumn], field: &str) -> &Value {
        schema
            .iter()
            .position(|c| c.field == field)
            .and_then(|i| self.values.get(i))
            .unwrap_or(&Value::Empty)
    }

    pub fn text(&self, schema: &[SchemaColumn], field: &str) -> Option<String> {
        self.get(schema, field).text().map(str::to_owned)
    }
}

/// A table read against a schema.
#[derive(Debug, Clone, Default)]
pub struct DatasetFile {
    pub records: Vec<Record>,
    pub rejected: Vec<(usize, Vec<Problem>)>,
    pub repairs: Vec<Repair>,
    pub rows_read: usize,
    /// Whether the file carried an HXL hashtag row.
    pub tagged: bool,
}

impl DatasetFile {
    pub fn problems(&self) -> Vec<Problem> {
        self.rejected.iter().flat_map(|(_, p)| p.iter().cloned()).collect()
    }
}

/// Reads `bytes` (CSV or XLSX) against `schema`; `labels` gives other accepted headers for a
/// field (as [`label_key`]s). With `require_hashtags`, a file without a hashtag row is refused,
/// as the exchange protocol asks.
pub fn read_dataset(
    bytes: &[u8],
    schema: &[SchemaColumn],
    labels: &dyn Fn(&str) -> &'static [&'static str],
    require_hashtags: bool,
) -> Result<DatasetFile, Rejected> {
    read_dataset_sheet(&read_sheet(bytes)?, schema, labels, require_hashtags)
}

pub fn read_dataset_sheet(
    sheet: &Sheet,
    schema: &[SchemaColumn],
    labels: &dyn Fn(&str) -> &'static [&'static str],
    require_hashtags: bool,
) -> Result<DatasetFile, Rejected> {
    let mut rows = sheet
        .rows
        .iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((_, header)) = rows.next() else {
        return Err(Rejected::one("file", "the file is empty"));
    };
    let mut data: Vec<&(usize, Vec<String>)> = rows.collect();
    let hashtags: Option<Vec<Option<Hashtag>>> = data
        .first()
        .filter(|(_, cells)| hxl::is_hashtag_row(cells.iter().map(String::as_str)))
        .map(|(_, cells)| cells.iter().map(|c| Hashtag::parse(c)).collect());
    if hashtags.is_some() {
        data.remove(0);
    } else if require_hashtags {
        let expected: Vec<&str> = schema.iter().map(|c| c.hashtag).collect();
        return Err(Rejected::one(
            "row 2",
            format!(
                "the exchange protocol needs a row of HXL hashtags under the header, such as {}",
                expected.join(", ")
            ),
        ));
    }
    let keys: Vec<String> = header.iter().map(|h| label_key(h)).collect();
    let by_tag = hashtags.as_ref().map(|tags| hxl::map_columns(schema, tags));
    let found: Vec<Option<usize>> = schema
        .iter()
        .enumerate()
        .map(|(i, column)| {
            by_tag.as_ref().and_then(|t| t[i]).or_else(|| {
                let accepted = labels(column.field);
                keys.iter()
                    .position(|k| k == column.field || accepted.contains(&k.as_str()))
            })
        })
        .collect();
    let missing: Vec<Problem> = schema
        .iter()
        .zip(&found)
        .filter(|(c, f)| c.required && f.is_none())
        .map(|(c, _)| Problem::new("header", format!("the column {} ({}) is missing", c.field, c.hashtag)))
        .collect();
    if !missing.is_empty() {
        return Err(Rejected { problems: missing });
    }
    let name_of = |index: usize, field: &str| {
        header
            .get(index)
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| field.to_owned())
    };
    let mut file = DatasetFile {
        rows_read: data.len(),
        tagged: hashtags.is_some(),
        ..Default::default()
    };
    for (number, cells) in data {
        let mut problems = Vec::new();
        let mut values = Vec::with_capacity(schema.len());
        for (column, index) in schema.iter().zip(&found) {
            let Some(index) = *index else {
                values.push(Value::Empty);
                continue;
            };
            let place = format!("row {number}, column {}", name_of(index, column.field));
            let mut raw = cells.get(index).map(|c| c.trim().to_owned()).unwrap_or_default();
            if let Some(fixed) = repair(&raw) {
                file.repairs.push(Repair {
                    location: place.clone(),
                    before: raw.clone(),
                    after: fixed.clone(),
                });
                raw = fixed;
            }
            match hxl::check_cell(column.kind, &raw) {
                Ok(Value::Empty) if column.required => {
                    problems.push(Problem::new(place, format!("{} is required", column.field)));
                    values.push(Value::Empty);
                }
                Ok(value) => values.push(value),
                Err(e) => {
                    problems.push(Problem::new(place, e));
                    values.push(Value::Empty);
                }
            }
        }
        if problems.is_empty() {
            file.records.push(Record {
                number: *number,
                values,
            });
        } else {
            file.rejected.push((*number, problems));
        }
    }
    Ok(file)
}

/// No other labels: columns are named by their field or found by hashtag.
pub fn no_labels(_: &str) -> &'static [&'static str] {
    &[]
}

/// Other labels of the population figures' columns.
pub fn figure_labels(field: &str) -> &'static [&'static str] {
    match field {
        "country" => &["pais", "iso3", "country_iso3"],
        "figure_type" => &["type", "kind", "tipo", "figure"],
        "value" => &["figure", "cifra", "valor", "people", "personas"],
        "source" => &["fuente", "source_body"],
        "reference_date" => &["fecha_de_referencia", "as_of", "date"],
        "publication_date" => &["fecha_de_publicacion", "published"],
        "method_notes" => &["notes", "notas", "method", "metodologia"],
        _ => &[],
    }
}

const fn col(field: &'static str, hashtag: &'static str, kind: CellKind, required: bool) -> SchemaColumn {
    SchemaColumn {
        field,
        hashtag,
        kind,
        required,
    }
}

/// Partners' planned activities: targets by population type and by age and gender, budget.
pub const TARGETS: &[SchemaColumn] = &[
    col("year", "#date+year", CellKind::Count, true),
    col("organisation", "#org+prog+acronym", CellKind::Text, true),
    col("country", "#country+code", CellKind::Country, true),
    col("sector", "#sector+code", CellKind::Text, true),
    col("indicator", "#indicator+code", CellKind::Text, false),
    col("activity", "#activity+name", CellKind::Text, false),
    col(
        "in_destination",
        "#targeted+refugees+destination",
        CellKind::Count,
        false,
    ),
    col("in_transit", "#targeted+refugees+transit", CellKind::Count, false),
    col("host_community", "#targeted+hosts", CellKind::Count, false),
    col("pendular", "#targeted+refugees+pendular", CellKind::Count, false),
    col("colombian_returnee", "#targeted+returnees", CellKind::Count, false),
    col("girls", "#targeted+f+children", CellKind::Count, false),
    col("boys", "#targeted+m+children", CellKind::Count, false),
    col("women", "#targeted+f+adults", CellKind::Count, false),
    col("men", "#targeted+m+adults", CellKind::Count, false),
    col("other_under_18", "#targeted+other+children", CellKind::Count, false),
    col("other_above_18", "#targeted+other+adults", CellKind::Count, false),
    col("budget_in_kind_usd", "#value+inkind+usd", CellKind::Amount, false),
    col("budget_cva_usd", "#value+cva+usd", CellKind::Amount, false),
];

/// The indicator registry: an RMRP year's indicators with their sector and type.
pub const INDICATORS: &[SchemaColumn] = &[
    col("code", "#indicator+code", CellKind::Text, true),
    col("sector", "#sector+code", CellKind::Text, true),
    col("name_en", "#indicator+name+i_en", CellKind::Text, true),
    col("name_es", "#indicator+name+i_es", CellKind::Text, false),
    col("kind", "#indicator+type", CellKind::Text, true),
];

/// OCHA FTS flows, as FTS's own CSV exports and HDX's `fts_incoming_funding` files name them.
pub const FTS_FLOWS: &[SchemaColumn] = &[
    col("flow_id", "#meta+id", CellKind::Text, true),
    col("amount_usd", "#value+funding+total+usd", CellKind::Amount, true),
    col("year", "#date+year+budget", CellKind::Text, false),
    col("date", "#date", CellKind::Text, false),
    col("donor", "#org+name+funder", CellKind::Text, false),
    col("recipient", "#org+name+impl", CellKind::Text, false),
    col("country", "#country+name", CellKind::Text, false),
    col("sector", "#sector+cluster+name", CellKind::Text, false),
    col("status", "#status", CellKind::Text, false),
    col("description", "#description", CellKind::Text, false),
];

/// The labels FTS uses for its columns.
pub fn fts_labels(field: &str) -> &'static [&'static str] {
    match field {
        "flow_id" => &["id", "flowid", "flow_id_"],
        "amount_usd" => &["amountusd", "amount_usd_", "funding_usd", "amount"],
        "year" => &["budgetyear", "budget_year", "usage_year"],
        "date" => &["decisiondate", "flow_date", "date_"],
        "donor" => &[
            "srcorganization",
            "source_organization",
            "source_org",
            "donor_organization",
        ],
        "recipient" => &[
            "destorganization",
            "destination_organization",
            "destination_org",
            "recipient_organization",
        ],
        "country" => &[
            "destlocations",
            "destination_location",
            "destination_country",
            "destination_locations",
        ],
        "sector" => &[
            "destglobalclusters",
            "destination_global_cluster",
            "destination_cluster",
            "global_cluster",
            "cluster",
        ],
        "status" => &["flow_status", "contributiontype"],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use rumbo_domain::r4v::DatasetType;

    use super::*;

    #[test]
    fn exchange_datasets_need_hashtags_and_report_each_cell() {
        let schema = hxl::schema(DatasetType::PopulationFigures);
        let untagged = "country,figure_type,value\nCOL,refugees_migrants,1\n";
        let err = read_dataset(untagged.as_bytes(), schema, &figure_labels, true).expect_err("refused");
        assert!(err.problems[0].problem.contains("#country+code"));
        let csv = "País,Tipo,Cifra,Fuente,Ref,Pub\n\
                   #country+code,#indicator+type,#affected+num,#meta+source,#date+reference,#date+published\n\
                   COL,refugees_migrants,2875743,Migración Colombia,2024-06-30,2024-08-01\n\
                   PER,refugees_migrants,-5,Migraciones,30/06/2024,2024-08-01\n\
                   XX1,asylum_claims,5,,2024-06-30,2024-08-01\n";
        let file = read_dataset(csv.as_bytes(), schema, &figure_labels, true).expect("reads");
        assert!(file.tagged);
        assert_eq!(file.records.len(), 1);
        assert_eq!(file.records[0].get(schema, "value"), &Value::Count(2_875_743));
        let problems: Vec<String> = file.problems().iter().map(ToString::to_string).collect();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems[0].starts_with("row 4, column Cifra: -5 is negative"),
            "{problems:?}"
        );
        assert!(problems[1].starts_with("row 5, column País:"), "{problems:?}");
        assert_eq!(problems[2], "row 5, column Fuente: source is required");
    }

    #[test]
    fn fts_flows_by_their_own_labels() {
        let csv = "id,amountUSD,budgetYear,srcOrganization,destOrganization,destLocations,destGlobalClusters,status\n\
                   123,\"1,500,000\",2024,ECHO,UNHCR,Colombia,Protection,paid\n";
        let file = read_dataset(csv.as_bytes(), FTS_FLOWS, &fts_labels, false).expect("reads");
        assert_eq!(
            file.records[0].get(FTS_FLOWS, "amount_usd"),
            &Value::Amount(1_500_000.0)
        );
        assert_eq!(file.records[0].text(FTS_FLOWS, "country").as_deref(), Some("Colombia"));
    }
}
