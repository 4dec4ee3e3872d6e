//! Phones of other shapes: landscape (740x360 and 640x360), small (320x568), and the usual
//! 360x640 with the chat open. The board stays whole, clear of the chat and big enough to tap
//! (tic-tac-toe cells of 64 px or more); the status and the main action (Start, Rematch) stay on
//! screen and uncovered; a toast stays out of the board and the buttons. Screenshots of the main
//! screens (name, home, lobby, game, game over, chat open, messages) at 740x360 and 320 px wide.

use std::time::Instant;

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME, Page};

/// Tic-tac-toe between a landscape phone and a portrait one, with a small phone watching; then
/// connect four between a 640x360 landscape phone and the small one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn landscape_and_small_phones_keep_the_board_big_and_the_actions_on_screen() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("layout").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    // Ana holds her phone sideways, 740x360.
    let ana = driver.phone_sized("ana-740x360", &base, 740, 360).await;
    ana.open("/").await;
    ana.wait_visible("[data-testid=screen-name]").await;
    ana.shot("name").await;
    ana.type_into("[data-testid=name-input]", "Ana").await;
    ana.click("[data-testid=name-submit]").await;
    ana.wait_text("[data-testid=me-name]", "Ana").await;
    ana.shot("home").await;
    ana.click("[data-testid=game-tictactoe]").await;
    ana.click("[data-testid=create-room]").await;
    let code = ana.wait_text("[data-testid=room-code]", "").await;

    let bo = driver.phone("bo-360x640", &base).await;
    bo.join_by_link(&code, "Bo").await;
    ana.wait_enabled("[data-testid=start]").await;
    ana.wait_no_problems("Start and the status on screen", &on_screen(&["start", "status"])).await;
    ana.shot("lobby").await;
    ana.click("[data-testid=start]").await;

    // Playing: both boards whole, with cells of 64 px or more, beside or under the status.
    for page in [&ana, &bo] {
        page.wait_no_problems("the board in full, cells of 64 px", &board_fits(64, 64)).await;
        page.wait_no_problems("the status on screen", &on_screen(&["status", "chat-toggle"])).await;
    }
    ana.click("[data-testid=cell-0]").await;
    bo.wait_mark(0, "X").await;

    // Cy opens the link on a small phone mid-game: he watches, and the toast that says so
    // covers neither the board nor a button.
    let cy = driver.phone_sized("cy-320x568", &base, 320, 568).await;
    cy.open(&format!("/join/{code}")).await;
    cy.wait_visible("[data-testid=screen-name]").await;
    cy.shot("name").await;
    cy.record_texts("#toast-text").await;
    cy.type_into("[data-testid=name-input]", "Cy").await;
    cy.click("[data-testid=name-submit]").await;
    cy.wait_text("[data-testid=toast]", "you are watching").await;
    cy.wait_no_problems("the toast clear of the board", &toast_clear(ROOM_CONTROLS)).await;
    cy.wait_no_problems("the board in full, cells of 64 px", &board_fits(64, 64)).await;
    cy.shot("spectator-toast").await;
    let toasts = cy.seen("#toast-text").await;
    assert_eq!(toasts, ["A game is on: you are watching."], "one toast, said once");

    for (page, cell) in [(&bo, 3), (&ana, 1), (&bo, 4)] {
        page.click(&format!("[data-testid=cell-{cell}]")).await;
        cy.wait_js(
            "the move",
            &format!("return !!document.querySelector('[data-testid=cell-{cell}]').dataset.mark;"),
        )
        .await;
    }
    ana.wait_text("[data-testid=status]", "Your turn").await;
    ana.shot("game").await;
    ana.click("[data-testid=cell-2]").await;

    // Game over: the board, the result and Rematch all on screen, on every phone.
    for page in [&ana, &bo] {
        page.wait_text("[data-testid=status]", "won").await;
        page.wait_no_problems("the board in full after the game", &board_fits(64, 64)).await;
        page.wait_no_problems("Rematch on screen", &on_screen(&["rematch", "status"])).await;
        eprintln!("{}: game over, {}", page.name(), smallest_button(page).await);
    }
    ana.shot("game-over").await;
    bo.shot("game-over").await;

    // With the chat open, the board and Rematch stay (360x640 and landscape).
    for page in [&bo, &ana] {
        page.click("[data-testid=chat-toggle]").await;
        page.wait_visible("[data-testid=chat-input]").await;
        page.wait_no_problems("the board in full with the chat open", &board_fits(64, 64)).await;
        let controls = on_screen(&["rematch", "status", "chat-input", "chat-send"]);
        page.wait_no_problems("Rematch and the chat on screen", &controls).await;
        eprintln!("{}: chat open, {}", page.name(), smallest_button(page).await);
    }
    ana.type_into("[data-testid=chat-input]", "good game").await;
    ana.click("[data-testid=chat-send]").await;
    bo.wait_text("[data-testid=chat-log]", "good game").await;
    ana.shot("chat-open").await;
    bo.shot("chat-open").await;
    ana.click("[data-testid=messages-room]").await;
    ana.wait_visible("[data-testid=screen-messages]").await;
    ana.shot("messages").await;
    ana.click("[data-testid=messages-back]").await;
    ana.wait_visible("[data-testid=screen-room]").await;
    for page in [&ana, &bo, &cy] {
        page.assert_no_script_errors().await;
    }
    for page in [ana, bo] {
        page.close().await;
    }

    // Connect four: Dee on a 640x360 landscape phone, Cy on his small one. The columns are
    // what is tapped: 44 px wide or more sideways, 36 on 320 px (seven across).
    let dee = driver.phone_sized("dee-640x360", &base, 640, 360).await;
    dee.open("/").await;
    dee.type_into("[data-testid=name-input]", "Dee").await;
    dee.click("[data-testid=name-submit]").await;
    dee.click("[data-testid=game-connect_four]").await;
    dee.click("[data-testid=create-room]").await;
    let code4 = dee.wait_text("[data-testid=room-code]", "").await;
    cy.click("[data-testid=leave]").await;
    cy.click("[data-testid=leave-confirm]").await;
    cy.wait_visible("[data-testid=screen-home]").await;
    cy.shot("home").await;
    cy.type_into("[data-testid=join-code]", &code4).await;
    cy.click("[data-testid=join-submit]").await;
    cy.wait_text("[data-testid=seat-1]", "Cy").await;
    cy.wait_no_problems("Ready on screen", &on_screen(&["ready", "status"])).await;
    cy.shot("lobby").await;
    dee.wait_no_problems("Start on screen", &on_screen(&["start", "status"])).await;
    dee.click("[data-testid=start]").await;
    dee.wait_no_problems("the board in full, columns 44 px wide", &board_fits(44, 200)).await;
    cy.wait_no_problems("the board in full, columns 36 px wide", &board_fits(36, 200)).await;
    for (i, column) in [3, 4, 3, 4, 3, 4, 3].into_iter().enumerate() {
        let mover = if i % 2 == 0 { &dee } else { &cy };
        mover.wait_text("[data-testid=status]", "Your turn").await;
        mover.click(&format!("[data-testid=col-{column}]")).await;
        let discs = i + 1;
        for page in [&dee, &cy] {
            let script =
                format!("return document.querySelectorAll('.c4 .disc').length === {discs};");
            page.wait_js(&format!("{discs} discs"), &script).await;
        }
        if i == 4 {
            cy.shot("game").await;
            dee.shot("game").await;
        }
    }
    for (page, min_w) in [(&dee, 44), (&cy, 36)] {
        page.wait_text("[data-testid=status]", "won").await;
        page.wait_no_problems("the board in full after the game", &board_fits(min_w, 200)).await;
        page.wait_no_problems("Rematch on screen", &on_screen(&["rematch", "status"])).await;
        eprintln!("{}: game over, {}", page.name(), smallest_button(page).await);
    }
    cy.shot("game-over").await;
    dee.shot("game-over").await;
    cy.click("[data-testid=chat-toggle]").await;
    cy.wait_no_problems("the board with the chat open", &board_fits(36, 120)).await;
    let controls = on_screen(&["rematch", "chat-input", "chat-send"]);
    cy.wait_no_problems("Rematch and the chat on screen", &controls).await;
    cy.shot("chat-open").await;
    cy.click("[data-testid=messages-room]").await;
    cy.wait_visible("[data-testid=screen-messages]").await;
    cy.shot("messages").await;

    for page in [&dee, &cy] {
        page.assert_no_script_errors().await;
    }
    for page in [dee, cy] {
        page.close().await;
    }
    eprintln!("browser test (layout) took {:.1} s", started.elapsed().as_secs_f64());
}

