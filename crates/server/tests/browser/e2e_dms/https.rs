//! Over https, the server's local CA trusted by Chromium itself: two phones exchange sealed
//! messages, verify each other, and one gets a new device.

use std::time::Instant;

use capital_client::Client;
use serde_json::json;

use super::{
    axe_clean, bubbles, join_by_code, last_mine_arrived, last_mine_is, local, log_in, message_seat,
    read_qr, register, send, shot, wait_number, wait_opened, wait_status,
};
use crate::axe;
use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME, Page};

/// Over https, the local CA installed in the browser: Ana and Bo write to each other from a
/// room's player list; every message is sealed (the bubbles and the notice say who can read
/// it, the server keeps no plaintext); they compare safety numbers, Ana by scanning Bo's QR
/// code; then Bo logs in on a new browser, and Ana's next message waits until she accepts
/// his new safety number, then reaches the new browser; Bo's first browser, back, sees a device
/// added to his own list and holds his next message until he says it was him.
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
    // A code alone verifies nothing (any page could open such a link): Ana confirms it.
    ana.wait_text("[data-testid=toast]", "The code matches").await;
    ana.wait_visible("[data-testid=screen-verify]").await;
    ana.wait_text("[data-testid=verify-state]", "matches what this phone sees").await;
    ana.click("[data-testid=verify-mark]").await;
    ana.wait_text("[data-testid=toast]", "Bo is verified.").await;
    ana.click("[data-testid=verify-back]").await;
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
    bo2.wait_text("[data-testid=toast]", "The code matches").await;
    assert_eq!(bo2.js("return window.capitalSamePage === true;").await, json!(true), "same page");
    bo2.wait_visible("[data-testid=screen-verify]").await;
    assert_eq!(
        bo2.js("return document.querySelector('[data-testid=dm-privacy]').dataset.status;").await,
        json!("unverified"),
        "not verified before Bo confirms"
    );
    bo2.click("[data-testid=verify-mark]").await;
    bo2.wait_text("[data-testid=toast]", "Ana is verified.").await;
    bo2.click("[data-testid=verify-back]").await;
    wait_status(&bo2, "verified").await;
    bo2.click("[data-testid=dm-compare]").await;
    assert_eq!(wait_number(&bo2).await, number, "the new safety number, the same on both");
    bo2.wait_text("[data-testid=verify-state]", "Ana is verified.").await;
    ana.click("[data-testid=verify-back]").await;

    // Bo's first browser takes the connection back. Its own list has a device it never saw
    // (the new browser here; in an attack, one the server added to read what Bo sends, which
    // the safety numbers cannot show): it says so, and Bo's message waits until he says it was
    // him. The numbers' screen says how many devices they cover.
    bo.click("#conn-retry").await;
    wait_status(&bo, "self-changed").await;
    bo.wait_text("[data-testid=dm-privacy-title]", "A new device was added to your account").await;
    let own = "It was me on the laptop, ZEBRA-4417";
    send(&bo, own).await;
    let waiting = "const p = document.querySelector('[data-testid=dm-message].pending'); \
                   return !!p && p.dataset.status === 'held' \
                       && p.textContent.includes('Waiting: a new device was added to your account');";
    bo.wait_js("Bo's message waits", waiting).await;
    shot(&bo, "own-device-added-held").await;
    axe_clean(&bo, &axe, "a device added to one's own list, a message waiting").await;
    bo.click("[data-testid=dm-compare]").await;
    bo.wait_text("[data-testid=verify-devices]", "your 2 devices and Ana's 1 device").await;
    bo.click("[data-testid=verify-back]").await;
    bo.wait_text("[data-testid=dm-accept-keys]", "It was me, go on").await;
    bo.click("[data-testid=dm-accept-keys]").await;
    bo.wait_js("Bo's message is delivered", &last_mine_arrived()).await;
    wait_status(&bo, "verified").await;
    ana.wait_text("[data-testid=dm-log]", own).await;

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
    assert_eq!(history.len(), 4, "four messages stored");
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
    for needle in ["OCELOT", "PANGOLIN", "TAPIR", "ZEBRA", "locker code", "New phone?"] {
        assert!(!has(needle), "{needle} is in the database");
    }
    eprintln!("browser test (e2e dms over https) took {:.1} s", started.elapsed().as_secs_f64());
}

/// The page is the app, from `base` over https, in a secure context.
async fn assert_secure(page: &Page, base: &str) {
    let got = page.js("return [window.isSecureContext, location.origin];").await;
    assert_eq!(got, json!([true, base]), "{}: a secure context at {base}", page.name());
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
