//! The other games on layout.rs's phone shapes: rock paper scissors, crazy eights, dots and
//! boxes and light cycles, between a landscape phone (740x360, the host) and a small one
//! (320x568). The same checks as tic-tac-toe and connect four there: the board whole on screen
//! and clear of the chat and the status (for a board that scrolls, its column), nothing wider
//! than the screen, the main actions on screen and uncovered, the board's buttons big enough to
//! tap; and a screenshot of each game at both sizes (the lobby, playing, and the end where a
//! game is short).

use std::time::Instant;

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME, Page};
use crate::layout::{GEOMETRY, board_fits, on_screen, smallest_button};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_other_games_fit_landscape_and_small_phones() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("layout, other games").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    let ana = driver.phone_sized("ana-740x360", &base, 740, 360).await;
    let bo = driver.phone_sized("bo-320x568", &base, 320, 568).await;
    for (page, name) in [(&ana, "Ana"), (&bo, "Bo")] {
        page.open("/").await;
        page.type_into("[data-testid=name-input]", name).await;
        page.click("[data-testid=name-submit]").await;
        page.wait_text("[data-testid=me-name]", name).await;
    }

    // Rock paper scissors, best of 1: the three choices are the board's buttons.
    pair_up(&ana, &bo, "rps", &["[data-testid=opt-best_of-1]"]).await;
    let picks = ["choice-rock", "choice-paper", "choice-scissors", "status"];
    for page in [&ana, &bo] {
        page.wait_no_problems("the board's column on screen", &flow_fits(64, 64)).await;
        page.wait_no_problems("the choices on screen", &on_screen(&picks)).await;
        page.shot("rps").await;
        eprintln!("{}: rps, {}", page.name(), smallest_button(page).await);
    }
    ana.click("[data-testid=choice-rock]").await;
    bo.click("[data-testid=choice-scissors]").await;
    for page in [&ana, &bo] {
        page.wait_text("[data-testid=last-round]", "Scissors").await;
        page.wait_no_problems("Rematch on screen", &on_screen(&["rematch", "status"])).await;
        page.wait_no_problems("the board's column after the game", &flow_fits(0, 0)).await;
        page.shot("rps-over").await;
    }
    leave_both(&ana, &bo).await;

    // Crazy eights: the hand, Draw and Pass are what is tapped.
    pair_up(&ana, &bo, "crazy_eights", &[]).await;
    ana.wait_text("[data-testid=status]", "Your turn").await;
    for page in [&ana, &bo] {
        page.wait_text("[data-testid=hand-count]", "Your hand").await;
        page.wait_no_problems("the table and hand on screen", &flow_fits(44, 44)).await;
        let actions = on_screen(&["draw", "pass", "status", "chat-toggle"]);
        page.wait_no_problems("Draw and Pass on screen", &scrolled_to(&["draw"], &actions)).await;
        page.shot("crazy-eights").await;
        eprintln!("{}: crazy eights, {}", page.name(), smallest_button(page).await);
    }
    leave_both(&ana, &bo).await;

    // Dots and boxes, the 4 x 4 default: the lines between the dots are the buttons.
    pair_up(&ana, &bo, "dots_and_boxes", &[]).await;
    ana.wait_text("[data-testid=status]", "Your turn").await;
    for (page, mover) in [(&ana, true), (&bo, false)] {
        page.wait_no_problems("the grid in full", &board_fits(0, 0)).await;
        page.wait_no_problems("the status on screen", &on_screen(&["status", "chat-toggle"])).await;
        if mover {
            // The lines' tap targets (diamonds that tile the grid), 44 px across or more.
            page.wait_no_problems("the lines' targets of 44 px", &targets_fit(44)).await;
            let size = page.js(TARGET_SIZE).await;
            eprintln!("{}: dots and boxes, the smallest line target {size} px", page.name());
        }
    }
    ana.click("[data-testid=line-h-0-0]").await;
    bo.wait_text("[data-testid=status]", "Your turn").await;
    bo.wait_no_problems("the lines' targets of 44 px", &targets_fit(44)).await;
    let size = bo.js(TARGET_SIZE).await;
    eprintln!("{}: dots and boxes, the smallest line target {size} px", bo.name());
    for page in [&ana, &bo] {
        let drawn = "return !!document.querySelector('[data-testid=drawn-h-0-0]');";
        page.wait_js("the line drawn", drawn).await;
        page.shot("dots-and-boxes").await;
    }
    leave_both(&ana, &bo).await;

    // Light cycles, one round: the four arrows, 56 px or more, and the arena beside or above.
    pair_up(&ana, &bo, "light_cycles", &["[data-testid=opt-rounds-1]"]).await;
    let arrows = ["steer-up", "steer-left", "steer-right", "steer-down", "status"];
    for page in [&ana, &bo] {
        page.wait_enabled("[data-testid=steer-up]").await;
        page.wait_no_problems("the arena and the arrows in full", &board_fits(56, 56)).await;
        page.wait_no_problems("the arrows on screen", &on_screen(&arrows)).await;
        page.snap("light-cycles").await;
        eprintln!("{}: light cycles, {}", page.name(), smallest_button(page).await);
    }
    // Ana turns up into the top edge: Bo rides on and wins.
    ana.click("[data-testid=steer-up]").await;
    for (page, banner) in [(&ana, "Bo wins the game!"), (&bo, "You win the game!")] {
        page.wait_text("[data-testid=lc-banner]", banner).await;
        page.wait_no_problems("Rematch on screen", &on_screen(&["rematch", "status"])).await;
        page.wait_no_problems("the arena after the game", &board_fits(0, 0)).await;
        page.shot("light-cycles-over").await;
    }

    for page in [&ana, &bo] {
        page.assert_no_script_errors().await;
    }
    for page in [ana, bo] {
        page.close().await;
    }
    eprintln!("browser test (layout, other games) took {:.1} s", started.elapsed().as_secs_f64());
}

