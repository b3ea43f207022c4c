//! A catalog SQLite cannot read is never replaced in place: it is renamed aside, byte for byte.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::generation::now_ms;

pub(super) fn is_unreadable_database(error: &Error) -> bool {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    matches!(error, Error::Library(rusqlite::Error::SqliteFailure(e, _)) if matches!(e.code, NotADatabase | DatabaseCorrupt))
}

/// Renames the catalog and its WAL files to a name no earlier rescue used, and returns it.
pub(super) fn set_aside(path: &Path) -> Result<PathBuf> {
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
