//! Helpers for the unit tests of the stateful core (rooms, the lobby, the hub): an environment
//! over a memory store on tokio's (paused) clock, connections whose outbox a test reads, and
//! reading frames back as protocol messages.

use std::net::IpAddr;
use std::sync::Arc;

use capital_protocol::{Outgoing, ServerMsg};
use capital_store::MemoryStore;

use crate::conn::{ConnHandle, Outbox};
use crate::env::{Clock, Env};
use crate::players::Player;

/// An environment over a fresh memory store (returned too, to make it fail), on a clock that
/// starts at a fixed time and moves with tokio's.
pub fn env() -> (Env, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::new());
    let mut env = Env::new(store.clone());
    env.clock = Clock::tokio(1_800_000_000_000);
    (env, store)
}

/// A connection from 127.0.0.1 and the outbox the test reads.
pub fn conn(id: u64) -> (ConnHandle, Outbox) {
    conn_from(id, "127.0.0.1".parse().unwrap())
}

/// A connection from `ip`.
pub fn conn_from(id: u64, ip: IpAddr) -> (ConnHandle, Outbox) {
    ConnHandle::new(id, ip, 4096, 1024 * 1024)
}

/// A player.
pub fn player(id: &str, name: &str) -> Player {
    Player { id: id.to_owned(), name: name.to_owned() }
}

/// Lets every task run until each waits on something only the test can give (with paused
/// time, no clock moves meanwhile).
pub async fn settle() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
}

/// Every frame waiting in `outbox`, as messages (after letting the actors run).
pub async fn frames(outbox: &mut Outbox) -> Vec<Outgoing> {
    settle().await;
    let mut out = Vec::new();
    while let Some(frame) = outbox.try_recv() {
        out.push(serde_json::from_str(&frame).expect("frames are protocol messages"));
    }
    out
}

/// The one reply to request `id` among `frames`.
pub fn reply_to(frames: &[Outgoing], id: u64) -> &ServerMsg {
    let replies: Vec<_> = frames.iter().filter(|f| f.re == Some(id)).collect();
    assert_eq!(replies.len(), 1, "one reply to {id} in {frames:#?}");
    &replies[0].msg
}

/// The error code of a reply, if it is an error.
pub fn error_code(msg: &ServerMsg) -> Option<capital_protocol::ErrorCode> {
    match msg {
        ServerMsg::Error { code, .. } => Some(*code),
        _ => None,
    }
}

/// The kinds of the events among `frames`, in order.
pub fn event_kinds(frames: &[Outgoing]) -> Vec<String> {
    frames
        .iter()
        .filter_map(|f| match &f.msg {
            ServerMsg::Event(e) => {
                Some(serde_json::to_value(&e.event).unwrap()["kind"].as_str().unwrap().to_owned())
            }
            _ => None,
        })
        .collect()
}
