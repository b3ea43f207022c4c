//! Spend: what the videos and the prompt coach cost, estimated; every figure is an estimate.
//!
//! `rate_card` prices a video (the shipped table, with the user's own prices over it), `entries`
//! turns the library's generations and chat calls into one entry each and decides what was
//! charged, `sums` adds them up per local day and month, `budget` checks the next Generate
//! against the monthly budget, and `csv` writes the ledger out.
//!
//! Deleted videos were paid for, so they stay in the ledger, also after their rows are purged
//! (`Library::ledger_entries`). The shell reads it in one line:
//! `ledger::spend(&library.ledger_entries()?, now_ms, utc_offset_minutes)`.

pub mod budget;
mod csv;
mod entries;
pub mod rate_card;
mod sums;

pub use budget::{cost_check, BudgetCheck, BudgetState, CostCheck};
pub use csv::{csv, csv_file_name, save_csv, CSV_HEADER};
pub(crate) use entries::VideoRow;
pub use entries::{Charged, Entry, EntryKind};
pub use rate_card::{CostEstimate, PriceKey, PriceSource, Priced, RateCard, RateRow, RateTable, UserPrice};
pub use sums::{spend, ChatSum, DaySum, ModelSum, MonthSum, Spend, Sum, DAYS_SHOWN};
