//! Real-browser end-to-end tests: the phone client (`web/`) in headless Chromium, driven over
//! WebDriver by chromedriver, against a real server on 127.0.0.1.
//!
//! Every page is its own browser (its own profile, so its own localStorage: a separate player).
//! Phones are emulated at 360x640 with touch (or another size: a landscape phone is 740x360);
//! the big screen and a laptop are 1280x720. Screenshots of the key
//! moments go to `target/artifacts/browser/`, numbered in the order they were taken.
//!
//! Needs Debian's `chromium` and `chromium-driver`, the accessibility test axe-core (see
//! `axe`), and the https test (`e2e_dms`) NSS's `certutil` (`libnss3-tools`), to make a
//! certificate store in which the browser trusts the server's local CA. Without them the tests skip with a message, except in CI (`CI` set), where a missing
//! browser (or axe-core) is a failure.
//!
//! Waits are explicit: every step polls the page until what it expects shows up, or fails with
//! a screenshot and the page's text. Nothing waits a fixed time to synchronise.
//!
//! # Layout
//!
//! `harness` starts chromedriver and drives pages (waits, taps, keys, screenshots); `axe` runs
//! axe-core in a page; each other module is one scenario, a `#[tokio::test]` that plays it
//! through (`layout` also has the geometry checks other scenarios use).

#[path = "../common/mod.rs"]
mod common;
mod harness;

mod accessibility;
mod accounts;
mod axe;
mod boards;
mod console;
mod crazy_eights;
mod direct_messages;
mod dots_and_boxes;
mod e2e_dms;
mod e2e_trust;
mod e2e_vectors;
mod frames;
mod fun;
mod host_phone;
mod keyboard;
mod layout;
mod layout_games;
mod light_cycles;
mod models;
mod models_panel;
mod navigation;
mod p2p_rooms;
mod privacy_page;
mod replay;
mod room_life;
mod screen_host;
mod script_games;
mod tictactoe;
