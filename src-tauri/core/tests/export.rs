//! Exporting ready videos to a folder: three files per video under one readable, safe name that
//! never replaces another file, the settings inside the MP4 with its video data untouched, and
//! nothing half-written after a cancel or a refusal.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use common::{prompt, ready_video};
use kling_core::export::{export, favorite_ids, settings_in_video, ExportProgress, Exported};
use kling_core::request::{validate, ValidRequest};
use kling_core::rules::COMETAPI_LIMITS;
use kling_core::{GenerationRequest, Kind, Library, Mark, Status};
use kling_emulator::library_fixture::{write_library, FixtureRow};
use serde_json::Value;

const UNTITLED: &str = "Untitled";
/// 2026-03-14 12:00 UTC.
const MADE_AT: i64 = 1_773_489_600_000;

fn run(library: &Library, ids: &[String], folder: &Path) -> (kling_core::Result<Exported>, Vec<ExportProgress>) {
    let mut reports = Vec::new();
    let result = export(
        library,
        ids,
        folder,
        UNTITLED,
        &mut |report| reports.push(report.clone()),
        &AtomicBool::new(false),
    );
    (result, reports)
}

/// The local calendar date of an instant, as a file name shows it.
fn local_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .with_timezone(&chrono::Local)
        .format("%Y-%m-%d")
        .to_string()
}

/// Every name in `folder`, sorted.
fn names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn ids(rows: &[&FixtureRow]) -> Vec<String> {
    rows.iter().map(|row| row.id.clone()).collect()
}

fn valid(request: GenerationRequest) -> ValidRequest {
    validate(&request, &COMETAPI_LIMITS).unwrap()
}

fn clip() -> &'static [u8] {
    kling_emulator::clip("16:9", "5").unwrap()
}

/// One MP4 box: its type, where it starts, its header's and its whole length.
struct Mp4Box {
    kind: [u8; 4],
    start: usize,
    header: usize,
    len: usize,
}

impl Mp4Box {
    fn content(&self) -> std::ops::Range<usize> {
        self.start + self.header..self.start + self.len
    }
}

fn boxes_in(bytes: &[u8], range: std::ops::Range<usize>) -> Vec<Mp4Box> {
    let mut boxes = Vec::new();
    let mut at = range.start;
    while at + 8 <= range.end {
        let size = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let (header, len) = match size {
            1 => (
                16,
                u64::from_be_bytes(bytes[at + 8..at + 16].try_into().unwrap()) as usize,
            ),
            0 => (8, range.end - at),
            size => (8, size),
        };
        boxes.push(Mp4Box {
            kind: bytes[at + 4..at + 8].try_into().unwrap(),
            start: at,
            header,
            len,
        });
        at += len;
    }
    boxes
}

/// The video data of an MP4 as a player reads it: the media data, where each track's chunks
/// start within it, and the movie's duration.
fn video_data(path: &Path) -> (Vec<u8>, Vec<Vec<u64>>, std::time::Duration) {
    let bytes = std::fs::read(path).unwrap();
    let top = boxes_in(&bytes, 0..bytes.len());
    let find = |boxes: &[Mp4Box], kind: &[u8; 4]| boxes.iter().position(|b| &b.kind == kind);
    let mdat = &top[find(&top, b"mdat").expect("an mdat")];
    let moov = &top[find(&top, b"moov").expect("a moov")];
    let mut offsets = Vec::new();
    for trak in boxes_in(&bytes, moov.content()).iter().filter(|b| &b.kind == b"trak") {
        let mut level = boxes_in(&bytes, trak.content());
        for kind in [b"mdia", b"minf", b"stbl"] {
            let parent = &level[find(&level, kind).unwrap()];
            level = boxes_in(&bytes, parent.content());
        }
        let table = level.iter().find(|b| &b.kind == b"stco" || &b.kind == b"co64").unwrap();
        let entries = &bytes[table.content()][8..];
        let wide = &table.kind == b"co64";
        let track: Vec<u64> = if wide {
            entries
                .chunks(8)
                .map(|e| u64::from_be_bytes(e.try_into().unwrap()))
                .collect()
        } else {
            entries
                .chunks(4)
                .map(|e| u64::from(u32::from_be_bytes(e.try_into().unwrap())))
                .collect()
        };
        offsets.push(
            track
                .into_iter()
                .map(|offset| offset - (mdat.start + mdat.header) as u64)
                .collect(),
        );
    }
    let duration = mp4ameta::Tag::read_from_path(path).unwrap().duration();
    (bytes[mdat.content()].to_vec(), offsets, duration)
}

