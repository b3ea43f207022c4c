//! The kill test: the real engine runs in a child process against the emulator and is killed
//! with SIGKILL at chosen and random moments, 200 times in one seeded run, then started again.
//! Some clicks ask for several takes. After every restart each generation the user asked for
//! exists exactly once, every click is on disk with all its takes or none, and no take was paid
//! for twice; at the end every generation is a complete, playable file and no `.part` is left.
//!
//! `KILL_TEST_CYCLES` and `KILL_TEST_SEED` change the run; the seed is printed so a failure can be
//! replayed.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{spawn_test_child, KEY};
use kling_core::rules::GenerationKind;
use kling_core::{GenerationRequest, Library, PollSchedule, Status};
use kling_emulator::{Emulator, EmulatorConfig, Fault, FaultRoute};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const CHILD_ENV: &str = "KILL_TEST_CHILD";
/// A click whose prompt ends with this starts from a picture.
const PICTURE: &str = " from a picture";

/// The child: resumes what is unfinished, asks for the given prompts, each with its number of
/// takes (printing `ASKED` with the takes' ids once they are on disk, which is when the UI would
/// show them), and exits when nothing is left unfinished.
#[test]
#[ignore = "the kill test's child process, started by kill_test_200_cycles"]
fn kill_test_child() {
    let spec: serde_json::Value =
        serde_json::from_str(&std::env::var(CHILD_ENV).expect("started by the kill test")).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let root = Path::new(spec["root"].as_str().unwrap());
        let rig = common::engine_tuned(root, spec["api_base"].as_str().unwrap(), Some(KEY), |config| {
            config.schedule = PollSchedule { scale: 0.01 };
            config.media_base = None;
        });
        let (engine, library) = (&rig.engine, rig.engine.library());
        engine.resume().unwrap();
        let asks: Vec<Ask> = serde_json::from_value(spec["asks"].clone()).unwrap();
        for (prompt, takes) in asks {
            // Videos from a picture go through the same journal: the picture is kept first, as
            // the composer keeps it when it is dropped.
            let image = prompt
                .ends_with(PICTURE)
                .then(|| engine.keep_frame(&common::png(640, 360)).unwrap().frame.file);
            let made = engine
                .generate_takes(&GenerationRequest {
                    prompt: prompt.clone(),
                    takes: Some(takes),
                    image,
                    ..Default::default()
                })
                .unwrap();
            let ids: Vec<String> = made.into_iter().map(|g| g.id).collect();
            println!("ASKED {} {prompt}", ids.join(","));
        }
        while !library.unfinished().unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        println!("DONE");
    });
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    /// The POST is on its way and has no answer yet (the emulator holds it back before creating).
    WhileSubmitting,
    /// The provider created the task; its answer is on the way back, not yet recorded.
    AfterPostBeforeRecorded,
    /// A status query is in flight.
    MidPoll,
    /// The video is half downloaded.
    MidDownload,
    /// Any moment at all, which is mostly between or during library writes.
    Random,
}

const STAGES: [Stage; 5] = [
    Stage::WhileSubmitting,
    Stage::AfterPostBeforeRecorded,
    Stage::MidPoll,
    Stage::MidDownload,
    Stage::Random,
];

/// A click the user made: its prompt (one per click) and how many takes it asked for.
type Ask = (String, u32);
/// A click the child reported: the ids of its takes, with its prompt.
type Made = (Vec<String>, String);

struct ChildRun {
    child: Child,
    asked: Arc<Mutex<Vec<Made>>>,
    done: Arc<Mutex<bool>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl ChildRun {
    /// Waits for the process and for the last lines it printed.
    fn finish(&mut self) -> std::process::ExitStatus {
        let status = self.child.wait().unwrap();
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        status
    }
}

fn start_child(root: &Path, api_base: &str, asks: &[Ask]) -> ChildRun {
    let spec = serde_json::json!({"root": root, "api_base": api_base, "asks": asks});
    let mut child = spawn_test_child("kill_test_child", CHILD_ENV, &spec, Stdio::null());
    let asked = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(Mutex::new(false));
    let stdout = child.stdout.take().unwrap();
    let (asked_out, done_out) = (asked.clone(), done.clone());
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            // The test harness may print its own "test … " prefix on the first line.
            if let Some((_, rest)) = line.split_once("ASKED ") {
                let (ids, prompt) = rest.split_once(' ').unwrap();
                let ids = ids.split(',').map(str::to_owned).collect();
                asked_out.lock().unwrap().push((ids, prompt.to_owned()));
            } else if line.ends_with("DONE") {
                *done_out.lock().unwrap() = true;
            }
        }
    });
    ChildRun {
        child,
        asked,
        done,
        reader: Some(reader),
    }
}

