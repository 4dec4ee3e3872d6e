//! "Can somebody read my messages?": the screen that answers the course's question with the
//! player's own newest direct message. Bo writes to Ana (both pages can encrypt); Ana opens the
//! screen from home and sees her message as it reads, the frame Bo's phone sent (no text in it,
//! sealed copies), what the Wi-Fi sees, and the real row the server keeps: an empty text column
//! and only ciphertext in the sealed one.

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_privacy_screen_shows_a_real_message_as_it_travels_and_as_it_is_kept() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("privacy page").await else { return };
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);
    let ana = driver.phone("privacy-ana", &base).await;
    let code = ana.create_room("Ana", "tictactoe").await;
    let bo = driver.phone("privacy-bo", &base).await;
    bo.join_by_link(&code, "Bo").await;
    ana.wait_text("[data-testid=seat-1]", "Bo").await;

    let secret = "the treasure is under the third oak";
    bo.click("[data-testid=seat-0]").await;
    bo.click("[data-testid=person-message]").await;
    bo.wait_text("[data-testid=dm-privacy-title]", "Only you and Ana can read these").await;
    bo.type_into("[data-testid=dm-input]", secret).await;
    bo.click("[data-testid=dm-send]").await;
    bo.wait_text("[data-testid=dm-who]", "Only you and Ana can read this (not verified)").await;
    ana.wait_text("[data-testid=messages-badge-room]", "1").await;

    // Ana goes home and asks the question.
    ana.click("[data-testid=leave]").await;
    ana.click("[data-testid=leave-confirm]").await;
    ana.wait_visible("[data-testid=screen-home]").await;
    ana.click("[data-testid=home-privacy]").await;
    ana.wait_visible("[data-testid=screen-privacy]").await;
    ana.wait_text("[data-testid=privacy-text]", secret).await;
    let frame = ana.text("[data-testid=privacy-frame]").await;
    assert!(frame.contains("\"sealed\"") && frame.contains("\"ct\""), "{frame}");
    assert!(!frame.contains("treasure"), "the frame Bo's phone sent has no text: {frame}");
    let row = ana.text("[data-testid=privacy-row-json]").await;
    assert!(row.contains("\"text\": \"\""), "the stored text column is empty: {row}");
    assert!(row.contains("from_key") && !row.contains("treasure"), "{row}");
    ana.wait_text("[data-testid=privacy-tls]", "bytes of encrypted data").await;
    ana.wait_text("[data-testid=privacy-transport]", "never crosses the Wi-Fi").await;
    ana.wait_text("[data-testid=privacy-console]", "no view of direct messages").await;
    ana.shot("privacy-screen").await;
    ana.assert_no_script_errors().await;

    // The address is /privacy while it shows, and opening that address shows it again.
    let path = ana.js("return location.pathname;").await;
    assert_eq!(path, "/privacy");
    ana.open("/privacy").await;
    ana.wait_text("[data-testid=privacy-text]", secret).await;
    ana.click("[data-testid=privacy-back]").await;
    ana.wait_visible("[data-testid=screen-home]").await;
    bo.assert_no_script_errors().await;
    ana.close().await;
    bo.close().await;
}
