//! Spend: what the library's videos cost per local day and month, what was not charged, the
//! user's own prices, the monthly budget and the CSV ledger.

mod common;

use std::time::Duration;

use chrono::DateTime;
use common::*;
use kling_core::ledger::budget::{self, BudgetState};
use kling_core::ledger::{self, Charged, PriceKey, PriceSource, RateCard, Spend, CSV_HEADER};
use kling_core::library::ChatCall;
use kling_core::request::validate;
use kling_core::rules::{self, COMETAPI_LIMITS};
use kling_core::{Generation, GenerationRequest, Kind, Library, Problem, Status};

/// Unix ms of an RFC 3339 time.
fn at(time: &str) -> i64 {
    DateTime::parse_from_rfc3339(time).unwrap().timestamp_millis()
}

fn video(model: &str, mode: &str, duration: &str, sound: bool) -> GenerationRequest {
    GenerationRequest {
        prompt: format!("a paper boat, {model} {mode} {duration}"),
        model_name: Some(model.into()),
        mode: Some(mode.into()),
        duration: Some(duration.into()),
        sound: sound.then(|| "on".into()),
        ..Default::default()
    }
}

/// A generation as the engine leaves it: made at `made_at`, in `status`, with the provider's task
/// id when it accepted the task.
fn stored(
    library: &Library,
    request: &GenerationRequest,
    made_at: i64,
    status: Status,
    task_id: Option<&str>,
    error: Option<Kind>,
) -> Generation {
    let mut generation = library.insert(validate(request, &COMETAPI_LIMITS).unwrap()).unwrap();
    generation.created_at = made_at;
    generation.status = status;
    generation.task_id = task_id.map(str::to_owned);
    generation.error = error.map(Problem::new);
    library.save(&mut generation).unwrap();
    generation
}

fn ready(library: &Library, request: &GenerationRequest, made_at: i64) -> Generation {
    let task = format!(
        "task-{made_at}-{}-{}",
        request.model_name.as_deref().unwrap_or_default(),
        request.duration.as_deref().unwrap_or_default()
    );
    stored(library, request, made_at, Status::Ready, Some(&task), None)
}

fn turbo(duration: &str) -> GenerationRequest {
    video("kling-v2-5-turbo", "pro", duration, false)
}

fn day<'a>(spend: &'a Spend, date: &str) -> &'a ledger::Sum {
    &spend.days.iter().find(|d| d.date == date).unwrap().sum
}

fn months(spend: &Spend) -> Vec<(&str, f64, u32)> {
    spend
        .months
        .iter()
        .map(|m| (m.month.as_str(), m.sum.cents, m.sum.videos))
        .collect()
}

#[test]
fn sums_land_on_the_local_day_and_month_across_a_month_boundary_and_a_time_zone_change() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    ready(
        &library,
        &video("kling-v1", "std", "5", false),
        at("2026-01-31T12:00:00Z"),
    ); // 13 ¢
    ready(&library, &turbo("5"), at("2026-01-31T23:30:00Z")); // 33 ¢
    ready(&library, &turbo("10"), at("2026-02-01T00:30:00Z")); // 66 ¢
    let entries = library.ledger_entries().unwrap();
    let now = at("2026-02-01T12:00:00Z");

    let utc = ledger::spend(&entries, now, 0);
    assert_eq!(utc.days.len(), 30);
    assert_eq!(
        (utc.days[0].date.as_str(), utc.days[29].date.as_str()),
        ("2026-02-01", "2026-01-03"),
        "today first, thirty days back"
    );
    assert_eq!((utc.today.cents, utc.today.videos), (66.0, 1));
    assert_eq!(
        (day(&utc, "2026-01-31").cents, day(&utc, "2026-01-31").videos),
        (46.0, 2)
    );
    assert_eq!((utc.this_month.cents, utc.this_month.videos), (66.0, 1));
    assert_eq!(months(&utc), [("2026-02", 66.0, 1), ("2026-01", 46.0, 2)]);

    // Berlin in winter: half past eleven in UTC is half past midnight, in February.
    let berlin = ledger::spend(&entries, now, 60);
    assert_eq!((berlin.today.cents, berlin.today.videos), (99.0, 2));
    assert_eq!(day(&berlin, "2026-01-31").cents, 13.0);
    assert_eq!(months(&berlin), [("2026-02", 99.0, 2), ("2026-01", 13.0, 1)]);
    let february = &berlin.months[0].by_model;
    assert_eq!(
        february
            .iter()
            .map(|m| (m.model.as_str(), m.mode.as_str(), m.sum.cents, m.sum.videos))
            .collect::<Vec<_>>(),
        [("kling-v2-5-turbo", "pro", 99.0, 2)]
    );

    // New York: all three were made on the 31st of January, and it is the 1st of February there now.
    let new_york = ledger::spend(&entries, now, -300);
    assert_eq!(new_york.days[0].date, "2026-02-01");
    assert_eq!((new_york.today.videos, new_york.this_month.videos), (0, 0));
    assert_eq!(
        (day(&new_york, "2026-01-31").cents, day(&new_york, "2026-01-31").videos),
        (112.0, 3)
    );
    assert_eq!(months(&new_york), [("2026-01", 112.0, 3)]);
}

