//! The library: a SQLite catalog of every generation plus the video files beside it.
//!
//! Paid work lives here, so the catalog is written before anything is sent, every change is one
//! committed transaction, and the start path only reads what is unfinished (a partial index).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use crate::error::{Problem, Result};
use crate::request::ValidRequest;

/// One state table for the catalog, the events, `data-status` and the UI labels (DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Queued,
    Submitting,
    NeedsCheck,
    Submitted,
    Processing,
    Downloading,
    Ready,
    Failed,
    Expired,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Queued,
        Status::Submitting,
        Status::NeedsCheck,
        Status::Submitted,
        Status::Processing,
        Status::Downloading,
        Status::Ready,
        Status::Failed,
        Status::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Submitting => "submitting",
            Status::NeedsCheck => "needs_check",
            Status::Submitted => "submitted",
            Status::Processing => "processing",
            Status::Downloading => "downloading",
            Status::Ready => "ready",
            Status::Failed => "failed",
            Status::Expired => "expired",
        }
    }

    fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn is_final(self) -> bool {
        matches!(self, Status::Ready | Status::Failed | Status::Expired)
    }
}

/// The whole record of one generation, as stored and as sent to the UI on every change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    pub id: String,
    pub external_task_id: String,
    pub task_id: Option<String>,
    pub status: Status,
    pub request: ValidRequest,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
    pub error: Option<Problem>,
    pub provider_message: Option<String>,
    /// Where the provider serves the result; kept so a download can resume after a restart.
    #[serde(skip_serializing)]
    pub remote_video_url: Option<String>,
    pub video_duration: Option<String>,
    /// Relative to the library folder; made from our own id, never from anything the server sent.
    #[serde(skip_serializing)]
    pub video_file: Option<String>,
    pub video_bytes: Option<i64>,
    /// Filled in by the engine from the media server when the video is on disk.
    pub video_url: Option<String>,
    /// Transient, never stored: how much of the download has arrived.
    pub download_progress: Option<f64>,
    /// The callback URL sent with the create; it holds the receiver's secret, so it stays inside.
    #[serde(skip_serializing, default)]
    pub callback_url: Option<String>,
    /// Transient: how updates reach a running generation right now.
    #[serde(default)]
    pub delivery: Option<Delivery>,
    /// A frame of the video, captured by the window, beside the video in `videos/`.
    #[serde(skip_serializing, default)]
    pub poster_file: Option<String>,
    /// Filled in by the engine from the media server when a poster exists.
    #[serde(default)]
    pub poster_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Callbacks arrive; polling runs only as a slow safety net.
    Callback,
    Polling,
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

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
}

/// Each entry moves the schema one version forward; never edit a shipped entry, add one.
const MIGRATIONS: &[&str] = &[
    r#"
    CREATE TABLE generations (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        external_task_id TEXT NOT NULL UNIQUE,
        task_id TEXT,
        status TEXT NOT NULL,
        request_json TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        finished_at INTEGER,
        error_json TEXT,
        provider_message TEXT,
        remote_video_url TEXT,
        video_duration TEXT,
        video_file TEXT,
        video_bytes INTEGER
    );
    CREATE INDEX generations_unfinished ON generations(status)
        WHERE status NOT IN ('ready', 'failed', 'expired');
    CREATE TABLE gateways (
        base_url TEXT PRIMARY KEY,
        external_lookup_works INTEGER NOT NULL
    );
"#,
    r#"
    ALTER TABLE generations ADD COLUMN callback_url TEXT;
    CREATE INDEX generations_task_id ON generations(task_id);
"#,
    r#"
    ALTER TABLE generations ADD COLUMN poster_file TEXT;
"#,
];

const COLUMNS: &str = "seq, id, external_task_id, task_id, status, request_json, created_at, updated_at, \
    finished_at, error_json, provider_message, remote_video_url, video_duration, video_file, video_bytes, callback_url, poster_file";

