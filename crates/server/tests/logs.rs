//! No secret reaches the log, at any level: with `--log trace` (and even `tungstenite=trace`
//! asked for by name) a whole session of hello, login, register and direct messages leaves no
//! token and no password in what the server logs.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;

/// Everything logged, kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_and_passwords_never_reach_the_log_even_at_trace() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter(capital_server::logging::filter("trace,tungstenite=trace"))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let server = TestServer::start().await;
    let (ana, a) = server.player("Ana").await;
    let password = "correct horse battery";
    let session_token = ana.register("ana", password).await.unwrap();
    let (bo, b) = server.player("Bo").await;
    ana.dm(&b.player_id, "a secret-free message", "d1").await.unwrap();
    let (_again, resumed) = server.resume(&b.token).await;
    let laptop = capital_client::Client::connect(&server.url()).await.unwrap();
    let login = laptop.login("ana", password).await.unwrap();
    let wrong = capital_client::Client::connect(&server.url()).await.unwrap();
    wrong.login("ana", "not the password at all").await.unwrap_err();
    drop((bo, laptop, wrong));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;

    let log = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert!(log.contains("TRACE") || log.contains("DEBUG"), "the log ran at trace: {log}");
    assert!(log.contains(&a.player_id), "players are named by id");
    for secret in [
        a.token.as_str(),
        b.token.as_str(),
        resumed.token.as_str(),
        session_token.as_str(),
        login.token.as_str(),
        password,
        "not the password at all",
    ] {
        assert!(!log.contains(secret), "{secret:?} is in the log");
    }
}
