//! The chat scenario: N players in rooms of K send chat messages, at a set rate or as fast as a
//! window of unacknowledged messages allows.
//!
//! Each message's text starts with its send time (16 hex digits of nanoseconds since the run's
//! base instant, then a space), padded with `x` to `--bytes`. Every player runs in one process
//! and shares that base, so a receiver reads the send-to-receive latency straight off the text.
//!
//! Counting: a message "delivered" is one `chat` event received by a member other than the
//! sender (a message in a room of K counts K - 1 times). "Expected" deliveries grow by K - 1 for
//! each `chat_sent`, so after the drain delivered == expected unless something was lost. The
//! rates count only what happened inside the measured window.

#[path = "chat_report.rs"]
mod chat_report;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use capital_client::{Client, Incoming};
use capital_protocol::{ClientMsg, RoomEvent, ServerMsg};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::cli::{ChatArgs, seconds};
use crate::process::{self, Probe, Usage};
use crate::progress::{self, Counters, Progress};
use crate::rng::Rng;
use crate::rooms;
use crate::stats::{self, Errors, Latency};
use crate::swarm::{self, Player};

pub use chat_report::ChatReport;

/// Characters of the send-time stamp at the start of each message, with its space.
pub const STAMP_LEN: usize = 17;

/// The server's default limit on a chat message, in characters.
const MAX_TEXT: usize = 500;

/// What every player task of a run shares.
struct Shared {
    counters: Arc<Counters>,
    /// Send times in the texts count from here.
    base: Instant,
    window: usize,
    /// Whether senders get their own messages back as events.
    echo: bool,
    /// Time between a player's messages, in rate mode.
    interval: Option<Duration>,
    bytes: usize,
    /// Messages that may still be started, when `--messages` was given.
    budget: Option<std::sync::atomic::AtomicU64>,
    /// Cancelled when the window closes: no new messages.
    stop_sending: CancellationToken,
    /// Cancelled after the drain: the tasks end.
    stop: CancellationToken,
}

impl Shared {
    /// Takes one message from the budget; false when it is spent.
    fn take(&self) -> bool {
        match &self.budget {
            None => true,
            Some(left) => left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok(),
        }
    }
}

/// What one player task measured.
#[derive(Default)]
struct Tally {
    delivery: Latency,
    ack: Latency,
    errors: Errors,
    skipped: u64,
}

