//! Light cycles on four phones and the big screen: a one-round room made from the options form,
//! a real-time race steered with the on-screen arrows, and the arena drawn on a canvas on every
//! page.
//!
//! The starts are fixed (crates/games/src/light_cycles.rs): with four players, seats 0 and 2
//! start on the left going right (rows 5 and 16), seats 1 and 3 on the right going left (rows 10
//! and 21), each more than 40 cells from the far edge. Ana, Bo and Cy (seats 0 to 2) press Up at
//! once and hit the top edge within 17 ticks; Di (seat 3, the lowest row) rides on and wins.

use std::time::Instant;

use serde_json::{Value, json};

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME};

/// JS: records what a player sees of their cycle (the status shown, each change) and every
/// buzz, from before the game starts.
const SPY: &str = "window.lcSeen = []; window.lcBuzz = []; \
    Object.defineProperty(navigator, 'vibrate', { configurable: true, \
        value: (ms) => { window.lcBuzz.push(ms); return true; } }); \
    new MutationObserver(() => { \
        const me = document.querySelector('[data-testid=lc-me]'); \
        const s = me && me.dataset.status; \
        if (s && window.lcSeen[window.lcSeen.length - 1] !== s) window.lcSeen.push(s); \
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true }); \
    return true;";

/// JS: what the canvas shows: its size, the pixels of each seat's colour (the walls), and how
/// long its PNG is (a blank canvas compresses to almost nothing).
const PIXELS: &str = "const c = document.querySelector('[data-testid=lc-canvas]'); \
    if (!c || c.width < 100 || c.height < 60) return null; \
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; \
    const seats = ['--p0', '--p1', '--p2', '--p3'].map((v) => { \
        const hex = getComputedStyle(document.documentElement).getPropertyValue(v).trim(); \
        return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)); }); \
    const counts = seats.map(() => 0); \
    for (let i = 0; i < d.length; i += 4) seats.forEach((s, k) => { \
        if (Math.abs(d[i] - s[0]) < 3 && Math.abs(d[i + 1] - s[1]) < 3 \
            && Math.abs(d[i + 2] - s[2]) < 3) counts[k]++; }); \
    return { width: c.width, height: c.height, counts, png: c.toDataURL().length };";

