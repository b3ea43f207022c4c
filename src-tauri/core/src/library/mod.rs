//! The library: a SQLite catalog of every generation plus the video files beside it.
//!
//! Paid work lives here, so the catalog is written before anything is sent, every change is one
//! committed transaction, and the start path only reads what is unfinished (a partial index).
//! `schema` opens and migrates the catalog, `rescue` rebuilds a damaged one from what it still
//! holds, `queries` reads and writes generations, `search` finds them for the gallery, `marks`
//! keeps what the user says about them, `deletion` sends them to the OS trash and back (Undo),
//! `prompt_history` lists the prompts the user wrote, `snippets` keeps the user's own snippets,
//! `chat_calls` counts the prompt coach's chat calls for the spend ledger, `spent` reads what the
//! ledger needs (purged deletions included), `user_prices` keeps the user's own prices,
//! `gateways` remembers what each API address supports, `location` records which folder the
//! library is in and `relocation` moves it to another one.
//!
//! Damage is met where it is read: a statement that finds a damaged page has the indexes rebuilt
//! (`REINDEX`) and runs again; when that is not enough, the catalog is set aside and rebuilt, and
//! the statement runs on the new one. A row that does not decode is skipped, noted and reported.

mod chat_calls;
mod deletion;
mod gateways;
pub mod location;
mod marks;
mod pictures;
mod prompt_history;
mod queries;
mod relocation;
mod rescue;
mod schema;
mod search;
mod snippets;
mod spent;
mod user_prices;

pub use chat_calls::ChatCall;
pub use deletion::{Deleted, UNDO_WINDOW_MS};
pub use marks::{Mark, TITLE_MAX_CHARS};
pub use prompt_history::PastPrompt;
pub use relocation::{DiskUsage, MoveProgress, Moved, LIBRARY_FOLDER};
pub use search::{Cursor, LibraryQuery, MadeFilter, MarksFilter, Order, Page, StatusFilter};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::problem::Problem;

/// A stored row this build cannot turn into a generation (a JSON column that does not parse, a
/// value of the wrong type). It stays in the catalog as it is; reads skip it instead of failing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UndecodableRow {
    pub seq: i64,
    pub id: Option<String>,
    pub reason: String,
}

/// What `check_integrity` found in the whole catalog, and what it did about it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IntegrityReport {
    /// What `PRAGMA quick_check` said; empty for a sound catalog.
    pub problems: Vec<String>,
    /// The damage was within indexes, and `REINDEX` rebuilt them from the table.
    pub reindexed: bool,
    /// The damage went deeper: the catalog was set aside and rebuilt from what could be read.
    /// This is the `library_set_aside` notice, with `path`, `rescued` and `lost`.
    pub set_aside: Option<Problem>,
    /// How many stored rows do not decode (listed by `Library::undecodable`).
    pub undecodable: usize,
}

pub struct Library {
    root: PathBuf,
    db: Mutex<Connection>,
    /// Set when a catalog is set aside: at open, or when damage met later needs it.
    notice: OnceLock<Problem>,
    /// The rows met so far that do not decode, by seq.
    undecodable: Mutex<BTreeMap<i64, UndecodableRow>>,
    /// Held for the library's life: an OS advisory lock, released by the OS even after a crash.
    _lock: std::fs::File,
}

