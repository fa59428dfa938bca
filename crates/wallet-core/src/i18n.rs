//! The language the core speaks to the user (error messages, OS notifications) and its catalog.
//!
//! The user chooses `system | en | fr` in Settings; [`Locale`] is what that resolves to. Texts
//! are [`Msg`] values — a message id with its typed arguments — rendered in a locale only when
//! they reach the user (the IPC boundary, a notification), so validation code deep in the core
//! needs no locale and logs stay in English. The catalog is one table (`messages!` in
//! `messages.rs`): every message has its English and its French side by side, and a message
//! missing either, or a French text that drops or invents a placeholder, does not compile.

use std::sync::atomic::{AtomicU8, Ordering};

use serde::{Deserialize, Serialize};

/// The user's choice in Settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Language {
    /// The operating system's language when the wallet speaks it, else English.
    #[default]
    System,
    En,
    Fr,
}

/// A language the wallet speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum Locale {
    #[default]
    En,
    Fr,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Fr];

    /// The first BCP 47 tag (`fr-FR`, `fr_CA.UTF-8`, `en`) whose language the wallet speaks.
    pub fn from_tags<'a>(tags: impl IntoIterator<Item = &'a str>) -> Option<Locale> {
        tags.into_iter().find_map(|tag| {
            let primary = tag.split(['-', '_', '.', '@']).next()?;
            match primary.to_ascii_lowercase().as_str() {
                "en" => Some(Locale::En),
                "fr" => Some(Locale::Fr),
                _ => None,
            }
        })
    }

    /// The OS's preferred language, when the wallet speaks it (read once, at start).
    pub fn of_system() -> Locale {
        let tags: Vec<String> = sys_locale::get_locales().collect();
        Self::from_tags(tags.iter().map(String::as_str)).unwrap_or_default()
    }
}

impl Language {
    pub fn resolve(self, system: Locale) -> Locale {
        match self {
            Language::System => system,
            Language::En => Locale::En,
            Language::Fr => Locale::Fr,
        }
    }
}

/// The locale in force, shared with what renders texts outside a command (notifications).
#[derive(Debug, Default)]
pub(crate) struct CurrentLocale(AtomicU8);

impl CurrentLocale {
    pub fn new(locale: Locale) -> Self {
        let cell = Self::default();
        cell.set(locale);
        cell
    }

    pub fn get(&self) -> Locale {
        match self.0.load(Ordering::Relaxed) {
            1 => Locale::Fr,
            _ => Locale::En,
        }
    }

    pub fn set(&self, locale: Locale) {
        self.0.store(locale as u8, Ordering::Relaxed);
    }
}

impl crate::Core {
    /// The language the core's texts are in now.
    pub fn locale(&self) -> Locale {
        self.locale.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_tags_resolve_to_a_spoken_language() {
        assert_eq!(Locale::from_tags(["fr-FR"]), Some(Locale::Fr));
        assert_eq!(Locale::from_tags(["fr_CA.UTF-8"]), Some(Locale::Fr));
        assert_eq!(Locale::from_tags(["de-DE", "fr", "en"]), Some(Locale::Fr));
        assert_eq!(Locale::from_tags(["EN-gb"]), Some(Locale::En));
        assert_eq!(Locale::from_tags(["de-DE", "C"]), None);
        assert_eq!(Language::System.resolve(Locale::Fr), Locale::Fr);
        assert_eq!(Language::En.resolve(Locale::Fr), Locale::En);
    }

    #[test]
    fn current_locale_round_trips() {
        let cell = CurrentLocale::new(Locale::Fr);
        assert_eq!(cell.get(), Locale::Fr);
        cell.set(Locale::En);
        assert_eq!(cell.get(), Locale::En);
    }
}
