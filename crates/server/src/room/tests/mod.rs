//! The room actor against its narrow environment: a memory store (that can fail), paused time,
//! connections whose outboxes the tests read.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use capital_protocol::{ErrorCode, Phase, Role, ServerMsg};
use capital_store::{ChatStore, GameStore, RoomRecord, RoomStore, Store, Write};
use serde_json::json;

use super::actor::Room;
use super::*;
use crate::limits::PerMinute;
use crate::testing::*;
use capital_protocol::Outgoing;

struct Fixture {
    room: RoomHandle,
    store: Arc<capital_store::MemoryStore>,
    closed: Arc<Mutex<Vec<String>>>,
    ctx: RoomEnv,
}

async fn room(game: &str, max_spectators: usize) -> Fixture {
    room_with(game, max_spectators, 0).await
}

/// A room of `game` with turn timers of `turn_seconds` (0: none).
async fn room_with(game: &str, max_spectators: usize, turn_seconds: u32) -> Fixture {
    room_from(game, max_spectators, |r| r.turn_seconds = turn_seconds).await
}

/// A room of `game` from a stored row that `tweak` changed.
async fn room_from(
    game: &str,
    max_spectators: usize,
    tweak: impl FnOnce(&mut RoomRecord),
) -> Fixture {
    room_set(game, max_spectators, tweak, |_| {}).await
}

/// A room of `game` from a stored row that `tweak` changed, with settings that `set` changed.
async fn room_set(
    game: &str,
    max_spectators: usize,
    tweak: impl FnOnce(&mut RoomRecord),
    set: impl FnOnce(&mut RoomSettings),
) -> Fixture {
    let (env, store) = env();
    let closed = Arc::new(Mutex::new(Vec::new()));
    let told = closed.clone();
    let mut ctx = RoomEnv {
        env,
        settings: RoomSettings {
            grace: Duration::from_secs(120),
            idle: Duration::from_secs(1800),
            rematch_countdown: Duration::from_secs(3),
            max_chat_chars: 500,
            max_spectators,
            word_filter: Arc::default(),
            max_replay_bytes: 256 * 1024,
        },
        lookups: Arc::new(PerMinute::new(30)),
        on_close: Arc::new(move |code: &str, _| told.lock().unwrap().push(code.to_owned())),
        games: capital_games::Registry::standard(),
        rebuild: Arc::new(|_| Err("no game scripts here".into())),
    };
    set(&mut ctx.settings);
    let registry = capital_games::Registry::standard();
    let entry = registry.find(game).unwrap().clone();
    let (options, players) = entry.check(&serde_json::Value::Null).unwrap();
    let mut record = RoomRecord {
        id: 7,
        mode: Default::default(),
        code: "KXMR".into(),
        game: game.into(),
        options,
        host: "pa".into(),
        phase: Phase::Lobby,
        game_no: 0,
        seq: 0,
        outcome: None,
        players: 0,
        seed: 0,
        deadlines: vec![],
        turn_seconds: 0,
        snapshot: None,
        snapshot_tick: 0,
        created_ms: 1,
        closed: false,
        locked: false,
        banned: Vec::new(),
        chat_off: false,
        muted: Vec::new(),
        scoreboard: Vec::new(),
        game_version: String::new(),
    };
    tweak(&mut record);
    store.commit(Write::PutRoom(record.clone()).into()).await.unwrap();
    let room = Room::create(ctx.clone(), record, entry, players).spawn();
    Fixture { room, store, closed, ctx }
}

fn ask(room: &RoomHandle, conn: &crate::conn::ConnHandle, id: u64, who: &str, cmd: RoomRequest) {
    let player = player(who, &who.to_uppercase());
    room.try_request(Request { conn: conn.clone(), id, player, cmd }).unwrap();
}

fn join(role: Role) -> RoomRequest {
    RoomRequest::Join { role, since: None, screen: false }
}

fn mv(cell: u64) -> RoomRequest {
    RoomRequest::Move(json!({ "cell": cell }))
}

/// The first mover (`first`, then `second`, taking turns) takes tic-tac-toe's top row in five
/// moves, asked with ids from `id`.
fn top_row(
    room: &RoomHandle,
    first: (&str, &crate::conn::ConnHandle),
    second: (&str, &crate::conn::ConnHandle),
    id: u64,
) {
    for (i, cell) in [0, 3, 1, 4, 2].into_iter().enumerate() {
        let (who, c) = if i % 2 == 0 { first } else { second };
        ask(room, c, id + i as u64, who, mv(cell));
    }
}

