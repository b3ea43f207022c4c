//! HTTP routes: the Kling API, the chat route (`chat.rs`), the result files, and test control
//! under `/__emu/`.
//!
//! Control routes (no auth, not logged):
//! - `POST /__emu/reset`: forget tasks, faults and the request log.
//! - `GET|PUT /__emu/config`: read it, or change any subset of its fields (snake_case JSON);
//!   `{"chat": {"outcome": "rate_limited"}}` forces every chat answer ([`super::ChatConfig`]).
//! - `POST /__emu/clock/advance?ms=N`: move the virtual clock.
//! - `GET /__emu/tasks`: task snapshots; `POST /__emu/tasks/{id}/set` with
//!   `{"status": "...", "message": "...", "video_url": "..."}` (each optional, at least one of
//!   `status`/`video_url`) forces a status and/or the reported video URL (id or external id).
//! - `GET|POST|DELETE /__emu/faults`: list, queue one (JSON [`Fault`]), clear.
//! - `GET /__emu/requests`: the request log.
//! - `GET|DELETE /__emu/callbacks`: the callback delivery log ([`super::CallbackDelivery`]), clear it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{json, Value};
use tower_http::services::ServeFile;

use kling_core::rules::{GenerationKind, IMAGE_LIMITS};

use super::chat;
use super::checks::{self, Refusal};
use super::conn::ConnHandle;
use super::{
    media, random_base64, random_digits, reset, set_status, set_video_url, AuthStyle, ConfigPatch, Fault, FaultKind,
    MessageVariant, Outcome, RecordedRequest, RequestIdVariant, RouteKind, Shared, State as EmuState, Task, TaskView,
    UnknownModelStyle, VariantConfig,
};

type Shr = Arc<Shared>;

/// A create carries at most two pictures as base64, plus a little JSON; anything larger is
/// refused, which keeps the request log bounded.
const MAX_BODY: usize = 2 * (IMAGE_LIMITS.max_bytes as usize).div_ceil(3) * 4 + (1 << 20);

/// Each kind's create route, spelled here from §9 rather than taken from the client, so a wrong
/// path on either side shows up as a failing test.
fn create_route(kind: GenerationKind) -> &'static str {
    match kind {
        GenerationKind::TextToVideo => "/kling/v1/videos/text2video",
        GenerationKind::ImageToVideo => "/kling/v1/videos/image2video",
        GenerationKind::Extend => "/kling/v1/videos/video-extend",
    }
}

/// The folder of a result URL, named after the route like Kling's (`…/text2video/<task>-0_…`).
pub(super) fn media_folder(kind: GenerationKind) -> &'static str {
    create_route(kind).rsplit('/').next().unwrap_or_default()
}

/// video-extend documents no lookup by external id, in either form.
fn finds_by_external_id(kind: GenerationKind) -> bool {
    kind != GenerationKind::Extend
}

