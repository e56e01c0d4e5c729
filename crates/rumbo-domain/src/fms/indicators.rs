//! FMS indicator tables: how many respondents gave each answer, and their share, over the
//! interviews selected. Counts from 1 to [`SMALL_COUNT`]−1 are suppressed (with their share),
//! and a table whose base is that small is suppressed whole, so that no respondent can be
//! singled out. Only aggregates leave this module: never an answer of one person.

use std::collections::BTreeMap;

use serde::Serialize;

use super::rules::RiskFlag;
use super::{Document, Incident, Interview, Need, Reason, Return};
use crate::flow::{AgeBrackets, Disclosed, SMALL_COUNT, Sex, percent};
use crate::vocabulary::Vocabulary;

/// One line of a table: a code (of a vocabulary, a country, an age bracket), how many
/// respondents, and their share of the table's base.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorRow {
    pub code: String,
    pub count: Disclosed,
    pub percent: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorTable {
    /// Stable name of the table, such as `needs`.
    pub code: &'static str,
    /// The message-catalogue prefix of its row labels (a vocabulary's name), or `country`,
    /// `age_group`.
    pub labels: &'static str,
    /// Respondents the shares are of.
    pub base: Disclosed,
    /// Several answers per person: shares add up to more than 100 %.
    pub multiple: bool,
    pub rows: Vec<IndicatorRow>,
}

/// A respondent as the indicators see them: the answers, and the flags their interview raised.
pub struct Respondent<'a> {
    pub interview: &'a Interview,
    pub flags: &'a [RiskFlag],
}

/// Every indicator table over `respondents`.
pub fn tables(respondents: &[Respondent], brackets: &AgeBrackets) -> Vec<IndicatorTable> {
    let base = respondents.len() as i64;
    let mut out = Vec::new();
    let mut add = |code, labels, multiple, counts: BTreeMap<String, i64>| {
        out.push(table(code, labels, multiple, base, counts));
    };
    add(
        "sex_age",
        "age_group",
        false,
        tally(respondents, |r| {
            let (Some(sex), Some(age)) = (r.interview.sex, r.interview.age) else {
                return vec![];
            };
            vec![format!("{}|{}", sex.code(), brackets.label(brackets.bracket_of(age)))]
        }),
    );
    add(
        "nationality",
        "country",
        false,
        tally(respondents, |r| {
            r.interview.nationality.map(|n| n.to_string()).into_iter().collect()
        }),
    );
    add(
        "reasons",
        Reason::NAME,
        true,
        tally(respondents, |r| codes(&r.interview.reasons)),
    );
    add(
        "documents",
        Document::NAME,
        true,
        tally(respondents, |r| codes(&r.interview.documents)),
    );
    add(
        "destination",
        "country",
        false,
        tally(respondents, |r| {
            r.interview
                .destination_country
                .map(|n| n.to_string())
                .into_iter()
                .collect()
        }),
    );
    add(
        "return",
        Return::NAME,
        false,
        tally(respondents, |r| {
            r.interview
                .intends_to_return
                .map(|v| v.code().to_owned())
                .into_iter()
                .collect()
        }),
    );
    add(
        "needs",
        Need::NAME,
        true,
        tally(respondents, |r| codes(&r.interview.needs)),
    );
    add(
        "incidents",
        Incident::NAME,
        true,
        tally(respondents, |r| codes(&r.interview.incidents)),
    );
    add(
        "trafficking",
        "fms_indicator",
        true,
        tally(respondents, |r| {
            let i = r.interview;
            [
                ("any_trafficking_indicator", i.trafficking_indicators() > 0),
                ("held_against_will", i.held_against_will),
                ("deceived_and_forced", i.deceived_and_forced),
                ("worked_without_pay", i.worked_without_pay),
                ("paid_less_than_agreed", i.paid_less_than_agreed),
                ("forced_overtime", i.forced_overtime),
                ("working_to_pay_debt", i.working_to_pay_debt),
                ("forced_begging", i.forced_begging),
                ("employer_inappropriate_request", i.employer_inappropriate_request),
                ("paid_guide_or_smuggler", i.paid_guide_or_smuggler),
                ("made_to_wait_by_guide", i.made_to_wait_by_guide),
            ]
            .into_iter()
            .filter(|(_, yes)| *yes)
            .map(|(code, _)| code.to_owned())
            .collect()
        }),
    );
    add(
        "risk_flags",
        RiskFlag::NAME,
        true,
        tally(respondents, |r| codes(r.flags)),
    );
    out
}

