use std::fmt;

use serde::Serialize;

use crate::DomainError;

/// A reporting month, such as 2023-01. 5W reports are monthly: every figure belongs to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct Month {
    pub year: u16,
    pub month: u8,
}

impl Month {
    pub fn new(year: i64, month: i64) -> Result<Month, DomainError> {
        if (2000..=2100).contains(&year) && (1..=12).contains(&month) {
            Ok(Month {
                year: year as u16,
                month: month as u8,
            })
        } else {
            Err(DomainError::Invalid(format!(
                "{year}-{month:02} is not a reporting month (a year from 2000 to 2100 and a month from 1 to 12)"
            )))
        }
    }

    /// Reads `2023-01`, `2023-01-31` (the day is ignored), `01/2023` or `2023/01`.
    pub fn parse(raw: &str) -> Result<Month, DomainError> {
        let text = raw.trim();
        let invalid = || DomainError::Invalid(format!("'{text}' is not a month: write it as YYYY-MM, such as 2023-01"));
        let parts: Vec<&str> = text.split(['-', '/', '.']).collect();
        let number = |s: &str| s.trim().parse::<i64>().map_err(|_| invalid());
        match parts.as_slice() {
            [y, m] | [y, m, _] if y.len() == 4 => Month::new(number(y)?, number(m)?),
            [m, y] if y.len() == 4 => Month::new(number(y)?, number(m)?),
            _ => Err(invalid()),
        }
    }

    /// The month after this one.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl From<Month> for String {
    fn from(m: Month) -> String {
        m.to_string()
    }
}

/// Reads yes/no as partners write it, in Spanish, English or Portuguese: `Yes`, `Sí`, `Si`,
/// `Sim`, `No`, `Não`, `true`, `1`... An empty cell is `None`.
pub fn yes_no(raw: &str) -> Result<Option<bool>, DomainError> {
    match fold(raw).as_str() {
        "" => Ok(None),
        "yes" | "y" | "si" | "s" | "sim" | "true" | "1" | "x" => Ok(Some(true)),
        "no" | "n" | "nao" | "false" | "0" => Ok(Some(false)),
        _ => Err(DomainError::Invalid(format!("'{}' is not yes or no", raw.trim()))),
    }
}

/// A name folded for comparison: lower case, accents removed, runs of spaces and punctuation
/// made one space. `"Nuevo León"`, `"NUEVO LEON"` and `"nuevo  león."` all fold to
/// `"nuevo leon"`, so partners' spellings match the stored geography and organisations.
pub fn fold(raw: &str) -> String {
    /// Appends a letter or digit, after one space if punctuation or spaces came before it.
    fn push(out: &mut String, space: &mut bool, c: char) {
        if *space && !out.is_empty() {
            out.push(' ');
        }
        *space = false;
        out.push(c);
    }
    let mut out = String::with_capacity(raw.len());
    let mut space = false;
    for c in raw.chars() {
        if c.is_ascii() {
            // The common case, without Unicode tables.
            if c.is_ascii_alphanumeric() {
                push(&mut out, &mut space, c.to_ascii_lowercase());
            } else if c != '\'' {
                space = true;
            }
            continue;
        }
        let base = strip_accent(c);
        if base.is_alphanumeric() {
            for lower in base.to_lowercase() {
                push(&mut out, &mut space, lower);
            }
        } else {
            space = true;
        }
    }
    out
}

/// The letter without its accent, for the Latin letters of Spanish, Portuguese, French and
/// Papiamento; other characters are returned as they are.
fn strip_accent(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'Á' | 'À' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'A',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
        'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ö' => 'O',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
        'ç' => 'c',
        'Ç' => 'C',
        'ñ' => 'n',
        'Ñ' => 'N',
        other => other,
    }
}

/// Whether `text` names the organisation with `acronym` and `name`: the acronym itself, the
/// name, or a name ending in the acronym in brackets, as ActivityInfo's partner list writes them
/// ("United Nations High Commissioner for Refugees (UNHCR)").
pub fn names_organisation(text: &str, acronym: &str, name: &str) -> bool {
    let folded = fold(text);
    if folded.is_empty() {
        return false;
    }
    let acronym = fold(acronym);
    if folded == acronym || folded == fold(name) {
        return true;
    }
    match text.trim().strip_suffix(')').and_then(|t| t.rsplit_once('(')) {
        Some((_, inner)) => fold(inner) == acronym,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_in_the_shapes_partners_write() {
        assert_eq!(Month::parse("2023-01").map(|m| m.to_string()), Ok("2023-01".into()));
        assert_eq!(Month::parse("2023-1-31").map(|m| m.to_string()), Ok("2023-01".into()));
        assert_eq!(Month::parse("03/2024").map(|m| m.to_string()), Ok("2024-03".into()));
        assert!(Month::parse("2023-13").is_err());
        assert!(Month::parse("enero").is_err());
        assert_eq!(
            Month::parse("2023-12").map(Month::next).map(|m| m.to_string()),
            Ok("2024-01".into())
        );
    }

    #[test]
    fn yes_and_no_in_three_languages() {
        assert_eq!(yes_no("Sí"), Ok(Some(true)));
        assert_eq!(yes_no(" sim "), Ok(Some(true)));
        assert_eq!(yes_no("Não"), Ok(Some(false)));
        assert_eq!(yes_no("  "), Ok(None));
        assert!(yes_no("maybe").is_err());
    }

    #[test]
    fn names_fold_without_accents_case_or_punctuation() {
        assert_eq!(fold("Nuevo León"), "nuevo leon");
        assert_eq!(fold("  NUEVO   LEON. "), "nuevo leon");
        assert_eq!(fold("Ciudad de México"), "ciudad de mexico");
        assert_eq!(fold("São Paulo"), "sao paulo");
    }

    #[test]
    fn organisations_by_acronym_name_or_bracketed_acronym() {
        let (acronym, name) = (
            "UNHCR",
            "Office of the United Nations High Commissioner for Refugees (ACNUR)",
        );
        assert!(names_organisation(
            "United Nations High Commissioner for Refugees (UNHCR)",
            acronym,
            name
        ));
        assert!(names_organisation("unhcr", acronym, name));
        assert!(!names_organisation("UNICEF", acronym, name));
        assert!(!names_organisation("", acronym, name));
    }
}
