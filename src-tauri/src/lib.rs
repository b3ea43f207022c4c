//! The Tauri shell of Kling Desk: it wires kling-core to the window (commands and events), the
//! keychain and the settings store, and does nothing else.

pub mod commands;
pub mod error;
pub mod events;
pub mod settings;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kling_core::media_server::MediaServer;
use kling_core::rules::COMETAPI_LIMITS;
use kling_core::secrets::{KeyVault, KeyringStore, SecretStore};
use kling_core::{Engine, EngineConfig, EventSink, Library, PollSchedule};
use tauri::Manager;

/// The keychain entry: one per user account of the OS, for the CometAPI key.
pub const KEYCHAIN_SERVICE: &str = "app.klingdesk.desktop";
pub const KEYCHAIN_USER: &str = "cometapi-api-key";

/// What every command reaches through `State`.
pub struct AppState {
    pub engine: Engine,
    pub media_base: String,
    pub data_dir: PathBuf,
    /// Kept alive for the life of the app: dropping it stops the media server.
    _media: MediaServer,
}

impl AppState {
    /// Opens the library in `data_dir`, starts the media server and the engine, and resumes every
    /// unfinished generation. Must run inside the async runtime.
    pub async fn start(
        data_dir: &Path,
        api_base: &str,
        keychain: Box<dyn SecretStore>,
        sink: Arc<dyn EventSink>,
        schedule: PollSchedule,
        requests_per_second: f64,
    ) -> Result<AppState, kling_core::Error> {
        let library = Arc::new(Library::open(&data_dir.join("library"))?);
        let media = MediaServer::start(&library.videos_dir()).await?;
        let media_base = media.base_url();
        let engine = Engine::new(EngineConfig {
            library,
            api_base: api_base.to_owned(),
            vault: Arc::new(KeyVault::new(keychain)),
            sink,
            schedule,
            limits: &COMETAPI_LIMITS,
            media_base: Some(media_base.clone()),
            requests_per_second,
        })?;
        engine.resume()?;
        Ok(AppState {
            engine,
            media_base,
            data_dir: data_dir.to_owned(),
            _media: media,
        })
    }
}

/// Every command the window may call; the capability file grants nothing beyond these and events.
#[macro_export]
macro_rules! command_handler {
    () => {
        tauri::generate_handler![
            $crate::commands::app_info,
            $crate::commands::key_status,
            $crate::commands::save_key,
            $crate::commands::clear_key,
            $crate::commands::generate,
            $crate::commands::list_generations,
            $crate::commands::get_settings,
            $crate::commands::set_settings,
            $crate::commands::rules,
        ]
    };
}

pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .invoke_handler(command_handler!())
        .setup(|app| {
            let data_dir = app.path().app_data_dir()?;
            std::fs::create_dir_all(&data_dir)?;
            let handle = app.handle().clone();
            let settings = settings::Settings::load(&handle);
            let sink = Arc::new(events::WindowSink(handle.clone()));
            let keychain = Box::new(KeyringStore::new(KEYCHAIN_SERVICE, KEYCHAIN_USER));
            let state = tauri::async_runtime::block_on(AppState::start(
                &data_dir,
                &settings.effective_api_base(),
                keychain,
                sink,
                PollSchedule::default(),
                settings.effective_requests_per_second(),
            ))?;
            app.manage(state);
            Ok(())
        })
        .run(tauri::generate_context!("tauri.conf.json"))
        .expect("error while running Kling Desk");
}
