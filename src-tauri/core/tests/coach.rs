//! The prompt coach against the emulator's chat route: what is sent (the instructions, the limit,
//! the language, the key only where it belongs), what comes back (always a prompt the validator
//! accepts, or a refusal that says why), and that each paid call is counted.

mod common;

use std::time::Duration;

use common::{emulator, engine_on, engine_tuned, prompt, KEY};
use kling_core::api::Timeouts;
use kling_core::coach::{CoachRequest, DiffOp, Suggestion, DEFAULT_CHAT_MODEL};
use kling_core::request::validate;
use kling_core::rules::{visible_len, COMETAPI_LIMITS};
use kling_core::{Engine, Kind};
use kling_emulator::{ChatOutcome, Emulator, EmulatorConfig, Fault, FaultRoute, RecordedRequest};
use serde_json::Value;

fn ask(text: &str) -> CoachRequest {
    CoachRequest {
        prompt: text.into(),
        duration: "10".into(),
        aspect_ratio: "9:16".into(),
        model: String::new(),
        ui_language: "en".into(),
    }
}

fn chat_requests(emulator: &Emulator) -> Vec<RecordedRequest> {
    emulator
        .requests()
        .into_iter()
        .filter(RecordedRequest::is_chat)
        .collect()
}

fn only_chat_body(emulator: &Emulator) -> Value {
    let chats = chat_requests(emulator);
    assert_eq!(chats.len(), 1, "one chat call");
    serde_json::from_str(&chats[0].body).unwrap()
}

/// What the user would see: the words they wrote and the words of the suggestion, read back
/// from the diff.
/// The two texts the diff reads as, a part glued to the one before it (punctuation) without a space.
fn sides(suggestion: &Suggestion) -> (String, String) {
    let side = |keep: DiffOp| {
        let mut text = String::new();
        for part in suggestion
            .diff
            .iter()
            .filter(|part| part.op == DiffOp::Same || part.op == keep)
        {
            if !text.is_empty() && !part.glued {
                text.push(' ');
            }
            text.push_str(&part.text);
        }
        text
    };
    (side(DiffOp::Removed), side(DiffOp::Added))
}

fn passes_the_validator(text: &str) {
    let valid = validate(&prompt(text), &COMETAPI_LIMITS).expect("the suggestion passes the validator");
    assert_eq!(valid.prompt, text, "and needs no cleaning");
}

async fn failure_of(engine: &Engine, request: &CoachRequest) -> kling_core::Problem {
    engine.improve_prompt(request).await.unwrap_err().problem()
}

#[tokio::test]
async fn a_german_prompt_is_improved_in_german_along_the_formula_within_the_limit() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));

    let suggestion = rig.engine.improve_prompt(&ask("Ein Hund im Regen")).await.unwrap();

    assert_eq!(suggestion.language, "de");
    assert!(
        suggestion.text.starts_with("Ein Hund im Regen")
            && suggestion.text.contains("langsame Kamerafahrt nach vorn")
            && suggestion.text.contains("weiches Licht zur goldenen Stunde"),
        "{}",
        suggestion.text
    );
    assert!(!suggestion.trimmed);
    passes_the_validator(&suggestion.text);
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(
        sides(&suggestion),
        ("Ein Hund im Regen".into(), words(&suggestion.text))
    );
    assert!(suggestion
        .diff
        .iter()
        .any(|part| part.op == DiffOp::Added && part.text.contains("Kamerafahrt")));

    let body = only_chat_body(&emulator);
    assert_eq!(body["model"], DEFAULT_CHAT_MODEL);
    assert!(body["max_tokens"].as_u64().is_some_and(|n| n > 0));
    let instructions = body["messages"][0]["content"].as_str().unwrap();
    assert_eq!(body["messages"][0]["role"], "system");
    let limit = format!("at most {} characters", COMETAPI_LIMITS.prompt_max_chars);
    for expected in [
        "Answer in German.",
        limit.as_str(),
        "10 seconds",
        "9:16",
        "subject",
        "movement",
        "scene",
        "camera language",
        "light",
        "atmosphere",
        "prompt only",
    ] {
        assert!(
            instructions.contains(expected),
            "{expected:?} missing from {instructions}"
        );
    }
    assert_eq!(
        body["messages"][1],
        serde_json::json!({"role": "user", "content": "Ein Hund im Regen"}),
        "the prompt travels alone, as the user wrote it"
    );
    assert_eq!(common::creates(&emulator), 0, "nothing is sent to Kling");
}

