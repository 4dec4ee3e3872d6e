//! The realtime scenario: rooms of light cycles (the real-time game, at `--tick-hz`, 30 ticks
//! a second by default), every player steering at `--input-hz`. The host of a room whose game ended
//! starts the next from the result, so every room keeps ticking for the whole window.
//!
//! Measured: frames received per second; frame delivery (the tick's server time, carried in the
//! frame, -> the frame read by the player: server and load generator share this machine's
//! clock); input -> the first frame that shows it (a player turns, and waits for a frame where
//! its cycle goes the new way); server CPU per room-tick; server memory per room.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use capital_client::Incoming;
use capital_protocol::{ClientMsg, EventMsg, Outgoing, RoomEvent, ServerMsg};
use serde::Serialize;
use serde_json::{Value, json};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::cli::{RealtimeArgs, seconds};
use crate::process::{self, Probe, Usage};
use crate::report::{self, Report, Table};
use crate::stats::{self, Errors, Latency, Summary};
use crate::swarm::{self, Player};

/// The game played.
const GAME: &str = "light_cycles";

/// What a realtime run measured.
#[derive(Debug, Clone, Serialize)]
pub struct RealtimeReport {
    /// `"realtime"`.
    pub scenario: &'static str,
    /// Rooms ticking.
    pub rooms: usize,
    /// Players per room.
    pub room_size: usize,
    /// Inputs per second each player sent.
    pub input_hz: f64,
    /// Ticks a second.
    pub tick_hz: u32,
    /// Seconds spent connecting, seating and starting (not measured).
    pub setup_seconds: f64,
    /// Length of the measured window, seconds.
    pub window_seconds: f64,
    /// Frames received, all players.
    pub frames: u64,
    /// `frames` per second.
    pub frames_per_second: f64,
    /// Frames per player per second (the tick rate when none is skipped).
    pub frames_per_player_per_second: f64,
    /// Tick (server time in the frame) -> frame read.
    pub delivery: Option<Summary>,
    /// Input sent -> first frame showing it.
    pub input_to_frame: Option<Summary>,
    /// Errors by kind.
    pub errors: Errors,
    /// The server's use of memory and CPU over the window (with `--pid`).
    pub server: Usage,
    /// Server CPU per room-tick, microseconds (with `--pid`; ticks counted at the tick rate).
    pub server_cpu_us_per_room_tick: Option<f64>,
    /// Server RSS added per ticking room, KiB (with `--pid`).
    pub server_kib_per_room: Option<f64>,
    /// The load generator's own use over the window.
    pub load_generator: Usage,
    /// Cores kept busy by other processes during the window.
    pub other_processes_cores: Option<f64>,
}

impl Report for RealtimeReport {
    fn table(&self) -> Table {
        let mut t = Table::new(format!(
            "realtime: {} rooms of {} light cycles at {} Hz, inputs at {} Hz",
            self.rooms, self.room_size, self.tick_hz, self.input_hz
        ));
        t.row("set-up", format!("{:.1} s", self.setup_seconds))
            .row("window", format!("{:.1} s", self.window_seconds))
            .row("frames", report::rate(self.frames_per_second))
            .row("frames per player", format!("{:.1}/s", self.frames_per_player_per_second))
            .row("tick -> frame read", stats::line(self.delivery.as_ref()))
            .row("input -> frame showing it", stats::line(self.input_to_frame.as_ref()))
            .row("errors", self.errors.line())
            .row("server", self.server.line());
        if let Some(us) = self.server_cpu_us_per_room_tick {
            t.row("server CPU per room-tick", format!("{us:.1} µs"));
        }
        if let Some(kib) = self.server_kib_per_room {
            t.row("server memory per room", format!("{kib:.0} KiB"));
        }
        t.row("load generator", self.load_generator.line());
        if let Some(others) = self.other_processes_cores {
            t.row("other processes", format!("{others:.2} cores"));
        }
        t
    }
}

/// Players steer this long before the measured window opens.
const WARM_UP: Duration = Duration::from_secs(2);