#[tokio::test(start_paused = true)]
async fn a_game_is_played_and_every_event_reaches_the_members() {
    let f = room("tictactoe", 10).await;
    let (a, mut a_out) = conn(1);
    let (b, mut b_out) = conn(2);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    ask(&f.room, &a, 2, "pa", RoomRequest::Start);
    ask(&f.room, &a, 3, "pa", mv(4));
    let a_frames = frames(&mut a_out).await;
    let b_frames = frames(&mut b_out).await;
    assert!(matches!(reply_to(&a_frames, 1), ServerMsg::Joined { .. }));
    assert_eq!(reply_to(&a_frames, 3), &ServerMsg::Ok);
    assert_eq!(event_kinds(&a_frames), ["joined", "started", "moved"]);
    assert_eq!(event_kinds(&b_frames), ["started", "moved"], "no echo of one's own join");
    // Not Bo's... it is Bo's turn now; Ana moving again is refused and announced to nobody.
    ask(&f.room, &a, 4, "pa", mv(0));
    let a_frames = frames(&mut a_out).await;
    assert_eq!(error_code(reply_to(&a_frames, 4)), Some(ErrorCode::NotYourTurn));
    assert!(frames(&mut b_out).await.is_empty());
    let stored = f.store.load_room(7, 10).unwrap().unwrap();
    assert_eq!((stored.room.phase, stored.moves.len()), (Phase::Playing, 1));
}