/// Runs the chat scenario against `args.target`.
pub async fn run(args: &ChatArgs, quiet: bool) -> anyhow::Result<ChatReport> {
    anyhow::ensure!(args.players >= 2, "--players: at least 2");
    anyhow::ensure!(args.room_size >= 2, "--room-size: at least 2");
    anyhow::ensure!(args.window >= 1, "--window: at least 1");
    anyhow::ensure!(
        (STAMP_LEN + 1..=MAX_TEXT).contains(&args.bytes),
        "--bytes: from {} to {MAX_TEXT}",
        STAMP_LEN + 1
    );
    if let Some(rate) = args.rate {
        anyhow::ensure!(rate > 0.0 && rate.is_finite(), "--rate: a positive number");
    }
    let target = &args.target;
    let probe = Probe::new(&target.pid);
    let concurrency = usize::try_from(target.connect_concurrency).unwrap_or(64);

    let setup_started = Instant::now();
    progress::note(quiet, &format!("connecting {} players to {}", args.players, target.url));
    let players = swarm::connect(&target.url, args.players, concurrency).await?;
    let groups = rooms::groups(players.len(), args.room_size);
    progress::note(quiet, &format!("seating them in {} rooms", groups.len()));
    let (rooms, _) = swarm::seat(players, &groups, concurrency, false).await?;
    let setup = setup_started.elapsed();

    let counters = Arc::new(Counters::default());
    let shared = Arc::new(Shared {
        counters: counters.clone(),
        base: Instant::now(),
        window: args.window,
        echo: !args.no_echo,
        interval: args.rate.map(|r| Duration::from_secs_f64(1.0 / r)),
        bytes: args.bytes,
        budget: args.messages.map(std::sync::atomic::AtomicU64::new),
        stop_sending: CancellationToken::new(),
        stop: CancellationToken::new(),
    });
    let room_count = rooms.len();
    let server_before = probe.sample();
    let threads_before = probe.threads();
    let own_before = process::own().ok();
    let machine_before = process::machine_busy();
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(args.players);
    for room in rooms {
        let size = room.members.len();
        for player in room.members {
            let rng = Rng::new(target.seed, player.index as u64);
            let task = player_task(player, room.code.clone(), size, shared.clone(), rng);
            tasks.push(tokio::spawn(task));
        }
    }
    let line = Progress::start(
        quiet,
        "chat",
        counters.clone(),
        Box::new(|now, last, t| {
            format!(
                "{:>5.1}s  sent {}  delivered {} ({}/s)  in flight {}  errors {}",
                t.as_secs_f64(),
                now.sent,
                now.delivered,
                now.delivered - last.delivered,
                now.in_flight,
                now.errors
            )
        }),
    );

    let deadline = started + seconds(args.duration);
    loop {
        let now = counters.snapshot();
        if Instant::now() >= deadline || args.messages.is_some_and(|m| now.acked >= m) {
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
    shared.stop_sending.cancel();

    let drain_deadline = Instant::now() + seconds(args.drain);
    loop {
        let now = counters.snapshot();
        if (now.in_flight == 0 && now.delivered >= now.expected) || Instant::now() >= drain_deadline
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    shared.stop.cancel();
    line.finish();

    let mut total = Tally::default();
    for task in tasks {
        let tally = task.await?;
        total.delivery.merge(&tally.delivery);
        total.ack.merge(&tally.ack);
        total.errors.merge(&tally.errors);
        total.skipped += tally.skipped;
    }
    let end = counters.snapshot();
    let server = Usage::between(server_before, server_after, window)
        .with_threads(threads_before.as_ref(), threads_after.as_ref());
    let load_generator = Usage::between(own_before, own_after, window);
    let other_processes_cores =
        process::others_cores(machine_before, machine_after, &[&server, &load_generator], window);
    Ok(ChatReport {
        scenario: "chat",
        players: args.players,
        rooms: room_count,
        room_size: args.room_size,
        rate_per_player: args.rate,
        window: args.window,
        echo: !args.no_echo,
        bytes: args.bytes,
        setup_seconds: setup.as_secs_f64(),
        window_seconds: window.as_secs_f64(),
        sent: end.sent,
        acked: end.acked,
        delivered: end.delivered,
        expected: end.expected,
        delivered_in_window: at_close.delivered,
        delivered_per_second: stats::per_second(at_close.delivered, window),
        acked_per_second: stats::per_second(at_close.acked, window),
        skipped_sends: total.skipped,
        latency: total.delivery.summary(),
        ack_latency: total.ack.summary(),
        errors: total.errors,
        server_cpu_us_per_delivered: server.cpu_micros_per(at_close.delivered),
        server,
        load_generator,
        other_processes_cores,
    })
}

/// A message's text: the send time (`stamp`, nanoseconds since the base) in 16 hex digits, a
/// space, and `x` up to `bytes` characters.
pub fn stamped_text(stamp: u64, bytes: usize) -> String {
    let mut text = format!("{stamp:016x} ");
    let pad = bytes.saturating_sub(text.len());
    text.extend(std::iter::repeat_n('x', pad));
    text
}

/// The send time written by [`stamped_text`], if `text` has one.
pub fn read_stamp(text: &str) -> Option<u64> {
    let head = text.get(..STAMP_LEN)?;
    let (hex, space) = head.split_at(16);
    if space != " " {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

/// Sends one chat message; the future resolves with when it was sent and the reply.
fn send(
    client: &Client,
    code: &str,
    client_msg_id: String,
    shared: &Shared,
) -> Result<
    impl std::future::Future<
        Output = (Instant, Result<ServerMsg, tokio::sync::oneshot::error::RecvError>),
    > + use<>,
    capital_client::ClientError,
> {
    let sent_at = Instant::now();
    let stamp = u64::try_from(sent_at.duration_since(shared.base).as_nanos()).unwrap_or(u64::MAX);
    let body = ClientMsg::Chat {
        code: code.to_owned(),
        text: stamped_text(stamp, shared.bytes),
        client_msg_id,
        echo: shared.echo,
    };
    let reply = client.send(body)?;
    Counters::bump(&shared.counters.sent);
    Counters::bump(&shared.counters.in_flight);
    Ok(async move { (sent_at, reply.await) })
}

/// One player: sends (keeping the window full, or at the rate), counts acknowledgements and
/// what the others in its room said, until told to stop.
async fn player_task(
    mut player: Player,
    code: String,
    room_size: usize,
    shared: Arc<Shared>,
    mut rng: Rng,
) -> Tally {
    let counters = &shared.counters;
    let mut tally = Tally::default();
    let mut in_flight = FuturesUnordered::new();
    let mut sending = true;
    let mut count = 0u64;
    let far = Instant::now() + Duration::from_secs(365 * 86_400);
    let mut next_tick = shared.interval.map(|i| Instant::now() + i.mul_f64(rng.unit()));
    let error = |tally: &mut Tally, kind: &str| {
        tally.errors.add(kind);
        Counters::bump(&counters.errors);
    };
    'run: loop {
        if sending && shared.stop_sending.is_cancelled() {
            sending = false;
        }
        if sending && shared.interval.is_none() {
            while in_flight.len() < shared.window {
                if !shared.take() {
                    sending = false;
                    break;
                }
                count += 1;
                let id = format!("{}-{count}", player.index);
                match send(&player.client, &code, id, &shared) {
                    Ok(reply) => in_flight.push(reply),
                    Err(_) => {
                        error(&mut tally, "closed");
                        break 'run;
                    }
                }
            }
        }
        tokio::select! {
            biased;
            () = shared.stop.cancelled() => break,
            Some((sent_at, reply)) = in_flight.next(), if !in_flight.is_empty() => {
                counters.in_flight.fetch_sub(1, Ordering::Relaxed);
                match reply {
                    Ok(ServerMsg::ChatSent { .. }) => {
                        tally.ack.record(sent_at.elapsed());
                        Counters::bump(&counters.acked);
                        counters.expected.fetch_add(rooms::recipients(room_size), Ordering::Relaxed);
                    }
                    Ok(ServerMsg::Error { code, .. }) => error(&mut tally, code.as_str()),
                    Ok(_) => error(&mut tally, "unexpected_reply"),
                    Err(_) => error(&mut tally, "no_reply"),
                }
            }
            incoming = player.client.next_event(Duration::from_secs(3600)) => {
                match incoming {
                    Ok(Incoming::Event(event)) => {
                        match event.event {
                            RoomEvent::Chat { message } if message.from != player.id => {
                                Counters::bump(&counters.delivered);
                                if let Some(stamp) = read_stamp(&message.text) {
                                    let sent = shared.base + Duration::from_nanos(stamp);
                                    tally.delivery.record(Instant::now().saturating_duration_since(sent));
                                }
                            }
                            _ => {}
                        }
                    }
                    Ok(Incoming::Other(_)) => error(&mut tally, "unsolicited_frame"),
                    Ok(Incoming::Closed(frame)) => {
                        let kind = frame.map_or("closed".to_owned(), |(code, _)| format!("closed_{code}"));
                        error(&mut tally, &kind);
                        break;
                    }
                    Err(capital_client::ClientError::Timeout) => {}
                    Err(_) => {
                        error(&mut tally, "closed");
                        break;
                    }
                }
            }
            () = tokio::time::sleep_until(next_tick.unwrap_or(far)), if sending && next_tick.is_some() => {
                let interval = shared.interval.expect("a tick means rate mode");
                let mut next = next_tick.unwrap_or(far) + interval;
                let now = Instant::now();
                if next + interval < now {
                    next = now;
                }
                next_tick = Some(next);
                if in_flight.len() >= shared.window {
                    tally.skipped += 1;
                } else if !shared.take() {
                    sending = false;
                } else {
                    count += 1;
                    let id = format!("{}-{count}", player.index);
                    match send(&player.client, &code, id, &shared) {
                        Ok(reply) => in_flight.push(reply),
                        Err(_) => {
                            error(&mut tally, "closed");
                            break;
                        }
                    }
                }
            }
            () = shared.stop_sending.cancelled(), if sending => sending = false,
        }
    }
    // Whatever is still unanswered will not be: take it off the shared count.
    counters.in_flight.fetch_sub(in_flight.len() as u64, Ordering::Relaxed);
    tally
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_round_trip_and_texts_have_the_asked_length() {
        let text = stamped_text(123_456_789, 64);
        assert_eq!(text.len(), 64);
        assert!(text.starts_with("00000000075bcd15 xxx"));
        assert_eq!(read_stamp(&text), Some(123_456_789));
        assert_eq!(stamped_text(u64::MAX, 10).len(), STAMP_LEN, "never shorter than the stamp");
        assert_eq!(read_stamp(&stamped_text(u64::MAX, 10)), Some(u64::MAX));
    }

    #[test]
    fn texts_without_a_stamp_are_not_misread() {
        assert_eq!(read_stamp("hello"), None);
        assert_eq!(read_stamp("good luck everyone, have fun"), None);
        assert_eq!(read_stamp("0000000000000001xyz"), None, "the stamp ends with a space");
        assert_eq!(read_stamp("ééééééééééééééééééé"), None, "not on a char boundary");
    }

    #[test]
    fn the_budget_stops_at_zero() {
        let shared = Shared {
            counters: Arc::default(),
            base: Instant::now(),
            window: 1,
            echo: true,
            interval: None,
            bytes: 64,
            budget: Some(std::sync::atomic::AtomicU64::new(2)),
            stop_sending: CancellationToken::new(),
            stop: CancellationToken::new(),
        };
        assert!(shared.take() && shared.take());
        assert!(!shared.take());
        assert!(!shared.take(), "stays spent");
    }
}