#[test]
fn unknown_prices_stay_unknown_counted_and_never_added_as_zero() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let now = at("2026-03-10T09:00:00Z");
    ready(&library, &turbo("5"), now - 60_000);
    ready(&library, &video("kling-v3", "pro", "5", true), now - 120_000);
    library
        .record_chat_call(&ChatCall {
            made_at: now - 30_000,
            model: "someone-elses-model".into(),
            prompt_tokens: None,
            completion_tokens: None,
            usd_cents: None,
        })
        .unwrap();

    let entries = library.ledger_entries().unwrap();
    let kling3 = entries.iter().find(|e| e.model == "kling-v3").unwrap();
    assert_eq!((kling3.usd_cents, kling3.price_source), (None, None));
    let spend = ledger::spend(&entries, now, 0);
    for sum in [spend.today, spend.this_month, spend.months[0].sum] {
        assert_eq!((sum.cents, sum.videos, sum.unknown_prices), (33.0, 2, 1));
    }
    let kling3_row = spend.months[0].by_model.iter().find(|m| m.model == "kling-v3").unwrap();
    assert_eq!(
        (kling3_row.sum.videos, kling3_row.sum.unknown_prices),
        (1, 1),
        "a month row of unknown price only says how many"
    );
    assert_eq!(
        (spend.chat.calls, spend.chat.unknown_prices, spend.chat.cents),
        (1, 1, 0.0)
    );
    let check = spend.budget(Some(33.0), Some(100.0));
    assert_eq!((check.state, check.unknown_prices), (BudgetState::Within, 2));
    let json = serde_json::to_value(&spend).unwrap();
    assert_eq!(json["this_month"]["unknown_prices"], 1);
    assert_eq!(json["prices_as_of"], rules::PRICES_AS_OF);
}

