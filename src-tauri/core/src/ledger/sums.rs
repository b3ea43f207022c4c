//! What was spent per day and per month, in the user's local calendar, from the ledger's entries.
//!
//! Only charged videos are summed; a video whose price is unknown is counted in `unknown_prices`
//! and adds nothing, so a sum is "this much, plus N of unknown price", never a zero that looks
//! like a price. Videos that were not charged, and those that may have been, are counted apart.
//! Chat calls of the prompt coach are summed on their own.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, Offset, Utc};
use serde::Serialize;

use super::entries::{Charged, Entry, EntryKind};
use super::rate_card::PRICES_AS_OF;
use crate::generation::Status;

/// How many days, today included, the day list covers.
pub const DAYS_SHOWN: u64 = 30;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Sum {
    /// The known prices added up, in US cents.
    pub cents: f64,
    /// Charged videos, those of unknown price included.
    pub videos: u32,
    /// Charged videos whose price is unknown: counted here, not added to `cents`.
    pub unknown_prices: u32,
}

impl Sum {
    fn add(&mut self, price: Option<f64>) {
        self.videos += 1;
        match price {
            Some(cents) => self.cents += cents,
            None => self.unknown_prices += 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DaySum {
    /// The local calendar day, `YYYY-MM-DD`.
    pub date: String,
    #[serde(flatten)]
    pub sum: Sum,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSum {
    pub model: String,
    pub mode: String,
    #[serde(flatten)]
    pub sum: Sum,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthSum {
    /// The local calendar month, `YYYY-MM`.
    pub month: String,
    #[serde(flatten)]
    pub sum: Sum,
    /// By model and mode, in that order.
    pub by_model: Vec<ModelSum>,
}

/// The prompt coach's calls this month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ChatSum {
    pub calls: u32,
    pub cents: f64,
    pub unknown_prices: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spend {
    pub today: Sum,
    pub this_month: Sum,
    /// The last `DAYS_SHOWN` local days, today first, each one listed even when nothing was spent.
    pub days: Vec<DaySum>,
    /// Every month with a charged video, newest first.
    pub months: Vec<MonthSum>,
    /// Videos the provider never charged for (refused or cancelled), all time.
    pub not_charged: u32,
    /// Videos that may have been charged (a create whose fate is unknown), all time.
    pub maybe_charged: u32,
    /// Videos on their way that are not charged yet, or not known to be (waiting in the queue,
    /// being sent, unsettled): the budget counts them as spent, since they will be.
    pub pending: Sum,
    pub chat: ChatSum,
    pub prices_as_of: &'static str,
}

/// One month's sum while the entries are read, by model and mode too.
#[derive(Default)]
struct MonthTally<'a> {
    sum: Sum,
    by_model: BTreeMap<(&'a str, &'a str), Sum>,
}

/// The user's time zone as the window reports it. An offset of a day or more is no time zone
/// on Earth; it counts as UTC rather than failing the whole view.
pub(crate) fn local_zone(utc_offset_minutes: i32) -> FixedOffset {
    FixedOffset::east_opt(utc_offset_minutes.saturating_mul(60)).unwrap_or(Utc.fix())
}

/// The local calendar day of `ms` (Unix ms, UTC) in `zone`.
pub(crate) fn local_day(ms: i64, zone: FixedOffset) -> NaiveDate {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&zone)
        .date_naive()
}

/// Sums `entries` by local day and month for a window `utc_offset_minutes` east of UTC, with
/// "today" and "this month" as of `now_ms`.
pub fn spend(entries: &[Entry], now_ms: i64, utc_offset_minutes: i32) -> Spend {
    let zone = local_zone(utc_offset_minutes);
    let today = local_day(now_ms, zone);
    let this_month = (today.year(), today.month());
    let mut days: Vec<DaySum> = (0..DAYS_SHOWN)
        .map(|back| DaySum {
            date: (today - Days::new(back)).format("%Y-%m-%d").to_string(),
            sum: Sum::default(),
        })
        .collect();
    let mut months: BTreeMap<(i32, u32), MonthTally> = BTreeMap::new();
    let mut spend = Spend {
        today: Sum::default(),
        this_month: Sum::default(),
        days: Vec::new(),
        months: Vec::new(),
        not_charged: 0,
        maybe_charged: 0,
        pending: Sum::default(),
        chat: ChatSum::default(),
        prices_as_of: PRICES_AS_OF,
    };
    for entry in entries {
        let day = local_day(entry.made_at, zone);
        let month = (day.year(), day.month());
        match (entry.kind, entry.charged) {
            (EntryKind::Chat, _) => {
                if month == this_month {
                    spend.chat.calls += 1;
                    match entry.usd_cents {
                        Some(cents) => spend.chat.cents += cents,
                        None => spend.chat.unknown_prices += 1,
                    }
                }
            }
            (EntryKind::Video, Charged::NotCharged) if entry.status == Some(Status::Queued) => {
                spend.pending.add(entry.usd_cents);
            }
            (EntryKind::Video, Charged::NotCharged) => spend.not_charged += 1,
            (EntryKind::Video, Charged::Unknown) => {
                spend.maybe_charged += 1;
                if matches!(entry.status, Some(Status::Submitting | Status::NeedsCheck)) {
                    spend.pending.add(entry.usd_cents);
                }
            }
            (EntryKind::Video, Charged::Charged) => {
                if day == today {
                    spend.today.add(entry.usd_cents);
                }
                if month == this_month {
                    spend.this_month.add(entry.usd_cents);
                }
                let back = (today - day).num_days();
                if let Some(slot) = usize::try_from(back).ok().and_then(|back| days.get_mut(back)) {
                    slot.sum.add(entry.usd_cents);
                }
                let tally = months.entry(month).or_default();
                tally.sum.add(entry.usd_cents);
                let mode = entry.mode.as_deref().unwrap_or_default();
                tally
                    .by_model
                    .entry((&entry.model, mode))
                    .or_default()
                    .add(entry.usd_cents);
            }
        }
    }
    spend.days = days;
    spend.months = months
        .into_iter()
        .rev()
        .map(|((year, month), tally)| MonthSum {
            month: format!("{year:04}-{month:02}"),
            sum: tally.sum,
            by_model: tally
                .by_model
                .into_iter()
                .map(|((model, mode), sum)| ModelSum {
                    model: model.to_owned(),
                    mode: mode.to_owned(),
                    sum,
                })
                .collect(),
        })
        .collect();
    spend
}
