//! Opening the catalog: the pragmas that keep it safe, a cheap look at the header and the schema,
//! and the migrations. The whole-file check is not here: it reads every page, so the app runs it
//! in the background (`Library::check_integrity`).

use std::path::Path;

use rusqlite::config::DbConfig;
use rusqlite::Connection;

use crate::error::Result;

/// Each file moves the schema one version forward; never edit a shipped file, add one.
pub(super) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_callbacks_and_task_index.sql"),
    include_str!("migrations/003_posters.sql"),
    include_str!("migrations/004_search_and_marks.sql"),
    include_str!("migrations/005_deletions.sql"),
    include_str!("migrations/006_chat_calls.sql"),
    include_str!("migrations/007_snippets.sql"),
    include_str!("migrations/008_takes.sql"),
    include_str!("migrations/009_user_prices.sql"),
    include_str!("migrations/010_purged_ledger.sql"),
    include_str!("migrations/011_kinds_and_lineage.sql"),
];

pub(super) fn open_catalog(path: &Path) -> Result<Connection> {
    let mut db = Connection::open(path)?;
    let opened = settle(&mut db, path);
    if opened.is_err() {
        // A catalog about to be set aside goes with its WAL as it is: closing must not copy the
        // WAL's pages into a damaged file. Failing to say so must not hide why it was refused.
        let _ = db.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true);
    }
    opened.map(|()| db)
}

fn settle(db: &mut Connection, path: &Path) -> Result<()> {
    // WAL keeps readers off the writer's back; FULL makes each committed change survive power loss.
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "FULL")?;
    db.busy_timeout(std::time::Duration::from_secs(5))?;
    // Reads the header and parses every table and index definition without touching a row: all the
    // start path can afford. Damage further in is met where it is read, and repaired there.
    db.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
    migrate(db, path)
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
