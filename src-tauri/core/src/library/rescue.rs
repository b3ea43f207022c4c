//! A catalog SQLite cannot read is never replaced in place: every row that can still be read is
//! taken out of it, the file is renamed aside byte for byte, and a new catalog starts with those
//! rows under their own seq, ids, task ids, statuses and timestamps, so unfinished work resumes
//! where it was and a partial download keeps its `incoming/<id>.mp4.part`.
//!
//! SQLite's own recovery (`.recover`) lives in its shell and in `ext/recover` (`sqlite3_recover_*`);
//! the bundled library compiles neither, nor the `sqlite_dbpage` table that recovery reads pages
//! through. So rows are read twice: through SQLite for as long as it can walk the table, and
//! straight from the file's pages, which needs neither the header, nor the schema, nor the interior
//! pages that lead to a leaf, so one bad page costs only the rows on it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};

use super::queries::{column_count, COLUMNS};
use super::schema;
use crate::error::{Error, Result};
use crate::generation::now_ms;
use crate::problem::{Kind, Problem};

/// Positions in a row of `generations`, which `COLUMNS` lists in the table's own order.
const SEQ: usize = 0;
const UPDATED_AT: usize = 7;
/// The columns of the first schema; later migrations only add columns at the end, and SQLite does
/// not rewrite older rows when they do, so a row on disk has at least these.
const FIRST_SCHEMA_COLUMNS: usize = 15;

pub(super) fn is_unreadable_database(error: &Error) -> bool {
    matches!(error, Error::Library(e) if is_damaged(e))
}

/// SQLite says the file is no database, or that a page does not hold what it should.
pub(super) fn is_damaged(error: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    matches!(error, rusqlite::Error::SqliteFailure(e, _) if matches!(e.code, NotADatabase | DatabaseCorrupt))
}

/// Takes every row still readable out of the catalog at `path`, sets the file aside, and returns a
/// new catalog holding those rows, with the notice that says where the old file is and how many
/// rows came through (`rescued`) and did not (`lost`).
pub(super) fn rebuild(path: &Path) -> Result<(Connection, Problem)> {
    let mut found = Found::default();
    found.read_with_sqlite(path);
    found.read_pages(path);
    // The new catalog is made whole beside the old one: a full disk (or any other failure) before
    // the swap leaves the old one in its place, for the next start to rescue again.
    let fresh = path.with_extension("sqlite3.rebuilding");
    remove_catalog(&fresh)?;
    let rescued = schema::open_catalog(&fresh)
        .and_then(|mut db| found.import(&mut db))
        .inspect_err(|_| {
            let _ = remove_catalog(&fresh);
        })?;
    let aside = set_aside(path)?;
    rename_catalog(&fresh, path)?;
    let notice = Problem::new(Kind::LibrarySetAside)
        .param("path", aside.display().to_string())
        .param("rescued", rescued)
        .param("lost", found.expected().saturating_sub(rescued));
    Ok((schema::open_catalog(path)?, notice))
}

/// Renames the catalog and its WAL files to a name no earlier rescue used, and returns it.
fn set_aside(path: &Path) -> Result<PathBuf> {
    let stamp = now_ms();
    let mut n = 0;
    let aside = loop {
        let candidate = path.with_extension(format!("sqlite3.unreadable-{stamp}-{n}"));
        if !candidate.exists() {
            break candidate;
        }
        n += 1;
    };
    rename_catalog(path, &aside)?;
    Ok(aside)
}

/// A catalog is its file and, while it has them, its WAL and shared-memory files: they move together.
fn rename_catalog(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to)?;
    for suffix in ["-wal", "-shm"] {
        let side = side_file(from, suffix);
        if side.exists() {
            std::fs::rename(&side, side_file(to, suffix))?;
        }
    }
    Ok(())
}

