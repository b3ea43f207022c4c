//! The library's copies of start and end pictures (`frames`) that nothing uses any more: one a
//! purged video started from, or one added to the composer and removed again. They are found by a
//! look at every row, so this runs with the background check, never on the start path.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use super::Library;
use crate::error::Result;
use crate::frames;

/// A picture younger than this stays whatever the rows say: it may be in the composer, waiting
/// for Generate.
const UNUSED_PICTURE_AGE: Duration = Duration::from_secs(24 * 60 * 60);

impl Library {
    /// Removes the kept pictures no generation names (deleted ones waiting for Undo included) that
    /// are older than `UNUSED_PICTURE_AGE` at `now`. The original files stay where the user had
    /// them; these are the app's copies. Returns how many went.
    pub fn tidy_pictures(&self, now: SystemTime) -> Result<usize> {
        let used: HashSet<String> = self.with_db(|db| {
            let mut select = db.prepare(
                "SELECT json_extract(request_json, '$.image.file'), json_extract(request_json, '$.image_tail.file')
                 FROM generations WHERE kind = 'image_to_video'",
            )?;
            let rows = select.query_map([], |row| Ok([row.get::<_, Option<String>>(0)?, row.get(1)?]))?;
            let mut used = HashSet::new();
            for pair in rows {
                used.extend(pair?.into_iter().flatten());
            }
            Ok(used)
        })?;
        let mut removed = 0;
        let Ok(entries) = std::fs::read_dir(self.videos_dir()) else {
            return Ok(0);
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !frames::is_kept_name(&name) || used.contains(&name) {
                continue;
            }
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|modified| now.duration_since(modified).is_ok_and(|age| age >= UNUSED_PICTURE_AGE));
            if old && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
        Ok(removed)
    }
}
