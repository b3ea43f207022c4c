//! Every way the gateway or Kling can fail a request, and what the user ends up seeing: a
//! generation that rides through passing trouble, or one that fails with a plain, stable kind.
//! Each case also counts the requests, so a retry storm would fail the test.

mod common;

use std::time::Duration;

use common::*;
use kling_core::{Generation, Status};
use kling_emulator::{Emulator, EmulatorConfig, Fault, FaultRoute};

const WITHIN: Duration = Duration::from_secs(30);
const ENDS: &[Status] = &[Status::Ready, Status::Failed, Status::NeedsCheck, Status::Expired];

struct Outcome {
    generation: Generation,
    statuses: Vec<Status>,
    creates: usize,
    paid_tasks: usize,
}

/// One generation against a new emulator that has `fault` queued on the create route. With
/// `teach`, a first generation runs before, so the app knows lookups by external id work there.
async fn create_with(fault: Fault, teach: bool) -> Outcome {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    if teach {
        let first = rig.engine.generate(&prompt("teacher")).unwrap();
        rig.recorder.wait_for(&first.id, &[Status::Ready], WITHIN).await;
    }
    let creates_before = creates(&emulator);
    emulator.push_fault(fault.on(FaultRoute::Create));
    let generation = rig.engine.generate(&prompt("the case")).unwrap();
    let end = rig.recorder.wait_for(&generation.id, ENDS, WITHIN).await;
    Outcome {
        statuses: rig.recorder.statuses(&generation.id),
        creates: creates(&emulator) - creates_before,
        paid_tasks: emulator
            .tasks()
            .iter()
            .filter(|t| t.request["prompt"] == "the case")
            .count(),
        generation: end,
    }
}

fn kind(outcome: &Outcome) -> Option<&str> {
    outcome.generation.error.as_ref().map(|e| e.kind.as_str())
}

#[tokio::test]
async fn definite_refusals_fail_at_once_with_a_plain_kind() {
    let cases = [
        (
            "gateway 401",
            Fault::gateway(401, "", "invalid token (request id: 1)"),
            "key_rejected",
        ),
        (
            "Kling 1000",
            Fault::kling(401, 1000, "authorization failed"),
            "key_rejected",
        ),
        (
            "Kling 1001",
            Fault::kling(401, 1001, "authorization is empty"),
            "key_rejected",
        ),
        (
            "Kling 1002",
            Fault::kling(401, 1002, "authorization is invalid"),
            "key_rejected",
        ),
        (
            "Kling 1003",
            Fault::kling(401, 1003, "authorization is not yet valid"),
            "key_rejected",
        ),
        (
            "Kling 1004",
            Fault::kling(401, 1004, "authorization has expired"),
            "key_rejected",
        ),
        (
            "balance used up",
            Fault::kling(429, 1102, "resource pack exhausted"),
            "balance_used_up",
        ),
        (
            "account in arrears",
            Fault::kling(429, 1101, "account in arrears"),
            "account_problem",
        ),
        (
            "no access",
            Fault::kling(403, 1103, "no permission for this model"),
            "no_access",
        ),
        (
            "bad parameter",
            Fault::kling(400, 1201, "prompt: too long"),
            "invalid_request",
        ),
        (
            "content policy",
            Fault::kling(400, 1301, "content security policy triggered"),
            "policy_refused",
        ),
        (
            "200 with a code",
            Fault::ok_with_code(1301, "risk control"),
            "policy_refused",
        ),
        (
            "model not found",
            Fault::gateway(503, "model_not_found", "no channel for kling-v2-5-turbo"),
            "unknown_model",
        ),
        (
            "a redirect",
            Fault::redirect("https://example.invalid/"),
            "bad_gateway_config",
        ),
        ("an HTML 404", Fault::html(404), "bad_gateway_config"),
    ];
    for (what, fault, expected) in cases {
        let outcome = create_with(fault, false).await;
        assert_eq!(outcome.generation.status, Status::Failed, "{what}");
        assert_eq!(kind(&outcome), Some(expected), "{what}");
        assert_eq!(outcome.creates, 1, "{what}: a definite refusal is never retried");
        assert_eq!(outcome.paid_tasks, 0, "{what}");
        let message = outcome.generation.provider_message.clone().unwrap_or_default();
        assert!(!message.contains(KEY), "{what}: the details never carry the key");
    }
}

