//! The chat model's answer as a prompt: the wrapping models like to add (quotes, a code fence, a
//! "Prompt:" label) taken off, then checked by the validator Generate uses. An answer past the
//! limit is shortened at a sentence or word boundary, so the suggestion always passes.

use crate::error::{Error, Result};
use crate::problem::{Kind, Problem};
use crate::request::{cleaned, validate, GenerationRequest};
use crate::rules::Limits;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub text: String,
    /// The answer ran past the limit and was shortened.
    pub trimmed: bool,
}

/// Quote pairs a model wraps a whole answer in, English and German typography included.
const QUOTES: &[(char, char)] = &[
    ('"', '"'),
    ('\'', '\''),
    ('`', '`'),
    ('“', '”'),
    ('„', '“'),
    ('‚', '‘'),
    ('‘', '’'),
    ('«', '»'),
    ('»', '«'),
];

/// Marks that end a sentence.
const SENTENCE_ENDS: &[char] = &['.', '!', '?', '…'];

pub fn settle(answer: &str, limits: &Limits) -> Result<Settled> {
    let text = unwrapped(answer);
    match validate(&as_request(text), limits) {
        Ok(valid) => Ok(Settled {
            text: valid.prompt,
            trimmed: false,
        }),
        Err(Error::Invalid {
            kind: Kind::PromptEmpty,
            ..
        }) => Err(Error::Coach(Problem::new(Kind::CoachEmptyAnswer))),
        Err(Error::Invalid {
            kind: Kind::PromptTooLong,
            ..
        }) => {
            // Cut what the validator counts: the trimmed text in NFC.
            let valid = validate(&as_request(&shortened(&cleaned(text), limits.prompt_max_chars)), limits)?;
            Ok(Settled {
                text: valid.prompt,
                trimmed: true,
            })
        }
        Err(other) => Err(other),
    }
}

fn as_request(prompt: &str) -> GenerationRequest {
    GenerationRequest {
        prompt: prompt.to_owned(),
        ..Default::default()
    }
}

/// `answer` without surrounding whitespace, code fences, a leading "Prompt:" label and quotes
/// around the whole, however they are nested.
fn unwrapped(answer: &str) -> &str {
    let mut text = answer.trim();
    loop {
        let before = text;
        text = without_fence(text).trim();
        text = without_label(text).trim();
        text = without_quotes(text).trim();
        if text == before {
            return text;
        }
    }
}

fn without_fence(text: &str) -> &str {
    let Some(inner) = text.strip_prefix("```").and_then(|t| t.strip_suffix("```")) else {
        return text;
    };
    // The opening fence may name a language (```text); the prompt starts on the next line.
    match inner.split_once('\n') {
        Some((info, body)) if !info.trim().contains(' ') => body,
        _ => inner,
    }
}

/// "Prompt:", "Improved prompt:", "**Verbesserter Prompt:**" and the like, at the very start.
fn without_label(text: &str) -> &str {
    let Some((label, rest)) = text.split_once(':') else {
        return text;
    };
    let label = label.trim_matches(|c: char| c == '*' || c == '#' || c.is_whitespace());
    let is_label = label.split_whitespace().count() <= 3 && label.to_lowercase().ends_with("prompt");
    if is_label {
        rest.trim_start_matches(|c: char| c == '*' || c.is_whitespace())
    } else {
        text
    }
}

fn without_quotes(text: &str) -> &str {
    let mut chars = text.chars();
    let (Some(first), Some(last)) = (chars.next(), chars.next_back()) else {
        return text;
    };
    if QUOTES.contains(&(first, last)) {
        &text[first.len_utf8()..text.len() - last.len_utf8()]
    } else {
        text
    }
}

