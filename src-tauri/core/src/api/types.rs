//! Wire types of CometAPI's legacy Kling routes. Lenient where the provider varies (unknown fields
//! ignored, optional fields defaulted, ids kept as opaque text), exact where it matters (duration
//! is a string, absent options are left out).

use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CameraConfig {
    pub horizontal: f64,
    pub vertical: f64,
    pub pan: f64,
    pub tilt: f64,
    pub roll: f64,
    pub zoom: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CameraControl {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<CameraConfig>,
}

/// The body of a create (`text2video`, `image2video` or `video-extend`, by `kind`), with every
/// documented field; what a route does not take is left out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreateTask {
    /// Which route the body goes to; not part of the body.
    #[serde(skip)]
    pub kind: crate::rules::GenerationKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_name: Option<String>,
    /// Left out when empty: a picture or a clip may go without words.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub prompt: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_prompt: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cfg_scale: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aspect_ratio: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub camera_control: Option<CameraControl>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sound: Option<String>,
    /// The start picture, base64 without a `data:` prefix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_tail: Option<String>,
    /// The provider's id of the clip a continuation extends.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    pub external_task_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskStatus {
    Submitted,
    Processing,
    Succeed,
    Failed,
    /// Anything else, including "succeeded": not terminal, keep polling.
    Unknown(String),
}

impl TaskStatus {
    pub fn is_terminal(&self) -> bool {
        matches!(self, TaskStatus::Succeed | TaskStatus::Failed)
    }
}

impl<'de> Deserialize<'de> for TaskStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ok(match text.as_str() {
            "submitted" => TaskStatus::Submitted,
            "processing" => TaskStatus::Processing,
            "succeed" => TaskStatus::Succeed,
            "failed" => TaskStatus::Failed,
            _ => TaskStatus::Unknown(text),
        })
    }
}

/// Task ids are opaque: a number is kept as its exact text, never parsed or rounded.
fn opaque_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!("task id is {other}"))),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct TaskInfo {
    #[serde(default)]
    pub external_task_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Video {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub duration: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct TaskResult {
    #[serde(default)]
    pub videos: Vec<Video>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Task {
    #[serde(deserialize_with = "opaque_id")]
    pub task_id: String,
    pub task_status: TaskStatus,
    #[serde(default)]
    pub task_status_msg: Option<String>,
    #[serde(default)]
    pub task_info: Option<TaskInfo>,
    #[serde(default)]
    pub task_result: Option<TaskResult>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub updated_at: Option<i64>,
}

impl Task {
    pub fn first_video(&self) -> Option<&Video> {
        self.task_result
            .as_ref()?
            .videos
            .iter()
            .find(|v| v.url.as_deref().is_some_and(|u| !u.is_empty()))
    }

    pub fn external_task_id(&self) -> Option<&str> {
        self.task_info.as_ref()?.external_task_id.as_deref()
    }

    /// The provider's reason for a failure, when it gave one.
    pub fn reason(&self) -> Option<&str> {
        self.task_status_msg.as_deref().filter(|m| !m.trim().is_empty())
    }
}