fn remove_catalog(path: &Path) -> Result<()> {
    for file in [path.to_owned(), side_file(path, "-wal"), side_file(path, "-shm")] {
        match std::fs::remove_file(file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    Ok(())
}

fn side_file(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// Rows of `generations` taken out of a damaged catalog, by seq.
#[derive(Default)]
struct Found {
    rows: BTreeMap<i64, Vec<Value>>,
    /// The highest seq the catalog handed out (`sqlite_sequence`). Rows are never deleted, so every
    /// seq up to it was a row, and those not found are the rows lost.
    last_seq: i64,
}

impl Found {
    /// Keeps the newest copy of each row: a page the file no longer uses may hold an older one.
    fn add(&mut self, row: Vec<Value>) {
        let (Some(&Value::Integer(seq)), Some(&Value::Integer(updated_at))) = (row.get(SEQ), row.get(UPDATED_AT))
        else {
            return;
        };
        let newer = self
            .rows
            .get(&seq)
            .is_none_or(|kept| matches!(kept.get(UPDATED_AT), Some(&Value::Integer(at)) if at < updated_at));
        if newer {
            self.rows.insert(seq, row);
        }
    }

    fn expected(&self) -> usize {
        let last = self.rows.keys().next_back().copied().unwrap_or(0).max(self.last_seq);
        usize::try_from(last).unwrap_or(0)
    }

    /// Through SQLite, for as long as it can walk the table: the scan ends at the first page it
    /// cannot read, and `read_pages` finds what lies beyond.
    fn read_with_sqlite(&mut self, path: &Path) {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let Ok(db) = Connection::open_with_flags(path, flags) else {
            return;
        };
        if let Ok(last) = db.query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'generations'",
            [],
            |row| row.get::<_, i64>(0),
        ) {
            self.last_seq = self.last_seq.max(last);
        }
        // The stored columns only, in the table's order, as a row is on its pages: `SELECT *`
        // would put the generated ones (the prompt and the settings) between them.
        let stored: rusqlite::Result<Vec<String>> = db
            .prepare("SELECT name FROM pragma_table_info('generations')")
            .and_then(|mut names| names.query_map([], |row| row.get(0))?.collect());
        let Ok(stored) = stored else {
            return;
        };
        let columns = stored
            .iter()
            .map(|name| format!("\"{name}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let Ok(mut statement) = db.prepare(&format!("SELECT {columns} FROM generations")) else {
            return;
        };
        let width = statement.column_count();
        let Ok(mut rows) = statement.query([]) else {
            return;
        };
        while let Ok(Some(row)) = rows.next() {
            if let Ok(values) = (0..width).map(|i| row.get::<_, Value>(i)).collect() {
                self.add(values);
            }
        }
    }

    /// Straight from the file's pages (and the WAL's committed frames): every table leaf that still
    /// parses, wherever it hangs.
    fn read_pages(&mut self, path: &Path) {
        let Ok(file) = std::fs::read(path) else {
            return;
        };
        let wal = std::fs::read(side_file(path, "-wal")).unwrap_or_default();
        let best = Image::candidates(&file, &wal)
            .iter()
            .map(Image::found)
            .max_by_key(|found| found.rows.len());
        if let Some(best) = best {
            self.last_seq = self.last_seq.max(best.last_seq);
            for row in best.rows.into_values() {
                self.add(row);
            }
        }
    }

    /// Writes the rows into the new catalog in one transaction, and returns how many it took.
    fn import(&self, db: &mut Connection) -> Result<usize> {
        let width = column_count();
        let placeholders = vec!["?"; width].join(", ");
        let tx = db.transaction()?;
        let mut rescued = 0;
        {
            // A row that clashes with one already taken (the same id in two damaged copies) is
            // left out, and counted as lost.
            let mut insert = tx.prepare(&format!(
                "INSERT OR IGNORE INTO generations ({COLUMNS}) VALUES ({placeholders})"
            ))?;
            for row in self.rows.values() {
                let padded = row.iter().chain(std::iter::repeat(&Value::Null)).take(width);
                rescued += insert.execute(rusqlite::params_from_iter(padded))?;
            }
        }
        tx.commit()?;
        Ok(rescued)
    }
}

/// The flag byte of a page that holds table rows (SQLite file format, §1.6).
const TABLE_LEAF: u8 = 0x0d;

/// The catalog's pages as SQLite would see them: the file, with the WAL's committed frames on top.
struct Image<'a> {
    file: &'a [u8],
    wal: &'a [u8],
    /// Page number → where the page of its newest committed frame starts in `wal`.
    frames: HashMap<u32, usize>,
    page_size: usize,
    /// The page size less the bytes an extension reserves at the end of each page.
    usable: usize,
}

impl<'a> Image<'a> {
    /// One image per page size the catalog may have: the one its WAL or its header gives or, with
    /// both destroyed, each size SQLite allows (the caller keeps the one that yields most rows).
    fn candidates(file: &'a [u8], wal: &'a [u8]) -> Vec<Image<'a>> {
        let header_size = file
            .starts_with(b"SQLite format 3\0")
            .then(|| be16(file, 16))
            .flatten()
            .map(|size| if size == 1 { 65536 } else { size })
            .filter(|&size| is_page_size(size));
        let reserved = header_size.and_then(|_| file.get(20)).map_or(0, |&r| usize::from(r));
        let (sizes, frames) = match committed_frames(wal) {
            Some((size, frames)) => (vec![size], frames),
            None => match header_size {
                Some(size) => (vec![size], HashMap::new()),
                None => ((9..=16).map(|bits| 1 << bits).collect(), HashMap::new()),
            },
        };
        sizes
            .into_iter()
            // SQLite refuses a usable size under 480 bytes: such a header is damaged too.
            .filter(|&size| size >= reserved + 480)
            .map(|page_size| Image {
                file,
                wal,
                frames: frames.clone(),
                page_size,
                usable: page_size - reserved,
            })
            .collect()
    }

    fn page(&self, number: u32) -> Option<&'a [u8]> {
        let (bytes, start) = match self.frames.get(&number) {
            Some(&start) => (self.wal, start),
            None => (
                self.file,
                (number as usize).checked_sub(1)?.checked_mul(self.page_size)?,
            ),
        };
        bytes.get(start..start.checked_add(self.page_size)?)
    }

    fn page_count(&self) -> u32 {
        let in_file = u32::try_from(self.file.len() / self.page_size).unwrap_or(u32::MAX);
        self.frames.keys().copied().fold(in_file, u32::max)
    }

    fn found(&self) -> Found {
        let mut found = Found::default();
        // Page 1 holds the header and the root of the schema, never a row of `generations`.
        for number in 2..=self.page_count() {
            let Some(page) = self.page(number).filter(|page| page[0] == TABLE_LEAF) else {
                continue;
            };
            for cell in 0..be16(page, 3).unwrap_or(0) {
                let Some((rowid, payload)) = be16(page, 8 + 2 * cell).and_then(|at| self.cell(page, at)) else {
                    continue;
                };
                match record(&payload) {
                    Some(mut row) if is_generations_row(&row) => {
                        // The seq is the rowid: SQLite stores NULL in the record for it.
                        row[SEQ] = Value::Integer(rowid);
                        found.add(row);
                    }
                    Some(row) => {
                        if let [Value::Text(name), Value::Integer(seq)] = row.as_slice() {
                            if name == "generations" {
                                found.last_seq = found.last_seq.max(*seq);
                            }
                        }
                    }
                    None => {}
                }
            }
        }
        found
    }

    /// The rowid and the whole payload of the table-leaf cell at `at`, following its overflow
    /// pages (SQLite file format, §1.6).
    fn cell(&self, page: &[u8], at: usize) -> Option<(i64, Vec<u8>)> {
        let usable = self.usable;
        let page = page.get(..usable)?;
        let (size, a) = varint(page.get(at..)?)?;
        let (rowid, b) = varint(page.get(at + a..)?)?;
        // A payload larger than everything read is damage, not a row.
        let size = usize::try_from(size)
            .ok()
            .filter(|&size| size <= self.file.len() + self.wal.len())?;
        let start = at + a + b;
        let max_local = usable - 35;
        let min_local = (usable - 12) * 32 / 255 - 23;
        let local = if size <= max_local {
            size
        } else {
            let spill = min_local + (size - min_local) % (usable - 4);
            if spill <= max_local {
                spill
            } else {
                min_local
            }
        };
        let mut payload = page.get(start..start + local)?.to_vec();
        let mut next = if local < size { be32(page, start + local)? } else { 0 };
        while payload.len() < size {
            let overflow = self.page(next)?.get(..usable)?;
            next = be32(overflow, 0)?;
            let take = (size - payload.len()).min(usable - 4);
            payload.extend_from_slice(&overflow[4..4 + take]);
        }
        Some((rowid as i64, payload))
    }
}

