//! End-to-end encrypted direct messages, in the phone page as players use it: over https with
//! the server's local CA trusted by the browser (no certificate error ignored), comparing
//! safety numbers (the digits, and the QR code read back by an independent decoder), a key
//! change that holds a message until the sender accepts it; over plain http, where the page
//! cannot encrypt and says so (and never goes on in the clear with a conversation that was
//! encrypted); and with the Rust client on the other end.

use std::time::Instant;

use capital_client::Client;
use capital_client::e2e::DeviceKey;
use capital_client::open_message;
use capital_protocol::{DirectMessage, Role, ServerMsg};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::axe;
use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME, Page, decode_qr};

const PASSWORD: &str = "correct horse battery";

/// Over https, the local CA installed in the browser: Ana and Bo write to each other from a
/// room's player list; every message is sealed (the bubbles and the notice say who can read
/// it, the server keeps no plaintext); they compare safety numbers, Ana by scanning Bo's QR
/// code; then Bo logs in on a new browser, and Ana's next message waits until she accepts
/// his new safety number, then reaches the new browser.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_dms_over_https_verified_then_a_key_change() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let axe = axe::load_or_skip("e2e dms over https, its axe checks");
    let server = TestServer::start_with(|c| c.tls = true).await;
    let ca = server.data_dir().join("tls/ca.pem");
    let base = format!("https://127.0.0.1:{}", server.addr.port());

    // The control: a browser that has not installed the CA gets Chromium's certificate
    // warning, not the app (so the page loading below is the CA's doing).
    {
        let Some(untrusting) = Driver::start_or_skip("e2e dms over https").await else { return };
        let page = untrusting.phone("e2e-untrusting", &base).await;
        let opened = page.client.goto(&format!("{base}/")).await.map_err(|e| e.to_string());
        let shown = page
            .js("return [location.origin, !!document.querySelector('[data-testid=name-input]'), \
                 document.body ? document.body.innerText : ''];")
            .await;
        let refused = match &opened {
            Err(e) => e.contains("ERR_CERT_AUTHORITY_INVALID"),
            Ok(()) => {
                shown[1] == json!(false)
                    && shown[2].as_str().is_some_and(|t| t.contains("ERR_CERT_AUTHORITY_INVALID"))
            }
        };
        assert!(refused, "a browser without the CA: {opened:?}, {shown}");
        page.close().await;
    }

    let Some(driver) = Driver::start_trusting_or_skip("e2e dms over https", &ca).await else {
        return;
    };
    let started = Instant::now();

    // Ana makes a room; the page is the app itself, in a secure context (no interstitial).
    let ana = driver.phone("e2e-ana", &base).await;
    let code = ana.create_room("Ana", "tictactoe").await;
    assert_secure(&ana, &base).await;

    // Bo takes an account first (to log in on another browser later), then joins by code.
    let bo = driver.phone("e2e-bo", &base).await;
    register(&bo, "Bo", "bo_e2e").await;
    assert_secure(&bo, &base).await;
    join_by_code(&bo, &code).await;
    ana.wait_text("[data-testid=seat-1]", "Bo").await;

    // Bo writes to Ana from the player list.
    message_seat(&bo, 0, "Ana").await;
    wait_status(&bo, "unverified").await;
    bo.wait_text(
        "[data-testid=dm-privacy-title]",
        "Only you and Ana can read these (not verified)",
    )
    .await;
    let first = "Hi Ana! The locker code is OCELOT-5521";
    send(&bo, first).await;
    bo.wait_js("Bo's message is delivered", &last_mine_arrived()).await;
    assert_eq!(
        bubbles(&bo).await,
        json!([[first, "Only you and Ana can read this (not verified)", "yes"]]),
        "Bo's bubble"
    );
    shot(&bo, "sealed-sent").await;
    axe_clean(&bo, &axe, "an encrypted conversation").await;

    // Ana opens it from the unread badge; she answers, and Bo reads it.
    ana.wait_text("[data-testid=messages-badge-room]", "1").await;
    ana.click("[data-testid=messages-room]").await;
    ana.click("[data-testid=conversation]").await;
    ana.wait_text("[data-testid=dm-log]", first).await;
    wait_status(&ana, "unverified").await;
    let answer = "Got it, thanks! Mine is PANGOLIN-0342";
    send(&ana, answer).await;
    bo.wait_text("[data-testid=dm-log]", answer).await;
    ana.wait_js("Ana's answer is read", &last_mine_is("read")).await;
    let unverified_ana = json!([
        [first, "Only you and Bo can read this (not verified)", "yes"],
        [answer, "Only you and Bo can read this (not verified)", "yes"],
    ]);
    assert_eq!(bubbles(&ana).await, unverified_ana, "Ana's bubbles");
    let unverified_bo = json!([
        [first, "Only you and Ana can read this (not verified)", "yes"],
        [answer, "Only you and Ana can read this (not verified)", "yes"],
    ]);
    assert_eq!(bubbles(&bo).await, unverified_bo, "Bo's bubbles");
    shot(&ana, "sealed-conversation").await;

    // Both compare safety numbers: the same 60 digits on both phones.
    ana.click("[data-testid=dm-compare]").await;
    bo.click("[data-testid=dm-compare]").await;
    let number = wait_number(&ana).await;
    assert_eq!(wait_number(&bo).await, number, "the same safety number on both phones");
    ana.wait_text("[data-testid=verify-state]", "Not verified yet").await;
    shot(&bo, "safety-number").await;
    axe_clean(&bo, &axe, "the safety number").await;

    // Ana scans Bo's code: the link it carries, read from the QR code itself by rqrr.
    let link =
        bo.js("return document.querySelector('[data-testid=verify-qr]').dataset.link;").await;
    let link = link.as_str().expect("the QR code's link").to_owned();
    assert!(link.starts_with(&format!("{base}/#verify=")), "the link is {link}");
    assert_eq!(read_qr(&bo).await, link, "the QR code holds the link");
    ana.goto(&link).await;
    ana.wait_text("[data-testid=toast]", "Safety numbers match: Bo is verified.").await;
    ana.wait_visible("[data-testid=screen-conversation]").await;
    wait_status(&ana, "verified").await;
    ana.wait_text("[data-testid=dm-privacy-title]", "Only you and Bo can read these (verified)")
        .await;
    ana.wait_text("[data-testid=dm-log]", answer).await;
    let verified_ana = json!([
        [first, "Only you and Bo can read this (verified)", "yes"],
        [answer, "Only you and Bo can read this (verified)", "yes"],
    ]);
    assert_eq!(bubbles(&ana).await, verified_ana, "Ana's bubbles, verified");
    shot(&ana, "verified-by-scan").await;
    axe_clean(&ana, &axe, "a verified conversation").await;

    // Bo reads the numbers to Ana and marks her verified.
    bo.click("[data-testid=verify-mark]").await;
    bo.wait_text("[data-testid=toast]", "Ana is verified.").await;
    bo.wait_text("[data-testid=verify-state]", "Ana is verified.").await;
    bo.wait_hidden("[data-testid=verify-mark]").await;
    bo.click("[data-testid=verify-back]").await;
    wait_status(&bo, "verified").await;
    shot(&bo, "verified-by-numbers").await;

    // Bo logs in on a new browser: a new device, with a key of its own.
    let bo2 = driver.phone("e2e-bo-new", &base).await;
    log_in(&bo2, "bo_e2e").await;
    bo.wait_text("[data-testid=conn-banner]", "another tab or phone").await;

    // Ana opens the conversation again: the warning, and her message waits.
    ana.click("[data-testid=dm-back]").await;
    ana.click("[data-testid=conversation]").await;
    wait_status(&ana, "changed").await;
    ana.wait_text("[data-testid=dm-privacy-title]", "Bo's safety number changed").await;
    ana.wait_visible("[data-testid=dm-accept-keys]").await;
    let held = "New phone? Call me before the TAPIR-7730 thing";
    send(&ana, held).await;
    let waiting = "const p = document.querySelector('[data-testid=dm-message].pending'); \
                   return !!p && p.dataset.status === 'held' \
                       && p.textContent.includes(\"Waiting: Bo's safety number changed\");";
    ana.wait_js("the message waits", waiting).await;
    shot(&ana, "key-changed-held").await;
    axe_clean(&ana, &axe, "a safety number changed, a message waiting").await;
    // Nothing reached Bo's new browser: held means not sent.
    assert_eq!(
        bo2.js("return document.querySelector('[data-testid=messages-badge-home]').hidden;").await,
        json!(true),
        "Bo's new browser has nothing unread while Ana's message waits"
    );
    ana.click("[data-testid=dm-accept-keys]").await;
    ana.wait_js("Ana's message is delivered", &last_mine_arrived()).await;
    wait_status(&ana, "unverified").await;

    // Bo's new browser reads it; the older ones were sealed before it had a key.
    bo2.wait_text("[data-testid=messages-badge-home]", "1").await;
    bo2.click("[data-testid=messages-home]").await;
    bo2.click("[data-testid=conversation]").await;
    bo2.wait_text("[data-testid=dm-log]", held).await;
    wait_opened(&bo2).await;
    let older = "Encrypted, but this device cannot open it: sent before this device had its key";
    assert_eq!(
        bubbles(&bo2).await,
        json!([
            ["🔒 Encrypted message", older, "yes"],
            ["🔒 Encrypted message", older, "yes"],
            [held, "Only you and Ana can read this (not verified)", "yes"],
        ]),
        "Bo's new browser"
    );
    shot(&bo2, "new-device-reads").await;

    // Bo's new browser scans Ana's code, in the tab already open on the app: only the address's
    // fragment changes (no new page), and the new device is verified too.
    ana.click("[data-testid=dm-compare]").await;
    let number = wait_number(&ana).await;
    let link =
        ana.js("return document.querySelector('[data-testid=verify-qr]').dataset.link;").await;
    let link = link.as_str().expect("the QR code's link").to_owned();
    assert_eq!(read_qr(&ana).await, link, "Ana's QR code holds her link");
    let here = bo2.js("window.capitalSamePage = true; return location.pathname;").await;
    assert_eq!(here, json!("/"), "the link differs from Bo's address only in its fragment");
    bo2.goto(&link).await;
    bo2.wait_text("[data-testid=toast]", "Safety numbers match: Ana is verified.").await;
    assert_eq!(bo2.js("return window.capitalSamePage === true;").await, json!(true), "same page");
    wait_status(&bo2, "verified").await;
    bo2.click("[data-testid=dm-compare]").await;
    assert_eq!(wait_number(&bo2).await, number, "the new safety number, the same on both");
    bo2.wait_text("[data-testid=verify-state]", "Ana is verified.").await;
    ana.click("[data-testid=verify-back]").await;

    // A room chat message, stored in the clear: the control for the search of the database.
    ana.click("[data-testid=dm-back]").await;
    ana.click("[data-testid=messages-back]").await;
    ana.click("[data-testid=chat-toggle]").await;
    ana.type_into("[data-testid=chat-input]", "room chat CONTROL-CHAT-6161").await;
    ana.click("[data-testid=chat-send]").await;
    ana.wait_text("#chat", "CONTROL-CHAT-6161").await;

    for page in [&ana, &bo, &bo2] {
        page.assert_no_script_errors().await;
    }
    let ana_token = local(&ana, "capital.token").await;
    let bo_id = local(&bo2, "capital.player").await;
    for page in [ana, bo, bo2] {
        page.close().await;
    }

    // The server holds the envelopes only: as history reads...
    let tls = trusting(&std::fs::read(&ca).expect("ca.pem"));
    let url = format!("wss://127.0.0.1:{}/ws", server.addr.port());
    let reader = Client::connect_tls(&url, tls).await.expect("connect over TLS");
    reader.hello("", Some(&ana_token)).await.expect("resume Ana");
    let (history, _) = reader.dm_history(&bo_id, None, None, None).await.unwrap();
    assert_eq!(history.len(), 3, "three messages stored");
    for m in &history {
        assert!(m.text.is_empty() && m.sealed.is_some(), "stored sealed: {m:?}");
    }
    drop(reader);
    // ... and as the database files hold them.
    let data = server.data_dir();
    let (_dir, _) = server.stop().await;
    let db = database_bytes(&data);
    let has = |needle: &str| db.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(has("CONTROL-CHAT-6161"), "the search finds what is stored in the clear");
    for needle in ["OCELOT", "PANGOLIN", "TAPIR", "locker code", "New phone?"] {
        assert!(!has(needle), "{needle} is in the database");
    }
    eprintln!("browser test (e2e dms over https) took {:.1} s", started.elapsed().as_secs_f64());
}