#[test]
fn two_videos_become_three_files_each_with_their_settings_inside() {
    let dir = tempfile::tempdir().unwrap();
    let rows = write_library(dir.path(), 12).unwrap();
    let library = Library::open(dir.path()).unwrap();
    let ready: Vec<&FixtureRow> = rows.iter().filter(|r| r.status == "ready").collect();
    let by_prompt = *ready
        .iter()
        .find(|r| r.title.is_none() && r.prompt.len() <= 80)
        .unwrap();
    let titled = *ready.iter().find(|r| r.id != by_prompt.id).unwrap();
    library.mark(&titled.id, &Mark::Title("Beach at dusk".into())).unwrap();
    let chosen = ids(&[by_prompt, titled]);
    let sources: Vec<PathBuf> = chosen.iter().map(|id| library.video_path(id).unwrap()).collect();
    let originals: Vec<Vec<u8>> = sources.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let out = tempfile::tempdir().unwrap();

    let (result, reports) = run(&library, &chosen, out.path());
    let exported = result.unwrap();

    let stems = [
        format!("{} {}", local_date(by_prompt.created_at), by_prompt.prompt),
        format!("{} Beach at dusk", local_date(titled.created_at)),
    ];
    assert_eq!((exported.exported, exported.cancelled), (2, false), "{exported:?}");
    assert_eq!(exported.files, stems.each_ref().map(|stem| format!("{stem}.mp4")));
    assert_eq!(exported.folder, out.path().display().to_string());
    let mut expected: Vec<String> = stems
        .iter()
        .flat_map(|stem| ["mp4", "json", "jpg"].map(|ext| format!("{stem}.{ext}")))
        .collect();
    expected.sort();
    assert_eq!(names(out.path()), expected, "three files each, nothing else");

    let total: u64 = originals.iter().map(|bytes| bytes.len() as u64).sum();
    let first = reports.first().unwrap();
    assert_eq!(
        (first.done, first.total, first.bytes_done, first.bytes_total),
        (0, 2, 0, total)
    );
    let last = reports.last().unwrap();
    assert_eq!((last.done, last.bytes_done), (2, total));

    for ((id, stem), (source, original)) in chosen.iter().zip(&stems).zip(sources.iter().zip(&originals)) {
        let generation = library.get(id).unwrap().unwrap();
        let video = out.path().join(format!("{stem}.mp4"));

        assert_eq!(
            settings_in_video(&video).unwrap(),
            GenerationRequest::from(&generation.request),
            "dropping the file on the composer offers its settings"
        );
        let tag = mp4ameta::Tag::read_from_path(&video).unwrap();
        let title = generation.title.clone().unwrap_or(generation.request.prompt.clone());
        assert_eq!(tag.title(), Some(title.as_str()));
        assert_eq!(tag.comment(), Some(generation.request.prompt.as_str()));
        assert_eq!(video_data(&video), video_data(source), "the video data is untouched");
        assert!(video_data(&video).2 > std::time::Duration::from_secs(4));
        assert_eq!(
            &std::fs::read(source).unwrap(),
            original,
            "the library's own file is only read"
        );

        let poster = dir.path().join(generation.poster_file.as_deref().unwrap());
        assert_eq!(
            std::fs::read(out.path().join(format!("{stem}.jpg"))).unwrap(),
            std::fs::read(poster).unwrap()
        );

        let sidecar: Value =
            serde_json::from_slice(&std::fs::read(out.path().join(format!("{stem}.json"))).unwrap()).unwrap();
        let request = &generation.request;
        assert_eq!(sidecar["prompt"], request.prompt.as_str());
        assert_eq!(sidecar["negative_prompt"], serde_json::json!(request.negative_prompt));
        assert_eq!(sidecar["model_name"], request.model_name.as_str());
        assert_eq!(sidecar["mode"], request.mode.as_str());
        assert_eq!(sidecar["duration"], request.duration.as_str());
        assert_eq!(sidecar["aspect_ratio"], request.aspect_ratio.as_str());
        assert_eq!(sidecar["title"], serde_json::json!(generation.title));
        assert_eq!(sidecar["task_id"], serde_json::json!(generation.task_id));
        assert_eq!(sidecar["external_task_id"], generation.external_task_id.as_str());
        assert_eq!(sidecar["created_at_ms"], generation.created_at);
        assert_eq!(sidecar["finished_at_ms"], generation.finished_at.unwrap());
        let created = chrono::DateTime::parse_from_rfc3339(sidecar["created_at"].as_str().unwrap()).unwrap();
        assert_eq!(created.timestamp_millis(), generation.created_at);
        assert!(sidecar["created_at"].as_str().unwrap().ends_with('Z'), "in UTC");
        assert_eq!(
            serde_json::from_value::<GenerationRequest>(sidecar).unwrap(),
            GenerationRequest::from(request),
            "the sidecar reads as the request too"
        );
    }
}

