//! Accessibility, as axe-core checks it in the page: every main phone screen (name, home, lobby,
//! a game in progress, the chat open, game over, the messages and a conversation) and the big
//! screen, with no violation of impact "serious" or "critical" (each one found is printed), one
//! `<main>` and a level-one heading on each. Also what axe cannot see: the players' names as a
//! screen reader reads them, character counters at the inputs' limits, and a chat that adds a
//! new message without drawing the others again.

use std::time::Instant;

use crate::axe;
use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME, Page};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_nothing_serious_on_the_main_screens() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("accessibility").await else { return };
    let Some(axe) = axe::load_or_skip("accessibility") else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);
    let mut report = Report::default();

    let ana = driver.phone("a11y-ana", &base).await;
    ana.open("/").await;
    ana.wait_visible("[data-testid=screen-name]").await;
    report.check(&ana, &axe, "name").await;
    // A name longer than 24 characters stops at 24, and the counter says so.
    ana.type_into("[data-testid=name-input]", &"Anastasia".repeat(3)).await;
    ana.wait_text("[data-testid=name-count]", "24/24").await;
    ana.wait_text("[data-testid=name-count]", "that is the most").await;
    ana.shot("name-at-its-limit").await;
    ana.type_into("[data-testid=name-input]", "Ana").await;
    ana.wait_text("[data-testid=name-count]", "3/24").await;
    ana.click("[data-testid=name-submit]").await;
    ana.wait_text("[data-testid=me-name]", "Ana").await;
    report.check(&ana, &axe, "home").await;
    // What axe does not measure: the edges of controls, 3:1 or more on what is around them.
    let field = edge_contrast("[data-testid=join-code]", "border-top-color");
    ana.wait_no_problems("the code field's edge at 3:1", &field).await;
    ana.click("[data-testid=game-tictactoe]").await;
    ana.click("[data-testid=create-room]").await;
    let code = ana.wait_text("[data-testid=room-code]", "").await;

    let bo = driver.phone("a11y-bo", &base).await;
    bo.join_by_link(&code, "Bo").await;
    ana.wait_enabled("[data-testid=start]").await;
    report.check(&ana, &axe, "lobby (host)").await;
    report.check(&bo, &axe, "lobby (player)").await;
    // The players' rows say everything they show, and what a tap does.
    let bo_row = ana.accessible_name("[data-testid=seat-1] button").await;
    assert_eq!(bo_row, "Seat 2: Bo, plays O: send a message", "Bo's row, to Ana");
    let ana_row = bo.accessible_name("[data-testid=seat-0] button").await;
    assert_eq!(ana_row, "Seat 1: Ana, host, plays X: send a message", "Ana's row, to Bo");

    let screen = driver.desktop("a11y-screen", &base).await;
    screen.open(&format!("/screen/{code}")).await;
    screen.wait_text("[data-testid=players]", "Bo").await;
    report.check(&screen, &axe, "big screen, lobby").await;

    ana.click("[data-testid=start]").await;
    ana.click("[data-testid=cell-4]").await;
    bo.wait_text("[data-testid=status]", "Your turn").await;
    let bo_side = ana.accessible_name("[data-testid=side-1]").await;
    assert_eq!(bo_side, "Bo, plays O, to play: send a message", "Bo's side, to Ana");
    // Bo's phone loses the network: his side says so, to Ana's screen reader too.
    bo.js("window.capitalTest.dropConnection(120000); return true;").await;
    ana.wait_text("[data-testid=side-1]", "offline").await;
    let bo_side = ana.accessible_name("[data-testid=side-1]").await;
    assert_eq!(bo_side, "Bo, plays O, offline: send a message", "Bo's side while he is away");
    bo.js("window.capitalTest.networkBack(); return true;").await;
    bo.wait_hidden("[data-testid=conn-banner]").await;
    bo.wait_text("[data-testid=status]", "Your turn").await;
    report.check(&bo, &axe, "game, my turn").await;
    let cell = edge_contrast("[data-testid=cell-0]", "box-shadow");
    bo.wait_no_problems("a free cell's edge at 3:1", &cell).await;
    report.check(&ana, &axe, "game, the other's turn").await;
    // The question before leaving, with its red Leave button.
    ana.click("[data-testid=leave]").await;
    ana.wait_visible("[data-testid=leave-confirm]").await;
    report.check(&ana, &axe, "the leave question").await;
    ana.click("[data-testid=leave-cancel]").await;
    report.check(&screen, &axe, "big screen, game").await;

    bo.click("[data-testid=chat-toggle]").await;
    bo.type_into("[data-testid=chat-input]", "nice opening").await;
    bo.click("[data-testid=chat-send]").await;
    ana.wait_text("[data-testid=chat-preview]", "nice opening").await;
    report.check(&bo, &axe, "game, chat open").await;
    // A new message is added to Bo's log; the one before is the same element, not drawn again
    // (a screen reader hears the new one only).
    bo.wait_js(
        "Bo's message stored",
        "const m = document.querySelector('[data-testid=chat-log] .msg');          return !!m && m.dataset.seq !== undefined && !m.classList.contains('pending');",
    )
    .await;
    bo.js(
        "document.querySelector('[data-testid=chat-log] .msg').dataset.kept = 'yes'; return true;",
    )
    .await;
    ana.click("[data-testid=chat-toggle]").await;
    ana.type_into("[data-testid=chat-input]", "thanks").await;
    ana.click("[data-testid=chat-send]").await;
    bo.wait_text("[data-testid=chat-log]", "thanks").await;
    let kept = bo
        .js("const all = [...document.querySelectorAll('[data-testid=chat-log] .msg')];              return [all.length, all[0].dataset.kept || null];")
        .await;
    assert_eq!(kept, serde_json::json!([2, "yes"]), "the first message kept its element");
    // 500 characters at most in a message: the counter shows near the limit, and at it.
    bo.type_into("[data-testid=chat-input]", &"ha".repeat(255)).await;
    bo.wait_text("[data-testid=chat-count]", "500/500").await;
    bo.wait_text("[data-testid=chat-count]", "that is the most").await;
    bo.shot("chat-at-its-limit").await;
    bo.type_into("[data-testid=chat-input]", "").await;
    bo.wait_hidden("[data-testid=chat-count]").await;
    bo.click("[data-testid=chat-toggle]").await;
    ana.click("[data-testid=chat-toggle]").await;

    for (page, cell) in [(&bo, 0), (&ana, 3), (&bo, 1), (&ana, 5)] {
        page.wait_text("[data-testid=status]", "Your turn").await;
        page.click(&format!("[data-testid=cell-{cell}]")).await;
    }
    bo.wait_text("[data-testid=status]", "Ana won").await;
    report.check(&ana, &axe, "game over (won)").await;
    report.check(&bo, &axe, "game over (lost)").await;
    screen.wait_text("[data-testid=status]", "Ana won").await;
    report.check(&screen, &axe, "big screen, game over").await;

    // The messages: Bo writes to Ana from her side of the board; Ana reads it.
    bo.click("[data-testid=side-0]").await;
    bo.click("[data-testid=person-message]").await;
    bo.wait_visible("[data-testid=screen-conversation]").await;
    bo.type_into("[data-testid=dm-input]", "rematch later?").await;
    bo.click("[data-testid=dm-send]").await;
    bo.wait_text("[data-testid=dm-log]", "rematch later?").await;
    report.check(&bo, &axe, "a conversation").await;
    bo.click("[data-testid=dm-block]").await;
    bo.wait_visible("[data-testid=block-confirm]").await;
    report.check(&bo, &axe, "the block question").await;
    bo.click("[data-testid=block-cancel]").await;
    ana.wait_text("[data-testid=messages-badge-room]", "1").await;
    ana.click("[data-testid=messages-room]").await;
    ana.wait_text("[data-testid=conversations]", "rematch later?").await;
    report.check(&ana, &axe, "messages").await;

    for page in [&ana, &bo, &screen] {
        page.assert_no_script_errors().await;
    }
    for page in [ana, bo, screen] {
        page.close().await;
    }
    eprintln!("browser test (accessibility) took {:.1} s", started.elapsed().as_secs_f64());
    report.finish();
}

