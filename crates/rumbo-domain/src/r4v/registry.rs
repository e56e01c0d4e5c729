//! The RMRP's sectors (with the subsectors of Protection and Common Services) and the
//! indicators partners report against, each with its indicator type. Every database starts
//! with the list below; IM officers add and change indicators by importing a registry file, as
//! each year's plan brings its own.

use std::collections::HashMap;

use serde::Serialize;

use super::fields::fold;
use super::vocab::IndicatorType;

/// A sector or subsector. The 5W's "sector/subsector" column names the most specific one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sector {
    pub code: String,
    /// The sector a subsector belongs to (`protection` for `child_protection`).
    pub parent: Option<String>,
    pub name_en: String,
    pub name_es: String,
    pub name_pt: String,
}

/// One RMRP indicator of a sector or subsector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Indicator {
    pub code: String,
    pub sector: String,
    pub name_en: String,
    pub name_es: Option<String>,
    pub kind: IndicatorType,
}

/// (code, parent, English, Spanish, Portuguese): the English names are those of R4V's
/// ActivityInfo exports.
const SECTORS: &[(&str, Option<&str>, &str, &str, &str)] = &[
    ("education", None, "Education", "Educación", "Educação"),
    (
        "food_security",
        None,
        "Food Security",
        "Seguridad Alimentaria",
        "Segurança Alimentar",
    ),
    ("health", None, "Health", "Salud", "Saúde"),
    (
        "humanitarian_transportation",
        None,
        "Humanitarian Transportation",
        "Transporte Humanitario",
        "Transporte Humanitário",
    ),
    ("integration", None, "Integration", "Integración", "Integração"),
    (
        "multipurpose_cash",
        None,
        "Multipurpose Cash Assistance (MPC)",
        "Transferencias Monetarias Multipropósito (MPC)",
        "Transferências Monetárias Multipropósito (MPC)",
    ),
    ("nutrition", None, "Nutrition", "Nutrición", "Nutrição"),
    ("protection", None, "Protection", "Protección", "Proteção"),
    (
        "protection_general",
        Some("protection"),
        "Protection (General)",
        "Protección (General)",
        "Proteção (Geral)",
    ),
    (
        "child_protection",
        Some("protection"),
        "Protection (Child Protection)",
        "Protección (Protección de la Niñez)",
        "Proteção (Proteção da Criança)",
    ),
    (
        "gbv",
        Some("protection"),
        "Protection (GBV)",
        "Protección (VBG)",
        "Proteção (VBG)",
    ),
    (
        "human_trafficking",
        Some("protection"),
        "Protection (Human Trafficking and Smuggling)",
        "Protección (Trata y Tráfico de Personas)",
        "Proteção (Tráfico de Pessoas e Contrabando)",
    ),
    ("shelter", None, "Shelter", "Alojamiento", "Alojamento"),
    (
        "wash",
        None,
        "WASH",
        "Agua, Saneamiento e Higiene (WASH)",
        "Água, Saneamento e Higiene (WASH)",
    ),
    (
        "common_services",
        None,
        "Common Services",
        "Servicios Comunes",
        "Serviços Comuns",
    ),
    (
        "communication",
        Some("common_services"),
        "Common Services (Communication)",
        "Servicios Comunes (Comunicación)",
        "Serviços Comuns (Comunicação)",
    ),
    (
        "coordination",
        Some("common_services"),
        "Common Services (Coordination)",
        "Servicios Comunes (Coordinación)",
        "Serviços Comuns (Coordenação)",
    ),
    (
        "information_management",
        Some("common_services"),
        "Common Services (Information Management)",
        "Servicios Comunes (Manejo de Información)",
        "Serviços Comuns (Gestão da Informação)",
    ),
];