#[tokio::test]
async fn an_english_prompt_stays_english_under_a_german_window_and_a_bare_word_follows_the_window() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));

    let english = rig
        .engine
        .improve_prompt(&CoachRequest {
            ui_language: "de".into(),
            ..ask("a lighthouse in the storm")
        })
        .await
        .unwrap();
    assert_eq!(english.language, "en");
    assert!(
        english.text.contains("slow push-in, soft golden-hour light"),
        "{}",
        english.text
    );

    let bare = rig
        .engine
        .improve_prompt(&CoachRequest {
            ui_language: "de".into(),
            ..ask("Leuchtturm")
        })
        .await
        .unwrap();
    assert_eq!(bare.language, "de");
    assert!(bare.text.contains("Kamerafahrt"), "{}", bare.text);
}

#[tokio::test]
async fn the_key_travels_only_in_the_authorization_header_to_the_api_address() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    rig.engine.improve_prompt(&ask("a paper boat")).await.unwrap();

    let requests = emulator.requests();
    assert_eq!(requests.len(), 1, "one request, nothing else: {requests:?}");
    let chat = &requests[0];
    assert_eq!(
        (chat.method.as_str(), chat.path.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(chat.query, None);
    assert_eq!(chat.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    let port = emulator.port().to_string();
    assert!(chat.header("host").is_some_and(|host| host.ends_with(&port)));
    for (name, value) in &chat.headers {
        assert!(name == "authorization" || !value.contains(KEY), "the key is in {name}");
    }
    assert!(!chat.body.contains(KEY), "the key is in the body");
}

#[tokio::test]
async fn an_over_long_answer_is_cut_at_a_sentence_and_passes_the_validator() {
    let emulator = emulator().await;
    emulator.set_config(|c| c.chat.outcome = ChatOutcome::OverLong);
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));

    for (text, language) in [
        ("a fox crossing a frozen lake", "en"),
        ("Ein Fuchs überquert einen gefrorenen See", "de"),
    ] {
        let suggestion = rig.engine.improve_prompt(&ask(text)).await.unwrap();
        assert!(suggestion.trimmed, "{text}");
        assert_eq!(suggestion.language, language);
        assert!(visible_len(&suggestion.text) <= COMETAPI_LIMITS.prompt_max_chars);
        assert!(suggestion.text.starts_with(text));
        assert!(
            suggestion.text.ends_with('.'),
            "ends on a whole sentence: {}",
            suggestion.text
        );
        passes_the_validator(&suggestion.text);
    }
}

#[tokio::test]
async fn an_empty_answer_is_refused_but_counted_as_paid() {
    let emulator = emulator().await;
    emulator.set_config(|c| c.chat.outcome = ChatOutcome::Empty);
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));

    let problem = failure_of(&rig.engine, &ask("a paper boat")).await;
    assert_eq!(problem.kind, Kind::CoachEmptyAnswer);
    assert_eq!(rig.engine.library().chat_calls_since(0).unwrap().len(), 1);
}