fn is_page_size(size: usize) -> bool {
    size.is_power_of_two() && (512..=65536).contains(&size)
}

/// What the WAL adds to the file: its page size and, for each page, its newest frame that belongs
/// to a committed transaction with intact checksums (SQLite file format, §4).
fn committed_frames(wal: &[u8]) -> Option<(usize, HashMap<u32, usize>)> {
    let header = wal.get(..32)?;
    let big_endian = match be32(header, 0)? {
        0x377f_0682 => false,
        0x377f_0683 => true,
        _ => return None,
    };
    let page_size = usize::try_from(be32(header, 8)?)
        .ok()
        .filter(|&size| is_page_size(size))?;
    let mut sum = wal_checksum(big_endian, (0, 0), &header[..24]);
    if sum != (be32(header, 24)?, be32(header, 28)?) {
        return None;
    }
    let (mut committed, mut pending) = (HashMap::new(), HashMap::new());
    let mut at = 32;
    // Frames left from before the WAL last restarted carry other salts; a torn write fails its checksum.
    while let Some(frame) = wal.get(at..at + 24 + page_size) {
        if frame[8..16] != header[16..24] {
            break;
        }
        sum = wal_checksum(big_endian, sum, &frame[..8]);
        sum = wal_checksum(big_endian, sum, &frame[24..]);
        if sum != (be32(frame, 16)?, be32(frame, 20)?) {
            break;
        }
        pending.insert(be32(frame, 0)?, at + 24);
        if be32(frame, 4)? != 0 {
            committed.extend(pending.drain());
        }
        at += 24 + page_size;
    }
    Some((page_size, committed))
}