/// Four phones race one round; the one who does not turn wins, on every page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_phones_race_light_cycles_on_the_big_screen() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("light cycles").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    // Ana makes a one-round room with the form drawn from the game's options schema.
    let ana = driver.phone("ana-lc", &base).await;
    ana.open("/").await;
    ana.type_into("[data-testid=name-input]", "Ana").await;
    ana.click("[data-testid=name-submit]").await;
    ana.click("[data-testid=game-light_cycles]").await;
    ana.wait_text("#game-options", "Rounds").await;
    let default = ana
        .js("return document.querySelector('[data-testid=opt-rounds-3]')\
                          .getAttribute('aria-checked');")
        .await;
    assert_eq!(default, Value::from("true"), "three rounds by default");
    ana.click("[data-testid=opt-rounds-1]").await;
    ana.click("[data-testid=create-room]").await;
    let code = ana.wait_text("[data-testid=room-code]", "").await;
    ana.wait_text("[data-testid=room-game]", "Light cycles").await;
    ana.wait_text("[data-testid=seat-7]", "Open seat").await;
    ana.wait_text("[data-testid=lobby-hint]", "2 to 8 players").await;

    let bo = driver.phone("bo-lc", &base).await;
    bo.join_by_link(&code, "Bo").await;
    let cy = driver.phone("cy-lc", &base).await;
    cy.join_by_link(&code, "Cy").await;
    let di = driver.phone("di-lc", &base).await;
    di.join_by_link(&code, "Di").await;
    ana.wait_text("[data-testid=seat-3]", "Di").await;
    ana.wait_text("[data-testid=start]", "Start with 4 players").await;

    let screen = driver.desktop("screen-lc", &base).await;
    screen.open(&format!("/screen/{code}")).await;
    screen.wait_text("[data-testid=players]", "Di").await;
    // The big screen is counted apart, not listed as a watcher to message.
    ana.wait_text("[data-testid=on-screen]", "big screen").await;
    assert!(
        !ana.exists("[data-testid=spectators]").await
            || !ana.text("[data-testid=spectators]").await.contains("Big screen")
    );

    let phones = [&ana, &bo, &cy, &di];
    for page in phones {
        assert_eq!(page.js(SPY).await, Value::Bool(true));
    }

    // Go: the three crashers press Up as soon as their arrows show, all at once.
    ana.click("[data-testid=start]").await;
    tokio::join!(
        ana.click("[data-testid=steer-up]"),
        bo.click("[data-testid=steer-up]"),
        cy.click("[data-testid=steer-up]"),
        async {
            // Di rides on: his phone, just after the start (his own browser, so nobody waits).
            di.wait_enabled("[data-testid=steer-up]").await;
            di.snap("light-cycles-di-start").await;
        },
    );

    // The round (and the one-round game) is over: Di wins, on every page.
    di.wait_text("[data-testid=status]", "You won!").await;
    di.wait_text("[data-testid=lc-banner]", "You win the game!").await;
    di.wait_text("[data-testid=lc-me]", "You are Green").await;
    for (page, colour) in [(&ana, "Coral"), (&bo, "Cyan"), (&cy, "Violet")] {
        page.wait_text("[data-testid=status]", "Di won").await;
        page.wait_text("[data-testid=lc-banner]", "Di wins the game!").await;
        page.wait_text("[data-testid=lc-me]", &format!("You are {colour}")).await;
        page.wait_text("[data-testid=lc-me-state]", "you crashed").await;
        page.wait_visible("[data-testid=rematch]").await;
    }
    screen.wait_text("[data-testid=status]", "Di won").await;
    screen.wait_text("[data-testid=lc-banner]", "Di wins the game!").await;
    screen.wait_text("[data-testid=lc-round]", "Round 1 of 1").await;
    for (seat, (name, points)) in
        [("Ana", "0"), ("Bo", "0"), ("Cy", "0"), ("Di", "1")].iter().enumerate()
    {
        let css = format!("[data-testid=lc-score-{seat}]");
        screen.wait_text(&css, name).await;
        screen.wait_text(&format!("{css} .lc-points"), points).await;
    }
    assert!(!screen.exists("[data-testid=steer-up]").await, "no arrows on the big screen");

    // What each phone showed of its cycle, and which ones buzzed. Who crashed last depends on
    // who pressed first, and that crash ends the round on its tick; the others saw themselves
    // out while the rest rode on.
    let mut saw_out = 0;
    for (page, crashed) in [(&ana, true), (&bo, true), (&cy, true), (&di, false)] {
        let got = page.js("return { seen: window.lcSeen, buzz: window.lcBuzz };").await;
        let statuses: Vec<&str> =
            got["seen"].as_array().expect("statuses").iter().filter_map(Value::as_str).collect();
        assert_eq!(statuses.first(), Some(&"riding"), "{got}");
        assert_eq!(statuses.last(), Some(&"over"), "{got}");
        assert!(crashed || !statuses.contains(&"out"), "Di was never out: {got}");
        saw_out += usize::from(statuses.contains(&"out"));
        // A crash buzzes once; the winner's phone buzzes the win (fun/room-fun.js).
        let buzz = if crashed { json!([180]) } else { json!([[90, 60, 180]]) };
        assert_eq!(got["buzz"], buzz, "a buzz on a crash, and on the win: {got}");
    }
    assert!(saw_out >= 1, "a crasher saw themselves out while others rode on");

    // The arena is drawn, in colour, on the phones and the big screen: every seat's wall shows.
    for page in [&ana, &di, &screen] {
        let pixels = page.js(PIXELS).await;
        assert!(pixels.is_object(), "a sized canvas: {pixels}");
        let counts: Vec<u64> = pixels["counts"]
            .as_array()
            .expect("counts")
            .iter()
            .map(|n| n.as_u64().unwrap_or(0))
            .collect();
        assert!(counts.iter().all(|&n| n >= 20), "every seat's wall is drawn: {pixels}");
        assert!(counts[3] > counts[0], "Di rode further than Ana: {pixels}");
        assert!(pixels["png"].as_u64().unwrap_or(0) > 2000, "not a blank canvas: {pixels}");
    }
    let big =
        screen.js("return document.querySelector('[data-testid=lc-canvas]').clientWidth;").await;
    assert!(big.as_u64().unwrap_or(0) >= 500, "the big screen's arena is large: {big}");
    // The four arrows are big, labelled, and put away once the game is over.
    let pad = di
        .js("return [...document.querySelectorAll('.lc-steer')].map((b) => { \
                 const s = getComputedStyle(b); \
                 return [b.getAttribute('aria-label'), parseFloat(s.width) >= 64 \
                     && parseFloat(s.height) >= 64, b.offsetWidth]; });")
        .await;
    let labels = ["Steer up", "Steer left", "Steer right", "Steer down"];
    let expected: Vec<Value> = labels.iter().map(|l| json!([l, true, 0])).collect();
    assert_eq!(pad, Value::Array(expected), "the arrows");

    for (page, name) in [(&ana, "ana"), (&bo, "bo"), (&cy, "cy"), (&di, "di")] {
        page.shot(&format!("light-cycles-{name}-over")).await;
    }
    screen.shot("light-cycles-screen-over").await;
    for page in phones.iter().chain([&&screen]) {
        page.assert_no_script_errors().await;
    }
    for page in [ana, bo, cy, di, screen] {
        page.close().await;
    }
    eprintln!("browser test (light cycles) took {:.1} s", started.elapsed().as_secs_f64());
}