impl Library {
    /// Opens (or creates) the library in `root`: `library.sqlite3`, `videos/` and `incoming/`.
    ///
    /// Only the header and the schema are read here; `check_integrity` reads the rest, in the
    /// background. A catalog SQLite cannot open is never replaced in place: the rows it still holds
    /// go into a new one, the file is renamed aside, and `notice()` says where it is and how many
    /// rows came through.
    ///
    /// One process at a time: a second one (another window without a shared session bus, a
    /// second user session) is refused with `LibraryInUse` before it reads anything, so it can
    /// never resume, reconcile or clean up what the first one is doing.
    pub fn open(root: &Path) -> Result<Library> {
        std::fs::create_dir_all(root)?;
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(root.join("library.lock"))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(Error::LibraryInUse(root.to_owned())),
            Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
        }
        std::fs::create_dir_all(root.join("videos"))?;
        std::fs::create_dir_all(root.join("incoming"))?;
        let path = root.join("library.sqlite3");
        let (db, notice) = match schema::open_catalog(&path) {
            Ok(db) => (db, OnceLock::new()),
            Err(e) if rescue::is_unreadable_database(&e) => {
                let (db, notice) = rescue::rebuild(&path)?;
                (db, OnceLock::from(notice))
            }
            Err(e) => return Err(e),
        };
        let library = Library {
            root: root.to_owned(),
            db: Mutex::new(db),
            notice,
            undecodable: Mutex::new(BTreeMap::new()),
            _lock: lock,
        };
        // Videos deleted before the last exit are past Undo now; failing here only delays it.
        let _ = library.purge_deleted(crate::generation::now_ms() - UNDO_WINDOW_MS);
        Ok(library)
    }

    /// Something the user must be told about the library, such as a catalog that was set aside.
    pub fn notice(&self) -> Option<&Problem> {
        self.notice.get()
    }

    /// The rows met so far that do not decode: left out of every list, kept in the catalog.
    /// `check_integrity` meets them all.
    pub fn undecodable(&self) -> Vec<UndecodableRow> {
        self.undecodable
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// Reads the whole catalog: `PRAGMA quick_check`, then `REINDEX` for damage it reports, then,
    /// when the damage is still there, a rebuild from what can be read (the old file set aside).
    /// Last, every row is decoded once, so `undecodable` lists them all. It reads every page, so
    /// it belongs off the start path; the check itself runs on its own read-only connection and
    /// leaves the catalog free for the engine meanwhile.
    pub fn check_integrity(&self) -> Result<IntegrityReport> {
        let mut report = IntegrityReport {
            problems: self.quick_check()?,
            ..IntegrityReport::default()
        };
        if !report.problems.is_empty() {
            let mut db = self.db();
            report.reindexed = reindex(&db)? && self.quick_check()?.is_empty();
            if !report.reindexed {
                report.set_aside = Some(self.rebuild(&mut db)?);
            }
        }
        report.undecodable = self.survey(&self.reader()?)?;
        Ok(report)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn videos_dir(&self) -> PathBuf {
        self.root.join("videos")
    }

    pub fn incoming_dir(&self) -> PathBuf {
        self.root.join("incoming")
    }

    fn catalog(&self) -> PathBuf {
        self.root.join("library.sqlite3")
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions), so the
        // connection stays usable.
        self.db.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `op` on the catalog, repairing what it meets: on a damaged page, the indexes are
    /// rebuilt and `op` runs again; when that is not enough, the catalog is rebuilt from what it
    /// still holds and `op` runs on the new one. A failed statement changed nothing, so running it
    /// again is safe.
    fn with_db<T>(&self, mut op: impl FnMut(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let mut db = self.db();
        match op(&db) {
            Err(e) if rescue::is_damaged(&e) => {}
            done => return Ok(done?),
        }
        if reindex(&db)? {
            match op(&db) {
                Err(e) if rescue::is_damaged(&e) => {}
                done => return Ok(done?),
            }
        }
        self.rebuild(&mut db)?;
        Ok(op(&db)?)
    }

    /// Sets the open catalog aside and carries on with one rebuilt from the rows it still holds.
    fn rebuild(&self, db: &mut Connection) -> Result<Problem> {
        // The WAL goes aside with the file as it is: closing must not copy its pages into damage.
        db.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)?;
        drop(std::mem::replace(db, Connection::open_in_memory()?));
        let path = self.catalog();
        match rescue::rebuild(&path) {
            Ok((rebuilt, notice)) => {
                *db = rebuilt;
                // The notice keeps the first set-aside of a run; `check_integrity` reports its own.
                let _ = self.notice.set(notice.clone());
                Ok(notice)
            }
            Err(e) => {
                // The swap did not happen (a full disk, most likely): go on with the catalog as it was.
                if let Ok(again) = schema::open_catalog(&path) {
                    *db = again;
                }
                Err(e)
            }
        }
    }

    /// A read-only connection of its own, for reading the whole catalog without holding `db`.
    fn reader(&self) -> Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let db = Connection::open_with_flags(self.catalog(), flags)?;
        db.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(db)
    }

    /// What `PRAGMA quick_check` reports, or nothing for a sound catalog.
    fn quick_check(&self) -> Result<Vec<String>> {
        let db = self.reader()?;
        let lines = db.prepare("PRAGMA quick_check").and_then(|mut check| {
            check
                .query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        });
        match lines {
            Ok(lines) if lines == ["ok"] => Ok(Vec::new()),
            Ok(lines) => Ok(lines),
            Err(e) if rescue::is_damaged(&e) => Ok(vec![e.to_string()]),
            Err(e) => Err(e.into()),
        }
    }
}

