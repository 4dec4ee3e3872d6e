//! Script games in the browser: their boards run in a sandboxed frame. A student's board that
//! tries to read the page's token, storage, cookies or the page itself gets nothing; the shipped
//! Nim, with its own board, is played on two phones with the big screen watching, and the
//! frames stay loaded across every redraw.

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME};

/// A game whose board tries everything a thief would; its rules are Nim's, shortened.
const SPY_RULES: &str = r#"
game({
  name: "Spy", author: "A curious student", about: "Take 1",
  players: { min: 2, max: 2 },
  setup() { return { left: 3, turn: 0 }; },
  turn(s) { return [s.turn]; },
  move(s, seat, m) { return { left: s.left - 1, turn: 1 - seat }; },
  view(s) { return s; },
  outcome(s) { return s.left > 0 ? null : { winner: 1 - s.turn, reason: "done" }; },
});
"#;

/// Each attempt writes what it got (or the error it met) into the board.
const SPY_BOARD: &str = r#"
const tried = {};
const attempt = (what, f) => { try { tried[what] = "GOT " + String(f()); } catch (e) { tried[what] = "refused: " + e.name; } };
attempt("storage", () => JSON.stringify(localStorage));
attempt("session", () => JSON.stringify(sessionStorage));
attempt("cookie", () => document.cookie);
attempt("parent", () => parent.document.body.innerText);
attempt("parent_storage", () => parent.localStorage.getItem("capital.token"));
attempt("top", () => top.location.href);
attempt("opener", () => window.open("/", "_blank"));
let network = "none yet";
fetch("/api/info").then(() => { network = "GOT a reply"; }, (e) => { network = "refused: " + e.name; });
board({
  draw(view, ctx) {
    return [
      h("pre", { "data-testid": "tried" }, JSON.stringify(tried)),
      h("p", { "data-testid": "network" }, network),
      h("p", { "data-testid": "left" }, `${view.left} left`),
      h("button", { "data-testid": "again", onclick: () => ctx.redraw() }, "again"),
      ctx.myTurn ? h("button", { "data-testid": "take", onclick: () => ctx.move({ take: 1 }) }, "Take") : null,
    ];
  },
});
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_board_script_cannot_read_the_token_storage_cookies_or_the_page() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("script_games").await else { return };
    let server = TestServer::start_with(|config| {
        let games = config.data.join("games");
        std::fs::create_dir_all(&games).unwrap();
        std::fs::write(games.join("spy.js"), SPY_RULES).unwrap();
        std::fs::write(games.join("spy.board.js"), SPY_BOARD).unwrap();
    })
    .await;
    let base = format!("http://{}", server.addr);

    let ana = driver.phone("spy-ana", &base).await;
    let code = ana.create_room("Ana", "spy").await;
    let bo = driver.phone("spy-bo", &base).await;
    bo.join_by_link(&code, "Bo").await;
    ana.click("[data-testid=start]").await;

    // The page holds Ana's token; the board, inside the same page, cannot get at it.
    let token = ana.js("return localStorage.getItem('capital.token');").await;
    let token = token.as_str().expect("the page keeps a token").to_owned();
    assert!(token.len() > 10);
    ana.frame_wait_js("the board drew", "return !!document.querySelector('[data-testid=take]');")
        .await;
    // The fetch is refused by the frame's Content-Security-Policy (connect-src none).
    ana.frame_click("[data-testid=again]").await;
    ana.frame_wait_text("[data-testid=network]", "refused").await;
    let tried = ana.frame_wait_text("[data-testid=tried]", "storage").await;
    let tried: serde_json::Value = serde_json::from_str(&tried).unwrap();
    for what in ["storage", "session", "cookie", "parent", "parent_storage", "top"] {
        let got = tried[what].as_str().unwrap_or_default();
        assert!(got.starts_with("refused"), "{what}: the board got {got:?}");
    }
    // A popup is not opened (the sandbox has no allow-popups): window.open gives null.
    assert_eq!(tried["opener"], "GOT null", "{tried}");
    assert!(!tried.to_string().contains(&token), "the token leaked: {tried}");
    ana.shot("script-spy-board").await;

    // Its move still works: it goes through the page to the server, which checks it.
    ana.frame_click("[data-testid=take]").await;
    bo.frame_wait_text("[data-testid=left]", "2 left").await;
    bo.frame_wait_js("Bo may take", "return !!document.querySelector('[data-testid=take]');").await;
    ana.assert_no_script_errors().await;
}

