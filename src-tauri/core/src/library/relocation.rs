//! Moving the library to another folder (another disk), and how much room it takes.
//!
//! The library in use is never changed by a move: everything is copied into the new folder, checked,
//! and only then does the location record (`location`) switch to it, in one atomic rename. A crash,
//! a full disk or a cancel before that leaves the old library as it was and in use; the partial copy
//! is removed then, or at the next start when the process died (the record names it before the
//! first byte is copied). The old library is removed after the next start (`remove_previous`).

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use super::location::{self, Location, MOVE_MARKER};
use super::{deletion, Library};
use crate::error::{Error, Result};
use crate::problem::Kind;

/// The folder a moved library gets inside the folder the user picks.
pub const LIBRARY_FOLDER: &str = "Kling Desk Library";

/// The copied catalog's name until it is checked.
pub(super) const CATALOG_IN_TRANSIT: &str = "library.sqlite3.moving";

/// How far a move is: the video and poster files copied, and their bytes (the catalog counts
/// among the bytes, not the files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MoveProgress {
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub files_done: usize,
    pub files_total: usize,
}

/// A move that took effect: the library is now in `to`, after a restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moved {
    pub from: String,
    pub to: String,
    pub bytes: u64,
    pub files: usize,
}

/// What the library takes on the disk: the catalog and every file in `videos/`, and how many
/// videos (MP4 files) that is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DiskUsage {
    pub bytes: u64,
    pub videos: usize,
}

impl Library {
    /// Reads the sizes of the catalog and of every file in `videos/`: one directory listing, so
    /// it belongs off the start path.
    pub fn disk_usage(&self) -> Result<DiskUsage> {
        let files = files_in(&self.videos_dir())?;
        Ok(DiskUsage {
            bytes: catalog_bytes(&self.root) + files.iter().map(|file| file.len).sum::<u64>(),
            videos: files
                .iter()
                .filter(|file| Path::new(&file.name).extension().is_some_and(|ext| ext == "mp4"))
                .count(),
        })
    }

    /// Moves the library into `destination/Kling Desk Library` and makes it the one the next start
    /// opens (the record in `data_dir`). Videos are copied one by one, reporting `progress`, and
    /// `cancel` is honoured between pieces until the switch. Then, with the catalog held so nothing
    /// can write to it, the catalog is copied, the files that came or went meanwhile follow, and
    /// the copy is checked: it opens, it has every row, and every file a row names has the size it
    /// has here. Deletes still waiting for Undo become final in the copy, since the OS trash would
    /// put their files back in the old folder.
    ///
    /// `self` must be the library `location::current(data_dir)` names: after a move only a new
    /// start opens the library in its new place (`library_unavailable` until then).
    ///
    /// Refused before anything is written: a destination inside this library (or this library
    /// itself), and a `Kling Desk Library` folder there holding anything but the leftovers of a
    /// move of ours (which are cleared). Any failure before the switch removes the copy and leaves
    /// this library as it was, in use.
    ///
    /// After the switch this `Library` never writes again: its catalog stays held for the rest of
    /// the process, so whatever the engine still does blocks instead of changing a catalog no one
    /// will read. The app restarts at once; the new start resumes unfinished work from the moved
    /// catalog, as after a crash.
    pub fn relocate(
        &self,
        data_dir: &Path,
        destination: &Path,
        progress: &mut dyn FnMut(&MoveProgress),
        cancel: &AtomicBool,
    ) -> Result<Moved> {
        let _changing = location::changing();
        let current = location::current(data_dir);
        if !location::same_folder(&current, &self.root) {
            // Moved already (or never the one in use): only a start opens the library there.
            return Err(Error::invalid_with(
                Kind::LibraryUnavailable,
                "destination",
                &[("path", current.display().to_string().into())],
            ));
        }
        let from = self.root.canonicalize()?;
        let target = destination.canonicalize()?.join(LIBRARY_FOLDER);
        if target.starts_with(&from) {
            return Err(Error::invalid_with(
                Kind::MoveTargetInsideLibrary,
                "destination",
                &[("path", destination.display().to_string().into())],
            ));
        }
        let mut location = location::read(data_dir);
        clear_leftovers(&target, &location)?;
        // Named in the record before the first byte is copied, so a crash leaves nothing behind
        // for good: the next start removes it.
        if !location.previous.contains(&target) {
            location.previous.push(target.clone());
        }
        location::write(data_dir, &location)?;
        match self.copy_and_switch(data_dir, &from, &target, location, progress, cancel) {
            Ok(moved) => Ok(moved),
            Err(error) => {
                if location::remove_ours(&target).is_ok() {
                    let mut location = location::read(data_dir);
                    location.previous.retain(|folder| folder != &target);
                    let _ = location::write(data_dir, &location);
                }
                Err(error)
            }
        }
    }

