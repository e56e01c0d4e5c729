//! The information exchange protocol. Member organisations send datasets as tables whose
//! second row holds HXL hashtags (Humanitarian Exchange Language): `#country+code`,
//! `#adm1+code`, `#org+impl+name`, `#reached+f+children`... Each dataset type has a schema
//! here: which hashtags it needs and what each cell must hold. Columns are found by hashtag,
//! never by the header text, so a dataset in any language exchanges the same way.

use serde::Serialize;

use super::fields::{Month, yes_no};
use super::figures::parse_date;
use super::vocab::DatasetType;
use crate::country::Iso3;
use crate::geography::Pcode;
use crate::vocabulary::Vocabulary;

/// What a cell must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellKind {
    Text,
    /// A whole number of people or things, zero or more.
    Count,
    /// An amount (US dollars), zero or more.
    Amount,
    Date,
    Month,
    Country,
    Pcode,
    YesNo,
    /// A code of the closed list `Vocabulary::NAME` (the list is checked by the importer).
    Code,
}

/// One column of a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SchemaColumn {
    /// The field's name in Rumbo (`adm1_pcode`, `girls`...).
    pub field: &'static str,
    /// The HXL hashtag with its attributes, as exported: `#reached+f+children`.
    pub hashtag: &'static str,
    pub kind: CellKind,
    pub required: bool,
}

const fn col(field: &'static str, hashtag: &'static str, kind: CellKind, required: bool) -> SchemaColumn {
    SchemaColumn {
        field,
        hashtag,
        kind,
        required,
    }
}

use CellKind::*;

const POPULATION_FIGURES: &[SchemaColumn] = &[
    col("country", "#country+code", Country, true),
    col("figure_type", "#indicator+type", Code, true),
    col("value", "#affected+num", Count, true),
    col("source", "#meta+source", Text, true),
    col("reference_date", "#date+reference", Date, true),
    col("publication_date", "#date+published", Date, true),
    col("method_notes", "#description+method", Text, false),
    col("method_changed", "#status+method_changed", YesNo, false),
    col("official", "#status+official", YesNo, false),
];

/// The 5W, in the order of R4V's template.
const ACTIVITIES_5W: &[SchemaColumn] = &[
    col("country", "#country+code", Country, true),
    col("admin1", "#adm1+name", Text, false),
    col("adm1_pcode", "#adm1+code", Pcode, false),
    col("admin2", "#adm2+name", Text, false),
    col("adm2_pcode", "#adm2+code", Pcode, false),
    col("appealing_org", "#org+prog+name", Text, true),
    col("implementation", "#status+impl", YesNo, false),
    col("implementing_partner", "#org+impl+name", Text, false),
    col("month", "#date+month", Month, true),
    col("sector", "#sector+name", Text, false),
    col("sector_code", "#sector+code", Text, false),
    col("indicator", "#indicator+name", Text, false),
    col("indicator_code", "#indicator+code", Text, false),
    col("activity_name", "#activity+name", Text, false),
    col("activity_description", "#activity+description", Text, false),
    col("rmrp_activity", "#activity+rmrp", YesNo, false),
    col("cva", "#modality+cva", YesNo, false),
    col("value_usd", "#value+cva+usd", Amount, false),
    col("delivery_mechanism", "#modality+mechanism", Text, false),
    col("quantity_output", "#output+num", Count, false),
    col("total_monthly", "#reached+total", Count, false),
    col("new_beneficiaries", "#reached+new", Count, false),
    col("in_destination", "#reached+refugees+destination", Count, false),
    col("in_transit", "#reached+refugees+transit", Count, false),
    col("host_community", "#reached+hosts", Count, false),
    col("pendular", "#reached+refugees+pendular", Count, false),
    col("colombian_returnee", "#reached+returnees", Count, false),
    col("girls", "#reached+f+children", Count, false),
    col("boys", "#reached+m+children", Count, false),
    col("women", "#reached+f+adults", Count, false),
    col("men", "#reached+m+adults", Count, false),
    col("other_under_18", "#reached+other+children", Count, false),
    col("other_above_18", "#reached+other+adults", Count, false),
];

const FLOW_COUNTS: &[SchemaColumn] = &[
    col("date", "#date", Date, true),
    col("country", "#country+code", Country, true),
    col("location", "#loc+code", Text, true),
    col("direction", "#meta+direction", Text, true),
    col("total", "#affected+total", Count, true),
    col("women", "#affected+f+adults", Count, false),
    col("men", "#affected+m+adults", Count, false),
    col("girls", "#affected+f+children", Count, false),
    col("boys", "#affected+m+children", Count, false),
];

const NEEDS: &[SchemaColumn] = &[
    col("country", "#country+code", Country, true),
    col("adm1_pcode", "#adm1+code", Pcode, true),
    col("sector", "#sector+code", Text, true),
    col("population_type", "#population+type", Code, true),
    col("people_in_need", "#inneed", Count, true),
];

