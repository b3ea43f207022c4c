//! Finding generations: words typed into the search box (FTS5, by prefix, accents folded), the
//! filters, the order, and pages that never skip or repeat a row while the library changes.

use rusqlite::types::Value;
use serde::{Deserialize, Serialize};

use super::queries::{unfinished_condition, COLUMNS};
use super::Library;
use crate::error::Result;
use crate::generation::{Generation, Status};
use crate::rules::GenerationKind;

/// At most this many words of the search box are used; more only slows the query down.
const MAX_WORDS: usize = 12;
/// A page holds at most this many generations, whatever the window asks for.
const MAX_PAGE: usize = 200;
const DAY_MS: i64 = 86_400_000;

/// What the gallery shows: everything the window's search box and filters say, in one value the
/// window keeps (and restores after a restart) and core turns into one SQL query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LibraryQuery {
    /// Words to find in prompts, negative prompts and titles; each matches by prefix.
    pub text: String,
    pub status: StatusFilter,
    pub marks: MarksFilter,
    pub model_name: Option<String>,
    pub aspect_ratio: Option<String>,
    pub duration: Option<String>,
    /// Only videos made this way (from words, from a picture, continued).
    pub kind: Option<GenerationKind>,
    pub made: MadeFilter,
    /// The window's offset from UTC in minutes (east positive): "today" starts at its midnight.
    pub utc_offset_minutes: i32,
    pub order: Order,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    #[default]
    Any,
    Ready,
    /// Every state before a final one: waiting, sent, being made, downloading, to be checked.
    Running,
    /// Failed, or gone before it could be downloaded.
    Failed,
}

/// Rejected videos stay out of sight unless asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarksFilter {
    #[default]
    NotRejected,
    Favorites,
    Rejected,
    Everything,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MadeFilter {
    #[default]
    Any,
    Today,
    /// Since Monday.
    ThisWeek,
    /// Since the first of the month.
    ThisMonth,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    #[default]
    NewestFirst,
    OldestFirst,
}

/// Where the next page starts: just past the last row of this one, in the query's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub created_at: i64,
    pub seq: i64,
}

/// One page of the gallery; `next` is the cursor for the page after it.
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub items: Vec<Generation>,
    pub next: Option<Cursor>,
}

impl LibraryQuery {
    /// The FTS5 query for the typed words: each one quoted (so nothing typed is an operator) and
    /// matched by prefix, all of them required. `None` when nothing searchable was typed.
    pub fn match_expression(&self) -> Option<String> {
        let words: Vec<String> = self
            .text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .take(MAX_WORDS)
            .map(|word| format!("\"{word}\"*"))
            .collect();
        (!words.is_empty()).then(|| words.join(" "))
    }

    /// When the chosen period began, in ms since the epoch; `None` for any time.
    pub fn made_since(&self, now_ms: i64) -> Option<i64> {
        let offset = i64::from(self.utc_offset_minutes) * 60_000;
        let today = (now_ms + offset).div_euclid(DAY_MS);
        let first_day = match self.made {
            MadeFilter::Any => return None,
            MadeFilter::Today => today,
            // 1970-01-01 was a Thursday: day 0 is three days after a Monday.
            MadeFilter::ThisWeek => today - (today + 3).rem_euclid(7),
            MadeFilter::ThisMonth => today - (day_of_month(today) - 1),
        };
        Some(first_day * DAY_MS - offset)
    }

