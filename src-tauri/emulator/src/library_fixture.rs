//! A library of many generations, written in seconds, for the search tests, the end-to-end tests
//! over a big gallery and the benchmarks: mixed models, ratios, durations and statuses, English
//! and German prompts (accents included), favorites, rejects and titles, and for every ready one a
//! real clip and poster (hard links to one copy each, so 10,000 videos cost a few hundred KB).
//!
//! The catalog is made by `kling_core::Library::open` (schema, search index, triggers), then the
//! rows go in with plain SQL in one transaction, as another writer would put them: the search
//! index must follow through the catalog's own triggers.

use std::path::{Path, PathBuf};

use kling_core::request::ValidRequest;
use kling_core::rules::{GenerationKind, COMETAPI_LIMITS, MODELS};
use rusqlite::params;

/// One poster per aspect ratio (a still in the clip's shape), for ready videos.
const POSTERS: &[(&str, &[u8])] = &[
    ("16:9", include_bytes!("../fixtures/media/poster-16x9.jpg")),
    ("9:16", include_bytes!("../fixtures/media/poster-9x16.jpg")),
    ("1:1", include_bytes!("../fixtures/media/poster-1x1.jpg")),
    ("4:3", include_bytes!("../fixtures/media/poster-4x3.jpg")),
    ("3:4", include_bytes!("../fixtures/media/poster-3x4.jpg")),
    ("3:2", include_bytes!("../fixtures/media/poster-3x2.jpg")),
    ("2:3", include_bytes!("../fixtures/media/poster-2x3.jpg")),
];

const SUBJECTS_EN: &[&str] = &[
    "a paper boat",
    "an old lighthouse",
    "a red fox",
    "a dancer in a café",
    "a glass city",
    "two surfers on a beach",
    "a hummingbird",
    "a vintage tram",
    "a snow leopard",
    "an astronaut",
    "a koi pond",
    "a crêpe stand at night",
];
const ACTIONS_EN: &[&str] = &[
    "drifting slowly",
    "turning towards the camera",
    "running through tall grass",
    "spinning under warm lights",
    "rising out of the fog",
    "waiting at the shore",
];
const CAMERAS_EN: &[&str] = &[
    "slow push-in",
    "static camera",
    "aerial orbit",
    "handheld close-up",
    "low-angle tracking shot",
];
const LIGHTS_EN: &[&str] = &[
    "golden hour",
    "soft morning light",
    "neon reflections",
    "moonlight",
    "overcast daylight",
];

const SUBJECTS_DE: &[&str] = &[
    "ein Papierboot",
    "eine Tänzerin im Café",
    "ein alter Leuchtturm",
    "ein Fuchs im Schnee",
    "eine Straßenbahn",
    "zwei Mädchen an der Brücke",
    "ein Kolibri",
    "eine gläserne Stadt",
    "ein Käsemarkt",
];
const ACTIONS_DE: &[&str] = &[
    "treibt langsam",
    "dreht sich zur Kamera",
    "läuft durch hohes Gras",
    "steigt aus dem Nebel",
    "wartet am Ufer",
];
const CAMERAS_DE: &[&str] = &[
    "langsame Fahrt nach vorn",
    "statische Kamera",
    "Luftaufnahme im Kreis",
    "Nahaufnahme aus der Hand",
];
const LIGHTS_DE: &[&str] = &["goldene Stunde", "weiches Morgenlicht", "Neonreflexe", "Mondlicht"];

const NEGATIVES: &[&str] = &[
    "blurry, text, watermark",
    "verschwommen, Schrift",
    "low quality, jitter",
];

/// How a fixture library was made, for tests that count what they should find.
#[derive(Debug, Clone)]
pub struct FixtureRow {
    pub id: String,
    pub status: &'static str,
    pub prompt: String,
    pub negative_prompt: Option<String>,
    pub title: Option<String>,
    pub model_name: &'static str,
    pub mode: &'static str,
    pub aspect_ratio: &'static str,
    pub duration: &'static str,
    pub favorite: bool,
    pub rejected: bool,
    pub created_at: i64,
}

/// At most this many fixture generations are left unfinished, whatever the size: the app resumes
/// every one at start, and a benchmark must not measure hundreds of status queries.
const UNFINISHED: usize = 3;

