//! What R4V publishes and exports: consolidated people reached (public: no sign-in, small
//! counts suppressed, no personal data — these are counts of people served), the population
//! figures feed with labelled regional totals, and 5W reports as CSV or XLSX with HXL.

use std::collections::BTreeMap;

use rumbo_domain::Vocabulary;
use rumbo_domain::country::Iso3;
use rumbo_domain::r4v::consolidation::{Level, Output, Period, Reach, consolidate, platform_totals};
use rumbo_domain::r4v::disclosure::publish;
use rumbo_domain::r4v::figures::{PopulationFigure, RegionalTotal, current, format_date, regional_totals};
use rumbo_domain::r4v::hxl;
use rumbo_domain::r4v::{AgeGender, DatasetType, Method, Month, PopulationType};
use rumbo_io::r4v::write::{Cell, Table};
use rumbo_store::Store;
use rumbo_store::r4v::{ActivityQuery, ActivityRecord, StoredFigure};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppError;

/// Which consolidation to compute.
#[derive(Debug, Clone, Default)]
pub struct Consolidation {
    pub method: Method,
    /// Only these countries; `None` for every country.
    pub countries: Option<Vec<Iso3>>,
    pub from: Option<Month>,
    pub to: Option<Month>,
    /// One figure for the whole span from..to, rather than one per month.
    pub whole_span: bool,
}

/// Computes the consolidated figures from the stored direct-assistance reports.
pub async fn consolidated(store: &Store, params: &Consolidation) -> Result<Vec<Output>, AppError> {
    let rows = store
        .reach_rows(&ActivityQuery {
            countries: params.countries.clone(),
            from: params.from,
            to: params.to,
            ..Default::default()
        })
        .await?;
    let reach: Vec<Reach> = rows
        .iter()
        .map(|r| Reach {
            country: r.country,
            admin1: &r.admin1,
            month: r.month,
            sector: &r.sector,
            cva: r.cva,
            total_monthly: r.total_monthly,
            new_beneficiaries: r.new_beneficiaries,
            population: r.population,
            age_gender: r.age_gender,
        })
        .collect();
    let span = match (params.whole_span, params.from, params.to) {
        (true, Some(from), Some(to)) => Some((from, to)),
        (true, from, to) => {
            let months: Vec<Month> = reach.iter().map(|r| r.month).collect();
            match (
                from.or(months.iter().min().copied()),
                to.or(months.iter().max().copied()),
            ) {
                (Some(from), Some(to)) => Some((from, to)),
                _ => None,
            }
        }
        _ => None,
    };
    let mut outputs = consolidate(&reach, params.method, span);
    let platforms: Vec<(String, Vec<Iso3>)> = store
        .platforms()
        .await?
        .into_iter()
        .map(|p| (p.code, p.countries))
        .collect();
    let by_platform = platform_totals(&outputs, &platforms);
    outputs.extend(by_platform);
    Ok(outputs)
}

/// A consolidated figure as published. Counts from 1 to 4 are `null` when `public`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsolidatedOut {
    /// region, platform, country or admin1
    pub level: &'static str,
    /// The coordination platform's code, for platform outputs.
    pub platform: Option<String>,
    pub country: Option<String>,
    /// The admin-1 P-code (or the name reported, where it matched no stored area).
    pub admin1: Option<String>,
    /// `2024-03`, or `2024-01/2024-12` for a span.
    pub period: String,
    /// The sector code, or `intersector`.
    pub sector: String,
    /// sum or maxsector: how sectors were combined.
    pub method: &'static str,
    pub people: Option<i64>,
    pub by_population: BTreeMap<&'static str, Option<i64>>,
    pub by_age_gender: BTreeMap<&'static str, Option<i64>>,
    pub cva_people: Option<i64>,
    /// The month's total (a volume): only for single months.
    pub monthly_total: Option<i64>,
}

pub fn period_text(period: Period) -> String {
    match period {
        Period::Month { month } => month.to_string(),
        Period::Span { from, to } => format!("{from}/{to}"),
    }
}

/// One output as published; `public` suppresses small counts.
pub fn output_out(o: &Output, public: bool) -> ConsolidatedOut {
    let shown = |n: i64| if public { publish(n) } else { Some(n) };
    let (level, platform, country, admin1) = match &o.level {
        Level::Region => ("region", None, None, None),
        Level::Platform { platform } => ("platform", Some(platform.clone()), None, None),
        Level::Country { country } => ("country", None, Some(country.to_string()), None),
        Level::Admin1 { country, admin1 } => ("admin1", None, Some(country.to_string()), Some(admin1.clone())),
    };
    let mut by_population: BTreeMap<&'static str, Option<i64>> = PopulationType::ALL
        .iter()
        .map(|p| (p.code(), shown(o.by_population[p.index()])))
        .collect();
    by_population.insert("unspecified", shown(o.by_population[5]));
    let mut by_age_gender: BTreeMap<&'static str, Option<i64>> = AgeGender::ALL
        .iter()
        .map(|g| (g.code(), shown(o.by_age_gender[g.index()])))
        .collect();
    by_age_gender.insert("unspecified", shown(o.by_age_gender[6]));
    ConsolidatedOut {
        level,
        platform,
        country,
        admin1,
        period: period_text(o.period),
        sector: o.sector.clone().unwrap_or_else(|| "intersector".into()),
        method: o.method.code(),
        people: shown(o.people),
        by_population,
        by_age_gender,
        cva_people: shown(o.cva_people),
        monthly_total: o.monthly_total.and_then(shown),
    }
}