pub(super) fn router(shared: Shr, control_routes: bool) -> Router {
    let mut api = Router::new();
    for kind in GenerationKind::ALL {
        let route = create_route(kind);
        // Without the external-id form the bare route is Kling's list, which CometAPI lacks.
        let list = if finds_by_external_id(kind) {
            get(
                move |state: State<Shr>, headers: HeaderMap, params: Query<HashMap<String, String>>| {
                    query_by_qs(kind, state, headers, params)
                },
            )
        } else {
            get(not_found)
        };
        let create_handler =
            move |state: State<Shr>, headers: HeaderMap, body: Bytes| create(kind, state, headers, body);
        let query_handler =
            move |state: State<Shr>, headers: HeaderMap, id: Path<String>| query_by_path(kind, state, headers, id);
        api = api
            .route(route, list.post(create_handler).fallback(bad_method))
            .route(&format!("{route}/{{id}}"), get(query_handler).fallback(bad_method));
    }
    let api = api
        .route("/bs2/upload-kling-api/{bucket}/{folder}/{file}", get(media_file))
        .route(chat::CHAT_ROUTE, post(chat::completions))
        .fallback(not_found)
        // The handlers' own limit (2 MB by default) would refuse a large picture that
        // `record_and_inject` has already let through.
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(shared.clone(), record_and_inject));
    // Merged after `layer`, so control traffic is neither logged nor hit by faults.
    let control = Router::new()
        .route("/__emu/reset", post(ctl_reset))
        .route("/__emu/config", get(ctl_get_config).put(ctl_put_config))
        .route("/__emu/clock/advance", post(ctl_advance))
        .route("/__emu/tasks", get(ctl_tasks))
        .route("/__emu/tasks/{id}/set", post(ctl_set_task))
        .route(
            "/__emu/faults",
            get(ctl_faults).post(ctl_push_fault).delete(ctl_clear_faults),
        )
        .route("/__emu/requests", get(ctl_requests))
        .route("/__emu/callbacks", get(ctl_callbacks).delete(ctl_clear_callbacks));
    if control_routes { api.merge(control) } else { api }.with_state(shared)
}

// ---------- bodies ----------

pub(super) fn kling_body(code: i64, message: &str) -> Value {
    json!({"code": code, "message": message, "request_id": uuid::Uuid::new_v4().to_string()})
}

pub(super) fn gateway_body(code: &str, message: &str) -> Value {
    json!({"error": {
        "message": format!("{message} (request id: {})", random_digits(26)),
        "type": "comet_api_error",
        "param": "",
        "code": code,
    }})
}

