//! No generation is lost or paid for twice when the answer to a create goes missing, the app stops
//! before it recorded one, or the result link expires.

mod common;

use std::time::Duration;

use common::*;
use kling_core::Status;
use kling_emulator::{Emulator, EmulatorConfig, ExternalLookup, Fault, FaultRoute};

const WITHIN: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_create_whose_answer_is_lost_is_found_by_its_external_id_and_adopted() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    emulator.push_fault(Fault::created_but_lost());
    let generation = rig.engine.generate(&prompt("lost answer")).unwrap();
    let ready = rig
        .recorder
        .wait_for(
            &generation.id,
            &[Status::Ready, Status::NeedsCheck, Status::Failed],
            WITHIN,
        )
        .await;
    assert_eq!(ready.status, Status::Ready);
    assert_eq!(creates(&emulator), 1, "it looked the task up instead of posting again");
    assert_eq!(tasks_for(&emulator, "lost answer"), 1);
    assert_eq!(ready.task_id, emulator.tasks().first().map(|t| t.task_id.clone()));
}

#[tokio::test]
async fn where_lookups_work_a_create_that_never_arrived_is_posted_again_with_the_same_id() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    // The first generation teaches the app that this gateway finds tasks by external id.
    let first = rig.engine.generate(&prompt("teacher")).unwrap();
    rig.recorder.wait_for(&first.id, &[Status::Ready], WITHIN).await;

    for (n, fault) in [
        Fault::reset(),
        Fault::kling(500, 5000, "internal error"),
        Fault::html(502),
    ]
    .into_iter()
    .enumerate()
    {
        let text = format!("ambiguous {n}");
        emulator.push_fault(fault.on(FaultRoute::Create));
        let generation = rig.engine.generate(&prompt(&text)).unwrap();
        let end = rig
            .recorder
            .wait_for(
                &generation.id,
                &[Status::Ready, Status::NeedsCheck, Status::Failed],
                WITHIN,
            )
            .await;
        assert_eq!(end.status, Status::Ready, "{text}");
        assert_eq!(tasks_for(&emulator, &text), 1, "{text}: paid once");
        let posts: Vec<_> = emulator
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.body.contains(&generation.external_task_id))
            .collect();
        assert_eq!(posts.len(), 2, "{text}: posted again, with the same external id");
    }
}

