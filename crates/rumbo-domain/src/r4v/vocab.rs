use serde::Serialize;

use crate::vocabulary::Vocabulary;

/// The five population types of the RMRP, in the order of R4V's 5W template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PopulationType {
    /// Refugees and migrants from Venezuela in their country of destination.
    InDestination,
    InTransit,
    HostCommunity,
    /// People who cross the border back and forth (pendular movements).
    Pendular,
    ColombianReturnee,
}

impl PopulationType {
    pub const COUNT: usize = 5;

    pub fn index(self) -> usize {
        self as usize
    }
}

impl Vocabulary for PopulationType {
    const NAME: &'static str = "population type";
    const ALL: &'static [Self] = &[
        Self::InDestination,
        Self::InTransit,
        Self::HostCommunity,
        Self::Pendular,
        Self::ColombianReturnee,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::InDestination => "in_destination",
            Self::InTransit => "in_transit",
            Self::HostCommunity => "host_community",
            Self::Pendular => "pendular",
            Self::ColombianReturnee => "colombian_returnee",
        }
    }
}

/// The age and gender groups of the 5W: girls, boys, women, men, and people of other genders
/// under and above 18.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeGender {
    Girls,
    Boys,
    Women,
    Men,
    OtherUnder18,
    OtherAbove18,
}

impl AgeGender {
    pub const COUNT: usize = 6;

    pub fn index(self) -> usize {
        self as usize
    }
}

impl Vocabulary for AgeGender {
    const NAME: &'static str = "age and gender group";
    const ALL: &'static [Self] = &[
        Self::Girls,
        Self::Boys,
        Self::Women,
        Self::Men,
        Self::OtherUnder18,
        Self::OtherAbove18,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::Girls => "girls",
            Self::Boys => "boys",
            Self::Women => "women",
            Self::Men => "men",
            Self::OtherUnder18 => "other_under_18",
            Self::OtherAbove18 => "other_above_18",
        }
    }
}

/// What an indicator counts, which decides the quality rules that apply to it (rules 14 to 19)
/// and whether it counts people reached in consolidation (only direct assistance does).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorType {
    DirectAssistance,
    CapacityBuilding,
    Infrastructure,
    MechanismAdvocacy,
    Campaign,
    Other,
}

impl Vocabulary for IndicatorType {
    const NAME: &'static str = "indicator type";
    const ALL: &'static [Self] = &[
        Self::DirectAssistance,
        Self::CapacityBuilding,
        Self::Infrastructure,
        Self::MechanismAdvocacy,
        Self::Campaign,
        Self::Other,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::DirectAssistance => "direct_assistance",
            Self::CapacityBuilding => "capacity_building",
            Self::Infrastructure => "infrastructure",
            Self::MechanismAdvocacy => "mechanism_advocacy",
            Self::Campaign => "campaign",
            Self::Other => "other",
        }
    }
}

impl IndicatorType {
    /// Reads a code or R4V's own label ("Direct Assistance", "Mechanism/Advocacy").
    pub fn from_label(raw: &str) -> Result<IndicatorType, crate::DomainError> {
        Self::parse(&raw.replace('/', "_"))
    }
}

/// The kinds of official population figure R4V publishes per country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureType {
    /// Refugees and migrants from Venezuela present in the country.
    RefugeesMigrants,
    /// Pending asylum claims lodged by Venezuelans.
    AsylumClaims,
    /// Residence permits and other regular stays granted.
    RegularStays,
}

impl Vocabulary for FigureType {
    const NAME: &'static str = "figure type";
    const ALL: &'static [Self] = &[Self::RefugeesMigrants, Self::AsylumClaims, Self::RegularStays];

    fn code(self) -> &'static str {
        match self {
            Self::RefugeesMigrants => "refugees_migrants",
            Self::AsylumClaims => "asylum_claims",
            Self::RegularStays => "regular_stays",
        }
    }
}

/// How people reached in several sectors are combined into one intersector figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Add the sectors: an upper bound, right only when no one is served by two sectors.
    Sum,
    /// For each age-gender × population-type cell, the largest sector: a lower bound that
    /// assumes the people of smaller sectors are among those of the largest.
    #[default]
    MaxSector,
}

impl Vocabulary for Method {
    const NAME: &'static str = "consolidation method";
    const ALL: &'static [Self] = &[Self::Sum, Self::MaxSector];

    fn code(self) -> &'static str {
        match self {
            Self::Sum => "sum",
            Self::MaxSector => "maxsector",
        }
    }
}

/// The dataset types of the information exchange protocol, each with its HXL schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DatasetType {
    PopulationFigures,
    Activities5w,
    FlowCounts,
    Needs,
}

impl Vocabulary for DatasetType {
    const NAME: &'static str = "dataset type";
    const ALL: &'static [Self] = &[
        Self::PopulationFigures,
        Self::Activities5w,
        Self::FlowCounts,
        Self::Needs,
    ];

    fn code(self) -> &'static str {
        match self {
            Self::PopulationFigures => "population_figures",
            Self::Activities5w => "activities_5w",
            Self::FlowCounts => "flow_counts",
            Self::Needs => "needs",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r4v_labels_parse() {
        assert_eq!(
            IndicatorType::from_label("Direct Assistance"),
            Ok(IndicatorType::DirectAssistance)
        );
        assert_eq!(
            IndicatorType::from_label("Mechanism/Advocacy"),
            Ok(IndicatorType::MechanismAdvocacy)
        );
        assert_eq!(Method::parse("maxsector"), Ok(Method::MaxSector));
        assert_eq!(PopulationType::ALL.len(), PopulationType::COUNT);
        assert_eq!(AgeGender::ALL.len(), AgeGender::COUNT);
        for (i, p) in PopulationType::ALL.iter().enumerate() {
            assert_eq!(p.index(), i);
        }
    }
}
