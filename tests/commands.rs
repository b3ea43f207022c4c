//! The commands as the window calls them, through Tauri's IPC on a mock runtime: argument shapes,
//! the `{kind, field, params}` error shape, and the `generation` event.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kling_core::engine::CallbackSetup;
use kling_core::secrets::MemoryStore;
use kling_core::PollSchedule;
use kling_desk::events::WindowSink;
use kling_desk::StartOptions;
use kling_emulator::{Emulator, EmulatorConfig};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Listener, Manager, WebviewWindow};

#[cfg(target_os = "linux")]
#[path = "support/notification_server.rs"]
mod notification_server;

struct Harness {
    window: WebviewWindow<MockRuntime>,
    events: Arc<Mutex<Vec<Value>>>,
    _app: tauri::App<MockRuntime>,
    _dir: tempfile::TempDir,
}

fn harness(emulator: &Emulator) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_owned();
    harness_at(emulator, dir, &data_dir)
}

/// The app as `run()` builds it, with its data in `data_dir`, the keychain in memory and a fast
/// poll schedule.
fn harness_at(emulator: &Emulator, dir: tempfile::TempDir, data_dir: &std::path::Path) -> Harness {
    let app = mock_builder()
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(kling_desk::command_handler!())
        .build(mock_context(noop_assets()))
        .unwrap();
    let options = StartOptions {
        data_dir: data_dir.to_owned(),
        api_base: emulator.base_url(),
        keychain: Box::new(MemoryStore::default()),
        sink: Arc::new(WindowSink::new(app.handle().clone())),
        schedule: PollSchedule { scale: 0.02 },
        requests_per_second: 0.0,
        callbacks: CallbackSetup {
            enabled: false,
            port: 0,
            public_url: None,
            token: "t".into(),
        },
    };
    kling_desk::notifications::open_on_click(app.handle());
    kling_desk::manage_start(app.handle(), options);
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    app.listen("generation", move |event| {
        seen.lock()
            .unwrap()
            .push(serde_json::from_str(event.payload()).unwrap());
    });
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Harness {
        window,
        events,
        _app: app,
        _dir: dir,
    }
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    invoke_with(window, cmd, InvokeBody::Json(args), Default::default())
}

fn invoke_with(
    window: &WebviewWindow<MockRuntime>,
    cmd: &str,
    body: InvokeBody,
    headers: tauri::http::HeaderMap,
) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body,
            headers,
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

/// The settings as the window gets them at start.
fn saved_settings(h: &Harness) -> Value {
    invoke(&h.window, "boot", json!({})).unwrap()["settings"].clone()
}

fn emulator() -> Emulator {
    tauri::async_runtime::block_on(Emulator::start(EmulatorConfig::fast())).unwrap()
}

#[test]
fn a_key_is_described_by_its_last_four_characters_only() {
    let emulator = emulator();
    let h = harness(&emulator);
    assert_eq!(invoke(&h.window, "key_status", json!({})).unwrap()["set"], false);
    let saved = invoke(
        &h.window,
        "save_key",
        json!({"key": "sk-live-9876wxyz", "scope": "keychain"}),
    )
    .unwrap();
    assert_eq!(saved["set"], true);
    assert_eq!(saved["last4"], "wxyz");
    assert_eq!(saved["storage"], "keychain");
    assert!(!saved.to_string().contains("sk-live"));
    let cleared = invoke(&h.window, "clear_key", json!({})).unwrap();
    assert_eq!(cleared["set"], false);
}

#[test]
fn bad_input_comes_back_as_kind_field_and_params() {
    let emulator = emulator();
    let h = harness(&emulator);
    invoke(&h.window, "save_key", json!({"key": "sk-1234"})).unwrap();
    let error = invoke(&h.window, "generate", json!({"request": {"prompt": "   "}})).unwrap_err();
    assert_eq!(error, json!({"kind": "prompt_empty", "field": "prompt", "params": {}}));
    let error = invoke(
        &h.window,
        "generate",
        json!({"request": {"prompt": "a", "duration": "7"}}),
    )
    .unwrap_err();
    assert_eq!(error["kind"], "option_not_allowed");
    assert_eq!(error["field"], "duration");
    assert_eq!(error["params"]["value"], "7");
    let error = invoke(&h.window, "generate", json!({"request": {"prompt": "a", "takes": 5}})).unwrap_err();
    assert_eq!(
        error,
        json!({"kind": "takes_out_of_range", "field": "takes", "params": {"min": 1, "max": 4}})
    );
    let error = invoke(&h.window, "save_key", json!({"key": ""})).unwrap_err();
    assert_eq!(error["kind"], "key_empty");
    // A missing argument is Tauri's own refusal, not a crash.
    assert!(invoke(&h.window, "generate", json!({})).is_err());
    assert!(
        emulator.requests().iter().all(|r| r.method != "POST"),
        "nothing was sent"
    );
}

