//! [`ConnHandle`]: how a room, the DM hub (or a newer connection of the same player) reaches a
//! connection, and [`Outbox`], the session's end of it.
//!
//! The outbox is bounded twice: in frames and in bytes. Whoever sends never waits: a client
//! whose outbox is full stopped reading, and is closed as too slow (frames are shared between
//! the members they go to, so the bytes bound what one client can make the server hold for it).
//! Real-time frames do not queue: each connection has a one-frame slot that a newer frame
//! overwrites, so a slow client gets the newest state and skips stale ones. The slot is read
//! through the outbox: filling an empty slot queues an empty marker, and the outbox hands out
//! the slot's frame (the newest by then) in the marker's place, in order with the other frames.
//! (A separate waiter beside the outbox cost every idle connection 0.6 KiB.)
//!
//! A leaf module: it knows nothing of the rest of the server.

use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tungstenite::Utf8Bytes;

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
    /// A text frame that is not UTF-8 (RFC 6455 section 8.1).
    BadUtf8,
    /// A frame that breaks the WebSocket protocol.
    Protocol,
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
            CloseReason::BadUtf8 => 1007,
            CloseReason::Protocol => 1002,
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
            CloseReason::BadUtf8 => "text frames must be UTF-8",
            CloseReason::Protocol => "a frame broke the WebSocket protocol",
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
    /// The client's address.
    peer: IpAddr,
    /// Frames for the client; the session task drains it into the socket ([`Outbox`]).
    outbox: mpsc::Sender<Utf8Bytes>,
    /// Bytes of the frames in `outbox`.
    queued: AtomicUsize,
    /// The most `queued` may reach.
    max_bytes: usize,
    /// Cancelled to make the session close the connection, with `reason`.
    closer: CancellationToken,
    reason: OnceLock<CloseReason>,
    /// The newest real-time frame not yet written: a slot, not a queue, so a slow client skips
    /// stale frames instead of falling behind. An empty frame in `outbox` stands for it.
    frame: Mutex<Option<Utf8Bytes>>,
}

/// The session's end of a connection's outbox.
#[derive(Debug)]
pub struct Outbox {
    rx: mpsc::Receiver<Utf8Bytes>,
    inner: Arc<Inner>,
}

impl Outbox {
    /// The next frame, once there is one (`None` once every handle is gone).
    pub async fn recv(&mut self) -> Option<Utf8Bytes> {
        loop {
            let frame = self.rx.recv().await?;
            if let Some(frame) = self.take(frame) {
                return Some(frame);
            }
        }
    }

    /// The next frame if one is queued.
    pub fn try_recv(&mut self) -> Option<Utf8Bytes> {
        loop {
            let frame = self.rx.try_recv().ok()?;
            if let Some(frame) = self.take(frame) {
                return Some(frame);
            }
        }
    }

    /// A frame out of the queue: itself, or for the slot's marker the slot's frame (none if a
    /// marker outlived its frame).
    fn take(&self, frame: Utf8Bytes) -> Option<Utf8Bytes> {
        if frame.is_empty() {
            return self.inner.frame.lock().expect("frame slot lock").take();
        }
        self.inner.queued.fetch_sub(frame.len(), Ordering::AcqRel);
        Some(frame)
    }
}

impl ConnHandle {
    /// A handle for connection `id` from `peer`, whose outbox holds at most `max_frames` frames
    /// and `max_bytes` bytes; and the outbox, for the session to drain.
    pub fn new(id: u64, peer: IpAddr, max_frames: usize, max_bytes: usize) -> (Self, Outbox) {
        let (tx, rx) = mpsc::channel(max_frames);
        let inner = Arc::new(Inner {
            id,
            peer,
            outbox: tx,
            queued: AtomicUsize::new(0),
            max_bytes,
            closer: CancellationToken::new(),
            reason: OnceLock::new(),
            frame: Mutex::new(None),
        });
        (ConnHandle { inner: inner.clone() }, Outbox { rx, inner })
    }

    /// The connection id.
    pub fn id(&self) -> u64 {
        self.inner.id
    }

    /// The client's address.
    pub fn peer(&self) -> IpAddr {
        self.inner.peer
    }

    /// Puts a real-time frame in the connection's frame slot, replacing one not yet written;
    /// an empty slot also queues its marker (so a full outbox drops a slow client as ever).
    pub fn send_frame(&self, frame: Utf8Bytes) {
        let was_empty = self.inner.frame.lock().expect("frame slot lock").replace(frame).is_none();
        if was_empty {
            self.send(Utf8Bytes::from_static(""));
        }
    }

    /// Queues a frame without waiting. A client whose outbox is full (in frames or in bytes) is
    /// too slow: it is closed, and nobody else waits for it. Returns whether the frame was
    /// queued.
    pub fn send(&self, frame: Utf8Bytes) -> bool {
        let len = frame.len();
        let before = self.inner.queued.fetch_add(len, Ordering::AcqRel);
        if before + len > self.inner.max_bytes {
            self.inner.queued.fetch_sub(len, Ordering::AcqRel);
            self.too_slow();
            return false;
        }
        match self.inner.outbox.try_send(frame) {
            Ok(()) => true,
            Err(e) => {
                self.inner.queued.fetch_sub(len, Ordering::AcqRel);
                if matches!(e, mpsc::error::TrySendError::Full(_)) {
                    self.too_slow();
                }
                false
            }
        }
    }

    fn too_slow(&self) {
        if self.close_reason().is_none() {
            tracing::warn!(conn = self.inner.id, peer = %self.inner.peer, "outbox full: closing a slow client");
        }
        self.close(CloseReason::TooSlow);
    }

    /// Bytes queued for the client now.
    pub fn queued_bytes(&self) -> usize {
        self.inner.queued.load(Ordering::Acquire)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(n: usize) -> Utf8Bytes {
        Utf8Bytes::from("x".repeat(n))
    }

    #[tokio::test]
    async fn the_outbox_is_bounded_in_frames_and_in_bytes() {
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let (conn, mut outbox) = ConnHandle::new(1, ip, 3, 100);
        assert!(conn.send(frame(40)) && conn.send(frame(40)));
        assert_eq!(conn.queued_bytes(), 80);
        assert_eq!(outbox.recv().await.map(|f| f.len()), Some(40));
        assert_eq!(conn.queued_bytes(), 40, "taking a frame frees its bytes");
        assert!(conn.send(frame(60)), "exactly at the byte limit");
        assert!(conn.close_reason().is_none());
        assert!(!conn.send(frame(1)), "one byte over");
        assert_eq!(conn.close_reason(), Some(CloseReason::TooSlow));
        assert_eq!(conn.queued_bytes(), 100, "a refused frame holds nothing");

        let (conn, _outbox) = ConnHandle::new(2, ip, 2, 1_000_000);
        assert!(conn.send(frame(1)) && conn.send(frame(1)));
        assert!(!conn.send(frame(1)), "three frames in an outbox of two");
        assert_eq!(conn.close_reason(), Some(CloseReason::TooSlow));
        assert_eq!(conn.queued_bytes(), 2);
    }
}
