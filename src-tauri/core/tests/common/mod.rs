//! What the engine tests share: an engine on a temporary library, pointed at an in-process
//! emulator, with an event sink that records every change.

#![allow(dead_code)]

use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kling_core::announcement::Announcement;
use kling_core::rules::COMETAPI_LIMITS;
use kling_core::secrets::{KeyScope, KeyVault, MemoryStore};
use kling_core::{Engine, EngineConfig, EventSink, Generation, Library, PollSchedule, Status};
use kling_emulator::{Emulator, EmulatorConfig};

pub const KEY: &str = "sk-test-key-1234";

/// Polls 50 times faster than the documented schedule, so a test takes seconds, not minutes.
pub const FAST: PollSchedule = PollSchedule { scale: 0.02 };

#[derive(Default)]
pub struct Recorder {
    events: Mutex<Vec<Generation>>,
    changed: tokio::sync::Notify,
    pub connectivity: Mutex<Vec<bool>>,
    pub announcements: Mutex<Vec<Announcement>>,
}

impl EventSink for Recorder {
    fn generation_changed(&self, generation: &Generation) {
        self.events.lock().unwrap().push(generation.clone());
        self.changed.notify_waiters();
    }

    fn connectivity_changed(&self, online: bool) {
        self.connectivity.lock().unwrap().push(online);
    }

    fn announce(&self, announcement: &Announcement) {
        self.announcements.lock().unwrap().push(announcement.clone());
    }
}

impl Recorder {
    pub fn events(&self) -> Vec<Generation> {
        self.events.lock().unwrap().clone()
    }

    /// The statuses one generation went through, in order, without repeats.
    pub fn statuses(&self, id: &str) -> Vec<Status> {
        let mut seen: Vec<Status> = Vec::new();
        for event in self.events().iter().filter(|g| g.id == id) {
            if seen.last() != Some(&event.status) {
                seen.push(event.status);
            }
        }
        seen
    }

    /// Waits until an event shows `id` in one of `statuses`, and returns that record.
    pub async fn wait_for(&self, id: &str, statuses: &[Status], within: Duration) -> Generation {
        self.wait_for_after(0, id, statuses, within).await
    }

    /// Like `wait_for`, among the events after the first `since` only: for a second settle of the
    /// same generation (after "Check again").
    pub async fn wait_for_after(&self, since: usize, id: &str, statuses: &[Status], within: Duration) -> Generation {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let notified = self.changed.notified();
            if let Some(found) = self
                .events()
                .into_iter()
                .skip(since)
                .rev()
                .find(|g| g.id == id && statuses.contains(&g.status))
            {
                return found;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("{id} never reached {statuses:?}; went through {:?}", self.statuses(id));
            }
        }
    }
}

pub struct Rig {
    pub engine: Engine,
    pub recorder: Arc<Recorder>,
}

pub fn engine_on(root: &Path, emulator: &Emulator, key: Option<&str>) -> Rig {
    engine_with(root, emulator, key, FAST)
}

pub fn engine_with(root: &Path, emulator: &Emulator, key: Option<&str>, schedule: PollSchedule) -> Rig {
    engine_tuned(root, &emulator.base_url(), key, |config| config.schedule = schedule)
}

/// An engine with the test defaults, after `tune` has changed what the test needs.
pub fn engine_tuned(root: &Path, api_base: &str, key: Option<&str>, tune: impl FnOnce(&mut EngineConfig)) -> Rig {
    let recorder = Arc::new(Recorder::default());
    let vault = Arc::new(KeyVault::new(Box::new(MemoryStore::default())));
    if let Some(key) = key {
        vault.save(key, KeyScope::Keychain).unwrap();
    }
    let mut config = EngineConfig {
        library: Arc::new(Library::open(root).unwrap()),
        api_base: api_base.to_owned(),
        vault,
        sink: recorder.clone(),
        schedule: FAST,
        limits: &COMETAPI_LIMITS,
        media_base: Some("http://media.test/token".into()),
        requests_per_second: 0.0,
        max_video_bytes: kling_core::downloader::MAX_VIDEO_BYTES,
        timeouts: Default::default(),
    };
    tune(&mut config);
    Rig {
        engine: Engine::new(config).unwrap(),
        recorder,
    }
}

/// A downloading generation as a restart finds it: task `task_id`, its result at `url`, created
/// `age_ms` ago.
pub fn downloading_row(root: &Path, text: &str, task_id: &str, url: &str, age_ms: i64) -> String {
    let library = Library::open(root).unwrap();
    let valid = kling_core::request::validate(&prompt(text), &COMETAPI_LIMITS).unwrap();
    let mut stored = library.insert(valid).unwrap();
    stored.task_id = Some(task_id.into());
    stored.status = Status::Downloading;
    stored.remote_video_url = Some(url.to_owned());
    stored.created_at -= age_ms;
    library.save(&mut stored).unwrap();
    stored.id
}

