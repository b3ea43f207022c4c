//! Deleting finished videos: both files go to the OS trash (the freedesktop trash under a
//! throw-away XDG data home), the row is hidden at once and purged after the undo window, and Undo
//! brings both back. Nothing else in the library is touched.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kling_core::library::{LibraryQuery, MarksFilter, UNDO_WINDOW_MS};
use kling_core::{Kind, Library};
use kling_emulator::library_fixture::{write_library, FixtureRow};

/// The trash of this test process: set once, before any trash call (tests share the process).
fn trash_dir() -> &'static Path {
    static HOME: OnceLock<tempfile::TempDir> = OnceLock::new();
    let home = HOME.get_or_init(|| {
        let home = tempfile::tempdir().unwrap();
        std::env::set_var("XDG_DATA_HOME", home.path());
        home
    });
    Box::leak(home.path().join("Trash").into_boxed_path())
}

fn everything() -> LibraryQuery {
    LibraryQuery {
        marks: MarksFilter::Everything,
        ..LibraryQuery::default()
    }
}

fn visible_ids(library: &Library) -> Vec<String> {
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let page = library.search(&everything(), after, 200).unwrap();
        ids.extend(page.items.into_iter().map(|g| g.id));
        match page.next {
            Some(next) => after = Some(next),
            None => return ids,
        }
    }
}

fn files(dir: &Path, id: &str) -> [PathBuf; 2] {
    [
        dir.join(format!("videos/{id}.mp4")),
        dir.join(format!("videos/{id}.jpg")),
    ]
}

/// Whether the trash holds the file that was at `path` (tests running side by side trash files of
/// the same name, from different libraries).
fn in_trash(path: &Path) -> bool {
    let Ok(infos) = std::fs::read_dir(trash_dir().join("info")) else {
        return false;
    };
    infos.map(|e| e.unwrap().path()).any(|info| {
        let text = std::fs::read_to_string(&info).unwrap_or_default();
        let name = info.file_stem().unwrap();
        text.lines().any(|line| line == format!("Path={}", path.display()))
            && trash_dir().join("files").join(name).is_file()
    })
}

/// Every file in `videos/` with its size, to check that nothing else was touched.
fn videos(dir: &Path) -> Vec<(String, u64)> {
    let mut all: Vec<(String, u64)> = std::fs::read_dir(dir.join("videos"))
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().len(),
            )
        })
        .collect();
    all.sort();
    all
}

fn ready(rows: &[FixtureRow]) -> Vec<String> {
    rows.iter()
        .filter(|r| r.status == "ready")
        .map(|r| r.id.clone())
        .collect()
}

#[test]
fn delete_moves_both_files_to_the_trash_and_undo_brings_them_back() {
    trash_dir();
    let dir = tempfile::tempdir().unwrap();
    let rows = write_library(dir.path(), 12).unwrap();
    let library = Library::open(dir.path()).unwrap();
    let before = visible_ids(&library);
    let all_files = videos(dir.path());
    let chosen: Vec<String> = ready(&rows).into_iter().take(2).collect();
    let sizes: u64 = chosen
        .iter()
        .flat_map(|id| files(dir.path(), id))
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();

    let deleted = library.delete(&chosen).unwrap();
    assert_eq!((deleted.deleted, deleted.bytes), (2, sizes));
    assert_eq!(deleted.ids, chosen);
    for id in &chosen {
        for path in files(dir.path(), id) {
            assert!(!path.exists(), "{} left the library", path.display());
            assert!(in_trash(&path));
        }
    }
    let after = visible_ids(&library);
    assert_eq!(after.len(), before.len() - 2);
    assert!(
        chosen.iter().all(|id| !after.contains(id)),
        "deleted rows never come back from search"
    );
    let words = LibraryQuery {
        text: rows.iter().find(|r| r.id == chosen[0]).unwrap().prompt.clone(),
        ..everything()
    };
    assert!(library
        .search(&words, None, 200)
        .unwrap()
        .items
        .iter()
        .all(|g| g.id != chosen[0]));
    assert_eq!(
        library.video_path(&chosen[0]).unwrap_err().problem().kind,
        Kind::VideoFileMissing
    );

    assert_eq!(library.undo_delete(&chosen).unwrap(), 2);
    for id in &chosen {
        for path in files(dir.path(), id) {
            assert!(path.is_file(), "{} is back", path.display());
            assert!(!in_trash(&path));
        }
    }
    assert_eq!(visible_ids(&library), before);
    assert_eq!(videos(dir.path()), all_files, "every file as it was");
    assert_eq!(
        library.video_path(&chosen[0]).unwrap(),
        files(dir.path(), &chosen[0])[0]
    );
    assert_eq!(
        library.undo_delete(&chosen).unwrap(),
        0,
        "a second undo changes nothing"
    );
}

