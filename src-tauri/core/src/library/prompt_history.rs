//! The prompts the user wrote, for reuse: every generation's prompt once, the most recently used
//! first, found by the same words as the gallery's search box (by prefix, case and accents folded).

use std::collections::hash_map::{Entry, HashMap};

use rusqlite::types::Value;
use serde::Serialize;

use super::search::LibraryQuery;
use super::Library;
use crate::error::Result;
use crate::text::one_line;

/// One prompt the user wrote, however often they used it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PastPrompt {
    /// As written the last time it was used.
    pub prompt: String,
    /// When it was last used for a generation, in ms since the epoch.
    pub last_used_at: i64,
    /// How many generations used it.
    pub uses: u32,
}

/// A prompt with the seq of its newest use, which orders uses made in the same millisecond.
struct Use {
    past: PastPrompt,
    last_seq: i64,
}

impl Library {
    /// At most `limit` distinct prompts of the user's generations (every status: each one was
    /// sent, or is about to be, when Generate was pressed), the most recently used first. Only
    /// prompts holding every word of `query` (each by its start) are listed; prompts that differ
    /// only in spaces or line breaks are one. Deleted videos are left out.
    pub fn prompt_history(&self, query: &str, limit: usize) -> Result<Vec<PastPrompt>> {
        let words = LibraryQuery {
            text: query.to_owned(),
            ..LibraryQuery::default()
        }
        .match_expression();
        // The takes of one click are one use of the prompt.
        let mut sql =
            "SELECT prompt, max(created_at), count(DISTINCT coalesce(batch_id, id)), max(seq) FROM generations
             WHERE prompt IS NOT NULL AND seq NOT IN (SELECT seq FROM deletions)"
                .to_owned();
        let mut values = Vec::new();
        if let Some(words) = words {
            // The gallery's index also holds negative prompts and titles: only the prompt counts here.
            sql.push_str(" AND seq IN (SELECT rowid FROM generations_search WHERE generations_search MATCH ?)");
            values.push(Value::Text(format!("prompt : ({words})")));
        }
        sql.push_str(" GROUP BY prompt");
        let exact = self.with_db(|db| {
            db.prepare_cached(&sql)?
                .query_map(rusqlite::params_from_iter(values.iter()), |row| {
                    Ok(Use {
                        past: PastPrompt {
                            prompt: row.get(0)?,
                            last_used_at: row.get(1)?,
                            uses: row.get(2)?,
                        },
                        last_seq: row.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<Use>>>()
        })?;
        let mut merged: HashMap<String, Use> = HashMap::new();
        for found in exact {
            match merged.entry(one_line(&found.past.prompt)) {
                Entry::Vacant(slot) => {
                    slot.insert(found);
                }
                Entry::Occupied(mut slot) => {
                    let kept = slot.get_mut();
                    let uses = kept.past.uses + found.past.uses;
                    if (found.past.last_used_at, found.last_seq) > (kept.past.last_used_at, kept.last_seq) {
                        *kept = found;
                    }
                    kept.past.uses = uses;
                }
            }
        }
        let mut history: Vec<Use> = merged.into_values().collect();
        history.sort_unstable_by_key(|found| std::cmp::Reverse((found.past.last_used_at, found.last_seq)));
        Ok(history.into_iter().take(limit).map(|found| found.past).collect())
    }
}
