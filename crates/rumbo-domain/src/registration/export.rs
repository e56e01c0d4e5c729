//! One person as a registration export writes them: the store fills it, the file writers in
//! rumbo-io write it, so the two agree on every column by construction.

use super::consent::Consent;

/// One person of an export; personal columns are empty unless the export was personal.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportedPerson {
    pub household: String,
    pub person: String,
    pub desk: String,
    pub registration_date: String,
    pub population_group: String,
    pub arrival_date: String,
    pub previous_country: String,
    pub previous_area: String,
    pub residence_area: String,
    pub lat: String,
    pub lon: String,
    pub child_headed: bool,
    pub consent: Consent,
    pub conditions: Vec<String>,
    pub relationship: String,
    pub given_names: String,
    pub first_surname: String,
    pub second_surname: String,
    pub sex: String,
    pub birth_date: String,
    pub birth_date_estimated: bool,
    pub nationality: String,
    pub phone: String,
    pub needs: String,
    pub washington: [String; 6],
    pub document_type: String,
    pub document_number: String,
    pub document_expiry: String,
    pub score: String,
    pub eligible: String,
}
