//! The flow monitoring dashboard: inflow, outflow and net by day, week or month as a chart
//! drawn on the server (SVG, nothing to run in the browser), breakdowns by sex and age,
//! nationality, transport and destinations, the main corridors on a map, and the points;
//! every table exportable as CSV, HXL and XLSX, everything filtered by dates, country and point.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use rumbo_domain::Vocabulary;
use rumbo_domain::access::Action;
use rumbo_domain::flow::counts::Dimension;
use rumbo_domain::flow::series::{Interval, Period, series, total};
use rumbo_domain::flow::{AgeBrackets, Transport};

use super::map::map_labels;
use super::{Chrome, render};
use crate::AppState;
use crate::auth::Ctx;
use crate::error::AppError;
use crate::flow_data::{FlowQuery, reach};

pub fn router() -> Router<AppState> {
    Router::new().route("/flow", get(dashboard))
}

/// A line of a breakdown table, labelled in the reader's language.
pub struct BreakdownLine {
    pub label: String,
    pub incoming: i64,
    pub outgoing: i64,
    pub transit: i64,
    pub total: i64,
}

pub struct Breakdown {
    pub code: &'static str,
    pub title: String,
    pub lines: Vec<BreakdownLine>,
}

/// The series chart, computed here and drawn by the template as SVG.
pub struct Chart {
    pub width: i64,
    pub height: i64,
    pub incoming: String,
    pub outgoing: String,
    pub net: String,
    /// The y of the zero line.
    pub zero: i64,
    pub max_label: String,
    pub min_label: String,
    pub first: String,
    pub last: String,
}

const CHART_W: f64 = 760.0;
const CHART_H: f64 = 220.0;
const PAD: f64 = 30.0;

