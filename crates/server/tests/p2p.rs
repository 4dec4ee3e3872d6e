//! Peer-to-peer rooms (`mode: p2p`), the server's part: it only introduces the players. A p2p
//! room is for a script game only; it relays `signal` between its members and nothing else of
//! the game (`start` and `move` are refused: the host's phone runs the rules), each signal
//! capped in size and rate, never for a non-member or a room in server mode; the teacher's
//! console counts what it relayed; the mode survives a restart.

mod common;

use common::raw::*;
use common::*;
use serde_json::json;

async fn p2p_room(server: &TestServer) -> (Raw, Raw, String, String, String) {
    let mut ana = named(server, "Ana").await;
    let mut bo = named(server, "Bo").await;
    let created = ana.ask(json!({"type": "create_room", "game": "nim", "mode": "p2p"})).await;
    assert_eq!(created["type"], "joined", "{created}");
    assert_eq!(created["room"]["mode"], "p2p");
    let code = created["code"].as_str().unwrap().to_owned();
    let joined = bo.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(joined["room"]["mode"], "p2p");
    let ana_id = created["room"]["host"].as_str().unwrap().to_owned();
    let bo_id = joined["room"]["you"]["seat"]
        .as_u64()
        .map(|_| ())
        .and(joined["room"]["seats"][1]["player"]["id"].as_str().map(str::to_owned));
    (ana, bo, code, ana_id, bo_id.expect("Bo seated"))
}

#[tokio::test]
async fn members_trade_signals_and_the_server_runs_nothing_of_the_game() {
    let server = TestServer::start().await;
    let (mut ana, mut bo, code, ana_id, bo_id) = p2p_room(&server).await;

    let offer = json!({"sdp": {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}});
    let sent = ana.ask(json!({"type": "signal", "code": code, "to": bo_id, "data": offer})).await;
    assert_eq!(sent["type"], "ok", "{sent}");
    let got = bo.until(|f| f["type"] == "signal").await;
    assert_eq!(got, json!({"type": "signal", "code": code, "from": ana_id, "data": offer}));
    let answer = json!({"candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host"});
    bo.ask(json!({"type": "signal", "code": code, "to": ana_id, "data": answer})).await;
    assert_eq!(ana.until(|f| f["type"] == "signal").await["data"], answer);

    // The game is the host phone's: the server refuses to start it or take moves.
    let start = ana.ask(json!({"type": "start", "code": code})).await;
    assert_eq!(code_of(&start), "wrong_mode", "{start}");
    let mv = bo.ask(json!({"type": "move", "code": code, "move": {"take": 1}})).await;
    assert_eq!(code_of(&mv), "wrong_mode", "{mv}");
    // Chat stays on the server.
    let said = bo
        .ask(json!({"type": "chat", "code": code, "text": "ready?", "client_msg_id": "c1"}))
        .await;
    assert_eq!(said["type"], "chat_sent", "{said}");

    // The console counts what was relayed, and nothing else went through for this room.
    let mut lee = teacher(&server).await;
    let overview = lee.ask(json!({"type": "admin_overview"})).await;
    let room = overview["rooms"].as_array().unwrap().iter().find(|r| r["code"] == code).unwrap();
    assert_eq!((room["mode"].as_str(), room["signals"].as_u64()), (Some("p2p"), Some(2)));
    let bytes = (offer.to_string().len() + answer.to_string().len()) as u64;
    assert_eq!(room["signal_bytes"].as_u64(), Some(bytes));
    assert_eq!(room["game_no"], 0, "no game ever started on the server");

    // The mode survives a restart.
    let token = ana.token.clone();
    drop((ana, bo));
    let server = server.restart().await;
    let mut back = Raw::connect(&server, json!({"type": "hello", "token": token})).await;
    let joined = back.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(joined["room"]["mode"], "p2p", "{joined}");
}