/// Over plain http from a name that is not the machine itself (`capital.test`, mapped to
/// 127.0.0.1 in Bo's browser), the page is not a secure context: it cannot encrypt, and says
/// so, with the way to https. Ana's page (on 127.0.0.1, a secure context) writes in the clear
/// to Bo while Bo has no key, and sealed once he has one (he logged in on a secure page); back
/// on the http page, Bo cannot read that, and cannot write in the clear in that conversation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_plain_http_the_page_says_it_cannot_encrypt_and_never_falls_back() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("e2e dms over http").await else { return };
    let axe = axe::load_or_skip("e2e dms over http, its axe checks");
    let started = Instant::now();
    let server = TestServer::start_with(|c| c.public_names = vec!["capital.test".into()]).await;
    let port = server.addr.port();
    let loopback = format!("http://127.0.0.1:{port}");
    let named = format!("http://capital.test:{port}");
    let map = "--host-resolver-rules=MAP capital.test 127.0.0.1";

    let ana = driver.phone("http-ana", &loopback).await;
    let code = ana.create_room("Ana", "tictactoe").await;
    let bo = driver.phone_with("http-bo", &named, &[map]).await;
    register(&bo, "Bo", "bo_http").await;
    let contexts = json!([ana.js(SECURE).await, bo.js(SECURE).await]);
    assert_eq!(
        contexts,
        json!([[true, format!("127.0.0.1:{port}")], [false, format!("capital.test:{port}")]]),
        "Ana's page is a secure context (loopback), Bo's is not"
    );
    join_by_code(&bo, &code).await;

    // Bo's conversation says it is not encrypted, with the way to the https page.
    message_seat(&bo, 0, "Ana").await;
    wait_status(&bo, "insecure").await;
    bo.wait_text("[data-testid=dm-privacy-title]", "Not encrypted (http)").await;
    let links = bo
        .js("return ['dm-https-link', 'dm-ca-link'].map((t) => \
             document.querySelector(`[data-testid=${t}]`).href);")
        .await;
    assert_eq!(
        links,
        json!([format!("https://capital.test:{port}/"), format!("https://capital.test:{port}/ca")])
    );
    let plain = "Plain over http KIWI-1188";
    send(&bo, plain).await;
    bo.wait_js("Bo's message is delivered", &last_mine_arrived()).await;
    let http_words = "Not encrypted (http): the server and anyone on this Wi-Fi can read this";
    assert_eq!(bubbles(&bo).await, json!([[plain, http_words, "no"]]));
    shot(&bo, "http-not-encrypted").await;
    axe_clean(&bo, &axe, "not encrypted (http)").await;

    // Ana's page could encrypt, but Bo has no key: "Not encrypted", and her answer is plain.
    ana.wait_text("[data-testid=messages-badge-room]", "1").await;
    ana.click("[data-testid=messages-room]").await;
    ana.click("[data-testid=conversation]").await;
    ana.wait_text("[data-testid=dm-log]", plain).await;
    wait_status(&ana, "none").await;
    ana.wait_text("[data-testid=dm-privacy-title]", "Not encrypted").await;
    let answer = "In the clear, since you have no key";
    send(&ana, answer).await;
    ana.wait_js("Ana's answer is delivered", &last_mine_arrived()).await;
    let server_reads = "Not encrypted: the server can read this";
    assert_eq!(
        bubbles(&ana).await,
        json!([[plain, server_reads, "no"], [answer, server_reads, "no"]])
    );
    shot(&ana, "no-key-not-encrypted").await;
    axe_clean(&ana, &axe, "not encrypted (no key)").await;

    // Bo logs in on a secure page (127.0.0.1): now he has a key. Ana, still in the
    // conversation, writes again: sealed this time.
    let bo_secure = driver.phone("http-bo-secure", &loopback).await;
    log_in(&bo_secure, "bo_http").await;
    bo.wait_text("[data-testid=conn-banner]", "another tab or phone").await;
    let sealed = "Sealed now that you have a key: MANGO-2290";
    send(&ana, sealed).await;
    ana.wait_js("Ana's sealed message is delivered", &last_mine_arrived()).await;
    wait_status(&ana, "unverified").await;
    let last = last_bubble(&ana).await;
    assert_eq!(last, json!([sealed, "Only you and Bo can read this (not verified)", "yes"]));
    bo_secure.wait_text("[data-testid=messages-badge-home]", "1").await;
    bo_secure.click("[data-testid=messages-home]").await;
    bo_secure.click("[data-testid=conversation]").await;
    bo_secure.wait_text("[data-testid=dm-log]", sealed).await;
    assert_eq!(
        last_bubble(&bo_secure).await,
        json!([sealed, "Only you and Ana can read this (not verified)", "yes"])
    );

    // Back on the http page: the conversation is encrypted, so it cannot be read or continued
    // here; a message forced through the disabled composer is refused, not sent in the clear.
    bo.click("[data-testid=conn-banner] button").await;
    bo_secure.wait_text("[data-testid=conn-banner]", "another tab or phone").await;
    bo.wait_js(
        "the sealed message on the http page",
        "return !!document.querySelector('[data-testid=dm-message][data-sealed=yes]');",
    )
    .await;
    wait_status(&bo, "insecure").await;
    bo.wait_text(
        "[data-testid=dm-privacy-title]",
        "Encrypted conversation: open it on the https page",
    )
    .await;
    assert_eq!(
        last_bubble(&bo).await,
        json!([
            "🔒 Encrypted message",
            "Encrypted, but this device cannot open it: this page cannot decrypt (it is not on https)",
            "yes"
        ])
    );
    let closed = bo
        .js("return [document.querySelector('[data-testid=dm-input]').disabled, \
                     document.querySelector('[data-testid=dm-send]').disabled];")
        .await;
    assert_eq!(closed, json!([true, true]), "no composer on the http page");
    shot(&bo, "http-encrypted-conversation").await;
    axe_clean(&bo, &axe, "an encrypted conversation on http").await;
    let forced = "Forced in the clear PAPAYA-5151";
    bo.js(&format!(
        "document.querySelector('[data-testid=dm-input]').value = {forced:?}; return true;"
    ))
    .await;
    bo.force_click("[data-testid=dm-send]").await;
    bo.wait_text(
        "[data-testid=dm-log]",
        "Not sent: This conversation is encrypted, and this page cannot encrypt",
    )
    .await;

    for page in [&ana, &bo, &bo_secure] {
        page.assert_no_script_errors().await;
    }
    let ana_token = local(&ana, "capital.token").await;
    let bo_id = local(&bo, "capital.player").await;
    for page in [ana, bo, bo_secure] {
        page.close().await;
    }
    // The server has the three messages, the last sealed, and nothing of the forced one.
    let (reader, _) = server.resume(&ana_token).await;
    let (history, _) = reader.dm_history(&bo_id, None, None, None).await.unwrap();
    let stored: Vec<(String, bool)> =
        history.iter().map(|m| (m.text.clone(), m.sealed.is_some())).collect();
    assert_eq!(
        stored,
        [(plain.to_owned(), false), (answer.to_owned(), false), (String::new(), true)],
        "what the server stored"
    );
    eprintln!("browser test (e2e dms over http) took {:.1} s", started.elapsed().as_secs_f64());
}

