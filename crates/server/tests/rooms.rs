//! Room lifecycle: many rooms at once, idle rooms closing, leaving.

mod common;

use capital_protocol::{ErrorCode, LeaveReason, Phase, Role, RoomEvent};
use common::*;

#[tokio::test]
async fn idle_rooms_close_and_free_their_code() {
    let server = TestServer::start_with(|c| c.room_idle_seconds = 1).await;
    let (a, ana) = server.player("Ana").await;
    let code = a.create_room("tictactoe", None).await.unwrap().code;
    drop(a);
    // Nobody is connected: within about a second the room closes. Watch it from Ana's
    // `welcome`, which lists her open rooms, without joining (which would keep it alive).
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (_, again) = server.resume(&ana.token).await;
        if again.rooms.is_empty() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the idle room did not close");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (b, _) = server.player("Bo").await;
    let err = b.join_room(&code, Role::Spectator, None).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NoSuchRoom));
}

#[tokio::test]
async fn leaving_mid_game_forfeits_and_the_last_one_out_closes() {
    let server = TestServer::start().await;
    let (mut a, _b, code) = two_player_game(&server, "tictactoe", None).await;
    let b = _b;
    b.expect_ok(capital_protocol::ClientMsg::LeaveRoom { code: code.clone() }).await.unwrap();
    let over = event_of(&mut a, "game_over").await;
    let RoomEvent::GameOver { outcome, room } = &over.event else { unreachable!() };
    assert_eq!((outcome.winner, outcome.reason.as_str()), (Some(0), "forfeit"));
    assert_eq!(room.phase, Phase::Over);
    let left = event_of(&mut a, "left").await;
    assert!(matches!(left.event, RoomEvent::Left { reason: LeaveReason::Left, .. }));
    let err = b.play(&code, serde_json::json!({"cell": 0})).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NoSuchRoom));
    a.expect_ok(capital_protocol::ClientMsg::LeaveRoom { code: code.clone() }).await.unwrap();
    let err = b.join_room(&code, Role::Player, None).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NoSuchRoom), "empty rooms close at once");
}

#[tokio::test]
async fn many_rooms_play_at_once() {
    let server = TestServer::start().await;
    let mut games = Vec::new();
    for _ in 0..20 {
        games.push(two_player_game(&server, "tictactoe", None).await);
    }
    let codes: std::collections::HashSet<_> = games.iter().map(|g| g.2.clone()).collect();
    assert_eq!(codes.len(), 20, "every room has its own code");
    let plays = games.iter().map(|(a, b, code)| async move {
        for (i, cell) in [0, 3, 1, 4, 2].into_iter().enumerate() {
            let mover = if i % 2 == 0 { a } else { b };
            mover.play(code, serde_json::json!({"cell": cell})).await.unwrap();
        }
    });
    futures_util::future::join_all(plays).await;
    for (a, _, _) in &mut games {
        let over = event_of(a, "game_over").await;
        assert_eq!(room_of(&over).outcome.as_ref().unwrap().winner, Some(0));
    }
}
