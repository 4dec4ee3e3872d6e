//! The fun around the games, on two phones and the big screen: every player's look (an emoji on
//! a colour) the same on every page and through a rematch, in the players, the sides and the
//! chat; "Bo joined!" on the other phone and the big screen, clear of the buttons; sounds and
//! buzzes, the sound switch that silences them and is remembered; the win celebration on the
//! winner's phone and the big screen; and rock paper scissors' 3-2-1 before a reveal, with a big
//! screen that prefers reduced motion (a still banner, no confetti).

use std::time::Instant;

use serde_json::{Value, json};

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME, Page};
use crate::layout::{ROOM_CONTROLS, clear_of};

/// JS: records every buzz (navigator.vibrate) from now on, in `window.buzzes`.
const BUZZ_SPY: &str = "window.buzzes = []; \
    Object.defineProperty(navigator, 'vibrate', { configurable: true, \
        value: (p) => { window.buzzes.push(p); return true; } }); return true;";

/// The look (emoji and colour) of the first player's avatar in `css`, once it is there.
async fn look(page: &Page, css: &str) -> String {
    let sel = format!("{css} .avatar.look");
    let ready =
        format!("const a = document.querySelector({sel:?}); return !!a && !!a.dataset.look;");
    page.wait_js(&format!("a look in {css}"), &ready).await;
    let value = page.js(&format!("return document.querySelector({sel:?}).dataset.look;")).await;
    value.as_str().unwrap_or_default().to_owned()
}

/// What the page's sounds did: `window.capitalSounds`.
async fn sounds(page: &Page) -> Value {
    page.js("return window.capitalSounds;").await
}

