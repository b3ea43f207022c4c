//! The prompt coach's answered chat calls, one row each, so the spend ledger can count them
//! beside the videos.

use rusqlite::params;
use serde::Serialize;

use super::Library;
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChatCall {
    /// When the answer came, Unix ms (UTC).
    pub made_at: i64,
    /// The model asked for, which is the one priced.
    pub model: String,
    /// The provider's count; `None` when the answer carried no usage.
    pub prompt_tokens: Option<u32>,
    pub completion_tokens: Option<u32>,
    /// An estimate from the price row; `None` when the model has no row.
    pub usd_cents: Option<f64>,
}

impl Library {
    pub fn record_chat_call(&self, call: &ChatCall) -> Result<()> {
        self.with_db(|db| {
            db.prepare_cached(
                "INSERT INTO chat_calls (made_at, model, prompt_tokens, completion_tokens, usd_cents)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                call.made_at,
                call.model,
                call.prompt_tokens,
                call.completion_tokens,
                call.usd_cents
            ])
        })?;
        Ok(())
    }

    /// Every recorded call made at or after `since` (Unix ms), oldest first.
    pub fn chat_calls_since(&self, since: i64) -> Result<Vec<ChatCall>> {
        self.with_db(|db| {
            let mut select = db.prepare_cached(
                "SELECT made_at, model, prompt_tokens, completion_tokens, usd_cents FROM chat_calls
                 WHERE made_at >= ?1 ORDER BY made_at, id",
            )?;
            let calls = select
                .query_map([since], |row| {
                    Ok(ChatCall {
                        made_at: row.get(0)?,
                        model: row.get(1)?,
                        prompt_tokens: row.get(2)?,
                        completion_tokens: row.get(3)?,
                        usd_cents: row.get(4)?,
                    })
                })?
                .collect();
            calls
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_kept_across_a_restart_with_unknown_costs_left_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let priced = ChatCall {
            made_at: 2_000,
            model: "gpt-4o-mini".into(),
            prompt_tokens: Some(420),
            completion_tokens: Some(60),
            usd_cents: Some(0.0099),
        };
        let unpriced = ChatCall {
            made_at: 3_000,
            model: "someone-elses-model".into(),
            prompt_tokens: None,
            completion_tokens: None,
            usd_cents: None,
        };
        {
            let library = Library::open(dir.path()).unwrap();
            library.record_chat_call(&unpriced).unwrap();
            library.record_chat_call(&priced).unwrap();
        }
        let library = Library::open(dir.path()).unwrap();
        assert_eq!(library.chat_calls_since(0).unwrap(), [priced, unpriced.clone()]);
        assert_eq!(library.chat_calls_since(2_500).unwrap(), [unpriced]);
    }
}
