//! [`ChatReport`]: what a chat run measured, and the table printed for it.

use serde::Serialize;

use crate::process::Usage;
use crate::report::{self, Report, Table};
use crate::stats::{self, Errors, Summary};

/// What a chat run measured.
#[derive(Debug, Clone, Serialize)]
pub struct ChatReport {
    /// `"chat"`.
    pub scenario: &'static str,
    /// Players connected.
    pub players: usize,
    /// Rooms they were in.
    pub rooms: usize,
    /// Players per room asked for.
    pub room_size: usize,
    /// Messages per second per player asked for (`None`: as fast as the window allows).
    pub rate_per_player: Option<f64>,
    /// Unacknowledged messages allowed per player.
    pub window: usize,
    /// Whether senders got their own messages back as events (`--no-echo`: not).
    pub echo: bool,
    /// Characters per message.
    pub bytes: usize,
    /// Seconds spent connecting and seating (not measured).
    pub setup_seconds: f64,
    /// Length of the measured window, seconds.
    pub window_seconds: f64,
    /// Messages sent, in all (window and drain).
    pub sent: u64,
    /// Messages acknowledged with `chat_sent`.
    pub acked: u64,
    /// Deliveries to members other than the sender, in all.
    pub delivered: u64,
    /// Deliveries owed for the acknowledged messages.
    pub expected: u64,
    /// Deliveries inside the window.
    pub delivered_in_window: u64,
    /// `delivered_in_window` per second: the headline figure.
    pub delivered_per_second: f64,
    /// Messages acknowledged inside the window, per second.
    pub acked_per_second: f64,
    /// Ticks of the rate timer skipped because the window was full (rate mode only).
    pub skipped_sends: u64,
    /// Send (just before the frame is queued) to receipt by another member.
    pub latency: Option<Summary>,
    /// Send to the sender's `chat_sent` (which comes after the write is on disk).
    pub ack_latency: Option<Summary>,
    /// Errors by kind.
    pub errors: Errors,
    /// The server's use of memory and CPU over the window (with `--pid`).
    pub server: Usage,
    /// Server CPU time per delivered message, microseconds (with `--pid`).
    pub server_cpu_us_per_delivered: Option<f64>,
    /// The load generator's own use over the window: it shares the machine.
    pub load_generator: Usage,
    /// Cores kept busy by other processes during the window (this machine is shared: a high
    /// figure means the run competed for CPU).
    pub other_processes_cores: Option<f64>,
}

impl Report for ChatReport {
    fn table(&self) -> Table {
        let mut t = Table::new(format!(
            "chat: {} players in {} rooms of {}, {} bytes, {}",
            self.players,
            self.rooms,
            self.room_size,
            self.bytes,
            match self.rate_per_player {
                Some(r) => format!("{r} msg/s per player (window {})", self.window),
                None => format!("window {} per player", self.window),
            } + if self.echo { "" } else { ", no echo" }
        ));
        t.row("set-up", format!("{:.1} s", self.setup_seconds))
            .row("window", format!("{:.1} s", self.window_seconds))
            .row("delivered", report::rate(self.delivered_per_second))
            .row("acknowledged (sent)", report::rate(self.acked_per_second))
            .row("send -> receive", stats::line(self.latency.as_ref()))
            .row("send -> chat_sent", stats::line(self.ack_latency.as_ref()))
            .row(
                "totals",
                format!(
                    "sent {}, acked {}, delivered {} of {} expected",
                    report::thousands(self.sent),
                    report::thousands(self.acked),
                    report::thousands(self.delivered),
                    report::thousands(self.expected)
                ),
            )
            .row("errors", self.errors.line());
        if self.rate_per_player.is_some() {
            t.row("sends skipped (window full)", report::thousands(self.skipped_sends));
        }
        t.row("server", self.server.line());
        if let Some(threads) = self.server.threads_line() {
            t.row("server CPU by thread", threads);
        }
        if let Some(us) = self.server_cpu_us_per_delivered {
            t.row("server CPU per delivered", format!("{us:.1} µs"));
        }
        t.row("load generator", self.load_generator.line());
        if let Some(others) = self.other_processes_cores {
            t.row("other processes", format!("{others:.2} cores"));
        }
        t
    }
}
