//! Where the library is. One small file in the app's data folder, `library-location.json`, is the
//! record: `path` is the library in use, `previous` the folders of ours the app no longer uses (the
//! library a move left behind, the copy a move began and did not finish), removed in the background
//! after the next start. The file is replaced atomically, so a crash leaves the old record or the
//! new one, never a mix: writing it is the moment a move takes effect.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const RECORD: &str = "library-location.json";

/// What a library folder of ours holds. The catalog under its own name and under the name a move
/// gives it until it is checked, each with SQLite's side files.
const CATALOG_FILES: &[&str] = &[
    "library.sqlite3",
    "library.sqlite3-wal",
    "library.sqlite3-shm",
    "library.sqlite3-journal",
    super::relocation::CATALOG_IN_TRANSIT,
    "library.sqlite3.moving-wal",
    "library.sqlite3.moving-shm",
    "library.sqlite3.moving-journal",
];
const FOLDERS: &[&str] = &["videos", "incoming"];
const LOCK_FILE: &str = "library.lock";
/// Written first into a folder a move fills, removed just before the switch: a folder holding it
/// is a copy no library uses, left by a move that did not finish, and may be cleared.
pub(super) const MOVE_MARKER: &str = ".kling-desk-moving";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Location {
    pub path: PathBuf,
    #[serde(default)]
    pub previous: Vec<PathBuf>,
}

/// The folder of the library in use: the one the last move switched to, else `data_dir/library`
/// (also when the record is missing or cannot be read).
pub fn current(data_dir: &Path) -> PathBuf {
    read(data_dir).path
}

/// Opens the library in use. A library moved to a folder that is not there now (its external disk
/// is not connected) is refused, never made again, empty, where that disk would be mounted; the
/// default folder is made on first use.
pub fn open_current(data_dir: &Path) -> Result<super::Library> {
    let path = current(data_dir);
    if path != default_folder(data_dir) && !path.is_dir() {
        let missing = std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{} is not there: is its disk connected?", path.display()),
        );
        return Err(missing.into());
    }
    super::Library::open(&path)
}

/// Removes the folders of ours the app no longer uses (see the module's doc): only the catalog
/// files, `videos/`, `incoming/`, the lock file and the move marker, then the folder itself when
/// that left it empty. Anything else the user keeps there stays. Never the library in use, nor one
/// a process has open. Returns the folders removed. A folder that cannot be removed now (its disk
/// is not connected) stays recorded for the next start, and the first such failure is returned.
pub fn remove_previous(data_dir: &Path) -> Result<Vec<PathBuf>> {
    let _changing = changing();
    let mut location = read(data_dir);
    if location.previous.is_empty() {
        return Ok(Vec::new());
    }
    let mut removed = Vec::new();
    let mut failure = None;
    location.previous.retain(|folder| {
        if same_folder(folder, &location.path) {
            return false;
        }
        match remove_ours(folder) {
            Ok(()) => {
                removed.push(folder.clone());
                false
            }
            Err(error) => {
                failure.get_or_insert(error);
                true
            }
        }
    });
    write(data_dir, &location)?;
    match failure {
        Some(error) => Err(error),
        None => Ok(removed),
    }
}

/// Held by whoever reads, changes and writes the record (a move, `remove_previous`), for as long
/// as the folders it names are being filled or removed: one at a time in this process.
pub(super) fn changing() -> MutexGuard<'static, ()> {
    static CHANGING: Mutex<()> = Mutex::new(());
    CHANGING.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Where the library is until the user moves it.
fn default_folder(data_dir: &Path) -> PathBuf {
    data_dir.join("library")
}

pub(super) fn read(data_dir: &Path) -> Location {
    std::fs::read(data_dir.join(RECORD))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_else(|| Location {
            path: default_folder(data_dir),
            previous: Vec::new(),
        })
}

/// Replaces the record: written whole under another name, flushed to the disk, then renamed over
/// the old one.
pub(super) fn write(data_dir: &Path, location: &Location) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(location).map_err(std::io::Error::other)?;
    let fresh = data_dir.join(format!("{RECORD}.new"));
    let mut file = std::fs::File::create(&fresh)?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&fresh, data_dir.join(RECORD))?;
    // After the rename the new record is the one read: what remains only makes it survive a power cut.
    sync_dir(data_dir);
    Ok(())
}

/// Flushes a folder's entries (files renamed into it) to the disk, where the system can.
pub(super) fn sync_dir(dir: &Path) {
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// Whether two paths name the same folder (compared as written when one of them is not there).
pub(super) fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// Removes what a library of ours keeps in `folder` and the folder when nothing else is left.
pub(super) fn remove_ours(folder: &Path) -> Result<()> {
    match folder.symlink_metadata() {
        Ok(_) => {}
        // Already gone; but when the folder it was in is missing too, its disk is not connected.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && folder.parent().is_some_and(Path::is_dir) => {
            return Ok(())
        }
        Err(e) => return Err(e.into()),
    }
    let lock = match std::fs::OpenOptions::new().write(true).open(folder.join(LOCK_FILE)) {
        Ok(lock) => match lock.try_lock() {
            Ok(()) => Some(lock),
            Err(std::fs::TryLockError::WouldBlock) => return Err(Error::LibraryInUse(folder.to_owned())),
            Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    for name in CATALOG_FILES.iter().chain([&MOVE_MARKER]) {
        ignore_missing(std::fs::remove_file(folder.join(name)))?;
    }
    for name in FOLDERS {
        ignore_missing(std::fs::remove_dir_all(folder.join(name)))?;
    }
    drop(lock);
    ignore_missing(std::fs::remove_file(folder.join(LOCK_FILE)))?;
    // Fails, as it should, while the user keeps anything else there.
    let _ = std::fs::remove_dir(folder);
    Ok(())
}

fn ignore_missing(done: std::io::Result<()>) -> std::io::Result<()> {
    match done {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}
