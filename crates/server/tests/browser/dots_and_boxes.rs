//! Dots and boxes on three phones and the big screen: a 2 x 2 grid made from the options form, a
//! game started with three of four seats, lines tapped in turn, a box closed (its owner's colour
//! and score everywhere, and the same player draws again), and the turn timer's countdown.

use std::time::Instant;

use serde_json::Value;

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME, Page};

/// Three phones draw five lines of a 2 x 2 grid; Ana closes the top left box and goes again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_phones_play_dots_and_boxes_with_the_big_screen() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("dots and boxes").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    // Ana creates a 2 x 2 room from the form (4 x 4 is the default).
    let ana = driver.phone("anadb", &base).await;
    ana.open("/").await;
    ana.type_into("[data-testid=name-input]", "Ana").await;
    ana.click("[data-testid=name-submit]").await;
    ana.click("[data-testid=game-dots_and_boxes]").await;
    ana.wait_text("#game-options", "Rows of boxes").await;
    ana.click("[data-testid=opt-rows-2]").await;
    ana.click("[data-testid=opt-cols-2]").await;
    ana.shot("dots-form").await;
    ana.click("[data-testid=create-room]").await;
    let code = ana.wait_text("[data-testid=room-code]", "").await;
    ana.wait_text("[data-testid=room-game]", "Dots and boxes").await;
    ana.wait_text("[data-testid=seat-3]", "Open seat").await;

    let bo = driver.phone("bodb", &base).await;
    bo.join_by_link(&code, "Bo").await;
    let cy = driver.phone("cydb", &base).await;
    cy.join_by_link(&code, "Cy").await;
    ana.wait_text("[data-testid=start]", "Start with 3 players").await;
    let screen = driver.desktop("screendb", &base).await;
    screen.open(&format!("/screen/{code}")).await;
    screen.wait_text("[data-testid=players]", "Cy").await;
    ana.click("[data-testid=start]").await;

    let pages = [&ana, &bo, &cy];
    let all = [&ana, &bo, &cy, &screen];
    let names = ["Ana", "Bo", "Cy"];
    for page in all {
        // 3 x 3 dots: 12 lines, 4 boxes, a score for each of the three players.
        page.wait_visible("[data-testid=db-grid]").await;
        let boxes =
            page.js("return document.querySelectorAll('[data-testid^=box-]').length;").await;
        assert_eq!(boxes, Value::from(4), "a 2 x 2 grid");
        for (seat, name) in names.iter().enumerate() {
            page.wait_text(&format!("[data-testid=db-seat-{seat}]"), name).await;
        }
        assert!(!page.exists("[data-testid=db-seat-3]").await, "the empty seat does not play");
    }
    ana.wait_text("[data-testid=status]", "Your turn").await;
    bo.wait_text("[data-testid=status]", "Ana's turn").await;
    assert!(!bo.exists("[data-testid^=line-]").await, "no lines to tap off turn");
    assert!(!screen.exists("[data-testid^=line-]").await, "none on the big screen");

    // The countdown: the room's 30-second timer, running down for the seat on turn.
    for page in all {
        let left = clock_left(page, 0).await;
        assert!((20..=30).contains(&left), "{left} s left of 30");
    }
    assert!(!ana.exists("[data-testid=db-clock-1]").await, "only the seat on turn has a clock");
    let first = clock_left(&bo, 0).await;
    bo.wait_js(
        "the countdown to go down",
        &format!(
            "const c = document.querySelector('[data-testid=db-clock-0]'); \
             return !!c && Number(c.dataset.left) < {first} && /^0:[0-9][0-9]$/.test(c.textContent);"
        ),
    )
    .await;
    // The tap targets are at least 44 px across on a phone.
    let size = ana
        .js(
            "const r = document.querySelector('[data-testid=line-h-0-0]').getBoundingClientRect(); \
             return Math.min(r.width, r.height);",
        )
        .await;
    assert!(size.as_f64().unwrap_or(0.0) >= 44.0, "a line's target is {size} px");
    ana.shot("dots-your-turn").await;
    screen.shot("dots-screen-start").await;

    // Four lines without a box: the turn passes each time. The fourth side of the top left box
    // comes with Ana's second line.
    let plan = [(0, "h-0-0"), (1, "v-0-0"), (2, "h-1-0")];
    for (seat, line) in plan {
        draw(pages[seat], line).await;
        for page in all {
            wait_drawn(page, line, seat).await;
        }
        let next = (seat + 1) % 3;
        pages[next].wait_text("[data-testid=status]", "Your turn").await;
        pages[seat].wait_text("[data-testid=status]", &format!("{}'s turn", names[next])).await;
        screen.wait_text("[data-testid=status]", &format!("{}'s turn", names[next])).await;
        pages[next].wait_visible(&format!("[data-testid=db-clock-{next}]")).await;
        screen.wait_visible(&format!("[data-testid=db-clock-{next}]")).await;
    }
    cy.wait_text("[data-testid=last-move]", "You drew the line across row 2").await;
    bo.wait_text("[data-testid=last-move]", "Cy drew the line across row 2").await;

    // Ana closes the box: hers in her colour, a point, and her turn again.
    draw(&ana, "v-0-1").await;
    for page in all {
        wait_drawn(page, "v-0-1", 0).await;
        page.wait_js(
            "the top left box to be Ana's",
            "const b = document.querySelector('[data-testid=box-0-0]'); \
             return !!b && b.dataset.owner === '0' && b.classList.contains('p0');",
        )
        .await;
        page.wait_js(
            "Ana's score to be 1",
            "const s = document.querySelector('[data-testid=db-score-0]'); \
             return !!s && s.dataset.score === '1';",
        )
        .await;
        // The box is filled with the colour of Ana's seat, the same as her swatch and lines.
        let colours = page
            .js("const fill = getComputedStyle(document.querySelector('[data-testid=box-0-0] rect')).fill; \
                 const line = getComputedStyle(document.querySelector('[data-testid=drawn-v-0-1]')).stroke; \
                 const swatch = getComputedStyle(document.querySelector('[data-testid=db-seat-0] .db-swatch')).backgroundColor; \
                 const other = getComputedStyle(document.querySelector('[data-testid=drawn-v-0-0]')).stroke; \
                 return { fill, line, swatch, other };")
            .await;
        assert_eq!(colours["line"], colours["swatch"], "Ana's lines are her colour: {colours}");
        assert_ne!(colours["line"], colours["other"], "Bo's line is another colour: {colours}");
        let fill = colours["fill"].as_str().unwrap_or("");
        assert!(!fill.is_empty() && fill != "none" && fill != "rgba(0, 0, 0, 0)", "{colours}");
        assert_eq!(page.text("[data-testid=db-score-1]").await, "0");
    }
    ana.wait_text("[data-testid=status]", "You took a box: draw again").await;
    bo.wait_text("[data-testid=status]", "Ana took a box and draws again").await;
    screen.wait_text("[data-testid=status]", "Ana took a box and draws again").await;
    ana.wait_visible("[data-testid=db-clock-0]").await;
    bo.wait_text("[data-testid=last-move]", "Ana drew the line down column 2").await;
    bo.wait_text("[data-testid=last-move]", "and took a box").await;
    let said = bo.js("return document.getElementById('announce').textContent;").await;
    assert!(
        said.as_str().unwrap_or("").contains("took a box"),
        "the screen reader hears it: {said}"
    );
    ana.shot("dots-box").await;
    bo.shot("dots-box-seen").await;
    screen.shot("dots-screen-box").await;

    // The big screen draws the grid large.
    let big = screen
        .js("return document.querySelector('[data-testid=db-grid]').getBoundingClientRect().height;")
        .await;
    assert!(big.as_f64().unwrap_or(0.0) >= 300.0, "the big screen's grid is {big} px high");

    // Ana's extra line closes nothing: Bo's turn.
    draw(&ana, "h-2-1").await;
    for page in all {
        wait_drawn(page, "h-2-1", 0).await;
    }
    bo.wait_text("[data-testid=status]", "Your turn").await;
    ana.wait_text("[data-testid=status]", "Bo's turn").await;
    bo.wait_visible("[data-testid=db-clock-1]").await;
    bo.shot("dots-bo-turn").await;

    for page in all {
        page.assert_no_script_errors().await;
    }
    for page in [ana, bo, cy, screen] {
        page.close().await;
    }
    eprintln!("browser test (dots and boxes) took {:.1} s", started.elapsed().as_secs_f64());
}

/// Taps the free line `line` ("h-0-0") on this phone.
async fn draw(page: &Page, line: &str) {
    page.click(&format!("[data-testid=line-{line}]")).await;
}

/// Waits until `line` shows as drawn by `seat`.
async fn wait_drawn(page: &Page, line: &str, seat: usize) {
    page.wait_js(
        &format!("line {line} drawn by seat {seat}"),
        &format!(
            "const l = document.querySelector('[data-testid=drawn-{line}]'); \
             return !!l && l.dataset.seat === '{seat}' && l.classList.contains('p{seat}');"
        ),
    )
    .await;
}

/// The seconds left on `seat`'s countdown, as shown.
async fn clock_left(page: &Page, seat: usize) -> u64 {
    page.wait_visible(&format!("[data-testid=db-clock-{seat}]")).await;
    let left = page
        .js(&format!(
            "return Number(document.querySelector('[data-testid=db-clock-{seat}]').dataset.left);"
        ))
        .await;
    left.as_u64().expect("seconds left")
}
