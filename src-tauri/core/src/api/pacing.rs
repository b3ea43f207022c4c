//! One limit on requests per second across every task, so fifty generations waking at once never
//! turn into a burst the gateway answers with 429s.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

pub struct Pacer {
    gap: Mutex<Duration>,
    next_free: Mutex<Option<Instant>>,
}

/// The default limit, a setting: two requests per second.
pub const DEFAULT_REQUESTS_PER_SECOND: f64 = 2.0;

/// What the setting may be: Settings offers this range on this step, and a value from a settings
/// file edited by hand is brought into it when read, so no value can stall or flood the gateway.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct RateRange {
    pub min: f64,
    pub max: f64,
    pub step: f64,
    pub default: f64,
}

pub const REQUESTS_PER_SECOND: RateRange = RateRange {
    min: 0.5,
    max: 10.0,
    step: 0.5,
    default: DEFAULT_REQUESTS_PER_SECOND,
};

/// The limit in force for a saved setting: the default when unset or not a number, else clamped.
pub fn requests_per_second_setting(saved: Option<f64>) -> f64 {
    match saved.filter(|r| r.is_finite()) {
        Some(rate) => rate.clamp(REQUESTS_PER_SECOND.min, REQUESTS_PER_SECOND.max),
        None => REQUESTS_PER_SECOND.default,
    }
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer::new(DEFAULT_REQUESTS_PER_SECOND)
    }
}

impl Pacer {
    pub fn new(requests_per_second: f64) -> Pacer {
        let pacer = Pacer {
            gap: Mutex::new(Duration::ZERO),
            next_free: Mutex::new(None),
        };
        pacer.set_rate(requests_per_second);
        pacer
    }

    /// A rate of 0 or less (or not a number) means no limit.
    pub fn set_rate(&self, requests_per_second: f64) {
        let gap = if requests_per_second.is_finite() && requests_per_second > 0.0 {
            Duration::from_secs_f64(1.0 / requests_per_second)
        } else {
            Duration::ZERO
        };
        *self.gap.lock().unwrap_or_else(|p| p.into_inner()) = gap;
    }

    /// Waits for this request's slot: slots are handed out in order, `gap` apart.
    pub async fn wait_turn(&self) {
        let gap = *self.gap.lock().unwrap_or_else(|p| p.into_inner());
        if gap.is_zero() {
            return;
        }
        let slot = {
            let mut next_free = self.next_free.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let slot = next_free.map_or(now, |t| t.max(now));
            *next_free = Some(slot + gap);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_edited_rate_is_brought_into_range() {
        assert_eq!(requests_per_second_setting(None), 2.0);
        assert_eq!(requests_per_second_setting(Some(f64::NAN)), 2.0);
        assert_eq!(requests_per_second_setting(Some(0.0)), 0.5);
        assert_eq!(requests_per_second_setting(Some(-3.0)), 0.5);
        assert_eq!(requests_per_second_setting(Some(1e12)), 10.0);
        assert_eq!(requests_per_second_setting(Some(3.5)), 3.5);
    }

    #[tokio::test(start_paused = true)]
    async fn requests_are_spread_to_the_limit() {
        let pacer = std::sync::Arc::new(Pacer::new(2.0));
        let start = Instant::now();
        let waits: Vec<_> = (0..5)
            .map(|_| {
                let pacer = pacer.clone();
                tokio::spawn(async move {
                    pacer.wait_turn().await;
                    Instant::now() - start
                })
            })
            .collect();
        let mut done = Vec::new();
        for wait in waits {
            done.push(wait.await.unwrap());
        }
        done.sort();
        assert_eq!(
            done.last().copied(),
            Some(Duration::from_secs(2)),
            "five requests at 2/s take two seconds"
        );
    }
}
