//! Protection against misbehaving clients: floods, malformed and oversized frames, hostile frame
//! lengths, slow readers, cross-origin upgrades, huge and slow handshakes. In every case the
//! misbehaving client is refused or cut off, and the others play on undisturbed.

mod common;

use std::time::Duration;

use capital_client::{Client, Incoming};
use capital_protocol::{ErrorCode, Outgoing, Role, RoomEvent, ServerMsg};
use common::*;
use futures_util::StreamExt;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Plays a whole tic-tac-toe game between two well-behaved clients; every move must be answered
/// within the clients' timeout (2 s) and every event arrive.
async fn play_a_game(server: &TestServer) {
    let (mut a, mut b, code) = two_player_game(server, "tictactoe", None).await;
    a.set_timeout(Duration::from_secs(2));
    b.set_timeout(Duration::from_secs(2));
    for (i, cell) in [0, 3, 1, 4, 2].into_iter().enumerate() {
        let mover = if i % 2 == 0 { &a } else { &b };
        mover.play(&code, json!({"cell": cell})).await.expect("a move, answered in time");
    }
    for client in [&mut a, &mut b] {
        let over = event_of(client, "game_over").await;
        assert_eq!(room_of(&over).outcome.as_ref().unwrap().winner, Some(0));
    }
}

