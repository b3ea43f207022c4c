//! Paths where a task the user paid for could end `failed` or `expired`, or be posted twice,
//! although the provider still has it: each needs a specific answer from the gateway or the CDN.

mod common;

use std::time::Duration;

use common::*;
use kling_core::{Kind, Status};
use kling_emulator::{Emulator, EmulatorConfig, Fault, FaultRoute};

const WITHIN: Duration = Duration::from_secs(60);
const SETTLED: &[Status] = &[Status::Ready, Status::NeedsCheck, Status::Failed, Status::Expired];

/// Teaches the engine that this gateway finds tasks by external id, so its "not found" is trusted.
async fn teach(rig: &Rig) {
    let teacher = rig.engine.generate(&prompt("teacher")).unwrap();
    rig.recorder.wait_for(&teacher.id, &[Status::Ready], WITHIN).await;
}

fn not_found_on_every_query() -> Fault {
    Fault::kling(404, 1203, "task not found")
        .on(FaultRoute::Query)
        .with_probability(1.0)
}

/// The create is made but its answer lost, and the gateway keeps saying it does not know the task:
/// posting again with the same id is refused (a duplicate, or 1303 while our own task holds the
/// account's only slot). That refusal is news about the first post, never a failure of the task.
async fn lost_then_refused_re_post(emulator: &Emulator, rig: &Rig, text: &str, extra: Option<Fault>) {
    teach(rig).await;
    emulator.push_fault(Fault::created_but_lost());
    if let Some(fault) = extra {
        emulator.push_fault(fault);
    }
    emulator.push_fault(not_found_on_every_query());
    let generation = rig.engine.generate(&prompt(text)).unwrap();
    let unsettled = rig.recorder.wait_for(&generation.id, SETTLED, WITHIN).await;
    assert_eq!(unsettled.status, Status::NeedsCheck, "{:?}", unsettled.error);

    // Checking again while the gateway still does not know the task: refused again, still open.
    let since = rig.recorder.events().len();
    rig.engine.check_again(&generation.id).unwrap();
    let again = rig
        .recorder
        .wait_for_after(since, &generation.id, SETTLED, WITHIN)
        .await;
    assert_eq!(again.status, Status::NeedsCheck, "{:?}", again.error);

    // Once the gateway finds it, checking again adopts the one task that was paid for.
    emulator.clear_faults();
    let since = rig.recorder.events().len();
    rig.engine.check_again(&generation.id).unwrap();
    let ready = rig
        .recorder
        .wait_for_after(since, &generation.id, SETTLED, WITHIN)
        .await;
    assert_eq!(ready.status, Status::Ready);
    assert_eq!(tasks_for(emulator, text), 1, "paid once");
    assert!(!rig.recorder.statuses(&generation.id).contains(&Status::Failed));
}

#[tokio::test]
async fn a_re_post_refused_as_a_duplicate_leaves_the_task_open_until_it_is_found() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    lost_then_refused_re_post(&emulator, &rig, "duplicate re-post", None).await;
}

#[tokio::test]
async fn with_one_slot_a_re_post_refused_with_1303_waits_and_never_fails() {
    let emulator = Emulator::start(EmulatorConfig {
        max_running: Some(1),
        ..EmulatorConfig::fast()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let full = Fault::kling(429, 1303, "parallel task over resource pack limit").on(FaultRoute::Create);
    lost_then_refused_re_post(&emulator, &rig, "slot held by our own task", Some(full)).await;
}

#[tokio::test]
async fn a_re_post_refused_for_the_balance_goes_to_the_user_not_to_failed() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    teach(&rig).await;
    emulator.push_fault(Fault::created_but_lost());
    emulator.push_fault(Fault::kling(400, 1102, "resource pack exhausted").on(FaultRoute::Create));
    emulator.push_fault(not_found_on_every_query());
    let generation = rig.engine.generate(&prompt("balance used by the first post")).unwrap();
    let unsettled = rig.recorder.wait_for(&generation.id, SETTLED, WITHIN).await;
    assert_eq!(unsettled.status, Status::NeedsCheck);
    let problem = unsettled.error.unwrap();
    assert_eq!(problem.kind, Kind::SubmissionUnsettled);
    assert_eq!(
        problem.params["cause"], "balance_used_up",
        "the reason is kept for the card"
    );
}

/// A CDN's first answers on a new result: two 404s mean "not there yet", not "deleted".
#[tokio::test]
async fn a_new_result_that_answers_404_twice_is_fetched_again_and_saved() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let not_there_yet = Fault::status(404, "application/xml", "<Error>NoSuchKey</Error>");
    emulator.push_fault(not_there_yet.on(FaultRoute::Media).times(2));
    let generation = rig.engine.generate(&prompt("not there yet")).unwrap();
    let end = rig
        .recorder
        .wait_for(
            &generation.id,
            &[Status::Ready, Status::Expired, Status::Failed],
            WITHIN,
        )
        .await;
    assert_eq!(end.status, Status::Ready);
    let media_gets = emulator
        .requests()
        .iter()
        .filter(|r| r.is_media() && r.method == "GET")
        .count();
    assert_eq!(media_gets, 3, "two 404s, then the video");
}

