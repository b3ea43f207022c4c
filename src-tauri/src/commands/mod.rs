//! The commands the window calls. Each one only adapts: the rules live in kling-core.
//!
//! Tauri runs a command that is not `async` on the app's main thread, which also carries the
//! window's events, its asset requests and every other call: the reads whose time grows with the
//! library (a search over 10,000 videos takes up to tens of milliseconds) run `off_the_window`.
//! Their callers in the window keep only the answer to their latest question.

mod compare;
mod pictures;
mod prompt_tools;
mod spend;

pub use compare::*;
pub use pictures::*;
pub use prompt_tools::*;
pub use spend::*;

use std::path::Path;
use std::sync::atomic::Ordering;

use kling_core::engine::CallbackInfo;
use kling_core::export::{self, ExportProgress, Exported};
use kling_core::library::{Cursor, Deleted, DiskUsage, MoveProgress};
use kling_core::secrets::{KeyScope, KeyStatus};
use kling_core::Problem;
use kling_core::{Generation, GenerationRequest, LibraryQuery, Mark, Page};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

use crate::error::{Error, Result};
use crate::settings::Settings;
use crate::AppState;
use kling_core::Kind;

#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub version: String,
    pub media_base: String,
    pub data_dir: String,
    pub library_dir: String,
    pub api_base: String,
    pub language: Option<String>,
    pub keychain_entry: String,
    pub online: bool,
    pub library_notice: Option<Problem>,
    /// Demo mode is in front: the emulator stands in for CometAPI, with a library of its own.
    pub demo: bool,
    /// The chat model Improve prompt uses while Settings names none.
    pub default_chat_model: &'static str,
}

/// Runs `work` on a blocking thread: the keychain, the disk and reads of every row must not hold
/// the window's thread (where synchronous commands run) nor the async runtime's. `stopped` says
/// what stopped, should the thread itself fail.
async fn off_the_window<T, E>(
    stopped: &str,
    work: impl FnOnce() -> std::result::Result<T, E> + Send + 'static,
) -> Result<T>
where
    T: Send + 'static,
    E: Into<Error> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|error| Error::Settings(format!("{stopped}: {error}")))?
        .map_err(Into::into)
}

/// Part of the window's first screen (`boot`), and asked again when demo mode changes. When the
/// library could not be opened it answers with why, and the window shows that instead of a gallery.
#[tauri::command]
pub fn app_info<R: Runtime>(app: AppHandle<R>) -> Result<AppInfo> {
    let Some(state) = app.try_state::<AppState>() else {
        let problem = app.try_state::<crate::StartFailure>().map(|f| f.0.clone());
        return Err(Error::Startup(problem.unwrap_or_else(|| Problem::new(Kind::Internal))));
    };
    Ok(AppInfo {
        version: app.package_info().version.to_string(),
        media_base: state.workspace().media_base.clone(),
        data_dir: state.data_dir.display().to_string(),
        library_dir: state.own_engine().library().root().display().to_string(),
        api_base: state.engine().client().base().to_owned(),
        language: Settings::load(&app).language,
        keychain_entry: format!("{} / {}", crate::KEYCHAIN_SERVICE, crate::KEYCHAIN_USER),
        online: state.engine().is_online(),
        library_notice: state.own_engine().library().notice().cloned(),
        demo: state.is_demo(),
        default_chat_model: kling_core::coach::DEFAULT_CHAT_MODEL,
    })
}

/// The first call reads the keychain, a D-Bus round trip that must not hold the window's thread
/// (every other command and the page's own files wait for it there) while the gallery loads. On a
/// blocking thread: the keychain client blocks, which the async runtime's own threads must not.
#[tauri::command]
pub async fn key_status(state: State<'_, AppState>) -> Result<KeyStatus> {
    let engine = state.own_engine();
    off_the_window("the keychain check stopped", move || {
        Ok::<_, Error>(engine.key_status())
    })
    .await
}

