//! Golden strings: the exact JSON shapes that docs/protocol.md shows and clients rely on.

use serde_json::json;

use crate::client::{BadRequest, parse_request};
use crate::*;

#[test]
fn hello_parses_with_and_without_token() {
    let r = parse_request(r#"{"id": 1, "type": "hello", "name": "Ana"}"#).unwrap();
    assert_eq!(r.id, 1);
    assert_eq!(r.body, ClientMsg::Hello { name: Some("Ana".into()), token: None });
    let r = parse_request(r#"{"id": 2, "type": "hello", "token": "abc"}"#).unwrap();
    assert_eq!(r.body, ClientMsg::Hello { name: None, token: Some("abc".into()) });
}

#[test]
fn requests_parse_with_their_documented_field_names() {
    let r =
        parse_request(r#"{"id":3,"type":"join_room","code":"kxmr","as":"spectator","since":9}"#)
            .unwrap();
    assert_eq!(
        r.body,
        ClientMsg::JoinRoom {
            code: "kxmr".into(),
            role: Some(Role::Spectator),
            since: Some(9),
            screen: false
        }
    );
    let r = parse_request(r#"{"id":4,"type":"move","code":"KXMR","move":{"cell":4}}"#).unwrap();
    assert_eq!(r.body, ClientMsg::Move { code: "KXMR".into(), mv: json!({"cell": 4}) });
    let r = parse_request(r#"{"id":5,"type":"ping"}"#).unwrap();
    assert_eq!(r.body, ClientMsg::Ping);
    let r = parse_request(
        r#"{"id":6,"type":"create_room","game":"rps","options":{"best_of":5},"turn_seconds":30}"#,
    )
    .unwrap();
    assert_eq!(
        r.body,
        ClientMsg::CreateRoom {
            game: "rps".into(),
            options: Some(json!({"best_of": 5})),
            turn_seconds: Some(30),
            role: None,
            screen: false,
            mode: Default::default(),
        }
    );
    let screen = parse_request(r#"{"id":7,"type":"create_room","game":"rps","as":"spectator"}"#);
    assert!(matches!(
        screen.unwrap().body,
        ClientMsg::CreateRoom { role: Some(Role::Spectator), .. }
    ));
}

#[test]
fn every_request_type_round_trips() {
    let msgs = vec![
        ClientMsg::Hello { name: Some("Bo".into()), token: Some("t".into()) },
        ClientMsg::ListGames,
        ClientMsg::CreateRoom {
            game: "tictactoe".into(),
            options: None,
            turn_seconds: None,
            role: Some(Role::Spectator),
            screen: false,
            mode: Default::default(),
        },
        ClientMsg::JoinRoom { code: "ABCD".into(), role: None, since: None, screen: false },
        ClientMsg::LeaveRoom { code: "ABCD".into() },
        ClientMsg::Ready { code: "ABCD".into(), ready: true },
        ClientMsg::AdminOverview,
        ClientMsg::AdminRoom { code: "ABCD".into(), action: AdminAction::Lock { locked: true } },
        ClientMsg::Announce { text: "Lunch!".into(), code: None },
        ClientMsg::AdminAudit { limit: Some(10) },
        ClientMsg::AdminScripts,
        ClientMsg::AdminScript { kind: "nim".into(), on: false },
        ClientMsg::AdminUploadScript { file: "pig.js".into(), source: "game({})".into() },
        ClientMsg::AdminServer { chat_off: Some(true), joins_paused: None },
        ClientMsg::React { code: "ABCD".into(), emoji: "👏".into() },
        ClientMsg::Replay { code: "ABCD".into(), game_no: Some(2) },
        ClientMsg::Leaderboard,
        ClientMsg::NewLesson,
        ClientMsg::Kick { code: "ABCD".into(), player: "p2".into(), reason: Some("rude".into()) },
        ClientMsg::Lock { code: "ABCD".into(), locked: true },
        ClientMsg::SetHost { code: "ABCD".into(), player: "p2".into() },
        ClientMsg::ChangeGame {
            code: "ABCD".into(),
            game: "rps".into(),
            options: Some(json!({"best_of": 3})),
            turn_seconds: Some(0),
            mode: Some(RoomMode::Server),
        },
        ClientMsg::EndGame { code: "ABCD".into() },
        ClientMsg::Start { code: "ABCD".into() },
        ClientMsg::Move { code: "ABCD".into(), mv: json!({"column": 3}) },
        ClientMsg::Input { code: "ABCD".into(), input: json!({"dir": "up"}) },
        ClientMsg::Rematch { code: "ABCD".into() },
        ClientMsg::Chat {
            code: "ABCD".into(),
            text: "hi".into(),
            client_msg_id: "m1".into(),
            echo: true,
        },
        ClientMsg::Chat {
            code: "ABCD".into(),
            text: "hi".into(),
            client_msg_id: "m2".into(),
            echo: false,
        },
        ClientMsg::ChatHistory { code: "ABCD".into(), before: Some(10), limit: Some(5) },
        ClientMsg::Ping,
        ClientMsg::Register { username: "ana".into(), password: "correct horse".into() },
        ClientMsg::Login { username: "ana".into(), password: "correct horse".into() },
        ClientMsg::Logout,
        ClientMsg::Dm {
            to: "pb".into(),
            text: "hi".into(),
            sealed: None,
            client_msg_id: "d1".into(),
        },
        ClientMsg::Dm {
            to: "pb".into(),
            text: String::new(),
            sealed: Some(Sealed {
                from_key: "BAAA".into(),
                copies: vec![SealedCopy {
                    device: "0011".into(),
                    enc: "BBBB".into(),
                    ct: "q".into(),
                }],
            }),
            client_msg_id: "d2".into(),
        },
        ClientMsg::PublishKey { key: "BAAA".into() },
        ClientMsg::Signal { code: "ABCD".into(), to: "pb".into(), data: json!({"sdp": "v=0"}) },
        ClientMsg::MoveTime { code: "ABCD".into(), ms: 14 },
        ClientMsg::RoomStats { code: "ABCD".into() },
        ClientMsg::KeysOf { player: "pb".into() },
        ClientMsg::DmStored { with: "pb".into(), seq: 2 },
        ClientMsg::DmHistory { with: "pb".into(), before: None, after: Some(3), limit: Some(9) },
        ClientMsg::DmRead { with: "pb".into(), seq: 4 },
        ClientMsg::Conversations,
        ClientMsg::Block { player: "pb".into() },
        ClientMsg::Unblock { player: "pb".into() },
    ];
    let mut kinds: Vec<&str> = msgs.iter().map(ClientMsg::kind).collect();
    kinds.sort_unstable();
    kinds.dedup(); // `dm` has two examples: its text, and sealed
    let mut known = client::REQUEST_TYPES.to_vec();
    known.sort_unstable();
    assert_eq!(kinds, known, "one example of every request type, and no other");
    for body in msgs {
        let kind = body.kind();
        assert!(client::REQUEST_TYPES.contains(&kind), "{kind} missing from REQUEST_TYPES");
        let text = serde_json::to_string(&Request { id: 7, body: body.clone() }).unwrap();
        assert!(text.contains(&format!("\"type\":\"{kind}\"")), "{text}");
        assert_eq!(parse_request(&text).unwrap().body, body);
    }
}

#[test]
fn numbers_in_a_move_read_back_exactly() {
    // Found by the `request` fuzz target: read with serde_json's default (fast, not always
    // correctly rounded) float parser, this number came back one unit in the last place off.
    let text =
        r#"{"id":5,"type":"move","code":"KXMR","move":[1844674407323372036854775808, 4.5e-3]}"#;
    let request = parse_request(text).unwrap();
    let again = parse_request(&serde_json::to_string(&request).unwrap()).unwrap();
    assert_eq!(again, request);
}

#[test]
fn malformed_json_is_bad_json_without_id() {
    let err = parse_request("{not json").unwrap_err();
    assert_eq!(err.code, ErrorCode::BadJson);
    assert_eq!(err.id, None);
}

#[test]
fn unknown_type_keeps_the_id() {
    let err = parse_request(r#"{"id": 42, "type": "teleport"}"#).unwrap_err();
    assert_eq!(
        err,
        BadRequest {
            id: Some(42),
            code: ErrorCode::UnknownType,
            message: "unknown request type \"teleport\"".into()
        }
    );
}

#[test]
fn missing_fields_and_ids_are_bad_requests() {
    let err = parse_request(r#"{"id": 5, "type": "join_room"}"#).unwrap_err();
    assert_eq!((err.id, err.code), (Some(5), ErrorCode::BadRequest));
    assert!(err.message.contains("code"), "{}", err.message);
    let err = parse_request(r#"{"type": "ping"}"#).unwrap_err();
    assert_eq!((err.id, err.code), (None, ErrorCode::BadRequest));
    let err = parse_request(r#"{"id": -1, "type": "ping"}"#).unwrap_err();
    assert_eq!((err.id, err.code), (None, ErrorCode::BadRequest));
    let err = parse_request(r#"[1, 2]"#).unwrap_err();
    assert_eq!(err.code, ErrorCode::BadRequest);
    let err = parse_request(r#"{"id": 9}"#).unwrap_err();
    assert_eq!((err.id, err.code), (Some(9), ErrorCode::BadRequest));
}

#[test]
fn error_reply_golden() {
    let out = Outgoing::error(Some(3), ErrorCode::NotYourTurn, "it is O's turn");
    assert_eq!(
        out.to_json(),
        r#"{"re":3,"type":"error","code":"not_your_turn","message":"it is O's turn"}"#
    );
}

#[test]
fn room_stats_golden() {
    let stats = crate::RoomStats {
        code: "ABCD".into(),
        server: crate::ServerModeStats {
            games: 1,
            moves: 4,
            bytes_sent: 2800,
            timed: 0,
            p50_ms: None,
            p99_ms: None,
        },
        p2p: crate::SignallingStats { signals: 3, signal_bytes: 1200 },
    };
    let text = Outgoing::reply(5, ServerMsg::RoomStats(stats.clone())).to_json();
    assert_eq!(
        text,
        concat!(
            r#"{"re":5,"type":"room_stats","code":"ABCD","server":{"games":1,"moves":4,"#,
            r#""bytes_sent":2800,"timed":0},"p2p":{"signals":3,"signal_bytes":1200}}"#
        )
    );
    let back: serde_json::Value = serde_json::from_str(&text).unwrap();
    let parsed: ServerMsg = serde_json::from_value(back).unwrap();
    assert_eq!(parsed, ServerMsg::RoomStats(stats));
}

#[test]
fn ok_and_pong_golden() {
    assert_eq!(Outgoing::reply(8, ServerMsg::Ok).to_json(), r#"{"re":8,"type":"ok"}"#);
    assert_eq!(Outgoing::reply(9, ServerMsg::Pong).to_json(), r#"{"re":9,"type":"pong"}"#);
}

#[test]
fn chat_event_golden() {
    let out = Outgoing::push(ServerMsg::Event(EventMsg {
        code: "KXMR".into(),
        seq: 12,
        event: RoomEvent::Chat {
            message: ChatMessage {
                seq: 12,
                ts: 1_700_000_000_000,
                from: "p1".into(),
                name: "Ana".into(),
                text: "gg".into(),
                client_msg_id: "c1".into(),
                removed: false,
            },
        },
    }));
    assert_eq!(
        out.to_json(),
        r#"{"type":"event","code":"KXMR","seq":12,"kind":"chat","message":{"seq":12,"ts":1700000000000,"from":"p1","name":"Ana","text":"gg","client_msg_id":"c1"}}"#
    );
}

fn sample_room() -> RoomView {
    RoomView {
        code: "KXMR".into(),
        game: "tictactoe".into(),
        options: json!({}),
        host: "p1".into(),
        mode: Default::default(),
        phase: Phase::Playing,
        seats: vec![
            SeatView {
                seat: 0,
                player: Some(MemberView {
                    id: "p1".into(),
                    name: "Ana".into(),
                    connected: true,
                    ready: false,
                }),
            },
            SeatView { seat: 1, player: None },
        ],
        min_players: 2,
        max_players: 2,
        spectators: vec![],
        spectator_count: 0,
        screens: 0,
        locked: false,
        chat_off: false,
        muted: vec![],
        scoreboard: vec![],
        you: Some(You { role: Role::Player, seat: Some(0) }),
        game_no: 1,
        state: Some(json!({"board": [null, null, null, null, "X", null, null, null, null]})),
        turn: vec![1],
        outcome: None,
        turn_seconds: None,
        deadlines: vec![],
        server_ms: None,
    }
}

#[test]
fn state_event_round_trips_through_a_client() {
    let out = Outgoing::push(ServerMsg::Event(EventMsg {
        code: "KXMR".into(),
        seq: 5,
        event: RoomEvent::Moved { seat: 0, room: sample_room() },
    }));
    let text = out.to_json();
    assert!(text.starts_with(r#"{"type":"event","code":"KXMR","seq":5,"kind":"moved","seat":0,"#));
    let back: Outgoing = serde_json::from_str(&text).unwrap();
    assert_eq!(back, out);
}

#[test]
fn welcome_round_trips() {
    let out = Outgoing::reply(
        1,
        ServerMsg::Welcome {
            player_id: "p1".into(),
            name: "Ana".into(),
            token: "t".into(),
            protocol: PROTOCOL_VERSION,
            rooms: vec![RoomRef { code: "KXMR".into(), game: "rps".into() }],
            grace_seconds: 120,
            username: None,
            admin: false,
        },
    );
    let text = out.to_json();
    assert!(text.starts_with(r#"{"re":1,"type":"welcome","player_id":"p1""#), "{text}");
    assert!(!text.contains("admin"), "only an admin's welcome says so: {text}");
    assert_eq!(serde_json::from_str::<Outgoing>(&text).unwrap(), out);
}

#[test]
fn admin_requests_read_their_action_beside_the_type() {
    let kick = parse_request(
        r#"{"id":1,"type":"admin_room","code":"KXMR","action":"kick","player":"p2","reason":"x"}"#,
    )
    .unwrap();
    assert_eq!(
        kick.body,
        ClientMsg::AdminRoom {
            code: "KXMR".into(),
            action: AdminAction::Kick { player: "p2".into(), reason: Some("x".into()) },
        }
    );
    let close = parse_request(r#"{"id":2,"type":"admin_room","code":"KXMR","action":"close"}"#);
    assert!(matches!(
        close.unwrap().body,
        ClientMsg::AdminRoom { action: AdminAction::Close { reason: None }, .. }
    ));
    let bad = parse_request(r#"{"id":3,"type":"admin_room","code":"KXMR","action":"explode"}"#);
    assert!(bad.is_err(), "an unknown action is a bad request");
}

#[test]
fn every_event_names_its_kind_as_on_the_wire_and_carries_the_room_but_chat_and_closed() {
    let room = sample_room;
    let message = ChatMessage {
        seq: 1,
        ts: 0,
        from: "p1".into(),
        name: "Ana".into(),
        text: "hi".into(),
        client_msg_id: "c1".into(),
        removed: false,
    };
    let player = || "p1".to_owned();
    let events = [
        RoomEvent::Joined { player: player(), room: room() },
        RoomEvent::Left { player: player(), reason: LeaveReason::Left, room: room() },
        RoomEvent::Disconnected { player: player(), room: room() },
        RoomEvent::Reconnected { player: player(), room: room() },
        RoomEvent::Ready { player: player(), ready: true, room: room() },
        RoomEvent::Kicked { player: player(), reason: "rude".into(), room: room() },
        RoomEvent::Locked { locked: true, room: room() },
        RoomEvent::GameChanged { room: room() },
        RoomEvent::ChatRemoved { removed_seq: 4 },
        RoomEvent::ChatChanged { room: room() },
        RoomEvent::Started { room: room() },
        RoomEvent::Moved { seat: 1, room: room() },
        RoomEvent::DroppedOut { seat: 2, room: room() },
        RoomEvent::GameOver {
            outcome: Outcome { winner: None, reason: "tie".into() },
            room: room(),
        },
        RoomEvent::Rematch { player: player(), starts_in_ms: Some(3000), room: room() },
        RoomEvent::HostChanged { player: player(), room: room() },
        RoomEvent::Chat { message },
        RoomEvent::Closed { reason: "idle".into() },
    ];
    for event in events {
        let wire = serde_json::to_value(&event).unwrap();
        assert_eq!(wire["kind"], event.kind(), "{wire}");
        let carries = !matches!(event.kind(), "chat" | "chat_removed" | "closed");
        assert_eq!(event.room().is_some(), carries, "{wire}");
        assert_eq!(event.room().cloned(), event.clone().into_room());
    }
}

#[test]
fn chat_echo_is_on_unless_asked_off_and_chat_sent_carries_a_changed_text() {
    let r =
        parse_request(r#"{"id":6,"type":"chat","code":"KXMR","text":"hi","client_msg_id":"b1"}"#)
            .unwrap();
    assert!(matches!(r.body, ClientMsg::Chat { echo: true, .. }));
    let r = parse_request(
        r#"{"id":6,"type":"chat","code":"KXMR","text":"hi","client_msg_id":"b1","echo":false}"#,
    )
    .unwrap();
    assert!(matches!(r.body, ClientMsg::Chat { echo: false, .. }));
    let sent = |text: Option<&str>| ServerMsg::ChatSent {
        code: "KXMR".into(),
        seq: 7,
        ts: 1795550399102,
        text: text.map(str::to_owned),
    };
    assert_eq!(
        Outgoing::reply(9, sent(None)).to_json(),
        r#"{"re":9,"type":"chat_sent","code":"KXMR","seq":7,"ts":1795550399102}"#
    );
    assert_eq!(
        Outgoing::reply(9, sent(Some("oh ****"))).to_json(),
        r#"{"re":9,"type":"chat_sent","code":"KXMR","seq":7,"ts":1795550399102,"text":"oh ****"}"#
    );
}
