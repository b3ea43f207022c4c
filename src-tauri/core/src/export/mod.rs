//! Export: ready videos copied to a folder the user picks, each as three files sharing one name
//! (`naming`): the MP4 with its prompt and settings in its own metadata (`metadata`), a JSON
//! sidecar with everything it was made with (`sidecar`), and its poster when it has one.
//!
//! Everything is checked before the first byte is written. Each file is written under a hidden
//! temporary name in the destination folder, synced, and only then given its final name, which
//! never replaces an existing file: a failure, a full disk or a cancel leaves whole exports and
//! nothing else. The library's own files are only read.

mod metadata;
mod naming;
mod sidecar;

pub use metadata::settings_in_video;
// Also the words of a desktop notification (`announcement`).
pub(crate) use naming::first_words;

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::generation::Generation;
use crate::library::{Library, LibraryQuery, MarksFilter, StatusFilter};
use crate::problem::Kind;
use naming::Waiting;

/// How much is copied between two looks at the cancel flag.
const CHUNK: usize = 1 << 20;
/// How much is copied between two progress reports, at most.
const PROGRESS_EVERY: usize = 4 << 20;

/// How far an export is: whole videos, and bytes of video copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportProgress {
    pub done: usize,
    pub total: usize,
    pub bytes_done: u64,
    pub bytes_total: u64,
}

/// What an export did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exported {
    /// How many videos are in the folder now, each with its sidecar and poster.
    pub exported: usize,
    /// The user stopped it: the video being copied then was taken out again.
    pub cancelled: bool,
    pub folder: String,
    /// The names of the MP4s written, in the order of the ids.
    pub files: Vec<String>,
}

/// The favorites that can be exported (ready, their file in the library), newest first: what
/// "Export all favorites" exports.
pub fn favorite_ids(library: &Library) -> Result<Vec<String>> {
    let query = LibraryQuery {
        marks: MarksFilter::Favorites,
        status: StatusFilter::Ready,
        ..LibraryQuery::default()
    };
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        // As many as a page holds.
        let page = library.search(&query, after, usize::MAX)?;
        ids.extend(
            page.items
                .into_iter()
                .map(|generation| generation.id)
                .filter(|id| library.video_path(id).is_ok()),
        );
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(ids),
        }
    }
}

/// Exports the generations `ids` into `folder`. `untitled` names a video that has neither a title
/// nor a word in its prompt (in the window's language). `progress` hears at the start, after at
/// most every 4 MiB copied, and after each video; setting `cancel` stops the export within 1 MiB.
///
/// Refused before anything is written: an id that is not a ready video with its file in the
/// library (`ExportNotReady`). A folder that cannot be written to is `ExportFolderNotWritable`,
/// a full disk `DiskFull`; the videos finished before either stay.
pub fn export(
    library: &Library,
    ids: &[String],
    folder: &Path,
    untitled: &str,
    progress: &mut dyn FnMut(&ExportProgress),
    cancel: &AtomicBool,
) -> Result<Exported> {
    let sources = sources(library, ids)?;
    let mut report = ExportProgress {
        done: 0,
        total: sources.len(),
        bytes_done: 0,
        bytes_total: sources.iter().map(|source| source.bytes).sum(),
    };
    let mut exported = Exported {
        exported: 0,
        cancelled: false,
        folder: folder.display().to_string(),
        files: Vec::new(),
    };
    progress(&report);
    for source in &sources {
        let written = if cancel.load(Ordering::Relaxed) {
            None
        } else {
            export_one(source, folder, untitled, &mut report, progress, cancel)?
        };
        let Some(file) = written else {
            exported.cancelled = true;
            break;
        };
        exported.exported += 1;
        exported.files.push(file);
        report.done += 1;
        progress(&report);
    }
    Ok(exported)
}

/// A video to export, as found in the library.
struct Source {
    generation: Generation,
    video: PathBuf,
    poster: Option<PathBuf>,
    /// The start and end pictures kept in the library, with the endings they are exported under.
    frames: Vec<(String, PathBuf)>,
    bytes: u64,
}

