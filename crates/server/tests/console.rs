//! The teacher's console over real WebSockets: an account made admin from the terminal
//! (`capital admin grant`), the overview of every room, removing a player and closing a room
//! from the console, an announcement on every phone, and the audit log kept across a restart.

mod common;

use common::TestServer;
use common::raw::{Raw, code_of, named, teacher};
use serde_json::{Value, json};

#[tokio::test]
async fn a_teacher_sees_every_room_removes_a_player_announces_and_closes_a_room() {
    let server = TestServer::start().await;
    let mut bo = named(&server, "Bo").await;
    let mut cy = named(&server, "Cy").await;
    let created = bo.ask(json!({"type": "create_room", "game": "tictactoe"})).await;
    let code = created["code"].as_str().unwrap().to_owned();
    cy.ask(json!({"type": "join_room", "code": code})).await;
    let bo_id = created["room"]["host"].as_str().unwrap().to_owned();
    let not_admin = cy.ask(json!({"type": "admin_overview"})).await;
    assert_eq!(code_of(&not_admin), "not_admin");

    let mut lee = teacher(&server).await;
    let overview = lee.ask(json!({"type": "admin_overview"})).await;
    assert_eq!(overview["type"], "overview", "{overview}");
    assert_eq!(overview["rooms_total"], 1);
    let room = &overview["rooms"][0];
    assert_eq!((room["code"].as_str(), room["game"].as_str()), (Some(&*code), Some("tictactoe")));
    let names: Vec<&str> =
        room["players"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Bo", "Cy"]);
    assert!(overview["players_online"].as_u64().unwrap() >= 3, "{overview}");

    // The teacher is in no room, and still removes Bo (its host) from it.
    let kick = json!({"type": "admin_room", "code": code, "action": "kick", "player": bo_id,
                      "reason": "Time to listen"});
    assert_eq!(code_of(&lee.ask(kick).await), "ok");
    let told = bo.until(|f| f["kind"] == "kicked").await;
    assert_eq!(told["reason"], "Time to listen");
    let host = cy.until(|f| f["kind"] == "host_changed").await;
    assert_ne!(host["player"], bo_id.as_str(), "someone else hosts now");
    assert_eq!(code_of(&bo.ask(json!({"type": "join_room", "code": code})).await), "kicked");

    // An announcement reaches every phone, in a room or not.
    let announce = json!({"type": "announce", "text": "Five minutes left"});
    assert_eq!(code_of(&lee.ask(announce).await), "ok");
    for phone in [&mut bo, &mut cy] {
        let pushed = phone.until(|f| f["type"] == "announcement").await;
        assert_eq!(pushed["text"], "Five minutes left");
    }
    let empty = lee.ask(json!({"type": "announce", "text": "   "})).await;
    assert_ne!(code_of(&empty), "ok", "an empty announcement is refused");

    let close =
        json!({"type": "admin_room", "code": code, "action": "close", "reason": "Lesson over"});
    assert_eq!(code_of(&lee.ask(close).await), "ok");
    let closed = cy.until(|f| f["kind"] == "closed").await;
    assert_eq!(closed["reason"], "Lesson over");
    let gone = lee
        .ask(json!({"type": "admin_room", "code": code, "action": "lock", "locked": true}))
        .await;
    assert_eq!(code_of(&gone), "no_such_room");

    // The audit log has every action, newest first, and keeps it across a restart.
    let token = lee.token.clone();
    drop((lee, bo, cy));
    let server = server.restart().await;
    let mut lee = Raw::connect(&server, json!({"type": "hello", "token": token})).await;
    let audit = lee.ask(json!({"type": "admin_audit"})).await;
    assert_eq!(audit["type"], "audit", "{audit}");
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["close_room", "announce", "kick", "grant_admin"]);
    assert_eq!(audit["entries"][0]["target"], code.as_str());
    assert_eq!(audit["entries"][1]["detail"], "Five minutes left");
    assert_eq!(audit["entries"][3]["admin"], "terminal");
}

