//! Crazy eights on three phones and the big screen: a room for up to six made from the options
//! form, a lobby that may start with three, hidden hands, draws, passes, a wild 8 naming a suit,
//! and a table on the big screen that never shows a hand.
//!
//! The deal is random (the server seeds each game), so the players look at their hands the way a
//! person would: play a raised (playable) card when there is one, else draw, else pass.

use std::time::Instant;

use serde_json::Value;

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME, Page};

/// JS: my hand as shown, `[[card, playable], ...]`.
const HAND: &str = "return [...document.querySelectorAll('[data-testid=hand] [data-card]')]\
                    .map(b => [b.dataset.card, b.dataset.playable === 'true']);";

/// JS: draws a room of a game with no module ("pebbles", which this server does not offer) with the page's own modules, types a move
/// and sends it; returns what was sent.
const GENERIC: &str = "return (async () => { \
    const { renderBoard } = await import('/js/boards.js'); \
    const { gameName } = await import('/js/games/index.js'); \
    const room = { code: 'NIMS', game: 'pebbles', game_no: 1, phase: 'playing', \
        seats: [{ seat: 0, player: { id: 'pa', name: 'A', connected: true } }, { seat: 1, player: null }], \
        spectators: [], you: { role: 'player', seat: 0 }, state: { piles: [3, 4, 5] }, turn: [0], \
        outcome: null }; \
    let sent = null; \
    const board = renderBoard(room, { interactive: true, move: (mv) => { sent = mv; } }); \
    document.body.append(board); \
    board.querySelector('[data-testid=move-input]').value = '{\"pile\": 0, \"count\": 2}'; \
    board.querySelector('[data-testid=move-send]').click(); \
    const view = board.querySelector('[data-testid=view]').textContent.includes('\"piles\"'); \
    board.remove(); \
    return { view, sent, name: gameName('pebbles') }; })();";