/// Saves the user's own key; in demo mode that also leaves the demo for their own library.
#[tauri::command]
pub async fn save_key<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    key: String,
    scope: Option<KeyScope>,
) -> Result<KeyStatus> {
    let status = state
        .own_engine()
        .save_key(&key, scope.unwrap_or(KeyScope::Keychain))
        .await?;
    if state.is_demo() {
        leave_demo(app, state)?;
    }
    Ok(status)
}

#[tauri::command]
pub fn clear_key(state: State<'_, AppState>) -> Result<KeyStatus> {
    Ok(state.own_engine().clear_key()?)
}

/// "Try it without a key": the demo comes to the front (made the first time), and stays on across
/// restarts until the user leaves it.
#[tauri::command]
pub async fn enter_demo<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<AppInfo> {
    state.enter_demo(crate::demo_setup(&app)).await?;
    Settings::remember_demo(&app, true)?;
    app_info(app)
}

/// Removes the demo's finished videos for good (anyone can make them again); the user's own
/// library is never touched. Returns how many went.
#[tauri::command]
pub fn clear_demo(state: State<'_, AppState>) -> Result<usize> {
    Ok(state.demo_engine().map_or(Ok(0), |demo| demo.library().clear())?)
}

/// Back to the user's own library, as it was; the demo's videos stay for the next visit.
#[tauri::command]
pub fn leave_demo<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<AppInfo> {
    state.leave_demo();
    Settings::remember_demo(&app, false)?;
    app_info(app)
}

/// Async so the engine's tasks start on Tauri's runtime; returns every take the request asks for
/// (take 1 first) once they are all on disk.
#[tauri::command]
pub async fn generate(state: State<'_, AppState>, request: GenerationRequest) -> Result<Vec<Generation>> {
    Ok(state.engine().generate_takes(&request)?)
}

/// The gallery's one way to ask: a page of what the search box and the filters select.
#[tauri::command]
pub async fn list_generations(
    state: State<'_, AppState>,
    query: Option<LibraryQuery>,
    after: Option<Cursor>,
    limit: Option<usize>,
) -> Result<Page> {
    let engine = state.engine();
    off_the_window("the search stopped", move || {
        engine.search(&query.unwrap_or_default(), after, limit.unwrap_or(24))
    })
    .await
}

#[tauri::command]
pub fn save_gallery_query<R: Runtime>(app: AppHandle<R>, query: LibraryQuery) -> Result<()> {
    let mut settings = Settings::load(&app);
    settings.gallery = query;
    settings.save(&app)
}

#[tauri::command]
pub fn mark(state: State<'_, AppState>, id: String, mark: Mark) -> Result<Generation> {
    Ok(state.engine().mark(&id, &mark)?)
}

/// Sends finished videos (their MP4 and poster) to the OS trash, in one call for a selection.
#[tauri::command]
pub fn delete_generations(state: State<'_, AppState>, ids: Vec<String>) -> Result<Deleted> {
    Ok(state.engine().library().delete(&ids)?)
}

/// Takes the videos of the last delete back out of the trash.
#[tauri::command]
pub fn undo_delete(state: State<'_, AppState>, ids: Vec<String>) -> Result<usize> {
    Ok(state.engine().library().undo_delete(&ids)?)
}

/// Opens a ready video in the system's default player; the path comes from the catalog.
#[tauri::command]
pub fn open_video<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, id: String) -> Result<()> {
    let path = state.engine().library().video_path(&id)?;
    app.opener()
        .open_path(path.to_string_lossy(), None::<&str>)
        .map_err(opener_failed("video"))
}

/// Shows a ready video selected in the file manager.
#[tauri::command]
pub fn show_video_in_folder<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, id: String) -> Result<()> {
    let path = state.engine().library().video_path(&id)?;
    app.opener().reveal_item_in_dir(path).map_err(opener_failed("video"))
}

/// Opens CometAPI's page for API keys in the system's browser. The address is the app's own: the
/// window names no URL, so it cannot have any other page opened.
#[tauri::command]
pub fn open_key_page<R: Runtime>(app: AppHandle<R>) -> Result<()> {
    app.opener()
        .open_url(kling_core::api::KEY_PAGE_URL, None::<&str>)
        .map_err(opener_failed("key_page"))
}

