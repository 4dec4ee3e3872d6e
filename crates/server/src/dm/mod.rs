//! Direct messages, presence and blocks: one actor (the hub) that knows who is online.
//!
//! Store and forward: every message is made durable before the sender hears `dm_sent`; a
//! recipient who is online gets it pushed at once, one who is not gets every stored message at
//! the next `hello`, in the order sent. Each conversation has its own sequence, so a client can
//! ask for everything after the last `seq` it saw and never miss or double a message. The hub
//! works in batches like a room: apply every queued command, wait for the store once, then send.
//!
//! # Layout
//! - [`DmHandle`] and [`DmCmd`]: how sessions reach the hub.
//! - [`hub`]: the actor.

pub mod hub;

use capital_protocol::{ErrorCode, RequestId, Seq};
use tokio::sync::mpsc;

use crate::players::Player;
use crate::session::ConnHandle;

/// Commands to the hub. Requests carry the connection and request id to answer.
#[derive(Debug)]
pub enum DmCmd {
    /// A player said hello (or logged in) on `conn`.
    Online {
        /// Who.
        player: Player,
        /// Their connection.
        conn: ConnHandle,
    },
    /// A connection closed (or logged out): if it was the player's, they are offline.
    Offline {
        /// Who.
        player_id: String,
        /// The connection that closed.
        conn_id: u64,
    },
    /// `dm`.
    Send {
        /// Answer here.
        conn: ConnHandle,
        /// Request id.
        id: RequestId,
        /// The sender.
        from: Player,
        /// The recipient (known to exist).
        to: String,
        /// The text (already checked).
        text: String,
        /// The sender's id for the message (already checked).
        client_msg_id: String,
    },
    /// `dm_read`.
    Read {
        /// Answer here.
        conn: ConnHandle,
        /// Request id.
        id: RequestId,
        /// Who read.
        reader: String,
        /// Whose messages.
        with: String,
        /// Up to this seq.
        seq: Seq,
    },
    /// `block` / `unblock`.
    Block {
        /// Answer here.
        conn: ConnHandle,
        /// Request id.
        id: RequestId,
        /// Who blocks.
        blocker: String,
        /// Whom.
        blocked: String,
        /// Block (true) or unblock (false).
        on: bool,
    },
    /// `conversations`.
    Conversations {
        /// Answer here.
        conn: ConnHandle,
        /// Request id.
        id: RequestId,
        /// Whose.
        player: String,
    },
}

/// A way to reach the hub.
#[derive(Debug, Clone)]
pub struct DmHandle {
    tx: mpsc::Sender<DmCmd>,
}

impl DmHandle {
    /// Queues a request; `busy` if the hub's queue is full.
    pub fn request(&self, cmd: DmCmd) -> Result<(), (ErrorCode, String)> {
        self.tx.try_send(cmd).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => {
                (ErrorCode::Busy, "the server is too busy right now; try again".to_owned())
            }
            mpsc::error::TrySendError::Closed(_) => {
                (ErrorCode::ShuttingDown, "the server is shutting down".to_owned())
            }
        })
    }

    /// Presence changes must not be lost: waits for queue space.
    pub async fn presence(&self, cmd: DmCmd) {
        let _ = self.tx.send(cmd).await;
    }
}

/// Checks a direct message's text and id against the limits.
pub fn validate(
    text: &str,
    client_msg_id: &str,
    max_chars: usize,
) -> Result<(), (ErrorCode, String)> {
    crate::room::chat::validate(text, client_msg_id, max_chars)
}
