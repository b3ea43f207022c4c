//! The prompt coach: a chat model rewrites a thin prompt along the Kling guide's formula, before
//! anything is spent on a video. `instructions` says what the model is told, `language` which
//! language it answers in, `suggestion` turns its answer into a prompt the validator accepts,
//! `diff` shows what changed and `price` what a call costs. The call itself is
//! `Engine::improve_prompt`; nothing here sends anything.

mod diff;
mod instructions;
mod language;
mod price;
mod suggestion;

pub use diff::{word_diff, DiffOp, DiffPart};
pub use instructions::{chat_request, instructions, MAX_ANSWER_TOKENS};
pub use language::{detect, Language};
pub use price::{
    chat_model_setting, chat_price, cost_cents, costed, estimate, ChatEstimate, ChatPrice, CHAT_PRICES,
    CHAT_PRICES_AS_OF, DEFAULT_CHAT_MODEL,
};
pub use suggestion::{settle, Settled};

use serde::{Deserialize, Serialize};

use crate::api::ApiError;
use crate::error::Error;
use crate::problem::{Kind, Problem};

/// What the window asks to improve: the prompt as typed, the video's length and frame, the chat
/// model from Settings and the window's language. Every field but the prompt may be left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CoachRequest {
    pub prompt: String,
    /// Seconds, as the options form has it (`"5"`); blank is the default.
    #[serde(default)]
    pub duration: String,
    #[serde(default)]
    pub aspect_ratio: String,
    /// Blank is [`DEFAULT_CHAT_MODEL`].
    #[serde(default)]
    pub model: String,
    /// Answers in this language when the prompt does not tell (`en`, `de`).
    #[serde(default)]
    pub ui_language: String,
}

/// The coach's suggestion, for the user to accept, edit or discard: nothing is applied by itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// Passes the validator Generate uses.
    pub text: String,
    /// The words of what the user wrote against `text`.
    pub diff: Vec<DiffPart>,
    /// The model's answer ran past the limit and was shortened.
    pub trimmed: bool,
    /// `en` or `de`: the language the model was told to answer in.
    pub language: String,
    /// What this call cost, from the tokens the provider counted.
    pub estimate: ChatEstimate,
}

/// A failed chat call in words that fit the coach: the general messages talk about videos and
/// retry by themselves, which the coach does not.
pub fn failure(error: ApiError, model: &str) -> Error {
    let kind = match (&error, error.kind()) {
        (ApiError::Gateway { code, .. }, _) if code.contains("quota") => Kind::BalanceUsedUp,
        (_, Kind::KeyRejected | Kind::BadGatewayConfig | Kind::BalanceUsedUp | Kind::AccountProblem) => {
            return Error::Api(error)
        }
        (_, Kind::UnknownModel | Kind::NoAccess) => Kind::CoachModelUnavailable,
        (_, Kind::RateLimited | Kind::ConcurrencyLimit) => Kind::CoachRateLimited,
        (_, Kind::Timeout) => Kind::CoachTimeout,
        _ => Kind::CoachUnavailable,
    };
    let mut problem = Problem::new(kind);
    if kind == Kind::CoachModelUnavailable {
        problem = problem.param("model", model);
    }
    if let Some(detail) = error.provider_message() {
        problem = problem.param("detail", detail);
    }
    Error::Coach(problem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::classify;

    fn kind_of(status: u16, body: &str) -> Kind {
        failure(classify(status, body, None), "gpt-4o-mini").problem().kind
    }

    #[test]
    fn each_failure_says_what_the_coach_user_can_do() {
        let envelope =
            |code: &str| format!(r#"{{"error":{{"message":"x","type":"comet_api_error","code":"{code}"}}}}"#);
        assert_eq!(kind_of(401, &envelope("")), Kind::KeyRejected);
        assert_eq!(kind_of(503, &envelope("model_not_found")), Kind::CoachModelUnavailable);
        assert_eq!(kind_of(404, &envelope("model_not_found")), Kind::CoachModelUnavailable);
        assert_eq!(kind_of(429, &envelope("rate_limit_exceeded")), Kind::CoachRateLimited);
        assert_eq!(kind_of(403, &envelope("insufficient_user_quota")), Kind::BalanceUsedUp);
        assert_eq!(kind_of(502, "<html>bad gateway</html>"), Kind::CoachUnavailable);
        assert_eq!(kind_of(500, &envelope("server_error")), Kind::CoachUnavailable);
        assert_eq!(failure(ApiError::Timeout, "m").problem().kind, Kind::CoachTimeout);
        assert_eq!(
            failure(ApiError::Unreachable("refused".into()), "m").problem().kind,
            Kind::CoachUnavailable
        );
    }

    #[test]
    fn an_unavailable_model_is_named() {
        let problem = failure(
            classify(
                503,
                r#"{"error":{"message":"no channel","code":"model_not_found"}}"#,
                None,
            ),
            "gpt-9",
        )
        .problem();
        assert_eq!(problem.params["model"], "gpt-9");
        assert_eq!(problem.params["detail"], "model_not_found: no channel");
    }
}
