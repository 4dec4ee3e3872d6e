//! The two models compared live on the big screen: a room of the shipped Nim, with two phones
//! and a big screen watching, plays one game through the server, then the host's phone makes
//! the next game peer to peer and they play the same moves again. The screen's panel shows both
//! models' figures as this room measured them: games and moves, move times (from each phone's
//! tap to its answer), the bytes the server sent per move (none in p2p), and the signalling it
//! relayed. In the p2p game the screen draws the board from the host phone's data channel,
//! and when the host's page goes, the screen says the game ended with it.

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME, Page};
use crate::p2p_rooms::WEBRTC_ON_LOOPBACK;

/// Ana and Bo take three stones each in turn from 15 (Ana takes the last), each board and the
/// screen's showing every heap before the next move.
async fn play_a_game(ana: &Page, bo: &Page, screen: &Page) {
    for page in [ana, bo, screen] {
        page.frame_wait_text("[data-testid=stones]", "15 stones left").await;
    }
    for (i, left) in [12, 9, 6, 3].into_iter().enumerate() {
        let mover = if i % 2 == 0 { ana } else { bo };
        mover.frame_click("[data-testid=take-3]").await;
        for page in [ana, bo, screen] {
            page.frame_wait_text("[data-testid=stones]", &format!("{left} stones left")).await;
        }
    }
    ana.frame_click("[data-testid=take-3]").await;
    ana.wait_text("[data-testid=status]", "You won!").await;
    bo.wait_text("[data-testid=status]", "Ana won").await;
}

/// The text of a cell of the panel, once it holds `needle`.
async fn cell(screen: &Page, row: &str, mode: &str, needle: &str) -> String {
    screen.wait_text(&format!("[data-testid={row}-{mode}]"), needle).await
}

/// The whole number before `unit` in `text` ("1,447 B" -> 1447).
fn number(text: &str, unit: &str) -> u64 {
    let before = text.split(unit).next().unwrap_or_default();
    before.trim().replace(',', "").parse().unwrap_or_else(|_| panic!("a number in {text:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_big_screen_compares_both_models_as_this_room_played_them() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("models_panel").await else { return };
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    let ana = driver.phone_with("models-ana", &base, &WEBRTC_ON_LOOPBACK).await;
    let code = ana.create_room("Ana", "nim").await;
    let bo = driver.phone_with("models-bo", &base, &WEBRTC_ON_LOOPBACK).await;
    bo.join_by_link(&code, "Bo").await;
    let screen = driver.desktop_with("models-screen", &base, &WEBRTC_ON_LOOPBACK).await;
    screen.open(&format!("/screen/{code}")).await;
    screen.wait_visible("[data-testid=models-panel]").await;
    assert_eq!(screen.text("[data-testid=models-moves-server]").await, "–", "nothing yet");

    // Through the server.
    ana.click("[data-testid=start]").await;
    play_a_game(&ana, &bo, &screen).await;
    cell(&screen, "models-moves", "server", "1 / 5").await;
    // Each phone timed its moves while the screen watched: five times.
    let time = cell(&screen, "models-time", "server", " ms").await;
    let bytes = cell(&screen, "models-bytes", "server", " B").await;
    // Every move sent its `ok` and a `moved` event to two phones and the screen: the room as
    // each sees it, hundreds of bytes.
    assert!(number(&bytes, " B") > 500, "server bytes per move: {bytes}");
    assert_eq!(screen.text("[data-testid=models-signalling-server]").await, "none");
    assert_eq!(screen.text("[data-testid=models-moves-p2p]").await, "–");
    screen.shot("models-panel-server").await;

    // The next game peer to peer: the host's phone runs it, the screen is its peer too.
    ana.click("[data-testid=switch-model]").await;
    for page in [&ana, &bo] {
        page.wait_visible("[data-testid=p2p-note][data-link=open]").await;
    }
    screen.wait_text("[data-testid=models-now]", "Ana's phone runs the game").await;
    ana.click("[data-testid=start]").await;
    play_a_game(&ana, &bo, &screen).await;
    cell(&screen, "models-moves", "p2p", "1 / 5").await;
    let p2p_time = cell(&screen, "models-time", "p2p", " ms").await;
    assert_eq!(cell(&screen, "models-bytes", "p2p", "B").await, "0 B");
    // An offer and an answer at least: the figure the screen shows grows as the room's
    // statistics reach it (on a busy machine it may first show a candidate or two).
    let signalling = screen
        .wait_for("signalling of an offer and an answer at least", async || {
            let shown = screen.text("[data-testid=models-signalling-p2p]").await;
            let bytes = shown.split(" B in ").next()?.replace(',', "").parse::<u64>().ok()?;
            (bytes > 500).then_some(shown)
        })
        .await;
    // The server carried none of the p2p game: its own column is still the first game's.
    assert_eq!(screen.text("[data-testid=models-moves-server]").await, "1 / 5");
    assert_eq!(screen.text("[data-testid=models-bytes-server]").await, bytes);
    screen.shot("models-panel-both").await;
    println!("models panel: server {time}, {bytes}/move; p2p {p2p_time}, signalling {signalling}");

    // The host's page goes in the middle of the next game: the screen says the game is over.
    ana.click("[data-testid=rematch]").await;
    for page in [&bo, &screen] {
        page.frame_wait_text("[data-testid=stones]", "15 stones left").await;
    }
    ana.frame_click("[data-testid=take-2]").await;
    screen.frame_wait_text("[data-testid=stones]", "13 stones left").await;
    ana.assert_no_script_errors().await;
    ana.goto("about:blank").await;
    screen.wait_text("[data-testid=bs-note]", "The game ended because the host (Ana) left").await;
    bo.wait_text("[data-testid=p2p-problem]", "The game ended because the host (Ana) left").await;
    screen.shot("models-host-left").await;
    for page in [&bo, &screen] {
        page.assert_no_script_errors().await;
    }
}
