//! The idle scenario: N players connect and say hello; half of them (in pairs) sit in rooms,
//! one creating a room and the other joining it. Then nothing happens, and the server's memory
//! is read: in total, and per player above what it used before the players came.

use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::cli::{IdleArgs, seconds};
use crate::process::{self, Probe, Sample};
use crate::progress;
use crate::report::{self, Report, Table};
use crate::rooms;
use crate::swarm;

/// What an idle run measured.
#[derive(Debug, Clone, Serialize)]
pub struct IdleReport {
    /// `"idle"`.
    pub scenario: &'static str,
    /// Players connected (and said hello).
    pub players: usize,
    /// Of those, seated in rooms.
    pub seated: usize,
    /// Rooms.
    pub rooms: usize,
    /// Seconds to connect and say hello, all players.
    pub connect_seconds: f64,
    /// Connections (with hello) per second during set-up.
    pub connects_per_second: f64,
    /// Seconds to seat the seated half.
    pub seat_seconds: f64,
    /// Server RSS before any player connected, MiB.
    pub server_rss_before_mib: Option<f64>,
    /// Server RSS with every player connected, after the hold (the figure), MiB.
    pub server_rss_mib: Option<f64>,
    /// Highest server RSS seen during the hold, MiB.
    pub server_rss_max_mib: Option<f64>,
    /// `server_rss_mib` over the players, KiB.
    pub server_rss_per_player_kib: Option<f64>,
    /// The growth from `server_rss_before_mib`, over the players, KiB.
    pub server_rss_growth_per_player_kib: Option<f64>,
    /// The load generator's own RSS with every player connected, MiB.
    pub load_generator_rss_mib: Option<f64>,
}

impl Report for IdleReport {
    fn table(&self) -> Table {
        let mut t = Table::new(format!(
            "idle: {} players ({} seated in {} rooms)",
            self.players, self.seated, self.rooms
        ));
        let mib =
            |v: Option<f64>| v.map_or("not measured (no --pid)".into(), |v| format!("{v:.1} MiB"));
        let kib =
            |v: Option<f64>| v.map_or("not measured (no --pid)".into(), |v| format!("{v:.1} KiB"));
        t.row(
            "connect + hello",
            format!("{:.1} s ({})", self.connect_seconds, report::rate(self.connects_per_second)),
        )
        .row("seat", format!("{:.1} s", self.seat_seconds))
        .row("server RSS before", mib(self.server_rss_before_mib))
        .row("server RSS, all connected", mib(self.server_rss_mib))
        .row("server RSS, max in hold", mib(self.server_rss_max_mib))
        .row("server RSS per player", kib(self.server_rss_per_player_kib))
        .row("growth per player", kib(self.server_rss_growth_per_player_kib))
        .row("load generator RSS", mib(self.load_generator_rss_mib));
        t
    }
}

/// Runs the idle scenario against `args.target`.
pub async fn run(args: &IdleArgs, quiet: bool) -> anyhow::Result<IdleReport> {
    anyhow::ensure!(args.players >= 1, "--players: at least 1");
    let target = &args.target;
    let probe = Probe::new(&target.pid);
    let concurrency = usize::try_from(target.connect_concurrency).unwrap_or(64);
    let before = probe.sample();

    progress::note(quiet, &format!("connecting {} players to {}", args.players, target.url));
    let connect_started = Instant::now();
    let players = swarm::connect(&target.url, args.players, concurrency).await?;
    let connect = connect_started.elapsed();
    let seated = rooms::seated_half(args.players);
    progress::note(quiet, &format!("seating {seated} of them in rooms of two"));
    let seat_started = Instant::now();
    let (rooms, rest) = swarm::seat(players, &rooms::pairs(seated), concurrency, false).await?;
    let seat = seat_started.elapsed();

    progress::note(quiet, &format!("holding for {} s", args.duration));
    let hold_until = Instant::now() + seconds(args.duration);
    let mut max: Option<Sample> = probe.sample();
    let mut last = max;
    while Instant::now() < hold_until {
        let left = hold_until.saturating_duration_since(Instant::now());
        tokio::time::sleep(left.min(Duration::from_secs(1))).await;
        if let Some(now) = probe.sample() {
            last = Some(now);
            if max.is_none_or(|m| now.rss_kib > m.rss_kib) {
                max = Some(now);
            }
        }
    }
    let own = process::own().ok();
    let n = args.players as f64;
    let report = IdleReport {
        scenario: "idle",
        players: args.players,
        seated,
        rooms: rooms.len(),
        connect_seconds: connect.as_secs_f64(),
        connects_per_second: crate::stats::per_second(args.players as u64, connect),
        seat_seconds: seat.as_secs_f64(),
        server_rss_before_mib: before.map(|s| s.rss_mib()),
        server_rss_mib: last.map(|s| s.rss_mib()),
        server_rss_max_mib: max.map(|s| s.rss_mib()),
        server_rss_per_player_kib: last.map(|s| s.rss_kib as f64 / n),
        server_rss_growth_per_player_kib: match (before, last) {
            (Some(b), Some(l)) => Some((l.rss_kib as f64 - b.rss_kib as f64) / n),
            _ => None,
        },
        load_generator_rss_mib: own.map(|s| s.rss_mib()),
    };
    // Hang up every connection before returning (as phones that lose the network would).
    drop(rooms);
    drop(rest);
    Ok(report)
}
