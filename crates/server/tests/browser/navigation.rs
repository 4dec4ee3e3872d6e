//! Finding one's way on a phone: Back inside the app, links and addresses that lead nowhere, and
//! coming back quickly, by itself, after the server was away while the page was on screen.

use std::time::Instant;

use serde_json::Value;

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME, Page};

/// A bad join link is said on home; Back in a room asks to leave (Stay stays, Back closes the
/// question, Leave goes home); Back from the messages goes home, and once more leaves the app;
/// the dead-end pages lead home; with the server away, the page on screen tries again every
/// 1-2 s and is back by itself once the server is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn back_stays_in_the_app_dead_ends_lead_home_and_the_page_comes_back_quickly() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("navigation").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let addr = server.addr;
    let base = format!("http://{addr}");
    let ana = driver.phone("ana", &base).await;

    // A join link with no room code in it: after choosing a name, home says so, at "/".
    ana.open("/join/hello").await;
    ana.wait_visible("[data-testid=screen-name]").await;
    ana.type_into("[data-testid=name-input]", "Ana").await;
    ana.click("[data-testid=name-submit]").await;
    ana.wait_visible("[data-testid=screen-home]").await;
    ana.wait_text("[data-testid=join-error]", "ends in \"hello\", which is not a room code").await;
    assert_eq!(ana.js("return location.pathname;").await, "/");
    ana.shot("bad-join-link").await;

    // The page can be added to the home screen: a manifest, served as one, with the icon.
    let manifest = ana
        .js_async(
            "const done = arguments[0]; \
             const href = document.querySelector('link[rel=manifest]').getAttribute('href'); \
             fetch(href).then(async (r) => { const m = await r.json(); \
                 const icon = await fetch(m.icons[0].src); \
                 done([href, r.headers.get('content-type'), m.name, m.display, m.start_url, \
                       m.theme_color, m.icons[0].src, icon.ok, icon.headers.get('content-type')]); \
             }).catch((e) => done(String(e)));",
        )
        .await;
    assert_eq!(
        manifest,
        serde_json::json!([
            "/manifest.webmanifest",
            "application/manifest+json",
            "Capital",
            "standalone",
            "/",
            "#14162e",
            "/favicon.svg",
            true,
            "image/svg+xml"
        ]),
        "the web app manifest"
    );

    // A join link to a room that is not open: said once, in the join form (no toast too).
    let eve = driver.phone("eve", &base).await;
    eve.open("/join/QQQQ").await;
    eve.wait_visible("[data-testid=screen-name]").await;
    eve.record_texts("#toast-text").await;
    eve.type_into("[data-testid=name-input]", "Eve").await;
    eve.click("[data-testid=name-submit]").await;
    eve.wait_text("[data-testid=join-error]", "There is no open room QQQQ").await;
    assert_eq!(eve.seen("#toast-text").await, Vec::<String>::new(), "no toast says it again");
    eve.assert_no_script_errors().await;
    eve.close().await;

    // Into a room (its address shows), then Back: the app asks whether to leave.
    ana.click("[data-testid=game-tictactoe]").await;
    ana.click("[data-testid=create-room]").await;
    let code = ana.wait_text("[data-testid=room-code]", "").await;
    let in_room = format!("return location.pathname === '/join/{code}';");
    ana.wait_js("the room's address", &in_room).await;
    back(&ana).await;
    wait_leave_question(&ana, true).await;
    ana.shot("back-in-a-room").await;
    // Stay: still in the room, and Back still asks.
    ana.click("[data-testid=leave-cancel]").await;
    wait_leave_question(&ana, false).await;
    ana.wait_visible("[data-testid=screen-room]").await;
    ana.wait_js("the room's address again", &in_room).await;
    back(&ana).await;
    wait_leave_question(&ana, true).await;
    // Back with the question open just closes it.
    back(&ana).await;
    wait_leave_question(&ana, false).await;
    ana.wait_visible("[data-testid=screen-room]").await;
    // Back, then Leave: home, at "/".
    back(&ana).await;
    wait_leave_question(&ana, true).await;
    ana.click("[data-testid=leave-confirm]").await;
    ana.wait_visible("[data-testid=screen-home]").await;
    ana.wait_js("the start's address", "return location.pathname === '/';").await;

    // The messages over home: Back goes home; from home, Back leaves the app (nothing stale is
    // left in the history to make Back do nothing).
    ana.click("[data-testid=messages-home]").await;
    ana.wait_visible("[data-testid=screen-messages]").await;
    back(&ana).await;
    ana.wait_visible("[data-testid=screen-home]").await;
    ana.assert_no_script_errors().await;
    back(&ana).await;
    let left = format!("return location.host !== '{addr}';");
    ana.wait_js("the page before the app", &left).await;

    // Renaming has a way back without saving.
    ana.open("/").await;
    ana.wait_visible("[data-testid=screen-home]").await;
    ana.click("#change-name").await;
    ana.wait_visible("[data-testid=screen-name]").await;
    back(&ana).await;
    ana.wait_visible("[data-testid=screen-home]").await;
    ana.wait_text("[data-testid=me-name]", "Ana").await;

    // Addresses that lead nowhere: a page that says so, and a way home.
    ana.open("/no/such/page").await;
    ana.wait_text("[data-testid=dead-end-title]", "Nothing here").await;
    ana.shot("unknown-address").await;
    let closed = if code == "KXMR" { "KXMT" } else { "KXMR" };
    ana.open(&format!("/screen/{closed}")).await;
    ana.wait_text("[data-testid=dead-end-text]", &format!("There is no open room {closed}.")).await;
    ana.shot("big-screen-of-no-room").await;
    ana.click("[data-testid=dead-end-home]").await;
    ana.wait_visible("[data-testid=screen-home]").await;
    ana.wait_text("[data-testid=me-name]", "Ana").await;

    // The server goes away while the page is on screen: it keeps trying, never waiting more
    // than 2 s between tries (it waited 4, then 8 s before), and is back by itself.
    assert_eq!(ana.js("return document.visibilityState;").await, "visible");
    let (dir, mut config) = server.stop().await;
    ana.wait_text("[data-testid=conn-banner]", "Reconnecting").await;
    ana.wait_js("five tries", "return window.capitalTest.retry().attempt >= 5;").await;
    let retry = ana.js("return window.capitalTest.retry();").await;
    let delay = retry["delay"].as_f64().unwrap_or_else(|| panic!("a delay: {retry}"));
    assert!((1000.0..=2000.0).contains(&delay), "the wait before try 5 and on: {retry}");
    ana.shot("server-away").await;
    config.bind = addr;
    let server = TestServer::start_in(dir, config).await;
    ana.wait_hidden("[data-testid=conn-banner]").await;
    assert_eq!(ana.js("return window.capitalTest.state().online;").await, Value::Bool(true));
    ana.wait_text("[data-testid=me-name]", "Ana").await;
    ana.assert_no_script_errors().await;

    ana.close().await;
    drop(server);
    eprintln!("navigation: {:?}", started.elapsed());
}

/// The browser's Back button.
async fn back(page: &Page) {
    page.client.back().await.expect("Back");
}

/// Waits until the "Leave the room?" question is open (or closed).
async fn wait_leave_question(page: &Page, open: bool) {
    let script = format!("return document.getElementById('leave-dialog').open === {open};");
    let what = if open { "the leave question" } else { "the leave question to close" };
    page.wait_js(what, &script).await;
}
