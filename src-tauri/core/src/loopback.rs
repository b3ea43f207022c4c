//! The app's own small HTTP servers (media, callbacks) listen on 127.0.0.1 only and stop when
//! their owner drops them.
//!
//! Any local process (and, through the user's tunnel, anyone for the callback receiver) can open
//! connections to them, so each server holds only a bounded number of connections and drops the
//! ones that say nothing. When the cap is reached, a new connection takes the place of the oldest
//! one that has no request in flight: silent sockets can then never lock out the webview, and a
//! client that is actually being answered is never cut off for a newcomer.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::{service_fn, Service as _};
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::{AbortHandle, JoinSet};

/// How long `stop` lets requests in flight finish before cutting them: the caller is waiting to
/// bind the port again.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// Out of file descriptors or a similar passing trouble: retrying at once would only spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// What a loopback server puts up with from its clients.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections served at once. A browser opens about six per host, a tunnel a few more, so this
    /// leaves ample room, while two servers at the cap stay well below macOS's default of 256 open
    /// files per process.
    pub max_connections: usize,
    /// From accept, and again whenever a kept-alive connection goes back to waiting, until a whole
    /// request head has arrived; this is also the keep-alive idle timeout, since hyper restarts
    /// this one timer when a connection goes idle. A real client sends its head at once; a silent
    /// or dribbling socket is closed after this.
    pub header_read_timeout: Duration,
    /// From a request head to its response head, which covers reading a request body (the
    /// callback's JSON): the header timer no longer runs then, and a body sent a byte at a time
    /// would otherwise keep a connection busy, and so safe from being replaced, for ever. A
    /// response body is not limited: a paused `<video>` stops reading its stream for as long as
    /// the user likes.
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 64,
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
        }
    }
}

pub struct LoopbackServer {
    addr: SocketAddr,
    /// Dropped to stop: every connection and the accept loop watch for it.
    running: watch::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl LoopbackServer {
    /// Binds 127.0.0.1:`port` (0 for any free port) and serves the app `app` builds for the bound
    /// address until dropped.
    pub async fn start(
        port: u16,
        limits: Limits,
        app: impl FnOnce(SocketAddr) -> Router,
    ) -> std::io::Result<LoopbackServer> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let (running, stopped) = watch::channel(());
        let task = tokio::spawn(serve(listener, app(addr), limits, stopped));
        Ok(LoopbackServer { addr, running, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops serving and waits (briefly) until the port is free again, so it can be bound anew.
    pub async fn stop(self) {
        let LoopbackServer { running, mut task, .. } = self;
        drop(running);
        if tokio::time::timeout(STOP_GRACE, &mut task).await.is_err() {
            // Ending the server task drops its JoinSet, which ends every connection still open.
            task.abort();
        }
    }
}

/// A connection being served, oldest first in `serve`'s list.
struct Open {
    task: AbortHandle,
    in_flight: Arc<AtomicUsize>,
}

impl Open {
    fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0
    }
}

async fn serve(listener: TcpListener, app: Router, limits: Limits, mut stopped: watch::Receiver<()>) {
    let went_idle = Arc::new(Notify::new());
    let mut tasks = JoinSet::new();
    let mut open: Vec<Open> = Vec::new();
    loop {
        // With every slot answering a request, new connections wait in the kernel's backlog.
        let full = open.len() >= limits.max_connections && !open.iter().any(Open::is_idle);
        tokio::select! {
            _ = stopped.changed() => break,
            Some(done) = tasks.join_next_with_id() => {
                let id = match done {
                    Ok((id, ())) => id,
                    Err(e) => e.id(),
                };
                open.retain(|c| c.task.id() != id);
            }
            () = went_idle.notified(), if full => {}
            accepted = listener.accept(), if !full => {
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                };
                if open.len() >= limits.max_connections {
                    // It has nothing in flight: its client, if it is one, simply opens another
                    // connection, as it does whenever a server closes an idle keep-alive.
                    if let Some(oldest_idle) = open.iter().position(Open::is_idle) {
                        open.remove(oldest_idle).task.abort();
                    }
                }
                let in_flight = Arc::new(AtomicUsize::new(0));
                let task = tasks.spawn(connection(
                    stream,
                    app.clone(),
                    limits,
                    Requests {
                        in_flight: in_flight.clone(),
                        went_idle: went_idle.clone(),
                    },
                    stopped.clone(),
                ));
                open.push(Open { task, in_flight });
            }
        }
    }
    // Free the port first: the callback receiver is bound again on it right after `stop`.
    drop(listener);
    while tasks.join_next().await.is_some() {}
}

async fn connection(
    stream: TcpStream,
    app: Router,
    limits: Limits,
    requests: Requests,
    mut stopped: watch::Receiver<()>,
) {
    let app = TowerToHyperService::new(app);
    let service = service_fn(move |request: Request<Incoming>| {
        let in_flight = requests.start();
        let response = app.call(request);
        async move {
            let response = match tokio::time::timeout(limits.request_timeout, response).await {
                Ok(Ok(response)) => response,
                Ok(Err(never)) => match never {},
                // The body may be half read, so the connection cannot carry another request.
                Err(_) => (StatusCode::REQUEST_TIMEOUT, [(header::CONNECTION, "close")]).into_response(),
            };
            Ok::<_, Infallible>(response.map(|body| Tracked {
                body,
                _in_flight: in_flight,
            }))
        }
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut conn = pin!(builder.serve_connection(TokioIo::new(stream), service));
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stopped.changed() => {}
    }
    // Lets a response being sent finish and closes the connection instead of keeping it alive.
    conn.as_mut().graceful_shutdown();
    let _ = conn.await;
}

/// A connection's requests from their head until their response body is sent or dropped: while
/// any is in flight, the connection is not given up to make room for a new one.
#[derive(Clone)]
struct Requests {
    in_flight: Arc<AtomicUsize>,
    went_idle: Arc<Notify>,
}

impl Requests {
    fn start(&self) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(self.clone())
    }
}

struct InFlight(Requests);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.went_idle.notify_one();
        }
    }
}

/// A response body that keeps its request counted as in flight until it is done.
struct Tracked {
    body: Body,
    _in_flight: InFlight,
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
