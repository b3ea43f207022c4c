//! `POST /v1/chat/completions`, CometAPI's OpenAI-compatible chat route, answering the prompt
//! coach deterministically: the user's text plus a camera and a light phrase in the language the
//! instructions name, within the limit they state. It reads the instructions the way a chat model
//! would, with its own code; the only thing it takes from kling-core is data (the priced models).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::routes::{account, gateway_body, unauthorized};
use super::{random_base64, wall_ms, ChatOutcome, Shared};

pub(super) const CHAT_ROUTE: &str = "/v1/chat/completions";

/// What the coach adds, per language.
struct Phrases {
    camera: &'static str,
    light: &'static str,
    /// One more sentence, repeated to make an answer run past the limit.
    more: &'static str,
}

const ENGLISH: Phrases = Phrases {
    camera: "slow push-in",
    light: "soft golden-hour light",
    more: "The camera lingers on every detail while the light slowly changes.",
};

const GERMAN: Phrases = Phrases {
    camera: "langsame Kamerafahrt nach vorn",
    light: "weiches Licht zur goldenen Stunde",
    more: "Die Kamera verweilt auf jedem Detail, während sich das Licht langsam verändert.",
};

/// The emulated account offers the chat models kling-core has a price row for.
fn offered(model: &str) -> bool {
    kling_core::coach::CHAT_PRICES.iter().any(|price| price.model == model)
}

fn refusal(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(gateway_body(code, message))).into_response()
}

pub(super) async fn completions(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if account(&shared, &headers).is_err() {
        return unauthorized();
    }
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(&body) else {
        return refusal(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the body must be a JSON object",
        );
    };
    let Some(model) = request.get("model").and_then(Value::as_str) else {
        return refusal(StatusCode::BAD_REQUEST, "invalid_request", "model is required");
    };
    let messages = request
        .get("messages")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let Some(user_text) = messages.iter().rev().find(|m| m["role"] == "user").map(text_of) else {
        return refusal(StatusCode::BAD_REQUEST, "invalid_request", "messages: no user message");
    };
    let instructions: String = messages
        .iter()
        .filter(|m| m["role"] == "system")
        .map(text_of)
        .collect::<Vec<_>>()
        .join("\n");
    let config = shared.lock().config.chat.clone();
    match config.outcome {
        ChatOutcome::RateLimited => {
            let mut response = refusal(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_exceeded",
                "rate limit reached for requests, please try again later",
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("20"));
            return response;
        }
        ChatOutcome::ModelNotFound => return model_not_found(model),
        _ if !offered(model) => return model_not_found(model),
        ChatOutcome::Slow => tokio::time::sleep(Duration::from_millis(config.slow_ms)).await,
        _ => {}
    }
    let phrases = if answers_in_german(&instructions) {
        &GERMAN
    } else {
        &ENGLISH
    };
    let limit = stated_limit(&instructions);
    let content = match config.outcome {
        ChatOutcome::Empty => String::new(),
        ChatOutcome::OverLong => over_long(&user_text, phrases, limit),
        _ => suggestion(&user_text, phrases, limit),
    };
    let tokens = |text: &str| text.chars().count().div_ceil(4);
    let prompt_tokens: usize = messages.iter().map(|m| tokens(&text_of(m))).sum();
    let completion_tokens = tokens(&content);
    Json(json!({
        "id": format!("chatcmpl-{}", random_base64()),
        "object": "chat.completion",
        "created": wall_ms() / 1000,
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": "stop",
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }))
    .into_response()
}

fn model_not_found(model: &str) -> Response {
    refusal(
        StatusCode::SERVICE_UNAVAILABLE,
        "model_not_found",
        &format!("no available channel for group default and model {model} (distributor)"),
    )
}

/// A message's text: a string, or the text parts of a list of parts.
fn text_of(message: &Value) -> String {
    match &message["content"] {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|part| part["text"].as_str())
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

/// "Answer in German." (or Deutsch) anywhere in the instructions.
fn answers_in_german(instructions: &str) -> bool {
    let lower = instructions.to_lowercase();
    lower.match_indices("answer in ").any(|(at, found)| {
        let named = &lower[at + found.len()..];
        named.starts_with("german") || named.starts_with("deutsch")
    })
}

/// The N of "at most N characters", else the shared prompt limit.
fn stated_limit(instructions: &str) -> usize {
    instructions
        .match_indices("at most ")
        .find_map(|(at, found)| {
            let rest = &instructions[at + found.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            let after = rest[digits.len()..].trim_start();
            after.starts_with("characters").then(|| digits.parse().ok()).flatten()
        })
        .unwrap_or(kling_core::rules::COMETAPI_LIMITS.prompt_max_chars)
}

/// The user's text (shortened at a word if need be) and the two phrases, within `limit`.
fn suggestion(user_text: &str, phrases: &Phrases, limit: usize) -> String {
    let added = format!("{}, {}", phrases.camera, phrases.light);
    let base = user_text
        .trim()
        .trim_end_matches(['.', '!', '?', ',', ';', ':'])
        .trim_end();
    let room = limit.saturating_sub(added.chars().count() + 2);
    let base = within(base, room);
    if base.is_empty() {
        added
    } else {
        format!("{base}, {added}")
    }
}

/// The suggestion, then whole sentences until it is well past `limit`.
fn over_long(user_text: &str, phrases: &Phrases, limit: usize) -> String {
    let mut text = format!("{}.", suggestion(user_text, phrases, limit));
    while text.chars().count() <= limit + 100 {
        text.push(' ');
        text.push_str(phrases.more);
    }
    text
}

/// At most `room` characters of `text`, ending at a whole word.
fn within(text: &str, room: usize) -> &str {
    if text.chars().count() <= room {
        return text;
    }
    let cut = text.char_indices().nth(room).map_or(text.len(), |(at, _)| at);
    let head = &text[..cut];
    if text[cut..].starts_with(char::is_whitespace) {
        head.trim_end()
    } else {
        head.rfind(char::is_whitespace).map_or("", |at| head[..at].trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_and_the_limit_are_read_from_the_instructions() {
        assert!(answers_in_german("Keep it short.\nAnswer in German.\n"));
        assert!(!answers_in_german("Answer in English. Answer with the prompt only."));
        assert_eq!(stated_limit("The prompt must be at most 120 characters long."), 120);
        assert_eq!(stated_limit("Say it at most twice."), 500);
    }

    #[test]
    fn a_suggestion_fits_the_limit_and_keeps_whole_words() {
        let long = "word ".repeat(200);
        let text = suggestion(&long, &ENGLISH, 100);
        assert!(text.chars().count() <= 100, "{text}");
        assert!(text.ends_with(", slow push-in, soft golden-hour light"));
        assert!(text.starts_with("word word"));
        assert_eq!(
            suggestion("Hund im Regen.", &GERMAN, 500),
            "Hund im Regen, langsame Kamerafahrt nach vorn, weiches Licht zur goldenen Stunde"
        );
    }

    #[test]
    fn an_over_long_answer_is_whole_sentences_past_the_limit() {
        let text = over_long("a cat", &ENGLISH, 200);
        assert!(text.chars().count() > 300);
        assert!(text.ends_with("changes."));
    }
}
