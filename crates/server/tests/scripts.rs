//! Script games over real WebSockets: the shipped Nim listed beside the built-in games and
//! played to the end across a restart; a student's script dropped into the data directory's
//! games folder is offered within seconds, an edit reaches new rooms while a running game keeps
//! its version, a broken script is reported with its line and offers nothing, and a script that
//! loops ends its own game while another room plays on.

mod common;

use std::time::{Duration, Instant};

use common::raw::{Raw, code_of, named};
use common::{TestServer, http_get, http_get_all};
use serde_json::{Value, json};

/// Ana creates a room of `game` (with `options`), Bo joins, Ana starts: (Ana, Bo, code).
async fn pair(server: &TestServer, game: &str, options: Value) -> (Raw, Raw, String) {
    let mut ana = named(server, "Ana").await;
    let mut bo = named(server, "Bo").await;
    let created = ana.ask(json!({"type": "create_room", "game": game, "options": options})).await;
    assert_eq!(created["type"], "joined", "{created}");
    let code = created["code"].as_str().unwrap().to_owned();
    bo.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(code_of(&ana.ask(json!({"type": "start", "code": code})).await), "ok");
    (ana, bo, code)
}

fn take(code: &str, n: u64) -> Value {
    json!({"type": "move", "code": code, "move": {"take": n}})
}

/// The games the server lists, by kind.
async fn kinds(raw: &mut Raw) -> Vec<Value> {
    raw.ask(json!({"type": "list_games"})).await["games"].as_array().unwrap().clone()
}