#[tokio::test]
async fn a_teacher_turns_chat_off_mutes_removes_a_message_and_the_filter_masks_words() {
    let server = TestServer::start_with(|c| c.word_filter = vec!["darn".into()]).await;
    let mut bo = named(&server, "Bo Darn").await;
    assert!(bo.frames[0].contains(r#""name":"Bo ****""#), "names are masked too");
    let mut cy = named(&server, "Cy").await;
    let created = bo.ask(json!({"type": "create_room", "game": "tictactoe"})).await;
    let code = created["code"].as_str().unwrap().to_owned();
    cy.ask(json!({"type": "join_room", "code": code})).await;
    let say = |text: &str, id: &str| json!({"type": "chat", "code": code, "text": text, "client_msg_id": id});

    // The filter masks, it does not drop: the message arrives with the word starred.
    let sent = bo.ask(say("darn this game", "m1")).await;
    assert_eq!(sent["type"], "chat_sent", "{sent}");
    let got = cy.until(|f| f["kind"] == "chat").await;
    assert_eq!(got["message"]["text"], "**** this game");
    let seq = got["message"]["seq"].as_u64().unwrap();

    let mut lee = teacher(&server).await;
    let room = |action: Value| {
        let mut request = json!({"type": "admin_room", "code": code});
        request.as_object_mut().unwrap().extend(action.as_object().unwrap().clone());
        request
    };
    // Remove the message: gone from every phone (an event), marked removed for a late joiner.
    assert_eq!(code_of(&lee.ask(room(json!({"action": "remove_chat", "seq": seq}))).await), "ok");
    let removed = cy.until(|f| f["kind"] == "chat_removed").await;
    assert_eq!(removed["removed_seq"], seq);
    let mut di = named(&server, "Di").await;
    let joined = di.ask(json!({"type": "join_room", "code": code, "as": "spectator"})).await;
    let chat = joined["chat"].as_array().unwrap();
    assert!(chat.iter().all(|m| m["text"] != "**** this game"), "{chat:?}");
    assert_eq!(chat[0]["removed"], true);

    // Mute Bo: Bo cannot chat, Cy can.
    let bo_id = created["room"]["host"].as_str().unwrap().to_owned();
    let mute = room(json!({"action": "mute", "player": bo_id, "muted": true}));
    assert_eq!(code_of(&lee.ask(mute).await), "ok");
    assert_eq!(cy.until(|f| f["kind"] == "chat_changed").await["room"]["muted"], json!([bo_id]));
    assert_eq!(code_of(&bo.ask(say("hello?", "m2")).await), "muted");
    assert_eq!(cy.ask(say("hi", "m3")).await["type"], "chat_sent");

    // Chat off for the room: nobody chats; on again: they do.
    assert_eq!(code_of(&lee.ask(room(json!({"action": "chat_off", "off": true}))).await), "ok");
    assert_eq!(code_of(&cy.ask(say("still here", "m4")).await), "chat_off");
    // It holds across a restart, as does the removed message.
    let (cy_token, lee_token) = (cy.token.clone(), lee.token.clone());
    drop((bo, cy, di, lee));
    let server = server.restart().await;
    let mut cy = Raw::connect(&server, json!({"type": "hello", "token": cy_token})).await;
    let back = cy.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(back["room"]["chat_off"], true);
    assert_eq!(code_of(&cy.ask(say("after", "m5")).await), "chat_off");
    let mut lee = Raw::connect(&server, json!({"type": "hello", "token": lee_token})).await;
    assert_eq!(code_of(&lee.ask(room(json!({"action": "chat_off", "off": false}))).await), "ok");
    assert_eq!(cy.ask(say("after", "m5")).await["type"], "chat_sent");
    let audit = lee.ask(json!({"type": "admin_audit", "limit": 4})).await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["chat_on", "chat_off", "mute", "remove_chat"]);
}

#[tokio::test]
async fn server_wide_switches_pause_joins_and_chat_and_hold_across_a_restart() {
    let server = TestServer::start().await;
    let mut bo = named(&server, "Bo").await;
    let created = bo.ask(json!({"type": "create_room", "game": "tictactoe"})).await;
    let code = created["code"].as_str().unwrap().to_owned();
    let mut lee = teacher(&server).await;
    let pause = json!({"type": "admin_server", "joins_paused": true, "chat_off": true});
    assert_eq!(code_of(&lee.ask(pause).await), "ok");
    let overview = lee.ask(json!({"type": "admin_overview"})).await;
    assert_eq!(
        (overview["joins_paused"].as_bool(), overview["chat_off"].as_bool()),
        (Some(true), Some(true))
    );

    let mut cy = named(&server, "Cy").await;
    assert_eq!(code_of(&cy.ask(json!({"type": "join_room", "code": code})).await), "joins_paused");
    let new_room = cy.ask(json!({"type": "create_room", "game": "rps"})).await;
    assert_eq!(code_of(&new_room), "joins_paused", "no new rooms either");
    let say = json!({"type": "chat", "code": code, "text": "hi", "client_msg_id": "c1"});
    assert_eq!(code_of(&bo.ask(say.clone()).await), "chat_off", "chat is off in every room");

    // Stored: after a restart joins are still paused, and a member still comes back.
    let bo_token = bo.token.clone();
    let lee_token = lee.token.clone();
    drop((bo, cy, lee));
    let server = server.restart().await;
    let mut bo = Raw::connect(&server, json!({"type": "hello", "token": bo_token})).await;
    assert_eq!(bo.ask(json!({"type": "join_room", "code": code})).await["type"], "joined");
    let mut di = named(&server, "Di").await;
    assert_eq!(code_of(&di.ask(json!({"type": "join_room", "code": code})).await), "joins_paused");
    let mut lee = Raw::connect(&server, json!({"type": "hello", "token": lee_token})).await;
    let resume = json!({"type": "admin_server", "joins_paused": false, "chat_off": false});
    assert_eq!(code_of(&lee.ask(resume).await), "ok");
    assert_eq!(di.ask(json!({"type": "join_room", "code": code})).await["type"], "joined");
    assert_eq!(bo.ask(say).await["type"], "chat_sent");
    let audit = lee.ask(json!({"type": "admin_audit", "limit": 2})).await;
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["resume_joins", "chat_on"]);
    assert_eq!(audit["entries"][0]["target"], "server");
}
