//! Direct messages: store and forward, catch-up by seq, safe retries, receipts, presence, blocks.

mod common;

use std::time::Duration;

use capital_client::Client;
use capital_protocol::{ClientMsg, ErrorCode, ReceiptStatus, ServerMsg};
use common::*;

async fn push(client: &mut Client) -> ServerMsg {
    client.next_push(WAIT).await.expect("a pushed message")
}

async fn assert_no_push(client: &mut Client) {
    match client.next_push(Duration::from_millis(200)).await {
        Err(capital_client::ClientError::Timeout) => {}
        other => panic!("expected nothing, got {other:?}"),
    }
}

#[tokio::test]
async fn offline_recipient_gets_everything_in_order_at_the_next_connect() {
    let server = TestServer::start().await;
    let (mut ana, a) = server.player("Ana").await;
    let (bo, b) = server.player("Bo").await;
    drop(bo);
    tokio::time::sleep(Duration::from_millis(100)).await;
    for (i, text) in ["one", "two", "three"].iter().enumerate() {
        let seq = ana.dm(&b.player_id, text, &format!("a{i}")).await.unwrap();
        assert_eq!(seq, i as u64 + 1);
    }
    // A retry is stored once and answered the same.
    assert_eq!(ana.dm(&b.player_id, "two", "a1").await.unwrap(), 2);

    let (mut bo, _) = server.resume(&b.token).await;
    for (seq, text) in [(1, "one"), (2, "two"), (3, "three")] {
        match push(&mut bo).await {
            ServerMsg::Dm { message } => {
                assert_eq!((message.seq, message.text.as_str()), (seq, text));
                assert_eq!(message.from, a.player_id);
            }
            other => panic!("expected a dm, got {other:?}"),
        }
    }
    assert_no_push(&mut bo).await;
    // Ana hears they arrived.
    loop {
        match push(&mut ana).await {
            ServerMsg::DmReceipt { seq: 3, status: ReceiptStatus::Delivered, .. } => break,
            ServerMsg::DmReceipt { .. } | ServerMsg::Presence { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    // Reconnecting again delivers nothing twice.
    drop(bo);
    let (mut bo, _) = server.resume(&b.token).await;
    assert_no_push(&mut bo).await;
    // Catching up after the last seq seen returns exactly the missing ones.
    let (page, more) = bo.dm_history(&a.player_id, None, Some(1), None).await.unwrap();
    assert_eq!(page.iter().map(|m| m.seq).collect::<Vec<_>>(), [2, 3]);
    assert!(!more);
    let (page, more) = bo.dm_history(&a.player_id, Some(3), None, Some(1)).await.unwrap();
    assert_eq!((page[0].seq, more), (2, true), "paging back from before 3");
}

#[tokio::test]
async fn live_messages_receipts_and_conversations() {
    let server = TestServer::start().await;
    let (mut ana, a) = server.player("Ana").await;
    let (mut bo, b) = server.player("Bo").await;
    ana.dm(&b.player_id, "hi Bo", "m1").await.unwrap();
    match push(&mut bo).await {
        ServerMsg::Dm { message } => assert_eq!(message.text, "hi Bo"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        push(&mut ana).await,
        ServerMsg::DmReceipt { seq: 1, status: ReceiptStatus::Delivered, .. }
    ));
    bo.dm(&a.player_id, "hi Ana", "m1").await.unwrap();
    ana.dm(&b.player_id, "how are you?", "m2").await.unwrap();

    let reply = bo.request(ClientMsg::Conversations).await.unwrap();
    let ServerMsg::Conversations { conversations, truncated: false } = reply else {
        panic!("{reply:?}")
    };
    assert_eq!(conversations.len(), 1);
    assert_eq!(conversations[0].with, a.player_id);
    assert_eq!(conversations[0].name, "Ana");
    assert!(conversations[0].online);
    assert_eq!(conversations[0].unread, 2);
    assert_eq!(conversations[0].last.as_ref().unwrap().text, "how are you?");

    bo.expect_ok(ClientMsg::DmRead { with: a.player_id.clone(), seq: 3 }).await.unwrap();
    loop {
        match push(&mut ana).await {
            ServerMsg::DmReceipt { status: ReceiptStatus::Read, seq, with } => {
                assert_eq!((seq, with), (3, b.player_id.clone()));
                break;
            }
            ServerMsg::Dm { .. } | ServerMsg::DmReceipt { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    let reply = bo.request(ClientMsg::Conversations).await.unwrap();
    let ServerMsg::Conversations { conversations, .. } = reply else { panic!() };
    assert_eq!(conversations[0].unread, 0);
}

#[tokio::test]
async fn presence_and_blocking() {
    let server = TestServer::start().await;
    let (mut ana, a) = server.player("Ana").await;
    let (cy, c) = server.player("Cy").await;
    ana.dm(&c.player_id, "hello", "m1").await.unwrap();
    let _ = push(&mut ana).await; // delivered receipt
    drop(cy);
    match push(&mut ana).await {
        ServerMsg::Presence { player, online: false, .. } => assert_eq!(player, c.player_id),
        other => panic!("{other:?}"),
    }
    let (cy, _) = server.resume(&c.token).await;
    match push(&mut ana).await {
        ServerMsg::Presence { player, online: true, name } => {
            assert_eq!((player, name.as_str()), (c.player_id.clone(), "Cy"));
        }
        other => panic!("{other:?}"),
    }
    // Cy blocks Ana: no messages either way, no presence.
    cy.expect_ok(ClientMsg::Block { player: a.player_id.clone() }).await.unwrap();
    let err = ana.dm(&c.player_id, "are you there?", "m2").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Blocked));
    let err = cy.dm(&a.player_id, "bye", "c1").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Blocked));
    drop(cy);
    assert_no_push(&mut ana).await;
    let (cy, _) = server.resume(&c.token).await;
    assert_no_push(&mut ana).await;
    cy.expect_ok(ClientMsg::Unblock { player: a.player_id.clone() }).await.unwrap();
    ana.dm(&c.player_id, "welcome back", "m3").await.unwrap();
    let err = ana.dm("p-nobody", "hello?", "m4").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NoSuchPlayer));
    let err = ana.dm(&a.player_id, "me", "m5").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::BadRequest));
    let err = ana.dm(&c.player_id, &"x".repeat(2001), "m6").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::BadText));
}

#[tokio::test]
async fn a_retry_after_a_restart_is_still_stored_once() {
    let server = TestServer::start().await;
    let (ana, a) = server.player("Ana").await;
    let (_, b) = server.player("Bo").await;
    let seq = ana.dm(&b.player_id, "before the restart", "r1").await.unwrap();
    drop(ana);
    let server = server.restart().await;
    let (ana, _) = server.resume(&a.token).await;
    assert_eq!(ana.dm(&b.player_id, "before the restart", "r1").await.unwrap(), seq);
    let (page, _) = ana.dm_history(&b.player_id, None, None, None).await.unwrap();
    assert_eq!(page.len(), 1, "stored once");
}