/// The plain prompt-and-Generate request.
pub fn prompt(text: &str) -> kling_core::GenerationRequest {
    kling_core::GenerationRequest {
        prompt: text.into(),
        ..Default::default()
    }
}

pub async fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig::fast()).await.unwrap()
}

/// Status queries for one task (lookups by external id are not counted).
pub fn queries_for(emulator: &Emulator, task_id: &str) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.is_api() && r.path.ends_with(task_id))
        .count()
}

/// Whether a generation's statuses only ever moved forward through the normal path.
pub fn only_forward(statuses: &[Status]) -> bool {
    let order = [
        Status::Submitting,
        Status::Submitted,
        Status::Processing,
        Status::Downloading,
        Status::Ready,
    ];
    let rank = |s: &Status| order.iter().position(|o| o == s);
    statuses.iter().all(|s| rank(s).is_some()) && statuses.windows(2).all(|w| rank(&w[0]) < rank(&w[1]))
}

/// How many tasks the emulator made for `prompt`: what the user paid for.
pub fn tasks_for(emulator: &Emulator, prompt: &str) -> usize {
    emulator
        .tasks()
        .iter()
        .filter(|t| t.request["prompt"] == prompt)
        .count()
}

pub fn creates(emulator: &Emulator) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.is_api())
        .count()
}

/// Every generation in the library, rejected ones included, oldest id first.
pub fn all_generations(library: &Library) -> Vec<Generation> {
    let everything = kling_core::LibraryQuery {
        marks: kling_core::library::MarksFilter::Everything,
        ..Default::default()
    };
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = library.search(&everything, after, 200).unwrap();
        all.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    all.sort_by(|a, b| a.id.cmp(&b.id));
    all
}

/// Every file in a library's `videos/` with its bytes, by name.
pub fn video_files(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(root.join("videos"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect()
}

/// A ready generation made at `made_at` (ms), with `video` as its file and `poster` beside it, as
/// the engine leaves one.
pub fn ready_video(
    library: &Library,
    request: kling_core::request::ValidRequest,
    video: &[u8],
    poster: Option<&[u8]>,
    made_at: i64,
) -> Generation {
    let mut generation = library.insert(request).unwrap();
    let video_file = format!("videos/{}.mp4", generation.id);
    std::fs::write(library.root().join(&video_file), video).unwrap();
    generation.video_file = Some(video_file);
    if let Some(poster) = poster {
        let poster_file = format!("videos/{}.jpg", generation.id);
        std::fs::write(library.root().join(&poster_file), poster).unwrap();
        generation.poster_file = Some(poster_file);
    }
    generation.task_id = Some(format!("task-{}", generation.id));
    generation.video_duration = Some("5.1".into());
    generation.status = Status::Ready;
    generation.created_at = made_at;
    library.save(&mut generation).unwrap();
    generation
}

/// This test binary again, running only the ignored test `name` (a child entry point of a kill
/// test), with `spec` in the variable `env`; its stdout is piped for the parent to follow.
pub fn spawn_test_child(
    name: &str,
    env: &str,
    spec: &serde_json::Value,
    stderr: std::process::Stdio,
) -> std::process::Child {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(env, spec.to_string())
        .stdout(std::process::Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap()
}

/// The first page of a table or index of the closed catalog, as SQLite numbers them.
pub fn root_page(catalog: &Path, name: &str) -> u64 {
    rusqlite::Connection::open(catalog)
        .unwrap()
        .query_row("SELECT rootpage FROM sqlite_schema WHERE name = ?1", [name], |row| {
            row.get(0)
        })
        .unwrap()
}

/// Overwrites one page of the closed catalog with bytes that are no SQLite page.
pub fn damage_page(catalog: &Path, page: u64) {
    let page_size: u64 = rusqlite::Connection::open(catalog)
        .unwrap()
        .pragma_query_value(None, "page_size", |row| row.get(0))
        .unwrap();
    let mut file = std::fs::OpenOptions::new().write(true).open(catalog).unwrap();
    file.seek(SeekFrom::Start((page - 1) * page_size)).unwrap();
    file.write_all(&b"damaged!".repeat(page_size as usize / 8)).unwrap();
}

/// A real PNG picture of `width` × `height`: a gradient, so each size makes different bytes.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    let mut writer = encoder.write_header().unwrap();
    let pixels: Vec<u8> = (0..width * height)
        .flat_map(|i| {
            let (x, y) = (i % width, i / width);
            [(x * 255 / width) as u8, (y * 255 / height) as u8, 160]
        })
        .collect();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    bytes
}
