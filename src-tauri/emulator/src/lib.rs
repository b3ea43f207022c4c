//! A local stand-in for CometAPI's Kling video routes, text2video, image2video and video-extend
//! (contract: §9 of `cometapi-kling-api.md`), and for its OpenAI-compatible chat route, which the
//! prompt coach uses (`chat.rs`).
//!
//! It validates requests with its own code against the shared `kling_core::rules` data, runs tasks on a
//! virtual clock, serves real MP4 results, posts callbacks, and lets tests inject faults, force
//! statuses and read a log of every request and every callback. It never imports the client: a
//! client bug must not be able to make the emulator agree with it.
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
//! `route`: `create | query | api | media | chat | any` (default `any`; `api` is create and query);
//! `times` default 1; `probability` (0..=1): instead of `times`, hit each matching request with that
//! chance and stay queued until cleared (seeded by the config's `seed`). `kind.type`: `status`
//! (`http`, `body`, `content_type` default `application/json`), `redirect` (`http` default 301,
//! `location`), `created_but_lost`, `reset`, `delay` (`ms`), `truncated`, `oversized` (`bytes`:
//! 200 with valid JSON larger than that), `slow_body` (`chunk_delay_ms`: headers at once, then the
//! body 16 bytes at a time), `random_mix` (each hit draws one of the mix of [`Fault::random_mix`]).
//! The soak recipe, "20 % of API requests get a random fault":
//! `{"route": "api", "probability": 0.2, "kind": {"type": "random_mix"}}` (`Fault::random_mix(0.2)`).
//!
//! Config (`PUT /__emu/config` takes any subset; the objects `callbacks`, `variants` and `media`
//! merge field by field, `null` restores their defaults):
//! ```json
//! {"seed": 7,
//!  "callbacks": {"duplicate": 0, "delay_ms": 0, "reorder": false, "drop_probability": 0.0,
//!                "dead_url": null, "webhook_secret": null},
//!  "variants": {"message": "SUCCEED", "request_id": "uuid", "task_id_format": "digits19",
//!               "task_info_empty": false, "optional_fields": false, "extra_fields": false,
//!               "repeat_status": false},
//!  "media": {"bytes_per_second": null, "disconnect_after_bytes": null, "ttl_ms": null,
//!            "never_ending": false, "result_bytes": null},
//!  "chat": {"outcome": "suggest", "slow_ms": 35000}}
//! ```
//! - Callbacks: a task with `callback_url` gets the bare task object (the `data` of a query
//!   answer) POSTed on every status change, from a ticker that runs every 20 ms and at once after
//!   a create, a clock jump or a forced status. Each attempt is logged ([`CallbackDelivery`],
//!   `GET /__emu/callbacks`). `webhook_secret` adds Standard Webhooks headers, signed by
//!   [`sign_webhook`] (SHA-256/HMAC written out in `webhook.rs`: kling-core has no crypto crate).
//! - Variants: `message` `SUCCEED | success | alternate`; `request_id`
//!   `uuid | base64 | absent | alternate`; `task_id_format` `digits19 | digits18 | base64` (always a
//!   JSON string). See [`VariantConfig`].
//! - Media: see [`MediaConfig`]. A test can also make a task report a video URL of its choosing
//!   ([`Emulator::set_task_video_url`], or `"video_url"` on `POST /__emu/tasks/{id}/set`).
//! - Chat: see [`ChatConfig`]; `outcome` forces every chat answer until it is set back to
//!   `suggest`: `rate_limited`, `model_not_found`, `slow` (after `slow_ms`), `empty`, `over_long`.

mod callbacks;
mod chat;
mod checks;
mod conn;
pub mod library_fixture;
mod media;
mod routes;
mod webhook;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use kling_core::rules::{GenerationKind, ModelRule};

use conn::{ConnRegistry, KillableListener};

pub use callbacks::CallbackDelivery;
pub use media::clip;
pub use webhook::sign as sign_webhook;

