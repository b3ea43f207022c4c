//! A data folder the app cannot use explains itself, started as a user starts it: the real binary,
//! under an Xvfb of its own (`xvfb-run -a`), with HOME and the XDG folders in a temporary folder.
//!
//! - The data folder is a file: the window opens and says it, and stderr says it too.
//! - Not even the data folder can be made (its parent is a file): the window cannot be made either,
//!   so stderr says it and a native message box shows it; closing the box, as a user would with the
//!   title bar's close button, ends the app with status 1.
//!
//! X11 and Xvfb make both Linux-only; on macOS and Windows they are compiled and skipped.

#[cfg(target_os = "linux")]
#[path = "support/mod.rs"]
#[allow(dead_code)] // only the launch environment and the X11 close are used here
mod support;

#[cfg(target_os = "linux")]
mod linux {
    use std::io::{BufRead, BufReader};
    use std::path::Path;
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc::{self, Receiver};
    use std::time::{Duration, Instant};

    use super::support::app::{home_env, wait_with_timeout};
    use super::support::x11::close_windows_titled_on;

    /// A debug build under Xvfb on two shared cores takes a few seconds to get this far.
    const PATIENCE: Duration = Duration::from_secs(90);

    /// One launch at a time: `xvfb-run -a` picks a free display by looking, which two launches
    /// starting together could both pick.
    pub static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

    pub struct Launch {
        child: Child,
        lines: Receiver<String>,
        /// Everything read from stderr so far, for the failure messages.
        pub seen: Vec<String>,
        /// The X display of this launch's own Xvfb.
        pub display: Option<String>,
        /// The app's own process id (xvfb-run is the child).
        app_pid: Option<String>,
    }