/// Consolidated figures as a table with HXL hashtags (suppressed counts are blank).
pub fn consolidated_table(outputs: &[ConsolidatedOut]) -> Table {
    let mut labels: Vec<String> = [
        "level", "platform", "country", "admin1", "period", "sector", "method", "people",
    ]
    .map(str::to_owned)
    .to_vec();
    let mut hashtags: Vec<String> = [
        "#meta+level",
        "#meta+platform",
        "#country+code",
        "#adm1+code",
        "#date+period",
        "#sector+code",
        "#meta+method",
        "#reached+unique",
    ]
    .map(str::to_owned)
    .to_vec();
    let population_tags = [
        "#reached+refugees+destination",
        "#reached+refugees+transit",
        "#reached+hosts",
        "#reached+refugees+pendular",
        "#reached+returnees",
        "#reached+population_unspecified",
    ];
    let age_gender_tags = [
        "#reached+f+children",
        "#reached+m+children",
        "#reached+f+adults",
        "#reached+m+adults",
        "#reached+other+children",
        "#reached+other+adults",
        "#reached+agegender_unspecified",
    ];
    for (p, tag) in PopulationType::ALL
        .iter()
        .map(|p| p.code())
        .chain(["unspecified"])
        .zip(population_tags)
    {
        labels.push(format!("population_{p}"));
        hashtags.push(tag.to_owned());
    }
    for (g, tag) in AgeGender::ALL
        .iter()
        .map(|g| g.code())
        .chain(["unspecified"])
        .zip(age_gender_tags)
    {
        labels.push(format!("age_gender_{g}"));
        hashtags.push(tag.to_owned());
    }
    labels.extend(["cva_people", "monthly_total"].map(str::to_owned));
    hashtags.extend(["#reached+cva", "#reached+volume+monthly"].map(str::to_owned));
    let rows = outputs
        .iter()
        .map(|o| {
            let mut row = vec![
                Cell::text(o.level),
                Cell::opt_text(o.platform.as_deref()),
                Cell::opt_text(o.country.as_deref()),
                Cell::opt_text(o.admin1.as_deref()),
                Cell::text(&o.period),
                Cell::text(&o.sector),
                Cell::text(o.method),
                Cell::opt_int(o.people),
            ];
            let pop_keys = PopulationType::ALL.iter().map(|p| p.code()).chain(["unspecified"]);
            row.extend(pop_keys.map(|k| Cell::opt_int(o.by_population.get(k).copied().flatten())));
            let agd_keys = AgeGender::ALL.iter().map(|g| g.code()).chain(["unspecified"]);
            row.extend(agd_keys.map(|k| Cell::opt_int(o.by_age_gender.get(k).copied().flatten())));
            row.push(Cell::opt_int(o.cva_people));
            row.push(Cell::opt_int(o.monthly_total));
            row
        })
        .collect();
    Table { labels, hashtags, rows }
}

/// The population figures feed: the current figure of each country and type, regional
/// totals labelled with the dates they combine, and (on request) the whole series.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FiguresFeed {
    #[schema(value_type = Vec<Object>)]
    pub current: Vec<PopulationFigure>,
    pub regional: Vec<RegionalOut>,
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<PopulationFigure>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegionalOut {
    pub figure_type: &'static str,
    pub total: i64,
    pub countries: usize,
    /// "as of 2024-06-30", or "combines figures dated 2023-12-31 to 2024-06-30".
    pub label: String,
    pub earliest: String,
    pub latest: String,
    /// Each country's reference date.
    pub dates: BTreeMap<String, String>,
}

impl From<&RegionalTotal> for RegionalOut {
    fn from(t: &RegionalTotal) -> Self {
        RegionalOut {
            figure_type: t.kind.code(),
            total: t.total,
            countries: t.countries,
            label: t.label(),
            earliest: format_date(t.earliest),
            latest: format_date(t.latest),
            dates: t.dates.iter().map(|(c, d)| (c.to_string(), d.clone())).collect(),
        }
    }
}

pub fn figures_feed(stored: &[StoredFigure], with_history: bool) -> FiguresFeed {
    let now = current(stored, |s| &s.figure);
    let figures: Vec<&PopulationFigure> = now.iter().map(|s| &s.figure).collect();
    FiguresFeed {
        current: figures.iter().map(|f| (*f).clone()).collect(),
        regional: regional_totals(&figures).iter().map(Into::into).collect(),
        history: if with_history {
            stored.iter().map(|s| s.figure.clone()).collect()
        } else {
            Vec::new()
        },
    }
}

