//! Files in. Each reader of `rumbo_io::r4v` turns the bytes into domain values and problems;
//! here the user's right to act on every row is checked, the file's provenance recorded, and
//! the store called. A refused file is recorded too (with its problems), so partners see why.

use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::r4v::figures::{PopulationFigure, parse_date};
use rumbo_domain::r4v::hxl::{self, SchemaColumn};
use rumbo_domain::r4v::{DatasetType, FigureType, PopulationType};
use rumbo_domain::{Problem, Vocabulary};
use rumbo_io::Rejected;
use rumbo_io::r4v::Repair;
use rumbo_io::r4v::dataset::{self, DatasetFile, Record, read_dataset};
use rumbo_io::r4v::five_w::read_five_w;
use rumbo_store::r4v::{ActivityImport, ImportMode, ImportedActivities, NeedRow, SubmissionMeta};
use serde::Serialize;

use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, ProblemOut};

/// What an upload did, for the API and the pages alike.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Intake {
    pub submission_id: i64,
    pub dataset: String,
    pub rows_read: usize,
    pub accepted: usize,
    /// Rows left out, with their reasons (only when the valid rows were imported).
    pub rejected: Vec<ProblemOut>,
    /// Cells whose double-encoded text was repaired.
    pub repairs: Vec<RepairOut>,
    /// 5W: reports kept but breaking quality rules, and how many break each rule.
    pub with_errors: usize,
    pub per_rule: Vec<RuleCount>,
    /// Figures: rows already stored, skipped.
    pub unchanged: usize,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RepairOut {
    #[serde(rename = "where")]
    pub location: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleCount {
    pub rule: u8,
    pub name: &'static str,
    pub reports: usize,
}

impl From<Repair> for RepairOut {
    fn from(r: Repair) -> Self {
        RepairOut {
            location: r.location,
            before: r.before,
            after: r.after,
        }
    }
}

/// How the uploader wants rows with problems handled.
pub fn import_mode(raw: Option<&str>) -> ImportMode {
    match raw.map(str::trim) {
        Some("valid_rows") | Some("valid") | Some("1") | Some("on") | Some("true") => ImportMode::ValidRows,
        _ => ImportMode::AllOrNothing,
    }
}

pub(super) fn rejected(message: String, problems: Vec<Problem>) -> AppError {
    AppError::Rejected {
        message,
        problems: problems.into_iter().map(Into::into).collect(),
    }
}

/// Records a refused file and turns its problems into the error.
async fn refuse(state: &AppState, ctx: &Ctx, mut meta: SubmissionMeta, problems: Vec<Problem>) -> AppError {
    let message = format!("{} problem(s) in the file; nothing was imported", problems.len());
    meta.problems = problems.clone();
    if let Err(e) = state.store.record_rejected_submission(&ctx.actor(), &meta).await {
        return e.into();
    }
    rejected(message, problems)
}

pub(super) fn clean_name(file_name: Option<&str>) -> String {
    crate::transfer::clean_file_name(file_name)
}

/// Imports a 5W file. Each report belongs to its appealing organisation when the name matches
/// one, else to the uploader's; the uploader must be allowed to report for it in its country.
pub async fn import_five_w(
    state: &AppState,
    ctx: &Ctx,
    bytes: &[u8],
    file_name: Option<&str>,
    mode: ImportMode,
) -> Result<Intake, AppError> {
    let user = ctx.require_somewhere(Action::Report5w)?;
    let subject = user.subject();
    let mut meta = SubmissionMeta::new(
        DatasetType::Activities5w,
        user.organisation_id,
        &clean_name(file_name),
        bytes,
    );
    let file = match read_five_w(bytes) {
        Ok(file) => file,
        Err(Rejected { problems }) => return Err(refuse(state, ctx, meta, problems).await),
    };
    meta.rows_read = file.rows_read;
    meta.repairs = file.repairs.len();
    let refs = state.store.r4v_references().await?;
    let mut rows = Vec::with_capacity(file.rows.len());
    for row in &file.rows {
        let owner = row
            .activity
            .appealing_org
            .as_deref()
            .and_then(|o| refs.partner(o))
            .unwrap_or(user.organisation_id);
        if !subject.may(Action::Report5w, &Target::organisation(owner, row.activity.country)) {
            // Nobody imports another partner's reports, whatever the import mode.
            return Err(AppError::Forbidden);
        }
        rows.push(ActivityImport {
            place: format!("row {}", row.number),
            activity: row.activity.clone(),
            organisation_id: owner,
        });
    }
    let problems = file.problems();
    if !problems.is_empty() {
        if mode == ImportMode::AllOrNothing || rows.is_empty() {
            return Err(refuse(state, ctx, meta, problems).await);
        }
        meta.problems = problems.clone();
    }
    let imported: ImportedActivities = state.store.import_activities(&ctx.actor(), &refs, &rows, &meta).await?;
    Ok(Intake {
        submission_id: imported.submission_id,
        dataset: DatasetType::Activities5w.code().to_owned(),
        rows_read: file.rows_read,
        accepted: imported.imported,
        rejected: problems.into_iter().map(Into::into).collect(),
        repairs: file.repairs.into_iter().map(Into::into).collect(),
        with_errors: imported.with_errors,
        per_rule: imported
            .per_rule
            .iter()
            .map(|(rule, n)| RuleCount {
                rule: rule.id(),
                name: rule.name(),
                reports: *n,
            })
            .collect(),
        unchanged: 0,
    })
}

/// A dataset of the exchange protocol: the file must carry HXL hashtags; its rows go where
/// consolidation reads them (5W reports, population figures, people in need, flow counts).
pub async fn submit_dataset(
    state: &AppState,
    ctx: &Ctx,
    dataset: DatasetType,
    bytes: &[u8],
    file_name: Option<&str>,
    mode: ImportMode,
) -> Result<Intake, AppError> {
    match dataset {
        DatasetType::Activities5w => import_five_w(state, ctx, bytes, file_name, mode).await,
        DatasetType::PopulationFigures => import_figures(state, ctx, bytes, file_name, mode, true).await,
        DatasetType::Needs => import_needs(state, ctx, bytes, file_name, mode).await,
        DatasetType::FlowCounts => import_flow_counts(state, ctx, bytes, file_name, mode).await,
    }
}

/// How a schema-checked table is read: its schema, the other labels of its columns, whether
/// the exchange protocol's hashtag row is required, and a check of each whole row.
struct TableRules<'a> {
    schema: &'a [SchemaColumn],
    labels: &'a (dyn Fn(&str) -> &'static [&'static str] + Sync),
    require_hashtags: bool,
    row_check: &'a (dyn Fn(&Record) -> Vec<String> + Sync),
}

/// Reads a schema-checked table, refusing it (and recording the refusal) when it has
/// problems and the uploader wants all or nothing.
async fn read_checked(
    state: &AppState,
    ctx: &Ctx,
    meta: &mut SubmissionMeta,
    bytes: &[u8],
    rules: TableRules<'_>,
    mode: ImportMode,
) -> Result<(DatasetFile, Vec<Problem>), AppError> {
    let TableRules {
        schema,
        labels,
        require_hashtags,
        row_check,
    } = rules;
    let mut file = match read_dataset(bytes, schema, labels, require_hashtags) {
        Ok(file) => file,
        Err(Rejected { problems }) => return Err(refuse(state, ctx, meta.clone(), problems).await),
    };
    let mut kept = Vec::new();
    for record in std::mem::take(&mut file.records) {
        let found = row_check(&record);
        if found.is_empty() {
            kept.push(record);
        } else {
            let place = format!("row {}", record.number);
            file.rejected.push((
                record.number,
                found.into_iter().map(|p| Problem::new(place.clone(), p)).collect(),
            ));
        }
    }
    file.records = kept;
    meta.rows_read = file.rows_read;
    meta.repairs = file.repairs.len();
    let problems = file.problems();
    if !problems.is_empty() {
        if mode == ImportMode::AllOrNothing || file.records.is_empty() {
            return Err(refuse(state, ctx, meta.clone(), problems).await);
        }
        meta.problems = problems.clone();
    }
    Ok((file, problems))
}

fn figure_of(schema: &[SchemaColumn], r: &Record) -> Result<PopulationFigure, String> {
    let text = |f: &str| r.text(schema, f).unwrap_or_default();
    let figure = PopulationFigure {
        country: Iso3::parse(&text("country")).map_err(|e| e.to_string())?,
        kind: FigureType::parse(&text("figure_type")).map_err(|e| e.to_string())?,
        value: r.get(schema, "value").count().unwrap_or(0),
        source: text("source"),
        reference_date: parse_date(&text("reference_date")).map_err(|e| e.to_string())?,
        publication_date: parse_date(&text("publication_date")).map_err(|e| e.to_string())?,
        method_notes: r.text(schema, "method_notes"),
        method_changed: r.get(schema, "method_changed").flag().unwrap_or(false),
        official: r.get(schema, "official").flag().unwrap_or(true),
    };
    figure.validate().map_err(|e| e.to_string())?;
    Ok(figure)
}

/// Population figures, from the exchange protocol (hashtags required) or a plain CSV/XLSX
/// (columns by name). IM officers of every country the file touches only.
pub async fn import_figures(
    state: &AppState,
    ctx: &Ctx,
    bytes: &[u8],
    file_name: Option<&str>,
    mode: ImportMode,
    require_hashtags: bool,
) -> Result<Intake, AppError> {
    let user = ctx.require_somewhere(Action::ManageR4v)?;
    let schema = hxl::schema(DatasetType::PopulationFigures);
    let mut meta = SubmissionMeta::new(
        DatasetType::PopulationFigures,
        user.organisation_id,
        &clean_name(file_name),
        bytes,
    );
    let check = |r: &Record| figure_of(schema, r).err().into_iter().collect();
    let (file, problems) = read_checked(
        state,
        ctx,
        &mut meta,
        bytes,
        TableRules {
            schema,
            labels: &dataset::figure_labels,
            require_hashtags,
            row_check: &check,
        },
        mode,
    )
    .await?;
    let figures: Vec<PopulationFigure> = file.records.iter().filter_map(|r| figure_of(schema, r).ok()).collect();
    for f in &figures {
        ctx.require(Action::ManageR4v, &Target::country(f.country))?;
    }
    let summary = state
        .store
        .add_population_figures(&ctx.actor(), &figures, &meta)
        .await?;
    Ok(Intake {
        submission_id: summary.submission_id,
        dataset: DatasetType::PopulationFigures.code().to_owned(),
        rows_read: file.rows_read,
        accepted: summary.added,
        rejected: problems.into_iter().map(Into::into).collect(),
        repairs: file.repairs.into_iter().map(Into::into).collect(),
        with_errors: 0,
        per_rule: vec![],
        unchanged: summary.unchanged,
    })
}

fn need_of(schema: &[SchemaColumn], r: &Record, year: i64, source: &str) -> Result<NeedRow, String> {
    let text = |f: &str| r.text(schema, f).unwrap_or_default();
    let population = PopulationType::parse(&text("population_type")).map_err(|e| e.to_string())?;
    Ok(NeedRow {
        year,
        country: Iso3::parse(&text("country")).map_err(|e| e.to_string())?,
        adm1_pcode: text("adm1_pcode"),
        sector: text("sector"),
        population_type: population.code().to_owned(),
        people_in_need: r.get(schema, "people_in_need").count().unwrap_or(0),
        method: "imported".into(),
        source: source.to_owned(),
    })
}

/// People in need (the needs dataset: `#country+code`, `#adm1+code`, `#sector+code`,
/// `#population+type`, `#inneed`), for the year given in the file name's first four digits
/// or the current year.
pub async fn import_needs(
    state: &AppState,
    ctx: &Ctx,
    bytes: &[u8],
    file_name: Option<&str>,
    mode: ImportMode,
) -> Result<Intake, AppError> {
    let user = ctx.require_somewhere(Action::ManageR4v)?;
    let schema = hxl::schema(DatasetType::Needs);
    let name = clean_name(file_name);
    let year = year_in(&name);
    let mut meta = SubmissionMeta::new(DatasetType::Needs, user.organisation_id, &name, bytes);
    let check = |r: &Record| need_of(schema, r, year, &name).err().into_iter().collect();
    let (file, problems) = read_checked(
        state,
        ctx,
        &mut meta,
        bytes,
        TableRules {
            schema,
            labels: &dataset::no_labels,
            require_hashtags: false,
            row_check: &check,
        },
        mode,
    )
    .await?;
    let needs: Vec<NeedRow> = file
        .records
        .iter()
        .filter_map(|r| need_of(schema, r, year, &name).ok())
        .collect();
    for n in &needs {
        ctx.require(Action::ManageR4v, &Target::country(n.country))?;
    }
    let (stored, submission) = state
        .store
        .import_needs(&ctx.actor(), &needs, &name, Some(&meta))
        .await?;
    Ok(Intake {
        submission_id: submission.unwrap_or_default(),
        dataset: DatasetType::Needs.code().to_owned(),
        rows_read: file.rows_read,
        accepted: stored,
        rejected: problems.into_iter().map(Into::into).collect(),
        repairs: file.repairs.into_iter().map(Into::into).collect(),
        with_errors: 0,
        per_rule: vec![],
        unchanged: 0,
    })
}

/// The first plausible year (2000–2100) in a file name, or this year.
pub(super) fn year_in(name: &str) -> i64 {
    let digits: Vec<char> = name.chars().collect();
    for window in digits.windows(4) {
        let text: String = window.iter().collect();
        if let Ok(year) = text.parse::<i64>()
            && (2000..=2100).contains(&year)
        {
            return year;
        }
    }
    i64::from(time::OffsetDateTime::now_utc().year())
}

/// Flow counts at monitoring points, kept as exchange rows for flow monitoring.
pub async fn import_flow_counts(
    state: &AppState,
    ctx: &Ctx,
    bytes: &[u8],
    file_name: Option<&str>,
    mode: ImportMode,
) -> Result<Intake, AppError> {
    let user = ctx.require_somewhere(Action::ManageR4v)?;
    let schema = hxl::schema(DatasetType::FlowCounts);
    let mut meta = SubmissionMeta::new(
        DatasetType::FlowCounts,
        user.organisation_id,
        &clean_name(file_name),
        bytes,
    );
    let check = |_: &Record| Vec::new();
    let (file, problems) = read_checked(
        state,
        ctx,
        &mut meta,
        bytes,
        TableRules {
            schema,
            labels: &dataset::no_labels,
            require_hashtags: true,
            row_check: &check,
        },
        mode,
    )
    .await?;
    let mut rows = Vec::with_capacity(file.records.len());
    for r in &file.records {
        let country = r.text(schema, "country");
        if let Some(iso3) = country.as_deref().and_then(|c| Iso3::parse(c).ok()) {
            ctx.require(Action::ManageR4v, &Target::country(iso3))?;
        }
        let data: serde_json::Map<String, serde_json::Value> = schema
            .iter()
            .zip(&r.values)
            .map(|(c, v)| {
                (
                    c.field.to_owned(),
                    serde_json::to_value(v).unwrap_or(serde_json::Value::Null),
                )
            })
            .collect();
        rows.push((r.number, country, serde_json::Value::Object(data)));
    }
    let id = state.store.store_exchange_rows(&ctx.actor(), &meta, &rows).await?;
    Ok(Intake {
        submission_id: id,
        dataset: DatasetType::FlowCounts.code().to_owned(),
        rows_read: file.rows_read,
        accepted: rows.len(),
        rejected: problems.into_iter().map(Into::into).collect(),
        repairs: file.repairs.into_iter().map(Into::into).collect(),
        with_errors: 0,
        per_rule: vec![],
        unchanged: 0,
    })
}
