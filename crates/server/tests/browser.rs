//! Real-browser end-to-end tests: the phone client (`web/`) in headless Chromium, driven over
//! WebDriver by chromedriver, against a real server on 127.0.0.1.
//!
//! Every page is its own browser (its own profile, so its own localStorage: a separate player).
//! Phones are emulated at 360x640 with touch; the big screen and a laptop are 1280x720. Screenshots of the key
//! moments go to `target/artifacts/browser/`, numbered in the order they were taken.
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the tests skip with a message,
//! except in CI (`CI` set), where a missing browser is a failure.
//!
//! Waits are explicit: every step polls the page until what it expects shows up, or fails with
//! a screenshot and the page's text. Nothing waits a fixed time to synchronise.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long a step may take to show up in a page.
const UI_WAIT: Duration = Duration::from_secs(15);
/// How often a waiting step looks again.
const POLL: Duration = Duration::from_millis(50);

/// Chromium is heavy on a small machine: the tests in this file take turns.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Screenshots are numbered across the whole run, so the files sort in the order taken.
static SHOT_NO: AtomicUsize = AtomicUsize::new(1);

/// Two phones play tic-tac-toe to a win, chat, survive a reload and a dropped connection; a
/// spectator and a big screen follow, through the result and a rematch.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_phones_play_tictactoe_with_chat_resume_spectator_and_big_screen() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("tictactoe").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    // Ana opens the app, picks a name, and creates a tic-tac-toe room.
    let ana = driver.phone("ana", &base).await;
    ana.open("/").await;
    ana.wait_visible("[data-testid=screen-name]").await;
    ana.shot("welcome").await;
    ana.type_into("[data-testid=name-input]", "Ana").await;
    ana.click("[data-testid=name-submit]").await;
    ana.wait_visible("[data-testid=screen-home]").await;
    ana.wait_text("[data-testid=me-name]", "Ana").await;
    ana.click("[data-testid=game-tictactoe]").await;
    ana.shot("home").await;
    ana.click("[data-testid=create-room]").await;
    let code = ana.wait_text("[data-testid=room-code]", "").await;
    assert!(code.len() == 4 && code.chars().all(|c| c.is_ascii_uppercase()), "code {code:?}");
    ana.wait_text("[data-testid=status]", "Waiting for 1 more player").await;
    ana.wait_text("[data-testid=join-link]", &format!("/join/{code}")).await;
    ana.wait_js(
        "the QR code of the join link loaded",
        &format!(
            "const img = document.querySelector('[data-testid=qr]'); \
             return !!img && img.getAttribute('src') === '/qr/{code}.svg' \
                 && img.complete && img.naturalWidth > 0;"
        ),
    )
    .await;
    assert!(!ana.enabled("[data-testid=start]").await, "no start with an empty seat");

    // Bo types a code that does not exist first: the server's refusal shows in words.
    let bo = driver.phone("bo", &base).await;
    bo.open("/").await;
    bo.type_into("[data-testid=name-input]", "Bo").await;
    bo.click("[data-testid=name-submit]").await;
    bo.wait_visible("[data-testid=screen-home]").await;
    let wrong = if code == "WXYA" { "WXYC" } else { "WXYA" };
    bo.type_into("[data-testid=join-code]", wrong).await;
    bo.click("[data-testid=join-submit]").await;
    let error = bo.wait_text("[data-testid=join-error]", "no open room").await;
    assert!(error.contains(wrong), "the error names the code: {error}");
    bo.shot("join-error").await;
    // Then the right code, typed in lower case.
    bo.type_into("[data-testid=join-code]", &code.to_lowercase()).await;
    bo.click("[data-testid=join-submit]").await;
    bo.wait_text("[data-testid=room-code]", &code).await;
    bo.wait_text("[data-testid=seat-0]", "Ana").await;
    bo.wait_text("[data-testid=seat-1]", "Bo").await;
    bo.wait_text("[data-testid=status]", "Waiting for Ana to start").await;

    // Ana's lobby fills up; she can start.
    ana.wait_text("[data-testid=seat-1]", "Bo").await;
    ana.wait_text("[data-testid=status]", "Everyone is here").await;
    ana.wait_enabled("[data-testid=start]").await;
    ana.shot("lobby").await;

    // The big screen joins as its own spectator and shows the code, QR and players.
    let screen = driver.desktop("screen", &base).await;
    screen.open(&format!("/screen/{code}")).await;
    screen.wait_text("[data-testid=room-code]", &code).await;
    screen.wait_text("[data-testid=players]", "Ana").await;
    screen.wait_text("[data-testid=players]", "Bo").await;
    screen
        .wait_js(
            "the big screen's QR code loaded",
            "const img = document.querySelector('[data-testid=qr]'); \
         return !!img && img.complete && img.naturalWidth > 0;",
        )
        .await;
    ana.wait_text("[data-testid=spectators]", "Big screen").await;
    screen.shot("lobby").await;

    // Ana starts; X (Ana) moves first.
    ana.click("[data-testid=start]").await;
    ana.wait_text("[data-testid=status]", "Your turn").await;
    bo.wait_text("[data-testid=status]", "Ana's turn").await;
    screen.wait_text("[data-testid=status]", "Ana's turn").await;
    assert!(!bo.enabled("[data-testid=cell-4]").await, "Bo cannot move on Ana's turn");
    ana.click("[data-testid=cell-4]").await;
    bo.wait_mark(4, "X").await;
    bo.wait_text("[data-testid=status]", "Your turn").await;
    bo.wait_text("[data-testid=last-move]", "Ana (X) took the centre").await;
    ana.wait_text("[data-testid=status]", "Bo's turn").await;
    assert!(!ana.enabled("[data-testid=cell-0]").await, "Ana cannot move on Bo's turn");
    assert!(!bo.enabled("[data-testid=cell-4]").await, "a taken cell cannot be tapped");
    screen.wait_mark(4, "X").await;

    // Chat: Ana writes; Bo sees an unread count on the closed drawer, then the message.
    ana.click("[data-testid=chat-toggle]").await;
    ana.type_into("[data-testid=chat-input]", "good luck, Bo!").await;
    ana.click("[data-testid=chat-send]").await;
    ana.wait_text("[data-testid=chat-log]", "good luck, Bo!").await;
    bo.wait_text("[data-testid=chat-unread]", "1").await;
    bo.wait_text("[data-testid=chat-preview]", "Ana: good luck, Bo!").await;
    bo.shot("game-your-turn").await;
    bo.click("[data-testid=chat-toggle]").await;
    bo.wait_text("[data-testid=chat-log]", "good luck, Bo!").await;
    let name = bo.text(".msg:last-child [data-testid=chat-name]").await;
    assert_eq!(name, "Ana", "the sender's name is on the message");
    bo.assert_board_above_chat().await;
    bo.type_into("[data-testid=chat-input]", "thanks Ana :)").await;
    bo.click("[data-testid=chat-send]").await;
    ana.wait_text("[data-testid=chat-log]", "thanks Ana :)").await;
    assert_eq!(ana.text(".msg:last-child [data-testid=chat-name]").await, "Bo");
    ana.assert_board_above_chat().await;
    ana.shot("chat-open").await;
    screen.wait_text("[data-testid=chat-log]", "thanks Ana :)").await;
    bo.click("[data-testid=chat-toggle]").await;
    ana.click("[data-testid=chat-toggle]").await;

    // A move the UI would not offer still gets a clear answer from the server, in words.
    bo.force_click("[data-testid=cell-4]").await;
    bo.wait_text("[data-testid=toast]", "cell 4 is taken").await;
    bo.shot("server-error").await;
    bo.click("[data-testid=toast-close]").await;
    bo.wait_hidden("[data-testid=toast]").await;

    bo.click("[data-testid=cell-0]").await;
    ana.wait_mark(0, "O").await;
    ana.click("[data-testid=chat-toggle]").await;
    ana.type_into("[data-testid=chat-input]", "nice block").await;
    ana.click("[data-testid=chat-send]").await;
    ana.wait_text("[data-testid=chat-log]", "nice block").await;
    ana.click("[data-testid=chat-toggle]").await;
    ana.click("[data-testid=cell-3]").await;
    bo.wait_mark(3, "X").await;
    bo.wait_text("[data-testid=status]", "Your turn").await;
    bo.wait_text("[data-testid=chat-unread]", "1").await;
    bo.shot("game").await;

    // Bo's phone reloads mid-game: same player, same seat, same board.
    bo.client.refresh().await.expect("reload");
    bo.wait_text("[data-testid=room-code-small]", &code).await;
    bo.wait_text("[data-testid=status]", "Your turn (you are O)").await;
    bo.wait_mark(4, "X").await;
    bo.wait_mark(0, "O").await;
    bo.wait_text("[data-testid=side-1]", "Bo (you)").await;
    bo.wait_text("[data-testid=chat-preview]", "Ana: nice block").await;
    bo.shot("after-reload").await;
    bo.click("[data-testid=cell-1]").await;
    ana.wait_mark(1, "O").await;
    ana.wait_text("[data-testid=status]", "Your turn").await;

    // Ana's connection drops (a phone going through a tunnel). She sees that it is reconnecting;
    // Bo sees her as away. Meanwhile Bo writes and a spectator arrives.
    ana.js("window.capitalTest.dropConnection(120000); return true;").await;
    ana.wait_visible("[data-testid=conn-banner]").await;
    ana.wait_text("[data-testid=conn-banner]", "Reconnecting").await;
    ana.wait_js("the board is locked offline", BOARD_LOCKED).await;
    ana.shot("reconnecting").await;
    bo.wait_text("[data-testid=side-0]", "offline").await;
    bo.click("[data-testid=chat-toggle]").await;
    bo.type_into("[data-testid=chat-input]", "are you still there?").await;
    bo.click("[data-testid=chat-send]").await;
    bo.wait_text("[data-testid=chat-log]", "are you still there?").await;
    bo.click("[data-testid=chat-toggle]").await;

    // Cy opens the join link on a new phone: name prompt, then straight into the room. A game
    // is on, so Cy watches.
    let cy = driver.phone("cy", &base).await;
    cy.open(&format!("/join/{code}")).await;
    cy.wait_text("[data-testid=name-joining]", &code).await;
    cy.shot("join-link-name").await;
    cy.type_into("[data-testid=name-input]", "Cy").await;
    cy.click("[data-testid=name-submit]").await;
    cy.wait_text("[data-testid=watching]", "Watching").await;
    cy.wait_text("[data-testid=toast]", "you are watching").await;
    cy.wait_mark(4, "X").await;
    cy.wait_mark(1, "O").await;
    cy.wait_text("[data-testid=status]", "Ana's turn").await;
    assert!(!cy.enabled("[data-testid=cell-5]").await, "spectators cannot move");
    cy.shot("spectator").await;

    // Ana's network is back (the page would also retry by itself, with growing pauses): the
    // banner goes, and she has caught up on what she missed.
    ana.js("window.capitalTest.networkBack(); return true;").await;
    ana.wait_hidden("[data-testid=conn-banner]").await;
    ana.wait_text("[data-testid=status]", "Your turn").await;
    ana.wait_text("[data-testid=chat-unread]", "1").await;
    ana.wait_text("[data-testid=chat-preview]", "Bo: are you still there?").await;
    ana.wait_text(".versus", "2 watching").await;
    bo.wait_js(
        "Ana shows as connected again",
        "return !document.querySelector('[data-testid=side-0]').textContent.includes('offline');",
    )
    .await;

    // Ana completes the middle row and wins. Everyone sees it, in words.
    ana.click("[data-testid=cell-5]").await;
    ana.wait_text("[data-testid=status]", "You won!\nThree in a row").await;
    bo.wait_text("[data-testid=status]", "Ana won\nThree in a row").await;
    cy.wait_text("[data-testid=status]", "Ana won\nThree in a row").await;
    screen.wait_text("[data-testid=status]", "Ana won\nThree in a row").await;
    for page in [&ana, &bo, &cy, &screen] {
        page.wait_js(
            "the winning line is marked",
            "return [3, 4, 5].every(i => document.querySelector(`[data-testid=cell-${i}]`)\
                 .classList.contains('win'));",
        )
        .await;
    }
    ana.shot("won").await;
    bo.shot("lost").await;
    cy.shot("spectator-result").await;
    screen.shot("result").await;
    assert!(!cy.exists("[data-testid=rematch]").await, "spectators get no rematch button");

    // Rematch: back to the lobby with seats swapped; the big screen follows into game 2.
    bo.click("[data-testid=rematch]").await;
    ana.wait_text("[data-testid=seat-0]", "Bo").await;
    ana.wait_text("[data-testid=seat-1]", "Ana").await;
    screen.wait_text("[data-testid=status]", "Waiting for Ana to start").await;
    ana.click("[data-testid=start]").await;
    bo.wait_text("[data-testid=status]", "Your turn (you are X)").await;
    screen.wait_text("[data-testid=status]", "Bo's turn (X)").await;
    screen.wait_text("[data-testid=room-game]", "game 2").await;
    bo.click("[data-testid=cell-0]").await;
    screen.wait_mark(0, "X").await;
    cy.wait_mark(0, "X").await;
    screen.shot("game-2").await;

    for page in [&ana, &bo, &cy, &screen] {
        page.assert_no_script_errors().await;
    }
    for page in [ana, bo, cy, screen] {
        page.close().await;
    }
    eprintln!("browser test (tic-tac-toe) took {:.1} s", started.elapsed().as_secs_f64());
}

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

    // Four in a column for Ana (Coral), with Bo stacking next to her.
    for (i, column) in [0, 1, 0, 1, 0, 1, 0].into_iter().enumerate() {
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

/// Accounts: a guest claims an account on a phone; a laptop logs in with it (after a wrong
/// password, said in words) and finds the same player and rooms; logging out goes back to the
/// start; the phone's session expires and it asks to log in again, with the username filled in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_register_log_in_elsewhere_expire_and_log_out() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("accounts").await else { return };
    let started = Instant::now();
    // Short sessions, so the phone's runs out during the test.
    const SESSION: Duration = Duration::from_secs(3);
    let server = TestServer::start_with(|c| c.session_seconds = SESSION.as_secs()).await;
    let base = format!("http://{}", server.addr);
    const PASSWORD: &str = "correct horse battery";

    // Ana plays as a guest, then saves her progress: an account.
    let phone = driver.phone("acct-phone", &base).await;
    phone.open("/").await;
    phone.type_into("[data-testid=name-input]", "Ana").await;
    phone.click("[data-testid=name-submit]").await;
    phone.wait_text("[data-testid=account-card]", "Save your progress").await;
    phone.click("[data-testid=create-account]").await;
    phone.wait_text("[data-testid=account-title]", "Create an account").await;
    phone.type_into("[data-testid=account-username]", "Ana B").await;
    phone.type_into("[data-testid=account-password]", PASSWORD).await;
    phone.click("[data-testid=account-submit]").await;
    phone.wait_text("[data-testid=account-error]", "3 to 20 letters").await;
    phone.shot("register").await;
    phone.type_into("[data-testid=account-username]", "Ana_B").await;
    phone.click("[data-testid=account-submit]").await;
    let registered = Instant::now();
    phone.wait_text("[data-testid=toast]", "Account created").await;
    phone.wait_text("[data-testid=me-username]", "@ana_b").await;
    phone.wait_text("[data-testid=account-name]", "ana_b").await;
    phone.click("[data-testid=toast-close]").await;
    phone
        .js("document.querySelector('[data-testid=account-card]').scrollIntoView(); return true;")
        .await;
    phone.shot("registered").await;
    phone.click("[data-testid=game-tictactoe]").await;
    phone.click("[data-testid=create-room]").await;
    let code = phone.wait_text("[data-testid=room-code]", "").await;

    // A laptop logs in: a wrong password first, then the right one.
    let laptop = driver.desktop("acct-laptop", &base).await;
    laptop.open("/").await;
    laptop.click("[data-testid=name-login]").await;
    laptop.wait_text("[data-testid=account-title]", "Log in").await;
    laptop.type_into("[data-testid=account-username]", "ana_b").await;
    laptop.type_into("[data-testid=account-password]", "not my password").await;
    laptop.click("[data-testid=account-submit]").await;
    laptop.wait_text("[data-testid=account-error]", "Wrong username or password").await;
    laptop.shot("login-wrong-password").await;
    laptop.type_into("[data-testid=account-password]", PASSWORD).await;
    laptop.click("[data-testid=account-submit]").await;
    // The same player: name, account, and the room made on the phone.
    laptop.wait_visible("[data-testid=screen-home]").await;
    laptop.wait_text("[data-testid=me-name]", "Ana").await;
    laptop.wait_text("[data-testid=account-name]", "ana_b").await;
    laptop.wait_text("#my-rooms", &code).await;
    laptop.shot("logged-in").await;
    // One device at a time: the phone hears it was taken over.
    phone.wait_text("[data-testid=conn-banner]", "another tab or phone").await;

    // Logging out: back to the start, token gone, "log in" one tap away.
    laptop.click("[data-testid=logout]").await;
    laptop.wait_visible("[data-testid=screen-name]").await;
    laptop.wait_text("[data-testid=name-notice]", "You are logged out").await;
    laptop.wait_visible("[data-testid=name-login]").await;
    let token = laptop.js("return localStorage.getItem('capital.token');").await;
    assert_eq!(token, Value::Null, "the token is dropped at logout");
    laptop.shot("logged-out").await;

    // The phone takes over again, but its session has run out: log in again, username filled in.
    while registered.elapsed() <= SESSION {
        tokio::time::sleep(POLL).await; // waiting for the expiry itself, not for the page
    }
    phone.click("[data-testid=conn-banner] button").await;
    phone.wait_visible("[data-testid=screen-account]").await;
    phone.wait_text("[data-testid=account-notice]", "session has expired").await;
    let username =
        phone.js("return document.querySelector('[data-testid=account-username]').value;").await;
    assert_eq!(username, json!("ana_b"), "the username is filled in");
    phone.shot("session-expired").await;
    phone.type_into("[data-testid=account-password]", PASSWORD).await;
    phone.click("[data-testid=account-submit]").await;
    // Straight back into the room, in the same seat.
    phone.wait_text("[data-testid=room-code-small]", &code).await;
    phone.wait_text("[data-testid=seat-0]", "Ana").await;
    phone.wait_text("[data-testid=seat-0]", "you").await;
    phone.wait_hidden("[data-testid=conn-banner]").await;

    for page in [&phone, &laptop] {
        page.assert_no_script_errors().await;
    }
    for page in [phone, laptop] {
        page.close().await;
    }
    eprintln!("browser test (accounts) took {:.1} s", started.elapsed().as_secs_f64());
}

