//! Compare: two ready videos of the library in front, with what differs between them (core's
//! `compare`).

use kling_core::compare::Compared;
use tauri::State;

use crate::error::Result;
use crate::AppState;

#[tauri::command(async)]
pub fn compare_generations(state: State<'_, AppState>, a: String, b: String) -> Result<Compared> {
    Ok(state.engine().compare(&a, &b)?)
}