/// What axe found, screen by screen.
#[derive(Default)]
struct Report {
    serious: Vec<String>,
}

impl Report {
    async fn check(&mut self, page: &Page, axe: &str, screen: &str) {
        let (mut serious, other) = axe::check(page, axe).await;
        // One main landmark, and a level-one heading on show (axe calls these "moderate").
        let outline = page
            .js("return [document.querySelectorAll('main').length,                  [...document.querySelectorAll('h1')].filter(h => h.getClientRects().length).length];")
            .await;
        if outline != serde_json::json!([1, 1]) {
            serious.push(format!("[main elements, h1 on show] are {outline}, not [1, 1]"));
        }
        for line in &other {
            eprintln!("axe, {screen} (not failing): {line}");
        }
        self.serious.extend(serious.into_iter().map(|line| format!("{screen}: {line}")));
    }

    /// Fails with every serious or critical violation found, if there was one.
    fn finish(self) {
        assert!(
            self.serious.is_empty(),
            "axe found {} serious or critical violations:\n{}",
            self.serious.len(),
            self.serious.join("\n")
        );
    }
}

/// JS: the problems with the edge of `css` (its `property`: a border colour, or an inset
/// box-shadow's colour): under 3:1 against the element's own background or the one around it.
fn edge_contrast(css: &str, property: &str) -> String {
    format!(
        "const rgb = (s) => ((s || '').match(/rgba?\\(([^)]+)\\)/) || [null, '0, 0, 0'])[1]
             .split(',').slice(0, 3).map(Number);
         const lum = (c) => {{ const [r, g, b] = c.map((v) => {{ v /= 255;
             return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }});
             return 0.2126 * r + 0.7152 * g + 0.0722 * b; }};
         const ratio = (a, b) => {{ const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
             return (x + 0.05) / (y + 0.05); }};
         const solid = (e) => {{ for (; e; e = e.parentElement) {{
             const c = getComputedStyle(e).backgroundColor;
             if (c && !/rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent') return rgb(c); }}
             return rgb(getComputedStyle(document.body).backgroundColor); }};
         const el = document.querySelector({css:?});
         if (!el) return ['{css} is missing'];
         const edge = rgb(getComputedStyle(el).getPropertyValue({property:?}));
         const out = [];
         for (const [what, bg] of [['its own background', solid(el)], ['the background around it', solid(el.parentElement)]]) {{
           const r = ratio(edge, bg);
           if (r < 3) out.push(`{css}'s edge rgb(${{edge}}) is ${{r.toFixed(2)}}:1 on ${{what}} rgb(${{bg}})`);
         }}
         return out;"
    )
}