#[test]
fn a_users_price_overrides_the_shipped_one_and_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let now = at("2026-03-10T09:00:00Z");
    {
        let library = Library::open(dir.path()).unwrap();
        ready(&library, &turbo("5"), now - 1000);
        ready(&library, &video("kling-v3", "pro", "5", true), now - 2000);
        library
            .set_user_price(&PriceKey::new("kling-v2-5-turbo", "pro", "5", false), 29.5)
            .unwrap();
        library
            .set_user_price(&PriceKey::new("kling-v3", "pro", "5", true), 150.0)
            .unwrap();
        library
            .set_user_price(&PriceKey::new("kling-v3", "pro", "5", true), 140.0)
            .unwrap();
        let refused = library
            .set_user_price(&PriceKey::new("kling-v1", "pro", "5", false), 0.0)
            .unwrap_err();
        assert_eq!(refused.problem().kind, "price_invalid");
        let no_such_row = library
            .set_user_price(&PriceKey::new("kling-v2-5-turbo", "std", "5", false), 20.0)
            .unwrap_err();
        assert_eq!(no_such_row.problem().kind, "price_key_unknown");
    }
    let library = Library::open(dir.path()).unwrap();
    assert_eq!(library.user_prices().unwrap().len(), 2, "refused prices were not kept");
    let card = RateCard::load(&library).unwrap();
    let turbo_price = card
        .price(&PriceKey::new("kling-v2-5-turbo", "pro", "5", false))
        .unwrap();
    assert_eq!((turbo_price.usd_cents, turbo_price.source), (29.5, PriceSource::User));
    let row = card
        .rows()
        .into_iter()
        .find(|r| (r.model, r.mode, r.duration, r.sound) == ("kling-v3", "pro", "5", true))
        .unwrap();
    assert_eq!((row.shipped_cents, row.user_cents), (None, Some(140.0)));

    let spend = ledger::spend(&library.ledger_entries().unwrap(), now, 0);
    assert_eq!((spend.today.cents, spend.today.unknown_prices), (169.5, 0));
    let estimate = card.estimate(&turbo("5"), 4);
    assert_eq!(
        (estimate.total_cents, estimate.source),
        (Some(118.0), Some(PriceSource::User))
    );

    library
        .clear_user_price(&PriceKey::new("kling-v2-5-turbo", "pro", "5", false))
        .unwrap();
    let card = RateCard::load(&library).unwrap();
    let shipped = card.estimate(&turbo("5"), 1);
    assert_eq!(
        (shipped.total_cents, shipped.source),
        (Some(33.0), Some(PriceSource::Shipped))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_the_provider_refused_is_not_charged() {
    let dir = tempfile::tempdir().unwrap();
    let emulator = emulator().await;
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let made = rig.engine.generate(&prompt("a paper boat on a pond")).unwrap();
    let refused = rig.engine.generate(&prompt("a paper boat #emu:policy")).unwrap();
    let within = Duration::from_secs(60);
    rig.recorder.wait_for(&made.id, &[Status::Ready], within).await;
    let failed = rig.recorder.wait_for(&refused.id, &[Status::Failed], within).await;
    assert_eq!(failed.task_id, None, "{:?}", failed.error);

    let entries = rig.engine.library().ledger_entries().unwrap();
    let charged = |id: &str| {
        entries
            .iter()
            .find(|e| e.generation_id.as_deref() == Some(id))
            .unwrap()
            .charged
    };
    assert_eq!(
        (charged(&made.id), charged(&refused.id)),
        (Charged::Charged, Charged::NotCharged)
    );
    let spend = ledger::spend(&entries, kling_core::generation::now_ms(), 0);
    assert_eq!((spend.today.videos, spend.today.cents, spend.not_charged), (1, 33.0, 1));
}

#[test]
fn never_sent_generations_are_not_charged_and_unsettled_ones_may_have_been() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let now = at("2026-03-10T09:00:00Z");
    let request = turbo("5");
    stored(&library, &request, now, Status::Failed, None, Some(Kind::Cancelled));
    stored(&library, &request, now, Status::Failed, None, Some(Kind::BalanceUsedUp));
    stored(&library, &request, now, Status::Queued, None, None);
    stored(
        &library,
        &request,
        now,
        Status::NeedsCheck,
        None,
        Some(Kind::SubmissionUnsettled),
    );
    stored(&library, &request, now, Status::Failed, None, Some(Kind::Discarded));
    stored(
        &library,
        &request,
        now,
        Status::Failed,
        Some("task-failed"),
        Some(Kind::TaskFailed),
    );

    let spend = ledger::spend(&library.ledger_entries().unwrap(), now, 0);
    assert_eq!((spend.not_charged, spend.maybe_charged), (2, 2));
    // The queued one and the unsettled one are on their way: the budget holds them as spent.
    assert_eq!((spend.pending.videos, spend.pending.cents), (2, 66.0));
    assert_eq!(
        (spend.today.videos, spend.today.cents),
        (1, 33.0),
        "only the task the provider accepted counts"
    );
}

