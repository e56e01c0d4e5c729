//! Registration over HTTP: registering, reading with and without names, corrections, files in
//! and out, models, programmes and sharing; and that nothing personal leaks.

/// Enumerators at their registration desks only.
mod desks;
/// Files in and out: imports with every problem by row and column, exports with a purpose.
mod files;
/// Households and people through the API.
mod households;
/// Pages people use to register and follow up households.
mod pages;
/// Nothing personal in audit summaries, errors or pseudonymous outputs.
mod privacy;
/// Models, programmes, beneficiary lists, assistance and sharing agreements.
mod programmes;
pub mod seed;
