//! Vulnerability models from conjoint analyses, in the shape UNHCR Americas publishes their
//! weights: one row per country, component, feature and level, with the level's importance
//! relative to its feature's baseline (importance 1). "Not feeling safe" with an importance of
//! 1.29 makes a household 1.29 times as vulnerable as one that feels safe.
//!
//! Importances multiply; a model adds points. Rumbo gives each level `100 × ln(importance)`
//! points (rounded to tenths), so that adding points ranks households exactly as multiplying
//! importances would: "not feeling safe" gives 25.8 points, a baseline level none (it is left
//! out), a level less vulnerable than the baseline (two meals a day or more, 0.83) takes
//! 18.2 points away. Components become groups, so that each can be capped.

use super::facts::Fact;
use super::scoring::{Cap, Criterion, Definition, Op, slug};
use crate::Problem;
use crate::country::{Iso3, known_countries};

/// One row of a conjoint-analysis table, as read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ConjointRow {
    /// Where the row is, such as `row 12`.
    pub place: String,
    /// As the file names it ("Brazil", "Panama MCO"); empty when the file has no country column.
    pub country: String,
    pub component: String,
    pub feature: String,
    pub level: String,
    pub importance: f64,
}

/// What to build from a table.
#[derive(Debug, Clone, PartialEq)]
pub struct ConjointOptions {
    /// The country the model is for.
    pub country: Iso3,
    /// The rows of this country of the file; by default those naming `country`.
    pub source: Option<String>,
    pub threshold: f64,
    pub caps: Vec<Cap>,
}

/// A feature of a conjoint table: its name, the fact it reads, and each level's value.
type Feature = (&'static str, &'static str, &'static [(&'static str, &'static str)]);

/// (feature, fact, [(level, value)]): how the features of UNHCR Americas' questionnaire map to
/// the facts of a registration. Features and levels are compared in lower case.
const FEATURES: &[Feature] = &[
    (
        "meals",
        "meals",
        &[("one or less", "one_or_less"), ("two or more", "two_or_more")],
    ),
    (
        "shelter",
        "shelter",
        &[
            ("owned or rental", "owned_or_rented"),
            ("hosted or collective", "hosted_or_collective"),
            ("spontaneous or squatting", "spontaneous_or_squatting"),
        ],
    ),
    ("water", "water", &[("safe water", "safe"), ("no safe water", "unsafe")]),
    (
        "bathroom",
        "sanitation",
        &[
            ("private bathroom", "private"),
            ("collective or shared toilets", "shared"),
            ("no bathroom", "none"),
        ],
    ),
    (
        "electricity",
        "electricity",
        &[("electricity", "yes"), ("no electricity", "no")],
    ),
    (
        "hh.head",
        "head_profile",
        &[
            ("male", "male"),
            ("female", "female"),
            ("single", "single"),
            ("elderly or disabled", "elderly_or_disabled"),
            ("child", "child"),
        ],
    ),
    (
        "dependency",
        "dependency",
        &[
            ("low", "low"),
            ("average", "average"),
            ("high", "high"),
            ("complete", "complete"),
        ],
    ),
    (
        "disability",
        "disability",
        &[("disabled members", "yes"), ("no disabled members", "no")],
    ),
    (
        "work",
        "work",
        &[
            ("could work once in the week", "could_work"),
            ("could not work", "could_not_work"),
        ],
    ),
    (
        "neg.mechanism",
        "coping",
        &[("none", "none"), ("stress", "stress"), ("extreme", "extreme")],
    ),
    (
        "safety",
        "safety",
        &[("feeling safe", "safe"), ("not feeling safe", "unsafe")],
    ),
    (
        "documentation",
        "missing_documentation",
        &[
            ("have essential documentation", "no"),
            ("miss essential documentation", "yes"),
        ],
    ),
    (
        "communication",
        "internet",
        &[("can access internet", "yes"), ("cannot access easily internet", "no")],
    ),
    (
        "isolation",
        "isolation",
        &[("feel isolated", "isolated"), ("feel connected", "connected")],
    ),
];

/// Lower case, accents and a trailing "MCO" (multi-country office) removed: "Panamá MCO" and
/// "panama" are the same country.
fn normalise_country(name: &str) -> String {
    let lower: String = name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' => 'a',
            'é' | 'ê' => 'e',
            'í' => 'i',
            'ó' | 'ô' | 'õ' => 'o',
            'ú' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            c => c,
        })
        .collect();
    lower.trim_end_matches(" mco").trim().to_owned()
}

