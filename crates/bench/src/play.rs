//! The play scenario: players in pairs play tic-tac-toe, each making a move when it is their
//! turn but no sooner than `1 / --rate` seconds after their previous one (so with the default
//! rate of 1, every player moves once a second). When a game ends, the host starts the next one
//! from the result (a rematch without a countdown).
//!
//! Measured: the move round trip (the `move` is queued -> the mover's own `moved` event, which
//! the server sends once the move is on disk), the opponent's notification (the same send time
//! -> the opponent's `moved` event; the pair shares the send time through an atomic), the `ok`
//! reply, moves and games completed per second.

#[path = "play_report.rs"]
mod play_report;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use capital_client::{Client, Incoming};
use capital_protocol::{ClientMsg, Phase, RoomEvent, RoomView, ServerMsg};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use serde_json::json;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::cli::{PlayArgs, seconds};
use crate::process::{self, Probe, Usage};
use crate::progress::{self, Counters, Progress};
use crate::rng::Rng;
use crate::rooms;
use crate::stats::{self, Errors, Latency};
use crate::swarm::{self, Player};

pub use play_report::PlayReport;

/// What every player task shares.
struct Shared {
    counters: Arc<Counters>,
    /// Send times shared within a pair count from here.
    base: Instant,
    /// Least time between two moves of one player.
    interval: Duration,
    /// Moves that may still be made, when `--moves` was given.
    budget: Option<AtomicU64>,
    /// Cancelled when the window closes.
    stop: CancellationToken,
}

impl Shared {
    fn take(&self) -> bool {
        match &self.budget {
            None => true,
            Some(left) => left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok(),
        }
    }
}

#[derive(Default)]
struct Tally {
    round_trip: Latency,
    notify: Latency,
    ack: Latency,
    errors: Errors,
}