fn all_generations(root: &Path) -> Vec<kling_core::Generation> {
    let library = Library::open(root).unwrap();
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let page = library
            .search(&kling_core::LibraryQuery::default(), before, 200)
            .unwrap();
        all.extend(page.items);
        match page.next {
            Some(next) => before = Some(next),
            None => return all,
        }
    }
}

/// The checks that hold after every restart: asked once means stored once, each click whole (all
/// its takes, each once, in one batch) or not at all, and no take paid twice.
fn check_exactly_once(
    root: &Path,
    emulator: &Emulator,
    confirmed: &HashMap<String, Vec<String>>,
    takes_asked: &HashMap<String, u32>,
) -> (usize, usize) {
    let stored = all_generations(root);
    let mut rows_per_prompt: HashMap<&str, Vec<&kling_core::Generation>> = HashMap::new();
    for generation in &stored {
        rows_per_prompt
            .entry(generation.request.prompt.as_str())
            .or_default()
            .push(generation);
    }
    let mut duplicates = 0;
    let mut losses = 0;
    for (prompt, ids) in confirmed {
        let rows = rows_per_prompt.get(prompt.as_str()).map_or(&[][..], Vec::as_slice);
        losses += ids.iter().filter(|id| !rows.iter().any(|g| &g.id == *id)).count();
    }
    for (prompt, rows) in &rows_per_prompt {
        let takes = takes_asked[*prompt];
        let wanted: Vec<Option<(u32, u32)>> = if takes == 1 {
            vec![None]
        } else {
            (1..=takes).map(|index| Some((index, takes))).collect()
        };
        for shape in &wanted {
            match rows
                .iter()
                .filter(|g| g.take.as_ref().map(|t| (t.index, t.count)) == *shape)
                .count()
            {
                0 => losses += 1,
                n => duplicates += n - 1,
            }
        }
        duplicates += rows
            .iter()
            .filter(|g| !wanted.contains(&g.take.as_ref().map(|t| (t.index, t.count))))
            .count();
        let batches: HashSet<Option<&str>> = rows
            .iter()
            .map(|g| g.take.as_ref().map(|t| t.batch_id.as_str()))
            .collect();
        assert_eq!(batches.len(), 1, "{prompt}: the takes of one click share one batch");
    }
    let mut tasks_per_prompt: HashMap<String, u32> = HashMap::new();
    for task in emulator.tasks() {
        *tasks_per_prompt
            .entry(task.request["prompt"].as_str().unwrap_or_default().to_owned())
            .or_default() += 1;
    }
    duplicates += tasks_per_prompt
        .iter()
        .filter(|(prompt, tasks)| **tasks > takes_asked.get(*prompt).copied().unwrap_or(0))
        .count();
    (duplicates, losses)
}