pub(super) fn html_page(http: u16) -> String {
    let reason = StatusCode::from_u16(http)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    format!(
        "<html>\r\n<head><title>{http} {reason}</title></head>\r\n<body>\r\n<center><h1>{http} \
         {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
}

fn status(http: u16) -> StatusCode {
    StatusCode::from_u16(http).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn kling_error(http: u16, code: i64, message: &str) -> Response {
    (status(http), Json(kling_body(code, message))).into_response()
}

fn html_response(http: u16) -> Response {
    (
        status(http),
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html_page(http),
    )
        .into_response()
}

/// The success envelope around `data`, shaped by the configured variants.
fn succeed(state: &mut EmuState, data: Value) -> Response {
    let variants = &state.config.variants;
    let turn = state.answers;
    state.answers += 1;
    let message = match variants.message {
        MessageVariant::Succeed => "SUCCEED",
        MessageVariant::Success => "success",
        MessageVariant::Alternate if turn.is_multiple_of(2) => "SUCCEED",
        MessageVariant::Alternate => "success",
    };
    let request_id = match (variants.request_id, turn % 3) {
        (RequestIdVariant::Uuid, _) | (RequestIdVariant::Alternate, 0) => Some(uuid::Uuid::new_v4().to_string()),
        (RequestIdVariant::Base64, _) | (RequestIdVariant::Alternate, 1) => Some(random_base64()),
        _ => None,
    };
    let mut body = json!({"code": 0, "message": message});
    if let Some(request_id) = request_id {
        body["request_id"] = Value::String(request_id);
    }
    body["data"] = data;
    if variants.extra_fields {
        body["trace_id"] = Value::String(random_base64());
        body["emu_unknown"] = json!({"nested": [1, "two", null], "flag": true});
    }
    Json(body).into_response()
}

fn task_info(task: &Task, variants: &VariantConfig) -> Value {
    match &task.external_task_id {
        Some(ext) if !variants.task_info_empty => json!({"external_task_id": ext}),
        _ => json!({}),
    }
}

/// Fields every variant may add to a task object.
fn decorate(data: &mut Value, status: &str, variants: &VariantConfig) {
    if variants.optional_fields {
        if data.get("task_status_msg").is_none() {
            data["task_status_msg"] = Value::String(String::new());
        }
        if matches!(status, "succeed" | "failed") {
            data["final_unit_deduction"] = Value::String(if status == "succeed" { "1" } else { "0" }.to_string());
        }
    }
    if variants.extra_fields {
        data["task_progress"] = json!(42);
        data["emu_unknown"] = json!({"kind": "extra", "list": [1, 2, 3]});
    }
}

/// The task object (`data` of a query answer, and the body of a callback) as it looks in `view`.
pub(super) fn task_data(task: &Task, view: &TaskView, base_url: &str, variants: &VariantConfig) -> Value {
    let result = if view.has_video {
        let duration = format!("{:.1}", task.video_seconds);
        let mut video = json!({"id": task.video_id, "url": task.video_url(base_url), "duration": duration});
        if variants.optional_fields {
            video["watermark_url"] =
                Value::String(task.real_video_url(base_url).replace("_raw_video_", "_watermarked_"));
        }
        json!({"videos": [video]})
    } else if view.status == "succeed" {
        json!({"videos": []})
    } else {
        json!({})
    };
    let mut data = json!({
        "task_id": task.task_id,
        "task_status": view.status,
        "task_info": task_info(task, variants),
        "task_result": result,
        "created_at": task.created_at,
        "updated_at": view.updated_at,
    });
    if let Some(message) = &view.message {
        data["task_status_msg"] = Value::String(message.clone());
    }
    decorate(&mut data, &view.status, variants);
    data
}

fn task_answer(state: &mut EmuState, task_index: usize, base_url: &str) -> Response {
    let now = state.now();
    let task = &state.tasks[task_index];
    let data = task_data(task, &task.view(now), base_url, &state.config.variants);
    succeed(state, data)
}

// ---------- logging and faults ----------

fn classify(method: &Method, path: &str) -> RouteKind {
    let api_route = GenerationKind::ALL.into_iter().map(create_route).find(|route| {
        path.strip_prefix(route)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    if api_route == Some(path) && method == Method::POST {
        RouteKind::Create
    } else if api_route.is_some() && method == Method::GET {
        RouteKind::Query
    } else if path.starts_with("/bs2/") {
        RouteKind::Media
    } else if path == chat::CHAT_ROUTE && method == Method::POST {
        RouteKind::Chat
    } else {
        RouteKind::Other
    }
}

fn record(parts: &axum::http::request::Parts, body: &[u8], at_ms: u64) -> RecordedRequest {
    let mut headers: HashMap<String, String> = HashMap::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers
            .entry(name.as_str().to_string())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    RecordedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers,
        body: String::from_utf8_lossy(body).into_owned(),
        at_ms,
    }
}

async fn record_and_inject(
    State(shared): State<Shr>,
    ConnectInfo(conn): ConnectInfo<ConnHandle>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return kling_error(413, 1200, "request body too large");
    };
    let route = classify(&parts.method, parts.uri.path());
    let fault = {
        let mut state = shared.lock();
        let at = state.now();
        state.requests.push(record(&parts, &bytes, at));
        state.take_fault(route)
    };
    let req = Request::from_parts(parts, Body::from(bytes));
    let Some(fault) = fault else {
        return next.run(req).await;
    };

    let mut response = match fault.kind {
        FaultKind::Status {
            http,
            body,
            content_type,
        } => (status(http), [(header::CONTENT_TYPE, content_type)], body).into_response(),
        FaultKind::Redirect { http, location } => {
            let mut response = html_response(http);
            if let Ok(location) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        FaultKind::Reset => {
            conn.kill();
            // Never reaches the client: the first write on the killed connection fails.
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        FaultKind::CreatedButLost => {
            let _ = next.run(req).await;
            conn.kill();
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        FaultKind::Delay { ms } => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(req).await
        }
        FaultKind::Truncated => truncate(next.run(req).await, route == RouteKind::Media).await,
        FaultKind::Oversized { bytes } => oversized(next.run(req).await, bytes).await,
        FaultKind::SlowBody { chunk_delay_ms } => slow_body(next.run(req).await, chunk_delay_ms).await,
        // Resolved to a concrete fault when taken; never reaches here.
        FaultKind::RandomMix => next.run(req).await,
    };
    if let Some(value) = fault.retry_after.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

async fn truncate(response: Response, media: bool) -> Response {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let half = bytes.slice(..bytes.len() / 2);
    if media {
        // Keep the full Content-Length and fail the body stream: hyper then closes the
        // connection mid-body, which is what a download interrupted on the way looks like.
        // The pause lets hyper flush the head and the first half before the error aborts it.
        let first = futures_util::stream::iter([Ok::<_, std::io::Error>(half)]);
        let cut = futures_util::stream::once(async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "emulator cut the download",
            ))
        });
        return Response::from_parts(parts, Body::from_stream(first.chain(cut)));
    }
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], half).into_response()
}

