//! A player leaving a game of three or more: the game goes on without their seat (skipped,
//! never the winner), the last one left wins, and a restart rebuilds the drop-out from the log.
//! Two-player games still end with the other seat winning (tests/games.rs).

mod common;

use std::time::Duration;

use common::TestServer;
use common::raw::Raw;
use serde_json::{Value, json};

/// Three players in a started room of `game`: Ana (seat 0, host), Bo (1), Cy (2).
async fn three_playing(server: &TestServer, game: &str) -> (Vec<Raw>, String) {
    let mut players = Vec::new();
    for name in ["Ana", "Bo", "Cy"] {
        players.push(Raw::connect(server, json!({"type": "hello", "name": name})).await);
    }
    let created = players[0].ask(json!({"type": "create_room", "game": game})).await;
    let code = created["code"].as_str().unwrap().to_owned();
    for raw in &mut players[1..] {
        raw.ask(json!({"type": "join_room", "code": code})).await;
    }
    let started = players[0].ask(json!({"type": "start", "code": code})).await;
    assert_eq!(started["type"], "ok", "{started}");
    for raw in &mut players {
        raw.until_playing().await;
    }
    (players, code)
}

/// The move crazy eights' turn timer would make for whoever is on turn, made by them.
async fn crazy_move(players: &mut [Raw], seats: &[usize], code: &str) {
    let turn = players[0].room["turn"][0].as_u64().expect("someone's turn") as usize;
    let i = seats.iter().position(|s| *s == turn).expect("the seat on turn is still here");
    let state = players[i].room["state"].clone();
    let top = state["top"].as_str().unwrap();
    let suit = &state["suit"].as_str().unwrap()[..1].to_uppercase();
    let (top_rank, _) = top.split_at(top.len() - 1);
    let playable = state["hand"].as_array().unwrap().iter().filter_map(Value::as_str).find(|c| {
        let (rank, s) = c.split_at(c.len() - 1);
        rank == "8" || rank == top_rank || s == suit
    });
    let mv = match playable {
        Some(card) if card.starts_with('8') => json!({"play": card, "suit": "hearts"}),
        Some(card) => json!({"play": card}),
        None if state["drawn"].as_u64() < state["draws"].as_u64() => json!({"draw": true}),
        None => json!({"pass": true}),
    };
    let reply = players[i].ask(json!({"type": "move", "code": code, "move": mv})).await;
    assert_eq!(reply["type"], "ok", "seat {turn} playing {mv}: {reply}");
    for raw in players.iter_mut() {
        raw.drain(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn crazy_eights_goes_on_without_a_player_who_left_also_after_a_restart() {
    let server = TestServer::start().await;
    let (mut players, code) = three_playing(&server, "crazy_eights").await;
    for _ in 0..3 {
        crazy_move(&mut players, &[0, 1, 2], &code).await;
    }
    let stock = players[0].room["state"]["stock"].as_u64().unwrap();
    let bo_cards = players[0].room["state"]["hands"][1].as_u64().unwrap();
    let left = players[1].ask(json!({"type": "leave_room", "code": code})).await;
    assert_eq!(left["type"], "ok", "{left}");
    let bo = players.remove(1);
    for raw in &mut players {
        let event = raw.until(|f| f["kind"] == "dropped_out").await;
        assert_eq!(event["seat"], 1, "{event}");
        raw.until(|f| f["kind"] == "left").await;
        let room = &raw.room;
        assert_eq!(room["phase"], "playing", "the game goes on: {room}");
        assert_eq!(room["state"]["out"], json!([false, true, false]));
        assert_eq!(room["state"]["hands"][1], 0);
        assert_eq!(room["state"]["stock"].as_u64().unwrap(), stock + bo_cards, "under the stock");
    }
    for _ in 0..6 {
        crazy_move(&mut players, &[0, 2], &code).await;
        assert_ne!(players[0].room["turn"], json!([1]), "seat 1 is skipped");
    }
    drop(bo);

    // The drop-out is in the move log: a restart rebuilds the game without seat 1.
    let before: Vec<Value> = players.iter().map(|p| p.room["state"].clone()).collect();
    let tokens: Vec<String> = players.iter().map(|p| p.token.clone()).collect();
    drop(players);
    let server = server.restart().await;
    let mut players = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let mut raw = Raw::connect(&server, json!({"type": "hello", "token": token})).await;
        let joined = raw.ask(json!({"type": "join_room", "code": code})).await;
        assert_eq!(joined["room"]["state"], before[i], "player {i}'s view after the restart");
        players.push(raw);
    }
    crazy_move(&mut players, &[0, 2], &code).await;

    // Cy leaves too: Ana is the last one left, and wins.
    players[1].ask(json!({"type": "leave_room", "code": code})).await;
    let over = players[0].until(|f| f["kind"] == "game_over").await;
    assert_eq!(over["outcome"], json!({"winner": 0, "reason": "last_player"}), "{over}");
}

#[tokio::test]
async fn light_cycles_rides_on_without_a_player_who_left() {
    let server = TestServer::start().await;
    let (mut players, code) = three_playing(&server, "light_cycles").await;
    players[0].until(|f| f["type"] == "frame").await;
    players[2].ask(json!({"type": "leave_room", "code": code})).await;
    let event = players[0].until(|f| f["kind"] == "dropped_out").await;
    assert_eq!(event["seat"], 2);
    let frame = players[0].until(|f| f["type"] == "frame").await;
    assert_eq!(frame["state"]["out"], json!([false, false, true]), "{frame}");
    assert_eq!(frame["state"]["cycles"][2]["alive"], false);
    assert_eq!(players[0].room["phase"], "playing", "two still ride");
    players[1].ask(json!({"type": "leave_room", "code": code})).await;
    let over = players[0].until(|f| f["kind"] == "game_over").await;
    assert_eq!(over["outcome"], json!({"winner": 0, "reason": "last_player"}), "{over}");
    // The lane closed with the game: frames stop (a drain ends at 300 ms of silence).
    let quiet = players[0].drain(Duration::from_millis(300));
    assert!(tokio::time::timeout(Duration::from_secs(3), quiet).await.is_ok(), "frames go on");
    let overs = players[0].frames.iter().filter(|t| t.contains(r#""kind":"game_over""#)).count();
    assert_eq!(overs, 1, "the game ended once");
}
