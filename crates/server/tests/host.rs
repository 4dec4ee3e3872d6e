//! The host's controls over real WebSockets: a big screen hosting a room without a seat (start,
//! end a game, rematch, change the game, all from the screen), and a host removing a player,
//! locking the room and handing over the controls, kept across a restart.

mod common;

use common::TestServer;
use common::raw::{Raw, code_of, named};
use serde_json::{Value, json};

#[tokio::test]
async fn a_big_screen_hosts_a_room_without_a_seat() {
    let server = TestServer::start().await;
    let mut screen = named(&server, "Big screen").await;
    let create = json!({"type": "create_room", "game": "crazy_eights", "as": "spectator",
                        "screen": true});
    let created = screen.ask(create).await;
    let code = created["code"].as_str().unwrap().to_owned();
    let room = &created["room"];
    assert_eq!(room["you"], json!({"role": "spectator", "seat": null}), "the screen watches");
    let welcome: Value = serde_json::from_str(&screen.frames[0]).unwrap();
    assert_eq!(room["host"], welcome["player_id"], "and hosts");
    assert_eq!((room["screens"].as_u64(), room["spectator_count"].as_u64()), (Some(1), Some(0)));
    assert!(room["spectators"].as_array().unwrap().is_empty(), "a screen is not a watcher");
    assert!(room["seats"].as_array().unwrap().iter().all(|s| s["player"].is_null()));

    let mut phones = Vec::new();
    for name in ["Ana", "Bo", "Cy"] {
        let mut phone = named(&server, name).await;
        let joined = phone.ask(json!({"type": "join_room", "code": code})).await;
        assert_eq!(joined["room"]["you"]["role"], "player", "{name} takes a seat");
        phones.push(phone);
    }
    let refused = phones[0].ask(json!({"type": "start", "code": code})).await;
    assert_eq!(code_of(&refused), "not_host", "only the screen starts");
    let started = screen.ask(json!({"type": "start", "code": code})).await;
    assert_eq!(code_of(&started), "ok", "{started}");
    assert_eq!(screen.room["state"]["hands"], json!([5, 5, 5]), "three players, no seat for it");

    // The screen ends the game, asks for the next one, and changes the game.
    let ended = screen.ask(json!({"type": "end_game", "code": code})).await;
    assert_eq!(code_of(&ended), "ok", "{ended}");
    let over = phones[1].until(|f| f["kind"] == "game_over").await;
    assert_eq!(over["outcome"], json!({"winner": null, "reason": "ended_by_host"}));
    assert_eq!(code_of(&screen.ask(json!({"type": "rematch", "code": code})).await), "ok");
    let changed =
        screen.ask(json!({"type": "change_game", "code": code, "game": "tictactoe"})).await;
    assert_eq!(code_of(&changed), "ok", "{changed}");
    let event = phones[2].until(|f| f["kind"] == "game_changed").await;
    let room = &event["room"];
    assert_eq!((room["game"].as_str(), room["phase"].as_str()), (Some("tictactoe"), Some("lobby")));
    assert_eq!(room["seats"].as_array().unwrap().len(), 2, "tic-tac-toe's two seats");
    assert_eq!(room["you"]["role"], "spectator", "the third player watches now");
    assert_eq!(room["code"], code.as_str(), "the same code");
    assert_eq!(code_of(&screen.ask(json!({"type": "start", "code": code})).await), "ok");
    phones[0].until_playing().await;
    assert_eq!(phones[0].room["you"]["seat"], 0);
    // Ana and Bo play it out: Ana takes the top row.
    for (who, cell) in [(0, 0), (1, 3), (0, 1), (1, 4), (0, 2)] {
        let mv = json!({"type": "move", "code": code, "move": {"cell": cell}});
        assert_eq!(code_of(&phones[who].ask(mv).await), "ok");
    }
    let over = screen.until(|f| f["kind"] == "game_over").await;
    assert_eq!(over["outcome"]["winner"], 0, "{over}");
    // The room's scoreboard counts the win (the crazy eights game ended with no winner).
    let board = &over["room"]["scoreboard"];
    assert_eq!(board.as_array().map(Vec::len), Some(1), "{board}");
    assert_eq!((board[0]["name"].as_str(), board[0]["wins"].as_u64()), (Some("Ana"), Some(1)));
}