/// (code, sector, English name, indicator type): the indicators of R4V's 2023–2025 plans that
/// the demo and the real 5W export use.
const INDICATORS: &[(&str, &str, &str, IndicatorType)] = {
    use IndicatorType::*;
    &[
        (
            "EDU1",
            "education",
            "# of refugees and migrants enrolled in formal educational institutions or non-formal education programs",
            DirectAssistance,
        ),
        (
            "EDU2",
            "education",
            "# of refugees and migrants that are children, adolescents or youth who are supported with supplies or services",
            DirectAssistance,
        ),
        (
            "EDU3",
            "education",
            "# of teachers and education personnel trained to support refugee and migrant children",
            CapacityBuilding,
        ),
        (
            "FS1",
            "food_security",
            "# of refugees and migrants receiving food assistance",
            DirectAssistance,
        ),
        (
            "HEA1",
            "health",
            "# of primary health care consultations provided to refugees and migrants",
            DirectAssistance,
        ),
        (
            "HEA2",
            "health",
            "# of health facilities supported with equipment or infrastructure improvements",
            Infrastructure,
        ),
        (
            "HT1",
            "humanitarian_transportation",
            "# of refugees and migrants receiving assistance for transportation between two points within the country for family or social reunification, or access to protection, employment and basic and administrative services",
            DirectAssistance,
        ),
        (
            "INT1",
            "integration",
            "# of refugees and migrants supported with the certification, recognition, or validation of professional diplomas, titles or credentials - via tertiary education or professional/vocational schools",
            DirectAssistance,
        ),
        (
            "INT2",
            "integration",
            "# of refugees, migrants & host community members assisted with support for self-employment or entrepreneurship initiatives (start up or recovery)",
            DirectAssistance,
        ),
        (
            "MPC1",
            "multipurpose_cash",
            "# of individuals benefitting from multipurpose cash transfers (MPC)",
            DirectAssistance,
        ),
        (
            "NUT1",
            "nutrition",
            "# of refugee and migrant children under 5 screened for acute malnutrition",
            DirectAssistance,
        ),
        (
            "PRO1",
            "protection_general",
            "# of refugees and migrants who received protection-related assistance and specialized services",
            DirectAssistance,
        ),
        (
            "PRO2",
            "protection_general",
            "# of effective advocacy interventions made to guarantee the rights of refugees and migrants",
            MechanismAdvocacy,
        ),
        (
            "CP1",
            "child_protection",
            "# of refugee and migrant children and adolescents who received specialised child protection services",
            DirectAssistance,
        ),
        (
            "CP2",
            "child_protection",
            "# of individuals working with refugees and migrants trained on Child Protection",
            CapacityBuilding,
        ),
        (
            "GBV1",
            "gbv",
            "# of individuals trained on prevention, mitigation and response to GBV among refugees and migrants",
            CapacityBuilding,
        ),
        (
            "GBV2",
            "gbv",
            "# of refugees and migrants who received GBV prevention and response services",
            DirectAssistance,
        ),
        (
            "HTS1",
            "human_trafficking",
            "# of refugees and migrants at risk of or survivors of trafficking and smuggling who received assistance",
            DirectAssistance,
        ),
        (
            "SHE1",
            "shelter",
            "# of interventions in temporary collective shelter solutions supported with infrastructures improvements to achieve minimum standards",
            Infrastructure,
        ),
        (
            "SHE2",
            "shelter",
            "# of essential households item kits distributed",
            Other,
        ),
        (
            "SHE3",
            "shelter",
            "# of refugees and migrants assisted with temporary accommodation",
            DirectAssistance,
        ),
        (
            "WASH1",
            "wash",
            "# of refugees and migrants receiving hygiene kits or supplies",
            DirectAssistance,
        ),
        (
            "COM1",
            "communication",
            "# of impressions/views to social media messages against xenophobia and discrimination and awareness-raising activities",
            Campaign,
        ),
        (
            "COO1",
            "coordination",
            "# of coordination meetings held with partners and authorities",
            MechanismAdvocacy,
        ),
        (
            "IM1",
            "information_management",
            "# of information products published",
            Other,
        ),
    ]
};

/// The sectors every database starts with.
pub fn known_sectors() -> Vec<Sector> {
    SECTORS
        .iter()
        .map(|&(code, parent, en, es, pt)| Sector {
            code: code.to_owned(),
            parent: parent.map(str::to_owned),
            name_en: en.to_owned(),
            name_es: es.to_owned(),
            name_pt: pt.to_owned(),
        })
        .collect()
}

/// The indicators every database starts with.
pub fn known_indicators() -> Vec<Indicator> {
    INDICATORS
        .iter()
        .map(|&(code, sector, name, kind)| Indicator {
            code: code.to_owned(),
            sector: sector.to_owned(),
            name_en: name.to_owned(),
            name_es: None,
            kind,
        })
        .collect()
}

/// The sector code of the multipurpose cash sector, which rule 13 singles out.
pub const MULTIPURPOSE_CASH: &str = "multipurpose_cash";

/// Sectors and indicators looked up the way partners write them: by code or by any of their
/// names, without regard to case, accents or punctuation.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    sectors: Vec<Sector>,
    sector_by_name: HashMap<String, usize>,
    indicators: Vec<Indicator>,
    /// Names and codes exactly as stored → sector: most reports copy them, and a lookup that
    /// needs no folding is the fast path.
    sector_exact: HashMap<String, usize>,
    /// Sector code → indicator name or code exactly as stored → indicator.
    indicator_exact: HashMap<String, HashMap<String, usize>>,
    /// Sector code → folded indicator name or code → indicator.
    indicator_by_name: HashMap<String, HashMap<String, usize>>,
    /// Folded indicator name or code → indicator, whatever its sector.
    indicator_anywhere: HashMap<String, usize>,
}