#[test]
fn kill_test_200_cycles() {
    let cycles: usize = std::env::var("KILL_TEST_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let seed: u64 = std::env::var("KILL_TEST_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_261_124);
    let mut rng = StdRng::seed_from_u64(seed);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime
        .block_on(Emulator::start(EmulatorConfig {
            submitted_ms: 30,
            processing_ms: 150,
            ..EmulatorConfig::fast()
        }))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let base = emulator.base_url();

    // A first generation, never killed, as a user's first one would be: it teaches the app that
    // this gateway finds tasks by external id.
    let mut confirmed: HashMap<String, Vec<String>> = HashMap::new();
    let mut takes_asked: HashMap<String, u32> = HashMap::from([("warm-up".to_owned(), 1)]);
    let mut warmup = start_child(root, &base, &[("warm-up".into(), 1)]);
    assert!(warmup.finish().success());
    for (ids, prompt) in warmup.asked.lock().unwrap().drain(..) {
        confirmed.insert(prompt, ids);
    }

    let mut kills: BTreeMap<Stage, usize> = BTreeMap::new();
    let mut finished_before_kill = 0;
    let mut asked_total = 0;
    for cycle in 0..cycles {
        let stage = STAGES[rng.gen_range(0..STAGES.len())];
        // About one click in three asks for several takes.
        let asks: Vec<Ask> = (0..rng.gen_range(0..=2))
            .map(|i| {
                let takes = if rng.gen_bool(0.35) { rng.gen_range(2..=4) } else { 1 };
                // About one click in four starts from a picture.
                let from = if rng.gen_bool(0.25) { PICTURE } else { "" };
                (format!("cycle {cycle} item {i}{from}"), takes)
            })
            .collect();
        takes_asked.extend(asks.iter().cloned());
        asked_total += asks.iter().map(|(_, takes)| *takes as usize).sum::<usize>();
        emulator.clear_faults();
        let route = match stage {
            Stage::WhileSubmitting => {
                emulator.push_fault(Fault::delay(400).on(FaultRoute::Create));
                Some(("POST", false))
            }
            Stage::AfterPostBeforeRecorded => Some(("POST", false)),
            Stage::MidPoll => {
                emulator.push_fault(Fault::delay(400).on(FaultRoute::Query));
                Some(("GET", false))
            }
            Stage::MidDownload => {
                emulator.push_fault(Fault::truncated().on(FaultRoute::Media));
                Some(("GET", true))
            }
            Stage::Random => None,
        };
        let seen_before = emulator.requests().len();
        let mut run = start_child(root, &base, &asks);
        let started = Instant::now();
        let deadline = started + Duration::from_secs(5);
        let random_moment = Duration::from_millis(rng.gen_range(0..400));
        let extra = Duration::from_millis(rng.gen_range(0..5));
        let mut killed = false;
        loop {
            if *run.done.lock().unwrap() || run.child.try_wait().unwrap().is_some() {
                break;
            }
            let now = Instant::now();
            let trigger = match route {
                None => now - started >= random_moment,
                Some((method, media)) => emulator.requests()[seen_before..]
                    .iter()
                    .any(|r| r.method == method && r.is_media() == media && (media || r.is_api())),
            };
            if trigger || now >= deadline {
                if trigger {
                    std::thread::sleep(extra);
                }
                run.child.kill().unwrap();
                killed = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        run.finish();
        if killed {
            *kills.entry(stage).or_default() += 1;
        } else {
            finished_before_kill += 1;
        }
        for (ids, prompt) in run.asked.lock().unwrap().drain(..) {
            confirmed.insert(prompt, ids);
        }
        let (duplicates, losses) = check_exactly_once(root, &emulator, &confirmed, &takes_asked);
        assert_eq!((duplicates, losses), (0, 0), "cycle {cycle} ({stage:?}), seed {seed}");
    }

    // Recovery, undisturbed: everything finishes.
    emulator.clear_faults();
    let mut last = start_child(root, &base, &[]);
    let deadline = Instant::now() + Duration::from_secs(120);
    while last.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "recovery did not finish");
        std::thread::sleep(Duration::from_millis(20));
    }
    last.finish();
    assert!(*last.done.lock().unwrap(), "the recovery run ended without finishing");

    let stored = all_generations(root);
    let (duplicates, losses) = check_exactly_once(root, &emulator, &confirmed, &takes_asked);
    let clip = kling_emulator::clip("16:9", "5").unwrap();
    let mut statuses: BTreeMap<&str, usize> = BTreeMap::new();
    let mut from_pictures = 0;
    for generation in &stored {
        *statuses.entry(generation.status.as_str()).or_default() += 1;
        let picture = generation.request.prompt.ends_with(PICTURE);
        from_pictures += usize::from(picture);
        assert_eq!(
            generation.request.kind,
            if picture {
                GenerationKind::ImageToVideo
            } else {
                GenerationKind::TextToVideo
            },
            "{}",
            generation.request.prompt
        );
        assert_eq!(
            generation.status,
            Status::Ready,
            "{} ended {:?}: {:?}",
            generation.request.prompt,
            generation.status,
            generation.error
        );
        let file = std::fs::read(root.join("videos").join(format!("{}.mp4", generation.id))).unwrap();
        assert!(
            file == clip,
            "{}: the file is the complete clip",
            generation.request.prompt
        );
        assert_eq!(generation.video_bytes, Some(clip.len() as i64));
    }
    let parts = std::fs::read_dir(root.join("incoming")).unwrap().count();
    println!(
        "kill test (seed {seed}): {cycles} cycles, kills per stage {kills:?}, finished before the kill {finished_before_kill}, \
         asked {asked_total} takes (+1 warm-up), confirmed {}, stored {}, statuses {statuses:?}, duplicates {duplicates}, losses {losses}, \
         paid tasks {}, from a picture {from_pictures}, .part files left {parts}",
        confirmed.values().map(Vec::len).sum::<usize>(),
        stored.len(),
        emulator.tasks().len()
    );
    assert_eq!((duplicates, losses, parts), (0, 0, 0));
    assert_eq!(
        emulator.tasks().len(),
        stored.len(),
        "one paid task per stored generation"
    );
}