    /// The WHERE clause and its values, and the ORDER BY, for one page after `after`.
    fn sql(&self, after: Option<Cursor>, now_ms: i64) -> (String, Vec<Value>) {
        let mut conditions: Vec<String> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        // A deleted video waits for its undo window out of sight (`deletion`).
        conditions.push("seq NOT IN (SELECT seq FROM deletions)".into());
        if let Some(expression) = self.match_expression() {
            conditions.push("seq IN (SELECT rowid FROM generations_search WHERE generations_search MATCH ?)".into());
            values.push(Value::Text(expression));
        }
        match self.status {
            StatusFilter::Any => {}
            StatusFilter::Ready => conditions.push(format!("status = '{}'", Status::Ready.as_str())),
            StatusFilter::Running => conditions.push(unfinished_condition()),
            StatusFilter::Failed => conditions.push(format!(
                "status IN ('{}', '{}')",
                Status::Failed.as_str(),
                Status::Expired.as_str()
            )),
        }
        match self.marks {
            MarksFilter::NotRejected => conditions.push("rejected IS NOT 1".into()),
            MarksFilter::Favorites => conditions.push("favorite = 1 AND rejected IS NOT 1".into()),
            MarksFilter::Rejected => conditions.push("rejected = 1".into()),
            MarksFilter::Everything => {}
        }
        for (column, wanted) in [
            ("model_name", &self.model_name),
            ("aspect_ratio", &self.aspect_ratio),
            ("duration", &self.duration),
            ("kind", &self.kind.map(|k| k.as_str().to_owned())),
        ] {
            if let Some(wanted) = wanted {
                conditions.push(format!("{column} = ?"));
                values.push(Value::Text(wanted.clone()));
            }
        }
        if let Some(since) = self.made_since(now_ms) {
            conditions.push("created_at >= ?".into());
            values.push(Value::Integer(since));
        }
        let (past, direction) = match self.order {
            Order::NewestFirst => ("<", "DESC"),
            Order::OldestFirst => (">", "ASC"),
        };
        if let Some(cursor) = after {
            conditions.push(format!("(created_at, seq) {past} (?, ?)"));
            values.push(Value::Integer(cursor.created_at));
            values.push(Value::Integer(cursor.seq));
        }
        let filter = format!("WHERE {}", conditions.join(" AND "));
        let sql =
            format!("SELECT {COLUMNS} FROM generations {filter} ORDER BY created_at {direction}, seq {direction}");
        (sql, values)
    }
}

/// The day of the month (1–31) of a day counted from 1970-01-01 (the civil calendar algorithm
/// of H. Hinnant's `civil_from_days`).
fn day_of_month(days: i64) -> i64 {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    day_of_year - (153 * month_index + 2) / 5 + 1
}

impl Library {
    /// One page of the generations `query` selects, starting after `after`. A row that does not
    /// decode is left out (see `undecodable`) and does not count towards `limit`. Without words
    /// and filters a page reads only its own rows (the `generations_created` index), so the
    /// first page costs the same in a library of ten or of ten thousand.
    pub fn search(&self, query: &LibraryQuery, after: Option<Cursor>, limit: usize) -> Result<Page> {
        let limit = limit.clamp(1, MAX_PAGE);
        let (sql, values) = query.sql(after, crate::generation::now_ms());
        self.with_db(|db| {
            let mut statement = db.prepare_cached(&sql)?;
            let mut rows = statement.query(rusqlite::params_from_iter(values.iter()))?;
            let (mut items, mut last) = (Vec::new(), None);
            while let Some(row) = rows.next()? {
                if items.len() == limit {
                    return Ok(Page { items, next: last });
                }
                if let Some(generation) = self.decoded(row) {
                    last = Some(Cursor {
                        created_at: generation.created_at,
                        seq: row.get(0)?,
                    });
                    items.push(generation);
                }
            }
            Ok(Page { items, next: None })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(text: &str) -> LibraryQuery {
        LibraryQuery {
            text: text.into(),
            ..LibraryQuery::default()
        }
    }

    #[test]
    fn typed_words_become_quoted_prefixes_and_operators_stay_words() {
        assert_eq!(query("  beac  ").match_expression().as_deref(), Some("\"beac\"*"));
        assert_eq!(
            query("Café \"NEAR\" OR* -x").match_expression().as_deref(),
            Some("\"Café\"* \"NEAR\"* \"OR\"* \"x\"*")
        );
        assert_eq!(query(" -*\" ").match_expression(), None);
    }

    #[test]
    fn periods_start_at_the_windows_midnight_monday_and_first_of_the_month() {
        // Thursday 2026-11-26 10:00 UTC; the window is in UTC+1.
        let now = 1_795_687_200_000;
        let at = |made| {
            LibraryQuery {
                made,
                utc_offset_minutes: 60,
                ..LibraryQuery::default()
            }
            .made_since(now)
        };
        let hour = 3_600_000;
        // Midnight in UTC+1 is 23:00 UTC the day before.
        assert_eq!(at(MadeFilter::Today), Some(1_795_651_200_000 - hour));
        // Monday 2026-11-23.
        assert_eq!(at(MadeFilter::ThisWeek), Some(1_795_651_200_000 - 3 * DAY_MS - hour));
        // Sunday 2026-11-01.
        assert_eq!(at(MadeFilter::ThisMonth), Some(1_795_651_200_000 - 25 * DAY_MS - hour));
        assert_eq!(at(MadeFilter::Any), None);
    }

    #[test]
    fn the_day_of_the_month_follows_the_calendar() {
        assert_eq!(day_of_month(0), 1); // 1970-01-01
        assert_eq!(day_of_month(59), 1); // 1970-03-01
        assert_eq!(day_of_month(11_016), 29); // 2000-02-29
        assert_eq!(day_of_month(20_787), 30); // 2026-11-30
    }
}
