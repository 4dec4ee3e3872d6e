//! When the disk fails, requests that needed it are refused with `internal`, nobody is told about
//! a change that was not stored, and once the disk works again the room carries on from what is
//! stored.

mod common;

use std::sync::Arc;

use capital_protocol::{ClientMsg, ErrorCode, RoomEvent, ServerMsg};
use capital_store::MemoryStore;
use common::*;
use serde_json::json;

#[tokio::test]
async fn a_failed_write_is_refused_announced_to_nobody_and_the_room_recovers() {
    let store = Arc::new(MemoryStore::new());
    let server = TestServer::start_with_store(store.clone()).await;
    let (mut a, mut b, code) = two_player_game(&server, "tictactoe", None).await;
    a.play(&code, json!({"cell": 0})).await.unwrap();
    event_of(&mut b, "moved").await;
    event_of(&mut a, "moved").await;

    store.fail_writes(true);
    let err = b.play(&code, json!({"cell": 4})).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Internal), "{err}");
    let err = a.chat(&code, "lost?", "c1").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Internal), "{err}");
    // A refusal that needed no write is still answered as usual.
    let err = a.play(&code, json!({"cell": 1})).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NotYourTurn));
    assert_quiet(&mut a).await;

    store.fail_writes(false);
    b.play(&code, json!({"cell": 4})).await.expect("the same move, now stored");
    let e = event_of(&mut a, "moved").await;
    let RoomEvent::Moved { seat, room } = &e.event else { unreachable!() };
    assert_eq!(*seat, 1);
    assert_eq!(
        room.state.as_ref().unwrap()["board"],
        json!(["X", null, null, null, "O", null, null, null, null]),
        "only what was stored"
    );
    let (history, _) = a.chat_history(&code, None, None).await.unwrap();
    assert!(history.is_empty(), "the refused chat message was not stored");
}

#[tokio::test]
async fn a_direct_message_and_its_retry_are_both_refused_when_the_write_fails() {
    let store = Arc::new(MemoryStore::new());
    let server = TestServer::start_with_store(store.clone()).await;
    let (ana, _) = server.player("Ana").await;
    let (mut bo, b) = server.player("Bo").await;
    store.fail_writes(true);
    let dm = || ClientMsg::Dm {
        to: b.player_id.clone(),
        text: "hi".into(),
        sealed: None,
        client_msg_id: "d1".into(),
    };
    let (first, retry) = (ana.send(dm()).unwrap(), ana.send(dm()).unwrap());
    for reply in [first, retry] {
        let reply = tokio::time::timeout(WAIT, reply).await.unwrap().unwrap();
        assert!(
            matches!(reply, ServerMsg::Error { code: ErrorCode::Internal, .. }),
            "a message that was not stored was answered {reply:?}"
        );
    }
    assert!(bo.next_push(std::time::Duration::from_millis(200)).await.is_err(), "Bo got nothing");
    store.fail_writes(false);
    assert_eq!(ana.dm(&b.player_id, "hi", "d1").await.unwrap(), 1, "stored now, as the first");
    assert!(matches!(bo.next_push(WAIT).await.unwrap(), ServerMsg::Dm { .. }));
}

#[tokio::test]
async fn a_block_whose_write_failed_is_not_enforced() {
    let store = Arc::new(MemoryStore::new());
    let server = TestServer::start_with_store(store.clone()).await;
    let (ana, a) = server.player("Ana").await;
    let (bo, b) = server.player("Bo").await;
    store.fail_writes(true);
    let err = ana.expect_ok(ClientMsg::Block { player: b.player_id.clone() }).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Internal), "{err}");
    store.fail_writes(false);
    bo.dm(&a.player_id, "can you hear me?", "b1").await.expect("not blocked: it was not stored");
}

#[tokio::test]
async fn registering_on_a_failing_disk_is_internal_not_username_taken() {
    let store = Arc::new(MemoryStore::new());
    let server = TestServer::start_with_store(store.clone()).await;
    let (ana, _) = server.player("Ana").await;
    store.fail_writes(true);
    let err = ana.register("ana", "correct horse").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Internal), "{err}");
    store.fail_writes(false);
    ana.register("ana", "correct horse").await.expect("the name was never taken");
}
