//! Dropped connections: the seat is held, the player resumes with the token and catches up on
//! exactly what they missed.

mod common;

use capital_client::Incoming;
use capital_protocol::{LeaveReason, Phase, Role, RoomEvent};
use common::*;
use serde_json::json;

#[tokio::test]
async fn dropped_player_resumes_mid_game_and_catches_up() {
    let server = TestServer::start().await;
    let (mut a, _) = server.player("Ana").await;
    let (mut b, bo) = server.player("Bo").await;
    let code = a.create_room("tictactoe", None).await.unwrap().code;
    b.join_room(&code, Role::Player, None).await.unwrap();
    a.start(&code).await.unwrap();
    event_of(&mut b, "started").await;
    a.play(&code, json!({"cell": 4})).await.unwrap();
    let last_seen = event_of(&mut b, "moved").await.seq;

    // Bo's phone sleeps: the connection drops.
    drop(b);
    let e = event_of(&mut a, "disconnected").await;
    let seats = &room_of(&e).seats;
    assert_eq!(seats[1].player.as_ref().unwrap().id, bo.player_id, "the seat is held");
    assert!(!seats[1].player.as_ref().unwrap().connected);
    a.chat(&code, "still there?", "a1").await.unwrap();
    a.chat(&code, "hello?", "a2").await.unwrap();

    // Bo comes back with the token.
    let (mut b, again) = server.resume(&bo.token).await;
    assert_eq!(again.player_id, bo.player_id);
    assert_eq!(again.name, "Bo");
    assert_eq!(again.rooms.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), [code.as_str()]);
    let caught_up = b.join_room(&code, Role::Player, Some(last_seen)).await.unwrap();
    let texts: Vec<_> = caught_up.chat.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["still there?", "hello?"], "exactly the missed messages");
    assert!(!caught_up.more_chat);
    let room = caught_up.room.expect("the state changed while away");
    assert_eq!(room.state.as_ref().unwrap()["board"][4], json!("X"));
    assert_eq!(room.turn, vec![1]);
    assert_eq!(room.you.unwrap().seat, Some(1), "same seat");
    assert!(room.seats[1].player.as_ref().unwrap().connected);
    let e = event_of(&mut a, "reconnected").await;
    assert_eq!(e.seq, caught_up.seq);

    // Nothing missed since then: no state, no chat.
    let nothing = b.join_room(&code, Role::Player, Some(caught_up.seq)).await.unwrap();
    assert_eq!((nothing.room, nothing.chat.len(), nothing.seq), (None, 0, caught_up.seq));

    // A second phone with the same token replaces the first connection, which the server closes.
    let (b2, _) = server.resume(&bo.token).await;
    match b.next_event(WAIT).await {
        Ok(Incoming::Closed(Some((4000, _)))) => {}
        other => panic!("expected close 4000, got {other:?}"),
    }
    let again = b2.join_room(&code, Role::Player, None).await.unwrap();
    assert_eq!(again.room.unwrap().you.unwrap().seat, Some(1));

    // The game finishes normally: O takes 0, X 3, O 1, X 5 wins.
    b2.play(&code, json!({"cell": 0})).await.unwrap();
    a.play(&code, json!({"cell": 3})).await.unwrap();
    b2.play(&code, json!({"cell": 1})).await.unwrap();
    a.play(&code, json!({"cell": 5})).await.unwrap();
    let over = event_of(&mut a, "game_over").await;
    assert_eq!(room_of(&over).outcome.as_ref().unwrap().winner, Some(0));
}

#[tokio::test]
async fn a_seat_not_reclaimed_in_the_grace_period_forfeits() {
    let server = TestServer::start_with(|c| c.grace_seconds = 1).await;
    let (mut a, _) = server.player("Ana").await;
    let (b, bo) = server.player("Bo").await;
    let code = a.create_room("connect_four", None).await.unwrap().code;
    b.join_room(&code, Role::Player, None).await.unwrap();
    a.start(&code).await.unwrap();
    drop(b);
    event_of(&mut a, "disconnected").await;
    let over = event_of(&mut a, "game_over").await;
    let RoomEvent::GameOver { outcome, room } = &over.event else { unreachable!() };
    assert_eq!((outcome.winner, outcome.reason.as_str()), (Some(0), "forfeit"));
    assert_eq!(room.phase, Phase::Over);
    let left = event_of(&mut a, "left").await;
    let RoomEvent::Left { player, reason, room } = &left.event else { unreachable!() };
    assert_eq!((player, *reason), (&bo.player_id, LeaveReason::Timeout));
    assert!(room.seats[1].player.is_none(), "the seat is free again");
    let (_, again) = server.resume(&bo.token).await;
    assert!(again.rooms.is_empty(), "Bo is no longer in the room");
}

#[tokio::test]
async fn grace_applies_in_the_lobby_and_host_passes_on() {
    let server = TestServer::start_with(|c| c.grace_seconds = 1).await;
    let (a, ana) = server.player("Ana").await;
    let (mut b, _) = server.player("Bo").await;
    let code = a.create_room("tictactoe", None).await.unwrap().code;
    b.join_room(&code, Role::Player, None).await.unwrap();
    a.close();
    event_of(&mut b, "disconnected").await;
    let left = event_of(&mut b, "left").await;
    assert!(matches!(&left.event, RoomEvent::Left { player, .. } if *player == ana.player_id));
    let host = event_of(&mut b, "host_changed").await;
    assert_eq!(room_of(&host).host, room_of(&host).seats[1].player.as_ref().unwrap().id);
}
