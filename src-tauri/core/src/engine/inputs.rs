//! What a request points at in the library (its kept pictures, the clip it continues), read
//! before the rules judge it, and the chains of continued clips.

use std::path::Path;

use serde::Serialize;

use super::Engine;
use crate::continuation;
use crate::error::{Error, Result};
use crate::frames::{self, Frame};
use crate::generation::{now_ms, Generation};
use crate::problem::Kind;
use crate::request::{self, GenerationRequest, Inputs, ValidRequest};
use crate::rules::{GenerationKind, EXTEND_LIMITS};

/// A kept picture and where the window can show it.
#[derive(Debug, Clone, Serialize)]
pub struct FrameView {
    #[serde(flatten)]
    pub frame: Frame,
    pub url: Option<String>,
}

/// A clip's place in its chain: what it continues, oldest first, and what continues it.
#[derive(Debug, Clone, Serialize)]
pub struct Lineage {
    pub ancestors: Vec<Generation>,
    pub continuations: Vec<Generation>,
}

impl Engine {
    /// Validates `request` with what it points at read from the library: what Generate and the
    /// form's check both go through.
    pub fn check(&self, request: &GenerationRequest) -> Result<ValidRequest> {
        request::validate_with(request, self.inner.limits, &self.inputs(request)?)
    }

    fn inputs(&self, request: &GenerationRequest) -> Result<Inputs> {
        let dir = self.inner.library.videos_dir();
        let frame = |name: &Option<String>, field| name.as_deref().map(|n| frames::open(&dir, n, field)).transpose();
        let parent = match request.parent_id.as_deref() {
            Some(id) if request.kind() == GenerationKind::Extend => {
                let parent = self
                    .inner
                    .library
                    .get(id)?
                    .ok_or_else(|| Error::invalid(Kind::ParentMissing, "parent_id"))?;
                Some(continuation::extendable(&parent, now_ms())?)
            }
            _ => None,
        };
        Ok(Inputs {
            image: frame(&request.image, "image")?,
            image_tail: frame(&request.image_tail, "image_tail")?,
            parent,
        })
    }

    /// Checks a pasted picture and keeps a copy in the library.
    pub fn keep_frame(&self, bytes: &[u8]) -> Result<FrameView> {
        Ok(self.frame_view(frames::keep(&self.inner.library.videos_dir(), bytes)?))
    }

    /// Checks a dropped or picked picture file and keeps a copy in the library.
    pub fn keep_frame_file(&self, path: &Path) -> Result<FrameView> {
        Ok(self.frame_view(frames::keep_file(&self.inner.library.videos_dir(), path)?))
    }

    fn frame_view(&self, frame: Frame) -> FrameView {
        FrameView {
            url: self.frame_url(&frame),
            frame,
        }
    }

    pub(super) fn frame_url(&self, frame: &Frame) -> Option<String> {
        self.inner
            .media_base
            .as_ref()
            .map(|base| format!("{base}/{}", frame.file))
    }

    /// The clips `id` continues (followed back through the chain) and the ones continuing it.
    pub fn lineage(&self, id: &str) -> Result<Lineage> {
        let library = &self.inner.library;
        let mut ancestors = Vec::new();
        let mut next = library.get(id)?.and_then(|g| g.request.parent).map(|p| p.generation_id);
        // A chain cannot be longer than the total length allows: a loop in a damaged catalog ends.
        let longest = (EXTEND_LIMITS.max_total_seconds / EXTEND_LIMITS.adds_seconds) as usize + 1;
        while let Some(parent_id) = next.filter(|_| ancestors.len() < longest) {
            let Some(parent) = library.get(&parent_id)? else { break };
            next = parent.request.parent.as_ref().map(|p| p.generation_id.clone());
            ancestors.push(self.view(parent));
        }
        ancestors.reverse();
        let continuations = library.continuations(id)?.into_iter().map(|g| self.view(g)).collect();
        Ok(Lineage {
            ancestors,
            continuations,
        })
    }
}
