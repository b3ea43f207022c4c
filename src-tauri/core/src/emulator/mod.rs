//! A local stand-in for CometAPI's Kling text2video routes (contract: §9 of
//! `cometapi-kling-api.md`).
//!
//! It validates requests with its own code against the shared `crate::rules` data, runs tasks on a
//! virtual clock, serves real MP4 results, and lets tests inject faults, force statuses and read a
//! log of every request. It never imports the client: a client bug must not be able to make the
//! emulator agree with it.
//!
//! Test control over HTTP lives under `/__emu/` (listed in `routes.rs`); the same operations are methods
//! on [`Emulator`] for in-process tests.
//!
//! Faults as JSON (`POST /__emu/faults`), all fields but `kind` optional:
//! ```json
//! {"route": "create", "times": 2, "retry_after": "3",
//!  "kind": {"type": "status", "http": 429, "body": "{\"code\":1302,\"message\":\"rate limit\"}",
//!           "content_type": "application/json"}}
//! ```
//! `route`: `create | query | media | any` (default `any`); `times` default 1; `kind.type`:
//! `status` (`http`, `body`, `content_type` default `application/json`), `redirect` (`http`
//! default 301, `location`), `created_but_lost`, `reset`, `delay` (`ms`), `truncated`.

mod checks;
mod conn;
mod media;
mod routes;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use conn::{ConnRegistry, KillableListener};

/// Which answers the external-id lookup routes give (CometAPI support is unconfirmed, §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExternalLookup {
    /// `GET …/text2video/{external_task_id}` and `GET …/text2video?external_task_id=`.
    #[default]
    PathAndQuery,
    PathOnly,
    QueryOnly,
    None,
}

