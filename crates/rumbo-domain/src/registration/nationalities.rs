//! Nationalities: every ISO 3166-1 alpha-3 code, and the two ICAO 9303 codes registration
//! needs beyond them, XXA (stateless person) and XXX (nationality not known). Checked at entry
//! so that a typo (`VNE`) is caught where it is made.

use crate::DomainError;
use crate::country::Iso3;

/// The 249 codes of ISO 3166-1, in order, four characters each ("ABW ").
const ISO_CODES: &str = concat!(
    "ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN ",
    "BES BFA BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN ",
    "CCK CHE CHL CHN CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU ",
    "DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR ",
    "GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV ",
    "HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM ",
    "KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA ",
    "MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM ",
    "NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL ",
    "PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM SLB SLE ",
    "SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK ",
    "TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB ",
    "VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE ",
);

/// Codes beyond ISO 3166 that registration needs (ICAO Doc 9303).
const EXTRA: [&str; 2] = ["XXA", "XXX"];

/// Parses a nationality: a known ISO 3166-1 alpha-3 code, or XXA (stateless) or XXX (unknown).
pub fn parse_nationality(raw: &str) -> Result<Iso3, DomainError> {
    let code = Iso3::parse(raw)?;
    let known = EXTRA.contains(&code.as_str())
        || ISO_CODES
            .as_bytes()
            .chunks(4)
            .any(|chunk| &chunk[..3] == code.as_str().as_bytes());
    if known {
        Ok(code)
    } else {
        Err(DomainError::Invalid(format!(
            "{code} is not an ISO 3166 country code; use XXA for a stateless person and XXX when the nationality is not known"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nationalities() {
        assert_eq!(ISO_CODES.len(), 249 * 4);
        assert_eq!(parse_nationality("ven").map(|c| c.to_string()), Ok("VEN".into()));
        assert!(parse_nationality("HTI").is_ok());
        assert!(parse_nationality("XXA").is_ok());
        assert!(parse_nationality("VNE").is_err());
        assert!(parse_nationality("VE").is_err());
    }
}
