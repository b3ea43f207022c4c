//! Compare: two ready videos of the library in front, with what differs between them (core's
//! `compare`).

use kling_core::compare::Compared;
use tauri::State;

use super::off_the_window;
use crate::error::Result;
use crate::AppState;

#[tauri::command]
pub async fn compare_generations(state: State<'_, AppState>, a: String, b: String) -> Result<Compared> {
    let engine = state.engine();
    off_the_window("the comparison stopped", move || engine.compare(&a, &b)).await
}