/// A captive portal or a proxy's error page answers 200 with HTML: the video stays downloading,
/// says why, and is tried again.
#[tokio::test]
async fn a_web_page_instead_of_the_video_is_retried_not_failed() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let portal = Fault::status(200, "text/html", "<html><body>Sign in to the hotel Wi-Fi</body></html>");
    emulator.push_fault(portal.on(FaultRoute::Media));
    let generation = rig.engine.generate(&prompt("behind a portal")).unwrap();
    let end = rig
        .recorder
        .wait_for(
            &generation.id,
            &[Status::Ready, Status::Failed, Status::Expired],
            WITHIN,
        )
        .await;
    assert_eq!(end.status, Status::Ready);
    let told = rig
        .recorder
        .events()
        .into_iter()
        .find(|g| g.id == generation.id && g.status == Status::Downloading && g.error.is_some())
        .expect("the card said why the download waits");
    assert_eq!(told.error.unwrap().params["reason"], "not_video");
    let saved = std::fs::read(dir.path().join("videos").join(format!("{}.mp4", generation.id))).unwrap();
    assert!(saved == kling_emulator::clip("16:9", "5").unwrap());
}

/// One library, one process: a second engine on the same folder (another window without a shared
/// session bus) is refused before it can resume, post again or tidy `incoming/`.
#[tokio::test]
async fn a_second_process_on_the_same_library_posts_nothing_and_deletes_nothing() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    teach(&rig).await;
    let valid = kling_core::request::validate(&prompt("left submitting"), &kling_core::rules::COMETAPI_LIMITS).unwrap();
    let stored = rig.engine.library().insert(valid).unwrap();
    let part = dir.path().join("incoming").join("other.mp4.part");
    std::fs::write(&part, b"half a video").unwrap();

    let second = kling_core::Library::open(dir.path());
    let refused = second.err().expect("the second process is refused");
    assert_eq!(refused.problem().kind, Kind::LibraryInUse);
    assert!(part.exists(), "the second process deleted nothing");

    rig.engine.resume().unwrap();
    rig.recorder.wait_for(&stored.id, &[Status::Ready], WITHIN).await;
    let posts = emulator
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.body.contains(&stored.external_task_id))
        .count();
    assert_eq!(posts, 1, "exactly one POST for the submitting row");

    drop(rig);
    assert!(
        kling_core::Library::open(dir.path()).is_ok(),
        "the lock goes with the process that held it"
    );
}

