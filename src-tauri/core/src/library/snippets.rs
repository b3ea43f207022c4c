//! The user's own snippets, kept in the catalog beside their videos. The rules for their text and
//! name are in `crate::snippets`, with the built-in ones.

use rusqlite::{params, OptionalExtension, Row};

use super::Library;
use crate::error::{Error, Result};
use crate::generation::now_ms;
use crate::problem::Kind;
use crate::snippets::{default_name, own_name, own_text, Snippet, SnippetCategory};

fn own(row: &Row<'_>) -> rusqlite::Result<Snippet> {
    Ok(Snippet {
        id: row.get(0)?,
        category: SnippetCategory::Own,
        name: row.get(1)?,
        text: row.get(2)?,
        builtin: false,
    })
}

impl Library {
    /// Keeps `text` as a snippet of the user's own, named `name` (blank: after its first words).
    /// A text already kept is not kept twice: the snippet already there is returned as it is.
    pub fn add_snippet(&self, name: &str, text: &str) -> Result<Snippet> {
        let text = own_text(text)?;
        let name = match name.trim() {
            "" => default_name(&text),
            given => own_name(given)?,
        };
        let id = uuid::Uuid::new_v4().to_string();
        self.with_db(|db| {
            db.prepare_cached("INSERT OR IGNORE INTO snippets (id, name, text, created_at) VALUES (?1, ?2, ?3, ?4)")?
                .execute(params![id, name, text, now_ms()])?;
            db.prepare_cached("SELECT id, name, text FROM snippets WHERE text = ?1")?
                .query_row([&text], own)
        })
    }

    pub fn rename_snippet(&self, id: &str, name: &str) -> Result<Snippet> {
        let name = own_name(name)?;
        self.with_db(|db| {
            db.prepare_cached("UPDATE snippets SET name = ?2 WHERE id = ?1 RETURNING id, name, text")?
                .query_row(params![id, name], own)
                .optional()
        })?
        .ok_or_else(|| Error::invalid(Kind::SnippetUnknown, "id"))
    }

    pub fn delete_snippet(&self, id: &str) -> Result<()> {
        let deleted = self.with_db(|db| db.prepare_cached("DELETE FROM snippets WHERE id = ?1")?.execute([id]))?;
        if deleted == 0 {
            return Err(Error::invalid(Kind::SnippetUnknown, "id"));
        }
        Ok(())
    }

    /// The user's own snippets, the newest first.
    pub fn own_snippets(&self) -> Result<Vec<Snippet>> {
        self.with_db(|db| {
            db.prepare_cached("SELECT id, name, text FROM snippets ORDER BY created_at DESC, rowid DESC")?
                .query_map([], own)?
                .collect()
        })
    }
}
