//! The teacher's console and game scripts: `admin_scripts` lists every script with its author,
//! status and the error of its last load (file and line); `admin_script` turns a game off (new
//! rooms cannot pick it, a game being played goes on) and on again, stored across a restart.

mod common;

use common::TestServer;
use common::raw::{Raw, code_of, named, teacher};
use serde_json::{Value, json};

const BROKEN: &str = "game({\n  name: 'Broken',\n  setup() { return {; },\n});\n";

async fn scripts(teacher: &mut Raw) -> Vec<Value> {
    let listed = teacher.ask(json!({"type": "admin_scripts"})).await;
    assert_eq!(listed["type"], "script_games", "{listed}");
    listed["scripts"].as_array().unwrap().clone()
}

fn file<'a>(scripts: &'a [Value], name: &str) -> &'a Value {
    scripts.iter().find(|s| s["file"] == name).unwrap_or_else(|| panic!("{name}: {scripts:?}"))
}

async fn offered(raw: &mut Raw, kind: &str) -> bool {
    let games = raw.ask(json!({"type": "list_games"})).await;
    games["games"].as_array().unwrap().iter().any(|g| g["kind"] == kind)
}

#[tokio::test]
async fn the_console_lists_scripts_and_turns_one_off_across_a_restart() {
    let server = TestServer::start_with(|config| {
        let games = config.data.join("games");
        std::fs::create_dir_all(&games).unwrap();
        std::fs::write(games.join("broken.js"), BROKEN).unwrap();
    })
    .await;
    let mut lee = teacher(&server).await;
    let listed = scripts(&mut lee).await;
    let nim = file(&listed, "nim.js");
    assert_eq!(
        (&nim["kind"], &nim["author"], &nim["shipped"], &nim["on"], &nim["board"]),
        (&json!("nim"), &json!("Capital"), &json!(true), &json!(true), &json!("nim.board.js"))
    );
    let broken = file(&listed, "broken.js");
    assert_eq!((&broken["on"], &broken["kind"]), (&json!(false), &Value::Null));
    let error = broken["error"].as_str().unwrap();
    assert!(error.contains("broken.js line 3"), "the error names file and line: {error}");

    // A player may not ask.
    let mut ana = named(&server, "Ana").await;
    assert_eq!(code_of(&ana.ask(json!({"type": "admin_scripts"})).await), "not_admin");
    let off = json!({"type": "admin_script", "kind": "nim", "on": false});
    assert_eq!(code_of(&ana.ask(off.clone()).await), "not_admin");
    assert!(offered(&mut ana, "nim").await, "nothing changed");

    // A Nim game is going on when the teacher turns Nim off.
    let mut bo = named(&server, "Bo").await;
    let created = ana.ask(json!({"type": "create_room", "game": "nim"})).await;
    let code = created["code"].as_str().unwrap().to_owned();
    bo.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(code_of(&ana.ask(json!({"type": "start", "code": code})).await), "ok");
    assert_eq!(code_of(&lee.ask(off.clone()).await), "ok");
    assert!(!offered(&mut ana, "nim").await, "off the list");
    let refused = bo.ask(json!({"type": "create_room", "game": "nim"})).await;
    assert_eq!(code_of(&refused), "unknown_game", "{refused}");
    assert_eq!(common::http_get(server.addr, "/games/nim/board").await.0, 404);
    let mv = json!({"type": "move", "code": code, "move": {"take": 2}});
    assert_eq!(code_of(&ana.ask(mv).await), "ok", "the game being played goes on");
    let nim = scripts(&mut lee).await;
    let nim = file(&nim, "nim.js");
    assert_eq!((&nim["on"], &nim["off"]), (&json!(false), &json!(true)));
    let unknown = lee.ask(json!({"type": "admin_script", "kind": "chess", "on": false})).await;
    assert_eq!(code_of(&unknown), "unknown_game", "{unknown}");
    let audit = lee.ask(json!({"type": "admin_audit"})).await;
    assert_eq!(audit["entries"][0]["action"], "script_off", "{audit}");
    assert_eq!(audit["entries"][0]["detail"], "nim");

    // Off it stays, after a restart; and on again it comes back.
    let (ana_token, bo_token) = (ana.token.clone(), bo.token.clone());
    drop((ana, bo, lee));
    let server = server.restart().await;
    let mut ana = Raw::connect(&server, json!({"type": "hello", "token": ana_token})).await;
    assert!(!offered(&mut ana, "nim").await, "still off after a restart");
    // The game being played came back with it, and goes on.
    let mut bo = Raw::connect(&server, json!({"type": "hello", "token": bo_token})).await;
    let joined = bo.ask(json!({"type": "join_room", "code": code})).await;
    assert_eq!(joined["room"]["state"]["stones"], 13, "{joined}");
    let mv = json!({"type": "move", "code": code, "move": {"take": 1}});
    assert_eq!(code_of(&bo.ask(mv).await), "ok");
    assert!(offered(&mut ana, "liars_dice").await, "the others are on");
    let login = json!({"type": "login", "username": "mslee", "password": "a long passphrase"});
    let mut lee = Raw::connect(&server, login).await;
    let on = json!({"type": "admin_script", "kind": "nim", "on": true});
    assert_eq!(code_of(&lee.ask(on).await), "ok");
    assert!(offered(&mut ana, "nim").await, "on again");
    assert_eq!(common::http_get(server.addr, "/games/nim/board").await.0, 200);
}

#[tokio::test]
async fn a_script_uploaded_from_the_console_is_offered() {
    // Messages may be large enough here to carry a script past the scripts' own limit.
    let server = TestServer::start_with(|config| config.max_message_bytes = 1 << 20).await;
    let mut lee = teacher(&server).await;
    let rules = include_str!("../../../games/nim.js").replace("name: \"Nim\"", "name: \"Stones\"");
    let upload = |file: &str, source: &str| json!({"type": "admin_upload_script", "file": file, "source": source});
    // Only an admin, only a script's name, only a script's size.
    let mut ana = named(&server, "Ana").await;
    assert_eq!(code_of(&ana.ask(upload("stones.js", &rules)).await), "not_admin");
    for bad in ["../stones.js", "Stones.js", "stones.txt", ".stones.js"] {
        let refused = lee.ask(upload(bad, &rules)).await;
        assert_eq!(code_of(&refused), "bad_request", "{bad}: {refused}");
    }
    let huge = "x".repeat(300 * 1024);
    let refused = lee.ask(upload("huge.js", &huge)).await;
    assert_eq!(code_of(&refused), "bad_request", "a file past the limit: {refused}");
    assert!(!server.data_dir().join("games/huge.js").exists());
    assert!(!offered(&mut ana, "stones").await);

    assert_eq!(code_of(&lee.ask(upload("stones.js", &rules)).await), "ok");
    assert!(server.data_dir().join("games/stones.js").exists(), "written where a student would");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !offered(&mut ana, "stones").await {
        assert!(std::time::Instant::now() < deadline, "the upload was never offered");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let listed = scripts(&mut lee).await;
    assert_eq!(file(&listed, "stones.js")["on"], true);
    let audit = lee.ask(json!({"type": "admin_audit"})).await;
    assert_eq!(audit["entries"][0]["action"], "script_upload", "{audit}");
    assert_eq!(audit["entries"][0]["detail"], "stones.js");
}