#[test]
fn exporting_again_adds_a_number_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let boat = ready_video(
        &library,
        valid(prompt("a paper boat")),
        clip(),
        Some(b"poster"),
        MADE_AT,
    );
    let lighthouse = ready_video(&library, valid(prompt("a lighthouse")), clip(), None, MADE_AT);
    let out = tempfile::tempdir().unwrap();
    let date = local_date(MADE_AT);
    let first = run(&library, std::slice::from_ref(&boat.id), out.path()).0.unwrap();
    assert_eq!(first.files, [format!("{date} a paper boat.mp4")]);
    let before = std::fs::read(out.path().join(&first.files[0])).unwrap();

    // Someone else's file holds one of the three names the lighthouse would get.
    std::fs::write(out.path().join(format!("{date} a lighthouse.json")), "theirs").unwrap();
    let again = run(
        &library,
        &[boat.id.clone(), lighthouse.id.clone(), boat.id.clone()],
        out.path(),
    )
    .0
    .unwrap();

    assert_eq!(
        again.files,
        [
            format!("{date} a paper boat (2).mp4"),
            format!("{date} a lighthouse (2).mp4")
        ],
        "each video once, its files numbered together"
    );
    assert_eq!(std::fs::read(out.path().join(&first.files[0])).unwrap(), before);
    assert_eq!(
        std::fs::read_to_string(out.path().join(format!("{date} a lighthouse.json"))).unwrap(),
        "theirs"
    );
    assert_eq!(
        names(out.path()),
        [
            format!("{date} a lighthouse (2).json"),
            format!("{date} a lighthouse (2).mp4"),
            format!("{date} a lighthouse.json"),
            format!("{date} a paper boat (2).jpg"),
            format!("{date} a paper boat (2).json"),
            format!("{date} a paper boat (2).mp4"),
            format!("{date} a paper boat.jpg"),
            format!("{date} a paper boat.json"),
            format!("{date} a paper boat.mp4"),
        ],
        "a video without a poster gets none"
    );
}

#[test]
fn hostile_prompts_and_titles_make_safe_names() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let hostile = format!(
        "../../etc/passwd C:\\Windows\\CON <b>\"x\"</b>|?* 🎬🌊 {}",
        "überlang ".repeat(30)
    );
    assert!(hostile.chars().count() > 300);
    let long = ready_video(&library, valid(prompt(&hostile)), clip(), None, MADE_AT);
    let device = ready_video(&library, valid(prompt("a fox")), clip(), None, MADE_AT);
    library.mark(&device.id, &Mark::Title("CON".into())).unwrap();
    let dotted = ready_video(&library, valid(prompt("a fox")), clip(), None, MADE_AT);
    library
        .mark(&dotted.id, &Mark::Title("  ends with dots. . .".into()))
        .unwrap();
    let wordless = ready_video(&library, valid(prompt("??? /// ***")), clip(), None, MADE_AT);
    // A video recovered by its task id: nobody knows its prompt or settings.
    let recovered = ValidRequest {
        prompt: String::new(),
        negative_prompt: None,
        model_name: String::new(),
        mode: String::new(),
        duration: String::new(),
        aspect_ratio: String::new(),
        cfg_scale: None,
        camera_control: None,
        sound: None,
        kind: Default::default(),
        image: None,
        image_tail: None,
        parent: None,
    };
    let recovered = ready_video(&library, recovered, clip(), None, MADE_AT);
    let out = tempfile::tempdir().unwrap();

    let ids = [&long, &device, &dotted, &wordless, &recovered].map(|g| g.id.clone());
    let exported = run(&library, &ids, out.path()).0.unwrap();

    let date = local_date(MADE_AT);
    assert_eq!(exported.files[1], format!("{date} CON.mp4"));
    assert_eq!(exported.files[2], format!("{date} ends with dots.mp4"));
    assert_eq!(exported.files[3], format!("{date} {UNTITLED}.mp4"));
    assert_eq!(exported.files[4], format!("{date} {UNTITLED} (2).mp4"));
    let name = &exported.files[0];
    assert!(
        name.starts_with(&format!("{date} .. .. etc passwd C Windows CON b x b 🎬🌊 überlang")),
        "{name}"
    );
    for name in names(out.path()) {
        assert!(name.len() <= 150, "{name} is {} bytes", name.len());
        assert!(!name.contains(['<', '>', ':', '"', '/', '\\', '|', '?', '*']), "{name}");
        assert!(!name.chars().any(char::is_control), "{name}");
        let stem = name.rsplit_once('.').unwrap().0;
        assert!(!stem.ends_with(['.', ' ']), "{name}");
    }
    assert_eq!(names(out.path()).len(), 10, "every file stayed in the folder");
    assert_eq!(
        settings_in_video(&out.path().join(name)).unwrap().prompt,
        hostile.trim(),
        "the whole prompt is inside the file"
    );
    let nothing = settings_in_video(&out.path().join(&exported.files[4])).unwrap_err();
    assert_eq!(
        nothing.problem().kind,
        Kind::NoSettingsInVideo,
        "a recovered video has no settings to offer"
    );
    assert!(out.path().join(format!("{date} {UNTITLED} (2).json")).is_file());
}