/// Waits until `window.capitalSounds` at `path` (e.g. "played.turn") is `n`.
async fn wait_sounds(page: &Page, path: &str, n: u64) {
    let script = format!("return window.capitalSounds.{path} === {n};");
    page.wait_js(&format!("{path} to be {n}"), &script).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn looks_moments_sounds_and_a_celebration() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("fun").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    let ana = driver.phone("fun-ana", &base).await;
    ana.open("/").await;
    ana.type_into("[data-testid=name-input]", "Ana").await;
    ana.click("[data-testid=name-submit]").await;
    ana.wait_text("[data-testid=me-name]", "Ana").await;
    let ana_look = look(&ana, "#change-name").await;
    ana.click("[data-testid=game-tictactoe]").await;
    ana.click("[data-testid=create-room]").await;
    let code = ana.wait_text("[data-testid=room-code]", "").await;
    assert_eq!(look(&ana, "[data-testid=seat-0]").await, ana_look, "Ana's look, home and room");
    ana.record_texts("[data-testid=moments]").await;
    ana.js(BUZZ_SPY).await;

    let screen = driver.desktop("fun-screen", &base).await;
    screen.open(&format!("/screen/{code}")).await;
    screen.wait_text("[data-testid=players]", "Ana").await;
    ana.wait_text("[data-testid=on-screen]", "big screen").await;

    // Bo joins: a moment on Ana's phone and on the big screen, said politely, over no button.
    let bo = driver.phone("fun-bo", &base).await;
    bo.join_by_link(&code, "Bo").await;
    bo.js(BUZZ_SPY).await;
    ana.wait_text("[data-testid=moments]", "Bo joined!").await;
    let region = ana
        .js("const m = document.querySelector('[data-testid=moments]'); \
             return [m.getAttribute('role'), m.getAttribute('aria-live')];")
        .await;
    assert_eq!(region, json!(["status", "polite"]), "a polite live region");
    let covered = clear_of("[data-testid=moment]", ROOM_CONTROLS);
    ana.wait_no_problems("the moment clear of the buttons", &covered).await;
    ana.shot("moment-bo-joined").await;
    screen.wait_text("[data-testid=moments]", "Bo joined!").await;
    screen.shot("moment-bo-joined").await;
    let bo_said =
        bo.js("return document.querySelector('[data-testid=moments]').textContent;").await;
    assert_eq!(bo_said, json!(""), "no moment about Bo on his own phone");

    // Bo's look is the same on both phones and the big screen; so is Ana's.
    let bo_look = look(&bo, "[data-testid=seat-1]").await;
    assert_eq!(look(&ana, "[data-testid=seat-1]").await, bo_look, "Bo's look on Ana's phone");
    assert_eq!(look(&screen, "[data-testid=seat-1]").await, bo_look, "Bo's look on the big screen");
    assert_eq!(look(&bo, "[data-testid=seat-0]").await, ana_look, "Ana's look on Bo's phone");
    assert_eq!(look(&screen, "[data-testid=seat-0]").await, ana_look, "Ana's look on the screen");

    // Sounds: Ana's turn, then a move; Bo's turn. The big screen, which nobody has clicked,
    // stays quiet without a word (browsers allow sound only after a tap).
    ana.click("[data-testid=start]").await;
    ana.wait_text("[data-testid=status]", "Your turn").await;
    wait_sounds(&ana, "played.turn", 1).await;
    assert_eq!(look(&ana, "[data-testid=side-1]").await, bo_look, "Bo's look on his side");
    ana.click("[data-testid=cell-0]").await;
    bo.wait_text("[data-testid=status]", "Your turn").await;
    wait_sounds(&bo, "played.turn", 1).await;
    wait_sounds(&ana, "played.move", 1).await;
    screen.wait_js("the screen's tick, skipped", "return window.capitalSounds.early >= 1;").await;
    assert_eq!(sounds(&screen).await["played"]["move"], json!(0), "no sound before a click");

    // Bo turns his sounds off: the switch says so, and nothing plays for him from now on.
    bo.click("[data-testid=sound-switch]").await;
    let switch = bo
        .js("return [document.querySelector('[data-testid=sound-switch]').getAttribute('aria-checked'), \
                     localStorage.getItem('capital.sound')];")
        .await;
    assert_eq!(switch, json!(["false", "off"]), "the switch is off and remembered");
    assert_eq!(bo.accessible_name("[data-testid=sound-switch]").await, "Sound");
    let before = sounds(&bo).await;
    for (page, cell) in [(&bo, 3), (&ana, 1), (&bo, 4), (&ana, 2)] {
        page.wait_text("[data-testid=status]", "Your turn").await;
        page.click(&format!("[data-testid=cell-{cell}]")).await;
    }

    // Ana wins: the celebration on her phone and the big screen, not on Bo's.
    ana.wait_text("[data-testid=celebration]", "You win!").await;
    assert_eq!(look(&ana, "[data-testid=celebration]").await, ana_look, "Ana's look on it");
    screen.wait_text("[data-testid=celebration]", "Ana wins!").await;
    let motion = screen
        .js("return document.querySelector('[data-testid=celebration]').dataset.motion;")
        .await;
    assert_eq!(motion, json!("confetti"), "confetti on a screen that allows motion");
    bo.wait_text("[data-testid=status]", "Ana won").await;
    assert!(!bo.exists("[data-testid=celebration]").await, "no celebration for the loser");
    ana.snap("celebration").await;
    screen.snap("celebration").await;
    // Rematch stays tappable under it (the celebration takes no taps).
    let controls = crate::layout::on_screen(&["rematch"]);
    ana.wait_no_problems("Rematch tappable", &controls).await;
    wait_sounds(&ana, "played.win", 1).await;
    let buzzes = ana.js("return window.buzzes;").await;
    assert!(buzzes.as_array().is_some_and(|b| b.contains(&json!(40))), "a turn buzz: {buzzes}");
    assert!(
        buzzes.as_array().is_some_and(|b| b.contains(&json!([90, 60, 180]))),
        "a win buzz: {buzzes}"
    );
    // Bo heard nothing since he switched off: his turns and his loss were silenced.
    bo.wait_js(
        "the loss, silenced",
        &format!(
            "return window.capitalSounds.muted >= {};",
            before["muted"].as_u64().unwrap_or(0) + 3
        ),
    )
    .await;
    assert_eq!(sounds(&bo).await["played"], before["played"], "nothing played for Bo");
    ana.wait_hidden("[data-testid=celebration]").await;

    // The switch is remembered across a reload, and turns back on.
    bo.client.refresh().await.expect("reload");
    bo.wait_text("[data-testid=room-code-small]", &code).await;
    let after = bo.js("return document.querySelector('[data-testid=sound-switch]').getAttribute('aria-checked');").await;
    assert_eq!(after, json!("false"), "still off after a reload");
    bo.click("[data-testid=sound-switch]").await;
    let on = bo.js("return localStorage.getItem('capital.sound');").await;
    assert_eq!(on, json!("on"));
    // The big screen has its own switch, remembered apart.
    screen.click("[data-testid=sound-switch]").await;
    screen.client.refresh().await.expect("reload");
    screen.wait_text("[data-testid=players]", "Bo").await;
    let screen_switch = screen
        .js("return [document.querySelector('[data-testid=sound-switch]').getAttribute('aria-checked'), \
                     localStorage.getItem('capital.screen.sound')];")
        .await;
    assert_eq!(screen_switch, json!(["false", "off"]), "the screen's switch, remembered");

    // A chat line carries the sender's look, on the phones and the big screen.
    bo.click("[data-testid=chat-toggle]").await;
    bo.type_into("[data-testid=chat-input]", "good game").await;
    bo.click("[data-testid=chat-send]").await;
    ana.wait_text("[data-testid=chat-preview]", "good game").await;
    assert_eq!(look(&ana, "[data-testid=chat-log] .msg:last-child").await, bo_look, "Bo's line");
    screen.wait_text("[data-testid=chat-log]", "good game").await;
    assert_eq!(look(&screen, "[data-testid=chat-log] .msg:last-child").await, bo_look);

    // A rematch (both ask) swaps the seats; the looks stay with the players.
    ana.click("[data-testid=rematch]").await;
    bo.wait_text("[data-testid=rematch]", "Ana is in").await;
    bo.click("[data-testid=rematch]").await;
    screen.wait_text("[data-testid=seat-0]", "Bo").await;
    assert_eq!(look(&screen, "[data-testid=seat-0]").await, bo_look, "Bo's look in seat 1");
    assert_eq!(look(&screen, "[data-testid=seat-1]").await, ana_look, "Ana's look in seat 2");
    // The lobby's list during the countdown, or the sides once the game has started.
    let first = "[data-testid=seat-0], [data-testid=side-0]";
    ana.wait_text(first, "Bo").await;
    assert_eq!(look(&ana, first).await, bo_look);
    screen.shot("looks-after-rematch").await;

    let said = ana.seen("[data-testid=moments]").await;
    assert!(
        !said.is_empty() && said.iter().all(|t| t.contains("Bo joined!")),
        "only Bo's join: {said:?}"
    );
    for page in [&ana, &bo, &screen] {
        page.assert_no_script_errors().await;
    }
    for page in [ana, bo, screen] {
        page.close().await;
    }
    eprintln!("browser test (fun) took {:.1} s", started.elapsed().as_secs_f64());
}

