//! Peer-to-peer rooms in the browser: two phones create and join a p2p room of the shipped Nim
//! (the "Peer to peer" box on the New room card), connect over WebRTC on loopback with only
//! signalling going through the server, and play to the end over the data channel: the host's
//! phone runs the rules in its rules frame, the other phone's board draws the views it sends.
//! The teacher's console shows the room's signalling and no game on the server. Then the host's
//! page goes in the middle of the next game, and the other phone says the game ended because
//! the host left. Phones that cannot connect directly are told so within ten seconds, and may
//! try again; and the rules frame itself runs a script as the server would, with no network.

use serde_json::json;

use crate::common::raw::teacher;
use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME, Page};

/// Chromium gathers no loopback candidates unless asked, and hides host addresses behind mDNS
/// names (which nothing resolves here) unless the page may use the camera: both off, so two
/// browsers on one machine connect with host candidates only, as phones on one network do.
pub(crate) const WEBRTC_ON_LOOPBACK: [&str; 2] =
    ["--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns"];

/// A phone that creates a p2p room of `game` as `name`: the room's code.
async fn create_p2p_room(page: &Page, name: &str, game: &str) -> String {
    page.open("/").await;
    page.type_into("[data-testid=name-input]", name).await;
    page.click("[data-testid=name-submit]").await;
    page.wait_visible("[data-testid=screen-home]").await;
    page.click(&format!("[data-testid=game-{game}]")).await;
    page.click("[data-testid=room-p2p]").await;
    page.click("[data-testid=create-room]").await;
    page.wait_text("[data-testid=room-code]", "").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nim_is_played_peer_to_peer_and_ends_when_the_host_leaves() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("p2p_rooms").await else { return };
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    let ana = driver.phone_with("p2p-ana", &base, &WEBRTC_ON_LOOPBACK).await;
    let code = create_p2p_room(&ana, "Ana", "nim").await;
    ana.wait_text("[data-testid=p2p-note]", "your phone runs the game").await;
    let bo = driver.phone_with("p2p-bo", &base, &WEBRTC_ON_LOOPBACK).await;
    bo.join_by_link(&code, "Bo").await;
    bo.wait_text(
        "[data-testid=p2p-note]",
        "Ana's phone runs the game; the server only introduced you",
    )
    .await;
    // Bo's phone asks Ana's for a connection; both ends say when the data channel is open.
    for page in [&ana, &bo] {
        page.wait_visible("[data-testid=p2p-note][data-link=open]").await;
    }
    ana.shot("p2p-lobby").await;
    ana.click("[data-testid=start]").await;

    // 15 stones; Ana 3, Bo 3, Ana 1, Bo 3, Ana 1, Bo 3, Ana 1: the last stone is Ana's.
    for page in [&ana, &bo] {
        page.frame_wait_text("[data-testid=stones]", "15 stones left").await;
    }
    // A move the rules refuse, sent by Bo's board on his turn: Ana's phone answers why.
    ana.frame_click("[data-testid=take-3]").await;
    bo.frame_wait_text("[data-testid=stones]", "12 stones left").await;
    let refused =
        "parent.postMessage({capital: 1, type: 'move', move: {take: 5}}, '*'); return true;";
    bo.frame_js(refused).await;
    bo.wait_text("[data-testid=toast]", "That move is not allowed: take 1, 2 or 3 stones").await;
    let turns = [(&bo, 3, 9), (&ana, 1, 8), (&bo, 3, 5), (&ana, 1, 4), (&bo, 3, 1)];
    for (page, take, left) in turns {
        page.frame_click(&format!("[data-testid=take-{take}]")).await;
        for watcher in [&ana, &bo] {
            watcher.frame_wait_text("[data-testid=stones]", &format!("{left} stones left")).await;
        }
    }
    ana.frame_click("[data-testid=take-1]").await;
    ana.wait_text("[data-testid=status]", "You won!").await;
    bo.wait_text("[data-testid=status]", "Ana won").await;
    bo.shot("p2p-bo-lost").await;

    // The server only introduced them: it relayed signalling, and ran no game in this room.
    let mut lee = teacher(&server).await;
    let overview = lee.ask(json!({"type": "admin_overview"})).await;
    let rooms = overview["rooms"].as_array().expect("rooms");
    let room = rooms.iter().find(|r| r["code"] == code.as_str()).expect("the room is listed");
    assert_eq!(room["mode"], "p2p", "{room}");
    assert!(room["signals"].as_u64().unwrap_or(0) >= 3, "an offer, an answer, candidates: {room}");
    assert!(room["signal_bytes"].as_u64().unwrap_or(0) > 500, "an SDP offer at least: {room}");
    assert_eq!((&room["phase"], &room["game_no"]), (&json!("lobby"), &json!(0)), "{room}");

    // Another game; Ana's page goes in the middle of it, and Bo's phone says why it ended.
    ana.click("[data-testid=rematch]").await;
    bo.frame_wait_text("[data-testid=stones]", "15 stones left").await;
    ana.frame_click("[data-testid=take-2]").await;
    bo.frame_wait_text("[data-testid=stones]", "13 stones left").await;
    ana.assert_no_script_errors().await;
    ana.goto("about:blank").await;
    bo.wait_text("[data-testid=p2p-problem]", "The game ended because the host (Ana) left").await;
    bo.wait_text("[data-testid=status]", "Game over").await;
    bo.shot("p2p-host-left").await;
    bo.assert_no_script_errors().await;
}

