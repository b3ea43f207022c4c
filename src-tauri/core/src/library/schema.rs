//! Opening the catalog: the pragmas that keep it safe, a quick check, and the migrations.

use std::path::Path;

use rusqlite::Connection;

use crate::error::Result;

/// Each file moves the schema one version forward; never edit a shipped file, add one.
pub(super) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_callbacks_and_task_index.sql"),
    include_str!("migrations/003_posters.sql"),
];

pub(super) fn open_catalog(path: &Path) -> Result<Connection> {
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
