//! Improve prompt: one chat call with the user's key, its answer made a valid prompt and shown
//! as a diff. Nothing goes to Kling and nothing is changed in the library but the call's row in
//! `chat_calls`.

use super::Engine;
use crate::coach::{
    self, chat_model_setting, chat_request, costed, detect, settle, word_diff, CoachRequest, Suggestion,
};
use crate::error::{Error, Result};
use crate::generation::now_ms;
use crate::library::ChatCall;
use crate::problem::Kind;
use crate::request::{choose, cleaned};

impl Engine {
    /// Asks the chat model for a better prompt. Everything that can be refused without sending
    /// (an empty prompt, no key, an option the form does not offer) is refused first.
    pub async fn improve_prompt(&self, request: &CoachRequest) -> Result<Suggestion> {
        let limits = self.inner.limits;
        let prompt = cleaned(&request.prompt);
        if prompt.is_empty() {
            return Err(Error::invalid(Kind::PromptEmpty, "prompt"));
        }
        let duration = choose(
            "duration",
            Some(&request.duration),
            limits.durations,
            limits.default_duration,
        )?;
        let aspect_ratio = choose(
            "aspect_ratio",
            Some(&request.aspect_ratio),
            limits.aspect_ratios,
            limits.default_aspect_ratio,
        )?;
        let model = &chat_model_setting(Some(&request.model));
        let key = self.inner.vault.key().ok_or(Error::KeyMissing)?;
        let language = detect(&prompt, &request.ui_language);
        let body = chat_request(
            model,
            &prompt,
            duration,
            aspect_ratio,
            limits.prompt_max_chars,
            language,
        );
        let result = self.client().chat(&key, &body).await;
        self.note_reachability(&result);
        let answer = result.map_err(|e| coach::failure(e, model))?;
        let cents = match answer.usage {
            Some(usage) => coach::cost_cents(model, usage),
            // Without the provider's count, the estimate said before the click stands in.
            None => coach::estimate(model, &prompt).cents,
        };
        // The call is paid for whatever its answer, so it is counted before the answer is judged.
        // A row that cannot be written (a full disk) costs the ledger a fraction of a cent;
        // failing the suggestion for it would throw away what the user just paid for.
        let _ = self.inner.library.record_chat_call(&ChatCall {
            made_at: now_ms(),
            model: model.to_owned(),
            prompt_tokens: answer.usage.map(|u| u.prompt_tokens),
            completion_tokens: answer.usage.map(|u| u.completion_tokens),
            usd_cents: cents,
        });
        let settled = settle(&answer.content, limits)?;
        Ok(Suggestion {
            diff: word_diff(&prompt, &settled.text),
            text: settled.text,
            trimmed: settled.trimmed,
            language: language.code().to_owned(),
            estimate: costed(model, cents),
        })
    }
}
