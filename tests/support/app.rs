//! Starting the real app for a test: WebKitWebDriver (which starts the app) inside its own session
//! bus with an unlocked gnome-keyring, and HOME and the XDG folders under one folder of the test's.
//! Launching again with the same home finds the same library, settings and keyring (the keyring
//! files live in `$XDG_DATA_HOME/keyrings` and are unlocked with the same password).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::webdriver::Session;

/// Unlocks (or, the first time, creates) the login keyring of every test home.
const KEYRING_PASSWORD: &str = "e2e";
/// Files the launch script writes into the home: the session bus address and the driver's pid.
const BUS_FILE: &str = ".e2e-bus-address";
const DRIVER_PID_FILE: &str = ".e2e-driver-pid";

/// The app under WebDriver; dropping it ends the WebDriver session (which closes the app if it
/// still runs), then WebKitWebDriver, so that `dbus-run-session` takes its bus, the keyring
/// daemon and the accessibility bus down with it.
pub struct App {
    driver: Child,
    home: PathBuf,
    pub session: Session,
}

impl App {
    /// Starts `binary` under WebKitWebDriver with its data under `home`, talking to `api_base`;
    /// the output of everything goes to `log` (appended, so that several launches share one log).
    pub fn launch(binary: &Path, home: &Path, api_base: &str, log: &Path) -> App {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let script = format!(
            "echo -n {KEYRING_PASSWORD} | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
             echo \"$DBUS_SESSION_BUS_ADDRESS\" >\"$HOME/{BUS_FILE}\"
             echo $$ >\"$HOME/{DRIVER_PID_FILE}\"
             exec WebKitWebDriver --port={port}"
        );
        let log_file = std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap();
        let driver = home_env(
            Command::new("dbus-run-session").args(["--", "sh", "-c", &script]),
            home,
            api_base,
        )
        .env("TAURI_WEBVIEW_AUTOMATION", "true")
        .stdout(Stdio::from(log_file.try_clone().unwrap()))
        .stderr(Stdio::from(log_file))
        .spawn()
        .expect("dbus-run-session and WebKitWebDriver are installed by scripts/setup.sh --test");
        let session = Session::start(port, binary.to_str().unwrap());
        App {
            driver,
            home: home.to_owned(),
            session,
        }
    }

    /// The address of this launch's private session bus.
    pub fn bus_address(&self) -> String {
        std::fs::read_to_string(self.home.join(BUS_FILE))
            .expect("the launch script writes the bus address before starting WebKitWebDriver")
            .trim()
            .to_owned()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.session.quit();
        if let Ok(pid) = std::fs::read_to_string(self.home.join(DRIVER_PID_FILE)) {
            let _ = Command::new("kill").args(["-TERM", pid.trim()]).status();
        }
        if wait_with_timeout(&mut self.driver, Duration::from_secs(10)).is_none() {
            let _ = self.driver.kill();
            let _ = self.driver.wait();
        }
    }
}

/// The environment every launch of the app gets: HOME and the XDG folders under `home`, the API
/// base, and WebKit settings that work under Xvfb.
pub fn home_env<'a>(command: &'a mut Command, home: &Path, api_base: &str) -> &'a mut Command {
    command
        .env("KLING_DESK_API_BASE", api_base)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
}

/// The exit status of `child` once it ends, or None if it still runs after `within`.
pub fn wait_with_timeout(child: &mut Child, within: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The processes running `binary` with `home` as their HOME, that is, the app instances of one test.
pub fn app_pids(binary: &Path, home: &Path) -> Vec<u32> {
    let binary = binary.canonicalize().unwrap();
    let home_var = [b"HOME=".as_slice(), home.as_os_str().as_encoded_bytes()].concat();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == binary))
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|environ| environ.split(|&b| b == 0).any(|var| var == home_var))
        })
        .collect()
}

/// Waits until no instance of `binary` runs with `home`; false if one still does after `within`.
pub fn wait_until_gone(binary: &Path, home: &Path, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while !app_pids(binary, home).is_empty() {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    true
}

/// Saves the whole X screen as `target/e2e/<name>`, for people to look at.
pub fn screenshot(name: &str) {
    grab_screen(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("target/e2e").join(name),
        &[],
    );
}

/// Saves the X screen at `path`, through ImageMagick's `options` (a crop, a resize). WebDriver's
/// own screenshot stops answering once the page idles under Xvfb; grabbing the screen always works.
pub fn grab_screen(path: &Path, options: &[&str]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let status = Command::new("import")
        .args(["-window", "root"])
        .args(options)
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "could not grab the X screen");
}
