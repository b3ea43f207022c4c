//! The tools under the prompt box: Improve prompt (core's `coach`), snippets and earlier prompts.
//! The coach and the history follow the library in front (demo mode has its own); the user's own
//! snippets are kept in their own library, so the demo shows them too and never loses them.

use kling_core::coach::{self, ChatEstimate, CoachRequest, Suggestion};
use kling_core::library::PastPrompt;
use kling_core::snippets::{self, Inserted, Snippet};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

use super::off_the_window;
use crate::error::Result;
use crate::settings::Settings;
use crate::AppState;

/// The chat model in force: the one chosen in Settings, else core's inexpensive default.
fn chat_model<R: Runtime>(app: &AppHandle<R>) -> String {
    coach::chat_model_setting(Settings::load(app).coach_model.as_deref())
}

/// Sends the prompt to the chat model in Settings; nothing goes to Kling.
#[tauri::command]
pub async fn improve_prompt<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: CoachRequest,
) -> Result<Suggestion> {
    let request = CoachRequest {
        model: chat_model(&app),
        ..request
    };
    Ok(state.engine().improve_prompt(&request).await?)
}

#[tauri::command]
pub fn coach_estimate<R: Runtime>(app: AppHandle<R>, prompt: String) -> ChatEstimate {
    coach::estimate(&chat_model(&app), &prompt)
}

#[derive(Debug, Serialize)]
pub struct SnippetList {
    pub builtin: Vec<Snippet>,
    pub own: Vec<Snippet>,
}

#[tauri::command]
pub fn snippets(state: State<'_, AppState>, language: String) -> Result<SnippetList> {
    Ok(SnippetList {
        builtin: snippets::builtin_snippets(&language),
        own: state.own_engine().library().own_snippets()?,
    })
}

#[tauri::command]
pub fn insert_snippet(prompt: String, cursor: usize, text: String) -> Result<Inserted> {
    Ok(snippets::insert_snippet(
        &prompt,
        cursor,
        &text,
        kling_core::rules::COMETAPI_LIMITS.prompt_max_chars,
    )?)
}

/// Saves a phrase of the user's, named after its first words.
#[tauri::command]
pub fn add_snippet(state: State<'_, AppState>, text: String) -> Result<Snippet> {
    Ok(state.own_engine().library().add_snippet("", &text)?)
}

#[tauri::command]
pub fn rename_snippet(state: State<'_, AppState>, id: String, name: String) -> Result<Snippet> {
    Ok(state.own_engine().library().rename_snippet(&id, &name)?)
}

#[tauri::command]
pub fn delete_snippet(state: State<'_, AppState>, id: String) -> Result<()> {
    Ok(state.own_engine().library().delete_snippet(&id)?)
}

#[tauri::command]
pub async fn prompt_history(
    state: State<'_, AppState>,
    query: String,
    limit: Option<usize>,
) -> Result<Vec<PastPrompt>> {
    let engine = state.engine();
    off_the_window("the prompt history stopped", move || {
        engine.library().prompt_history(&query, limit.unwrap_or(30))
    })
    .await
}
