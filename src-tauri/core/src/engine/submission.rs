//! Submitting a generation without ever paying for it twice (DESIGN.md, step 4; API reference §8).
//!
//! The generation and its `external_task_id` are on disk before the POST. When the answer is lost
//! or meaningless, the task is looked up by that id instead of posted again; a "not found" is
//! trusted only on a gateway where such lookups are known to work. Everything else becomes
//! `needs_check`, for the user to decide.

use std::time::Duration;

use super::Engine;
use crate::api::{ApiError, CreateTask, Task, TaskStatus};
use crate::error::Result;
use crate::generation::{Action, Generation, Status};
use crate::problem::{Kind, Problem};

/// Gaps between lookups after an ambiguous answer: about half a minute in all.
const LOOKUP_GAPS_S: &[u64] = &[0, 2, 4, 8, 16];
const RATE_LIMIT_RETRIES: u32 = 3;
/// Lookup-then-post rounds before an unsettled create is handed to the user.
const RECONCILE_ROUNDS: usize = 3;
/// How long a generation waits in the local queue before it tries for a slot again by itself.
const QUEUE_RETRY: Duration = Duration::from_secs(30);

enum Lookup {
    Found(Task),
    /// Not found, on a gateway where lookups by external id are known to work.
    Absent,
    Unsettled(Option<ApiError>),
}

impl Engine {
    pub(super) async fn submit(&self, generation: &mut Generation, reconcile_first: bool) -> Result<()> {
        let key = self.key().await;
        if reconcile_first {
            // A create may already have been made (the app stopped, or the user asked to check
            // again): only reconciliation may post, and it treats a refusal of that post as news
            // about the first one, never as the end of a task that may be paid for.
            return self.reconcile(&key, generation, None).await;
        }
        let body = self.create_body(generation)?;
        if generation.status == Status::Queued && !self.leave_queue(generation)? {
            return Ok(());
        }
        let mut rate_limited = 0;
        let mut unreachable_tries = 0;
        loop {
            let client = self.client();
            let result = client.create(&key, &body).await;
            self.note_reachability(&result);
            match result {
                Ok(task) if !task.task_id.is_empty() => {
                    self.adopt(generation, task)?;
                    self.learn_lookup(&key, generation).await;
                    return Ok(());
                }
                Ok(_) => return self.reconcile(&key, generation, None).await,
                Err(error) if error.kind() == Kind::RateLimited && rate_limited < RATE_LIMIT_RETRIES => {
                    rate_limited += 1;
                    tokio::time::sleep(self.rate_limit_wait(&error, rate_limited)).await;
                }
                Err(ApiError::Unreachable(_)) => {
                    // Nothing reached the server, so posting the same request again is safe.
                    unreachable_tries += 1;
                    let wait = self
                        .inner
                        .schedule
                        .backoff(unreachable_tries)
                        .max(self.inner.schedule.scaled(Duration::from_secs(1)));
                    tokio::time::sleep(wait).await;
                }
                Err(error) if error.kind() == Kind::ConcurrencyLimit => {
                    if !self.wait_in_queue(generation, &error).await? {
                        return Ok(());
                    }
                }
                Err(error) if error.is_ambiguous() => return self.reconcile(&key, generation, Some(error)).await,
                Err(error) => return self.fail_refused(generation, error),
            }
        }
    }

    /// Waits in the local queue after a 1303 (nothing was created) until one of our tasks ends.
    /// Returns `false` when the user cancelled it meanwhile; `generation` is then the stored,
    /// final record.
    async fn wait_in_queue(&self, generation: &mut Generation, error: &ApiError) -> Result<bool> {
        if generation.status != Status::Queued {
            generation.status = Status::Queued;
            generation.error = None;
            self.commit(generation)?;
        }
        self.wait_for_slot(error).await;
        self.leave_queue(generation)
    }

    /// Queued → submitting as a compare-and-set, so a cancel that came first wins and a cancel
    /// that comes later is refused: a cancelled generation is never posted (and charged).
    /// While a request is out the generation is "submitting", never "queued": a queued one is
    /// idle, so cancelling it or resuming it after a restart can never race a post.
    fn leave_queue(&self, generation: &mut Generation) -> Result<bool> {
        let seen = generation.clone();
        generation.status = Status::Submitting;
        if self.inner.library.save_if(generation, &seen)? {
            self.emit(generation);
            return Ok(true);
        }
        if let Some(stored) = self.inner.library.get(&generation.id)? {
            *generation = stored;
        }
        Ok(false)
    }