#[test]
fn a_cancel_part_way_leaves_only_whole_exports() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    // A real clip followed by 9 MiB of free space, as a long video takes many chunks to copy.
    let mut long = clip().to_vec();
    let padding = 9 << 20;
    long.extend_from_slice(&(padding as u32 + 8).to_be_bytes());
    long.extend_from_slice(b"free");
    long.resize(long.len() + padding, 0);
    let first = ready_video(&library, valid(prompt("first")), clip(), Some(b"poster"), MADE_AT);
    let second = ready_video(&library, valid(prompt("second")), &long, Some(b"poster"), MADE_AT);
    let third = ready_video(&library, valid(prompt("third")), clip(), None, MADE_AT);
    let out = tempfile::tempdir().unwrap();
    let ids = [first.id.clone(), second.id.clone(), third.id.clone()];

    let cancel = AtomicBool::new(false);
    let mut reports: Vec<ExportProgress> = Vec::new();
    let exported = export(
        &library,
        &ids,
        out.path(),
        UNTITLED,
        &mut |report| {
            if report.done == 1 && report.bytes_done > clip().len() as u64 {
                cancel.store(true, Ordering::Relaxed);
            }
            reports.push(report.clone());
        },
        &cancel,
    )
    .unwrap();

    let date = local_date(MADE_AT);
    assert_eq!((exported.exported, exported.cancelled), (1, true));
    assert_eq!(exported.files, [format!("{date} first.mp4")]);
    assert_eq!(
        names(out.path()),
        [
            format!("{date} first.jpg"),
            format!("{date} first.json"),
            format!("{date} first.mp4")
        ],
        "the video being copied was taken out again, temporary files and all"
    );
    assert!(
        reports
            .iter()
            .any(|r| r.done == 1 && r.bytes_done > clip().len() as u64),
        "progress was reported during the long copy"
    );

    // Without a cancel, the long one is copied whole, reporting at least every 4 MiB or so.
    let again = tempfile::tempdir().unwrap();
    let (result, reports) = run(&library, std::slice::from_ref(&second.id), again.path());
    let exported = result.unwrap();
    let steps: Vec<u64> = reports.windows(2).map(|w| w[1].bytes_done - w[0].bytes_done).collect();
    assert!(
        steps.len() >= 3 && steps.iter().all(|step| *step <= 5 << 20),
        "{steps:?}"
    );
    let copy = again.path().join(&exported.files[0]);
    assert_eq!(video_data(&copy), video_data(&library.video_path(&second.id).unwrap()));
    assert_eq!(settings_in_video(&copy).unwrap().prompt, "second");
}

#[test]
fn only_ready_videos_with_their_file_are_exported_and_nothing_is_written_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let rows = write_library(dir.path(), 12).unwrap();
    let library = Library::open(dir.path()).unwrap();
    let ready = rows.iter().find(|r| r.status == "ready").unwrap().id.clone();
    let running = rows.iter().find(|r| r.status == "processing").unwrap().id.clone();
    let failed = rows.iter().find(|r| r.status == "failed" || r.status == "expired");
    let removed = rows.iter().filter(|r| r.status == "ready").nth(1).unwrap().id.clone();
    std::fs::remove_file(library.video_path(&removed).unwrap()).unwrap();
    let out = tempfile::tempdir().unwrap();

    let mut refused = vec![running, removed, "no-such-video".to_owned()];
    refused.extend(failed.map(|r| r.id.clone()));
    for id in refused {
        let (result, reports) = run(&library, &[ready.clone(), id.clone()], out.path());
        let problem = result.unwrap_err().problem();
        assert_eq!(problem.kind, Kind::ExportNotReady, "{id}");
        assert_eq!(problem.params["id"], id.as_str());
        assert!(reports.is_empty());
        assert!(names(out.path()).is_empty(), "nothing written for {id}");
    }
}

