//! Saves a result video into the library: stream to `incoming/<id>.mp4.part`, check it is an MP4,
//! sync, then rename into `videos/` so a file in `videos/` is always complete. A `.part` left by a
//! crash resumes with `Range` when the server allows it, or starts over.

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{AUTHORIZATION, CONTENT_RANGE, RANGE};
use tokio::io::AsyncWriteExt;

/// A Kling clip is a few MB; anything this large is not one, and is refused before it fills the disk.
pub const MAX_VIDEO_BYTES: u64 = 2 << 30;

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// 403 or 404: the link expired or the provider deleted the result.
    #[error("the result is gone (HTTP {0})")]
    Gone(u16),
    #[error("HTTP {0}")]
    Http(u16),
    #[error("network: {0}")]
    Network(String),
    #[error("the download ended early ({received} of {expected} bytes)")]
    Truncated { received: u64, expected: u64 },
    #[error("not a video file")]
    NotVideo,
    #[error("the video file is incomplete")]
    Incomplete,
    #[error("the server resumed from the wrong place")]
    WrongRange,
    #[error("refused URL")]
    RefusedUrl,
    #[error("larger than the {0} bytes a video may have")]
    TooLarge(u64),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl DownloadError {
    /// The result URL may carry a signed query; the error text never includes it.
    fn network(e: reqwest::Error) -> DownloadError {
        if e.is_redirect() {
            return DownloadError::RefusedUrl;
        }
        DownloadError::Network(e.without_url().to_string())
    }
}

pub struct Download {
    pub part: PathBuf,
    pub target: PathBuf,
    /// The most bytes this video may have; a larger (or never-ending) one is cut off and refused.
    pub limit: u64,
}

/// Only plain web links: a `file:` or `javascript:` URL from a hostile answer never gets fetched.
pub fn acceptable_url(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

impl Download {
    /// Runs the download to the end; `progress(received, total)` is called as bytes arrive.
    /// Returns the size of the finished file.
    pub async fn run(
        &self,
        http: &reqwest::Client,
        url: &str,
        mut progress: impl FnMut(u64, Option<u64>),
    ) -> Result<u64, DownloadError> {
        if !acceptable_url(url) {
            return Err(DownloadError::RefusedUrl);
        }
        let have = tokio::fs::metadata(&self.part).await.map(|m| m.len()).unwrap_or(0);
        let mut request = http.get(url).timeout(Duration::from_secs(30 * 60));
        if have > 0 {
            request = request.header(RANGE, format!("bytes={have}-"));
        }
        debug_assert!(!format!("{request:?}").contains(AUTHORIZATION.as_str()));
        let response = request.send().await.map_err(DownloadError::network)?;
        let status = response.status().as_u16();
        let (mut received, resumed) = match status {
            206 if have > 0 && content_range_start(&response) == Some(have) => (have, true),
            // Bytes from another offset would splice two parts of the file: start over.
            206 => {
                tokio::fs::remove_file(&self.part).await.ok();
                return Err(DownloadError::WrongRange);
            }
            200 => (0, false),
            416 => {
                tokio::fs::remove_file(&self.part).await.ok();
                return Err(DownloadError::Http(416));
            }
            403 | 404 | 410 => return Err(DownloadError::Gone(status)),
            _ => return Err(DownloadError::Http(status)),
        };
        let expected = response.content_length().map(|rest| rest + received);
        if expected.is_some_and(|n| n > self.limit) {
            return Err(DownloadError::TooLarge(self.limit));
        }
        let mut file = if resumed {
            tokio::fs::OpenOptions::new().append(true).open(&self.part).await?
        } else {
            tokio::fs::File::create(&self.part).await?
        };
        let mut stream = response.bytes_stream();
        let mut head = Vec::with_capacity(8);
        if resumed {
            head = read_head(&self.part).await?;
        }
        progress(received, expected);
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(DownloadError::network)?;
            if head.len() < 8 {
                head.extend(chunk.iter().take(8 - head.len()));
                if head.len() >= 8 && &head[4..8] != b"ftyp" {
                    drop(file);
                    tokio::fs::remove_file(&self.part).await.ok();
                    return Err(DownloadError::NotVideo);
                }
            }
            received += chunk.len() as u64;
            if received > self.limit {
                drop(file);
                tokio::fs::remove_file(&self.part).await.ok();
                return Err(DownloadError::TooLarge(self.limit));
            }
            file.write_all(&chunk).await?;
            progress(received, expected);
        }
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        if let Some(expected) = expected.filter(|n| *n != received) {
            return Err(DownloadError::Truncated { received, expected });
        }
        if head.len() < 8 || &head[4..8] != b"ftyp" {
            tokio::fs::remove_file(&self.part).await.ok();
            return Err(DownloadError::NotVideo);
        }
        // Without a Content-Length an early end looks like the end: the MP4's own box sizes say
        // whether the file is whole.
        if !whole_mp4(&self.part)? {
            tokio::fs::remove_file(&self.part).await.ok();
            return Err(DownloadError::Incomplete);
        }
        tokio::fs::rename(&self.part, &self.target).await?;
        sync_dir(self.target.parent()).await;
        Ok(received)
    }
}

