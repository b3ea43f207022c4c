//! Spend and prices: what the videos cost (core's `ledger`), the cost line with the monthly
//! budget before Generate, the price table with the user's own prices, and the ledger as CSV.
//! The sums read the library in front; the user's prices and budget are theirs, so they live in
//! their own library and settings, and demo mode (nothing paid) has no budget.

use kling_core::generation::now_ms;
use kling_core::ledger::{self, BudgetCheck, CostCheck, PriceKey, RateCard, RateTable, Spend};
use kling_core::GenerationRequest;
use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime, State};

use super::{file_dialog, off_the_window};
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

const LEDGER_STOPPED: &str = "the ledger stopped";

fn budget_in_force<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> Option<f64> {
    (!state.is_demo())
        .then(|| Settings::load(app).monthly_budget_cents)
        .flatten()
}

#[tauri::command]
pub async fn spend<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    utc_offset_minutes: i32,
) -> Result<SpendView> {
    let (engine, budget) = (state.engine(), budget_in_force(&app, &state));
    off_the_window(LEDGER_STOPPED, move || -> kling_core::Result<SpendView> {
        let spend = ledger::spend(&engine.library().ledger_entries()?, now_ms(), utc_offset_minutes);
        let budget = spend.budget(None, budget);
        Ok(SpendView { spend, budget })
    })
    .await
}

#[tauri::command]
pub async fn cost_check<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: GenerationRequest,
    utc_offset_minutes: i32,
) -> Result<CostCheck> {
    let (own, engine, budget) = (state.own_engine(), state.engine(), budget_in_force(&app, &state));
    off_the_window(LEDGER_STOPPED, move || {
        let card = RateCard::load(own.library())?;
        ledger::cost_check(&card, engine.library(), &request, budget, now_ms(), utc_offset_minutes)
    })
    .await
}

#[tauri::command]
pub fn rate_card(state: State<'_, AppState>) -> Result<RateTable> {
    Ok(RateCard::load(state.own_engine().library())?.table())
}

#[tauri::command]
pub fn set_user_price(state: State<'_, AppState>, key: PriceKey, usd_cents: f64) -> Result<()> {
    Ok(state.own_engine().library().set_user_price(&key, usd_cents)?)
}

#[tauri::command]
pub fn clear_user_price(state: State<'_, AppState>, key: PriceKey) -> Result<()> {
    Ok(state.own_engine().library().clear_user_price(&key)?)
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
    let dialog = file_dialog(&app, title, [app.path().document_dir()])
        .set_file_name(ledger::csv_file_name(now_ms(), utc_offset_minutes))
        .add_filter("CSV", &["csv"]);
    dialog.save_file(move |path| {
        let _ = chosen.send(path.and_then(|path| path.into_path().ok()));
    });
    let Some(path) = answer.await.ok().flatten() else {
        return Ok(None);
    };
    let engine = state.engine();
    off_the_window(LEDGER_STOPPED, move || -> kling_core::Result<Option<String>> {
        ledger::save_csv(&path, &engine.library().ledger_entries()?, utc_offset_minutes)?;
        Ok(Some(path.display().to_string()))
    })
    .await
}