#[tokio::test]
async fn without_lookups_an_unsettled_create_waits_for_the_user() {
    let emulator = Emulator::start(EmulatorConfig {
        lookup_by_external: ExternalLookup::None,
        ..EmulatorConfig::fast()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    emulator.push_fault(Fault::created_but_lost());
    let generation = rig.engine.generate(&prompt("unsettled")).unwrap();
    let unsettled = rig
        .recorder
        .wait_for(&generation.id, &[Status::NeedsCheck, Status::Ready], WITHIN)
        .await;
    assert_eq!(unsettled.status, Status::NeedsCheck);
    assert_eq!(
        unsettled.error.as_ref().map(|e| e.kind.as_str()),
        Some("submission_unsettled")
    );
    assert_eq!(creates(&emulator), 1, "nothing was posted again by itself");

    // Looking again cannot settle it on this gateway either.
    let since = rig.recorder.events().len();
    rig.engine.check_again(&generation.id).unwrap();
    let again = rig
        .recorder
        .wait_for_after(since, &generation.id, &[Status::NeedsCheck], WITHIN)
        .await;
    assert_eq!(again.status, Status::NeedsCheck);
    assert_eq!(creates(&emulator), 1);

    // The user accepts the risk and posts again: a new external id, a second task.
    let reposted = rig.engine.post_again(&generation.id).unwrap();
    assert_ne!(reposted.external_task_id, generation.external_task_id);
    let ready = rig.recorder.wait_for(&generation.id, &[Status::Ready], WITHIN).await;
    assert_eq!(ready.status, Status::Ready);
    assert_eq!(tasks_for(&emulator, "unsettled"), 2, "the user chose to pay twice");
    assert!(
        rig.engine.post_again(&generation.id).is_err(),
        "only an unsettled generation can be posted again"
    );
}

#[tokio::test]
async fn a_discarded_generation_stays_in_the_history_as_discarded() {
    let emulator = Emulator::start(EmulatorConfig {
        lookup_by_external: ExternalLookup::None,
        ..EmulatorConfig::fast()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    emulator.push_fault(Fault::reset().on(FaultRoute::Create));
    let generation = rig.engine.generate(&prompt("to discard")).unwrap();
    rig.recorder
        .wait_for(&generation.id, &[Status::NeedsCheck], WITHIN)
        .await;
    let discarded = rig.engine.discard(&generation.id).unwrap();
    assert_eq!(
        (discarded.status, discarded.error.unwrap().kind.as_str()),
        (Status::Failed, "discarded")
    );
    assert_eq!(rig.engine.get(&generation.id).unwrap().status, Status::Failed);
}

/// The app stopped after the POST reached the provider but before the answer was written down.
#[tokio::test]
async fn a_generation_left_submitting_by_a_crash_is_adopted_not_posted_again() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let library = kling_core::Library::open(dir.path()).unwrap();
    let valid =
        kling_core::request::validate(&prompt("crashed mid-post"), &kling_core::rules::COMETAPI_LIMITS).unwrap();
    let stored = library.insert(valid.clone()).unwrap();
    drop(library);
    let body = valid.create_body(&stored.external_task_id, None);
    kling_core::api::Client::new(&emulator.base_url())
        .unwrap()
        .create(KEY, &body)
        .await
        .unwrap();

    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    assert_eq!(rig.engine.resume().unwrap(), 1);
    let ready = rig
        .recorder
        .wait_for(&stored.id, &[Status::Ready, Status::NeedsCheck], WITHIN)
        .await;
    assert_eq!(ready.status, Status::Ready);
    assert_eq!(creates(&emulator), 1, "the restart adopted the task");
}

#[tokio::test]
async fn an_expired_link_is_refreshed_from_the_task() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let forbidden = Fault::status(403, "text/plain", "expired");
    emulator.push_fault(forbidden.on(FaultRoute::Media));
    let refreshed = rig.engine.generate(&prompt("refreshed link")).unwrap();
    let ready = rig
        .recorder
        .wait_for(&refreshed.id, &[Status::Ready, Status::Expired], WITHIN)
        .await;
    assert_eq!(ready.status, Status::Ready, "one 403, then the fresh link worked");
}

#[tokio::test]
async fn a_result_is_expired_only_after_the_providers_30_days_or_when_it_says_so() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    emulator.push_fault(
        Fault::status(403, "text/plain", "expired")
            .on(FaultRoute::Media)
            .with_probability(1.0),
    );
    let link = |task: &str| {
        format!(
            "{}/bs2/upload-kling-api/{task}/text2video/gone.mp4",
            emulator.base_url()
        )
    };
    let old = downloading_row(dir.path(), "a month old", "1", &link("1"), 31 * 24 * 60 * 60 * 1000);
    let forgotten = downloading_row(dir.path(), "unknown to the provider", "2", &link("2"), 0);

    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    rig.engine.resume().unwrap();
    for id in [&old, &forgotten] {
        let expired = rig
            .recorder
            .wait_for(id, &[Status::Ready, Status::Expired], WITHIN)
            .await;
        assert_eq!(expired.status, Status::Expired);
        assert_eq!(expired.error.map(|e| e.kind), Some(kling_core::Kind::ResultExpired));
    }
    let queried = |task: &str| {
        emulator
            .requests()
            .iter()
            .filter(|r| r.is_api() && r.path.ends_with(task))
            .count()
    };
    assert_eq!(queried("/1"), 0, "past 30 days nothing is asked");
    assert!(queried("/2") >= 1, "the provider said it no longer has the task");
}

/// The app stopped after the finished file was renamed into the library but before the catalog
/// said so: the video is recorded as it is, never fetched again (its link may have expired).
#[tokio::test]
async fn a_video_saved_just_before_a_crash_is_recorded_not_fetched_again() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let library = kling_core::Library::open(dir.path()).unwrap();
    let valid = kling_core::request::validate(&prompt("saved in time"), &kling_core::rules::COMETAPI_LIMITS).unwrap();
    let mut stored = library.insert(valid).unwrap();
    stored.task_id = Some("1".into());
    stored.status = Status::Downloading;
    stored.remote_video_url = Some(format!(
        "{}/bs2/upload-kling-api/1/text2video/gone.mp4",
        emulator.base_url()
    ));
    library.save(&mut stored).unwrap();
    let clip = kling_emulator::clip("16:9", "5").unwrap();
    std::fs::write(dir.path().join("videos").join(format!("{}.mp4", stored.id)), clip).unwrap();
    drop(library);

    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    rig.engine.resume().unwrap();
    let ready = rig
        .recorder
        .wait_for(&stored.id, &[Status::Ready, Status::Expired, Status::Failed], WITHIN)
        .await;
    assert_eq!(
        (ready.status, ready.video_bytes),
        (Status::Ready, Some(clip.len() as i64))
    );
    assert!(
        emulator.requests().iter().all(|r| !r.is_media()),
        "nothing was downloaded again"
    );
}