#[cfg(unix)]
#[test]
fn a_folder_that_cannot_be_written_to_is_said_plainly() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let boat = ready_video(
        &library,
        valid(prompt("a paper boat")),
        clip(),
        Some(b"poster"),
        MADE_AT,
    );
    let out = tempfile::tempdir().unwrap();
    let locked = out.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(locked.join("probe"), "").is_ok() {
        eprintln!("skipped: this user writes into read-only folders (root)");
        return;
    }

    let (result, _) = run(&library, std::slice::from_ref(&boat.id), &locked);
    let problem = result.unwrap_err().problem();
    assert_eq!(problem.kind, Kind::ExportFolderNotWritable);
    assert_eq!(problem.params["path"], locked.display().to_string());
    assert!(names(&locked).is_empty());

    let gone = out.path().join("gone");
    let (result, _) = run(&library, std::slice::from_ref(&boat.id), &gone);
    assert_eq!(result.unwrap_err().problem().kind, Kind::ExportFolderNotWritable);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn all_favorites_are_the_ready_ones_whose_file_is_there() {
    let dir = tempfile::tempdir().unwrap();
    let rows = write_library(dir.path(), 60).unwrap();
    let library = Library::open(dir.path()).unwrap();
    let ready: Vec<&FixtureRow> = rows.iter().filter(|r| r.status == "ready").collect();
    for row in ready.iter().filter(|r| !r.favorite).take(2) {
        library.mark(&row.id, &Mark::Favorite(true)).unwrap();
    }
    let favorites = || -> Vec<String> {
        let mut ids: Vec<String> = rows
            .iter()
            .map(|r| library.get(&r.id).unwrap().unwrap())
            .filter(|g| g.favorite && !g.rejected && g.status == Status::Ready)
            .map(|g| g.id)
            .collect();
        ids.sort();
        ids
    };
    let sorted = |mut ids: Vec<String>| {
        ids.sort();
        ids
    };
    assert!(favorites().len() >= 3);
    assert_eq!(sorted(favorite_ids(&library).unwrap()), favorites());

    let missing = favorites().remove(0);
    std::fs::remove_file(library.video_path(&missing).unwrap()).unwrap();
    let exportable = sorted(favorite_ids(&library).unwrap());
    assert_eq!(exportable.len(), favorites().len() - 1);
    assert!(!exportable.contains(&missing));
    let out = tempfile::tempdir().unwrap();
    let exported = run(&library, &exportable, out.path()).0.unwrap();
    assert_eq!(exported.exported, exportable.len());
}

#[test]
fn only_an_mp4_exported_by_kling_desk_offers_settings() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.mp4");
    std::fs::write(&plain, clip()).unwrap();
    let text = dir.path().join("notes.mp4");
    std::fs::write(&text, "not a video").unwrap();
    let tiny = dir.path().join("tiny.mp4");
    std::fs::write(&tiny, "mp4").unwrap();
    let missing = dir.path().join("missing.mp4");
    for path in [&plain, &text, &tiny, &missing] {
        let problem = settings_in_video(path).unwrap_err().problem();
        assert_eq!(problem.kind, Kind::NoSettingsInVideo, "{}", path.display());
    }
}

#[test]
fn a_library_file_that_is_no_mp4_is_still_exported_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let library = Library::open(dir.path()).unwrap();
    let damaged = b"this was a video once ".repeat(100);
    let generation = ready_video(&library, valid(prompt("a damaged file")), &damaged, None, MADE_AT);
    let out = tempfile::tempdir().unwrap();

    let exported = run(&library, std::slice::from_ref(&generation.id), out.path())
        .0
        .unwrap();

    let video = out.path().join(&exported.files[0]);
    assert_eq!(std::fs::read(&video).unwrap(), damaged);
    assert_eq!(
        settings_in_video(&video).unwrap_err().problem().kind,
        Kind::NoSettingsInVideo
    );
    let sidecar: Value = serde_json::from_slice(&std::fs::read(video.with_extension("json")).unwrap()).unwrap();
    assert_eq!(
        sidecar["prompt"], "a damaged file",
        "the sidecar still has the settings"
    );
}