#[test]
fn a_deleted_video_stays_in_the_ledger_after_its_row_is_purged() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let now = at("2026-03-10T09:00:00Z");
    let kept = ready(&library, &turbo("5"), now);
    let deleted = ready(&library, &turbo("10"), now);
    library.delete(std::slice::from_ref(&deleted.id)).unwrap();
    assert_eq!(
        ledger::spend(&library.ledger_entries().unwrap(), now, 0).today.cents,
        99.0
    );
    library.purge_deleted(i64::MAX).unwrap();
    assert!(library.get(&deleted.id).unwrap().is_none(), "the row itself is gone");
    drop(library);

    let library = Library::open(dir.path()).unwrap();
    let entries = library.ledger_entries().unwrap();
    let ids: Vec<_> = entries.iter().filter_map(|e| e.generation_id.clone()).collect();
    assert_eq!(ids, [kept.id, deleted.id.clone()]);
    let purged = entries
        .iter()
        .find(|e| e.generation_id == Some(deleted.id.clone()))
        .unwrap();
    assert_eq!(
        (purged.task_id.as_deref(), purged.duration.as_deref(), purged.charged),
        (deleted.task_id.as_deref(), Some("10"), Charged::Charged)
    );
    assert_eq!(ledger::spend(&entries, now, 0).today.cents, 99.0);
}

#[test]
fn the_budget_check_says_within_would_pass_or_passed_and_notes_unknown_prices() {
    let no_budget = budget::check(500.0, 0, Some(33.0), None);
    assert_eq!(
        (no_budget.state, no_budget.after_cents),
        (BudgetState::NoBudget, Some(533.0))
    );
    assert_eq!(
        budget::check(500.0, 0, Some(33.0), Some(1000.0)).state,
        BudgetState::Within
    );
    assert_eq!(
        budget::check(990.0, 0, Some(33.0), Some(1000.0)).state,
        BudgetState::WouldPass
    );
    assert_eq!(
        budget::check(967.0, 0, Some(33.0), Some(1000.0)).state,
        BudgetState::Within,
        "landing on the budget is not passing it"
    );
    assert_eq!(
        budget::check(0.1 + 0.2, 0, Some(0.7), Some(1.0)).state,
        BudgetState::Within,
        "no float rounding tips it"
    );
    let passed = budget::check(1000.0, 0, Some(33.0), Some(1000.0));
    assert_eq!(passed.state, BudgetState::Passed);
    let unknown_next = budget::check(500.0, 3, None, Some(1000.0));
    assert_eq!(
        (
            unknown_next.state,
            unknown_next.after_cents,
            unknown_next.unknown_prices
        ),
        (BudgetState::Within, None, 3)
    );
    assert_eq!(
        serde_json::to_value(budget::check(990.0, 1, Some(33.0), Some(1000.0))).unwrap(),
        serde_json::json!({
            "state": "would_pass", "budget_cents": 1000.0, "spent_cents": 990.0,
            "after_cents": 1023.0, "unknown_prices": 1
        })
    );

    assert_eq!(budget::budget_setting(None).unwrap(), None);
    assert_eq!(budget::budget_setting(Some(2500.0)).unwrap(), Some(2500.0));
    for bad in [0.0, -5.0, f64::NAN, budget::MAX_BUDGET_CENTS * 2.0] {
        let problem = budget::budget_setting(Some(bad)).unwrap_err().problem();
        assert_eq!(
            (problem.kind, problem.params["max"].clone()),
            (Kind::BudgetInvalid, serde_json::Value::from(10000.0))
        );
    }
}

#[test]
fn takes_waiting_for_a_free_slot_count_against_the_budget_before_they_are_sent() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let now = at("2026-03-10T09:00:00Z");
    // One click of four takes on an account that runs two at a time: two accepted, two queued.
    ready(&library, &turbo("5"), now);
    ready(&library, &turbo("5"), now);
    stored(&library, &turbo("5"), now, Status::Queued, None, None);
    stored(&library, &turbo("5"), now, Status::Queued, None, None);
    let spend = ledger::spend(&library.ledger_entries().unwrap(), now, 0);
    assert_eq!((spend.this_month.cents, spend.pending.cents), (66.0, 66.0));
    let next = spend.budget(Some(33.0), Some(150.0));
    assert_eq!((next.state, next.spent_cents), (BudgetState::WouldPass, 132.0));
}

