//! The keyboard and the screen reader: the focus stays where it was when the room is redrawn
//! (from every server message), the arrow keys move on the board, and the other player's move
//! is said in the live region.

use std::time::Instant;

use fantoccini::key::Key;

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME, Page};

/// Ana plays tic-tac-toe with the keyboard only: Tab to Start, which keeps the focus while the
/// lobby changes; Enter starts, and the focus is on the board; arrows and Enter move; after
/// Bo's move the focus is on a free cell again, with no Tab. Bo hears Ana's moves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_focus_survives_redraws_and_arrow_keys_move_on_the_board() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("keyboard").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    let ana = driver.phone("kb-ana", &base).await;
    let code = ana.create_room("Ana", "tictactoe").await;
    let bo = driver.phone("kb-bo", &base).await;
    bo.join_by_link(&code, "Bo").await;
    ana.wait_enabled("[data-testid=start]").await;

    // Tab from the top of the page to Start.
    ana.js("document.activeElement.blur(); return true;").await;
    let mut tabs = 0;
    while ana.focused().await != "start" {
        tabs += 1;
        assert!(tabs <= 15, "Start is reached with Tab (focus on {:?})", ana.focused().await);
        ana.press(&[Key::Tab]).await;
    }
    // Bo says he is ready: Ana's lobby is drawn again, and Start keeps the focus.
    bo.click("[data-testid=ready]").await;
    ana.wait_text("[data-testid=ready-count]", "Everyone is ready").await;
    assert_eq!(ana.focused().await, "start", "Start keeps the focus when the lobby is redrawn");

    // Enter starts the game: the focus goes onto the board, on its first cell.
    ana.press(&[Key::Enter]).await;
    ana.wait_text("[data-testid=status]", "Your turn").await;
    wait_focus(&ana, "cell-0").await;
    // Right, then Down: the centre. Enter takes it.
    ana.press(&[Key::Right, Key::Down]).await;
    assert_eq!(ana.focused().await, "cell-4", "the arrows move on the board");
    ana.shot("keyboard-centre").await;
    ana.press(&[Key::Enter]).await;
    bo.wait_mark(4, "X").await;
    // Bo's screen reader hears the move (the live region, not only the board).
    wait_announced(&bo, "Ana (X) took the centre").await;
    // While Ana waits, the focus stays on her board rather than falling back to the page.
    ana.wait_text("[data-testid=status]", "Bo's turn").await;
    ana.wait_js(
        "the focus on the waiting board",
        "return document.activeElement === document.querySelector('[data-testid=board]');",
    )
    .await;

    // Bo takes the top left: it is Ana's turn, and the focus is on a free cell, with no Tab.
    bo.click("[data-testid=cell-0]").await;
    wait_announced(&ana, "Bo (O) took top left").await;
    ana.wait_text("[data-testid=status]", "Your turn").await;
    ana.wait_js(
        "the focus on a free cell",
        "const e = document.activeElement; \
         return !!e && /^cell-/.test(e.dataset.testid || '') && !e.disabled;",
    )
    .await;
    // Home: the first free cell. Down goes over the taken centre to the bottom middle.
    ana.press(&[Key::Home]).await;
    assert_eq!(ana.focused().await, "cell-1", "Home goes to the first free cell");
    ana.press(&[Key::Down]).await;
    assert_eq!(ana.focused().await, "cell-7", "Down skips the taken centre");
    ana.press(&[Key::Enter]).await;
    bo.wait_mark(7, "X").await;
    wait_announced(&bo, "Ana (X) took bottom centre").await;
    // One Tab stop for the board: the free cell Ana is on; the others are reached by arrows.
    let stops = ana
        .js("return [...document.querySelectorAll('[data-testid=board] button')]\
             .filter(b => b.tabIndex === 0).length;")
        .await;
    assert!(stops.as_u64() <= Some(1), "the board is one Tab stop, not {stops}");

    for page in [&ana, &bo] {
        page.assert_no_script_errors().await;
    }
    for page in [ana, bo] {
        page.close().await;
    }
    eprintln!("browser test (keyboard) took {:.1} s", started.elapsed().as_secs_f64());
}

/// Waits until the element with the keyboard focus is `testid`.
async fn wait_focus(page: &Page, testid: &str) {
    let script =
        format!("const e = document.activeElement; return !!e && e.dataset.testid === '{testid}';");
    page.wait_js(&format!("the focus on {testid}"), &script).await;
}

/// Waits until the screen reader's live region says `words`.
async fn wait_announced(page: &Page, words: &str) {
    let script = format!(
        "return document.querySelector('[data-testid=announce]').textContent.includes('{words}');"
    );
    page.wait_js(&format!("the live region to say {words:?}"), &script).await;
}