/// Three phones play six turns of crazy eights; the big screen follows the table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_phones_play_crazy_eights_with_the_big_screen() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("crazy eights").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    // Ana creates a crazy eights room; the form comes from the game's options schema: one draw
    // a turn before passing.
    let ana = driver.phone("ana8", &base).await;
    ana.open("/").await;
    ana.type_into("[data-testid=name-input]", "Ana").await;
    ana.click("[data-testid=name-submit]").await;
    ana.click("[data-testid=game-crazy_eights]").await;
    ana.wait_text("#game-options", "Cards you may draw in a turn").await;
    let default = ana
        .js("return document.querySelector('[data-testid=opt-draws-3]')\
                          .getAttribute('aria-checked');")
        .await;
    assert_eq!(default, Value::from("true"), "the schema's default is picked");
    ana.click("[data-testid=opt-draws-1]").await;
    ana.shot("crazy-eights-form").await;
    ana.click("[data-testid=create-room]").await;
    let code = ana.wait_text("[data-testid=room-code]", "").await;
    ana.wait_text("[data-testid=room-game]", "Crazy eights").await;

    // Six seats, one taken; 2 are needed to start.
    ana.wait_text("[data-testid=seat-5]", "Open seat").await;
    ana.wait_text("[data-testid=status]", "Waiting for 1 more player").await;
    ana.wait_text("[data-testid=lobby-hint]", "2 to 6 players").await;
    assert!(!ana.enabled("[data-testid=start]").await, "no start alone");

    let bo = driver.phone("bo8", &base).await;
    bo.join_by_link(&code, "Bo").await;
    bo.wait_text("[data-testid=seat-1]", "Bo").await;
    ana.wait_text("[data-testid=seat-1]", "Bo").await;
    ana.wait_enabled("[data-testid=start]").await;
    ana.wait_text("[data-testid=start]", "Start with 2 players").await;
    bo.wait_text("[data-testid=status]", "Waiting for Ana to start").await;

    let cy = driver.phone("cy8", &base).await;
    cy.join_by_link(&code, "Cy").await;
    ana.wait_text("[data-testid=seat-2]", "Cy").await;
    ana.wait_text("[data-testid=start]", "Start with 3 players").await;
    ana.wait_text(".lobby .section-title", "(3/6)").await;
    // Who is ready: Bo taps Ready, and the host sees it (on the seat and in the count).
    ana.wait_text("[data-testid=ready-count]", "1 of 3 ready").await;
    bo.click("[data-testid=ready]").await;
    ana.wait_text("[data-testid=ready-1]", "ready").await;
    ana.wait_text("[data-testid=ready-count]", "2 of 3 ready").await;
    bo.wait_text("[data-testid=ready]", "Ready").await;

    let screen = driver.desktop("screen8", &base).await;
    screen.open(&format!("/screen/{code}")).await;
    screen.wait_text("[data-testid=players]", "Cy").await;
    // The big screen is counted apart, not listed as a watcher to message.
    ana.wait_text("[data-testid=on-screen]", "big screen").await;
    assert!(
        !ana.exists("[data-testid=spectators]").await
            || !ana.text("[data-testid=spectators]").await.contains("Big screen")
    );
    ana.shot("crazy-eights-lobby").await;

    ana.click("[data-testid=start]").await;
    let pages = [&ana, &bo, &cy];
    let names = ["Ana", "Bo", "Cy"];
    for page in pages {
        page.wait_text("[data-testid=hand-count]", "Your hand: 5 cards").await;
        assert_eq!(hand(page).await.len(), 5, "three players get five cards each");
    }
    for (seat, name) in names.iter().enumerate() {
        let css = format!("[data-testid=ce-seat-{seat}]");
        screen.wait_text(&css, name).await;
        screen.wait_text(&css, "5 cards").await;
    }
    screen.wait_text("[data-testid=last-move]", "Cards dealt").await;
    assert_no_hand(&screen).await;

    // Ana's turn. Passing before drawing is refused by the server, in words.
    ana.wait_text("[data-testid=status]", "Your turn").await;
    bo.wait_text("[data-testid=status]", "Ana's turn").await;
    cy.wait_text("[data-testid=status]", "Ana's turn").await;
    screen.wait_text("[data-testid=status]", "Ana's turn").await;
    assert!(!ana.enabled("[data-testid=pass]").await, "no pass before drawing");
    assert!(!bo.enabled("[data-testid=draw]").await, "Bo waits for his turn");
    ana.shot("crazy-eights-your-turn").await;
    screen.shot("crazy-eights-table").await;
    ana.force_click("[data-testid=pass]").await;
    ana.wait_text("[data-testid=toast]", "draw before you pass").await;
    ana.click("[data-testid=toast-close]").await;

    // She draws: one card more in her hand, and everyone sees her count go up (not the card).
    let stock = stock_of(&screen).await;
    ana.click("[data-testid=draw]").await;
    ana.wait_text("[data-testid=hand-count]", "Your hand: 6 cards").await;
    bo.wait_text("[data-testid=ce-seat-0]", "6 cards").await;
    bo.wait_text("[data-testid=last-move]", "Ana drew a card").await;
    screen.wait_text("[data-testid=ce-seat-0]", "6 cards").await;
    screen.wait_text("[data-testid=stock]", &format!("{} cards", stock - 1)).await;
    ana.wait_text("[data-testid=last-move]", "You drew a card").await;
    ana.wait_enabled("[data-testid=pass]").await;
    assert!(!ana.enabled("[data-testid=draw]").await, "one draw a turn in this room");
    ana.shot("crazy-eights-drew").await;
    // Then she plays a raised card if she has one, or passes.
    if !play_a_card(&ana, &pages, &screen).await {
        ana.click("[data-testid=pass]").await;
        bo.wait_text("[data-testid=last-move]", "Ana passed").await;
    }

    // Five more turns: Bo, Cy, Ana, Bo, Cy. Each plays a card, or draws and then plays or passes.
    let mut eight_played = false;
    for turn in 1..6 {
        let seat = turn % 3;
        let me = pages[seat];
        me.wait_text("[data-testid=status]", "Your turn").await;
        for other in [(seat + 1) % 3, (seat + 2) % 3] {
            pages[other]
                .wait_text("[data-testid=status]", &format!("{}'s turn", names[seat]))
                .await;
        }
        screen.wait_text("[data-testid=status]", &format!("{}'s turn", names[seat])).await;
        let cards = hand(me).await;
        let eights: Vec<&String> =
            cards.iter().filter(|(c, ok)| *ok && c.starts_with('8')).map(|(c, _)| c).collect();
        if !eight_played && let Some(eight) = eights.first() {
            // A wild 8: the phone asks for the suit.
            play_eight(me, eight, &pages, &screen).await;
            eight_played = true;
        } else if !play_a_card(me, &pages, &screen).await {
            let n = cards.len();
            me.click("[data-testid=draw]").await;
            me.wait_text("[data-testid=hand-count]", &format!("Your hand: {} cards", n + 1)).await;
            screen
                .wait_text(&format!("[data-testid=ce-seat-{seat}]"), &format!("{} cards", n + 1))
                .await;
            if !play_a_card(me, &pages, &screen).await {
                me.click("[data-testid=pass]").await;
                screen
                    .wait_text("[data-testid=last-move]", &format!("{} passed", names[seat]))
                    .await;
            }
        }
        if turn == 2 {
            cy.shot("crazy-eights-played").await;
        }
    }
    ana.wait_text("[data-testid=status]", "Your turn").await;
    screen.wait_text("[data-testid=status]", "Ana's turn").await;
    assert_no_hand(&screen).await;
    screen.shot("crazy-eights-table-later").await;

    // A game the server might offer with no module in the page gets the generic board: its
    // view as JSON and a box for a move typed as JSON.
    let generic = ana.js(GENERIC).await;
    assert_eq!(generic["view"], Value::Bool(true), "the view shows as JSON: {generic}");
    assert_eq!(generic["sent"], serde_json::json!({"pile": 0, "count": 2}), "{generic}");
    assert_eq!(generic["name"], Value::from("pebbles"), "{generic}");

    for page in [&ana, &bo, &cy, &screen] {
        page.assert_no_script_errors().await;
    }
    for page in [ana, bo, cy, screen] {
        page.close().await;
    }
    eprintln!("browser test (crazy eights) took {:.1} s", started.elapsed().as_secs_f64());
}