/// Waits (polling `list_games`, at most 10 s) until `pred` holds for the list.
async fn until_listed(raw: &mut Raw, what: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let games = kinds(raw).await;
        if pred(&games) {
            return games;
        }
        assert!(Instant::now() < deadline, "waited 10 s for {what}: {games:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn find<'a>(games: &'a [Value], kind: &str) -> Option<&'a Value> {
    games.iter().find(|g| g["kind"] == kind)
}

#[tokio::test]
async fn shipped_nim_is_listed_and_plays_to_the_end_across_a_restart() {
    let server = TestServer::start().await;
    let mut ana = named(&server, "Ana").await;
    let games = kinds(&mut ana).await;
    let nim = find(&games, "nim").expect("nim is offered");
    assert_eq!((nim["name"].as_str(), nim["author"].as_str()), (Some("Nim"), Some("Capital")));
    assert_eq!(nim["options"], json!({"stones": 15}));
    assert!(find(&games, "tictactoe").unwrap()["author"].is_null(), "built-in games have none");
    // Nim has a board of its own, served as a sandbox; a built-in game has none.
    assert_eq!(nim["board"], "/games/nim/board");
    assert!(find(&games, "tictactoe").unwrap()["board"].is_null());
    let (status, head, page) = http_get_all(server.addr, "/games/nim/board").await;
    assert_eq!(status, 200, "{head}");
    let policy = head
        .lines()
        .find_map(|l| l.strip_prefix("content-security-policy: "))
        .expect("the board page has a policy");
    assert!(policy.starts_with("sandbox allow-scripts;"), "{policy}");
    assert!(policy.contains("default-src 'none'"), "it connects nowhere: {policy}");
    assert!(page.contains("Take ${n}"), "the board's script is in the page");
    assert_eq!(http_get(server.addr, "/games/tictactoe/board").await.0, 404);
    assert_eq!(http_get(server.addr, "/frame/board.html").await.0, 404, "a template");
    drop(ana);

    let (mut ana, mut bo, code) = pair(&server, "nim", json!({"stones": 7})).await;
    assert_eq!(ana.room["state"], json!({"stones": 7, "turn": 0, "last": null}));
    let refused = ana.ask(take(&code, 5)).await;
    assert_eq!(
        (code_of(&refused), refused["message"].as_str()),
        ("illegal_move", Some("take 1, 2 or 3 stones"))
    );
    assert_eq!(code_of(&bo.ask(take(&code, 1)).await), "not_your_turn");
    assert_eq!(code_of(&ana.ask(take(&code, 3)).await), "ok");
    // A restart in the middle: the game comes back from its log and goes on.
    let (ana_token, bo_token) = (ana.token.clone(), bo.token.clone());
    drop((ana, bo));
    let server = server.restart().await;
    let mut ana = Raw::connect(&server, json!({"type": "hello", "token": ana_token})).await;
    let mut bo = Raw::connect(&server, json!({"type": "hello", "token": bo_token})).await;
    let joined = bo.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(joined["room"]["state"]["stones"], 4, "{joined}");
    ana.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(code_of(&bo.ask(take(&code, 3)).await), "ok");
    assert_eq!(code_of(&ana.ask(take(&code, 1)).await), "ok");
    let over = bo.until(|f| f["kind"] == "game_over").await;
    assert_eq!(over["outcome"], json!({"winner": 0, "reason": "last_stone"}));
    // And it replays, like any game.
    let replay = bo.ask(json!({"type": "replay", "code": code})).await;
    assert_eq!(replay["steps"].as_array().map(Vec::len), Some(4), "{replay}");
}

/// A game like Nim where each move takes exactly `n` stones (and a move may ask to `hang`).
fn takes(kind: &str, n: u32) -> String {
    format!(
        "game({{ kind: '{kind}', name: 'Takes {n}', author: 'Class 4B', players: 2,\n\
         setup: () => ({{stones: 6, turn: 0}}),\n\
         turn: (s) => [s.turn],\n\
         move(s, seat, m, {{invalid}}) {{ if (m.hang) {{ for (;;) {{}} }} return {{stones: s.stones - {n}, turn: 1 - seat, last: seat}}; }},\n\
         outcome: (s) => s.stones <= 0 ? {{winner: s.last, reason: 'empty'}} : null }});\n"
    )
}

#[tokio::test]
async fn a_students_script_is_offered_reloaded_and_can_only_end_its_own_game() {
    let dir = std::sync::Arc::new(tempfile::tempdir().unwrap());
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("games")).unwrap();
    std::fs::write(
        data.join("games/broken.js"),
        "game({ name: 'Broken',\n  setup() { return {; } });",
    )
    .unwrap();
    std::fs::write(data.join("games/copycat.js"), takes("tictactoe", 1)).unwrap();
    let config = capital_server::config::Config::new("127.0.0.1:0".parse().unwrap(), data.clone());
    let server = TestServer::start_in(dir, config).await;
    let mut cy = named(&server, "Cy").await;
    let games = kinds(&mut cy).await;
    assert!(find(&games, "broken").is_none(), "a script that does not load offers nothing");
    assert!(find(&games, "tictactoe").unwrap()["author"].is_null(), "a built-in is not replaced");

    // Dropped into the folder while the server runs: offered within seconds.
    std::fs::write(data.join("games/takes.js"), takes("takes", 1)).unwrap();
    let games = until_listed(&mut cy, "takes.js", |g| find(g, "takes").is_some()).await;
    assert_eq!(find(&games, "takes").unwrap()["author"], "Class 4B");
    let (mut ana, mut bo, first) = pair(&server, "takes", Value::Null).await;
    assert_eq!(code_of(&ana.ask(take(&first, 0)).await), "ok");
    assert_eq!(ana.room["state"]["stones"], 5, "version 1 takes one stone");

    // Edited: new rooms get version 2; the game in progress keeps version 1.
    std::fs::write(
        data.join("games/takes.js"),
        takes("takes", 3).replace("Takes 3", "Takes three"),
    )
    .unwrap();
    until_listed(&mut cy, "the edit", |g| {
        find(g, "takes").is_some_and(|t| t["name"] == "Takes three")
    })
    .await;
    assert_eq!(code_of(&bo.ask(take(&first, 0)).await), "ok");
    assert_eq!(bo.room["state"]["stones"], 4, "still version 1");
    let (mut di, mut ed, second) = pair(&server, "takes", Value::Null).await;
    assert_eq!(code_of(&di.ask(take(&second, 0)).await), "ok");
    assert_eq!(di.room["state"]["stones"], 3, "version 2 takes three");

    // A move that never ends: the script is stopped, its game is over for both players with
    // the reason, and the other room plays on.
    let hung = ana.ask(json!({"type": "move", "code": first, "move": {"hang": true}})).await;
    assert_eq!(code_of(&hung), "illegal_move");
    assert!(
        hung["message"].as_str().unwrap().contains("takes.js: a call ran longer than"),
        "{hung}"
    );
    let over = bo.until(|f| f["kind"] == "game_over").await;
    assert_eq!(over["outcome"], json!({"winner": null, "reason": "script_error"}));
    assert!(over["room"]["state"]["$error"].as_str().unwrap().contains("longer than"), "{over}");
    assert_eq!(code_of(&ed.ask(take(&second, 0)).await), "ok", "the other room goes on");
    let over = di.until(|f| f["kind"] == "game_over").await;
    assert_eq!(over["outcome"]["reason"], "empty");

    // Removed from the folder: no new rooms of it.
    std::fs::remove_file(data.join("games/takes.js")).unwrap();
    until_listed(&mut cy, "the removal", |g| find(g, "takes").is_none()).await;
    let refused = cy.ask(json!({"type": "create_room", "game": "takes"})).await;
    assert_eq!(code_of(&refused), "unknown_game");
}

