//! The engine against the emulator on loopback: what a user would see in the gallery.

mod common;

use std::time::Duration;

use common::*;
use kling_core::Status;
use kling_emulator::{Emulator, EmulatorConfig};
use serde_json::Value;

const WITHIN: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_prompt_becomes_a_playable_video_in_the_library() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));

    let generation = rig
        .engine
        .generate(&prompt("A paper boat drifting down a rainy street at dusk"))
        .unwrap();
    assert_eq!(generation.status, Status::Submitting);
    let ready = rig.recorder.wait_for(&generation.id, &[Status::Ready], WITHIN).await;

    assert_eq!(
        rig.recorder.statuses(&generation.id),
        [
            Status::Submitting,
            Status::Submitted,
            Status::Processing,
            Status::Downloading,
            Status::Ready
        ]
    );
    assert_eq!(ready.video_duration.as_deref(), Some("5.1"));
    assert_eq!(
        ready.video_url,
        Some(format!("http://media.test/token/{}.mp4", generation.id))
    );
    let file = dir.path().join("videos").join(format!("{}.mp4", generation.id));
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(&bytes[4..8], b"ftyp");
    assert_eq!(ready.video_bytes, Some(bytes.len() as i64));
    assert_eq!(
        std::fs::read_dir(dir.path().join("incoming")).unwrap().count(),
        0,
        "no partial file is left"
    );

    let create = emulator.requests().into_iter().find(|r| r.method == "POST").unwrap();
    let body: Value = serde_json::from_str(&create.body).unwrap();
    assert_eq!(body["duration"], Value::String("5".into()), "duration goes as a string");
    assert_eq!(
        body["external_task_id"],
        Value::String(generation.external_task_id.clone())
    );
    assert_eq!(body["model_name"], "kling-v2-5-turbo");
    assert!(body.get("negative_prompt").is_none() && body.get("camera_control").is_none());
    assert_eq!(create.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert!(
        emulator.key_leaks().is_empty(),
        "the key must never reach the result host"
    );
    assert_eq!(creates(&emulator), 1);
}

#[tokio::test]
async fn a_failed_task_keeps_the_providers_reason() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let generation = rig.engine.generate(&prompt("a storm at sea #emu:fail")).unwrap();
    let failed = rig
        .recorder
        .wait_for(&generation.id, &[Status::Failed, Status::Ready], WITHIN)
        .await;
    assert_eq!(failed.status, Status::Failed);
    let error = failed.error.expect("a failed generation says why");
    assert_eq!(error.kind, "task_failed");
    let reason = error.params["reason"].as_str().unwrap();
    assert!(!reason.is_empty());
    assert_eq!(failed.provider_message.as_deref(), Some(reason));
    // The reason survives a restart: it is in the library, not only in the event.
    let stored = rig.engine.get(&generation.id).unwrap();
    assert_eq!(stored.error.unwrap().params["reason"].as_str(), Some(reason));
}

#[tokio::test]
async fn a_rejected_key_is_not_saved_and_a_good_one_is() {
    let emulator = Emulator::start(EmulatorConfig {
        api_key: Some("sk-right".into()),
        ..EmulatorConfig::fast()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, None);

    let refused = rig
        .engine
        .save_key("sk-wrong", kling_core::secrets::KeyScope::Keychain)
        .await
        .unwrap_err();
    assert_eq!(refused.problem().kind, "key_rejected");
    assert!(!rig.engine.key_status().set);
    assert!(
        !serde_json::to_string(&refused).unwrap().contains("sk-wrong"),
        "the key never appears in an error"
    );

    let missing = rig.engine.generate(&prompt("a cat")).unwrap_err();
    assert_eq!(missing.problem().kind, "key_missing");

    let status = rig
        .engine
        .save_key("  sk-right  ", kling_core::secrets::KeyScope::Keychain)
        .await
        .unwrap();
    assert!(status.set);
    assert_eq!(status.last4.as_deref(), Some("ight"));
    assert_eq!(status.verified, Some(true));
    assert_eq!(creates(&emulator), 0, "checking a key spends nothing");
}

#[tokio::test]
async fn an_unknown_status_keeps_the_task_followed_until_it_ends() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let generation = rig
        .engine
        .generate(&prompt("a lighthouse #emu:unknown-status"))
        .unwrap();
    let ready = rig
        .recorder
        .wait_for(&generation.id, &[Status::Ready, Status::Failed], WITHIN)
        .await;
    assert_eq!(ready.status, Status::Ready);
    let queries = emulator
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.is_api())
        .count();
    assert!(
        queries >= 2,
        "it asked again after the unknown status ({queries} queries)"
    );
}

#[tokio::test]
async fn a_bad_request_is_refused_before_anything_is_sent() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let error = rig.engine.generate(&prompt(&"x".repeat(501))).unwrap_err();
    let problem = error.problem();
    assert_eq!(
        (problem.kind.as_str(), problem.field.as_deref()),
        ("prompt_too_long", Some("prompt"))
    );
    assert_eq!(problem.params["max"], 500);
    assert!(emulator.requests().is_empty());
    assert!(
        rig.engine
            .search(&kling_core::LibraryQuery::default(), None, 10)
            .unwrap()
            .items
            .is_empty(),
        "nothing was written either"
    );
}

/// Quitting mid-generation and starting again finishes that generation, with one paid task.
#[test]
fn a_restart_mid_generation_resumes_and_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let control = tokio::runtime::Runtime::new().unwrap();
    let emulator = control
        .block_on(Emulator::start(EmulatorConfig {
            processing_ms: 1500,
            ..EmulatorConfig::fast()
        }))
        .unwrap();

    // First run: its own runtime, shut down abruptly once the task is at the provider.
    let first_run = tokio::runtime::Runtime::new().unwrap();
    let id = first_run.block_on(async {
        let rig = engine_on(dir.path(), &emulator, Some(KEY));
        let generation = rig.engine.generate(&prompt("a slow sunrise over the hills")).unwrap();
        rig.recorder
            .wait_for(&generation.id, &[Status::Submitted, Status::Processing], WITHIN)
            .await;
        generation.id
    });
    // Dropped mid-task, like a killed process; waiting for the threads frees the library's lock.
    first_run.shutdown_timeout(Duration::from_secs(5));

    let second_run = tokio::runtime::Runtime::new().unwrap();
    second_run.block_on(async {
        let rig = engine_on(dir.path(), &emulator, Some(KEY));
        assert_eq!(rig.engine.resume().unwrap(), 1);
        let ready = rig.recorder.wait_for(&id, &[Status::Ready], WITHIN).await;
        assert!(dir.path().join("videos").join(format!("{id}.mp4")).exists());
        assert_eq!(ready.task_id, rig.engine.get(&id).unwrap().task_id);
    });
    assert_eq!(creates(&emulator), 1, "resuming never posts again");
}