/// The size of `path` when it is a whole MP4 (it starts with an `ftyp` box), else `None`.
pub fn complete_video(path: &Path) -> Option<u64> {
    use std::io::Read;
    let mut head = [0u8; 8];
    let mut file = std::fs::File::open(path).ok()?;
    file.read_exact(&mut head).ok()?;
    (&head[4..8] == b"ftyp")
        .then(|| file.metadata().map(|m| m.len()).ok())
        .flatten()
}

/// Whether the top-level MP4 boxes run exactly to the end of the file and include the movie
/// header (`moov`), without which no player can open it.
pub fn whole_mp4(path: &Path) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let mut offset = 0u64;
    let mut has_moov = false;
    while offset < len {
        let mut header = [0u8; 16];
        file.seek(SeekFrom::Start(offset))?;
        if file.read(&mut header[..8])? < 8 {
            return Ok(false);
        }
        let size = match u32::from_be_bytes([header[0], header[1], header[2], header[3]]) {
            0 => len - offset,
            1 => {
                file.read_exact(&mut header[8..16])?;
                u64::from_be_bytes(header[8..16].try_into().expect("eight bytes"))
            }
            small => u64::from(small),
        };
        if size < 8 {
            return Ok(false);
        }
        has_moov |= &header[4..8] == b"moov";
        offset = offset.saturating_add(size);
    }
    Ok(offset == len && has_moov)
}

/// Redirects are followed only within the kind of address they start from: a result link on the
/// internet must not be able to point the app at this machine or the local network.
pub fn redirect_allowed(first: &reqwest::Url, next: &reqwest::Url) -> bool {
    !is_local(next) || is_local(first)
}

fn is_local(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    match crate::api::host_ip(url) {
        Some(std::net::IpAddr::V4(ip)) => {
            ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
        }
        Some(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
        }
        None => false,
    }
}

fn content_range_start(response: &reqwest::Response) -> Option<u64> {
    let value = response.headers().get(CONTENT_RANGE)?.to_str().ok()?;
    value.strip_prefix("bytes ")?.split('-').next()?.parse().ok()
}

async fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let mut head = vec![0u8; 8];
    let mut file = tokio::fs::File::open(path).await?;
    let n = file.read(&mut head).await?;
    head.truncate(n);
    Ok(head)
}

/// Makes the rename itself durable; where directories cannot be opened (Windows) there is nothing to do.
async fn sync_dir(dir: Option<&Path>) {
    if let Some(dir) = dir {
        if let Ok(handle) = tokio::fs::File::open(dir).await {
            let _ = handle.sync_all().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clip_is_whole_and_any_cut_of_it_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clip.mp4");
        let clip = kling_emulator::clip("16:9", "5").unwrap();
        std::fs::write(&path, clip).unwrap();
        assert!(whole_mp4(&path).unwrap());
        for cut in [9, clip.len() / 3, clip.len() / 2, clip.len() - 1] {
            std::fs::write(&path, &clip[..cut]).unwrap();
            assert!(!whole_mp4(&path).unwrap(), "cut at {cut}");
        }
    }

    #[test]
    fn redirects_never_lead_from_the_internet_to_this_machine_or_the_local_network() {
        let url = |u: &str| reqwest::Url::parse(u).unwrap();
        let cdn = url("https://cdn.example.com/v.mp4");
        for local in [
            "http://127.0.0.1:8080/x",
            "http://localhost/x",
            "http://192.168.1.1/x",
            "http://10.0.0.2/x",
            "http://[::1]/x",
            "http://169.254.169.254/latest",
        ] {
            assert!(!redirect_allowed(&cdn, &url(local)), "{local}");
        }
        assert!(redirect_allowed(&cdn, &url("https://other-cdn.example.net/v.mp4")));
        assert!(redirect_allowed(
            &url("http://127.0.0.1:9/v.mp4"),
            &url("http://127.0.0.1:9/w.mp4")
        ));
    }
}
