//! [`ConnHandle`]: how a room, the DM hub (or a newer connection of the same player) reaches a
//! connection, and [`Outbox`], the session's end of it.
//!
//! The outbox is a queue that holds memory only while frames wait in it (an idle connection's
//! queue allocates nothing; a tokio channel's first block of slots cost every connection
//! 1.1 KiB), with a [`Notify`] to wake the session. It is bounded twice: in frames and in bytes. Whoever sends never waits: a client
//! whose outbox is full stopped reading, and is closed as too slow (frames are shared between
//! the members they go to, so the bytes bound what one client can make the server hold for it).
//! Real-time frames do not queue: each connection has a one-frame slot that a newer frame
//! overwrites, so a slow client gets the newest state and skips stale ones. The slot is read
//! through the outbox: filling an empty slot queues an empty marker, and the outbox hands out
//! the slot's frame (the newest by then) in the marker's place, in order with the other frames.
//! (A separate waiter beside the outbox cost every idle connection 0.6 KiB.)
//!
//! A leaf module: it knows nothing of the rest of the server.

use std::collections::VecDeque;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::Notify;
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
    /// The room's node (in a cluster) went down and another node runs it now.
    Moved,
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
            CloseReason::Moved => 4003,
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
            CloseReason::Moved => "a room moved to another server: reconnect",
        }
    }

    /// The reason of close code `code` (as [`CloseReason::code`] gives it), if it is one.
    pub fn from_code(code: u16) -> Option<Self> {
        use CloseReason as R;
        [
            R::Replaced,
            R::TooSlow,
            R::ShuttingDown,
            R::TooBig,
            R::Flooding,
            R::NoHello,
            R::BadUtf8,
            R::Protocol,
            R::Moved,
        ]
        .into_iter()
        .find(|r| r.code() == code)
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
    queue: Mutex<Queue>,
    /// Wakes the session when a frame is queued.
    ready: Notify,
    /// The most frames, and bytes of frames, the queue may hold.
    max_frames: usize,
    max_bytes: usize,
    /// Cancelled to make the session close the connection, with `reason`.
    closer: CancellationToken,
    reason: OnceLock<CloseReason>,
    /// The newest real-time frame not yet written: a slot, not a queue, so a slow client skips
    /// stale frames instead of falling behind. An empty frame in `outbox` stands for it.
    frame: Mutex<Option<Utf8Bytes>>,
}

/// The frames waiting for a connection.
#[derive(Debug, Default)]
struct Queue {
    frames: VecDeque<Utf8Bytes>,
    /// Bytes of `frames`.
    bytes: usize,
    /// The session is gone: nothing is queued any more.
    closed: bool,
}

/// A queue that grew past this many frames gives its memory back once it is empty.
const KEEP_FRAMES: usize = 16;

/// The session's end of a connection's outbox.
#[derive(Debug)]
pub struct Outbox {
    inner: Arc<Inner>,
}

impl Outbox {
    /// The next frame, once there is one. (A handle always outlives the wait: the session
    /// holds its own.)
    pub async fn recv(&mut self) -> Option<Utf8Bytes> {
        self.recv_tagged().await.map(|(frame, _)| frame)
    }

    /// The next frame if one is queued.
    pub fn try_recv(&mut self) -> Option<Utf8Bytes> {
        self.try_recv_tagged().map(|(frame, _)| frame)
    }

    /// Like [`Outbox::recv`], with whether the frame came from the real-time slot (a
    /// cluster's node passes that on to the player's node).
    pub async fn recv_tagged(&mut self) -> Option<(Utf8Bytes, bool)> {
        loop {
            if let Some(frame) = self.try_recv_tagged() {
                return Some(frame);
            }
            // A frame queued since `try_recv` left a permit: this returns at once.
            self.inner.ready.notified().await;
        }
    }

