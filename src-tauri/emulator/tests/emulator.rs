//! The emulator seen from outside: raw HTTP with reqwest, no client code of kling-core.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use kling_emulator::{
    sign_webhook, AuthStyle, CallbackConfig, Emulator, EmulatorConfig, ExternalLookup, Fault, FaultKind, FaultRoute,
    MessageVariant, RequestIdVariant, TaskIdFormat, UnknownModelStyle, VariantConfig,
};
use serde_json::{json, Value};

const KEY: &str = "sk-test-1234";
const CREATE: &str = "/kling/v1/videos/text2video";

async fn start() -> Emulator {
    start_with(|_| {}).await
}

async fn start_with(f: impl FnOnce(&mut EmulatorConfig)) -> Emulator {
    let mut config = EmulatorConfig {
        api_key: Some(KEY.to_string()),
        ..EmulatorConfig::fast()
    };
    f(&mut config);
    Emulator::start(config).await.expect("emulator starts")
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn body(prompt: &str) -> Value {
    json!({"model_name": "kling-v1", "prompt": prompt, "mode": "std", "duration": "5",
           "aspect_ratio": "16:9"})
}

async fn send(req: reqwest::RequestBuilder) -> (u16, Value) {
    let response = req.send().await.expect("response");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, value)
}

async fn create(emu: &Emulator, body: Value) -> (u16, Value) {
    send(
        http()
            .post(format!("{}{CREATE}", emu.base_url()))
            .bearer_auth(KEY)
            .json(&body),
    )
    .await
}

async fn create_ok(emu: &Emulator, body: Value) -> String {
    let (status, answer) = create(emu, body).await;
    assert_eq!(status, 200, "{answer}");
    answer["data"]["task_id"].as_str().unwrap().to_string()
}

async fn query(emu: &Emulator, id: &str) -> (u16, Value) {
    send(http().get(format!("{}{CREATE}/{id}", emu.base_url())).bearer_auth(KEY)).await
}

async fn status_of(emu: &Emulator, id: &str) -> String {
    let (status, answer) = query(emu, id).await;
    assert_eq!(status, 200, "{answer}");
    answer["data"]["task_status"].as_str().unwrap().to_string()
}

