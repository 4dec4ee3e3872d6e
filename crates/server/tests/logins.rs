//! Password guessing in parallel: every attempt counts before any hashing, so the limit holds
//! however many arrive at once, and at most a few hashes run together, so memory stays bounded
//! (argon2id takes 19 MiB a hash). Honest players play on meanwhile.

mod common;

use std::net::IpAddr;

use capital_client::Client;
use capital_protocol::{ClientMsg, ErrorCode, ServerMsg};
use common::*;
use serde_json::json;

/// This process's peak resident memory, in KiB (Linux).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// `n` connections from `from`, each sending one login at once; the answers' codes (`None` for
/// a welcome).
async fn parallel_logins(
    server: &TestServer,
    from: IpAddr,
    n: usize,
    username: impl Fn(usize) -> String,
    password: &str,
) -> Vec<Option<ErrorCode>> {
    let mut clients = Vec::new();
    for _ in 0..n {
        clients.push(Client::connect_from(&server.url(), from).await.expect("connect"));
    }
    let pending: Vec<_> = clients
        .iter()
        .enumerate()
        .map(|(i, c)| {
            c.send(ClientMsg::Login { username: username(i), password: password.into() }).unwrap()
        })
        .collect();
    let mut codes = Vec::new();
    for reply in pending {
        let reply = tokio::time::timeout(std::time::Duration::from_secs(30), reply)
            .await
            .expect("every login is answered")
            .unwrap();
        codes.push(match reply {
            ServerMsg::Welcome { .. } => None,
            ServerMsg::Error { code, .. } => Some(code),
            other => panic!("{other:?}"),
        });
    }
    codes
}

fn count(codes: &[Option<ErrorCode>], code: ErrorCode) -> usize {
    codes.iter().filter(|c| **c == Some(code)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_cannot_pass_the_limit_or_exhaust_memory() {
    let server = TestServer::start().await;
    let (ana, _) = server.player("Ana").await;
    ana.register("ana", "correct horse").await.unwrap();
    let limit = server.config.login_attempts_per_minute as usize;
    let before = peak_rss_kib();

    let honest = async {
        let (a, b, code) = two_player_game(&server, "tictactoe", None).await;
        for (i, cell) in [0, 3, 1, 4, 2].into_iter().enumerate() {
            let mover = if i % 2 == 0 { &a } else { &b };
            mover.play(&code, json!({"cell": cell})).await.expect("a move, answered");
        }
    };
    // 60 guesses at Ana's password at once, typed every which way, from one address...
    let guess = |i: usize| ["ana", " ana", "Ana ", "  ANA"][i % 4].to_owned();
    let guesses = parallel_logins(&server, ATTACKER, 60, guess, "wrong password");
    // ... and 2 x 60 logins for names that do not exist, from two more.
    let nobody = |i: usize| format!("nobody{i}");
    let other1 = parallel_logins(&server, "127.0.0.4".parse().unwrap(), 60, nobody, "whatever1");
    let other2 = parallel_logins(&server, "127.0.0.5".parse().unwrap(), 60, nobody, "whatever2");
    let ((), guesses, other1, other2) = tokio::join!(honest, guesses, other1, other2);

    for codes in [&guesses, &other1, &other2] {
        let failed = count(codes, ErrorCode::LoginFailed);
        let limited = count(codes, ErrorCode::RateLimited) + count(codes, ErrorCode::Busy);
        assert!(failed <= limit, "{failed} passwords checked for one address: {codes:?}");
        assert_eq!(failed + limited, codes.len(), "{codes:?}");
    }
    let grown_mib = (peak_rss_kib().saturating_sub(before)) / 1024;
    // At most 4 hashes at once, 19 MiB each; before, 180 ran at once (3.4 GB).
    assert!(grown_mib < 120, "180 parallel logins grew the peak memory by {grown_mib} MiB");

    // The right password, now: Ana's username is at its limit, whatever the address.
    let right = parallel_logins(
        &server,
        "127.0.0.6".parse().unwrap(),
        1,
        |_| "ana".into(),
        "correct horse",
    )
    .await;
    assert_eq!(right, [Some(ErrorCode::RateLimited)], "guessing made no progress");
}