#[tokio::test(start_paused = true)]
async fn a_failed_write_answers_internal_tells_nobody_and_the_room_reloads() {
    let f = room("tictactoe", 10).await;
    let (a, mut a_out) = conn(1);
    let (b, mut b_out) = conn(2);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    ask(&f.room, &a, 2, "pa", RoomRequest::Start);
    frames(&mut a_out).await;
    frames(&mut b_out).await;
    f.store.fail_writes(true);
    // A move, a chat and its retry, in one go: all of it was built on a write that failed.
    ask(&f.room, &a, 3, "pa", mv(4));
    let chat = || RoomRequest::Chat { text: "hi".into(), client_msg_id: "c1".into(), echo: true };
    ask(&f.room, &a, 4, "pa", chat());
    ask(&f.room, &a, 5, "pa", chat());
    let a_frames = frames(&mut a_out).await;
    for id in [3, 4, 5] {
        assert_eq!(error_code(reply_to(&a_frames, id)), Some(ErrorCode::Internal), "{id}");
    }
    assert!(event_kinds(&a_frames).is_empty() && frames(&mut b_out).await.is_empty());
    f.store.fail_writes(false);
    // The room is as stored: it is still Ana's turn, and the chat id was never used.
    ask(&f.room, &b, 6, "pb", mv(0));
    ask(&f.room, &a, 7, "pa", mv(4));
    ask(&f.room, &a, 8, "pa", chat());
    let a_frames = frames(&mut a_out).await;
    assert_eq!(reply_to(&a_frames, 7), &ServerMsg::Ok);
    assert!(matches!(reply_to(&a_frames, 8), ServerMsg::ChatSent { .. }));
    let b_frames = frames(&mut b_out).await;
    assert_eq!(error_code(reply_to(&b_frames, 6)), Some(ErrorCode::NotYourTurn));
    assert_eq!(event_kinds(&b_frames), ["moved", "chat"]);
    assert_eq!(f.store.chat_after(7, 0, 10).unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn held_seats_run_out_after_the_grace_and_an_empty_room_closes() {
    let f = room("tictactoe", 10).await;
    let (a, mut a_out) = conn(1);
    let (b, _b_out) = conn(2);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    frames(&mut a_out).await;
    f.room.detach("pb".into(), 2).await;
    assert_eq!(event_kinds(&frames(&mut a_out).await), ["disconnected"]);
    tokio::time::advance(Duration::from_secs(119)).await;
    assert!(frames(&mut a_out).await.is_empty(), "the seat is held for the grace period");
    tokio::time::advance(Duration::from_secs(2)).await;
    assert_eq!(event_kinds(&frames(&mut a_out).await), ["left"]);
    ask(&f.room, &a, 2, "pa", RoomRequest::Leave);
    frames(&mut a_out).await;
    settle().await;
    assert_eq!(*f.closed.lock().unwrap(), ["KXMR"], "the room reported its closing");
    assert!(f.store.open_rooms(1).unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_idle_room_closes() {
    let f = room("rps", 10).await;
    let (a, mut a_out) = conn(1);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    frames(&mut a_out).await;
    tokio::time::advance(Duration::from_secs(1801)).await;
    assert_eq!(event_kinds(&frames(&mut a_out).await), ["closed"]);
    settle().await;
    assert_eq!(*f.closed.lock().unwrap(), ["KXMR"]);
}

#[tokio::test(start_paused = true)]
async fn spectators_are_capped_and_non_members_are_told_no_such_room() {
    let f = room("tictactoe", 2).await;
    let mut outs = Vec::new();
    for i in 0..3u64 {
        let (c, out) = conn(10 + i);
        ask(&f.room, &c, 1, &format!("s{i}"), join(Role::Spectator));
        outs.push(out);
    }
    let mut codes = Vec::new();
    for out in &mut outs {
        let got = frames(out).await;
        codes.push(error_code(reply_to(&got, 1)));
    }
    assert_eq!(codes, [None, None, Some(ErrorCode::RoomFull)]);
    let (x, mut x_out) = conn(20);
    ask(&f.room, &x, 1, "px", RoomRequest::Start);
    ask(&f.room, &x, 2, "px", RoomRequest::History { before: None, limit: 10 });
    let got = frames(&mut x_out).await;
    assert_eq!(error_code(reply_to(&got, 1)), Some(ErrorCode::NoSuchRoom));
    assert_eq!(error_code(reply_to(&got, 2)), Some(ErrorCode::NoSuchRoom));
}

/// The outcome in the last `game_over` event among `frames`.
fn game_over(frames: &[Outgoing]) -> Option<capital_protocol::Outcome> {
    frames.iter().rev().find_map(|f| match &f.msg {
        ServerMsg::Event(e) => match &e.event {
            capital_protocol::RoomEvent::GameOver { outcome, .. } => Some(outcome.clone()),
            _ => None,
        },
        _ => None,
    })
}

#[tokio::test(start_paused = true)]
async fn a_turn_timer_forfeits_a_two_player_game_by_default() {
    let f = room_with("tictactoe", 10, 30).await;
    let (a, mut a_out) = conn(1);
    let (b, mut b_out) = conn(2);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    ask(&f.room, &a, 2, "pa", RoomRequest::Start);
    let got = frames(&mut b_out).await;
    let ServerMsg::Event(started) = &got.last().unwrap().msg else { panic!("{got:?}") };
    let capital_protocol::RoomEvent::Started { room } = &started.event else { panic!() };
    let now = f.ctx.env.clock.now_ms();
    assert_eq!((room.turn_seconds, room.server_ms), (Some(30), Some(now)));
    assert_eq!(room.deadlines, [Some(now + 30_000), None], "seat 0 is on turn for 30 s");
    frames(&mut a_out).await;
    tokio::time::advance(Duration::from_secs(29)).await;
    assert!(frames(&mut a_out).await.is_empty(), "not yet");
    tokio::time::advance(Duration::from_secs(2)).await;
    let got = frames(&mut a_out).await;
    assert_eq!(event_kinds(&got), ["game_over"]);
    let outcome = game_over(&got).unwrap();
    assert_eq!((outcome.winner, outcome.reason.as_str()), (Some(1), "timeout"));
    let stored = f.store.load_room(7, 10).unwrap().unwrap().room;
    assert_eq!((stored.phase, stored.deadlines), (Phase::Over, vec![]));
}

#[tokio::test(start_paused = true)]
async fn simultaneous_turns_time_out_per_seat() {
    let f = room_with("rps", 10, 30).await;
    let (a, mut a_out) = conn(1);
    let (b, _b_out) = conn(2);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    ask(&f.room, &a, 2, "pa", RoomRequest::Start);
    frames(&mut a_out).await;
    tokio::time::advance(Duration::from_secs(20)).await;
    ask(&f.room, &a, 3, "pa", RoomRequest::Move(json!({"choice": "rock"})));
    assert_eq!(reply_to(&frames(&mut a_out).await, 3), &ServerMsg::Ok);
    // Ana's choice does not give Bo more time: his turn began with hers.
    tokio::time::advance(Duration::from_secs(11)).await;
    let outcome = game_over(&frames(&mut a_out).await).expect("Bo timed out");
    assert_eq!((outcome.winner, outcome.reason.as_str()), (Some(0), "timeout"));
}

#[tokio::test(start_paused = true)]
async fn a_timeout_plays_the_games_move_and_the_next_seat_gets_its_own_time() {
    let f = room_with("crazy_eights", 10, 10).await;
    let mut outs = Vec::new();
    for (i, who) in ["pa", "pb", "pc"].into_iter().enumerate() {
        let (c, out) = conn(i as u64 + 1);
        ask(&f.room, &c, 1, who, join(Role::Player));
        outs.push((c, out));
    }
    ask(&f.room, &outs[0].0, 2, "pa", RoomRequest::Start);
    frames(&mut outs[0].1).await;
    tokio::time::advance(Duration::from_secs(11)).await;
    let got = frames(&mut outs[0].1).await;
    assert!(event_kinds(&got).iter().all(|k| k == "moved") && !got.is_empty(), "{got:?}");
    let moves = f.store.moves(7, 1).unwrap();
    assert!(!moves.is_empty() && moves.iter().all(|m| m.seat == 0), "{moves:?}");
    let stored = f.store.load_room(7, 10).unwrap().unwrap().room;
    let now = f.ctx.env.clock.now_ms();
    assert_eq!(stored.deadlines, [None, Some(now + 10_000), None], "seat 1's turn, from now");
}

#[tokio::test(start_paused = true)]
async fn a_turn_timer_survives_a_restart() {
    let f = room_with("tictactoe", 10, 30).await;
    let (a, mut a_out) = conn(1);
    let (b, _b_out) = conn(2);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    ask(&f.room, &a, 2, "pa", RoomRequest::Start);
    frames(&mut a_out).await;
    tokio::time::advance(Duration::from_secs(20)).await;
    // The server stops; another room actor is brought back from the store.
    f.ctx.env.shutdown.cancel();
    settle().await;
    let (env, _) = crate::testing::env();
    // The same wall clock (it went on while the server was down), a new shutdown and tracker.
    let env = crate::env::Env { store: f.store.clone(), clock: f.ctx.env.clock, ..env };
    let ctx = RoomEnv { env, ..f.ctx.clone() };
    let stored = f.store.load_room(7, 10).unwrap().unwrap();
    let registry = capital_games::Registry::standard();
    let entry = registry.find("tictactoe").unwrap().clone();
    let room = Room::restore(ctx, stored, entry).unwrap().spawn();
    let (a, mut a_out) = conn(3);
    ask(&room, &a, 1, "pa", join(Role::Player));
    frames(&mut a_out).await;
    tokio::time::advance(Duration::from_secs(9)).await;
    assert!(frames(&mut a_out).await.is_empty(), "10 s were left at the restart");
    tokio::time::advance(Duration::from_secs(2)).await;
    let outcome = game_over(&frames(&mut a_out).await).expect("the stored deadline fired");
    assert_eq!((outcome.winner, outcome.reason.as_str()), (Some(1), "timeout"));
}

/// The real-time frames waiting in an outbox, as JSON (after letting the actors run); other
/// frames are dropped.
async fn tick_frames(outbox: &mut crate::conn::Outbox) -> Vec<serde_json::Value> {
    settle().await;
    let mut out = Vec::new();
    while let Some(frame) = outbox.try_recv() {
        let frame: serde_json::Value = serde_json::from_str(&frame).unwrap();
        if frame["type"] == "frame" {
            out.push(frame);
        }
    }
    out
}

#[tokio::test(start_paused = true)]
async fn a_real_time_room_ticks_takes_the_latest_input_and_sends_only_the_newest_frame() {
    let f = room("light_cycles", 10).await;
    let (a, mut a_out) = conn(1);
    let (b, mut b_out) = conn(2);
    let (s, mut s_out) = conn(3);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    ask(&f.room, &s, 1, "ps", join(Role::Spectator));
    ask(&f.room, &a, 2, "pa", RoomRequest::Start);
    frames(&mut a_out).await;
    frames(&mut b_out).await;
    frames(&mut s_out).await;
    assert!(tick_frames(&mut a_out).await.is_empty(), "no frame before the first tick");
    tokio::time::advance(Duration::from_millis(50)).await;
    let first = tick_frames(&mut b_out).await.pop().expect("a frame after a tick");
    assert_eq!(first["tick"], 1);
    assert!(first.get("seq").is_none(), "frames are not numbered");
    let watched = tick_frames(&mut s_out).await.pop().unwrap();
    assert_eq!(watched["state"], first["state"], "the same arena for all");
    // Bo steers twice before the next tick: the latest wins. A spectator's input is dropped.
    f.room.try_input("pb".into(), json!({"dir": "down"}));
    f.room.try_input("pb".into(), json!({"dir": "up"}));
    f.room.try_input("ps".into(), json!({"dir": "up"}));
    f.room.try_input("pa".into(), json!({"dir": "left"})); // straight back: refused
    tokio::time::advance(Duration::from_millis(50)).await;
    let second = tick_frames(&mut b_out).await.pop().unwrap();
    assert_eq!(second["tick"], 2);
    assert_eq!(second["state"]["cycles"][1]["dir"], "up");
    assert_eq!(second["state"]["cycles"][0]["dir"], "right");
    // A client that does not read gets the newest frame only.
    tick_frames(&mut a_out).await;
    for _ in 0..5 {
        tokio::time::advance(Duration::from_millis(50)).await;
        settle().await;
    }
    let waiting = tick_frames(&mut a_out).await;
    assert_eq!(waiting.len(), 1, "one frame at a time, never a queue");
    assert_eq!(waiting[0]["tick"], 7, "skipped to the newest");
    let at_start = f.store.load_room(7, 1).unwrap().unwrap().room;
    assert_eq!(at_start.snapshot_tick, 0, "the start is stored, no tick since");
    for _ in 0..40 {
        tokio::time::advance(Duration::from_millis(50)).await;
        settle().await;
    }
    let stored = f.store.load_room(7, 1).unwrap().unwrap().room;
    assert!(stored.snapshot.is_some() && stored.snapshot_tick > 0, "a snapshot every 2 s");
    assert!(event_kinds(&frames(&mut a_out).await).is_empty(), "ticks are not events");
}

#[tokio::test(start_paused = true)]
async fn ready_is_stored_shown_to_everyone_and_spent_by_the_start() {
    let f = room("crazy_eights", 10).await;
    let (a, mut a_out) = conn(1);
    let (b, mut b_out) = conn(2);
    let (s, mut s_out) = conn(3);
    ask(&f.room, &a, 1, "pa", join(Role::Player));
    ask(&f.room, &b, 1, "pb", join(Role::Player));
    ask(&f.room, &s, 1, "ps", join(Role::Spectator));
    frames(&mut a_out).await;
    frames(&mut b_out).await;
    ask(&f.room, &b, 2, "pb", RoomRequest::Ready(true));
    ask(&f.room, &b, 3, "pb", RoomRequest::Ready(true)); // again: nothing new
    let got = frames(&mut a_out).await;
    assert_eq!(event_kinds(&got), ["ready"], "one event for one change");
    let bo_ready = |room: &capital_protocol::RoomView| room.seats[1].player.as_ref().unwrap().ready;
    let ServerMsg::Event(event) = &got[0].msg else { panic!("{got:?}") };
    assert!(bo_ready(event.event.room().unwrap()), "Ana sees Bo ready");
    let b_got = frames(&mut b_out).await;
    assert_eq!((reply_to(&b_got, 2), reply_to(&b_got, 3)), (&ServerMsg::Ok, &ServerMsg::Ok));
    let members = f.store.load_room(7, 10).unwrap().unwrap().members;
    assert!(members.iter().any(|(m, _)| m.player_id == "pb" && m.ready), "stored");
    // A spectator has no seat to be ready in.
    frames(&mut s_out).await;
    ask(&f.room, &s, 2, "ps", RoomRequest::Ready(true));
    assert_eq!(error_code(reply_to(&frames(&mut s_out).await, 2)), Some(ErrorCode::NotPlayer));
    // Starting spends it; during the game there is nothing to be ready for.
    ask(&f.room, &a, 2, "pa", RoomRequest::Start);
    let got = frames(&mut a_out).await;
    let started = got.iter().find_map(|o| match &o.msg {
        ServerMsg::Event(e) if e.event.kind() == "started" => e.event.room(),
        _ => None,
    });
    assert!(!bo_ready(started.expect("started")), "cleared at the start");
    ask(&f.room, &b, 4, "pb", RoomRequest::Ready(true));
    assert_eq!(error_code(reply_to(&frames(&mut b_out).await, 4)), Some(ErrorCode::WrongPhase));
    let members = f.store.load_room(7, 10).unwrap().unwrap().members;
    assert!(members.iter().all(|(m, _)| !m.ready), "cleared in the store too");
}

mod bounds;
mod chat;
mod failed_writes;
mod rematch;
mod signals;
mod tally;