/// What an abusive client saw: error codes, then how it was closed.
async fn drain(client: &mut Client) -> (Vec<ErrorCode>, Option<(u16, String)>) {
    let mut errors = Vec::new();
    loop {
        match client.next_event(WAIT).await {
            Ok(Incoming::Other(Outgoing { msg: ServerMsg::Error { code, .. }, .. })) => {
                errors.push(code);
            }
            Ok(Incoming::Other(_)) | Ok(Incoming::Event(_)) => {}
            Ok(Incoming::Closed(frame)) => return (errors, frame),
            Err(e) => panic!("the abusive client was not cut off: {e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_client_gets_errors_and_is_cut_off_while_others_play() {
    let server = TestServer::start().await;
    let mut mallory = Client::connect(&server.url()).await.unwrap();
    mallory.hello("Mallory", None).await.unwrap();
    let game = play_a_game(&server);
    let flood = async {
        for i in 0..1000 {
            let frame = match i % 3 {
                0 => "{this is not json".to_string(),
                1 => r#"{"id": 5, "type": "teleport"}"#.to_string(),
                _ => format!(r#"{{"id": {i}, "type": "ping"}}"#),
            };
            if mallory.send_raw(&frame).is_err() {
                break;
            }
        }
        drain(&mut mallory).await
    };
    let ((), (errors, closed)) = tokio::join!(game, flood);
    assert!(errors.contains(&ErrorCode::BadJson), "malformed frames answered: {errors:?}");
    assert!(errors.contains(&ErrorCode::UnknownType), "{errors:?}");
    assert!(errors.contains(&ErrorCode::RateLimited), "told to slow down: {errors:?}");
    assert!(errors.len() < 1000, "cut off before the end of the flood");
    assert_eq!(closed.map(|c| c.0), Some(1008), "closed as a policy violation");
    play_a_game(&server).await;
}

#[tokio::test]
async fn an_oversized_message_closes_with_1009_and_nobody_else_notices() {
    let server = TestServer::start().await;
    let (mut bystander, _) = server.player("Bo").await;
    let mut mallory = Client::connect(&server.url()).await.unwrap();
    mallory.hello("Mallory", None).await.unwrap();
    let huge = format!(r#"{{"id": 1, "type": "ping", "pad": "{}"}}"#, "x".repeat(100_000));
    mallory.send_raw(&huge).unwrap();
    let (_, closed) = drain(&mut mallory).await;
    assert_eq!(closed, Some((1009, "message too big".to_string())));
    assert_eq!(
        bystander.request(capital_protocol::ClientMsg::Ping).await.unwrap(),
        ServerMsg::Pong
    );
    assert_quiet(&mut bystander).await;
}

/// A raw WebSocket (tungstenite) to the server, for writing frames by hand.
async fn raw_socket(server: &TestServer) -> tokio_tungstenite::WebSocketStream<TcpStream> {
    let tcp = TcpStream::connect(server.addr).await.unwrap();
    let (ws, _) = tokio_tungstenite::client_async(server.url(), tcp).await.unwrap();
    ws
}

async fn close_code(ws: &mut tokio_tungstenite::WebSocketStream<TcpStream>) -> Option<u16> {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let next = tokio::time::timeout_at(deadline, ws.next()).await.expect("closed in time");
        match next {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return None,
        }
    }
}

#[tokio::test]
async fn hostile_frame_lengths_and_fragment_floods_are_refused_without_allocating() {
    let server = TestServer::start().await;
    // A text frame that claims 2^62 bytes: refused from its header alone.
    let mut ws = raw_socket(&server).await;
    let mut header = vec![0x81, 0x80 | 127];
    header.extend_from_slice(&(1u64 << 62).to_be_bytes());
    header.extend_from_slice(&[0, 0, 0, 0]); // the mask
    ws.get_mut().write_all(&header).await.unwrap();
    assert_eq!(close_code(&mut ws).await, Some(1009));

    // A message in 1,000 small fragments that never ends: refused once it passes the limit.
    let mut ws = raw_socket(&server).await;
    let mut written = 0usize;
    for i in 0..1000 {
        let opcode = if i == 0 { 0x01 } else { 0x00 }; // text, then continuations; FIN never set
        let mut frame = vec![opcode, 0x80 | 100, 0, 0, 0, 0];
        frame.extend_from_slice(&[b'a'; 100]);
        if ws.get_mut().write_all(&frame).await.is_err() {
            break;
        }
        written += 100;
    }
    assert_eq!(close_code(&mut ws).await, Some(1009), "after {written} bytes");
    play_a_game(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped_and_delays_nobody() {
    let server = TestServer::start_with(|c| {
        c.rate_per_second = 100_000;
        c.rate_burst = 100_000;
        c.max_chat_chars = 1000;
    })
    .await;
    let (a, _) = server.player("Ana").await;
    let (mut c, _) = server.player("Cy").await;
    let code = a.create_room("tictactoe", None).await.unwrap().code;
    c.join_room(&code, Role::Spectator, None).await.unwrap();

    // The slow client: a tiny receive buffer, and after joining it never reads again.
    let mut slow = sloth(&server, &code).await;
    event_of(&mut c, "joined").await;

    // Ana chats a lot, more than the kernel's socket buffers hold (about 7 MB); every message
    // must reach Cy, in order, while Sloth reads nothing.
    let total = 6000;
    let text = "x".repeat(1000);
    for window in 0..total / 500 {
        let mut pending = Vec::new();
        for i in window * 500..(window + 1) * 500 {
            pending.push(
                a.send(capital_protocol::ClientMsg::Chat {
                    code: code.clone(),
                    text: text.clone(),
                    client_msg_id: format!("m{i}"),
                    echo: true,
                })
                .unwrap(),
            );
        }
        for reply in pending {
            let reply = tokio::time::timeout(WAIT, reply).await.expect("answered").unwrap();
            assert!(matches!(reply, ServerMsg::ChatSent { .. }), "{reply:?}");
        }
    }
    let mut received = 0;
    let mut sloth_left = false;
    while received < total {
        let e = event(&mut c).await;
        match e.event {
            RoomEvent::Chat { message } => {
                assert_eq!(message.client_msg_id, format!("m{received}"), "in order, none lost");
                received += 1;
            }
            RoomEvent::Disconnected { .. } => sloth_left = true,
            _ => {}
        }
    }
    // The server gave up on Sloth instead of queueing for it without end (its outbox filled,
    // or a write to it stalled for 10 seconds).
    if !sloth_left {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match c.next_event(left).await {
                Ok(Incoming::Event(e)) if matches!(e.event, RoomEvent::Disconnected { .. }) => {
                    break;
                }
                Ok(_) => {}
                Err(e) => panic!("the slow client was never dropped: {e}"),
            }
        }
    }
    let mut delivered_to_sloth = 0;
    while let Ok(Some(Ok(frame))) = tokio::time::timeout(WAIT, slow.next()).await {
        if matches!(frame, Message::Text(ref t) if t.contains("\"kind\":\"chat\"")) {
            delivered_to_sloth += 1;
        }
    }
    assert!(
        delivered_to_sloth < total,
        "Sloth got {delivered_to_sloth}: it was cut off, not buffered for"
    );
}

async fn upgrade_with_origin(server: &TestServer, origin: &str) -> Result<(), String> {
    let mut request = server.url().into_client_request().unwrap();
    request.headers_mut().insert("Origin", origin.parse().unwrap());
    let tcp = TcpStream::connect(server.addr).await.unwrap();
    tokio_tungstenite::client_async(request, tcp).await.map(|_| ()).map_err(|e| e.to_string())
}

#[tokio::test]
async fn cross_origin_upgrades_are_refused() {
    let server =
        TestServer::start_with(|c| c.allowed_origins = vec!["https://games.example".into()]).await;
    let same = format!("http://{}", server.addr);
    upgrade_with_origin(&server, &same).await.expect("same origin is fine");
    upgrade_with_origin(&server, "https://games.example").await.expect("allowed origin");
    let err = upgrade_with_origin(&server, "https://evil.example").await.unwrap_err();
    assert!(err.contains("403"), "{err}");
    let err = upgrade_with_origin(&server, "null").await.unwrap_err();
    assert!(err.contains("403"), "{err}");
    Client::connect(&server.url()).await.expect("no Origin: not a browser, allowed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_and_slow_handshakes_are_cut_off_while_a_normal_client_plays() {
    let server = TestServer::start_with(|c| c.handshake_seconds = 2).await;
    let addr = server.addr;
    // 200 connections that send their handshake one byte per second.
    let slowloris: Vec<_> = (0..200)
        .map(|_| {
            tokio::spawn(async move {
                let mut tcp = tcp_from(addr, ATTACKER).await;
                let request = b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n";
                let started = tokio::time::Instant::now();
                for byte in request {
                    if tcp.write_all(&[*byte]).await.is_err() {
                        return started.elapsed(); // the server hung up
                    }
                    let mut buf = [0u8; 256];
                    // Wait a second for the next byte, unless the server hangs up first.
                    match tokio::time::timeout(Duration::from_secs(1), tcp.read(&mut buf)).await {
                        Ok(Ok(0)) | Ok(Err(_)) => return started.elapsed(),
                        Ok(Ok(_)) => {
                            // A response (408 or similar): the server refused; wait for the close.
                        }
                        Err(_) => {}
                    }
                }
                panic!("a slow handshake was never cut off");
            })
        })
        .collect();
    // One 20 MB header.
    let huge = tokio::spawn(async move {
        let mut tcp = tcp_from(addr, "127.0.0.4".parse().unwrap()).await;
        tcp.write_all(b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ").await.unwrap();
        let chunk = vec![b'a'; 64 * 1024];
        let mut sent = 0usize;
        while sent < 20 * 1024 * 1024 {
            if tcp.write_all(&chunk).await.is_err() {
                break;
            }
            sent += chunk.len();
        }
        let mut response = Vec::new();
        let _ = tokio::time::timeout(WAIT, tcp.read_to_end(&mut response)).await;
        (sent, String::from_utf8_lossy(&response).into_owned())
    });
    play_a_game(&server).await;
    for task in slowloris {
        let cut_after = task.await.unwrap();
        assert!(cut_after < Duration::from_secs(10), "cut off after {cut_after:?}");
    }
    let (sent, response) = huge.await.unwrap();
    assert!(
        response.starts_with("HTTP/1.1 431") || sent < 20 * 1024 * 1024,
        "the 20 MB header was refused (sent {sent} bytes, got {response:?})"
    );
    play_a_game(&server).await;
}

/// A masked client frame: `opcode` with FIN, carrying `payload`.
fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = vec![0x80 | opcode];
    match payload.len() {
        n if n < 126 => frame.push(0x80 | n as u8),
        n if n <= u16::MAX as usize => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    let mask = [0x12, 0x34, 0x56, 0x78];
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    frame
}

/// Reads raw bytes until the server's close frame; returns its code and whether the
/// connection then ended cleanly (EOF, not a reset).
async fn raw_close(tcp: &mut TcpStream) -> (Option<u16>, bool) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let n = match tokio::time::timeout_at(deadline, tcp.read(&mut buf)).await {
            Ok(Ok(0)) => return (close_code_in(&seen), true),
            Ok(Ok(n)) => n,
            Ok(Err(_)) => return (close_code_in(&seen), false),
            Err(_) => panic!("the server neither closed nor hung up"),
        };
        seen.extend_from_slice(&buf[..n]);
        if close_code_in(&seen).is_some() {
            // Answer the close, as a client should, then see how the connection ends.
            let _ = tcp.write_all(&client_frame(0x8, &[0x03, 0xe8])).await;
        }
    }
}

/// The code of the first close frame (unmasked, from the server) in `bytes`.
fn close_code_in(bytes: &[u8]) -> Option<u16> {
    let mut i = 0;
    while i + 2 <= bytes.len() {
        let opcode = bytes[i] & 0x0f;
        let (len, head) = match bytes[i + 1] & 0x7f {
            126 if i + 4 <= bytes.len() => {
                (u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize, 4)
            }
            126 | 127 => return None,
            n => (n as usize, 2),
        };
        if opcode == 0x8 && len >= 2 && i + head + 2 <= bytes.len() {
            return Some(u16::from_be_bytes([bytes[i + head], bytes[i + head + 1]]));
        }
        i += head + len;
    }
    None
}

#[tokio::test]
async fn a_text_frame_that_is_not_utf8_closes_with_1007() {
    let server = TestServer::start().await;
    let mut ws = raw_socket(&server).await;
    let frame = client_frame(0x1, &[b'{', 0xff, 0xfe, b'}']);
    ws.get_mut().write_all(&frame).await.unwrap();
    let (code, clean) = raw_close(ws.get_mut()).await;
    assert_eq!(code, Some(1007), "RFC 6455 section 8.1");
    assert!(clean, "the close handshake finished without a reset");
    play_a_game(&server).await;
}

#[tokio::test]
async fn an_oversized_message_gets_1009_and_a_clean_close_every_time() {
    let server = TestServer::start().await;
    for size in [70_000, 200_000, 1_000_000] {
        for _ in 0..3 {
            let mut ws = raw_socket(&server).await;
            let payload = format!(r#"{{"id":1,"type":"ping","pad":"{}"}}"#, "x".repeat(size));
            let _ = ws.get_mut().write_all(&client_frame(0x1, payload.as_bytes())).await;
            let (code, clean) = raw_close(ws.get_mut()).await;
            assert_eq!(code, Some(1009), "a {size}-byte message");
            assert!(clean, "a {size}-byte message ended in a reset, not a close handshake");
        }
    }
    play_a_game(&server).await;
}

#[tokio::test]
async fn an_oversized_message_still_closes_cleanly_when_more_follows_it() {
    let server = TestServer::start().await;
    for _ in 0..5 {
        let mut ws = raw_socket(&server).await;
        // 300 KB in fragments of 30 KB (the limit is 64 KiB a message).
        let mut bytes = Vec::new();
        for i in 0..10u8 {
            let mut frame = client_frame(if i == 0 { 0x1 } else { 0x0 }, &[b'x'; 30_000]);
            if i < 9 {
                frame[0] &= 0x7f; // not the last fragment
            }
            bytes.extend(frame);
        }
        // A client (a browser, say) goes on sending before it sees the close.
        for i in 0..20 {
            bytes.extend(client_frame(0x1, format!(r#"{{"id":{i},"type":"ping"}}"#).as_bytes()));
        }
        let _ = ws.get_mut().write_all(&bytes).await;
        let (code, clean) = raw_close(ws.get_mut()).await;
        assert_eq!(code, Some(1009));
        assert!(clean, "ended in a reset, not a close handshake");
    }
}

#[tokio::test]
async fn an_oversized_message_arriving_slowly_closes_cleanly() {
    let server = TestServer::start().await;
    let mut ws = raw_socket(&server).await;
    let big = vec![b'x'; 4_000_000];
    let bytes = client_frame(0x1, &big);
    let tcp = ws.get_mut();
    let (mut read, mut write) = tcp.split();
    let writer = async {
        for chunk in bytes.chunks(64 * 1024) {
            if write.write_all(chunk).await.is_err() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    };
    let reader = async {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match tokio::time::timeout(WAIT, read.read(&mut buf)).await {
                Ok(Ok(0)) => return (close_code_in(&seen), true),
                Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
                Ok(Err(_)) => return (close_code_in(&seen), false),
                Err(_) => panic!("no close"),
            }
        }
    };
    let ((), (code, clean)) = tokio::join!(writer, reader);
    assert_eq!(code, Some(1009));
    assert!(clean, "ended in a reset");
}