/// A phone page and the Rust client, each with its own device key, trade sealed messages
/// through a real server: the Rust client opens the page's message to the typed text, the
/// page shows the Rust client's; the safety number the page shows is the one computed here
/// from the keys the server lists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_page_and_the_rust_client_trade_sealed_messages() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("e2e dms with the rust client").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    let ana = driver.phone("rust-ana", &base).await;
    let code = ana.create_room("Ana", "tictactoe").await;
    let ana_id = ana.js("return window.capitalTest.state().me.id;").await;
    let ana_id = ana_id.as_str().expect("Ana's id").to_owned();

    let (mut cy, welcome) = server.player("Cy").await;
    let cy_id = welcome.player_id;
    let key = DeviceKey::generate();
    cy.publish_key(&key).await.expect("publish Cy's key");
    cy.join_room(&code, Role::Player, None).await.expect("Cy joins");
    ana.wait_text("[data-testid=seat-1]", "Cy").await;

    message_seat(&ana, 1, "Cy").await;
    wait_status(&ana, "unverified").await;
    let text = "Hello, Rust client 🦀 — STURGEON-4410";
    send(&ana, text).await;

    // Cy gets it sealed, for his device and Ana's own, from a key the server lists as hers.
    let got = next_dm(&mut cy).await;
    assert!(got.text.is_empty(), "no text beside the envelope");
    let sealed = got.sealed.as_ref().expect("sealed");
    let ana_keys = cy.keys_of(&ana_id).await.unwrap();
    assert_eq!(ana_keys.len(), 1, "Ana's one device");
    assert_eq!(sealed.from_key, ana_keys[0].key, "sealed by Ana's listed device");
    let mut devices: Vec<&str> = sealed.copies.iter().map(|c| c.device.as_str()).collect();
    devices.sort();
    let cy_device = capital_client::e2e::dm::device_id(&key.public());
    let mut expected = vec![cy_device.as_str(), ana_keys[0].device.as_str()];
    expected.sort();
    assert_eq!(devices, expected, "one copy for each device of both");
    assert_eq!(open_message(&key, &got).expect("Cy opens it"), text);
    assert_eq!(cy.read_dm(&key, &got).await.expect("from a device Ana lists"), text);

    // Cy answers, sealed in Rust: the page opens it.
    let reply = "Sealed in Rust, opened in Chromium ✓ <b>&amp;</b>";
    cy.dm_sealed(&cy_id, &key, &ana_id, reply, "rust-1").await.expect("Cy's sealed reply");
    ana.wait_text("[data-testid=dm-log]", reply).await;
    assert_eq!(
        bubbles(&ana).await,
        json!([
            [text, "Only you and Cy can read this (not verified)", "yes"],
            [reply, "Only you and Cy can read this (not verified)", "yes"],
        ])
    );
    shot(&ana, "rust-client-conversation").await;

    // The safety number and the QR code's link, computed here from the listed keys.
    ana.click("[data-testid=dm-compare]").await;
    let number = wait_number(&ana).await;
    let cy_keys: Vec<String> =
        cy.keys_of(&cy_id).await.unwrap().into_iter().map(|k| k.key).collect();
    let ana_keys: Vec<String> = ana_keys.into_iter().map(|k| k.key).collect();
    let (fp_ana, fp_cy) = (fingerprint(&ana_id, &ana_keys), fingerprint(&cy_id, &cy_keys));
    assert_eq!(number, safety_number(&ana_id, &fp_ana, &cy_id, &fp_cy), "the safety number");
    let link =
        ana.js("return document.querySelector('[data-testid=verify-qr]').dataset.link;").await;
    let expected_link =
        format!("{base}/#verify={ana_id}.{}.{cy_id}.{}", hex(&fp_ana[..16]), hex(&fp_cy[..16]));
    assert_eq!(link, json!(expected_link), "the link in the QR code");
    assert_eq!(read_qr(&ana).await, expected_link, "the QR code holds the link");

    ana.assert_no_script_errors().await;
    ana.close().await;
    eprintln!("browser test (e2e dms with rust) took {:.1} s", started.elapsed().as_secs_f64());
}

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