#[tokio::test]
async fn a_game_comes_back_after_a_restart_with_the_rules_it_started_with() {
    let server = TestServer::start_with(|config| {
        std::fs::create_dir_all(config.data.join("games")).unwrap();
        std::fs::write(config.data.join("games/takes.js"), takes("takes", 1)).unwrap();
    })
    .await;
    let data = server.data_dir();
    let (mut ana, bo, code) = pair(&server, "takes", Value::Null).await;
    assert_eq!(code_of(&ana.ask(take(&code, 0)).await), "ok");
    assert_eq!(ana.room["state"]["stones"], 5, "version 1 takes one stone");
    // The student edits the rules while the game goes on, then the server restarts, and the
    // file is gone by the time it is back.
    std::fs::write(data.join("games/takes.js"), takes("takes", 3)).unwrap();
    until_listed(&mut ana, "the edit", |g| {
        find(g, "takes").is_some_and(|t| t["name"] == "Takes 3")
    })
    .await;
    let (ana_token, bo_token) = (ana.token.clone(), bo.token.clone());
    drop((ana, bo));
    let (dir, mut config) = server.stop().await;
    std::fs::remove_file(data.join("games/takes.js")).unwrap();
    config.bind = "127.0.0.1:0".parse().unwrap();
    let server = TestServer::start_in(dir, config).await;
    let mut ana = Raw::connect(&server, json!({"type": "hello", "token": ana_token})).await;
    let mut bo = Raw::connect(&server, json!({"type": "hello", "token": bo_token})).await;
    let joined = bo.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(joined["room"]["state"]["stones"], 5, "the room is back: {joined}");
    ana.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(code_of(&bo.ask(take(&code, 0)).await), "ok");
    assert_eq!(bo.room["state"]["stones"], 4, "still version 1, kept by the store");
    let refused = ana.ask(json!({"type": "create_room", "game": "takes"})).await;
    assert_eq!(code_of(&refused), "unknown_game", "no new rooms of a removed game");
}

/// A liar's dice move for the seat whose view is `room`: call a bid above a third of the
/// table, else raise it by one.
fn dice_move(code: &str, room: &Value) -> Value {
    let view = &room["state"];
    let total: u64 = view["counts"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).sum();
    let mv = match view["bid"].as_object() {
        Some(bid) if bid["count"].as_u64().unwrap() * 3 > total => json!({"call": true}),
        Some(bid) => {
            json!({"bid": {"count": bid["count"].as_u64().unwrap() + 1, "face": bid["face"]}})
        }
        None => json!({"bid": {"count": 1, "face": view["mine"][0]}}),
    };
    json!({"type": "move", "code": code, "move": mv})
}

/// The seat on turn plays one `dice_move`; the other phone reads until it has seen the same
/// events. Returns whether the game is over.
async fn dice_turn(players: &mut [&mut Raw; 2], code: &str) -> bool {
    let seat = players[0].room["state"]["turn"].as_u64().unwrap() as usize;
    let mv = dice_move(code, &players[seat].room);
    let reply = players[seat].ask(mv).await;
    assert_eq!(code_of(&reply), "ok", "{reply}");
    let seq = players[seat]
        .frames
        .iter()
        .filter_map(|f| serde_json::from_str::<Value>(f).ok()?["seq"].as_u64())
        .max()
        .unwrap();
    players[1 - seat].until(|f| f["seq"].as_u64() >= Some(seq)).await;
    players[0].room["phase"] == "over"
}

#[tokio::test]
async fn shipped_liars_dice_hides_the_dice_and_plays_to_the_end_across_a_restart() {
    let server = TestServer::start().await;
    let (mut ana, mut bo, code) = pair(&server, "liars_dice", Value::Null).await;
    bo.until_playing().await;
    let a_dice = ana.room["state"]["mine"].clone();
    assert_eq!(a_dice.as_array().map(Vec::len), Some(5), "{}", ana.room);
    assert_eq!(bo.room["state"]["counts"], json!([5, 5]));
    // Nothing Bo receives holds Ana's dice as his: his view has only his own, and the counts.
    assert!(bo.frames.iter().all(|f| !f.contains(&format!("\"mine\":{a_dice}"))));
    for _ in 0..4 {
        assert!(!dice_turn(&mut [&mut ana, &mut bo], &code).await, "not over in four moves");
    }
    // A restart in the middle: the dice come back the same, from the seed and the moves.
    let (ana_token, bo_token) = (ana.token.clone(), bo.token.clone());
    let ana_view = ana.room["state"].clone();
    drop((ana, bo));
    let server = server.restart().await;
    let mut ana = Raw::connect(&server, json!({"type": "hello", "token": ana_token})).await;
    let mut bo = Raw::connect(&server, json!({"type": "hello", "token": bo_token})).await;
    let joined = ana.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(joined["room"]["state"], ana_view, "the same dice after the restart");
    bo.ask(json!({"type": "join_room", "code": code})).await;
    let mut over = false;
    for _ in 0..300 {
        over = dice_turn(&mut [&mut ana, &mut bo], &code).await;
        if over {
            break;
        }
    }
    assert!(over, "ten dice end within 300 moves");
    assert_eq!(ana.room["outcome"]["reason"], "last_with_dice");
}
