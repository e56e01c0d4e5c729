//! Reference data in and out: the glue between the file formats of `rumbo-io` and the store,
//! shared by the API, the pages and the command line so that a file imports and exports the
//! same way through each of them. No HTTP here and no access decisions: callers check those.

use rumbo_domain::Vocabulary;
use rumbo_domain::audit::{Actor, Entity};
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::{AdminArea, AdminLevel};
use rumbo_io::Rejected;
use rumbo_io::boundaries::{BoundaryOptions, read_boundaries};
use rumbo_io::export::{
    write_admin_areas_csv, write_admin_areas_geojson, write_locations_csv, write_locations_geojson,
};
use rumbo_io::locations::{LocationRecord, read_locations};
use rumbo_io::pcodes::read_pcodes;
use rumbo_store::locations::{Location, LocationImportRow, LocationInput, LocationQuery};
use rumbo_store::{Page, Store, StoreError};

use crate::error::AppError;

/// Why moving reference data in or out failed.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The file has problems; nothing of it was stored.
    #[error(transparent)]
    Rejected(#[from] Rejected),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] rumbo_io::WriteError),
}

impl From<TransferError> for AppError {
    fn from(e: TransferError) -> Self {
        match e {
            TransferError::Rejected(r) => AppError::Rejected {
                message: r.to_string(),
                problems: r.problems.into_iter().map(Into::into).collect(),
            },
            TransferError::Store(e) => e.into(),
            TransferError::Write(e) => AppError::Internal(e.to_string()),
        }
    }
}

/// The two shapes admin areas come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaFormat {
    /// COD-AB style GeoJSON boundaries of one level.
    GeoJson,
    /// A P-code list without boundaries.
    Csv,
}

/// The two shapes exports go out in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    GeoJson,
}

impl ExportFormat {
    pub fn parse(raw: Option<&str>) -> Result<ExportFormat, String> {
        match raw.map(|f| f.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("csv") => Ok(ExportFormat::Csv),
            Some("geojson") | Some("json") => Ok(ExportFormat::GeoJson),
            Some(other) => Err(format!("'{other}' is not an export format: use csv or geojson")),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::GeoJson => "application/geo+json",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::GeoJson => "geojson",
        }
    }
}

impl AreaFormat {
    /// `geojson` or `csv`; when not given, guessed from the file name, then from the content.
    pub fn parse(raw: Option<&str>, file_name: Option<&str>, content: &[u8]) -> Result<AreaFormat, String> {
        match raw.map(|f| f.trim().to_ascii_lowercase()).as_deref() {
            Some("geojson") | Some("json") => return Ok(AreaFormat::GeoJson),
            Some("csv") => return Ok(AreaFormat::Csv),
            None | Some("") => {}
            Some(other) => return Err(format!("'{other}' is not a format of admin areas: use geojson or csv")),
        }
        let name = file_name.unwrap_or("").to_ascii_lowercase();
        if name.ends_with(".geojson") || name.ends_with(".json") {
            return Ok(AreaFormat::GeoJson);
        }
        if name.ends_with(".csv") || name.ends_with(".txt") {
            return Ok(AreaFormat::Csv);
        }
        let first = content
            .iter()
            .find(|b| !b.is_ascii_whitespace() && !matches!(b, 0xEF | 0xBB | 0xBF));
        Ok(if first == Some(&b'{') {
            AreaFormat::GeoJson
        } else {
            AreaFormat::Csv
        })
    }
}

/// Reads an admin-area file. Boundaries need their `level`; with `country`, every area must be
/// in that country (and boundaries need not say which it is).
pub fn read_admin_areas(
    bytes: &[u8],
    format: AreaFormat,
    level: Option<AdminLevel>,
    country: Option<Iso3>,
) -> Result<Vec<(String, AdminArea)>, Rejected> {
    match format {
        AreaFormat::GeoJson => {
            let level = level.ok_or_else(|| {
                Rejected::one(
                    "level",
                    "choose the admin level of the boundaries in the file (1, 2 or 3)",
                )
            })?;
            read_boundaries(bytes, &BoundaryOptions { level, country })
        }
        AreaFormat::Csv => {
            let areas = read_pcodes(bytes)?;
            let Some(chosen) = country else { return Ok(areas) };
            let problems: Vec<_> = areas
                .iter()
                .filter(|(_, a)| a.country != chosen)
                .map(|(place, a)| {
                    rumbo_domain::Problem::new(
                        format!("{place}, column country"),
                        format!(
                            "{} is in {}, but the file is being imported for {chosen}",
                            a.pcode, a.country
                        ),
                    )
                })
                .collect();
            if problems.is_empty() {
                Ok(areas)
            } else {
                Err(Rejected { problems })
            }
        }
    }
}

/// The countries that admin areas (or anything with a country) touch, each once.
pub fn countries_of(countries: impl IntoIterator<Item = Iso3>) -> Vec<Iso3> {
    let mut list: Vec<Iso3> = countries.into_iter().collect();
    list.sort();
    list.dedup();
    list
}

