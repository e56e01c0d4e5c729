//! Pieces shared by list and form pages: the fields of a submitted form (checkboxes repeat a
//! name, which plain `Form` cannot read), problems shown next to the field they concern, in the
//! reader's language, the options of a select, and paging links.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rumbo_domain::DomainError;
use rumbo_domain::country::Country;
use rumbo_domain::language::Language;
use rumbo_store::Page;

use super::render;
use crate::error::AppError;
use crate::i18n::Tr;

/// How many rows a list page shows.
pub const PAGE_SIZE: i64 = 50;

/// The fields of a submitted `application/x-www-form-urlencoded` form, in order.
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The value of `name`, trimmed; empty when the field is missing.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim())
    }

    /// Every non-blank value given for `name`, as checkboxes send them.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
            .collect()
    }

    /// Every value given for `name`, blanks included, so that paired fields stay in step.
    pub fn each(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .collect()
    }

    /// Whether a checkbox named `name` was ticked.
    pub fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && !v.is_empty())
    }

    /// The value of `name` exactly as typed, for passwords (whose spaces are theirs).
    pub fn raw(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
}

impl<S: Send + Sync> FromRequest<S> for Fields {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| crate::error::rejection(e.status(), e.body_text()))?;
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .map(Fields)
            .map_err(|e| AppError::BadRequest(format!("the form could not be read: {e}")))
    }
}

/// Problems with a form's fields, each already worded in the reader's language, keyed by the
/// field's name so the template shows each next to its field.
#[derive(Debug, Default)]
pub struct FieldErrors(BTreeMap<&'static str, String>);

impl FieldErrors {
    /// Records a problem with `field`; the first one found for a field is kept.
    pub fn add(&mut self, field: &'static str, message: String) {
        self.0.entry(field).or_insert(message);
    }

    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Keeps the value of a parse, or records why it failed against `field`.
    pub fn check<T>(&mut self, tr: &Tr, field: &'static str, parsed: Result<T, DomainError>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(e) => {
                self.add(field, domain_message(tr, &e));
                None
            }
        }
    }
}

/// A domain error in the reader's language, without the value that was typed (it is shown in
/// the field itself).
pub fn domain_message(tr: &Tr, error: &DomainError) -> String {
    match error {
        DomainError::Empty { .. } => tr.t("field-required"),
        DomainError::TooLong { max, .. } => tr.t1("field-too-long", "max", max),
        DomainError::InvalidIso3(_) => tr.t("field-country"),
        DomainError::UnknownCode { .. } => tr.t("field-choose"),
        _ => tr.t("field-invalid"),
    }
}

/// A page re-rendered because its form had problems: 422, with the input kept.
pub fn unprocessable(page: &impl askama::Template) -> Result<Response, AppError> {
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}

/// One option of a select, or one checkbox of a group.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Choice {
        Choice {
            value: value.into(),
            label: label.into(),
            selected,
        }
    }
}

/// The countries as select options, named in the reader's language; `selected` is an ISO3.
pub fn country_choices(tr: &Tr, countries: &[Country], selected: &str) -> Vec<Choice> {
    let mut choices: Vec<Choice> = countries
        .iter()
        .map(|c| {
            Choice::new(
                c.iso3.as_str(),
                tr.name(&c.names),
                c.iso3.as_str().eq_ignore_ascii_case(selected),
            )
        })
        .collect();
    choices.sort_by(|a, b| a.label.cmp(&b.label));
    choices
}

/// The interface languages as select options, after "follow the browser" (blank).
pub fn language_choices(tr: &Tr, selected: &str) -> Vec<Choice> {
    std::iter::once(Choice::new("", tr.t("user-language-browser"), selected.is_empty()))
        .chain(
            Language::ALL
                .iter()
                .map(|l| Choice::new(l.code(), l.endonym(), l.code() == selected)),
        )
        .collect()
}

/// Where a list is ("21–40 of 95") and links to the pages around it that keep its filters.
pub struct Pager {
    pub total: i64,
    pub from: i64,
    pub to: i64,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// `filters` are the list's query parameters; blank ones are left out of the links.
    pub fn new(path: &str, filters: &[(&str, &str)], page: Page, total: i64) -> Pager {
        let link = |offset: i64| {
            let mut params: Vec<(&str, String)> = filters
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (*k, (*v).to_owned()))
                .collect();
            if offset > 0 {
                params.push(("offset", offset.to_string()));
            }
            let query = serde_urlencoded::to_string(&params).unwrap_or_default();
            if query.is_empty() {
                path.to_owned()
            } else {
                format!("{path}?{query}")
            }
        };
        // Offsets come from the address bar: an absurd one is an empty page, never an overflow.
        let shown = page.offset < total;
        Pager {
            total,
            from: if shown { page.offset + 1 } else { 0 },
            to: if shown {
                page.offset.saturating_add(page.limit).min(total)
            } else {
                0
            },
            previous: (page.offset > 0).then(|| link(page.offset.saturating_sub(page.limit).max(0))),
            next: (page.offset.saturating_add(page.limit) < total).then(|| link(page.offset + page.limit)),
        }
    }

    /// "21–40 of 95", in the reader's language.
    pub fn summary(&self, tr: &Tr) -> String {
        tr.with(
            "list-showing",
            &[
                ("from", self.from.to_string()),
                ("to", self.to.to_string()),
                ("total", self.total.to_string()),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_links_keep_the_filters() {
        let pager = Pager::new(
            "/users",
            &[("q", "ana maría"), ("role", "")],
            Page::new(Some(50), Some(50)),
            120,
        );
        assert_eq!(pager.previous.as_deref(), Some("/users?q=ana+mar%C3%ADa"));
        assert_eq!(pager.next.as_deref(), Some("/users?q=ana+mar%C3%ADa&offset=100"));
        let last = Pager::new("/users", &[], Page::new(Some(50), Some(100)), 120);
        assert!(last.next.is_none());
    }

    #[test]
    fn repeated_fields_are_all_kept() {
        let fields = Fields(
            serde_urlencoded::from_str("platform=A&platform=B&platform=&name=+x+&role=&role=viewer").expect("form"),
        );
        assert_eq!(fields.all("platform"), ["A", "B"]);
        assert_eq!(fields.get("name"), "x");
        assert_eq!(fields.get("missing"), "");
        assert_eq!(fields.each("role"), ["", "viewer"]);
        assert!(!fields.checked("active"));
    }
}
