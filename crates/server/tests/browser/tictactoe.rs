//! Tic-tac-toe on two phones, with chat, a reload, a dropped connection, a spectator and the
//! big screen.

use std::time::Instant;

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME};

/// Two phones play tic-tac-toe to a win, chat, survive a reload and a dropped connection; a
/// spectator and a big screen follow, through the result and a rematch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_phones_play_tictactoe_with_chat_resume_spectator_and_big_screen() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("tictactoe").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    // Ana opens the app, picks a name, and creates a tic-tac-toe room.
    let ana = driver.phone("ana", &base).await;
    ana.open("/").await;
    ana.wait_visible("[data-testid=screen-name]").await;
    ana.shot("welcome").await;
    ana.type_into("[data-testid=name-input]", "Ana").await;
    ana.click("[data-testid=name-submit]").await;
    ana.wait_visible("[data-testid=screen-home]").await;
    ana.wait_text("[data-testid=me-name]", "Ana").await;
    ana.click("[data-testid=game-tictactoe]").await;
    ana.shot("home").await;
    ana.click("[data-testid=create-room]").await;
    let code = ana.wait_text("[data-testid=room-code]", "").await;
    assert!(code.len() == 4 && code.chars().all(|c| c.is_ascii_uppercase()), "code {code:?}");
    ana.wait_text("[data-testid=status]", "Waiting for 1 more player").await;
    ana.wait_text("[data-testid=join-link]", &format!("/join/{code}")).await;
    ana.wait_js(
        "the QR code of the join link loaded",
        &format!(
            "const img = document.querySelector('[data-testid=qr]'); \
             return !!img && img.getAttribute('src') === '/qr/{code}.svg' \
                 && img.complete && img.naturalWidth > 0;"
        ),
    )
    .await;
    assert!(!ana.enabled("[data-testid=start]").await, "no start with an empty seat");

    // Bo types a code that does not exist first: the server's refusal shows in words.
    let bo = driver.phone("bo", &base).await;
    bo.open("/").await;
    bo.type_into("[data-testid=name-input]", "Bo").await;
    bo.click("[data-testid=name-submit]").await;
    bo.wait_visible("[data-testid=screen-home]").await;
    let wrong = if code == "WXYA" { "WXYC" } else { "WXYA" };
    bo.type_into("[data-testid=join-code]", wrong).await;
    bo.click("[data-testid=join-submit]").await;
    let error = bo.wait_text("[data-testid=join-error]", "no open room").await;
    assert!(error.contains(wrong), "the error names the code: {error}");
    bo.shot("join-error").await;
    // Then the right code, typed in lower case.
    bo.type_into("[data-testid=join-code]", &code.to_lowercase()).await;
    bo.click("[data-testid=join-submit]").await;
    bo.wait_text("[data-testid=room-code]", &code).await;
    bo.wait_text("[data-testid=seat-0]", "Ana").await;
    bo.wait_text("[data-testid=seat-1]", "Bo").await;
    bo.wait_text("[data-testid=status]", "Waiting for Ana to start").await;

    // Ana's lobby fills up; she can start.
    ana.wait_text("[data-testid=seat-1]", "Bo").await;
    ana.wait_text("[data-testid=status]", "Everyone is here").await;
    ana.wait_enabled("[data-testid=start]").await;
    ana.shot("lobby").await;

    // The big screen joins as its own spectator and shows the code, QR and players.
    let screen = driver.desktop("screen", &base).await;
    screen.open(&format!("/screen/{code}")).await;
    screen.wait_text("[data-testid=room-code]", &code).await;
    screen.wait_text("[data-testid=players]", "Ana").await;
    screen.wait_text("[data-testid=players]", "Bo").await;
    screen
        .wait_js(
            "the big screen's QR code loaded",
            "const img = document.querySelector('[data-testid=qr]'); \
         return !!img && img.complete && img.naturalWidth > 0;",
        )
        .await;
    // The big screen is counted apart, not listed as a watcher to message.
    ana.wait_text("[data-testid=on-screen]", "big screen").await;
    assert!(
        !ana.exists("[data-testid=spectators]").await
            || !ana.text("[data-testid=spectators]").await.contains("Big screen")
    );
    screen.shot("lobby").await;

    // Ana starts; X (Ana) moves first.
    ana.click("[data-testid=start]").await;
    ana.wait_text("[data-testid=status]", "Your turn").await;
    bo.wait_text("[data-testid=status]", "Ana's turn").await;
    screen.wait_text("[data-testid=status]", "Ana's turn").await;
    assert!(!bo.enabled("[data-testid=cell-4]").await, "Bo cannot move on Ana's turn");
    ana.click("[data-testid=cell-4]").await;
    bo.wait_mark(4, "X").await;
    bo.wait_text("[data-testid=status]", "Your turn").await;
    bo.wait_text("[data-testid=last-move]", "Ana (X) took the centre").await;
    ana.wait_text("[data-testid=status]", "Bo's turn").await;
    assert!(!ana.enabled("[data-testid=cell-0]").await, "Ana cannot move on Bo's turn");
    assert!(!bo.enabled("[data-testid=cell-4]").await, "a taken cell cannot be tapped");
    screen.wait_mark(4, "X").await;

    // Chat: Ana writes; Bo sees an unread count on the closed drawer, then the message.
    ana.click("[data-testid=chat-toggle]").await;
    ana.type_into("[data-testid=chat-input]", "good luck, Bo!").await;
    ana.click("[data-testid=chat-send]").await;
    ana.wait_text("[data-testid=chat-log]", "good luck, Bo!").await;
    bo.wait_text("[data-testid=chat-unread]", "1").await;
    bo.wait_text("[data-testid=chat-preview]", "Ana: good luck, Bo!").await;
    bo.shot("game-your-turn").await;
    bo.click("[data-testid=chat-toggle]").await;
    bo.wait_text("[data-testid=chat-log]", "good luck, Bo!").await;
    let name = bo.text(".msg:last-child [data-testid=chat-name]").await;
    assert_eq!(name, "Ana", "the sender's name is on the message");
    bo.assert_board_above_chat().await;
    bo.type_into("[data-testid=chat-input]", "thanks Ana :)").await;
    bo.click("[data-testid=chat-send]").await;
    ana.wait_text("[data-testid=chat-log]", "thanks Ana :)").await;
    assert_eq!(ana.text(".msg:last-child [data-testid=chat-name]").await, "Bo");
    ana.assert_board_above_chat().await;
    ana.shot("chat-open").await;
    screen.wait_text("[data-testid=chat-log]", "thanks Ana :)").await;
    bo.click("[data-testid=chat-toggle]").await;
    ana.click("[data-testid=chat-toggle]").await;

    // A move the UI would not offer still gets a clear answer from the server, in words.
    bo.force_click("[data-testid=cell-4]").await;
    bo.wait_text("[data-testid=toast]", "cell 4 is taken").await;
    bo.shot("server-error").await;
    bo.click("[data-testid=toast-close]").await;
    bo.wait_hidden("[data-testid=toast]").await;

    bo.click("[data-testid=cell-0]").await;
    ana.wait_mark(0, "O").await;
    ana.click("[data-testid=chat-toggle]").await;
    ana.type_into("[data-testid=chat-input]", "nice block").await;
    ana.click("[data-testid=chat-send]").await;
    ana.wait_text("[data-testid=chat-log]", "nice block").await;
    ana.click("[data-testid=chat-toggle]").await;
    ana.click("[data-testid=cell-3]").await;
    bo.wait_mark(3, "X").await;
    bo.wait_text("[data-testid=status]", "Your turn").await;
    bo.wait_text("[data-testid=chat-unread]", "1").await;
    bo.shot("game").await;

    // Bo's phone reloads mid-game: same player, same seat, same board.
    bo.client.refresh().await.expect("reload");
    bo.wait_text("[data-testid=room-code-small]", &code).await;
    bo.wait_text("[data-testid=status]", "Your turn (you are O)").await;
    bo.wait_mark(4, "X").await;
    bo.wait_mark(0, "O").await;
    bo.wait_text("[data-testid=side-1]", "Bo (you)").await;
    bo.wait_text("[data-testid=chat-preview]", "Ana: nice block").await;
    bo.shot("after-reload").await;
    bo.click("[data-testid=cell-1]").await;
    ana.wait_mark(1, "O").await;
    ana.wait_text("[data-testid=status]", "Your turn").await;

    // Ana's connection drops (a phone going through a tunnel). She sees that it is reconnecting;
    // Bo sees her as away. Meanwhile Bo writes and a spectator arrives.
    ana.js("window.capitalTest.dropConnection(120000); return true;").await;
    ana.wait_visible("[data-testid=conn-banner]").await;
    ana.wait_text("[data-testid=conn-banner]", "Reconnecting").await;
    ana.wait_js("the board is locked offline", BOARD_LOCKED).await;
    ana.shot("reconnecting").await;
    bo.wait_text("[data-testid=side-0]", "offline").await;
    bo.click("[data-testid=chat-toggle]").await;
    bo.type_into("[data-testid=chat-input]", "are you still there?").await;
    bo.click("[data-testid=chat-send]").await;
    bo.wait_text("[data-testid=chat-log]", "are you still there?").await;
    bo.click("[data-testid=chat-toggle]").await;

    // Cy opens the join link on a new phone: name prompt, then straight into the room. A game
    // is on, so Cy watches.
    let cy = driver.phone("cy", &base).await;
    cy.open(&format!("/join/{code}")).await;
    cy.wait_text("[data-testid=name-joining]", &code).await;
    cy.shot("join-link-name").await;
    cy.type_into("[data-testid=name-input]", "Cy").await;
    cy.click("[data-testid=name-submit]").await;
    cy.wait_text("[data-testid=watching]", "Watching").await;
    cy.wait_text("[data-testid=toast]", "you are watching").await;
    cy.wait_mark(4, "X").await;
    cy.wait_mark(1, "O").await;
    cy.wait_text("[data-testid=status]", "Ana's turn").await;
    assert!(!cy.enabled("[data-testid=cell-5]").await, "spectators cannot move");
    cy.shot("spectator").await;

    // Ana's network is back (the page would also retry by itself, with growing pauses): the
    // banner goes, and she has caught up on what she missed.
    ana.js("window.capitalTest.networkBack(); return true;").await;
    ana.wait_hidden("[data-testid=conn-banner]").await;
    ana.wait_text("[data-testid=status]", "Your turn").await;
    ana.wait_text("[data-testid=chat-unread]", "1").await;
    ana.wait_text("[data-testid=chat-preview]", "Bo: are you still there?").await;
    // Cy watches; the big screen is not counted among the watchers.
    ana.wait_text(".versus", "1 watching").await;
    bo.wait_js(
        "Ana shows as connected again",
        "return !document.querySelector('[data-testid=side-0]').textContent.includes('offline');",
    )
    .await;

    // Ana completes the middle row and wins. Everyone sees it, in words.
    ana.click("[data-testid=cell-5]").await;
    ana.wait_text("[data-testid=status]", "You won!\nThree in a row").await;
    bo.wait_text("[data-testid=status]", "Ana won\nThree in a row").await;
    cy.wait_text("[data-testid=status]", "Ana won\nThree in a row").await;
    screen.wait_text("[data-testid=status]", "Ana won\nThree in a row").await;
    for page in [&ana, &bo, &cy, &screen] {
        page.wait_js(
            "the winning line is marked",
            "return [3, 4, 5].every(i => document.querySelector(`[data-testid=cell-${i}]`)\
                 .classList.contains('win'));",
        )
        .await;
    }
    ana.shot("won").await;
    bo.shot("lost").await;
    cy.shot("spectator-result").await;
    screen.shot("result").await;
    assert!(!cy.exists("[data-testid=rematch]").await, "spectators get no rematch button");

    // Rematch in one step: Bo asks, Ana's phone offers to join him, she taps, and after a
    // countdown game 2 starts by itself with the seats swapped; the big screen follows.
    bo.click("[data-testid=rematch]").await;
    bo.wait_text("[data-testid=rematch]", "Waiting for Ana").await;
    ana.wait_text("[data-testid=rematch]", "Rematch: Bo is in").await;
    cy.wait_text("[data-testid=rematch-note]", "Bo wants a rematch").await;
    ana.shot("rematch-offered").await;
    ana.click("[data-testid=rematch]").await;
    ana.wait_text("[data-testid=countdown]", "Next game in").await;
    ana.wait_text("[data-testid=seat-0]", "Bo").await;
    ana.wait_text("[data-testid=seat-1]", "Ana").await;
    screen.wait_text("[data-testid=countdown]", "Next game in").await;
    screen.shot("rematch-countdown").await;
    bo.wait_text("[data-testid=status]", "Your turn (you are X)").await;
    screen.wait_text("[data-testid=status]", "Bo's turn (X)").await;
    screen.wait_text("[data-testid=room-game]", "game 2").await;
    bo.click("[data-testid=cell-0]").await;
    screen.wait_mark(0, "X").await;
    cy.wait_mark(0, "X").await;
    screen.shot("game-2").await;

    for page in [&ana, &bo, &cy, &screen] {
        page.assert_no_script_errors().await;
    }
    for page in [ana, bo, cy, screen] {
        page.close().await;
    }
    eprintln!("browser test (tic-tac-toe) took {:.1} s", started.elapsed().as_secs_f64());
}

/// JS: every board button is disabled (the page is offline or it is not this viewer's move).
const BOARD_LOCKED: &str =
    "return [...document.querySelectorAll('[data-testid=board] button')].every(b => b.disabled);";
