//! Registration, DTM's third component: households and the people in them, their documents
//! and specific needs, consent per purpose, a vulnerability score whose model is data, and
//! prioritised lists of beneficiaries for assistance programmes.
//!
//! Everything here is pure. Raw input ([`HouseholdInput`]) is parsed once into a
//! [`Household`] that cannot hold a future date of birth, a malformed document number, a
//! missing consent to register or an unacknowledged child head; [`facts`] turns the
//! non-personal part of a household into the numbers a [`scoring::Model`] reads; [`ranking`]
//! orders eligible households for a programme with tie-breaks and quotas.
//!
//! Names, document numbers, phones and positions are personal data: this module validates
//! them, and the store encrypts them before they reach the database. Error messages here name
//! the rule and the field, never the value of a personal field.

/// Living conditions asked at registration (meals, shelter, water...), as closed answers.
pub mod conditions;
/// Reading a vulnerability model from a conjoint-analysis table of importances.
pub mod conjoint;
/// Consent per purpose, and the purposes for which organisations share registrations.
pub mod consent;
/// Identity documents: types, number formats, expiry.
pub mod documents;
/// One person as a registration export writes them.
pub mod export;
/// The facts about a household that vulnerability models read.
pub mod facts;
/// A household and its members as entered, and the rules that make them valid.
pub mod household;
/// ISO 3166-1 alpha-3 codes of every nationality.
pub mod nationalities;
/// Specific needs (UNHCR-style codes) and the Washington Group questions on disability.
pub mod needs;
/// Sex, relationship to the head, population group, names, phones, dates.
pub mod people;
/// Many households' profiles column by column, for scoring them all at once.
pub mod profiles;
/// Pseudonymous codes for households and people.
pub mod pseudonym;
/// Ranking eligible households for a programme: tie-breaks and quotas.
pub mod ranking;
/// Vulnerability models: criteria, weights, caps, threshold; scores with their explanation.
pub mod scoring;
/// Small counts suppressed in figures shown to those without need to know.
pub mod statistics;

pub use household::{Household, HouseholdInput, Member, MemberInput};
