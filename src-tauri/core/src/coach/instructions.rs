//! What the chat model is told: the Kling guide's formula, the video's length and frame, the
//! prompt limit and the language to answer in. The text is data (`instructions.txt`), filled in
//! here; the user's prompt travels alone in its own message, never mixed into the instructions.

use super::language::Language;
use crate::api::{ChatMessage, ChatRequest};

const TEMPLATE: &str = include_str!("instructions.txt");

/// The answer's cap: a 500-character prompt is about 125 tokens in English and up to twice that
/// in German, with room left for an answer that runs long and is trimmed.
pub const MAX_ANSWER_TOKENS: u32 = 400;

/// Some variety between calls, so asking again can give another suggestion, without wandering
/// from what the user wrote.
const TEMPERATURE: f64 = 0.7;

pub fn instructions(duration: &str, aspect_ratio: &str, limit: usize, language: Language) -> String {
    TEMPLATE
        .trim_end()
        .replace("{duration}", duration)
        .replace("{aspect_ratio}", aspect_ratio)
        .replace("{limit}", &limit.to_string())
        .replace("{language}", language.name())
}

/// The whole chat call for one prompt.
pub fn chat_request(
    model: &str,
    prompt: &str,
    duration: &str,
    aspect_ratio: &str,
    limit: usize,
    language: Language,
) -> ChatRequest {
    ChatRequest {
        model: model.to_owned(),
        messages: vec![
            ChatMessage::system(instructions(duration, aspect_ratio, limit, language)),
            ChatMessage::user(prompt),
        ],
        max_tokens: MAX_ANSWER_TOKENS,
        temperature: TEMPERATURE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_blank_in_the_template_is_filled() {
        let text = instructions("10", "9:16", 500, Language::German);
        assert!(!text.contains('{') && !text.contains('}'), "{text}");
        for expected in [
            "10 seconds",
            "9:16",
            "at most 500 characters",
            "Answer in German.",
            "camera language",
            "light",
            "atmosphere",
        ] {
            assert!(text.contains(expected), "{expected:?} missing from {text}");
        }
    }

    #[test]
    fn the_prompt_is_its_own_message() {
        let request = chat_request("gpt-4o-mini", "a cat {limit}", "5", "16:9", 500, Language::English);
        assert_eq!(request.messages.len(), 2);
        assert_eq!(request.messages[0].role, "system");
        assert_eq!(request.messages[1], ChatMessage::user("a cat {limit}"));
        assert!(request.messages[0].content.contains("Answer in English."));
    }
}
