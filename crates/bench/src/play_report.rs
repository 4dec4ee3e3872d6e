//! [`PlayReport`]: what a play run measured, and the table printed for it.

use serde::Serialize;

use crate::process::Usage;
use crate::report::{self, Report, Table};
use crate::stats::{self, Errors, Summary};

/// What a play run measured.
#[derive(Debug, Clone, Serialize)]
pub struct PlayReport {
    /// `"play"`.
    pub scenario: &'static str,
    /// Players playing.
    pub players: usize,
    /// Games running at once (rooms).
    pub games: usize,
    /// Moves per second per player asked for.
    pub rate_per_player: f64,
    /// Seconds spent connecting, seating and starting (not measured).
    pub setup_seconds: f64,
    /// Length of the measured window, seconds.
    pub window_seconds: f64,
    /// Moves acknowledged (`ok`) inside the window.
    pub moves: u64,
    /// `moves` per second.
    pub moves_per_second: f64,
    /// Games that ended inside the window.
    pub games_completed: u64,
    /// `games_completed` per second.
    pub games_per_second: f64,
    /// Move queued -> the mover's own `moved` event.
    pub round_trip: Option<Summary>,
    /// Move queued -> the opponent's `moved` event.
    pub notify: Option<Summary>,
    /// Move queued -> `ok`.
    pub ack: Option<Summary>,
    /// Errors by kind.
    pub errors: Errors,
    /// The server's use of memory and CPU over the window (with `--pid`).
    pub server: Usage,
    /// Server CPU time per move, microseconds (with `--pid`).
    pub server_cpu_us_per_move: Option<f64>,
    /// The load generator's own use over the window.
    pub load_generator: Usage,
    /// Cores kept busy by other processes during the window (this machine is shared: a high
    /// figure means the run competed for CPU).
    pub other_processes_cores: Option<f64>,
}

impl Report for PlayReport {
    fn table(&self) -> Table {
        let mut t = Table::new(format!(
            "play: {} players in {} tic-tac-toe games, {} moves/s per player",
            self.players, self.games, self.rate_per_player
        ));
        t.row("set-up", format!("{:.1} s", self.setup_seconds))
            .row("window", format!("{:.1} s", self.window_seconds))
            .row("moves", report::rate(self.moves_per_second))
            .row(
                "games completed",
                format!("{:.1}/s ({} in all)", self.games_per_second, self.games_completed),
            )
            .row("move -> own moved", stats::line(self.round_trip.as_ref()))
            .row("move -> opponent's moved", stats::line(self.notify.as_ref()))
            .row("move -> ok", stats::line(self.ack.as_ref()))
            .row("errors", self.errors.line())
            .row("server", self.server.line());
        if let Some(threads) = self.server.threads_line() {
            t.row("server CPU by thread", threads);
        }
        if let Some(us) = self.server_cpu_us_per_move {
            t.row("server CPU per move", format!("{us:.1} µs"));
        }
        t.row("load generator", self.load_generator.line());
        if let Some(others) = self.other_processes_cores {
            t.row("other processes", format!("{others:.2} cores"));
        }
        t
    }
}
