//! The progress line on stderr while a scenario runs, and the shared counters it shows.
//!
//! Player tasks bump [`Counters`] (relaxed atomics: a counter is only read for display and
//! for totals after the tasks have ended). [`Progress`] prints a line every second: rewritten
//! in place on a terminal, one line per five seconds otherwise (for logs).

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

/// Event counts shared by every player task of a run.
#[derive(Debug, Default)]
pub struct Counters {
    /// Requests sent (chat messages or moves).
    pub sent: AtomicU64,
    /// Of those, acknowledged by the server (`chat_sent` or `ok`).
    pub acked: AtomicU64,
    /// Chat messages received by a member other than the sender, or `moved` events received.
    pub delivered: AtomicU64,
    /// Deliveries owed: for each acknowledged message, the members other than the sender.
    pub expected: AtomicU64,
    /// Sent and not yet answered.
    pub in_flight: AtomicU64,
    /// Games that ended.
    pub games: AtomicU64,
    /// Error replies, closed connections, unreadable frames.
    pub errors: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// See [`Counters::sent`].
    pub sent: u64,
    /// See [`Counters::acked`].
    pub acked: u64,
    /// See [`Counters::delivered`].
    pub delivered: u64,
    /// See [`Counters::expected`].
    pub expected: u64,
    /// See [`Counters::in_flight`].
    pub in_flight: u64,
    /// See [`Counters::games`].
    pub games: u64,
    /// See [`Counters::errors`].
    pub errors: u64,
}

impl Counters {
    /// Adds one to `counter`.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters now.
    pub fn snapshot(&self) -> Snapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Snapshot {
            sent: get(&self.sent),
            acked: get(&self.acked),
            delivered: get(&self.delivered),
            expected: get(&self.expected),
            in_flight: get(&self.in_flight),
            games: get(&self.games),
            errors: get(&self.errors),
        }
    }
}

/// How a scenario words its progress: from the counters now and a second ago, and the time
/// since the window opened.
pub type Describe = dyn Fn(&Snapshot, &Snapshot, Duration) -> String + Send + Sync;

/// A running progress line; [`Progress::finish`] stops it and ends the line.
pub struct Progress {
    task: Option<JoinHandle<()>>,
    terminal: bool,
}

impl Progress {
    /// Starts printing `describe`'s line every second (nothing when `quiet`).
    pub fn start(
        quiet: bool,
        label: &'static str,
        counters: Arc<Counters>,
        describe: Box<Describe>,
    ) -> Self {
        let terminal = std::io::stderr().is_terminal();
        if quiet {
            return Progress { task: None, terminal };
        }
        let task = tokio::spawn(async move {
            let started = Instant::now();
            let mut last = counters.snapshot();
            let mut ticks = 0u64;
            let mut interval = tokio::time::interval(Duration::from_secs(1));
            interval.tick().await;
            loop {
                interval.tick().await;
                ticks = (ticks + 1) % 5;
                let now = counters.snapshot();
                let text = describe(&now, &last, started.elapsed());
                last = now;
                let mut err = std::io::stderr().lock();
                if terminal {
                    let _ = write!(err, "\r\x1b[2K{label} {text}");
                    let _ = err.flush();
                } else if ticks == 0 {
                    let _ = writeln!(err, "{label} {text}");
                }
            }
        });
        Progress { task: Some(task), terminal }
    }

    /// Stops the line.
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            if self.terminal {
                eprintln!();
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A short status message on stderr (set-up steps), unless `quiet`.
pub fn note(quiet: bool, text: &str) {
    if !quiet {
        eprintln!("capital-bench: {text}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_copy_the_counters() {
        let c = Counters::default();
        Counters::bump(&c.sent);
        Counters::bump(&c.sent);
        Counters::bump(&c.delivered);
        c.expected.fetch_add(5, Ordering::Relaxed);
        let s = c.snapshot();
        assert_eq!((s.sent, s.delivered, s.expected, s.acked), (2, 1, 5, 0));
    }
}