impl ExternalLookup {
    fn path(self) -> bool {
        matches!(self, Self::PathAndQuery | Self::PathOnly)
    }
    fn query(self) -> bool {
        matches!(self, Self::PathAndQuery | Self::QueryOnly)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownModelStyle {
    /// 404 `{"code":1203,…}`.
    #[default]
    Kling404,
    /// 503 gateway envelope with `error.code` `model_not_found`.
    Gateway503,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthStyle {
    /// 401 `{"error":{…,"type":"comet_api_error"}}`.
    #[default]
    Gateway,
    /// 401 `{"code":1001,…}` for a missing header, `{"code":1004,…}` for a wrong key.
    Kling,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmulatorConfig {
    /// `None`: any Bearer key is accepted (a missing or empty one is still 401).
    pub api_key: Option<String>,
    /// Time in `submitted` before `processing`.
    pub submitted_ms: u64,
    /// Time in `processing` before `succeed` / `failed`.
    pub processing_ms: u64,
    /// When set, each task draws its `submitted` time at random from `submitted_ms..=max`.
    pub submitted_ms_max: Option<u64>,
    /// When set, each task draws its `processing` time at random from `processing_ms..=max`.
    pub processing_ms_max: Option<u64>,
    pub lookup_by_external: ExternalLookup,
    /// Running tasks (not yet `succeed`/`failed`) per key; one more create answers 429/1303.
    pub max_running: Option<usize>,
    /// A numeric `duration` is refused with 1201 (as Kling documents a string).
    pub strict_duration: bool,
    pub unknown_model_style: UnknownModelStyle,
    pub auth_style: AuthStyle,
}

impl EmulatorConfig {
    /// 200 ms in `submitted`, 1 s in `processing`.
    pub fn fast() -> Self {
        EmulatorConfig {
            api_key: None,
            submitted_ms: 200,
            processing_ms: 1000,
            submitted_ms_max: None,
            processing_ms_max: None,
            lookup_by_external: ExternalLookup::PathAndQuery,
            max_running: None,
            strict_duration: true,
            unknown_model_style: UnknownModelStyle::Kling404,
            auth_style: AuthStyle::Gateway,
        }
    }

    /// Timings like the real service (§8): 5–30 s submitted, 60–300 s processing, per task.
    pub fn realistic() -> Self {
        EmulatorConfig {
            submitted_ms: 5_000,
            submitted_ms_max: Some(30_000),
            processing_ms: 60_000,
            processing_ms_max: Some(300_000),
            ..Self::fast()
        }
    }
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self::fast()
    }
}

/// A subset of the config fields, as `PUT /__emu/config` takes them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigPatch {
    #[serde(default, deserialize_with = "some")]
    api_key: Option<Option<String>>,
    submitted_ms: Option<u64>,
    processing_ms: Option<u64>,
    #[serde(default, deserialize_with = "some")]
    submitted_ms_max: Option<Option<u64>>,
    #[serde(default, deserialize_with = "some")]
    processing_ms_max: Option<Option<u64>>,
    lookup_by_external: Option<ExternalLookup>,
    #[serde(default, deserialize_with = "some")]
    max_running: Option<Option<usize>>,
    strict_duration: Option<bool>,
    unknown_model_style: Option<UnknownModelStyle>,
    auth_style: Option<AuthStyle>,
}

/// Tells "field absent" (outer `None`) from "field set to null" (`Some(None)`).
fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

impl ConfigPatch {
    fn apply(self, c: &mut EmulatorConfig) {
        if let Some(v) = self.api_key {
            c.api_key = v;
        }
        if let Some(v) = self.submitted_ms {
            c.submitted_ms = v;
        }
        if let Some(v) = self.processing_ms {
            c.processing_ms = v;
        }
        if let Some(v) = self.submitted_ms_max {
            c.submitted_ms_max = v;
        }
        if let Some(v) = self.processing_ms_max {
            c.processing_ms_max = v;
        }
        if let Some(v) = self.lookup_by_external {
            c.lookup_by_external = v;
        }
        if let Some(v) = self.max_running {
            c.max_running = v;
        }
        if let Some(v) = self.strict_duration {
            c.strict_duration = v;
        }
        if let Some(v) = self.unknown_model_style {
            c.unknown_model_style = v;
        }
        if let Some(v) = self.auth_style {
            c.auth_style = v;
        }
    }
}

/// Which requests a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultRoute {
    /// `POST /kling/v1/videos/text2video`.
    Create,
    /// `GET /kling/v1/videos/text2video…` (path and query forms).
    Query,
    /// `GET`/`HEAD /bs2/…` result files.
    Media,
    /// Every request except `/__emu/` control.
    #[default]
    Any,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FaultKind {
    /// Any canned response.
    Status {
        http: u16,
        body: String,
        content_type: &'static str,
    },
    /// A redirect (`Location` header) with an HTML body.
    Redirect { http: u16, location: String },
    /// Create requests only: handle the request for real (a task may be created), then drop the
    /// connection without a response.
    CreatedButLost,
    /// Drop the connection without a response; nothing is created.
    Reset,
    /// Wait this long, then handle the request normally.
    Delay { ms: u64 },
    /// API routes: 200 with the real JSON body cut in half (consistent Content-Length).
    /// Media: the real status and headers, then half the bytes and a dropped connection.
    Truncated,
}

/// `FaultKind` as JSON spells it; only `content_type` differs (owned, with a default).
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum FaultKindWire {
    Status {
        http: u16,
        body: String,
        #[serde(default)]
        content_type: Option<String>,
    },
    Redirect {
        #[serde(default = "moved_permanently")]
        http: u16,
        location: String,
    },
    CreatedButLost,
    Reset,
    Delay {
        ms: u64,
    },
    Truncated,
}

// By hand: serde's derive would tie `'de` to the `&'static str` field and only accept 'static input.
impl<'de> Deserialize<'de> for FaultKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        FaultKindWire::deserialize(d).map(Into::into)
    }
}

impl From<FaultKindWire> for FaultKind {
    fn from(wire: FaultKindWire) -> Self {
        match wire {
            FaultKindWire::Status {
                http,
                body,
                content_type,
            } => FaultKind::Status {
                http,
                body,
                content_type: static_content_type(content_type),
            },
            FaultKindWire::Redirect { http, location } => FaultKind::Redirect { http, location },
            FaultKindWire::CreatedButLost => FaultKind::CreatedButLost,
            FaultKindWire::Reset => FaultKind::Reset,
            FaultKindWire::Delay { ms } => FaultKind::Delay { ms },
            FaultKindWire::Truncated => FaultKind::Truncated,
        }
    }
}

fn moved_permanently() -> u16 {
    301
}

/// Content types are `&'static str` so faults are cheap to write in tests; over HTTP the common
/// ones map to constants and anything else is leaked, which is fine for a handful of test faults.
fn static_content_type(content_type: Option<String>) -> &'static str {
    let Some(s) = content_type else {
        return "application/json";
    };
    match s.as_str() {
        "application/json" => "application/json",
        "text/html" => "text/html",
        "text/html; charset=utf-8" => "text/html; charset=utf-8",
        "text/plain" => "text/plain",
        "text/plain; charset=utf-8" => "text/plain; charset=utf-8",
        _ => Box::leak(s.into_boxed_str()),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    #[serde(default)]
    pub route: FaultRoute,
    /// How many matching requests it hits before it is used up.
    #[serde(default = "once")]
    pub times: u32,
    pub kind: FaultKind,
    /// Sent as the `Retry-After` header (delta-seconds or an HTTP-date, verbatim).
    #[serde(default)]
    pub retry_after: Option<String>,
}

