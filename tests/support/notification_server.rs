//! A stand-in for the desktop's notification server (the freedesktop Desktop Notifications
//! Specification, `org.freedesktop.Notifications`) on a test's own session bus: it records every
//! notification the app sends, and clicks one the way a desktop reports a click (the
//! `ActionInvoked` signal with the `default` action).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zbus::blocking::{connection, Connection};
use zbus::zvariant::OwnedValue;

const NAME: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";

/// One notification as the app sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    /// The server's id for it, which a click names.
    pub id: u32,
    pub app_name: String,
    pub summary: String,
    pub body: String,
    /// Identifier and label, one after the other (`default` makes a click on the body reportable).
    pub actions: Vec<String>,
}

struct Server {
    shown: Arc<Mutex<Vec<Shown>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)] // the specification's signature
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().unwrap();
        let id = shown.len() as u32 + 1;
        shown.push(Shown {
            id,
            app_name,
            summary,
            body,
            actions,
        });
        id
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into(), "actions".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("kling-desk-tests".into(), "Kling Desk".into(), "1".into(), "1.2".into())
    }

    fn close_notification(&self, _id: u32) {}
}

/// The server, holding the notification service's name on one bus until it is dropped.
pub struct NotificationServer {
    connection: Connection,
    shown: Arc<Mutex<Vec<Shown>>>,
}

impl NotificationServer {
    /// Takes the notification service's name on the bus at `address` (`unix:path=…`).
    pub fn start(address: &str) -> NotificationServer {
        let shown = Arc::new(Mutex::new(Vec::new()));
        let connection = connection::Builder::address(address)
            .unwrap()
            .name(NAME)
            .unwrap()
            .serve_at(PATH, Server { shown: shown.clone() })
            .unwrap()
            .build()
            .unwrap_or_else(|error| panic!("no notification server on {address}: {error}"));
        NotificationServer { connection, shown }
    }

    /// Every notification received so far, oldest first.
    pub fn shown(&self) -> Vec<Shown> {
        self.shown.lock().unwrap().clone()
    }

    /// Waits until one notification has a body containing `words`, and returns it.
    pub fn wait_for(&self, words: &str, within: Duration) -> Shown {
        let deadline = Instant::now() + within;
        loop {
            if let Some(found) = self.shown().into_iter().find(|shown| shown.body.contains(words)) {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "no notification about {words:?}; received {:?}",
                self.shown()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A click on the notification's body, as the desktop reports it.
    pub fn click(&self, shown: &Shown) {
        self.connection
            .emit_signal(None::<&str>, PATH, NAME, "ActionInvoked", &(shown.id, "default"))
            .unwrap();
    }
}
