//! A full disk: the user is told plainly, nothing already paid for is lost, and the generation
//! finishes by itself once there is room again. Needs a tiny filesystem of its own, which
//! `scripts/test.sh` mounts (a 2 MiB tmpfs) and passes in `DISK_FULL_DIR`.

mod common;

use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use common::*;
use kling_core::library::{location, LIBRARY_FOLDER};
use kling_core::request::validate;
use kling_core::rules::COMETAPI_LIMITS;
use kling_core::{GenerationRequest, Library, Status};

const WITHIN: Duration = Duration::from_secs(30);

/// The tests share one tiny file system, and each fills it: one at a time.
static DISK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Fills the filesystem until it refuses another byte.
fn fill(path: &std::path::Path) {
    let mut filler = std::fs::File::create(path).unwrap();
    let chunk = vec![0u8; 4096];
    while filler.write_all(&chunk).is_ok() {}
    let _ = filler.sync_all();
}

#[tokio::test]
#[ignore = "needs a tiny filesystem of its own in DISK_FULL_DIR (a tmpfs, Linux only): run by scripts/test.sh"]
async fn a_full_disk_is_reported_and_the_generation_finishes_once_there_is_room() {
    let _disk = DISK.lock().await;
    let mount = std::path::PathBuf::from(std::env::var("DISK_FULL_DIR").expect("DISK_FULL_DIR: a small tmpfs"));
    let root = mount.join("library");
    let filler = mount.join("filler");
    let emulator = emulator().await;
    let rig = engine_on(&root, &emulator, Some(KEY));

    // Nothing can be written: the request is refused before anything is sent.
    fill(&filler);
    let refused = rig.engine.generate(&prompt("no room")).unwrap_err();
    assert_eq!(refused.problem().kind, "disk_full");
    assert_eq!(creates(&emulator), 0);
    std::fs::remove_file(&filler).unwrap();

    // The disk fills up while the provider works: the video cannot be saved yet.
    let request = GenerationRequest {
        prompt: "a long pan #emu:stuck".into(),
        duration: Some("10".into()),
        ..Default::default()
    };
    let generation = rig.engine.generate(&request).unwrap();
    let running = rig
        .recorder
        .wait_for(&generation.id, &[Status::Processing], WITHIN)
        .await;
    fill(&filler);
    emulator.set_task_status(running.task_id.as_deref().unwrap(), "succeed", None);
    let deadline = tokio::time::Instant::now() + WITHIN;
    while !rig
        .recorder
        .events()
        .iter()
        .any(|g| g.id == generation.id && g.error.as_ref().is_some_and(|e| e.kind == "disk_full"))
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the full disk was never reported: {:?}",
            rig.recorder.statuses(&generation.id)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stored = rig.engine.get(&generation.id).unwrap();
    assert!(
        !stored.status.is_final(),
        "still on its way, not failed: {:?}",
        stored.status
    );

    // Room again: it carries on by itself.
    std::fs::remove_file(&filler).unwrap();
    let ready = rig
        .recorder
        .wait_for(&generation.id, &[Status::Ready, Status::Failed], WITHIN)
        .await;
    assert_eq!(ready.status, Status::Ready);
    let saved = std::fs::read(root.join("videos").join(format!("{}.mp4", generation.id))).unwrap();
    assert!(
        saved == kling_emulator::clip("16:9", "10").unwrap(),
        "the complete clip"
    );
    assert_eq!(creates(&emulator), 1, "paid once");
}

#[tokio::test]
#[ignore = "needs a tiny filesystem of its own in DISK_FULL_DIR (a tmpfs, Linux only): run by scripts/test.sh"]
async fn an_export_that_does_not_fit_leaves_nothing_half_written() {
    let _disk = DISK.lock().await;
    let mount = std::path::PathBuf::from(std::env::var("DISK_FULL_DIR").expect("DISK_FULL_DIR: a small tmpfs"));
    let folder = mount.join("export");
    std::fs::create_dir_all(&folder).unwrap();
    let filler = mount.join("filler");
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let video = kling_emulator::clip("16:9", "10").unwrap();
    let request = validate(&prompt("a long pan"), &COMETAPI_LIMITS).unwrap();
    let generation = ready_video(&library, request, video, Some(b"poster"), 1_773_489_600_000);
    let export = || {
        kling_core::export::export(
            &library,
            std::slice::from_ref(&generation.id),
            &folder,
            "Untitled",
            &mut |_| {},
            &AtomicBool::new(false),
        )
    };

    // Room for a part of the video only: the copy starts, then the disk is full.
    fill(&filler);
    let room = 8 << 10;
    let filled = std::fs::metadata(&filler).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&filler)
        .unwrap()
        .set_len(filled - room)
        .unwrap();
    assert!(video.len() as u64 > 2 * room);
    let refused = export().unwrap_err();
    assert_eq!(refused.problem().kind, "disk_full");
    let left: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "neither a final nor a temporary file: {left:?}");

    // Room again: the same export goes through.
    std::fs::remove_file(&filler).unwrap();
    let exported = export().unwrap();
    assert_eq!(exported.exported, 1);
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 3);
    std::fs::remove_dir_all(&folder).unwrap();
}

#[test]
#[ignore = "needs a tiny filesystem of its own in DISK_FULL_DIR (a tmpfs, Linux only): run by scripts/test.sh"]
fn a_move_onto_a_full_disk_leaves_the_library_where_it_was() {
    let _disk = DISK.blocking_lock();
    let mount = std::path::PathBuf::from(std::env::var("DISK_FULL_DIR").expect("DISK_FULL_DIR: a small tmpfs"));
    let data = tempfile::tempdir().unwrap();
    let root = data.path().join("library");
    kling_emulator::library_fixture::write_library(&root, 400).unwrap();
    let library = Library::open(&root).unwrap();
    let before = all_generations(&library);
    let files = video_files(&root);
    assert!(
        library.disk_usage().unwrap().bytes > 2 << 20,
        "the library is bigger than the disk"
    );

    let failed = library
        .relocate(data.path(), &mount, &mut |_| {}, &AtomicBool::new(false))
        .unwrap_err();
    assert_eq!(failed.problem().kind, "disk_full");
    assert_eq!(location::current(data.path()), root);
    assert!(!mount.join(LIBRARY_FOLDER).exists(), "the partial copy is gone");

    // Still the library in use, whole, and writable.
    library
        .insert(validate(&prompt("after the full disk"), &COMETAPI_LIMITS).unwrap())
        .unwrap();
    drop(library);
    let reopened = Library::open(&location::current(data.path())).unwrap();
    assert_eq!(all_generations(&reopened).len(), before.len() + 1);
    assert!(video_files(&root) == files, "every file as it was");
}
