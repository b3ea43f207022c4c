//! Benchmark: the Spend view and the cost line's budget check over a library of 10,000
//! generations: reading every generation and coach call as ledger entries, then summing them per
//! local day and month. Run: `cargo bench -p kling-core --bench ledger`. Printed, never asserted.

use std::time::{Duration, Instant};

use kling_core::ledger;
use kling_core::Library;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    kling_emulator::library_fixture::write_library(dir.path(), 10_000).unwrap();
    let library = Library::open(dir.path()).unwrap();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;

    let (mut read, mut summed) = (Vec::new(), Vec::new());
    let mut entries = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        entries = library.ledger_entries().unwrap();
        read.push(started.elapsed());
        let started = Instant::now();
        std::hint::black_box(ledger::spend(&entries, kling_core::generation::now_ms(), 60));
        summed.push(started.elapsed());
    }
    for (what, times) in [
        ("read as entries", &mut read),
        ("summed per day and month", &mut summed),
    ] {
        times.sort();
        println!(
            "ledger of {} generations, {what}: median {:.2} ms, max {:.2} ms",
            entries.len(),
            ms(times[times.len() / 2]),
            ms(times[times.len() - 1])
        );
    }
}
