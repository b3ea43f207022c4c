//! Reading and writing generations in the catalog.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{Library, UndecodableRow};
use crate::error::{Error, Result};
use crate::generation::{now_ms, Generation, Status, Take};
use crate::request::ValidRequest;

/// Every stored column of `generations`, in the table's own order (`rescue` relies on it); the
/// generated ones (`prompt` and the settings beside it) are not stored, so not listed.
pub(super) const COLUMNS: &str = "seq, id, external_task_id, task_id, status, request_json, created_at, updated_at, \
    finished_at, error_json, provider_message, remote_video_url, video_duration, video_file, video_bytes, callback_url, poster_file, \
    favorite, rejected, title, batch_id, take_index, take_count, remote_video_id";

/// The partial index's condition, built from `Status::FINAL`; `unfinished` must say exactly this
/// for SQLite to use the index (a test compares it with the migration that made the index).
pub(super) fn unfinished_condition() -> String {
    let finals: Vec<String> = Status::FINAL.iter().map(|s| format!("'{}'", s.as_str())).collect();
    format!("status NOT IN ({})", finals.join(", "))
}

impl Library {
    /// Writes a new generation in state `submitting`; committed before the POST is sent.
    pub fn insert(&self, request: ValidRequest) -> Result<Generation> {
        self.insert_with_callback(request, None)
    }

    /// Like `insert`, with the callback URL the create will carry, in the same write: a
    /// crash can never leave a row that was posted with a callback URL the catalog forgot.
    pub fn insert_with_callback(&self, request: ValidRequest, callback_url: Option<String>) -> Result<Generation> {
        let mut inserted = self.insert_takes(request, 1, callback_url)?;
        Ok(inserted.remove(0))
    }

