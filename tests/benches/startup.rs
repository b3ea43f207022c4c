//! Benchmark: start-up time to a ready page and memory over the whole process tree (the app and
//! its WebKit processes), with an empty library and with a large one, to show that nothing on the
//! start path grows with the library. Run by `scripts/bench.sh` (it provides Xvfb and a session
//! bus). Prints numbers and asserts nothing.

#[path = "../support/mod.rs"]
#[allow(dead_code)] // the benchmark uses only the launcher and WebDriver parts
mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kling_core::request::{validate, GenerationRequest};
use kling_core::rules::COMETAPI_LIMITS;
use kling_core::{Library, Status};
use kling_emulator::{Emulator, EmulatorConfig};
use support::app::{app_pids, App};

const RUNS: usize = 3;

/// Fills a library with `count` ready generations, each with a real clip on disk.
fn seed(root: &Path, count: usize) {
    let library = Library::open(root).unwrap();
    let clip = kling_emulator::clip("16:9", "5").unwrap();
    for n in 0..count {
        let request = GenerationRequest {
            prompt: format!("seeded generation number {n}"),
            ..Default::default()
        };
        let mut generation = library.insert(validate(&request, &COMETAPI_LIMITS).unwrap()).unwrap();
        std::fs::write(library.videos_dir().join(format!("{}.mp4", generation.id)), clip).unwrap();
        generation.task_id = Some(format!("{n:019}"));
        generation.status = Status::Ready;
        generation.video_file = Some(format!("videos/{}.mp4", generation.id));
        generation.video_bytes = Some(clip.len() as i64);
        generation.video_duration = Some("5.1".into());
        library.save(&mut generation).unwrap();
    }
}

/// Every process below `roots` (WebKit's web and network processes are children of the app).
fn tree(roots: &[u32]) -> Vec<u32> {
    let mut all: Vec<u32> = roots.to_vec();
    loop {
        let before = all.len();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|p| p.parse::<u32>().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            let ppid = stat
                .rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().nth(1))
                .and_then(|p| p.parse().ok());
            if ppid.is_some_and(|p| all.contains(&p)) && !all.contains(&pid) {
                all.push(pid);
            }
        }
        if all.len() == before {
            return all;
        }
    }
}

/// (RSS, PSS) in MB summed over the processes.
fn memory(pids: &[u32]) -> (f64, f64) {
    let field = |pid: u32, file: &str, name: &str| -> f64 {
        std::fs::read_to_string(format!("/proc/{pid}/{file}"))
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|l| l.starts_with(name))?
                    .split_whitespace()
                    .nth(1)?
                    .parse::<f64>()
                    .ok()
            })
            .unwrap_or(0.0)
    };
    let rss = pids.iter().map(|p| field(*p, "status", "VmRSS:")).sum::<f64>() / 1024.0;
    let pss = pids.iter().map(|p| field(*p, "smaps_rollup", "Pss:")).sum::<f64>() / 1024.0;
    (rss, pss)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[values.len() / 2]
}

fn main() {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_kling-desk"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime.block_on(Emulator::start(EmulatorConfig::fast())).unwrap();
    let sizes = [
        ("empty library", 0),
        ("library of 2,000 generations", 2_000),
        ("library of 20,000 generations", 20_000),
    ];
    for (label, count) in sizes {
        let (mut ready_s, mut rss_mb, mut pss_mb) = (Vec::new(), Vec::new(), Vec::new());
        let template = tempfile::tempdir().unwrap();
        let seeding = Instant::now();
        seed(&template.path().join("data/app.klingdesk.desktop/library"), count);
        let seeded_in = seeding.elapsed();
        for _ in 0..RUNS {
            let home = tempfile::tempdir().unwrap();
            let copy = std::process::Command::new("cp")
                .arg("-a")
                .arg(template.path().join("."))
                .arg(home.path())
                .status();
            assert!(copy.unwrap().success());
            let log = home.path().join("app.log");
            let started = Instant::now();
            let app = App::launch(&binary, home.path(), &emulator.base_url(), &log);
            // Ready: the first page of the gallery is on screen (a card, or the empty state).
            let ready_when = if count > 0 {
                "[data-testid=generation]"
            } else {
                "[data-testid=empty]"
            };
            app.session.wait_for(ready_when, Duration::from_secs(60));
            ready_s.push(started.elapsed().as_secs_f64());
            std::thread::sleep(Duration::from_secs(3));
            let (rss, pss) = memory(&tree(&app_pids(&binary, home.path())));
            rss_mb.push(rss);
            pss_mb.push(pss);
            drop(app);
        }
        println!(
            "{label}: ready page in {:.2} s (median of {RUNS}, includes starting WebKitWebDriver), \
             memory over the process tree {:.0} MB RSS / {:.0} MB PSS{}",
            median(ready_s),
            median(rss_mb),
            median(pss_mb),
            if count > 0 {
                format!(" (seeding took {:.1} s)", seeded_in.as_secs_f64())
            } else {
                String::new()
            }
        );
    }
}