fn wal_checksum(big_endian: bool, (mut s0, mut s1): (u32, u32), data: &[u8]) -> (u32, u32) {
    let word = |bytes: &[u8]| {
        let bytes = [bytes[0], bytes[1], bytes[2], bytes[3]];
        if big_endian {
            u32::from_be_bytes(bytes)
        } else {
            u32::from_le_bytes(bytes)
        }
    };
    for pair in data.chunks_exact(8) {
        s0 = s0.wrapping_add(word(&pair[..4])).wrapping_add(s1);
        s1 = s1.wrapping_add(word(&pair[4..])).wrapping_add(s0);
    }
    (s0, s1)
}

/// A record shaped like a row of `generations`: the seq (stored as NULL), two ids, a task id or
/// nothing, a status, the request, and two timestamps.
fn is_generations_row(row: &[Value]) -> bool {
    use Value::{Integer, Null, Text};
    row.len() >= FIRST_SCHEMA_COLUMNS
        && matches!(
            row[..8],
            [
                Null,
                Text(_),
                Text(_),
                Text(_) | Null,
                Text(_),
                Text(_),
                Integer(_),
                Integer(_)
            ]
        )
}

/// The values of a record (SQLite file format, §2.1); `None` for bytes that are not one.
fn record(payload: &[u8]) -> Option<Vec<Value>> {
    let (header_size, mut at) = varint(payload)?;
    let header = payload.get(..usize::try_from(header_size).ok()?)?;
    let mut body = header.len();
    let mut values = Vec::new();
    while at < header.len() {
        let (serial, n) = varint(&header[at..])?;
        at += n;
        let (value, size) = column(serial, payload.get(body..)?)?;
        body += size;
        values.push(value);
    }
    (body == payload.len()).then_some(values)
}

fn column(serial: u64, bytes: &[u8]) -> Option<(Value, usize)> {
    let integer = |size: usize| {
        let bytes = bytes.get(..size)?;
        let sign = if bytes[0] & 0x80 == 0 { 0 } else { -1 };
        Some((
            Value::Integer(bytes.iter().fold(sign, |n, &b| (n << 8) | i64::from(b))),
            size,
        ))
    };
    match serial {
        0 => Some((Value::Null, 0)),
        1..=4 => integer(serial as usize),
        5 => integer(6),
        6 => integer(8),
        7 => Some((Value::Real(f64::from_be_bytes(bytes.get(..8)?.try_into().ok()?)), 8)),
        8 | 9 => Some((Value::Integer(serial as i64 - 8), 0)),
        10 | 11 => None,
        _ => {
            let size = usize::try_from((serial - 12) / 2).ok()?;
            let data = bytes.get(..size)?.to_vec();
            let value = if serial.is_multiple_of(2) {
                Value::Blob(data)
            } else {
                Value::Text(String::from_utf8(data).ok()?)
            };
            Some((value, size))
        }
    }
}

/// SQLite's variable-length integer: 1 to 9 bytes, big-endian, 7 bits a byte but the ninth.
fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().take(9).enumerate() {
        if i == 8 {
            return Some(((value << 8) | u64::from(byte), 9));
        }
        value = (value << 7) | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

fn be16(bytes: &[u8], at: usize) -> Option<usize> {
    bytes
        .get(at..at + 2)
        .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
}

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    bytes
        .get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}
