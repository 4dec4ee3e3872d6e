//! Capital's load generator: simulated players over real WebSockets against a running server,
//! with honest figures (HDR-histogram latencies, the server's own RSS and CPU time from `/proc`).
//!
//! Every scenario runs in three phases: set-up (connect with bounded concurrency, `hello`, seat
//! players in rooms; not measured), the measured window (ends after `--duration` seconds or a
//! count of messages or moves), and a short drain (what was in flight arrives and is counted,
//! but the rates only count the window). The binary (`src/main.rs`) parses the command line and
//! prints a [`report::Table`] or JSON; the scenarios are library functions so that the tests can
//! run them against an in-process server.
//!
//! `docs/performance.md` says how to run each one and what the figures were; `targets.sh` (next
//! to this crate's `Cargo.toml`) measures every target of issue 6 several times and prints the
//! medians. The criterion micro-benchmarks are in `benches/`.
//!
//! # Layout
//! - [`cli`]: the command line: one `clap` struct per subcommand.
//! - [`idle`], [`chat`], [`play`]: the scenarios against a server at `--url`.
//! - [`seed`]: fills a data directory (finished games and chat) through the store API.
//! - [`startup`]: starts a `capital serve` process and times it to the first `/healthz` 200.
//! - [`swarm`]: connecting many players and seating them in rooms.
//! - [`rooms`]: how players are grouped into rooms (pure, unit-tested).
//! - [`stats`]: latency histograms and their percentiles.
//! - [`process`]: RSS and CPU time of a process, from `/proc`.
//! - [`progress`]: the progress line on stderr and the counters behind it.
//! - [`report`]: the human-readable table.
//! - [`rng`]: a small seeded random generator for the players' choices.

pub mod chat;
pub mod cli;
pub mod idle;
pub mod play;
pub mod process;
pub mod progress;
pub mod realtime;
pub mod report;
pub mod rng;
pub mod rooms;
pub mod seed;
pub mod startup;
pub mod stats;
pub mod swarm;

/// Raises this process's soft limit on open files to its hard limit, so that thousands of
/// connections fit. Returns the soft limit now in force (`None` if it could not be read).
pub fn raise_fd_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    match (limit.current, limit.maximum) {
        (Some(current), Some(max)) if current < max => {
            limit.current = Some(max);
            let _ = setrlimit(Resource::Nofile, limit);
        }
        _ => {}
    }
    getrlimit(Resource::Nofile).current
}
