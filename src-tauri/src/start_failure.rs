//! A start that fails explains itself. The words are the window's own (`ui/i18n/*.json`, built
//! into the binary), in the language the window would use: on stderr always, in the window when it
//! opened, and in a native message box when there is no window to say it in.

use kling_core::Problem;
use serde_json::{Map, Value};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::{DialogExt, MessageDialogKind};

use crate::catalogs::{app_language, text};

/// What a start-up problem says in `language`: the window's words for it, and the technical
/// detail that the window leaves out, for whoever reads stderr or a bug report.
pub fn message(problem: &Problem, language: &str) -> String {
    let key = format!("error.{}", problem.kind.as_str());
    let mut message = text(language, &key, &problem.params)
        .or_else(|| text(language, "error.internal", &problem.params))
        .unwrap_or_else(|| problem.kind.as_str().to_owned());
    if let Some(detail) = problem.params.get("detail").and_then(Value::as_str) {
        if !detail.is_empty() && !message.contains(detail) {
            message.push_str(&format!(" ({detail})"));
        }
    }
    message
}

/// Says on stderr why the app cannot work, in plain words (each message names Kling Desk).
pub fn tell(message: &str) {
    eprintln!("{message}");
}

/// The main window could not be made (most often because its data folder cannot be created): says
/// why on stderr and in a native message box, and ends the app with status 1 once the box is
/// closed. The box waits on the event loop, so this returns at once and must be called from setup.
pub fn explain_without_window<R: Runtime>(app: &AppHandle<R>, error: &tauri::Error) {
    let language = app_language(app);
    let mut params = Map::new();
    params.insert("detail".into(), error.to_string().into());
    // The webview keeps its data in this folder; when it cannot be a folder, that is the reason.
    let folder = app.path().app_local_data_dir().ok();
    let key = match folder {
        Some(folder) if std::fs::create_dir_all(&folder).is_err() => {
            params.insert("path".into(), folder.display().to_string().into());
            "start.data_folder"
        }
        _ => "start.no_window",
    };
    let message = text(language, key, &params).unwrap_or_else(|| error.to_string());
    tell(&message);
    let title = text(language, "app.name", &Map::new()).unwrap_or_else(|| "Kling Desk".into());
    let handle = app.clone();
    app.dialog()
        .message(message)
        .title(title)
        .kind(MessageDialogKind::Error)
        .show(move |_| handle.exit(1));
}