/// JS: [whether the page is a secure context, its host].
const SECURE: &str = "return [window.isSecureContext, location.host];";

/// The page is the app, from `base` over https, in a secure context.
async fn assert_secure(page: &Page, base: &str) {
    let got = page.js("return [window.isSecureContext, location.origin];").await;
    assert_eq!(got, json!([true, base]), "{}: a secure context at {base}", page.name());
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

/// JS (async): the QR code on the verify screen, its SVG drawn at 8 px a module; returns
/// {px, rows} (rows of '1' for dark pixels).
const QR_PIXELS: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  const svg = document.querySelector('[data-testid=verify-qr] svg');
  const px = svg.viewBox.baseVal.width * 8;
  const img = new Image();
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg.outerHTML);
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = px;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0, px, px);
  const data = ctx.getImageData(0, 0, px, px).data;
  const rows = [];
  for (let y = 0; y < px; y++) {
    let row = '';
    for (let x = 0; x < px; x++) row += data[4 * (y * px + x) + 1] < 128 ? '1' : '0';
    rows.push(row);
  }
  return { px, rows };
})().then(done, (e) => done({ thrown: String(e) }));
"#;

/// What the QR code on the page's verify screen says, read by rqrr from its pixels.
async fn read_qr(page: &Page) -> String {
    let got = page.js_async(QR_PIXELS).await;
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

async fn local(page: &Page, key: &str) -> String {
    let value = page.js(&format!("return localStorage.getItem({key:?});")).await;
    value.as_str().unwrap_or_else(|| panic!("{}: no {key}", page.name())).to_owned()
}

/// The next direct message pushed to `client`, skipping receipts and presence.
async fn next_dm(client: &mut Client) -> DirectMessage {
    loop {
        match client.next_push(WAIT).await.expect("a pushed message") {
            ServerMsg::Dm { message } => return message,
            ServerMsg::DmReceipt { .. } | ServerMsg::Presence { .. } => {}
            other => panic!("expected a dm, got {other:?}"),
        }
    }
}

/// The bytes of the server's SQLite files in `data` (the database and its journal).
fn database_bytes(data: &std::path::Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(data).expect("the data directory") {
        let path = entry.expect("an entry").path();
        if path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("capital.db")) {
            all.extend(std::fs::read(&path).expect("a database file"));
        }
    }
    assert!(!all.is_empty(), "no database files in {}", data.display());
    all
}