#[tokio::test]
async fn passing_rate_limits_are_waited_out_with_the_same_request() {
    let outcome = create_with(Fault::gateway(429, "", "too many requests").retry_after("1"), false).await;
    assert_eq!(
        (outcome.generation.status, outcome.creates, outcome.paid_tasks),
        (Status::Ready, 2, 1)
    );
    let outcome = create_with(Fault::kling(429, 1302, "rate limit"), false).await;
    assert_eq!(
        (outcome.generation.status, outcome.creates, outcome.paid_tasks),
        (Status::Ready, 2, 1)
    );
    // Three retries at most, then the user is told.
    let outcome = create_with(Fault::kling(429, 1302, "rate limit").times(10), false).await;
    assert_eq!(
        (outcome.generation.status, kind(&outcome), outcome.creates),
        (Status::Failed, Some("rate_limited_gave_up"), 4)
    );
}

#[tokio::test]
async fn a_full_account_waits_in_the_queue_and_goes_by_itself() {
    let outcome = create_with(
        Fault::kling(429, 1303, "parallel task over resource pack limit").times(2),
        false,
    )
    .await;
    assert_eq!(outcome.generation.status, Status::Ready);
    assert_eq!(outcome.statuses[..2], [Status::Submitting, Status::Queued]);
    assert_eq!((outcome.creates, outcome.paid_tasks), (3, 1));
}