/// JS: on the big screen, notes what the page showed when the celebration came: whether the
/// last round was revealed by then, and the status.
const CELEBRATION_SPY: &str = "window.celebrated = null; \
    new MutationObserver(() => { \
        if (window.celebrated || !document.querySelector('[data-testid=celebration]')) return; \
        window.celebrated = { revealed: !!document.querySelector('[data-testid=last-round]'), \
            counting: !!document.querySelector('[data-testid=rps-countdown]') }; \
    }).observe(document.body, { childList: true, subtree: true }); return true;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rock_paper_scissors_counts_three_two_one_before_each_reveal() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("fun, rps reveal").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    let ana = driver.phone("reveal-ana", &base).await;
    let code = ana.create_room("Ana", "rps").await;
    let bo = driver.phone("reveal-bo", &base).await;
    bo.join_by_link(&code, "Bo").await;
    // This big screen's browser prefers reduced motion.
    let screen = driver.desktop_reduced_motion("reveal-screen", &base).await;
    screen.open(&format!("/screen/{code}")).await;
    screen.wait_text("[data-testid=players]", "Bo").await;
    screen.js(CELEBRATION_SPY).await;
    ana.click("[data-testid=start]").await;

    for round in 1..=2 {
        for page in [&bo, &screen] {
            page.record_texts("[data-testid=rps-countdown]").await;
        }
        ana.click("[data-testid=choice-rock]").await;
        bo.wait_text("[data-testid=score-0]", "has chosen").await;
        bo.click("[data-testid=choice-scissors]").await;
        // The count: the status waits, the score is the one before the round, nothing shows.
        bo.wait_text("[data-testid=rps-countdown]", "").await;
        bo.wait_text("[data-testid=status]", "Revealing...").await;
        let points = bo.text("[data-testid=score-0] .rps-points").await;
        assert_eq!(points, (round - 1).to_string(), "the score before round {round}");
        assert!(!bo.exists("[data-testid=last-round]").await, "nothing revealed yet");
        if round == 1 {
            screen.wait_text("[data-testid=rps-countdown]", "").await;
            screen.snap("rps-countdown").await;
        }
        // Then both choices and the result.
        bo.wait_text("[data-testid=last-round]", "Ana wins round").await;
        bo.wait_text("[data-testid=score-0] .rps-points", &round.to_string()).await;
        for page in [&bo, &screen] {
            page.wait_text("[data-testid=last-round]", "Scissors").await;
            let counted = page.seen("[data-testid=rps-countdown]").await;
            assert_eq!(counted, ["3", "2", "1"], "{}: round {round} counted down", page.name());
        }
    }

    // The last round won the game: the result and the celebration come after the reveal.
    ana.wait_text("[data-testid=status]", "You won!\n2-0 in rounds").await;
    bo.wait_text("[data-testid=status]", "Ana won\n2-0 in rounds").await;
    ana.wait_text("[data-testid=celebration]", "You win!").await;
    screen.wait_text("[data-testid=celebration]", "Ana wins!").await;
    let seen = screen.js("return window.celebrated;").await;
    assert_eq!(seen, json!({"revealed": true, "counting": false}), "revealed, then celebrated");
    // Reduced motion: a still banner, no confetti.
    let still = screen
        .js("const c = document.querySelector('[data-testid=celebration]'); \
             return [c.dataset.motion, !!c.querySelector('canvas')];")
        .await;
    assert_eq!(still, json!(["still", false]), "a still banner");
    screen.snap("celebration-still").await;

    for page in [&ana, &bo, &screen] {
        page.assert_no_script_errors().await;
    }
    for page in [ana, bo, screen] {
        page.close().await;
    }
    eprintln!("browser test (rps reveal) took {:.1} s", started.elapsed().as_secs_f64());
}
