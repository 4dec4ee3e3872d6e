//! The player's side of a cluster: a request for a room that runs on another node goes there
//! across NATS ([`Cluster::forward`]), and the frames the room sends back are queued for the
//! connection as a room here would queue them. When the connection closes, the rooms' nodes are
//! told ([`Cluster::finish`]); when a room moved (its node died), the connections linked to it
//! are closed so that the phones reconnect and resume.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use async_nats::RequestErrorKind;

use super::wire::{self, Answer, Origin, ToConn, ToRoom};
use super::{Cluster, Inner, LEASE, next_message};
use crate::conn::{CloseReason, ConnHandle};
use crate::players::Player;
use crate::room::RoomHandle;

/// How long a request waits for the room's node to take it.
const ANSWER_WAIT: Duration = Duration::from_secs(3);

/// How long a request for a room whose node stopped waits for another node to take the room.
const MOVE_WAIT: Duration = Duration::from_secs(LEASE.as_secs() + 4);

/// Why a forwarded request did not reach its room.
#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    /// No node runs a room by that code.
    #[error("no such room")]
    NoSuchRoom,
    /// The room's node refused it, with the error the client gets.
    #[error("{message}")]
    Refused {
        /// The code.
        code: capital_protocol::ErrorCode,
        /// Why.
        message: String,
    },
    /// The room's node, or NATS, could not be reached in time.
    #[error("the room's server is out of reach")]
    Unavailable,
    /// The store could not say where the room is.
    #[error(transparent)]
    Store(#[from] capital_store::StoreError),
    /// The room's node answered something that is not an answer.
    #[error("a node's answer could not be read")]
    BadAnswer,
}

/// Where a forwarded request went.
#[derive(Debug)]
pub enum Forwarded {
    /// To the room's node, which took it: the room answers.
    Remote,
    /// The room runs here now: hand it the request.
    Local(RoomHandle),
}