/// Whether a file's country name names `country` (in English, Spanish or Portuguese, or by
/// its code).
fn names_country(name: &str, country: Iso3) -> bool {
    let wanted = normalise_country(name);
    if wanted.eq_ignore_ascii_case(country.as_str()) {
        return true;
    }
    known_countries()
        .iter()
        .filter(|c| c.iso3 == country)
        .flat_map(|c| [c.names.en.clone(), c.names.es.clone(), c.names.pt.clone()])
        .flatten()
        .any(|n| normalise_country(&n) == wanted)
}

/// Builds a model for `options.country` from a conjoint table, or lists every problem with the
/// row and column it is in.
pub fn model_from_conjoint(rows: &[ConjointRow], options: &ConjointOptions) -> Result<Definition, Vec<Problem>> {
    let has_countries = rows.iter().any(|r| !r.country.trim().is_empty());
    let selected: Vec<&ConjointRow> = rows
        .iter()
        .filter(|r| match (&options.source, has_countries) {
            (_, false) => true,
            (Some(source), true) => normalise_country(&r.country) == normalise_country(source),
            (None, true) => names_country(&r.country, options.country),
        })
        .collect();
    if selected.is_empty() {
        let mut names: Vec<String> = rows.iter().map(|r| r.country.trim().to_owned()).collect();
        names.sort();
        names.dedup();
        let wanted = options.source.clone().unwrap_or_else(|| options.country.to_string());
        return Err(vec![Problem::new(
            "column country",
            format!(
                "the file has no rows for {wanted}; it has rows for {}. Choose one of them as the source",
                names.join(", ")
            ),
        )]);
    }
    let mut problems = Vec::new();
    let mut criteria: Vec<Criterion> = Vec::new();
    let mut seen: Vec<(String, String, &str)> = Vec::new();
    for row in selected {
        let feature_key = row.feature.trim().to_lowercase();
        let Some((_, fact_code, levels)) = FEATURES.iter().find(|(f, _, _)| *f == feature_key) else {
            problems.push(Problem::new(
                format!("{}, column feature", row.place),
                format!(
                    "'{}' is not a feature Rumbo can score; the features it knows are {}",
                    row.feature.trim(),
                    FEATURES.iter().map(|(f, _, _)| *f).collect::<Vec<_>>().join(", ")
                ),
            ));
            continue;
        };
        let level_key = row.level.trim().to_lowercase();
        let Some((_, value)) = levels.iter().find(|(l, _)| *l == level_key) else {
            problems.push(Problem::new(
                format!("{}, column level", row.place),
                format!(
                    "'{}' is not a level of {}; its levels are {}",
                    row.level.trim(),
                    row.feature.trim(),
                    levels.iter().map(|(l, _)| *l).collect::<Vec<_>>().join(", ")
                ),
            ));
            continue;
        };
        if !(row.importance.is_finite() && row.importance > 0.0) {
            problems.push(Problem::new(
                format!("{}, column importance", row.place),
                "an importance is a number above 0 (1 for the baseline level)",
            ));
            continue;
        }
        if let Some((_, _, first)) = seen.iter().find(|(f, l, _)| *f == feature_key && *l == level_key) {
            problems.push(Problem::new(
                format!("{}, column level", row.place),
                format!("this feature and level are given already at {first}"),
            ));
            continue;
        }
        seen.push((feature_key.clone(), level_key.clone(), &row.place));
        let points = (100.0 * row.importance.ln() * 10.0).round() / 10.0;
        if points == 0.0 {
            continue;
        }
        let fact = match Fact::parse(fact_code) {
            Ok(fact) => fact,
            Err(e) => {
                problems.push(Problem::new(row.place.clone(), e));
                continue;
            }
        };
        let component = row.component.trim();
        criteria.push(Criterion {
            id: slug(&format!("{component}.{}.{}", row.feature.trim(), row.level.trim())),
            label: format!("{}: {}", row.feature.trim(), row.level.trim()),
            fact,
            op: Op::Eq,
            value: (*value).to_owned(),
            points,
            group: (!component.is_empty()).then(|| component.to_owned()),
        });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Definition {
        criteria,
        caps: options.caps.clone(),
        max_score: None,
        threshold: options.threshold,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registration::scoring::Model;

    fn row(n: usize, country: &str, component: &str, feature: &str, level: &str, importance: f64) -> ConjointRow {
        ConjointRow {
            place: format!("row {n}"),
            country: country.into(),
            component: component.into(),
            feature: feature.into(),
            level: level.into(),
            importance,
        }
    }

    fn options(country: &str) -> ConjointOptions {
        ConjointOptions {
            country: Iso3::parse(country).expect("iso3"),
            source: None,
            threshold: 40.0,
            caps: vec![],
        }
    }

    #[test]
    fn importances_become_log_points_and_baselines_are_left_out() {
        let rows = [
            row(2, "Panama MCO", "wellbeing", "Safety", "feeling safe", 1.0),
            row(3, "Panama MCO", "wellbeing", "Safety", "not feeling safe", 1.29425232),
            row(4, "Panama MCO", "basicneeds", "Meals", "two or more", 0.833333333),
            row(5, "Chile", "wellbeing", "Safety", "not feeling safe", 2.0),
        ];
        let definition = model_from_conjoint(&rows, &options("PAN")).expect("model");
        assert_eq!(
            definition.criteria.len(),
            2,
            "Chile's row and the baseline are left out"
        );
        let unsafe_ = &definition.criteria[0];
        assert_eq!(unsafe_.id, "wellbeing.safety.not-feeling-safe");
        assert_eq!(unsafe_.label, "Safety: not feeling safe");
        assert_eq!(unsafe_.points, 25.8);
        assert_eq!(unsafe_.group.as_deref(), Some("wellbeing"));
        assert_eq!(definition.criteria[1].points, -18.2);
        Model::new(definition).expect("a valid model");
    }

    #[test]
    fn the_source_country_can_be_chosen_and_a_missing_one_is_named() {
        let rows = [row(2, "Guatemala", "coping", "HH.Head", "child", 1.143411663)];
        let err = model_from_conjoint(&rows, &options("COL")).expect_err("no Colombia");
        assert!(err[0].problem.contains("rows for Guatemala"), "{err:?}");
        let chosen = ConjointOptions {
            source: Some("guatemala".into()),
            ..options("COL")
        };
        let definition = model_from_conjoint(&rows, &chosen).expect("model");
        assert_eq!(definition.criteria[0].fact, Fact::HeadProfile);
        assert_eq!(definition.criteria[0].value, "child");
    }

    #[test]
    fn unknown_features_levels_and_importances_are_named_by_row_and_column() {
        let rows = [
            row(2, "", "x", "Income", "low", 1.2),
            row(3, "", "x", "Safety", "scared", 1.2),
            row(4, "", "x", "Safety", "not feeling safe", -1.0),
            row(5, "", "x", "Safety", "not feeling safe", 1.1),
            row(6, "", "x", "Safety", "Not feeling safe", 1.1),
        ];
        let err = model_from_conjoint(&rows, &options("BRA")).expect_err("problems");
        let places: Vec<&str> = err.iter().map(|p| p.location.as_str()).collect();
        assert_eq!(
            places,
            [
                "row 2, column feature",
                "row 3, column level",
                "row 4, column importance",
                "row 6, column level"
            ]
        );
    }
}
