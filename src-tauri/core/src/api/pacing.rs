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
