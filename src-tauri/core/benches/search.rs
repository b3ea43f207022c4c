//! Benchmark: search as you type over a library of 10,000 generations. Each of 200 queries is a
//! word (or two) typed one letter at a time, with and without filters, the way the search box
//! asks while someone types; the figure is one `Library::search` call for the first page. Run:
//! `cargo bench -p kling-core --bench search`. Printed, never asserted.

use std::time::{Duration, Instant};

use kling_core::library::{LibraryQuery, MarksFilter, Order, StatusFilter};
use kling_core::Library;

const WORDS: &[&str] = &[
    "beach",
    "boat",
    "café",
    "tänzerin",
    "leuchtturm",
    "fox",
    "golden",
    "moonlight",
    "nebel",
    "showreel",
    "kolibri",
    "tram",
    "surfers",
    "brücke",
    "astronaut",
    "orbit",
    "neon",
    "crêpe",
    "käse",
    "static camera",
];

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let written = Instant::now();
    kling_emulator::library_fixture::write_library(dir.path(), 10_000).unwrap();
    println!(
        "fixture: 10,000 generations written in {:.2} s",
        written.elapsed().as_secs_f64()
    );
    let library = Library::open(dir.path()).unwrap();

    let mut queries = Vec::new();
    // Twice through the words, with the filters shifted, so 200 queries differ.
    for (n, word) in WORDS.iter().chain(WORDS).enumerate() {
        let n = n + n / WORDS.len() * 3;
        let letters: Vec<char> = word.chars().collect();
        for typed in 1..=letters.len() {
            queries.push(LibraryQuery {
                text: letters[..typed].iter().collect(),
                status: [StatusFilter::Any, StatusFilter::Ready][n % 2],
                marks: [MarksFilter::NotRejected, MarksFilter::Favorites][n % 3 / 2],
                aspect_ratio: n.is_multiple_of(4).then(|| "16:9".to_owned()),
                order: [Order::NewestFirst, Order::OldestFirst][n % 5 / 4],
                ..LibraryQuery::default()
            });
        }
    }
    queries.truncate(200);
    let mut times: Vec<Duration> = Vec::new();
    for query in &queries {
        let started = Instant::now();
        let page = library.search(query, None, 48).unwrap();
        times.push(started.elapsed());
        std::hint::black_box(page);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "search over 10,000, first page of 48, {} queries: median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        times.len(),
        ms(times[times.len() / 2]),
        ms(times[times.len() * 99 / 100]),
        ms(times[times.len() - 1])
    );
    let started = Instant::now();
    let first = library.search(&LibraryQuery::default(), None, 48).unwrap();
    println!(
        "the gallery's first page (no words, no filters): {:.2} ms, {} cards",
        ms(started.elapsed()),
        first.items.len()
    );
}