/// Figures in the exchange format (they import again).
pub fn figures_table(figures: &[PopulationFigure]) -> Table {
    let schema = hxl::schema(DatasetType::PopulationFigures);
    Table {
        labels: schema.iter().map(|c| c.field.to_owned()).collect(),
        hashtags: schema.iter().map(|c| c.hashtag.to_owned()).collect(),
        rows: figures
            .iter()
            .map(|f| {
                vec![
                    Cell::text(f.country.as_str()),
                    Cell::text(f.kind.code()),
                    Cell::Int(f.value),
                    Cell::text(&f.source),
                    Cell::text(format_date(f.reference_date)),
                    Cell::text(format_date(f.publication_date)),
                    Cell::opt_text(f.method_notes.as_deref()),
                    Cell::text(if f.method_changed { "yes" } else { "no" }),
                    Cell::text(if f.official { "yes" } else { "no" }),
                ]
            })
            .collect(),
    }
}

/// The template's labels for the 5W schema's fields, as ActivityInfo exports them.
fn five_w_label(field: &str) -> &str {
    match field {
        "country" => "Country",
        "admin1" => "Admin1",
        "adm1_pcode" => "Admin1_pcode",
        "admin2" => "Admin2",
        "adm2_pcode" => "Admin2_pcode",
        "appealing_org" => "Appealing_org",
        "implementation" => "Implementation",
        "implementing_partner" => "Implementing_partner",
        "month" => "Month",
        "sector" => "Subsector",
        "sector_code" => "Sector_code",
        "indicator" => "Indicator",
        "indicator_code" => "Indicator_code",
        "activity_name" => "Activity_Name",
        "activity_description" => "Activity_Description",
        "rmrp_activity" => "RMRPActivity",
        "cva" => "CVA",
        "value_usd" => "Value",
        "delivery_mechanism" => "Delivery_mechanism",
        "quantity_output" => "Quantity_output",
        "total_monthly" => "Total_monthly",
        "new_beneficiaries" => "New_beneficiaries",
        "in_destination" => "IN_DESTINATION",
        "in_transit" => "IN_TRANSIT",
        "host_community" => "Host_Communities",
        "pendular" => "PENDULARS",
        "colombian_returnee" => "Returnees",
        "girls" => "Girls",
        "boys" => "Boys",
        "women" => "Women",
        "men" => "Men",
        "other_under_18" => "Other_under",
        "other_above_18" => "Other_above",
        other => other,
    }
}

fn yes_no(b: Option<bool>) -> Cell {
    b.map_or(Cell::Empty, |b| Cell::text(if b { "Yes" } else { "No" }))
}

/// 5W reports in R4V's template with an HXL row, plus the rules each breaks; it imports
/// again.
pub fn five_w_table(records: &[ActivityRecord]) -> Table {
    let schema = hxl::schema(DatasetType::Activities5w);
    let mut labels: Vec<String> = schema.iter().map(|c| five_w_label(c.field).to_owned()).collect();
    let mut hashtags: Vec<String> = schema.iter().map(|c| c.hashtag.to_owned()).collect();
    labels.push("Rules_broken".into());
    hashtags.push("#meta+rules".into());
    let rows = records
        .iter()
        .map(|r| {
            let a = &r.activity;
            let mut row = vec![
                Cell::text(r.country.as_str()),
                Cell::opt_text(a.admin1.as_deref()),
                Cell::opt_text(r.adm1_pcode.as_deref()),
                Cell::opt_text(a.admin2.as_deref()),
                Cell::opt_text(r.adm2_pcode.as_deref()),
                Cell::opt_text(a.appealing_org.as_deref()),
                yes_no(a.implementation),
                Cell::opt_text(a.implementing_partner.as_deref()),
                Cell::opt_text(a.month.map(|m| m.to_string()).as_deref()),
                Cell::opt_text(a.sector.as_deref()),
                Cell::opt_text(r.sector_code.as_deref()),
                Cell::opt_text(a.indicator.as_deref()),
                Cell::opt_text(r.indicator_code.as_deref()),
                Cell::opt_text(a.activity_name.as_deref()),
                Cell::opt_text(a.activity_description.as_deref()),
                yes_no(a.rmrp_activity),
                yes_no(a.cva),
                a.value_usd.map_or(Cell::Empty, Cell::Number),
                Cell::opt_text(a.delivery_mechanism.as_deref()),
                Cell::opt_int(a.quantity_output),
                Cell::opt_int(a.total_monthly),
                Cell::opt_int(a.new_beneficiaries),
            ];
            row.extend(a.population.iter().map(|n| Cell::opt_int(*n)));
            row.extend(a.age_gender.iter().map(|n| Cell::opt_int(*n)));
            row.push(Cell::text(r.broken.ids()));
            row
        })
        .collect();
    Table { labels, hashtags, rows }
}
