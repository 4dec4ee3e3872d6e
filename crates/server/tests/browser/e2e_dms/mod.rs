//! End-to-end encrypted direct messages, in the phone page as players use it: over https with
//! the server's local CA trusted by the browser (no certificate error ignored), comparing
//! safety numbers (the digits, and the QR code read back by an independent decoder), a key
//! change that holds a message until the sender accepts it; over plain http, where the page
//! cannot encrypt and says so (and never goes on in the clear with a conversation that was
//! encrypted); and with the Rust client on the other end.
//!
//! One scenario a module: `https` (two phones, verified, then a key change), `http` (the page
//! that cannot encrypt) and `rust_client` (a phone and the Rust client); the steps they share
//! are here.

mod http;
mod https;
mod rust_client;

use serde_json::Value;

use crate::axe;
use crate::harness::{Page, SVG_PIXELS, decode_qr};

const PASSWORD: &str = "correct horse battery";

// --- Steps ---------------------------------------------------------------------------------

/// A screenshot, with any toast closed first (one from a while ago would hide the screen).
async fn shot(page: &Page, what: &str) {
    page.js("const t = document.querySelector('[data-testid=toast]'); \
             if (t && !t.hidden) document.querySelector('[data-testid=toast-close]').click(); \
             return true;")
        .await;
    page.wait_hidden("[data-testid=toast]").await;
    page.shot(what).await;
}

/// With axe-core at hand, the page as it is now has no serious or critical violation (the
/// others are printed).
async fn axe_clean(page: &Page, axe: &Option<String>, screen: &str) {
    let Some(axe) = axe else { return };
    let (serious, other) = axe::check(page, axe).await;
    for line in &other {
        eprintln!("axe, {screen} (not failing): {line}");
    }
    assert!(serious.is_empty(), "axe, {screen}: {}", serious.join("\n"));
}

/// A new phone picks `name` and turns the guest into the account `username`.
async fn register(page: &Page, name: &str, username: &str) {
    page.open("/").await;
    page.type_into("[data-testid=name-input]", name).await;
    page.click("[data-testid=name-submit]").await;
    page.wait_visible("[data-testid=screen-home]").await;
    page.click("[data-testid=create-account]").await;
    page.wait_text("[data-testid=account-title]", "Create an account").await;
    page.type_into("[data-testid=account-username]", username).await;
    page.type_into("[data-testid=account-password]", PASSWORD).await;
    page.click("[data-testid=account-submit]").await;
    page.wait_text("[data-testid=me-username]", &format!("@{username}")).await;
}

/// A new browser logs in to the account `username`.
async fn log_in(page: &Page, username: &str) {
    page.open("/").await;
    page.click("[data-testid=name-login]").await;
    page.type_into("[data-testid=account-username]", username).await;
    page.type_into("[data-testid=account-password]", PASSWORD).await;
    page.click("[data-testid=account-submit]").await;
    page.wait_visible("[data-testid=screen-home]").await;
    page.wait_text("[data-testid=me-username]", &format!("@{username}")).await;
}

/// From home, joins room `code` by typing it.
async fn join_by_code(page: &Page, code: &str) {
    page.type_into("[data-testid=join-code]", code).await;
    page.click("[data-testid=join-submit]").await;
    page.wait_text("[data-testid=room-code-small]", code).await;
}

/// In a room, taps the player in `seat` and "Message": their conversation opens.
async fn message_seat(page: &Page, seat: usize, name: &str) {
    page.click(&format!("[data-testid=seat-{seat}]")).await;
    page.wait_text("[data-testid=person-name]", name).await;
    page.click("[data-testid=person-message]").await;
    page.wait_visible("[data-testid=screen-conversation]").await;
    page.wait_text("[data-testid=dm-name]", name).await;
}

async fn send(page: &Page, text: &str) {
    page.type_into("[data-testid=dm-input]", text).await;
    page.click("[data-testid=dm-send]").await;
}

