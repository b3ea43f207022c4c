//! Several takes of one prompt from one click: each its own generation with its own external id,
//! posted through the same pacing and 1303 queue as a single video, on disk together before
//! anything is sent, grouped by one batch id that survives a restart and a catalog rescue.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use kling_core::rules::COMETAPI_LIMITS;
use kling_core::{GenerationRequest, Kind, Library, LibraryQuery, Status};
use kling_emulator::{Emulator, EmulatorConfig};

const WITHIN: Duration = Duration::from_secs(60);
const SETTLED: &[Status] = &[Status::Ready, Status::NeedsCheck, Status::Failed, Status::Expired];

fn takes_of(text: &str, takes: u32) -> GenerationRequest {
    GenerationRequest {
        takes: Some(takes),
        ..prompt(text)
    }
}

/// The take number and count of each generation, in the order given; `None` for a single video.
fn take_numbers(generations: &[kling_core::Generation]) -> Vec<Option<(u32, u32)>> {
    generations
        .iter()
        .map(|g| g.take.as_ref().map(|t| (t.index, t.count)))
        .collect()
}

fn ids(generations: &[kling_core::Generation]) -> Vec<String> {
    generations.iter().map(|g| g.id.clone()).collect()
}

#[tokio::test]
async fn four_takes_on_an_account_that_runs_two_at_a_time_all_end_ready_each_paid_once() {
    let emulator = Emulator::start(EmulatorConfig {
        max_running: Some(2),
        ..EmulatorConfig::fast()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));

    let takes = rig
        .engine
        .generate_takes(&takes_of("four takes of a paper boat", 4))
        .unwrap();
    assert_eq!(
        take_numbers(&takes),
        (1..=4).map(|index| Some((index, 4))).collect::<Vec<_>>()
    );
    let batch = takes[0].take.as_ref().unwrap().batch_id.clone();
    assert!(takes.iter().all(|g| g.take.as_ref().unwrap().batch_id == batch));
    assert!(takes.iter().all(|g| g.status == Status::Submitting));
    let external: HashSet<&str> = takes.iter().map(|g| g.external_task_id.as_str()).collect();
    assert_eq!(external.len(), 4, "each take has its own external id");

    let mut ready = Vec::new();
    for take in &takes {
        let settled = rig.recorder.wait_for(&take.id, SETTLED, WITHIN).await;
        assert_eq!(settled.status, Status::Ready, "{:?}", settled.error);
        assert_eq!(settled.take, take.take, "the take travels with every change");
        ready.push(settled);
    }

    // Four paid tasks, one per take: the account's 1303s created nothing and failed nothing.
    let tasks = emulator.tasks();
    assert_eq!(tasks.len(), 4);
    let paid: HashSet<&str> = tasks.iter().filter_map(|t| t.external_task_id.as_deref()).collect();
    assert_eq!(paid, external);
    for settled in &ready {
        let task = tasks
            .iter()
            .find(|t| t.external_task_id.as_deref() == Some(settled.external_task_id.as_str()))
            .unwrap();
        assert_eq!(settled.task_id.as_deref(), Some(task.task_id.as_str()));
        let posts_after_it_was_made = emulator
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.is_api() && r.body.contains(&settled.external_task_id))
            .filter(|r| r.at_ms > task.created_at)
            .count();
        assert_eq!(posts_after_it_was_made, 0, "a made take is never posted again");
    }
    let statuses: Vec<Vec<Status>> = takes.iter().map(|g| rig.recorder.statuses(&g.id)).collect();
    assert!(
        statuses
            .iter()
            .all(|s| !s.contains(&Status::Failed) && !s.contains(&Status::NeedsCheck)),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().any(|s| s.contains(&Status::Queued)),
        "with two slots, the other takes waited in the queue: {statuses:?}"
    );

    // The gallery shows the batch take 1 first, and so does the batch itself.
    let page = rig.engine.search(&LibraryQuery::default(), None, 10).unwrap();
    assert_eq!(ids(&page.items), ids(&takes));
    assert_eq!(ids(&rig.engine.library().batch(&batch).unwrap()), ids(&takes));

    // The prompt history counts the click once, not once per take.
    let history = rig.engine.library().prompt_history("", 10).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].uses, 1, "{history:?}");
}