    /// Writes the `count` takes of one request, each its own generation with its own external
    /// id, in one transaction: a crash leaves all of them or none, never half a batch. A single
    /// take is a plain generation, without a batch. Returned take 1 first.
    pub fn insert_takes(
        &self,
        request: ValidRequest,
        count: u32,
        callback_url: Option<String>,
    ) -> Result<Vec<Generation>> {
        let now = now_ms();
        let batch_id = (count > 1).then(|| uuid::Uuid::new_v4().to_string());
        let takes: Vec<Generation> = (1..=count)
            .map(|index| {
                let take = batch_id.clone().map(|batch_id| Take { batch_id, index, count });
                new_generation(request.clone(), callback_url.clone(), now, take)
            })
            .collect();
        let request_json = serde_json::to_string(&request).expect("a request always serializes");
        self.with_db(|db| {
            let tx = db.unchecked_transaction()?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO generations (id, external_task_id, status, request_json, created_at, updated_at,
                        callback_url, batch_id, take_index, take_count)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?;
                // The takes share their moment, so the gallery's newest-first order falls back on
                // seq: written last, take 1 comes first.
                for generation in takes.iter().rev() {
                    insert.execute(params![
                        generation.id,
                        generation.external_task_id,
                        generation.status.as_str(),
                        request_json,
                        generation.created_at,
                        generation.updated_at,
                        generation.callback_url,
                        generation.take.as_ref().map(|t| &t.batch_id),
                        generation.take.as_ref().map(|t| t.index),
                        generation.take.as_ref().map(|t| t.count),
                    ])?;
                }
            }
            tx.commit()
        })?;
        Ok(takes)
    }

    /// The takes of one batch still in the library (not deleted), take 1 first.
    pub fn batch(&self, batch_id: &str) -> Result<Vec<Generation>> {
        self.with_db(|db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM generations
                 WHERE batch_id = ?1 AND seq NOT IN (SELECT seq FROM deletions) ORDER BY take_index"
            ))?;
            let mut rows = statement.query([batch_id])?;
            let mut takes = Vec::new();
            while let Some(row) = rows.next()? {
                takes.extend(self.decoded(row));
            }
            Ok(takes)
        })
    }

    /// Writes every stored field of `generation`, stamping `updated_at` (and `finished_at` on a final state).
    pub fn save(&self, generation: &mut Generation) -> Result<()> {
        if self.write(generation, None)? {
            Ok(())
        } else {
            Err(Error::UnknownGeneration(generation.id.clone()))
        }
    }

    /// Writes `generation` only while the stored row is still as `seen` (same status, same
    /// external id): the compare-and-set every change that can race another goes through (a
    /// user's action against the driver, two clicks). `false` when another change came first.
    pub fn save_if(&self, generation: &mut Generation, seen: &Generation) -> Result<bool> {
        self.write(generation, Some(seen))
    }

    fn write(&self, generation: &mut Generation, seen: Option<&Generation>) -> Result<bool> {
        generation.updated_at = now_ms().max(generation.updated_at);
        if generation.status.is_final() && generation.finished_at.is_none() {
            generation.finished_at = Some(generation.updated_at);
        }
        let error_json = generation
            .error
            .as_ref()
            .map(|e| serde_json::to_string(e).expect("a problem always serializes"));
        // The user's marks are theirs alone: never written here, but read back, so the record the
        // engine carries on with (and sends to the window) has the ones set meanwhile.
        let marks = self.with_db(|db| {
            db.prepare_cached(
                "UPDATE generations SET task_id = ?2, status = ?3, updated_at = ?4, finished_at = ?5, error_json = ?6,
                    provider_message = ?7, remote_video_url = ?8, video_duration = ?9, video_file = ?10, video_bytes = ?11,
                    external_task_id = ?12, callback_url = ?13, poster_file = ?14, created_at = ?17,
                    remote_video_id = ?18
                 WHERE id = ?1 AND (?15 IS NULL OR (status = ?15 AND external_task_id = ?16))
                 RETURNING favorite, rejected, title",
            )?
            .query_row(
                params![
                    generation.id,
                    generation.task_id,
                    generation.status.as_str(),
                    generation.updated_at,
                    generation.finished_at,
                    error_json,
                    generation.provider_message,
                    generation.remote_video_url,
                    generation.video_duration,
                    generation.video_file,
                    generation.video_bytes,
                    generation.external_task_id,
                    generation.callback_url,
                    generation.poster_file,
                    seen.map(|g| g.status.as_str()),
                    seen.map(|g| g.external_task_id.as_str()),
                    generation.created_at,
                    generation.remote_video_id,
                ],
                |row| {
                    Ok((
                        row.get::<_, Option<bool>>(0)?.unwrap_or(false),
                        row.get::<_, Option<bool>>(1)?.unwrap_or(false),
                        row.get::<_, Option<String>>(2)?,
                    ))
                },
            )
            .optional()
        })?;
        let written = marks.is_some();
        if let Some((favorite, rejected, title)) = marks {
            generation.favorite = favorite;
            generation.rejected = rejected;
            generation.title = title;
        }
        Ok(written)
    }

    pub fn get(&self, id: &str) -> Result<Option<Generation>> {
        self.with_db(|db| {
            db.prepare_cached(&format!("SELECT {COLUMNS} FROM generations WHERE id = ?1"))?
                .query_row([id], from_row)
                .optional()
        })
    }

    /// The generation that owns a provider task, through the task-id index.
    pub fn find_by_task_id(&self, task_id: &str) -> Result<Option<Generation>> {
        self.with_db(|db| {
            db.prepare_cached(&format!("SELECT {COLUMNS} FROM generations WHERE task_id = ?1"))?
                .query_row([task_id], from_row)
                .optional()
        })
    }

    /// The clips that continue `id`, oldest first; deleted ones (waiting for their undo) left out.
    pub fn continuations(&self, id: &str) -> Result<Vec<Generation>> {
        self.with_db(|db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM generations WHERE parent_id = ?1
                    AND seq NOT IN (SELECT seq FROM deletions) ORDER BY created_at, seq"
            ))?;
            let mut rows = statement.query([id])?;
            let mut found = Vec::new();
            while let Some(row) = rows.next()? {
                found.extend(self.decoded(row));
            }
            Ok(found)
        })
    }

    /// Every generation that has not reached a final state: served by the partial index, so the
    /// cost follows the work in flight, not the size of the library. A row that does not decode
    /// is left out (see `undecodable`): one such row must not keep the others from resuming.
    pub fn unfinished(&self) -> Result<Vec<Generation>> {
        self.with_db(|db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM generations WHERE {} ORDER BY seq",
                unfinished_condition()
            ))?;
            let mut rows = statement.query([])?;
            let mut unfinished = Vec::new();
            while let Some(row) = rows.next()? {
                unfinished.extend(self.decoded(row));
            }
            Ok(unfinished)
        })
    }

    /// Reads every row once and returns how many do not decode, noting each for `undecodable`.
    pub(super) fn survey(&self, db: &Connection) -> Result<usize> {
        let mut statement = db.prepare(&format!("SELECT {COLUMNS} FROM generations"))?;
        let mut rows = statement.query([])?;
        let mut undecodable = 0;
        while let Some(row) = rows.next()? {
            if self.decoded(row).is_none() {
                undecodable += 1;
            }
        }
        Ok(undecodable)
    }

    /// The row as a generation; `None` for a row that does not decode, which is noted instead.
    pub(super) fn decoded(&self, row: &Row<'_>) -> Option<Generation> {
        from_row(row)
            .map_err(|error| {
                let seq = row.get(0).unwrap_or_default();
                let noted = UndecodableRow {
                    seq,
                    id: row.get(1).ok(),
                    reason: error.to_string(),
                };
                self.undecodable
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .insert(seq, noted);
            })
            .ok()
    }
}

