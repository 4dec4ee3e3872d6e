//! A phone page and the Rust client trade sealed messages, and agree on the safety number.

use std::time::Instant;

use capital_client::e2e::DeviceKey;
use capital_client::open_message;
use capital_protocol::Role;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{bubbles, message_seat, read_qr, send, shot, wait_number, wait_status};
use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME};

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
    let pins = capital_client::Pins::new();
    cy.dm_sealed(&cy_id, &key, &pins, &ana_id, reply, "rust-1").await.expect("Cy's sealed reply");
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
