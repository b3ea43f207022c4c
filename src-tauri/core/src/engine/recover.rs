//! Recovering a task by its id: a video made on another computer, with another tool, or lost from
//! a catalog. The provider is asked for the task and it becomes a generation like any other, saved
//! once: pasting the same id again finds the card it already has.

use super::Engine;
use crate::api::TaskStatus;
use crate::error::{Error, Result};
use crate::generation::{Generation, Status};
use crate::problem::{Kind, Problem};
use crate::request::ValidRequest;
use crate::rules::GenerationKind;

impl Engine {
    pub async fn recover(&self, task_id: &str) -> Result<Generation> {
        let task_id = task_id.trim();
        if task_id.is_empty() || task_id.chars().any(char::is_whitespace) || task_id.len() > 200 {
            return Err(Error::invalid(Kind::TaskIdInvalid, "task_id"));
        }
        // One recovery at a time, so two quick pastes of the same id make one card.
        let _one_at_a_time = self.inner.recovering.lock().await;
        if let Some(existing) = self.inner.library.find_by_task_id(task_id)? {
            return Ok(self.view(existing));
        }
        let key = self.inner.vault.key().ok_or(Error::KeyMissing)?;
        let task = self.client().query(&key, GenerationKind::TextToVideo, task_id).await?;
        // The task says nothing about the prompt or options it was made with: the card shows
        // that it was recovered, and the request keeps only what the result tells.
        let duration = task.first_video().and_then(|v| v.duration.clone());
        let request = ValidRequest {
            prompt: String::new(),
            negative_prompt: None,
            model_name: String::new(),
            mode: String::new(),
            duration: duration.clone().unwrap_or_default(),
            aspect_ratio: String::new(),
            cfg_scale: None,
            camera_control: None,
            sound: None,
            kind: GenerationKind::TextToVideo,
            image: None,
            image_tail: None,
            parent: None,
        };
        let mut generation = self.inner.library.insert(request)?;
        generation.task_id = Some(task.task_id.clone());
        // The provider's own creation time: its 30 days decide when the result is gone.
        generation.created_at = task.created_at.unwrap_or(generation.created_at);
        match task.task_status {
            TaskStatus::Succeed => match task.first_video() {
                Some(video) => {
                    generation.status = Status::Downloading;
                    generation.remote_video_url = video.url.clone();
                    generation.remote_video_id = video.id.clone();
                    generation.video_duration = duration;
                }
                None => {
                    generation.status = Status::Expired;
                    generation.error = Some(Problem::new(Kind::ResultExpired));
                }
            },
            TaskStatus::Failed => {
                generation.status = Status::Failed;
                generation.error =
                    Some(Problem::new(Kind::TaskFailed).param("reason", task.reason().unwrap_or_default()));
                generation.provider_message = task.reason().map(str::to_owned);
            }
            TaskStatus::Processing => generation.status = Status::Processing,
            TaskStatus::Submitted | TaskStatus::Unknown(_) => generation.status = Status::Submitted,
        }
        self.inner.library.save(&mut generation)?;
        self.emit(&generation);
        if !generation.status.is_final() {
            self.drive(generation.clone(), false);
        }
        Ok(self.view(generation))
    }
}
