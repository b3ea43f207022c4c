//! What the app has learned about each API address, such as whether it finds a task by our own id.

use rusqlite::{params, OptionalExtension};

use super::Library;
use crate::error::Result;

impl Library {
    /// Whether looking a task up by its external id is known to work on this gateway: `None` until
    /// the app has tried it once with a task it created itself.
    pub fn external_lookup_works(&self, base_url: &str) -> Result<Option<bool>> {
        self.with_db(|db| {
            db.prepare_cached("SELECT external_lookup_works FROM gateways WHERE base_url = ?1")?
                .query_row([base_url], |row| row.get::<_, bool>(0))
                .optional()
        })
    }

    pub fn set_external_lookup_works(&self, base_url: &str, works: bool) -> Result<()> {
        self.with_db(|db| {
            db.execute(
                "INSERT INTO gateways (base_url, external_lookup_works) VALUES (?1, ?2)
                 ON CONFLICT(base_url) DO UPDATE SET external_lookup_works = excluded.external_lookup_works",
                params![base_url, works],
            )
        })?;
        Ok(())
    }
}