/// Which answers the external-id lookup routes give (CometAPI support is unconfirmed, §3), on
/// text2video and image2video; video-extend documents no lookup by external id and never has one.
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
    /// Seeds the emulator's random choices (probabilistic faults, the random fault mix, dropped
    /// callbacks, drawn timings) for reproducible runs; `None` draws from the OS.
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub callbacks: CallbackConfig,
    #[serde(default)]
    pub variants: VariantConfig,
    #[serde(default)]
    pub media: MediaConfig,
    #[serde(default)]
    pub chat: ChatConfig,
    /// The test-control routes under `/__emu/`: on for tests, off where the emulator stands in for
    /// CometAPI in the app's demo mode (they are compiled in, but nothing can reach them).
    #[serde(default = "control_routes_on")]
    pub control_routes: bool,
}

fn control_routes_on() -> bool {
    true
}

/// How callbacks to a task's `callback_url` are delivered (§4).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CallbackConfig {
    /// Extra sends of each callback (0: each is sent once).
    pub duplicate: u32,
    /// Wait this long (real time) before sending each callback.
    pub delay_ms: u64,
    /// Hold each callback and send it right after the next one of the same task. A terminal
    /// status (`succeed`/`failed`) is never held: it goes out at once, followed by a held one.
    pub reorder: bool,
    /// Each send (duplicates too) is skipped with this probability; skipped sends are logged with
    /// `dropped: true`.
    pub drop_probability: f64,
    /// Send every callback here instead of the task's `callback_url` (an unreachable receiver).
    pub dead_url: Option<String>,
    /// Adds Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`),
    /// signed with this secret (`whsec_<base64>` or any string). `None`: no signature headers.
    pub webhook_secret: Option<String>,
}

/// `message` of success answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MessageVariant {
    #[default]
    #[serde(rename = "SUCCEED")]
    Succeed,
    #[serde(rename = "success")]
    Success,
    /// `SUCCEED` and `success` by turns.
    #[serde(rename = "alternate")]
    Alternate,
}

/// `request_id` of success answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestIdVariant {
    #[default]
    Uuid,
    /// 22 characters of URL-safe base64, like `CjikY2gHPbcAAAAADuPYjA`.
    Base64,
    /// No `request_id` field.
    Absent,
    /// uuid, base64 and absent by turns.
    Alternate,
}

/// The shape of new task ids; always a JSON string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskIdFormat {
    #[default]
    Digits19,
    Digits18,
    /// 22 characters of URL-safe base64 (`A-Z a-z 0-9 - _`).
    Base64,
}

/// Shapes of answers the real service has been seen (or may be expected) to give (§9).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VariantConfig {
    pub message: MessageVariant,
    pub request_id: RequestIdVariant,
    /// For tasks created from now on.
    pub task_id_format: TaskIdFormat,
    /// `task_info: {}` even when the task has an `external_task_id`.
    pub task_info_empty: bool,
    /// `task_status_msg: ""` on every status (by default only `succeed`/`failed` carry it),
    /// `watermark_url` on videos and `final_unit_deduction` on finished tasks.
    pub optional_fields: bool,
    /// Unknown extra fields in `data` and in the envelope.
    pub extra_fields: bool,
    /// For tasks created from now on: `submitted`, then the unknown `queueing` halfway through the
    /// submitted time, `processing`, `processing` again (new `updated_at`) halfway through the
    /// processing time, then the end.
    pub repeat_status: bool,
}

/// What `POST /v1/chat/completions` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatOutcome {
    /// The user's text enriched with a camera and a light phrase in the language the
    /// instructions name, within the limit they state.
    #[default]
    Suggest,
    /// 429 gateway envelope, code `rate_limit_exceeded`.
    RateLimited,
    /// 503 gateway envelope, code `model_not_found`, whatever the model.
    ModelNotFound,
    /// The suggestion, after `slow_ms`.
    Slow,
    /// A success whose message content is empty.
    Empty,
    /// A success whose content runs well past the stated limit, in whole sentences.
    OverLong,
}

/// How chat calls are answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChatConfig {
    pub outcome: ChatOutcome,
    /// How long a `slow` answer waits before its headers: past the client's 30-second timeout.
    pub slow_ms: u64,
}

impl Default for ChatConfig {
    fn default() -> Self {
        ChatConfig {
            outcome: ChatOutcome::Suggest,
            slow_ms: 35_000,
        }
    }
}

