//! The Tauri shell of Kling Desk: it wires kling-core to the window (commands and events), the
//! keychain and the settings store, and does nothing else.

pub mod boot;
pub mod catalogs;
pub mod commands;
pub mod error;
pub mod events;
pub mod notifications;
pub mod settings;
pub mod start_failure;
pub mod start_trace;
pub mod workspace;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use kling_core::engine::{CallbackSetup, Endpoint};
use kling_core::library;
use kling_core::secrets::{KeyVault, KeyringStore, SecretStore};
use kling_core::Kind;
use kling_core::{Engine, EventSink, PollSchedule};
use tauri::{Emitter, Manager, WindowEvent};
use workspace::{EngineSetup, Workspace};

/// The keychain entry: one per user account of the OS, for the CometAPI key.
pub const KEYCHAIN_SERVICE: &str = "app.klingdesk.desktop";
pub const KEYCHAIN_USER: &str = "cometapi-api-key";

/// What every command reaches through `State`.
pub struct AppState {
    /// The user's own library, key and CometAPI.
    own: Workspace,
    /// The demo's, made the first time the user tries it (or at start, when they left the app in
    /// demo mode); it stays open from then on, in front or not.
    demo: tokio::sync::OnceCell<Workspace>,
    demo_in_front: AtomicBool,
    pub data_dir: PathBuf,
    pub callbacks: tokio::sync::Mutex<Endpoint>,
    /// Set once the user has been told that closing leaves running generations to the next start.
    pub quit_explained: AtomicBool,
    /// Set by `cancel_export`; the running export checks it between chunks.
    pub export_cancel: Arc<AtomicBool>,
    /// Set by `cancel_move`; a running library move checks it between files.
    pub move_cancel: Arc<AtomicBool>,
}

/// How the app starts: where its data is, whom it talks to, and how.
pub struct StartOptions {
    pub data_dir: PathBuf,
    pub api_base: String,
    pub keychain: Box<dyn SecretStore>,
    pub sink: Arc<dyn EventSink>,
    pub schedule: PollSchedule,
    pub requests_per_second: f64,
    pub callbacks: CallbackSetup,
}

