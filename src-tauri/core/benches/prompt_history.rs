//! Benchmark: the prompt history over a library of 10,000 generations, as the history list asks
//! for it: once with no words, then while a word is typed one letter at a time. The figure is one
//! `Library::prompt_history` call for 50 prompts. Run:
//! `cargo bench -p kling-core --bench prompt_history`. Printed, never asserted.

use std::time::{Duration, Instant};

use kling_core::Library;

const WORDS: &[&str] = &["beach", "tänzerin", "leuchtturm", "neon", "käse", "static camera"];

fn main() {
    let dir = tempfile::tempdir().unwrap();
    kling_emulator::library_fixture::write_library(dir.path(), 10_000).unwrap();
    let library = Library::open(dir.path()).unwrap();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;

    let mut times: Vec<Duration> = Vec::new();
    let mut listed = 0;
    for _ in 0..20 {
        let started = Instant::now();
        listed = library.prompt_history("", 50).unwrap().len();
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "prompt history over 10,000, no words, {listed} prompts: median {:.2} ms, max {:.2} ms",
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );

    let mut times: Vec<Duration> = Vec::new();
    for word in WORDS {
        let letters: Vec<char> = word.chars().collect();
        for typed in 1..=letters.len() {
            let query: String = letters[..typed].iter().collect();
            let started = Instant::now();
            std::hint::black_box(library.prompt_history(&query, 50).unwrap());
            times.push(started.elapsed());
        }
    }
    times.sort();
    println!(
        "prompt history over 10,000, {} typed queries: median {:.2} ms, max {:.2} ms",
        times.len(),
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    );
}
