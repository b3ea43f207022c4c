//! The commands the window calls. Each one only adapts: the rules live in kling-core.

use kling_core::rules::{self, RulesTable};
use kling_core::secrets::{KeyScope, KeyStatus};
use kling_core::{Generation, GenerationRequest, Page};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use crate::error::Result;
use crate::settings::Settings;
use crate::AppState;

#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub version: String,
    pub media_base: String,
    pub data_dir: String,
    pub api_base: String,
    pub language: Option<String>,
}

#[tauri::command]
pub fn app_info<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> AppInfo {
    let settings = Settings::load(&app);
    AppInfo {
        version: app.package_info().version.to_string(),
        media_base: state.media_base.clone(),
        data_dir: state.data_dir.display().to_string(),
        api_base: state.engine.client().base().to_owned(),
        language: settings.language,
    }
}

#[tauri::command]
pub fn key_status(state: State<'_, AppState>) -> KeyStatus {
    state.engine.key_status()
}

#[tauri::command]
pub async fn save_key(state: State<'_, AppState>, key: String, scope: Option<KeyScope>) -> Result<KeyStatus> {
    Ok(state.engine.save_key(&key, scope.unwrap_or(KeyScope::Keychain)).await?)
}

#[tauri::command]
pub fn clear_key(state: State<'_, AppState>) -> Result<KeyStatus> {
    Ok(state.engine.clear_key()?)
}

/// Async so the engine's tasks start on Tauri's runtime; returns once the generation is on disk.
#[tauri::command]
pub async fn generate(state: State<'_, AppState>, request: GenerationRequest) -> Result<Generation> {
    Ok(state.engine.generate(&request)?)
}

#[tauri::command]
pub fn list_generations(state: State<'_, AppState>, before: Option<i64>, limit: Option<usize>) -> Result<Page> {
    Ok(state.engine.page(before, limit.unwrap_or(24))?)
}

#[tauri::command]
pub fn get_settings<R: Runtime>(app: AppHandle<R>) -> Settings {
    Settings::load(&app)
}

#[tauri::command]
pub fn set_settings<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, settings: Settings) -> Result<Settings> {
    settings.save(&app)?;
    state.engine.set_api_base(&settings.effective_api_base())?;
    state
        .engine
        .set_requests_per_second(settings.effective_requests_per_second());
    Ok(settings)
}

#[tauri::command]
pub fn rules() -> RulesTable {
    rules::table(rules::Profile::CometApi)
}