/// Reads a location list into rows the store imports.
pub fn read_location_rows(bytes: &[u8]) -> Result<Vec<LocationImportRow>, Rejected> {
    Ok(read_locations(bytes)?
        .into_iter()
        .map(|(place, r)| LocationImportRow {
            place,
            input: LocationInput {
                code: r.code,
                name: r.name,
                kind: r.kind.code().to_owned(),
                country: r.country.to_string(),
                lat: r.position.lat,
                lon: r.position.lon,
                organisation_id: None,
                notes: r.notes,
                is_active: r.active,
            },
            organisation: r.organisation,
        })
        .collect())
}

/// A stored location as files carry it.
pub fn location_record(l: &Location) -> LocationRecord {
    LocationRecord {
        id: Some(l.id),
        code: l.code.clone(),
        name: l.name.clone(),
        kind: l.kind,
        country: l.country,
        position: l.position,
        organisation: l.organisation.clone(),
        notes: l.notes.clone(),
        active: l.is_active,
        admin_areas: [l.adm1.clone(), l.adm2.clone(), l.adm3.clone()],
    }
}

/// Writes the admin areas of `country` (or all) at `level` (or all) as a file, and records the
/// export. CSV lists every area with its ancestors; GeoJSON carries full boundaries.
pub async fn export_admin_areas(
    store: &Store,
    actor: &Actor,
    format: ExportFormat,
    country: Option<Iso3>,
    level: Option<AdminLevel>,
) -> Result<(Vec<u8>, usize), TransferError> {
    let mut out = Vec::new();
    let count = match format {
        ExportFormat::Csv => {
            let areas = store.admin_area_list(country, level).await?;
            write_admin_areas_csv(&areas, level, &mut out)?;
            areas.iter().filter(|a| level.is_none_or(|l| a.level == l)).count()
        }
        ExportFormat::GeoJson => {
            let areas = store.admin_areas_with_boundaries(country, level).await?;
            write_admin_areas_geojson(&areas, &mut out)?;
            areas.iter().filter(|a| a.boundary.is_some()).count()
        }
    };
    let scope = describe_scope(country, level.map(|l| format!("level {l}")));
    store
        .record_export(
            actor,
            Entity::AdminArea,
            &format!("exported {count} admin areas ({scope}) as {}", format.extension()),
        )
        .await?;
    Ok((out, count))
}

/// Writes the locations `query` selects as a file, and records the export.
pub async fn export_locations(
    store: &Store,
    actor: &Actor,
    format: ExportFormat,
    query: &LocationQuery,
) -> Result<(Vec<u8>, usize), TransferError> {
    let (locations, _) = store.locations(query, everything()).await?;
    let records: Vec<LocationRecord> = locations.iter().map(location_record).collect();
    let mut out = Vec::new();
    match format {
        ExportFormat::Csv => write_locations_csv(&records, &mut out)?,
        ExportFormat::GeoJson => write_locations_geojson(&records, &mut out)?,
    }
    let scope = describe_scope(query.country, query.kind.map(|k| k.code().to_owned()));
    store
        .record_export(
            actor,
            Entity::Location,
            &format!(
                "exported {} locations ({scope}) as {}",
                records.len(),
                format.extension()
            ),
        )
        .await?;
    Ok((out, records.len()))
}

/// Every row: for maps and exports, which are not paged.
pub fn everything() -> Page {
    Page {
        limit: i64::MAX,
        offset: 0,
    }
}

fn describe_scope(country: Option<Iso3>, detail: Option<String>) -> String {
    let country = country.map_or_else(|| "all countries".to_owned(), |c| c.to_string());
    match detail {
        Some(detail) => format!("{country}, {detail}"),
        None => country,
    }
}

/// A file name fit for the audit log and a download: letters, digits, `.`, `-` and `_` only,
/// at most 80 characters.
pub fn clean_file_name(name: Option<&str>) -> String {
    let cleaned: String = name
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(80)
        .collect();
    if cleaned.is_empty() {
        "upload".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_chosen_or_guessed() {
        assert_eq!(AreaFormat::parse(Some("CSV"), None, b""), Ok(AreaFormat::Csv));
        assert_eq!(
            AreaFormat::parse(None, Some("col_adm1.geojson"), b""),
            Ok(AreaFormat::GeoJson)
        );
        assert_eq!(
            AreaFormat::parse(None, None, b"\xEF\xBB\xBF {\"type\""),
            Ok(AreaFormat::GeoJson)
        );
        assert_eq!(AreaFormat::parse(None, None, b"pcode,level"), Ok(AreaFormat::Csv));
        assert!(AreaFormat::parse(Some("shp"), None, b"").is_err());
        assert!(ExportFormat::parse(Some("xlsx")).is_err());
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(
            clean_file_name(Some("C:\\datos\\col adm1 (v2).geojson")),
            "coladm1v2.geojson"
        );
        assert_eq!(clean_file_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(clean_file_name(None), "upload");
    }
}
