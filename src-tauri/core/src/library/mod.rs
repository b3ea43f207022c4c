//! The library: a SQLite catalog of every generation plus the video files beside it.
//!
//! Paid work lives here, so the catalog is written before anything is sent, every change is one
//! committed transaction, and the start path only reads what is unfinished (a partial index).
//! `schema` opens and migrates the catalog, `rescue` sets an unreadable one aside, `queries` reads
//! and writes generations, `gateways` remembers what each API address supports.

mod gateways;
mod queries;
mod rescue;
mod schema;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::Connection;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::generation::Generation;
use crate::problem::{Kind, Problem};

/// One page of the gallery, newest first; `next` is the cursor for the page after it.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub items: Vec<Generation>,
    pub next: Option<i64>,
}

pub struct Library {
    root: PathBuf,
    db: Mutex<Connection>,
    notice: Option<Problem>,
    /// Held for the library's life: an OS advisory lock, released by the OS even after a crash.
    _lock: std::fs::File,
}

impl Library {
    /// Opens (or creates) the library in `root`: `library.sqlite3`, `videos/` and `incoming/`.
    ///
    /// A catalog SQLite cannot read is never replaced in place: it is renamed aside, a new one is
    /// started, and `notice()` tells the user where the old one is.
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
            Ok(db) => (db, None),
            Err(e) if rescue::is_unreadable_database(&e) => {
                let aside = rescue::set_aside(&path)?;
                let notice = Problem::new(Kind::LibrarySetAside).param("path", aside.display().to_string());
                (schema::open_catalog(&path)?, Some(notice))
            }
            Err(e) => return Err(e),
        };
        Ok(Library {
            root: root.to_owned(),
            db: Mutex::new(db),
            notice,
            _lock: lock,
        })
    }

    /// Something the user must be told about the library, such as a catalog that was set aside.
    pub fn notice(&self) -> Option<&Problem> {
        self.notice.as_ref()
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

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite half-written (transactions), so the
        // connection stays usable.
        self.db.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
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
        let first = library.page(None, 2).unwrap();
        let prompts = |page: &Page| page.items.iter().map(|g| g.request.prompt.clone()).collect::<Vec<_>>();
        assert_eq!(prompts(&first), ["prompt 4", "prompt 3"]);
        let second = library.page(first.next, 2).unwrap();
        assert_eq!(prompts(&second), ["prompt 2", "prompt 1"]);
        let last = library.page(second.next, 2).unwrap();
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
        let aside = PathBuf::from(notice.params["path"].as_str().unwrap());
        assert_eq!(
            std::fs::read(&aside).unwrap(),
            garbage,
            "the old file is kept byte for byte"
        );
        library.insert(request("after the rescue")).unwrap();
        drop(library);
        assert_eq!(Library::open(dir.path()).unwrap().page(None, 5).unwrap().items.len(), 1);
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
}
