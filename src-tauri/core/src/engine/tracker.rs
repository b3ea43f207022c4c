//! Following a task at the provider until it ends (API reference §8, poll schedule). A paid task is
//! never abandoned on a local timeout: only `succeed` or `failed` ends it, and a failed poll never
//! changes its state.

use std::time::Duration;

use rand::Rng;

use super::Engine;
use crate::api::TaskStatus;
use crate::error::Result;
use crate::generation::{now_ms, Generation, Status};
use crate::problem::{Kind, Problem};

/// When to ask again. `scale` shrinks every wait: 1.0 is the documented schedule, tests use less.
#[derive(Debug, Clone, Copy)]
pub struct PollSchedule {
    pub scale: f64,
}

impl Default for PollSchedule {
    fn default() -> Self {
        PollSchedule { scale: 1.0 }
    }
}

/// Polls that failed in a row before the tracker falls back to the regular schedule.
const QUICK_RETRIES: u32 = 5;
/// How often a `succeed` without a video is asked again before it counts as a failure.
const NO_VIDEO_RETRIES: u32 = 2;
/// How long every query may answer "not found" before the task is handed to the user: after a
/// key or API-address change the provider may never know it again, and asking every 30 s for ever
/// helps nobody.
const UNKNOWN_AFTER: Duration = Duration::from_secs(5 * 60);

impl PollSchedule {
    pub fn scaled(&self, wait: Duration) -> Duration {
        wait.mul_f64(self.scale)
    }

    /// The wait before the next check, from the time since the task was created: 5 s in the first
    /// minute, then 10, 15 and 30 s, with ±15 % jitter so many tasks do not poll in step.
    pub fn interval(&self, since_create: Duration) -> Duration {
        let base = match since_create.as_secs() {
            0..60 => 5,
            60..180 => 10,
            180..600 => 15,
            _ => 30,
        };
        let jitter = rand::thread_rng().gen_range(0.85..=1.15);
        self.scaled(Duration::from_secs(base).mul_f64(jitter))
    }

    /// Full-jitter backoff after the `attempt`-th failed poll in a row: a random wait up to
    /// min(30 s, 2^attempt s).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let cap = Duration::from_secs(30).min(Duration::from_secs(1u64 << attempt.min(5)));
        self.scaled(cap.mul_f64(rand::thread_rng().gen_range(0.0..=1.0)))
    }
}

