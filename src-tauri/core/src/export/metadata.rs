//! What an exported MP4 says about itself, in the iTunes-style atoms players and file managers
//! show: a title, the prompt as comment and description, and in a freeform atom of our own the
//! settings it was made with, so that dropping the file on the composer can offer them again.
//! Only the metadata atoms change: the video data is moved as it is, never re-encoded.

use std::path::Path;

use mp4ameta::ident::FreeformIdentStatic;
use mp4ameta::{Data, FreeformIdent, ReadConfig, Tag, WriteConfig};
use serde::{Deserialize, Serialize};

use super::naming::{first_words, WORDS_MAX_BYTES};
use crate::error::{Error, Result};
use crate::generation::Generation;
use crate::problem::Kind;
use crate::request::{GenerationRequest, ValidRequest};

/// The freeform atom that holds the settings (`----`, mean and name).
const SETTINGS: FreeformIdentStatic = FreeformIdent::new_static("app.klingdesk", "request");

/// The version of what the settings atom holds; a reader takes any version whose `request` it
/// can read.
const SETTINGS_FORMAT: u32 = 1;

#[derive(Serialize)]
struct StoredSettings<'a> {
    format: u32,
    request: &'a ValidRequest,
}

#[derive(Deserialize)]
struct ReadSettings {
    request: ValidRequest,
}

/// Writes the title, the prompt and the settings into the MP4 at `path`, keeping every other
/// metadata item it has. A recovered video, made from a prompt nobody knows, gets no settings. A
/// file mp4ameta cannot read as an MP4 is left as it is: it is still the user's video, and the
/// sidecar still has its settings.
pub(super) fn write(path: &Path, generation: &Generation) -> std::io::Result<()> {
    match tag(path, generation) {
        Ok(()) => Ok(()),
        Err(e) => io_failure(e).map_or(Ok(()), Err),
    }
}

fn tag(path: &Path, generation: &Generation) -> mp4ameta::Result<()> {
    let read = ReadConfig {
        read_meta_items: true,
        read_image_data: true,
        ..ReadConfig::NONE
    };
    let mut tag = Tag::read_with_path(path, &read)?;
    let prompt = &generation.request.prompt;
    match &generation.title {
        Some(title) => tag.set_title(title),
        None if !prompt.is_empty() => tag.set_title(first_words(prompt, WORDS_MAX_BYTES)),
        None => {}
    }
    if !prompt.is_empty() {
        tag.set_comment(prompt);
        tag.set_description(prompt);
        let settings = StoredSettings {
            format: SETTINGS_FORMAT,
            request: &generation.request,
        };
        let json = serde_json::to_string(&settings).expect("a request always serializes");
        tag.set_data(SETTINGS, Data::Utf8(json));
    }
    let write = WriteConfig {
        write_meta_items: true,
        ..WriteConfig::NONE
    };
    tag.write_with_path(path, &write)
}

/// The settings an MP4 exported by Kling Desk was made with, for "Use these settings" when it is
/// dropped on the composer. `NoSettingsInVideo` for any other file, MP4 or not, and for one that
/// cannot be read.
pub fn settings_in_video(path: &Path) -> Result<GenerationRequest> {
    let none = || Error::invalid(Kind::NoSettingsInVideo, "video");
    let read = ReadConfig {
        read_meta_items: true,
        ..ReadConfig::NONE
    };
    let tag = Tag::read_with_path(path, &read).map_err(|_| none())?;
    let stored = tag.strings_of(&SETTINGS).next().ok_or_else(none)?;
    let settings: ReadSettings = serde_json::from_str(stored).map_err(|_| none())?;
    Ok(GenerationRequest::from(&settings.request))
}

/// The I/O failure behind `error`; `None` when the file is simply not an MP4 mp4ameta can read
/// (one too short for an MP4 ends while its first atom is read).
fn io_failure(error: mp4ameta::Error) -> Option<std::io::Error> {
    match error.kind {
        mp4ameta::ErrorKind::Io(e) if e.kind() != std::io::ErrorKind::UnexpectedEof => Some(e),
        _ => None,
    }
}
