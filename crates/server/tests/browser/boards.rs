//! The other boards: rock paper scissors and connect four (a move with the arrow keys); a laptop
//! spectator; a token the server no longer knows.

use std::time::Instant;

use fantoccini::key::Key;
use serde_json::Value;

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME};

/// Rock paper scissors (secret choices) and connect four in the browser; a join link on a new
/// phone; leaving a room; and a token the server no longer knows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rock_paper_scissors_and_connect_four_boards() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("rps and connect four").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    // Ana creates a best-of-1 rock paper scissors room, using the options from list_games.
    let ana = driver.phone("ana2", &base).await;
    ana.open("/").await;
    ana.type_into("[data-testid=name-input]", "Ana").await;
    ana.click("[data-testid=name-submit]").await;
    ana.click("[data-testid=game-rps]").await;
    ana.click("[data-testid=opt-best_of-1]").await;
    ana.click("[data-testid=create-room]").await;
    let code = ana.wait_text("[data-testid=room-code]", "").await;
    ana.wait_text("[data-testid=room-game]", "Rock paper scissors").await;

    // Bo opens the join link on a new phone: name prompt, then straight into the room.
    let bo = driver.phone("bo2", &base).await;
    bo.open(&format!("/join/{code}")).await;
    bo.wait_text("[data-testid=name-joining]", &code).await;
    bo.wait_text("[data-testid=name-submit]", &format!("Join room {code}")).await;
    bo.type_into("[data-testid=name-input]", "Bo").await;
    bo.click("[data-testid=name-submit]").await;
    bo.wait_text("[data-testid=seat-1]", "Bo").await;
    ana.click("[data-testid=start]").await;

    // Ana chooses; Bo sees that she has, never what.
    ana.click("[data-testid=choice-rock]").await;
    ana.wait_text("[data-testid=board]", "You chose Rock").await;
    bo.wait_text("[data-testid=score-0]", "has chosen").await;
    assert!(!bo.exists("[data-testid=last-round]").await, "nothing is revealed yet");
    assert!(
        !bo.text("[data-testid=board]").await.contains("chose Rock"),
        "Bo cannot see her choice"
    );
    bo.wait_text("[data-testid=status]", "Your move").await;
    ana.wait_text("[data-testid=status]", "Waiting for Bo to choose").await;
    assert!(!ana.enabled("[data-testid=choice-paper]").await, "one choice per round");
    ana.shot("rps-chosen").await;
    bo.click("[data-testid=choice-scissors]").await;
    ana.wait_text("[data-testid=status]", "You won!\n1-0 in rounds").await;
    bo.wait_text("[data-testid=status]", "Ana won\n1-0 in rounds").await;
    bo.wait_text("[data-testid=last-round]", "Rock").await;
    bo.wait_text("[data-testid=last-round]", "Scissors").await;
    bo.shot("rps-result").await;

    // Ana leaves (after the game, so nothing is forfeited) and creates a connect four room.
    ana.click("[data-testid=leave]").await;
    ana.click("[data-testid=leave-confirm]").await;
    ana.wait_visible("[data-testid=screen-home]").await;
    bo.wait_text("[data-testid=score-0]", "Seat 1").await;
    ana.click("[data-testid=game-connect_four]").await;
    ana.click("[data-testid=create-room]").await;
    let code4 = ana.wait_text("[data-testid=room-code]", "").await;
    ana.wait_text("[data-testid=room-game]", "Connect four").await;
    bo.click("[data-testid=leave]").await;
    bo.click("[data-testid=leave-confirm]").await;
    bo.wait_visible("[data-testid=screen-home]").await;
    bo.type_into("[data-testid=join-code]", &code4).await;
    bo.click("[data-testid=join-submit]").await;
    bo.wait_text("[data-testid=seat-1]", "Bo").await;

    // Dee watches on a laptop: the "watch" button, and the chat beside the game.
    let dee = driver.desktop("dee", &base).await;
    dee.open("/").await;
    dee.type_into("[data-testid=name-input]", "Dee").await;
    dee.click("[data-testid=name-submit]").await;
    dee.type_into("[data-testid=join-code]", &code4).await;
    dee.click("[data-testid=watch-submit]").await;
    dee.wait_visible("[data-testid=watching]").await;
    dee.wait_visible("[data-testid=chat-input]").await;
    ana.wait_text("[data-testid=spectators]", "Dee").await;
    ana.click("[data-testid=start]").await;

    // Four in a column for Ana (Coral), with Bo stacking next to her. Ana drops her first disc
    // with the keyboard: on the middle column, Left three times, Enter.
    ana.wait_text("[data-testid=status]", "Your turn").await;
    ana.js("document.querySelector('[data-testid=col-3]').focus(); return true;").await;
    ana.press(&[Key::Left, Key::Left, Key::Left]).await;
    assert_eq!(ana.focused().await, "col-0", "Left moves from column to column");
    ana.press(&[Key::Enter]).await;
    bo.wait_js("Ana's disc", "return document.querySelectorAll('.c4 .disc').length === 1;").await;
    for (i, column) in [0, 1, 0, 1, 0, 1, 0].into_iter().enumerate().skip(1) {
        let (mover, other) = if i % 2 == 0 { (&ana, &bo) } else { (&bo, &ana) };
        mover.wait_text("[data-testid=status]", "Your turn").await;
        mover.click(&format!("[data-testid=col-{column}]")).await;
        let discs = i + 1;
        other
            .wait_js(
                &format!("{discs} discs on the board"),
                &format!("return document.querySelectorAll('.c4 .disc').length === {discs};"),
            )
            .await;
        if i == 4 {
            ana.shot("connect-four").await;
        }
    }
    ana.wait_text("[data-testid=status]", "You won!\nFour in a row").await;
    bo.wait_text("[data-testid=status]", "Ana won\nFour in a row").await;
    bo.wait_js("four winning discs", "return document.querySelectorAll('.c4 .win').length === 4;")
        .await;
    bo.shot("connect-four-result").await;
    dee.wait_text("[data-testid=status]", "Ana won\nFour in a row").await;
    dee.type_into("[data-testid=chat-input]", "well played!").await;
    dee.click("[data-testid=chat-send]").await;
    ana.wait_text("[data-testid=chat-preview]", "Dee: well played!").await;
    dee.shot("desktop-spectator").await;
    assert!(!bo.enabled("[data-testid=col-2]").await, "no moves after the end");

    // A token the server does not know (say, its data was reset): the page asks for a name again.
    bo.js("localStorage.setItem('capital.token', 'not-a-real-token'); return true;").await;
    bo.client.refresh().await.expect("reload");
    bo.wait_visible("[data-testid=screen-name]").await;
    bo.wait_text("#name-error", "no longer knows you").await;
    let token = bo.js("return localStorage.getItem('capital.token');").await;
    assert_eq!(token, Value::Null, "the bad token is dropped");
    // The address is still the room's join link, so the new player goes into the room; both
    // seats are held (by Ana and the old Bo), so the new player watches.
    bo.wait_text("[data-testid=name-joining]", &code4).await;
    bo.type_into("[data-testid=name-input]", "Bo again").await;
    bo.click("[data-testid=name-submit]").await;
    bo.wait_text("[data-testid=room-code-small]", &code4).await;
    bo.wait_visible("[data-testid=watching]").await;
    bo.wait_text("[data-testid=side-1]", "Bo").await;
    ana.wait_text("[data-testid=screen-room]", "2 watching").await;

    for page in [&ana, &bo, &dee] {
        page.assert_no_script_errors().await;
    }
    for page in [ana, bo, dee] {
        page.close().await;
    }
    eprintln!("browser test (rps, connect four) took {:.1} s", started.elapsed().as_secs_f64());
}
