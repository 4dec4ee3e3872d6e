//! [`ConnHandle`]: how a room (or a newer connection of the same player) reaches a connection.

use std::sync::{Arc, OnceLock};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// Why the server closed a connection; sent in the close frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The same player connected again; the newer connection wins.
    Replaced,
    /// The client did not read its messages fast enough and its queue filled up.
    TooSlow,
    /// The server is stopping.
    ShuttingDown,
    /// The client sent a message over the size limit.
    TooBig,
    /// The client kept sending after being told it was over its rate limit.
    Flooding,
    /// The client did not say hello in time.
    NoHello,
}

impl CloseReason {
    /// The WebSocket close code.
    pub fn code(self) -> u16 {
        match self {
            CloseReason::Replaced => 4000,
            CloseReason::TooSlow => 4001,
            CloseReason::ShuttingDown => 1001,
            CloseReason::TooBig => 1009,
            CloseReason::Flooding => 1008,
            CloseReason::NoHello => 4002,
        }
    }

    /// The close frame's reason text.
    pub fn text(self) -> &'static str {
        match self {
            CloseReason::Replaced => "replaced by a newer connection",
            CloseReason::TooSlow => "too slow: too many unread messages",
            CloseReason::ShuttingDown => "server shutting down",
            CloseReason::TooBig => "message too big",
            CloseReason::Flooding => "too many requests",
            CloseReason::NoHello => "no hello in time",
        }
    }
}

/// A cheap, clonable handle to one connection.
#[derive(Debug, Clone)]
pub struct ConnHandle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    id: u64,
    /// Frames for the client; the session task drains it into the socket. Bounded: a full
    /// outbox means the client stopped reading.
    outbox: mpsc::Sender<Utf8Bytes>,
    /// Cancelled to make the session close the connection, with `reason`.
    closer: CancellationToken,
    reason: OnceLock<CloseReason>,
}

impl ConnHandle {
    /// A handle for connection `id`, whose session drains `outbox`.
    pub fn new(id: u64, outbox: mpsc::Sender<Utf8Bytes>) -> Self {
        ConnHandle {
            inner: Arc::new(Inner {
                id,
                outbox,
                closer: CancellationToken::new(),
                reason: OnceLock::new(),
            }),
        }
    }

    /// The connection id.
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// Queues a frame without waiting. A client whose queue is full is too slow: it is closed,
    /// and nobody else waits for it. Returns whether the frame was queued.
    pub fn send(&self, frame: Utf8Bytes) -> bool {
        match self.inner.outbox.try_send(frame) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(conn = self.inner.id, "outbox full: closing a slow client");
                self.close(CloseReason::TooSlow);
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Asks the session to close the connection (the first reason given wins).
    pub fn close(&self, reason: CloseReason) {
        let _ = self.inner.reason.set(reason);
        self.inner.closer.cancel();
    }

    /// Why the connection was asked to close, if it was.
    pub fn close_reason(&self) -> Option<CloseReason> {
        self.inner.reason.get().copied()
    }

    /// Cancelled when the connection is asked to close.
    pub fn closer(&self) -> CancellationToken {
        self.inner.closer.clone()
    }
}