/// When a player's figures start to count, and how often it steers.
#[derive(Debug, Clone, Copy)]
struct Window {
    from: Instant,
    interval: Duration,
}

#[derive(Default)]
struct Tally {
    frames: u64,
    delivery: Latency,
    input_to_frame: Latency,
    errors: Errors,
}

/// Runs the realtime scenario against `args.target`.
pub async fn run(args: &RealtimeArgs, quiet: bool) -> anyhow::Result<RealtimeReport> {
    anyhow::ensure!((2..=8).contains(&args.room_size), "--room-size: 2 to 8");
    anyhow::ensure!(
        args.input_hz > 0.0 && args.input_hz <= 60.0,
        "--input-hz: above 0, at most 60"
    );
    let target = &args.target;
    let probe = Probe::new(&target.pid);
    let concurrency = usize::try_from(target.connect_concurrency).unwrap_or(64);
    let n = args.rooms * args.room_size;
    let setup_started = Instant::now();
    let rss_before = probe.sample();
    crate::progress::note(quiet, &format!("connecting {n} players to {}", target.url));
    let mut players = swarm::connect(&target.url, n, concurrency).await?;
    crate::progress::note(quiet, &format!("starting {} rooms of {GAME}", args.rooms));
    let mut rooms = Vec::with_capacity(args.rooms);
    while !players.is_empty() {
        let rest = players.split_off(args.room_size.min(players.len()));
        let members = std::mem::replace(&mut players, rest);
        rooms.push(start_room(members, args.tick_hz).await?);
    }
    let setup = setup_started.elapsed();
    let rss_ticking = probe.sample();

    let stop = CancellationToken::new();
    let interval = Duration::from_secs_f64(1.0 / args.input_hz);
    // Frames of the rooms started first wait in their clients while the rest are set up, and
    // every player starts steering at once: the window opens after a warm-up.
    let measure_from = Instant::now() + WARM_UP;
    let mut tasks = Vec::with_capacity(n);
    for (code, members) in rooms {
        for (seat, player) in members.into_iter().enumerate() {
            let clock = Window { from: measure_from, interval };
            tasks.push(tokio::spawn(player_task(player, code.clone(), seat, clock, stop.clone())));
        }
    }
    tokio::time::sleep_until(measure_from).await;
    let server_before = probe.sample();
    let own_before = process::own().ok();
    let machine_before = process::machine_busy();
    let started = Instant::now();
    tokio::time::sleep(seconds(args.duration)).await;
    let window = started.elapsed();
    let server_after = probe.sample();
    let own_after = process::own().ok();
    let machine_after = process::machine_busy();
    stop.cancel();
    let mut total = Tally::default();
    for task in tasks {
        let tally = task.await?;
        total.frames += tally.frames;
        total.delivery.merge(&tally.delivery);
        total.input_to_frame.merge(&tally.input_to_frame);
        total.errors.merge(&tally.errors);
    }
    let server = Usage::between(server_before, server_after, window);
    let load_generator = Usage::between(own_before, own_after, window);
    let other_processes_cores =
        process::others_cores(machine_before, machine_after, &[&server, &load_generator], window);
    let room_ticks = (window.as_secs_f64() * f64::from(args.tick_hz)) as u64 * args.rooms as u64;
    let kib_per_room = match (rss_before, rss_ticking) {
        (Some(before), Some(after)) if args.rooms > 0 => {
            Some((after.rss_mib() - before.rss_mib()) * 1024.0 / args.rooms as f64)
        }
        _ => None,
    };
    Ok(RealtimeReport {
        scenario: "realtime",
        rooms: args.rooms,
        room_size: args.room_size,
        input_hz: args.input_hz,
        tick_hz: args.tick_hz,
        setup_seconds: setup.as_secs_f64(),
        window_seconds: window.as_secs_f64(),
        frames: total.frames,
        frames_per_second: stats::per_second(total.frames, window),
        frames_per_player_per_second: stats::per_second(total.frames, window) / n.max(1) as f64,
        delivery: total.delivery.summary(),
        input_to_frame: total.input_to_frame.summary(),
        errors: total.errors,
        server_cpu_us_per_room_tick: server.cpu_micros_per(room_ticks),
        server_kib_per_room: kib_per_room,
        server,
        load_generator,
        other_processes_cores,
    })
}