/// The schema of a dataset type.
pub fn schema(dataset: DatasetType) -> &'static [SchemaColumn] {
    match dataset {
        DatasetType::PopulationFigures => POPULATION_FIGURES,
        DatasetType::Activities5w => ACTIVITIES_5W,
        DatasetType::FlowCounts => FLOW_COUNTS,
        DatasetType::Needs => NEEDS,
    }
}

/// A hashtag with its attributes, such as `#adm1+code`: lower case, without spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashtag {
    pub tag: String,
    pub attributes: Vec<String>,
}

impl Hashtag {
    /// Reads a cell of the hashtag row; `None` when it holds no hashtag.
    pub fn parse(cell: &str) -> Option<Hashtag> {
        let compact: String = cell
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        let rest = compact.strip_prefix('#')?;
        let mut parts = rest.split('+');
        let tag = parts.next().filter(|t| !t.is_empty())?.to_owned();
        Some(Hashtag {
            tag,
            attributes: parts.filter(|a| !a.is_empty()).map(str::to_owned).collect(),
        })
    }

    /// Whether this hashtag carries `other`'s tag and every one of its attributes.
    pub fn covers(&self, other: &Hashtag) -> bool {
        self.tag == other.tag && other.attributes.iter().all(|a| self.attributes.contains(a))
    }
}

/// Whether a row of cells is an HXL hashtag row: every non-empty cell is a hashtag.
pub fn is_hashtag_row<'a>(cells: impl IntoIterator<Item = &'a str>) -> bool {
    let mut any = false;
    for cell in cells {
        let cell = cell.trim();
        if cell.is_empty() {
            continue;
        }
        if Hashtag::parse(cell).is_none() {
            return false;
        }
        any = true;
    }
    any
}

/// For each schema column, the file column holding it. A file column goes to the schema
/// column whose hashtag it covers with the most attributes (`#reached+f+children` is girls,
/// not the `#reached` of another column); the first file column wins a tie.
pub fn map_columns(schema: &[SchemaColumn], hashtags: &[Option<Hashtag>]) -> Vec<Option<usize>> {
    let wanted: Vec<Option<Hashtag>> = schema.iter().map(|c| Hashtag::parse(c.hashtag)).collect();
    let mut found = vec![None; schema.len()];
    for (i, hashtag) in hashtags.iter().enumerate() {
        let Some(hashtag) = hashtag else { continue };
        let best = wanted
            .iter()
            .enumerate()
            .filter_map(|(j, w)| {
                w.as_ref()
                    .filter(|w| hashtag.covers(w))
                    .map(|w| (j, w.attributes.len()))
            })
            .max_by_key(|&(j, n)| (n, std::cmp::Reverse(j)));
        if let Some((j, _)) = best
            && found[j].is_none()
        {
            found[j] = Some(i);
        }
    }
    found
}

/// A checked cell value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Empty,
    Text(String),
    Count(i64),
    Amount(f64),
    Bool(bool),
}

impl Value {
    pub fn text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn count(&self) -> Option<i64> {
        match self {
            Value::Count(n) => Some(*n),
            _ => None,
        }
    }

    pub fn amount(&self) -> Option<f64> {
        match self {
            Value::Amount(n) => Some(*n),
            Value::Count(n) => Some(*n as f64),
            _ => None,
        }
    }

    pub fn flag(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// A number as spreadsheets in the region write it: `1234`, `1234.0`, `1,234` or `1.234,5`.
pub fn parse_number(raw: &str) -> Option<f64> {
    let text: String = raw.trim().chars().filter(|c| !c.is_whitespace()).collect();
    if text.is_empty() {
        return None;
    }
    if let Ok(n) = text.parse::<f64>() {
        return Some(n);
    }
    let normalised = match (text.rfind(','), text.rfind('.')) {
        // 1.234,5: dots group thousands, the comma is decimal.
        (Some(c), Some(d)) if c > d => text.replace('.', "").replace(',', "."),
        // 1,234.5: commas group thousands.
        (Some(_), Some(_)) => text.replace(',', ""),
        // 1,234 (three digits after) groups thousands; 7,5 is a decimal.
        (Some(c), None) if text.len() - c == 4 && text.matches(',').count() >= 1 => text.replace(',', ""),
        (Some(_), None) => text.replace(',', "."),
        _ => return None,
    };
    normalised.parse().ok().filter(|n: &f64| n.is_finite())
}

/// Checks one cell against its kind: the value, or why it is not one.
pub fn check_cell(kind: CellKind, raw: &str) -> Result<Value, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(Value::Empty);
    }
    match kind {
        Text | Code => Ok(Value::Text(text.to_owned())),
        Count => match parse_number(text) {
            // No activity reaches a billion people: larger counts are typing mistakes, and
            // refusing them keeps every sum of a million reports within 64 bits.
            Some(n) if n >= 0.0 && n.fract() == 0.0 && n < 1e9 => Ok(Value::Count(n as i64)),
            Some(n) if n >= 1e9 => Err(format!("{text} is too large for a count of people or things")),
            Some(n) if n < 0.0 => Err(format!("{text} is negative; counts are zero or more")),
            Some(_) => Err(format!("{text} is not a whole number")),
            None => Err(format!("'{text}' is not a number")),
        },
        Amount => match parse_number(text) {
            Some(n) if n >= 0.0 => Ok(Value::Amount(n)),
            Some(_) => Err(format!("{text} is negative; amounts are zero or more")),
            None => Err(format!("'{text}' is not an amount")),
        },
        Date => parse_date(text)
            .map(|d| Value::Text(super::figures::format_date(d)))
            .map_err(|e| e.to_string()),
        Month => super::fields::Month::parse(text)
            .map(|m| Value::Text(m.to_string()))
            .map_err(|e| e.to_string()),
        Country => Iso3::parse(text)
            .map(|c| Value::Text(c.to_string()))
            .map_err(|e| e.to_string()),
        Pcode => Pcode::parse(text)
            .map(|p| Value::Text(p.to_string()))
            .map_err(|e| e.to_string()),
        YesNo => yes_no(text)
            .map(|b| b.map_or(Value::Empty, Value::Bool))
            .map_err(|e| e.to_string()),
    }
}

