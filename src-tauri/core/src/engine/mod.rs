//! The engine runs generations: it validates and records a request, submits it, tracks the task
//! until it ends, downloads the video, and reports every change. Each change is written to the
//! library first and then sent through the `EventSink` as the whole record.

mod coach;
mod inputs;
mod keys;
mod live_updates;
mod posters;
mod recover;
mod submission;
mod tracker;
mod video;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use crate::announcement::{announcement, Announcement};
use crate::api::{ApiError, Client, Pacer, Timeouts};
use crate::callback_receiver::CallbackHint;
use crate::error::{Error, Result};
use crate::generation::{now_ms, Delivery, Generation, Status};
use crate::library::{Cursor, Library, LibraryQuery, Mark, Page};
use crate::problem::{Kind, Problem};
use crate::request::{self, GenerationRequest};
use crate::rules::Limits;
use crate::secrets::KeyVault;

pub use inputs::{FrameView, Lineage};
pub use live_updates::{CallbackInfo, CallbackSetup, Endpoint, DEFAULT_CALLBACK_PORT};
pub use tracker::PollSchedule;

/// Where the engine reports changes: the Tauri shell emits them to the window, tests collect them.
pub trait EventSink: Send + Sync + 'static {
    fn generation_changed(&self, generation: &Generation);

    /// The provider became unreachable, or reachable again. Sent once per change, not per request.
    fn connectivity_changed(&self, _online: bool) {}

    /// A generation the engine carried became ready or failed (`announcement`): sent once, after
    /// the `generation_changed` that recorded it.
    fn announce(&self, _announcement: &Announcement) {}
}

pub struct EngineConfig {
    pub library: Arc<Library>,
    pub api_base: String,
    pub vault: Arc<KeyVault>,
    pub sink: Arc<dyn EventSink>,
    pub schedule: PollSchedule,
    pub limits: &'static Limits,
    /// The media server's base URL; a ready generation's `video_url` is this plus `/<file>`.
    pub media_base: Option<String>,
    /// The limit on API requests per second across all generations; 0 means none.
    pub requests_per_second: f64,
    /// The largest video the app will save (`downloader::MAX_VIDEO_BYTES` in the app).
    pub max_video_bytes: u64,
    pub timeouts: Timeouts,
}

#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    library: Arc<Library>,
    client: RwLock<Client>,
    vault: Arc<KeyVault>,
    sink: Arc<dyn EventSink>,
    schedule: PollSchedule,
    limits: &'static Limits,
    media_base: Option<String>,
    downloads: reqwest::Client,
    pacer: Arc<Pacer>,
    max_video_bytes: u64,
    timeouts: Timeouts,
    /// Generations that have a task driving them, so a resume never starts a second one.
    /// The generations a driver is carrying, each with whether it was asked to go on once more
    /// (a "Check again" that arrived while the driver was finishing) and how (`resumed`).
    active: Mutex<HashMap<String, Option<bool>>>,
    /// Held while a task id is being recovered (see `recover`).
    recovering: tokio::sync::Mutex<()>,
    /// Woken when a task at the provider ends, so a queued generation can take its slot.
    slot_freed: tokio::sync::Notify,
    online: AtomicBool,
    /// Sent with each create when the user set up a public callback URL.
    callback_url: RwLock<Option<String>>,
    /// Per running generation: woken by a callback so the tracker asks at once.
    hints: Mutex<HashMap<String, Arc<tokio::sync::Notify>>>,
    /// When the last callback for each generation arrived.
    last_callback: Mutex<HashMap<String, tokio::time::Instant>>,
}

