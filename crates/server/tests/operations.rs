//! Operating the server: health, readiness, metrics, and the configuration as the binary sees it.

mod common;

use std::process::Command;

use capital_protocol::Role;
use common::*;
use serde_json::json;

#[tokio::test]
async fn health_and_readiness() {
    let server = TestServer::start().await;
    assert_eq!(http_get(server.addr, "/healthz").await.0, 200);
    assert_eq!(http_get(server.addr, "/readyz").await, (200, "ready\n".to_string()));
    let (status, body) = http_get(server.addr, "/api/info").await;
    assert_eq!(status, 200);
    let info: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(info["urls"].as_array().is_some_and(|u| !u.is_empty()), "{info}");
    assert_eq!(info["ice_servers"], serde_json::json!([]), "host candidates only, by default");
}

#[tokio::test]
async fn the_ice_servers_of_peer_to_peer_rooms_come_with_the_info() {
    let server = TestServer::start_with(|c| {
        c.ice_servers = vec!["turn:turn.example.org:3478".into(), "stun:turn.example.org".into()];
        c.ice_username = "capital".into();
        c.ice_credential = "relay-only".into();
    })
    .await;
    let (_, body) = http_get(server.addr, "/api/info").await;
    let info: serde_json::Value = serde_json::from_str(&body).unwrap();
    let expected = serde_json::json!([{
        "urls": ["turn:turn.example.org:3478", "stun:turn.example.org"],
        "username": "capital",
        "credential": "relay-only",
    }]);
    assert_eq!(info["ice_servers"], expected);
}

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find(|line| line.starts_with(name) && line[name.len()..].starts_with(' '))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no metric {name} in:\n{text}"))
}

#[tokio::test]
async fn metrics_reflect_a_game_and_a_chat_message() {
    let server = TestServer::start().await;
    let (_, before) = http_get(server.addr, "/metrics").await;
    assert_eq!(metric(&before, "capital_connections"), 0.0);
    let (mut a, b, code) = two_player_game(&server, "tictactoe", None).await;
    b.play(&code, json!({"cell": 0})).await.expect_err("not Bo's turn");
    for (i, cell) in [0, 3, 1, 4, 2].into_iter().enumerate() {
        let mover = if i % 2 == 0 { &a } else { &b };
        mover.play(&code, json!({"cell": cell})).await.unwrap();
    }
    event_of(&mut a, "game_over").await;
    b.chat(&code, "gg", "b1").await.unwrap();
    let (status, text) = http_get(server.addr, "/metrics").await;
    assert_eq!(status, 200);
    assert_eq!(metric(&text, "capital_connections"), 2.0);
    assert_eq!(metric(&text, "capital_players_online"), 2.0);
    assert_eq!(metric(&text, "capital_rooms{game=\"tictactoe\"}"), 1.0);
    assert_eq!(metric(&text, "capital_games_started_total{game=\"tictactoe\"}"), 1.0);
    assert_eq!(metric(&text, "capital_games_finished_total{game=\"tictactoe\"}"), 1.0);
    assert_eq!(metric(&text, "capital_chat_messages_total"), 1.0);
    assert_eq!(metric(&text, "capital_errors_total{code=\"not_your_turn\"}"), 1.0);
    // hello x2, create, join, start, 1 refused + 5 moves, chat = 12 requests at least.
    assert!(metric(&text, "capital_messages_in_total") >= 12.0);
    assert!(
        metric(&text, "capital_messages_out_total") > metric(&text, "capital_messages_in_total")
    );
    assert!(metric(&text, "capital_db_write_seconds_count") >= 8.0, "{text}");
    // A spectator joining changes nothing but the connection count.
    let (c, _) = server.player("Cy").await;
    c.join_room(&code, Role::Spectator, None).await.unwrap();
    let (_, text) = http_get(server.addr, "/metrics").await;
    assert_eq!(metric(&text, "capital_connections"), 3.0);
}

fn capital(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_capital"));
    cmd.args(args);
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("CAPITAL_")) {
        cmd.env_remove(name);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().expect("run capital");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn flag_beats_env_beats_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("capital.toml");
    std::fs::write(&file, "grace_seconds = 30\nroom_idle_seconds = 60\nmax_chat_chars = 42\n")
        .unwrap();
    let file = file.to_str().unwrap();
    let (code, out, err) = capital(
        &["config", "--config", file, "--grace-seconds", "10"],
        &[("CAPITAL_GRACE_SECONDS", "20"), ("CAPITAL_ROOM_IDLE_SECONDS", "99")],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("grace_seconds = 10  # command line"), "{out}");
    assert!(out.contains("room_idle_seconds = 99  # environment"), "{out}");
    assert!(out.contains("max_chat_chars = 42  # config file"), "{out}");
    assert!(out.contains("bind = \"0.0.0.0:8080\"  # default"), "{out}");
    let (_, out, _) = capital(&["config", "--config", file], &[("CAPITAL_CONFIG", "/nowhere")]);
    assert!(out.contains("grace_seconds = 30  # config file"), "flag --config beats env: {out}");
    let (_, out, _) = capital(&["config"], &[("CAPITAL_CONFIG", file)]);
    assert!(out.contains("grace_seconds = 30  # config file"), "CAPITAL_CONFIG works: {out}");
}

#[test]
fn bad_values_fail_at_start_naming_the_setting() {
    let (code, _, err) = capital(&["serve", "--grace-seconds", "0"], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("--grace-seconds") && err.contains('0'), "{err}");
    let (code, _, err) = capital(&["serve"], &[("CAPITAL_BIND", "not-an-address")]);
    assert_eq!(code, 2);
    assert!(err.contains("--bind") && err.contains("not-an-address"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("capital.toml");
    std::fs::write(&file, "room_idle_seconds = 0\n").unwrap();
    let (code, _, err) = capital(&["serve", "--config", file.to_str().unwrap()], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("room_idle_seconds: 0 is not between 1 and 604800"), "{err}");
    std::fs::write(&file, "tls = \"yes\"\n").unwrap();
    let (code, _, err) = capital(&["serve", "--config", file.to_str().unwrap()], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("tls"), "{err}");
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_directory_and_database_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let server = TestServer::start().await;
    let (a, _) = server.player("Ana").await;
    a.create_room("tictactoe", None).await.unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let data = server.data_dir();
    assert_eq!(mode(&data), 0o700, "the data directory");
    for file in ["capital.db", "capital.db-wal", "capital.db-shm"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
}
