//! What the engine announces (the desktop notification's source): each generation that becomes
//! ready or failed, once, however often its record is sent again afterwards, and never one the
//! user cancelled.

mod common;

use std::time::Duration;

use common::*;
use kling_core::announcement::{Announcement, Outcome};
use kling_core::{Mark, Status};
use kling_emulator::{Emulator, EmulatorConfig, Fault, FaultRoute};

const WITHIN: Duration = Duration::from_secs(30);

fn announced(recorder: &Recorder) -> Vec<Announcement> {
    recorder.announcements.lock().unwrap().clone()
}

/// Waits until `id` was announced, and returns every announcement by then.
async fn wait_for_announcement(recorder: &Recorder, id: &str) -> Vec<Announcement> {
    let deadline = tokio::time::Instant::now() + WITHIN;
    while !announced(recorder).iter().any(|a| a.id == id) {
        assert!(tokio::time::Instant::now() < deadline, "{id} was never announced");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    announced(recorder)
}

#[tokio::test]
async fn a_ready_video_is_announced_once_though_its_record_is_sent_again() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let generation = rig
        .engine
        .generate(&prompt(
            "A paper boat drifting down a rainy street at dusk, lanterns reflected in the puddles",
        ))
        .unwrap();
    rig.recorder.wait_for(&generation.id, &[Status::Ready], WITHIN).await;
    let first = wait_for_announcement(&rig.recorder, &generation.id).await;
    assert_eq!(
        first,
        [Announcement {
            id: generation.id.clone(),
            outcome: Outcome::Ready,
            words: "A paper boat drifting down a rainy street at dusk, lanterns…".into(),
            task_id: rig.engine.get(&generation.id).unwrap().task_id,
        }]
    );

    // The window's poster, a star and a title each send the ready record again.
    rig.engine
        .save_poster(&generation.id, &[0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3])
        .unwrap();
    rig.engine.mark(&generation.id, &Mark::Favorite(true)).unwrap();
    rig.engine.mark(&generation.id, &Mark::Title("Boat".into())).unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ready_records = rig
        .recorder
        .events()
        .iter()
        .filter(|g| g.id == generation.id && g.status == Status::Ready)
        .count();
    assert!(ready_records >= 4, "the record was sent again {ready_records} times");
    assert_eq!(announced(&rig.recorder), first, "announced once");
}

#[tokio::test]
async fn a_failed_task_is_announced_and_a_cancelled_one_is_not() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let failing = rig.engine.generate(&prompt("a storm at sea #emu:fail")).unwrap();
    let all = wait_for_announcement(&rig.recorder, &failing.id).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].outcome, Outcome::Failed);
    assert_eq!(all[0].words, "a storm at sea #emu:fail");

    emulator.push_fault(Fault::kling(429, 1303, "parallel task over resource pack limit").on(FaultRoute::Create));
    let queued = rig.engine.generate(&prompt("never mind")).unwrap();
    rig.recorder.wait_for(&queued.id, &[Status::Queued], WITHIN).await;
    rig.engine.discard(&queued.id).unwrap();
    // The queue's driver wakes, finds the cancel and lets go of the generation.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(announced(&rig.recorder).len(), 1, "{:?}", announced(&rig.recorder));
}

#[test]
fn a_generation_resumed_after_a_restart_is_announced_when_it_becomes_ready() {
    let dir = tempfile::tempdir().unwrap();
    let control = tokio::runtime::Runtime::new().unwrap();
    let emulator = control
        .block_on(Emulator::start(EmulatorConfig {
            processing_ms: 1500,
            ..EmulatorConfig::fast()
        }))
        .unwrap();
    let first_run = tokio::runtime::Runtime::new().unwrap();
    let id = first_run.block_on(async {
        let rig = engine_on(dir.path(), &emulator, Some(KEY));
        let generation = rig.engine.generate(&prompt("a slow sunrise over the hills")).unwrap();
        rig.recorder
            .wait_for(&generation.id, &[Status::Submitted, Status::Processing], WITHIN)
            .await;
        assert!(announced(&rig.recorder).is_empty());
        generation.id
    });
    first_run.shutdown_timeout(Duration::from_secs(5));

    let second_run = tokio::runtime::Runtime::new().unwrap();
    second_run.block_on(async {
        let rig = engine_on(dir.path(), &emulator, Some(KEY));
        rig.engine.resume().unwrap();
        let all = wait_for_announcement(&rig.recorder, &id).await;
        assert_eq!(all.len(), 1);
        assert_eq!(
            (all[0].outcome, all[0].words.as_str()),
            (Outcome::Ready, "a slow sunrise over the hills")
        );
    });
}