/// The month of a checked month cell.
pub fn month_of(value: &Value) -> Option<Month> {
    value.text().and_then(|t| Month::parse(t).ok())
}

/// Every schema's hashtags parse, and each schema's columns are told apart by `map_columns`
/// when a file carries exactly the exported hashtags.
pub fn exported_hashtags(dataset: DatasetType) -> Vec<&'static str> {
    schema(dataset).iter().map(|c| c.hashtag).collect()
}

/// The code lists a `Code` column of `dataset` accepts.
pub fn codes_of(dataset: DatasetType, field: &str) -> Option<Vec<&'static str>> {
    use super::vocab::{FigureType, PopulationType};
    match (dataset, field) {
        (DatasetType::PopulationFigures, "figure_type") => Some(FigureType::ALL.iter().map(|v| v.code()).collect()),
        (DatasetType::Needs, "population_type") => Some(PopulationType::ALL.iter().map(|v| v.code()).collect()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_maps_its_own_export() {
        for dataset in DatasetType::ALL {
            let tags: Vec<Option<Hashtag>> = exported_hashtags(*dataset).iter().map(|t| Hashtag::parse(t)).collect();
            assert!(tags.iter().all(Option::is_some), "{dataset:?}");
            let found = map_columns(schema(*dataset), &tags);
            for (i, f) in found.iter().enumerate() {
                assert_eq!(*f, Some(i), "{dataset:?} column {}", schema(*dataset)[i].field);
            }
        }
    }

    #[test]
    fn the_most_specific_hashtag_wins_and_order_does_not_matter() {
        let tags: Vec<Option<Hashtag>> = ["#reached +f +children", "#x", "#reached+new", "#country+code+v_iso3"]
            .iter()
            .map(|t| Hashtag::parse(t))
            .collect();
        let schema = schema(DatasetType::Activities5w);
        let found = map_columns(schema, &tags);
        let at = |field: &str| found[schema.iter().position(|c| c.field == field).expect("field")];
        assert_eq!(at("girls"), Some(0));
        assert_eq!(at("new_beneficiaries"), Some(2));
        assert_eq!(at("country"), Some(3));
        assert_eq!(at("boys"), None);
        assert!(is_hashtag_row(["#adm1+code", "", "#org"]));
        assert!(!is_hashtag_row(["#adm1", "Colombia"]));
        assert!(!is_hashtag_row(["", " "]));
    }

    #[test]
    fn cells_are_checked_by_kind() {
        assert_eq!(check_cell(Count, "1,234"), Ok(Value::Count(1234)));
        assert_eq!(check_cell(Count, "12.0"), Ok(Value::Count(12)));
        assert!(check_cell(Count, "-3").expect_err("negative").contains("negative"));
        assert!(check_cell(Count, "2.5").is_err());
        assert!(
            check_cell(Count, "99999999999")
                .expect_err("too large")
                .contains("too large")
        );
        assert_eq!(check_cell(Amount, "1.234,50"), Ok(Value::Amount(1234.5)));
        assert_eq!(check_cell(Amount, "7,5"), Ok(Value::Amount(7.5)));
        assert_eq!(check_cell(YesNo, "Sí"), Ok(Value::Bool(true)));
        assert_eq!(check_cell(Month, "2023-01-01"), Ok(Value::Text("2023-01".into())));
        assert_eq!(check_cell(Country, "col"), Ok(Value::Text("COL".into())));
        assert!(check_cell(Pcode, "C!").is_err());
        assert_eq!(check_cell(Count, "  "), Ok(Value::Empty));
    }
}