    /// Until one of our tasks ends, or a while anyway: other apps on the same account may hold
    /// the slots.
    async fn wait_for_slot(&self, error: &ApiError) {
        let wait = error
            .retry_after()
            .unwrap_or_default()
            .max(self.inner.schedule.scaled(QUEUE_RETRY));
        let freed = self.inner.slot_freed.notified();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = freed => {}
        }
    }

    /// After an ambiguous answer, a restart or "Check again": find the task if it exists, post
    /// again (same id) only where a "not found" is trustworthy, and otherwise hand the decision to
    /// the user. The first post may have made the task, so a refusal of the re-post never fails
    /// the generation: a duplicate refusal (the first one did arrive) or an ambiguous answer is
    /// looked up again, a 1303 waits for a slot, and any other refusal goes to the user.
    async fn reconcile(&self, key: &str, generation: &mut Generation, cause: Option<ApiError>) -> Result<()> {
        let mut cause = cause;
        let mut rounds = 0;
        let mut rate_limited = 0;
        while rounds < RECONCILE_ROUNDS {
            match self.look_up(key, generation, LOOKUP_GAPS_S).await {
                Lookup::Found(task) => return self.adopt(generation, task),
                Lookup::Unsettled(error) => return self.needs_check(generation, error.or(cause)),
                Lookup::Absent => {}
            }
            let body = self.create_body(generation)?;
            let result = self.client().create(key, &body).await;
            self.note_reachability(&result);
            match result {
                Ok(task) if !task.task_id.is_empty() => return self.adopt(generation, task),
                Ok(_) => rounds += 1,
                // The lookup said absent and the rate limit created nothing: the same waits as a
                // first post, without spending a round.
                Err(error) if error.kind() == Kind::RateLimited && rate_limited < RATE_LIMIT_RETRIES => {
                    rate_limited += 1;
                    tokio::time::sleep(self.rate_limit_wait(&error, rate_limited)).await;
                }
                // The account is full, perhaps with the first post's own task. It stays
                // "submitting" (not a queue the user could cancel: it may exist and be paid for)
                // and looks again once a slot frees, without spending a round.
                Err(error) if error.kind() == Kind::ConcurrencyLimit => self.wait_for_slot(&error).await,
                Err(error) if error.is_ambiguous() || error.is_transport() || error.kind() == Kind::InvalidRequest => {
                    rounds += 1;
                    cause = Some(error);
                }
                Err(error) => return self.needs_check(generation, Some(error)),
            }
        }
        self.needs_check(generation, cause)
    }

    /// The server's Retry-After is a promise about real time; only our own guess scales.
    fn rate_limit_wait(&self, error: &ApiError, attempt: u32) -> Duration {
        error
            .retry_after()
            .unwrap_or_else(|| self.inner.schedule.scaled(Duration::from_secs(2u64 << attempt)))
    }

    /// A definite refusal: nothing was created. Still rate-limited after the retries, the user is
    /// asked to try again later rather than told it goes on by itself.
    fn fail_refused(&self, generation: &mut Generation, error: ApiError) -> Result<()> {
        let message = error.provider_message();
        let problem = match error.kind() {
            Kind::RateLimited => Problem::new(Kind::RateLimitedGaveUp),
            _ => error.problem(),
        };
        self.fail(generation, problem, message)
    }

    fn create_body(&self, generation: &Generation) -> Result<CreateTask> {
        generation.request.create_body_with_frames(
            &generation.external_task_id,
            generation.callback_url.clone(),
            &self.inner.library.videos_dir(),
        )
    }

    async fn look_up(&self, key: &str, generation: &Generation, gaps: &[u64]) -> Lookup {
        let kind = generation.request.kind;
        if !kind.finds_by_external_id() {
            // Nothing can tell whether the create arrived: the user decides (check, post, discard).
            return Lookup::Unsettled(None);
        }
        let client = self.client();
        let trusted = self.inner.library.external_lookup_works(client.base()).ok().flatten() == Some(true);
        let mut last_error = None;
        let mut absent = false;
        // Every gap is waited out even after a "not found": a create that is still on its way to
        // the provider shows up late, and finding it beats posting again.
        for gap in gaps {
            tokio::time::sleep(self.inner.schedule.scaled(Duration::from_secs(*gap))).await;
            let result = client.query_by_external(key, kind, &generation.external_task_id).await;
            self.note_reachability(&result);
            match result {
                Ok(Some(task)) => return Lookup::Found(task),
                Ok(None) => absent |= trusted,
                Err(error) => last_error = Some(error),
            }
        }
        if absent {
            Lookup::Absent
        } else {
            Lookup::Unsettled(last_error)
        }
    }

    /// Once per gateway: look up a task we just created by its external id, so that a later "not
    /// found" from this gateway can be believed.
    async fn learn_lookup(&self, key: &str, generation: &Generation) {
        let kind = generation.request.kind;
        let client = self.client();
        if !kind.finds_by_external_id()
            || self
                .inner
                .library
                .external_lookup_works(client.base())
                .ok()
                .flatten()
                .is_some()
        {
            return;
        }
        let works = match client.query_by_external(key, kind, &generation.external_task_id).await {
            Ok(Some(task)) => task.task_id == generation.task_id.clone().unwrap_or_default(),
            Ok(None) => false,
            Err(_) => return,
        };
        let _ = self.inner.library.set_external_lookup_works(client.base(), works);
    }

    fn adopt(&self, generation: &mut Generation, task: Task) -> Result<()> {
        generation.task_id = Some(task.task_id.clone());
        generation.status = match task.task_status {
            TaskStatus::Processing => Status::Processing,
            _ => Status::Submitted,
        };
        generation.error = None;
        self.commit(generation)
    }

    fn needs_check(&self, generation: &mut Generation, cause: Option<ApiError>) -> Result<()> {
        generation.status = Status::NeedsCheck;
        generation.provider_message = cause.as_ref().and_then(ApiError::provider_message);
        let mut problem = Problem::new(Kind::SubmissionUnsettled);
        if let Some(cause) = cause {
            problem = problem.param("cause", cause.kind().as_str());
        }
        generation.error = Some(problem);
        self.commit(generation)
    }
}