/// At most `limit` characters of `text`: up to the last sentence end when that keeps at least
/// half of them, else up to the last whole word, else (one endless word) cut at the limit.
fn shortened(text: &str, limit: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= limit {
        return text.to_owned();
    }
    let ends_word = |end: usize| chars.get(end).is_none_or(|c| c.is_whitespace());
    let sentence = (limit / 2..=limit)
        .rev()
        .find(|&end| end > 0 && SENTENCE_ENDS.contains(&chars[end - 1]) && ends_word(end));
    let word = || {
        (1..=limit)
            .rev()
            .find(|&end| ends_word(end) && !chars[end - 1].is_whitespace())
    };
    let end = sentence.or_else(word).unwrap_or(limit);
    let kept: String = chars[..end].iter().collect();
    // A cut after "roof," or "—" would leave the prompt hanging on its punctuation.
    kept.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '–' | '—'))
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{visible_len, COMETAPI_LIMITS};

    #[test]
    fn wrapping_is_taken_off() {
        for (answer, expected) in [
            ("\"A cat on a roof.\"", "A cat on a roof."),
            ("  “Eine Katze auf dem Dach.”\n", "Eine Katze auf dem Dach."),
            ("„Eine Katze auf dem Dach.“", "Eine Katze auf dem Dach."),
            ("Prompt: A cat on a roof.", "A cat on a roof."),
            ("**Improved prompt:** \"A cat on a roof.\"", "A cat on a roof."),
            ("Verbesserter Prompt: Eine Katze", "Eine Katze"),
            ("```\nA cat on a roof.\n```", "A cat on a roof."),
            ("```text\n\"A cat on a roof.\"\n```", "A cat on a roof."),
            ("A cat: asleep on a roof", "A cat: asleep on a roof"),
            ("\"Quoted\" words stay", "\"Quoted\" words stay"),
        ] {
            assert_eq!(settle(answer, &COMETAPI_LIMITS).unwrap().text, expected, "{answer:?}");
        }
    }

    #[test]
    fn an_answer_with_nothing_in_it_is_refused() {
        for empty in ["", "   \n", "\"\"", "```\n```", "Prompt:", "“ ”"] {
            let error = settle(empty, &COMETAPI_LIMITS).unwrap_err();
            assert_eq!(error.problem().kind, Kind::CoachEmptyAnswer, "{empty:?}");
        }
    }

    #[test]
    fn a_long_answer_is_cut_after_its_last_whole_sentence() {
        let sentence = "The camera glides past wet stones while the light turns gold. ";
        let answer = sentence.repeat(12);
        let settled = settle(&answer, &COMETAPI_LIMITS).unwrap();
        assert!(settled.trimmed);
        assert!(visible_len(&settled.text) <= COMETAPI_LIMITS.prompt_max_chars);
        assert!(settled.text.ends_with("gold."), "{}", settled.text);
        assert!(
            visible_len(&settled.text) > COMETAPI_LIMITS.prompt_max_chars - sentence.len(),
            "no more than one sentence is dropped"
        );
    }

    #[test]
    fn a_long_answer_without_a_late_sentence_end_is_cut_at_a_word() {
        let answer = format!(
            "Ein Hund im Regen. {}",
            "langsame Kamerafahrt über nasse Straßen, ".repeat(20)
        );
        let settled = settle(&answer, &COMETAPI_LIMITS).unwrap();
        assert!(settled.trimmed);
        let count = visible_len(&settled.text);
        assert!(count <= 500 && count > 450, "{count}");
        assert!(answer.starts_with(&settled.text), "cut, not rewritten");
        let last = settled.text.split_whitespace().last().unwrap();
        assert!(
            ["langsame", "Kamerafahrt", "über", "nasse", "Straßen"].contains(&last),
            "ends on a whole word without its comma: {last:?}"
        );
    }

    #[test]
    fn one_endless_word_is_cut_at_the_limit_and_counted_as_people_count() {
        let settled = settle(&"u\u{0308}".repeat(600), &COMETAPI_LIMITS).unwrap();
        assert!(settled.trimmed);
        assert_eq!(visible_len(&settled.text), 500);
        assert_eq!(settled.text, "ü".repeat(500));
    }

    #[test]
    fn an_answer_within_the_limit_is_kept_as_it_is() {
        let answer = "a".repeat(500);
        let settled = settle(&answer, &COMETAPI_LIMITS).unwrap();
        assert_eq!((settled.text.as_str(), settled.trimmed), (answer.as_str(), false));
    }
}
