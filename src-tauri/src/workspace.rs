//! What the window works on. The user's own library, with their key, against CometAPI; or the
//! demo's: a library of its own, the built-in emulator in place of CometAPI on 127.0.0.1, and a key
//! that lives only in memory. Once made, both stay open (a library is locked while its engine
//! lives), so switching is instant and leaves the other untouched; only the one in front reaches
//! the window.

use std::path::Path;
use std::sync::{Arc, Mutex};

use kling_core::media_server::MediaServer;
use kling_core::rules::COMETAPI_LIMITS;
use kling_core::secrets::{KeyScope, KeyVault, MemoryStore};
use kling_core::{Engine, EngineConfig, EventSink, Library, PollSchedule};
use kling_emulator::{Emulator, EmulatorConfig};

/// The folder of the demo's library, beside the user's own in the app's data folder.
pub const DEMO_LIBRARY: &str = "demo-library";
/// The key the demo's emulator accepts; it never leaves this process.
const DEMO_KEY: &str = "kling-desk-demo";

pub struct Workspace {
    pub engine: Engine,
    pub media_base: String,
    /// Kept alive with the workspace: dropping it stops the media server.
    _media: MediaServer,
    /// The demo's stand-in for CometAPI while the demo is in front; never for the user's own.
    stand_in: Mutex<Option<Emulator>>,
}

/// How a workspace's engine runs, apart from its library and where it sends requests.
pub struct EngineSetup {
    pub sink: Arc<dyn EventSink>,
    pub schedule: PollSchedule,
    pub requests_per_second: f64,
}

impl Workspace {
    /// Starts the media server and the engine on `library`, talking to `api_base`; the caller
    /// resumes the unfinished generations once the engine is wired up. Must run inside the async
    /// runtime.
    pub async fn open(
        library: Library,
        api_base: String,
        vault: KeyVault,
        setup: EngineSetup,
    ) -> Result<Workspace, kling_core::Error> {
        Self::open_with(library, api_base, vault, setup, None).await
    }

    /// The demo: the emulator started in this process with its test-control routes off, a library
    /// of its own in `data_dir`, and the demo key in memory only. Nothing reaches CometAPI.
    pub async fn open_demo(data_dir: &Path, setup: EngineSetup) -> Result<Workspace, kling_core::Error> {
        let emulator = start_stand_in().await?;
        let library = Library::open(&data_dir.join(DEMO_LIBRARY))?;
        let vault = KeyVault::new(Box::new(MemoryStore::default()));
        vault.save(DEMO_KEY, KeyScope::Keychain)?;
        let api_base = emulator.base_url();
        let demo = Self::open_with(library, api_base, vault, setup, Some(emulator)).await?;
        demo.engine.resume()?;
        Ok(demo)
    }

    async fn open_with(
        library: Library,
        api_base: String,
        vault: KeyVault,
        setup: EngineSetup,
        emulator: Option<Emulator>,
    ) -> Result<Workspace, kling_core::Error> {
        let library = Arc::new(library);
        let media = MediaServer::start(&library.videos_dir()).await?;
        let media_base = media.base_url();
        let engine = Engine::new(EngineConfig {
            library,
            api_base,
            vault: Arc::new(vault),
            sink: setup.sink,
            schedule: setup.schedule,
            limits: &COMETAPI_LIMITS,
            media_base: Some(media_base.clone()),
            requests_per_second: setup.requests_per_second,
            max_video_bytes: kling_core::downloader::MAX_VIDEO_BYTES,
            timeouts: Default::default(),
        })?;
        Ok(Workspace {
            engine,
            media_base,
            _media: media,
            stand_in: Mutex::new(emulator),
        })
    }

    /// The demo comes back to the front: a new stand-in, on a new port, for its engine.
    pub async fn restart_stand_in(&self) -> Result<(), kling_core::Error> {
        let emulator = start_stand_in().await?;
        self.engine.set_api_base(&emulator.base_url())?;
        *self.stand_in.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(emulator);
        Ok(())
    }

    /// The demo leaves the front: its stand-in stops and its port closes. Demo videos still being
    /// made wait, as they would offline, until the demo is back.
    pub fn stop_stand_in(&self) {
        self.stand_in
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
    }
}

/// The emulator on 127.0.0.1 and a port of the system's choosing, with its test controls off.
async fn start_stand_in() -> Result<Emulator, kling_core::Error> {
    Ok(Emulator::start(EmulatorConfig::demo(DEMO_KEY)).await?)
}
