//! A trash that refuses a file leaves the row and the files as they were. Its own test process:
//! its trash is broken on purpose (the tests run as root in CI, so permissions cannot do it).

use kling_core::library::{LibraryQuery, MarksFilter};
use kling_core::{Kind, Library};
use kling_emulator::library_fixture::write_library;

#[test]
fn a_failing_trash_leaves_the_row_and_the_files() {
    let home = tempfile::tempdir().unwrap();
    // `Trash` is a file: the trash cannot make its folders, so it moves nothing.
    std::fs::write(home.path().join("Trash"), b"not a folder").unwrap();
    std::env::set_var("XDG_DATA_HOME", home.path());

    let dir = tempfile::tempdir().unwrap();
    let rows = write_library(dir.path(), 6).unwrap();
    let library = Library::open(dir.path()).unwrap();
    let chosen: Vec<String> = rows
        .iter()
        .filter(|r| r.status == "ready")
        .map(|r| r.id.clone())
        .take(2)
        .collect();
    let query = LibraryQuery {
        marks: MarksFilter::Everything,
        ..LibraryQuery::default()
    };
    let before = library.search(&query, None, 50).unwrap().items;

    let error = library.delete(&chosen).unwrap_err().problem();
    assert_eq!(error.kind, Kind::TrashFailed);
    assert!(error.params["detail"].as_str().is_some_and(|d| !d.is_empty()));
    for id in &chosen {
        assert!(dir.path().join(format!("videos/{id}.mp4")).is_file());
        assert!(dir.path().join(format!("videos/{id}.jpg")).is_file());
        assert!(library.video_path(id).is_ok());
    }
    assert_eq!(library.search(&query, None, 50).unwrap().items, before);
}