    /// Like [`Outbox::try_recv`], with whether the frame came from the real-time slot.
    pub fn try_recv_tagged(&mut self) -> Option<(Utf8Bytes, bool)> {
        loop {
            let frame = {
                let mut queue = self.inner.queue.lock().expect("outbox lock");
                let frame = queue.frames.pop_front()?;
                queue.bytes -= frame.len();
                if queue.frames.is_empty() && queue.frames.capacity() > KEEP_FRAMES {
                    queue.frames = VecDeque::new();
                }
                frame
            };
            if let Some(frame) = self.take(frame) {
                return Some(frame);
            }
        }
    }

    /// A frame out of the queue: itself, or for the slot's marker the slot's frame (none if a
    /// marker outlived its frame), and whether it was the slot's.
    fn take(&self, frame: Utf8Bytes) -> Option<(Utf8Bytes, bool)> {
        if frame.is_empty() {
            let slot = self.inner.frame.lock().expect("frame slot lock").take();
            return slot.map(|frame| (frame, true));
        }
        Some((frame, false))
    }
}

impl Drop for Outbox {
    /// The session is over: what waits is dropped, and nothing more is queued.
    fn drop(&mut self) {
        let mut queue = self.inner.queue.lock().expect("outbox lock");
        *queue = Queue { closed: true, ..Queue::default() };
    }
}

impl ConnHandle {
    /// A handle for connection `id` from `peer`, whose outbox holds at most `max_frames` frames
    /// and `max_bytes` bytes; and the outbox, for the session to drain.
    pub fn new(id: u64, peer: IpAddr, max_frames: usize, max_bytes: usize) -> (Self, Outbox) {
        let inner = Arc::new(Inner {
            id,
            peer,
            queue: Mutex::default(),
            ready: Notify::new(),
            max_frames,
            max_bytes,
            closer: CancellationToken::new(),
            reason: OnceLock::new(),
            frame: Mutex::new(None),
        });
        (ConnHandle { inner: inner.clone() }, Outbox { inner })
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
        {
            let mut queue = self.inner.queue.lock().expect("outbox lock");
            if queue.closed {
                return false;
            }
            let full = queue.frames.len() >= self.inner.max_frames
                || queue.bytes + frame.len() > self.inner.max_bytes;
            if !full {
                queue.bytes += frame.len();
                queue.frames.push_back(frame);
            }
            drop(queue);
            if full {
                self.too_slow();
                return false;
            }
        }
        self.inner.ready.notify_one();
        true
    }

    fn too_slow(&self) {
        if self.close_reason().is_none() {
            tracing::warn!(conn = self.inner.id, peer = %self.inner.peer, "outbox full: closing a slow client");
        }
        self.close(CloseReason::TooSlow);
    }

    /// Bytes queued for the client now.
    pub fn queued_bytes(&self) -> usize {
        self.inner.queue.lock().expect("outbox lock").bytes
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

    #[tokio::test]
    async fn a_waiting_session_wakes_for_a_frame_and_a_closed_outbox_takes_none() {
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let (conn, mut outbox) = ConnHandle::new(1, ip, 64, 1_000_000);
        let sender = conn.clone();
        let waiting = tokio::spawn(async move { outbox.recv().await.map(|f| f.len()) });
        tokio::task::yield_now().await;
        assert!(sender.send(frame(5)));
        assert_eq!(waiting.await.unwrap(), Some(5));

        let (conn, mut outbox) = ConnHandle::new(2, ip, 64, 1_000_000);
        for _ in 0..40 {
            assert!(conn.send(frame(10)));
        }
        while outbox.try_recv().is_some() {}
        assert_eq!(conn.queued_bytes(), 0);
        assert_eq!(conn.inner.queue.lock().unwrap().frames.capacity(), 0, "memory given back");
        drop(outbox);
        assert!(!conn.send(frame(1)), "the session is gone");
        assert_eq!((conn.queued_bytes(), conn.close_reason()), (0, None), "not too slow: gone");
    }
}
