//! The real-time lane over real WebSockets: eight players race light cycles with scripted
//! inputs to a known winner, frames reach everyone with ticks that only go up, and a player who
//! drops mid-round comes back to the current arena at once.

mod common;

use std::time::{Duration, Instant};

use common::TestServer;
use common::raw::Raw;
use serde_json::{Value, json};

/// Reads `raw`'s frames until one matches `pred`; returns its state.
async fn frame_where(raw: &mut Raw, pred: impl Fn(&Value) -> bool) -> Value {
    let frame = raw.until(|f| f["type"] == "frame" && pred(&f["state"])).await;
    frame["state"].clone()
}

/// Reads whatever every client has been sent (so no socket fills up while the test waits).
async fn drain_all(players: &mut [Raw], spectator: &mut Raw) {
    for raw in players.iter_mut() {
        raw.drain(Duration::from_millis(1)).await;
    }
    spectator.drain(Duration::from_millis(1)).await;
}

/// Every seat but `survivor` turns up into the top edge (or into another's wall) at once.
async fn all_but_one_turn_up(players: &mut [Raw], code: &str, survivor: usize) {
    for (seat, raw) in players.iter_mut().enumerate() {
        if seat != survivor {
            raw.send(json!({"id": 0, "type": "input", "code": code, "input": {"dir": "up"}})).await;
        }
    }
}

/// The ticks of every frame `raw` was sent, in order.
fn ticks(raw: &Raw) -> Vec<u64> {
    raw.frames
        .iter()
        .filter_map(|text| {
            let frame: Value = serde_json::from_str(text).ok()?;
            (frame["type"] == "frame").then(|| frame["tick"].as_u64()).flatten()
        })
        .collect()
}

#[tokio::test]
async fn eight_race_light_cycles_to_the_scripted_winner() {
    let server = TestServer::start().await;
    let mut players = Vec::new();
    for seat in 0..8 {
        let hello = json!({"type": "hello", "name": format!("Rider{seat}")});
        players.push(Raw::connect(&server, hello).await);
    }
    let created = players[0]
        .ask(json!({"type": "create_room", "game": "light_cycles", "options": {"rounds": 2}}))
        .await;
    let code = created["code"].as_str().unwrap().to_owned();
    assert_eq!(created["room"]["max_players"], 8);
    for raw in &mut players[1..] {
        assert_eq!(raw.ask(json!({"type": "join_room", "code": code})).await["type"], "joined");
    }
    let mut screen = Raw::connect(&server, json!({"type": "hello", "name": "Screen"})).await;
    screen.ask(json!({"type": "join_room", "code": code, "as": "spectator"})).await;
    let moved = players[0].ask(json!({"type": "move", "code": code, "move": {"dir": "up"}})).await;
    assert_eq!(moved["code"], "wrong_phase", "not started yet: {moved}");
    assert_eq!(players[0].ask(json!({"type": "start", "code": code})).await["type"], "ok");
    let first = frame_where(&mut screen, |s| s["round"] == 1).await;
    assert_eq!(first["cycles"].as_array().unwrap().len(), 8);
    assert!(first["cycles"].as_array().unwrap().iter().all(|c| c["alive"] == true));

    const SURVIVOR: usize = 5;
    all_but_one_turn_up(&mut players, &code, SURVIVOR).await;
    // Mid-round, the survivor's phone drops and comes back: the arena is there at once.
    let token = players[SURVIVOR].token.clone();
    let mut back = Raw::connect(&server, json!({"type": "hello", "token": token})).await;
    players[SURVIVOR] = {
        let joined = back.ask(json!({"type": "join_room", "code": code})).await;
        let state = &joined["room"]["state"];
        assert_eq!((state["round"].clone(), state["pause"].clone()), (json!(1), json!(0)));
        assert_eq!(state["cycles"][SURVIVOR]["alive"], true, "its seat was held, riding on");
        assert_eq!(state["grid"].as_str().unwrap().len(), 48 * 32);
        let before = ticks(&screen).last().copied().unwrap_or(0);
        let next = back.until(|f| f["type"] == "frame").await;
        assert!(next["tick"].as_u64().unwrap() >= before, "frames go on where they were");
        back
    };

    let over = frame_where(&mut screen, |s| s["pause"].as_u64() > Some(0)).await;
    assert_eq!(over["round_winner"], json!(SURVIVOR), "{}", over["cycles"]);
    assert_eq!(over["scores"][SURVIVOR], 1);
    drain_all(&mut players, &mut screen).await;
    frame_where(&mut screen, |s| s["round"] == 2 && s["pause"] == 0).await;
    all_but_one_turn_up(&mut players, &code, SURVIVOR).await;
    let ended = screen.until(|f| f["kind"] == "game_over").await;
    let outcome = &ended["room"]["outcome"];
    assert_eq!(
        (outcome["winner"].clone(), outcome["reason"].clone()),
        (json!(5), json!("most_rounds"))
    );
    drain_all(&mut players, &mut screen).await;

    for (seat, raw) in players.iter().enumerate().chain([(8, &screen)]) {
        let ticks = ticks(raw);
        assert!(ticks.len() > 20, "seat {seat} got frames: {}", ticks.len());
        assert!(ticks.windows(2).all(|w| w[0] < w[1]), "seat {seat}: ticks only go up");
    }
    // Frames are not room events: the room's event numbers did not move with them.
    let seqs: Vec<u64> = screen
        .frames
        .iter()
        .filter_map(|t| serde_json::from_str::<Value>(t).ok()?["seq"].as_u64())
        .collect();
    assert!(seqs.len() < 10, "only events are numbered: {seqs:?}");
}

