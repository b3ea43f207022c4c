//! Core's `EventSink`, delivered as a Tauri event to the window.

use kling_core::announcement::Announcement;
use kling_core::{EventSink, Generation};
use tauri::{AppHandle, Emitter, Runtime};

/// The event the UI listens to; its payload is the whole generation record.
pub const GENERATION_EVENT: &str = "generation";
/// `{online}`: the provider became unreachable or reachable again.
pub const CONNECTIVITY_EVENT: &str = "connectivity";
/// `{unfinished}`: the window was closed while generations are on their way.
pub const QUIT_REQUESTED_EVENT: &str = "quit-requested";
/// The background check of the whole catalog found something to tell: kling-core's
/// `IntegrityReport` (`set_aside`: the `library_set_aside` notice; `undecodable`: a count).
pub const LIBRARY_CHECKED: &str = "library-checked";
/// The whole generation record of a notification the user clicked: the window shows that video.
pub const NOTIFICATION_OPENED: &str = "notification-opened";

pub struct WindowSink<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> EventSink for WindowSink<R> {
    fn generation_changed(&self, generation: &Generation) {
        // Emitting fails only while the app is shutting down; the library already has the change.
        let _ = self.0.emit(GENERATION_EVENT, generation);
    }

    fn connectivity_changed(&self, online: bool) {
        let _ = self.0.emit(CONNECTIVITY_EVENT, serde_json::json!({ "online": online }));
    }

    fn announce(&self, announcement: &Announcement) {
        crate::notifications::notify(&self.0, announcement);
    }
}