/// The host creates a room, the others join, the host starts it.
async fn start_room(members: Vec<Player>, speed: u32) -> anyhow::Result<(String, Vec<Player>)> {
    let host = members.first().ok_or_else(|| anyhow::anyhow!("an empty room"))?;
    let create = ClientMsg::CreateRoom {
        game: GAME.into(),
        options: Some(json!({"rounds": 5, "speed": speed})),
        turn_seconds: None,
        role: None,
        screen: false,
        mode: Default::default(),
    };
    let ServerMsg::Joined { code, .. } = host.client.request(create).await? else {
        anyhow::bail!("create_room was not answered with joined");
    };
    for member in &members[1..] {
        member.client.join_room(&code, capital_protocol::Role::Player, None).await?;
    }
    host.client.start(&code).await?;
    Ok((code, members))
}

/// Milliseconds since the Unix epoch, with a fraction.
fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// The way to turn from `dir` (a quarter turn, alternating sides).
fn turn_from(dir: &str, flip: bool) -> &'static str {
    match (dir, flip) {
        ("up" | "down", false) => "left",
        ("up" | "down", true) => "right",
        (_, false) => "up",
        (_, true) => "down",
    }
}

/// One player: reads frames, steers every `interval`, restarts finished games as host.
async fn player_task(
    mut player: Player,
    code: String,
    seat: usize,
    window: Window,
    stop: CancellationToken,
) -> Tally {
    let Window { from, interval } = window;
    let mut tally = Tally::default();
    let mut next_input = Instant::now() + interval.mul_f64(seat as f64 / 8.0);
    let mut dir = String::from(if seat.is_multiple_of(2) { "right" } else { "left" });
    // The newest input sent and not yet seen in a frame: the way, and when (an older one may
    // never show: the newest input of a tick wins).
    let mut waiting: Option<(&'static str, Instant)> = None;
    let mut flip = false;
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            () = tokio::time::sleep_until(next_input) => {
                next_input += interval;
                let way = turn_from(&dir, flip);
                flip = !flip;
                let input = json!({"id": 0, "type": "input", "code": code, "input": {"dir": way}});
                if player.client.send_raw(&input.to_string()).is_err() {
                    tally.errors.add("send_failed");
                    break;
                }
                waiting = Some((way, Instant::now()));
            }
            incoming = player.client.next_event(Duration::from_secs(3600)) => match incoming {
                Ok(Incoming::Other(Outgoing { msg: ServerMsg::Frame { ts, state, .. }, .. })) => {
                    let counts = Instant::now() >= from;
                    if counts {
                        tally.frames += 1;
                        tally.delivery.record(Duration::from_secs_f64(
                            (now_ms() - ts as f64).max(0.0) / 1000.0,
                        ));
                    }
                    let mine = &state["cycles"][seat];
                    if let Some(now) = mine["dir"].as_str() {
                        if let Some((way, sent)) = waiting
                            && now == way
                        {
                            if counts {
                                tally.input_to_frame.record(sent.elapsed());
                            }
                            waiting = None;
                        }
                        now.clone_into(&mut dir);
                    }
                    if mine["alive"] != Value::Bool(true) || state["pause"].as_u64() > Some(0) {
                        waiting = None;
                    }
                }
                Ok(Incoming::Event(EventMsg { event: RoomEvent::GameOver { .. }, .. })) if seat == 0 => {
                    // The host's start from the result is the rematch, at once.
                    let _ = player.client.send(ClientMsg::Start { code: code.clone() });
                }
                Ok(_) => {}
                Err(_) => {
                    tally.errors.add("connection_lost");
                    break;
                }
            },
        }
    }
    tally
}
