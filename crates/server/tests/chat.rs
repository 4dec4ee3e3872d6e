//! Room chat: broadcast with seq and time, history on join, paging, safe retries, limits.

mod common;

use capital_protocol::{ErrorCode, Role, RoomEvent};
use common::*;

#[tokio::test]
async fn chat_history_paging_and_retries() {
    // Sends 60 messages as fast as it can: lift the rate limit (tested in abuse.rs).
    let server = TestServer::start_with(|c| c.rate_burst = 1000).await;
    let (a, mut b, code) = two_in_a_room(&server, "tictactoe", None).await;

    let mut seqs = Vec::new();
    for i in 0..60 {
        seqs.push(a.chat(&code, &format!("message {i}"), &format!("m{i}")).await.unwrap());
    }
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "chat seqs are consecutive: {seqs:?}");
    for (i, seq) in seqs.iter().enumerate() {
        let e = event_of(&mut b, "chat").await;
        let RoomEvent::Chat { message } = e.event else { unreachable!() };
        assert_eq!(message.text, format!("message {i}"));
        assert_eq!(message.seq, *seq);
        assert_eq!(e.seq, message.seq);
        assert_eq!(message.name, "Ana");
        assert!(message.ts > 1_600_000_000_000, "a real timestamp");
    }

    // A retry of m10 is not stored or delivered again, and gets the same answer.
    assert_eq!(a.chat(&code, "message 10", "m10").await.unwrap(), seqs[10]);
    assert_quiet(&mut b).await;
    // The same id from another player is another message.
    let seq_b = b.chat(&code, "mine", "m10").await.unwrap();
    assert_eq!(seq_b, seqs[59] + 1);

    // A newcomer gets the last 50 messages and pages back for the rest.
    let (c, _) = server.player("Cy").await;
    let joined = c.join_room(&code, Role::Spectator, None).await.unwrap();
    assert_eq!(joined.chat.len(), 50);
    assert!(joined.more_chat);
    assert_eq!(joined.chat.last().unwrap().text, "mine");
    assert_eq!(joined.chat[0].text, "message 11");
    let (page, more) = c.chat_history(&code, Some(joined.chat[0].seq), Some(8)).await.unwrap();
    let texts: Vec<_> = page.iter().map(|m| m.text.clone()).collect();
    assert_eq!(texts, (3..11).map(|i| format!("message {i}")).collect::<Vec<_>>());
    assert!(more);
    let (page, more) = c.chat_history(&code, Some(page[0].seq), None).await.unwrap();
    assert_eq!(page.len(), 3);
    assert_eq!(page[0].text, "message 0");
    assert!(!more);

    // Spectators chat too.
    c.chat(&code, "hi from the stands", "c1").await.unwrap();
    let e = event_where(&mut b, |e| matches!(&e.event, RoomEvent::Chat { message } if message.from != "x" && message.text.starts_with("hi"))).await;
    assert!(matches!(e.event, RoomEvent::Chat { message } if message.text == "hi from the stands"));
}

#[tokio::test]
async fn an_id_reused_long_after_is_a_new_message() {
    // The server remembers the ids of a room's last 200 messages (docs/protocol.md). An id
    // reused after that is not a retry: it is stored and delivered as a new message, and
    // nothing else is disturbed (it once hit a uniqueness constraint in the store instead).
    let server = TestServer::start_with(|c| c.rate_burst = 1000).await;
    let (a, mut b, code) = two_in_a_room(&server, "tictactoe", None).await;
    let first = a.chat(&code, "hello", "again").await.unwrap();
    for i in 0..200 {
        a.chat(&code, &format!("filler {i}"), &format!("f{i}")).await.unwrap();
    }
    let reused = a.chat(&code, "hello once more", "again").await.unwrap();
    assert!(reused > first + 200, "a new seq: {reused}");
    let e = event_where(&mut b, |e| {
        matches!(&e.event, RoomEvent::Chat { message } if message.client_msg_id == "again" && message.seq == reused)
    })
    .await;
    assert!(matches!(e.event, RoomEvent::Chat { message } if message.text == "hello once more"));
    // ... and it is stored: after a restart, history has both.
    let server = server.restart().await;
    let (c, _) = server.player("Cy").await;
    let joined = c.join_room(&code, Role::Spectator, None).await.unwrap();
    assert_eq!(joined.chat.last().unwrap().text, "hello once more");
    let (page, _) = c.chat_history(&code, Some(first + 1), Some(1)).await.unwrap();
    assert_eq!(page[0].text, "hello");
}

#[tokio::test]
async fn chat_limits_and_membership() {
    let server = TestServer::start_with(|c| c.max_chat_chars = 20).await;
    let (a, _) = server.player("Ana").await;
    let (b, _) = server.player("Bo").await;
    let code = a.create_room("rps", None).await.unwrap().code;
    let err = a.chat(&code, &"x".repeat(21), "long").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::BadText));
    assert!(err.to_string().contains("limit is 20"), "{err}");
    assert!(a.chat(&code, &"é".repeat(20), "ok").await.is_ok(), "characters, not bytes");
    assert_eq!(a.chat(&code, "  ", "blank").await.unwrap_err().code(), Some(ErrorCode::BadText));
    assert_eq!(a.chat(&code, "hi", "").await.unwrap_err().code(), Some(ErrorCode::BadClientMsgId));
    assert_eq!(b.chat(&code, "hi", "b1").await.unwrap_err().code(), Some(ErrorCode::NoSuchRoom));
    let err = b.chat_history(&code, None, None).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::NoSuchRoom));
    let (page, more) = a.chat_history(&code, None, None).await.unwrap();
    assert_eq!((page.len(), more), (1, false), "refused messages were not stored");
}
