//! Accounts: register, log in on another device, log out, an expired session.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME, POLL};
use crate::layout::{ROOM_CONTROLS, on_screen, toast_clear};

/// What a toast must not cover on home.
const HOME_CONTROLS: &[&str] = &[
    "[data-testid=logout]",
    "[data-testid=create-room]",
    "[data-testid=join-submit]",
    "[data-testid=create-account]",
];

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
    // The toast stays at the top: Log out, at the bottom, can be tapped while it shows.
    phone
        .js("document.querySelector('[data-testid=account-card]').scrollIntoView(); return true;")
        .await;
    phone.wait_no_problems("Log out uncovered", &on_screen(&["logout"])).await;
    phone.wait_no_problems("the toast clear of Log out", &toast_clear(HOME_CONTROLS)).await;
    phone.shot("registered").await;
    phone.click("[data-testid=toast-close]").await;
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
    // Straight back into the room, in the same seat; "Logged in as" does not cover Start.
    phone.wait_text("[data-testid=room-code-small]", &code).await;
    phone.wait_text("[data-testid=toast]", "Logged in as ana_b").await;
    phone.wait_no_problems("the toast clear of Start", &toast_clear(ROOM_CONTROLS)).await;
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