/// 200 with valid JSON larger than `bytes`: the real answer's object plus a huge `padding` string.
async fn oversized(response: Response, bytes: usize) -> Response {
    let real = to_bytes(response.into_body(), MAX_BODY).await.unwrap_or_default();
    let mut body = match serde_json::from_slice::<Value>(&real) {
        Ok(value @ Value::Object(_)) => value,
        _ => json!({"code": 0, "message": "SUCCEED"}),
    };
    body["padding"] = Value::String("x".repeat(bytes.saturating_add(1)));
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// The real status and headers at once (with the real Content-Length), then the body in 16-byte
/// pieces, each after a pause of `chunk_delay_ms`.
async fn slow_body(response: Response, chunk_delay_ms: u64) -> Response {
    const PIECE: usize = 16;
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let stream = futures_util::stream::unfold(bytes, move |mut rest| async move {
        if rest.is_empty() {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(chunk_delay_ms)).await;
        let piece = rest.split_to(rest.len().min(PIECE));
        Some((Ok::<_, std::io::Error>(piece), rest))
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

// ---------- API ----------

/// The account (Bearer key) on success.
#[allow(clippy::result_large_err)]
fn authorize(shared: &Shared, headers: &HeaderMap) -> Result<String, Response> {
    let style = shared.lock().config.auth_style;
    account(shared, headers).map_err(|missing| match style {
        AuthStyle::Gateway => unauthorized(),
        AuthStyle::Kling if missing => kling_error(401, 1001, "Authorization is empty"),
        AuthStyle::Kling => kling_error(401, 1004, "Authorization is invalid"),
    })
}

/// The gateway's answer to a missing or wrong key.
pub(super) fn unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, Json(gateway_body("", "invalid token"))).into_response()
}

/// The account (Bearer key) when the config accepts the request's key; else whether it had none.
pub(super) fn account(shared: &Shared, headers: &HeaderMap) -> Result<String, bool> {
    let expected = shared.lock().config.api_key.clone();
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            let v = v.trim();
            match v.get(..6) {
                Some(scheme)
                    if scheme.eq_ignore_ascii_case("bearer")
                        && matches!(v[6..].chars().next(), None | Some(' ' | '\t')) =>
                {
                    v[6..].trim()
                }
                _ => v,
            }
        })
        .filter(|k| !k.is_empty());
    match (key, expected) {
        (None, _) => Err(true),
        (Some(key), Some(expected)) if key != expected => Err(false),
        (Some(key), _) => Ok(key.to_string()),
    }
}