/// Direct messages: Bo writes to Ana from the room's player list; Ana sees the unread badge,
/// opens the conversation and reads it; Bo sees the read ticks. Ana loses her connection while
/// Bo writes three more: they arrive once each, in order. Ana blocks Bo. Also: the page opened
/// on the server machine shows the LAN join link, and a winner who left is still named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_messages_between_two_phones() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("direct messages").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    // Ana's page is opened on the server machine itself (localhost): the join link shows the
    // address phones can reach (from /api/info), here the server's 127.0.0.1 address.
    let local = format!("http://localhost:{}", server.addr.port());
    let ana = driver.phone("dm-ana", &local).await;
    ana.open("/").await;
    ana.type_into("[data-testid=name-input]", "Ana").await;
    ana.click("[data-testid=name-submit]").await;
    ana.click("[data-testid=game-tictactoe]").await;
    ana.click("[data-testid=create-room]").await;
    let code = ana.wait_text("[data-testid=room-code]", "").await;
    ana.wait_text("[data-testid=join-link]", &format!("{}/join/{code}", server.addr)).await;
    ana.js(&format!(
        "window.capitalTest.serverInfo({{urls: ['{base}/'], mdns: 'http://capital.local:8080/'}}); \
         return true;"
    ))
    .await;
    ana.wait_text("[data-testid=mdns-hint]", &format!("capital.local:8080/join/{code}")).await;

    let bo = driver.phone("dm-bo", &base).await;
    bo.open(&format!("/join/{code}")).await;
    bo.type_into("[data-testid=name-input]", "Bo").await;
    bo.click("[data-testid=name-submit]").await;
    bo.wait_text("[data-testid=seat-1]", "Bo").await;
    ana.wait_text("[data-testid=seat-1]", "Bo").await;

    // Bo taps Ana in the player list: "Message".
    bo.click("[data-testid=seat-0]").await;
    bo.wait_text("[data-testid=person-name]", "Ana").await;
    bo.click("[data-testid=person-message]").await;
    bo.wait_visible("[data-testid=screen-conversation]").await;
    bo.wait_text("[data-testid=dm-name]", "Ana").await;
    bo.wait_text("[data-testid=dm-presence]", "online").await;
    bo.type_into("[data-testid=dm-input]", "Hi Ana! Up for a rematch later?").await;
    bo.click("[data-testid=dm-send]").await;
    bo.wait_js("Bo's message is delivered", &last_mine_is("delivered")).await;

    // Ana, in the lobby, sees an unread badge; the list shows who wrote.
    ana.wait_text("[data-testid=messages-badge-room]", "1").await;
    ana.shot("unread-badge").await;
    ana.click("[data-testid=messages-room]").await;
    ana.wait_text("[data-testid=conversation]", "Bo").await;
    ana.wait_text("[data-testid=conversation-unread]", "1").await;
    ana.wait_text("[data-testid=conversation-preview]", "Up for a rematch").await;
    ana.wait_visible("[data-testid=conversation] .online-dot").await;
    ana.shot("conversations").await;
    ana.click("[data-testid=conversation]").await;
    ana.wait_text("[data-testid=dm-log]", "Hi Ana! Up for a rematch later?").await;
    ana.wait_hidden("[data-testid=messages-badge-room]").await;

    // Bo sees it was read; Ana answers, and Bo (looking at the conversation) reads it at once.
    bo.wait_js("Bo's message shows as read", &last_mine_is("read")).await;
    bo.wait_text("[data-testid=dm-log]", "Read").await;
    bo.shot("read-receipt").await;
    ana.type_into("[data-testid=dm-input]", "Sure! After this one.").await;
    ana.click("[data-testid=dm-send]").await;
    bo.wait_text("[data-testid=dm-log]", "Sure! After this one.").await;
    ana.wait_js("Ana's answer shows as read", &last_mine_is("read")).await;
    assert!(
        bo.js("return document.querySelector('[data-testid=messages-badge-room]').hidden;").await
            == json!(true),
        "nothing unread for Bo"
    );

    // Ana goes back to the game and loses her connection; Bo sees her go offline and writes on.
    ana.click("[data-testid=dm-back]").await;
    ana.click("[data-testid=messages-back]").await;
    ana.wait_visible("[data-testid=screen-room]").await;
    ana.js("window.capitalTest.dropConnection(120000); return true;").await;
    ana.wait_text("[data-testid=conn-banner]", "Reconnecting").await;
    bo.wait_text("[data-testid=dm-presence]", "offline").await;
    for text in ["Are you there?", "The host is waiting", "Ping me when you are back"] {
        bo.type_into("[data-testid=dm-input]", text).await;
        bo.click("[data-testid=dm-send]").await;
        bo.wait_js(&format!("{text:?} is stored"), &format!("{LAST_MINE} return !!m && m.textContent.includes({text:?}) && m.dataset.status === 'sent';")).await;
    }
    bo.shot("sent-while-away").await;

    // Ana is back: three unread, each once and in order; Bo's ticks follow.
    ana.js("window.capitalTest.networkBack(); return true;").await;
    ana.wait_hidden("[data-testid=conn-banner]").await;
    ana.wait_text("[data-testid=messages-badge-room]", "3").await;
    bo.wait_text("[data-testid=dm-presence]", "online").await;
    bo.wait_js("the messages are delivered", &last_mine_is("delivered")).await;
    ana.click("[data-testid=messages-room]").await;
    ana.wait_text("[data-testid=conversation-unread]", "3").await;
    ana.click("[data-testid=conversation]").await;
    ana.wait_text("[data-testid=dm-log]", "Ping me when you are back").await;
    let texts = ana.js(
        "return [...document.querySelectorAll('[data-testid=dm-text]')].map(e => e.textContent);",
    )
    .await;
    assert_eq!(
        texts,
        json!([
            "Hi Ana! Up for a rematch later?",
            "Sure! After this one.",
            "Are you there?",
            "The host is waiting",
            "Ping me when you are back"
        ]),
        "every message once, in order"
    );
    bo.wait_js("Bo's messages show as read", &last_mine_is("read")).await;
    ana.type_into("[data-testid=dm-input]", "Back! Tunnel.").await;
    ana.click("[data-testid=dm-send]").await;
    ana.wait_js("Ana's message is read", &last_mine_is("read")).await;
    ana.shot("conversation").await;

    // A chat sender's name also offers "Message".
    bo.click("[data-testid=dm-back]").await;
    bo.wait_visible("[data-testid=screen-room]").await;
    ana.click("[data-testid=dm-back]").await;
    ana.click("[data-testid=messages-back]").await;
    ana.click("[data-testid=chat-toggle]").await;
    ana.type_into("[data-testid=chat-input]", "gl hf").await;
    ana.click("[data-testid=chat-send]").await;
    bo.click("[data-testid=chat-toggle]").await;
    bo.click(".msg:last-child [data-testid=chat-name]").await;
    bo.wait_text("[data-testid=person-name]", "Ana").await;
    bo.click("[data-testid=person-cancel]").await;
    bo.click("[data-testid=chat-toggle]").await;
    ana.click("[data-testid=chat-toggle]").await;

    // Ana blocks Bo: his next message is refused, in words.
    ana.click("[data-testid=messages-room]").await;
    ana.click("[data-testid=conversation]").await;
    ana.click("[data-testid=dm-block]").await;
    ana.click("[data-testid=block-confirm]").await;
    ana.wait_text("[data-testid=dm-blocked]", "You blocked Bo").await;
    ana.wait_hidden("[data-testid=dm-input]").await;
    bo.click("[data-testid=messages-room]").await;
    bo.click("[data-testid=conversation]").await;
    bo.type_into("[data-testid=dm-input]", "Why?").await;
    bo.click("[data-testid=dm-send]").await;
    bo.wait_text("[data-testid=dm-log]", "Not sent: Ana is not taking messages from you").await;
    ana.click("[data-testid=dm-back]").await;
    ana.click("[data-testid=messages-back]").await;
    bo.click("[data-testid=dm-back]").await;
    bo.click("[data-testid=messages-back]").await;

    // A quick game: Ana wins and leaves; Bo's result still says who won.
    ana.click("[data-testid=start]").await;
    for (page, cell) in [(&ana, 0), (&bo, 3), (&ana, 1), (&bo, 4), (&ana, 2)] {
        page.wait_text("[data-testid=status]", "Your turn").await;
        page.click(&format!("[data-testid=cell-{cell}]")).await;
    }
    bo.wait_text("[data-testid=status]", "Ana won").await;
    ana.click("[data-testid=leave]").await;
    ana.click("[data-testid=leave-confirm]").await;
    ana.wait_visible("[data-testid=screen-home]").await;
    bo.wait_text("[data-testid=side-0]", "Open seat").await;
    bo.wait_text("[data-testid=status]", "Ana won").await;

    for page in [&ana, &bo] {
        page.assert_no_script_errors().await;
    }
    for page in [ana, bo] {
        page.close().await;
    }
    eprintln!("browser test (direct messages) took {:.1} s", started.elapsed().as_secs_f64());
}

