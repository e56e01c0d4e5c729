//! The message catalogue. Every string a person reads in the interface comes from
//! `locales/<lang>/*.ftl` (Fluent), embedded at build time. Tests check that the three
//! languages define the same keys and that every key the templates use exists.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid, static_loader};
use rumbo_domain::Vocabulary;
use rumbo_domain::language::{Language, Names};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Unicode isolation marks around arguments would end up inside HTML attributes.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static ES: LanguageIdentifier = langid!("es");
static EN: LanguageIdentifier = langid!("en");
static PT: LanguageIdentifier = langid!("pt");

fn identifier(language: Language) -> &'static LanguageIdentifier {
    match language {
        Language::Es => &ES,
        Language::En => &EN,
        Language::Pt => &PT,
    }
}

/// The translator a page template holds: `{{ tr.t("nav-home") }}`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub language: Language,
}

impl Tr {
    pub fn new(language: Language) -> Tr {
        Tr { language }
    }

    /// The message for `key`. A missing key shows the key itself, so it is noticed in review
    /// rather than hidden; a test keeps this from happening.
    pub fn t(&self, key: &str) -> String {
        LOCALES
            .try_lookup(identifier(self.language), key)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The message for `key` with one argument, such as `{ $count } organisations`.
    pub fn t1(&self, key: &str, name: &'static str, value: impl ToString) -> String {
        self.with(key, &[(name, value.to_string())])
    }

    /// The message for `key` with arguments; numeric values are passed as numbers so that
    /// plural rules apply.
    pub fn with(&self, key: &str, args: &[(&'static str, String)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| {
                let value = match v.parse::<f64>() {
                    Ok(n) => FluentValue::from(n),
                    Err(_) => FluentValue::from(v.clone()),
                };
                (Cow::Borrowed(*k), value)
            })
            .collect();
        LOCALES
            .try_lookup_with_args(identifier(self.language), key, &args)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The label of a code of a closed vocabulary, such as a location type or a role.
    pub fn label<V: Vocabulary>(&self, value: V) -> String {
        self.t(&value.label_key())
    }

    /// A name in the reader's language, falling back to another.
    pub fn name<'a>(&self, names: &'a Names) -> &'a str {
        names.get(self.language)
    }

    pub fn lang(&self) -> &'static str {
        self.language.code()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use rumbo_domain::access::Role;
    use rumbo_domain::audit::{AuditAction, Entity};
    use rumbo_domain::location::LocationKind;
    use rumbo_domain::organisation::{OrganisationKind, PlatformKind};

    use super::*;

    fn keys(language: &str) -> BTreeSet<String> {
        let folder = format!("{}/locales/{language}", env!("CARGO_MANIFEST_DIR"));
        let mut keys = BTreeSet::new();
        for entry in std::fs::read_dir(&folder).expect("locale folder") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("ftl file");
            for line in text.lines() {
                let first = line.chars().next();
                if first.is_some_and(|c| c.is_ascii_alphabetic())
                    && let Some((key, _)) = line.split_once('=')
                {
                    keys.insert(key.trim().to_owned());
                }
            }
        }
        keys
    }

    #[test]
    fn every_language_defines_the_same_keys() {
        let en = keys("en");
        assert!(en.len() > 50, "the English catalogue looks empty");
        for language in ["es", "pt"] {
            let other = keys(language);
            let missing: Vec<_> = en.difference(&other).collect();
            let extra: Vec<_> = other.difference(&en).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{language}: missing {missing:?}, extra {extra:?}"
            );
        }
    }

    /// Every `t("...")`, `t1("...")` and `with("...")` in the templates names a key that exists.
    #[test]
    fn templates_use_only_defined_keys() {
        let en = keys("en");
        let mut missing = BTreeSet::new();
        let folder = format!("{}/templates", env!("CARGO_MANIFEST_DIR"));
        let mut stack = vec![std::path::PathBuf::from(folder)];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).expect("templates") {
                    stack.push(entry.expect("entry").path());
                }
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("template");
            for call in [".t(\"", ".t1(\"", ".with(\""] {
                for piece in text.split(call).skip(1) {
                    if let Some(key) = piece.split('"').next()
                        && !en.contains(key)
                    {
                        missing.insert(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys used but not defined: {missing:#?}");
    }

    #[test]
    fn every_vocabulary_code_has_a_label() {
        let en = keys("en");
        let mut wanted: Vec<String> = Vec::new();
        wanted.extend(Role::ALL.iter().map(|v| v.label_key()));
        wanted.extend(LocationKind::ALL.iter().map(|v| v.label_key()));
        wanted.extend(OrganisationKind::ALL.iter().map(|v| v.label_key()));
        wanted.extend(PlatformKind::ALL.iter().map(|v| v.label_key()));
        wanted.extend(AuditAction::ALL.iter().map(|v| v.label_key()));
        wanted.extend(Entity::ALL.iter().map(|v| v.label_key()));
        {
            use rumbo_domain::r4v::{AgeGender, DatasetType, FigureType, IndicatorType, Method, PopulationType};
            wanted.extend(FigureType::ALL.iter().map(|v| v.label_key()));
            wanted.extend(Method::ALL.iter().map(|v| v.label_key()));
            wanted.extend(PopulationType::ALL.iter().map(|v| v.label_key()));
            wanted.extend(AgeGender::ALL.iter().map(|v| v.label_key()));
            wanted.extend(IndicatorType::ALL.iter().map(|v| v.label_key()));
            wanted.extend(DatasetType::ALL.iter().map(|v| v.label_key()));
            wanted.extend(rumbo_domain::r4v::Rule::ALL.iter().map(|r| r.label_key()));
        }
        let missing: Vec<_> = wanted.iter().filter(|k| !en.contains(*k)).collect();
        assert!(missing.is_empty(), "labels missing: {missing:?}");
    }

    #[test]
    fn lookups_use_the_language_and_arguments() {
        assert_eq!(Tr::new(Language::Es).t("nav-organisations"), "Organizaciones");
        assert_eq!(Tr::new(Language::Pt).t("nav-organisations"), "Organizações");
        assert!(Tr::new(Language::En).t1("list-total", "count", 3).contains('3'));
    }
}
