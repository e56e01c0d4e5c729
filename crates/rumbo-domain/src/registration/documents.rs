//! Identity documents and permits: the Venezuelan cédula, passports, host-country permits such
//! as Colombia's PEP and PPT, birth certificates. Each type has its own number format, checked
//! at entry; numbers are normalised so that the same document written two ways (`V-12.345.678`
//! and `v12345678`) is recognised as one when looking for duplicates.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::DomainError;
use crate::vocabulary::Vocabulary;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// Venezuela's identity card: V (Venezuelan) or E (foreign resident) and its number.
    VenezuelanCedula,
    Passport,
    /// Colombia's Permiso Especial de Permanencia.
    Pep,
    /// Colombia's Permiso por Protección Temporal.
    Ppt,
    /// Another host-country permit or residence card (Peru's CPP, a carné de extranjería...).
    HostPermit,
    BirthCertificate,
    Other,
}

impl Vocabulary for DocumentType {
    const NAME: &'static str = "document type";
    const ALL: &'static [Self] = &[
        Self::VenezuelanCedula,
        Self::Passport,
        Self::Pep,
        Self::Ppt,
        Self::HostPermit,
        Self::BirthCertificate,
        Self::Other,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::VenezuelanCedula => "venezuelan_cedula",
            Self::Passport => "passport",
            Self::Pep => "pep",
            Self::Ppt => "ppt",
            Self::HostPermit => "host_permit",
            Self::BirthCertificate => "birth_certificate",
            Self::Other => "other",
        }
    }

    /// Also `cedula`, `ci`, `pasaporte`, as spreadsheets name them.
    fn parse(raw: &str) -> Result<Self, DomainError> {
        let code = raw.trim().to_lowercase().replace([' ', '-'], "_");
        let found = match code.as_str() {
            "cedula" | "cédula" | "ci" | "cedula_venezolana" | "cédula_venezolana" => Some(Self::VenezuelanCedula),
            "pasaporte" | "passaporte" => Some(Self::Passport),
            "partida_de_nacimiento" | "acta_de_nacimiento" | "certidao_de_nascimento" | "certidão_de_nascimento" => {
                Some(Self::BirthCertificate)
            }
            _ => Self::ALL.iter().copied().find(|t| t.code() == code),
        };
        found.ok_or_else(|| DomainError::UnknownCode {
            what: Self::NAME,
            value: raw.trim().to_owned(),
            expected: Self::ALL.iter().map(|t| t.code()).collect::<Vec<_>>().join(", "),
        })
    }
}

impl DocumentType {
    /// Whether this document establishes identity or legal stay (what "essential
    /// documentation" means in vulnerability models). A birth certificate counts for children.
    pub fn is_identity_document(self) -> bool {
        matches!(
            self,
            Self::VenezuelanCedula | Self::Passport | Self::Pep | Self::Ppt | Self::HostPermit
        )
    }

    /// Checks `raw` against this type's format and returns it normalised: upper case, without
    /// spaces, dots or hyphens. The error describes the format, never repeats the number.
    pub fn normalise(self, raw: &str) -> Result<String, DomainError> {
        let compact: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '/'))
            .collect::<String>()
            .to_uppercase();
        let digits =
            |s: &str, min: usize, max: usize| (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
        let alnum = |s: &str, min: usize, max: usize| {
            (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
        };
        let ok = match self {
            Self::VenezuelanCedula => match compact.as_bytes().first() {
                Some(b'V' | b'E') => digits(&compact[1..], 5, 9),
                _ => false,
            },
            Self::Passport => alnum(&compact, 5, 12) && compact.bytes().any(|b| b.is_ascii_digit()),
            Self::Pep => digits(&compact, 8, 15),
            Self::Ppt => digits(&compact, 6, 10),
            Self::HostPermit => alnum(&compact, 5, 20) && compact.bytes().any(|b| b.is_ascii_digit()),
            Self::BirthCertificate | Self::Other => alnum(&compact, 3, 30),
        };
        if ok {
            Ok(compact)
        } else {
            Err(DomainError::Invalid(self.format_hint().to_owned()))
        }
    }

    /// What a number of this type looks like, for error messages and forms.
    pub fn format_hint(self) -> &'static str {
        match self {
            Self::VenezuelanCedula => {
                "a Venezuelan cédula number starts with V (Venezuelan) or E (foreign resident) followed by 5 to 9 digits, such as V-12.345.678"
            }
            Self::Passport => "a passport number has 5 to 12 letters and digits, at least one of them a digit",
            Self::Pep => "a PEP number has 8 to 15 digits",
            Self::Ppt => "a PPT number has 6 to 10 digits",
            Self::HostPermit => "a permit number has 5 to 20 letters and digits, at least one of them a digit",
            Self::BirthCertificate | Self::Other => "a document number has 3 to 30 letters and digits",
        }
    }
}

