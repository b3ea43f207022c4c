//! Deleting finished videos, with Undo. The order keeps a crash anywhere from losing anything:
//! the MP4 and its poster go to the OS trash first (the `trash` crate); only when that worked is
//! the row hidden (a row in `deletions`, one transaction); after `UNDO_WINDOW_MS` the row is purged
//! (at the next delete, or the next start). Undo takes the files back out of the trash, then shows
//! the row again. A crash before the row is hidden leaves a visible row whose files are in the
//! trash, where the user can restore them; a crash after leaves a hidden row, purged later.

use std::path::{Path, PathBuf};

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use super::queries::{column_count, from_row, COLUMNS};
use super::spent::LEDGER_COLUMNS;
use super::Library;
use crate::error::{Error, Result};
use crate::generation::{now_ms, Generation, Status};
use crate::problem::Kind;

/// How long a deleted video can be brought back: longer than the window offers Undo for.
pub const UNDO_WINDOW_MS: i64 = 30_000;

/// What one delete did: how many videos, how many bytes went to the trash, and the ids Undo takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deleted {
    pub deleted: usize,
    pub bytes: u64,
    pub ids: Vec<String>,
    /// Whether this system can take files back out of its trash (not on macOS).
    pub undo: bool,
}

/// Whether the `trash` crate can list and restore trashed items here.
const CAN_RESTORE: bool = cfg!(any(
    target_os = "windows",
    all(
        unix,
        not(target_os = "macos"),
        not(target_os = "ios"),
        not(target_os = "android")
    )
));

impl Library {
    /// Moves the files of finished generations to the OS trash and hides their rows, all or
    /// nothing: a running one refuses the whole call before anything moves, and a file the trash
    /// refuses puts back what this call already moved. Already deleted ids are left as they are.
    pub fn delete(&self, ids: &[String]) -> Result<Deleted> {
        let _ = self.purge_deleted(now_ms() - UNDO_WINDOW_MS);
        let mut targets = Vec::new();
        for id in ids {
            let (generation, deleted) = self.with_deletion(id)?;
            if !generation.status.is_final() {
                return Err(Error::invalid(Kind::DeleteRunning, "delete"));
            }
            if deleted.is_none() && !targets.iter().any(|g: &Generation| g.id == generation.id) {
                targets.push(generation);
            }
        }
        let mut done = Deleted {
            deleted: 0,
            bytes: 0,
            ids: Vec::new(),
            undo: CAN_RESTORE,
        };
        for generation in &targets {
            match self.delete_one(generation) {
                Ok(bytes) => {
                    done.deleted += 1;
                    done.bytes += bytes;
                    done.ids.push(generation.id.clone());
                }
                Err(error) => {
                    // All or nothing: what this call moved comes back before the error is told.
                    let _ = self.undo_delete(&done.ids);
                    return Err(error);
                }
            }
        }
        Ok(done)
    }

    fn delete_one(&self, generation: &Generation) -> Result<u64> {
        let files = self.files_on_disk(generation);
        let bytes = files
            .iter()
            .filter_map(|path| std::fs::metadata(path).ok())
            .map(|m| m.len())
            .sum();
        if !files.is_empty() {
            if let Err(error) = trash::delete_all(&files) {
                // Some of them may have gone before the trash refused one: they come back.
                let _ = restore_from_trash(&files);
                return Err(trash_failed(&error));
            }
        }
        let finals: Vec<&str> = Status::FINAL.iter().map(|s| s.as_str()).collect();
        let hidden = self.with_db(|db| {
            db.execute(
                &format!(
                    "INSERT OR IGNORE INTO deletions (seq, deleted_at)
                     SELECT seq, ?2 FROM generations WHERE id = ?1 AND status IN ('{}')",
                    finals.join("', '")
                ),
                params![generation.id, now_ms()],
            )
        })?;
        if hidden == 0 {
            // Something changed the row meanwhile (a download started again): leave it as it is.
            let _ = restore_from_trash(&files);
            return Err(Error::invalid(Kind::DeleteRunning, "delete"));
        }
        Ok(bytes)
    }

