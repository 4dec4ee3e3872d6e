//! Spectators see the game live, never hidden information.

mod common;

use capital_protocol::{Role, RoomEvent};
use common::*;
use serde_json::json;

#[tokio::test]
async fn spectator_never_sees_a_pending_choice() {
    let server = TestServer::start().await;
    let (mut a, mut b, code) = two_player_game(&server, "rps", Some(json!({"best_of": 1}))).await;
    let (mut watcher, _) = server.player("Cy").await;
    let joined = watcher.join_room(&code, Role::Spectator, None).await.unwrap();
    let room = joined.room.unwrap();
    assert_eq!(room.you.unwrap().role, Role::Spectator);
    assert_eq!(room.spectators.len(), 1);
    event_of(&mut a, "joined").await;
    event_of(&mut b, "joined").await;

    a.play(&code, json!({"choice": "scissors"})).await.unwrap();
    let seen = event_of(&mut watcher, "moved").await;
    let text = serde_json::to_string(&seen).unwrap();
    assert!(!text.contains("scissors"), "the spectator saw a pending choice: {text}");
    assert_eq!(room_of(&seen).state.as_ref().unwrap()["chosen"], json!([true, false]));
    assert_eq!(room_of(&seen).state.as_ref().unwrap()["your_choice"], json!(null));
    let own = event_of(&mut a, "moved").await;
    assert_eq!(room_of(&own).state.as_ref().unwrap()["your_choice"], json!("scissors"));
    let theirs = event_of(&mut b, "moved").await;
    assert!(!serde_json::to_string(&theirs).unwrap().contains("scissors"));

    b.play(&code, json!({"choice": "rock"})).await.unwrap();
    event_of(&mut watcher, "moved").await;
    let over = event_of(&mut watcher, "game_over").await;
    let RoomEvent::GameOver { outcome, room } = &over.event else { unreachable!() };
    assert_eq!(outcome.winner, Some(1));
    assert_eq!(room.state.as_ref().unwrap()["rounds"][0]["choices"], json!(["scissors", "rock"]));
}
