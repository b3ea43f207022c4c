//! Spend and prices: what the videos cost (core's `ledger`), the cost line with the monthly
//! budget before Generate, the price table with the user's own prices, and the ledger as CSV.
//! All of it reads the library in front; the budget is a setting.

use kling_core::generation::now_ms;
use kling_core::ledger::{self, BudgetCheck, CostEstimate, PriceKey, RateCard, RateTable, Spend};
use kling_core::GenerationRequest;
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};
use tauri_plugin_dialog::DialogExt;

use crate::error::Result;
use crate::settings::Settings;
use crate::AppState;

/// The Spend view: sums per day and month, and where the month stands against the budget.
#[derive(Debug, Serialize)]
pub struct SpendView {
    #[serde(flatten)]
    pub spend: Spend,
    pub budget: BudgetCheck,
}

fn spend_now(state: &AppState, utc_offset_minutes: i32) -> Result<Spend> {
    let entries = state.engine().library().ledger_entries()?;
    Ok(ledger::spend(&entries, now_ms(), utc_offset_minutes))
}

#[tauri::command]
pub fn spend<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, utc_offset_minutes: i32) -> Result<SpendView> {
    let spend = spend_now(&state, utc_offset_minutes)?;
    let budget = spend.budget(None, Settings::load(&app).monthly_budget_cents);
    Ok(SpendView { spend, budget })
}

/// The cost line before Generate: what the request's takes cost, and whether that passes the budget.
#[derive(Debug, Serialize)]
pub struct CostCheck {
    pub estimate: CostEstimate,
    pub budget: BudgetCheck,
}

#[tauri::command]
pub fn cost_check<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: GenerationRequest,
    utc_offset_minutes: i32,
) -> Result<CostCheck> {
    let card = RateCard::load(state.engine().library())?;
    let estimate = card.estimate(&request, kling_core::request::takes(&request)?);
    // The month's sums read every row: only worth it when there is a budget to hold them against.
    let budget = match Settings::load(&app).monthly_budget_cents {
        Some(cents) => spend_now(&state, utc_offset_minutes)?.budget(estimate.total_cents, Some(cents)),
        None => ledger::budget::check(0.0, 0, estimate.total_cents, None),
    };
    Ok(CostCheck { estimate, budget })
}

#[tauri::command]
pub fn rate_card(state: State<'_, AppState>) -> Result<RateTable> {
    Ok(RateCard::load(state.engine().library())?.table())
}

#[tauri::command]
pub fn set_user_price(state: State<'_, AppState>, key: PriceKey, usd_cents: f64) -> Result<()> {
    Ok(state.engine().library().set_user_price(&key, usd_cents)?)
}

#[tauri::command]
pub fn clear_user_price(state: State<'_, AppState>, key: PriceKey) -> Result<()> {
    Ok(state.engine().library().clear_user_price(&key)?)
}

/// Asks where to save the ledger (the system's save dialog) and writes it there → the path, or
/// `None` when the user closed the dialog.
#[tauri::command]
pub async fn export_ledger<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    title: String,
    utc_offset_minutes: i32,
) -> Result<Option<String>> {
    let (chosen, answer) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_title(title)
        .set_file_name(ledger::csv_file_name(now_ms(), utc_offset_minutes))
        .add_filter("CSV", &["csv"]);
    if let Some(dir) = app.path().document_dir().ok().filter(|dir| dir.is_dir()) {
        dialog = dialog.set_directory(dir);
    }
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog.save_file(move |path| {
        let _ = chosen.send(path.and_then(|path| path.into_path().ok()));
    });
    let Some(path) = answer.await.ok().flatten() else {
        return Ok(None);
    };
    let entries = state.engine().library().ledger_entries()?;
    ledger::save_csv(&path, &entries, utc_offset_minutes)?;
    Ok(Some(path.display().to_string()))
}