    /// Takes the files of deleted generations back out of the trash and shows their rows again.
    /// Returns how many came back; ids that are not deleted are left as they are.
    pub fn undo_delete(&self, ids: &[String]) -> Result<usize> {
        let mut back = Vec::new();
        for id in ids {
            let (generation, deleted) = match self.with_deletion(id) {
                Ok(found) => found,
                Err(Error::UnknownGeneration(_)) => return Err(Error::invalid(Kind::UndoNotPossible, "undo")),
                Err(error) => return Err(error),
            };
            if deleted.is_some() {
                back.push(generation);
            }
        }
        if back.is_empty() {
            return Ok(0);
        }
        if !CAN_RESTORE {
            return Err(Error::invalid(Kind::UndoNotPossible, "undo"));
        }
        let files: Vec<PathBuf> = back.iter().flat_map(|g| self.files(g)).collect();
        restore_from_trash(&files)?;
        for generation in &back {
            self.with_db(|db| {
                db.execute(
                    "DELETE FROM deletions WHERE seq = (SELECT seq FROM generations WHERE id = ?1)",
                    [&generation.id],
                )
            })?;
        }
        Ok(back.len())
    }

    /// Removes every finished generation for good, with no trash and no Undo: for the demo's
    /// library, whose clips anyone can make again. Rows go first, in one transaction, then their
    /// files; a crash between leaves only unused files. Generations still being made stay.
    /// Returns how many went.
    pub fn clear(&self) -> Result<usize> {
        let finals: Vec<&str> = Status::FINAL.iter().map(|s| s.as_str()).collect();
        let finished = format!("status IN ('{}')", finals.join("', '"));
        let files = self.with_db(|db| {
            let tx = db.unchecked_transaction()?;
            tx.execute(
                &format!("DELETE FROM deletions WHERE seq IN (SELECT seq FROM generations WHERE {finished})"),
                [],
            )?;
            let files = tx
                .prepare(&format!(
                    "DELETE FROM generations WHERE {finished} RETURNING video_file, poster_file"
                ))?
                .query_map([], |row| {
                    Ok([row.get::<_, Option<String>>(0)?, row.get::<_, Option<String>>(1)?])
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            tx.commit()?;
            Ok(files)
        })?;
        for file in files.iter().flatten().flatten() {
            let _ = std::fs::remove_file(self.root.join(file));
        }
        Ok(files.len())
    }

    /// Removes the rows deleted before `cutoff_ms` for good (their files stay in the OS trash).
    /// Returns how many went. Runs at every start and every delete.
    pub fn purge_deleted(&self, cutoff_ms: i64) -> Result<usize> {
        self.with_db(|db| purge(db, cutoff_ms))
    }

    /// The video file of a generation the user can see, for opening it elsewhere. Resolved here
    /// from the catalog, never from a path the window sends.
    pub fn video_path(&self, id: &str) -> Result<PathBuf> {
        let (generation, deleted) = self.with_deletion(id)?;
        let path = generation.video_file.as_deref().map(|file| self.root.join(file));
        match path {
            Some(path) if deleted.is_none() && generation.status == Status::Ready && path.is_file() => Ok(path),
            _ => Err(Error::invalid(Kind::VideoFileMissing, "video")),
        }
    }

    /// The generation and when it was deleted, if it was.
    fn with_deletion(&self, id: &str) -> Result<(Generation, Option<i64>)> {
        let found = self.with_db(|db| {
            db.prepare_cached(&format!(
                "SELECT {COLUMNS}, (SELECT deleted_at FROM deletions WHERE deletions.seq = generations.seq)
                 FROM generations WHERE id = ?1"
            ))?
            .query_row([id], |row| {
                Ok((from_row(row)?, row.get::<_, Option<i64>>(column_count())?))
            })
            .optional()
        })?;
        found.ok_or_else(|| Error::UnknownGeneration(id.to_owned()))
    }

    /// The video and the poster of a generation, wherever they are now.
    fn files(&self, generation: &Generation) -> Vec<PathBuf> {
        [&generation.video_file, &generation.poster_file]
            .into_iter()
            .flatten()
            .map(|file| self.root.join(file))
            .collect()
    }

    /// Those of `files` that are in the library now (a failed video has none).
    fn files_on_disk(&self, generation: &Generation) -> Vec<PathBuf> {
        self.files(generation)
            .into_iter()
            .filter(|path| path.symlink_metadata().is_ok())
            .collect()
    }
}

/// `Library::purge_deleted` on the catalog `db` (also a moved copy of it).
pub(super) fn purge(db: &rusqlite::Connection, cutoff_ms: i64) -> rusqlite::Result<usize> {
    // The start path runs this: a read (through the index) costs nothing when none is due.
    let due: bool = db
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM deletions WHERE deleted_at < ?1)")?
        .query_row([cutoff_ms], |row| row.get(0))?;
    if !due {
        return Ok(0);
    }
    let tx = db.unchecked_transaction()?;
    // A deleted video was still paid for: the spend ledger keeps what it reads of the row.
    tx.execute(
        &format!(
            "INSERT OR IGNORE INTO purged_ledger (id, task_id, status, created_at, model, mode, duration, sound, error_kind)
             SELECT {LEDGER_COLUMNS} FROM generations WHERE seq IN (SELECT seq FROM deletions WHERE deleted_at < ?1)"
        ),
        [cutoff_ms],
    )?;
    let purged = tx.execute(
        "DELETE FROM generations WHERE seq IN (SELECT seq FROM deletions WHERE deleted_at < ?1)",
        [cutoff_ms],
    )?;
    tx.execute("DELETE FROM deletions WHERE deleted_at < ?1", [cutoff_ms])?;
    tx.commit()?;
    Ok(purged)
}

fn trash_failed(error: &trash::Error) -> Error {
    Error::invalid_with(Kind::TrashFailed, "delete", &[("detail", error.to_string().into())])
}

/// Puts back every one of `files` that is in the OS trash and not in its place; the newest trashed
/// copy of each.
#[cfg(any(
    target_os = "windows",
    all(unix, not(target_os = "macos"), not(target_os = "ios"), not(target_os = "android"))
))]
fn restore_from_trash(files: &[PathBuf]) -> Result<()> {
    use trash::os_limited;
    let wanted: Vec<&Path> = files
        .iter()
        .map(PathBuf::as_path)
        .filter(|path| path.symlink_metadata().is_err())
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let listed = os_limited::list().map_err(|e| trash_failed(&e))?;
    let mut items: Vec<trash::TrashItem> = Vec::new();
    for path in wanted {
        let newest = listed
            .iter()
            .filter(|item| same_path(&item.original_path(), path))
            .max_by_key(|item| (item.time_deleted, item.id.clone()));
        match newest {
            Some(item) => items.push(item.clone()),
            None => return Err(Error::invalid(Kind::UndoNotPossible, "undo")),
        }
    }
    os_limited::restore_all(items).map_err(|e| trash_failed(&e))
}

#[cfg(not(any(
    target_os = "windows",
    all(unix, not(target_os = "macos"), not(target_os = "ios"), not(target_os = "android"))
)))]
fn restore_from_trash(_files: &[PathBuf]) -> Result<()> {
    Err(Error::invalid(Kind::UndoNotPossible, "undo"))
}

/// The trash records canonical paths: compare through the parent folder's canonical form.
fn same_path(trashed: &Path, ours: &Path) -> bool {
    if trashed == ours {
        return true;
    }
    let canonical = |path: &Path| {
        let parent = path.parent()?.canonicalize().ok()?;
        Some(parent.join(path.file_name()?))
    };
    canonical(ours).is_some_and(|ours| ours == trashed || canonical(trashed).as_deref() == Some(&ours))
}
