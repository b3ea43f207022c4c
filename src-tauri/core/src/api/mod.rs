//! The CometAPI client: create a task on the route of its kind (text, picture, continuation), query
//! it by task id or by our external id, and
//! ask a chat model (the prompt coach, `chat`).
//! It knows the wire and the error classes; when to call it is the tracker's business.

mod chat;
mod errors;
mod pacing;
mod types;

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{HeaderMap, AUTHORIZATION, RETRY_AFTER};
use serde_json::Value;

use crate::rules::GenerationKind;

pub use chat::{ChatAnswer, ChatMessage, ChatRequest, ChatUsage};
pub use errors::{classify, parse_retry_after, ApiError};
pub use pacing::{requests_per_second_setting, Pacer, RateRange, DEFAULT_REQUESTS_PER_SECOND, REQUESTS_PER_SECOND};
pub use types::{CameraConfig, CameraControl, CreateTask, Task, TaskInfo, TaskResult, TaskStatus, Video};

pub const DEFAULT_API_BASE: &str = "https://api.cometapi.com";
/// Where a CometAPI account makes and lists its API keys (the console signs in first).
pub const KEY_PAGE_URL: &str = "https://www.cometapi.com/console/token";
/// Answers from the API are small JSON; anything far larger is refused instead of read.
const MAX_BODY_BYTES: usize = 1 << 20;

/// How long a request may take before its answer counts as lost (API reference §8).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timeouts {
    pub create: Duration,
    pub query: Duration,
    /// A chat answer (the prompt coach): someone is waiting for it with nothing else to do.
    pub chat: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            create: Duration::from_secs(60),
            query: Duration::from_secs(30),
            chat: Duration::from_secs(30),
        }
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    timeouts: Timeouts,
    /// Shared by every clone, so all tasks together stay under the requests-per-second limit.
    pacer: std::sync::Arc<Pacer>,
}

/// What a create call settled: the provider's task as first reported.
pub type Created = Task;

impl Client {
    pub fn new(base: &str) -> Result<Self, ApiError> {
        Self::with_pacer(base, std::sync::Arc::new(Pacer::default()))
    }