#[test]
fn generate_returns_the_record_and_events_carry_it_to_ready() {
    let emulator = emulator();
    let h = harness(&emulator);
    invoke(&h.window, "save_key", json!({"key": "sk-1234"})).unwrap();
    let made = invoke(&h.window, "generate", json!({"request": {"prompt": "a paper boat"}})).unwrap();
    assert_eq!(made.as_array().map(Vec::len), Some(1), "one take unless asked for more");
    let record = &made[0];
    assert_eq!(record["status"], "submitting");
    assert_eq!(record["take"], Value::Null, "a single video belongs to no batch");
    assert_eq!(record["request"]["prompt"], "a paper boat");
    assert!(record["external_task_id"].as_str().unwrap().starts_with("kd-"));
    assert!(
        record.get("remote_video_url").is_none() && record.get("video_file").is_none(),
        "paths stay inside"
    );
    let id = record["id"].as_str().unwrap().to_owned();

    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let ready = loop {
        let found = h
            .events
            .lock()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id.as_str() && e["status"] == "ready")
            .cloned();
        if let Some(found) = found {
            break found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no ready event: {:?}",
            h.events.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let info = invoke(&h.window, "app_info", json!({})).unwrap();
    let media_base = info["media_base"].as_str().unwrap();
    assert!(media_base.starts_with("http://127.0.0.1:"));
    assert_eq!(ready["video_url"], format!("{media_base}/{id}.mp4"));
    assert_eq!(ready["task_id"].as_str().map(str::len), Some(19));

    let page = invoke(&h.window, "list_generations", json!({"after": null, "limit": 10})).unwrap();
    assert_eq!(page["items"][0]["id"], id.as_str());
    assert_eq!(page["items"][0]["status"], "ready");
    assert_eq!(page["next"], Value::Null);

    // The window hands over a captured frame as raw bytes; the card then shows it as an image.
    let mut headers = tauri::http::HeaderMap::new();
    headers.insert("generation-id", id.parse().unwrap());
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4].to_vec();
    let refused = invoke_with(
        &h.window,
        "save_poster",
        InvokeBody::Raw(b"<svg/>".to_vec()),
        headers.clone(),
    )
    .unwrap_err();
    assert_eq!(refused["kind"], "poster_invalid");
    let with_poster = invoke_with(&h.window, "save_poster", InvokeBody::Raw(jpeg.clone()), headers).unwrap();
    let poster_url = with_poster["poster_url"].as_str().unwrap();
    assert_eq!(poster_url, format!("{media_base}/{id}.jpg"));
    let served = reqwest::blocking::Client::new()
        .get(poster_url)
        .header("Origin", "tauri://localhost")
        .send()
        .unwrap();
    assert_eq!(
        served.headers()["access-control-allow-origin"],
        "*",
        "a canvas may read frames and posters"
    );
    assert_eq!(served.bytes().unwrap().to_vec(), jpeg);
}

#[test]
fn settings_round_trip_through_the_store() {
    let emulator = emulator();
    let h = harness(&emulator);
    let saved = invoke(
        &h.window,
        "set_settings",
        json!({"settings": {"api_base": emulator.base_url(), "language": "de"}}),
    )
    .unwrap();
    assert_eq!(saved["language"], "de");
    assert_eq!(saved_settings(&h)["language"], "de");

    // An address the client cannot use is refused and never saved, so the next start is safe.
    let refused = invoke(
        &h.window,
        "set_settings",
        json!({"settings": {"api_base": "api.cometapi.com"}}),
    )
    .unwrap_err();
    assert_eq!(refused["kind"], "bad_gateway_config");
    assert_eq!(saved_settings(&h)["api_base"], emulator.base_url());
}