/// The catalog refuses writes right after the create answered (another program holds it locked):
/// the task id lives on in memory, is written once writes work again, and nothing is posted twice,
/// even on a gateway where a lost task could not be found by its external id.
#[tokio::test]
async fn a_task_id_learned_while_the_catalog_refuses_writes_is_kept_and_written_later() {
    let emulator = Emulator::start(EmulatorConfig {
        lookup_by_external: kling_emulator::ExternalLookup::None,
        ..EmulatorConfig::fast()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    emulator.push_fault(Fault::delay(600).on(FaultRoute::Create));
    let generation = rig.engine.generate(&prompt("written later")).unwrap();

    // While the create is on its way, another connection takes the catalog's write lock.
    let blocker = rusqlite::Connection::open(dir.path().join("library.sqlite3")).unwrap();
    blocker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let posted = tokio::time::Instant::now() + WITHIN;
    while creates(&emulator) == 0 {
        assert!(tokio::time::Instant::now() < posted, "the create was never sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Long enough for the adopt's write to give up (busy_timeout is 5 s) and be retried.
    let refused = rig
        .recorder
        .wait_for(&generation.id, &[Status::Submitted, Status::Submitting], WITHIN)
        .await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert!(
        rig.recorder
            .events()
            .iter()
            .any(|g| g.id == generation.id && g.error.as_ref().is_some_and(|e| e.kind == Kind::Storage)),
        "the card showed that the library could not be written ({:?})",
        refused.status
    );
    blocker.execute_batch("COMMIT").unwrap();
    drop(blocker);

    let ready = rig
        .recorder
        .wait_for(
            &generation.id,
            &[Status::Ready, Status::NeedsCheck, Status::Failed],
            WITHIN,
        )
        .await;
    assert_eq!(ready.status, Status::Ready);
    assert_eq!(creates(&emulator), 1, "no second POST");
    assert_eq!(tasks_for(&emulator, "written later"), 1);
}

type Click = Box<dyn Fn(&kling_core::Engine, &str) + Send + Sync>;

/// A sink that records, and acts once the moment a generation reaches `on`: a user's click landing
/// while the driver that made the change is still finishing.
struct ClickAt {
    recorder: std::sync::Arc<Recorder>,
    engine: std::sync::OnceLock<kling_core::Engine>,
    on: Status,
    click: Click,
    clicked: std::sync::atomic::AtomicBool,
}

impl kling_core::EventSink for ClickAt {
    fn generation_changed(&self, generation: &kling_core::Generation) {
        self.recorder.generation_changed(generation);
        if generation.status == self.on && !self.clicked.swap(true, std::sync::atomic::Ordering::SeqCst) {
            (self.click)(self.engine.get().unwrap(), &generation.id);
        }
    }
}

fn clicking_engine(
    dir: &std::path::Path,
    emulator: &Emulator,
    on: Status,
    click: impl Fn(&kling_core::Engine, &str) + Send + Sync + 'static,
) -> (Rig, std::sync::Arc<ClickAt>) {
    let recorder = std::sync::Arc::new(Recorder::default());
    let sink = std::sync::Arc::new(ClickAt {
        recorder: recorder.clone(),
        engine: std::sync::OnceLock::new(),
        on,
        click: Box::new(click),
        clicked: false.into(),
    });
    let rig = engine_tuned(dir, &emulator.base_url(), Some(KEY), |config| {
        config.sink = sink.clone()
    });
    sink.engine.set(rig.engine.clone()).ok().unwrap();
    (
        Rig {
            engine: rig.engine,
            recorder,
        },
        sink,
    )
}

/// "Check again" pressed while the driver that just said "needs check" is still finishing: the
/// row must not be left submitting with nothing carrying it.
#[tokio::test]
async fn check_again_while_the_old_driver_finishes_is_carried_to_the_end() {
    let emulator = std::sync::Arc::new(emulator().await);
    let dir = tempfile::tempdir().unwrap();
    let gateway = emulator.clone();
    let (rig, _sink) = clicking_engine(dir.path(), &emulator, Status::NeedsCheck, move |engine, id| {
        // The gateway finds the task again, and the user presses Check again at that instant.
        gateway.clear_faults();
        engine.check_again(id).unwrap();
    });
    teach(&rig).await;
    emulator.push_fault(Fault::created_but_lost());
    emulator.push_fault(not_found_on_every_query());
    let generation = rig.engine.generate(&prompt("checked at once")).unwrap();
    let end = rig
        .recorder
        .wait_for_after(0, &generation.id, &[Status::Ready], WITHIN)
        .await;
    assert_eq!(end.status, Status::Ready);
    let statuses = rig.recorder.statuses(&generation.id);
    assert!(statuses.contains(&Status::NeedsCheck), "{statuses:?}");
    assert_eq!(tasks_for(&emulator, "checked at once"), 1);
}

/// Cancelling a queued generation the moment it was queued: the driver's later wake-up does not
/// overwrite the cancel, and nothing is posted (or charged) for it.
#[tokio::test]
async fn a_cancelled_queued_generation_is_never_posted_afterwards() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let (rig, _sink) = clicking_engine(dir.path(), &emulator, Status::Queued, |engine, id| {
        engine.discard(id).unwrap();
    });
    emulator.push_fault(Fault::kling(429, 1303, "parallel task over resource pack limit").on(FaultRoute::Create));
    let generation = rig.engine.generate(&prompt("cancelled in the queue")).unwrap();
    let cancelled = rig
        .recorder
        .wait_for(&generation.id, &[Status::Failed, Status::Ready], WITHIN)
        .await;
    assert_eq!(cancelled.error.map(|e| e.kind), Some(Kind::Cancelled));
    // Longer than the queue's own retry (30 s at the test's 1/50 scale).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(creates(&emulator), 1, "only the refused post");
    assert_eq!(tasks_for(&emulator, "cancelled in the queue"), 0);
    assert_eq!(rig.engine.get(&generation.id).unwrap().status, Status::Failed);
}

/// After a key or address change every query says "not found": after a few minutes the card says
/// so and waits for the user instead of asking every 30 s for ever; Check again asks by task id.
#[tokio::test]
async fn a_task_the_provider_no_longer_knows_is_handed_to_the_user_and_checked_again_by_id() {
    let emulator = Emulator::start(EmulatorConfig {
        processing_ms: 60_000,
        ..EmulatorConfig::fast()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let generation = rig.engine.generate(&prompt("forgotten")).unwrap();
    let running = rig
        .recorder
        .wait_for(&generation.id, &[Status::Processing], WITHIN)
        .await;
    let task_id = running.task_id.clone().unwrap();
    emulator.push_fault(not_found_on_every_query());

    let unknown = rig
        .recorder
        .wait_for(&generation.id, &[Status::NeedsCheck], WITHIN)
        .await;
    assert_eq!(unknown.error.map(|e| e.kind), Some(Kind::TaskUnknown));
    let asked = queries_for(&emulator, &task_id);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        queries_for(&emulator, &task_id),
        asked,
        "no more polling once handed over"
    );

    emulator.clear_faults();
    emulator.set_task_status(&task_id, "succeed", None);
    let since = rig.recorder.events().len();
    rig.engine.check_again(&generation.id).unwrap();
    let ready = rig
        .recorder
        .wait_for_after(since, &generation.id, &[Status::Ready], WITHIN)
        .await;
    assert_eq!(ready.task_id.as_deref(), Some(task_id.as_str()));
    assert_eq!(creates(&emulator), 1, "checked by its task id, never posted again");
}

/// A result server of the kind that answers without a Content-Length and may stop early, or
/// resume from the wrong place: `answer(n, range)` gives the n-th response's status line,
/// headers and body; the connection is closed after each.
async fn raw_server(answer: impl Fn(usize, Option<u64>) -> (String, Vec<u8>) + Send + Sync + 'static) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut served = 0;
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut request = vec![0u8; 4096];
            let n = socket.read(&mut request).await.unwrap_or(0);
            let text = String::from_utf8_lossy(&request[..n]).to_lowercase();
            let range = text
                .lines()
                .find_map(|l| l.strip_prefix("range: bytes="))
                .and_then(|r| {
                    r.trim_end_matches('-')
                        .trim_end_matches("-\r")
                        .split('-')
                        .next()?
                        .trim()
                        .parse()
                        .ok()
                });
            let (head, body) = answer(served, range);
            served += 1;
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&body).await;
            let _ = socket.shutdown().await;
        }
    });
    format!("http://{address}/result.mp4")
}

