//! The result clips, embedded so the emulator binary stands alone.
//!
//! They are written once per emulator into a temporary directory so tower-http's `ServeFile` can serve
//! them: Range, HEAD, 416 and the headers then come from a well-kept library instead of our own code.

use std::path::{Path, PathBuf};

/// One real H.264 clip per aspect ratio and duration the limits allow.
const CLIPS: &[(&str, &[u8])] = &[
    ("16x9-5s.mp4", include_bytes!("../fixtures/media/16x9-5s.mp4")),
    ("16x9-10s.mp4", include_bytes!("../fixtures/media/16x9-10s.mp4")),
    ("9x16-5s.mp4", include_bytes!("../fixtures/media/9x16-5s.mp4")),
    ("9x16-10s.mp4", include_bytes!("../fixtures/media/9x16-10s.mp4")),
    ("1x1-5s.mp4", include_bytes!("../fixtures/media/1x1-5s.mp4")),
    ("1x1-10s.mp4", include_bytes!("../fixtures/media/1x1-10s.mp4")),
    ("4x3-5s.mp4", include_bytes!("../fixtures/media/4x3-5s.mp4")),
    ("4x3-10s.mp4", include_bytes!("../fixtures/media/4x3-10s.mp4")),
    ("3x4-5s.mp4", include_bytes!("../fixtures/media/3x4-5s.mp4")),
    ("3x4-10s.mp4", include_bytes!("../fixtures/media/3x4-10s.mp4")),
    ("3x2-5s.mp4", include_bytes!("../fixtures/media/3x2-5s.mp4")),
    ("3x2-10s.mp4", include_bytes!("../fixtures/media/3x2-10s.mp4")),
    ("2x3-5s.mp4", include_bytes!("../fixtures/media/2x3-5s.mp4")),
    ("2x3-10s.mp4", include_bytes!("../fixtures/media/2x3-10s.mp4")),
];

pub(crate) fn write_clips(dir: &Path) -> std::io::Result<()> {
    for (name, bytes) in CLIPS {
        std::fs::write(dir.join(name), bytes)?;
    }
    Ok(())
}

fn clip_name(aspect_ratio: &str, duration: &str) -> String {
    format!("{}-{duration}s.mp4", aspect_ratio.replace(':', "x"))
}

/// `"16:9"` and `"5"` → `<dir>/16x9-5s.mp4`, if such a clip exists.
pub(crate) fn clip_path(dir: &Path, aspect_ratio: &str, duration: &str) -> Option<PathBuf> {
    let name = clip_name(aspect_ratio, duration);
    CLIPS.iter().any(|(n, _)| *n == name).then(|| dir.join(name))
}

/// The bytes a task with this aspect ratio and duration delivers, so tests can compare a saved
/// video with what was served.
pub fn clip(aspect_ratio: &str, duration: &str) -> Option<&'static [u8]> {
    let name = clip_name(aspect_ratio, duration);
    CLIPS.iter().find(|(n, _)| *n == name).map(|(_, bytes)| *bytes)
}
