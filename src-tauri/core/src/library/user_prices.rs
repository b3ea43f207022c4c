//! The prices the user entered from their own CometAPI bill, one per rate card row
//! (`ledger::rate_card`, which decides what may be entered).

use rusqlite::params;

use super::Library;
use crate::error::Result;
use crate::generation::now_ms;
use crate::ledger::rate_card::checked_price;
use crate::ledger::{PriceKey, UserPrice};

impl Library {
    /// Keeps `usd_cents` as the user's price for `key`, replacing the one there was.
    pub fn set_user_price(&self, key: &PriceKey, usd_cents: f64) -> Result<()> {
        let usd_cents = checked_price(key, usd_cents)?;
        self.with_db(|db| {
            db.prepare_cached(
                "INSERT INTO user_prices (model, mode, duration, sound, usd_cents, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (model, mode, duration, sound)
                 DO UPDATE SET usd_cents = excluded.usd_cents, updated_at = excluded.updated_at",
            )?
            .execute(params![
                key.model,
                key.mode,
                key.duration,
                key.sound,
                usd_cents,
                now_ms()
            ])
        })?;
        Ok(())
    }

    /// Back to the shipped price (or unknown) for `key`. Any key may be cleared, also one the
    /// rules table no longer has.
    pub fn clear_user_price(&self, key: &PriceKey) -> Result<()> {
        self.with_db(|db| {
            db.prepare_cached(
                "DELETE FROM user_prices WHERE model = ?1 AND mode = ?2 AND duration = ?3 AND sound = ?4",
            )?
            .execute(params![key.model, key.mode, key.duration, key.sound])
        })?;
        Ok(())
    }

    pub fn user_prices(&self) -> Result<Vec<UserPrice>> {
        self.with_db(|db| {
            let mut select = db.prepare_cached(
                "SELECT model, mode, duration, sound, usd_cents, updated_at FROM user_prices
                 ORDER BY model, mode, duration, sound",
            )?;
            let prices = select
                .query_map([], |row| {
                    Ok(UserPrice {
                        key: PriceKey {
                            model: row.get(0)?,
                            mode: row.get(1)?,
                            duration: row.get(2)?,
                            sound: row.get(3)?,
                        },
                        usd_cents: row.get(4)?,
                        updated_at: row.get(5)?,
                    })
                })?
                .collect();
            prices
        })
    }
}