/// Resumes the library in `dir`, where generation `id` is downloading, and returns the video it
/// saved once ready.
async fn resumed_video(dir: &std::path::Path, emulator: &Emulator, id: &str) -> Vec<u8> {
    let rig = engine_on(dir, emulator, Some(KEY));
    rig.engine.resume().unwrap();
    let end = rig
        .recorder
        .wait_for(id, &[Status::Ready, Status::Failed], WITHIN)
        .await;
    assert_eq!(end.status, Status::Ready, "{:?}", end.error);
    std::fs::read(dir.join("videos").join(format!("{id}.mp4"))).unwrap()
}

#[tokio::test]
async fn a_download_without_a_length_that_ends_early_is_fetched_again_whole() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let clip = kling_emulator::clip("16:9", "5").unwrap();
    let url = raw_server(move |n, _| {
        let body = if n == 0 {
            clip[..clip.len() / 2].to_vec()
        } else {
            clip.to_vec()
        };
        (
            "HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\nconnection: close\r\n\r\n".into(),
            body,
        )
    })
    .await;
    let id = downloading_row(dir.path(), "served oddly", "1", &url, 0);
    let saved = resumed_video(dir.path(), &emulator, &id).await;
    assert!(saved == clip, "the whole clip, not the first half");
}

#[tokio::test]
async fn a_resume_answered_from_the_wrong_offset_starts_over() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let clip = kling_emulator::clip("16:9", "5").unwrap();
    let url = raw_server(move |_, range| match range {
        // Asked to resume, it sends the file from the start anyway, labelled as a part.
        Some(_) => (
            format!(
                "HTTP/1.1 206 Partial Content\r\ncontent-type: video/mp4\r\ncontent-range: bytes 0-{}/{}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                clip.len() - 1,
                clip.len(),
                clip.len()
            ),
            clip.to_vec(),
        ),
        None => (
            format!("HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", clip.len()),
            clip.to_vec(),
        ),
    })
    .await;
    let id = downloading_row(dir.path(), "served oddly", "1", &url, 0);
    std::fs::write(
        dir.path().join("incoming").join(format!("{id}.mp4.part")),
        &clip[..1000],
    )
    .unwrap();
    let saved = resumed_video(dir.path(), &emulator, &id).await;
    assert!(saved == clip, "no spliced file");
}

