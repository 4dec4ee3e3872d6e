//! Over plain http from a name that is not the machine itself: the page cannot encrypt, says
//! so, and never goes on in the clear with a conversation that was encrypted.

use std::time::Instant;

use serde_json::json;

use super::{
    axe_clean, bubbles, join_by_code, last_bubble, last_mine_arrived, local, log_in, message_seat,
    register, send, shot, wait_status,
};
use crate::axe;
use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME};

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

/// JS: [whether the page is a secure context, its host].
const SECURE: &str = "return [window.isSecureContext, location.host];";
