//! The ledger as CSV (RFC 4180: comma separated, CRLF line ends, fields quoted where needed), one
//! row per entry under a header row. A ledger, not a catalog: no prompts in it.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, SecondsFormat};
use serde::Serialize;

use crate::error::Result;

use super::entries::{Charged, Entry};
use super::sums::local_zone;

pub const CSV_HEADER: [&str; 13] = [
    "local_time",
    "utc_time",
    "kind",
    "model",
    "mode",
    "duration",
    "sound",
    "status",
    "charged",
    "estimated_usd",
    "price_source",
    "generation_id",
    "task_id",
];

/// `entries` as CSV, times in the window's zone (`utc_offset_minutes` east of UTC) and in UTC.
/// `estimated_usd` is what the entry added to the bill: its price when charged, 0 when not
/// charged, empty when that or the price is unknown.
pub fn csv(entries: &[Entry], utc_offset_minutes: i32) -> String {
    let zone = local_zone(utc_offset_minutes);
    let mut out = String::new();
    push_row(&mut out, CSV_HEADER.map(str::to_owned));
    for entry in entries {
        let at = DateTime::from_timestamp_millis(entry.made_at).unwrap_or_default();
        let estimated = match entry.charged {
            Charged::Charged => entry.usd_cents.map(dollars).unwrap_or_default(),
            Charged::NotCharged => dollars(0.0),
            Charged::Unknown => String::new(),
        };
        push_row(
            &mut out,
            [
                at.with_timezone(&zone).format("%Y-%m-%d %H:%M:%S").to_string(),
                at.to_rfc3339_opts(SecondsFormat::Secs, true),
                code(entry.kind),
                entry.model.clone(),
                entry.mode.clone().unwrap_or_default(),
                entry.duration.clone().unwrap_or_default(),
                entry
                    .sound
                    .map(|on| if on { "on" } else { "off" })
                    .unwrap_or_default()
                    .to_owned(),
                entry.status.map(|s| s.as_str()).unwrap_or_default().to_owned(),
                code(entry.charged),
                estimated,
                entry.price_source.map(code).unwrap_or_else(|| "unknown".to_owned()),
                entry.generation_id.clone().unwrap_or_default(),
                entry.task_id.clone().unwrap_or_default(),
            ],
        );
    }
    out
}

/// The code a value travels as in JSON, so the CSV says what the UI receives.
fn code(value: impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// US dollars with a dot, at least two decimals and as many as a fraction of a cent needs
/// (a chat call costs thousandths of a cent).
fn dollars(cents: f64) -> String {
    let text = format!("{:.6}", cents / 100.0);
    let decimals = text
        .split_once('.')
        .map_or(0, |(_, d)| d.trim_end_matches('0').len())
        .max(2);
    let whole = text.find('.').map_or(text.len(), |dot| dot + 1 + decimals);
    text[..whole].to_owned()
}

fn push_row(out: &mut String, fields: [String; 13]) {
    for (index, field) in fields.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

/// The name the save dialog suggests: `kling-desk-spend-2026-11-29.csv`, the window's local day.
pub fn csv_file_name(now_ms: i64, utc_offset_minutes: i32) -> String {
    let day = DateTime::from_timestamp_millis(now_ms)
        .unwrap_or_default()
        .with_timezone(&local_zone(utc_offset_minutes));
    format!("kling-desk-spend-{}.csv", day.format("%Y-%m-%d"))
}

/// Writes the ledger to `path`, which the user chose in the save dialog (and agreed to replace):
/// under a hidden name beside it first, flushed to disk, then renamed over it, so a crash or a
/// full disk never leaves half a ledger under that name.
pub fn save_csv(path: &Path, entries: &[Entry], utc_offset_minutes: i32) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.part"));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(csv(entries, utc_offset_minutes).as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    Ok(written?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_keep_cents_and_fractions_of_them() {
        assert_eq!(dollars(33.0), "0.33");
        assert_eq!(dollars(132.0), "1.32");
        assert_eq!(dollars(0.0), "0.00");
        assert_eq!(dollars(12.5), "0.125");
        assert_eq!(dollars(0.0099), "0.000099");
        assert_eq!(dollars(1_000_000.0), "10000.00");
    }
}