#[test]
fn the_months_budget_counts_the_prompt_coach_too() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let now = at("2026-03-10T09:00:00Z");
    for n in 0..3 {
        ready(&library, &turbo("5"), now - n * 1000);
    }
    library
        .record_chat_call(&ChatCall {
            made_at: now,
            model: "gpt-4o-mini".into(),
            prompt_tokens: Some(400),
            completion_tokens: Some(100),
            usd_cents: Some(1.5),
        })
        .unwrap();
    let spend = ledger::spend(&library.ledger_entries().unwrap(), now, 0);
    assert_eq!((spend.this_month.cents, spend.chat.cents), (99.0, 1.5));
    assert_eq!(spend.budget(Some(33.0), Some(132.0)).state, BudgetState::WouldPass);
    assert_eq!(spend.budget(Some(33.0), Some(133.5)).state, BudgetState::Within);
    assert_eq!(spend.budget(None, Some(101.0)).state, BudgetState::Within);
    assert_eq!(spend.budget(None, Some(100.0)).state, BudgetState::Passed);
}

#[test]
fn the_csv_has_a_header_one_quoted_row_per_entry_and_no_prompts() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let made = ready(&library, &turbo("5"), at("2026-01-31T23:30:00Z"));
    let refused = stored(
        &library,
        &video("kling-v3", "std", "10", true),
        at("2026-02-01T08:00:00Z"),
        Status::Failed,
        None,
        Some(Kind::PolicyRefused),
    );
    let unsettled = stored(
        &library,
        &turbo("10"),
        at("2026-02-01T09:00:00Z"),
        Status::NeedsCheck,
        None,
        None,
    );
    library
        .record_chat_call(&ChatCall {
            made_at: at("2026-02-01T10:00:00Z"),
            model: "my \"cheap\", fast model".into(),
            prompt_tokens: Some(420),
            completion_tokens: Some(60),
            usd_cents: Some(0.0099),
        })
        .unwrap();
    let entries = library.ledger_entries().unwrap();
    let csv = ledger::csv(&entries, 60);

    assert!(!csv.contains("paper boat"), "prompts stay out of the ledger");
    let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
    assert_eq!(lines.len(), 1 + entries.len());
    assert_eq!(lines[0], CSV_HEADER.join(","));
    assert_eq!(
        lines[1],
        format!(
            "2026-02-01 00:30:00,2026-01-31T23:30:00Z,video,kling-v2-5-turbo,pro,5,off,ready,charged,0.33,shipped,{},{}",
            made.id,
            made.task_id.unwrap()
        )
    );
    assert_eq!(
        lines[2],
        format!(
            "2026-02-01 09:00:00,2026-02-01T08:00:00Z,video,kling-v3,std,10,on,failed,not_charged,0.00,unknown,{},",
            refused.id
        )
    );
    assert_eq!(
        lines[3],
        format!(
            "2026-02-01 10:00:00,2026-02-01T09:00:00Z,video,kling-v2-5-turbo,pro,10,off,needs_check,unknown,,shipped,{},",
            unsettled.id
        )
    );
    assert_eq!(
        lines[4],
        "2026-02-01 11:00:00,2026-02-01T10:00:00Z,chat,\"my \"\"cheap\"\", fast model\",,,,,charged,0.000099,shipped,,"
    );
}

#[test]
fn the_ledger_of_ten_thousand_videos_adds_up_every_known_price_and_counts_the_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let rows = kling_emulator::library_fixture::write_library(dir.path(), 10_000).unwrap();
    let library = Library::open(dir.path()).unwrap();
    let entries = library.ledger_entries().unwrap();
    let spend = ledger::spend(&entries, kling_core::generation::now_ms(), 0);

    assert_eq!(entries.len(), rows.len());
    let prices: Vec<Option<u32>> = rows
        .iter()
        .map(|r| rules::price_cents(r.model_name, r.mode, r.duration))
        .collect();
    let known: f64 = prices.iter().flatten().map(|&c| f64::from(c)).sum();
    let unknown = prices.iter().filter(|p| p.is_none()).count() as u32;
    let (cents, unknown_prices) = spend
        .months
        .iter()
        .fold((0.0, 0), |(c, u), m| (c + m.sum.cents, u + m.sum.unknown_prices));
    assert_eq!((cents, unknown_prices), (known, unknown));
}
