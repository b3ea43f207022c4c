//! CometAPI's OpenAI-compatible chat route, on the same key, limits and error classes as the
//! Kling routes: `POST /v1/chat/completions`.

use serde::{Deserialize, Serialize};

use super::{not_an_answer, ApiError, Client, Exchange};

const CHAT_ROUTE: &str = "/v1/chat/completions";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatMessage {
    /// `system` or `user`.
    pub role: String,
    pub content: String,
}

impl ChatMessage {
    pub fn system(content: impl Into<String>) -> Self {
        ChatMessage {
            role: "system".into(),
            content: content.into(),
        }
    }

    pub fn user(content: impl Into<String>) -> Self {
        ChatMessage {
            role: "user".into(),
            content: content.into(),
        }
    }
}

/// The body of a chat call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatRequest {
    pub model: String,
    pub messages: Vec<ChatMessage>,
    pub max_tokens: u32,
    pub temperature: f64,
}

/// What the provider counted, and bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct ChatUsage {
    #[serde(default)]
    pub prompt_tokens: u32,
    #[serde(default)]
    pub completion_tokens: u32,
}

/// The first choice of a chat answer: its text (empty when the model said nothing) and usage.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatAnswer {
    pub content: String,
    pub usage: Option<ChatUsage>,
}

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<ChatUsage>,
}

#[derive(Deserialize)]
struct Choice {
    message: ChoiceMessage,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    #[serde(default)]
    content: Option<String>,
}

impl Client {
    /// Sends one chat call. Nothing is retried: a person is waiting and decides whether to ask again.
    pub async fn chat(&self, key: &str, body: &ChatRequest) -> Result<ChatAnswer, ApiError> {
        let request = self.post(CHAT_ROUTE, key, self.timeouts.chat, body);
        let Exchange {
            status,
            retry_after,
            text,
        } = self.exchange(request).await?;
        if status == 200 {
            if let Ok(completion) = serde_json::from_str::<Completion>(&text) {
                let Some(first) = completion.choices.into_iter().next() else {
                    return Err(ApiError::Unexpected("a chat answer without a choice".into()));
                };
                return Ok(ChatAnswer {
                    content: first.message.content.unwrap_or_default(),
                    usage: completion.usage,
                });
            }
        }
        Err(not_an_answer(status, &text, retry_after, "a chat answer"))
    }
}
