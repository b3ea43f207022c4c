//! The loopback servers put up with hostile local clients: thousands of silent sockets, heads or
//! bodies sent a byte at a time, and pages that reach 127.0.0.1 under another name (DNS
//! rebinding). Through all of it the webview's videos keep playing.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::{get, post};
use axum::Router;
use kling_core::callback_receiver::{CallbackHint, CallbackReceiver};
use kling_core::loopback::{Limits, LoopbackServer};
use kling_core::media_server::MediaServer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

/// Short, so that waiting it out keeps the tests quick; the app's is ten seconds.
const HEADER_TIMEOUT: Duration = Duration::from_secs(2);
/// Long enough that the videos are surely fetched before any of the flood could time out, so
/// that only the server making room can have let them through.
const FLOOD_HEADER_TIMEOUT: Duration = Duration::from_secs(4);
/// Room for a loaded machine between a deadline and our look at it.
const SLACK: Duration = Duration::from_millis(700);
const FLOOD: usize = 2_000;

struct Media {
    _dir: tempfile::TempDir,
    _server: MediaServer,
    addr: SocketAddr,
    /// `/<token>/clip.mp4`
    path: String,
    clip: &'static [u8],
}

impl Media {
    async fn start(header_read_timeout: Duration) -> Media {
        let dir = tempfile::tempdir().unwrap();
        let clip = kling_emulator::clip("16:9", "5").unwrap();
        std::fs::write(dir.path().join("clip.mp4"), clip).unwrap();
        let limits = Limits {
            header_read_timeout,
            ..Limits::default()
        };
        let server = MediaServer::start_with_limits(dir.path(), limits).await.unwrap();
        let base = server.base_url();
        let (addr, token) = base.strip_prefix("http://").unwrap().split_once('/').unwrap();
        Media {
            addr: addr.parse().unwrap(),
            path: format!("/{token}/clip.mp4"),
            clip,
            _dir: dir,
            _server: server,
        }
    }

    fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.path)
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.addr.port())
    }
}

struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (n, value) = line.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// Sends `request` as written (it should say `Connection: close`) and reads the answer to the end.
async fn raw(addr: SocketAddr, request: String) -> Answer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut bytes))
        .await
        .expect("the server answered and closed")
        .unwrap();
    parse(&bytes)
}

fn parse(bytes: &[u8]) -> Answer {
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a whole response head");
    let head = String::from_utf8(bytes[..end].to_vec()).unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Answer {
        status,
        head,
        body: bytes[end + 4..].to_vec(),
    }
}

/// Nothing arrives for a moment: the server still holds the connection.
async fn still_open(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    tokio::time::timeout(Duration::from_millis(100), stream.read(&mut byte))
        .await
        .is_err()
}

