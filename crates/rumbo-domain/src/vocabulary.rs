use crate::DomainError;
use crate::error::expected_codes;

/// A closed list of codes, such as the types of location or of organisation. Codes are stable
/// (they are stored, exported and sent through the API); labels come from the message catalogue
/// under `<NAME>-<code>`, so each language names them its own way.
pub trait Vocabulary: Sized + Copy + PartialEq + 'static {
    /// What the vocabulary is called in error messages, such as "location type".
    const NAME: &'static str;
    const ALL: &'static [Self];

    fn code(self) -> &'static str;

    /// Accepts a code in any case, with spaces or hyphens in place of underscores.
    fn parse(raw: &str) -> Result<Self, DomainError> {
        // A code written as stored (most of a large file) is found without building a copy.
        if let Some(v) = Self::ALL.iter().copied().find(|v| v.code() == raw.trim()) {
            return Ok(v);
        }
        let wanted = raw.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.code() == wanted)
            .ok_or_else(|| DomainError::UnknownCode {
                what: Self::NAME,
                value: raw.trim().to_owned(),
                expected: expected_codes(Self::ALL.iter().map(|v| v.code())),
            })
    }

    /// The message-catalogue key of this value's label, such as `location_type-border_crossing`.
    fn label_key(self) -> String {
        format!("{}-{}", Self::NAME.replace(' ', "_"), self.code())
    }
}