/// Waits until a `generation` event shows `id` as `status`.
fn wait_for_event(h: &Harness, id: &str, status: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !h
        .events
        .lock()
        .unwrap()
        .iter()
        .any(|e| e["id"] == id && e["status"] == status)
    {
        assert!(std::time::Instant::now() < deadline, "{id} never became {status}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The mock window never has the focus, so a video that becomes ready is notified, in the app's
/// language, and a click on the notification hands the window its record; with the setting off,
/// nothing is sent. The notifications go to a stand-in server on a session bus of the test's own.
#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs a session bus of its own: scripts/test.sh runs it under dbus-run-session"]
fn a_video_finished_in_the_background_is_notified_and_a_click_opens_it() {
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").expect("run under dbus-run-session");
    let server = notification_server::NotificationServer::start(&bus);
    let emulator = emulator();
    let h = harness(&emulator);
    let opened = Arc::new(Mutex::new(Vec::<Value>::new()));
    let seen = opened.clone();
    h.window.listen_any("notification-opened", move |event| {
        seen.lock()
            .unwrap()
            .push(serde_json::from_str(event.payload()).unwrap());
    });
    let settings = |notifications: bool| json!({"settings": {"api_base": emulator.base_url(), "language": "de", "notifications": notifications}});
    invoke(&h.window, "set_settings", settings(true)).unwrap();
    invoke(&h.window, "save_key", json!({"key": "sk-1234"})).unwrap();

    let prompt = "Ein Papierboot treibt eine verregnete Straße hinunter, in den Pfützen spiegeln sich Laternen";
    let made = invoke(&h.window, "generate", json!({"request": {"prompt": prompt}})).unwrap();
    let id = made[0]["id"].as_str().unwrap().to_owned();
    let shown = server.wait_for("Ein Papierboot", Duration::from_secs(20));
    assert_eq!(shown.summary, "Dein Video ist fertig");
    assert_eq!(shown.body, "Ein Papierboot treibt eine verregnete Straße hinunter, in…");
    assert!(
        shown.actions.iter().any(|a| a == "default"),
        "a click is reported: {shown:?}"
    );

    server.click(&shown);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while opened.lock().unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "the click reached nobody");
        std::thread::sleep(Duration::from_millis(50));
    }
    let record = opened.lock().unwrap()[0].clone();
    assert_eq!(
        (record["id"].as_str(), record["status"].as_str()),
        (Some(id.as_str()), Some("ready"))
    );
    assert!(record["video_url"].as_str().is_some_and(|url| url.ends_with(".mp4")));

    invoke(&h.window, "set_settings", settings(false)).unwrap();
    assert_eq!(saved_settings(&h)["notifications"], false);
    let quiet = invoke(
        &h.window,
        "generate",
        json!({"request": {"prompt": "Ein stiller Teich"}}),
    )
    .unwrap();
    wait_for_event(&h, quiet[0]["id"].as_str().unwrap(), "ready");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(server.shown(), [shown], "nothing more was sent with notifications off");
}

#[test]
fn actions_on_a_card_that_moved_on_are_refused_plainly() {
    let emulator = emulator();
    let h = harness(&emulator);
    invoke(&h.window, "save_key", json!({"key": "sk-1234"})).unwrap();
    let made = invoke(&h.window, "generate", json!({"request": {"prompt": "a quiet street"}})).unwrap();
    let record = &made[0];
    let id = record["id"].as_str().unwrap();
    assert_eq!(record["actions"], json!([]), "a starting card offers no actions");
    for action in ["check_again", "post_again", "discard", "download_again"] {
        let error = invoke(&h.window, action, json!({"id": id})).unwrap_err();
        assert_eq!(error["kind"], "action_not_available", "{action}");
    }
    let unknown = invoke(&h.window, "discard", json!({"id": "no-such-id"})).unwrap_err();
    assert_eq!(unknown["kind"], "internal");
}

#[test]
fn a_selection_is_deleted_in_one_call_and_undo_brings_it_back() {
    // The trash of this test process, not the user's (set before any trash call).
    static TRASH: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let trash_home = TRASH.get_or_init(|| tempfile::tempdir().unwrap());
    std::env::set_var("XDG_DATA_HOME", trash_home.path());
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_owned();
    let library = data_dir.join("library");
    let rows = kling_emulator::library_fixture::write_library(&library, 12).unwrap();
    let h = harness_at(&emulator, dir, &data_dir);
    let ready: Vec<&str> = rows
        .iter()
        .filter(|r| r.status == "ready")
        .map(|r| r.id.as_str())
        .take(2)
        .collect();
    let running = rows.iter().find(|r| r.status == "processing").unwrap().id.as_str();
    let listed = |h: &Harness| -> Vec<String> {
        let page = invoke(
            &h.window,
            "list_generations",
            json!({"query": {"marks": "everything"}, "limit": 200}),
        )
        .unwrap();
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let before = listed(&h);

    let refused = invoke(&h.window, "delete_generations", json!({"ids": [ready[0], running]})).unwrap_err();
    assert_eq!(refused["kind"], "delete_running");
    let deleted = invoke(&h.window, "delete_generations", json!({"ids": ready})).unwrap();
    assert_eq!(deleted["deleted"], 2);
    assert!(deleted["bytes"].as_u64().unwrap() > 0);
    assert_eq!(deleted["ids"], json!(ready));
    assert!(!library.join(format!("videos/{}.mp4", ready[0])).exists());
    assert_eq!(listed(&h).len(), before.len() - 2);
    let missing = invoke(&h.window, "open_video", json!({"id": ready[0]})).unwrap_err();
    assert_eq!(missing["kind"], "video_file_missing");
    let missing = invoke(&h.window, "show_video_in_folder", json!({"id": ready[1]})).unwrap_err();
    assert_eq!(missing["kind"], "video_file_missing");

    assert_eq!(invoke(&h.window, "undo_delete", json!({"ids": ready})).unwrap(), 2);
    assert!(library.join(format!("videos/{}.mp4", ready[0])).is_file());
    assert!(library.join(format!("videos/{}.jpg", ready[1])).is_file());
    assert_eq!(listed(&h), before);
}

#[test]
fn the_first_screen_comes_in_one_piece_with_the_saved_searchs_first_page() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_owned();
    let rows = kling_emulator::library_fixture::write_library(&data_dir.join("library"), 300).unwrap();
    let h = harness_at(&emulator, dir, &data_dir);
    let query = json!({"text": "café", "status": "ready", "marks": "everything"});
    invoke(&h.window, "save_gallery_query", json!({"query": query})).unwrap();

    let boot = invoke(&h.window, "boot", json!({})).unwrap();
    assert_eq!(boot["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(boot["failure"].is_null());
    assert_eq!(boot["settings"]["gallery"]["text"], "café");
    assert_eq!(boot["rules"]["limits"]["prompt_max_chars"], 500);
    assert_eq!(
        (
            &boot["catalogs"]["en"]["gallery"]["retry"],
            &boot["catalogs"]["de"]["gallery"]["retry"]
        ),
        (&json!("Try again"), &json!("Erneut versuchen"))
    );
    // The saved search's first cards, newest first, as the gallery would have asked for them.
    let first = &boot["first_page"];
    assert_eq!(
        (first["query"]["text"].as_str(), first["query"]["status"].as_str()),
        (Some("café"), Some("ready"))
    );
    let mut matching: Vec<_> = rows
        .iter()
        .filter(|r| r.status == "ready" && r.prompt.to_lowercase().contains("café"))
        .collect();
    matching.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    let shown: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = matching.iter().take(48).map(|r| r.id.as_str()).collect();
    assert_eq!(shown, want);
    assert_eq!(first["next"].is_null(), matching.len() <= 48);

    // "Made today" starts at the window's midnight, which only the window knows: it asks itself.
    invoke(&h.window, "save_gallery_query", json!({"query": {"made": "today"}})).unwrap();
    assert!(invoke(&h.window, "boot", json!({})).unwrap()["first_page"].is_null());
}

#[test]
fn the_gallery_asks_one_paged_command_and_marks_come_back_as_records_and_events() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_owned();
    let rows = kling_emulator::library_fixture::write_library(&data_dir.join("library"), 300).unwrap();
    let h = harness_at(&emulator, dir, &data_dir);

    let query = json!({"text": "Café", "status": "ready", "marks": "everything", "utc_offset_minutes": 60});
    let want: Vec<&str> = {
        let mut matching: Vec<_> = rows
            .iter()
            .filter(|r| r.status == "ready" && r.prompt.to_lowercase().contains("café"))
            .collect();
        matching.sort_by_key(|r| std::cmp::Reverse(r.created_at));
        matching.into_iter().map(|r| r.id.as_str()).collect()
    };
    assert!(want.len() > 3);
    let (mut seen, mut after) = (Vec::new(), Value::Null);
    loop {
        let page = invoke(
            &h.window,
            "list_generations",
            json!({"query": query, "after": after, "limit": 2}),
        )
        .unwrap();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["id"].as_str().unwrap().to_owned()),
        );
        after = page["next"].clone();
        if after.is_null() {
            break;
        }
    }
    assert_eq!(seen, want, "pages of two, in order, none skipped or repeated");

    let first = want[0];
    let starred = invoke(&h.window, "mark", json!({"id": first, "mark": {"favorite": true}})).unwrap();
    assert_eq!(
        (starred["id"].as_str(), starred["favorite"].as_bool()),
        (Some(first), Some(true))
    );
    assert!(h
        .events
        .lock()
        .unwrap()
        .iter()
        .any(|e| e["id"] == first && e["favorite"] == true));
    let favorites = invoke(
        &h.window,
        "list_generations",
        json!({"query": {"marks": "favorites", "text": "café"}}),
    )
    .unwrap();
    assert!(favorites["items"].as_array().unwrap().iter().any(|g| g["id"] == first));

    let long = invoke(
        &h.window,
        "mark",
        json!({"id": first, "mark": {"title": "x".repeat(101)}}),
    )
    .unwrap_err();
    assert_eq!(
        (long["kind"].as_str(), long["field"].as_str()),
        (Some("title_too_long"), Some("title"))
    );
    assert_eq!(long["params"]["max"], 100);

    // The search is kept; a settings object the window held from before never undoes it.
    let stale = saved_settings(&h);
    invoke(&h.window, "save_gallery_query", json!({"query": query})).unwrap();
    invoke(&h.window, "set_settings", json!({"settings": stale})).unwrap();
    let kept = saved_settings(&h);
    assert_eq!(
        (kept["gallery"]["text"].as_str(), kept["gallery"]["status"].as_str()),
        (Some("Café"), Some("ready"))
    );
}

