//! A room around its games: sharing it (Copy link on plain http, the QR code full screen).

use std::time::Instant;

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sharing_a_room() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("room life").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    let ana = driver.phone("life-ana", &base).await;
    ana.open("/").await;
    ana.type_into("[data-testid=name-input]", "Ana").await;
    ana.click("[data-testid=name-submit]").await;
    ana.click("[data-testid=game-tictactoe]").await;
    ana.click("[data-testid=create-room]").await;
    let code = ana.wait_text("[data-testid=room-code]", "").await;
    let link = ana.text("[data-testid=join-link]").await.replace('\n', "");

    // Copy link on plain http: no share sheet and no clipboard API there (not a secure
    // context), so the page copies from a selected field and says so.
    ana.js("for (const k of ['share', 'clipboard']) \
             Object.defineProperty(navigator, k, {value: undefined, configurable: true}); \
         window.copied = []; \
         document.addEventListener('copy', (e) => { const f = e.target; \
             window.copied.push(f.value.slice(f.selectionStart, f.selectionEnd)); }); \
         return true;")
        .await;
    ana.click("[data-testid=share]").await;
    ana.wait_text("[data-testid=toast]", "Link copied").await;
    let copied = ana.js("return window.copied;").await;
    assert_eq!(copied, serde_json::json!([format!("http://{link}")]), "the link was copied");
    ana.shot("link-copied").await;
    ana.click("[data-testid=toast-close]").await;

    // The QR code full screen, to hold up to the others; a tap closes it.
    ana.click("[data-testid=qr-open]").await;
    ana.wait_visible("[data-testid=qr-dialog]").await;
    ana.wait_text("[data-testid=qr-dialog]", &format!("Scan to join room {code}")).await;
    ana.wait_js(
        "the big QR code loaded, 300 px or more",
        &format!(
            "const img = document.querySelector('[data-testid=qr-full]'); \
             return img.getAttribute('src') === '/qr/{code}.svg' && img.complete \
                 && img.naturalWidth > 0 && img.getBoundingClientRect().width >= 300;"
        ),
    )
    .await;
    ana.shot("qr-full-screen").await;
    ana.click("[data-testid=qr-close]").await;
    ana.wait_hidden("[data-testid=qr-dialog]").await;

    ana.assert_no_script_errors().await;
    ana.close().await;
    eprintln!("browser test (room life) took {:.1} s", started.elapsed().as_secs_f64());
}