/// Rebuilds every index from its table; `false` when a page it must read or clear is damaged.
fn reindex(db: &Connection) -> Result<bool> {
    match db.execute_batch("REINDEX") {
        Ok(()) => Ok(true),
        Err(e) if rescue::is_damaged(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generation::Status;
    use crate::request::ValidRequest;
    use crate::request::{validate, GenerationRequest};
    use crate::rules::COMETAPI_LIMITS;
    use rusqlite::Connection;
    use std::io::{Seek, SeekFrom, Write};

    /// Writes `bytes` at `offset` into page `page` of the closed catalog at `path`.
    fn damage(path: &Path, page: u64, offset: u64, bytes: &[u8]) {
        let page_size: u64 = Connection::open(path)
            .unwrap()
            .pragma_query_value(None, "page_size", |row| row.get(0))
            .unwrap();
        let mut file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
        file.seek(SeekFrom::Start((page - 1) * page_size + offset)).unwrap();
        file.write_all(bytes).unwrap();
    }

    fn request(prompt: &str) -> ValidRequest {
        validate(
            &GenerationRequest {
                prompt: prompt.into(),
                ..Default::default()
            },
            &COMETAPI_LIMITS,
        )
        .unwrap()
    }

    #[test]
    fn a_generation_is_on_disk_as_soon_as_it_is_inserted() {
        let dir = tempfile::tempdir().unwrap();
        let inserted = Library::open(dir.path())
            .unwrap()
            .insert(request("a paper boat"))
            .unwrap();
        let reopened = Library::open(dir.path()).unwrap();
        let stored = reopened.get(&inserted.id).unwrap().unwrap();
        assert_eq!(stored.status, Status::Submitting);
        assert_eq!(stored.request.prompt, "a paper boat");
        assert_eq!(reopened.unfinished().unwrap().len(), 1);
    }

    #[test]
    fn pages_run_newest_first_without_overlap() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        for n in 0..5 {
            library.insert(request(&format!("prompt {n}"))).unwrap();
        }
        let first = library.search(&LibraryQuery::default(), None, 2).unwrap();
        let prompts = |page: &Page| page.items.iter().map(|g| g.request.prompt.clone()).collect::<Vec<_>>();
        assert_eq!(prompts(&first), ["prompt 4", "prompt 3"]);
        let second = library.search(&LibraryQuery::default(), first.next, 2).unwrap();
        assert_eq!(prompts(&second), ["prompt 2", "prompt 1"]);
        let last = library.search(&LibraryQuery::default(), second.next, 2).unwrap();
        assert_eq!(prompts(&last), ["prompt 0"]);
        assert_eq!(last.next, None);
    }

    #[test]
    fn an_unreadable_catalog_is_set_aside_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let garbage = b"this is not a database, but it is the user's file".repeat(100);
        std::fs::write(dir.path().join("library.sqlite3"), &garbage).unwrap();
        let library = Library::open(dir.path()).unwrap();
        let notice = library.notice().expect("the user is told");
        assert_eq!(notice.kind, "library_set_aside");
        assert_eq!(
            (&notice.params["rescued"], &notice.params["lost"]),
            (&0.into(), &0.into())
        );
        let aside = PathBuf::from(notice.params["path"].as_str().unwrap());
        assert_eq!(
            std::fs::read(&aside).unwrap(),
            garbage,
            "the old file is kept byte for byte"
        );
        library.insert(request("after the rescue")).unwrap();
        drop(library);
        assert_eq!(
            Library::open(dir.path())
                .unwrap()
                .search(&LibraryQuery::default(), None, 5)
                .unwrap()
                .items
                .len(),
            1
        );
        assert!(Library::open(dir.path()).unwrap().notice().is_none());
    }

    #[test]
    fn an_older_catalog_is_backed_up_then_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("library.sqlite3");
        {
            let db = Connection::open(&path).unwrap();
            db.execute_batch(schema::MIGRATIONS[0]).unwrap();
            db.pragma_update(None, "user_version", 1).unwrap();
            db.execute(
                "INSERT INTO generations (id, external_task_id, status, request_json, created_at, updated_at)
                 VALUES ('old', 'kd-old', 'ready', ?1, 1, 1)",
                [serde_json::to_string(&request("from version one")).unwrap()],
            )
            .unwrap();
        }
        let library = Library::open(dir.path()).unwrap();
        assert_eq!(library.get("old").unwrap().unwrap().request.prompt, "from version one");
        let backup = Connection::open(dir.path().join("library.v1.backup.sqlite3")).unwrap();
        let version: i64 = backup.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
        let rows: i64 = backup
            .query_row("SELECT count(*) FROM generations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(
            (version, rows),
            (1, 1),
            "the backup is the catalog as it was before the migration"
        );
    }

    #[test]
    fn finished_generations_leave_the_unfinished_index() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let mut generation = library.insert(request("x")).unwrap();
        generation.status = Status::Failed;
        library.save(&mut generation).unwrap();
        assert!(generation.finished_at.is_some());
        assert!(library.unfinished().unwrap().is_empty());
    }

    #[test]
    fn of_two_changes_made_from_the_same_reading_only_the_first_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        let mut seen = library.insert(request("two clicks")).unwrap();
        seen.status = Status::NeedsCheck;
        library.save(&mut seen).unwrap();
        let (mut first, mut second) = (seen.clone(), seen.clone());
        first.external_task_id = "kd-first".into();
        first.status = Status::Submitting;
        second.external_task_id = "kd-second".into();
        second.status = Status::Submitting;
        assert!(library.save_if(&mut first, &seen).unwrap());
        assert!(
            !library.save_if(&mut second, &seen).unwrap(),
            "the second click read a row that moved on"
        );
        let stored = library.get(&seen.id).unwrap().unwrap();
        assert_eq!(
            stored.external_task_id, "kd-first",
            "the stored id is the one the first click posts"
        );
    }

    #[test]
    fn a_new_generation_and_its_callback_url_are_on_disk_together() {
        let dir = tempfile::tempdir().unwrap();
        let url = "https://tunnel.example/callback/secret".to_owned();
        let inserted = Library::open(dir.path())
            .unwrap()
            .insert_with_callback(request("with live updates"), Some(url.clone()))
            .unwrap();
        let stored = Library::open(dir.path()).unwrap().get(&inserted.id).unwrap().unwrap();
        assert_eq!(stored.callback_url, Some(url));
    }

    #[test]
    fn the_unfinished_query_says_what_the_partial_index_says() {
        let index = schema::MIGRATIONS[0]
            .lines()
            .skip_while(|line| !line.contains("generations_unfinished"))
            .nth(1)
            .unwrap()
            .trim()
            .trim_start_matches("WHERE ")
            .trim_end_matches(';')
            .to_owned();
        assert_eq!(index, queries::unfinished_condition());
    }

    #[test]
    fn the_integrity_check_rebuilds_an_index_it_can_clear_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        for n in 0..5 {
            let mut generation = library.insert(request(&format!("prompt {n}"))).unwrap();
            generation.task_id = Some(format!("task-{n}"));
            generation.status = Status::Processing;
            library.save(&mut generation).unwrap();
        }
        let sound = library.check_integrity().unwrap();
        assert!(sound.problems.is_empty() && !sound.reindexed && sound.set_aside.is_none());
        drop(library);

        // The first free block of the index's root page now points into its own cell pointers:
        // SQLite still finds rows through it, and REINDEX can clear it and build it again.
        let path = dir.path().join("library.sqlite3");
        let root: u64 = Connection::open(&path)
            .unwrap()
            .query_row(
                "SELECT rootpage FROM sqlite_schema WHERE name = 'generations_task_id'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        damage(&path, root, 1, &[0x00, 0x10]);
        let library = Library::open(dir.path()).unwrap();
        let repaired = library.check_integrity().unwrap();
        assert!(!repaired.problems.is_empty());
        assert!(repaired.reindexed && repaired.set_aside.is_none());
        assert!(library.check_integrity().unwrap().problems.is_empty());
        assert!(library.find_by_task_id("task-3").unwrap().is_some());
        assert!(library.notice().is_none());
    }

    #[test]
    fn a_damaged_table_page_costs_only_the_rows_on_it() {
        let dir = tempfile::tempdir().unwrap();
        let library = Library::open(dir.path()).unwrap();
        for n in 0..300 {
            library
                .insert(request(&format!("{n} {}", "a long prompt ".repeat(30))))
                .unwrap();
        }
        drop(library);
        let path = dir.path().join("library.sqlite3");
        let (page, on_it): (u64, usize) = Connection::open(&path)
            .unwrap()
            .query_row(
                "SELECT pageno, ncell FROM dbstat WHERE name = 'generations' AND pagetype = 'leaf'
                 ORDER BY pageno LIMIT 1 OFFSET 3",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        damage(&path, page, 0, &b"damaged!".repeat(512));

        let library = Library::open(dir.path()).unwrap();
        assert!(library.notice().is_none(), "the start path reads no row of it");
        let report = library.check_integrity().unwrap();
        assert!(!report.problems.is_empty() && !report.reindexed);
        let notice = report.set_aside.expect("the table itself was damaged");
        assert_eq!(
            (&notice.params["rescued"], &notice.params["lost"]),
            (&(300 - on_it).into(), &on_it.into()),
            "the rows past the damaged page were read from their own pages"
        );
        assert_eq!(library.notice(), Some(&notice));
        assert_eq!(library.unfinished().unwrap().len(), 300 - on_it);
        assert!(library.check_integrity().unwrap().problems.is_empty());
    }

    #[test]
    fn changes_still_in_the_wal_are_rescued_with_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("library.sqlite3");
        let first = Library::open(dir.path())
            .unwrap()
            .insert(request("checkpointed"))
            .unwrap();
        {
            // As a crash leaves it: committed, in the WAL, not yet copied into the file.
            let db = Connection::open(&path).unwrap();
            db.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
                .unwrap();
            db.execute(
                "UPDATE generations SET status = 'processing', task_id = 'only-in-the-wal', updated_at = 2 WHERE id = ?1",
                [&first.id],
            )
            .unwrap();
            db.execute(
                "INSERT INTO generations (id, external_task_id, status, request_json, created_at, updated_at)
                 VALUES ('wal-only', 'kd-wal-only', 'submitting', ?1, 3, 3)",
                [serde_json::to_string(&request("written after the checkpoint")).unwrap()],
            )
            .unwrap();
        }
        assert!(std::fs::metadata(dir.path().join("library.sqlite3-wal")).unwrap().len() > 0);
        damage(&path, 1, 0, &b"damaged!".repeat(512));

        let library = Library::open(dir.path()).unwrap();
        let notice = library.notice().expect("the user is told");
        assert_eq!(
            (&notice.params["rescued"], &notice.params["lost"]),
            (&2.into(), &0.into())
        );
        let updated = library.get(&first.id).unwrap().unwrap();
        assert_eq!(
            (updated.status, updated.task_id.as_deref()),
            (Status::Processing, Some("only-in-the-wal"))
        );
        assert_eq!(
            library.get("wal-only").unwrap().unwrap().request.prompt,
            "written after the checkpoint"
        );
    }
}
