//! A progress bar on stderr for long builds (issue: builds of 2,000-page books take a
//! second or more). It stays hidden until a build has run for a second, and is never shown
//! unless the binary enables it: only when stderr is a terminal and `--quiet` is not given,
//! so logs, CI output and JSON diagnostics are untouched. The pipeline reports phases and
//! per-chapter steps through the free functions here, which do nothing when it is off.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bar, once enabled, and when the build started.
struct Progress {
    bar: ProgressBar,
    started: Instant,
    shown: AtomicBool,
}

static PROGRESS: OnceLock<Progress> = OnceLock::new();

/// How long a build runs before the bar appears.
const DELAY: Duration = Duration::from_secs(1);

/// Turn the bar on for this process (the binary decides: terminal, not quiet).
pub fn enable() {
    let style = ProgressStyle::with_template("{spinner} {msg:<14} [{bar:30}] {pos}/{len}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    let bar =
        ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden()).with_style(style);
    let _ = PROGRESS.set(Progress {
        bar,
        started: Instant::now(),
        shown: AtomicBool::new(false),
    });
}

/// Start a phase of `total` steps (`message` says what is being done).
pub fn phase(message: &'static str, total: usize) {
    if let Some(p) = PROGRESS.get() {
        p.bar.reset();
        p.bar.set_length(total as u64);
        p.bar.set_message(message);
        show_when_slow(p);
    }
}

/// One step of the current phase is done.
pub(crate) fn step() {
    if let Some(p) = PROGRESS.get() {
        p.bar.inc(1);
        show_when_slow(p);
    }
}

/// Remove the bar (before the binary prints what it wrote).
pub fn finish() {
    if let Some(p) = PROGRESS.get() {
        p.bar.finish_and_clear();
    }
}

fn show_when_slow(p: &Progress) {
    if p.started.elapsed() >= DELAY && !p.shown.swap(true, Ordering::Relaxed) {
        p.bar.set_draw_target(ProgressDrawTarget::stderr());
        p.bar.enable_steady_tick(Duration::from_millis(120));
    }
}