fn once() -> u32 {
    1
}

impl Fault {
    /// Once, on any route.
    pub fn new(kind: FaultKind) -> Self {
        Fault {
            route: FaultRoute::Any,
            times: 1,
            kind,
            retry_after: None,
        }
    }

    /// Kling envelope: `{"code":code,"message":message,"request_id":…}` with HTTP `http`.
    pub fn kling(http: u16, code: i64, message: &str) -> Self {
        Self::new(FaultKind::Status {
            http,
            body: routes::kling_body(code, message).to_string(),
            content_type: "application/json",
        })
    }

    /// CometAPI gateway envelope: `{"error":{"message":…,"type":"comet_api_error","code":code}}`.
    pub fn gateway(http: u16, code: &str, message: &str) -> Self {
        Self::new(FaultKind::Status {
            http,
            body: routes::gateway_body(code, message).to_string(),
            content_type: "application/json",
        })
    }

    /// An HTML error page, as a proxy or CDN in front of the API would send (502, 524, …).
    pub fn html(http: u16) -> Self {
        Self::new(FaultKind::Status {
            http,
            body: routes::html_page(http),
            content_type: "text/html; charset=utf-8",
        })
    }

    /// 200 with a JSON body whose `code` is not 0.
    pub fn ok_with_code(code: i64, message: &str) -> Self {
        Self::kling(200, code, message)
    }

    pub fn redirect(location: &str) -> Self {
        Self::new(FaultKind::Redirect {
            http: 301,
            location: location.to_string(),
        })
    }

    pub fn created_but_lost() -> Self {
        Self::new(FaultKind::CreatedButLost).on(FaultRoute::Create)
    }

    pub fn reset() -> Self {
        Self::new(FaultKind::Reset)
    }

    pub fn delay(ms: u64) -> Self {
        Self::new(FaultKind::Delay { ms })
    }

    pub fn truncated() -> Self {
        Self::new(FaultKind::Truncated)
    }

    pub fn on(mut self, route: FaultRoute) -> Self {
        self.route = route;
        self
    }

    pub fn times(mut self, times: u32) -> Self {
        self.times = times;
        self
    }

    pub fn retry_after(mut self, value: &str) -> Self {
        self.retry_after = Some(value.to_string());
        self
    }
}

/// One request as it reached the emulator (control routes excluded).
#[derive(Debug, Clone, Serialize)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Lowercase names; repeated headers joined with ", ".
    pub headers: HashMap<String, String>,
    pub body: String,
    /// Emulator clock (real time plus the virtual offset), Unix ms.
    pub at_ms: u64,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    pub fn is_media(&self) -> bool {
        self.path.starts_with("/bs2/")
    }

    pub fn is_api(&self) -> bool {
        self.path.starts_with("/kling/")
    }

    /// The result host must never see the API key (§6): any Authorization header there is a leak.
    pub fn has_key_on_media(&self) -> bool {
        self.is_media() && self.headers.contains_key("authorization")
    }
}

/// A task as the emulator sees it right now (status computed from the clock).
#[derive(Debug, Clone, Serialize)]
pub struct TaskSnapshot {
    pub task_id: String,
    pub external_task_id: Option<String>,
    pub status: String,
    pub status_msg: Option<String>,
    /// The create body as received.
    pub request: Value,
    pub callback_url: Option<String>,
    pub created_at: u64,
    pub updated_at: u64,
    /// The result URL once the task has succeeded with a video.
    pub video_url: Option<String>,
}

/// What a prompt token decided about the task's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Succeed,
    Fail,
    Stuck,
    UnknownStatus,
    NoVideo,
}

impl Outcome {
    fn from_prompt(prompt: &str) -> Self {
        if prompt.contains("#emu:fail") {
            Outcome::Fail
        } else if prompt.contains("#emu:stuck") {
            Outcome::Stuck
        } else if prompt.contains("#emu:unknown-status") {
            Outcome::UnknownStatus
        } else if prompt.contains("#emu:no-video") {
            Outcome::NoVideo
        } else {
            Outcome::Succeed
        }
    }
}