#[tokio::test]
async fn a_p2p_room_whose_phones_cannot_connect_goes_on_through_the_server() {
    // What the page offers when the data channel does not open: the host turns the room to
    // server mode (change_game, same game), and the same two play through the server.
    let server = TestServer::start().await;
    let (mut ana, mut bo, code, _, _) = p2p_room(&server).await;
    let refused =
        bo.ask(json!({"type": "change_game", "code": code, "game": "nim", "mode": "server"})).await;
    assert_eq!(code_of(&refused), "not_host", "{refused}");
    let to_builtin = ana
        .ask(json!({"type": "change_game", "code": code, "game": "tictactoe", "mode": "p2p"}))
        .await;
    assert_eq!(code_of(&to_builtin), "wrong_mode", "{to_builtin}");
    let changed = ana
        .ask(json!({"type": "change_game", "code": code, "game": "nim", "mode": "server"}))
        .await;
    assert_eq!(changed["type"], "ok", "{changed}");
    let event = bo.until(|f| f["kind"] == "game_changed").await;
    // A server-mode room's view leaves `mode` out (server is the default).
    assert_eq!(event["room"]["mode"], serde_json::Value::Null, "{event}");
    // Signals are over; the server runs the game now.
    let started = ana.ask(json!({"type": "start", "code": code})).await;
    assert_ne!(started["type"], "error", "{started}");

    // The mode it was changed to survives a restart.
    let token = ana.token.clone();
    drop((ana, bo));
    let server = server.restart().await;
    let mut back = Raw::connect(&server, json!({"type": "hello", "token": token})).await;
    let joined = back.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!((joined["type"].as_str(), &joined["room"]["mode"]), (Some("joined"), &json!(null)));
}

#[tokio::test]
async fn signals_only_between_members_of_a_p2p_room_and_only_for_script_games() {
    let server = TestServer::start().await;
    let (mut ana, mut bo, code, _, bo_id) = p2p_room(&server).await;
    // A built-in game runs on the server only.
    let mut cy = named(&server, "Cy").await;
    let built_in = cy.ask(json!({"type": "create_room", "game": "tictactoe", "mode": "p2p"})).await;
    assert_eq!(code_of(&built_in), "wrong_mode", "{built_in}");

    // A non-member cannot inject candidates: answered as for an unknown room.
    let inject =
        json!({"type": "signal", "code": code, "to": bo_id, "data": {"candidate": "evil"}});
    assert_eq!(code_of(&cy.ask(inject).await), "no_such_room");
    // Not to oneself, not to someone not in the room, not too big.
    let to_self = json!({"type": "signal", "code": code, "to": bo_id, "data": {}});
    assert_eq!(code_of(&bo.ask(to_self).await), "bad_request");
    let nobody = json!({"type": "signal", "code": code, "to": "pzzzzzzzzzzz", "data": {}});
    assert_eq!(code_of(&ana.ask(nobody).await), "no_such_player");
    let big =
        json!({"type": "signal", "code": code, "to": bo_id, "data": {"sdp": "x".repeat(17_000)}});
    assert_eq!(code_of(&ana.ask(big).await), "bad_request");
    // A server-mode room relays no signals.
    let server_room = cy.ask(json!({"type": "create_room", "game": "nim"})).await;
    let other = server_room["code"].as_str().unwrap();
    let mut dee = named(&server, "Dee").await;
    let dee_joined = dee.ask(json!({"type": "join_room", "code": other})).await;
    let dee_id = dee_joined["room"]["seats"][1]["player"]["id"].as_str().unwrap().to_owned();
    let wrong = json!({"type": "signal", "code": other, "to": dee_id, "data": {}});
    assert_eq!(code_of(&cy.ask(wrong).await), "wrong_mode");

    // Bo received none of those.
    bo.drain(std::time::Duration::from_millis(200)).await;
    assert!(!bo.frames.iter().any(|f| f.contains(r#""type":"signal""#)), "{:?}", bo.frames);
}

#[tokio::test]
async fn a_member_flooding_signals_is_cut_off_while_the_room_goes_on() {
    // The connection's own request limit, out of the way: the signal limit is what is tested.
    let server = TestServer::start_with(|c| {
        c.rate_per_second = 10_000;
        c.rate_burst = 10_000;
    })
    .await;
    let (mut ana, mut bo, code, ana_id, bo_id) = p2p_room(&server).await;
    let mut refused = 0;
    for i in 0..80 {
        let flood = json!({"type": "signal", "code": code, "to": bo_id, "data": {"n": i}});
        if code_of(&ana.ask(flood).await) == "rate_limited" {
            refused += 1;
        }
        if i % 20 == 0 {
            // Bo goes on meanwhile: his own signals and chat get through.
            let reply = json!({"type": "signal", "code": code, "to": ana_id, "data": {"ack": i}});
            assert_eq!(bo.ask(reply).await["type"], "ok");
            let chat = json!({"type": "chat", "code": code, "text": "hi", "client_msg_id": format!("b{i}")});
            assert_eq!(bo.ask(chat).await["type"], "chat_sent");
        }
    }
    assert_eq!(refused, 80 - 60, "60 signals a member in 10 seconds, then rate_limited");
    bo.drain(std::time::Duration::from_millis(200)).await;
    let relayed = bo.frames.iter().filter(|f| f.contains(r#""type":"signal""#)).count();
    assert_eq!(relayed, 60, "only what was accepted reached Bo");
}
