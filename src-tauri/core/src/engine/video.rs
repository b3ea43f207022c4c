//! Saving the finished video into the library, and what to do when the link has expired.

use std::time::Duration;

use super::Engine;
use crate::downloader::{Download, DownloadError};
use crate::error::Result;
use crate::generation::{now_ms, Generation, Status};
use crate::problem::{Kind, Problem};

/// Pause between download attempts that failed for a passing reason, growing to this cap.
const RETRY_CAP: Duration = Duration::from_secs(300);
/// Downloads that ended early before the video is failed (and offered to be downloaded again): a
/// server that always cuts the file short would otherwise be asked for ever.
const INCOMPLETE_TRIES: u32 = 5;
/// How often progress reaches the UI at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);
/// How long the provider keeps a result (API reference: 30 days); only after that, or when the
/// provider says so, is a result that answers 403/404 gone rather than not there yet.
pub const RESULT_KEPT_MS: i64 = 30 * 24 * 60 * 60 * 1000;

impl Engine {
    pub(super) async fn download(&self, generation: &mut Generation) -> Result<()> {
        let library = &self.inner.library;
        let download = Download {
            part: library.incoming_dir().join(format!("{}.mp4.part", generation.id)),
            target: library.videos_dir().join(format!("{}.mp4", generation.id)),
            limit: self.inner.max_video_bytes,
        };
        // A finished file is only ever renamed into `videos/` whole; if the app stopped before the
        // library recorded it, the video is already here and must not be fetched (or expire) again.
        if let Some(bytes) = crate::downloader::complete_video(&download.target) {
            return self.record_video(generation, bytes);
        }
        let mut refreshed = false;
        let mut attempt = 0u32;
        let mut incomplete = 0u32;
        loop {
            let Some(url) = generation.remote_video_url.clone() else {
                return self.fail(generation, Problem::new(Kind::NoVideo), None);
            };
            let mut last_emit = std::time::Instant::now() - PROGRESS_EVERY;
            let progress_view = generation.clone();
            let result = download
                .run(&self.inner.downloads, &url, |received, total| {
                    if last_emit.elapsed() >= PROGRESS_EVERY {
                        last_emit = std::time::Instant::now();
                        let mut view = progress_view.clone();
                        view.download_progress = total.map(|t| received as f64 / t.max(1) as f64);
                        self.emit(&view);
                    }
                })
                .await;
            match result {
                Ok(bytes) => return self.record_video(generation, bytes),
                Err(DownloadError::Gone(status)) => {
                    // A CDN answers 403/404 for a result that is not there yet, and a link can
                    // expire before the result does: only the provider's word or its 30 days
                    // make the result gone. Until then ask the task for its link and try again,
                    // at once the first time, then with a growing pause.
                    if now_ms() - generation.created_at >= RESULT_KEPT_MS {
                        return self.expire(generation, status);
                    }
                    let key = self.key().await;
                    let task_id = generation.task_id.clone().unwrap_or_default();
                    match self.client().query(&key, generation.request.kind, &task_id).await {
                        Ok(task) => match task.first_video().and_then(|v| v.url.clone()) {
                            Some(fresh) => {
                                if generation.remote_video_url.as_deref() != Some(fresh.as_str()) {
                                    generation.remote_video_url = Some(fresh);
                                    self.commit(generation)?;
                                }
                            }
                            None => return self.expire(generation, status),
                        },
                        Err(error) if error.is_not_found() => return self.expire(generation, status),
                        Err(_) => {}
                    }
                    if refreshed {
                        attempt += 1;
                        tokio::time::sleep(self.inner.schedule.backoff(attempt).min(RETRY_CAP)).await;
                    }
                    refreshed = true;
                }
                Err(refused @ (DownloadError::RefusedUrl | DownloadError::TooLarge(_))) => {
                    let reason = match refused {
                        DownloadError::RefusedUrl => "refused_url",
                        _ => "too_large",
                    };
                    let problem = Problem::new(Kind::DownloadFailed).param("reason", reason);
                    return self.fail(generation, problem, Some(refused.to_string()));
                }
                Err(DownloadError::Io(io)) => return Err(io.into()),
                Err(DownloadError::Incomplete) if incomplete + 1 >= INCOMPLETE_TRIES => {
                    let problem = Problem::new(Kind::DownloadFailed).param("reason", "incomplete");
                    return self.fail(generation, problem, None);
                }
                // A web page instead of the video (a captive portal, a proxy's error page) or a
                // network failure passes: the video stays "downloading" and is tried again.
                Err(passing) => {
                    attempt += 1;
                    if matches!(passing, DownloadError::Incomplete) {
                        incomplete += 1;
                    }
                    let wait = self
                        .inner
                        .schedule
                        .backoff(attempt)
                        .max(self.inner.schedule.scaled(Duration::from_secs(1)));
                    let mut problem = Problem::new(Kind::DownloadFailed).param("detail", passing.to_string());
                    if matches!(passing, DownloadError::NotVideo) {
                        problem = problem.param("reason", "not_video");
                    }
                    generation.error = Some(problem);
                    generation.updated_at = now_ms();
                    self.emit(generation);
                    tokio::time::sleep(wait.min(RETRY_CAP)).await;
                }
            }
        }
    }

    fn expire(&self, generation: &mut Generation, status: u16) -> Result<()> {
        generation.status = Status::Expired;
        generation.error = Some(Problem::new(Kind::ResultExpired).param("status", status));
        self.commit(generation)
    }

    fn record_video(&self, generation: &mut Generation, bytes: u64) -> Result<()> {
        generation.video_file = Some(format!("videos/{}.mp4", generation.id));
        generation.video_bytes = Some(bytes as i64);
        generation.status = Status::Ready;
        generation.error = None;
        self.commit(generation)
    }
}