/// What the user can do with a generation the app could not settle, or one waiting in the queue.
/// Each is a compare-and-set on the row as the action read it, so two clicks, or a click racing the
/// driver, never both take effect.
impl Engine {
    /// Asks the provider again: a known task by its id (it may be known again after a key or
    /// address change), otherwise by our external id, posting again with the same id only where
    /// a "not found" is trusted.
    pub fn check_again(&self, id: &str) -> Result<Generation> {
        let generation = self.act(id, Action::CheckAgain, |g| {
            g.status = if g.task_id.is_some() {
                Status::Submitted
            } else {
                Status::Submitting
            };
            g.error = None;
        })?;
        self.drive(generation.clone(), true);
        Ok(self.view(generation))
    }

    /// Posts again under a new external id, at the user's explicit request: if the first request
    /// did reach the provider, this one is a second, separately charged task.
    pub fn post_again(&self, id: &str) -> Result<Generation> {
        let generation = self.act(id, Action::PostAgain, |g| {
            g.external_task_id = format!("kd-{}", uuid::Uuid::new_v4());
            g.status = Status::Submitting;
            g.error = None;
            g.provider_message = None;
        })?;
        self.drive(generation.clone(), false);
        Ok(self.view(generation))
    }

    /// Gives up on an unsettled generation, or cancels one still waiting in the local queue.
    pub fn discard(&self, id: &str) -> Result<Generation> {
        let generation = self.act(id, Action::Discard, |g| {
            let kind = if g.status == Status::Queued {
                Kind::Cancelled
            } else {
                Kind::Discarded
            };
            g.status = Status::Failed;
            g.error = Some(Problem::new(kind));
        })?;
        // A queued generation sleeps until a slot frees up; wake it so it sees it was cancelled.
        self.inner.slot_freed.notify_waiters();
        Ok(self.view(generation))
    }

    /// Fetches the video again for a generation whose result the provider has: a download that
    /// gave up, or a result declared expired (the provider is asked for a fresh link first).
    pub fn download_again(&self, id: &str) -> Result<Generation> {
        let generation = self.act(id, Action::DownloadAgain, |g| {
            g.status = Status::Downloading;
            g.error = None;
            g.provider_message = None;
            g.finished_at = None;
        })?;
        self.drive(generation.clone(), true);
        Ok(self.view(generation))
    }

    /// Applies `change` to the stored row if it offers `action` (a cancel is a discard) and
    /// nothing changed it since it was read; otherwise the card had moved on, and the action is
    /// refused.
    fn act(&self, id: &str, action: Action, change: impl FnOnce(&mut Generation)) -> Result<Generation> {
        let seen = self.settle_only(id, &Status::ALL)?;
        let offered = seen.actions();
        if !(offered.contains(&action) || (action == Action::Discard && offered.contains(&Action::Cancel))) {
            return self.settle_only(id, &[]);
        }
        let mut generation = seen.clone();
        change(&mut generation);
        generation.download_progress = None;
        if !self.inner.library.save_if(&mut generation, &seen)? {
            return self.settle_only(id, &[]);
        }
        self.emit(&generation);
        Ok(generation)
    }
}
