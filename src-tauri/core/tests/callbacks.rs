//! Push delivery: callbacks are hints that make the tracker ask at once; forged ones change nothing.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use kling_core::callback_receiver::{CallbackReceiver, MAX_CALLBACK_BYTES};
use kling_core::Status;

const WITHIN: Duration = Duration::from_secs(30);

#[tokio::test]
async fn forged_callbacks_are_refused_and_change_nothing() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    // A tenth of the real schedule: callbacks are awaited for 6 s before polling would start.
    let rig = engine_with(
        dir.path(),
        &emulator,
        Some(KEY),
        kling_core::PollSchedule { scale: 0.1 },
    );
    let token = kling_core::secrets::random_token();
    let receiver = CallbackReceiver::start(0, &token, Arc::new(rig.engine.clone()))
        .await
        .unwrap();
    // The provider's own callbacks go nowhere in this test: only forged ones reach the receiver.
    rig.engine
        .set_callback_url(Some("http://127.0.0.1:9/callback/unreachable".into()));
    let generation = rig.engine.generate(&prompt("a still pond #emu:stuck")).unwrap();
    let running = rig
        .recorder
        .wait_for(&generation.id, &[Status::Submitted], WITHIN)
        .await;
    assert_eq!(running.delivery, Some(kling_core::Delivery::Callback));
    let task_id = running.task_id.clone().unwrap();
    let url = |token: &str| format!("http://127.0.0.1:{}/callback/{token}", receiver.port());
    let http = reqwest::Client::new();
    let good_body = serde_json::json!({"task_id": task_id, "task_status": "succeed"}).to_string();

    let before = queries_for(&emulator, &task_id);
    let events_before = rig.recorder.events().len();
    let cases = [
        ("wrong token", url("0123abcd"), good_body.clone(), 404),
        (
            "unknown task",
            url(&token),
            r#"{"task_id":"999","task_status":"succeed"}"#.to_owned(),
            404,
        ),
        ("not JSON", url(&token), "<xml>succeed</xml>".to_owned(), 400),
        (
            "no task id",
            url(&token),
            r#"{"task_status":"succeed"}"#.to_owned(),
            400,
        ),
        (
            "huge body",
            url(&token),
            format!(
                r#"{{"task_id":"{task_id}","pad":"{}"}}"#,
                "x".repeat(MAX_CALLBACK_BYTES)
            ),
            413,
        ),
    ];
    for (what, url, body, status) in cases {
        let answer = http
            .post(url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), status, "{what}");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        queries_for(&emulator, &task_id),
        before,
        "no forged callback made the app ask the provider"
    );
    assert_eq!(
        rig.recorder.events().len(),
        events_before,
        "nothing changed for the user"
    );
    assert_eq!(
        rig.engine.get(&generation.id).unwrap().status,
        Status::Submitted,
        "a callback saying succeed is not believed"
    );

    // A genuine hint makes the tracker ask at once, and only the answer decides.
    let answer = http.post(url(&token)).body(good_body).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let processing = rig
        .recorder
        .wait_for(&generation.id, &[Status::Processing], Duration::from_secs(2))
        .await;
    assert_eq!(
        queries_for(&emulator, &task_id),
        before + 1,
        "the hint triggered exactly one query"
    );
    assert_eq!(
        processing.status,
        Status::Processing,
        "what the query said, not what the callback claimed"
    );
}

/// One generation with the real shape of the schedule (a tenth of its waits), by polling alone or
/// with callbacks; returns its statuses and how many status queries it took.
async fn one_generation(with_callbacks: bool, callbacks: kling_emulator::CallbackConfig) -> (Vec<Status>, usize) {
    let mut config = kling_emulator::EmulatorConfig {
        processing_ms: 4000,
        ..kling_emulator::EmulatorConfig::fast()
    };
    config.callbacks = callbacks;
    let emulator = kling_emulator::Emulator::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_with(
        dir.path(),
        &emulator,
        Some(KEY),
        kling_core::PollSchedule { scale: 0.1 },
    );
    let token = kling_core::secrets::random_token();
    let receiver = CallbackReceiver::start(0, &token, Arc::new(rig.engine.clone()))
        .await
        .unwrap();
    if with_callbacks {
        rig.engine
            .set_callback_url(Some(format!("http://127.0.0.1:{}/callback/{token}", receiver.port())));
    }
    let generation = rig.engine.generate(&prompt("a kite over the dunes")).unwrap();
    let ready = rig
        .recorder
        .wait_for(&generation.id, &[Status::Ready, Status::Failed], WITHIN)
        .await;
    assert_eq!(ready.status, Status::Ready);
    assert_eq!(emulator.tasks().len(), 1);
    if with_callbacks {
        assert!(
            emulator.callbacks().iter().any(|c| c.status == Some(200)),
            "the receiver took the provider's callbacks"
        );
    }
    (
        rig.recorder.statuses(&generation.id),
        queries_for(&emulator, ready.task_id.as_deref().unwrap()),
    )
}

#[tokio::test]
async fn callbacks_bring_the_video_with_fewer_requests_than_polling_alone() {
    let (_, polling) = one_generation(false, Default::default()).await;
    let (statuses, pushed) = one_generation(true, Default::default()).await;
    println!("status queries for one generation: polling alone {polling}, with callbacks {pushed}");
    assert_eq!(statuses.last(), Some(&Status::Ready));
    assert!(pushed < polling, "callbacks saved requests: {pushed} against {polling}");
}

#[tokio::test]
async fn duplicated_delayed_and_reordered_callbacks_change_nothing_they_should_not() {
    let messy = kling_emulator::CallbackConfig {
        duplicate: 2,
        delay_ms: 150,
        reorder: true,
        ..Default::default()
    };
    let (statuses, _) = one_generation(true, messy).await;
    assert!(
        only_forward(&statuses),
        "the gallery only ever moved forward: {statuses:?}"
    );
}