/// What a toast must not cover in a room.
pub const ROOM_CONTROLS: &[&str] = &[
    "[data-testid=board]",
    "[data-testid=start]",
    "[data-testid=ready]",
    "[data-testid=rematch]",
    "[data-testid=share]",
    "[data-testid=chat-toggle]",
    "[data-testid=chat-input]",
];

/// The smallest button on the board, in words ("smallest of 9 buttons 108x108 px"), for the log.
pub async fn smallest_button(page: &Page) -> String {
    let script = "const b = [...document.querySelectorAll('[data-testid=board] button')] \
                      .map((e) => e.getBoundingClientRect()); \
                  const w = Math.min(...b.map((r) => r.width)); \
                  const h = Math.min(...b.map((r) => r.height)); \
                  return `smallest of ${b.length} board buttons ${Math.round(w)}x${Math.round(h)} px`;";
    page.js(script).await.as_str().unwrap_or_default().to_owned()
}

/// JS: what is wrong with the board: not all on screen, under the chat or the status, or a
/// button in it (a cell, a column) smaller than `min_w` x `min_h`.
pub fn board_fits(min_w: u32, min_h: u32) -> String {
    format!(
        "{GEOMETRY}
         const out = []; const board = document.querySelector('[data-testid=board]');
         if (!board) return ['no board'];
         const b = rect(board);
         if (!inView(b)) out.push(`the board ${{show(b)}} is not all on screen (${{innerWidth}}x${{innerHeight}})`);
         for (const id of ['chat', 'status']) {{
           const o = rect(document.getElementById(id));
           if (overlap(b, o)) out.push(`the board ${{show(b)}} is under #${{id}} ${{show(o)}}`);
         }}
         for (const c of board.querySelectorAll('button')) {{
           const r = rect(c);
           if (r.width < {min_w} - 0.5 || r.height < {min_h} - 0.5)
             out.push(`${{c.dataset.testid}} is ${{Math.round(r.width)}}x${{Math.round(r.height)}} px`);
         }}
         return out;"
    )
}