    impl Launch {
        /// Starts the app with `data_home` as XDG_DATA_HOME and `lang` as its locale.
        pub fn start(home: &Path, data_home: &Path, lang: &str) -> Launch {
            let binary = env!("CARGO_BIN_EXE_kling-desk");
            let script = "echo \"display=$DISPLAY\" >&2; echo \"pid=$$\" >&2; exec \"$0\"";
            let mut command = Command::new("xvfb-run");
            // `-ac`: the test itself connects to close the box, without the launch's cookie.
            command.args(["-a", "-s", "-screen 0 1280x800x24 -ac", "sh", "-c", script, binary]);
            home_env(&mut command, home, "http://127.0.0.1:9");
            let mut child = command
                .env("XDG_DATA_HOME", data_home)
                // No session bus: no keychain and no single-instance hand-over to a running copy.
                .env_remove("DBUS_SESSION_BUS_ADDRESS")
                .env_remove("LC_ALL")
                .env_remove("LC_MESSAGES")
                .env("LANG", lang)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("xvfb-run is installed by scripts/setup.sh --test");
            let (send, lines) = mpsc::channel();
            let stderr = child.stderr.take().unwrap();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if send.send(line).is_err() {
                        break;
                    }
                }
            });
            Launch {
                child,
                lines,
                seen: Vec::new(),
                display: None,
                app_pid: None,
            }
        }

        /// Reads stderr until a line contains `wanted`; panics with what was seen after PATIENCE.
        pub fn wait_for_line(&mut self, wanted: &str) -> String {
            let deadline = Instant::now() + PATIENCE;
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                match self.lines.recv_timeout(left) {
                    Ok(line) => {
                        if let Some(display) = line.strip_prefix("display=") {
                            self.display = Some(display.to_owned());
                        } else if let Some(pid) = line.strip_prefix("pid=") {
                            self.app_pid = Some(pid.to_owned());
                        }
                        self.seen.push(line.clone());
                        if line.contains(wanted) {
                            return line;
                        }
                    }
                    Err(_) => panic!(
                        "no line with {wanted:?} on stderr within {PATIENCE:?}; saw {:#?}",
                        self.seen
                    ),
                }
            }
        }

        /// Closes every window titled `title` on this launch's display, once one is there.
        pub fn close_window_titled(&self, title: &str) -> usize {
            let display = self.display.as_deref().expect("the display is the first line");
            let deadline = Instant::now() + PATIENCE;
            loop {
                let asked = close_windows_titled_on(Some(display), title);
                if asked > 0 || Instant::now() >= deadline {
                    return asked;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }

        /// The exit code, once the app has ended by itself (None if it still runs after `within`).
        pub fn exit_code(&mut self, within: Duration) -> Option<Option<i32>> {
            wait_with_timeout(&mut self.child, within).map(|status| status.code())
        }
    }

    impl Drop for Launch {
        fn drop(&mut self) {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            // The app still runs: end it (xvfb-run then takes its Xvfb down), and wait for both.
            if let Some(pid) = &self.app_pid {
                let _ = Command::new("kill").args(["-TERM", pid]).status();
            }
            if wait_with_timeout(&mut self.child, Duration::from_secs(20)).is_none() {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
    }
}

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs Xvfb and X11 (Linux only)")]
fn a_data_folder_that_is_a_file_is_explained_on_stderr_and_in_the_window() {
    #[cfg(target_os = "linux")]
    {
        use std::time::Duration;
        let _turn = linux::ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let home = tempfile::tempdir().unwrap();
        let data_home = home.path().join("data");
        std::fs::create_dir_all(&data_home).unwrap();
        let data_dir = data_home.join("app.klingdesk.desktop");
        std::fs::write(&data_dir, b"in the way").unwrap();
        let mut app = linux::Launch::start(home.path(), &data_home, "C.UTF-8");
        let line = app.wait_for_line("can't open its library");
        assert!(line.contains(&data_dir.join("library").display().to_string()), "{line}");
        assert!(
            line.contains("Not a directory"),
            "the detail is there for a bug report: {line}"
        );
        assert_eq!(std::fs::read(&data_dir).unwrap(), b"in the way", "nothing was changed");
        assert_eq!(
            app.exit_code(Duration::from_secs(2)),
            None,
            "the window stays open to say it"
        );
    }
}

#[test]
#[cfg_attr(not(target_os = "linux"), ignore = "needs Xvfb and X11 (Linux only)")]
fn a_data_folder_that_cannot_be_made_is_explained_on_stderr_and_in_a_message_box() {
    #[cfg(target_os = "linux")]
    {
        use std::time::Duration;
        let _turn = linux::ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let home = tempfile::tempdir().unwrap();
        // XDG_DATA_HOME is a file: the data folder below it can never be made.
        let data_home = home.path().join("data");
        std::fs::write(&data_home, b"in the way").unwrap();
        let mut app = linux::Launch::start(home.path(), &data_home, "de_DE.UTF-8");
        let line = app.wait_for_line("kann nicht starten");
        let data_dir = data_home.join("app.klingdesk.desktop");
        assert!(line.contains(&data_dir.display().to_string()), "{line}");
        assert!(
            line.contains("starte Kling Desk dann neu"),
            "in the system's language: {line}"
        );
        assert!(
            !app.seen.iter().any(|line| line.contains("panicked")),
            "{:#?}",
            app.seen
        );
        assert_eq!(app.exit_code(Duration::from_secs(3)), None, "the box waits to be read");
        assert_eq!(app.close_window_titled("Kling Desk"), 1, "one message box, no window");
        assert_eq!(
            app.exit_code(Duration::from_secs(30)),
            Some(Some(1)),
            "closing the box ends the app with a failure status; stderr: {:#?}",
            app.seen
        );
    }
}

/// The words of both kinds of message, on every system: the window's language choice, the window's
/// text for each problem a start can have, with its parameters filled in and the detail kept.
#[test]
fn start_failures_are_told_in_the_windows_words_and_language() {
    use kling_core::{Kind, Problem};
    use kling_desk::catalogs::{language, text};
    use kling_desk::start_failure::message;

    assert_eq!(language(Some("de"), Some("en-US")), "de");
    assert_eq!(language(Some("en"), Some("de_DE.UTF-8")), "en");
    assert_eq!(language(None, Some("de-AT")), "de");
    assert_eq!(language(Some("xx"), Some("fr-FR")), "en");
    assert_eq!(language(None, None), "en");

    let folder = std::env::temp_dir().join("Kling Desk").join("library");
    let path = folder.display().to_string();
    for lang in ["en", "de"] {
        for kind in [Kind::LibraryUnavailable, Kind::LibraryInUse, Kind::DiskFull] {
            let problem = Problem::new(kind)
                .param("path", path.as_str())
                .param("detail", "Not a directory (os error 20)");
            let told = message(&problem, lang);
            assert!(!told.contains('{'), "{lang} {kind}: {told}");
            assert!(told.contains("Not a directory (os error 20)"), "{lang} {kind}: {told}");
            if kind != Kind::DiskFull {
                assert!(told.contains(&path), "{lang} {kind}: {told}");
            }
        }
        let mut params = serde_json::Map::new();
        params.insert("path".into(), path.clone().into());
        params.insert("detail".into(), "os error 20".into());
        for key in ["start.data_folder", "start.no_window", "app.name"] {
            let told = text(lang, key, &params).unwrap_or_else(|| panic!("{lang}: no {key}"));
            assert!(!told.contains('{'), "{lang} {key}: {told}");
        }
    }
    let (en, de) = (
        message(&Problem::new(Kind::LibraryUnavailable).param("path", "/x"), "en"),
        message(&Problem::new(Kind::LibraryUnavailable).param("path", "/x"), "de"),
    );
    assert_ne!(en, de, "German is German");
}
