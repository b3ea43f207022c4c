//! Image to video and continued clips: the start and end pictures the composer takes (pasted,
//! dropped or picked), kept in the library by core, and the chain of a continued clip.

use kling_core::engine::{FrameView, Lineage};
use kling_core::rules::IMAGE_LIMITS;
use tauri::{AppHandle, Manager, Runtime, State};

use super::{file_dialog, off_the_window};
use crate::error::Result;
use crate::AppState;
use kling_core::Kind;

const PICTURE_STOPPED: &str = "reading the picture stopped";

/// A pasted picture, as raw bytes: checked by the image rules and kept in the library. Off the
/// window's thread: a 10 MB picture is hashed and written.
#[tauri::command]
pub async fn keep_frame(state: State<'_, AppState>, request: tauri::ipc::Request<'_>) -> Result<FrameView> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(kling_core::Error::invalid(Kind::ImageUnreadable, "image").into());
    };
    let (engine, bytes) = (state.engine(), bytes.clone());
    off_the_window(PICTURE_STOPPED, move || engine.keep_frame(&bytes)).await
}

/// A dropped picture file, read, checked and kept in the library.
#[tauri::command]
pub async fn keep_frame_file(state: State<'_, AppState>, path: String) -> Result<FrameView> {
    let engine = state.engine();
    off_the_window(PICTURE_STOPPED, move || {
        engine.keep_frame_file(std::path::Path::new(&path))
    })
    .await
}

/// The system's file picker for a picture (PNG, JPEG, WebP), over the window, starting in
/// Pictures; the chosen file is kept like a dropped one. `None` when the user closed the picker.
#[tauri::command]
pub async fn pick_frame<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    title: String,
    filter: String,
) -> Result<Option<FrameView>> {
    let (chosen, answer) = tokio::sync::oneshot::channel();
    let extensions: Vec<&str> = IMAGE_LIMITS
        .formats
        .iter()
        .flat_map(|format| {
            if *format == "jpeg" {
                vec!["jpg", "jpeg"]
            } else {
                vec![*format]
            }
        })
        .collect();
    file_dialog(&app, title, [app.path().picture_dir(), app.path().home_dir()])
        .add_filter(filter, &extensions)
        .pick_file(move |file| {
            let _ = chosen.send(file.and_then(|file| file.into_path().ok()));
        });
    let Some(path) = answer.await.ok().flatten() else {
        return Ok(None);
    };
    let engine = state.engine();
    off_the_window(PICTURE_STOPPED, move || engine.keep_frame_file(&path))
        .await
        .map(Some)
}

/// What a clip continues and what continues it, for the detail view.
#[tauri::command]
pub async fn lineage(state: State<'_, AppState>, id: String) -> Result<Lineage> {
    let engine = state.engine();
    off_the_window("reading what the clip continues stopped", move || engine.lineage(&id)).await
}