#[tokio::test]
async fn a_queued_generation_starts_when_one_of_ours_ends() {
    let emulator = Emulator::start(EmulatorConfig {
        max_running: Some(1),
        processing_ms: 600,
        ..EmulatorConfig::fast()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A slow queue timer (a tenth of the real 30 s is still 3 s): the slot must be what wakes it.
    let rig = engine_with(
        dir.path(),
        &emulator,
        Some(KEY),
        kling_core::PollSchedule { scale: 0.1 },
    );
    let first = rig.engine.generate(&prompt("first")).unwrap();
    rig.recorder
        .wait_for(&first.id, &[Status::Submitted, Status::Processing], WITHIN)
        .await;
    let second = rig.engine.generate(&prompt("second")).unwrap();
    rig.recorder.wait_for(&second.id, &[Status::Queued], WITHIN).await;
    let first_ready = rig.recorder.wait_for(&first.id, &[Status::Ready], WITHIN).await;
    let second_ready = rig.recorder.wait_for(&second.id, &[Status::Ready], WITHIN).await;
    assert_eq!(emulator.tasks().len(), 2);
    let started = emulator
        .tasks()
        .iter()
        .find(|t| t.request["prompt"] == "second")
        .unwrap()
        .created_at as i64;
    assert!(
        started - first_ready.updated_at < 2_000,
        "it went as soon as the first was done, not on the timer"
    );
    assert_eq!(second_ready.status, Status::Ready);
}

#[tokio::test]
async fn a_queued_generation_can_be_cancelled_and_is_never_sent() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_with(
        dir.path(),
        &emulator,
        Some(KEY),
        kling_core::PollSchedule { scale: 0.1 },
    );
    emulator.push_fault(Fault::kling(429, 1303, "parallel task over resource pack limit").on(FaultRoute::Create));
    let generation = rig.engine.generate(&prompt("never mind")).unwrap();
    rig.recorder.wait_for(&generation.id, &[Status::Queued], WITHIN).await;
    let cancelled = rig.engine.discard(&generation.id).unwrap();
    assert_eq!(cancelled.error.map(|e| e.kind), Some(kling_core::Kind::Cancelled));
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(creates(&emulator), 1, "the queue did not try again after the cancel");
    assert_eq!(rig.engine.get(&generation.id).unwrap().status, Status::Failed);
}

#[tokio::test]
async fn ambiguous_failures_are_reconciled_and_paid_once() {
    let cases = [
        ("500/5000", Fault::kling(500, 5000, "internal error")),
        ("503/5001", Fault::kling(503, 5001, "service unavailable")),
        ("504/5002", Fault::kling(504, 5002, "timeout")),
        ("500 gateway", Fault::gateway(500, "invalid_request", "upstream error")),
        ("502 HTML", Fault::html(502)),
        ("524 HTML", Fault::html(524)),
        ("reset", Fault::reset()),
        ("truncated JSON", Fault::truncated()),
        ("created, answer lost", Fault::created_but_lost()),
    ];
    for (what, fault) in cases {
        let outcome = create_with(fault, true).await;
        assert_eq!(
            outcome.generation.status,
            Status::Ready,
            "{what}: {:?}",
            outcome.generation.error
        );
        assert_eq!(outcome.paid_tasks, 1, "{what}: paid once");
        assert!(outcome.creates <= 2, "{what}: {} creates", outcome.creates);
    }
}

#[tokio::test]
async fn failed_polls_never_change_what_the_user_sees() {
    let emulator = Emulator::start(EmulatorConfig {
        processing_ms: 3000,
        ..EmulatorConfig::fast()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let calm = rig.engine.generate(&prompt("a calm day")).unwrap();
    let calm = rig.recorder.wait_for(&calm.id, ENDS, WITHIN).await;
    let baseline = queries_for(&emulator, calm.task_id.as_deref().unwrap());

    let faults = [
        Fault::kling(500, 5000, "internal error"),
        Fault::html(502),
        Fault::gateway(429, "", "slow down").retry_after("1"),
        Fault::reset(),
        Fault::truncated(),
        Fault::ok_with_code(5001, "busy"),
    ];
    let fault_count = faults.len();
    for fault in faults {
        emulator.push_fault(fault.on(FaultRoute::Query));
    }
    let generation = rig.engine.generate(&prompt("through the storm")).unwrap();
    let ready = rig.recorder.wait_for(&generation.id, ENDS, WITHIN).await;
    assert_eq!(ready.status, Status::Ready);
    let seen = rig.recorder.statuses(&generation.id);
    assert!(
        only_forward(&seen),
        "six failed polls, and not one of them showed up as a change: {seen:?}"
    );
    let queries = queries_for(&emulator, ready.task_id.as_deref().unwrap());
    println!("queries: {baseline} without faults, {queries} with {fault_count} failed polls");
    assert!(
        queries <= baseline + 2 * fault_count,
        "{queries} queries against {baseline}: backoff, not a storm"
    );
}

#[tokio::test]
async fn a_succeed_without_a_video_is_asked_twice_more_then_fails_plainly() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let generation = rig.engine.generate(&prompt("empty #emu:no-video")).unwrap();
    let failed = rig.recorder.wait_for(&generation.id, ENDS, WITHIN).await;
    assert_eq!(
        (failed.status, failed.error.map(|e| e.kind)),
        (Status::Failed, Some(kling_core::Kind::NoVideo))
    );
    let task_id = failed.task_id.unwrap();
    let succeed_answers = queries_for(&emulator, &task_id);
    assert!(succeed_answers >= 3, "asked again twice before giving up");
}

/// Slow headers and slow bodies past the client's timeout: a create whose answer never came in
/// time is reconciled and paid once; a query that times out is only a failed poll.
#[tokio::test]
async fn answers_slower_than_the_timeout_count_as_lost_not_as_failures() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let short = kling_core::api::Timeouts {
        create: Duration::from_millis(500),
        query: Duration::from_millis(500),
        ..Default::default()
    };
    let rig = engine_tuned(dir.path(), &emulator.base_url(), Some(KEY), |c| c.timeouts = short);
    let teacher = rig.engine.generate(&prompt("teacher")).unwrap();
    rig.recorder.wait_for(&teacher.id, &[Status::Ready], WITHIN).await;

    for (what, fault) in [
        ("slow headers", Fault::delay(1500)),
        ("slow body", Fault::slow_body(100)),
    ] {
        emulator.push_fault(fault.clone().on(FaultRoute::Create));
        emulator.push_fault(fault.on(FaultRoute::Query));
        let text = format!("patience: {what}");
        let generation = rig.engine.generate(&prompt(&text)).unwrap();
        let end = rig.recorder.wait_for(&generation.id, ENDS, WITHIN).await;
        assert_eq!(end.status, Status::Ready, "{what}: {:?}", end.error);
        // The delayed create may still arrive after the re-post: it is then refused as a duplicate.
        tokio::time::sleep(Duration::from_millis(1600)).await;
        let paid = emulator
            .tasks()
            .iter()
            .filter(|t| t.request["prompt"] == text.as_str())
            .count();
        assert_eq!(paid, 1, "{what}: paid once");
    }
}

#[tokio::test]
async fn the_answers_message_does_not_matter_only_its_code() {
    let mut config = EmulatorConfig::fast();
    config.variants.message = kling_emulator::MessageVariant::Success;
    config.variants.request_id = kling_emulator::RequestIdVariant::Absent;
    config.variants.task_id_format = kling_emulator::TaskIdFormat::Base64;
    config.variants.extra_fields = true;
    config.variants.optional_fields = true;
    config.variants.repeat_status = true;
    let emulator = Emulator::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let generation = rig.engine.generate(&prompt("said differently")).unwrap();
    let ready = rig.recorder.wait_for(&generation.id, ENDS, WITHIN).await;
    assert_eq!(ready.status, Status::Ready);
    assert!(only_forward(&rig.recorder.statuses(&generation.id)));
    assert_eq!(
        ready.task_id.map(|id| id.len()),
        Some(22),
        "a base64-like id, kept as text"
    );
}