/// Ana's p2p room of Nim, and Bo in it, whose browser never takes Ana's offer (as if nothing of
/// it got through): once both rooms say they could not connect, the pages and the room code.
async fn cannot_connect(
    driver: &Driver,
    base: &str,
    [ana_page, bo_page]: [&'static str; 2],
) -> (Page, Page, String) {
    let ana = driver.phone_with(ana_page, base, &WEBRTC_ON_LOOPBACK).await;
    let code = create_p2p_room(&ana, "Ana", "nim").await;
    let bo = driver.phone_with(bo_page, base, &WEBRTC_ON_LOOPBACK).await;
    bo.open(&format!("/join/{code}")).await;
    bo.wait_text("[data-testid=name-joining]", &code).await;
    let stuck = "const p = RTCPeerConnection.prototype; window.realSrd = p.setRemoteDescription; \
                 p.setRemoteDescription = () => new Promise(() => {}); return true;";
    bo.js(stuck).await;
    bo.type_into("[data-testid=name-input]", "Bo").await;
    bo.click("[data-testid=name-submit]").await;
    bo.wait_text("[data-testid=room-code-small]", &code).await;
    bo.wait_text("[data-testid=p2p-problem]", "Could not connect directly to Ana's phone").await;
    ana.wait_text("[data-testid=p2p-problem]", "Could not connect directly to Bo's phone").await;
    ana.wait_visible("[data-testid=p2p-server-instead]").await;
    (ana, bo, code)
}

/// When the phones cannot connect directly (here Bo's browser never takes Ana's offer, as if
/// nothing of it got through), after ten seconds both rooms say so, and the host cannot start
/// a game the other phone would not see. Once it could, Bo's "Try again" connects them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_that_cannot_connect_directly_are_told_so() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("p2p_rooms").await else { return };
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    let (ana, bo, _) = cannot_connect(&driver, &base, ["p2p-ana-alone", "p2p-bo-alone"]).await;
    assert!(!bo.exists("[data-testid=p2p-server-instead]").await, "the host's choice only");
    ana.click("[data-testid=start]").await;
    ana.wait_text("[data-testid=toast]", "Not connected directly to Bo yet").await;
    assert!(!ana.exists("[data-testid=script-frame]").await, "no game started");
    bo.shot("p2p-could-not-connect").await;

    let unstuck = "RTCPeerConnection.prototype.setRemoteDescription = window.realSrd; return true;";
    bo.js(unstuck).await;
    bo.click("[data-testid=p2p-retry]").await;
    for page in [&ana, &bo] {
        page.wait_visible("[data-testid=p2p-note][data-link=open]").await;
    }
    assert!(!bo.exists("[data-testid=p2p-problem]").await, "connected now");
    ana.click("[data-testid=start]").await;
    bo.frame_wait_text("[data-testid=stones]", "15 stones left").await;
    for page in [&ana, &bo] {
        page.assert_no_script_errors().await;
    }
}