impl Library {
    /// Opens (or creates) the library in `root`: `library.sqlite3`, `videos/` and `incoming/`.
    ///
    /// A catalog SQLite cannot read is never replaced in place: it is renamed aside, a new one is
    /// started, and `notice()` tells the user where the old one is.
    pub fn open(root: &Path) -> Result<Library> {
        std::fs::create_dir_all(root.join("videos"))?;
        std::fs::create_dir_all(root.join("incoming"))?;
        let path = root.join("library.sqlite3");
        let (db, notice) = match open_catalog(&path) {
            Ok(db) => (db, None),
            Err(e) if is_unreadable_database(&e) => {
                let aside = set_aside(&path)?;
                let notice = Problem::new("library_set_aside").param("path", aside.display().to_string());
                (open_catalog(&path)?, Some(notice))
            }
            Err(e) => return Err(e),
        };
        Ok(Library {
            root: root.to_owned(),
            db: Mutex::new(db),
            notice,
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

    /// Writes a new generation in state `submitting`; committed before the POST is sent.
    pub fn insert(&self, request: ValidRequest) -> Result<Generation> {
        let id = uuid::Uuid::new_v4().to_string();
        let now = now_ms();
        let generation = Generation {
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
            video_duration: None,
            video_file: None,
            video_bytes: None,
            video_url: None,
            download_progress: None,
            callback_url: None,
            delivery: None,
            poster_file: None,
            poster_url: None,
        };
        self.db().execute(
            "INSERT INTO generations (id, external_task_id, status, request_json, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                generation.id,
                generation.external_task_id,
                generation.status.as_str(),
                serde_json::to_string(&generation.request).expect("a request always serializes"),
                generation.created_at,
                generation.updated_at,
            ],
        )?;
        Ok(generation)
    }

    /// Writes every stored field of `generation`, stamping `updated_at` (and `finished_at` on a final state).
    pub fn save(&self, generation: &mut Generation) -> Result<()> {
        generation.updated_at = now_ms().max(generation.updated_at);
        if generation.status.is_final() && generation.finished_at.is_none() {
            generation.finished_at = Some(generation.updated_at);
        }
        let error_json = generation
            .error
            .as_ref()
            .map(|e| serde_json::to_string(e).expect("a problem always serializes"));
        let changed = self.db().execute(
            "UPDATE generations SET task_id = ?2, status = ?3, updated_at = ?4, finished_at = ?5, error_json = ?6,
                provider_message = ?7, remote_video_url = ?8, video_duration = ?9, video_file = ?10, video_bytes = ?11,
                external_task_id = ?12, callback_url = ?13, poster_file = ?14
             WHERE id = ?1",
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
            ],
        )?;
        if changed == 0 {
            return Err(crate::error::Error::UnknownGeneration(generation.id.clone()));
        }
        Ok(())
    }

    pub fn get(&self, id: &str) -> Result<Option<Generation>> {
        let db = self.db();
        let mut statement = db.prepare_cached(&format!("SELECT {COLUMNS} FROM generations WHERE id = ?1"))?;
        Ok(statement.query_row([id], from_row).optional()?)
    }

    /// The generation that owns a provider task, through the task-id index.
    pub fn find_by_task_id(&self, task_id: &str) -> Result<Option<Generation>> {
        let db = self.db();
        let mut statement = db.prepare_cached(&format!("SELECT {COLUMNS} FROM generations WHERE task_id = ?1"))?;
        Ok(statement.query_row([task_id], from_row).optional()?)
    }

    /// Newest first; `before` is the `next` of the previous page.
    pub fn page(&self, before: Option<i64>, limit: usize) -> Result<Page> {
        let limit = limit.clamp(1, 200);
        let db = self.db();
        let mut statement = db.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM generations WHERE seq < ?1 ORDER BY seq DESC LIMIT ?2"
        ))?;
        let mut seqs = Vec::new();
        let items = statement
            .query_map(params![before.unwrap_or(i64::MAX), limit as i64 + 1], |row| {
                seqs.push(row.get::<_, i64>(0)?);
                from_row(row)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut items = items;
        let next = if items.len() > limit {
            items.truncate(limit);
            seqs.get(limit - 1).copied()
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// Every generation that has not reached a final state: served by the partial index, so the
    /// cost follows the work in flight, not the size of the library.
    pub fn unfinished(&self) -> Result<Vec<Generation>> {
        let db = self.db();
        let mut statement = db.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM generations WHERE status NOT IN ('ready', 'failed', 'expired') ORDER BY seq"
        ))?;
        let rows = statement
            .query_map([], from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Whether looking a task up by its external id is known to work on this gateway: `None` until
    /// the app has tried it once with a task it created itself.
    pub fn external_lookup_works(&self, base_url: &str) -> Result<Option<bool>> {
        let db = self.db();
        let mut statement = db.prepare_cached("SELECT external_lookup_works FROM gateways WHERE base_url = ?1")?;
        Ok(statement
            .query_row([base_url], |row| row.get::<_, bool>(0))
            .optional()?)
    }

    pub fn set_external_lookup_works(&self, base_url: &str, works: bool) -> Result<()> {
        self.db().execute(
            "INSERT INTO gateways (base_url, external_lookup_works) VALUES (?1, ?2)
             ON CONFLICT(base_url) DO UPDATE SET external_lookup_works = excluded.external_lookup_works",
            params![base_url, works],
        )?;
        Ok(())
    }

    /// The absolute path of a library-relative file name.
    pub fn path_of(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Generation> {
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
    })
}

fn open_catalog(path: &Path) -> Result<Connection> {
    let mut db = Connection::open(path)?;
    // WAL keeps readers off the writer's back; FULL makes each committed change survive power loss.
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "FULL")?;
    db.busy_timeout(std::time::Duration::from_secs(5))?;
    let check: String = db.pragma_query_value(None, "quick_check", |row| row.get(0))?;
    if check != "ok" {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            Some(check),
        )
        .into());
    }
    migrate(&mut db, path)?;
    Ok(db)
}