async fn create(kind: GenerationKind, State(shared): State<Shr>, headers: HeaderMap, body: Bytes) -> Response {
    let account = match authorize(&shared, &headers) {
        Ok(account) => account,
        Err(response) => return response,
    };
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return kling_error(400, 1200, "request body is not valid JSON");
    };
    let Some(fields) = request.as_object() else {
        return kling_error(400, 1200, "request body must be a JSON object");
    };
    let config = shared.lock().config.clone();
    let checked = match kind {
        GenerationKind::TextToVideo => checks::check_text(fields, config.strict_duration),
        GenerationKind::ImageToVideo => checks::check_image(fields, config.strict_duration),
        GenerationKind::Extend => {
            let state = shared.lock();
            checks::check_extend(fields, state.now(), |video_id| state.parent_video(&account, video_id))
        }
    };
    let accepted = match checked {
        Ok(accepted) => accepted,
        Err(Refusal::Invalid(message)) => return kling_error(400, 1201, &message),
        Err(Refusal::UnknownModel(name)) => {
            return match config.unknown_model_style {
                UnknownModelStyle::Kling404 => kling_error(404, 1203, &format!("model_name: {name:?} does not exist")),
                UnknownModelStyle::Gateway503 => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    Json(gateway_body(
                        "model_not_found",
                        &format!("no available channel for group default and model {name} (distributor)"),
                    )),
                )
                    .into_response(),
            };
        }
    };
    if accepted.prompt.contains("#emu:policy") {
        return kling_error(400, 1301, "the prompt triggered the content-safety policy");
    }

    let mut state = shared.lock();
    let now = state.now();
    if let Some(external) = &accepted.external_task_id {
        if let Some(existing) = state.task_by_external(&account, external) {
            let message = format!(
                "external_task_id: {external:?} is already used by task {}",
                existing.task_id
            );
            return kling_error(400, 1201, &message);
        }
    }
    if let Some(max) = state.config.max_running {
        let running = state
            .tasks
            .iter()
            .filter(|t| t.account == account && !t.terminal(now))
            .count();
        if running >= max {
            return kling_error(429, 1303, "parallel task over resource pack limit");
        }
    }
    let task_id = state.new_task_id();
    let (submitted_min, submitted_max) = (state.config.submitted_ms, state.config.submitted_ms_max);
    let (processing_min, processing_max) = (state.config.processing_ms, state.config.processing_ms_max);
    let task = Task {
        task_id,
        kind,
        model: accepted.model,
        external_task_id: accepted.external_task_id,
        account,
        callback_url: accepted.callback_url,
        aspect_ratio: accepted.aspect_ratio,
        clip_duration: accepted.clip_duration,
        video_seconds: accepted.video_seconds,
        created_at: now,
        submitted_ms: state.draw(submitted_min, submitted_max),
        processing_ms: state.draw(processing_min, processing_max),
        outcome: Outcome::from_prompt(&accepted.prompt),
        repeat_status: state.config.variants.repeat_status,
        forced: None,
        forced_gen: 0,
        video_url_override: None,
        bucket: random_digits(10),
        video_id: uuid::Uuid::new_v4().to_string(),
        request,
        cb_steps_sent: 0,
        cb_forced_sent: 0,
        cb_held: None,
    };
    let mut data = json!({
        "task_id": task.task_id,
        "task_status": "submitted",
        "task_info": task_info(&task, &state.config.variants),
        "created_at": now,
        "updated_at": now,
    });
    decorate(&mut data, "submitted", &state.config.variants);
    let has_callback = task.callback_url.is_some();
    state.tasks.push(task);
    let response = succeed(&mut state, data);
    drop(state);
    if has_callback {
        shared.wake.notify_one();
    }
    response
}

/// A task is found only on the route that made it.
async fn query_by_path(
    kind: GenerationKind,
    State(shared): State<Shr>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let account = match authorize(&shared, &headers) {
        Ok(account) => account,
        Err(response) => return response,
    };
    let mut state = shared.lock();
    let by_external = finds_by_external_id(kind) && state.config.lookup_by_external.path();
    let index = state
        .tasks
        .iter()
        .position(|t| t.kind == kind && t.task_id == id)
        .or_else(|| {
            by_external
                .then(|| {
                    state.tasks.iter().position(|t| {
                        t.kind == kind && t.account == account && t.external_task_id.as_deref() == Some(id.as_str())
                    })
                })
                .flatten()
        });
    match index {
        Some(index) => task_answer(&mut state, index, &shared.base_url),
        None => kling_error(404, 1203, "task not found"),
    }
}

