//! The teacher's console in the browser: an admin logs in at /teach, sees the room two phones
//! play in, removes one phone (which says why and cannot rejoin), announces to every phone, and
//! finds every action in the audit log after a restart.

use serde_json::json;

use crate::common::raw::Raw;
use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teacher_removes_a_phone_and_announces_from_the_console() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("console").await else { return };
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);
    // The teacher's account, made admin from the terminal.
    let mut first = Raw::connect(&server, json!({"type": "hello", "name": "Ms Lee"})).await;
    let registered = first
        .ask(json!({"type": "register", "username": "mslee", "password": "a long passphrase"}))
        .await;
    assert_eq!(registered["type"], "registered", "{registered}");
    drop(first);
    let config = server.config.clone();
    tokio::task::spawn_blocking(move || capital_server::admins::set_admin(&config, "mslee", true))
        .await
        .unwrap()
        .unwrap();

    // Two phones in a room.
    let ana = driver.phone("teach-ana", &base).await;
    let code = ana.create_room("Ana", "tictactoe").await;
    let bo = driver.phone("teach-bo", &base).await;
    bo.join_by_link(&code, "Bo").await;

    let console = driver.desktop("teach-console", &base).await;
    console.open("/teach").await;
    console.type_into("[data-testid=teach-username]", "mslee").await;
    console.type_into("[data-testid=teach-password]", "a long passphrase").await;
    console.click("[data-testid=teach-login]").await;
    console.wait_text("[data-testid=teach-stats]", "1 room open").await;
    console.wait_text(&format!("[data-testid=teach-room-{code}]"), "Bo").await;

    // Bo says something unkind in chat; the teacher removes it and it goes from Ana's phone.
    ana.click("[data-testid=chat-toggle]").await;
    bo.click("[data-testid=chat-toggle]").await;
    bo.type_into("[data-testid=chat-input]", "you are all losers").await;
    bo.click("[data-testid=chat-send]").await;
    ana.wait_text("[data-testid=chat-log]", "you are all losers").await;
    console.wait_text(&format!("[data-testid=teach-room-{code}]"), "you are all losers").await;
    console.shot("console-overview").await;
    console
        .js(&format!(
            "[...document.querySelectorAll('[data-testid^=teach-remove-{code}-]')].pop().click();"
        ))
        .await;
    ana.wait_text("[data-testid=chat-log]", "message removed by the teacher").await;
    assert!(!ana.text("[data-testid=chat-log]").await.contains("losers"), "gone from Ana's phone");
    // Chat off for the room: Ana's next message is refused, in words.
    console.click(&format!("[data-testid=teach-chat-{code}]")).await;
    console.wait_text(&format!("[data-testid=teach-room-{code}]"), "chat off").await;
    ana.type_into("[data-testid=chat-input]", "hello?").await;
    ana.click("[data-testid=chat-send]").await;
    ana.wait_text("[data-testid=chat-log]", "Not sent: the chat is off").await;

    // Remove Bo with a reason: Bo's phone says why, goes home, and cannot rejoin.
    console.click(&format!("[data-testid=teach-kick-{code}-Bo]")).await;
    console.type_into("[data-testid=teach-kick-reason]", "Please sit with your group").await;
    console.click("[data-testid=teach-kick-confirm]").await;
    bo.wait_text("[data-testid=toast]", "Please sit with your group").await;
    bo.wait_visible("[data-testid=screen-home]").await;
    bo.open(&format!("/join/{code}")).await;
    bo.wait_text("[data-testid=join-error]", "removed you from this room").await;

    // An announcement on every phone.
    console.type_into("[data-testid=teach-announce-text]", "Tidy up in five minutes").await;
    console.click("[data-testid=teach-announce-send]").await;
    ana.wait_text("[data-testid=toast]", "Tidy up in five minutes").await;
    ana.shot("console-announcement").await;
    console.wait_text("[data-testid=teach-audit]", "announce server").await;
    console.wait_text("[data-testid=teach-audit]", "kick").await;
    // A new lesson: the leaderboard starts again, and the audit log says when.
    console.wait_visible("[data-testid=teach-leaders]").await;
    console.click("[data-testid=teach-new-lesson]").await;
    console.wait_text("[data-testid=teach-note]", "A new lesson started").await;
    console.wait_text("[data-testid=teach-leaders]", "No game finished yet since").await;
    console.wait_text("[data-testid=teach-audit]", "new_lesson server").await;
    // The game scripts: Nim is on offer; the teacher turns it off, and on again.
    console.wait_text("[data-testid=script-state-nim\\.js]", "on offer").await;
    console.click("[data-testid=script-switch-nim]").await;
    console.wait_text("[data-testid=teach-note]", "nim is off").await;
    console.wait_text("[data-testid=script-state-nim\\.js]", "turned off").await;
    console.shot("console-scripts").await;
    console.click("[data-testid=script-switch-nim]").await;
    console.wait_text("[data-testid=script-state-nim\\.js]", "on offer").await;
    // A student's script uploaded from the console, with a mistake on line 2: the table says
    // where.
    let upload = tempfile::tempdir().unwrap();
    let path = upload.path().join("oops.js");
    std::fs::write(&path, "game({\n  name: 'Oops',,\n});\n").unwrap();
    let input = console
        .client
        .find(fantoccini::Locator::Css("[data-testid=teach-upload-files]"))
        .await
        .unwrap();
    input.send_keys(path.to_str().unwrap()).await.unwrap();
    console.click("[data-testid=teach-upload-send]").await;
    console.wait_text("[data-testid=teach-note]", "Uploaded oops.js").await;
    console.wait_text("[data-testid=script-error-oops\\.js]", "oops.js line 2").await;
    console.shot("console-upload-error").await;

    // After a restart the audit log still has it all.
    let server = server.restart().await;
    let base = format!("http://{}", server.addr);
    let again = driver.desktop("teach-console2", &base).await;
    again.open("/teach").await;
    again.type_into("[data-testid=teach-username]", "mslee").await;
    again.type_into("[data-testid=teach-password]", "a long passphrase").await;
    again.click("[data-testid=teach-login]").await;
    again.wait_text("[data-testid=teach-audit]", "Tidy up in five minutes").await;
    again.wait_text("[data-testid=teach-audit]", "Please sit with your group").await;
    again.wait_text("[data-testid=teach-audit]", "grant_admin mslee").await;
    again.shot("console-audit-after-restart").await;
    for page in [&console, &again, &ana, &bo] {
        page.assert_no_script_errors().await;
    }
}