/// When the phones cannot connect, the host may go on through the server: "Play through the
/// server instead" turns the room to server mode (the same game), the room no longer speaks of
/// peer to peer, and the moves go through the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_that_cannot_connect_play_through_the_server_instead() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("p2p_rooms").await else { return };
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);
    let (ana, bo, code) = cannot_connect(&driver, &base, ["p2p-ana-via", "p2p-bo-via"]).await;
    ana.shot("p2p-server-instead").await;
    ana.click("[data-testid=p2p-server-instead]").await;
    for page in [&ana, &bo] {
        page.wait_js(
            "the room is in server mode",
            "return !document.querySelector('[data-testid=p2p-note]');",
        )
        .await;
    }
    ana.click("[data-testid=start]").await;
    bo.frame_wait_text("[data-testid=stones]", "15 stones left").await;
    ana.frame_click("[data-testid=take-3]").await;
    bo.frame_wait_text("[data-testid=stones]", "12 stones left").await;
    let mut lee = teacher(&server).await;
    let overview = lee.ask(json!({"type": "admin_overview"})).await;
    let rooms = overview["rooms"].as_array().expect("rooms");
    let room = rooms.iter().find(|r| r["code"] == code.as_str()).expect("the room is listed");
    assert_eq!((&room["phase"], &room["game_no"]), (&json!("playing"), &json!(1)), "{room}");
    for page in [&ana, &bo] {
        page.assert_no_script_errors().await;
    }
}

/// Calls the rules frame's page as a host's page does (here the page is opened on its own, so
/// it is its own parent): `CALLS` is a list of [call, args]; the answers, in order.
const CALL_RULES: &str = r#"
const calls = CALLS;
const done = arguments[0];
const answers = [];
let next = 0;
addEventListener("message", (e) => {
  if (e.data.ok === undefined) return; // our own calls come here too
  answers.push(e.data);
  if (answers.length === calls.length) done(answers);
});
for (const [call, args] of calls) postMessage({ id: next++, call, args }, "*");
"#;

/// The rules frame runs a script as the server's runtime does: `random` is seeded by the page
/// (the same seed deals the same dice, another seed others), a refused move answers `$invalid`,
/// a rule that throws answers its error; and the frame cannot reach the network.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rules_frame_runs_a_script_with_a_seeded_random_and_no_network() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("p2p_rooms").await else { return };
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);
    let page = driver.phone("p2p-rules", &base).await;
    page.open("/games/liars_dice/rules").await;

    let deal =
        |seed: u32| json!([["seed", [seed]], ["setup", [{"players": 2, "options": {"dice": 5}}]]]);
    let run = async |calls: serde_json::Value| {
        page.js_async(&CALL_RULES.replace("CALLS", &calls.to_string())).await
    };
    let first = run(deal(7)).await;
    let again = run(deal(7)).await;
    let other = run(deal(8)).await;
    assert_eq!(first[1]["ok"], true, "{first}");
    assert!(first[1]["value"]["dice"].is_array(), "five dice each: {first}");
    assert_eq!(first[1]["value"], again[1]["value"], "the same seed deals the same dice");
    assert_ne!(first[1]["value"], other[1]["value"], "another seed deals others");

    page.open("/games/nim/rules").await;
    let state = json!({"stones": 2, "turn": 0, "last": null});
    let answers = run(json!([
        ["move", [state, 0, {"take": 3}]],
        ["move", [state, 0, {"take": 2}]],
        ["outcome", [{"stones": 0, "turn": 1, "last": {"seat": 0, "take": 2}}]],
        ["move", [null, 0, {"take": 1}]],
        ["fetch", []],
    ]))
    .await;
    assert_eq!(answers[0]["value"], json!({"$invalid": "only 2 left"}), "{answers}");
    assert_eq!(
        answers[1]["value"],
        json!({"stones": 0, "turn": 1, "last": {"seat": 0, "take": 2}})
    );
    assert_eq!(answers[2]["value"], json!({"winner": 0, "reason": "last_stone"}));
    assert_eq!(answers[3]["ok"], false, "a rule that throws: {answers}");
    assert!(answers[3]["error"].as_str().unwrap_or("").contains("nim.js line"), "{answers}");
    assert_eq!(answers[4]["error"], "no such call: fetch");

    let network = "const done = arguments[0]; \
                   fetch('/api/info').then(() => done('GOT a reply'), (e) => done('refused: ' + e.name));";
    let got = page.js_async(network).await;
    assert!(got.as_str().unwrap_or("").starts_with("refused"), "{got}");
    let storage =
        "try { return String(localStorage.length); } catch (e) { return 'refused: ' + e.name; }";
    assert!(page.js(storage).await.as_str().unwrap_or("").starts_with("refused"));
}
