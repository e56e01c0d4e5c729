//! Reference files over HTTP, for the API and the pages alike: uploads in (the multipart form,
//! its file and the fields beside it), downloads out, and checking that the uploader may act in
//! every country a file touches. The access decisions themselves are `rumbo_domain::access`'s.

use std::collections::HashMap;

use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rumbo_domain::access::{Action, Target};
use rumbo_domain::country::Iso3;
use rumbo_domain::geography::AdminLevel;
use rumbo_store::geography::AdminImportSummary;
use rumbo_store::locations::LocationImportSummary;

use crate::AppState;
use crate::auth::Ctx;
use crate::error::{AppError, rejection};
use crate::transfer::{self, AreaFormat, TransferError, clean_file_name, countries_of};

/// The largest text field beside the file: a level, a country code, a format.
const MAX_FIELD_BYTES: usize = 1024;

/// A multipart upload: the bytes of its `file` field and its other fields as text.
pub(crate) struct Upload {
    pub file: Vec<u8>,
    pub file_name: Option<String>,
    pub fields: HashMap<String, String>,
}

impl Upload {
    /// A text field, trimmed; `None` when absent or empty.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }
}

/// Reads the whole form. The body limit of the server applies: a larger upload is refused with
/// `too_large`, before any of it is parsed.
pub(crate) async fn read_upload(multipart: Result<Multipart, MultipartRejection>) -> Result<Upload, AppError> {
    let mut multipart = multipart.map_err(|e| {
        AppError::BadRequest(format!(
            "send the file as multipart/form-data with a 'file' field ({})",
            e.body_text()
        ))
    })?;
    let mut upload = Upload {
        file: Vec::new(),
        file_name: None,
        fields: HashMap::new(),
    };
    let mut has_file = false;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| rejection(e.status(), e.body_text()))?
    {
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            upload.file_name = field.file_name().map(str::to_owned);
            upload.file = field
                .bytes()
                .await
                .map_err(|e| rejection(e.status(), e.body_text()))?
                .to_vec();
            has_file = true;
        } else {
            let bytes = field.bytes().await.map_err(|e| rejection(e.status(), e.body_text()))?;
            if bytes.len() > MAX_FIELD_BYTES {
                return Err(AppError::BadRequest(format!("the field '{name}' is too long")));
            }
            upload.fields.insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    if !has_file {
        return Err(AppError::Invalid(
            "choose a file to upload (the form field 'file')".into(),
        ));
    }
    Ok(upload)
}

/// The user, if they may take `action` in each of `countries`.
pub(crate) fn require_in_each(ctx: &Ctx, action: Action, countries: &[Iso3]) -> Result<(), AppError> {
    for country in countries {
        ctx.require(action, &Target::country(*country))?;
    }
    Ok(())
}

/// A file for the browser: shown in place (`file_name` `None`, as map layers are) or saved as
/// an attachment.
pub(crate) fn download(bytes: Vec<u8>, content_type: &'static str, file_name: Option<&str>) -> Response {
    let mut response = ([(header::CONTENT_TYPE, content_type)], bytes).into_response();
    if let Some(name) = file_name
        && let Ok(value) = format!("attachment; filename=\"{name}\"").parse()
    {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Reads an uploaded admin-area file, checks the user may manage geography in every country
/// it touches, and imports it whole or not at all. Shared by the API and the import page.
pub(crate) async fn import_admin_area_upload(
    state: &AppState,
    ctx: &Ctx,
    upload: &Upload,
) -> Result<AdminImportSummary, AppError> {
    let format = AreaFormat::parse(upload.field("format"), upload.file_name.as_deref(), &upload.file)
        .map_err(AppError::Invalid)?;
    let level = upload
        .field("level")
        .map(|l| {
            l.parse::<i64>()
                .map_err(|_| rumbo_domain::DomainError::Invalid(format!("'{l}' is not an admin level (1, 2 or 3)")))
                .and_then(AdminLevel::new)
        })
        .transpose()?;
    let country = upload.field("country").map(Iso3::parse).transpose()?;
    if let Some(country) = country {
        ctx.require(Action::ManageGeography, &Target::country(country))?;
    }
    let areas = transfer::read_admin_areas(&upload.file, format, level, country).map_err(TransferError::from)?;
    require_in_each(
        ctx,
        Action::ManageGeography,
        &countries_of(areas.iter().map(|(_, a)| a.country)),
    )?;
    let source = clean_file_name(upload.file_name.as_deref());
    Ok(state
        .store
        .import_admin_areas_from(&ctx.actor(), &areas, &source)
        .await?)
}

/// Reads an uploaded location list, checks the user may manage locations in every country it
/// touches (those of its rows, and those of the locations it replaces), and imports it whole or
/// not at all. Shared by the API and the import page.
pub(crate) async fn import_location_upload(
    state: &AppState,
    ctx: &Ctx,
    upload: &Upload,
) -> Result<LocationImportSummary, AppError> {
    let rows = transfer::read_location_rows(&upload.file).map_err(TransferError::from)?;
    let existing = state.store.location_ids_by_code().await?;
    let mut touched = Vec::new();
    for row in &rows {
        touched.push(Iso3::parse(&row.input.country)?);
        if let Some((_, country)) = existing.get(&row.input.code) {
            touched.push(*country);
        }
    }
    require_in_each(ctx, Action::ManageLocations, &countries_of(touched))?;
    let source = clean_file_name(upload.file_name.as_deref());
    Ok(state.store.import_location_rows(&ctx.actor(), &rows, &source).await?)
}
