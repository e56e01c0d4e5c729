use serde::{Deserialize, Serialize};

/// The interface languages of Rumbo. Spanish first: it is the language of most users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    Es,
    En,
    Pt,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::Es, Language::En, Language::Pt];

    pub fn code(self) -> &'static str {
        match self {
            Language::Es => "es",
            Language::En => "en",
            Language::Pt => "pt",
        }
    }

    /// The language's name in itself, as a language picker shows it.
    pub fn endonym(self) -> &'static str {
        match self {
            Language::Es => "Español",
            Language::En => "English",
            Language::Pt => "Português",
        }
    }

    /// Accepts `es`, `es-CO`, `pt_BR`, `EN`...; `None` for anything else.
    pub fn parse(raw: &str) -> Option<Language> {
        let primary = raw.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Language::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The best supported language of an HTTP `Accept-Language` header, honouring q-values.
    pub fn from_accept_language(header: &str) -> Option<Language> {
        let mut best: Option<(f32, Language)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Language::parse) else {
                continue;
            };
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }
}

/// A name given in each interface language. Spanish, English and Portuguese names of an admin
/// area often differ (Perú / Peru), and a source may give only some of them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Names {
    pub es: Option<String>,
    pub en: Option<String>,
    pub pt: Option<String>,
}

impl Names {
    /// The name in `lang`, falling back to Spanish, English, then Portuguese.
    pub fn get(&self, lang: Language) -> &str {
        let preferred = match lang {
            Language::Es => &self.es,
            Language::En => &self.en,
            Language::Pt => &self.pt,
        };
        preferred
            .as_deref()
            .or(self.es.as_deref())
            .or(self.en.as_deref())
            .or(self.pt.as_deref())
            .unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.es.is_none() && self.en.is_none() && self.pt.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_honours_quality() {
        assert_eq!(
            Language::from_accept_language("fr-FR,pt-BR;q=0.8,en;q=0.9"),
            Some(Language::En)
        );
        assert_eq!(Language::from_accept_language("es-CO"), Some(Language::Es));
        assert_eq!(Language::from_accept_language("de, fr"), None);
        assert_eq!(Language::from_accept_language(""), None);
    }

    #[test]
    fn names_fall_back_to_another_language() {
        let names = Names {
            es: Some("Perú".into()),
            en: None,
            pt: Some("Peru".into()),
        };
        assert_eq!(names.get(Language::En), "Perú");
        assert_eq!(names.get(Language::Pt), "Peru");
    }
}
