//! The server on PostgreSQL (`--store postgres://...`, over TLS with `--store-ca`): a game and
//! its chat survive a restart and a `kill -9`, and finish; nothing acknowledged is lost. The
//! database is a throwaway cluster on 127.0.0.1 (see the store's tests/support/postgres.rs).

mod common;
#[path = "../../store/tests/support/postgres.rs"]
mod postgres_support;

use std::process::Command;

use capital_client::Client;
use capital_protocol::{Phase, Role};
use common::process::Process;
use common::*;
use postgres_support::Postgres;
use serde_json::json;

#[tokio::test]
async fn a_game_on_postgres_over_tls_survives_a_restart_and_finishes() {
    let Some(pg) = Postgres::get() else { return };
    let url = pg.database();
    let ca = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(ca.path(), pg.ca_pem()).unwrap();
    let server = TestServer::start_with(|c| {
        c.store = url.clone();
        c.store_ca = Some(ca.path().to_owned());
    })
    .await;
    let (a, ana) = server.player("Ana").await;
    let (b, bo) = server.player("Bo").await;
    let code = tictactoe_begun(&a, &b).await;
    a.chat(&code, "stored in postgres", "a1").await.unwrap();
    drop((a, b));

    let server = server.restart().await;
    let encrypted = pg.psql_value(
        &url,
        "SELECT bool_and(s.ssl) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
         WHERE a.application_name = 'capital' AND a.datname = current_database()",
    );
    assert_eq!(encrypted, "t", "the server's connections to the database are TLS");
    let (a, _) = server.resume(&ana.token).await;
    let (mut b, _) = server.resume(&bo.token).await;
    let joined = a.join_room(&code, Role::Player, None).await.unwrap();
    let room = joined.room.unwrap();
    assert_eq!(room.phase, Phase::Playing);
    assert_eq!(
        room.state.unwrap()["board"],
        json!(["X", null, null, null, "O", null, null, null, null])
    );
    assert_eq!(joined.chat.last().unwrap().text, "stored in postgres");
    b.join_room(&code, Role::Player, None).await.unwrap();
    a.play(&code, json!({"cell": 1})).await.unwrap();
    b.play(&code, json!({"cell": 8})).await.unwrap();
    a.play(&code, json!({"cell": 2})).await.unwrap();
    let over = event_of(&mut b, "game_over").await;
    assert_eq!(room_of(&over).outcome.as_ref().unwrap().winner, Some(0));

    // `capital admin grant` beside the running node: it writes to the same database.
    a.register("ana", "a long passphrase").await.unwrap();
    let config = server.config.clone();
    let said = tokio::task::spawn_blocking(move || {
        capital_server::admins::set_admin(&config, "ana", true)
    })
    .await
    .unwrap()
    .unwrap();
    assert!(said.contains("ana is an admin"), "{said}");
    // (A store's reads block: off the async threads, as the server runs them.)
    let (ca, player) = (pg.ca_pem().to_owned(), ana.player_id.clone());
    let admin = tokio::task::spawn_blocking(move || {
        let tool = capital_store::PostgresStore::connect_as_tool(&url, Some(ca.as_bytes()));
        let tool = tool.unwrap_or_else(|e| panic!("{e}"));
        capital_store::AdminStore::is_admin(&tool, &player).unwrap()
    });
    assert!(admin.await.unwrap(), "stored as an admin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_on_postgres_loses_nothing_acknowledged() {
    let Some(pg) = Postgres::get() else { return };
    let url = pg.database();
    let dir = tempfile::tempdir().unwrap();
    let (mut child, ws) = start_binary(dir.path(), &url);
    let a = Client::connect(&ws).await.unwrap();
    let b = Client::connect(&ws).await.unwrap();
    let ana = a.hello("Ana", None).await.unwrap();
    let bo = b.hello("Bo", None).await.unwrap();
    let code = tictactoe_begun(&a, &b).await;
    // Chat as fast as the server answers, and kill it meanwhile.
    let talking = chat_until_refused(a, code.clone());
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    child.kill();
    let acknowledged = talking.await.unwrap();
    assert!(acknowledged.len() > 5, "the chatter was busy: {}", acknowledged.len());

    let (mut child, ws) = start_binary(dir.path(), &url);
    let a = Client::connect(&ws).await.unwrap();
    let mut b = Client::connect(&ws).await.unwrap();
    a.hello("", Some(&ana.token)).await.unwrap();
    b.hello("", Some(&bo.token)).await.unwrap();
    let stored = all_chat(&a, &code).await;
    for line in &acknowledged {
        assert!(stored.contains(line), "acknowledged {line:?} was lost");
    }
    a.join_room(&code, Role::Player, None).await.unwrap();
    b.join_room(&code, Role::Player, None).await.unwrap();
    a.play(&code, json!({"cell": 1})).await.unwrap();
    b.play(&code, json!({"cell": 8})).await.unwrap();
    a.play(&code, json!({"cell": 2})).await.unwrap();
    let over = event_of(&mut b, "game_over").await;
    assert_eq!(room_of(&over).outcome.as_ref().unwrap().winner, Some(0));
    child.kill();
}

/// The real `capital` binary on 127.0.0.1 port 0 over the PostgreSQL database `store`; its
/// WebSocket URL.
fn start_binary(data: &std::path::Path, store: &str) -> (Process, String) {
    let process = Process::start(data, &["--mdns", "false", "--store", store]);
    let url = process.url.clone();
    (process, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pi_moves_to_postgres_with_import_sqlite_and_its_game_goes_on() {
    let Some(pg) = Postgres::get() else { return };
    let url = pg.database();
    // A server on SQLite, as on a Pi: a game under way and a chat message.
    let server = TestServer::start().await;
    let (a, ana) = server.player("Ana").await;
    let (b, bo) = server.player("Bo").await;
    let code = a.create_room("tictactoe", None).await.unwrap().code;
    b.join_room(&code, Role::Player, None).await.unwrap();
    a.start(&code).await.unwrap();
    a.play(&code, json!({"cell": 0})).await.unwrap();
    a.chat(&code, "moving house", "m1").await.unwrap();
    let db = server.data_dir().join("capital.db");
    let _dir = server.stop().await;

    let copied = Command::new(env!("CARGO_BIN_EXE_capital"))
        .args(["import-sqlite", "--store", &url])
        .arg(&db)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&copied.stdout);
    assert!(copied.status.success(), "{said} {}", String::from_utf8_lossy(&copied.stderr));
    assert!(said.contains("1 rooms") && said.contains("1 chat"), "{said}");
    let again = Command::new(env!("CARGO_BIN_EXE_capital"))
        .args(["import-sqlite", "--store", &url])
        .arg(&db)
        .output()
        .unwrap();
    assert!(!again.status.success(), "a second import is refused");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds"));

    let data = tempfile::tempdir().unwrap();
    let (_node, ws) = start_binary(data.path(), &url);
    let a = Client::connect(&ws).await.unwrap();
    let mut b = Client::connect(&ws).await.unwrap();
    a.hello("", Some(&ana.token)).await.unwrap();
    b.hello("", Some(&bo.token)).await.unwrap();
    let joined = b.join_room(&code, Role::Player, None).await.unwrap();
    assert_eq!(joined.chat.last().unwrap().text, "moving house");
    a.join_room(&code, Role::Player, None).await.unwrap();
    b.play(&code, json!({"cell": 4})).await.unwrap();
    a.play(&code, json!({"cell": 1})).await.unwrap();
    b.play(&code, json!({"cell": 8})).await.unwrap();
    a.play(&code, json!({"cell": 2})).await.unwrap();
    let over = event_of(&mut b, "game_over").await;
    assert_eq!(room_of(&over).outcome.as_ref().unwrap().winner, Some(0));
}
