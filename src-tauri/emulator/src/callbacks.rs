//! Callbacks (§4): the bare task object POSTed to a task's `callback_url` on every status change.
//!
//! A ticker wakes every 20 ms (and at once on a create, a clock jump or a forced status), compares
//! each task's schedule with the emulator clock, and hands the statuses that came due to a sender
//! per task, which posts them in order after `CallbackConfig::delay_ms`. A jump of the virtual clock
//! over several transitions posts each of them, each with the body the task showed then. The ticker
//! owns the senders, so aborting it (the emulator's `Drop`) stops every delivery still pending.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::Rng;
use serde::Serialize;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::{routes, wall_ms, webhook, Shared, State, Task, TaskView, VariantConfig};

const TICK: Duration = Duration::from_millis(20);
/// A receiver that accepts the connection but never answers must not hold the sender forever.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);

/// One callback delivery attempt, as `Emulator::callbacks` and `GET /__emu/callbacks` list it.
#[derive(Debug, Clone, Serialize)]
pub struct CallbackDelivery {
    pub task_id: String,
    /// `task_status` of the body.
    pub task_status: String,
    /// Where it went: the task's `callback_url`, or `CallbackConfig::dead_url`.
    pub url: String,
    /// The exact JSON sent: the task object, as `data` of a query answer at that status.
    pub body: String,
    /// Extra headers sent (the Standard Webhooks ones when a secret is set); lowercase names.
    pub headers: HashMap<String, String>,
    /// 0 for the first send of a callback, 1.. for its duplicates.
    pub copy: u32,
    /// Not sent at all (`CallbackConfig::drop_probability`).
    pub dropped: bool,
    /// The receiver's HTTP status.
    pub status: Option<u16>,
    /// Why no status came back (connection refused, timeout, bad URL).
    pub error: Option<String>,
    /// Emulator clock (Unix ms, with the virtual offset) at the attempt.
    pub at_ms: u64,
}

/// A callback generated but not yet sent (held back when reordering).
#[derive(Debug, Clone)]
pub(super) struct Pending {
    status: String,
    body: String,
}

struct Outgoing {
    task_id: String,
    pending: Pending,
    url: String,
    due: Instant,
    /// One entry per send (1 + duplicates): whether that send is dropped.
    dropped: Vec<bool>,
    secret: Option<String>,
}

/// `true` with probability `p`; NaN or ≤ 0 never, ≥ 1 always.
pub(super) fn chance(rng: &mut StdRng, p: f64) -> bool {
    p > 0.0 && (p >= 1.0 || rng.gen_bool(p))
}

pub(super) async fn run(shared: Arc<Shared>) {
    let mut senders: HashMap<String, UnboundedSender<Outgoing>> = HashMap::new();
    let mut workers = JoinSet::new();
    let mut client: Option<reqwest::Client> = None;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = shared.wake.notified() => {}
        }
        while workers.try_join_next().is_some() {}
        let due = collect(&shared);
        if due.is_empty() {
            continue;
        }
        let client = client.get_or_insert_with(build_client).clone();
        for item in due {
            let sender = senders.entry(item.task_id.clone()).or_insert_with(|| {
                let (tx, rx) = unbounded_channel();
                workers.spawn(send_in_order(shared.clone(), client.clone(), rx));
                tx
            });
            let _ = sender.send(item);
        }
    }
}

fn build_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(SEND_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

fn pending(task: &Task, view: &TaskView, base_url: &str, variants: &VariantConfig) -> Pending {
    Pending {
        status: view.status.clone(),
        body: routes::task_data(task, view, base_url, variants).to_string(),
    }
}

/// The callbacks that came due since the last tick, in sending order per task.
fn collect(shared: &Shared) -> Vec<Outgoing> {
    let mut guard = shared.lock();
    let now = guard.now();
    let State { tasks, config, rng, .. } = &mut *guard;
    let settings = &config.callbacks;
    let mut out = Vec::new();
    for task in tasks.iter_mut() {
        let Some(callback_url) = task.callback_url.clone() else {
            continue;
        };
        let mut fresh = Vec::new();
        let steps = task.steps();
        let forced_at = task.forced.as_ref().map(|f| f.at);
        while let Some(step) = steps.get(task.cb_steps_sent).copied() {
            // Statuses the schedule would have shown after a forced one never happened.
            if step.at > now || forced_at.is_some_and(|at| step.at >= at) {
                break;
            }
            fresh.push(pending(task, &task.step_view(step), &shared.base_url, &config.variants));
            task.cb_steps_sent += 1;
        }
        if task.cb_forced_sent != task.forced_gen {
            if let Some(forced) = &task.forced {
                fresh.push(pending(
                    task,
                    &task.forced_view(forced),
                    &shared.base_url,
                    &config.variants,
                ));
            }
            task.cb_forced_sent = task.forced_gen;
        }

        let mut ordered = Vec::new();
        if !settings.reorder {
            ordered.extend(task.cb_held.take());
        }
        for p in fresh {
            if !settings.reorder {
                ordered.push(p);
                continue;
            }
            let terminal = matches!(p.status.as_str(), "succeed" | "failed");
            match task.cb_held.take() {
                Some(held) => {
                    ordered.push(p);
                    ordered.push(held);
                }
                None if terminal => ordered.push(p),
                None => task.cb_held = Some(p),
            }
        }

        for p in ordered {
            out.push(Outgoing {
                task_id: task.task_id.clone(),
                url: settings.dead_url.clone().unwrap_or_else(|| callback_url.clone()),
                due: Instant::now() + Duration::from_millis(settings.delay_ms),
                dropped: (0..=settings.duplicate)
                    .map(|_| chance(rng, settings.drop_probability))
                    .collect(),
                secret: settings.webhook_secret.clone(),
                pending: p,
            });
        }
    }
    out
}

async fn send_in_order(shared: Arc<Shared>, client: reqwest::Client, mut queue: UnboundedReceiver<Outgoing>) {
    while let Some(item) = queue.recv().await {
        tokio::time::sleep_until(item.due).await;
        let message_id = format!("msg_{}", uuid::Uuid::new_v4().simple());
        for (copy, &dropped) in item.dropped.iter().enumerate() {
            let mut headers = HashMap::new();
            if let Some(secret) = &item.secret {
                let timestamp = wall_ms() / 1000;
                let signature = webhook::sign(secret, &message_id, timestamp, &item.pending.body);
                headers.insert("webhook-id".to_string(), message_id.clone());
                headers.insert("webhook-timestamp".to_string(), timestamp.to_string());
                headers.insert("webhook-signature".to_string(), signature);
            }
            let (status, error) = if dropped {
                (None, None)
            } else {
                let mut request = client
                    .post(&item.url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(item.pending.body.clone());
                for (name, value) in &headers {
                    request = request.header(name.as_str(), value.as_str());
                }
                match request.send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        // Read the answer so the connection can be reused; its content is not used.
                        let _ = response.bytes().await;
                        (Some(status), None)
                    }
                    Err(e) => (None, Some(error_text(&e))),
                }
            };
            let mut state = shared.lock();
            let at_ms = state.now();
            state.callbacks.push(CallbackDelivery {
                task_id: item.task_id.clone(),
                task_status: item.pending.status.clone(),
                url: item.url.clone(),
                body: item.pending.body.clone(),
                headers,
                copy: copy as u32,
                dropped,
                status,
                error,
                at_ms,
            });
        }
    }
}

/// reqwest's Display stops at the outermost layer ("error sending request"); the cause says more.
fn error_text(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