fn opener_failed(field: &'static str) -> impl FnOnce(tauri_plugin_opener::Error) -> Error {
    move |error| {
        kling_core::Error::invalid_with(Kind::OpenFailed, field, &[("detail", error.to_string().into())]).into()
    }
}

/// A system file dialog titled `title`, over the window, opening in the first of `starts` that
/// is a folder.
fn file_dialog<R: Runtime>(
    app: &AppHandle<R>,
    title: String,
    starts: impl IntoIterator<Item = tauri::Result<std::path::PathBuf>>,
) -> tauri_plugin_dialog::FileDialogBuilder<R> {
    let mut dialog = app.dialog().file().set_title(title);
    if let Some(start) = starts.into_iter().flatten().find(|dir| dir.is_dir()) {
        dialog = dialog.set_directory(start);
    }
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog
}

/// The system's folder picker, over the window; `None` when the user closed it.
#[tauri::command]
pub async fn choose_folder<R: Runtime>(app: AppHandle<R>, title: String) -> Option<String> {
    let (chosen, answer) = tokio::sync::oneshot::channel();
    // The Videos folder, where people keep clips; else the home folder, never "Recent".
    let picker = file_dialog(&app, title, [app.path().video_dir(), app.path().home_dir()]);
    picker.pick_folder(move |folder| {
        let _ = chosen.send(folder.and_then(|folder| folder.into_path().ok()));
    });
    answer.await.ok().flatten().map(|path| path.display().to_string())
}

/// Exports ready videos with their settings and posters into `folder`, reporting progress on the
/// channel. On a blocking thread: it copies files for as long as they take.
#[tauri::command]
pub async fn export_videos(
    state: State<'_, AppState>,
    ids: Vec<String>,
    favorites: bool,
    folder: String,
    untitled: String,
    progress: Channel<ExportProgress>,
) -> Result<Exported> {
    let engine = state.engine();
    let cancel = state.export_cancel.clone();
    cancel.store(false, Ordering::SeqCst);
    off_the_window("the export stopped", move || {
        let ids = if favorites {
            export::favorite_ids(engine.library())?
        } else {
            ids
        };
        let mut report = |step: &ExportProgress| {
            let _ = progress.send(step.clone());
        };
        export::export(
            engine.library(),
            &ids,
            Path::new(&folder),
            &untitled,
            &mut report,
            &cancel,
        )
    })
    .await
}

/// Stops the running export; the file it was copying is removed, the finished ones stay.
#[tauri::command]
pub fn cancel_export(state: State<'_, AppState>) {
    state.export_cancel.store(true, Ordering::SeqCst);
}

/// Shows an exported file selected in the file manager.
#[tauri::command]
pub fn show_exported<R: Runtime>(app: AppHandle<R>, folder: String, file: String) -> Result<()> {
    app.opener()
        .reveal_item_in_dir(Path::new(&folder).join(file))
        .map_err(opener_failed("video"))
}

/// The prompt and settings that a video exported by Kling Desk carries in its metadata.
#[tauri::command]
pub fn settings_in_video(path: String) -> Result<GenerationRequest> {
    Ok(export::settings_in_video(Path::new(&path))?)
}

/// How much space the library takes: the catalog and every video and poster.
#[tauri::command]
pub async fn library_usage(state: State<'_, AppState>) -> Result<DiskUsage> {
    let engine = state.own_engine();
    off_the_window("the library could not be measured", move || {
        engine.library().disk_usage()
    })
    .await
}