/// A generation as it is first written: `submitting`, nothing sent yet, its own external id.
fn new_generation(request: ValidRequest, callback_url: Option<String>, now: i64, take: Option<Take>) -> Generation {
    let id = uuid::Uuid::new_v4().to_string();
    Generation {
        external_task_id: format!("kd-{id}"),
        id,
        task_id: None,
        status: Status::Submitting,
        request,
        created_at: now,
        updated_at: now,
        finished_at: None,
        error: None,
        provider_message: None,
        remote_video_url: None,
        remote_video_id: None,
        video_duration: None,
        video_file: None,
        video_bytes: None,
        video_url: None,
        download_progress: None,
        callback_url,
        delivery: None,
        poster_file: None,
        poster_url: None,
        actions: Vec::new(),
        favorite: false,
        rejected: false,
        title: None,
        take,
        continue_until: None,
        image_url: None,
        image_tail_url: None,
    }
}

pub(super) fn from_row(row: &Row<'_>) -> rusqlite::Result<Generation> {
    let json_column = |index: usize| -> rusqlite::Result<Option<String>> { row.get(index) };
    let status: String = row.get(4)?;
    let request_json: String = row.get(5)?;
    let decode_error = |index, e: serde_json::Error| {
        rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(e))
    };
    Ok(Generation {
        id: row.get(1)?,
        external_task_id: row.get(2)?,
        task_id: row.get(3)?,
        status: Status::parse(&status).unwrap_or(Status::NeedsCheck),
        request: serde_json::from_str(&request_json).map_err(|e| decode_error(5, e))?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
        finished_at: row.get(8)?,
        error: json_column(9)?
            .map(|j| serde_json::from_str(&j))
            .transpose()
            .map_err(|e| decode_error(9, e))?,
        provider_message: row.get(10)?,
        remote_video_url: row.get(11)?,
        video_duration: row.get(12)?,
        video_file: row.get(13)?,
        video_bytes: row.get(14)?,
        video_url: None,
        download_progress: None,
        callback_url: row.get(15)?,
        delivery: None,
        poster_file: row.get(16)?,
        poster_url: None,
        actions: Vec::new(),
        favorite: row.get::<_, Option<bool>>(17)?.unwrap_or(false),
        rejected: row.get::<_, Option<bool>>(18)?.unwrap_or(false),
        title: row.get(19)?,
        take: take_from(row.get(20)?, row.get(21)?, row.get(22)?),
        remote_video_id: row.get(23)?,
        continue_until: None,
        image_url: None,
        image_tail_url: None,
    })
}

/// A take needs all three columns: a row written before takes, or a single video, has none.
fn take_from(batch_id: Option<String>, index: Option<u32>, count: Option<u32>) -> Option<Take> {
    Some(Take {
        batch_id: batch_id?,
        index: index?,
        count: count?,
    })
}

/// How many columns `COLUMNS` names: a value selected after them is at this index.
pub(super) fn column_count() -> usize {
    COLUMNS.split(',').count()
}