    fn copy_and_switch(
        &self,
        data_dir: &Path,
        from: &Path,
        target: &Path,
        mut location: Location,
        progress: &mut dyn FnMut(&MoveProgress),
        cancel: &AtomicBool,
    ) -> Result<Moved> {
        let (videos, target_videos) = (self.videos_dir(), target.join("videos"));
        std::fs::create_dir_all(&target_videos)?;
        File::create(target.join(MOVE_MARKER))?.sync_all()?;
        let mut copier = Copier {
            buffer: vec![0; 1 << 20],
            copied: HashMap::new(),
            cancel,
            progress,
            tally: MoveProgress {
                bytes_done: 0,
                bytes_total: 0,
                files_done: 0,
                files_total: 0,
            },
        };
        let listed = files_in(&videos)?;
        let catalog_estimate = catalog_bytes(from);
        copier.tally.bytes_total = catalog_estimate + listed.iter().map(|file| file.len).sum::<u64>();
        copier.tally.files_total = listed.len();
        (copier.progress)(&copier.tally);
        for file in &listed {
            copier.copy(&videos, &target_videos, &file.name)?;
        }

        let db = self.db();
        copier.check_cancel()?;
        // Nothing can change the catalog now: the copy's videos/ becomes exactly this one's (a
        // download that finished, a poster made, a video deleted while the rest was copied).
        let now = files_in(&videos)?;
        for file in &now {
            if copier.copied.get(&file.name) != Some(&(file.len, file.modified)) {
                copier.tally.bytes_total += file.len;
                copier.tally.files_total += 1;
                copier.copy(&videos, &target_videos, &file.name)?;
            }
        }
        for gone in files_in(&target_videos)?
            .iter()
            .filter(|copied| !now.iter().any(|file| file.name == copied.name))
        {
            std::fs::remove_file(target_videos.join(&gone.name))?;
        }
        location::sync_dir(&target_videos);

        let in_transit = target.join(CATALOG_IN_TRANSIT);
        db.execute("VACUUM INTO ?1", [in_transit.to_string_lossy()])?;
        settle_copy(&in_transit)?;
        let catalog = std::fs::metadata(&in_transit)?.len();
        copier.tally.bytes_total = copier.tally.bytes_total - catalog_estimate + catalog;
        copier.tally.bytes_done += catalog;
        (copier.progress)(&copier.tally);
        verify(&db, &in_transit, from, target)?;
        copier.check_cancel()?;
        std::fs::rename(&in_transit, target.join("library.sqlite3"))?;
        std::fs::remove_file(target.join(MOVE_MARKER))?;
        location::sync_dir(target);

        // The switch.
        location.previous.retain(|folder| folder != target);
        location.previous.push(from.to_owned());
        location.path = target.to_owned();
        location::write(data_dir, &location)?;
        // Held until the process ends (see `relocate`): every later write of this library waits.
        std::mem::forget(db);
        Ok(Moved {
            from: from.display().to_string(),
            to: target.display().to_string(),
            bytes: catalog + now.iter().map(|file| file.len).sum::<u64>(),
            files: now.len(),
        })
    }
}

/// Makes room for a move into `target`: nothing there, an empty folder, or a folder of ours no
/// library uses (a move's leftovers, marked or recorded) which is cleared. Anything else refuses.
fn clear_leftovers(target: &Path, location: &Location) -> Result<()> {
    let not_empty = || {
        Error::invalid_with(
            Kind::MoveTargetNotEmpty,
            "destination",
            &[("path", target.display().to_string().into())],
        )
    };
    match target.symlink_metadata() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e.into()),
        Ok(meta) if !meta.is_dir() => return Err(not_empty()),
        Ok(_) => {}
    }
    let ours = target.join(MOVE_MARKER).exists() || location.previous.iter().any(|folder| folder == target);
    if ours {
        location::remove_ours(target)?;
    }
    match std::fs::read_dir(target).map(|mut entries| entries.next().is_some()) {
        Ok(true) => Err(not_empty()),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

struct Copier<'a> {
    buffer: Vec<u8>,
    /// The size and time of change each file had when it was copied, by name.
    copied: HashMap<OsString, (u64, Option<SystemTime>)>,
    cancel: &'a AtomicBool,
    progress: &'a mut dyn FnMut(&MoveProgress),
    tally: MoveProgress,
}