/// The videos behind `ids`, each once, all of them ready with their file on disk.
fn sources(library: &Library, ids: &[String]) -> Result<Vec<Source>> {
    let mut sources: Vec<Source> = Vec::new();
    for id in ids {
        if sources.iter().any(|source| &source.generation.id == id) {
            continue;
        }
        let not_ready = || Error::invalid_with(Kind::ExportNotReady, "export", &[("id", id.as_str().into())]);
        let video = match library.video_path(id) {
            Ok(video) => video,
            Err(Error::UnknownGeneration(_))
            | Err(Error::Invalid {
                kind: Kind::VideoFileMissing,
                ..
            }) => return Err(not_ready()),
            Err(e) => return Err(e),
        };
        let generation = library.get(id)?.ok_or_else(not_ready)?;
        let poster = generation
            .poster_file
            .as_deref()
            .map(|file| library.root().join(file))
            .filter(|poster| poster.is_file());
        let request = &generation.request;
        let frames = [("start", &request.image), ("end", &request.image_tail)]
            .into_iter()
            .filter_map(|(which, frame)| {
                let frame = frame.as_ref()?;
                Some((
                    sidecar::frame_ending(which, frame),
                    library.videos_dir().join(&frame.file),
                ))
            })
            .collect();
        sources.push(Source {
            bytes: std::fs::metadata(&video)?.len(),
            frames,
            generation,
            video,
            poster,
        });
    }
    Ok(sources)
}

/// Writes one video's files and gives them their names; `None` when cancelled part-way, with
/// nothing of this video left behind.
fn export_one(
    source: &Source,
    folder: &Path,
    untitled: &str,
    report: &mut ExportProgress,
    progress: &mut dyn FnMut(&ExportProgress),
    cancel: &AtomicBool,
) -> Result<Option<String>> {
    let at_folder = |e: io::Error| in_folder(folder, e);
    let stem = naming::stem(&source.generation, untitled);
    let mut temps = Temps::new(folder, &stem);

    let (video, mut out) = temps.create("mp4")?;
    let mut input = File::open(&source.video)?;
    let mut buffer = vec![0; CHUNK];
    let mut unreported = 0;
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let read = match input.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        out.write_all(&buffer[..read]).map_err(at_folder)?;
        report.bytes_done += read as u64;
        unreported += read;
        if unreported >= PROGRESS_EVERY {
            progress(report);
            unreported = 0;
        }
    }
    drop(out);
    metadata::write(&video, &source.generation).map_err(at_folder)?;
    OpenOptions::new()
        .write(true)
        .open(&video)
        .and_then(|file| file.sync_all())
        .map_err(at_folder)?;

    temps.write("json", &sidecar::json(&source.generation))?;
    if let Some(poster) = &source.poster {
        let extension = poster.extension().and_then(|e| e.to_str()).unwrap_or("jpg");
        temps.write(extension, &std::fs::read(poster)?)?;
    }
    for (ending, kept) in &source.frames {
        temps.write(ending, &std::fs::read(kept)?)?;
    }

    let stem = naming::claim(folder, &stem, &temps.files).map_err(at_folder)?;
    Ok(Some(format!("{stem}.mp4")))
}

/// The temporary files of one video, hidden in the destination folder. Dropping them removes
/// them: after a failure or a cancel nothing is left; after the names were claimed, only the
/// final names are.
struct Temps<'a> {
    folder: &'a Path,
    prefix: String,
    files: Vec<Waiting>,
}

impl<'a> Temps<'a> {
    fn new(folder: &'a Path, stem: &str) -> Self {
        let unique = &uuid::Uuid::new_v4().simple().to_string()[..8];
        Temps {
            folder,
            prefix: format!(".{stem}.{unique}"),
            files: Vec::new(),
        }
    }

    fn create(&mut self, extension: &str) -> Result<(PathBuf, File)> {
        let temp = self.folder.join(format!("{}.{extension}.part", self.prefix));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| in_folder(self.folder, e))?;
        self.files.push(Waiting {
            temp: temp.clone(),
            extension: extension.to_owned(),
        });
        Ok((temp, file))
    }

    fn write(&mut self, extension: &str, bytes: &[u8]) -> Result<()> {
        let (_, mut file) = self.create(extension)?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| in_folder(self.folder, e))
    }
}

impl Drop for Temps<'_> {
    fn drop(&mut self) {
        for file in &self.files {
            let _ = std::fs::remove_file(&file.temp);
        }
    }
}

/// A failure writing into the destination folder: one that says the folder cannot be written to
/// is told as such, with the folder; others (a full disk) as they are.
fn in_folder(folder: &Path, error: io::Error) -> Error {
    match error.kind() {
        io::ErrorKind::PermissionDenied
        | io::ErrorKind::ReadOnlyFilesystem
        | io::ErrorKind::NotFound
        | io::ErrorKind::NotADirectory => Error::invalid_with(
            Kind::ExportFolderNotWritable,
            "folder",
            &[("path", folder.display().to_string().into())],
        ),
        _ => error.into(),
    }
}
