//! What the user says about a finished video: a favorite, a reject, a title. These columns are
//! written only here; the engine's own writes read them back instead (`queries::write`).

use rusqlite::{params, OptionalExtension};
use serde::Deserialize;

use super::queries::{from_row, COLUMNS};
use super::Library;
use crate::error::{Error, Result};
use crate::generation::{now_ms, Generation, Status};
use crate::problem::Kind;
use crate::text::one_line;

/// Long enough for a name, short enough to fit a card's line.
pub const TITLE_MAX_CHARS: usize = 100;

/// One change to a video's marks, as the window sends it: `{"favorite": true}`, `{"title": "…"}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// A favorite is never rejected: setting one clears the other.
    Favorite(bool),
    Rejected(bool),
    /// Blank clears the title; line breaks and tabs become spaces.
    Title(String),
}

impl Mark {
    /// The three columns after this change, given the current ones.
    fn apply(&self, current: &Generation) -> Result<(bool, bool, Option<String>)> {
        let (favorite, rejected, title) = (current.favorite, current.rejected, current.title.clone());
        Ok(match self {
            Mark::Favorite(on) => (*on, rejected && !on, title),
            Mark::Rejected(on) => (favorite && !on, *on, title),
            Mark::Title(text) => (favorite, rejected, clean_title(text)?),
        })
    }
}

fn clean_title(text: &str) -> Result<Option<String>> {
    let title = one_line(text);
    let chars = title.chars().count();
    if chars > TITLE_MAX_CHARS {
        return Err(Error::invalid_with(
            Kind::TitleTooLong,
            "title",
            &[("max", TITLE_MAX_CHARS.into()), ("length", chars.into())],
        ));
    }
    Ok((!title.is_empty()).then_some(title))
}

impl Library {
    /// Changes one mark of a finished generation and returns the whole record. A generation still
    /// being made has no marks yet: the engine holds its record, and judging comes after seeing.
    pub fn mark(&self, id: &str, mark: &Mark) -> Result<Generation> {
        let current = self.get(id)?.ok_or_else(|| Error::UnknownGeneration(id.to_owned()))?;
        if !current.status.is_final() {
            return Err(Error::invalid(Kind::ActionNotAvailable, "mark"));
        }
        let (favorite, rejected, title) = mark.apply(&current)?;
        let finals: Vec<&str> = Status::FINAL.iter().map(|s| s.as_str()).collect();
        let updated = self.with_db(|db| {
            db.prepare_cached(&format!(
                "UPDATE generations SET favorite = ?2, rejected = ?3, title = ?4, updated_at = max(updated_at + 1, ?5)
                 WHERE id = ?1 AND status IN ('{}') RETURNING {COLUMNS}",
                finals.join("', '")
            ))?
            .query_row(params![id, favorite, rejected, title, now_ms()], from_row)
            .optional()
        })?;
        updated.ok_or_else(|| Error::invalid(Kind::ActionNotAvailable, "mark"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_one_trimmed_line_and_blank_clears_them() {
        assert_eq!(
            clean_title("  Beach\n at\tdusk ").unwrap().as_deref(),
            Some("Beach at dusk")
        );
        assert_eq!(clean_title(" \n ").unwrap(), None);
        let long = "ä".repeat(TITLE_MAX_CHARS + 1);
        let error = clean_title(&long).unwrap_err().problem();
        assert_eq!(error.kind, Kind::TitleTooLong);
        assert_eq!(error.params["length"], TITLE_MAX_CHARS + 1);
        assert!(clean_title(&"ä".repeat(TITLE_MAX_CHARS)).is_ok());
    }
}
