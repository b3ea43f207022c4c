//! Where start-up time goes, for the benchmark (`scripts/bench.sh`): with `KLING_DESK_TRACE` set,
//! each step of the start path prints `kling-desk trace <ms since the epoch> <step>` to stderr. The
//! benchmark puts these beside the page's own marks on one clock. Without the variable nothing is
//! printed and each step costs one relaxed load.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Reads the variable once, at the top of `main`.
pub fn init() {
    ENABLED.store(std::env::var_os("KLING_DESK_TRACE").is_some(), Ordering::Relaxed);
    step("main");
}

pub fn step(name: &str) {
    if ENABLED.load(Ordering::Relaxed) {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0);
        eprintln!("kling-desk trace {ms:.1} {name}");
    }
}
