//! Serves library videos to the webview. WebKitGTK refuses `asset://`, custom schemes and `file://`
//! as `<video>` sources, and blob URLs would load whole files into memory, so videos come from a
//! loopback HTTP server: 127.0.0.1 only, a random port, a random per-launch token in every URL,
//! read-only, only the library's `videos/` folder, and only for requests addressed to
//! `127.0.0.1:<port>` or `localhost:<port>`. Range requests (seeking) are tower-http's.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::ServeDir;

use crate::loopback::{Limits, LoopbackServer};

pub struct MediaServer {
    server: LoopbackServer,
    token: String,
}

impl MediaServer {
    /// Binds 127.0.0.1 on a random port and serves `videos_dir` below `/<token>/`.
    pub async fn start(videos_dir: &Path) -> std::io::Result<MediaServer> {
        MediaServer::start_with_limits(videos_dir, Limits::default()).await
    }

    /// `start` with other limits than the app's: tests cannot wait out the real timeouts.
    pub async fn start_with_limits(videos_dir: &Path, limits: Limits) -> std::io::Result<MediaServer> {
        let token = crate::secrets::random_token();
        // ServeDir refuses `..` and anything outside its folder, answers only GET and HEAD, and does Range.
        let files = ServeDir::new(videos_dir).append_index_html_on_directories(false);
        // Any origin may read: the webview draws poster frames from these videos onto a canvas,
        // which needs CORS, and the per-launch token in the path is what keeps others out.
        let cors = CorsLayer::new()
            .allow_origin(Any)
            .allow_methods([Method::GET, Method::HEAD]);
        let app = |addr: SocketAddr| {
            let hosts: Arc<[String]> = Arc::from([
                format!("127.0.0.1:{}", addr.port()),
                format!("localhost:{}", addr.port()),
            ]);
            Router::new()
                .nest_service(&format!("/{token}"), files)
                .layer(cors)
                .layer(middleware::from_fn_with_state(hosts, only_our_host))
        };
        Ok(MediaServer {
            server: LoopbackServer::start(0, limits, app).await?,
            token,
        })
    }

    /// `http://127.0.0.1:<port>/<token>`: a video's URL is this plus `/<file name>`.
    pub fn base_url(&self) -> String {
        format!("http://{}/{}", self.server.addr(), self.token)
    }
}

/// DNS rebinding: a web page whose own name the attacker points at 127.0.0.1 reaches this server
/// as that name, in Host (and in the request target, in absolute form). Answering only requests
/// addressed to this server's own address and port keeps such pages from talking to it at all, not
/// even to learn from a 404 that it is there; the token stays what guards the videos.
async fn only_our_host(State(hosts): State<Arc<[String]>>, request: Request, next: Next) -> Response {
    let ours = |name: &str| hosts.iter().any(|host| host.eq_ignore_ascii_case(name));
    let host_ok = request
        .headers()
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .is_some_and(ours);
    let target_ok = request
        .uri()
        .authority()
        .is_none_or(|authority| ours(authority.as_str()));
    if host_ok && target_ok {
        let mut response = next.run(request).await;
        // The files are on this computer: a copy in the webview's cache saves nothing, and a big
        // gallery's posters would fill it.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
        response
    } else {
        StatusCode::MISDIRECTED_REQUEST.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn serves_ranges_only_with_the_token_and_only_inside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let videos = dir.path().join("videos");
        std::fs::create_dir_all(&videos).unwrap();
        std::fs::write(videos.join("a.mp4"), b"0123456789").unwrap();
        std::fs::write(dir.path().join("secret.txt"), b"outside").unwrap();
        let server = MediaServer::start(&videos).await.unwrap();
        let http = reqwest::Client::new();

        let ranged = http
            .get(format!("{}/a.mp4", server.base_url()))
            .header("Range", "bytes=2-5")
            .send()
            .await
            .unwrap();
        assert_eq!(ranged.status(), 206);
        assert_eq!(ranged.bytes().await.unwrap().as_ref(), b"2345");

        let port = server.server.addr().port();
        let without_token = http.get(format!("http://127.0.0.1:{port}/a.mp4")).send().await.unwrap();
        assert_eq!(without_token.status(), 404);
        let escape = http
            .get(format!("{}/..%2Fsecret.txt", server.base_url()))
            .send()
            .await
            .unwrap();
        assert_ne!(escape.status(), 200);
        let write = http
            .put(format!("{}/a.mp4", server.base_url()))
            .body("x")
            .send()
            .await
            .unwrap();
        assert!(write.status().is_client_error());
        assert_eq!(std::fs::read(videos.join("a.mp4")).unwrap(), b"0123456789");
    }
}