fn assert_refused(status: u16, answer: &Value, http: u16, code: i64, field: &str) {
    assert_eq!(status, http, "{answer}");
    assert_eq!(answer["code"], code, "{answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(message.starts_with(field), "{message} should name {field}");
}

/// Runs a task to `succeed` and returns its video URL.
async fn finished_video(emu: &Emulator, body: Value) -> String {
    let id = create_ok(emu, body).await;
    emu.advance_clock(10_000);
    let (_, answer) = query(emu, &id).await;
    assert_eq!(answer["data"]["task_status"], "succeed", "{answer}");
    answer["data"]["task_result"]["videos"][0]["url"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_task_goes_submitted_processing_succeed_and_its_video_downloads() {
    let emu = start().await;
    let (status, created) = create(
        &emu,
        json!({"model_name": "kling-v1", "prompt": "A paper boat", "duration": "5",
               "external_task_id": "kd-one"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(created["code"], 0);
    assert_eq!(created["message"], "SUCCEED");
    let data = &created["data"];
    let id = data["task_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 19);
    assert!(id.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(data["task_status"], "submitted");
    assert_eq!(data["task_info"]["external_task_id"], "kd-one");
    let created_at = data["created_at"].as_u64().unwrap();
    assert_eq!(data["updated_at"].as_u64(), Some(created_at));

    let (_, answer) = query(&emu, &id).await;
    assert_eq!(answer["data"]["task_status"], "submitted");
    assert_eq!(answer["data"]["task_result"], json!({}));

    emu.advance_clock(200);
    let (_, answer) = query(&emu, &id).await;
    assert_eq!(answer["data"]["task_status"], "processing");
    assert_eq!(answer["data"]["created_at"].as_u64(), Some(created_at));
    assert_eq!(answer["data"]["updated_at"].as_u64(), Some(created_at + 200));

    emu.advance_clock(1000);
    let (_, answer) = query(&emu, &id).await;
    let data = &answer["data"];
    assert_eq!(data["task_status"], "succeed");
    assert_eq!(data["updated_at"].as_u64(), Some(created_at + 1200));
    let video = &data["task_result"]["videos"][0];
    assert_eq!(video["duration"], "5.1");
    assert_eq!(video["id"].as_str().unwrap().len(), 36);
    let url = video["url"].as_str().unwrap();
    let prefix = format!("{}/bs2/upload-kling-api/", emu.base_url());
    let rest = url.strip_prefix(&prefix).expect("URL on the emulator's host");
    let (bucket, file) = rest.split_once("/text2video/").unwrap();
    assert_eq!(bucket.len(), 10);
    assert_eq!(file, format!("{id}-0_raw_video_1.mp4"));

    let response = http().get(url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "video/mp4");
    assert_eq!(response.headers()["accept-ranges"], "bytes");
    let length: usize = response.headers()["content-length"].to_str().unwrap().parse().unwrap();
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.len(), length);
    assert_eq!(&bytes[4..8], b"ftyp");
    assert!(emu.key_leaks().is_empty());
}

#[tokio::test]
async fn the_video_matches_the_requested_ratio_and_duration() {
    let emu = start().await;
    let mut request = body("tall");
    request["aspect_ratio"] = json!("9:16");
    request["duration"] = json!("10");
    request["mode"] = json!("pro");
    let id = create_ok(&emu, request).await;
    emu.advance_clock(5_000);
    let (_, answer) = query(&emu, &id).await;
    let video = &answer["data"]["task_result"]["videos"][0];
    assert_eq!(video["duration"], "10.1");
    let bytes = http()
        .get(video["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&bytes[..], include_bytes!("../fixtures/media/9x16-10s.mp4").as_slice());
}

#[tokio::test]
async fn media_supports_range_head_and_refuses_bad_ranges() {
    let emu = start().await;
    let url = finished_video(&emu, body("ranges")).await;
    let full = http().get(&url).send().await.unwrap().bytes().await.unwrap();

    let response = http().get(&url).header("Range", "bytes=100-199").send().await.unwrap();
    assert_eq!(response.status(), 206);
    assert_eq!(
        response.headers()["content-range"],
        format!("bytes 100-199/{}", full.len()).as_str()
    );
    assert_eq!(&response.bytes().await.unwrap()[..], &full[100..200]);

    let response = http()
        .get(&url)
        .header("Range", format!("bytes={}-", full.len() - 10))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 206);
    assert_eq!(&response.bytes().await.unwrap()[..], &full[full.len() - 10..]);

    let response = http().head(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-length"], full.len().to_string().as_str());
    assert_eq!(response.headers()["content-type"], "video/mp4");

    let response = http()
        .get(&url)
        .header("Range", format!("bytes={}-", full.len() + 100))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 416);

    let missing = url.replace("-0_raw_video_1", "9-0_raw_video_1");
    assert_eq!(http().get(&missing).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn media_of_an_unfinished_task_is_not_there() {
    let emu = start().await;
    let id = create_ok(&emu, body("early")).await;
    let url = format!(
        "{}/bs2/upload-kling-api/1234567890/text2video/{id}-0_raw_video_1.mp4",
        emu.base_url()
    );
    assert_eq!(http().get(&url).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn a_key_sent_to_the_media_host_is_recorded() {
    let emu = start().await;
    let url = finished_video(&emu, body("leak")).await;
    http().get(&url).send().await.unwrap();
    assert!(emu.key_leaks().is_empty());
    http().get(&url).bearer_auth(KEY).send().await.unwrap();
    let leaks = emu.key_leaks();
    assert_eq!(leaks.len(), 1);
    assert_eq!(leaks[0].header("Authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert!(emu.requests().iter().any(|r| r.has_key_on_media()));
}

#[tokio::test]
async fn wrong_or_missing_keys_get_401_in_both_styles() {
    let emu = start().await;
    let url = format!("{}{CREATE}", emu.base_url());

    let (status, answer) = send(http().post(&url).bearer_auth("sk-wrong").json(&body("x"))).await;
    assert_eq!(status, 401);
    assert_eq!(answer["error"]["type"], "comet_api_error");
    assert!(answer["error"]["message"].as_str().unwrap().contains("(request id: "));

    let (status, _) = send(http().post(&url).json(&body("x"))).await;
    assert_eq!(status, 401);
    let (status, _) = send(http().get(format!("{url}/123")).bearer_auth("sk-wrong")).await;
    assert_eq!(status, 401);

    emu.set_config(|c| c.auth_style = AuthStyle::Kling);
    let (status, answer) = send(http().post(&url).bearer_auth("sk-wrong").json(&body("x"))).await;
    assert_eq!(status, 401);
    assert_eq!(answer["code"], 1004);
    let (status, answer) = send(http().post(&url).json(&body("x"))).await;
    assert_eq!(status, 401);
    assert_eq!(answer["code"], 1001);
    assert!(emu.tasks().is_empty());
}

#[tokio::test]
async fn without_a_configured_key_any_bearer_key_works_but_none_does_not() {
    let emu = start_with(|c| c.api_key = None).await;
    let url = format!("{}{CREATE}", emu.base_url());
    let (status, _) = send(http().post(&url).bearer_auth("anything").json(&body("x"))).await;
    assert_eq!(status, 200);
    let (status, _) = send(http().post(&url).header("Authorization", "Bearer ").json(&body("x"))).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn invalid_requests_are_refused_with_the_field_named() {
    let emu = start().await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"model_name": "kling-v1", "prompt": "   "}), "prompt"),
        (json!({"model_name": "kling-v1"}), "prompt"),
        (json!({"model_name": "kling-v1", "prompt": "a".repeat(501)}), "prompt"),
        (
            json!({"model_name": "kling-v1", "prompt": "x", "negative_prompt": "n".repeat(201)}),
            "negative_prompt",
        ),
        (
            json!({"model_name": "kling-v1", "prompt": "x", "duration": 5}),
            "duration",
        ),
        (
            json!({"model_name": "kling-v1", "prompt": "x", "duration": "7"}),
            "duration",
        ),
        (json!({"model_name": "kling-v1", "prompt": "x", "mode": "4k"}), "mode"),
        (
            json!({"model_name": "kling-v2-5-turbo", "prompt": "x", "mode": "std"}),
            "mode",
        ),
        (
            json!({"model_name": "kling-v1", "prompt": "x", "aspect_ratio": "21:9"}),
            "aspect_ratio",
        ),
        (
            json!({"model_name": "kling-v1", "prompt": "x", "cfg_scale": 1.5}),
            "cfg_scale",
        ),
        (
            json!({"model_name": "kling-v2-master", "prompt": "x", "cfg_scale": 0.5}),
            "cfg_scale",
        ),
        (
            json!({"model_name": "kling-v2-master", "prompt": "x", "mode": "std", "duration": "5",
                   "camera_control": {"type": "forward_up"}}),
            "camera_control",
        ),
        (
            json!({"model_name": "kling-v1", "prompt": "x", "mode": "pro",
                   "camera_control": {"type": "forward_up"}}),
            "camera_control",
        ),
        (
            json!({"model_name": "kling-v1", "prompt": "x",
                   "camera_control": {"type": "simple", "config": {"zoom": 0}}}),
            "camera_control.config",
        ),
        (
            json!({"model_name": "kling-v1", "prompt": "x",
                   "camera_control": {"type": "simple", "config": {"zoom": 5, "pan": 1}}}),
            "camera_control.config",
        ),
        (
            json!({"model_name": "kling-v1", "prompt": "x",
                   "camera_control": {"type": "simple", "config": {"zoom": 11}}}),
            "camera_control.config.zoom",
        ),
        (
            json!({"model_name": "kling-v1", "prompt": "x",
                   "camera_control": {"type": "down_back", "config": {"zoom": 5}}}),
            "camera_control.config",
        ),
        (
            json!({"model_name": "kling-v1", "prompt": "x", "camera_control": {"type": "spin"}}),
            "camera_control.type",
        ),
        (
            json!({"model_name": "kling-v2-5-turbo", "prompt": "x", "mode": "pro", "sound": "on"}),
            "sound",
        ),
        (
            json!({"model_name": "kling-v2-6", "prompt": "x", "mode": "std", "sound": "on"}),
            "sound",
        ),
        (
            json!({"model_name": "kling-v3", "prompt": "x", "sound": "loud"}),
            "sound",
        ),
    ];
    for (request, field) in cases {
        let (status, answer) = create(&emu, request).await;
        assert_refused(status, &answer, 400, 1201, &format!("{field}:"));
    }
    assert!(emu.tasks().is_empty());
}

#[tokio::test]
async fn valid_edge_cases_are_accepted() {
    let emu = start().await;
    // 500 umlauts written decomposed are 1000 scalars, but 500 after NFC.
    let decomposed = "u\u{0308}".repeat(500);
    create_ok(&emu, json!({"model_name": "kling-v1", "prompt": decomposed})).await;
    create_ok(
        &emu,
        json!({"prompt": "no model means kling-v1", "model": "kling-v3", "cfg_scale": 0.5}),
    )
    .await;
    create_ok(
        &emu,
        json!({"model_name": "kling-v1", "prompt": "x", "mode": "std", "duration": "5",
               "camera_control": {"type": "simple",
                 "config": {"horizontal": 0, "vertical": 0, "pan": 0, "tilt": 0, "roll": 0, "zoom": -10}}}),
    )
    .await;
    create_ok(
        &emu,
        json!({"model_name": "kling-v1", "prompt": "x", "camera_control": {"type": "left_turn_forward"}}),
    )
    .await;
    create_ok(
        &emu,
        json!({"model_name": "kling-v2-6", "prompt": "x", "mode": "pro", "sound": "on"}),
    )
    .await;
    create_ok(&emu, json!({"model_name": "kling-v2-5-turbo", "prompt": "x", "mode": "pro", "duration": "10", "aspect_ratio": "2:3"})).await;
    assert_eq!(emu.tasks().len(), 6);

    emu.set_config(|c| c.strict_duration = false);
    create_ok(&emu, json!({"model_name": "kling-v1", "prompt": "x", "duration": 10})).await;
}

#[tokio::test]
async fn bodies_that_are_not_json_and_unknown_models_are_refused() {
    let emu = start().await;
    let url = format!("{}{CREATE}", emu.base_url());
    let (status, answer) = send(http().post(&url).bearer_auth(KEY).body("prompt=hello")).await;
    assert_eq!((status, answer["code"].as_i64()), (400, Some(1200)));

    let (status, answer) = create(&emu, json!({"model_name": "kling-v9", "prompt": "x"})).await;
    assert_eq!((status, answer["code"].as_i64()), (404, Some(1203)));

    emu.set_config(|c| c.unknown_model_style = UnknownModelStyle::Gateway503);
    let (status, answer) = create(&emu, json!({"model_name": "kling-v9", "prompt": "x"})).await;
    assert_eq!(status, 503);
    assert_eq!(answer["error"]["code"], "model_not_found");
}

#[tokio::test]
async fn a_duplicate_external_id_is_refused() {
    let emu = start().await;
    let mut request = body("first");
    request["external_task_id"] = json!("kd-dup");
    create_ok(&emu, request.clone()).await;
    let (status, answer) = create(&emu, request).await;
    assert_refused(status, &answer, 400, 1201, "external_task_id:");
    assert_eq!(emu.tasks().len(), 1);
}

#[tokio::test]
async fn tasks_can_be_found_by_external_id_in_path_and_query_form() {
    let emu = start().await;
    let mut request = body("find me");
    request["external_task_id"] = json!("kd-find");
    let id = create_ok(&emu, request).await;

    let (status, answer) = query(&emu, "kd-find").await;
    assert_eq!(status, 200);
    assert_eq!(answer["data"]["task_id"], id.as_str());

    let by_query = |emu: &Emulator, ext: &str| {
        http()
            .get(format!("{}{CREATE}", emu.base_url()))
            .query(&[("external_task_id", ext)])
            .bearer_auth(KEY)
    };
    let (status, answer) = send(by_query(&emu, "kd-find")).await;
    assert_eq!(status, 200);
    assert_eq!(answer["data"]["task_id"], id.as_str());
    let (status, answer) = send(by_query(&emu, "kd-other")).await;
    assert_eq!((status, answer["code"].as_i64()), (404, Some(1203)));

    emu.set_config(|c| c.lookup_by_external = ExternalLookup::QueryOnly);
    let (status, answer) = query(&emu, "kd-find").await;
    assert_eq!((status, answer["code"].as_i64()), (404, Some(1203)));
    assert_eq!(send(by_query(&emu, "kd-find")).await.0, 200);

    emu.set_config(|c| c.lookup_by_external = ExternalLookup::PathOnly);
    assert_eq!(query(&emu, "kd-find").await.0, 200);
    let (status, answer) = send(by_query(&emu, "kd-find")).await;
    assert_eq!(status, 404);
    assert!(answer.as_str().unwrap().contains("<html>"), "the unknown-path page");

    emu.set_config(|c| c.lookup_by_external = ExternalLookup::None);
    assert_eq!(query(&emu, "kd-find").await.0, 404);
    assert_eq!(send(by_query(&emu, "kd-find")).await.0, 404);
    // The task id itself always works.
    assert_eq!(query(&emu, &id).await.0, 200);
}

#[tokio::test]
async fn an_unknown_task_is_404_1203_and_the_list_route_is_off() {
    let emu = start().await;
    let (status, answer) = query(&emu, "2032273942220931072").await;
    assert_eq!((status, answer["code"].as_i64()), (404, Some(1203)));
    assert_eq!(answer["message"], "task not found");

    let (status, answer) = send(
        http()
            .get(format!("{}{CREATE}?pageNum=1&pageSize=30", emu.base_url()))
            .bearer_auth(KEY),
    )
    .await;
    assert_eq!(status, 404);
    assert!(answer.as_str().unwrap().contains("404 Not Found"));
    let response = http()
        .get(format!("{}/v1/elsewhere", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}

#[tokio::test]
async fn prompt_tokens_force_outcomes() {
    let emu = start().await;
    let fail = create_ok(&emu, body("boom #emu:fail")).await;
    let stuck = create_ok(&emu, body("#emu:stuck forever")).await;
    let odd = create_ok(&emu, body("odd #emu:unknown-status")).await;
    let empty = create_ok(&emu, body("#emu:no-video")).await;

    emu.advance_clock(500);
    assert_eq!(status_of(&emu, &odd).await, "queueing");
    assert_eq!(status_of(&emu, &stuck).await, "processing");

    emu.advance_clock(60_000);
    let (_, answer) = query(&emu, &fail).await;
    assert_eq!(answer["data"]["task_status"], "failed");
    assert!(!answer["data"]["task_status_msg"].as_str().unwrap().is_empty());
    assert_eq!(answer["data"]["task_result"], json!({}));
    assert_eq!(status_of(&emu, &stuck).await, "processing");
    assert_eq!(status_of(&emu, &odd).await, "succeed");
    let (_, answer) = query(&emu, &empty).await;
    assert_eq!(answer["data"]["task_status"], "succeed");
    assert_eq!(answer["data"]["task_result"]["videos"], json!([]));

    let (status, answer) = create(&emu, body("#emu:policy please")).await;
    assert_eq!((status, answer["code"].as_i64()), (400, Some(1301)));
    assert_eq!(emu.tasks().len(), 4);
}

#[tokio::test]
async fn a_forced_status_sticks() {
    let emu = start().await;
    let id = create_ok(&emu, body("force")).await;
    emu.set_task_status(&id, "failed", Some("out of credits"));
    let (_, answer) = query(&emu, &id).await;
    assert_eq!(answer["data"]["task_status"], "failed");
    assert_eq!(answer["data"]["task_status_msg"], "out of credits");
    emu.set_task_status(&id, "succeeded", None);
    emu.advance_clock(60_000);
    assert_eq!(status_of(&emu, &id).await, "succeeded");
}

#[tokio::test]
async fn created_but_lost_creates_the_task_and_drops_the_connection() {
    let emu = start().await;
    emu.push_fault(Fault::created_but_lost());
    let mut request = body("lost");
    request["external_task_id"] = json!("kd-lost");
    let error = http()
        .post(format!("{}{CREATE}", emu.base_url()))
        .bearer_auth(KEY)
        .json(&request)
        .send()
        .await
        .expect_err("the connection drops");
    assert!(error.is_request() && !error.is_timeout(), "{error:?}");
    let tasks = emu.tasks();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].external_task_id.as_deref(), Some("kd-lost"));
    assert_eq!(tasks[0].request["prompt"], "lost");

    // Reconciliation finds it, and a second post with the same id is a duplicate.
    let (status, answer) = query(&emu, "kd-lost").await;
    assert_eq!(status, 200);
    assert_eq!(answer["data"]["task_id"], tasks[0].task_id.as_str());
    let (status, answer) = create(&emu, request).await;
    assert_refused(status, &answer, 400, 1201, "external_task_id:");
}

#[tokio::test]
async fn reset_drops_the_connection_and_creates_nothing() {
    let emu = start().await;
    emu.push_fault(Fault::reset().on(FaultRoute::Create));
    let error = http()
        .post(format!("{}{CREATE}", emu.base_url()))
        .bearer_auth(KEY)
        .json(&body("reset"))
        .send()
        .await
        .expect_err("the connection drops");
    assert!(error.is_request(), "{error:?}");
    assert!(emu.tasks().is_empty());
    assert!(emu.pending_faults().is_empty());
    create_ok(&emu, body("next one works")).await;
}

#[tokio::test]
async fn canned_faults_hit_their_route_the_given_number_of_times() {
    let emu = start().await;
    let id = create_ok(&emu, body("faults")).await;
    emu.push_fault(
        Fault::kling(429, 1302, "rate limit")
            .on(FaultRoute::Query)
            .times(2)
            .retry_after("3"),
    );
    emu.push_fault(Fault::html(502).on(FaultRoute::Create));

    let response = http()
        .get(format!("{}{CREATE}/{id}", emu.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "3");
    assert_eq!(response.json::<Value>().await.unwrap()["code"], 1302);
    assert_eq!(query(&emu, &id).await.0, 429);
    assert_eq!(query(&emu, &id).await.0, 200);

    let response = http()
        .post(format!("{}{CREATE}", emu.base_url()))
        .bearer_auth(KEY)
        .json(&body("x"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    assert!(response.text().await.unwrap().contains("502 Bad Gateway"));
    assert_eq!(emu.tasks().len(), 1);

    emu.push_fault(Fault::gateway(500, "invalid_request", "bad things"));
    let (status, answer) = query(&emu, &id).await;
    assert_eq!(status, 500);
    assert_eq!(answer["error"]["code"], "invalid_request");

    emu.push_fault(Fault::redirect("https://example.com/moved"));
    let response = http()
        .get(format!("{}{CREATE}/{id}", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 301);
    assert_eq!(response.headers()["location"], "https://example.com/moved");
}

#[tokio::test]
async fn a_delay_exceeds_the_client_timeout_and_truncation_breaks_the_json() {
    let emu = start().await;
    let id = create_ok(&emu, body("slow")).await;
    emu.push_fault(Fault::delay(1_000).on(FaultRoute::Query));
    let error = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap()
        .get(format!("{}{CREATE}/{id}", emu.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .expect_err("times out");
    assert!(error.is_timeout(), "{error:?}");

    emu.push_fault(Fault::truncated().on(FaultRoute::Query));
    let response = http()
        .get(format!("{}{CREATE}/{id}", emu.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(text.starts_with("{\"code\":0"), "{text}");
    assert!(serde_json::from_str::<Value>(&text).is_err());
}

#[tokio::test]
async fn a_truncated_download_ends_early() {
    let emu = start().await;
    let url = finished_video(&emu, body("cut")).await;
    emu.push_fault(Fault::truncated().on(FaultRoute::Media));
    let response = http().get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.bytes().await.is_err(), "the body is incomplete");
    assert_eq!(http().get(&url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn the_concurrency_cap_answers_1303_until_a_task_ends() {
    let emu = start_with(|c| c.max_running = Some(2)).await;
    create_ok(&emu, body("one")).await;
    create_ok(&emu, body("two")).await;
    let (status, answer) = create(&emu, body("three")).await;
    assert_eq!((status, answer["code"].as_i64()), (429, Some(1303)));
    emu.advance_clock(1_200);
    create_ok(&emu, body("three again")).await;
}

#[tokio::test]
async fn in_demo_mode_the_api_answers_and_no_control_route_can_be_reached() {
    let emu = Emulator::start(EmulatorConfig::demo(KEY)).await.unwrap();
    let base = emu.base_url();
    let c = http();
    create_ok(&emu, body("a demo video")).await;
    for (method, path) in [
        (reqwest::Method::PUT, "/__emu/config"),
        (reqwest::Method::POST, "/__emu/reset"),
        (reqwest::Method::POST, "/__emu/faults"),
        (reqwest::Method::GET, "/__emu/requests"),
        (reqwest::Method::POST, "/__emu/clock/advance?ms=100000"),
    ] {
        let response = c
            .request(method, format!("{base}{path}"))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path} is not served in demo mode");
    }
    let (status, _) = send(
        c.post(format!("{base}{CREATE}"))
            .bearer_auth("sk-some-real-key")
            .json(&body("not the demo key")),
    )
    .await;
    assert_eq!(status, 401, "only the demo key is accepted");
    assert_eq!(emu.tasks().len(), 1);
}

#[tokio::test]
async fn control_routes_work_over_http_and_are_not_logged() {
    let emu = start().await;
    let base = emu.base_url();
    let c = http();

    let config: Value = c
        .put(format!("{base}/__emu/config"))
        .json(&json!({"submitted_ms": 50, "processing_ms": 100, "auth_style": "kling",
                      "max_running": null, "lookup_by_external": "query_only"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(config["submitted_ms"], 50);
    assert_eq!(emu.config().auth_style, AuthStyle::Kling);
    assert_eq!(emu.config().lookup_by_external, ExternalLookup::QueryOnly);
    assert_eq!(emu.config().api_key.as_deref(), Some(KEY));

    let id = create_ok(&emu, body("controlled")).await;
    c.post(format!("{base}/__emu/clock/advance?ms=60"))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    assert_eq!(status_of(&emu, &id).await, "processing");

    let response = c
        .post(format!("{base}/__emu/tasks/{id}/set"))
        .json(&json!({"status": "failed", "message": "forced"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(status_of(&emu, &id).await, "failed");

    let response = c
        .post(format!("{base}/__emu/faults"))
        .json(&json!({"route": "query", "times": 1, "retry_after": "1",
                      "kind": {"type": "status", "http": 503, "body": "{\"code\":5001,\"message\":\"maintenance\"}"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        emu.pending_faults()[0].kind,
        FaultKind::Status {
            http: 503,
            body: "{\"code\":5001,\"message\":\"maintenance\"}".to_string(),
            content_type: "application/json"
        }
    );
    let (status, answer) = query(&emu, &id).await;
    assert_eq!((status, answer["code"].as_i64()), (503, Some(5001)));

    c.post(format!("{base}/__emu/faults"))
        .json(&json!({"route": "create", "kind": {"type": "created_but_lost"}}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    assert!(c
        .post(format!("{base}/__emu/faults"))
        .json(&json!({"kind": {"type": "nonsense"}}))
        .send()
        .await
        .unwrap()
        .status()
        .is_client_error());

    let tasks: Value = c
        .get(format!("{base}/__emu/tasks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tasks[0]["task_id"], id.as_str());
    let requests: Value = c
        .get(format!("{base}/__emu/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let requests = requests.as_array().unwrap();
    assert!(requests
        .iter()
        .all(|r| !r["path"].as_str().unwrap().starts_with("/__emu")));
    assert_eq!(requests[0]["method"], "POST");
    assert_eq!(requests[0]["headers"]["authorization"], format!("Bearer {KEY}"));
    assert!(requests[0]["body"].as_str().unwrap().contains("controlled"));

    c.post(format!("{base}/__emu/reset")).send().await.unwrap();
    assert!(emu.tasks().is_empty());
    assert!(emu.requests().is_empty());
    assert!(emu.pending_faults().is_empty());
}

#[tokio::test]
async fn shutdown_cuts_open_connections() {
    let emu = start().await;
    let id = create_ok(&emu, body("bye")).await;
    let base = emu.base_url();
    let client = http();
    let url = format!("{base}{CREATE}/{id}");
    assert_eq!(client.get(&url).bearer_auth(KEY).send().await.unwrap().status(), 200);
    emu.shutdown();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(client.get(&url).bearer_auth(KEY).send().await.is_err());
}

#[tokio::test]
async fn realistic_timings_are_drawn_per_task_within_their_range() {
    let config = EmulatorConfig::realistic();
    assert_eq!((config.submitted_ms, config.submitted_ms_max), (5_000, Some(30_000)));
    let emu = Emulator::start(config).await.unwrap();
    let id = create_ok(&emu, body("slowly")).await;
    emu.advance_clock(4_900);
    assert_eq!(status_of(&emu, &id).await, "submitted");
    emu.advance_clock(26_000);
    assert_eq!(status_of(&emu, &id).await, "processing");
    emu.advance_clock(300_000);
    assert_eq!(status_of(&emu, &id).await, "succeed");
}

#[test]
fn the_handle_can_be_shared_across_tasks() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<Emulator>();
}

// ---------- callbacks ----------

/// A callback receiver on 127.0.0.1; stops when dropped.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    server: tokio::task::JoinHandle<()>,
}

#[derive(Clone, Debug)]
struct Received {
    headers: axum::http::HeaderMap,
    body: Value,
    raw: String,
    at: Instant,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Receiver {
    async fn start() -> Receiver {
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let sink = got.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, raw: String| {
                let sink = sink.clone();
                async move {
                    let body = serde_json::from_str(&raw).unwrap_or(Value::Null);
                    sink.lock().unwrap().push(Received {
                        headers,
                        body,
                        raw,
                        at: Instant::now(),
                    });
                    "ok"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { url, got, server }
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    fn statuses(&self) -> Vec<String> {
        self.got()
            .iter()
            .map(|r| r.body["task_status"].as_str().unwrap_or("?").to_string())
            .collect()
    }

    /// Waits (up to 3 s) until `n` callbacks arrived.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        wait_until(|| self.got().len() >= n).await;
        self.got()
    }
}

async fn wait_until(mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(3);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn with_callback(prompt: &str, url: &str) -> Value {
    let mut request = body(prompt);
    request["callback_url"] = json!(url);
    request["external_task_id"] = json!(format!("kd-{}", prompt.replace(' ', "-")));
    request
}

#[tokio::test]
async fn callbacks_post_the_bare_task_on_every_transition() {
    let receiver = Receiver::start().await;
    let emu = start().await;
    let id = create_ok(&emu, with_callback("call me", &receiver.url)).await;
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].body["task_status"], "submitted");
    assert_eq!(got[0].body["task_id"], id.as_str());
    assert!(
        got[0].body.get("code").is_none() && got[0].body.get("data").is_none(),
        "no envelope"
    );
    assert_eq!(got[0].headers["content-type"], "application/json");
    assert!(got[0].headers.get("webhook-signature").is_none(), "unsigned by default");

    emu.advance_clock(200);
    receiver.wait_for(2).await;
    emu.advance_clock(1_000);
    let got = receiver.wait_for(3).await;
    assert_eq!(receiver.statuses(), ["submitted", "processing", "succeed"]);
    let created_at = got[0].body["created_at"].as_u64().unwrap();
    assert_eq!(got[1].body["updated_at"].as_u64(), Some(created_at + 200));
    // The last callback is exactly the `data` of a query answer.
    let (_, answer) = query(&emu, &id).await;
    assert_eq!(got[2].body, answer["data"]);
    assert_eq!(got[2].body["task_info"]["external_task_id"], "kd-call-me");

    let log = emu.callbacks();
    assert_eq!(log.len(), 3);
    assert!(log
        .iter()
        .all(|c| c.status == Some(200) && c.url == receiver.url && !c.dropped));
    assert_eq!(log[2].task_status, "succeed");
    assert_eq!(log[2].body, got[2].raw);

    // A jump over several transitions posts each of them; a forced status is posted too.
    let other = create_ok(&emu, with_callback("jump", &receiver.url)).await;
    emu.advance_clock(5_000);
    receiver.wait_for(6).await;
    emu.set_task_status(&other, "failed", Some("forced"));
    let got = receiver.wait_for(7).await;
    let of_other: Vec<_> = got
        .iter()
        .filter(|r| r.body["task_id"] == other.as_str())
        .map(|r| r.body["task_status"].as_str().unwrap())
        .collect();
    assert_eq!(of_other, ["submitted", "processing", "succeed", "failed"]);
    assert_eq!(got[6].body["task_status_msg"], "forced");

    let over_http: Value = http()
        .get(format!("{}/__emu/callbacks", emu.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(over_http.as_array().unwrap().len(), 7);
    assert_eq!(over_http[0]["status"], 200);
    assert_eq!(over_http[0]["task_id"], id.as_str());
    assert!(over_http[0]["at_ms"].as_u64().unwrap() >= created_at);
    // No callback URL, no callbacks.
    create_ok(&emu, body("quiet")).await;
    emu.advance_clock(5_000);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(emu.callbacks().len(), 7);
}

#[tokio::test]
async fn callbacks_can_be_duplicated_delayed_and_reordered() {
    let receiver = Receiver::start().await;
    let emu = start_with(|c| {
        c.callbacks = CallbackConfig {
            duplicate: 1,
            delay_ms: 150,
            reorder: true,
            ..CallbackConfig::default()
        }
    })
    .await;
    let id = create_ok(&emu, with_callback("shuffle", &receiver.url)).await;
    let jumped = Instant::now();
    emu.advance_clock(5_000);
    let got = receiver.wait_for(6).await;
    assert_eq!(
        receiver.statuses(),
        [
            "processing",
            "processing",
            "submitted",
            "submitted",
            "succeed",
            "succeed"
        ]
    );
    assert!(got.iter().all(|r| r.body["task_id"] == id.as_str()));
    assert!(
        got[0].at.duration_since(jumped) >= Duration::from_millis(140),
        "delayed"
    );
    assert_eq!(got[0].raw, got[1].raw, "a duplicate is the same body");
    // A delivery is logged once its answer is back, which can be a moment after the receiver saw it.
    let logged = Instant::now() + Duration::from_secs(5);
    while emu.callbacks().len() < 6 && Instant::now() < logged {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let copies: Vec<u32> = emu.callbacks().iter().map(|c| c.copy).collect();
    assert_eq!(copies, [0, 1, 0, 1, 0, 1]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(receiver.got().len(), 6, "nothing more");
}

#[tokio::test]
async fn callbacks_to_a_dead_url_are_logged_with_the_error_and_dropped_ones_never_arrive() {
    let receiver = Receiver::start().await;
    // A port nobody listens on: bind one, then free it.
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/gone", listener.local_addr().unwrap())
    };
    let emu = start().await;
    http()
        .put(format!("{}/__emu/config", emu.base_url()))
        .json(&json!({"callbacks": {"dead_url": dead}}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    create_ok(&emu, with_callback("nobody home", &receiver.url)).await;
    emu.advance_clock(5_000);
    wait_until(|| emu.callbacks().len() >= 3).await;
    let log = emu.callbacks();
    assert!(log
        .iter()
        .all(|c| c.url == dead && c.status.is_none() && c.error.is_some()));
    assert!(receiver.got().is_empty());

    emu.reset();
    emu.set_config(|c| {
        c.callbacks.dead_url = None;
        c.callbacks.drop_probability = 1.0;
    });
    assert_eq!(emu.config().callbacks.dead_url, None);
    create_ok(&emu, with_callback("lost in the post", &receiver.url)).await;
    emu.advance_clock(5_000);
    wait_until(|| emu.callbacks().len() >= 3).await;
    assert!(emu.callbacks().iter().all(|c| c.dropped && c.status.is_none()));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(receiver.got().is_empty());
}

#[test]
fn webhook_signatures_match_known_vectors() {
    // The example of the Standard Webhooks specification.
    assert_eq!(
        sign_webhook(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#
        ),
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    );
    // A plain secret signs with its bytes; a key longer than a block is hashed first.
    assert_eq!(
        sign_webhook("plain-secret", "id", 1, "{}"),
        "v1,YJEsdQhkzbZdLp/e3cpgquF7sPLpRndL4KjdgFz1NLk="
    );
    assert_eq!(
        sign_webhook(&"k".repeat(100), "a", 2, &"x".repeat(200)),
        "v1,ndawSiDb5tubcLx0Ac0+DxLcYE/Ch7Rd2zEBYoSXF3g="
    );
}

#[tokio::test]
async fn a_webhook_secret_adds_standard_webhooks_headers() {
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let receiver = Receiver::start().await;
    let emu = start_with(|c| c.callbacks.webhook_secret = Some(SECRET.to_string())).await;
    create_ok(&emu, with_callback("signed", &receiver.url)).await;
    let got = receiver.wait_for(1).await;
    let header = |name: &str| got[0].headers[name].to_str().unwrap().to_string();
    let (id, timestamp) = (header("webhook-id"), header("webhook-timestamp"));
    assert!(id.starts_with("msg_"));
    let timestamp: u64 = timestamp.parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(now.abs_diff(timestamp) < 60);
    assert_eq!(
        header("webhook-signature"),
        sign_webhook(SECRET, &id, timestamp, &got[0].raw)
    );
    assert_eq!(emu.callbacks()[0].headers["webhook-id"], id);
}

// ---------- random faults ----------

/// Sends `n` queries and returns what each got: the HTTP status, 0 for a dropped connection,
/// or 1 for a 200 whose body is not JSON.
async fn outcomes(emu: &Emulator, id: &str, n: usize) -> Vec<u16> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let mut out = Vec::new();
    for _ in 0..n {
        let response = client
            .get(format!("{}{CREATE}/{id}", emu.base_url()))
            .bearer_auth(KEY)
            .send()
            .await;
        out.push(match response {
            Err(_) => 0,
            Ok(r) => {
                let status = r.status().as_u16();
                match r.text().await {
                    Ok(text) if status == 200 && serde_json::from_str::<Value>(&text).is_err() => 1,
                    Ok(_) => status,
                    Err(_) => 0,
                }
            }
        })
    }
    out
}

#[tokio::test]
async fn a_random_fault_mix_hits_about_its_share_and_repeats_with_the_seed() {
    let emu = start_with(|c| c.seed = Some(42)).await;
    let mut runs = Vec::new();
    for _ in 0..2 {
        emu.reset();
        let id = create_ok(&emu, body("soak")).await;
        emu.push_fault(Fault::random_mix(0.2));
        runs.push(outcomes(&emu, &id, 300).await);
        assert_eq!(emu.pending_faults().len(), 1, "a probabilistic fault stays");
    }
    assert_eq!(runs[0], runs[1], "the same seed gives the same faults");
    let hit = runs[0].iter().filter(|&&s| s != 200).count();
    println!("random mix: {hit} of 300 faulted");
    assert!((30..=90).contains(&hit), "{hit} of 300");
    let kinds: std::collections::BTreeSet<u16> = runs[0].iter().copied().filter(|&s| s != 200).collect();
    assert!(kinds.len() >= 6, "a mix: {kinds:?}");
    assert!(
        kinds.iter().all(|s| [0, 1, 429, 500, 502, 503, 504, 524].contains(s)),
        "{kinds:?}"
    );

    // Media is not an API route.
    emu.clear_faults();
    let url = finished_video(&emu, body("media is spared")).await;
    emu.push_fault(Fault::random_mix(1.0));
    for _ in 0..20 {
        assert_eq!(http().get(&url).send().await.unwrap().status(), 200);
    }

    emu.clear_faults();
    let id = create_ok(&emu, body("calm")).await;
    assert!(outcomes(&emu, &id, 20).await.iter().all(|&s| s == 200));

    // One fault kind with a probability, route by route; creates lost on the way still create.
    emu.push_fault(
        Fault::kling(503, 5001, "maintenance")
            .on(FaultRoute::Query)
            .with_probability(0.5),
    );
    let hit = outcomes(&emu, &id, 200).await.iter().filter(|&&s| s == 503).count();
    assert!((70..=130).contains(&hit), "{hit} of 200");
    emu.clear_faults();
    emu.push_fault(Fault::created_but_lost().with_probability(1.0));
    for _ in 0..3 {
        let sent = http()
            .post(format!("{}{CREATE}", emu.base_url()))
            .bearer_auth(KEY)
            .json(&body("lost"))
            .send()
            .await;
        assert!(sent.is_err());
    }
    assert_eq!(emu.tasks().iter().filter(|t| t.request["prompt"] == "lost").count(), 3);

    let json_fault: Value = json!({"route": "api", "probability": 0.25, "kind": {"type": "random_mix"}});
    emu.clear_faults();
    http()
        .post(format!("{}/__emu/faults", emu.base_url()))
        .json(&json_fault)
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let pending = emu.pending_faults();
    assert_eq!(pending[0].probability, Some(0.25));
    assert_eq!(pending[0].kind, FaultKind::RandomMix);
    assert_eq!(pending[0].route, FaultRoute::Api);
}

// ---------- variants ----------

#[tokio::test]
async fn response_variants_change_the_shape_of_answers() {
    let emu = start_with(|c| {
        c.variants = VariantConfig {
            message: MessageVariant::Success,
            request_id: RequestIdVariant::Absent,
            task_id_format: TaskIdFormat::Base64,
            task_info_empty: true,
            optional_fields: true,
            extra_fields: true,
            repeat_status: false,
        }
    })
    .await;
    let mut request = body("variants");
    request["external_task_id"] = json!("kd-variants");
    let (status, created) = create(&emu, request).await;
    assert_eq!(status, 200);
    assert_eq!(created["message"], "success");
    assert!(created.get("request_id").is_none());
    assert!(created.get("trace_id").is_some() && created.get("emu_unknown").is_some());
    let data = &created["data"];
    let id = data["task_id"].as_str().expect("a string").to_string();
    assert_eq!(id.len(), 22);
    assert!(id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    assert_eq!(data["task_info"], json!({}));
    assert_eq!(data["task_status_msg"], "");
    assert!(data.get("emu_unknown").is_some());

    let (_, answer) = query(&emu, "kd-variants").await;
    assert_eq!(answer["data"]["task_id"], id.as_str());
    assert_eq!(answer["data"]["task_status_msg"], "");
    emu.advance_clock(5_000);
    let (_, answer) = query(&emu, &id).await;
    let data = &answer["data"];
    assert_eq!(data["task_status"], "succeed");
    assert!(data["final_unit_deduction"].is_string());
    let video = &data["task_result"]["videos"][0];
    assert!(video["watermark_url"].as_str().unwrap().starts_with("http://127.0.0.1"));
    // The media route still works with a base64 task id.
    let response = http().get(video["url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(response.status(), 200);

    emu.set_config(|c| {
        c.variants = VariantConfig {
            message: MessageVariant::Alternate,
            request_id: RequestIdVariant::Alternate,
            task_id_format: TaskIdFormat::Digits18,
            ..VariantConfig::default()
        }
    });
    let mut answers = Vec::new();
    for i in 0..3 {
        answers.push(create(&emu, body(&format!("alt {i}"))).await.1);
    }
    let messages: Vec<_> = answers.iter().map(|a| a["message"].as_str().unwrap()).collect();
    assert!(
        messages.contains(&"SUCCEED") && messages.contains(&"success"),
        "{messages:?}"
    );
    let id_lengths: std::collections::BTreeSet<_> = answers
        .iter()
        .map(|a| a.get("request_id").and_then(Value::as_str).map(str::len))
        .collect();
    assert_eq!(id_lengths.len(), 3, "uuid, base64 and absent: {id_lengths:?}");
    for answer in &answers {
        let id = answer["data"]["task_id"].as_str().expect("a string");
        assert_eq!(id.len(), 18);
        assert!(id.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(answer["data"]["task_info"], json!({}), "no external id given");
        assert!(answer["data"].get("task_status_msg").is_none(), "optional fields off");
    }
}

#[tokio::test]
async fn repeat_status_inserts_queueing_and_repeats_processing() {
    let receiver = Receiver::start().await;
    let emu = start().await;
    // Sub-configs merge field by field over HTTP.
    for patch in [
        json!({"variants": {"repeat_status": true}}),
        json!({"variants": {"message": "success"}}),
    ] {
        http()
            .put(format!("{}/__emu/config", emu.base_url()))
            .json(&patch)
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
    }
    let variants = emu.config().variants;
    assert!(variants.repeat_status);
    assert_eq!(variants.message, MessageVariant::Success);
    let bad = http()
        .put(format!("{}/__emu/config", emu.base_url()))
        .json(&json!({"variants": {"nonsense": 1}, "submitted_ms": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(emu.config().submitted_ms, 200, "a refused patch changes nothing");

    let id = create_ok(&emu, with_callback("again", &receiver.url)).await;
    let (_, answer) = query(&emu, &id).await;
    let created_at = answer["data"]["created_at"].as_u64().unwrap();
    let mut seen = Vec::new();
    for step in [100, 100, 500, 500] {
        emu.advance_clock(step);
        let (_, answer) = query(&emu, &id).await;
        seen.push((
            answer["data"]["task_status"].as_str().unwrap().to_string(),
            answer["data"]["updated_at"].as_u64().unwrap() - created_at,
        ));
    }
    let expected: Vec<(String, u64)> = vec![
        ("queueing".into(), 100),
        ("processing".into(), 200),
        ("processing".into(), 700),
        ("succeed".into(), 1200),
    ];
    assert_eq!(seen, expected);
    receiver.wait_for(5).await;
    assert_eq!(
        receiver.statuses(),
        ["submitted", "queueing", "processing", "processing", "succeed"]
    );
}

// ---------- media options ----------

#[tokio::test]
async fn media_can_be_throttled() {
    let emu = start_with(|c| c.media.bytes_per_second = Some(20_000)).await;
    let url = finished_video(&emu, body("slow download")).await;
    let started = Instant::now();
    let response = http().get(&url).send().await.unwrap();
    let length = response.content_length().unwrap();
    let bytes = response.bytes().await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(bytes.len() as u64, length);
    assert_eq!(&bytes[..], include_bytes!("../fixtures/media/16x9-5s.mp4").as_slice());
    let expected = Duration::from_secs_f64(length as f64 / 20_000.0);
    assert!(elapsed >= expected.mul_f64(0.8), "{elapsed:?} for {length} bytes");
}

#[tokio::test]
async fn media_can_disconnect_after_some_bytes() {
    let emu = start_with(|c| c.media.disconnect_after_bytes = Some(1_000)).await;
    let url = finished_video(&emu, body("cut short")).await;
    for _ in 0..2 {
        let response = http().get(&url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let length = response.content_length().unwrap();
        assert!(length > 1_000);
        let mut stream = response.bytes_stream();
        let mut received = 0;
        let mut failed = false;
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) => received += chunk.len(),
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        assert!(failed, "the body ends in an error");
        assert_eq!(received, 1_000);
    }
}

#[tokio::test]
async fn result_urls_expire_after_their_ttl() {
    let emu = start_with(|c| c.media.ttl_ms = Some(5_000)).await;
    let id = create_ok(&emu, body("fleeting")).await;
    emu.advance_clock(1_200);
    let (_, answer) = query(&emu, &id).await;
    let url = answer["data"]["task_result"]["videos"][0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(http().get(&url).send().await.unwrap().status(), 200);
    emu.advance_clock(4_800);
    assert_eq!(http().get(&url).send().await.unwrap().status(), 200);
    emu.advance_clock(300);
    let response = http().get(&url).send().await.unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.text().await.unwrap().contains("AccessDenied"));
    assert_eq!(http().head(&url).send().await.unwrap().status(), 403);
}

#[tokio::test]
async fn a_never_ending_download_has_no_length_and_keeps_coming() {
    let emu = start_with(|c| c.media.never_ending = true).await;
    let url = finished_video(&emu, body("forever")).await;
    let clip = include_bytes!("../fixtures/media/16x9-5s.mp4").len();
    let response = http().get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("content-length").is_none());
    assert!(response.content_length().is_none());
    let mut stream = response.bytes_stream();
    let mut received = 0;
    while received < clip + 200_000 {
        received += stream.next().await.expect("more").expect("no error").len();
    }
    drop(stream);
    let head = http().head(&url).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert!(head.headers().get("content-length").is_none());
}

#[tokio::test]
async fn a_result_can_be_served_at_a_chosen_size_as_a_whole_mp4() {
    let total = 3_000_000;
    let emu = start_with(|c| c.media.result_bytes = Some(total)).await;
    let url = finished_video(&emu, body("large result")).await;
    let clip = include_bytes!("../fixtures/media/16x9-5s.mp4").as_slice();
    let response = http().get(&url).header("Range", "bytes=100-").send().await.unwrap();
    assert_eq!(response.status(), 200, "the whole file, whatever the Range");
    assert_eq!(response.content_length(), Some(total));
    let bytes = response.bytes().await.unwrap();
    assert_eq!(bytes.len() as u64, total);
    assert_eq!(&bytes[..clip.len()], clip);
    let (free_box, zeros) = bytes[clip.len()..].split_at(8);
    assert_eq!(&free_box[4..], b"free");
    assert_eq!(
        u64::from(u32::from_be_bytes(free_box[..4].try_into().unwrap())),
        total - clip.len() as u64,
        "the box runs to the end of the file"
    );
    assert!(zeros.iter().all(|b| *b == 0));
    let head = http().head(&url).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], total.to_string().as_str());
}

// ---------- hostile answers ----------

#[tokio::test]
async fn a_test_can_choose_a_hostile_video_url() {
    let emu = start().await;
    let id = create_ok(&emu, body("hostile")).await;
    emu.set_task_video_url(&id, "javascript:alert(1)");
    let (_, answer) = query(&emu, &id).await;
    assert!(
        answer["data"]["task_result"].get("videos").is_none(),
        "not before succeed"
    );
    emu.advance_clock(5_000);
    let (_, answer) = query(&emu, &id).await;
    assert_eq!(answer["data"]["task_result"]["videos"][0]["url"], "javascript:alert(1)");
    assert_eq!(emu.task(&id).unwrap().video_url.as_deref(), Some("javascript:alert(1)"));

    let mut request = body("file");
    request["external_task_id"] = json!("kd-file");
    let other = create_ok(&emu, request).await;
    let response = http()
        .post(format!("{}/__emu/tasks/kd-file/set", emu.base_url()))
        .json(&json!({"status": "succeed", "video_url": "file:///etc/passwd"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (_, answer) = query(&emu, &other).await;
    assert_eq!(answer["data"]["task_status"], "succeed");
    assert_eq!(answer["data"]["task_result"]["videos"][0]["url"], "file:///etc/passwd");
    let response = http()
        .post(format!("{}/__emu/tasks/{other}/set", emu.base_url()))
        .json(&json!({"message": "nothing to set"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn an_oversized_answer_is_valid_json_beyond_the_size() {
    let emu = start().await;
    let id = create_ok(&emu, body("big")).await;
    emu.push_fault(Fault::oversized(3_000_000).on(FaultRoute::Query));
    let response = http()
        .get(format!("{}{CREATE}/{id}", emu.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.content_length().unwrap() > 3_000_000);
    let text = response.text().await.unwrap();
    assert!(text.len() > 3_000_000);
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["data"]["task_id"], id.as_str());

    http()
        .post(format!("{}/__emu/faults", emu.base_url()))
        .json(&json!({"route": "create", "kind": {"type": "oversized", "bytes": 10_000}}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let (status, answer) = create(&emu, body("big create")).await;
    assert_eq!(status, 200);
    assert!(answer["padding"].as_str().unwrap().len() > 10_000);
}

#[tokio::test]
async fn a_slow_body_sends_headers_at_once_and_the_body_in_pieces() {
    let emu = start().await;
    let id = create_ok(&emu, body("trickle")).await;
    emu.push_fault(Fault::slow_body(40).on(FaultRoute::Query));
    let started = Instant::now();
    let response = http()
        .get(format!("{}{CREATE}/{id}", emu.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    let headers_after = started.elapsed();
    assert_eq!(response.status(), 200);
    let length = response.content_length().expect("Content-Length kept") as usize;
    let mut stream = response.bytes_stream();
    let mut body = Vec::new();
    let mut chunks = 0;
    while let Some(chunk) = stream.next().await {
        body.extend_from_slice(&chunk.unwrap());
        chunks += 1;
    }
    let total = started.elapsed();
    assert_eq!(body.len(), length);
    let value: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(value["data"]["task_id"], id.as_str());
    let pieces = length.div_ceil(16);
    assert!(chunks > 3, "{chunks} chunks");
    assert!(headers_after < Duration::from_millis(250), "{headers_after:?}");
    assert!(
        total >= Duration::from_millis(40 * pieces as u64 * 8 / 10),
        "{total:?} for {pieces} pieces"
    );
}

/// The chat route as a client sees it: the OpenAI shapes, the key checked like the Kling routes,
/// an answer in the language and within the limit the instructions state, switched by the
/// control API, and logged.
#[tokio::test]
async fn the_chat_route_answers_in_the_stated_language_and_limit_and_is_switched_by_config() {
    let emu = start().await;
    let base = emu.base_url();
    let chat = |key: &str, instructions: &str, user: &str| {
        http()
            .post(format!("{base}/v1/chat/completions"))
            .bearer_auth(key)
            .json(
                &json!({"model": "gpt-4o-mini", "max_tokens": 400, "temperature": 0.7, "messages": [
                {"role": "system", "content": instructions},
                {"role": "user", "content": user}]}),
            )
    };

    let (status, refused) = send(chat("sk-wrong", "Answer in English.", "a cat")).await;
    assert_eq!(status, 401);
    assert_eq!(refused["error"]["type"], "comet_api_error");

    let (status, answer) = send(chat(
        KEY,
        "At most 500 characters. Answer in German.",
        "Ein Hund im Regen.",
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(answer["object"], "chat.completion");
    assert_eq!(answer["choices"][0]["finish_reason"], "stop");
    assert_eq!(
        answer["choices"][0]["message"]["content"],
        "Ein Hund im Regen, langsame Kamerafahrt nach vorn, weiches Licht zur goldenen Stunde"
    );
    let usage = &answer["usage"];
    assert_eq!(
        usage["total_tokens"].as_u64(),
        Some(usage["prompt_tokens"].as_u64().unwrap() + usage["completion_tokens"].as_u64().unwrap())
    );

    let (_, short) = send(chat(
        KEY,
        "It must be at most 60 characters long. Answer in English.",
        &"word ".repeat(40),
    ))
    .await;
    let content = short["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(content.chars().count() <= 60, "{content}");
    assert!(content.ends_with("slow push-in, soft golden-hour light"), "{content}");

    for (outcome, expected_status, code) in [
        ("rate_limited", 429, "rate_limit_exceeded"),
        ("model_not_found", 503, "model_not_found"),
    ] {
        http()
            .put(format!("{base}/__emu/config"))
            .json(&json!({"chat": {"outcome": outcome}}))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap();
        let (status, refused) = send(chat(KEY, "Answer in English.", "a cat")).await;
        assert_eq!(
            (status, refused["error"]["code"].as_str()),
            (expected_status, Some(code))
        );
    }
    http()
        .put(format!("{base}/__emu/config"))
        .json(&json!({"chat": null}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let (status, _) = send(chat(KEY, "Answer in English.", "a cat")).await;
    assert_eq!(status, 200, "null restores the suggestion");

    let logged: Vec<_> = emu.requests().into_iter().filter(|r| r.is_chat()).collect();
    assert_eq!(logged.len(), 6);
    assert!(logged[1].body.contains("Ein Hund im Regen."));
    assert_eq!(
        logged[1].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
}

// ---------- image2video and video-extend ----------

const IMAGE2VIDEO: &str = "/kling/v1/videos/image2video";
const EXTEND: &str = "/kling/v1/videos/video-extend";

/// The bytes of a real grey PNG of this size.
fn png_bytes(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&vec![128; (width * height) as usize]).unwrap();
    writer.finish().unwrap();
    bytes
}

/// A real PNG of this size as the body carries it: plain base64.
fn png(width: u32, height: u32) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(png_bytes(width, height))
}

fn picture_body(image: &str) -> Value {
    json!({"model_name": "kling-v1", "image": image, "mode": "std", "duration": "5"})
}

async fn post_to(emu: &Emulator, route: &str, body: &Value) -> (u16, Value) {
    send(
        http()
            .post(format!("{}{route}", emu.base_url()))
            .bearer_auth(KEY)
            .json(body),
    )
    .await
}

async fn post_ok(emu: &Emulator, route: &str, body: &Value) -> String {
    let (status, answer) = post_to(emu, route, body).await;
    assert_eq!(status, 200, "{answer}");
    answer["data"]["task_id"].as_str().unwrap().to_string()
}

async fn get_at(emu: &Emulator, path: &str) -> (u16, Value) {
    send(http().get(format!("{}{path}", emu.base_url())).bearer_auth(KEY)).await
}

/// Lets the task at `route` finish and returns its one video.
async fn finished_at(emu: &Emulator, route: &str, id: &str) -> Value {
    emu.advance_clock(10_000);
    let (status, answer) = get_at(emu, &format!("{route}/{id}")).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["task_status"], "succeed", "{answer}");
    answer["data"]["task_result"]["videos"][0].clone()
}

async fn download(video: &Value) -> Vec<u8> {
    let response = http().get(video["url"].as_str().unwrap()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.bytes().await.unwrap().to_vec()
}

#[tokio::test]
async fn a_picture_becomes_a_video_of_its_shape_found_on_its_own_route() {
    let emu = start().await;
    let mut request = picture_body(&png(640, 360));
    request["external_task_id"] = json!("kd-picture");
    request["aspect_ratio"] = json!("1:1");
    let (status, created) = post_to(&emu, IMAGE2VIDEO, &request).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["data"]["task_status"], "submitted");
    assert_eq!(created["data"]["task_info"]["external_task_id"], "kd-picture");
    let id = created["data"]["task_id"].as_str().unwrap().to_string();

    let video = finished_at(&emu, IMAGE2VIDEO, &id).await;
    assert_eq!(video["duration"], "5.1");
    assert!(video["url"].as_str().unwrap().contains("/image2video/"), "{video}");
    assert_eq!(
        download(&video).await,
        kling_emulator::clip("16:9", "5").unwrap(),
        "the picture's shape wins over a given aspect_ratio"
    );

    let (status, by_path) = get_at(&emu, &format!("{IMAGE2VIDEO}/kd-picture")).await;
    assert_eq!((status, by_path["data"]["task_id"].as_str()), (200, Some(id.as_str())));
    let (status, by_query) = get_at(&emu, &format!("{IMAGE2VIDEO}?external_task_id=kd-picture")).await;
    assert_eq!((status, by_query["data"]["task_id"].as_str()), (200, Some(id.as_str())));
    let (status, elsewhere) = query(&emu, &id).await;
    assert_eq!(
        (status, elsewhere["code"].as_i64()),
        (404, Some(1203)),
        "text2video does not know it"
    );

    let tasks: Value = http()
        .get(format!("{}/__emu/tasks", emu.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(tasks[0]["kind"], "image_to_video");

    let mut tall = picture_body(&png(360, 640));
    tall["duration"] = json!("10");
    let id = post_ok(&emu, IMAGE2VIDEO, &tall).await;
    let video = finished_at(&emu, IMAGE2VIDEO, &id).await;
    assert_eq!(video["duration"], "10.1");
    assert_eq!(download(&video).await, kling_emulator::clip("9:16", "10").unwrap());
}

#[tokio::test]
async fn image2video_refuses_the_pictures_kling_refuses() {
    let emu = start().await;
    let mut oversized = png_bytes(640, 360);
    oversized.resize(kling_core::rules::IMAGE_LIMITS.max_bytes as usize + 1, 0);
    let oversized = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(oversized)
    };
    let not_a_picture = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(b"GIF89a is not on the list")
    };
    let data_url = format!("data:image/png;base64,{}", png(640, 360));
    for (image, reason) in [
        (png(300, 900), "width/height"),
        (png(200, 200), "too small"),
        (oversized, "too large"),
        (not_a_picture, "not a picture"),
        ("@@not base64@@".to_string(), "base64"),
        (data_url, "data:"),
        ("https://example.com/cat.png".to_string(), "URL not reachable"),
    ] {
        let (status, answer) = post_to(&emu, IMAGE2VIDEO, &picture_body(&image)).await;
        assert_refused(status, &answer, 400, 1201, "image:");
        assert!(answer["message"].as_str().unwrap().contains(reason), "{answer}");
    }

    let mut no_picture = picture_body("");
    no_picture.as_object_mut().unwrap().remove("image");
    no_picture["prompt"] = json!("a cat");
    let (status, answer) = post_to(&emu, IMAGE2VIDEO, &no_picture).await;
    assert_refused(status, &answer, 400, 1201, "image:");
    assert_eq!(answer["message"], "image: is required");

    let mut small_tail = picture_body(&png(640, 360));
    small_tail["mode"] = json!("pro");
    small_tail["image_tail"] = json!(png(200, 200));
    let (status, answer) = post_to(&emu, IMAGE2VIDEO, &small_tail).await;
    assert_refused(status, &answer, 400, 1201, "image_tail: too small");
    assert!(emu.tasks().is_empty());
}

#[tokio::test]
async fn an_end_picture_needs_a_model_and_mode_that_take_one_and_no_camera() {
    let emu = start().await;
    let with_tail = |model: &str, mode: &str| {
        json!({"model_name": model, "mode": mode, "duration": "5",
               "image": png(640, 360), "image_tail": png(640, 360)})
    };
    let (status, answer) = post_to(&emu, IMAGE2VIDEO, &with_tail("kling-v1", "std")).await;
    assert_refused(status, &answer, 400, 1201, "image_tail:");
    let (status, answer) = post_to(&emu, IMAGE2VIDEO, &with_tail("kling-v2-6", "pro")).await;
    assert_refused(status, &answer, 400, 1201, "image_tail:");

    let mut with_camera = with_tail("kling-v1", "pro");
    with_camera["camera_control"] = json!({"type": "forward_up"});
    let (status, answer) = post_to(&emu, IMAGE2VIDEO, &with_camera).await;
    assert_refused(status, &answer, 400, 1201, "image_tail:");
    assert_eq!(answer["message"], "image_tail: cannot be combined with camera_control");

    post_ok(&emu, IMAGE2VIDEO, &with_tail("kling-v1", "pro")).await;

    let mut camera_elsewhere = picture_body(&png(640, 360));
    camera_elsewhere["model_name"] = json!("kling-v1-6");
    camera_elsewhere["camera_control"] = json!({"type": "forward_up"});
    let (status, answer) = post_to(&emu, IMAGE2VIDEO, &camera_elsewhere).await;
    assert_refused(status, &answer, 400, 1201, "camera_control");
    let mut camera_on_v1 = picture_body(&png(640, 360));
    camera_on_v1["camera_control"] = json!({"type": "forward_up"});
    post_ok(&emu, IMAGE2VIDEO, &camera_on_v1).await;

    // Only an end picture: the video takes its shape.
    let tail_only = json!({"model_name": "kling-v1", "mode": "pro", "image_tail": png(360, 640)});
    let id = post_ok(&emu, IMAGE2VIDEO, &tail_only).await;
    let video = finished_at(&emu, IMAGE2VIDEO, &id).await;
    assert_eq!(download(&video).await, kling_emulator::clip("9:16", "5").unwrap());
}

#[tokio::test]
async fn a_finished_video_extends_by_five_seconds_in_its_shape_and_chains() {
    let emu = start().await;
    let mut request = body("a paper boat");
    request["aspect_ratio"] = json!("9:16");
    let parent = create_ok(&emu, request).await;
    let parent_video = finished_at(&emu, CREATE, &parent).await;

    let extend = json!({"video_id": parent_video["id"], "prompt": "it sails on",
                        "external_task_id": "kd-longer"});
    let (status, created) = post_to(&emu, EXTEND, &extend).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["data"]["task_info"]["external_task_id"], "kd-longer");
    let id = created["data"]["task_id"].as_str().unwrap().to_string();
    let video = finished_at(&emu, EXTEND, &id).await;
    assert_eq!(video["duration"], "10.1");
    assert_ne!(video["id"], parent_video["id"]);
    assert!(video["url"].as_str().unwrap().contains("/video-extend/"), "{video}");
    assert_eq!(download(&video).await, kling_emulator::clip("9:16", "10").unwrap());
    assert_eq!(emu.task(&id).unwrap().kind, kling_core::rules::GenerationKind::Extend);

    let again = post_ok(&emu, EXTEND, &json!({"video_id": video["id"]})).await;
    assert_eq!(finished_at(&emu, EXTEND, &again).await["duration"], "15.1");

    // The extend route has no lookup by external id, in either form.
    let (status, answer) = get_at(&emu, &format!("{EXTEND}/kd-longer")).await;
    assert_eq!((status, answer["code"].as_i64()), (404, Some(1203)));
    let (status, answer) = get_at(&emu, &format!("{EXTEND}?external_task_id=kd-longer")).await;
    assert_eq!(status, 404);
    assert!(
        answer.as_str().unwrap().contains("404 Not Found"),
        "the unknown-path page"
    );
}

#[tokio::test]
async fn extend_refuses_what_kling_refuses() {
    let emu = start().await;
    let (status, answer) = post_to(&emu, EXTEND, &json!({"prompt": "more"})).await;
    assert_refused(status, &answer, 400, 1201, "video_id:");
    assert_eq!(answer["message"], "video_id: is required");
    let (status, answer) = post_to(&emu, EXTEND, &json!({"video_id": "no-such-video"})).await;
    assert_eq!(
        (status, answer["message"].as_str()),
        (400, Some("video_id: video not found"))
    );

    let turbo = json!({"model_name": "kling-v2-5-turbo", "prompt": "fast", "mode": "pro"});
    let turbo = create_ok(&emu, turbo).await;
    let turbo_video = finished_at(&emu, CREATE, &turbo).await;
    let (status, answer) = post_to(&emu, EXTEND, &json!({"video_id": turbo_video["id"]})).await;
    assert_eq!(
        (status, answer["message"].as_str()),
        (400, Some("video_id: model kling-v2-5-turbo does not support extension"))
    );

    let old = create_ok(&emu, body("an old clip")).await;
    let old_video = finished_at(&emu, CREATE, &old).await;
    post_ok(&emu, EXTEND, &json!({"video_id": old_video["id"]})).await;
    emu.advance_clock(31 * 24 * 60 * 60 * 1000);
    let (status, answer) = post_to(&emu, EXTEND, &json!({"video_id": old_video["id"]})).await;
    assert_eq!(
        (status, answer["message"].as_str()),
        (400, Some("video_id: video expired"))
    );
}

#[tokio::test]
async fn a_chain_stops_at_three_minutes() {
    let emu = start().await;
    let first = create_ok(&emu, body("a long walk")).await;
    let mut video = finished_at(&emu, CREATE, &first).await;
    let refusal = loop {
        let (status, answer) = post_to(&emu, EXTEND, &json!({"video_id": video["id"]})).await;
        if status != 200 {
            break answer;
        }
        let id = answer["data"]["task_id"].as_str().unwrap().to_string();
        video = finished_at(&emu, EXTEND, &id).await;
    };
    assert_eq!(refusal["message"], "video_id: total duration over 3 minutes");
    assert_eq!(video["duration"], "175.1", "the last continuation that fits");
}

#[tokio::test]
async fn the_new_routes_share_faults_the_cap_and_demo_mode() {
    let emu = start_with(|c| c.max_running = Some(1)).await;
    emu.push_fault(Fault::html(502).on(FaultRoute::Create));
    let response = http()
        .post(format!("{}{IMAGE2VIDEO}", emu.base_url()))
        .bearer_auth(KEY)
        .json(&picture_body(&png(640, 360)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    create_ok(&emu, body("running")).await;
    let (status, answer) = post_to(&emu, IMAGE2VIDEO, &picture_body(&png(640, 360))).await;
    assert_eq!((status, answer["code"].as_i64()), (429, Some(1303)));

    let demo = Emulator::start(EmulatorConfig::demo(KEY)).await.unwrap();
    let picture = post_ok(&demo, IMAGE2VIDEO, &picture_body(&png(640, 360))).await;
    let video = finished_at(&demo, IMAGE2VIDEO, &picture).await;
    let longer = post_ok(&demo, EXTEND, &json!({"video_id": video["id"]})).await;
    assert_eq!(finished_at(&demo, EXTEND, &longer).await["duration"], "10.1");
}
