//! A big screen hosts: it opens /screen with no code, picks a game, and the room is its own;
//! three phones join and play with no phone as host; the screen removes a player, who is told
//! why and cannot come back.

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_screen_hosts_three_phones_and_removes_one() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("screen_host").await else { return };
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    let screen = driver.desktop("host-screen", &base).await;
    screen.open("/screen").await;
    screen.wait_text("[data-testid=room-game]", "Which game?").await;
    screen.shot("screen-host-picker").await;
    screen.click("[data-testid=host-game-crazy_eights]").await;
    // Until the room exists the code shows a placeholder: wait for the address to name it.
    screen
        .wait_js(
            "the address names a room",
            "return /^\\/screen\\/[A-Z]{4}$/.test(location.pathname);",
        )
        .await;
    let path = screen.js("return location.pathname;").await;
    let code = path.as_str().unwrap().trim_start_matches("/screen/").to_owned();
    screen.wait_text("[data-testid=room-code]", &code).await;
    assert!(!screen.enabled("[data-testid=host-start]").await, "nobody to start with yet");

    let ana = driver.phone("host-ana", &base).await;
    let bo = driver.phone("host-bo", &base).await;
    let cy = driver.phone("host-cy", &base).await;
    for (page, name) in [(&ana, "Ana"), (&bo, "Bo"), (&cy, "Cy")] {
        page.join_by_link(&code, name).await;
        screen.wait_text("[data-testid=players]", name).await;
    }
    // Joins close together make one "joined" line, over the title: clear of the host's buttons.
    screen.wait_text("[data-testid=moment]", "Cy joined!").await;
    let clear = crate::layout::clear_of("[data-testid=moment]", &["[data-testid=host-bar]"]);
    screen.wait_no_problems("the moment clear of the host's buttons", &clear).await;
    // No phone is host: none of them has a Start button; they say they are ready instead.
    for page in [&ana, &bo, &cy] {
        assert!(!page.exists("[data-testid=start]").await, "a phone has no start");
        page.wait_visible("[data-testid=ready]").await;
    }
    screen.wait_text("[data-testid=host-start]", "Start with 3").await;
    screen.shot("screen-host-lobby").await;
    screen.click("[data-testid=host-start]").await;
    for page in [&ana, &bo, &cy] {
        page.wait_text("[data-testid=hand-count]", "Your hand: 5 cards").await;
    }
    screen.wait_visible("[data-testid=host-end]").await;
    screen.shot("screen-host-playing").await;

    // The screen removes Cy, with a reason; Cy's phone says why and goes home.
    screen.click("[data-testid=host-kick-Cy]").await;
    screen.type_into("[data-testid=host-kick-reason]", "Phones away, please").await;
    screen.click("[data-testid=host-kick-confirm]").await;
    cy.wait_text("[data-testid=toast]", "Phones away, please").await;
    cy.wait_visible("[data-testid=screen-home]").await;
    cy.shot("screen-host-kicked").await;
    // The game goes on for Ana and Bo (Cy dropped out of it).
    ana.wait_text("[data-testid=last-move]", "left the game").await;
    // Cy's join link no longer lets them in: home says why, in the join form (once: no toast).
    cy.open(&format!("/join/{code}")).await;
    cy.wait_text("[data-testid=join-error]", "removed you from this room").await;

    // The screen ends the game and changes it to tic-tac-toe, all from the screen.
    screen.click("[data-testid=host-end]").await;
    screen.wait_visible("[data-testid=host-next]").await;
    screen.click("[data-testid=host-next]").await;
    screen.wait_visible("[data-testid=host-start]").await;
    screen
        .js("const s = document.querySelector('[data-testid=host-change]'); s.value = 'tictactoe'; s.dispatchEvent(new Event('change'));")
        .await;
    screen.wait_text("[data-testid=room-game]", "Tic-tac-toe").await;
    ana.wait_text("[data-testid=room-game]", "Tic-tac-toe").await;
    screen.click("[data-testid=host-start]").await;
    ana.wait_visible("[data-testid=cell-4]").await;
    ana.click("[data-testid=cell-4]").await;
    bo.wait_text("[data-testid=status]", "Your turn").await;
    // Someone watching cheers: the emoji floats up the big screen with their name.
    let fan = driver.phone("host-fan", &base).await;
    fan.open(&format!("/join/{code}")).await;
    fan.type_into("[data-testid=name-input]", "Fan").await;
    fan.click("[data-testid=name-submit]").await;
    fan.wait_visible("[data-testid=reactions]").await;
    fan.click("[data-testid=react-0]").await;
    screen.wait_text("#bs-reactions", "Fan").await;
    // Ana takes the diagonal 0, 4, 8 while Bo plays 3 and 5.
    for (page, cell) in [(&bo, 3), (&ana, 0), (&bo, 5), (&ana, 8)] {
        page.wait_enabled(&format!("[data-testid=cell-{cell}]")).await;
        page.click(&format!("[data-testid=cell-{cell}]")).await;
    }
    // The big screen keeps the room's scoreboard across games.
    screen.wait_text("[data-testid=scoreboard]", "Ana 1").await;
    screen.shot("screen-host-tictactoe").await;
    // A light theme for a bright room, kept across a reload.
    screen.click("[data-testid=theme-toggle]").await;
    screen.wait_js("the light theme", "return document.body.dataset.theme === 'light';").await;
    screen.shot("screen-host-light").await;
    for page in [&screen, &ana, &bo, &cy, &fan] {
        page.assert_no_script_errors().await;
    }
}
