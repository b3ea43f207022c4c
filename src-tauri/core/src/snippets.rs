//! Snippets: short camera, light and style phrases a creator keeps at hand and inserts into a
//! prompt at the cursor. The built-in ones are data here, in English and German under the same
//! ids; the user's own are kept in the catalog (`library::snippets`). Inserting one never takes a
//! prompt past its limit.

use serde::Serialize;
use serde_json::json;
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};
use crate::problem::Kind;
use crate::rules::{visible_len, COMETAPI_LIMITS};
use crate::text::one_line;

/// Long enough to tell snippets apart, short enough for one line of the snippet list.
pub const SNIPPET_NAME_MAX_CHARS: usize = 60;
/// An unnamed snippet is named after this many of its first words.
const DEFAULT_NAME_WORDS: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SnippetCategory {
    Camera,
    Light,
    Style,
    /// The user's own, whatever they describe.
    Own,
}

/// One phrase to insert. Built-in ids are stable across languages and versions ("camera.static");
/// the user's own have generated ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub id: String,
    pub category: SnippetCategory,
    pub name: String,
    pub text: String,
    pub builtin: bool,
}

struct Builtin {
    id: &'static str,
    category: SnippetCategory,
    en: &'static str,
    de: &'static str,
}

const fn builtin(id: &'static str, category: SnippetCategory, en: &'static str, de: &'static str) -> Builtin {
    Builtin { id, category, en, de }
}

/// Phrases in the words of Kling's prompt guide (camera language, light, atmosphere, style), and
/// what a German-speaking creator writes for the same shot. No brand or studio names: a style is
/// described, not named after its owner.
const BUILTINS: &[Builtin] = {
    use SnippetCategory::{Camera, Light, Style};
    &[
        builtin(
            "camera.static",
            Camera,
            "static camera, locked-off shot",
            "statische Kamera, keine Kamerabewegung",
        ),
        builtin(
            "camera.push_in",
            Camera,
            "slow push-in",
            "langsame Kamerafahrt nach vorn",
        ),
        builtin(
            "camera.pull_out",
            Camera,
            "slow pull-out revealing the scene",
            "langsame Rückwärtsfahrt, die die ganze Szene zeigt",
        ),
        builtin(
            "camera.tracking_side",
            Camera,
            "tracking shot from the side",
            "seitliche Kamerafahrt, die dem Motiv folgt",
        ),
        builtin(
            "camera.aerial",
            Camera,
            "aerial drone shot",
            "Drohnenaufnahme aus der Luft",
        ),
        builtin(
            "camera.handheld_close_up",
            Camera,
            "handheld close-up",
            "Nahaufnahme mit Handkamera",
        ),
        builtin(
            "camera.orbit",
            Camera,
            "slow orbit around the subject",
            "langsame Kreisfahrt um das Motiv",
        ),
        builtin(
            "camera.low_angle",
            Camera,
            "low-angle shot looking up",
            "Froschperspektive, Kamera blickt nach oben",
        ),
        builtin(
            "light.golden_hour",
            Light,
            "soft golden-hour light",
            "weiches Licht der goldenen Stunde",
        ),
        builtin(
            "light.neon_wet_streets",
            Light,
            "neon reflections on wet streets",
            "Neonlicht spiegelt sich auf nassen Straßen",
        ),
        builtin(
            "light.volumetric_fog",
            Light,
            "volumetric fog with rays of light",
            "volumetrischer Nebel mit Lichtstrahlen",
        ),
        builtin(
            "light.backlit",
            Light,
            "backlit silhouette against the sun",
            "Gegenlicht, Silhouette vor der Sonne",
        ),
        builtin(
            "light.blue_hour",
            Light,
            "cool blue-hour twilight",
            "kühles Dämmerlicht der blauen Stunde",
        ),
        builtin(
            "light.candlelight",
            Light,
            "warm candlelight, deep shadows",
            "warmes Kerzenlicht, tiefe Schatten",
        ),
        builtin(
            "light.overcast",
            Light,
            "soft, diffuse overcast daylight",
            "weiches, diffuses Tageslicht bei bedecktem Himmel",
        ),
        builtin(
            "light.low_key",
            Light,
            "dramatic low-key lighting",
            "dramatische Low-Key-Beleuchtung",
        ),
        builtin(
            "style.film_grain",
            Style,
            "cinematic, 35 mm film grain",
            "filmisch, 35-mm-Filmkorn",
        ),
        builtin(
            "style.watercolour_anime",
            Style,
            "hand-drawn anime look in soft watercolours",
            "handgezeichneter Anime-Look in zarten Aquarellfarben",
        ),
        builtin(
            "style.documentary",
            Style,
            "documentary style, natural colours",
            "Dokumentarfilm-Stil, natürliche Farben",
        ),
        builtin(
            "style.photorealistic",
            Style,
            "photorealistic, shallow depth of field",
            "fotorealistisch, geringe Schärfentiefe",
        ),
        builtin(
            "style.stop_motion",
            Style,
            "stop-motion clay animation",
            "Stop-Motion-Animation aus Knetmasse",
        ),
        builtin(
            "style.vhs",
            Style,
            "1980s VHS home video look",
            "Look eines VHS-Heimvideos aus den 80ern",
        ),
        builtin(
            "style.tilt_shift",
            Style,
            "tilt-shift miniature look",
            "Miniatur-Look mit Tilt-Shift",
        ),
        builtin(
            "style.film_noir",
            Style,
            "black-and-white film noir",
            "Film noir in Schwarzweiß",
        ),
    ]
};