/// A server that cut every download short until the engine gave up: "Download again" asks once
/// more and saves the whole video, without a new task.
#[tokio::test]
async fn download_again_fetches_a_result_whose_download_gave_up() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let clip = kling_emulator::clip("16:9", "5").unwrap();
    let url = raw_server(move |n, _| {
        let body = if n < 5 {
            clip[..clip.len() / 2].to_vec()
        } else {
            clip.to_vec()
        };
        (
            "HTTP/1.1 200 OK\r\ncontent-type: video/mp4\r\nconnection: close\r\n\r\n".into(),
            body,
        )
    })
    .await;
    let id = downloading_row(dir.path(), "served oddly", "1", &url, 0);
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    rig.engine.resume().unwrap();
    let failed = rig
        .recorder
        .wait_for(&id, &[Status::Failed, Status::Ready], WITHIN)
        .await;
    assert_eq!(failed.status, Status::Failed);
    assert_eq!(failed.error.unwrap().params["reason"], "incomplete");

    let since = rig.recorder.events().len();
    rig.engine.download_again(&id).unwrap();
    let ready = rig
        .recorder
        .wait_for_after(since, &id, &[Status::Ready, Status::Failed], WITHIN)
        .await;
    assert_eq!(ready.status, Status::Ready);
    assert_eq!(creates(&emulator), 0);
    assert!(
        rig.engine.download_again(&id).is_err(),
        "only a download that gave up, or an expired result, can be fetched again"
    );
}

/// A task made elsewhere, recovered by pasting its id: saved like our own, once.
#[tokio::test]
async fn a_task_recovered_by_its_id_is_saved_once_and_unknown_or_expired_ones_say_so() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let client = kling_core::api::Client::new(&emulator.base_url()).unwrap();
    let made_elsewhere = |text: &str| {
        let valid = kling_core::request::validate(&prompt(text), &kling_core::rules::COMETAPI_LIMITS).unwrap();
        valid.create_body(&format!("other-tool-{text}"), None)
    };
    let task = client.create(KEY, &made_elsewhere("elsewhere")).await.unwrap().task_id;

    let recovered = rig.engine.recover(&format!("  {task} ")).await.unwrap();
    let ready = rig
        .recorder
        .wait_for(&recovered.id, &[Status::Ready, Status::Failed, Status::Expired], WITHIN)
        .await;
    assert_eq!(ready.status, Status::Ready);
    let saved = std::fs::read(dir.path().join("videos").join(format!("{}.mp4", recovered.id))).unwrap();
    assert!(saved == kling_emulator::clip("16:9", "5").unwrap());

    let cards = || {
        let page = rig.engine.search(&kling_core::LibraryQuery::default(), None, 50);
        page.unwrap().items.len()
    };
    let again = rig.engine.recover(&task).await.unwrap();
    assert_eq!(again.id, recovered.id, "pasting the same id finds the existing card");
    assert_eq!(cards(), 1);

    let unknown = rig.engine.recover("7000000000000000001").await.unwrap_err();
    assert_eq!(unknown.problem().kind, Kind::TaskNotFound);
    let pasted_badly = rig.engine.recover("12 34").await.unwrap_err();
    assert_eq!(pasted_badly.problem().kind, Kind::TaskIdInvalid);

    let gone = client.create(KEY, &made_elsewhere("gone")).await.unwrap().task_id;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    emulator.set_task_video_url(&gone, "");
    let expired = rig.engine.recover(&gone).await.unwrap();
    assert_eq!(expired.status, Status::Expired);
    assert_eq!(cards(), 2, "nothing stored for the unknown id");
    assert_eq!(creates(&emulator), 2, "recovering never posts");
}