/// The hand this phone shows: each card and whether it is raised as playable.
async fn hand(page: &Page) -> Vec<(String, bool)> {
    let value = page.js(HAND).await;
    let cards = value.as_array().expect("a list of cards");
    cards
        .iter()
        .map(|pair| {
            let card = pair[0].as_str().expect("a card").to_owned();
            (card, pair[1].as_bool().expect("playable or not"))
        })
        .collect()
}

/// The stock's size as the big screen shows it.
async fn stock_of(page: &Page) -> u64 {
    let value = page
        .js("const s = document.querySelector('[data-testid=stock]'); \
             return s ? Number(s.dataset.stock) : -1;")
        .await;
    value.as_u64().expect("a stock count on the table")
}

/// Plays a raised card other than an 8, if the phone shows one. Checks the hand shrinks and the
/// card is the new top card everywhere.
async fn play_a_card(page: &Page, pages: &[&Page; 3], screen: &Page) -> bool {
    let cards = hand(page).await;
    let Some((card, _)) = cards.iter().find(|(c, ok)| *ok && !c.starts_with('8')) else {
        // Only an 8 fits (or nothing): an 8 is played through the suit picker instead.
        if let Some((eight, _)) = cards.iter().find(|(_, ok)| *ok) {
            play_eight(page, eight, pages, screen).await;
            return true;
        }
        return false;
    };
    page.click(&format!("[data-testid=card-{card}]")).await;
    let left = cards.len() - 1;
    page.wait_text("[data-testid=hand-count]", &format!("Your hand: {left} cards")).await;
    for p in pages.iter().chain([&screen]) {
        wait_top(p, card).await;
    }
    assert!(!page.exists(&format!("[data-testid=card-{card}]")).await, "the card left the hand");
    true
}

/// Plays an 8: the suit picker opens, hearts is named, and the table says to follow hearts.
async fn play_eight(page: &Page, eight: &str, pages: &[&Page; 3], screen: &Page) {
    let n = hand(page).await.len();
    page.click(&format!("[data-testid=card-{eight}]")).await;
    page.wait_visible("[data-testid=suit-picker]").await;
    page.shot("crazy-eights-suit-picker").await;
    page.click("[data-testid=suit-hearts]").await;
    page.wait_text("[data-testid=hand-count]", &format!("Your hand: {} cards", n - 1)).await;
    for p in pages.iter().chain([&screen]) {
        wait_top(p, eight).await;
        p.wait_js(
            "the table to say hearts follow",
            "const s = document.querySelector('[data-testid=suit]'); \
             return !!s && s.dataset.suit === 'hearts';",
        )
        .await;
    }
    screen.wait_text("[data-testid=last-move]", "named hearts").await;
}

/// Waits until the table's top card is `card`.
async fn wait_top(page: &Page, card: &str) {
    page.wait_js(
        &format!("the top card to be {card}"),
        &format!(
            "const t = document.querySelector('[data-testid=top-card]'); \
             return !!t && t.dataset.card === '{card}';"
        ),
    )
    .await;
}

/// The big screen shows no hand: no hand, no card but the top one, no Draw or Pass.
async fn assert_no_hand(screen: &Page) {
    for css in
        ["[data-testid=hand]", "[data-testid^=card-]", "[data-testid=draw]", "[data-testid=pass]"]
    {
        assert!(!screen.exists(css).await, "the big screen shows no {css}");
    }
    screen.wait_visible("[data-testid=top-card]").await;
}
