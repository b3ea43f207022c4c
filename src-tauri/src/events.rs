//! Core's `EventSink`, delivered as a Tauri event to the window.

use kling_core::announcement::Announcement;
use kling_core::{EventSink, Generation};
use tauri::{AppHandle, Emitter, Manager, Runtime};

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

/// Delivers one workspace's events (the user's own, or the demo's), and only while that
/// workspace is in front: the other goes on in the background, its changes kept in its library.
pub struct WindowSink<R: Runtime> {
    app: AppHandle<R>,
    demo: bool,
}

impl<R: Runtime> WindowSink<R> {
    /// The sink of the user's own workspace.
    pub fn new(app: AppHandle<R>) -> Self {
        WindowSink { app, demo: false }
    }

    /// The sink of the demo's workspace.
    pub fn demo(app: AppHandle<R>) -> Self {
        WindowSink { app, demo: true }
    }

    fn in_front(&self) -> bool {
        // Before the state exists only the user's own workspace runs.
        self.app
            .try_state::<crate::AppState>()
            .map_or(!self.demo, |state| state.is_demo() == self.demo)
    }
}

impl<R: Runtime> EventSink for WindowSink<R> {
    fn generation_changed(&self, generation: &Generation) {
        // Emitting fails only while the app is shutting down; the library already has the change.
        if self.in_front() {
            let _ = self.app.emit(GENERATION_EVENT, generation);
        }
    }

    fn connectivity_changed(&self, online: bool) {
        if self.in_front() {
            let _ = self
                .app
                .emit(CONNECTIVITY_EVENT, serde_json::json!({ "online": online }));
        }
    }

    fn announce(&self, announcement: &Announcement) {
        if self.in_front() {
            crate::notifications::notify(&self.app, announcement);
        }
    }
}
