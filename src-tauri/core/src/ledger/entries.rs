//! One ledger entry per generation and per chat call of the prompt coach, and the rule of what
//! was charged.
//!
//! What was charged, from what the library knows (every amount an estimate):
//! - The provider accepted the task (it has a task id), or the generation is past that point:
//!   **charged**, also when the video later failed, expired or was deleted.
//! - Nothing reached the provider (cancelled in the local queue, or still waiting there), or the
//!   provider refused the create (a failure without a task id): **not charged**.
//! - A create may have reached the provider, and no one knows whether it made a task: still being
//!   sent, `needs_check`, or discarded from there without an answer: **unknown**, "may have been
//!   charged". It is counted apart and never added to the sums.

use serde::Serialize;

use super::rate_card::{PriceKey, PriceSource, RateCard};
use crate::generation::Status;
use crate::library::ChatCall;
use crate::problem::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Video,
    /// A call of the prompt coach's chat model.
    Chat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Charged {
    Charged,
    NotCharged,
    /// May have been charged: see the module's rule.
    Unknown,
}

/// One line of the ledger. Video fields (`generation_id`, `task_id`, `mode`, `duration`, `sound`,
/// `status`) are `None` for a chat call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub kind: EntryKind,
    pub generation_id: Option<String>,
    pub task_id: Option<String>,
    /// When it was asked for, Unix ms (UTC).
    pub made_at: i64,
    pub model: String,
    pub mode: Option<String>,
    pub duration: Option<String>,
    pub sound: Option<bool>,
    pub status: Option<Status>,
    pub charged: Charged,
    /// The price of its row on today's rate card (`None`: unknown); what it adds to a sum
    /// depends on `charged`.
    pub usd_cents: Option<f64>,
    pub price_source: Option<PriceSource>,
}

/// What the library holds of one generation, for its entry.
pub(crate) struct VideoRow {
    pub id: String,
    pub task_id: Option<String>,
    pub status: Status,
    pub created_at: i64,
    pub model: String,
    pub mode: String,
    pub duration: String,
    pub sound: bool,
    pub error: Option<Kind>,
}

impl Entry {
    pub(crate) fn video(row: VideoRow, card: &RateCard) -> Entry {
        let key = PriceKey {
            model: row.model,
            mode: row.mode,
            duration: row.duration,
            sound: row.sound,
        };
        let price = card.price(&key);
        Entry {
            kind: EntryKind::Video,
            charged: charged(row.status, row.task_id.is_some(), row.error),
            generation_id: Some(row.id),
            task_id: row.task_id,
            made_at: row.created_at,
            model: key.model,
            mode: Some(key.mode),
            duration: Some(key.duration),
            sound: Some(key.sound),
            status: Some(row.status),
            usd_cents: price.map(|p| p.usd_cents),
            price_source: price.map(|p| p.source),
        }
    }

    /// A chat call is recorded only once answered, so it was charged; its price is the one
    /// worked out from the coach's table when it was made.
    pub(crate) fn chat(call: ChatCall) -> Entry {
        Entry {
            kind: EntryKind::Chat,
            generation_id: None,
            task_id: None,
            made_at: call.made_at,
            model: call.model,
            mode: None,
            duration: None,
            sound: None,
            status: None,
            charged: Charged::Charged,
            usd_cents: call.usd_cents,
            price_source: call.usd_cents.map(|_| PriceSource::Shipped),
        }
    }
}

/// The module's rule, for one generation.
fn charged(status: Status, has_task_id: bool, error: Option<Kind>) -> Charged {
    if has_task_id {
        return Charged::Charged;
    }
    match status {
        Status::Submitted | Status::Processing | Status::Downloading | Status::Ready | Status::Expired => {
            Charged::Charged
        }
        Status::Submitting | Status::NeedsCheck => Charged::Unknown,
        Status::Failed if error == Some(Kind::Discarded) => Charged::Unknown,
        Status::Queued | Status::Failed => Charged::NotCharged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_id_means_charged_whatever_became_of_the_video() {
        for status in Status::ALL {
            assert_eq!(charged(status, true, Some(Kind::TaskFailed)), Charged::Charged);
        }
    }

    #[test]
    fn refused_cancelled_and_waiting_generations_are_not_charged() {
        assert_eq!(
            charged(Status::Failed, false, Some(Kind::BalanceUsedUp)),
            Charged::NotCharged
        );
        assert_eq!(
            charged(Status::Failed, false, Some(Kind::Cancelled)),
            Charged::NotCharged
        );
        assert_eq!(charged(Status::Queued, false, None), Charged::NotCharged);
    }

    #[test]
    fn a_create_that_may_have_arrived_may_have_been_charged() {
        assert_eq!(charged(Status::NeedsCheck, false, None), Charged::Unknown);
        assert_eq!(charged(Status::Submitting, false, None), Charged::Unknown);
        assert_eq!(charged(Status::Failed, false, Some(Kind::Discarded)), Charged::Unknown);
    }
}
