//! Writes a fixture library for trying the gallery by hand and for the benchmarks:
//! `kling-library-fixture DIR COUNT`. On Linux the app's library is
//! `$XDG_DATA_HOME/app.klingdesk.desktop/library`, so `DIR=/tmp/big/app.klingdesk.desktop/library` and
//! `XDG_DATA_HOME=/tmp/big scripts/run.sh` open it.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(Ok(count))) = (args.first(), args.get(1).map(|c| c.parse::<usize>())) else {
        eprintln!("Usage: kling-library-fixture DIR COUNT   (DIR must not hold a library yet)");
        return ExitCode::from(2);
    };
    let started = std::time::Instant::now();
    match kling_emulator::library_fixture::write_library(std::path::Path::new(dir), count) {
        Ok(rows) => {
            println!(
                "{} generations written to {dir} in {:.1} s",
                rows.len(),
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("kling-library-fixture: {error}");
            ExitCode::FAILURE
        }
    }
}