/// Polylines of incoming, outgoing and net over the periods, scaled to the chart.
pub fn chart(periods: &[Period]) -> Option<Chart> {
    if periods.is_empty() {
        return None;
    }
    let max = periods
        .iter()
        .map(|p| p.incoming.max(p.outgoing).max(p.net))
        .max()
        .unwrap_or(0)
        .max(1);
    let min = periods.iter().map(|p| p.net.min(0)).min().unwrap_or(0);
    let span = (max - min).max(1) as f64;
    let n = periods.len().max(2) - 1;
    let x = |i: usize| PAD + (CHART_W - 2.0 * PAD) * i as f64 / n as f64;
    let y = |v: i64| PAD + (CHART_H - 2.0 * PAD) * (max - v) as f64 / span;
    let line = |value: &dyn Fn(&Period) -> i64| {
        periods
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(value(p))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let date = |p: Option<&Period>| p.and_then(|p| p.start).map(|d| d.to_string()).unwrap_or_default();
    Some(Chart {
        width: CHART_W as i64,
        height: CHART_H as i64,
        incoming: line(&|p| p.incoming),
        outgoing: line(&|p| p.outgoing),
        net: line(&|p| p.net),
        zero: y(0) as i64,
        max_label: max.to_string(),
        min_label: min.to_string(),
        first: date(periods.first()),
        last: date(periods.last()),
    })
}

#[derive(Template)]
#[template(path = "flow/dashboard.html")]
struct DashboardPage {
    c: Chrome,
    query: FlowQuery,
    /// The filters as a query string, for export links.
    qs: String,
    countries: Vec<(String, String)>,
    points: Vec<(String, String)>,
    intervals: Vec<(String, String)>,
    periods: Vec<Period>,
    total: Period,
    chart: Option<Chart>,
    /// (age bracket, female, male, total)
    sex_age: Vec<(String, i64, i64, i64)>,
    breakdowns: Vec<Breakdown>,
    can_record: bool,
    can_manage: bool,
    can_protect: bool,
    labels: String,
    corridors_url: String,
    filter_error: Option<String>,
}

fn label(c: &Chrome, dimension: Dimension, value: &str) -> String {
    if value.is_empty() {
        return c.tr.t("flow-not-stated");
    }
    match dimension {
        Dimension::Transport => Transport::parse(value).map_or_else(|_| value.to_owned(), |t| c.tr.label(t)),
        Dimension::Corridor => value.replace('|', " → "),
        _ => value.to_owned(),
    }
}

async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<FlowQuery>,
) -> Result<Response, AppError> {
    let user = ctx.require_somewhere(Action::ViewFlowData)?;
    let c = Chrome::new(&ctx, "/flow");
    let seen = reach(user, Action::ViewFlowData);
    let (filter, interval, filter_error) = match query.filter(seen.clone()) {
        Ok((f, i)) => (f, i, None),
        Err(e) => (
            rumbo_store::flow::dashboards::FlowFilter {
                countries: seen.clone(),
                ..Default::default()
            },
            Interval::Week,
            Some(e.detail().message),
        ),
    };
    let store = &state.store;
    let periods = series(&store.flow_days(&filter).await?, interval);
    let brackets: AgeBrackets = store.age_brackets().await?;
    let sex_age = store.flow_sex_age(&filter, &brackets).await?;
    let mut breakdowns = Vec::new();
    for dimension in [
        Dimension::Nationality,
        Dimension::Transport,
        Dimension::Previous,
        Dimension::Next,
        Dimension::Final,
        Dimension::Corridor,
    ] {
        let rows = store.flow_breakdown(&filter, dimension, 10).await?;
        breakdowns.push(Breakdown {
            code: dimension.code(),
            title: c.tr.t(&format!("flow-by-{}", dimension.code().replace('_', "-"))),
            lines: rows
                .into_iter()
                .map(|r| BreakdownLine {
                    label: label(&c, dimension, &r.value),
                    incoming: r.incoming,
                    outgoing: r.outgoing,
                    transit: r.transit,
                    total: r.total,
                })
                .collect(),
        });
    }
    let all_points = store.flow_points(seen.as_deref(), None).await?;
    let countries = super::flow_points::country_choices(&state, &c, seen.as_deref()).await?;
    let qs = query.query_string();
    render(&DashboardPage {
        chart: chart(&periods),
        total: total(&periods),
        periods,
        sex_age: (0..brackets.len())
            .map(|i| {
                let f = sex_age.slots[i];
                let m = sex_age.slots[AgeBrackets::MAX + i];
                (brackets.label(i), f, m, f + m)
            })
            .collect(),
        breakdowns,
        points: all_points
            .iter()
            .map(|p| {
                (
                    p.location.id.to_string(),
                    format!("{} — {}", p.location.code, p.location.name),
                )
            })
            .collect(),
        intervals: Interval::ALL
            .iter()
            .map(|i| (i.code().to_owned(), c.tr.t(&format!("flow-interval-{}", i.code()))))
            .collect(),
        countries,
        can_record: ctx.may_somewhere(Action::RecordFlowData { assigned: true }),
        can_manage: ctx.may_somewhere(Action::ManageFlowPoints),
        can_protect: ctx.may_somewhere(Action::ViewProtectionCases),
        labels: map_labels(&c),
        corridors_url: format!("/api/v1/flow/corridors?{qs}"),
        qs,
        query,
        filter_error,
        c,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_scales_to_its_box_and_shows_negative_net() {
        let period = |incoming, outgoing| Period {
            start: None,
            incoming,
            outgoing,
            transit: 0,
            net: incoming - outgoing,
            hours: 12,
        };
        let chart = chart(&[period(100, 20), period(10, 60)]).expect("chart");
        assert_eq!(chart.max_label, "100");
        assert_eq!(chart.min_label, "-50");
        assert!(chart.incoming.starts_with("30.0,30.0"), "{}", chart.incoming);
        assert!(chart.zero > 30 && chart.zero < 190);
        assert!(super::chart(&[]).is_none());
    }

    /// Every code of the flow vocabularies, and every key the flow pages build at run time,
    /// has a label in the catalogue (which has the same keys in every language).
    #[test]
    fn every_flow_label_is_in_the_catalogue() {
        use rumbo_domain::flow::official::Movement;
        use rumbo_domain::flow::{Direction, Institution, PointType, Service, Sex, Weekday};
        use rumbo_domain::fms::rules::{RiskFlag, RiskLevel};
        use rumbo_domain::fms::{CaseStatus, Document, Education, Incident, Need, Reason, Return};
        let tr = crate::i18n::Tr::new(rumbo_domain::language::Language::En);
        let mut keys: Vec<String> = Vec::new();
        fn all<V: Vocabulary>(keys: &mut Vec<String>) {
            keys.extend(V::ALL.iter().map(|v| v.label_key()));
        }
        all::<Direction>(&mut keys);
        all::<PointType>(&mut keys);
        all::<Transport>(&mut keys);
        all::<Service>(&mut keys);
        all::<Institution>(&mut keys);
        all::<Weekday>(&mut keys);
        all::<Sex>(&mut keys);
        all::<Movement>(&mut keys);
        all::<Interval>(&mut keys);
        all::<Dimension>(&mut keys);
        all::<Education>(&mut keys);
        all::<Document>(&mut keys);
        all::<Reason>(&mut keys);
        all::<Need>(&mut keys);
        all::<Incident>(&mut keys);
        all::<Return>(&mut keys);
        all::<RiskFlag>(&mut keys);
        all::<RiskLevel>(&mut keys);
        all::<CaseStatus>(&mut keys);
        all::<rumbo_domain::audit::Entity>(&mut keys);
        for d in Dimension::ALL {
            keys.push(format!("flow-by-{}", d.code().replace('_', "-")));
        }
        for i in Interval::ALL {
            keys.push(format!("flow-interval-{}", i.code()));
        }
        let answers = serde_json::to_value(rumbo_domain::fms::Interview::default()).expect("json");
        for field in answers.as_object().expect("object").keys() {
            keys.push(format!("fms-q-{}", field.replace('_', "-")));
        }
        let brackets = AgeBrackets::default();
        let respondents: Vec<rumbo_domain::fms::indicators::Respondent> = Vec::new();
        for table in rumbo_domain::fms::indicators::tables(&respondents, &brackets) {
            keys.push(format!("fms-table-{}", table.code.replace('_', "-")));
        }
        let missing: Vec<&String> = keys.iter().filter(|k| tr.t(k) == **k).collect();
        assert!(missing.is_empty(), "labels missing: {missing:?}");
    }
}
