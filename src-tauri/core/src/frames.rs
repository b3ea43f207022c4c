//! The pictures a video starts (or ends) from: read, checked against the image rules, and kept in
//! the library beside the videos, so a generation can be made again after the original file moved.
//!
//! A kept picture is named by its content (`frame-<hash>.<ext>`): pasting the same picture twice
//! keeps one file, and no name the user chose ever reaches the disk. Kept pictures live flat in
//! `videos/`, so the media server shows them and a library move carries them.

use std::io::Write;
use std::path::Path;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::problem::Kind;
use crate::rules::{ImageLimits, IMAGE_LIMITS};

const PREFIX: &str = "frame-";

/// A picture kept in the library, as a request names it and the card shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// The file's name in the library's `videos/` folder.
    pub file: String,
    pub format: String,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

impl Frame {
    /// Width over height.
    pub fn ratio(&self) -> f64 {
        f64::from(self.width) / f64::from(self.height)
    }
}

/// The format and size of a picture, if it is one the API takes and within its limits; each
/// refusal says what to change.
pub fn inspect(bytes: &[u8], limits: &ImageLimits) -> Result<(&'static str, u32, u32)> {
    let format = format_of(bytes, limits)?;
    if bytes.len() as u64 > limits.max_bytes {
        return Err(too_large(bytes.len() as u64, limits));
    }
    let size = imagesize::blob_size(bytes).map_err(|_| unreadable(limits))?;
    let (width, height) = (size.width as u32, size.height as u32);
    let sides = [("width", json!(width)), ("height", json!(height))];
    if width < limits.min_side_px || height < limits.min_side_px {
        let mut params = sides.to_vec();
        params.push(("min", json!(limits.min_side_px)));
        return Err(Error::invalid_with(Kind::ImageTooSmall, "image", &params));
    }
    let ratio = f64::from(width) / f64::from(height);
    if ratio < limits.min_ratio - 1e-9 || ratio > limits.max_ratio + 1e-9 {
        return Err(Error::invalid_with(Kind::ImageRatioOutOfRange, "image", &sides));
    }
    Ok((format, width, height))
}

fn unreadable(limits: &ImageLimits) -> Error {
    Error::invalid_with(Kind::ImageUnreadable, "image", &[("formats", json!(limits.formats))])
}

fn format_of(bytes: &[u8], limits: &ImageLimits) -> Result<&'static str> {
    match imagesize::image_type(bytes).map_err(|_| unreadable(limits))? {
        imagesize::ImageType::Png => Ok("png"),
        imagesize::ImageType::Jpeg => Ok("jpeg"),
        imagesize::ImageType::Webp => Ok("webp"),
        _ => Err(unreadable(limits)),
    }
}

fn too_large(bytes: u64, limits: &ImageLimits) -> Error {
    let mb = |b: u64| (b as f64 / (1024.0 * 1024.0) * 10.0).ceil() / 10.0;
    Error::invalid_with(
        Kind::ImageTooLarge,
        "image",
        &[
            ("mb", json!(mb(bytes))),
            ("max_mb", json!(limits.max_bytes / (1024 * 1024))),
        ],
    )
}

/// Checks `bytes` and keeps them in `videos_dir` under a name made from their content; the file is
/// whole or absent (written under a temporary name, flushed, then renamed).
pub fn keep(videos_dir: &Path, bytes: &[u8]) -> Result<Frame> {
    let (format, width, height) = inspect(bytes, &IMAGE_LIMITS)?;
    let hash = Sha256::digest(bytes);
    let hex: String = hash.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let file = format!("{PREFIX}{hex}.{}", if format == "jpeg" { "jpg" } else { format });
    let path = videos_dir.join(&file);
    if std::fs::metadata(&path).map(|m| m.len()).ok() == Some(bytes.len() as u64) {
        // Kept again: its age starts now, so tidying (`Library::tidy_pictures`) leaves it alone
        // while it waits in the composer.
        std::fs::File::options()
            .write(true)
            .open(&path)?
            .set_modified(std::time::SystemTime::now())?;
    } else {
        std::fs::create_dir_all(videos_dir)?;
        let mut temp = tempfile::NamedTempFile::new_in(videos_dir)?;
        temp.write_all(bytes)?;
        temp.as_file().sync_all()?;
        temp.persist(&path).map_err(|e| Error::Io(e.error))?;
    }
    Ok(Frame {
        file,
        format: format.to_owned(),
        width,
        height,
        bytes: bytes.len() as u64,
    })
}

/// Reads a picture from a file the user chose (dropped or picked) and keeps it. A file over the
/// size limit is refused from its first bytes, never read whole into memory.
pub fn keep_file(videos_dir: &Path, source: &Path) -> Result<Frame> {
    let size = std::fs::metadata(source)?.len();
    if size > IMAGE_LIMITS.max_bytes {
        use std::io::Read;
        let mut head = Vec::with_capacity(64);
        std::fs::File::open(source)?.take(64).read_to_end(&mut head)?;
        format_of(&head, &IMAGE_LIMITS)?;
        return Err(too_large(size, &IMAGE_LIMITS));
    }
    keep(videos_dir, &std::fs::read(source)?)
}

/// The kept picture a request names, read again from the library; `field` says which one.
pub fn open(videos_dir: &Path, file: &str, field: &'static str) -> Result<Frame> {
    let missing = || Error::invalid(Kind::ImageFileMissing, field);
    if !is_kept_name(file) {
        return Err(missing());
    }
    let bytes = std::fs::read(videos_dir.join(file)).map_err(|_| missing())?;
    let (format, width, height) = inspect(&bytes, &IMAGE_LIMITS).map_err(|e| match e {
        Error::Invalid { kind, params, .. } => Error::Invalid { kind, field, params },
        other => other,
    })?;
    Ok(Frame {
        file: file.to_owned(),
        format: format.to_owned(),
        width,
        height,
        bytes: bytes.len() as u64,
    })
}

/// The picture as the create body carries it: plain base64, no `data:` prefix (Kling's rule).
pub fn base64(videos_dir: &Path, frame: &Frame) -> Result<String> {
    let bytes = std::fs::read(videos_dir.join(&frame.file))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// Only names `keep` makes are read back (a request cannot point at any other file) or tidied.
pub fn is_kept_name(file: &str) -> bool {
    file.strip_prefix(PREFIX).is_some_and(|rest| {
        rest.split_once('.').is_some_and(|(hex, ext)| {
            hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit()) && matches!(ext, "png" | "jpg" | "webp")
        })
    })
}

/// The aspect ratio of `limits` nearest to a picture's shape: what the video will look like.
pub fn nearest_ratio(frame: &Frame, ratios: &[&'static str]) -> &'static str {
    let value = |r: &str| {
        r.split_once(':')
            .and_then(|(w, h)| Some(w.parse::<f64>().ok()? / h.parse::<f64>().ok()?))
            .unwrap_or(1.0)
    };
    ratios
        .iter()
        .copied()
        .min_by(|a, b| {
            let distance = |r: &str| (value(r).ln() - frame.ratio().ln()).abs();
            distance(a).total_cmp(&distance(b))
        })
        .unwrap_or("16:9")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_kept_names_are_read_back() {
        assert!(is_kept_name("frame-0123456789abcdef0123456789abcdef.png"));
        for bad in [
            "../frame-0123456789abcdef0123456789abcdef.png",
            "frame-0123456789abcdef0123456789abcdef.mp4",
            "frame-short.png",
            "video.mp4",
        ] {
            assert!(!is_kept_name(bad), "{bad}");
        }
    }
}