/// Runs the play scenario against `args.target`.
pub async fn run(args: &PlayArgs, quiet: bool) -> anyhow::Result<PlayReport> {
    anyhow::ensure!(args.players >= 2, "--players: at least 2");
    anyhow::ensure!(args.rate > 0.0 && args.rate.is_finite(), "--rate: a positive number");
    let target = &args.target;
    let probe = Probe::new(&target.pid);
    let concurrency = usize::try_from(target.connect_concurrency).unwrap_or(64);

    let setup_started = Instant::now();
    let n = args.players - args.players % 2;
    progress::note(quiet, &format!("connecting {n} players to {}", target.url));
    let players = swarm::connect(&target.url, n, concurrency).await?;
    progress::note(quiet, &format!("starting {} games", n / 2));
    let (rooms, _) = swarm::seat(players, &rooms::pairs(n), concurrency, true).await?;
    let setup = setup_started.elapsed();

    let counters = Arc::new(Counters::default());
    let shared = Arc::new(Shared {
        counters: counters.clone(),
        base: Instant::now(),
        interval: Duration::from_secs_f64(1.0 / args.rate),
        budget: args.moves.map(AtomicU64::new),
        stop: CancellationToken::new(),
    });
    let games = rooms.len();
    let server_before = probe.sample();
    let threads_before = probe.threads();
    let own_before = process::own().ok();
    let machine_before = process::machine_busy();
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for room in rooms {
        let last_sent = Arc::new(AtomicU64::new(0));
        for player in room.members {
            let rng = Rng::new(target.seed, player.index as u64);
            let task =
                player_task(player, room.code.clone(), last_sent.clone(), shared.clone(), rng);
            tasks.push(tokio::spawn(task));
        }
    }
    let line = Progress::start(
        quiet,
        "play",
        counters.clone(),
        Box::new(|now, last, t| {
            format!(
                "{:>5.1}s  moves {} ({}/s)  games {}  errors {}",
                t.as_secs_f64(),
                now.acked,
                now.acked - last.acked,
                now.games,
                now.errors
            )
        }),
    );
    let deadline = started + seconds(args.duration);
    loop {
        if Instant::now() >= deadline || args.moves.is_some_and(|m| counters.snapshot().acked >= m)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let window = started.elapsed();
    let at_close = counters.snapshot();
    let server_after = probe.sample();
    let threads_after = probe.threads();
    let own_after = process::own().ok();
    let machine_after = process::machine_busy();
    shared.stop.cancel();
    line.finish();

    let mut total = Tally::default();
    for task in tasks {
        let tally = task.await?;
        total.round_trip.merge(&tally.round_trip);
        total.notify.merge(&tally.notify);
        total.ack.merge(&tally.ack);
        total.errors.merge(&tally.errors);
    }
    let server = Usage::between(server_before, server_after, window)
        .with_threads(threads_before.as_ref(), threads_after.as_ref());
    let load_generator = Usage::between(own_before, own_after, window);
    let other_processes_cores =
        process::others_cores(machine_before, machine_after, &[&server, &load_generator], window);
    Ok(PlayReport {
        scenario: "play",
        players: n,
        games,
        rate_per_player: args.rate,
        setup_seconds: setup.as_secs_f64(),
        window_seconds: window.as_secs_f64(),
        moves: at_close.acked,
        moves_per_second: stats::per_second(at_close.acked, window),
        games_completed: at_close.games,
        games_per_second: stats::per_second(at_close.games, window),
        round_trip: total.round_trip.summary(),
        notify: total.notify.summary(),
        ack: total.ack.summary(),
        errors: total.errors,
        server_cpu_us_per_move: server.cpu_micros_per(at_close.acked),
        server,
        load_generator,
        other_processes_cores,
    })
}

/// The seat `room` gives its viewer, if a seat.
fn my_seat(room: &RoomView) -> Option<usize> {
    room.you.and_then(|you| you.seat)
}

/// Whether the viewer of `room` is to move.
pub fn my_turn(room: &RoomView) -> bool {
    room.phase == Phase::Playing && my_seat(room).is_some_and(|seat| room.turn.contains(&seat))
}

/// The free cells of a tic-tac-toe view (`state.board`, `null` where free).
pub fn free_cells(room: &RoomView) -> Vec<usize> {
    let board = room.state.as_ref().and_then(|s| s.get("board")).and_then(|b| b.as_array());
    board.map_or_else(Vec::new, |cells| {
        cells.iter().enumerate().filter(|(_, c)| c.is_null()).map(|(i, _)| i).collect()
    })
}

/// A `move` in flight: when it was sent and its reply.
type Ack = (Instant, Result<ServerMsg, tokio::sync::oneshot::error::RecvError>);

fn send_move(
    client: &Client,
    code: &str,
    cell: usize,
) -> Result<impl std::future::Future<Output = Ack> + use<>, capital_client::ClientError> {
    let sent_at = Instant::now();
    let reply =
        client.send(ClientMsg::Move { code: code.to_owned(), mv: json!({ "cell": cell }) })?;
    Ok(async move { (sent_at, reply.await) })
}

/// One player: follows its room through events, moves when it is its turn (paced), and, as
/// host, restarts finished games.
async fn player_task(
    mut player: Player,
    code: String,
    last_sent: Arc<AtomicU64>,
    shared: Arc<Shared>,
    mut rng: Rng,
) -> Tally {
    let counters = &shared.counters;
    let mut tally = Tally::default();
    let error = |tally: &mut Tally, kind: &str| {
        tally.errors.add(kind);
        Counters::bump(&counters.errors);
    };
    let mut acks = FuturesUnordered::new();
    let mut view: Option<RoomView> = None;
    // The move sent and not yet seen in a `moved` event.
    let mut pending: Option<Instant> = None;
    // Spread the players' first moves over one interval.
    let mut last_move = Instant::now() - shared.interval.mul_f64(1.0 - rng.unit());
    let mut move_at: Option<Instant> = None;
    let far = Instant::now() + Duration::from_secs(365 * 86_400);
    loop {
        if move_at.is_none() && pending.is_none() && view.as_ref().is_some_and(my_turn) {
            move_at = Some((last_move + shared.interval).max(Instant::now()));
        }
        tokio::select! {
            biased;
            () = shared.stop.cancelled() => break,
            Some(ack) = acks.next(), if !acks.is_empty() => {
                let (sent_at, reply): Ack = ack;
                counters.in_flight.fetch_sub(1, Ordering::Relaxed);
                match reply {
                    Ok(ServerMsg::Ok) => {
                        tally.ack.record(sent_at.elapsed());
                        Counters::bump(&counters.acked);
                    }
                    Ok(ServerMsg::Error { code, .. }) => {
                        pending = None;
                        error(&mut tally, code.as_str());
                    }
                    Ok(_) => error(&mut tally, "unexpected_reply"),
                    Err(_) => error(&mut tally, "no_reply"),
                }
            }
            incoming = player.client.next_event(Duration::from_secs(3600)) => {
                let event = match incoming {
                    Ok(Incoming::Event(event)) => event,
                    Ok(Incoming::Other(_)) => {
                        error(&mut tally, "unsolicited_frame");
                        continue;
                    }
                    Ok(Incoming::Closed(frame)) => {
                        let kind = frame.map_or("closed".to_owned(), |(c, _)| format!("closed_{c}"));
                        error(&mut tally, &kind);
                        break;
                    }
                    Err(capital_client::ClientError::Timeout) => continue,
                    Err(_) => {
                        error(&mut tally, "closed");
                        break;
                    }
                };
                match event.event {
                    RoomEvent::Moved { seat, room } => {
                        if my_seat(&room) == Some(seat) {
                            if let Some(sent) = pending.take() {
                                tally.round_trip.record(sent.elapsed());
                            }
                        } else {
                            let stamp = last_sent.load(Ordering::Acquire);
                            if stamp > 0 {
                                let sent = shared.base + Duration::from_nanos(stamp - 1);
                                tally.notify.record(Instant::now().saturating_duration_since(sent));
                            }
                            Counters::bump(&counters.delivered);
                        }
                        view = Some(room);
                    }
                    RoomEvent::GameOver { room, .. } => {
                        let host = room.host == player.id;
                        view = Some(room);
                        if host {
                            Counters::bump(&counters.games);
                            // The host's start from the result is the rematch, at once.
                            if let Err(e) = player.client.start(&code).await {
                                error(&mut tally, e.code().map_or("restart_failed", |c| c.as_str()));
                            }
                        }
                    }
                    other => {
                        if let Some(room) = other.into_room() {
                            view = Some(room);
                        }
                    }
                }
            }
            () = tokio::time::sleep_until(move_at.unwrap_or(far)), if move_at.is_some() => {
                move_at = None;
                let Some(room) = view.as_ref().filter(|r| my_turn(r)) else { continue };
                let Some(&cell) = rng.pick(&free_cells(room)) else { continue };
                if !shared.take() {
                    continue;
                }
                let now = Instant::now();
                let stamp = u64::try_from(now.duration_since(shared.base).as_nanos()).unwrap_or(0);
                last_sent.store(stamp + 1, Ordering::Release);
                match send_move(&player.client, &code, cell) {
                    Ok(ack) => {
                        pending = Some(now);
                        last_move = now;
                        Counters::bump(&counters.sent);
                        Counters::bump(&counters.in_flight);
                        acks.push(ack);
                    }
                    Err(_) => {
                        error(&mut tally, "closed");
                        break;
                    }
                }
            }
        }
    }
    counters.in_flight.fetch_sub(acks.len() as u64, Ordering::Relaxed);
    tally
}

#[cfg(test)]
mod tests {
    use capital_protocol::{Role, You};

    use super::*;

    fn room(phase: Phase, seat: usize, turn: &[usize], board: serde_json::Value) -> RoomView {
        RoomView {
            code: "KXMR".into(),
            game: "tictactoe".into(),
            options: json!({}),
            host: "pa".into(),
            mode: Default::default(),
            phase,
            seats: vec![],
            min_players: 2,
            max_players: 2,
            spectators: vec![],
            spectator_count: 0,
            screens: 0,
            locked: false,
            chat_off: false,
            muted: vec![],
            scoreboard: vec![],
            you: Some(You { role: Role::Player, seat: Some(seat) }),
            game_no: 1,
            state: Some(json!({ "board": board })),
            turn: turn.to_vec(),
            outcome: None,
            turn_seconds: None,
            deadlines: vec![],
            server_ms: None,
        }
    }

    #[test]
    fn whose_turn_it_is() {
        let board = json!([null, "X", null, null, null, null, null, null, "O"]);
        assert!(my_turn(&room(Phase::Playing, 0, &[0], board.clone())));
        assert!(!my_turn(&room(Phase::Playing, 1, &[0], board.clone())));
        assert!(!my_turn(&room(Phase::Over, 0, &[0], board.clone())));
        assert!(!my_turn(&room(Phase::Lobby, 0, &[], board)));
    }

    #[test]
    fn free_cells_are_the_nulls() {
        let board = json!(["X", null, "O", null, "X", "O", "X", "O", null]);
        assert_eq!(free_cells(&room(Phase::Playing, 0, &[0], board)), vec![1, 3, 8]);
        let mut lobby = room(Phase::Lobby, 0, &[], json!(null));
        lobby.state = None;
        assert!(free_cells(&lobby).is_empty());
    }
}