impl Engine {
    pub fn new(config: EngineConfig) -> Result<Engine> {
        let pacer = Arc::new(Pacer::new(config.requests_per_second));
        let client = Client::with_pacer(&config.api_base, pacer.clone())?.with_timeouts(config.timeouts);
        let downloads = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                let allowed = attempt
                    .previous()
                    .first()
                    .is_none_or(|first| crate::downloader::redirect_allowed(first, attempt.url()));
                if attempt.previous().len() >= 10 || !allowed {
                    attempt.error("redirect refused")
                } else {
                    attempt.follow()
                }
            }))
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| ApiError::Network(e.to_string()))?;
        Ok(Engine {
            inner: Arc::new(Inner {
                library: config.library,
                client: RwLock::new(client),
                vault: config.vault,
                sink: config.sink,
                schedule: config.schedule,
                limits: config.limits,
                media_base: config.media_base,
                downloads,
                pacer,
                max_video_bytes: config.max_video_bytes,
                timeouts: config.timeouts,
                active: Mutex::new(HashMap::new()),
                recovering: tokio::sync::Mutex::new(()),
                slot_freed: tokio::sync::Notify::new(),
                online: AtomicBool::new(true),
                callback_url: RwLock::new(None),
                hints: Mutex::new(HashMap::new()),
                last_callback: Mutex::new(HashMap::new()),
            }),
        })
    }

    pub fn library(&self) -> &Library {
        &self.inner.library
    }

    pub fn vault(&self) -> &KeyVault {
        &self.inner.vault
    }

    pub fn client(&self) -> Client {
        self.inner.client.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn set_api_base(&self, base: &str) -> Result<()> {
        let client = Client::with_pacer(base, self.inner.pacer.clone())?.with_timeouts(self.inner.timeouts);
        *self.inner.client.write().unwrap_or_else(|p| p.into_inner()) = client;
        Ok(())
    }

    pub fn set_requests_per_second(&self, rate: f64) {
        self.inner.pacer.set_rate(rate);
    }

    /// How many generations are still on their way (for the note shown when quitting).
    pub fn unfinished_count(&self) -> Result<usize> {
        Ok(self
            .inner
            .library
            .unfinished()?
            .iter()
            .filter(|g| g.status != Status::NeedsCheck)
            .count())
    }

    /// Records what a request said about the network, telling the UI once per change.
    fn note_reachability<T>(&self, result: &std::result::Result<T, ApiError>) {
        let online = !matches!(result, Err(e) if e.is_transport());
        if self.inner.online.swap(online, Ordering::SeqCst) != online {
            self.inner.sink.connectivity_changed(online);
        }
    }

    pub fn is_online(&self) -> bool {
        self.inner.online.load(Ordering::SeqCst)
    }

    /// Like `generate_takes`, returning only take 1: for callers that ask for a single video.
    pub fn generate(&self, request: &GenerationRequest) -> Result<Generation> {
        // One video, whatever the request's `takes` say: a caller that wants several asks for them.
        let one = GenerationRequest {
            takes: None,
            ..request.clone()
        };
        let mut takes = self.generate_takes(&one)?;
        Ok(takes.remove(0))
    }

    /// Validates, writes every take the request asks for to disk (all in one transaction), starts
    /// them, and returns them, take 1 first, as soon as they are on disk: the POSTs happen after
    /// this returns, so the UI can re-enable Generate right away. Each take is submitted, paced and
    /// queued on a full account exactly like a single generation.
    pub fn generate_takes(&self, request: &GenerationRequest) -> Result<Vec<Generation>> {
        let valid = self.check(request)?;
        let takes = request::takes(request)?;
        if self.inner.vault.key().is_none() {
            return Err(Error::KeyMissing);
        }
        let callback_url = self
            .inner
            .callback_url
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let generations = self.inner.library.insert_takes(valid, takes, callback_url)?;
        for generation in &generations {
            self.emit(generation);
        }
        for generation in &generations {
            self.drive(generation.clone(), false);
        }
        Ok(generations.into_iter().map(|g| self.view(g)).collect())
    }

    /// Picks up every unfinished generation after a start, and removes partial downloads that
    /// belong to none of them. Reads only the unfinished rows.
    pub fn resume(&self) -> Result<usize> {
        let unfinished = self.inner.library.unfinished()?;
        let downloading: HashSet<String> = unfinished
            .iter()
            .filter(|g| g.status == Status::Downloading)
            .map(|g| format!("{}.mp4.part", g.id))
            .collect();
        if let Ok(entries) = std::fs::read_dir(self.inner.library.incoming_dir()) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if downloading.contains(&name) {
                    continue;
                }
                // A partial download of a row this catalog does not hold (lost with a catalog
                // set aside) or cannot decode may still be paid work: it is kept.
                let unowned = name
                    .strip_suffix(".mp4.part")
                    .is_some_and(|id| !matches!(self.inner.library.get(id), Ok(Some(_))));
                if !unowned {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let count = unfinished.len();
        for generation in unfinished {
            self.drive(generation, true);
        }
        Ok(count)
    }

    pub fn search(&self, query: &LibraryQuery, after: Option<Cursor>, limit: usize) -> Result<Page> {
        let mut page = self.inner.library.search(query, after, limit)?;
        page.items = page.items.into_iter().map(|g| self.view(g)).collect();
        Ok(page)
    }

    /// A favorite, a reject or a title for a finished video; the window hears of it like any change.
    pub fn mark(&self, id: &str, mark: &Mark) -> Result<Generation> {
        let generation = self.view(self.inner.library.mark(id, mark)?);
        self.inner.sink.generation_changed(&generation);
        Ok(generation)
    }

    pub fn get(&self, id: &str) -> Result<Generation> {
        let generation = self.settle_only(id, &Status::ALL)?;
        Ok(self.view(generation))
    }

    /// Checks a key with the provider without spending credits.
    pub async fn check_key(&self, key: &str) -> Result<(), ApiError> {
        self.client().check_key(key).await
    }

    /// The full callback URL (public base plus the receiver's secret path) sent with new creates,
    /// or `None` to rely on polling alone.
    pub fn set_callback_url(&self, url: Option<String>) {
        *self.inner.callback_url.write().unwrap_or_else(|p| p.into_inner()) = url;
    }

    /// Whether updates for `generation` come by callback right now: callbacks were asked for, and
    /// one arrived within two minutes, or the task is younger than a minute and none is due yet.
    pub(crate) fn delivery(&self, generation: &Generation) -> Delivery {
        if generation.callback_url.is_none() {
            return Delivery::Polling;
        }
        let last = self
            .inner
            .last_callback
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&generation.id)
            .copied();
        let window = self.inner.schedule.scaled(Duration::from_secs(120));
        let first_wait = self.inner.schedule.scaled(Duration::from_secs(60));
        match last {
            Some(at) if at.elapsed() < window => Delivery::Callback,
            Some(_) => Delivery::Polling,
            None if Duration::from_millis((now_ms() - generation.created_at).max(0) as u64) < first_wait => {
                Delivery::Callback
            }
            None => Delivery::Polling,
        }
    }

    /// Every tracker asks the provider now instead of at its next turn.
    fn wake_trackers(&self) {
        for hint in self.inner.hints.lock().unwrap_or_else(|p| p.into_inner()).values() {
            hint.notify_one();
        }
    }

    fn hint_for(&self, id: &str) -> Arc<tokio::sync::Notify> {
        self.inner
            .hints
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(id.to_owned())
            .or_default()
            .clone()
    }

    /// Adds what the UI needs but the library does not store.
    fn view(&self, mut generation: Generation) -> Generation {
        generation.delivery = match generation.status {
            Status::Submitted | Status::Processing => Some(self.delivery(&generation)),
            _ => None,
        };
        let served = |file: &Option<String>| match (&self.inner.media_base, file, generation.status) {
            (Some(base), Some(file), Status::Ready) => std::path::Path::new(file)
                .file_name()
                .map(|name| format!("{base}/{}", name.to_string_lossy())),
            _ => None,
        };
        generation.video_url = served(&generation.video_file);
        generation.poster_url = served(&generation.poster_file);
        generation.image_url = generation.request.image.as_ref().and_then(|f| self.frame_url(f));
        generation.image_tail_url = generation.request.image_tail.as_ref().and_then(|f| self.frame_url(f));
        generation.continue_until = crate::continuation::offered_until(&generation, now_ms());
        generation.actions = generation.actions();
        generation
    }

    /// The stored generation, when it is in one of the `allowed` states: what every action on a
    /// card checks first, since the card may have moved on since the window drew it.
    fn settle_only(&self, id: &str, allowed: &[Status]) -> Result<Generation> {
        let generation = self
            .inner
            .library
            .get(id)?
            .ok_or_else(|| Error::UnknownGeneration(id.to_owned()))?;
        if allowed.contains(&generation.status) {
            Ok(generation)
        } else {
            Err(Error::invalid_with(
                Kind::ActionNotAvailable,
                "status",
                &[("status", serde_json::json!(generation.status.as_str()))],
            ))
        }
    }

    fn emit(&self, generation: &Generation) {
        self.inner.sink.generation_changed(&self.view(generation.clone()));
    }

    /// Writes the change, then tells the UI: never the other way round.
    fn commit(&self, generation: &mut Generation) -> Result<()> {
        generation.download_progress = None;
        self.inner.library.save(generation)?;
        self.emit(generation);
        Ok(())
    }

    fn fail(&self, generation: &mut Generation, problem: Problem, provider_message: Option<String>) -> Result<()> {
        generation.status = Status::Failed;
        generation.error = Some(problem);
        generation.provider_message = provider_message;
        self.commit(generation)
    }

    /// Starts the one task that carries `generation` to a final state (or to `needs_check`). When
    /// a driver for it is still finishing (a "Check again" right as it settled), that driver is
    /// asked to go on once more from what is stored, instead of leaving the row unattended.
    fn drive(&self, generation: Generation, resumed: bool) {
        {
            let mut active = self.inner.active.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(again) = active.get_mut(&generation.id) {
                *again = Some(resumed);
                return;
            }
            active.insert(generation.id.clone(), None);
        }
        let engine = self.clone();
        tokio::spawn(async move {
            let id = generation.id.clone();
            let mut next = Some((generation, resumed));
            while let Some((generation, resumed)) = next.take() {
                engine.carry(generation, resumed).await;
                let again = {
                    let mut active = engine.inner.active.lock().unwrap_or_else(|p| p.into_inner());
                    let again = active.get_mut(&id).and_then(Option::take);
                    if again.is_none() {
                        active.remove(&id);
                    }
                    again
                };
                if let Some(resumed) = again {
                    next = match engine.inner.library.get(&id) {
                        Ok(Some(stored)) => Some((stored, resumed)),
                        _ => {
                            engine
                                .inner
                                .active
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .remove(&id);
                            None
                        }
                    };
                }
            }
        });
    }

    /// Runs one generation until it settles, surviving failed writes to the library, and
    /// announces how it ended.
    async fn carry(&self, mut generation: Generation, mut resumed: bool) {
        let id = generation.id.clone();
        let started = generation.status;
        let mut attempt = 0;
        while let Err(error) = self.run(&mut generation, resumed).await {
            // The library could not be written (disk full, folder gone, locked). What was learned
            // from the provider meanwhile (a task id, a status, a link) is only in `generation`:
            // keep it, show the problem, and write it down once the library takes writes again,
            // so nothing paid for is asked for twice.
            let mut shown = self.view(generation.clone());
            shown.error = Some(error.problem());
            self.inner.sink.generation_changed(&shown);
            loop {
                attempt += 1;
                tokio::time::sleep(
                    self.inner
                        .schedule
                        .backoff(attempt)
                        .max(self.inner.schedule.scaled(Duration::from_secs(5))),
                )
                .await;
                // A user's decision on disk (discarding a queued generation) wins.
                match self.inner.library.get(&id) {
                    Ok(Some(stored)) if stored.status.is_final() => return,
                    Ok(None) => return,
                    _ => {}
                }
                if self.commit(&mut generation).is_ok() {
                    break;
                }
            }
            resumed = true;
        }
        if let Some(news) = announcement(started, &generation) {
            self.inner.sink.announce(&news);
        }
    }

    async fn run(&self, generation: &mut Generation, resumed: bool) -> Result<()> {
        // Only a generation left "submitting" may have a create in flight; a queued one is idle.
        let mut reconcile_first = resumed && generation.status == Status::Submitting;
        loop {
            match generation.status {
                Status::Submitting | Status::Queued => {
                    self.submit(generation, reconcile_first).await?;
                    reconcile_first = false;
                }
                Status::Submitted | Status::Processing => {
                    self.track(generation).await?;
                    self.inner.slot_freed.notify_waiters();
                }
                Status::Downloading => self.download(generation).await?,
                Status::NeedsCheck | Status::Ready | Status::Failed | Status::Expired => return Ok(()),
            }
        }
    }

    /// Waits until a key is available, checking now and then: a generation resumed before the
    /// user has entered a key must not be failed for it.
    async fn key(&self) -> String {
        loop {
            if let Some(key) = self.inner.vault.key() {
                return key;
            }
            tokio::time::sleep(self.inner.schedule.scaled(Duration::from_secs(5))).await;
        }
    }
}

impl CallbackHint for Engine {
    fn task_changed(&self, task_id: &str) -> bool {
        let Ok(Some(generation)) = self.inner.library.find_by_task_id(task_id) else {
            return false;
        };
        if !generation.status.is_final() {
            let was = self.delivery(&generation);
            self.inner
                .last_callback
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(generation.id.clone(), tokio::time::Instant::now());
            self.hint_for(&generation.id).notify_one();
            if was != Delivery::Callback {
                self.emit(&generation);
            }
        }
        true
    }
}