/// JS: which of the elements (by data-testid) are not all on screen, or are covered.
pub fn on_screen(testids: &[&str]) -> String {
    let list = serde_json::to_string(testids).expect("a list of strings");
    format!(
        "{GEOMETRY}
         const out = [];
         for (const id of {list}) {{
           const e = document.querySelector(`[data-testid=${{id}}]`);
           if (!e) {{ out.push(`${{id}} is missing`); continue; }}
           const r = rect(e);
           if (r.width < 1 || !inView(r)) {{ out.push(`${{id}} ${{show(r)}} is not all on screen (${{innerWidth}}x${{innerHeight}})`); continue; }}
           const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
           if (!hit || !e.contains(hit)) out.push(`${{id}} is covered by ${{hit ? hit.outerHTML.slice(0, 80) : 'nothing'}}`);
         }}
         return out;"
    )
}

/// JS: what of `selectors` the toast on show covers (nothing, or no toast on show, is wrong).
pub fn toast_clear(selectors: &[&str]) -> String {
    clear_of("[data-testid=toast]", selectors)
}

/// JS: what of `selectors` the element `over` (a toast, a moment) covers while it shows; it not
/// showing is wrong too.
pub fn clear_of(over: &str, selectors: &[&str]) -> String {
    let list = serde_json::to_string(selectors).expect("a list of strings");
    format!(
        "{GEOMETRY}
         const over = document.querySelector({over:?});
         if (!over || over.hidden || over.getClientRects().length === 0) return ['no {over} on show'];
         const t = rect(over); const out = [];
         for (const sel of {list}) for (const e of document.querySelectorAll(sel)) {{
           const r = rect(e);
           if (r.width > 0 && overlap(t, r)) out.push(`{over} ${{show(t)}} covers ${{sel}} ${{show(r)}}`);
         }}
         return out;"
    )
}

/// JS helpers for the checks above.
pub const GEOMETRY: &str = "const rect = (e) => e.getBoundingClientRect();
    const show = (r) => `[${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)}]`;
    const inView = (r) => r.left >= -1 && r.top >= -1 && r.right <= innerWidth + 1 && r.bottom <= innerHeight + 1;
    const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;";