impl Engine {
    pub(super) async fn track(&self, generation: &mut Generation) -> Result<()> {
        let schedule = self.inner.schedule;
        let task_id = generation.task_id.clone().unwrap_or_default();
        let mut failures = 0u32;
        let mut no_video = 0u32;
        let mut unknown_since: Option<tokio::time::Instant> = None;
        let hint = self.hint_for(&generation.id);
        let mut wait = self.next_check(generation);
        loop {
            // A callback cuts the wait short: the tracker then asks the provider itself.
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = hint.notified() => {}
            }
            let key = self.key().await;
            wait = self.next_check(generation);
            let result = self.client().query(&key, generation.request.kind, &task_id).await;
            self.note_reachability(&result);
            let task = match result {
                Ok(task) => {
                    failures = 0;
                    unknown_since = None;
                    if generation.error.as_ref().is_some_and(|e| waiting_kind(e.kind)) {
                        generation.error = None;
                        self.commit(generation)?;
                    }
                    task
                }
                Err(error) => {
                    if let Some(kind) = stuck_because(error.kind()) {
                        if generation.error.as_ref().map(|e| e.kind) != Some(kind) {
                            generation.error = Some(Problem::new(kind));
                            generation.provider_message = error.provider_message();
                            self.commit(generation)?;
                        }
                    }
                    if error.is_not_found() {
                        let since = *unknown_since.get_or_insert_with(tokio::time::Instant::now);
                        if since.elapsed() >= schedule.scaled(UNKNOWN_AFTER) {
                            generation.status = Status::NeedsCheck;
                            generation.error = Some(Problem::new(Kind::TaskUnknown));
                            generation.provider_message = error.provider_message();
                            return self.commit(generation);
                        }
                    } else {
                        unknown_since = None;
                    }
                    failures += 1;
                    if failures <= QUICK_RETRIES {
                        wait = schedule.backoff(failures);
                    }
                    if let Some(after) = error.retry_after() {
                        wait = wait.max(after);
                    }
                    continue;
                }
            };
            match task.task_status {
                TaskStatus::Submitted | TaskStatus::Processing | TaskStatus::Unknown(_) => {
                    let status = match task.task_status {
                        TaskStatus::Submitted => Status::Submitted,
                        TaskStatus::Processing => Status::Processing,
                        // An unknown status says the provider is still at it; keep what we know.
                        _ => generation.status,
                    };
                    if status != generation.status {
                        generation.status = status;
                        self.commit(generation)?;
                    }
                }
                TaskStatus::Succeed => match task.first_video() {
                    Some(video) => {
                        generation.remote_video_url = video.url.clone();
                        generation.remote_video_id = video.id.clone();
                        generation.video_duration = video.duration.clone();
                        generation.status = Status::Downloading;
                        return self.commit(generation);
                    }
                    None if no_video < NO_VIDEO_RETRIES => {
                        no_video += 1;
                        wait = schedule.scaled(Duration::from_secs(2));
                    }
                    None => {
                        return self.fail(
                            generation,
                            Problem::new(Kind::NoVideo),
                            task.reason().map(str::to_owned),
                        )
                    }
                },
                TaskStatus::Failed => {
                    let reason = task.reason().map(str::to_owned);
                    let problem = Problem::new(Kind::TaskFailed).param("reason", reason.clone().unwrap_or_default());
                    return self.fail(generation, problem, reason);
                }
            }
        }
    }
}

/// Why a running video is stuck when its queries fail for a reason the user can fix (not the
/// network, not a forgotten task): the card says so instead of "taking longer than usual".
fn stuck_because(kind: Kind) -> Option<Kind> {
    match kind {
        Kind::KeyRejected => Some(Kind::WaitingForKey),
        Kind::AccountProblem | Kind::BalanceUsedUp | Kind::NoAccess => Some(Kind::WaitingForAccount),
        Kind::BadGatewayConfig | Kind::UnexpectedResponse => Some(Kind::WaitingForGateway),
        _ => None,
    }
}

fn waiting_kind(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::WaitingForKey | Kind::WaitingForAccount | Kind::WaitingForGateway
    )
}

/// While callbacks flow, polling is only a safety net this far apart.
const SAFETY_NET: Duration = Duration::from_secs(60);

impl Engine {
    /// The wait before the next query: the documented schedule, or the safety-net interval while
    /// callbacks are expected (the first minute) or arriving (within two minutes of the last).
    fn next_check(&self, generation: &Generation) -> Duration {
        let schedule = self.inner.schedule;
        let normal = schedule.interval(since(generation.created_at));
        if self.delivery(generation) == crate::generation::Delivery::Polling {
            return normal;
        }
        let safety_net = schedule.scaled(SAFETY_NET);
        if self
            .inner
            .last_callback
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(&generation.id)
        {
            return safety_net.max(normal);
        }
        // No callback yet: wait for one until the task is a minute old, then poll normally.
        let first_wait = schedule.scaled(SAFETY_NET).saturating_sub(since(generation.created_at));
        first_wait.max(Duration::from_millis(1))
    }
}

fn since(created_at_ms: i64) -> Duration {
    Duration::from_millis((now_ms() - created_at_ms).max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_backs_off_as_documented() {
        let schedule = PollSchedule::default();
        let first = schedule.interval(Duration::ZERO);
        assert!(first >= Duration::from_millis(4250) && first <= Duration::from_millis(5750));
        let late = schedule.interval(Duration::from_secs(700));
        assert!(late >= Duration::from_millis(25500) && late <= Duration::from_millis(34500));
        assert!(schedule.backoff(10) <= Duration::from_secs(30));
    }
}