fn is_unreadable_database(error: &crate::error::Error) -> bool {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    matches!(error, crate::error::Error::Library(rusqlite::Error::SqliteFailure(e, _)) if matches!(e.code, NotADatabase | DatabaseCorrupt))
}

/// Renames the catalog and its WAL files to a name no earlier rescue used, and returns it.
fn set_aside(path: &Path) -> Result<PathBuf> {
    let stamp = now_ms();
    let mut n = 0;
    let aside = loop {
        let candidate = path.with_extension(format!("sqlite3.unreadable-{stamp}-{n}"));
        if !candidate.exists() {
            break candidate;
        }
        n += 1;
    };
    std::fs::rename(path, &aside)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::rename(&side, PathBuf::from(format!("{}{suffix}", aside.display())))?;
        }
    }
    Ok(aside)
}

fn migrate(db: &mut Connection, path: &Path) -> Result<()> {
    let version: usize = db.pragma_query_value(None, "user_version", |row| row.get::<_, i64>(0))? as usize;
    if version >= MIGRATIONS.len() {
        return Ok(());
    }
    if version > 0 {
        // A migration that goes wrong must never cost the user their catalog: keep a copy first.
        let backup = path.with_extension(format!("v{version}.backup.sqlite3"));
        if !backup.exists() {
            db.execute("VACUUM INTO ?1", [backup.to_string_lossy()])?;
        }
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = db.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{validate, GenerationRequest};
    use crate::rules::COMETAPI_LIMITS;

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
        assert_eq!(Library::open(dir.path()).unwrap().page(None, 5).unwrap().items.len(), 1);
        assert!(Library::open(dir.path()).unwrap().notice().is_none());
    }

    #[test]
    fn an_older_catalog_is_backed_up_then_migrated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("library.sqlite3");
        {
            let db = Connection::open(&path).unwrap();
            db.execute_batch(MIGRATIONS[0]).unwrap();
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
}
