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
    let cpu_start = process_cpu_ms();
    let result = work();
    eprintln!(
        "timing: {phase:<24} {:>8.1} ms  cpu {:>8.1} ms  peak {:>5} MB",
        start.elapsed().as_secs_f64() * 1000.0,
        process_cpu_ms() - cpu_start,
        peak_rss_mb()
    );
    result
}

/// The process's peak resident memory so far, in MB (which stage raised it).
#[cfg(unix)]
fn peak_rss_mb() -> i64 {
    // SAFETY: getrusage only writes the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    // Linux gives kilobytes.
    usage.ru_maxrss / 1024
}

/// The peak resident memory where it cannot be read.
#[cfg(not(unix))]
fn peak_rss_mb() -> i64 {
    0
}

/// CPU time (user + system, all threads) the process has used so far, in milliseconds
/// (a loaded machine makes the wall times of stages unreliable).
#[cfg(unix)]
fn process_cpu_ms() -> f64 {
    // SAFETY: getrusage only writes the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    ms(usage.ru_utime) + ms(usage.ru_stime)
}

#[cfg(not(unix))]
fn process_cpu_ms() -> f64 {
    0.0
}
