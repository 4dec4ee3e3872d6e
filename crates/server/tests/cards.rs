//! A card game for five over real WebSockets: N seats, the seeded deck, per-seat views. Every
//! frame each seat and a spectator receive is scanned, as raw text, for cards it must not see;
//! the game is rebuilt from its seed and move log after a restart.

mod common;

use std::time::Duration;

use common::TestServer;
use common::raw::Raw;
use serde_json::{Value, json};

/// Every quoted card (`"7H"`, `"10D"`) in a frame's raw text.
fn cards_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in text.match_indices('"') {
        let rest = &text[i + 1..];
        let Some(end) = rest.find('"') else { break };
        let word = &rest[..end];
        let (rank, suit) = word.split_at(word.len().saturating_sub(1));
        let ranks = ["A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K"];
        if ranks.contains(&rank) && ["C", "D", "H", "S"].contains(&suit) {
            found.push(word.to_owned());
        }
    }
    found
}

/// Checks that a frame shows no card but the receiver's own and the public ones of the same
/// frame (the top card, the card just played).
fn assert_no_foreign_cards(who: &str, text: &str) {
    let frame: Value = serde_json::from_str(text).unwrap();
    let state = &frame["room"]["state"];
    let mut allowed: Vec<String> = state["hand"]
        .as_array()
        .map(|hand| hand.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    for public in [&state["top"], &state["last"]["card"]] {
        if let Some(card) = public.as_str() {
            allowed.push(card.to_owned());
        }
    }
    for card in cards_in(text) {
        assert!(allowed.contains(&card), "{who} was sent {card}, not theirs: {text}");
    }
}

/// The move a patient player makes: a playable card (an 8 names hearts), else draw, else pass.
fn choose(state: &Value) -> Value {
    let top = state["top"].as_str().unwrap();
    let (top_rank, _) = top.split_at(top.len() - 1);
    let suit_letter = match state["suit"].as_str().unwrap() {
        "clubs" => "C",
        "diamonds" => "D",
        "hearts" => "H",
        _ => "S",
    };
    for card in state["hand"].as_array().unwrap() {
        let card = card.as_str().unwrap();
        let (rank, suit) = card.split_at(card.len() - 1);
        if rank == "8" {
            return json!({"play": card, "suit": "hearts"});
        }
        if rank == top_rank || suit == suit_letter {
            return json!({"play": card});
        }
    }
    let can_draw = state["stock"].as_u64() > Some(0);
    if state["drawn"].as_u64() < state["draws"].as_u64() && can_draw {
        json!({"draw": true})
    } else {
        json!({"pass": true})
    }
}

/// Plays `moves` moves (or to the end): the seat on turn, per the room its host last saw.
async fn play(players: &mut [Raw], spectator: &mut Raw, code: &str, moves: usize) {
    for _ in 0..moves {
        if players[0].room["phase"] != "playing" {
            return;
        }
        let seat = players[0].room["turn"][0].as_u64().expect("someone's turn") as usize;
        let state = players[seat].room["state"].clone();
        let mv = choose(&state);
        let reply = players[seat].ask(json!({"type": "move", "code": code, "move": mv})).await;
        assert_eq!(reply["type"], "ok", "seat {seat} playing {mv}: {reply}");
        for other in players.iter_mut() {
            other.drain(Duration::from_millis(10)).await;
        }
        spectator.drain(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn five_play_crazy_eights_and_nobody_sees_another_hand() {
    let server = TestServer::start().await;
    let names = ["Ana", "Bo", "Cy", "Di", "Ed"];
    let mut players = Vec::new();
    for name in names {
        players.push(Raw::connect(&server, json!({"type": "hello", "name": name})).await);
    }
    let created = players[0].ask(json!({"type": "create_room", "game": "crazy_eights"})).await;
    let code = created["code"].as_str().unwrap().to_owned();
    assert_eq!(created["room"]["seats"].as_array().unwrap().len(), 6, "the game's most seats");
    let refused = players[0].ask(json!({"type": "start", "code": code})).await;
    assert_eq!(refused["code"], "seats_not_filled", "one player cannot start: {refused}");
    for raw in &mut players[1..] {
        let joined = raw.ask(json!({"type": "join_room", "code": code})).await;
        assert_eq!(joined["type"], "joined", "{joined}");
    }
    let mut spectator = Raw::connect(&server, json!({"type": "hello", "name": "Screen"})).await;
    let watching =
        spectator.ask(json!({"type": "join_room", "code": code, "as": "spectator"})).await;
    assert_eq!(watching["room"]["you"]["role"], "spectator");
    let started = players[0].ask(json!({"type": "start", "code": code})).await;
    assert_eq!(started["type"], "ok", "{started}");
    for raw in &mut players {
        raw.until_playing().await;
    }
    spectator.until_playing().await;

    let hands: Vec<Vec<Value>> =
        players.iter().map(|p| p.room["state"]["hand"].as_array().unwrap().clone()).collect();
    assert!(hands.iter().all(|h| h.len() == 5), "five cards each for five players");
    let mut all: Vec<&Value> = hands.iter().flatten().collect();
    all.sort_by_key(|c| c.to_string());
    all.dedup();
    assert_eq!(all.len(), 25, "one deck: no card dealt twice");
    assert_eq!(players[2].room["state"]["hands"], json!([5, 5, 5, 5, 5]));
    assert!(spectator.room["state"].get("hand").is_none(), "a spectator holds no hand");

    play(&mut players, &mut spectator, &code, 30).await;

    for (raw, name) in players.iter().zip(names) {
        assert!(raw.frames.len() > 10, "{name} saw the game");
        for text in &raw.frames {
            assert_no_foreign_cards(name, text);
        }
    }
    for text in &spectator.frames {
        assert_no_foreign_cards("the spectator", text);
    }
    let played = spectator.frames.iter().filter(|t| t.contains(r#""action":"played""#)).count();
    let drew = spectator.frames.iter().filter(|t| t.contains(r#""action":"drew""#)).count();
    assert!(played >= 5 && drew >= 1, "cards were played ({played}) and drawn ({drew})");

    // A restart rebuilds the same game from its seed and move log.
    let before: Vec<Value> = players.iter().map(|p| p.room["state"].clone()).collect();
    let turn = players[0].room["turn"].clone();
    let tokens: Vec<String> = players.iter().map(|p| p.token.clone()).collect();
    drop(players);
    drop(spectator);
    let server = server.restart().await;
    let mut players = Vec::new();
    for (seat, token) in tokens.iter().enumerate() {
        let mut raw = Raw::connect(&server, json!({"type": "hello", "token": token})).await;
        let joined = raw.ask(json!({"type": "join_room", "code": code})).await;
        assert_eq!(joined["room"]["state"], before[seat], "seat {seat}'s view after the restart");
        assert_eq!(joined["room"]["turn"], turn);
        players.push(raw);
    }
    let mut spectator = Raw::connect(&server, json!({"type": "hello", "name": "Screen2"})).await;
    spectator.ask(json!({"type": "join_room", "code": code, "as": "spectator"})).await;
    play(&mut players, &mut spectator, &code, 10).await;
    for (raw, name) in players.iter().zip(names) {
        for text in &raw.frames {
            assert_no_foreign_cards(name, text);
        }
    }
}

#[test]
fn the_scan_finds_cards_in_raw_text() {
    assert_eq!(
        cards_in(r#"{"hand":["10D","QS"],"top":"8H","name":"AS?","x":"AC"}"#),
        ["10D", "QS", "8H", "AC"]
    );
    let leak = r#"{"room":{"state":{"hand":["2C"],"top":"3C","hands":[1,1],"x":"QS"}}}"#;
    assert!(std::panic::catch_unwind(|| assert_no_foreign_cards("t", leak)).is_err());
    let fine = r#"{"room":{"state":{"hand":["2C"],"top":"3C","last":{"card":"9C"}}}}"#;
    assert_no_foreign_cards("t", fine);
}

#[tokio::test]
async fn seats_close_up_in_order_when_a_game_starts() {
    let server = TestServer::start().await;
    let mut ana = Raw::connect(&server, json!({"type": "hello", "name": "Ana"})).await;
    let mut bo = Raw::connect(&server, json!({"type": "hello", "name": "Bo"})).await;
    let mut cy = Raw::connect(&server, json!({"type": "hello", "name": "Cy"})).await;
    let created = ana.ask(json!({"type": "create_room", "game": "crazy_eights"})).await;
    let code = created["code"].as_str().unwrap().to_owned();
    bo.ask(json!({"type": "join_room", "code": code})).await;
    let joined = cy.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(joined["room"]["you"]["seat"], 2);
    let left = bo.ask(json!({"type": "leave_room", "code": code})).await;
    assert_eq!(left["type"], "ok", "{left}");
    let started = ana.ask(json!({"type": "start", "code": code})).await;
    assert_eq!(started["type"], "ok", "two may start crazy eights: {started}");
    cy.until_playing().await;
    assert_eq!(cy.room["you"]["seat"], 1, "Cy moved up from seat 2 to seat 1");
    assert_eq!(cy.room["state"]["hands"], json!([7, 7]), "a game for two: seven cards each");
    assert_eq!(cy.room["state"]["hand"].as_array().unwrap().len(), 7);
}