impl Copier<'_> {
    /// Copies the file `name` from one folder to the other under a name of its own, flushed to the
    /// disk, then renamed into place: a file under its final name is always whole. Keeps the time
    /// it was last changed. A file gone meanwhile (deleted) is left out.
    fn copy(&mut self, from: &Path, to: &Path, name: &OsString) -> Result<()> {
        self.check_cancel()?;
        let mut source = match File::open(from.join(name)) {
            Ok(source) => source,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let meta = source.metadata()?;
        let modified = meta.modified().ok();
        let mut partial = to.join(name).into_os_string();
        partial.push(".moving");
        let mut copy = File::create(&partial)?;
        loop {
            self.check_cancel()?;
            let read = source.read(&mut self.buffer)?;
            if read == 0 {
                break;
            }
            copy.write_all(&self.buffer[..read])?;
            self.tally.bytes_done += read as u64;
            (self.progress)(&self.tally);
        }
        if let Some(modified) = modified {
            // A nicety for the user's file manager: some file systems do not take it.
            let _ = copy.set_modified(modified);
        }
        copy.sync_all()?;
        drop(copy);
        std::fs::rename(&partial, to.join(name))?;
        self.copied.insert(name.clone(), (meta.len(), modified));
        self.tally.files_done += 1;
        (self.progress)(&self.tally);
        Ok(())
    }

    fn check_cancel(&self) -> Result<()> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(Error::invalid(Kind::MoveCancelled, "move"));
        }
        Ok(())
    }
}

/// Turns the copied catalog into one file on the disk (no WAL beside it until it is opened as the
/// library) with the deletes waiting for Undo made final.
fn settle_copy(path: &Path) -> Result<()> {
    let copy = Connection::open(path)?;
    copy.pragma_update(None, "journal_mode", "DELETE")?;
    copy.pragma_update(None, "synchronous", "FULL")?;
    deletion::purge(&copy, i64::MAX)?;
    copy.close().map_err(|(_, e)| e)?;
    File::open(path)?.sync_all()?;
    Ok(())
}

/// Checks the copied catalog against the library it came from: it opens and reads whole, it has
/// every generation not deleted, and every file a row names is in the new folder with the size
/// it has in the old one.
fn verify(db: &Connection, copy: &Path, from: &Path, target: &Path) -> Result<()> {
    let failed = |detail: String| Error::invalid_with(Kind::MoveCheckFailed, "move", &[("detail", detail.into())]);
    let copy = Connection::open_with_flags(copy, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let check: String = copy.query_row("PRAGMA quick_check", [], |row| row.get(0))?;
    if check != "ok" {
        return Err(failed(check));
    }
    let expected: i64 = db.query_row(
        "SELECT count(*) FROM generations WHERE seq NOT IN (SELECT seq FROM deletions)",
        [],
        |row| row.get(0),
    )?;
    let mut rows = copy.prepare("SELECT video_file, poster_file FROM generations")?;
    let files = rows
        .query_map([], |row| Ok([row.get::<_, Option<String>>(0)?, row.get(1)?]))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if files.len() as i64 != expected {
        return Err(failed(format!("{} of {expected} generations", files.len())));
    }
    for file in files.iter().flatten().flatten() {
        let Ok(original) = std::fs::metadata(from.join(file)) else {
            // Missing here already: the copy cannot have it either.
            continue;
        };
        match std::fs::metadata(target.join(file)) {
            Ok(copied) if copied.len() == original.len() => {}
            _ => return Err(failed(file.clone())),
        }
    }
    Ok(())
}

struct Listed {
    name: OsString,
    len: u64,
    modified: Option<SystemTime>,
}

/// The regular files directly in `dir`, by name.
fn files_in(dir: &Path) -> Result<Vec<Listed>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let meta = match entry.metadata() {
            Ok(meta) => meta,
            // Renamed or removed since the listing (a download moving in, a delete).
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e.into()),
        };
        if meta.is_file() {
            files.push(Listed {
                name: entry.file_name(),
                len: meta.len(),
                modified: meta.modified().ok(),
            });
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// The catalog's size on the disk, with the changes still in its WAL.
fn catalog_bytes(root: &Path) -> u64 {
    ["library.sqlite3", "library.sqlite3-wal"]
        .iter()
        .filter_map(|name| std::fs::metadata(root.join(name)).ok())
        .map(|meta| meta.len())
        .sum()
}
