//! Every kind of wrong move gets an error reply and changes nothing; the game goes on.

mod common;

use capital_protocol::{ClientMsg, ErrorCode, Role};
use common::*;
use serde_json::{Value, json};

async fn refused(client: &capital_client::Client, code: &str, mv: Value) -> ErrorCode {
    let err = client.play(code, mv.clone()).await.expect_err("the move must be refused");
    err.code().unwrap_or_else(|| panic!("expected a server error for {mv}, got {err}"))
}

#[tokio::test]
async fn wrong_moves_are_refused_and_change_nothing() {
    let server = TestServer::start().await;
    let (mut a, mut b, code) = two_player_game(&server, "tictactoe", None).await;

    assert_eq!(refused(&b, &code, json!({"cell": 0})).await, ErrorCode::NotYourTurn);
    a.play(&code, json!({"cell": 4})).await.unwrap();
    let before = event_of(&mut b, "moved").await;
    event_of(&mut a, "moved").await;

    assert_eq!(refused(&b, &code, json!({"cell": 4})).await, ErrorCode::IllegalMove, "taken");
    assert_eq!(refused(&b, &code, json!({"cell": 9})).await, ErrorCode::BadMove, "off the board");
    assert_eq!(refused(&b, &code, json!({"cell": -1})).await, ErrorCode::BadMove);
    assert_eq!(refused(&b, &code, json!({"cell": "4"})).await, ErrorCode::BadMove);
    assert_eq!(refused(&b, &code, json!({"column": 1})).await, ErrorCode::BadMove);
    assert_eq!(refused(&b, &code, json!("center")).await, ErrorCode::BadMove);
    assert_eq!(refused(&b, &code, Value::Null).await, ErrorCode::BadMove);
    assert_eq!(refused(&a, &code, json!({"cell": 0})).await, ErrorCode::NotYourTurn, "twice");
    // None of that produced an event: the board is as it was.
    assert_quiet(&mut a).await;
    assert_quiet(&mut b).await;

    // The game goes on from the same state, to a win for X: 4, 0, 3, 1, 5.
    b.play(&code, json!({"cell": 0})).await.unwrap();
    let after = event_of(&mut a, "moved").await;
    assert_eq!(after.seq, before.seq + 1, "refused moves used no sequence numbers");
    a.play(&code, json!({"cell": 3})).await.unwrap();
    b.play(&code, json!({"cell": 1})).await.unwrap();
    a.play(&code, json!({"cell": 5})).await.unwrap();
    event_of(&mut a, "game_over").await;

    assert_eq!(refused(&b, &code, json!({"cell": 8})).await, ErrorCode::GameOver);
    assert_eq!(refused(&a, &code, json!({"cell": 8})).await, ErrorCode::GameOver);
}

#[tokio::test]
async fn moves_outside_a_game_are_refused() {
    let server = TestServer::start().await;
    let (mut a, _) = server.player("Ana").await;
    let (b, _) = server.player("Bo").await;
    let (mut watcher, _) = server.player("Cy").await;
    let code = a.create_room("connect_four", None).await.unwrap().code;

    assert_eq!(refused(&a, &code, json!({"column": 0})).await, ErrorCode::WrongPhase, "lobby");
    let err = a.start(&code).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::SeatsNotFilled));
    assert_eq!(refused(&b, &code, json!({"column": 0})).await, ErrorCode::NoSuchRoom);
    assert_eq!(refused(&b, "ZZZZ", json!({"column": 0})).await, ErrorCode::NoSuchRoom);
    b.join_room(&code, Role::Player, None).await.unwrap();
    let err = b.start(&code).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotHost));
    watcher.join_room(&code, Role::Spectator, None).await.unwrap();
    let err = watcher.join_room(&code, Role::Player, None).await;
    assert!(err.is_ok(), "joining again as a member is a no-op resume");
    a.start(&code).await.unwrap();
    assert_eq!(refused(&watcher, &code, json!({"column": 0})).await, ErrorCode::NotPlayer);
    let (late, _) = server.player("Di").await;
    let err = late.join_room(&code, Role::Player, None).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::WrongPhase), "no seat during a game");
    late.join_room(&code, Role::Spectator, None).await.expect("but can watch");
    let err = a.start(&code).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::WrongPhase), "already started");
    let err = a.expect_ok(ClientMsg::Rematch { code: code.clone() }).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::WrongPhase), "rematch only after the end");
    // Fill column 0: six discs, then a seventh is refused.
    for i in 0..6 {
        let mover = if i % 2 == 0 { &a } else { &b };
        mover.play(&code, json!({"column": 0})).await.unwrap();
    }
    assert_eq!(refused(&a, &code, json!({"column": 0})).await, ErrorCode::IllegalMove);
    assert_eq!(refused(&a, &code, json!({"column": 7})).await, ErrorCode::BadMove);
    let _ = event_of(&mut watcher, "moved").await;
    let _ = a.try_next_event();
}

#[tokio::test]
async fn bad_rooms_and_options_are_refused() {
    let server = TestServer::start().await;
    let (a, _) = server.player("Ana").await;
    let err = a.create_room("chess", None).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::UnknownGame));
    let err = a.create_room("rps", Some(json!({"best_of": 4}))).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::BadOptions));
    let err = a.create_room("rps", Some(json!({"rounds": 3}))).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::BadOptions));
    let err = a.join_room("QQQQ", Role::Player, None).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NoSuchRoom));
    let err = a.join_room("AAAA", Role::Player, None).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NoSuchRoom));
    let joined = a.create_room("rps", Some(json!({"best_of": 5}))).await.unwrap();
    assert_eq!(joined.room.unwrap().options, json!({"best_of": 5}));
}
