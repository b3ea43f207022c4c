//! The installed app: `scripts/package-test.sh` builds a .deb, installs it, and runs this against
//! the binary the package put on the system (`KLING_DESK_INSTALLED_BIN`, /usr/bin/kling-desk by
//! default), under Xvfb and WebKitWebDriver, pointed at the emulator. It proves that the window
//! opens with the bundled frontend (not a blank page), showing the welcome panel and the gallery,
//! at the size and place remembered from the last run (tauri-plugin-window-state).
//!
//! Every launch gets its own session bus, keyring and data folder, as in `tests/e2e.rs`.
//!
//! Linux only (a .deb, Xvfb, WebKitWebDriver): on macOS and Windows it is not built.
#![cfg(target_os = "linux")]

#[allow(dead_code)] // only part of the shared launch and WebDriver helpers is used here
mod support;

use std::path::PathBuf;
use std::time::Duration;

use kling_emulator::{Emulator, EmulatorConfig};
use support::app::{screenshot, App};

fn installed_binary() -> PathBuf {
    PathBuf::from(std::env::var_os("KLING_DESK_INSTALLED_BIN").unwrap_or_else(|| "/usr/bin/kling-desk".into()))
}

#[test]
#[ignore = "needs the installed .deb, Xvfb and WebKitWebDriver: run by scripts/package-test.sh"]
fn the_installed_app_opens_where_it_was_left_with_the_welcome_panel_and_the_gallery() {
    let binary = installed_binary();
    assert!(
        binary.is_file(),
        "{} is not installed; scripts/package-test.sh installs it",
        binary.display()
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime.block_on(Emulator::start(EmulatorConfig::fast())).unwrap();
    let home = tempfile::tempdir().unwrap();
    // What tauri-plugin-window-state saved when the app last closed (X11 allows the position too).
    let config = home.path().join("config/app.klingdesk.desktop");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join(".window-state.json"),
        r#"{"main": {"width": 1000, "height": 640, "x": 48, "y": 32, "prev_x": 48, "prev_y": 32,
                     "maximized": false, "visible": true, "decorated": true, "fullscreen": false}}"#,
    )
    .unwrap();
    let log = home.path().join("app.log");
    let app = App::launch(&binary, home.path(), &emulator.base_url(), &log);
    let s = &app.session;

    // A new user: the welcome panel asks for the key, and the gallery has loaded (it is empty).
    s.wait_for("[data-testid=api-key]", Duration::from_secs(30));
    s.wait_for("[data-testid=empty]", Duration::from_secs(20));
    let page = s.execute_async(
        "const done = arguments[arguments.length - 1];
         const gallery = document.querySelector('[data-testid=gallery]');
         const section = gallery && gallery.closest('section');
         const shown = (e) => !!e && getComputedStyle(e).display !== 'none'
           && getComputedStyle(e).visibility !== 'hidden' && e.getBoundingClientRect().width > 0;
         done({
           title: document.title,
           protocol: location.protocol,
           width: window.innerWidth,
           height: window.innerHeight,
           x: window.screenX,
           y: window.screenY,
           gallery: !!gallery,
           galleryShown: shown(gallery) && shown(section),
           galleryTitle: (document.getElementById('gallery-title') || {}).textContent || '',
         });",
    );
    assert_eq!(page["title"], "Kling Desk", "{page}");
    // The frontend is the one bundled into the binary (tauri://), not a dev server.
    assert_eq!(page["protocol"], "tauri:", "{page}");
    assert_eq!(page["gallery"], true, "no gallery in the page: {page}");
    assert_eq!(page["galleryShown"], true, "the gallery is not shown: {page}");
    assert!(
        !page["galleryTitle"].as_str().unwrap_or("").trim().is_empty(),
        "the gallery's title was not translated: {page}"
    );
    assert_eq!(
        (&page["width"], &page["height"], &page["x"], &page["y"]),
        (&1000.into(), &640.into(), &48.into(), &32.into()),
        "the window did not come back at its remembered size and place: {page}"
    );
    screenshot("installed.png");
    drop(app);
}