async fn query_by_qs(
    kind: GenerationKind,
    State(shared): State<Shr>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let enabled = shared.lock().config.lookup_by_external.query();
    // Without the external-id form this is Kling's list route, which CometAPI does not have.
    let Some(external) = params.get("external_task_id").filter(|_| enabled) else {
        return not_found().await;
    };
    let account = match authorize(&shared, &headers) {
        Ok(account) => account,
        Err(response) => return response,
    };
    let mut state = shared.lock();
    let index = state.tasks.iter().position(|t| {
        t.kind == kind && t.account == account && t.external_task_id.as_deref() == Some(external.as_str())
    });
    match index {
        Some(index) => task_answer(&mut state, index, &shared.base_url),
        None => kling_error(404, 1203, "task not found"),
    }
}

async fn media_file(
    State(shared): State<Shr>,
    Path((bucket, folder, file)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    let found = file.strip_suffix("-0_raw_video_1.mp4").and_then(|task_id| {
        let state = shared.lock();
        let now = state.now();
        let task = state
            .task_by_id(task_id)
            .filter(|t| t.bucket == bucket && media_folder(t.kind) == folder)?;
        let view = task.view(now);
        let clip = view
            .has_video
            .then(|| media::clip_path(shared.media_dir.path(), &task.aspect_ratio, &task.clip_duration))
            .flatten()?;
        // A video shows from its succeed time on: `updated_at` of the view.
        Some((clip, now.saturating_sub(view.updated_at), state.config.media.clone()))
    });
    let Some((clip, age_ms, options)) = found else {
        return html_response(404);
    };
    if options.ttl_ms.is_some_and(|ttl| age_ms > ttl) {
        return expired();
    }
    if options.never_ending {
        return never_ending(&clip, req.method() == Method::HEAD, options.bytes_per_second).await;
    }
    if let Some(total) = options.result_bytes {
        return padded_to(&clip, total, options.bytes_per_second, options.disconnect_after_bytes).await;
    }
    let response = match ServeFile::new(clip).try_call(req).await {
        Ok(response) => response.map(Body::new),
        Err(_) => return html_response(500),
    };
    if options.bytes_per_second.is_none() && options.disconnect_after_bytes.is_none() {
        return response;
    }
    let (parts, body) = response.into_parts();
    Response::from_parts(
        parts,
        shape(body, options.bytes_per_second, options.disconnect_after_bytes),
    )
}

/// What an object store answers for a signed URL past its expiry.
fn expired() -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "application/xml")],
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>\
         <Message>Request has expired</Message></Error>\n",
    )
        .into_response()
}

fn cut_error() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::ConnectionReset, "emulator cut the download")
}

/// Re-times a body: at most `bytes_per_second` (in pieces of about 50 ms), and/or a dropped
/// connection after `cut_after` bytes. Headers (Content-Length included) stay as they were.
fn shape(body: Body, bytes_per_second: Option<u64>, cut_after: Option<u64>) -> Body {
    struct Shaping {
        inner: axum::body::BodyDataStream,
        pending: Bytes,
        sent: u64,
        done: bool,
    }
    let start = Shaping {
        inner: body.into_data_stream(),
        pending: Bytes::new(),
        sent: 0,
        done: false,
    };
    let stream = futures_util::stream::unfold(start, move |mut st| async move {
        loop {
            if st.done {
                return None;
            }
            if st.pending.is_empty() {
                match st.inner.next().await {
                    Some(Ok(bytes)) => st.pending = bytes,
                    Some(Err(e)) => {
                        st.done = true;
                        return Some((Err(std::io::Error::other(e)), st));
                    }
                    None => return None,
                }
                continue;
            }
            let mut n = st.pending.len() as u64;
            if let Some(limit) = cut_after {
                if st.sent >= limit {
                    // Let hyper flush the head and what was sent before the error aborts it.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    st.done = true;
                    return Some((Err(cut_error()), st));
                }
                n = n.min(limit - st.sent);
            }
            if let Some(rate) = bytes_per_second.filter(|r| *r > 0) {
                n = n.min((rate / 20).max(1));
                tokio::time::sleep(Duration::from_secs_f64(n as f64 / rate as f64)).await;
            }
            let piece = st.pending.split_to(n as usize);
            st.sent += n;
            return Some((Ok(piece), st));
        }
    });
    Body::from_stream(stream)
}