/// The built-in snippets in `language` ("de", "de-AT", "en", …); any language without its own
/// phrases gets the English ones.
pub fn builtin_snippets(language: &str) -> Vec<Snippet> {
    let primary = language.split(['-', '_']).next().unwrap_or_default();
    let german = primary.eq_ignore_ascii_case("de");
    BUILTINS
        .iter()
        .map(|builtin| {
            let text = if german { builtin.de } else { builtin.en };
            Snippet {
                id: builtin.id.to_owned(),
                category: builtin.category,
                name: text.to_owned(),
                text: text.to_owned(),
                builtin: true,
            }
        })
        .collect()
}

/// A snippet's text as kept and inserted: one line, without the commas or semicolons a selection
/// may have carried at its ends (insertion puts its own), composed as the validator counts it.
pub(crate) fn phrase(text: &str) -> String {
    one_line(text)
        .trim_matches(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .nfc()
        .collect()
}

/// The text of a snippet the user keeps: not empty and no longer than a whole prompt may be.
pub(crate) fn own_text(text: &str) -> Result<String> {
    let text = phrase(text);
    if text.is_empty() {
        return Err(Error::invalid(Kind::SnippetEmpty, "text"));
    }
    let length = visible_len(&text);
    let max = COMETAPI_LIMITS.prompt_max_chars;
    if length > max {
        return Err(Error::invalid_with(
            Kind::SnippetTooLong,
            "text",
            &[("max", max.into()), ("length", length.into())],
        ));
    }
    Ok(text)
}

/// The name the user gave a snippet: one line, not empty, at most `SNIPPET_NAME_MAX_CHARS`.
pub(crate) fn own_name(name: &str) -> Result<String> {
    let name = one_line(name);
    if name.is_empty() {
        return Err(Error::invalid(Kind::SnippetNameEmpty, "name"));
    }
    let length = name.chars().count();
    if length > SNIPPET_NAME_MAX_CHARS {
        return Err(Error::invalid_with(
            Kind::SnippetNameTooLong,
            "name",
            &[("max", SNIPPET_NAME_MAX_CHARS.into()), ("length", length.into())],
        ));
    }
    Ok(name)
}

/// The name of a snippet saved without one: its first words, with "…" when something was left out.
pub(crate) fn default_name(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut name = String::new();
    for word in words.iter().take(DEFAULT_NAME_WORDS) {
        let next = if name.is_empty() {
            word.to_string()
        } else {
            format!("{name} {word}")
        };
        if next.chars().count() >= SNIPPET_NAME_MAX_CHARS {
            break;
        }
        name = next;
    }
    if name.is_empty() {
        // One word too long for a name: its start.
        name = text.chars().take(SNIPPET_NAME_MAX_CHARS - 1).collect();
    }
    if name.chars().count() < text.chars().count() {
        name.push('…');
    }
    name
}

/// A prompt after a snippet went in, and where the cursor goes: just after the snippet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inserted {
    pub text: String,
    pub cursor: usize,
}