    pub fn with_pacer(base: &str, pacer: std::sync::Arc<Pacer>) -> Result<Self, ApiError> {
        let base = base.trim().trim_end_matches('/').to_owned();
        if !acceptable_base(&base) {
            return Err(ApiError::Misrouted { status: 0 });
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("KlingDesk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Network(e.to_string()))?;
        Ok(Client {
            http,
            base,
            pacer,
            timeouts: Timeouts::default(),
        })
    }

    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// A POST of `body` to `route` at the API address, the key in its Authorization header only.
    fn post(&self, route: &str, key: &str, timeout: Duration, body: &impl serde::Serialize) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{route}", self.base))
            .header(AUTHORIZATION, bearer(key))
            .timeout(timeout)
            .json(body)
    }

    /// Sends the create call once. Retrying is the caller's decision: see `submission`.
    pub async fn create(&self, key: &str, body: &CreateTask) -> Result<Created, ApiError> {
        let request = self.post(body.kind.route(), key, self.timeouts.create, body);
        let data = self.send(request).await?;
        serde_json::from_value::<Task>(data)
            .map_err(|e| ApiError::Unexpected(format!("create answered without a task: {e}")))
    }

    pub async fn query(&self, key: &str, kind: GenerationKind, task_id: &str) -> Result<Task, ApiError> {
        let url = format!("{}{}/{}", self.base, kind.route(), encode_segment(task_id));
        self.query_url(key, &url).await
    }

    /// Looks a task up by the id we gave it: the path form first, then the query form (which form
    /// CometAPI serves is not documented). `Ok(None)` is a "not found" from every form tried.
    pub async fn query_by_external(
        &self,
        key: &str,
        kind: GenerationKind,
        external_task_id: &str,
    ) -> Result<Option<Task>, ApiError> {
        let route = kind.route();
        let forms = [
            format!("{}{route}/{}", self.base, encode_segment(external_task_id)),
            format!(
                "{}{route}?external_task_id={}",
                self.base,
                encode_segment(external_task_id)
            ),
        ];
        let mut last_error = None;
        let mut not_found = false;
        for url in forms {
            match self.query_url(key, &url).await {
                Ok(task) if task.external_task_id().is_none_or(|id| id == external_task_id) => return Ok(Some(task)),
                Ok(_) => last_error = Some(ApiError::Unexpected("lookup answered with another task".into())),
                Err(e) if e.is_not_found() => not_found = true,
                // A gateway that does not serve this form answers with a page, not an API error.
                Err(ApiError::Misrouted { .. }) if not_found => {}
                Err(e) => last_error = Some(e),
            }
        }
        // "Not found" only when no form failed: a form that errored might have found the task.
        match last_error {
            Some(e) => Err(e),
            None => Ok(None),
        }
    }

    /// Checks a key without spending credits: a task id that cannot exist answers "not found" to
    /// a good key and 401 to a bad one.
    pub async fn check_key(&self, key: &str) -> Result<(), ApiError> {
        let probe = format!("kd-keycheck-{}", uuid::Uuid::new_v4());
        match self.query(key, GenerationKind::TextToVideo, &probe).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn query_url(&self, key: &str, url: &str) -> Result<Task, ApiError> {
        let request = self
            .http
            .get(url)
            .header(AUTHORIZATION, bearer(key))
            .timeout(self.timeouts.query);
        let data = self.send(request).await?;
        serde_json::from_value::<Task>(data).map_err(|e| ApiError::Unexpected(format!("not a task: {e}")))
    }

    /// Sends, reads a capped body and returns `data` of a `code == 0` answer, whatever `message` says.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Value, ApiError> {
        let Exchange {
            status,
            retry_after,
            text,
        } = self.exchange(request).await?;
        if status == 200 {
            if let Ok(Value::Object(mut json)) = serde_json::from_str::<Value>(&text) {
                if json.get("code").and_then(Value::as_i64) == Some(0) {
                    return match json.remove("data") {
                        Some(data @ Value::Object(_)) => Ok(data),
                        _ => Err(ApiError::Unexpected("code 0 without data".into())),
                    };
                }
            }
        }
        Err(not_an_answer(status, &text, retry_after, "a CometAPI answer"))
    }

    /// Waits for the request's turn under the shared limit, sends it and reads a capped body:
    /// what every route has in common before its answer is interpreted.
    async fn exchange(&self, request: reqwest::RequestBuilder) -> Result<Exchange, ApiError> {
        self.pacer.wait_turn().await;
        let response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let retry_after = retry_after(response.headers());
        let body = read_capped(response).await?;
        Ok(Exchange {
            status,
            retry_after,
            text: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

/// An answer as it arrived, not yet interpreted.
/// What an answer that is not the `expected` one says: `classify`'s reading, but a 200 it cannot
/// place is named after what was expected instead.
fn not_an_answer(status: u16, text: &str, retry_after: Option<Duration>, expected: &str) -> ApiError {
    match classify(status, text, retry_after) {
        ApiError::Unexpected(_) if status == 200 => ApiError::Unexpected(format!("HTTP 200 that is not {expected}")),
        other => other,
    }
}

struct Exchange {
    status: u16,
    retry_after: Option<Duration>,
    text: String,
}

/// HTTPS anywhere; plain HTTP only to this machine (the emulator, a local proxy), because the key
/// travels in every request's header and must never cross a network in the clear.
fn acceptable_base(base: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(base) else {
        return false;
    };
    match url.scheme() {
        "https" => url.host_str().is_some_and(|host| !host.is_empty()),
        "http" => {
            url.host_str()
                .is_some_and(|host| host.eq_ignore_ascii_case("localhost"))
                || host_ip(&url).is_some_and(|ip| ip.is_loopback())
        }
        _ => false,
    }
}

/// The address a URL names when its host is a literal IP (`127.0.0.1`, `[::1]`), else `None`.
pub(crate) fn host_ip(url: &reqwest::Url) -> Option<std::net::IpAddr> {
    url.host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

fn bearer(key: &str) -> String {
    format!("Bearer {}", key.trim())
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers.get(RETRY_AFTER)?.to_str().ok().and_then(parse_retry_after)
}

pub(crate) fn transport(e: reqwest::Error) -> ApiError {
    if e.is_connect() {
        ApiError::Unreachable(e.without_url().to_string())
    } else if e.is_timeout() {
        ApiError::Timeout
    } else {
        // reqwest's text can contain the URL but never headers, so the key cannot leak through it.
        ApiError::Network(e.without_url().to_string())
    }
}

async fn read_capped(response: reqwest::Response) -> Result<Vec<u8>, ApiError> {
    if response.content_length().is_some_and(|n| n as usize > MAX_BODY_BYTES) {
        return Err(ApiError::TooLarge { limit: MAX_BODY_BYTES });
    }
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(transport)?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ApiError::TooLarge { limit: MAX_BODY_BYTES });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Percent-encodes one path segment, so an id with `/` or `..` stays one segment.
fn encode_segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_accepted_only_on_this_machine() {
        for good in [
            "https://api.cometapi.com",
            "http://127.0.0.1:18080",
            "http://localhost:8080",
            "http://[::1]:9",
        ] {
            assert!(Client::new(good).is_ok(), "{good}");
        }
        for bad in [
            "http://api.cometapi.com",
            "http://192.168.1.20:8080",
            "http://10.0.0.1",
            "ftp://x",
            "https://",
        ] {
            assert!(Client::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_stay_one_segment() {
        assert_eq!(encode_segment("../etc/passwd"), "%2E%2E%2Fetc%2Fpasswd");
        assert_eq!(encode_segment("kd-3f6c_x"), "kd-3f6c_x");
    }

    #[test]
    fn numeric_task_ids_keep_their_exact_text() {
        let task: Task =
            serde_json::from_str(r#"{"task_id": 2032273942220931072, "task_status": "succeeded"}"#).unwrap();
        assert_eq!(task.task_id, "2032273942220931072");
        assert_eq!(task.task_status, TaskStatus::Unknown("succeeded".into()));
        assert!(!task.task_status.is_terminal());
    }
}
