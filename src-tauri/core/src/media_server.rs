//! Serves library videos to the webview. WebKitGTK refuses `asset://`, custom schemes and `file://`
//! as `<video>` sources, and blob URLs would load whole files into memory, so videos come from a
//! loopback HTTP server: 127.0.0.1 only, a random port, a random per-launch token in every URL,
//! read-only, only the library's `videos/` folder. Range requests (seeking) are tower-http's.

use std::path::Path;

use axum::http::Method;
use axum::Router;
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::ServeDir;

use crate::loopback::LoopbackServer;

pub struct MediaServer {
    server: LoopbackServer,
    token: String,
}

impl MediaServer {
    /// Binds 127.0.0.1 on a random port and serves `videos_dir` below `/<token>/`.
    pub async fn start(videos_dir: &Path) -> std::io::Result<MediaServer> {
        let token = crate::secrets::random_token();
        // ServeDir refuses `..` and anything outside its folder, answers only GET and HEAD, and does Range.
        let files = ServeDir::new(videos_dir).append_index_html_on_directories(false);
        // Any origin may read: the webview draws poster frames from these videos onto a canvas,
        // which needs CORS, and the per-launch token in the path is what keeps others out.
        let cors = CorsLayer::new()
            .allow_origin(Any)
            .allow_methods([Method::GET, Method::HEAD]);
        let app = Router::new().nest_service(&format!("/{token}"), files).layer(cors);
        Ok(MediaServer {
            server: LoopbackServer::start(0, app).await?,
            token,
        })
    }

    /// `http://127.0.0.1:<port>/<token>`: a video's URL is this plus `/<file name>`.
    pub fn base_url(&self) -> String {
        format!("http://{}/{}", self.server.addr(), self.token)
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