const FAILURE_MESSAGE: &str = "content risk control triggered";

#[derive(Debug, Clone)]
struct Forced {
    status: String,
    message: Option<String>,
    at: u64,
}

#[derive(Debug, Clone)]
struct Task {
    task_id: String,
    external_task_id: Option<String>,
    /// The Bearer key it was created with: external ids are unique per account.
    account: String,
    request: Value,
    callback_url: Option<String>,
    aspect_ratio: String,
    duration: String,
    created_at: u64,
    submitted_ms: u64,
    processing_ms: u64,
    outcome: Outcome,
    forced: Option<Forced>,
    /// The 10-digit folder of the result URL.
    bucket: String,
    video_id: String,
}

/// The status a task shows at one instant.
struct TaskView {
    status: String,
    message: Option<String>,
    updated_at: u64,
    has_video: bool,
}

impl Task {
    fn view(&self, now: u64) -> TaskView {
        if let Some(f) = &self.forced {
            return TaskView {
                status: f.status.clone(),
                message: f.message.clone(),
                updated_at: f.at,
                has_video: f.status == "succeed" && self.outcome != Outcome::NoVideo,
            };
        }
        let processing_at = self.created_at + self.submitted_ms;
        let done_at = processing_at + self.processing_ms;
        let (status, message, updated_at) = if now < processing_at {
            ("submitted", None, self.created_at)
        } else if now < done_at || self.outcome == Outcome::Stuck {
            let status = if self.outcome == Outcome::UnknownStatus {
                "queueing"
            } else {
                "processing"
            };
            (status, None, processing_at)
        } else if self.outcome == Outcome::Fail {
            ("failed", Some(FAILURE_MESSAGE.to_string()), done_at)
        } else {
            ("succeed", Some(String::new()), done_at)
        };
        TaskView {
            status: status.to_string(),
            message,
            updated_at,
            has_video: status == "succeed" && self.outcome != Outcome::NoVideo,
        }
    }

    fn terminal(&self, now: u64) -> bool {
        matches!(self.view(now).status.as_str(), "succeed" | "failed")
    }

    fn video_url(&self, base_url: &str) -> String {
        format!(
            "{base_url}/bs2/upload-kling-api/{}/text2video/{}-0_raw_video_1.mp4",
            self.bucket, self.task_id
        )
    }

    fn snapshot(&self, now: u64, base_url: &str) -> TaskSnapshot {
        let view = self.view(now);
        TaskSnapshot {
            task_id: self.task_id.clone(),
            external_task_id: self.external_task_id.clone(),
            video_url: view.has_video.then(|| self.video_url(base_url)),
            status: view.status,
            status_msg: view.message,
            request: self.request.clone(),
            callback_url: self.callback_url.clone(),
            created_at: self.created_at,
            updated_at: view.updated_at,
        }
    }
}

struct State {
    config: EmulatorConfig,
    clock_offset_ms: u64,
    tasks: Vec<Task>,
    faults: VecDeque<Fault>,
    requests: Vec<RecordedRequest>,
}

impl State {
    fn now(&self) -> u64 {
        wall_ms() + self.clock_offset_ms
    }

