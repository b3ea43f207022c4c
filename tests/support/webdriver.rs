//! Just enough of the W3C WebDriver protocol to drive the real app through WebKitWebDriver.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Session {
    http: reqwest::blocking::Client,
    url: String,
    /// When the session (and so the app) was asked for: where a benchmark's start-up clock starts.
    #[allow(dead_code)] // read by tests/benches/startup.rs, which shares this module
    pub requested_at: std::time::SystemTime,
}

impl Session {
    /// Opens a session that starts `binary` as the browser; waits for the driver to listen.
    pub fn start(driver_port: u16, binary: &str) -> Session {
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let base = format!("http://127.0.0.1:{driver_port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while http.get(format!("{base}/status")).send().is_err() {
            assert!(Instant::now() < deadline, "WebKitWebDriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "webkitgtk:browserOptions": {"binary": binary, "args": []}
        }}});
        let requested_at = std::time::SystemTime::now();
        let answer: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let id = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {answer}"))
            .to_owned();
        Session {
            http,
            url: format!("{base}/session/{id}"),
            requested_at,
        }
    }

    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let answer: Value = request.send().unwrap().json().unwrap();
        answer["value"].clone()
    }

    /// Like `call`, for actions that must work: a WebDriver error fails the test with its text.
    fn act(&self, path: &str, body: Value) {
        let value = self.call(reqwest::Method::POST, path, Some(body));
        assert!(value.get("error").is_none(), "{path}: {value}");
    }

    pub fn find_all(&self, css: &str) -> Vec<String> {
        let found = self.call(
            reqwest::Method::POST,
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        );
        found
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits until an element matching `css` is shown and enabled, as a person would see it.
    pub fn wait_for(&self, css: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let usable = self.find_all(css).into_iter().find(|e| {
                self.is_displayed(e)
                    && self.call(reqwest::Method::GET, &format!("/element/{e}/enabled"), None) == Value::Bool(true)
            });
            if let Some(first) = usable {
                return first;
            }
            assert!(Instant::now() < deadline, "nothing matched {css}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub fn type_into(&self, element: &str, text: &str) {
        self.act(&format!("/element/{element}/value"), json!({"text": text}));
    }

    /// Types `keys` (WebDriver key codes such as "\u{E004}" for Tab included) into whatever has the
    /// keyboard focus, as a person with no pointer does.
    pub fn press(&self, keys: &str) {
        let active = self.call(reqwest::Method::GET, "/element/active", None);
        let element = active[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("nothing has the focus: {active}"));
        self.type_into(element, keys);
    }

    pub fn click(&self, element: &str) {
        self.act(&format!("/element/{element}/click"), json!({}));
    }

    pub fn attribute(&self, element: &str, name: &str) -> Option<String> {
        self.call(
            reqwest::Method::GET,
            &format!("/element/{element}/attribute/{name}"),
            None,
        )
        .as_str()
        .map(str::to_owned)
    }

    pub fn text(&self, element: &str) -> String {
        let text = self.call(reqwest::Method::GET, &format!("/element/{element}/text"), None);
        text.as_str().unwrap_or_else(|| panic!("no text: {text}")).to_owned()
    }

    pub fn is_displayed(&self, element: &str) -> bool {
        self.call(reqwest::Method::GET, &format!("/element/{element}/displayed"), None) == Value::Bool(true)
    }

    /// Runs `script` in the page and returns what it returns.
    pub fn execute(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Runs `script`, which reports its result by calling its last argument.
    pub fn execute_async(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// How long `execute_async` may wait for its script.
    #[allow(dead_code)] // used by tests/benches/startup.rs, which shares this module
    pub fn set_script_timeout(&self, within: Duration) {
        self.act("/timeouts", json!({"script": within.as_millis() as u64}));
    }

    /// Resizes the window, as a person dragging its corner would.
    pub fn resize(&self, width: u32, height: u32) {
        self.act("/window/rect", json!({"width": width, "height": height}));
    }

    pub fn quit(&self) {
        let _ = self.http.delete(&self.url).send();
    }
}
