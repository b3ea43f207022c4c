//! What a generation is: its status, the whole record the catalog stores and the UI receives,
//! and how its updates arrive. No storage and no network here.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::problem::Problem;
use crate::request::ValidRequest;

/// One state table for the catalog, the events, `data-status` and the UI labels (DESIGN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Queued,
    Submitting,
    NeedsCheck,
    Submitted,
    Processing,
    Downloading,
    Ready,
    Failed,
    Expired,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Queued,
        Status::Submitting,
        Status::NeedsCheck,
        Status::Submitted,
        Status::Processing,
        Status::Downloading,
        Status::Ready,
        Status::Failed,
        Status::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Submitting => "submitting",
            Status::NeedsCheck => "needs_check",
            Status::Submitted => "submitted",
            Status::Processing => "processing",
            Status::Downloading => "downloading",
            Status::Ready => "ready",
            Status::Failed => "failed",
            Status::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The states a generation never leaves. Written once: the catalog's partial index, its
    /// queries and the UI's state table all follow this list.
    pub const FINAL: [Status; 3] = [Status::Ready, Status::Failed, Status::Expired];

    pub fn is_final(self) -> bool {
        Status::FINAL.contains(&self)
    }
}

/// The whole record of one generation, as stored and as sent to the UI on every change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generation {
    pub id: String,
    pub external_task_id: String,
    pub task_id: Option<String>,
    pub status: Status,
    pub request: ValidRequest,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
    pub error: Option<Problem>,
    pub provider_message: Option<String>,
    /// Where the provider serves the result; kept so a download can resume after a restart.
    #[serde(skip_serializing)]
    pub remote_video_url: Option<String>,
    /// The provider's id of the video: what continuing the clip names.
    #[serde(skip_serializing, default)]
    pub remote_video_id: Option<String>,
    pub video_duration: Option<String>,
    /// Relative to the library folder; made from our own id, never from anything the server sent.
    #[serde(skip_serializing)]
    pub video_file: Option<String>,
    pub video_bytes: Option<i64>,
    /// Filled in by the engine from the media server when the video is on disk.
    pub video_url: Option<String>,
    /// Transient, never stored: how much of the download has arrived.
    pub download_progress: Option<f64>,
    /// The callback URL sent with the create; it holds the receiver's secret, so it stays inside.
    #[serde(skip_serializing, default)]
    pub callback_url: Option<String>,
    /// Transient: how updates reach a running generation right now.
    #[serde(default)]
    pub delivery: Option<Delivery>,
    /// A frame of the video, captured by the window, beside the video in `videos/`.
    #[serde(skip_serializing, default)]
    pub poster_file: Option<String>,
    /// Filled in by the engine from the media server when a poster exists.
    #[serde(default)]
    pub poster_url: Option<String>,
    /// Transient: what the card offers now, from `Generation::actions`.
    #[serde(default)]
    pub actions: Vec<Action>,
    /// What the user said about the video (`library::marks`); the engine never writes these.
    #[serde(default)]
    pub favorite: bool,
    /// Hidden from the gallery unless a filter asks for rejected videos.
    #[serde(default)]
    pub rejected: bool,
    /// Shown instead of the prompt's first line, and searched with it.
    #[serde(default)]
    pub title: Option<String>,
    /// Which take of a Generate click for several takes this is; `None` for a single video.
    #[serde(default)]
    pub take: Option<Take>,
    /// Transient: until when (ms) the clip can be continued, when it can be (`continuation`).
    #[serde(default)]
    pub continue_until: Option<i64>,
    /// Transient: where the window shows the start and end pictures of a video made from them.
    #[serde(default)]
    pub image_url: Option<String>,
    #[serde(default)]
    pub image_tail_url: Option<String>,
}

/// One of the takes a single Generate click asked for: each is a generation of its own (its own
/// external id, its own task, paid for once), and the batch id ties the takes of one click together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Take {
    pub batch_id: String,
    /// From 1 to `count`.
    pub index: u32,
    pub count: u32,
}

/// What the user can do with a generation besides reusing its settings. Core decides when each is
/// offered (`Generation::actions`) and checks it again when asked; the UI only shows the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    CheckAgain,
    PostAgain,
    Discard,
    /// A discard before anything was sent: the generation waits in the local queue.
    Cancel,
    DownloadAgain,
}

impl Generation {
    /// The clip's length in seconds as the provider reported it, else as it was asked for.
    pub fn video_seconds(&self) -> f64 {
        [self.video_duration.as_deref(), Some(self.request.duration.as_str())]
            .into_iter()
            .flatten()
            .find_map(|d| d.trim().parse::<f64>().ok())
            .unwrap_or_default()
    }

    /// The actions offered in the generation's present state, in the order a card shows them.
    pub fn actions(&self) -> Vec<Action> {
        match self.status {
            // A route that cannot find a task by our id cannot be checked: post again or discard.
            Status::NeedsCheck if !self.request.kind.finds_by_external_id() => {
                vec![Action::PostAgain, Action::Discard]
            }
            Status::NeedsCheck => vec![Action::CheckAgain, Action::PostAgain, Action::Discard],
            Status::Queued => vec![Action::Cancel],
            Status::Expired if self.task_id.is_some() => vec![Action::DownloadAgain],
            Status::Failed
                if self.task_id.is_some()
                    && self
                        .error
                        .as_ref()
                        .is_some_and(|e| e.kind == crate::problem::Kind::DownloadFailed) =>
            {
                vec![Action::DownloadAgain]
            }
            _ => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Callbacks arrive; polling runs only as a slow safety net.
    Callback,
    Polling,
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}