#[test]
fn a_running_generation_is_refused_and_nothing_moves() {
    trash_dir();
    let dir = tempfile::tempdir().unwrap();
    let rows = write_library(dir.path(), 8).unwrap();
    let library = Library::open(dir.path()).unwrap();
    let running = rows.iter().find(|r| r.status == "processing").unwrap().id.clone();
    let finished = ready(&rows)[0].clone();
    let all_files = videos(dir.path());
    let error = library.delete(&[finished.clone(), running]).unwrap_err();
    assert_eq!(error.problem().kind, Kind::DeleteRunning);
    assert_eq!(videos(dir.path()), all_files);
    assert!(visible_ids(&library).contains(&finished));
}

#[test]
fn after_the_undo_window_a_restart_purges_the_row_and_nothing_else() {
    trash_dir();
    let dir = tempfile::tempdir().unwrap();
    let rows = write_library(dir.path(), 10).unwrap();
    let library = Library::open(dir.path()).unwrap();
    let failed_or_ready: Vec<String> = rows
        .iter()
        .filter(|r| r.status != "processing")
        .map(|r| r.id.clone())
        .take(3)
        .collect();
    let gone = &failed_or_ready[..2];
    library.delete(gone).unwrap();
    let kept = visible_ids(&library);
    let kept_files = videos(dir.path());
    drop(library);

    // A restart within the window keeps the rows for Undo.
    let library = Library::open(dir.path()).unwrap();
    assert!(library.get(&gone[0]).unwrap().is_some());
    drop(library);

    // As if the window passed: the deletions are older than it.
    let db = rusqlite::Connection::open(dir.path().join("library.sqlite3")).unwrap();
    db.execute(
        "UPDATE deletions SET deleted_at = deleted_at - ?1",
        [UNDO_WINDOW_MS + 1000],
    )
    .unwrap();
    drop(db);
    let library = Library::open(dir.path()).unwrap();
    for id in gone {
        assert!(library.get(id).unwrap().is_none(), "{id} was purged");
    }
    assert_eq!(visible_ids(&library), kept);
    assert_eq!(videos(dir.path()), kept_files, "no other file was touched");
    let undo = library.undo_delete(gone).unwrap_err();
    assert_eq!(undo.problem().kind, Kind::UndoNotPossible);
}

#[test]
fn clearing_the_demo_library_removes_every_finished_video_for_good_and_keeps_running_ones() {
    trash_dir();
    let dir = tempfile::tempdir().unwrap();
    let rows = write_library(dir.path(), 20).unwrap();
    let library = Library::open(dir.path()).unwrap();
    let running: Vec<String> = rows
        .iter()
        .filter(|r| !["ready", "failed", "expired"].contains(&r.status))
        .map(|r| r.id.clone())
        .collect();
    assert!(!running.is_empty(), "the fixture has unfinished generations");
    // One finished video was deleted a moment ago and waits for Undo: it goes too.
    let deleted = ready(&rows)[0].clone();
    library.delete(std::slice::from_ref(&deleted)).unwrap();

    let cleared = library.clear().unwrap();

    assert_eq!(cleared, rows.len() - running.len());
    let mut left = visible_ids(&library);
    left.sort();
    let mut want = running.clone();
    want.sort();
    assert_eq!(left, want, "only the generations still being made stay");
    for row in rows.iter().filter(|r| r.status == "ready" && r.id != deleted) {
        for file in files(dir.path(), &row.id) {
            assert!(!file.exists(), "{} was removed", file.display());
            assert!(!in_trash(&file), "{} went for good, not to the trash", file.display());
        }
    }
    let refused = library.undo_delete(&[deleted]).unwrap_err();
    assert_eq!(
        refused.problem().kind,
        Kind::UndoNotPossible,
        "a cleared video cannot come back"
    );
    assert_eq!(library.clear().unwrap(), 0, "nothing finished is left");
}
