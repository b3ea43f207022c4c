//! Preferences, through tauri-plugin-store, behind a typed struct. Only preferences live here: the
//! record of paid work is in the SQLite library, and the key in the keychain.

use kling_core::LibraryQuery;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

use crate::error::{Error, Result};

const STORE_FILE: &str = "settings.json";
const KEY: &str = "settings";
/// Points the app at another gateway (or the local emulator) without touching the saved settings.
pub const API_BASE_ENV: &str = "KLING_DESK_API_BASE";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default)]
    pub api_base: Option<String>,
    #[serde(default)]
    pub language: Option<String>,
    /// The limit on API requests per second across all generations; `None` is the default (2/s).
    #[serde(default)]
    pub requests_per_second: Option<f64>,
    /// Push delivery (Settings → Live updates): off unless the user sets it up.
    #[serde(default)]
    pub callback_enabled: bool,
    #[serde(default)]
    pub callback_port: Option<u16>,
    #[serde(default)]
    pub callback_public_url: Option<String>,
    /// The secret path of the receiver; kept across restarts so a tunnel keeps working and
    /// callbacks for older tasks still arrive.
    #[serde(default)]
    pub callback_token: Option<String>,
    /// "light" or "dark"; `None` follows the system.
    #[serde(default)]
    pub theme: Option<String>,
    /// A desktop notification when a video is ready or failed while the window is in the
    /// background; `None` (never chosen) is on.
    #[serde(default)]
    pub notifications: Option<bool>,
    /// Demo mode was on when the app last ran (`enter_demo` / `leave_demo` keep it).
    #[serde(default)]
    pub demo: bool,
    /// The chat model Improve prompt uses; `None` is core's default (`coach::chat_model_setting`).
    #[serde(default)]
    pub coach_model: Option<String>,
    /// The monthly budget in US cents (`ledger::budget`); `None` is no budget.
    #[serde(default)]
    pub monthly_budget_cents: Option<f64>,
    /// The gallery's search box and filters as the user left them (`save_gallery_query`).
    #[serde(default)]
    pub gallery: LibraryQuery,
}

impl Settings {
    pub fn load<R: Runtime>(app: &AppHandle<R>) -> Settings {
        // An unreadable store means defaults: it holds nothing that cannot be chosen again.
        app.store(STORE_FILE)
            .ok()
            .and_then(|store| store.get(KEY))
            .and_then(|value| serde_json::from_value(value).ok())
            .unwrap_or_default()
    }

    pub fn save<R: Runtime>(&self, app: &AppHandle<R>) -> Result<()> {
        let store = app.store(STORE_FILE).map_err(|e| Error::Settings(e.to_string()))?;
        store.set(
            KEY,
            serde_json::to_value(self).map_err(|e| Error::Settings(e.to_string()))?,
        );
        store.save().map_err(|e| Error::Settings(e.to_string()))
    }

    pub fn notifications_on(&self) -> bool {
        self.notifications != Some(false)
    }

    /// Keeps whether demo mode is on, for the next start.
    pub fn remember_demo<R: Runtime>(app: &AppHandle<R>, demo: bool) -> Result<()> {
        let mut settings = Settings::load(app);
        settings.demo = demo;
        settings.save(app)
    }

    pub fn effective_requests_per_second(&self) -> f64 {
        kling_core::api::requests_per_second_setting(self.requests_per_second)
    }

    /// The callback setup in force; a token is made the first time one is needed.
    pub fn callback_setup(&mut self) -> kling_core::engine::CallbackSetup {
        let token = self
            .callback_token
            .get_or_insert_with(kling_core::secrets::random_token)
            .clone();
        kling_core::engine::CallbackSetup {
            enabled: self.callback_enabled,
            port: self.callback_port.unwrap_or(kling_core::engine::DEFAULT_CALLBACK_PORT),
            public_url: self.callback_public_url.clone(),
            token,
        }
    }

    /// The base URL in force: the environment variable, then the setting, then CometAPI.
    pub fn effective_api_base(&self) -> String {
        std::env::var(API_BASE_ENV)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .or_else(|| self.api_base.clone().filter(|v| !v.trim().is_empty()))
            .unwrap_or_else(|| kling_core::api::DEFAULT_API_BASE.to_owned())
    }
}