#[tokio::test]
async fn each_failure_of_the_chat_call_has_its_own_kind_and_costs_nothing() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let short = Timeouts {
        chat: Duration::from_millis(400),
        ..Default::default()
    };
    let rig = engine_tuned(dir.path(), &emulator.base_url(), Some(KEY), |c| c.timeouts = short);
    let request = ask("a paper boat");

    for (outcome, kind) in [
        (ChatOutcome::RateLimited, Kind::CoachRateLimited),
        (ChatOutcome::ModelNotFound, Kind::CoachModelUnavailable),
        (ChatOutcome::Slow, Kind::CoachTimeout),
    ] {
        emulator.set_config(|c| {
            c.chat.outcome = outcome;
            c.chat.slow_ms = 3_000;
        });
        assert_eq!(failure_of(&rig.engine, &request).await.kind, kind, "{outcome:?}");
    }
    emulator.set_config(|c| c.chat.outcome = ChatOutcome::Suggest);

    let unknown = CoachRequest {
        model: "gpt-nobody-offers".into(),
        ..request.clone()
    };
    let problem = failure_of(&rig.engine, &unknown).await;
    assert_eq!(problem.kind, Kind::CoachModelUnavailable);
    assert_eq!(
        problem.params["model"], "gpt-nobody-offers",
        "the message names the model"
    );

    for fault in [Fault::reset(), Fault::html(502)] {
        emulator.push_fault(fault.on(FaultRoute::Chat));
        assert_eq!(failure_of(&rig.engine, &request).await.kind, Kind::CoachUnavailable);
    }

    assert!(rig.engine.library().chat_calls_since(0).unwrap().is_empty());
    rig.engine
        .improve_prompt(&request)
        .await
        .expect("the coach works again");
}

#[tokio::test]
async fn a_refused_key_is_the_key_rejected_problem() {
    let emulator = Emulator::start(EmulatorConfig {
        api_key: Some("sk-the-right-one".into()),
        ..EmulatorConfig::fast()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    assert_eq!(
        failure_of(&rig.engine, &ask("a paper boat")).await.kind,
        Kind::KeyRejected
    );
}

#[tokio::test]
async fn without_a_key_or_a_prompt_nothing_is_sent() {
    let emulator = emulator().await;
    let (keyless_dir, dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let keyless = engine_on(keyless_dir.path(), &emulator, None);
    assert_eq!(
        failure_of(&keyless.engine, &ask("a paper boat")).await.kind,
        Kind::KeyMissing
    );

    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let problem = failure_of(&rig.engine, &ask(" \n ")).await;
    assert_eq!(
        (problem.kind, problem.field.as_deref()),
        (Kind::PromptEmpty, Some("prompt"))
    );
    let problem = failure_of(
        &rig.engine,
        &CoachRequest {
            duration: "7".into(),
            ..ask("a paper boat")
        },
    )
    .await;
    assert_eq!(
        (problem.kind, problem.field.as_deref()),
        (Kind::OptionNotAllowed, Some("duration"))
    );

    assert!(emulator.requests().is_empty(), "{:?}", emulator.requests());
}

#[tokio::test]
async fn a_successful_call_is_counted_for_the_spend_ledger() {
    let emulator = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some(KEY));
    let before = kling_core::generation::now_ms();

    let suggestion = rig.engine.improve_prompt(&ask("a paper boat")).await.unwrap();

    assert_eq!(only_chat_body(&emulator)["model"], DEFAULT_CHAT_MODEL);
    let calls = rig.engine.library().chat_calls_since(before).unwrap();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.model, DEFAULT_CHAT_MODEL);
    assert!(call.made_at >= before);
    let (input, output) = (call.prompt_tokens.unwrap(), call.completion_tokens.unwrap());
    assert!(
        input > 100 && output > 0,
        "the provider's counts: {input} in, {output} out"
    );
    let cents = call.usd_cents.expect("the default model is priced");
    assert!(cents > 0.0 && cents < 1.0, "{cents}");
    assert_eq!(
        suggestion.estimate.cents,
        Some(cents),
        "the window shows what was counted"
    );
    assert!(suggestion.estimate.estimate);
}

#[tokio::test]
async fn demo_mode_answers_the_coach_too() {
    let emulator = Emulator::start(EmulatorConfig::demo("demo-key")).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rig = engine_on(dir.path(), &emulator, Some("demo-key"));
    let suggestion = rig.engine.improve_prompt(&ask("a paper boat")).await.unwrap();
    assert!(suggestion.text.contains("slow push-in"));
    passes_the_validator(&suggestion.text);
}
