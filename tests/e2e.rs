//! The real app under Xvfb, driven over WebDriver, pointed at the emulator: a new user saves a
//! key, types a prompt, presses Generate and watches the video arrive and play.
//!
//! Needs an X server, WebKitWebDriver and dbus-run-session with gnome-keyring: `scripts/test.sh`
//! provides them and runs this with `--ignored`. Every launch gets its own session bus, keyring
//! and data folder.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use kling_core::emulator::{Emulator, EmulatorConfig};
use support::webdriver::Session;

const KEY: &str = "sk-e2e-7f3a9c2b5d1e4f60";

struct App {
    driver: Child,
    session: Session,
}

impl Drop for App {
    fn drop(&mut self) {
        self.session.quit();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kling-desk"))
}

/// Starts WebKitWebDriver inside its own session bus with an unlocked keyring, and the app with
/// its data under `home`.
fn launch(home: &Path, api_base: &str, log: &Path) -> App {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = format!(
        "echo -n e2e | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec WebKitWebDriver --port={port}"
    );
    let log_file = std::fs::File::create(log).unwrap();
    let driver = Command::new("dbus-run-session")
        .args(["--", "sh", "-c", &script])
        .env("TAURI_WEBVIEW_AUTOMATION", "true")
        .env("KLING_DESK_API_BASE", api_base)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .stdout(Stdio::from(log_file.try_clone().unwrap()))
        .stderr(Stdio::from(log_file))
        .spawn()
        .expect("dbus-run-session and WebKitWebDriver are installed by scripts/setup.sh");
    let session = Session::start(port, binary().to_str().unwrap());
    App { driver, session }
}

fn screenshot(name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    let status = Command::new("import")
        .args(["-window", "root"])
        .arg(dir.join(name))
        .status()
        .unwrap();
    assert!(status.success(), "could not grab the X screen");
}

fn files_containing(root: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if std::fs::read(&path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle)) {
                found.push(path);
            }
        }
    }
    found
}

#[test]
#[ignore = "needs Xvfb, a session bus and WebKitWebDriver: run by scripts/test.sh"]
fn a_new_user_saves_a_key_generates_and_plays_the_video() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime
        .block_on(Emulator::start(EmulatorConfig {
            api_key: Some(KEY.into()),
            submitted_ms: 3000,
            processing_ms: 8000,
            ..EmulatorConfig::fast()
        }))
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("app.log");
    let app = launch(home.path(), &emulator.base_url(), &log);
    let s = &app.session;

    let key_field = s.wait_for("[data-testid=api-key]", Duration::from_secs(30));
    s.type_into(&key_field, KEY);
    s.click(&s.wait_for("[data-testid=save-key]", Duration::from_secs(5)));

    let prompt = s.wait_for("[data-testid=prompt]", Duration::from_secs(20));
    s.type_into(&prompt, "A paper boat drifting down a rainy street at dusk");
    let generate = s.wait_for("[data-testid=generate]", Duration::from_secs(5));
    s.click(&generate);

    let card = s.wait_for("[data-testid=generation]", Duration::from_secs(10));
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        let status = s.attribute(&card, "data-status").unwrap_or_default();
        if seen.last() != Some(&status) {
            seen.push(status.clone());
        }
        if status == "ready" || status == "failed" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the card stayed at {seen:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        seen.last().map(String::as_str),
        Some("ready"),
        "statuses seen: {seen:?}"
    );
    assert!(
        seen.len() >= 3,
        "the card showed its progress, not just the end: {seen:?}"
    );
    let task_id = s.attribute(&card, "data-task-id").unwrap_or_default();
    assert_eq!(
        emulator.tasks().iter().map(|t| t.task_id.clone()).collect::<Vec<_>>(),
        [task_id]
    );

    let duration = s.execute_async(
        "const done = arguments[arguments.length - 1];
         const v = document.querySelector('[data-testid=generation] [data-testid=video]');
         if (!v) { done('no video'); return; }
         if (v.readyState >= 1) { done(v.duration); return; }
         v.addEventListener('loadedmetadata', () => done(v.duration), {once: true});
         v.addEventListener('error', () => done('error ' + (v.error && v.error.code)), {once: true});",
    );
    let seconds = duration
        .as_f64()
        .unwrap_or_else(|| panic!("the video did not load: {duration}"));
    assert!(
        (seconds - 5.1).abs() < 0.05,
        "the clip is 5.1 s long, the player says {seconds}"
    );
    screenshot("ready.png");

    drop(app);
    assert!(emulator.key_leaks().is_empty(), "the key went to the result host");
    let leaks = files_containing(home.path(), KEY.as_bytes());
    assert!(leaks.is_empty(), "the key is in plain text in {leaks:?}");
}