/// A partial download whose row this catalog does not hold (lost with a catalog set aside) may
/// still be paid work: resume keeps it, and still tidies what is not a download.
#[tokio::test]
async fn resume_keeps_partial_downloads_of_rows_it_does_not_know() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    drop(kling_core::Library::open(dir.path()).unwrap());
    let incoming = dir.path().join("incoming");
    let orphan = incoming.join("3f6c1e2a-8b47-4d0e-9a51-7c2d9e0b4f18.mp4.part");
    let junk = incoming.join("leftover.tmp");
    std::fs::write(&orphan, b"half a paid video").unwrap();
    std::fs::write(&junk, b"x").unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    rig.engine.resume().unwrap();
    assert!(orphan.exists(), "the partial download of an unknown row is kept");
    assert!(!junk.exists(), "what is not a partial download is tidied");
}

/// The key is revoked while a video is being made: the card says so (not "taking longer"), and
/// saving a new key asks about the video at once; it then finishes.
#[tokio::test]
async fn a_video_whose_key_was_revoked_says_so_and_goes_on_after_a_new_key() {
    let emulator = Emulator::start(EmulatorConfig {
        processing_ms: 60_000,
        ..EmulatorConfig::fast()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_with(
        dir.path(),
        &emulator,
        Some(KEY),
        kling_core::PollSchedule { scale: 1.0 },
    );
    let generation = rig.engine.generate(&prompt("key revoked mid-way")).unwrap();
    let running = rig
        .recorder
        .wait_for(&generation.id, &[Status::Processing], WITHIN)
        .await;
    let task_id = running.task_id.clone().unwrap();
    emulator.push_fault(
        Fault::gateway(401, "", "invalid token")
            .on(FaultRoute::Query)
            .with_probability(1.0),
    );
    // At the documented schedule the next check is ~5 s away; a callback-like nudge is not sent,
    // so this waits for the tracker's own turn once.
    let stuck = loop {
        let last = rig
            .recorder
            .events()
            .into_iter()
            .rev()
            .find(|g| g.id == generation.id)
            .unwrap();
        if last.error.is_some() {
            break last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(stuck.status, Status::Processing, "it keeps waiting");
    assert_eq!(stuck.error.map(|e| e.kind), Some(Kind::WaitingForKey));

    // A few refusals later the tracker's own pauses are seconds long.
    let refused = queries_for(&emulator, &task_id);
    while queries_for(&emulator, &task_id) < refused + 2 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    emulator.clear_faults();
    emulator.set_task_status(&task_id, "succeed", None);
    let asked = queries_for(&emulator, &task_id);
    let since = rig.recorder.events().len();
    rig.engine
        .save_key("Bearer sk-new-key-5678 ", kling_core::secrets::KeyScope::Keychain)
        .await
        .unwrap();
    // Well under the tracker's own pause after a few refusals (up to 8 s), with room for a busy
    // machine.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(
        queries_for(&emulator, &task_id) > asked,
        "asked at once after the new key"
    );
    let ready = rig
        .recorder
        .wait_for_after(since, &generation.id, &[Status::Ready], WITHIN)
        .await;
    assert!(ready.error.is_none());
}

#[tokio::test]
async fn a_badly_pasted_key_is_refused_before_anything_is_sent() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, None);
    for bad in ["sk-abc\u{7}123", "sk-abc 123", "sk-äbc123"] {
        let refused = rig
            .engine
            .save_key(bad, kling_core::secrets::KeyScope::Keychain)
            .await
            .unwrap_err();
        assert_eq!(refused.problem().kind, Kind::KeyMalformed, "{bad:?}");
    }
    assert!(emulator.requests().is_empty(), "no request reached the provider");
    assert!(!rig.engine.key_status().set);
}
