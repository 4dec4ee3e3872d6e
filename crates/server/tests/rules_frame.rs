//! The rules frame (`GET /games/{kind}/rules`), where a peer-to-peer room's host phone runs a
//! script game's rules: served as a sandbox with the board frame's policy, with the runtime and
//! the rules' source in the page; nothing for a built-in game, an unknown one, or a script game
//! an admin turned off; its template is never served as it is.

mod common;

use common::raw::{code_of, teacher};
use common::{TestServer, http_get, http_get_all};
use serde_json::json;

#[tokio::test]
async fn a_script_games_rules_are_served_as_a_sandbox_and_nothing_else_is() {
    let server = TestServer::start().await;
    let (status, head, page) = http_get_all(server.addr, "/games/nim/rules").await;
    assert_eq!(status, 200, "{head}");
    let header = |name: &str| {
        head.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_owned))
            .unwrap_or_else(|| panic!("no {name} in {head}"))
    };
    let policy = header("content-security-policy");
    assert!(policy.starts_with("sandbox allow-scripts;"), "{policy}");
    assert!(policy.contains("default-src 'none'"), "it connects nowhere: {policy}");
    assert_eq!(header("cache-control"), "no-store");
    assert!(header("content-type").starts_with("text/html"));
    assert!(page.contains("take 1, 2 or 3 stones"), "the rules' script is in the page");
    assert!(page.contains(r#""file":"nim.js""#), "named for its errors");
    assert!(page.contains("xoshiro128"), "with the runtime and its seeded generator");

    assert_eq!(http_get(server.addr, "/games/tictactoe/rules").await.0, 404, "built in");
    assert_eq!(http_get(server.addr, "/games/chess/rules").await.0, 404, "no such game");
    assert_eq!(http_get(server.addr, "/frame/rules.html").await.0, 404, "a template");
    // The runtime itself is a plain file of the web client, like the board's bridge.
    assert_eq!(http_get(server.addr, "/frame/rules.js").await.0, 200);

    // A game an admin turned off is not offered here either.
    let mut lee = teacher(&server).await;
    let off = lee.ask(json!({"type": "admin_script", "kind": "nim", "on": false})).await;
    assert_eq!(code_of(&off), "ok", "{off}");
    assert_eq!(http_get(server.addr, "/games/nim/rules").await.0, 404, "off");
}