/// The server has closed the connection (after perhaps a last answer such as a 408).
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 512];
    loop {
        match tokio::time::timeout(Duration::from_millis(500), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_idle_sockets_leave_the_videos_playing() {
    let started = Instant::now();
    let media = Media::start(FLOOD_HEADER_TIMEOUT).await;
    let mut idle = Vec::with_capacity(FLOOD);
    let flood_began = Instant::now();
    for _ in 0..FLOOD {
        match TcpStream::connect(media.addr).await {
            Ok(stream) => idle.push(stream),
            Err(e) => {
                // Out of file descriptors (the server shares them): carry on with fewer, leaving
                // room for the server and the client below.
                idle.truncate(idle.len().saturating_sub(100));
                println!("stopped opening sockets at {}: {e}", idle.len() + 100);
                break;
            }
        }
    }
    let flooded = Instant::now();
    println!("{} idle sockets open after {:?}", idle.len(), flooded - flood_began);
    assert!(
        idle.len() > 2 * Limits::default().max_connections,
        "enough sockets to overrun the cap"
    );

    let http = reqwest::Client::new();
    let served = async {
        let whole = http.get(media.url()).send().await.unwrap();
        assert_eq!(whole.status(), 200);
        assert_eq!(whole.bytes().await.unwrap().as_ref(), media.clip, "the whole clip");
        let ranged = http
            .get(media.url())
            .header("Range", "bytes=100-1099")
            .send()
            .await
            .unwrap();
        assert_eq!(ranged.status(), 206);
        assert_eq!(ranged.bytes().await.unwrap().as_ref(), &media.clip[100..1100]);
        let rebound = raw(
            media.addr,
            format!(
                "GET {} HTTP/1.1\r\nHost: evil.example:{}\r\nConnection: close\r\n\r\n",
                media.path,
                media.addr.port()
            ),
        )
        .await;
        assert_eq!(rebound.status, 421);
        assert!(rebound.body.is_empty());
    };
    tokio::time::timeout_at((flood_began + FLOOD_HEADER_TIMEOUT).into(), served)
        .await
        .expect("served before any idle socket could time out: the server made room");
    println!("served {:?} after the flood", flooded.elapsed());

    // Those the newcomers did not replace went silent for a whole header timeout.
    tokio::time::sleep_until((flooded + FLOOD_HEADER_TIMEOUT + SLACK).into()).await;
    for (i, stream) in idle.iter_mut().enumerate() {
        assert!(closed_by_server(stream).await, "idle socket {i} was closed");
    }
    let again = http.get(media.url()).send().await.unwrap();
    assert_eq!(again.bytes().await.unwrap().as_ref(), media.clip);
    println!("took {:?}", started.elapsed());
}

#[tokio::test]
async fn silent_dribbling_and_kept_alive_connections_are_closed_after_the_header_timeout() {
    let media = Media::start(HEADER_TIMEOUT).await;
    let host = media.host();
    let opened = Instant::now();
    let mut silent = TcpStream::connect(media.addr).await.unwrap();
    let mut dribbling = TcpStream::connect(media.addr).await.unwrap();
    dribbling
        .write_all(format!("GET {} HTTP/1.1\r\nHost: {host}\r\n", media.path).as_bytes())
        .await
        .unwrap();
    let mut kept_alive = TcpStream::connect(media.addr).await.unwrap();
    kept_alive
        .write_all(format!("HEAD {} HTTP/1.1\r\nHost: {host}\r\n\r\n", media.path).as_bytes())
        .await
        .unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(kept_alive.read_u8().await.unwrap());
    }
    assert_eq!(parse(&head).status, 200);

    tokio::time::sleep(HEADER_TIMEOUT / 4).await;
    assert!(opened.elapsed() < HEADER_TIMEOUT, "the machine is too slow to tell");
    assert!(still_open(&mut silent).await);
    assert!(still_open(&mut dribbling).await);
    assert!(still_open(&mut kept_alive).await);

    tokio::time::sleep_until((opened + HEADER_TIMEOUT + SLACK).into()).await;
    assert!(closed_by_server(&mut silent).await, "silent");
    assert!(closed_by_server(&mut dribbling).await, "dribbling");
    assert!(closed_by_server(&mut kept_alive).await, "kept alive");
}

#[tokio::test]
async fn only_requests_addressed_to_this_server_are_answered() {
    let media = Media::start(HEADER_TIMEOUT).await;
    let port = media.addr.port();
    let path = &media.path;
    let get = |host_line: &str, target: &str| {
        format!("GET {target} HTTP/1.1\r\n{host_line}Range: bytes=0-9\r\nOrigin: http://tauri.localhost\r\nConnection: close\r\n\r\n")
    };
    let cases = [
        ("the webview's", get(&format!("Host: 127.0.0.1:{port}\r\n"), path), 206),
        ("localhost", get(&format!("Host: localhost:{port}\r\n"), path), 206),
        ("LocalHost", get(&format!("Host: LocalHost:{port}\r\n"), path), 206),
        (
            "rebound name",
            get(&format!("Host: evil.example:{port}\r\n"), path),
            421,
        ),
        ("rebound name, default port", get("Host: evil.example\r\n", path), 421),
        (
            "localhost as a prefix",
            get(&format!("Host: localhost.evil.example:{port}\r\n"), path),
            421,
        ),
        ("another port", get("Host: 127.0.0.1:1\r\n", path), 421),
        ("no port", get("Host: 127.0.0.1\r\n", path), 421),
        ("no Host", get("", path), 421),
        (
            "rebound name in the target",
            get(
                &format!("Host: 127.0.0.1:{port}\r\n"),
                &format!("http://evil.example:{port}{path}"),
            ),
            421,
        ),
    ];
    for (what, request, status) in cases {
        let answer = raw(media.addr, request).await;
        assert_eq!(answer.status, status, "{what}");
        if status == 206 {
            assert_eq!(answer.body, &media.clip[..10], "{what}");
            assert_eq!(answer.header("access-control-allow-origin"), Some("*"), "{what}");
        } else {
            assert!(answer.body.is_empty(), "{what}");
            assert_eq!(answer.header("content-length"), Some("0"), "{what}");
        }
    }

    let preflight = |host: &str| {
        format!("OPTIONS {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://tauri.localhost\r\nAccess-Control-Request-Method: GET\r\nConnection: close\r\n\r\n")
    };
    let ours = raw(media.addr, preflight(&media.host())).await;
    assert_eq!(ours.status, 200);
    assert_eq!(ours.header("access-control-allow-origin"), Some("*"));
    let rebound = raw(media.addr, preflight(&format!("evil.example:{port}"))).await;
    assert_eq!(rebound.status, 421);
    assert_eq!(rebound.header("access-control-allow-origin"), None);
}

/// A server with `/` answered at once and `/slow` answered when the test opens `gate`; `entered`
/// counts the `/slow` requests being served.
async fn gated_server(limits: Limits) -> (LoopbackServer, Arc<Semaphore>, Arc<Semaphore>) {
    let gate = Arc::new(Semaphore::new(0));
    let entered = Arc::new(Semaphore::new(0));
    let (g, e) = (gate.clone(), entered.clone());
    let slow = move || async move {
        e.add_permits(1);
        g.acquire().await.unwrap().forget();
        "slow"
    };
    let server = LoopbackServer::start(0, limits, |_| {
        Router::new()
            .route("/", get(|| async { "quick" }))
            .route("/slow", get(slow))
    })
    .await
    .unwrap();
    (server, gate, entered)
}

fn request(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
}

#[tokio::test]
async fn a_full_server_replaces_idle_connections_and_never_busy_ones() {
    let limits = Limits {
        max_connections: 2,
        header_read_timeout: Duration::from_secs(30),
        ..Limits::default()
    };
    let (server, gate, entered) = gated_server(limits).await;
    let addr = server.addr();

    let mut oldest = TcpStream::connect(addr).await.unwrap();
    let mut newer = TcpStream::connect(addr).await.unwrap();
    let quick = tokio::time::timeout(Duration::from_secs(2), raw(addr, request("/")))
        .await
        .expect("a newcomer is served at once, in place of an idle connection");
    assert_eq!(quick.body, b"quick");
    assert!(closed_by_server(&mut oldest).await, "the oldest idle one made room");
    assert!(still_open(&mut newer).await);

    let first = tokio::spawn(raw(addr, request("/slow")));
    let second = tokio::spawn(raw(addr, request("/slow")));
    entered.acquire_many(2).await.unwrap().forget();
    assert!(
        closed_by_server(&mut newer).await,
        "the idle one made room for a request"
    );
    let third = tokio::spawn(raw(addr, request("/")));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!third.is_finished(), "with every slot answering, a newcomer waits");

    gate.add_permits(2);
    assert_eq!(first.await.unwrap().body, b"slow", "busy connections were never cut");
    assert_eq!(second.await.unwrap().body, b"slow");
    assert_eq!(third.await.unwrap().body, b"quick", "and then the newcomer is served");
}

