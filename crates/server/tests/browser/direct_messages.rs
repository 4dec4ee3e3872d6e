//! Direct messages between two phones: unread badges, receipts, a dropped connection, blocking.

use std::time::Instant;

use serde_json::json;

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME};

/// Direct messages: Bo writes to Ana from the room's player list; Ana sees the unread badge,
/// opens the conversation and reads it; Bo sees the read ticks. Ana loses her connection while
/// Bo writes three more: they arrive once each, in order. Ana blocks Bo. Also: the page opened
/// on the server machine shows the LAN join link, and a winner who left is still named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_messages_between_two_phones() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("direct messages").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    // Ana's page is opened on the server machine itself (localhost): the join link shows the
    // address phones can reach (from /api/info), here the server's 127.0.0.1 address.
    let local = format!("http://localhost:{}", server.addr.port());
    let ana = driver.phone("dm-ana", &local).await;
    let code = ana.create_room("Ana", "tictactoe").await;
    ana.wait_text("[data-testid=join-link]", &format!("{}/join/{code}", server.addr)).await;
    ana.js(&format!(
        "window.capitalTest.serverInfo({{urls: ['{base}/'], mdns: 'http://capital.local:8080/'}}); \
         return true;"
    ))
    .await;
    ana.wait_text("[data-testid=mdns-hint]", &format!("capital.local:8080/join/{code}")).await;

    let bo = driver.phone("dm-bo", &base).await;
    bo.open(&format!("/join/{code}")).await;
    bo.type_into("[data-testid=name-input]", "Bo").await;
    bo.click("[data-testid=name-submit]").await;
    bo.wait_text("[data-testid=seat-1]", "Bo").await;
    ana.wait_text("[data-testid=seat-1]", "Bo").await;

    // Bo taps Ana in the player list: "Message".
    bo.click("[data-testid=seat-0]").await;
    bo.wait_text("[data-testid=person-name]", "Ana").await;
    bo.click("[data-testid=person-message]").await;
    bo.wait_visible("[data-testid=screen-conversation]").await;
    bo.wait_text("[data-testid=dm-name]", "Ana").await;
    bo.wait_text("[data-testid=dm-presence]", "online").await;
    bo.type_into("[data-testid=dm-input]", "Hi Ana! Up for a rematch later?").await;
    bo.click("[data-testid=dm-send]").await;
    bo.wait_js("Bo's message is delivered", &last_mine_is("delivered")).await;

    // Ana, in the lobby, sees an unread badge; the list shows who wrote.
    ana.wait_text("[data-testid=messages-badge-room]", "1").await;
    ana.shot("unread-badge").await;
    ana.click("[data-testid=messages-room]").await;
    ana.wait_text("[data-testid=conversation]", "Bo").await;
    ana.wait_text("[data-testid=conversation-unread]", "1").await;
    ana.wait_text("[data-testid=conversation-preview]", "Up for a rematch").await;
    ana.wait_visible("[data-testid=conversation] .online-dot").await;
    ana.shot("conversations").await;
    ana.click("[data-testid=conversation]").await;
    ana.wait_text("[data-testid=dm-log]", "Hi Ana! Up for a rematch later?").await;
    ana.wait_hidden("[data-testid=messages-badge-room]").await;

    // Bo sees it was read; Ana answers, and Bo (looking at the conversation) reads it at once.
    bo.wait_js("Bo's message shows as read", &last_mine_is("read")).await;
    bo.wait_text("[data-testid=dm-log]", "Read").await;
    bo.shot("read-receipt").await;
    ana.type_into("[data-testid=dm-input]", "Sure! After this one.").await;
    ana.click("[data-testid=dm-send]").await;
    bo.wait_text("[data-testid=dm-log]", "Sure! After this one.").await;
    ana.wait_js("Ana's answer shows as read", &last_mine_is("read")).await;
    assert!(
        bo.js("return document.querySelector('[data-testid=messages-badge-room]').hidden;").await
            == json!(true),
        "nothing unread for Bo"
    );

    // Ana goes back to the game and loses her connection; Bo sees her go offline and writes on.
    ana.click("[data-testid=dm-back]").await;
    ana.click("[data-testid=messages-back]").await;
    ana.wait_visible("[data-testid=screen-room]").await;
    ana.js("window.capitalTest.dropConnection(120000); return true;").await;
    ana.wait_text("[data-testid=conn-banner]", "Reconnecting").await;
    bo.wait_text("[data-testid=dm-presence]", "offline").await;
    for text in ["Are you there?", "The host is waiting", "Ping me when you are back"] {
        bo.type_into("[data-testid=dm-input]", text).await;
        bo.click("[data-testid=dm-send]").await;
        bo.wait_js(&format!("{text:?} is stored"), &format!("{LAST_MINE} return !!m && m.textContent.includes({text:?}) && m.dataset.status === 'sent';")).await;
    }
    bo.shot("sent-while-away").await;

    // Ana is back: three unread, each once and in order; Bo's ticks follow.
    ana.js("window.capitalTest.networkBack(); return true;").await;
    ana.wait_hidden("[data-testid=conn-banner]").await;
    ana.wait_text("[data-testid=messages-badge-room]", "3").await;
    bo.wait_text("[data-testid=dm-presence]", "online").await;
    bo.wait_js("the messages are delivered", &last_mine_is("delivered")).await;
    ana.click("[data-testid=messages-room]").await;
    ana.wait_text("[data-testid=conversation-unread]", "3").await;
    ana.click("[data-testid=conversation]").await;
    ana.wait_text("[data-testid=dm-log]", "Ping me when you are back").await;
    let texts = ana.js(
        "return [...document.querySelectorAll('[data-testid=dm-text]')].map(e => e.textContent);",
    )
    .await;
    assert_eq!(
        texts,
        json!([
            "Hi Ana! Up for a rematch later?",
            "Sure! After this one.",
            "Are you there?",
            "The host is waiting",
            "Ping me when you are back"
        ]),
        "every message once, in order"
    );
    bo.wait_js("Bo's messages show as read", &last_mine_is("read")).await;
    ana.type_into("[data-testid=dm-input]", "Back! Tunnel.").await;
    ana.click("[data-testid=dm-send]").await;
    ana.wait_js("Ana's message is read", &last_mine_is("read")).await;
    ana.shot("conversation").await;

    // A chat sender's name also offers "Message".
    bo.click("[data-testid=dm-back]").await;
    bo.wait_visible("[data-testid=screen-room]").await;
    ana.click("[data-testid=dm-back]").await;
    ana.click("[data-testid=messages-back]").await;
    ana.click("[data-testid=chat-toggle]").await;
    ana.type_into("[data-testid=chat-input]", "gl hf").await;
    ana.click("[data-testid=chat-send]").await;
    bo.click("[data-testid=chat-toggle]").await;
    bo.click(".msg:last-child [data-testid=chat-name]").await;
    bo.wait_text("[data-testid=person-name]", "Ana").await;
    bo.click("[data-testid=person-cancel]").await;
    bo.click("[data-testid=chat-toggle]").await;
    ana.click("[data-testid=chat-toggle]").await;

    // Ana blocks Bo: his next message is refused, in words.
    ana.click("[data-testid=messages-room]").await;
    ana.click("[data-testid=conversation]").await;
    ana.click("[data-testid=dm-block]").await;
    ana.click("[data-testid=block-confirm]").await;
    ana.wait_text("[data-testid=dm-blocked]", "You blocked Bo").await;
    ana.wait_hidden("[data-testid=dm-input]").await;
    bo.click("[data-testid=messages-room]").await;
    bo.click("[data-testid=conversation]").await;
    bo.type_into("[data-testid=dm-input]", "Why?").await;
    bo.click("[data-testid=dm-send]").await;
    bo.wait_text("[data-testid=dm-log]", "Not sent: Ana is not taking messages from you").await;
    ana.click("[data-testid=dm-back]").await;
    ana.click("[data-testid=messages-back]").await;
    bo.click("[data-testid=dm-back]").await;
    bo.click("[data-testid=messages-back]").await;

    // A quick game: Ana wins and leaves; Bo's result still says who won.
    ana.click("[data-testid=start]").await;
    for (page, cell) in [(&ana, 0), (&bo, 3), (&ana, 1), (&bo, 4), (&ana, 2)] {
        page.wait_text("[data-testid=status]", "Your turn").await;
        page.click(&format!("[data-testid=cell-{cell}]")).await;
    }
    bo.wait_text("[data-testid=status]", "Ana won").await;
    ana.click("[data-testid=leave]").await;
    ana.click("[data-testid=leave-confirm]").await;
    ana.wait_visible("[data-testid=screen-home]").await;
    // Her side says she left (an "Open seat" beside "Ana won" did not say who had won).
    let side = bo.wait_text("[data-testid=side-0]", "left").await;
    assert!(side.contains("Ana") && !side.contains("Open seat"), "the side says {side:?}");
    bo.wait_text("[data-testid=status]", "Ana won").await;

    for page in [&ana, &bo] {
        page.assert_no_script_errors().await;
    }
    for page in [ana, bo] {
        page.close().await;
    }
    eprintln!("browser test (direct messages) took {:.1} s", started.elapsed().as_secs_f64());
}

/// JS: `m` is the newest of my direct messages on screen (or null).
const LAST_MINE: &str = "const mine = document.querySelectorAll('[data-testid=dm-message].mine'); \
                         const m = mine[mine.length - 1];";

/// JS: the newest of my direct messages has this status (`sent`, `delivered` or `read`).
fn last_mine_is(status: &str) -> String {
    format!("{LAST_MINE} return !!m && m.dataset.status === '{status}';")
}