fn codes<V: Vocabulary>(values: &[V]) -> Vec<String> {
    values.iter().map(|v| v.code().to_owned()).collect()
}

/// How many respondents gave each answer (each respondent counted once per answer).
fn tally(respondents: &[Respondent], answers: impl Fn(&Respondent) -> Vec<String>) -> BTreeMap<String, i64> {
    let mut counts = BTreeMap::new();
    for r in respondents {
        let mut given = answers(r);
        given.sort();
        given.dedup();
        for answer in given {
            *counts.entry(answer).or_insert(0) += 1;
        }
    }
    counts
}

fn table(
    code: &'static str,
    labels: &'static str,
    multiple: bool,
    base: i64,
    counts: BTreeMap<String, i64>,
) -> IndicatorTable {
    let whole_suppressed = base > 0 && base < SMALL_COUNT;
    let mut rows: Vec<IndicatorRow> = counts
        .into_iter()
        .map(|(code, n)| {
            let count = if whole_suppressed {
                Disclosed::Suppressed
            } else {
                Disclosed::of(n, SMALL_COUNT)
            };
            IndicatorRow {
                code,
                percent: match count {
                    Disclosed::Count(_) => percent(n, base),
                    Disclosed::Suppressed => None,
                },
                count,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.percent.unwrap_or(-1.0).total_cmp(&a.percent.unwrap_or(-1.0)));
    IndicatorTable {
        code,
        labels,
        base: Disclosed::of(base, SMALL_COUNT),
        multiple,
        rows,
    }
}

/// Sex codes used in `sex_age` rows.
pub fn sex_of_row(code: &str) -> Option<(Sex, &str)> {
    let (sex, bracket) = code.split_once('|')?;
    Some((Sex::parse(sex).ok()?, bracket))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fms::tests::adult_woman;

    #[test]
    fn shares_are_of_all_respondents_and_small_counts_hidden() {
        let mut interviews: Vec<Interview> = (0..10).map(|_| adult_woman()).collect();
        for i in interviews.iter_mut().take(6) {
            i.needs = vec![Need::Food, Need::Food, Need::Health];
        }
        interviews[9].needs = vec![Need::Legal];
        let respondents: Vec<Respondent> = interviews
            .iter()
            .map(|interview| Respondent { interview, flags: &[] })
            .collect();
        let all = tables(&respondents, &AgeBrackets::default());
        let needs = all.iter().find(|t| t.code == "needs").expect("needs");
        assert_eq!(needs.base, Disclosed::Count(10));
        let row = |code: &str| needs.rows.iter().find(|r| r.code == code).expect("row").clone();
        assert_eq!(row("food").count, Disclosed::Count(6), "counted once per person");
        assert_eq!(row("food").percent, Some(60.0));
        assert_eq!(row("legal").count, Disclosed::Suppressed);
        assert_eq!(row("legal").percent, None, "a hidden count hides its share");
        let sex_age = all.iter().find(|t| t.code == "sex_age").expect("sex_age");
        assert_eq!(sex_age.rows[0].code, "female|18-59");
        assert_eq!(sex_of_row(&sex_age.rows[0].code), Some((Sex::Female, "18-59")));
    }

    #[test]
    fn a_tiny_sample_is_hidden_whole() {
        let one = adult_woman();
        let respondents = [Respondent {
            interview: &one,
            flags: &[RiskFlag::GbvRisk],
        }];
        for table in tables(&respondents, &AgeBrackets::default()) {
            assert_eq!(table.base, Disclosed::Suppressed, "{}", table.code);
            assert!(
                table
                    .rows
                    .iter()
                    .all(|r| r.count == Disclosed::Suppressed && r.percent.is_none())
            );
        }
    }
}
