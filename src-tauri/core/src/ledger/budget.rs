//! The optional monthly budget: whether the next Generate would pass it, said before the click.
//! The shell keeps the budget as a setting; the arithmetic is here.

use serde::Serialize;
use serde_json::json;

use super::rate_card::{CostEstimate, RateCard};
use super::sums::{spend, Spend};
use crate::error::{Error, Result};
use crate::library::Library;
use crate::problem::Kind;
use crate::request::{self, GenerationRequest};
use crate::rules::{GenerationKind, EXTEND_LIMITS};

/// The highest monthly budget: US$10,000.
pub const MAX_BUDGET_CENTS: f64 = 1_000_000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetState {
    NoBudget,
    /// The next Generate stays within the budget, or its price is unknown.
    Within,
    WouldPass,
    /// The month's spending has reached the budget already.
    Passed,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BudgetCheck {
    pub state: BudgetState,
    pub budget_cents: Option<f64>,
    /// This month so far (known prices).
    pub spent_cents: f64,
    /// After the next Generate; `None` when its price is unknown.
    pub after_cents: Option<f64>,
    /// Videos this month whose price is unknown: the real spending is higher than `spent_cents`.
    pub unknown_prices: u32,
}

/// Amounts are compared in thousandths of a cent, so the binary rounding of decimal prices
/// (0.1 + 0.2) cannot tip a budget one way or the other.
fn thousandths(cents: f64) -> i64 {
    (cents * 1000.0).round() as i64
}

/// Whether the next Generate, costing `next` cents (`None`: unknown), would pass `budget_cents`
/// after `month_spent_cents` spent this month. A next price that is unknown cannot be said to pass.
pub fn check(month_spent_cents: f64, month_unknown: u32, next: Option<f64>, budget_cents: Option<f64>) -> BudgetCheck {
    let after_cents = next.map(|next| month_spent_cents + next);
    let state = match budget_cents {
        None => BudgetState::NoBudget,
        Some(budget) if thousandths(month_spent_cents) >= thousandths(budget) => BudgetState::Passed,
        Some(budget) if after_cents.is_some_and(|after| thousandths(after) > thousandths(budget)) => {
            BudgetState::WouldPass
        }
        Some(_) => BudgetState::Within,
    };
    BudgetCheck {
        state,
        budget_cents,
        spent_cents: month_spent_cents,
        after_cents,
        unknown_prices: month_unknown,
    }
}

/// A budget setting as entered: none, or above zero and at most `MAX_BUDGET_CENTS`.
pub fn budget_setting(budget_cents: Option<f64>) -> Result<Option<f64>> {
    match budget_cents {
        Some(cents) if !cents.is_finite() || cents <= 0.0 || cents > MAX_BUDGET_CENTS => Err(Error::invalid_with(
            Kind::BudgetInvalid,
            "budget",
            &[("min", json!(0)), ("max", json!(MAX_BUDGET_CENTS / 100.0))],
        )),
        valid => Ok(valid),
    }
}

/// The cost line before Generate: what the request's takes cost, and where that leaves the budget.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostCheck {
    pub estimate: CostEstimate,
    pub budget: BudgetCheck,
}

/// Prices `request` (with its takes) by `card` and, when there is a budget, holds it against the
/// month's spending in `library` (every row is read, so only then).
pub fn cost_check(
    card: &RateCard,
    library: &Library,
    request: &GenerationRequest,
    budget_cents: Option<f64>,
    now_ms: i64,
    utc_offset_minutes: i32,
) -> Result<CostCheck> {
    let estimate = card.estimate(&priced_as(request, library)?, request::takes(request)?);
    let budget = match budget_cents {
        Some(_) => {
            spend(&library.ledger_entries()?, now_ms, utc_offset_minutes).budget(estimate.total_cents, budget_cents)
        }
        None => check(0.0, 0, estimate.total_cents, None),
    };
    Ok(CostCheck { estimate, budget })
}

/// The request a price is read for: a continuation is priced by its parent's model and mode and
/// what it adds, whatever the form still says.
fn priced_as(request: &GenerationRequest, library: &Library) -> Result<GenerationRequest> {
    let parent = match (request.kind(), request.parent_id.as_deref()) {
        (GenerationKind::Extend, Some(id)) => library.get(id)?,
        _ => None,
    };
    Ok(match parent {
        Some(parent) => GenerationRequest {
            model_name: Some(parent.request.model_name),
            mode: Some(parent.request.mode),
            duration: Some(EXTEND_LIMITS.priced_duration.to_owned()),
            sound: None,
            ..request.clone()
        },
        None => request.clone(),
    })
}

impl Spend {
    /// The budget check for this month: the videos, those still on their way (takes waiting for
    /// a free slot are paid for minutes later) and the prompt coach's calls together.
    pub fn budget(&self, next: Option<f64>, budget_cents: Option<f64>) -> BudgetCheck {
        check(
            self.this_month.cents + self.pending.cents + self.chat.cents,
            self.this_month.unknown_prices + self.pending.unknown_prices + self.chat.unknown_prices,
            next,
            budget_cents,
        )
    }
}