/// How result files are served.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaConfig {
    /// Throttle media bodies to about this rate.
    pub bytes_per_second: Option<u64>,
    /// Every media answer sends its headers (full Content-Length), this many bytes, then drops
    /// the connection.
    pub disconnect_after_bytes: Option<u64>,
    /// A result URL answers 403 once this long has passed (virtual clock) since the task succeeded.
    pub ttl_ms: Option<u64>,
    /// GET answers 200 with no Content-Length: the clip, then zeros forever (about 1.6 MB/s, or
    /// the throttled rate).
    pub never_ending: bool,
    /// Every result file is this many bytes: its clip, then a `free` box of zeros that fills it
    /// up, so it stays a whole MP4 (a large result for benchmarks). Generated as it is sent, never
    /// held in memory or written to disk; a Range request gets the whole file (200). A size
    /// smaller than the clip plus an 8-byte box header serves the clip as it is.
    pub result_bytes: Option<u64>,
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
            seed: None,
            callbacks: CallbackConfig::default(),
            variants: VariantConfig::default(),
            media: MediaConfig::default(),
            chat: ChatConfig::default(),
            control_routes: true,
        }
    }

    /// The app's demo mode: only `key` is accepted, a video takes a few seconds (long enough to see
    /// it go through its states, short enough to try everything), and there are no control routes.
    pub fn demo(key: &str) -> Self {
        EmulatorConfig {
            api_key: Some(key.to_owned()),
            submitted_ms: 1_500,
            processing_ms: 6_000,
            control_routes: false,
            ..Self::fast()
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
    #[serde(default, deserialize_with = "some")]
    seed: Option<Option<u64>>,
    /// Sub-configs merge: only the fields given change (`null` restores the defaults).
    #[serde(default, deserialize_with = "some")]
    callbacks: Option<Value>,
    #[serde(default, deserialize_with = "some")]
    variants: Option<Value>,
    #[serde(default, deserialize_with = "some")]
    media: Option<Value>,
    #[serde(default, deserialize_with = "some")]
    chat: Option<Value>,
}

/// Tells "field absent" (outer `None`) from "field set to null" (`Some(None)`).
fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// `current` with the fields of a JSON object `patch` replaced; `null` gives the default.
fn merge<T: Serialize + DeserializeOwned + Default + Clone>(
    name: &str,
    current: &T,
    patch: Option<Value>,
) -> Result<T, String> {
    let fields = match patch {
        None => return Ok(current.clone()),
        Some(Value::Null) => return Ok(T::default()),
        Some(Value::Object(fields)) => fields,
        Some(_) => return Err(format!("{name}: must be an object")),
    };
    let mut base = serde_json::to_value(current).map_err(|e| format!("{name}: {e}"))?;
    if let Some(base) = base.as_object_mut() {
        base.extend(fields);
    }
    serde_json::from_value(base).map_err(|e| format!("{name}: {e}"))
}

impl ConfigPatch {
    /// All or nothing: on an error the config is unchanged.
    fn apply(self, config: &mut EmulatorConfig) -> Result<(), String> {
        let mut next = config.clone();
        next.callbacks = merge("callbacks", &config.callbacks, self.callbacks.clone())?;
        next.variants = merge("variants", &config.variants, self.variants.clone())?;
        next.media = merge("media", &config.media, self.media.clone())?;
        next.chat = merge("chat", &config.chat, self.chat.clone())?;
        if let Some(v) = self.seed {
            next.seed = v;
        }
        self.apply_plain(&mut next);
        *config = next;
        Ok(())
    }

    fn apply_plain(self, c: &mut EmulatorConfig) {
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
    /// `POST` to a create route: `/kling/v1/videos/text2video`, `…/image2video`, `…/video-extend`.
    Create,
    /// `GET` on those routes (path and query forms).
    Query,
    /// `GET`/`HEAD /bs2/…` result files.
    Media,
    /// Create and query (the API routes).
    Api,
    /// `POST /v1/chat/completions`.
    Chat,
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
    /// HTTP 200 with a valid JSON body larger than `bytes`: the real answer (when it is a JSON
    /// object) with a huge string field `padding`.
    Oversized { bytes: usize },
    /// The real answer, with its headers (and Content-Length) at once, then the body 16 bytes at a
    /// time with this pause before each piece.
    SlowBody { chunk_delay_ms: u64 },
    /// One of the mix of [`Fault::random_mix`], drawn per hit.
    RandomMix,
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
    Oversized {
        bytes: usize,
    },
    SlowBody {
        chunk_delay_ms: u64,
    },
    RandomMix,
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
            FaultKindWire::Oversized { bytes } => FaultKind::Oversized { bytes },
            FaultKindWire::SlowBody { chunk_delay_ms } => FaultKind::SlowBody { chunk_delay_ms },
            FaultKindWire::RandomMix => FaultKind::RandomMix,
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
    /// How many matching requests it hits before it is used up (ignored with `probability`).
    #[serde(default = "once")]
    pub times: u32,
    pub kind: FaultKind,
    /// Sent as the `Retry-After` header (delta-seconds or an HTTP-date, verbatim).
    #[serde(default)]
    pub retry_after: Option<String>,
    /// Hits each matching request with this probability (seeded by `EmulatorConfig::seed`) and
    /// stays queued until `clear_faults`. A miss lets later faults in the queue have their turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
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
            probability: None,
        }
    }

    /// `p` of the API requests (create and query) get one of, drawn per hit: 429 gateway envelope
    /// with `Retry-After: 1`, 429/1302, 500/5000, 502 HTML, 503/5001, 504/5002, 524 HTML, a
    /// connection reset, truncated JSON, and on creates also "created, but the response is lost".
    /// Stays until `clear_faults`.
    pub fn random_mix(p: f64) -> Self {
        Self::new(FaultKind::RandomMix).on(FaultRoute::Api).with_probability(p)
    }

    /// 200 with a valid JSON body of more than `bytes` bytes.
    pub fn oversized(bytes: usize) -> Self {
        Self::new(FaultKind::Oversized { bytes })
    }

    /// Headers at once, then the body a few bytes at a time, `chunk_delay_ms` apart.
    pub fn slow_body(chunk_delay_ms: u64) -> Self {
        Self::new(FaultKind::SlowBody { chunk_delay_ms })
    }

    /// Applies to each matching request with probability `p` (0..=1) instead of `times` times.
    pub fn with_probability(mut self, p: f64) -> Self {
        self.probability = Some(p);
        self
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
    /// Any canned answer: a status, a content type and a body.
    pub fn status(http: u16, content_type: &'static str, body: &str) -> Self {
        Self::new(FaultKind::Status {
            http,
            body: body.to_owned(),
            content_type,
        })
    }

    pub fn html(http: u16) -> Self {
        Self::status(http, "text/html; charset=utf-8", &routes::html_page(http))
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

    pub fn is_chat(&self) -> bool {
        self.path == chat::CHAT_ROUTE
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
    /// Which route made it: `text_to_video`, `image_to_video` or `extend`.
    pub kind: GenerationKind,
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
    kind: GenerationKind,
    /// The model that made it, or for a continuation the parent's.
    model: &'static ModelRule,
    external_task_id: Option<String>,
    /// The Bearer key it was created with: external ids are unique per account.
    account: String,
    request: Value,
    callback_url: Option<String>,
    aspect_ratio: String,
    /// Which clip is served: `"5"` or `"10"`.
    clip_duration: String,
    /// The length reported, e.g. 5.1, or 15.1 after two continuations.
    video_seconds: f64,
    created_at: u64,
    submitted_ms: u64,
    processing_ms: u64,
    outcome: Outcome,
    /// `VariantConfig::repeat_status` when the task was created.
    repeat_status: bool,
    forced: Option<Forced>,
    /// Counts `set_status` calls, so the callback ticker notices each forced status once.
    forced_gen: u32,
    /// A result URL set by the test instead of the real one (hostile answers).
    video_url_override: Option<String>,
    /// The 10-digit folder of the result URL.
    bucket: String,
    video_id: String,
    /// Callback bookkeeping: natural steps already posted, the forced generation already posted,
    /// and a callback held back for reordering.
    cb_steps_sent: usize,
    cb_forced_sent: u32,
    cb_held: Option<callbacks::Pending>,
}

/// The status a task shows at one instant.
#[derive(Debug, Clone)]
struct TaskView {
    status: String,
    message: Option<String>,
    updated_at: u64,
    has_video: bool,
}

/// One status of the schedule a task was created with: shown from `at` on.
#[derive(Debug, Clone, Copy)]
struct Step {
    at: u64,
    status: &'static str,
}

impl Task {
    /// The statuses the task goes through by itself, in order (ignoring forced statuses).
    fn steps(&self) -> Vec<Step> {
        let processing_at = self.created_at + self.submitted_ms;
        let done_at = processing_at + self.processing_ms;
        let mut steps = vec![Step {
            at: self.created_at,
            status: "submitted",
        }];
        if self.repeat_status && self.submitted_ms >= 2 {
            steps.push(Step {
                at: self.created_at + self.submitted_ms / 2,
                status: "queueing",
            });
        }
        let running = if self.outcome == Outcome::UnknownStatus {
            "queueing"
        } else {
            "processing"
        };
        steps.push(Step {
            at: processing_at,
            status: running,
        });
        if self.repeat_status && self.processing_ms >= 2 {
            steps.push(Step {
                at: processing_at + self.processing_ms / 2,
                status: running,
            });
        }
        match self.outcome {
            Outcome::Stuck => {}
            Outcome::Fail => steps.push(Step {
                at: done_at,
                status: "failed",
            }),
            _ => steps.push(Step {
                at: done_at,
                status: "succeed",
            }),
        }
        steps
    }

    fn step_view(&self, step: Step) -> TaskView {
        let message = match step.status {
            "failed" => Some(FAILURE_MESSAGE.to_string()),
            "succeed" => Some(String::new()),
            _ => None,
        };
        TaskView {
            status: step.status.to_string(),
            message,
            updated_at: step.at,
            has_video: step.status == "succeed" && self.outcome != Outcome::NoVideo,
        }
    }

    fn forced_view(&self, f: &Forced) -> TaskView {
        TaskView {
            status: f.status.clone(),
            message: f.message.clone(),
            updated_at: f.at,
            has_video: f.status == "succeed" && self.outcome != Outcome::NoVideo,
        }
    }

    fn view(&self, now: u64) -> TaskView {
        if let Some(f) = &self.forced {
            return self.forced_view(f);
        }
        let steps = self.steps();
        let step = steps.iter().rev().find(|s| s.at <= now).unwrap_or(&steps[0]);
        self.step_view(*step)
    }

    fn terminal(&self, now: u64) -> bool {
        matches!(self.view(now).status.as_str(), "succeed" | "failed")
    }

    fn real_video_url(&self, base_url: &str) -> String {
        format!(
            "{base_url}/bs2/upload-kling-api/{}/{}/{}-0_raw_video_1.mp4",
            self.bucket,
            routes::media_folder(self.kind),
            self.task_id
        )
    }

    /// What the API reports as the result URL.
    fn video_url(&self, base_url: &str) -> String {
        self.video_url_override
            .clone()
            .unwrap_or_else(|| self.real_video_url(base_url))
    }

    fn snapshot(&self, now: u64, base_url: &str) -> TaskSnapshot {
        let view = self.view(now);
        TaskSnapshot {
            task_id: self.task_id.clone(),
            kind: self.kind,
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
    callbacks: Vec<CallbackDelivery>,
    rng: StdRng,
    /// Counts success envelopes, for the alternating variants.
    answers: u64,
}

fn new_rng(seed: Option<u64>) -> StdRng {
    match seed {
        Some(seed) => StdRng::seed_from_u64(seed),
        None => StdRng::from_entropy(),
    }
}

impl State {
    fn now(&self) -> u64 {
        wall_ms() + self.clock_offset_ms
    }

    fn task_by_id(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.task_id == id)
    }

    /// The finished video `video_id` of `account`, as a continuation would start from it.
    fn parent_video(&self, account: &str, video_id: &str) -> Option<checks::ParentVideo> {
        let now = self.now();
        self.tasks
            .iter()
            .find(|t| t.account == account && t.video_id == video_id && t.view(now).has_video)
            .map(|t| checks::ParentVideo {
                model: t.model,
                created_at: t.created_at,
                video_seconds: t.video_seconds,
                aspect_ratio: t.aspect_ratio.clone(),
            })
    }

    fn task_by_external(&self, account: &str, external: &str) -> Option<&Task> {
        self.tasks
            .iter()
            .find(|t| t.account == account && t.external_task_id.as_deref() == Some(external))
    }

    /// A number from `min..=max` (just `min` without a larger max).
    fn draw(&mut self, min: u64, max: Option<u64>) -> u64 {
        match max {
            Some(max) if max > min => self.rng.gen_range(min..=max),
            _ => min,
        }
    }

    /// Applies a config change; a new seed restarts the random sequence.
    fn change_config(&mut self, f: impl FnOnce(&mut EmulatorConfig)) {
        let seed = self.config.seed;
        f(&mut self.config);
        if self.config.seed != seed {
            self.rng = new_rng(self.config.seed);
        }
    }

    /// Takes one use of the first queued fault that applies to this request (a probabilistic
    /// one applies if its draw says so), with a random mix resolved to one concrete fault.
    fn take_fault(&mut self, route: RouteKind) -> Option<Fault> {
        let mut index = 0;
        while index < self.faults.len() {
            let f = &self.faults[index];
            let route_matches = match f.route {
                FaultRoute::Any => true,
                FaultRoute::Create => route == RouteKind::Create,
                FaultRoute::Query => route == RouteKind::Query,
                FaultRoute::Media => route == RouteKind::Media,
                FaultRoute::Api => matches!(route, RouteKind::Create | RouteKind::Query),
                FaultRoute::Chat => route == RouteKind::Chat,
            };
            let kind_fits = f.kind != FaultKind::CreatedButLost || route == RouteKind::Create;
            if !route_matches || !kind_fits {
                index += 1;
                continue;
            }
            if let Some(p) = f.probability {
                let fault = f.clone();
                if callbacks::chance(&mut self.rng, p) {
                    return Some(self.resolve(fault, route));
                }
                index += 1;
                continue;
            }
            if f.times == 0 {
                index += 1;
                continue;
            }
            let fault = &mut self.faults[index];
            fault.times -= 1;
            let taken = fault.clone();
            if fault.times == 0 {
                self.faults.remove(index);
            }
            return Some(self.resolve(taken, route));
        }
        None
    }

    fn resolve(&mut self, fault: Fault, route: RouteKind) -> Fault {
        if fault.kind != FaultKind::RandomMix {
            return fault;
        }
        let mut mix = vec![
            Fault::gateway(429, "rate_limit", "upstream load is saturated, please try again later").retry_after("1"),
            Fault::kling(429, 1302, "rate limit exceeded"),
            Fault::kling(500, 5000, "internal server error"),
            Fault::html(502),
            Fault::kling(503, 5001, "service temporarily unavailable"),
            Fault::kling(504, 5002, "server timeout"),
            Fault::html(524),
            Fault::reset(),
            Fault::truncated(),
        ];
        if route == RouteKind::Create {
            mix.push(Fault::created_but_lost());
        }
        let pick = mix.swap_remove(self.rng.gen_range(0..mix.len()));
        Fault {
            route: fault.route,
            probability: fault.probability,
            ..pick
        }
    }

    fn new_task_id(&mut self) -> String {
        loop {
            let id = match self.config.variants.task_id_format {
                TaskIdFormat::Digits19 => random_digits(19),
                TaskIdFormat::Digits18 => random_digits(18),
                TaskIdFormat::Base64 => random_base64(),
            };
            if self.task_by_id(&id).is_none() {
                return id;
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RouteKind {
    Create,
    Query,
    Media,
    Chat,
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

/// 22 URL-safe base64 characters (16 random bytes), the shape of Kling's newer ids.
fn random_base64() -> String {
    const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::thread_rng();
    (0..22).map(|_| URL_SAFE[rng.gen_range(0..64)] as char).collect()
}

struct Shared {
    state: Mutex<State>,
    base_url: String,
    /// Holds the clip files for as long as anything can still serve them.
    media_dir: tempfile::TempDir,
    /// Wakes the callback ticker at once (a create, a clock jump, a forced status).
    wake: tokio::sync::Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking handler must not take the whole emulator down with a poisoned lock.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running emulator. Dropping it (or [`Emulator::shutdown`]) stops the server and the callback
/// sender, and cuts every open connection.
pub struct Emulator {
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
    ticker: tokio::task::JoinHandle<()>,
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
        let control_routes = config.control_routes;
        let media_dir = tempfile::Builder::new().prefix("kling-emulator-").tempdir()?;
        media::write_clips(media_dir.path())?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                rng: new_rng(config.seed),
                config,
                clock_offset_ms: 0,
                tasks: Vec::new(),
                faults: VecDeque::new(),
                requests: Vec::new(),
                callbacks: Vec::new(),
                answers: 0,
            }),
            base_url: format!("http://127.0.0.1:{}", addr.port()),
            media_dir,
            wake: tokio::sync::Notify::new(),
        });
        let conns = ConnRegistry::default();
        let listener = KillableListener {
            inner: listener,
            registry: conns.clone(),
        };
        let app =
            routes::router(shared.clone(), control_routes).into_make_service_with_connect_info::<conn::ConnHandle>();
        let server = tokio::spawn(async move {
            // serve only returns on a listener error, which KillableListener never reports.
            let _ = axum::serve(listener, app).await;
        });
        let ticker = tokio::spawn(callbacks::run(shared.clone()));
        Ok(Emulator {
            shared,
            server,
            ticker,
            conns,
        })
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

    /// Every callback delivery attempt so far (also dropped ones), in the order they were made.
    pub fn callbacks(&self) -> Vec<CallbackDelivery> {
        self.shared.lock().callbacks.clone()
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

    /// Drops every fault not yet used up (probabilistic ones too).
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
        self.shared.wake.notify_one();
    }

    /// Makes the task report `url` as its video URL whenever it shows a video (`succeed`), e.g.
    /// `javascript:alert(1)` or `file:///etc/passwd`; `id` may be a task id or an external id.
    /// Unknown ids are ignored.
    pub fn set_task_video_url(&self, task_id: &str, url: &str) {
        set_video_url(&mut self.shared.lock(), task_id, url);
    }

    /// Moves the virtual clock forward; tasks advance as if that much time had passed, and the
    /// callbacks that fall due are sent right away.
    pub fn advance_clock(&self, ms: u64) {
        self.shared.lock().clock_offset_ms += ms;
        self.shared.wake.notify_one();
    }

    /// The emulator's clock in Unix ms (the time base of `created_at` / `updated_at`).
    pub fn now_ms(&self) -> u64 {
        self.shared.lock().now()
    }

    /// Changes apply to later requests; timings of existing tasks were fixed at their creation.
    /// A changed `seed` restarts the random sequence.
    pub fn set_config(&self, f: impl FnOnce(&mut EmulatorConfig)) {
        self.shared.lock().change_config(f);
    }

    pub fn config(&self) -> EmulatorConfig {
        self.shared.lock().config.clone()
    }

    /// Forgets tasks, faults, the request log and the callback log; the config and the clock
    /// stay, and the random sequence restarts from the seed.
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
        // Also aborts every callback still waiting or in flight.
        self.ticker.abort();
        conn::kill_all(&self.conns);
    }
}

fn reset(state: &mut State) {
    state.tasks.clear();
    state.faults.clear();
    state.requests.clear();
    state.callbacks.clear();
    state.rng = new_rng(state.config.seed);
    state.answers = 0;
}

fn find_task<'a>(state: &'a mut State, id: &str) -> Option<&'a mut Task> {
    state
        .tasks
        .iter_mut()
        .find(|t| t.task_id == id || t.external_task_id.as_deref() == Some(id))
}

fn set_status(state: &mut State, id: &str, status: &str, message: Option<&str>) -> bool {
    let now = state.now();
    let Some(task) = find_task(state, id) else {
        return false;
    };
    task.forced = Some(Forced {
        status: status.to_string(),
        message: message.map(str::to_string),
        at: now,
    });
    task.forced_gen += 1;
    true
}

fn set_video_url(state: &mut State, id: &str, url: &str) -> bool {
    let Some(task) = find_task(state, id) else {
        return false;
    };
    task.video_url_override = Some(url.to_string());
    true
}
