//! Direct messages, presence and blocks: one actor (the hub) that knows who is online.
//!
//! Store and forward: every message is made durable before the sender hears `dm_sent`; a
//! recipient who is online gets it pushed at once, one who is not gets every stored message at
//! the next `hello`, in the order sent. Each conversation has its own sequence, so a client can
//! ask for everything after the last `seq` it saw and never miss or double a message. The hub
//! works in batches like a room: apply every queued command, wait for the store once, then send.
//!
//! # Layout
//! - [`DmHandle`], [`DmCmd`] and [`DmError`]: how sessions reach the hub, and its refusals.
//! - [`hub`]: the actor: messages, receipts, blocks, and what it reloads after a failed write.
//! - [`keys`]: device keys, and which devices a sealed message must have a copy for.
//! - [`envelope`]: the shape of a sealed message, checked before it reaches the hub.
//! - [`presence`]: online and offline, and the messages stored while away.
//! - [`pages`]: replies that carry stored messages, bounded in bytes.
//! - [`retries`]: recognizing a retried message.

pub mod envelope;
pub mod hub;
mod keys;
pub mod pages;
mod presence;
mod retries;

use std::time::Duration;

use capital_protocol::{ErrorCode, RequestId, Sealed, Seq};
use tokio::sync::mpsc;

use crate::conn::ConnHandle;
use crate::players::Player;

/// The hub's own settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DmSettings {
    /// Bytes of direct messages one address may send per minute (`dm_kib_per_minute`).
    pub bytes_per_minute: u32,
    /// Bytes of stored messages one reply or push carries
    /// ([`crate::config::Config::dm_reply_bytes`]).
    pub reply_bytes: usize,
}

impl DmSettings {
    /// The hub's settings in `config`.
    pub fn of(config: &crate::config::Config) -> Self {
        DmSettings {
            bytes_per_minute: config.dm_kib_per_minute.saturating_mul(1024),
            reply_bytes: config.dm_reply_bytes(),
        }
    }
}

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
        /// The text (already checked); empty when `sealed`.
        text: String,
        /// The encrypted message (its shape already checked).
        sealed: Option<Sealed>,
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
    /// `publish_key`.
    PublishKey {
        /// Answer here.
        conn: ConnHandle,
        /// Request id.
        id: RequestId,
        /// Whose device.
        player: String,
        /// The public key (checked: a P-256 point), base64url.
        key: String,
        /// Devices a player may have.
        max: usize,
    },
    /// `keys_of`.
    KeysOf {
        /// Answer here.
        conn: ConnHandle,
        /// Request id.
        id: RequestId,
        /// Whose keys.
        player: String,
    },
    /// Guests were forgotten, and their device keys with them: read the keys again.
    ReloadKeys,
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

/// Why the hub refused a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DmError {
    /// A message to oneself.
    #[error("you cannot message yourself")]
    ToSelf,
    /// Blocking oneself.
    #[error("you cannot block yourself")]
    BlockSelf,
    /// One of the two blocked the other.
    #[error("you cannot message this player")]
    Blocked,
    /// A sealed message's envelope is malformed.
    #[error("bad envelope: {0}")]
    BadEnvelope(String),
    /// A key that is not a P-256 public key.
    #[error("the key is not a P-256 public key (65 bytes, uncompressed, base64url)")]
    BadKey,
    /// A sealed message names a device that is not there.
    #[error("{0}")]
    UnknownDevice(String),
    /// `dm_stored` for a message that is not in the asker's conversation.
    #[error("no such message in your conversation with that player")]
    NoSuchMessage,
    /// The copies are not for the players' current devices.
    #[error("the devices of one of you changed: fetch keys_of for both and seal it again")]
    KeysChanged,
    /// The sender's address sent its bytes of direct messages for this minute.
    #[error(
        "too many direct messages from your address: at most {} KiB a minute; try again in {} \
         seconds",
        .kib,
        .wait.as_secs().max(1)
    )]
    TooManyBytes {
        /// The limit, in KiB.
        kib: u32,
        /// Until the minute is over.
        wait: Duration,
    },
    /// The hub's queue is full.
    #[error("the server is too busy right now; try again")]
    Busy,
    /// The hub has stopped.
    #[error("the server is shutting down")]
    ShuttingDown,
}

impl DmError {
    /// The code clients get.
    pub fn code(&self) -> ErrorCode {
        match self {
            DmError::ToSelf | DmError::BlockSelf | DmError::BadKey | DmError::NoSuchMessage => {
                ErrorCode::BadRequest
            }
            DmError::BadEnvelope(_) => ErrorCode::BadEnvelope,
            DmError::UnknownDevice(_) => ErrorCode::UnknownDevice,
            DmError::KeysChanged => ErrorCode::KeysChanged,
            DmError::Blocked => ErrorCode::Blocked,
            DmError::TooManyBytes { .. } => ErrorCode::RateLimited,
            DmError::Busy => ErrorCode::Busy,
            DmError::ShuttingDown => ErrorCode::ShuttingDown,
        }
    }
}

/// A way to reach the hub: this node's own, or (in a cluster) the cluster's one hub, wherever
/// it runs.
#[derive(Clone)]
pub struct DmHandle {
    route: Route,
}

#[derive(Clone)]
enum Route {
    Here(mpsc::Sender<DmCmd>),
    Forward(std::sync::Arc<dyn Forward>),
}

impl std::fmt::Debug for DmHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.route {
            Route::Here(_) => "DmHandle(here)",
            Route::Forward(_) => "DmHandle(forwarded)",
        })
    }
}

/// How commands reach a hub on another node (the cluster's).
pub trait Forward: Send + Sync {
    /// Passes `cmd` on without waiting; `busy` when too many wait to go.
    fn forward(&self, cmd: DmCmd) -> Result<(), DmError>;
    /// Passes `cmd` on, waiting for room: it must not be lost.
    fn forward_all(&self, cmd: DmCmd) -> futures_util::future::BoxFuture<'static, ()>;
}

impl DmHandle {
    pub(super) fn new(tx: mpsc::Sender<DmCmd>) -> Self {
        DmHandle { route: Route::Here(tx) }
    }

    /// A handle whose commands go to the cluster's hub through `forward`.
    pub fn forwarded(forward: std::sync::Arc<dyn Forward>) -> Self {
        DmHandle { route: Route::Forward(forward) }
    }

    /// Queues a request; `busy` if the hub's queue is full.
    pub fn request(&self, cmd: DmCmd) -> Result<(), DmError> {
        match &self.route {
            Route::Here(tx) => tx.try_send(cmd).map_err(|e| match e {
                mpsc::error::TrySendError::Full(_) => DmError::Busy,
                mpsc::error::TrySendError::Closed(_) => DmError::ShuttingDown,
            }),
            Route::Forward(forward) => forward.forward(cmd),
        }
    }

    /// After guests expired: the hub forgets their device keys (waits for queue space).
    pub async fn reload_keys(&self) {
        self.presence(DmCmd::ReloadKeys).await;
    }

    /// Presence changes must not be lost: waits for queue space.
    pub async fn presence(&self, cmd: DmCmd) {
        match &self.route {
            Route::Here(tx) => {
                let _ = tx.send(cmd).await;
            }
            Route::Forward(forward) => forward.forward_all(cmd).await,
        }
    }
}

#[cfg(test)]
mod tests;