#[test]
fn a_pasted_task_id_becomes_a_card_once_and_a_bad_one_is_explained() {
    let emulator = emulator();
    let h = harness(&emulator);
    invoke(&h.window, "save_key", json!({"key": "sk-1234"})).unwrap();
    let made = invoke(&h.window, "generate", json!({"request": {"prompt": "made here"}})).unwrap();
    let task_id = loop {
        let page = invoke(&h.window, "list_generations", json!({"after": null, "limit": 10})).unwrap();
        if let Some(id) = page["items"][0]["task_id"].as_str() {
            break id.to_owned();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let found = invoke(&h.window, "recover_task", json!({"taskId": task_id})).unwrap();
    assert_eq!(
        found["id"], made[0]["id"],
        "the task is already a card: that card is returned"
    );
    let invalid = invoke(&h.window, "recover_task", json!({"taskId": "two words"})).unwrap_err();
    assert_eq!(
        (invalid["kind"].as_str(), invalid["field"].as_str()),
        (Some("task_id_invalid"), Some("task_id"))
    );
    let unknown = invoke(&h.window, "recover_task", json!({"taskId": "7000000000000000001"})).unwrap_err();
    assert_eq!(unknown["kind"], "task_not_found");
}

#[test]
fn live_updates_start_a_receiver_and_renewing_the_link_retires_the_old_one() {
    let emulator = emulator();
    let h = harness(&emulator);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let settings = json!({"settings": {"callback_enabled": true, "callback_port": port, "callback_public_url": "https://tunnel.example"}});
    invoke(&h.window, "set_settings", settings).unwrap();
    let info = invoke(&h.window, "callback_info", json!({})).unwrap();
    assert_eq!(info["listening"], true);
    let old_url = info["local_url"].as_str().unwrap().to_owned();
    assert!(old_url.starts_with(&format!("http://127.0.0.1:{port}/callback/")));

    let post = |url: &str| {
        reqwest::blocking::Client::new()
            .post(url)
            .body(r#"{"task_id":"1","task_status":"succeed"}"#)
            .send()
            .unwrap()
            .status()
    };
    assert_eq!(post(&old_url), 404, "an unknown task is refused");
    let renewed = invoke(&h.window, "renew_callback_token", json!({})).unwrap();
    let new_url = renewed["local_url"].as_str().unwrap();
    assert_eq!(
        renewed["listening"], true,
        "the same port, bound again with the new token"
    );
    assert_eq!(post(&old_url).as_u16() / 100, 4, "the old link is retired");
    // A window still holding the old token saves its settings: the new token stays.
    let stale = json!({"settings": {"callback_enabled": true, "callback_port": port,
        "callback_public_url": "https://tunnel.example", "callback_token": old_url.rsplit('/').next().unwrap()}});
    invoke(&h.window, "set_settings", stale).unwrap();
    assert_eq!(
        invoke(&h.window, "callback_info", json!({})).unwrap()["local_url"],
        new_url
    );
    assert_ne!(new_url, old_url);
    assert_eq!(
        saved_settings(&h)["callback_token"],
        new_url.rsplit('/').next().unwrap()
    );

    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = busy.local_addr().unwrap().port();
    invoke(
        &h.window,
        "set_settings",
        json!({"settings": {"callback_enabled": true, "callback_port": taken}}),
    )
    .unwrap();
    let info = invoke(&h.window, "callback_info", json!({})).unwrap();
    assert_eq!(
        (info["listening"].clone(), info["problem"]["kind"].clone()),
        (json!(false), json!("callback_port_in_use"))
    );
}

#[test]
fn closing_with_work_in_flight_is_explained_once() {
    let emulator = emulator();
    let h = harness(&emulator);
    let app = h.window.app_handle().clone();
    assert!(
        !kling_desk::hold_first_close(&app),
        "nothing running: the window just closes"
    );
    invoke(&h.window, "save_key", json!({"key": "sk-1234"})).unwrap();
    invoke(
        &h.window,
        "generate",
        json!({"request": {"prompt": "still going #emu:stuck"}}),
    )
    .unwrap();
    let told = Arc::new(Mutex::new(Vec::new()));
    let seen = told.clone();
    app.listen("quit-requested", move |event| {
        seen.lock().unwrap().push(event.payload().to_owned())
    });
    assert!(kling_desk::hold_first_close(&app), "the first close is held to explain");
    assert!(!kling_desk::hold_first_close(&app), "the second one goes through");
    assert_eq!(*told.lock().unwrap(), [r#"{"unfinished":1}"#]);
}

#[test]
fn a_library_that_cannot_be_opened_is_explained_instead_of_a_silent_exit() {
    let emulator = emulator();
    let dir = tempfile::tempdir().unwrap();
    // A file where the data folder should be: nothing can be created below it.
    let blocked = dir.path().join("not-a-folder");
    std::fs::write(&blocked, b"in the way").unwrap();
    let h = harness_at(&emulator, dir, &blocked);
    let error = invoke(&h.window, "app_info", json!({})).unwrap_err();
    assert_eq!(error["kind"], "library_unavailable");
    assert_eq!(error["params"]["path"], blocked.join("library").display().to_string());
    // The first screen says the same, with the words to say it in and no gallery.
    let boot = invoke(&h.window, "boot", json!({})).unwrap();
    assert_eq!(boot["failure"], error);
    assert_eq!((boot["info"].is_null(), boot["first_page"].is_null()), (true, true));
    assert_eq!(boot["catalogs"]["de"]["app"]["name"], "Kling Desk");
    assert_eq!(std::fs::read(&blocked).unwrap(), b"in the way", "nothing was changed");
}

/// The command list is written once, in `build.rs` (it makes each command need a permission); the
/// handler list, the capability file and the window's one door, `ui/js/backend.js`, must name
/// exactly the same commands.
#[test]
fn every_command_is_listed_once_and_the_other_lists_follow_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let quoted = |text: &str, before: &str, after: &str| -> Vec<String> {
        let mut found = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find(before) {
            rest = &rest[start + before.len()..];
            let end = rest.find(after).unwrap();
            found.push(rest[..end].to_owned());
            rest = &rest[end + after.len()..];
        }
        found.sort();
        found
    };

    let build = read("src-tauri/build.rs");
    let list = &build[build.find("const COMMANDS").unwrap()..build.find("];").unwrap()];
    let commands = quoted(list, "\"", "\"");
    assert!(commands.len() > 10, "the list in build.rs was found: {commands:?}");

    let lib = read("src-tauri/src/lib.rs");
    let handlers = &lib[lib.find("generate_handler![").unwrap()..];
    let handlers = &handlers[..handlers.find(']').unwrap()];
    assert_eq!(
        quoted(handlers, "commands::", ","),
        commands,
        "generate_handler! in lib.rs"
    );

    let capability: Value = serde_json::from_str(&read("src-tauri/capabilities/main.json")).unwrap();
    let mut allowed: Vec<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-").map(|c| c.replace('-', "_")))
        .collect();
    allowed.sort();
    assert_eq!(allowed, commands, "capabilities/main.json");

    let mut called = quoted(&read("ui/js/backend.js"), "call(\"", "\"");
    called.dedup();
    assert_eq!(called, commands, "ui/js/backend.js");
}
