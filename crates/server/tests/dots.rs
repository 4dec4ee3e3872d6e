//! Dots and boxes for three over real WebSockets: the room's default turn timer, boxes scored
//! through the protocol, and the game rebuilt from its move log after a restart.

mod common;

use common::TestServer;
use common::raw::Raw;
use serde_json::json;

#[tokio::test]
async fn three_play_dots_and_boxes_and_a_restart_rebuilds_the_board() {
    let server = TestServer::start().await;
    let mut players = Vec::new();
    for name in ["Ana", "Bo", "Cy"] {
        players.push(Raw::connect(&server, json!({"type": "hello", "name": name})).await);
    }
    let options = json!({"rows": 2, "cols": 2});
    let created = players[0]
        .ask(json!({"type": "create_room", "game": "dots_and_boxes", "options": options}))
        .await;
    let code = created["code"].as_str().unwrap().to_owned();
    assert_eq!(created["room"]["turn_seconds"], 30, "the game's default turn timer");
    assert_eq!(created["room"]["max_players"], 4);
    for raw in &mut players[1..] {
        raw.ask(json!({"type": "join_room", "code": code})).await;
    }
    assert_eq!(players[0].ask(json!({"type": "start", "code": code})).await["type"], "ok");
    players[0].until_playing().await;
    let room = &players[0].room;
    let left = room["deadlines"][0].as_u64().unwrap() - room["server_ms"].as_u64().unwrap();
    // The view is drawn a moment after the deadline was set: a millisecond may have gone.
    assert!((29_900..=30_000).contains(&left), "seat 0 has 30 s: {left} ms");
    // Ana, Bo, Cy, Ana: the top-left box's four sides; Ana closes it and goes again.
    let lines = [
        (0, json!({"dir": "h", "row": 0, "col": 0})),
        (1, json!({"dir": "v", "row": 0, "col": 0})),
        (2, json!({"dir": "v", "row": 0, "col": 1})),
        (0, json!({"dir": "h", "row": 1, "col": 0})),
    ];
    for (seat, line) in lines {
        let reply = players[seat].ask(json!({"type": "move", "code": code, "move": line})).await;
        assert_eq!(reply["type"], "ok", "seat {seat}: {reply}");
    }
    let state = players[1].until(|f| f["room"]["state"]["boxes"][0][0] == 0).await["room"].clone();
    assert_eq!(state["state"]["scores"], json!([1, 0, 0]));
    assert_eq!(state["turn"], json!([0]), "a box taken: Ana draws again");
    let before = players[2].until(|f| f["room"]["state"]["scores"][0] == 1).await["room"].clone();

    let tokens: Vec<String> = players.iter().map(|p| p.token.clone()).collect();
    drop(players);
    let server = server.restart().await;
    let mut cy = Raw::connect(&server, json!({"type": "hello", "token": tokens[2]})).await;
    let joined = cy.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(joined["room"]["state"], before["state"], "rebuilt from the move log");
    assert_eq!(joined["room"]["turn"], json!([0]));
    assert_eq!(joined["room"]["deadlines"], before["deadlines"], "the deadline survived too");
}