/// The fixture's `index`-th row: every choice a plain function of the index, so the same count
/// always makes the same library.
pub fn fixture_row(index: usize, count: usize, now_ms: i64) -> FixtureRow {
    // Each choice from its own scramble of the index, so no two of them move in step.
    let mix = |salt: u64| -> usize {
        let mut x = (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x ^= x >> 31;
        x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
        (x ^ (x >> 29)) as usize
    };
    let pick = |list: &[&'static str], salt: u64| list[mix(salt) % list.len()];
    let german = mix(10) % 3 == 1;
    let prompt = if german {
        format!(
            "{} {}, {}, {}",
            pick(SUBJECTS_DE, 0),
            pick(ACTIONS_DE, 1),
            pick(CAMERAS_DE, 2),
            pick(LIGHTS_DE, 3)
        )
    } else {
        format!(
            "{} {}, {}, {}",
            pick(SUBJECTS_EN, 0),
            pick(ACTIONS_EN, 1),
            pick(CAMERAS_EN, 2),
            pick(LIGHTS_EN, 3)
        )
    };
    let model = MODELS[mix(11) % MODELS.len()];
    let status = if index + UNFINISHED >= count {
        "processing"
    } else {
        match mix(12) % 20 {
            7 => "failed",
            13 => "expired",
            _ => "ready",
        }
    };
    // Newest last, one every 13 minutes, now and then two in the same millisecond (a double click).
    let slot = if index % 50 == 1 { index - 1 } else { index };
    let age = (count - slot) as i64 * 13 * 60_000;
    FixtureRow {
        id: format!("fixture-{index:05}"),
        status,
        prompt,
        negative_prompt: (mix(13) % 4 == 0).then(|| NEGATIVES[mix(14) % NEGATIVES.len()].to_owned()),
        title: (mix(15) % 37 == 5).then(|| format!("Showreel take {index}")),
        model_name: model.name,
        mode: model.modes[0],
        aspect_ratio: pick(COMETAPI_LIMITS.aspect_ratios, 16),
        duration: pick(model.durations, 17),
        favorite: mix(18) % 10 == 3,
        rejected: mix(19) % 12 == 11,
        created_at: now_ms - age,
    }
}

/// Writes a library of `count` generations into `root` (which must not hold one yet) and returns
/// its rows in the order written (oldest first).
pub fn write_library(root: &Path, count: usize) -> Result<Vec<FixtureRow>, Box<dyn std::error::Error>> {
    drop(kling_core::Library::open(root)?);
    let now = kling_core::generation::now_ms();
    let rows: Vec<FixtureRow> = (0..count).map(|index| fixture_row(index, count, now)).collect();
    let mut originals: Vec<(String, PathBuf)> = Vec::new();
    let mut db = rusqlite::Connection::open(root.join("library.sqlite3"))?;
    let tx = db.transaction()?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO generations (id, external_task_id, task_id, status, request_json, created_at, updated_at,
                finished_at, error_json, video_duration, video_file, video_bytes, poster_file, favorite, rejected, title)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        for (index, row) in rows.iter().enumerate() {
            let request = ValidRequest {
                prompt: row.prompt.clone(),
                negative_prompt: row.negative_prompt.clone(),
                model_name: row.model_name.to_owned(),
                mode: row.mode.to_owned(),
                duration: row.duration.to_owned(),
                aspect_ratio: row.aspect_ratio.to_owned(),
                cfg_scale: None,
                camera_control: None,
                sound: None,
                kind: GenerationKind::TextToVideo,
                image: None,
                image_tail: None,
                parent: None,
            };
            let ready = row.status == "ready";
            let (video_file, poster_file, bytes) = if ready {
                let video = format!("videos/{}.mp4", row.id);
                let poster = format!("videos/{}.jpg", row.id);
                let clip = crate::clip(row.aspect_ratio, row.duration).ok_or("no clip for this shape")?;
                share(
                    &mut originals,
                    &format!("{}-{}", row.aspect_ratio, row.duration),
                    clip,
                    &root.join(&video),
                )?;
                let still = POSTERS
                    .iter()
                    .find(|(ratio, _)| *ratio == row.aspect_ratio)
                    .ok_or("no poster for this shape")?
                    .1;
                share(&mut originals, row.aspect_ratio, still, &root.join(&poster))?;
                (Some(video), Some(poster), Some(clip.len() as i64))
            } else {
                (None, None, None)
            };
            let error = match row.status {
                "failed" => Some(r#"{"kind":"task_failed","field":null,"params":{}}"#),
                "expired" => Some(r#"{"kind":"result_expired","field":null,"params":{}}"#),
                _ => None,
            };
            let finished = (row.status != "processing").then_some(row.created_at + 40_000 + (index as i64 % 90) * 1000);
            insert.execute(params![
                row.id,
                format!("kd-{}", row.id),
                format!("fixture-task-{index}"),
                row.status,
                serde_json::to_string(&request)?,
                row.created_at,
                finished,
                error,
                ready.then(|| format!("{}.1", row.duration)),
                video_file,
                bytes,
                poster_file,
                row.favorite,
                row.rejected,
                row.title,
            ])?;
        }
    }
    tx.commit()?;
    Ok(rows)
}

/// Writes `bytes` to `path` the first time a `key` is met, and hard-links later ones to that copy
/// (copies where the file system cannot link).
fn share(originals: &mut Vec<(String, PathBuf)>, key: &str, bytes: &[u8], path: &Path) -> std::io::Result<()> {
    if let Some((_, original)) = originals.iter().find(|(k, _)| k == key) {
        return std::fs::hard_link(original, path).or_else(|_| std::fs::copy(original, path).map(|_| ()));
    }
    std::fs::write(path, bytes)?;
    originals.push((key.to_owned(), path.to_owned()));
    Ok(())
}