    fn task_by_id(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.task_id == id)
    }

    fn task_by_external(&self, account: &str, external: &str) -> Option<&Task> {
        self.tasks
            .iter()
            .find(|t| t.account == account && t.external_task_id.as_deref() == Some(external))
    }

    /// Takes one use of the first queued fault that applies to this request.
    fn take_fault(&mut self, route: RouteKind) -> Option<Fault> {
        let index = self.faults.iter().position(|f| {
            let route_matches = match f.route {
                FaultRoute::Any => true,
                FaultRoute::Create => route == RouteKind::Create,
                FaultRoute::Query => route == RouteKind::Query,
                FaultRoute::Media => route == RouteKind::Media,
            };
            let kind_fits = f.kind != FaultKind::CreatedButLost || route == RouteKind::Create;
            route_matches && kind_fits && f.times > 0
        })?;
        let fault = &mut self.faults[index];
        fault.times -= 1;
        let taken = fault.clone();
        if fault.times == 0 {
            self.faults.remove(index);
        }
        Some(taken)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RouteKind {
    Create,
    Query,
    Media,
    Other,
}

fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn random_digits(n: usize) -> String {
    let mut rng = rand::thread_rng();
    let mut s = String::with_capacity(n);
    s.push(char::from(b'1' + rng.gen_range(0..9u8)));
    for _ in 1..n {
        s.push(char::from(b'0' + rng.gen_range(0..10u8)));
    }
    s
}

fn draw(min: u64, max: Option<u64>) -> u64 {
    match max {
        Some(max) if max > min => rand::thread_rng().gen_range(min..=max),
        _ => min,
    }
}

struct Shared {
    state: Mutex<State>,
    base_url: String,
    /// Holds the clip files for as long as anything can still serve them.
    media_dir: tempfile::TempDir,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking handler must not take the whole emulator down with a poisoned lock.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running emulator. Dropping it (or [`Emulator::shutdown`]) stops the server and cuts every
/// open connection.
pub struct Emulator {
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
    conns: ConnRegistry,
}

impl Emulator {
    /// Listens on 127.0.0.1 at a random port.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        Self::start_on(0, config).await
    }

    pub async fn start_on(port: u16, config: EmulatorConfig) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let media_dir = tempfile::Builder::new().prefix("kling-emulator-").tempdir()?;
        media::write_clips(media_dir.path())?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                config,
                clock_offset_ms: 0,
                tasks: Vec::new(),
                faults: VecDeque::new(),
                requests: Vec::new(),
            }),
            base_url: format!("http://127.0.0.1:{}", addr.port()),
            media_dir,
        });
        let conns = ConnRegistry::default();
        let listener = KillableListener {
            inner: listener,
            registry: conns.clone(),
        };
        let app = routes::router(shared.clone()).into_make_service_with_connect_info::<conn::ConnHandle>();
        let server = tokio::spawn(async move {
            // serve only returns on a listener error, which KillableListener never reports.
            let _ = axum::serve(listener, app).await;
        });
        Ok(Emulator { shared, server, conns })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    pub fn port(&self) -> u16 {
        self.shared
            .base_url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Requests that sent an Authorization header to a result URL.
    pub fn key_leaks(&self) -> Vec<RecordedRequest> {
        self.requests()
            .into_iter()
            .filter(RecordedRequest::has_key_on_media)
            .collect()
    }

    pub fn tasks(&self) -> Vec<TaskSnapshot> {
        let state = self.shared.lock();
        let now = state.now();
        state
            .tasks
            .iter()
            .map(|t| t.snapshot(now, &self.shared.base_url))
            .collect()
    }

    pub fn task(&self, task_id: &str) -> Option<TaskSnapshot> {
        self.tasks().into_iter().find(|t| t.task_id == task_id)
    }

    pub fn push_fault(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// Drops every fault not yet used up.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Faults not yet used up.
    pub fn pending_faults(&self) -> Vec<Fault> {
        self.shared.lock().faults.iter().cloned().collect()
    }

    /// Forces a status (any string, also unknown ones) from now on; `id` may be a task id or an
    /// external id. Unknown ids are ignored.
    pub fn set_task_status(&self, task_id: &str, status: &str, message: Option<&str>) {
        set_status(&mut self.shared.lock(), task_id, status, message);
    }

    /// Moves the virtual clock forward; tasks advance as if that much time had passed.
    pub fn advance_clock(&self, ms: u64) {
        self.shared.lock().clock_offset_ms += ms;
    }

    /// The emulator's clock in Unix ms (the time base of `created_at` / `updated_at`).
    pub fn now_ms(&self) -> u64 {
        self.shared.lock().now()
    }

    /// Changes apply to later requests; timings of existing tasks were fixed at their creation.
    pub fn set_config(&self, f: impl FnOnce(&mut EmulatorConfig)) {
        f(&mut self.shared.lock().config);
    }

    pub fn config(&self) -> EmulatorConfig {
        self.shared.lock().config.clone()
    }

    /// Forgets tasks, faults and the request log; the config and the clock stay.
    pub fn reset(&self) {
        reset(&mut self.shared.lock());
    }

    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.server.abort();
        conn::kill_all(&self.conns);
    }
}

fn reset(state: &mut State) {
    state.tasks.clear();
    state.faults.clear();
    state.requests.clear();
}

fn set_status(state: &mut State, id: &str, status: &str, message: Option<&str>) -> bool {
    let now = state.now();
    let Some(task) = state
        .tasks
        .iter_mut()
        .find(|t| t.task_id == id || t.external_task_id.as_deref() == Some(id))
    else {
        return false;
    };
    task.forced = Some(Forced {
        status: status.to_string(),
        message: message.map(str::to_string),
        at: now,
    });
    true
}