/// A rustls client configuration that trusts only the CA in `pem`.
fn trusting(pem: &[u8]) -> std::sync::Arc<rustls::ClientConfig> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        roots.add(cert.expect("a certificate")).expect("a root");
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    std::sync::Arc::new(
        rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth(),
    )
}

// --- Safety numbers, as web/js/e2e/trust.js describes them, written again here --------------

/// SHA-256 of "capital safety v1", the player id and their keys (sorted), one per line.
fn fingerprint(player: &str, keys: &[String]) -> Vec<u8> {
    let mut keys = keys.to_vec();
    keys.sort();
    let mut lines = vec!["capital safety v1".to_owned(), player.to_owned()];
    lines.extend(keys);
    Sha256::digest(lines.join("\n").as_bytes()).to_vec()
}

/// 30 digits of a fingerprint: six groups, each five bytes as a number, modulo 100000.
fn thirty_digits(fp: &[u8]) -> String {
    fp[..30]
        .chunks(5)
        .map(|group| {
            let n = group.iter().fold(0u64, |n, &b| n * 256 + u64::from(b));
            format!("{:05}", n % 100_000)
        })
        .collect()
}

/// The 60 digits of two players: the smaller id's 30 first.
fn safety_number(a: &str, fp_a: &[u8], b: &str, fp_b: &[u8]) -> String {
    let (first, second) = if a < b { (fp_a, fp_b) } else { (fp_b, fp_a) };
    format!("{}{}", thirty_digits(first), thirty_digits(second))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
