//! Finished games over real WebSockets: a game replayed step by step from its log (also after
//! a rematch and a restart, never showing a seat's hidden cards), and the lesson's leaderboard
//! across rooms, started anew from the teacher's console.

mod common;

use common::TestServer;
use common::raw::{Raw, code_of, named, teacher};
use serde_json::{Value, json};

/// `names[0]` creates a room of `game`, `names[1]` joins, the first starts it.
async fn pair(server: &TestServer, game: &str, names: [&str; 2]) -> (Raw, Raw, String) {
    let options = if game == "light_cycles" { json!({"rounds": 1}) } else { Value::Null };
    let mut ana = named(server, names[0]).await;
    let mut bo = named(server, names[1]).await;
    let created = ana.ask(json!({"type": "create_room", "game": game, "options": options})).await;
    let code = created["code"].as_str().unwrap().to_owned();
    bo.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(code_of(&ana.ask(json!({"type": "start", "code": code})).await), "ok");
    (ana, bo, code)
}

/// Seat 0 takes the top row of tic-tac-toe; `players[i]` plays seat i.
async fn top_row(players: [&mut Raw; 2], code: &str) {
    let [x, o] = players;
    for (seat, cell) in [(0, 0), (1, 3), (0, 1), (1, 4), (0, 2)] {
        let mover = if seat == 0 { &mut *x } else { &mut *o };
        let mv = json!({"type": "move", "code": code, "move": {"cell": cell}});
        assert_eq!(code_of(&mover.ask(mv).await), "ok");
    }
}