#[tokio::test]
async fn takes_out_of_range_are_refused_before_anything_is_sent() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    for takes in [0, 5, 40] {
        let refused = rig
            .engine
            .generate_takes(&takes_of("too many or none", takes))
            .unwrap_err()
            .problem();
        assert_eq!(refused.kind, Kind::TakesOutOfRange, "{takes}");
        assert_eq!(refused.field.as_deref(), Some("takes"));
        assert_eq!(
            (refused.params["min"].clone(), refused.params["max"].clone()),
            (1.into(), 4.into())
        );
    }
    assert!(rig
        .engine
        .search(&LibraryQuery::default(), None, 10)
        .unwrap()
        .items
        .is_empty());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(creates(&emulator), 0, "nothing was sent");

    // Left out, or one: a plain single video, in no batch.
    for request in [prompt("one by default"), takes_of("one asked for", 1)] {
        let made = rig.engine.generate_takes(&request).unwrap();
        assert_eq!(take_numbers(&made), [None]);
        rig.recorder.wait_for(&made[0].id, &[Status::Ready], WITHIN).await;
    }
    assert_eq!(creates(&emulator), 2);
}

#[test]
fn takes_keep_their_batch_and_order_through_a_reopen_and_both_kinds_of_rescue() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("library.sqlite3");
    let valid = |text: &str| kling_core::request::validate(&prompt(text), &COMETAPI_LIMITS).unwrap();
    let (older, takes, newer) = {
        let library = Library::open(dir.path()).unwrap();
        let older = library.insert(valid("made before")).unwrap();
        let mut takes = library.insert_takes(valid("three takes"), 3, None).unwrap();
        // One take finishes, so a rescue has to carry a changed row as well as new ones.
        takes[1].status = Status::Failed;
        library.save(&mut takes[1]).unwrap();
        let newer = library.insert(valid("made after")).unwrap();
        (older, takes, newer)
    };
    let batch = takes[0].take.as_ref().unwrap().batch_id.clone();
    let newest_first = [
        ids(std::slice::from_ref(&newer)),
        ids(&takes),
        ids(std::slice::from_ref(&older)),
    ]
    .concat();
    let check = |library: &Library, when: &str| {
        let shown = library.search(&LibraryQuery::default(), None, 10).unwrap().items;
        assert_eq!(ids(&shown), newest_first, "{when}: newest first, take 1 first");
        assert_eq!(
            take_numbers(&shown),
            [None, Some((1, 3)), Some((2, 3)), Some((3, 3)), None],
            "{when}"
        );
        let oldest_first = library
            .search(
                &LibraryQuery {
                    order: kling_core::library::Order::OldestFirst,
                    ..LibraryQuery::default()
                },
                None,
                10,
            )
            .unwrap()
            .items;
        let mut reversed = newest_first.clone();
        reversed.reverse();
        assert_eq!(
            ids(&oldest_first),
            reversed,
            "{when}: oldest first is the same list backwards"
        );
        let in_batch = library.batch(&batch).unwrap();
        assert_eq!(ids(&in_batch), ids(&takes), "{when}");
        assert_eq!(in_batch[1].status, Status::Failed, "{when}");
        assert!(in_batch.iter().all(|g| g.take.as_ref().unwrap().batch_id == batch));
    };

    check(&Library::open(dir.path()).unwrap(), "reopened");

    // Read through SQLite: the table is whole, the batch index behind it is not.
    damage_page(&catalog, root_page(&catalog, "generations_batch"));
    let library = Library::open(dir.path()).unwrap();
    assert_eq!(library.batch(&batch).unwrap().len(), 3);
    let notice = library.notice().expect("the catalog was set aside").clone();
    assert_eq!(
        (&notice.params["rescued"], &notice.params["lost"]),
        (&5.into(), &0.into())
    );
    check(&library, "rescued through SQLite");
    drop(library);

    // Read from the pages alone: the header page is gone.
    damage_page(&catalog, 1);
    let library = Library::open(dir.path()).unwrap();
    let notice = library.notice().expect("the catalog was set aside").clone();
    assert_eq!(
        (&notice.params["rescued"], &notice.params["lost"]),
        (&5.into(), &0.into())
    );
    check(&library, "rescued from the pages");
}
