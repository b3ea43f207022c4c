//! Which language a prompt is written in, so the coach answers in it: German or English, told
//! apart by their most common short words and by the letters only German uses.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Language {
    #[serde(rename = "en")]
    English,
    #[serde(rename = "de")]
    German,
}

/// Words frequent in one language and rare in the other; words both share ("in", "so", "was",
/// "die", "an") would only blur the count.
const GERMAN_WORDS: &[&str] = &[
    "der", "das", "und", "ein", "eine", "einen", "einem", "einer", "mit", "im", "auf", "ist", "nicht", "den", "dem",
    "des", "sich", "von", "vom", "bei", "zum", "zur", "am", "aus", "wie", "sie", "er", "es", "wird", "durch", "nach",
    "unter", "vor", "langsam", "sehr", "ihr", "ihre", "sein", "seine", "über", "während", "zwischen",
];
const ENGLISH_WORDS: &[&str] = &[
    "the", "a", "and", "with", "of", "on", "is", "at", "to", "from", "by", "his", "her", "their", "its", "over",
    "into", "through", "slowly", "very", "are", "as", "while", "under", "between", "that", "this", "walks", "light",
];

impl Language {
    /// The code the UI and the suggestion carry: `en`, `de`.
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
        }
    }

    /// The name the chat model is told to answer in.
    pub fn name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::German => "German",
        }
    }

    /// The app's UI language (`de`, `de-AT`, `en-GB`, …) as a coach language; English otherwise.
    pub fn of_ui(ui_language: &str) -> Language {
        let primary = ui_language.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("de") {
            Language::German
        } else {
            Language::English
        }
    }
}

/// The language `text` is written in; `ui_language` decides when the text does not tell (a single
/// noun, a name, an even count).
pub fn detect(text: &str, ui_language: &str) -> Language {
    let lower = text.to_lowercase();
    let mut german = lower.chars().filter(|c| matches!(c, 'ä' | 'ö' | 'ü' | 'ß')).count();
    let mut english = 0;
    for word in lower.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()) {
        german += usize::from(GERMAN_WORDS.contains(&word));
        english += usize::from(ENGLISH_WORDS.contains(&word));
    }
    match german.cmp(&english) {
        std::cmp::Ordering::Greater => Language::German,
        std::cmp::Ordering::Less => Language::English,
        std::cmp::Ordering::Equal => Language::of_ui(ui_language),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_and_english_prompts_are_told_apart_by_their_words() {
        for german in [
            "Eine Katze schläft auf dem Dach",
            "Hund im Regen, Blick von oben",
            "Straße bei Nacht",
            "ein alter Mann mit Hut geht durch den Park",
        ] {
            assert_eq!(detect(german, "en"), Language::German, "{german}");
        }
        for english in [
            "A cat sleeping on the roof",
            "dog in the rain, seen from above",
            "an old man with a hat walks through the park",
        ] {
            assert_eq!(detect(english, "de"), Language::English, "{english}");
        }
    }

    #[test]
    fn a_prompt_that_does_not_tell_takes_the_ui_language() {
        assert_eq!(detect("Tokyo", "de-DE"), Language::German);
        assert_eq!(detect("Tokyo", "en"), Language::English);
        assert_eq!(detect("", "fr"), Language::English);
        assert_eq!(detect("Hund", "de"), Language::German);
    }

    #[test]
    fn umlauts_outweigh_a_borrowed_english_word() {
        assert_eq!(detect("Drohnenflug über Berge, the end", "en"), Language::German);
    }
}