#[tokio::test]
async fn a_host_removes_locks_and_hands_over_and_it_all_survives_a_restart() {
    let server = TestServer::start().await;
    let mut ana = named(&server, "Ana").await;
    let created = ana.ask(json!({"type": "create_room", "game": "crazy_eights"})).await;
    let code = created["code"].as_str().unwrap().to_owned();
    let mut bo = named(&server, "Bo").await;
    let mut di = named(&server, "Di").await;
    bo.ask(json!({"type": "join_room", "code": code})).await;
    di.ask(json!({"type": "join_room", "code": code})).await;
    let bo_id = bo.room["seats"][1]["player"]["id"].as_str().unwrap().to_owned();
    let di_id = di.room["seats"][2]["player"]["id"].as_str().unwrap().to_owned();

    let not_host = bo.ask(json!({"type": "kick", "code": code, "player": di_id})).await;
    assert_eq!(code_of(&not_host), "not_host");
    let kick = json!({"type": "kick", "code": code, "player": bo_id, "reason": "name-calling"});
    assert_eq!(code_of(&ana.ask(kick).await), "ok");
    let told = bo.until(|f| f["kind"] == "kicked").await;
    assert_eq!(
        (told["player"].as_str(), told["reason"].as_str()),
        (Some(&*bo_id), Some("name-calling"))
    );
    let seen = di.until(|f| f["kind"] == "kicked").await;
    assert!(seen["room"]["seats"][1]["player"].is_null(), "Bo's seat is free: {seen}");
    let again = bo.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(code_of(&again), "kicked", "Bo cannot come back: {again}");
    let as_watcher = bo.ask(json!({"type": "join_room", "code": code, "as": "spectator"})).await;
    assert_eq!(code_of(&as_watcher), "kicked", "not even to watch");

    assert_eq!(
        code_of(&ana.ask(json!({"type": "lock", "code": code, "locked": true})).await),
        "ok"
    );
    assert_eq!(di.until(|f| f["kind"] == "locked").await["room"]["locked"], true);
    let mut cy = named(&server, "Cy").await;
    let locked_out = cy.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(code_of(&locked_out), "room_locked", "{locked_out}");
    let back = di.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(back["type"], "joined", "a member still comes back: {back}");

    let handed = ana.ask(json!({"type": "set_host", "code": code, "player": di_id})).await;
    assert_eq!(code_of(&handed), "ok");
    assert_eq!(di.until(|f| f["kind"] == "host_changed").await["player"], di_id.as_str());
    let no_longer = ana.ask(json!({"type": "lock", "code": code, "locked": false})).await;
    assert_eq!(code_of(&no_longer), "not_host", "Ana handed the controls over");

    // A restart keeps all of it: Bo is still out, the room still locked, Di still the host.
    let (bo_token, di_token) = (bo.token.clone(), di.token.clone());
    drop((ana, bo, cy, di));
    let server = server.restart().await;
    let mut bo = Raw::connect(&server, json!({"type": "hello", "token": bo_token})).await;
    assert_eq!(code_of(&bo.ask(json!({"type": "join_room", "code": code})).await), "kicked");
    let mut cy = named(&server, "Cy").await;
    assert_eq!(code_of(&cy.ask(json!({"type": "join_room", "code": code})).await), "room_locked");
    let mut di = Raw::connect(&server, json!({"type": "hello", "token": di_token})).await;
    let joined = di.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(joined["room"]["host"], di_id.as_str());
    assert_eq!(joined["room"]["locked"], true);
    assert_eq!(
        code_of(&di.ask(json!({"type": "lock", "code": code, "locked": false})).await),
        "ok"
    );
    assert_eq!(cy.ask(json!({"type": "join_room", "code": code})).await["type"], "joined");
}

#[tokio::test]
async fn a_screen_still_counts_against_the_watchers_cap() {
    let server = TestServer::start_with(|c| c.max_spectators_per_room = 1).await;
    let mut ana = named(&server, "Ana").await;
    let created = ana.ask(json!({"type": "create_room", "game": "tictactoe"})).await;
    let code = created["code"].as_str().unwrap().to_owned();
    let mut screen = named(&server, "Screen").await;
    let watch = json!({"type": "join_room", "code": code, "as": "spectator", "screen": true});
    assert_eq!(screen.ask(watch.clone()).await["type"], "joined");
    let mut other = named(&server, "Another screen").await;
    let refused = other.ask(watch).await;
    assert_eq!(code_of(&refused), "room_full", "saying one is a screen is no way past the cap");
}

#[tokio::test]
async fn the_audience_reacts_a_few_times_a_second_and_a_flood_is_cut_while_the_game_goes_on() {
    let server = TestServer::start().await;
    let mut ana = named(&server, "Ana").await;
    let created = ana.ask(json!({"type": "create_room", "game": "tictactoe"})).await;
    let code = created["code"].as_str().unwrap().to_owned();
    let mut bo = named(&server, "Bo").await;
    bo.ask(json!({"type": "join_room", "code": code})).await;
    let mut fan = named(&server, "Fan").await;
    fan.ask(json!({"type": "join_room", "code": code, "as": "spectator"})).await;
    let mut screen = named(&server, "Screen").await;
    let watch = json!({"type": "join_room", "code": code, "as": "spectator", "screen": true});
    screen.ask(watch).await;
    ana.ask(json!({"type": "start", "code": code})).await;

    let react = |emoji: &str| json!({"type": "react", "code": code, "emoji": emoji});
    assert_eq!(code_of(&fan.ask(react("👏")).await), "ok");
    let shown = screen.until(|f| f["type"] == "reaction").await;
    assert_eq!((shown["emoji"].as_str(), shown["name"].as_str()), (Some("👏"), Some("Fan")));
    assert_eq!(code_of(&fan.ask(react("💩")).await), "bad_text", "only the listed emoji");
    // A flood: 100 at once. A handful get through; the rest are refused; the game goes on.
    let mut refused = 0;
    for _ in 0..100 {
        if code_of(&fan.ask(react("🔥")).await) == "rate_limited" {
            refused += 1;
        }
    }
    assert!(refused >= 90, "the flood was cut: {refused} of 100 refused");
    let mut players = [ana, bo];
    for (who, cell) in [(0, 0), (1, 3), (0, 1)] {
        let mv = json!({"type": "move", "code": code, "move": {"cell": cell}});
        assert_eq!(code_of(&players[who].ask(mv).await), "ok", "the players play on");
    }
}
