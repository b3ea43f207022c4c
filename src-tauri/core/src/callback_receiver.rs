//! Receives CometAPI's callbacks on 127.0.0.1 at `POST /callback/<token>`. A callback is only a
//! hint: the body is size-capped and must be JSON about a task we know, and then the tracker asks
//! the provider itself. Nothing in a callback body is ever written to the library.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;

use crate::loopback::{Limits, LoopbackServer};

/// A callback body is a task object of a few hundred bytes; anything this big is not one.
pub const MAX_CALLBACK_BYTES: usize = 64 * 1024;

/// Where a verified hint goes: the engine, in the app.
pub trait CallbackHint: Send + Sync + 'static {
    /// `true` when the task is one of ours (the hint was taken).
    fn task_changed(&self, task_id: &str) -> bool;
}

pub struct CallbackReceiver {
    server: LoopbackServer,
}

struct Receiver {
    token: String,
    hint: Arc<dyn CallbackHint>,
}

impl CallbackReceiver {
    /// Binds 127.0.0.1:`port` (0 for any free port).
    pub async fn start(port: u16, token: &str, hint: Arc<dyn CallbackHint>) -> std::io::Result<CallbackReceiver> {
        let state = Arc::new(Receiver {
            token: token.to_owned(),
            hint,
        });
        let app = Router::new()
            .route("/callback/{token}", post(receive))
            .layer(DefaultBodyLimit::max(MAX_CALLBACK_BYTES))
            .with_state(state);
        Ok(CallbackReceiver {
            server: LoopbackServer::start(port, Limits::default(), |_| app).await?,
        })
    }

    pub fn port(&self) -> u16 {
        self.server.addr().port()
    }

    /// Stops listening and frees the port.
    pub async fn stop(self) {
        self.server.stop().await;
    }
}

async fn receive(State(receiver): State<Arc<Receiver>>, Path(token): Path<String>, body: Bytes) -> StatusCode {
    if !same_secret(&token, &receiver.token) {
        return StatusCode::NOT_FOUND;
    }
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let task_id = match json.get("task_id") {
        Some(serde_json::Value::String(id)) => id.clone(),
        Some(serde_json::Value::Number(id)) => id.to_string(),
        _ => return StatusCode::BAD_REQUEST,
    };
    if receiver.hint.task_changed(&task_id) {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    }
}

/// Compares without stopping at the first difference, so timing does not reveal the token.
fn same_secret(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}
