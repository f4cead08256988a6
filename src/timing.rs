//! Phase timings for profiling: with `OCTAVO_TIMINGS` set in the environment, each timed
//! phase prints its wall time to stderr. `make bench` reports whole runs; this says which
//! stage a run spends its time in, so speed work is measured rather than guessed. The
//! clock never reaches an output.

use std::time::Instant;

/// Run `work`, printing how long it took when `OCTAVO_TIMINGS` is set.
pub(crate) fn time<T>(phase: &str, work: impl FnOnce() -> T) -> T {
    if std::env::var_os("OCTAVO_TIMINGS").is_none() {
        return work();
    }
    let start = Instant::now();
    let result = work();
    eprintln!(
        "timing: {phase:<24} {:>8.1} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    result
}