impl Registry {
    pub fn new(sectors: Vec<Sector>, indicators: Vec<Indicator>) -> Registry {
        let mut sector_by_name = HashMap::new();
        let mut sector_exact = HashMap::new();
        for (i, s) in sectors.iter().enumerate() {
            for name in [&s.code, &s.name_en, &s.name_es, &s.name_pt] {
                sector_by_name.entry(fold(name)).or_insert(i);
                sector_exact.entry(name.clone()).or_insert(i);
            }
        }
        let mut indicator_exact: HashMap<String, HashMap<String, usize>> = HashMap::new();
        let mut indicator_by_name = HashMap::new();
        let mut indicator_anywhere = HashMap::new();
        for (i, ind) in indicators.iter().enumerate() {
            for name in [Some(&ind.code), Some(&ind.name_en), ind.name_es.as_ref()]
                .into_iter()
                .flatten()
            {
                indicator_by_name
                    .entry(ind.sector.clone())
                    .or_insert_with(HashMap::new)
                    .entry(fold(name))
                    .or_insert(i);
                indicator_anywhere.entry(fold(name)).or_insert(i);
                indicator_exact
                    .entry(ind.sector.clone())
                    .or_default()
                    .entry(name.clone())
                    .or_insert(i);
            }
        }
        Registry {
            sectors,
            sector_by_name,
            sector_exact,
            indicator_exact,
            indicators,
            indicator_by_name,
            indicator_anywhere,
        }
    }

    /// The registry every database starts with.
    pub fn standard() -> Registry {
        Registry::new(known_sectors(), known_indicators())
    }

    pub fn sectors(&self) -> &[Sector] {
        &self.sectors
    }

    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    /// The sector a partner's text names.
    pub fn sector(&self, text: &str) -> Option<&Sector> {
        let i = match self.sector_exact.get(text.trim()) {
            Some(i) => i,
            None => self.sector_by_name.get(&fold(text))?,
        };
        self.sectors.get(*i)
    }

    pub fn sector_by_code(&self, code: &str) -> Option<&Sector> {
        self.sectors.iter().find(|s| s.code == code)
    }

    /// The indicator `text` names within `sector` (a code).
    pub fn indicator_in(&self, sector: &str, text: &str) -> Option<&Indicator> {
        if let Some(&i) = self.indicator_exact.get(sector).and_then(|m| m.get(text.trim())) {
            return self.indicators.get(i);
        }
        self.indicator_by_name
            .get(sector)?
            .get(&fold(text))
            .map(|&i| &self.indicators[i])
    }

    /// The indicator `text` names, in whichever sector.
    pub fn indicator(&self, text: &str) -> Option<&Indicator> {
        self.indicator_anywhere.get(&fold(text)).map(|&i| &self.indicators[i])
    }

    /// The top-level sector of `code`: itself, or its parent for a subsector.
    pub fn top_sector<'a>(&'a self, code: &'a str) -> &'a str {
        self.sector_by_code(code)
            .and_then(|s| s.parent.as_deref())
            .unwrap_or(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_indicator_belongs_to_a_known_sector_and_codes_are_unique() {
        let registry = Registry::standard();
        let mut codes = std::collections::HashSet::new();
        for indicator in registry.indicators() {
            assert!(
                registry.sector_by_code(&indicator.sector).is_some(),
                "{}",
                indicator.code
            );
            assert!(codes.insert(&indicator.code), "{} twice", indicator.code);
        }
    }

    #[test]
    fn sectors_and_indicators_match_as_partners_write_them() {
        let registry = Registry::standard();
        assert_eq!(
            registry.sector("Protección (General)").map(|s| s.code.as_str()),
            Some("protection_general")
        );
        assert_eq!(registry.sector("EDUCATION").map(|s| s.code.as_str()), Some("education"));
        let mpc = registry.indicator_in(
            "multipurpose_cash",
            "# of individuals benefitting from multipurpose cash transfers (MPC)",
        );
        assert_eq!(mpc.map(|i| i.kind), Some(IndicatorType::DirectAssistance));
        assert!(
            registry.indicator_in("education", "MPC1").is_none(),
            "not the education sector's"
        );
        assert_eq!(registry.top_sector("gbv"), "protection");
        assert_eq!(registry.top_sector("education"), "education");
    }
}
