//! A real full disk: the `capital` binary with its data directory on a small tmpfs, in a mount
//! namespace of its own (`unshare -rm`, which needs no privileges where user namespaces are
//! allowed, as on our CI machines). The test fills the tmpfs, plays on, empties it again.
//!
//! While the disk is full, whatever needed a write is refused `internal`, a retry of a refused
//! chat message is refused too (it was never stored), nobody else hears of it, and `/readyz`
//! says 503. Once there is room again the server writes again by itself (no restart: systemd
//! would not restart it anyway, `/healthz` stays 200), and only what was acknowledged is stored.

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use capital_client::Client;
use capital_protocol::{ClientMsg, ErrorCode, Role, RoomEvent, ServerMsg};
use common::*;
use serde_json::json;

/// The server, contained.
struct Contained {
    child: Child,
    addr: std::net::SocketAddr,
    /// The data directory as this process sees it (through /proc/PID/root).
    data: PathBuf,
}

impl Drop for Contained {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(tmpfs_mib: u32) -> Contained {
    let mount = tempfile::tempdir().expect("a mount point");
    let point = mount.path().to_str().unwrap().to_owned();
    let script = format!(
        "mount -t tmpfs -o size={tmpfs_mib}m tmpfs {point} && exec \"$0\" serve \
         --bind 127.0.0.1:0 --data {point}/data --mdns false --log warn"
    );
    let mut child = Command::new("unshare")
        .args(["-rm", "sh", "-c", &script, env!("CARGO_BIN_EXE_capital")])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("unshare (util-linux) runs");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines.next().expect("the server printed its address").unwrap();
        if let Some(rest) = line.trim().strip_prefix("http://")
            && let Some(addr) = rest.strip_suffix('/')
        {
            break addr.parse().expect("an address");
        }
    };
    // Keep draining stdout so the server never blocks on it.
    std::thread::spawn(move || for _ in lines {});
    let data = PathBuf::from(format!("/proc/{}/root{point}/data", child.id()));
    std::mem::forget(mount); // the mount point must outlive the server
    Contained { child, addr, data }
}

/// Fills the disk: writes zeros until there is no room left.
fn fill(path: &std::path::Path) {
    use std::io::Write;
    let mut file = std::fs::File::create(path).expect("the filler file");
    let chunk = vec![0u8; 64 * 1024];
    while file.write_all(&chunk).is_ok() {}
    let _ = file.sync_all();
}

async fn ready(addr: std::net::SocketAddr) -> u16 {
    http_get(addr, "/readyz").await.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_acknowledges_nothing_and_recovers_by_itself() {
    let server = start(8);
    let url = format!("ws://{}/ws", server.addr);
    let ana = Client::connect(&url).await.unwrap();
    ana.hello("Ana", None).await.unwrap();
    let mut bo = Client::connect(&url).await.unwrap();
    bo.hello("Bo", None).await.unwrap();
    let code = ana.create_room("tictactoe", None).await.unwrap().code;
    bo.join_room(&code, Role::Player, None).await.unwrap();
    ana.chat(&code, "before", "c0").await.unwrap();
    event_of(&mut bo, "chat").await;
    assert_eq!(ready(server.addr).await, 200);

    let filler = server.data.join("filler");
    fill(&filler);
    let err = ana.chat(&code, "lost", "c1").await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Internal), "{err}");
    // A message and its retry, sent together: neither was stored, so neither is "sent".
    let chat = || ClientMsg::Chat {
        code: code.clone(),
        text: "again".into(),
        client_msg_id: "c2".into(),
        echo: true,
    };
    let (first, retry) = (ana.send(chat()).unwrap(), ana.send(chat()).unwrap());
    for reply in [first, retry] {
        let reply = tokio::time::timeout(WAIT, reply).await.unwrap().unwrap();
        assert!(
            matches!(reply, ServerMsg::Error { code: ErrorCode::Internal, .. }),
            "a message that was not stored was answered {reply:?}"
        );
    }
    let err = ana.start(&code).await.unwrap_err();
    assert_eq!(err.code(), Some(ErrorCode::Internal), "{err}");
    assert_eq!(ready(server.addr).await, 503, "not ready while writes fail");
    assert_eq!(http_get(server.addr, "/healthz").await.0, 200, "but alive");
    assert_quiet(&mut bo).await;

    // Room again: writes resume without a restart.
    std::fs::remove_file(&filler).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while ready(server.addr).await != 200 {
        assert!(tokio::time::Instant::now() < deadline, "writes never resumed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    ana.chat(&code, "again", "c2").await.expect("stored now");
    let e = event_of(&mut bo, "chat").await;
    let RoomEvent::Chat { message } = e.event else { unreachable!() };
    assert_eq!(message.client_msg_id, "c2");
    ana.start(&code).await.expect("the room works again");
    let (history, _) = ana.chat_history(&code, None, None).await.unwrap();
    let ids: Vec<&str> = history.iter().map(|m| m.client_msg_id.as_str()).collect();
    assert_eq!(ids, ["c0", "c2"], "only what was acknowledged is stored");
    ana.play(&code, json!({"cell": 4})).await.unwrap();
}
