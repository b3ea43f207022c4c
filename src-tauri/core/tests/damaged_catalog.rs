//! A damaged catalog keeps its paid work: behind a damaged index page, next to a row that does not
//! decode, or after its header page is destroyed, a generation the provider is working on resumes
//! and ends ready.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use kling_core::rules::COMETAPI_LIMITS;
use kling_core::{Library, Status};
use kling_emulator::Emulator;
use rusqlite::Connection;

const WITHIN: Duration = Duration::from_secs(30);
const SETTLED: &[Status] = &[Status::Ready, Status::Failed, Status::Expired, Status::NeedsCheck];

fn catalog(root: &Path) -> PathBuf {
    root.join("library.sqlite3")
}

/// A generation the provider is working on, as a stopped app left it; returns its id.
async fn processing_row(root: &Path, emulator: &Emulator, text: &str) -> String {
    let library = Library::open(root).unwrap();
    let valid = kling_core::request::validate(&prompt(text), &COMETAPI_LIMITS).unwrap();
    let mut stored = library.insert(valid.clone()).unwrap();
    let body = valid.create_body(&stored.external_task_id, None);
    let created = kling_core::api::Client::new(&emulator.base_url())
        .unwrap()
        .create(KEY, &body)
        .await
        .unwrap();
    stored.task_id = Some(created.task_id);
    stored.status = Status::Processing;
    library.save(&mut stored).unwrap();
    stored.id
}

/// A finished generation whose provider message spills onto overflow pages; returns its id.
fn ready_row(root: &Path, text: &str, message: &str) -> String {
    let library = Library::open(root).unwrap();
    let valid = kling_core::request::validate(&prompt(text), &COMETAPI_LIMITS).unwrap();
    let mut stored = library.insert(valid).unwrap();
    stored.task_id = Some("finished-task".into());
    stored.status = Status::Ready;
    stored.provider_message = Some(message.into());
    library.save(&mut stored).unwrap();
    stored.id
}

async fn resumes_behind_a_damaged_index(index: &str) {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let id = processing_row(dir.path(), &emulator, &format!("behind {index}")).await;
    damage_page(&catalog(dir.path()), root_page(&catalog(dir.path()), index));

    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    assert_eq!(rig.engine.resume().unwrap(), 1);
    let settled = rig.recorder.wait_for(&id, SETTLED, WITHIN).await;
    assert_eq!(settled.status, Status::Ready, "{index}");
    assert_eq!(
        creates(&emulator),
        1,
        "{index}: the task was tracked, not paid for again"
    );
    // REINDEX cannot clear a page it cannot read: the table was whole, so every row came through.
    let notice = rig.engine.library().notice().expect("the user is told");
    assert_eq!(
        (&notice.params["rescued"], &notice.params["lost"]),
        (&1.into(), &0.into()),
        "{index}"
    );
}

#[tokio::test]
async fn a_processing_generation_resumes_behind_a_damaged_unfinished_index() {
    resumes_behind_a_damaged_index("generations_unfinished").await;
}

#[tokio::test]
async fn a_processing_generation_resumes_behind_a_damaged_task_id_index() {
    resumes_behind_a_damaged_index("generations_task_id").await;
}

#[tokio::test]
async fn a_row_that_does_not_decode_is_reported_and_the_others_resume() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let good = processing_row(dir.path(), &emulator, "next to a damaged row").await;
    let bad = processing_row(dir.path(), &emulator, "its request is damaged").await;
    Connection::open(catalog(dir.path()))
        .unwrap()
        .execute(
            "UPDATE generations SET request_json = '{not json' WHERE id = ?1",
            [&bad],
        )
        .unwrap();

    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    assert_eq!(rig.engine.resume().unwrap(), 1, "the damaged row is skipped, not fatal");
    let settled = rig.recorder.wait_for(&good, SETTLED, WITHIN).await;
    assert_eq!(settled.status, Status::Ready);
    let library = rig.engine.library();
    let undecodable = library.undecodable();
    assert_eq!(undecodable.len(), 1);
    assert_eq!(undecodable[0].id.as_deref(), Some(bad.as_str()));
    let shown: Vec<String> = rig
        .engine
        .search(&kling_core::LibraryQuery::default(), None, 10)
        .unwrap()
        .items
        .into_iter()
        .map(|g| g.id)
        .collect();
    assert_eq!(shown, [good], "the gallery shows the rest");
    let report = library.check_integrity().unwrap();
    assert_eq!(
        (report.problems.len(), report.undecodable, report.set_aside.is_none()),
        (0, 1, true),
        "the catalog itself is sound, and the row stays in it"
    );
    assert!(library.notice().is_none());
}

#[tokio::test]
async fn rows_behind_a_destroyed_header_page_are_rescued_into_a_new_catalog() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let processing = processing_row(dir.path(), &emulator, "under a destroyed header").await;
    let message = "a long provider message that does not fit on one page. ".repeat(200);
    let finished = ready_row(dir.path(), "finished before the damage", &message);
    damage_page(&catalog(dir.path()), 1);
    let damaged = std::fs::read(catalog(dir.path())).unwrap();

    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let notice = rig.engine.library().notice().cloned().expect("the user is told");
    assert_eq!(notice.kind, "library_set_aside");
    assert_eq!(
        (&notice.params["rescued"], &notice.params["lost"]),
        (&2.into(), &0.into())
    );
    let aside = PathBuf::from(notice.params["path"].as_str().unwrap());
    assert_eq!(
        std::fs::read(aside).unwrap(),
        damaged,
        "the old file is kept byte for byte"
    );

    assert_eq!(rig.engine.resume().unwrap(), 1);
    let settled = rig.recorder.wait_for(&processing, SETTLED, WITHIN).await;
    assert_eq!(settled.status, Status::Ready);
    assert_eq!(creates(&emulator), 1, "the task was tracked, not paid for again");
    let kept = rig.engine.get(&finished).unwrap();
    assert_eq!(
        (kept.status, kept.task_id.as_deref(), kept.provider_message.as_deref()),
        (Status::Ready, Some("finished-task"), Some(message.as_str()))
    );
    assert_eq!(kept.request.prompt, "finished before the damage");
}
