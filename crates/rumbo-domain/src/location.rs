use serde::Serialize;

use crate::vocabulary::Vocabulary;

/// What a location is. A location is any fixed place where Rumbo's data is collected or where
/// people are served; each is resolved to the admin areas that contain it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    FlowMonitoringPoint,
    BorderCrossing,
    Site,
    SupportSpace,
    ServicePoint,
    RegistrationDesk,
}

impl Vocabulary for LocationKind {
    const NAME: &'static str = "location type";
    const ALL: &'static [Self] = &[
        Self::FlowMonitoringPoint,
        Self::BorderCrossing,
        Self::Site,
        Self::SupportSpace,
        Self::ServicePoint,
        Self::RegistrationDesk,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::FlowMonitoringPoint => "flow_monitoring_point",
            Self::BorderCrossing => "border_crossing",
            Self::Site => "site",
            Self::SupportSpace => "support_space",
            Self::ServicePoint => "service_point",
            Self::RegistrationDesk => "registration_desk",
        }
    }
}

/// A location code: short, stable, chosen by the IM officer (for example `COL-CUC-SB` for the
/// Simón Bolívar bridge). Letters, digits, `-` and `_`.
pub fn parse_location_code(raw: &str) -> Result<String, crate::DomainError> {
    let code = raw.trim().to_ascii_uppercase();
    if (2..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        Ok(code)
    } else {
        Err(crate::DomainError::Invalid(format!(
            "'{}' is not a location code (2 to 40 letters, digits, '-' or '_')",
            raw.trim()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_leniently_and_name_the_choices_when_wrong() {
        assert_eq!(LocationKind::parse("Border crossing"), Ok(LocationKind::BorderCrossing));
        assert_eq!(
            LocationKind::parse("flow-monitoring-point"),
            Ok(LocationKind::FlowMonitoringPoint)
        );
        let err = LocationKind::parse("airport").expect_err("unknown").to_string();
        assert!(err.contains("'airport'") && err.contains("registration_desk"), "{err}");
    }

    #[test]
    fn location_codes() {
        assert_eq!(parse_location_code(" col-cuc-sb "), Ok("COL-CUC-SB".into()));
        assert!(parse_location_code("A").is_err());
        assert!(parse_location_code("COL CUC").is_err());
    }
}
