//! The router against every request type: each goes where it belongs, and identified or not.

use capital_protocol::client::REQUEST_TYPES;
use capital_protocol::{Request, Role};
use serde_json::json;

use super::*;

/// One request of every type the protocol has (checked against `REQUEST_TYPES` below).
fn every_request() -> Vec<ClientMsg> {
    let code = || "abcd".to_owned();
    vec![
        ClientMsg::Hello { name: Some("Ana".into()), token: None },
        ClientMsg::ListGames,
        ClientMsg::CreateRoom {
            game: "tictactoe".into(),
            options: None,
            turn_seconds: None,
            role: None,
            screen: false,
            mode: Default::default(),
        },
        ClientMsg::Kick { code: code(), player: "p2".into(), reason: None },
        ClientMsg::React { code: code(), emoji: "👏".into() },
        ClientMsg::AdminOverview,
        ClientMsg::Replay { code: code(), game_no: Some(2) },
        ClientMsg::Leaderboard,
        ClientMsg::NewLesson,
        ClientMsg::AdminRoom { code: code(), action: capital_protocol::AdminAction::EndGame },
        ClientMsg::Announce { text: "hi".into(), code: None },
        ClientMsg::AdminAudit { limit: None },
        ClientMsg::AdminScripts,
        ClientMsg::AdminScript { kind: "nim".into(), on: true },
        ClientMsg::AdminUploadScript { file: "pig.js".into(), source: String::new() },
        ClientMsg::AdminServer { chat_off: Some(true), joins_paused: None },
        ClientMsg::Lock { code: code(), locked: true },
        ClientMsg::SetHost { code: code(), player: "p2".into() },
        ClientMsg::ChangeGame {
            code: code(),
            game: "rps".into(),
            options: None,
            turn_seconds: None,
            mode: None,
        },
        ClientMsg::EndGame { code: code() },
        ClientMsg::JoinRoom {
            code: code(),
            role: Some(Role::Spectator),
            since: Some(3),
            screen: false,
        },
        ClientMsg::LeaveRoom { code: code() },
        ClientMsg::Ready { code: code(), ready: true },
        ClientMsg::Start { code: code() },
        ClientMsg::Move { code: code(), mv: json!({"cell": 4}) },
        ClientMsg::Input { code: code(), input: json!({"turn": "left"}) },
        ClientMsg::Rematch { code: code() },
        ClientMsg::Chat { code: code(), text: "hi".into(), client_msg_id: "c1".into(), echo: true },
        ClientMsg::ChatHistory { code: code(), before: None, limit: Some(10_000) },
        ClientMsg::Ping,
        ClientMsg::Register { username: "ana".into(), password: "secret pw".into() },
        ClientMsg::Login { username: "ana".into(), password: "secret pw".into() },
        ClientMsg::Logout,
        ClientMsg::Signal { code: code(), to: "p2".into(), data: json!({"candidate": ""}) },
        ClientMsg::MoveTime { code: code(), ms: 12 },
        ClientMsg::RoomStats { code: code() },
        ClientMsg::Dm {
            to: "pb".into(),
            text: "hi".into(),
            sealed: None,
            client_msg_id: "d1".into(),
        },
        ClientMsg::PublishKey { key: "BAAA".into() },
        ClientMsg::KeysOf { player: "pb".into() },
        ClientMsg::DmStored { with: "pb".into(), seq: 1 },
        ClientMsg::DmHistory { with: "pb".into(), before: None, after: None, limit: None },
        ClientMsg::DmRead { with: "pb".into(), seq: 2 },
        ClientMsg::Conversations,
        ClientMsg::Block { player: "pb".into() },
        ClientMsg::Unblock { player: "pb".into() },
    ]
}

#[test]
fn the_list_covers_every_request_type() {
    let mut kinds: Vec<&str> = every_request().iter().map(ClientMsg::kind).collect();
    kinds.sort_unstable();
    let mut known = REQUEST_TYPES.to_vec();
    known.sort_unstable();
    assert_eq!(kinds, known);
}

#[test]
fn before_hello_only_hello_and_login_go_anywhere() {
    for msg in every_request() {
        let kind = msg.kind();
        match (kind, route(false, msg)) {
            ("hello" | "login", Route::Identity(_)) => {}
            (_, Route::Refuse(Refusal::HelloFirst)) if kind != "hello" && kind != "login" => {}
            (kind, other) => panic!("{kind} before hello went to {other:?}"),
        }
    }
}

#[test]
fn after_hello_every_request_goes_to_its_part() {
    for msg in every_request() {
        let kind = msg.kind();
        let routed = route(true, msg);
        let part = match &routed {
            Route::Refuse(Refusal::AlreadyIdentified) => "refused",
            Route::Refuse(Refusal::HelloFirst) => "hello first",
            Route::Pong | Route::ListGames | Route::Leaderboard => "session",
            Route::Identity(_) => "identity",
            Route::CreateRoom { .. } => "lobby",
            Route::Room { .. } => "room",
            Route::Input { .. } => "input",
            Route::Dm(_) => "dm",
            Route::Admin(_) => "admin",
        };
        let expected = match kind {
            "hello" | "login" => "refused",
            "ping" | "list_games" | "leaderboard" => "session",
            "register" | "logout" => "identity",
            "create_room" => "lobby",
            "join_room" | "leave_room" | "ready" | "react" | "kick" | "lock" | "set_host"
            | "change_game" | "end_game" | "start" | "move" | "rematch" | "chat"
            | "chat_history" | "replay" | "signal" | "move_time" | "room_stats" => "room",
            "input" => "input",
            "admin_overview"
            | "admin_room"
            | "announce"
            | "admin_audit"
            | "admin_server"
            | "new_lesson"
            | "admin_scripts"
            | "admin_script"
            | "admin_upload_script" => "admin",
            _ => "dm",
        };
        assert_eq!(part, expected, "{kind}: {routed:?}");
    }
}

#[test]
fn pages_are_clamped_and_roles_default() {
    let Route::Room { cmd: RoomRequest::History { limit, .. }, .. } =
        route(true, ClientMsg::ChatHistory { code: "abcd".into(), before: None, limit: Some(0) })
    else {
        panic!("not a history request");
    };
    assert_eq!(limit, 1);
    let msg =
        capital_protocol::client::parse_request(r#"{"id":1,"type":"join_room","code":"abcd"}"#)
            .map(|r: Request| r.body)
            .unwrap();
    let Route::Room { cmd: RoomRequest::Join { role, since, .. }, .. } = route(true, msg) else {
        panic!("not a join");
    };
    assert_eq!((role, since), (Role::Player, None));
}