/// Copies the library into `folder`, checks the copy, switches to it and starts the app again on
/// it; answers only when the move did not happen (the old library is then still the one in use).
#[tauri::command]
pub async fn move_library<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    folder: String,
    progress: Channel<MoveProgress>,
) -> Result<()> {
    let engine = state.own_engine();
    let data_dir = state.data_dir.clone();
    let cancel = state.move_cancel.clone();
    cancel.store(false, Ordering::SeqCst);
    off_the_window("the move stopped", move || -> kling_core::Result<()> {
        let mut report = |step: &MoveProgress| {
            let _ = progress.send(*step);
        };
        engine
            .library()
            .relocate(&data_dir, Path::new(&folder), &mut report, &cancel)?;
        // From this thread, at once: the old catalog stays locked for good, and the async
        // runtime's threads may be waiting on it.
        app.restart()
    })
    .await
}

/// Stops a running move; the library stays where it was.
#[tauri::command]
pub fn cancel_move(state: State<'_, AppState>) {
    state.move_cancel.store(true, Ordering::SeqCst);
}

#[tauri::command]
pub async fn set_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<Settings> {
    let mut settings = settings;
    let saved = Settings::load(&app);
    // The callback token is the app's own secret: only `renew_callback_token` changes it, never a
    // settings object the window may hold from before a renewal. The gallery's query has its own
    // command, called as the user types: a settings object from earlier must not undo it.
    settings.callback_token = saved.callback_token;
    settings.gallery = saved.gallery;
    let setup = settings.callback_setup();
    settings.demo = saved.demo;
    settings.monthly_budget_cents = kling_core::ledger::budget::budget_setting(settings.monthly_budget_cents)?;
    // Checked before saving: an address the client cannot use must never reach the next start.
    // The user's own engine: the demo's always talks to its emulator.
    let own = state.own_engine();
    own.set_api_base(&settings.effective_api_base())?;
    settings.save(&app)?;
    own.set_requests_per_second(settings.effective_requests_per_second());
    state.callbacks.lock().await.apply(setup, &own).await;
    Ok(settings)
}

#[tauri::command]
pub async fn callback_info(state: State<'_, AppState>) -> Result<Option<CallbackInfo>> {
    Ok(state.callbacks.lock().await.info().cloned())
}

/// A new secret path: links given to a tunnel before stop working.
#[tauri::command]
pub async fn renew_callback_token<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<CallbackInfo> {
    let mut settings = Settings::load(&app);
    settings.callback_token = Some(kling_core::secrets::random_token());
    let setup = settings.callback_setup();
    settings.save(&app)?;
    Ok(state.callbacks.lock().await.apply(setup, &state.own_engine()).await)
}

#[tauri::command]
pub async fn check_again(state: State<'_, AppState>, id: String) -> Result<Generation> {
    Ok(state.engine().check_again(&id)?)
}

#[tauri::command]
pub async fn post_again(state: State<'_, AppState>, id: String) -> Result<Generation> {
    Ok(state.engine().post_again(&id)?)
}

#[tauri::command]
pub async fn discard(state: State<'_, AppState>, id: String) -> Result<Generation> {
    Ok(state.engine().discard(&id)?)
}

#[tauri::command]
pub async fn download_again(state: State<'_, AppState>, id: String) -> Result<Generation> {
    Ok(state.engine().download_again(&id)?)
}

#[tauri::command]
pub async fn recover_task(state: State<'_, AppState>, task_id: String) -> Result<Generation> {
    Ok(state.engine().recover(&task_id).await?)
}

/// The window's captured frame of a ready video, as raw JPEG bytes, with the generation's id in
/// the `generation-id` header.
#[tauri::command]
pub async fn save_poster(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<Generation> {
    let id = request
        .headers()
        .get("generation-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let tauri::ipc::InvokeBody::Raw(jpeg) = request.body() else {
        return Err(kling_core::Error::invalid(Kind::PosterInvalid, "poster").into());
    };
    Ok(state.engine().save_poster(id, jpeg)?)
}

/// Quits after the user saw, once, that running generations go on at the provider.
#[tauri::command]
pub fn quit<R: Runtime>(app: AppHandle<R>) {
    app.exit(0);
}

/// What the window needs for its first screen, for a reload of the page (its first load has it
/// from the shell's initialization script).
#[tauri::command]
pub fn boot<R: Runtime>(app: AppHandle<R>) -> crate::boot::Boot {
    crate::boot::gather(&app)
}
