//! Malformed frames and unknown types get error replies; the connection and the server live on.

mod common;

use capital_client::{Client, Incoming};
use capital_protocol::{ClientMsg, ErrorCode, Outgoing, ServerMsg};
use common::*;

async fn error_reply(client: &mut Client) -> (Option<u64>, ErrorCode) {
    match client.next_event(WAIT).await {
        Ok(Incoming::Other(Outgoing { re, msg: ServerMsg::Error { code, .. } })) => (re, code),
        other => panic!("expected an error reply, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_frames_get_errors_and_the_connection_lives_on() {
    let server = TestServer::start().await;
    let mut c = Client::connect(&server.url()).await.unwrap();

    c.send_raw(r#"{"id": 1, "type": "ping"}"#).unwrap();
    assert_eq!(error_reply(&mut c).await, (Some(1), ErrorCode::HelloFirst));
    c.hello("Ana", None).await.unwrap();

    let cases: &[(&str, Option<u64>, ErrorCode)] = &[
        ("{not json", None, ErrorCode::BadJson),
        ("", None, ErrorCode::BadJson),
        ("[1,2,3]", None, ErrorCode::BadRequest),
        ("42", None, ErrorCode::BadRequest),
        (r#"{"type": "ping"}"#, None, ErrorCode::BadRequest),
        (r#"{"id": "seven", "type": "ping"}"#, None, ErrorCode::BadRequest),
        (r#"{"id": 7}"#, Some(7), ErrorCode::BadRequest),
        (r#"{"id": 8, "type": "teleport"}"#, Some(8), ErrorCode::UnknownType),
        (r#"{"id": 9, "type": "join_room"}"#, Some(9), ErrorCode::BadRequest),
        (r#"{"id": 10, "type": "move", "code": 5, "move": {}}"#, Some(10), ErrorCode::BadRequest),
        (r#"{"id": 11, "type": "hello", "name": "Again"}"#, Some(11), ErrorCode::AlreadyHello),
        (
            r#"{"id": 12, "type": "chat", "code": "KXMR", "text": "x"}"#,
            Some(12),
            ErrorCode::BadRequest,
        ),
    ];
    for (frame, re, code) in cases {
        c.send_raw(frame).unwrap();
        assert_eq!(error_reply(&mut c).await, (*re, *code), "for {frame:?}");
    }
    c.send_binary(vec![0, 159, 146, 150]).unwrap();
    assert_eq!(error_reply(&mut c).await, (None, ErrorCode::BinaryNotSupported));

    // Still the same connection, still served.
    assert_eq!(c.request(ClientMsg::Ping).await.unwrap(), ServerMsg::Pong);
    // And the server serves others.
    let (other, _) = server.player("Bo").await;
    assert_eq!(other.request(ClientMsg::Ping).await.unwrap(), ServerMsg::Pong);
}

#[tokio::test]
async fn bad_names_and_tokens_are_refused() {
    let server = TestServer::start().await;
    let c = Client::connect(&server.url()).await.unwrap();
    for name in ["", "   ", "bell\u{7}", &"n".repeat(25)] {
        let err = c.hello(name, None).await.unwrap_err();
        assert_eq!(err.code(), Some(ErrorCode::BadName), "{name:?}");
    }
    let err = c.hello("Ana", Some("not-a-token")).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::BadToken));
    let welcome = c.hello("Ana", None).await.expect("still possible after errors");
    assert_eq!(welcome.name, "Ana");
}