/// A server and two players racing a five-round game of light cycles in room `code`.
async fn two_racing() -> (TestServer, Raw, Raw, String) {
    let server = TestServer::start().await;
    let mut a = Raw::connect(&server, json!({"type": "hello", "name": "Ana"})).await;
    let mut b = Raw::connect(&server, json!({"type": "hello", "name": "Bo"})).await;
    let created = a
        .ask(json!({"type": "create_room", "game": "light_cycles", "options": {"rounds": 5}}))
        .await;
    let code = created["code"].as_str().unwrap().to_owned();
    b.ask(json!({"type": "join_room", "code": code})).await;
    a.ask(json!({"type": "start", "code": code})).await;
    (server, a, b, code)
}

#[tokio::test]
async fn a_restart_resumes_a_round_from_its_last_snapshot() {
    let (server, mut a, mut b, code) = two_racing().await;
    // Seat 0 turns down and rides on; after 2.5 s a snapshot has been stored.
    a.send(json!({"id": 0, "type": "input", "code": code, "input": {"dir": "down"}})).await;
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(2500) {
        a.drain(Duration::from_millis(20)).await;
        b.drain(Duration::from_millis(1)).await;
    }
    drop(b);
    // Ana reads on while the server shuts down: she sees every frame sent before the restart.
    let (server, ()) = tokio::join!(server.restart(), a.drain(Duration::from_secs(2)));
    let seen = *ticks(&a).last().unwrap();
    let before: Vec<Value> = a
        .frames
        .iter()
        .filter_map(|text| serde_json::from_str::<Value>(text).ok())
        .filter(|frame| frame["type"] == "frame")
        .collect();
    let token = a.token.clone();
    drop(a);
    let mut a = Raw::connect(&server, json!({"type": "hello", "token": token})).await;
    let joined = a.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(joined["room"]["phase"], "playing");
    let frame = a.until(|f| f["type"] == "frame").await;
    let tick = frame["tick"].as_u64().unwrap();
    // Snapshots are 40 ticks apart (when in the 40 depends on the room).
    assert!(tick > 1 && tick + 45 >= seen && tick <= seen + 5, "resumed near {seen}: {tick}");
    // The game goes on from the snapshot exactly as it went on before the restart.
    let same_tick = before.iter().find(|f| f["tick"] == tick).expect("that tick was seen before");
    assert_eq!(frame["state"], same_tick["state"], "tick {tick} again, walls and all");
    assert!(frame["state"]["grid"].as_str().unwrap().contains('a'), "seat 0's wall is back");
}

#[tokio::test]
async fn a_flood_of_inputs_is_dropped_without_an_answer_and_the_race_goes_on() {
    let (_server, mut a, mut b, code) = two_racing().await;
    let input = json!({"id": 0, "type": "input", "code": code, "input": {"dir": "down"}});
    for _ in 0..2000 {
        a.send(input.clone()).await;
    }
    // The request limit was not touched, and the flooder is still connected.
    let pong = a.ask(json!({"type": "ping"})).await;
    assert_eq!(pong["type"], "pong", "{pong}");
    assert!(a.frames.iter().all(|f| !f.contains(r#""type":"error""#)), "inputs are never answered");
    // The other player's race goes on, frame after frame.
    let first = b.until(|f| f["type"] == "frame").await["tick"].as_u64().unwrap();
    let later = b.until(|f| f["type"] == "frame" && f["tick"].as_u64() > Some(first + 5)).await;
    assert!(later["tick"].as_u64().unwrap() > first);
    assert_eq!(later["state"]["cycles"][0]["dir"], "down", "Ana's input was taken once");
}
