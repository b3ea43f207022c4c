//! Desktop notifications: the shell shows kling-core's announcements (a video became ready or
//! failed) through tauri-plugin-notification while the window is in the background, so the window
//! itself needs no notification permission. A click on one brings the window to the front, and the
//! window opens that video (`NOTIFICATION_OPENED`).

use kling_core::announcement::{Announcement, Outcome};
use serde_json::{Map, Value};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::catalogs::{app_language, text};
use crate::events::NOTIFICATION_OPENED;
use crate::settings::Settings;
use crate::AppState;

/// Where a notification keeps the id of its generation, for the click.
const GENERATION_ID: &str = "generation_id";
/// The plugin's name for a click on the notification itself (not on one of its buttons).
const CLICK: &str = "tap";

/// Shows `announcement` unless the user turned notifications off or is looking at the window.
pub fn notify<R: Runtime>(app: &AppHandle<R>, announcement: &Announcement) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    // When the focus cannot be known, the user is taken to be looking: no notification about
    // what may be in front of them.
    if window.is_focused().unwrap_or(true) || !Settings::load(app).notifications_on() {
        return;
    }
    let (title, body) = words(announcement, app_language(app));
    let shown = app
        .notification()
        .builder()
        .title(title)
        .body(body)
        .extra(GENERATION_ID, &announcement.id)
        .show();
    if let Err(error) = shown {
        eprintln!("Kling Desk: the notification could not be shown: {error}");
    }
}

/// The notification's title and body in `language`: what happened, and to which video.
pub fn words(announcement: &Announcement, language: &str) -> (String, String) {
    let key = match announcement.outcome {
        Outcome::Ready => "notification.ready",
        Outcome::Failed => "notification.failed",
    };
    let title = text(language, key, &Map::new()).unwrap_or_else(|| key.to_owned());
    let body = if announcement.words.is_empty() {
        let mut params = Map::new();
        let task_id = announcement.task_id.clone().unwrap_or_default();
        params.insert("task_id".into(), task_id.clone().into());
        text(language, "detail.recovered", &params).unwrap_or(task_id)
    } else {
        announcement.words.clone()
    };
    (title, body)
}

/// Answers a click on a notification by bringing the window to the front with that video open.
/// Called at start-up: the plugin reports clicks only on notifications shown after this.
pub fn open_on_click<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    let _ = app.notification().on_action(move |performed| {
        if performed.action_id() != CLICK {
            return;
        }
        let id = performed
            .notification()
            .and_then(|notification| notification.extra().get(GENERATION_ID))
            .and_then(Value::as_str);
        if let Some(id) = id {
            open(&handle, id);
        }
    });
}

/// The window to the front, told to show the generation `id` as it is now (it may have been
/// starred or deleted since the notification).
pub fn open<R: Runtime>(app: &AppHandle<R>, id: &str) {
    crate::bring_to_front(app);
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    if let Ok(generation) = state.engine().get(id) {
        let _ = app.emit(NOTIFICATION_OPENED, &generation);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn announcement(outcome: Outcome, words: &str) -> Announcement {
        Announcement {
            id: "g1".into(),
            outcome,
            words: words.into(),
            task_id: Some("8402".into()),
        }
    }

    #[test]
    fn the_title_says_what_happened_and_the_body_which_video_in_the_apps_language() {
        assert_eq!(
            words(&announcement(Outcome::Failed, "a paper boat"), "de"),
            ("Ein Video konnte nicht erstellt werden".into(), "a paper boat".into())
        );
        // A recovered video has no prompt: it is named by its task.
        assert_eq!(
            words(&announcement(Outcome::Ready, ""), "en"),
            ("Your video is ready".into(), "Recovered video (task 8402)".into())
        );
    }
}
