//! The names an export writes: readable (the local date a video was made and its first words),
//! valid on every file system a user may pick (Windows, macOS, Linux, FAT and exFAT sticks), and
//! never one that is already taken.

use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, Utc};

use crate::generation::Generation;

/// The words part of a name, in bytes: a readable phrase that leaves room, within the 255 bytes
/// every file system allows, for the date, a number, the extension and the temporary suffix.
pub(super) const WORDS_MAX_BYTES: usize = 80;

/// How many numbered names (" (2)", " (3)" …) are tried before giving up.
const NUMBERS_MAX: u32 = 9_999;

/// Forbidden in names on Windows (and `/` everywhere); `:` also means `/` to macOS's Finder.
const FORBIDDEN: &[char] = &['<', '>', ':', '"', '/', '\\', '|', '?', '*'];

/// Names Windows keeps for devices, whatever the case and whatever extension follows.
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹",
    "COM²", "COM³", "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²",
    "LPT³",
];

/// The name of a video's files without number or extension: `2026-03-14 a paper boat drifting`.
/// The words are the title's, or the prompt's when there is no title, or `untitled` when neither
/// leaves a word that can stand in a file name.
pub(super) fn stem(generation: &Generation, untitled: &str) -> String {
    let date = DateTime::<Utc>::from_timestamp_millis(generation.created_at)
        .unwrap_or_default()
        .with_timezone(&Local)
        .format("%Y-%m-%d");
    let source = generation.title.as_deref().unwrap_or(&generation.request.prompt);
    let words = [source, untitled]
        .into_iter()
        .map(|text| first_words(&without_forbidden(text), WORDS_MAX_BYTES))
        .find(|words| !trimmed(words).is_empty())
        .unwrap_or_default();
    portable(&format!("{date} {words}"))
}

/// The first words of `text`, one space between them, within `max_bytes`; a first word longer
/// than that is cut at a character boundary.
pub(crate) fn first_words(text: &str, max_bytes: usize) -> String {
    let mut words = String::new();
    for word in text.split_whitespace() {
        let needed = if words.is_empty() {
            word.len()
        } else {
            words.len() + 1 + word.len()
        };
        if needed <= max_bytes {
            if !words.is_empty() {
                words.push(' ');
            }
            words.push_str(word);
        } else {
            if words.is_empty() {
                let cut = (0..=max_bytes).rev().find(|&at| word.is_char_boundary(at)).unwrap_or(0);
                words.push_str(&word[..cut]);
            }
            break;
        }
    }
    words
}

/// `text` with every character that cannot stand in a name on some file system turned into a
/// space, and the invisible direction marks that could make `…\u{202E}4pm.exe` look like another
/// extension left out.
fn without_forbidden(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        .map(|c| {
            if c.is_control() || FORBIDDEN.contains(&c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// `name` as every file system takes it: no leading or trailing dots or spaces (Windows drops the
/// trailing ones, a leading dot hides the file), and no device name of Windows.
fn portable(name: &str) -> String {
    let name = trimmed(name);
    let base = name.split('.').next().unwrap_or_default().trim_end();
    if RESERVED.iter().any(|reserved| base.eq_ignore_ascii_case(reserved)) {
        format!("_{name}")
    } else {
        name.to_owned()
    }
}

fn trimmed(name: &str) -> &str {
    name.trim_matches(|c: char| c == '.' || c.is_whitespace())
}

/// One file waiting under its temporary name for the final one, `<stem>.<extension>`.
pub(super) struct Waiting {
    pub temp: PathBuf,
    pub extension: String,
}

/// Gives every waiting file its final name with the first number that is free for all of them:
/// `stem`, then `stem (2)`, `stem (3)` … A name is claimed by a hard link, which the file system
/// refuses when the name exists, so nothing is ever overwritten, not even by another program
/// writing at the same moment. Where hard links do not exist (FAT, exFAT, some network shares) the
/// temporary file is renamed after checking the name is free. Returns the stem that was used; the
/// temporary names that remain are the caller's to remove.
pub(super) fn claim(folder: &Path, stem: &str, files: &[Waiting]) -> io::Result<String> {
    for number in 1..=NUMBERS_MAX {
        let candidate = if number == 1 {
            stem.to_owned()
        } else {
            format!("{stem} ({number})")
        };
        let mut placed: Vec<(PathBuf, Placed)> = Vec::new();
        let mut taken = false;
        for file in files {
            let target = folder.join(format!("{candidate}.{}", file.extension));
            match place(&file.temp, &target) {
                Ok(how) => placed.push((target, how)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    taken = true;
                    break;
                }
                Err(e) => {
                    take_back(files, &placed);
                    return Err(e);
                }
            }
        }
        if !taken {
            return Ok(candidate);
        }
        take_back(files, &placed);
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{NUMBERS_MAX} names like {stem} are taken"),
    ))
}

enum Placed {
    Linked,
    Moved,
}

fn place(temp: &Path, target: &Path) -> io::Result<Placed> {
    match std::fs::hard_link(temp, target) {
        Ok(()) => Ok(Placed::Linked),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) if target.symlink_metadata().is_ok() => Err(io::ErrorKind::AlreadyExists.into()),
        Err(_) => std::fs::rename(temp, target).map(|()| Placed::Moved),
    }
}

/// Undoes the names placed so far for one number: a link goes, a moved file goes back.
fn take_back(files: &[Waiting], placed: &[(PathBuf, Placed)]) {
    for (file, (target, how)) in files.iter().zip(placed) {
        let _ = match how {
            Placed::Linked => std::fs::remove_file(target),
            Placed::Moved => std::fs::rename(target, &file.temp),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_words_stop_before_the_budget_and_cut_a_single_long_word() {
        assert_eq!(first_words("  a paper\tboat\ndrifting ", 14), "a paper boat");
        assert_eq!(first_words("a paper boat", 100), "a paper boat");
        assert_eq!(first_words(&"ü".repeat(50), 9), "üüüü");
        assert_eq!(first_words("", 10), "");
    }

    #[test]
    fn names_lose_what_a_file_system_refuses() {
        assert_eq!(
            portable(&without_forbidden("a/b\\c:d*e?f\"g<h>i|j\u{7}k")),
            "a b c d e f g h i j k"
        );
        assert_eq!(portable(" ..hidden. . "), "hidden");
        assert_eq!(without_forbidden("abc\u{202E}4pm.exe"), "abc4pm.exe");
        for device in ["CON", "con", "Nul.txt", "COM1", "lpt9 .x", "COM²"] {
            assert_eq!(portable(device), format!("_{device}"), "{device}");
        }
        for fine in ["CONSOLE", "2026-03-14 CON", "COM10", "a CON"] {
            assert_eq!(portable(fine), fine);
        }
    }
}
