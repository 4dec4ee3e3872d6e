//! A room around its games: sharing it (Copy link on plain http, the QR code full screen), a
//! player away too long who gets the seat back, and the words at the end of a game (no
//! "Waiting..." before the result; who played where after the winner, the host, left).

use std::time::Instant;

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sharing_a_room_coming_back_late_and_the_words_around_a_result() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("room life").await else { return };
    let started = Instant::now();
    // A short grace period, so that Bo's seat runs out during the test.
    let server = TestServer::start_with(|c| c.grace_seconds = 1).await;
    let base = format!("http://{}", server.addr);

    let ana = driver.phone("life-ana", &base).await;
    let code = ana.create_room("Ana", "tictactoe").await;
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

    // Bo joins, and his phone loses the network for longer than the grace period: his seat
    // runs out. When he is back, the page puts him back in the seat, and says nothing about
    // losing it.
    let bo = driver.phone("life-bo", &base).await;
    bo.join_by_link(&code, "Bo").await;
    ana.wait_text("[data-testid=seat-1]", "Bo").await;
    bo.record_texts("#toast-text").await;
    bo.js("window.capitalTest.dropConnection(120000); return true;").await;
    ana.wait_text("[data-testid=seat-1]", "Open seat").await;
    bo.js("window.capitalTest.networkBack(); return true;").await;
    bo.wait_hidden("[data-testid=conn-banner]").await;
    bo.wait_text("[data-testid=seat-1]", "Bo").await;
    ana.wait_text("[data-testid=seat-1]", "Bo").await;
    let toasts = bo.seen("#toast-text").await;
    assert!(
        !toasts.iter().any(|t| t.contains("lost your seat")),
        "no word of a lost seat while back in it: {toasts:?}"
    );
    bo.shot("back-in-the-seat").await;

    // A game to the end: no "Waiting..." on the way to the result.
    ana.click("[data-testid=start]").await;
    for page in [&ana, &bo] {
        page.record_texts("[data-testid=status]").await;
    }
    for (page, cell) in [(&ana, 0), (&bo, 3), (&ana, 1), (&bo, 4), (&ana, 2)] {
        page.wait_text("[data-testid=status]", "Your turn").await;
        page.click(&format!("[data-testid=cell-{cell}]")).await;
    }
    ana.wait_text("[data-testid=status]", "You won!").await;
    bo.wait_text("[data-testid=status]", "Ana won").await;
    for page in [&ana, &bo] {
        let said = page.seen("[data-testid=status]").await;
        assert!(
            !said.iter().any(|t| t.starts_with("Waiting...")),
            "no Waiting... before the result: {said:?}"
        );
    }

    // Ana, the winner and the host, leaves. Bo still reads who won, and who played X: Ana, who
    // left (not an "Open seat" beside "Ana won").
    ana.click("[data-testid=leave]").await;
    ana.click("[data-testid=leave-confirm]").await;
    ana.wait_visible("[data-testid=screen-home]").await;
    let side = bo.wait_text("[data-testid=side-0]", "left").await;
    assert!(side.contains("Ana") && !side.contains("Open seat"), "the side says {side:?}");
    bo.wait_text("[data-testid=status]", "Ana won").await;
    bo.shot("after-the-winner-left").await;

    for page in [&ana, &bo] {
        page.assert_no_script_errors().await;
    }
    for page in [ana, bo] {
        page.close().await;
    }
    eprintln!("browser test (room life) took {:.1} s", started.elapsed().as_secs_f64());
}