/// Waits until the conversation's notice has `status` (e2e.js's words for it).
async fn wait_status(page: &Page, status: &str) {
    let script = format!(
        "const n = document.querySelector('[data-testid=dm-privacy]'); \
         return !!n && n.dataset.status === '{status}';"
    );
    page.wait_js(&format!("the conversation's notice to say {status:?}"), &script).await;
}

/// JS: `m` is the newest of my stored direct messages on screen (or undefined).
const LAST_MINE: &str = "const mine = document.querySelectorAll('[data-testid=dm-message].mine:not(.pending)'); \
     const m = mine[mine.length - 1];";

fn last_mine_is(status: &str) -> String {
    format!("{LAST_MINE} return !!m && m.dataset.status === '{status}';")
}

/// JS: the newest of my messages reached the other's device (delivered, or read already).
fn last_mine_arrived() -> String {
    format!("{LAST_MINE} return !!m && ['delivered', 'read'].includes(m.dataset.status);")
}

/// JS: every stored message bubble as [text, who can read it, sealed].
const BUBBLES: &str = "return [...document.querySelectorAll('[data-testid=dm-message]:not(.pending)')] \
     .map((m) => [m.querySelector('[data-testid=dm-text]').textContent, \
                  (m.querySelector('[data-testid=dm-who]') || {}).textContent || null, \
                  m.dataset.sealed]);";

/// Waits until no sealed message on screen is still being opened.
async fn wait_opened(page: &Page) {
    let script = "return ![...document.querySelectorAll('[data-testid=dm-text]')] \
                  .some((t) => t.textContent.includes('Opening'));";
    page.wait_js("every sealed message opened (or found unreadable)", script).await;
}

async fn bubbles(page: &Page) -> Value {
    page.js(BUBBLES).await
}

async fn last_bubble(page: &Page) -> Value {
    let all = bubbles(page).await;
    all.as_array().and_then(|a| a.last().cloned()).unwrap_or(Value::Null)
}

/// The safety number on the page's verify screen, once drawn: 60 digits.
async fn wait_number(page: &Page) -> String {
    page.wait_visible("[data-testid=screen-verify]").await;
    let script = "const d = document.querySelector('[data-testid=verify-digits]'); \
                  return !!d && /^[0-9]{60}$/.test(d.dataset.number || '') \
                      && d.textContent.replace(/\\s/g, '') === d.dataset.number;";
    page.wait_js("the 60 digits of the safety number", script).await;
    let number =
        page.js("return document.querySelector('[data-testid=verify-digits]').dataset.number;");
    number.await.as_str().unwrap_or_default().to_owned()
}

/// JS (async, after [`SVG_PIXELS`]): the QR code on the verify screen, its SVG drawn at 8 px a
/// module; returns {px, rows} (rows of '1' for dark pixels).
const QR_PIXELS: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  const svg = document.querySelector('[data-testid=verify-qr] svg');
  const px = svg.viewBox.baseVal.width * 8;
  return { px, rows: await svgPixels(svg.outerHTML, px) };
})().then(done, (e) => done({ thrown: String(e) }));
"#;

/// What the QR code on the page's verify screen says, read by rqrr from its pixels.
async fn read_qr(page: &Page) -> String {
    let got = page.js_async(&format!("{SVG_PIXELS}{QR_PIXELS}")).await;
    assert!(got.get("thrown").is_none(), "drawing the QR code: {}", got["thrown"]);
    let px = got["px"].as_u64().expect("a size") as usize;
    let rows: Vec<Vec<u8>> = got["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r.as_str().unwrap_or_default().as_bytes().to_vec())
        .collect();
    assert_eq!(rows.len(), px);
    decode_qr(px, |x, y| rows[y][x] == b'1').2
}

/// What the page keeps in its localStorage under `key`.
async fn local(page: &Page, key: &str) -> String {
    let value = page.js(&format!("return localStorage.getItem({key:?});")).await;
    value.as_str().unwrap_or_else(|| panic!("{}: no {key}", page.name())).to_owned()
}