/// The shipped Nim, with its own board (games/nim.board.js), on two phones and the big screen:
/// 15 stones, Ana takes the last one. The frames load once and stay across every redraw.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nim_is_played_on_two_phones_and_the_big_screen() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("script_games").await else { return };
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    let ana = driver.phone("nim-ana", &base).await;
    let code = ana.create_room("Ana", "nim").await;
    let bo = driver.phone("nim-bo", &base).await;
    bo.join_by_link(&code, "Bo").await;
    let screen = driver.desktop("nim-screen", &base).await;
    screen.open(&format!("/screen/{code}")).await;
    screen.wait_text("[data-testid=room-code]", &code).await;
    ana.click("[data-testid=start]").await;

    // Every page's frame drew the heap; each gets a mark that a reload would wipe.
    for page in [&ana, &bo, &screen] {
        page.frame_wait_text("[data-testid=stones]", "15 stones left").await;
        page.frame_js("window.loadedOnce = true; return true;").await;
    }
    ana.shot("nim-ana-first-turn").await;
    screen.shot("nim-screen").await;

    // Ana 3, Bo 3, Ana 1, Bo 3, Ana 1, Bo 3, Ana 1: the last stone is Ana's.
    let turns = [(&ana, 3, 12), (&bo, 3, 9), (&ana, 1, 8), (&bo, 3, 5), (&ana, 1, 4), (&bo, 3, 1)];
    for (page, take, left) in turns {
        page.frame_click(&format!("[data-testid=take-{take}]")).await;
        for watcher in [&ana, &bo, &screen] {
            watcher.frame_wait_text("[data-testid=stones]", &format!("{left} stones left")).await;
        }
    }
    // With one stone left, Ana's board offers only Take 1.
    ana.frame_wait_js("only take-1", "return !!document.querySelector('[data-testid=take-1]') && !document.querySelector('[data-testid=take-2]');").await;
    ana.frame_click("[data-testid=take-1]").await;
    ana.wait_text("[data-testid=status]", "You won!").await;
    bo.wait_text("[data-testid=status]", "Ana won").await;
    screen.frame_wait_text("[data-testid=stones]", "0 stones left").await;
    ana.shot("nim-ana-won").await;

    // The same frames throughout: nothing reloaded them on the way.
    for page in [&ana, &bo, &screen] {
        let kept = page.frame_js("return window.loadedOnce === true;").await;
        assert_eq!(
            kept,
            Some(serde_json::Value::Bool(true)),
            "{}: the frame reloaded",
            page.name()
        );
        page.assert_no_script_errors().await;
    }
}

/// The first code block of `section` in docs/make-a-game.md.
fn guide_block(section: &str) -> String {
    let guide = include_str!("../../../../docs/make-a-game.md");
    let at = guide.find(section).unwrap_or_else(|| panic!("no section {section}"));
    let code = guide[at..].split("```js\n").nth(1).and_then(|b| b.split("```").next());
    code.expect("a code block").to_owned()
}

/// The guide's first game and its board, copied into the games folder as a reader would, play
/// on two phones to the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guides_game_and_board_play_as_written() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("script_games").await else { return };
    let server = TestServer::start_with(|config| {
        let games = config.data.join("games");
        std::fs::create_dir_all(&games).unwrap();
        std::fs::write(games.join("race.js"), guide_block("## 1. Your first game")).unwrap();
        std::fs::write(games.join("race.board.js"), guide_block("## 2. A board")).unwrap();
    })
    .await;
    let base = format!("http://{}", server.addr);
    let ana = driver.phone("race-ana", &base).await;
    let code = ana.create_room("Ana", "race").await;
    let bo = driver.phone("race-bo", &base).await;
    bo.join_by_link(&code, "Bo").await;
    ana.click("[data-testid=start]").await;
    // +2 five times, taking turns: Ana says 10.
    let plus_two = "button:nth-of-type(2)";
    for (i, total) in [2, 4, 6, 8, 10].into_iter().enumerate() {
        let page = if i % 2 == 0 { &ana } else { &bo };
        page.frame_click(plus_two).await;
        let other = if i % 2 == 0 { &bo } else { &ana };
        other.frame_wait_text(".big-text", &total.to_string()).await;
    }
    ana.wait_text("[data-testid=status]", "You won!").await;
    bo.frame_wait_js("no buttons once over", "return !document.querySelector('button');").await;
    ana.shot("guide-race-won").await;
    ana.assert_no_script_errors().await;
}

/// Liar's dice, the shipped example with hidden dice, on two phones: each frame shows its own
/// five dice and of the other only how many (the view the server sends has nothing more: see
/// tests/scripts.rs); the bid picker keeps its choice across its own redraws; a call of
/// "Liar!" ends the round for both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liars_dice_shows_each_phone_only_its_own_dice() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("script_games").await else { return };
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);
    let ana = driver.phone("dice-ana", &base).await;
    let code = ana.create_room("Ana", "liars_dice").await;
    let bo = driver.phone("dice-bo", &base).await;
    bo.join_by_link(&code, "Bo").await;
    ana.click("[data-testid=start]").await;

    // Each phone's dice are in its own frame only: what the other frame was given is counts.
    let dice = "return document.querySelector('[data-testid=my-dice]')?.getAttribute('aria-label') ?? null;";
    for page in [&ana, &bo] {
        page.frame_wait_text("[data-testid=my-dice]", "").await;
        let label = page.frame_js(dice).await.unwrap();
        let label = label.as_str().unwrap();
        assert_eq!(label.matches(',').count(), 4, "five dice: {label}");
        let text = page.frame_js("return document.body.innerText;").await.unwrap();
        assert!(text.as_str().unwrap().contains("Bo: 5 dice"), "the counts: {text}");
    }
    // Ana picks "2 x" (one more than the lowest bid) and bids; Bo sees the bid and calls.
    ana.frame_wait_text("[data-testid=pick]", "1 ×").await;
    ana.frame_click("[aria-label=more]").await;
    ana.frame_wait_text("[data-testid=pick]", "2 ×").await;
    ana.frame_click("[data-testid=bid-send]").await;
    bo.frame_wait_text("[data-testid=bid]", "Bid to beat: 2 ×").await;
    bo.shot("dice-bo-bid-to-beat").await;
    bo.frame_click("[data-testid=call]").await;
    for page in [&ana, &bo] {
        page.frame_wait_text("[data-testid=reveal]", "Bo called 2 ×").await;
    }
    // A new round: someone has four dice now.
    ana.frame_wait_js("a die lost", "return /: 4 dice/.test(document.body.innerText);").await;
    ana.shot("dice-ana-after-the-call").await;
    for page in [&ana, &bo] {
        page.assert_no_script_errors().await;
    }
}
