//! A full disk: the user is told plainly, nothing already paid for is lost, and the generation
//! finishes by itself once there is room again. Needs a tiny filesystem of its own, which
//! `scripts/test.sh` mounts (a 2 MiB tmpfs) and passes in `DISK_FULL_DIR`.

mod common;

use std::io::Write;
use std::time::Duration;

use common::*;
use kling_core::{GenerationRequest, Status};

const WITHIN: Duration = Duration::from_secs(30);

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