/// 200 without Content-Length: the clip, then zeros until the client gives up.
async fn never_ending(clip: &std::path::Path, head: bool, bytes_per_second: Option<u64>) -> Response {
    let headers = [(header::CONTENT_TYPE, "video/mp4")];
    if head {
        // A streamed (sizeless) empty body, so hyper does not announce `Content-Length: 0`.
        let empty = futures_util::stream::empty::<Result<Bytes, std::io::Error>>();
        return (StatusCode::OK, headers, Body::from_stream(empty)).into_response();
    }
    let first = tokio::fs::read(clip).await.unwrap_or_default();
    let zeros = Bytes::from(vec![0u8; 16 * 1024]);
    let rest = futures_util::stream::unfold(zeros, |zeros| async move {
        tokio::time::sleep(Duration::from_millis(10)).await;
        Some((Ok::<_, std::io::Error>(zeros.clone()), zeros))
    });
    let stream = futures_util::stream::iter([Ok(Bytes::from(first))]).chain(rest);
    let mut body = Body::from_stream(stream);
    if bytes_per_second.is_some() {
        body = shape(body, bytes_per_second, None);
    }
    (StatusCode::OK, headers, body).into_response()
}

/// Zeros shared by every padded result, so a large one costs no memory of its own.
static ZEROS: [u8; 256 * 1024] = [0; 256 * 1024];

/// 200 with a Content-Length of `total`: the clip, then a top-level `free` box (which players
/// skip) whose zeros are sent as they are needed.
async fn padded_to(
    clip: &std::path::Path,
    total: u64,
    bytes_per_second: Option<u64>,
    cut_after: Option<u64>,
) -> Response {
    let Ok(clip) = tokio::fs::read(clip).await else {
        return html_response(500);
    };
    let fill = total.saturating_sub(clip.len() as u64);
    let box_header = match u32::try_from(fill) {
        Ok(size) if size < 8 => Vec::new(),
        Ok(size) => [&size.to_be_bytes()[..], b"free"].concat(),
        // A box too large for 32 bits says size 1 and gives its size in the 64 bits after the type.
        Err(_) => [&1u32.to_be_bytes()[..], b"free", &fill.to_be_bytes()].concat(),
    };
    let zeros = if box_header.is_empty() {
        0
    } else {
        fill - box_header.len() as u64
    };
    let length = clip.len() as u64 + box_header.len() as u64 + zeros;
    let head = futures_util::stream::iter([Ok(Bytes::from(clip)), Ok(Bytes::from(box_header))]);
    let rest = futures_util::stream::unfold(zeros, |left| async move {
        let n = left.min(ZEROS.len() as u64);
        (n > 0).then(|| {
            (
                Ok::<_, std::io::Error>(Bytes::from_static(&ZEROS[..n as usize])),
                left - n,
            )
        })
    });
    let mut body = Body::from_stream(head.chain(rest));
    if bytes_per_second.is_some() || cut_after.is_some() {
        body = shape(body, bytes_per_second, cut_after);
    }
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("video/mp4")),
            (header::CONTENT_LENGTH, HeaderValue::from(length)),
        ],
        body,
    )
        .into_response()
}