/// A document as entered: the number is personal data and is encrypted before storage.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub doc_type: DocumentType,
    /// Normalised (see [`DocumentType::normalise`]).
    pub number: String,
    pub expiry: Option<Date>,
}

impl Document {
    /// Whether the document is in force on `on` (documents without an expiry date are).
    pub fn valid_on(&self, on: Date) -> bool {
        self.expiry.is_none_or(|e| e >= on)
    }

    /// The text a duplicate check compares: type and normalised number. The store turns it
    /// into a keyed blind index, never stores it.
    pub fn match_key(&self) -> String {
        format!("{}:{}", self.doc_type.code(), self.number)
    }
}

impl std::fmt::Debug for Document {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Document")
            .field("doc_type", &self.doc_type)
            .field("number", &"<redacted>")
            .field("expiry", &self.expiry)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn venezuelan_cedulas_need_their_prefix() {
        let cedula = DocumentType::VenezuelanCedula;
        assert_eq!(cedula.normalise("V-12.345.678"), Ok("V12345678".into()));
        assert_eq!(cedula.normalise("e 84123456"), Ok("E84123456".into()));
        assert_eq!(cedula.normalise("v12345678"), cedula.normalise("V-12.345.678"));
        for bad in ["12345678", "X-12345678", "V-12A45678", "V-123", "V-1234567890", ""] {
            let err = cedula.normalise(bad).expect_err(bad).to_string();
            assert!(err.contains("starts with V"), "{bad}: {err}");
        }
    }

    #[test]
    fn every_type_has_a_format() {
        assert_eq!(DocumentType::Passport.normalise("ab 123456"), Ok("AB123456".into()));
        assert!(DocumentType::Passport.normalise("ABCDEFG").is_err(), "no digit");
        assert!(DocumentType::Pep.normalise("123456789012345").is_ok());
        assert!(DocumentType::Pep.normalise("12345").is_err());
        assert!(DocumentType::Ppt.normalise("1234567").is_ok());
        assert!(DocumentType::Ppt.normalise("12345AB").is_err());
        assert!(DocumentType::HostPermit.normalise("CPP-001234").is_ok());
        assert!(DocumentType::BirthCertificate.normalise("AN-2019/88").is_ok());
        assert!(DocumentType::Other.normalise("#").is_err());
    }

    #[test]
    fn types_parse_by_their_names_in_spanish() {
        assert_eq!(DocumentType::parse("Cédula"), Ok(DocumentType::VenezuelanCedula));
        assert_eq!(DocumentType::parse("pasaporte"), Ok(DocumentType::Passport));
        assert_eq!(DocumentType::parse("PPT"), Ok(DocumentType::Ppt));
        assert!(DocumentType::parse("licencia").is_err());
    }

    #[test]
    fn expiry_and_match_keys() {
        let doc = Document {
            doc_type: DocumentType::Pep,
            number: "123456789012345".into(),
            expiry: Some(date!(2023 - 05 - 28)),
        };
        assert!(doc.valid_on(date!(2023 - 05 - 28)));
        assert!(!doc.valid_on(date!(2023 - 05 - 29)));
        assert_eq!(doc.match_key(), "pep:123456789012345");
        assert!(!format!("{doc:?}").contains("1234567"));
    }
}