/// The host makes a room of `game` (tapping `options` on the form), the guest joins it by its
/// code; the lobby's actions are on screen on both; the host starts.
async fn pair_up(host: &Page, guest: &Page, game: &str, options: &[&str]) {
    host.click(&format!("[data-testid=game-{game}]")).await;
    for option in options {
        host.click(option).await;
    }
    host.click("[data-testid=create-room]").await;
    let code = host.wait_text("[data-testid=room-code]", "").await;
    guest.type_into("[data-testid=join-code]", &code).await;
    guest.click("[data-testid=join-submit]").await;
    guest.wait_text("[data-testid=room-code-small]", &code).await;
    host.wait_enabled("[data-testid=start]").await;
    host.wait_no_problems("Start on screen", &on_screen(&["start", "status"])).await;
    guest.wait_no_problems("Ready on screen", &on_screen(&["ready", "status"])).await;
    host.shot(&format!("{game}-lobby")).await;
    host.click("[data-testid=start]").await;
}

/// Both leave the room (confirming), back on home.
async fn leave_both(host: &Page, guest: &Page) {
    for page in [guest, host] {
        page.click("[data-testid=leave]").await;
        page.click("[data-testid=leave-confirm]").await;
        page.wait_visible("[data-testid=screen-home]").await;
    }
}

/// JS: the smallest side of the smallest line target on the dots and boxes board, in px.
const TARGET_SIZE: &str = "const r = [...document.querySelectorAll('[data-testid=board] [role=button]')] \
    .map((e) => e.getBoundingClientRect()); \
    return Math.round(Math.min(...r.map((b) => Math.min(b.width, b.height))));";

/// JS: the dots and boxes line targets (SVG shapes that are buttons) smaller than `min` px
/// across, or none to tap.
fn targets_fit(min: u32) -> String {
    format!(
        "const out = []; const all = document.querySelectorAll('[data-testid=board] [role=button]');
         if (all.length === 0) out.push('no line to tap');
         for (const t of all) {{
           const r = t.getBoundingClientRect();
           if (Math.min(r.width, r.height) < {min} - 0.5)
             out.push(`${{t.dataset.testid}} is ${{Math.round(r.width)}}x${{Math.round(r.height)}} px`);
         }}
         return out;"
    )
}

/// JS: `then` (a check that returns a list of problems), after scrolling each of `testids` into
/// view inside the board's column (a board that scrolls shows its lower part when scrolled).
fn scrolled_to(testids: &[&str], then: &str) -> String {
    let list = serde_json::to_string(testids).expect("a list of strings");
    format!(
        "for (const id of {list}) {{
           const e = document.querySelector(`[data-testid=${{id}}]`);
           if (e) e.scrollIntoView({{ block: 'nearest', inline: 'nearest' }});
         }}
         return (() => {{ {then} }})();"
    )
}

/// JS: what is wrong with a board that scrolls in its column (rock paper scissors, crazy
/// eights): the column not all on screen or under the chat or the status, the board wider than
/// its column or the page wider than the screen, or a button in it smaller than `min_w` x
/// `min_h`.
fn flow_fits(min_w: u32, min_h: u32) -> String {
    format!(
        "{GEOMETRY}
         const out = []; const board = document.querySelector('[data-testid=board]');
         if (!board) return ['no board'];
         const wrap = board.closest('.board-wrap') || board;
         const w = rect(wrap);
         if (!inView(w)) out.push(`the board's column ${{show(w)}} is not all on screen (${{innerWidth}}x${{innerHeight}})`);
         if (w.height < 100) out.push(`the board's column is ${{Math.round(w.height)}} px tall`);
         for (const id of ['chat', 'status']) {{
           const o = rect(document.getElementById(id));
           if (overlap(w, o)) out.push(`the board's column ${{show(w)}} is under #${{id}} ${{show(o)}}`);
         }}
         if (wrap.scrollWidth > wrap.clientWidth + 1) out.push(`the board is ${{wrap.scrollWidth}} px wide in a column of ${{wrap.clientWidth}}`);
         if (document.documentElement.scrollWidth > innerWidth + 1) out.push(`the page is ${{document.documentElement.scrollWidth}} px wide`);
         for (const c of board.querySelectorAll('button')) {{
           const r = rect(c);
           if (r.width < {min_w} - 0.5 || r.height < {min_h} - 0.5)
             out.push(`${{c.dataset.testid}} is ${{Math.round(r.width)}}x${{Math.round(r.height)}} px`);
         }}
         return out;"
    )
}