impl AppState {
    /// Opens the library, starts the media server, the engine and (when set up) the callback
    /// receiver, and resumes every unfinished generation. Must run inside the async runtime.
    pub async fn start(options: StartOptions) -> Result<AppState, kling_core::Error> {
        let library = library::location::open_current(&options.data_dir)?;
        start_trace::step("library open");
        // A base URL saved by an older version that the client refuses falls back to CometAPI's,
        // rather than keeping the app from starting.
        let api_base = match kling_core::api::Client::new(&options.api_base) {
            Ok(_) => options.api_base,
            Err(_) => kling_core::api::DEFAULT_API_BASE.to_owned(),
        };
        let setup = EngineSetup {
            sink: options.sink,
            schedule: options.schedule,
            requests_per_second: options.requests_per_second,
        };
        let own = Workspace::open(library, api_base, KeyVault::new(options.keychain), setup).await?;
        start_trace::step("media server and engine");
        let mut callbacks = Endpoint::default();
        callbacks.apply(options.callbacks, &own.engine).await;
        own.engine.resume()?;
        start_trace::step("engine resumed");
        Ok(AppState {
            own,
            demo: tokio::sync::OnceCell::new(),
            demo_in_front: AtomicBool::new(false),
            data_dir: options.data_dir,
            callbacks: tokio::sync::Mutex::new(callbacks),
            quit_explained: AtomicBool::new(false),
            export_cancel: Arc::new(AtomicBool::new(false)),
            move_cancel: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The workspace in front: the demo's while demo mode is on, else the user's own.
    pub fn workspace(&self) -> &Workspace {
        match self.demo.get() {
            Some(demo) if self.is_demo() => demo,
            _ => &self.own,
        }
    }

    /// The engine of the workspace in front; what most commands work on.
    pub fn engine(&self) -> Engine {
        self.workspace().engine.clone()
    }

    /// The user's own engine, whatever is in front: their key, and where their library lives.
    pub fn own_engine(&self) -> Engine {
        self.own.engine.clone()
    }

    /// The demo's engine, once the demo was made, whether in front or not.
    pub fn demo_engine(&self) -> Option<Engine> {
        self.demo.get().map(|demo| demo.engine.clone())
    }

    pub fn is_demo(&self) -> bool {
        self.demo_in_front.load(Ordering::SeqCst)
    }

    /// Brings the demo to the front, making it the first time: the emulator in this process, a
    /// library of its own, a key in memory. The user's own workspace is left as it is.
    pub async fn enter_demo(&self, setup: EngineSetup) -> Result<(), kling_core::Error> {
        if self.is_demo() {
            return Ok(());
        }
        match self.demo.get() {
            Some(demo) => demo.restart_stand_in().await?,
            None => {
                self.demo
                    .get_or_try_init(|| Workspace::open_demo(&self.data_dir, setup))
                    .await?;
            }
        }
        self.demo_in_front.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Brings the user's own workspace back to the front. The demo's library stays open behind it
    /// (a library is locked while its engine lives); its stand-in stops until the demo is back.
    pub fn leave_demo(&self) {
        self.demo_in_front.store(false, Ordering::SeqCst);
        if let Some(demo) = self.demo.get() {
            demo.stop_stand_in();
        }
    }
}

/// How the demo's engine runs: its events reach the window only while it is in front.
pub fn demo_setup<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> EngineSetup {
    EngineSetup {
        sink: Arc::new(events::WindowSink::demo(app.clone())),
        schedule: PollSchedule::default(),
        requests_per_second: settings::Settings::load(app).effective_requests_per_second(),
    }
}

/// The app was left in demo mode: it opens there again. If the demo cannot start, the user's own
/// library is in front, as if they had left it.
fn reopen_demo<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    if let Err(error) = tauri::async_runtime::block_on(state.enter_demo(demo_setup(app))) {
        eprintln!("Kling Desk: demo mode could not start again: {error}");
    }
}

/// How long after start-up the whole-catalog check waits.
const INTEGRITY_CHECK_DELAY: std::time::Duration = std::time::Duration::from_secs(5);

/// Why the app could not start its library, for the window to say in plain words.
pub struct StartFailure(pub kling_core::Problem);

/// Starts the app's state and hands it to Tauri; when that fails (the library folder cannot be
/// created or written), the window still opens and explains, instead of the app vanishing.
pub fn manage_start<R: tauri::Runtime>(app: &tauri::AppHandle<R>, options: StartOptions) {
    let library = kling_core::library::location::current(&options.data_dir);
    let data_dir = options.data_dir.clone();
    match tauri::async_runtime::block_on(AppState::start(options)) {
        Ok(state) => {
            // The whole-catalog check reads every page: after the first screen is drawn, never
            // beside it (on two cores it would take one from the window). The window also listens
            // for its report by then.
            let engine = state.own_engine();
            let handle = app.clone();
            app.manage(state);
            tauri::async_runtime::spawn_blocking(move || {
                std::thread::sleep(INTEGRITY_CHECK_DELAY);
                // What a move left behind goes once the app is up; a disk not connected keeps it
                // for a later start.
                if let Err(error) = kling_core::library::location::remove_previous(&data_dir) {
                    eprintln!("Kling Desk: an old library folder stays for now: {error}");
                }
                match engine.library().check_integrity() {
                    Ok(report) if report.set_aside.is_some() || report.undecodable > 0 => {
                        let _ = handle.emit(crate::events::LIBRARY_CHECKED, &report);
                    }
                    Ok(_) => {}
                    Err(error) => eprintln!("Kling Desk: the library check could not run: {error}"),
                }
                if let Err(error) = engine.library().tidy_pictures(std::time::SystemTime::now()) {
                    eprintln!("Kling Desk: unused pictures stay for now: {error}");
                }
            });
        }
        Err(error) => {
            let mut problem = error.problem();
            if !matches!(problem.kind, Kind::DiskFull | Kind::LibraryInUse) {
                problem = kling_core::Problem::new(Kind::LibraryUnavailable)
                    .param("path", library.display().to_string())
                    .param("detail", error.to_string());
            }
            // The window says it too; stderr is for whoever started the app from a terminal or a
            // service, and for bug reports.
            start_failure::tell(&start_failure::message(&problem, catalogs::app_language(app)));
            app.manage(StartFailure(problem));
        }
    }
}

/// Every command the window may call; the capability file grants nothing beyond these and events.
#[macro_export]
macro_rules! command_handler {
    () => {
        tauri::generate_handler![
            $crate::commands::app_info,
            $crate::commands::boot,
            $crate::commands::key_status,
            $crate::commands::save_key,
            $crate::commands::clear_key,
            $crate::commands::generate,
            $crate::commands::list_generations,
            $crate::commands::mark,
            $crate::commands::save_gallery_query,
            $crate::commands::set_settings,
            $crate::commands::check_again,
            $crate::commands::post_again,
            $crate::commands::discard,
            $crate::commands::download_again,
            $crate::commands::recover_task,
            $crate::commands::callback_info,
            $crate::commands::renew_callback_token,
            $crate::commands::quit,
            $crate::commands::save_poster,
            $crate::commands::delete_generations,
            $crate::commands::undo_delete,
            $crate::commands::open_video,
            $crate::commands::show_video_in_folder,
            $crate::commands::open_key_page,
            $crate::commands::choose_folder,
            $crate::commands::export_videos,
            $crate::commands::cancel_export,
            $crate::commands::show_exported,
            $crate::commands::settings_in_video,
            $crate::commands::library_usage,
            $crate::commands::move_library,
            $crate::commands::cancel_move,
            $crate::commands::enter_demo,
            $crate::commands::leave_demo,
            $crate::commands::clear_demo,
            $crate::commands::improve_prompt,
            $crate::commands::coach_estimate,
            $crate::commands::snippets,
            $crate::commands::insert_snippet,
            $crate::commands::add_snippet,
            $crate::commands::rename_snippet,
            $crate::commands::delete_snippet,
            $crate::commands::prompt_history,
            $crate::commands::compare_generations,
            $crate::commands::spend,
            $crate::commands::cost_check,
            $crate::commands::rate_card,
            $crate::commands::set_user_price,
            $crate::commands::clear_user_price,
            $crate::commands::export_ledger,
            $crate::commands::keep_frame,
            $crate::commands::keep_frame_file,
            $crate::commands::pick_frame,
            $crate::commands::lineage,
        ]
    };
}

/// The first close while generations run is held back once, so the window can say they go on at
/// the provider; the UI then calls `quit`. Returns whether the close should be prevented.
pub fn hold_first_close<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> bool {
    let Some(state) = app.try_state::<AppState>() else {
        return false;
    };
    let unfinished = state.engine().unfinished_count().unwrap_or(0);
    if unfinished == 0 || state.quit_explained.swap(true, Ordering::SeqCst) {
        return false;
    }
    app.emit(
        events::QUIT_REQUESTED_EVENT,
        serde_json::json!({ "unfinished": unfinished }),
    )
    .is_ok()
}

/// The main window, shown and focused: for a second launch, and for a click on a notification.
pub fn bring_to_front<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// The main window, as tauri.conf.json describes it, with its first screen handed to the page.
fn main_window(app: &tauri::App, first_screen: &boot::Boot) -> tauri::Result<tauri::WebviewWindow> {
    let config = app.config().app.windows.iter().find(|window| window.label == "main");
    let config = config.cloned().unwrap_or_default();
    tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
        .initialization_script(boot::script(first_screen))
        .build()
}

/// Every file the window shows is on this computer, so WebKit's memory cache buys nothing, and a
/// gallery of thousands of posters would fill it; the document-viewer model keeps none. (A long
/// scroll still grows memory for another reason: docs/benchmarks.md, issue #14.)
#[cfg(target_os = "linux")]
fn keep_no_memory_cache(window: &tauri::WebviewWindow) {
    let result = window.with_webview(|webview| {
        use webkit2gtk::{WebContextExt, WebViewExt};
        if let Some(context) = webview.inner().context() {
            context.set_cache_model(webkit2gtk::CacheModel::DocumentViewer);
        }
    });
    if let Err(error) = result {
        eprintln!("Kling Desk: the webview's cache could not be set: {error}");
    }
}

pub fn run() {
    tauri::Builder::default()
        // First: a second launch must reach the running window before anything else opens the library.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            bring_to_front(app)
        }))
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(command_handler!())
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                if hold_first_close(window.app_handle()) {
                    api.prevent_close();
                }
            }
        })
        .setup(|app| {
            start_trace::step("setup");
            // Not created here: opening the library does that, and explains in the window if it can't.
            let data_dir = app.path().app_data_dir()?;
            let handle = app.handle().clone();
            notifications::open_on_click(&handle);
            let mut settings = settings::Settings::load(&handle);
            let had_token = settings.callback_token.is_some();
            let callbacks = settings.callback_setup();
            if !had_token {
                // Keep the token made just now, so the receiver's path stays the same next time.
                let _ = settings.save(&handle);
            }
            manage_start(
                &handle,
                StartOptions {
                    data_dir: data_dir.clone(),
                    api_base: settings.effective_api_base(),
                    keychain: Box::new(KeyringStore::new(KEYCHAIN_SERVICE, KEYCHAIN_USER)),
                    sink: Arc::new(events::WindowSink::new(handle.clone())),
                    schedule: PollSchedule::default(),
                    requests_per_second: settings.effective_requests_per_second(),
                    callbacks,
                },
            );
            if settings.demo {
                reopen_demo(&handle);
            }
            // The window after the library (a few milliseconds): its page then starts with the
            // first screen's data instead of asking for it. tauri.conf.json has `create: false` so
            // that a window that cannot be made is explained here, instead of a panic no one sees.
            let first_screen = boot::gather(&handle);
            start_trace::step("first screen gathered");
            let window = match main_window(app, &first_screen) {
                Ok(window) => window,
                Err(error) => {
                    start_failure::explain_without_window(app.handle(), &error);
                    return Ok(());
                }
            };
            #[cfg(target_os = "linux")]
            keep_no_memory_cache(&window);
            start_trace::step("window created");
            Ok(())
        })
        .run(tauri::generate_context!("tauri.conf.json"))
        .expect("error while running Kling Desk");
}
