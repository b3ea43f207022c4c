//! The emulator seen from outside: raw HTTP with reqwest, no client code of kling-core.

use std::time::Duration;

use kling_core::emulator::{
    AuthStyle, Emulator, EmulatorConfig, ExternalLookup, Fault, FaultKind, FaultRoute, UnknownModelStyle,
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
