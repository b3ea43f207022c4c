//! Live updates: the callback receiver started, restarted or stopped to match what the user set
//! up, and the callback URL the engine sends with new creates.

use std::sync::Arc;

use super::Engine;
use crate::callback_receiver::CallbackReceiver;
use crate::problem::{Kind, Problem};

/// What the user set up for push delivery (Settings → Live updates).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CallbackSetup {
    pub enabled: bool,
    pub port: u16,
    /// The public address (a tunnel or reverse proxy of the user's) that forwards to the receiver.
    pub public_url: Option<String>,
    pub token: String,
}

/// The default local port of the receiver, documented in the README.
pub const DEFAULT_CALLBACK_PORT: u16 = 38475;

/// What the UI shows about push delivery.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CallbackInfo {
    pub enabled: bool,
    pub port: u16,
    pub local_url: String,
    pub public_url: Option<String>,
    pub listening: bool,
    pub problem: Option<Problem>,
}

/// The receiver as configured: started, restarted or stopped to match the setup, and the engine
/// told which callback URL to send with new creates. The wiring lives here, on the engine's side,
/// so the receiver knows only the [`CallbackHint`] it reports to.
#[derive(Default)]
pub struct Endpoint {
    running: Option<(CallbackSetup, CallbackReceiver)>,
    info: Option<CallbackInfo>,
}

impl Endpoint {
    pub async fn apply(&mut self, setup: CallbackSetup, engine: &Engine) -> CallbackInfo {
        let unchanged = self
            .running
            .as_ref()
            .is_some_and(|(running, _)| running.port == setup.port && running.token == setup.token);
        if !setup.enabled || !unchanged {
            // Waited for, so that the same port can be bound again with a new token right away.
            if let Some((_, receiver)) = self.running.take() {
                receiver.stop().await;
            }
        }
        let mut problem = None;
        if setup.enabled && self.running.is_none() {
            match CallbackReceiver::start(setup.port, &setup.token, Arc::new(engine.clone())).await {
                Ok(receiver) => self.running = Some((setup.clone(), receiver)),
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                    problem = Some(Problem::new(Kind::CallbackPortInUse).param("port", setup.port));
                }
                Err(e) => problem = Some(Problem::new(Kind::Storage).param("detail", e.to_string())),
            }
        }
        let public_url = setup
            .public_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_owned);
        let listening = self.running.is_some();
        engine.set_callback_url(match (&public_url, listening) {
            (Some(base), true) => Some(format!("{}/callback/{}", base.trim_end_matches('/'), setup.token)),
            _ => None,
        });
        let info = CallbackInfo {
            enabled: setup.enabled,
            port: setup.port,
            local_url: format!("http://127.0.0.1:{}/callback/{}", setup.port, setup.token),
            public_url,
            listening,
            problem,
        };
        self.info = Some(info.clone());
        info
    }

    pub fn info(&self) -> Option<&CallbackInfo> {
        self.info.as_ref()
    }
}
