//! Benchmark: how long from a status change at the provider (the emulator) to the event the UI
//! receives, with callbacks, on the real poll schedule. Run: `cargo bench -p kling-core --bench
//! callback_latency`. It prints numbers and asserts nothing: timings belong here, not in tests.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kling_core::callback_receiver::CallbackReceiver;
use kling_core::rules::COMETAPI_LIMITS;
use kling_core::secrets::{KeyScope, KeyVault, MemoryStore};
use kling_core::{Engine, EngineConfig, EventSink, Generation, GenerationRequest, Library, PollSchedule, Status};
use kling_emulator::{Emulator, EmulatorConfig};

#[derive(Default)]
struct Clock {
    seen: Mutex<Vec<(String, Status, Instant)>>,
    changed: tokio::sync::Notify,
}

impl EventSink for Clock {
    fn generation_changed(&self, generation: &Generation) {
        self.seen
            .lock()
            .unwrap()
            .push((generation.id.clone(), generation.status, Instant::now()));
        self.changed.notify_waiters();
    }
}

impl Clock {
    async fn first(&self, id: &str, status: Status, after: Instant) -> Instant {
        loop {
            let notified = self.changed.notified();
            let found = self
                .seen
                .lock()
                .unwrap()
                .iter()
                .find(|(i, s, at)| i == id && *s == status && *at >= after)
                .map(|e| e.2);
            if let Some(at) = found {
                return at;
            }
            notified.await;
        }
    }
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let emulator = Emulator::start(EmulatorConfig::fast()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(Clock::default());
        let vault = Arc::new(KeyVault::new(Box::new(MemoryStore::default())));
        vault.save("sk-bench", KeyScope::Session).unwrap();
        let engine = Engine::new(EngineConfig {
            library: Arc::new(Library::open(dir.path()).unwrap()),
            api_base: emulator.base_url(),
            vault,
            sink: clock.clone(),
            schedule: PollSchedule::default(),
            limits: &COMETAPI_LIMITS,
            media_base: None,
            requests_per_second: kling_core::api::DEFAULT_REQUESTS_PER_SECOND,
            max_video_bytes: kling_core::downloader::MAX_VIDEO_BYTES,
            timeouts: Default::default(),
        })
        .unwrap();
        let token = kling_core::secrets::random_token();
        let receiver = CallbackReceiver::start(0, &token, Arc::new(engine.clone()))
            .await
            .unwrap();
        engine.set_callback_url(Some(format!("http://127.0.0.1:{}/callback/{token}", receiver.port())));

        let mut latencies = Vec::new();
        for n in 0..20 {
            let request = GenerationRequest {
                prompt: format!("bench {n} #emu:stuck"),
                ..Default::default()
            };
            let generation = engine.generate(&request).unwrap();
            clock
                .first(
                    &generation.id,
                    Status::Processing,
                    Instant::now() - Duration::from_secs(3600),
                )
                .await;
            let task_id = engine.get(&generation.id).unwrap().task_id.unwrap();
            // Let the request pacing (2/s) settle, as it would between real status changes.
            tokio::time::sleep(Duration::from_secs(1)).await;
            let changed_at = Instant::now();
            emulator.set_task_status(&task_id, "succeed", None);
            let seen_at = clock.first(&generation.id, Status::Downloading, changed_at).await;
            latencies.push(seen_at - changed_at);
        }
        latencies.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "provider status change → UI event, with callbacks (20 runs): min {:.1} ms, median {:.1} ms, max {:.1} ms",
            ms(latencies[0]),
            ms(latencies[latencies.len() / 2]),
            ms(*latencies.last().unwrap())
        );
        println!(
            "without callbacks the same change waits for the next poll: 5 s in the first minute, up to 30 s later"
        );
    });
}
