//! A phone hosts: the phone that made the room locks it (a third phone cannot join, and reads
//! why), removes a player with a reason (their phone says why, and they cannot join again),
//! opens the room again, and hands the host's controls to another player.

use std::time::Instant;

use serde_json::json;

use crate::common::*;
use crate::harness::{Driver, ONE_AT_A_TIME};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_host_locks_the_room_and_removes_a_player() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let Some(driver) = Driver::start_or_skip("host phone").await else { return };
    let started = Instant::now();
    let server = TestServer::start().await;
    let base = format!("http://{}", server.addr);

    let ana = driver.phone("hostp-ana", &base).await;
    let code = ana.create_room("Ana", "tictactoe").await;
    let bo = driver.phone("hostp-bo", &base).await;
    bo.join_by_link(&code, "Bo").await;
    ana.wait_text("[data-testid=seat-1]", "Bo").await;
    assert!(!bo.exists("[data-testid=lock-room]").await, "only the host may lock");

    // Ana locks the room: her button says so, and Bo reads that it is locked.
    ana.click("[data-testid=lock-room]").await;
    ana.wait_visible("[data-testid=room-locked]").await;
    let pressed = ana.js("return document.querySelector('[data-testid=lock-room]').getAttribute('aria-pressed');").await;
    assert_eq!(pressed, json!("true"), "the lock button is pressed");
    bo.wait_text("[data-testid=room-locked]", "locked").await;
    ana.shot("host-locked").await;

    // Cy opens the join link: the room is locked, and his phone says so.
    let cy = driver.phone("hostp-cy", &base).await;
    cy.open(&format!("/join/{code}")).await;
    cy.type_into("[data-testid=name-input]", "Cy").await;
    cy.click("[data-testid=name-submit]").await;
    cy.wait_text("[data-testid=join-error]", "is locked").await;
    cy.shot("locked-out").await;

    // Ana removes Bo, with a reason: from his row, the dialog has the host's buttons.
    ana.click("[data-testid=seat-1] button").await;
    ana.wait_visible("[data-testid=person-kick]").await;
    ana.shot("host-person-dialog").await;
    ana.click("[data-testid=person-kick]").await;
    ana.wait_text("#kick-title", "Remove Bo from the room?").await;
    ana.type_into("[data-testid=kick-reason]", "Phones away, please").await;
    ana.shot("host-kick-reason").await;
    ana.click("[data-testid=kick-confirm]").await;
    bo.wait_text("[data-testid=toast]", "Phones away, please").await;
    bo.wait_visible("[data-testid=screen-home]").await;
    bo.shot("removed-by-the-host").await;
    ana.wait_text("[data-testid=seat-1]", "Open seat").await;
    // Bo cannot come back: his join link says why.
    bo.open(&format!("/join/{code}")).await;
    bo.wait_text("[data-testid=join-error]", "removed you from this room").await;

    // Ana opens the room again: now Cy gets in.
    ana.click("[data-testid=lock-room]").await;
    ana.wait_visible("[data-testid=room-open]").await;
    cy.type_into("[data-testid=join-code]", &code).await;
    cy.click("[data-testid=join-submit]").await;
    cy.wait_text("[data-testid=room-code-small]", &code).await;
    ana.wait_text("[data-testid=seat-1]", "Cy").await;

    // Ana makes Cy host: he gets Start and the lock; she has neither any more.
    ana.click("[data-testid=seat-1] button").await;
    ana.click("[data-testid=person-make-host]").await;
    cy.wait_visible("[data-testid=start]").await;
    cy.wait_visible("[data-testid=lock-room]").await;
    ana.wait_text("[data-testid=seat-1]", "host").await;
    assert!(!ana.exists("[data-testid=lock-room]").await, "Ana is no longer host");
    // The person dialog has no host's buttons for someone who is not host.
    ana.click("[data-testid=seat-1] button").await;
    ana.wait_visible("[data-testid=person-message]").await;
    assert!(
        !ana.js("return !document.getElementById('person-host-actions').hidden;")
            .await
            .as_bool()
            .unwrap_or(true),
        "no host's buttons for Ana now"
    );
    ana.click("[data-testid=person-cancel]").await;

    for page in [&ana, &bo, &cy] {
        page.assert_no_script_errors().await;
    }
    for page in [ana, bo, cy] {
        page.close().await;
    }
    eprintln!("browser test (host phone) took {:.1} s", started.elapsed().as_secs_f64());
}