async fn not_found() -> Response {
    html_response(404)
}

async fn bad_method() -> Response {
    kling_error(404, 1202, "method not allowed")
}

// ---------- control ----------

async fn ctl_reset(State(shared): State<Shr>) -> Response {
    reset(&mut shared.lock());
    Json(json!({"ok": true})).into_response()
}

async fn ctl_get_config(State(shared): State<Shr>) -> Response {
    Json(shared.lock().config.clone()).into_response()
}

fn bad_control(message: impl std::fmt::Display) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message.to_string()}))).into_response()
}

async fn ctl_put_config(State(shared): State<Shr>, body: Bytes) -> Response {
    let patch: ConfigPatch = match serde_json::from_slice(&body) {
        Ok(patch) => patch,
        Err(e) => return bad_control(e),
    };
    let mut state = shared.lock();
    let mut config = state.config.clone();
    if let Err(e) = patch.apply(&mut config) {
        return bad_control(e);
    }
    state.change_config(|c| *c = config);
    Json(state.config.clone()).into_response()
}

async fn ctl_advance(State(shared): State<Shr>, Query(params): Query<HashMap<String, String>>) -> Response {
    let Some(ms) = params.get("ms").and_then(|v| v.parse::<u64>().ok()) else {
        return bad_control("ms=<milliseconds> is required");
    };
    let now = {
        let mut state = shared.lock();
        state.clock_offset_ms += ms;
        state.now()
    };
    shared.wake.notify_one();
    Json(json!({"now_ms": now})).into_response()
}

async fn ctl_tasks(State(shared): State<Shr>) -> Response {
    let state = shared.lock();
    let now = state.now();
    let tasks: Vec<_> = state.tasks.iter().map(|t| t.snapshot(now, &shared.base_url)).collect();
    Json(tasks).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetTask {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    video_url: Option<String>,
}

async fn ctl_set_task(State(shared): State<Shr>, Path(id): Path<String>, body: Bytes) -> Response {
    let set: SetTask = match serde_json::from_slice(&body) {
        Ok(set) => set,
        Err(e) => return bad_control(e),
    };
    if set.status.is_none() && set.video_url.is_none() {
        return bad_control("give `status` and/or `video_url`");
    }
    let found = {
        let mut state = shared.lock();
        let mut found = true;
        if let Some(url) = &set.video_url {
            found &= set_video_url(&mut state, &id, url);
        }
        if let Some(status) = &set.status {
            found &= set_status(&mut state, &id, status, set.message.as_deref());
        }
        found
    };
    if !found {
        return (StatusCode::NOT_FOUND, Json(json!({"error": "no such task"}))).into_response();
    }
    shared.wake.notify_one();
    Json(json!({"ok": true})).into_response()
}

async fn ctl_faults(State(shared): State<Shr>) -> Response {
    let faults: Vec<Fault> = shared.lock().faults.iter().cloned().collect();
    Json(faults).into_response()
}

async fn ctl_push_fault(State(shared): State<Shr>, body: Bytes) -> Response {
    let fault: Fault = match serde_json::from_slice(&body) {
        Ok(fault) => fault,
        Err(e) => return bad_control(e),
    };
    shared.lock().faults.push_back(fault);
    Json(json!({"ok": true})).into_response()
}

async fn ctl_clear_faults(State(shared): State<Shr>) -> Response {
    shared.lock().faults.clear();
    Json(json!({"ok": true})).into_response()
}

async fn ctl_requests(State(shared): State<Shr>) -> Response {
    Json(shared.lock().requests.clone()).into_response()
}

async fn ctl_callbacks(State(shared): State<Shr>) -> Response {
    Json(shared.lock().callbacks.clone()).into_response()
}

async fn ctl_clear_callbacks(State(shared): State<Shr>) -> Response {
    shared.lock().callbacks.clear();
    Json(json!({"ok": true})).into_response()
}
