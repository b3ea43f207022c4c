//! What a coach call costs: a price row per chat model, and an estimate said before the click.
//! Chat models bill per token; before a call only characters are known, so tokens are counted
//! as a quarter of the characters (CometAPI's own rule of thumb) and the answer at its cap.

use serde::Serialize;

use super::instructions::{instructions, MAX_ANSWER_TOKENS};
use super::language::detect;
use crate::api::ChatUsage;
use crate::rules::COMETAPI_LIMITS;

/// The chat model the coach uses unless Settings names another: capable enough for a prompt,
/// among the least expensive.
pub const DEFAULT_CHAT_MODEL: &str = "gpt-4o-mini";

/// The chat model in force for a saved setting: the one named, else [`DEFAULT_CHAT_MODEL`].
pub fn chat_model_setting(saved: Option<&str>) -> String {
    match saved.map(str::trim) {
        Some(named) if !named.is_empty() => named.to_owned(),
        _ => DEFAULT_CHAT_MODEL.to_owned(),
    }
}

/// When the chat prices were read (CometAPI's model list, which follows OpenAI's list prices for
/// GPT models); shown next to every estimate.
pub const CHAT_PRICES_AS_OF: &str = "2025-12";

/// US dollars per million tokens.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ChatPrice {
    pub model: &'static str,
    pub input_usd_per_million: f64,
    pub output_usd_per_million: f64,
}

pub const CHAT_PRICES: &[ChatPrice] = &[
    ChatPrice {
        model: "gpt-4o-mini",
        input_usd_per_million: 0.15,
        output_usd_per_million: 0.60,
    },
    ChatPrice {
        model: "gpt-4.1-mini",
        input_usd_per_million: 0.40,
        output_usd_per_million: 1.60,
    },
];

pub fn chat_price(model: &str) -> Option<&'static ChatPrice> {
    CHAT_PRICES.iter().find(|p| p.model == model.trim())
}

/// The cost of one call in US cents, always an estimate; `cents: None` is an unknown price, which
/// the UI says as such rather than as free.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatEstimate {
    pub model: String,
    pub cents: Option<f64>,
    pub price_date: &'static str,
    pub estimate: bool,
}

/// The cost in cents of a call that used these tokens, `None` for a model without a price row.
pub fn cost_cents(model: &str, usage: ChatUsage) -> Option<f64> {
    chat_price(model).map(|price| {
        let dollars = (f64::from(usage.prompt_tokens) * price.input_usd_per_million
            + f64::from(usage.completion_tokens) * price.output_usd_per_million)
            / 1_000_000.0;
        dollars * 100.0
    })
}

/// What improving `prompt` with `model` will cost at most: the instructions and the prompt in,
/// a whole answer out.
pub fn estimate(model: &str, prompt: &str) -> ChatEstimate {
    let limits = &COMETAPI_LIMITS;
    // The instructions differ between durations and ratios by a character or two: the defaults
    // stand for all of them.
    let text = instructions(
        limits.default_duration,
        limits.default_aspect_ratio,
        limits.prompt_max_chars,
        detect(prompt, ""),
    );
    let usage = ChatUsage {
        prompt_tokens: tokens_in(&text) + tokens_in(prompt),
        completion_tokens: MAX_ANSWER_TOKENS,
    };
    costed(model, cost_cents(model, usage))
}

/// `cents` of a call to `model`, in the shape the UI shows.
pub fn costed(model: &str, cents: Option<f64>) -> ChatEstimate {
    ChatEstimate {
        model: model.trim().to_owned(),
        cents,
        price_date: CHAT_PRICES_AS_OF,
        estimate: true,
    }
}

fn tokens_in(text: &str) -> u32 {
    u32::try_from(text.chars().count().div_ceil(4)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_model_has_a_price_and_costs_a_fraction_of_a_cent() {
        let estimate = estimate(DEFAULT_CHAT_MODEL, "a cat on a roof");
        let cents = estimate.cents.expect("the default model is priced");
        assert!(cents > 0.0 && cents < 1.0, "{cents}");
        assert!(estimate.estimate);
        assert_eq!(estimate.price_date, CHAT_PRICES_AS_OF);
    }

    #[test]
    fn a_longer_prompt_costs_more() {
        let short = estimate(DEFAULT_CHAT_MODEL, "cat").cents.unwrap();
        let long = estimate(DEFAULT_CHAT_MODEL, &"a cat on a roof ".repeat(30))
            .cents
            .unwrap();
        assert!(long > short, "{long} > {short}");
    }

    #[test]
    fn an_unknown_model_has_no_price_never_zero() {
        let estimate = estimate("some-model-nobody-listed", "a cat");
        assert_eq!(estimate.cents, None);
        assert_eq!(
            serde_json::to_value(&estimate).unwrap(),
            serde_json::json!({
                "model": "some-model-nobody-listed",
                "cents": null,
                "price_date": CHAT_PRICES_AS_OF,
                "estimate": true,
            })
        );
    }

    #[test]
    fn a_blank_setting_is_the_default_model() {
        assert_eq!(chat_model_setting(None), DEFAULT_CHAT_MODEL);
        assert_eq!(chat_model_setting(Some("  ")), DEFAULT_CHAT_MODEL);
        assert_eq!(chat_model_setting(Some(" gpt-4.1-mini ")), "gpt-4.1-mini");
    }

    #[test]
    fn tokens_are_billed_at_their_row() {
        let usage = ChatUsage {
            prompt_tokens: 1_000_000,
            completion_tokens: 1_000_000,
        };
        assert_eq!(cost_cents("gpt-4o-mini", usage), Some(75.0));
    }
}
