//! Poster images: the window captures a frame of a ready video (a canvas in the webview, so the
//! user's machine needs no ffmpeg) and hands the JPEG over; the gallery then shows an image instead
//! of keeping a video pipeline per card.

use super::Engine;
use crate::error::{Error, Result};
use crate::generation::{Generation, Status};
use crate::problem::Kind;

/// A poster is a small JPEG; anything larger is not one of ours.
pub const MAX_POSTER_BYTES: usize = 2 << 20;

impl Engine {
    /// Stores `jpeg` as the poster of a ready generation, beside its video, and returns the record.
    pub fn save_poster(&self, id: &str, jpeg: &[u8]) -> Result<Generation> {
        if jpeg.len() > MAX_POSTER_BYTES || !jpeg.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Err(Error::invalid(Kind::PosterInvalid, "poster"));
        }
        let library = &self.inner.library;
        let mut generation = self.settle_only(id, &[Status::Ready])?;
        // Written aside and renamed, so a poster file is always whole; named by our own id.
        let part = library.incoming_dir().join(format!("{id}.jpg.part"));
        std::fs::write(&part, jpeg)?;
        std::fs::rename(&part, library.videos_dir().join(format!("{id}.jpg")))?;
        generation.poster_file = Some(format!("videos/{id}.jpg"));
        self.commit(&mut generation)?;
        Ok(self.view(generation))
    }
}
