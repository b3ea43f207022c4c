//! The JSON file beside an exported video: everything it was made with and when, for people
//! reading it and for tools. Its top level reads as a `GenerationRequest` too.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::generation::Generation;
use crate::request::ValidRequest;

/// The version of this file's layout.
const SIDECAR_FORMAT: u32 = 1;

#[derive(Serialize)]
struct Sidecar<'a> {
    app: &'static str,
    format: u32,
    title: Option<&'a str>,
    /// The prompt and every setting, the model among them.
    #[serde(flatten)]
    request: &'a ValidRequest,
    task_id: Option<&'a str>,
    /// The id Kling Desk sent with the task, also known to CometAPI.
    external_task_id: &'a str,
    /// In seconds, as the provider reported it.
    video_duration: Option<&'a str>,
    /// ISO 8601 in UTC, and the same instant in milliseconds since 1970.
    created_at: String,
    created_at_ms: i64,
    finished_at: Option<String>,
    finished_at_ms: Option<i64>,
    /// For a video made from pictures: how the exported pictures beside this file end (the same
    /// name, then `.start.png`, `.end.jpg` …), whatever number the name was given.
    start_frame: Option<String>,
    end_frame: Option<String>,
}

/// The ending of an exported picture: which frame it is, then its format's extension.
pub(super) fn frame_ending(which: &str, frame: &crate::frames::Frame) -> String {
    let extension = std::path::Path::new(&frame.file)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("png");
    format!("{which}.{extension}")
}

pub(super) fn json(generation: &Generation) -> Vec<u8> {
    let sidecar = Sidecar {
        app: "Kling Desk",
        format: SIDECAR_FORMAT,
        title: generation.title.as_deref(),
        request: &generation.request,
        task_id: generation.task_id.as_deref(),
        external_task_id: &generation.external_task_id,
        video_duration: generation.video_duration.as_deref(),
        created_at: iso_8601(generation.created_at),
        created_at_ms: generation.created_at,
        finished_at: generation.finished_at.map(iso_8601),
        finished_at_ms: generation.finished_at,
        start_frame: generation.request.image.as_ref().map(|f| frame_ending("start", f)),
        end_frame: generation.request.image_tail.as_ref().map(|f| frame_ending("end", f)),
    };
    let mut bytes = serde_json::to_vec_pretty(&sidecar).expect("a sidecar always serializes");
    bytes.push(b'\n');
    bytes
}

fn iso_8601(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}