/// Puts `snippet` into `prompt` at `cursor` (counted in characters, as the prompt box counts its
/// caret) as a phrase of its own: ", " where it meets another phrase, nothing at the very start,
/// at the start of a line or where punctuation already separates it, and never inside a word (a
/// cursor inside one moves to its end). Spaces around the cursor are folded into the separator,
/// so no space or comma is doubled. Refused with `snippet_over_limit` (how many characters too
/// many in `over`) when the prompt would pass `max_chars`, counted the way the validator does.
pub fn insert_snippet(prompt: &str, cursor: usize, snippet: &str, max_chars: usize) -> Result<Inserted> {
    let snippet = phrase(snippet);
    if snippet.is_empty() {
        return Err(Error::invalid(Kind::SnippetEmpty, "snippet"));
    }
    let chars: Vec<char> = prompt.chars().collect();
    // A combining accent belongs to its letter (a decomposed ü is two chars, one letter).
    let in_word = |c: char| c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c);
    let mut at = cursor.min(chars.len());
    while at > 0 && at < chars.len() && in_word(chars[at - 1]) && in_word(chars[at]) {
        at += 1;
    }
    let before: String = chars[..at].iter().collect();
    let after: String = chars[at..].iter().collect();
    let is_blank = |c: char| c.is_whitespace() && c != '\n' && c != '\r';
    let head = before.trim_end_matches(is_blank);
    let tail = after.trim_start_matches(is_blank);
    let lead = match head.chars().next_back() {
        None | Some('\n' | '\r' | '(' | '[') => "",
        Some(',' | ';' | ':' | '.' | '!' | '?') => " ",
        Some(_) => ", ",
    };
    let trail = match tail.chars().next() {
        None | Some('\n' | '\r' | ',' | ';' | ':' | '.' | '!' | '?' | ')' | ']') => "",
        Some(_) => ", ",
    };
    let text = format!("{head}{lead}{snippet}{trail}{tail}");
    let length = visible_len(&text);
    if length > max_chars {
        return Err(Error::invalid_with(
            Kind::SnippetOverLimit,
            "prompt",
            &[("over", json!(length - max_chars)), ("max", json!(max_chars))],
        ));
    }
    let cursor = head.chars().count() + lead.chars().count() + snippet.chars().count();
    Ok(Inserted { text, cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unnamed_snippet_is_named_after_its_first_words() {
        assert_eq!(default_name("slow push-in"), "slow push-in");
        assert_eq!(
            default_name("slow push-in towards the old lighthouse at dawn"),
            "slow push-in towards the old lighthouse…"
        );
        let one_long_word = "x".repeat(80);
        let name = default_name(&one_long_word);
        assert_eq!(name.chars().count(), SNIPPET_NAME_MAX_CHARS);
        assert!(name.ends_with('…'));
        assert!(own_name(&default_name(&"wörter ".repeat(40))).is_ok());
    }

    #[test]
    fn a_kept_phrase_is_one_line_without_separators_at_its_ends() {
        assert_eq!(phrase(" , static\n camera, "), "static camera");
        assert_eq!(phrase("u\u{0308}ber"), "über");
    }
}