/// JS: `m` is the newest of my direct messages on screen (or null).
const LAST_MINE: &str = "const mine = document.querySelectorAll('[data-testid=dm-message].mine'); \
                         const m = mine[mine.length - 1];";

/// JS: the newest of my direct messages has this status (`sent`, `delivered` or `read`).
fn last_mine_is(status: &str) -> String {
    format!("{LAST_MINE} return !!m && m.dataset.status === '{status}';")
}

/// JS: every board button is disabled (the page is offline or it is not this viewer's move).
const BOARD_LOCKED: &str =
    "return [...document.querySelectorAll('[data-testid=board] button')].every(b => b.disabled);";

/// A chromedriver process on a free 127.0.0.1 port; killed (with its browsers) when dropped.
struct Driver {
    child: Child,
    url: String,
    artifacts: PathBuf,
}

impl Driver {
    /// Starts chromedriver, or returns `None` after saying why the test skips. In CI a missing
    /// browser is a failure.
    async fn start_or_skip(test: &str) -> Option<Driver> {
        let missing: Vec<&str> =
            [CHROMIUM, CHROMEDRIVER].into_iter().filter(|p| !Path::new(p).exists()).collect();
        if !missing.is_empty() {
            let why = format!(
                "browser test ({test}) needs {} (Debian: apt-get install chromium chromium-driver)",
                missing.join(" and ")
            );
            if std::env::var_os("CI").is_some() {
                panic!("CI is set and the browser is missing: {why}");
            }
            eprintln!("SKIPPED: {why}");
            return None;
        }
        let artifacts = artifacts_dir();
        let port = free_port();
        let mut command = Command::new(CHROMEDRIVER);
        command
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", artifacts.join("chromedriver.log").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Its own process group, so that dropping the driver also ends the browsers it started.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn().expect("chromedriver starts");
        let driver = Driver { child, url: format!("http://127.0.0.1:{port}"), artifacts };
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen on port {port}");
            tokio::time::sleep(POLL).await;
        }
        Some(driver)
    }

    /// A phone: 360x640, touch, a mobile user agent.
    async fn phone(&self, name: &'static str, base: &str) -> Page {
        let mobile = json!({
            "deviceMetrics": {"width": 360, "height": 640, "pixelRatio": 1.0, "touch": true},
            "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 \
                          (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36",
        });
        self.page(name, base, "--window-size=360,640", Some(mobile)).await
    }

    /// A big screen, or a laptop: 1280x720, no touch.
    async fn desktop(&self, name: &'static str, base: &str) -> Page {
        let metrics = json!({
            "deviceMetrics": {
                "width": 1280, "height": 720, "pixelRatio": 1.0, "touch": false, "mobile": false,
            },
        });
        self.page(name, base, "--window-size=1280,720", Some(metrics)).await
    }

    async fn page(
        &self,
        name: &'static str,
        base: &str,
        window: &str,
        mobile: Option<Value>,
    ) -> Page {
        let profile = tempfile::tempdir().expect("browser profile dir");
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--disable-background-timer-throttling",
            "--disable-renderer-backgrounding",
            "--hide-scrollbars",
            window,
        ]
        .into_iter()
        .map(str::to_owned)
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let mut chrome = json!({"binary": CHROMIUM, "args": args});
        if let Some(mobile) = mobile {
            chrome["mobileEmulation"] = mobile;
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), chrome);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&self.url)
            .await
            .unwrap_or_else(|e| panic!("a browser session for {name}: {e}"));
        Page {
            name,
            client,
            base: base.to_owned(),
            artifacts: self.artifacts.clone(),
            _profile: profile,
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The group id is chromedriver's pid (process_group(0) above): this ends chromedriver and
        // any browser a failed test left open, and nothing else.
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser session showing one page: a phone or the big screen.
struct Page {
    name: &'static str,
    client: Client,
    base: String,
    artifacts: PathBuf,
    /// The browser's own profile directory (its localStorage), removed when the page is dropped.
    _profile: tempfile::TempDir,
}

impl Page {
    async fn open(&self, path: &str) {
        let url = format!("{}{path}", self.base);
        self.client.goto(&url).await.unwrap_or_else(|e| panic!("{}: open {url}: {e}", self.name));
    }

    /// Polls `probe` until it returns `Some`, or fails the test with a screenshot.
    async fn wait_for<T>(&self, what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + UI_WAIT;
        loop {
            if let Some(found) = probe().await {
                return found;
            }
            if Instant::now() > deadline {
                self.fail(&format!("waited {UI_WAIT:?} for {what}")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn find(&self, css: &str) -> Option<Element> {
        self.client.find(Locator::Css(css)).await.ok()
    }

    /// Waits until `css` exists and its visible text contains `needle`; returns the text.
    async fn wait_text(&self, css: &str, needle: &str) -> String {
        let what = format!("{css} to contain {needle:?}");
        let found = self
            .wait_for(&what, async || {
                let text = self.find(css).await?.text().await.ok()?;
                let hit = text.contains(needle) && !(needle.is_empty() && text.trim().is_empty());
                hit.then_some(text)
            })
            .await;
        found.trim().to_owned()
    }

    /// The visible text of `css` right now (it must exist).
    async fn text(&self, css: &str) -> String {
        let what = format!("{css} to exist");
        let text = self.wait_for(&what, async || self.find(css).await?.text().await.ok()).await;
        text.trim().to_owned()
    }

    async fn exists(&self, css: &str) -> bool {
        self.find(css).await.is_some()
    }

    async fn enabled(&self, css: &str) -> bool {
        let el = self.wait_for(&format!("{css} to exist"), async || self.find(css).await).await;
        el.is_enabled().await.unwrap_or(false)
    }

    async fn wait_enabled(&self, css: &str) {
        self.wait_for(&format!("{css} to be enabled"), async || {
            self.find(css).await?.is_enabled().await.ok()?.then_some(())
        })
        .await;
    }

    async fn wait_visible(&self, css: &str) {
        self.wait_for(&format!("{css} to be visible"), async || {
            self.find(css).await?.is_displayed().await.ok()?.then_some(())
        })
        .await;
    }

    async fn wait_hidden(&self, css: &str) {
        self.wait_for(&format!("{css} to be hidden"), async || match self.find(css).await {
            None => Some(()),
            Some(el) => (!el.is_displayed().await.ok()?).then_some(()),
        })
        .await;
    }

    /// Waits until `css` is there and enabled, then taps it. The app redraws from every server
    /// message, so an element found a moment ago may be gone: then it looks again.
    async fn click(&self, css: &str) {
        self.wait_for(&format!("{css} to be tapped"), async || {
            let el = self.find(css).await?;
            if !el.is_enabled().await.ok()? || !el.is_displayed().await.ok()? {
                return None;
            }
            el.click().await.ok()
        })
        .await;
    }

    /// Clicks `css` even though the UI disabled it: to see what the server says.
    async fn force_click(&self, css: &str) {
        let script = format!(
            "const b = document.querySelector('{css}'); b.disabled = false; b.click(); return true;"
        );
        self.js(&script).await;
    }

    async fn type_into(&self, css: &str, text: &str) {
        let el = self.wait_for(&format!("{css} to type into"), async || self.find(css).await).await;
        el.clear().await.unwrap_or_else(|e| panic!("{}: clear {css}: {e}", self.name));
        el.send_keys(text).await.unwrap_or_else(|e| panic!("{}: type into {css}: {e}", self.name));
    }

    /// Waits until tic-tac-toe cell `cell` shows `mark`.
    async fn wait_mark(&self, cell: usize, mark: &str) {
        let script = format!(
            "const c = document.querySelector('[data-testid=cell-{cell}]'); \
             return !!c && c.dataset.mark === '{mark}';"
        );
        self.wait_js(&format!("cell {cell} to show {mark}"), &script).await;
    }

    /// Runs `script` (a function body that returns a value) in the page.
    async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("{}: script failed: {e}\n{script}", self.name))
    }

    /// Polls `script` until it returns true.
    async fn wait_js(&self, what: &str, script: &str) {
        self.wait_for(what, async || {
            let value = self.client.execute(script, vec![]).await.ok()?;
            (value == Value::Bool(true)).then_some(())
        })
        .await;
    }

    /// With the chat open, the whole board is still on screen above it.
    async fn assert_board_above_chat(&self) {
        let script = "const b = document.querySelector('[data-testid=board]')\
                          .getBoundingClientRect(); \
                      const c = document.getElementById('chat').getBoundingClientRect(); \
                      return b.top >= 0 && b.height > 120 && b.bottom <= c.top + 1 \
                          && c.bottom <= window.innerHeight + 1;";
        self.wait_js("the board to show in full above the open chat", script).await;
    }

    async fn assert_no_script_errors(&self) {
        let errors = self.js("return window.capitalErrors || [];").await;
        assert_eq!(errors, json!([]), "{}: script errors in the page", self.name);
    }

    /// Saves a screenshot as `NN-<page>-<what>.png` in the artifacts directory, once the
    /// page's short animations (a mark popping in, a disc dropping) have finished.
    async fn shot(&self, what: &str) -> PathBuf {
        let settled = "return document.getAnimations().every(a => a.playState !== 'running' \
                       || a.effect.getComputedTiming().iterations === Infinity);";
        self.wait_js("animations to finish", settled).await;
        self.snap(what).await
    }

    async fn snap(&self, what: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap_or_else(|e| panic!("screenshot: {e}"));
        let n = SHOT_NO.fetch_add(1, Ordering::Relaxed);
        let path = self.artifacts.join(format!("{n:02}-{}-{what}.png", self.name));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Fails the test, with a screenshot and the page's text to show what it showed instead.
    async fn fail(&self, why: &str) -> ! {
        let shot = self.snap("FAILED").await;
        let text = self
            .client
            .execute("return document.body.innerText;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        panic!("{}: {why}\nscreenshot: {}\npage text:\n{text}", self.name, shot.display());
    }

    async fn close(self) {
        let _ = self.client.close().await;
    }
}

/// `<workspace>/target/artifacts/browser/`, created if needed.
fn artifacts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/artifacts/browser");
    std::fs::create_dir_all(&dir).expect("create the artifacts directory");
    dir.canonicalize().expect("artifacts directory")
}

/// A port that was free a moment ago on 127.0.0.1.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}
