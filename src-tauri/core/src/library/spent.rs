//! What the spend ledger reads of the library: every generation, those deleted and purged
//! included (`purged_ledger`), and every chat call of the prompt coach.

use super::Library;
use crate::error::Result;
use crate::generation::Status;
use crate::ledger::{Entry, RateCard, VideoRow};
use crate::problem::Kind;

/// What the ledger needs of a row of `generations`, in the column order of `purged_ledger`,
/// where `deletion::purge` keeps it when it removes a deleted row. A request or error that is not
/// JSON (a damaged row) reads as NULL here instead of failing the whole ledger.
pub(super) const LEDGER_COLUMNS: &str = "id, task_id, status, created_at, \
    iif(json_valid(request_json), json_extract(request_json, '$.model_name'), NULL), \
    iif(json_valid(request_json), json_extract(request_json, '$.mode'), NULL), \
    iif(json_valid(request_json), json_extract(request_json, '$.duration'), NULL), \
    iif(json_valid(request_json), json_extract(request_json, '$.sound'), NULL), \
    iif(json_valid(error_json), json_extract(error_json, '$.kind'), NULL)";

impl Library {
    /// One entry per generation and per chat call, oldest first, priced with today's rate card.
    /// A row without a model, mode, duration or known status (damaged) is left out.
    pub fn ledger_entries(&self) -> Result<Vec<Entry>> {
        let card = RateCard::load(self)?;
        let stored = self.with_db(|db| {
            let mut select = db.prepare_cached(&format!(
                "SELECT {LEDGER_COLUMNS} FROM generations
                 UNION ALL
                 SELECT id, task_id, status, created_at, model, mode, duration, sound, error_kind FROM purged_ledger"
            ))?;
            let rows = select
                .query_map([], video_row)?
                .collect::<rusqlite::Result<Vec<Option<VideoRow>>>>();
            rows
        })?;
        let mut entries: Vec<Entry> = stored
            .into_iter()
            .flatten()
            .map(|row| Entry::video(row, &card))
            .collect();
        entries.extend(self.chat_calls_since(i64::MIN)?.into_iter().map(Entry::chat));
        entries.sort_by_key(|entry| entry.made_at);
        Ok(entries)
    }
}

/// The row's entry data, or `None` for a row without a model, mode, duration or known status.
fn video_row(row: &rusqlite::Row) -> rusqlite::Result<Option<VideoRow>> {
    let status = Status::parse(&row.get::<_, String>(2)?);
    let (Some(status), Some(model), Some(mode), Some(duration)) = (status, row.get(4)?, row.get(5)?, row.get(6)?)
    else {
        return Ok(None);
    };
    let sound: Option<String> = row.get(7)?;
    let error: Option<String> = row.get(8)?;
    Ok(Some(VideoRow {
        id: row.get(0)?,
        task_id: row.get(1)?,
        status,
        created_at: row.get(3)?,
        model,
        mode,
        duration,
        sound: sound.as_deref() == Some("on"),
        error: error.and_then(|text| Kind::ALL.iter().copied().find(|kind| kind.as_str() == text)),
    }))
}