#[tokio::test]
async fn a_request_body_sent_a_byte_at_a_time_is_cut_off() {
    let limits = Limits {
        request_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let server = LoopbackServer::start(0, limits, |_| {
        Router::new().route("/", post(|body: String| async move { body }))
    })
    .await
    .unwrap();
    let started = Instant::now();
    let stream = TcpStream::connect(server.addr()).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    write
        .write_all(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n")
        .await
        .unwrap();
    let trickle = tokio::spawn(async move {
        // Every byte comes well within any idle timeout; the body as a whole never does.
        while write.write_all(b"x").await.is_ok() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), read.read_to_end(&mut bytes))
        .await
        .expect("the server gave up on the request")
        .unwrap();
    let waited = started.elapsed();
    trickle.abort();
    assert_eq!(parse(&bytes).status, 408);
    assert!(waited >= Duration::from_secs(1), "{waited:?}");
}

struct Knows42;

impl CallbackHint for Knows42 {
    fn task_changed(&self, task_id: &str) -> bool {
        task_id == "42"
    }
}

#[tokio::test]
async fn the_callback_port_is_free_again_right_after_stop_with_sockets_held_open() {
    let receiver = CallbackReceiver::start(0, "first", Arc::new(Knows42)).await.unwrap();
    let port = receiver.port();
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(TcpStream::connect(("127.0.0.1", port)).await.unwrap());
    }
    let mut dribbling = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    dribbling.write_all(b"POST /callback/first HTTP/1.1\r\n").await.unwrap();

    let stopping = Instant::now();
    receiver.stop().await;
    let stopped_in = stopping.elapsed();
    assert!(stopped_in < Duration::from_secs(3), "{stopped_in:?}");
    let receiver = CallbackReceiver::start(port, "second", Arc::new(Knows42))
        .await
        .expect("the same port, bound again at once");
    for stream in idle.iter_mut().chain([&mut dribbling]) {
        assert!(closed_by_server(stream).await);
    }
    let body = r#"{"task_id":"42"}"#;
    let answer = raw(
        ([127, 0, 0, 1], port).into(),
        format!(
            "POST /callback/second HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    assert_eq!(answer.status, 200);
    receiver.stop().await;
}