#[tokio::test]
async fn a_finished_game_replays_move_by_move() {
    let server = TestServer::start().await;
    let (mut ana, mut bo, code) = pair(&server, "tictactoe", ["Ana", "Bo"]).await;
    let early = ana.ask(json!({"type": "replay", "code": code})).await;
    assert_eq!(code_of(&early), "wrong_phase", "nothing has finished yet: {early}");
    top_row([&mut ana, &mut bo], &code).await;

    let replay = bo.ask(json!({"type": "replay", "code": code})).await;
    assert_eq!(replay["type"], "replay", "{replay}");
    assert_eq!((replay["game"].as_str(), replay["game_no"].as_u64()), (Some("tictactoe"), Some(1)));
    let names: Vec<&str> =
        replay["seats"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Ana", "Bo"]);
    assert_eq!(replay["outcome"]["winner"], 0);
    let steps = replay["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 6, "the start and five moves");
    assert_eq!(steps[0]["state"]["board"], json!(vec![Value::Null; 9]), "an empty board first");
    assert!(steps[0]["move"].is_null() && steps[0]["turn"] == json!([0]));
    assert_eq!((steps[2]["seat"].as_u64(), &steps[2]["move"]), (Some(1), &json!({"cell": 3})));
    assert_eq!(steps[2]["state"]["board"][3], "O", "each step shows the board after its move");
    assert_eq!(steps[5]["state"], ana.room["state"], "the last step is the end as it was seen");

    // A non-member is told what a wrong code gets.
    let mut di = named(&server, "Di").await;
    let outsider = di.ask(json!({"type": "replay", "code": code})).await;
    assert_eq!(code_of(&outsider), "no_such_room");

    // After a rematch and a restart, the first game still replays by its number.
    assert_eq!(code_of(&ana.ask(json!({"type": "start", "code": code})).await), "ok");
    bo.until_playing().await;
    let (ana_token, bo_token) = (ana.token.clone(), bo.token.clone());
    drop((ana, bo, di));
    let server = server.restart().await;
    let mut bo = Raw::connect(&server, json!({"type": "hello", "token": bo_token})).await;
    bo.ask(json!({"type": "join_room", "code": code})).await;
    let latest = bo.ask(json!({"type": "replay", "code": code})).await;
    assert_eq!(latest["game_no"], 1, "game 2 is still going: the latest finished is 1");
    let first = bo.ask(json!({"type": "replay", "code": code, "game_no": 1})).await;
    assert_eq!(first["steps"], replay["steps"], "the same replay after the restart");
    let missing = bo.ask(json!({"type": "replay", "code": code, "game_no": 2})).await;
    assert_eq!(code_of(&missing), "wrong_phase", "game 2 has not finished: {missing}");
    drop(ana_token);
}

#[tokio::test]
async fn a_replay_shows_what_a_spectator_saw_and_no_more() {
    let server = TestServer::start().await;
    let (mut ana, mut bo, code) = pair(&server, "crazy_eights", ["Ana", "Bo"]).await;
    let hand = ana.room["state"]["hand"].clone();
    assert_eq!(hand.as_array().map(Vec::len), Some(7), "Ana sees her own cards: {hand}");
    // Ana draws a card (a move that is always legal), then the host ends the game.
    let drew = ana.ask(json!({"type": "move", "code": code, "move": {"draw": true}})).await;
    assert_eq!(code_of(&drew), "ok", "{drew}");
    assert_eq!(code_of(&ana.ask(json!({"type": "end_game", "code": code})).await), "ok");
    let replay = bo.ask(json!({"type": "replay", "code": code})).await;
    let steps = replay["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2, "{replay}");
    assert_eq!(replay["outcome"]["winner"], Value::Null, "ended by the host: no winner");
    for step in steps {
        assert!(step["state"]["hand"].is_null(), "no seat's hand in a replay: {step}");
        assert!(step["state"]["hands"].is_array(), "only how many cards each holds: {step}");
    }
    assert_eq!(steps[1]["state"]["hands"], json!([8, 7]));

    // A real-time game logs no moves, and says so.
    let (mut cy, mut di, code) = pair(&server, "light_cycles", ["Cy", "Di"]).await;
    assert_eq!(code_of(&cy.ask(json!({"type": "end_game", "code": code})).await), "ok");
    di.until(|f| f["kind"] == "game_over").await;
    let refused = cy.ask(json!({"type": "replay", "code": code})).await;
    assert_eq!(code_of(&refused), "wrong_phase");
    assert!(refused["message"].as_str().unwrap().contains("real-time"), "{refused}");
}

#[tokio::test]
async fn the_lesson_leaderboard_counts_wins_in_every_room_from_the_lesson_start() {
    let server = TestServer::start().await;
    let (mut ana, mut bo, one) = pair(&server, "tictactoe", ["Ana", "Bo"]).await;
    top_row([&mut ana, &mut bo], &one).await; // Ana wins
    let (mut cy, mut di, two) = pair(&server, "tictactoe", ["Cy", "Di"]).await;
    top_row([&mut cy, &mut di], &two).await; // Cy takes the row
    let board = bo.ask(json!({"type": "leaderboard"})).await;
    assert_eq!(board["type"], "leaderboard", "{board}");
    assert!(board["since_ms"].is_null(), "no lesson started: every game counts");
    let lines: Vec<(&str, u64, u64)> = board["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap(),
                l["wins"].as_u64().unwrap(),
                l["played"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(lines, [("Ana", 1, 1), ("Cy", 1, 1), ("Bo", 0, 1), ("Di", 0, 1)]);

    let refused = bo.ask(json!({"type": "new_lesson"})).await;
    assert_eq!(code_of(&refused), "not_admin");
    let mut lee = teacher(&server).await;
    assert_eq!(code_of(&lee.ask(json!({"type": "new_lesson"})).await), "ok");
    let fresh = lee.ask(json!({"type": "leaderboard"})).await;
    assert!(fresh["since_ms"].as_u64().is_some(), "{fresh}");
    assert_eq!(fresh["lines"], json!([]), "a new lesson counts from zero");
    let audit = lee.ask(json!({"type": "admin_audit"})).await;
    assert_eq!(audit["entries"][0]["action"], "new_lesson", "{audit}");

    assert_eq!(code_of(&bo.ask(json!({"type": "start", "code": one})).await), "not_host");
    assert_eq!(code_of(&ana.ask(json!({"type": "start", "code": one})).await), "ok");
    bo.until_playing().await;
    top_row([&mut bo, &mut ana], &one).await; // seats rotated: Bo is X now, and wins
    let after = cy.ask(json!({"type": "leaderboard"})).await;
    assert_eq!(after["lines"][0]["name"], "Bo", "{after}");
    assert_eq!(after["lines"].as_array().map(Vec::len), Some(2));
}
