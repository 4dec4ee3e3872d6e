//! When the disk fails, requests that needed it are refused with `internal`, nobody is told about
//! a change that was not stored, and once the disk works again the room carries on from what is
//! stored.

mod common;

use std::sync::Arc;

use capital_protocol::{ErrorCode, RoomEvent};
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
