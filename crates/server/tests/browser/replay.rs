//! A class reviews a match: a big screen hosts tic-tac-toe, two phones play it out, and the
//! screen replays the game move by move (next, back, play to the end, close); the lesson's
//! leaderboard shows the winner; a rematch everyone asked for counts down and starts by itself.

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_big_screen_replays_a_finished_game_step_by_step() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("replay").await else { return };
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    let screen = driver.desktop("replay-screen", &base).await;
    screen.open("/screen").await;
    screen.click("[data-testid=host-game-tictactoe]").await;
    screen
        .wait_js(
            "the address names a room",
            "return /^\\/screen\\/[A-Z]{4}$/.test(location.pathname);",
        )
        .await;
    let path = screen.js("return location.pathname;").await;
    let code = path.as_str().unwrap().trim_start_matches("/screen/").to_owned();
    let ana = driver.phone("replay-ana", &base).await;
    let bo = driver.phone("replay-bo", &base).await;
    for (page, name) in [(&ana, "Ana"), (&bo, "Bo")] {
        page.join_by_link(&code, name).await;
        screen.wait_text("[data-testid=players]", name).await;
    }
    screen.click("[data-testid=host-start]").await;
    // Ana (X) takes the top row; Bo (O) plays 3 and 4.
    for (page, cell) in [(&ana, 0), (&bo, 3), (&ana, 1), (&bo, 4), (&ana, 2)] {
        page.wait_enabled(&format!("[data-testid=cell-{cell}]")).await;
        page.click(&format!("[data-testid=cell-{cell}]")).await;
        screen.wait_mark(cell, if cell < 3 { "X" } else { "O" }).await;
    }
    ana.wait_text("[data-testid=status]", "You won").await;
    screen.wait_text("[data-testid=leaderboard]", "Ana 1 of 1").await;

    // The replay: from the empty board, one move at a time, back, then played to the end.
    screen.click("[data-testid=bs-replay-open]").await;
    screen.wait_text("[data-testid=replay-pos]", "The start").await;
    let empty = "return [...document.querySelectorAll('[data-testid=replay-board] [data-mark]')]\
                 .every(c => c.dataset.mark === '');";
    screen.wait_js("an empty board first", empty).await;
    screen.click("[data-testid=replay-next]").await;
    screen.wait_text("[data-testid=replay-pos]", "Move 1 of 5").await;
    screen.wait_mark(0, "X").await;
    screen.click("[data-testid=replay-next]").await;
    screen.wait_text("[data-testid=replay-pos]", "Move 2 of 5").await;
    screen.wait_mark(3, "O").await;
    screen.shot("replay-move-2").await;
    screen.click("[data-testid=replay-back]").await;
    screen.wait_text("[data-testid=replay-pos]", "Move 1 of 5").await;
    let o_gone = "return document.querySelector('[data-testid=cell-3]').dataset.mark === '';";
    screen.wait_js("Bo's move undone", o_gone).await;
    screen.click("[data-testid=replay-play]").await;
    screen.wait_text("[data-testid=replay-play]", "Pause").await;
    screen.wait_text("[data-testid=replay-pos]", "Move 5 of 5").await;
    screen.wait_text("[data-testid=replay-pos]", "(the end)").await;
    screen.wait_text("[data-testid=replay-play]", "Play").await;
    screen
        .wait_js(
            "the winning line is marked at the end",
            "return [0, 1, 2].every(i => document.querySelector(`[data-testid=cell-${i}]`)\
                 .classList.contains('win'));",
        )
        .await;
    screen.shot("replay-end").await;
    screen.click("[data-testid=replay-close]").await;
    screen.wait_hidden("[data-testid=replay]").await;
    screen.wait_visible("[data-testid=bs-replay-open]").await;

    // A rematch both phones ask for counts down and starts by itself; the screen follows.
    bo.click("[data-testid=rematch]").await;
    ana.wait_text("[data-testid=rematch]", "Bo is in").await;
    ana.click("[data-testid=rematch]").await;
    screen.wait_text("[data-testid=countdown]", "Next game in").await;
    bo.wait_text("[data-testid=status]", "Your turn").await;
    screen.wait_text("[data-testid=room-game]", "game 2").await;
    for page in [&ana, &bo, &screen] {
        page.assert_no_script_errors().await;
    }
}