impl Cluster {
    /// Sends the request `text` of `player` on `conn` to room `code` (normalized), which does
    /// not run on this node; waits while the room moves from a node that stopped.
    pub async fn forward(
        &self,
        conn: &ConnHandle,
        player: &Player,
        code: &str,
        text: &str,
    ) -> Result<Forwarded, ForwardError> {
        let inner = &self.inner;
        let message = ToRoom::Request {
            from: Origin { node: inner.node.clone(), conn: conn.id() },
            ip: conn.peer(),
            player_id: player.id.clone(),
            name: player.name.clone(),
            text: text.to_owned(),
        };
        let payload: bytes::Bytes = serde_json::to_vec(&message).expect("serializes").into();
        let deadline = tokio::time::Instant::now() + MOVE_WAIT;
        // Linked first: the room's frames may come before its node's answer does.
        let fresh = self.link(conn, code);
        let result = loop {
            if let Some(room) = inner.rooms.get(code) {
                break Ok(Forwarded::Local(room));
            }
            // Not sent while NATS is out of reach: the client would queue it, and deliver it
            // after the request was answered as failed.
            if !self.reachable() {
                break Err(ForwardError::Unavailable);
            }
            let asked = inner.nats.request(wire::room(code), payload.clone());
            match tokio::time::timeout(ANSWER_WAIT, asked).await {
                Ok(Ok(reply)) => match serde_json::from_slice::<Answer>(&reply.payload) {
                    Ok(Answer::Taken) => break Ok(Forwarded::Remote),
                    Ok(Answer::Refused { code, message }) => {
                        break Err(ForwardError::Refused { code, message });
                    }
                    Err(_) => break Err(ForwardError::BadAnswer),
                },
                Ok(Err(e)) if e.kind() == RequestErrorKind::NoResponders => {
                    // Nobody serves the room: there is none, or its node stopped and another
                    // takes it within a lease.
                    if !inner.leases.exists(code).await? {
                        break Err(ForwardError::NoSuchRoom);
                    }
                    if tokio::time::Instant::now() >= deadline {
                        break Err(ForwardError::Unavailable);
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Ok(Err(e)) => {
                    tracing::warn!(code, error = %e, "a request to another node failed");
                    break Err(ForwardError::Unavailable);
                }
                Err(_) => break Err(ForwardError::Unavailable),
            }
        };
        if fresh && !matches!(result, Ok(Forwarded::Remote)) {
            self.unlink(conn.id(), code);
        }
        result
    }

    /// Whether this node is connected to NATS now.
    fn reachable(&self) -> bool {
        self.inner.nats.connection_state() == async_nats::connection::State::Connected
    }

    /// Sends a real-time input to room `code` on its node (never answered; lost if it cannot go).
    pub async fn input(&self, code: &str, player_id: &str, text: &str) {
        if !self.reachable() {
            return;
        }
        let message = ToRoom::Input { player_id: player_id.to_owned(), text: text.to_owned() };
        let payload = serde_json::to_vec(&message).expect("serializes");
        let _ = self.inner.nats.publish(wire::room(code), payload.into()).await;
    }

    /// Connection `conn_id` of `player_id` closed: every room on another node it reached is
    /// told.
    pub async fn finish(&self, conn_id: u64, player_id: &str) {
        let inner = &self.inner;
        let codes = inner.linked.lock().expect("linked lock").remove(&conn_id);
        let Some((_, codes)) = codes else { return };
        let from = Origin { node: inner.node.clone(), conn: conn_id };
        let message = ToRoom::Detach { from, player_id: player_id.to_owned() };
        let payload: bytes::Bytes = serde_json::to_vec(&message).expect("serializes").into();
        // (The hub hears of it from the session's `Offline`.)
        for code in codes.iter().filter(|c| *c != wire::HUB_LEASE) {
            let _ = inner.nats.publish(wire::room(code), payload.clone()).await;
        }
    }

    /// Records that `conn` reaches room `code` elsewhere; whether it did not already.
    pub(super) fn link(&self, conn: &ConnHandle, code: &str) -> bool {
        let mut linked = self.inner.linked.lock().expect("linked lock");
        let (_, codes) = linked.entry(conn.id()).or_insert_with(|| (conn.clone(), HashSet::new()));
        codes.insert(code.to_owned())
    }

    fn unlink(&self, conn_id: u64, code: &str) {
        let mut linked = self.inner.linked.lock().expect("linked lock");
        if let Some((_, codes)) = linked.get_mut(&conn_id) {
            codes.remove(code);
            if codes.is_empty() {
                linked.remove(&conn_id);
            }
        }
    }
}

/// Queues the frames rooms on other nodes send to this node's connections.
pub(super) async fn frames(inner: Arc<Inner>, mut frames: async_nats::Subscriber) {
    let shutdown = inner.env.shutdown.clone();
    loop {
        let Some(msg) = next_message(&mut frames, &shutdown, &shutdown).await else { return };
        let Some((conn_id, what)) = wire::parse_conn(&msg.subject) else { continue };
        let conn = inner.linked.lock().expect("linked lock").get(&conn_id).map(|(c, _)| c.clone());
        let Some(conn) = conn else { continue };
        match what {
            ToConn::Close => {
                let code = std::str::from_utf8(&msg.payload).ok().and_then(|c| c.parse().ok());
                conn.close(code.and_then(CloseReason::from_code).unwrap_or(CloseReason::TooSlow));
            }
            ToConn::Frame | ToConn::RealTime => {
                let Ok(frame) = tungstenite::Utf8Bytes::try_from(msg.payload) else { continue };
                if what == ToConn::RealTime {
                    conn.send_frame(frame);
                } else {
                    conn.send(frame);
                }
            }
        }
    }
}

/// Closes the connections linked to a room that moved to another node: they reconnect and
/// resume there (or wherever they land). When the hub moved, it is told who is online here.
pub(super) async fn moves(cluster: Cluster, mut moves: async_nats::Subscriber) {
    let inner = &cluster.inner;
    let shutdown = inner.env.shutdown.clone();
    loop {
        let Some(msg) = next_message(&mut moves, &shutdown, &shutdown).await else { return };
        let code = wire::last(&msg.subject);
        if code == wire::HUB_LEASE {
            cluster.online_again().await;
            continue;
        }
        let linked = inner.linked.lock().expect("linked lock");
        for (conn, codes) in linked.values() {
            if codes.contains(code) {
                conn.close(CloseReason::Moved);
            }
        }
    }
}
