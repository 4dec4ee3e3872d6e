//! The session's socket side: the loop that waits on the client, the outbox, closing and
//! shutdown; writing frames with a deadline; closing with a reason and a proper handshake.

use std::time::Duration;

use capital_protocol::{ErrorCode, Outgoing, RequestId, ServerMsg};
use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncReadExt;
use tokio::time::Instant;
use tungstenite::protocol::CloseFrame;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{Message, Utf8Bytes};

use super::Session;
use crate::config::limits::INPUTS_PER_SECOND;
use crate::conn::{CloseReason, Outbox};
use crate::limits::TokenBucket;
use crate::upgrade::Socket;

/// How long one write to the socket may take before the client counts as gone.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a closing connection waits for the client's close frame.
const CLOSE_LINGER: Duration = Duration::from_secs(2);

/// Frames written before one flush.
const WRITE_BATCH: u64 = 64;

/// Why a session ended.
#[derive(Debug)]
pub(super) enum Ended {
    /// The client closed the connection.
    ClientClosed,
    /// The server closed it (with a close frame).
    Closed,
    /// The connection failed.
    SocketError,
    /// The client stopped answering (no frames, or not reading ours).
    Dead,
}

/// What the loop does after one thing happened.
enum Next {
    /// Wait for the next thing.
    Go,
    /// Close with a reason (and a close handshake).
    Close(CloseReason),
    /// The connection is over already.
    End(Ended),
}

/// A connection's rate and liveness: its token bucket, refusals in a row, and when the client
/// was last heard from.
struct Pace {
    bucket: TokenBucket,
    /// Real-time inputs have a budget of their own: a game at 30 Hz steers faster than the
    /// request limit allows, and an input over its budget is dropped, never answered.
    inputs: TokenBucket,
    refused_in_a_row: u32,
    flood_limit: u32,
    last_heard: Instant,
    pinged: bool,
    keepalive: Duration,
}

impl Pace {
    /// A frame arrived (any frame, the pong included, is a sign of life).
    fn heard(&mut self) {
        self.last_heard = Instant::now();
        self.pinged = false;
    }

    /// Whether a request may be handled now; `Err` when the client is flooding past its limit.
    fn allow(&mut self) -> Result<bool, ()> {
        if self.bucket.take(self.last_heard.into_std()) {
            self.refused_in_a_row = 0;
            return Ok(true);
        }
        self.refused_in_a_row += 1;
        if self.refused_in_a_row > self.flood_limit { Err(()) } else { Ok(false) }
    }

    /// On the keepalive tick: ping a quiet connection once, drop a silent one.
    async fn tick(&mut self, socket: &mut Socket) -> Next {
        let silent = Instant::now().saturating_duration_since(self.last_heard);
        if silent >= self.keepalive {
            tracing::debug!(?silent, "no sign of life: dropping the connection");
            return Next::End(Ended::Dead);
        }
        if silent >= self.keepalive / 2 && !self.pinged {
            self.pinged = true;
            if send_timed(socket, Message::Ping(Default::default())).await.is_err() {
                return Next::End(Ended::SocketError);
            }
        }
        Next::Go
    }
}

impl Session {
    /// Serves the socket until the connection ends: what the client sends, what rooms and the
    /// hub queued for it, a request to close it, shutdown, the hello deadline, keepalive.
    pub(super) async fn serve(&mut self, mut socket: Box<Socket>, mut outbox: Outbox) -> Ended {
        let shutdown = self.state.env().shutdown.clone();
        let closer = self.conn.closer();
        let config = self.state.config();
        let opened = Instant::now();
        self.hello_deadline = opened + config.hello_deadline();
        let mut pace = Pace {
            bucket: TokenBucket::new(config.rate_per_second, config.rate_burst, opened.into_std()),
            inputs: TokenBucket::new(INPUTS_PER_SECOND, INPUTS_PER_SECOND, opened.into_std()),
            refused_in_a_row: 0,
            flood_limit: config.rate_burst,
            last_heard: opened,
            pinged: false,
            keepalive: config.keepalive(),
        };
        let mut tick = tokio::time::interval(pace.keepalive / 4);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // Each arm is boxed: its future lives only while it runs, not in every idle
            // connection's state.
            let next = tokio::select! {
                biased;
                () = closer.cancelled() => self.asked_to_close(),
                () = shutdown.cancelled() => Next::Close(CloseReason::ShuttingDown),
                () = tokio::time::sleep_until(self.hello_deadline), if self.player.is_none() => {
                    Next::Close(CloseReason::NoHello)
                }
                _ = tick.tick() => Box::pin(pace.tick(&mut socket)).await,
                Some(frame) = outbox.recv() => {
                    Box::pin(self.write_out(&mut socket, frame, &mut outbox)).await
                }
                received = socket.next() => {
                    Box::pin(self.received(&mut socket, received, &mut pace)).await
                }
            };
            match next {
                Next::Go => {}
                Next::Close(reason) => {
                    tracing::debug!(reason = reason.text(), "closing");
                    Box::pin(close(&mut socket, reason)).await;
                    return Ended::Closed;
                }
                Next::End(ended) => return ended,
            }
        }
    }

    /// Asked to close (replaced, or too slow): with a close frame, unless it does not read.
    fn asked_to_close(&self) -> Next {
        match self.conn.close_reason().unwrap_or(CloseReason::ShuttingDown) {
            // It does not read: a close frame would only wait behind the rest.
            CloseReason::TooSlow => Next::End(Ended::Dead),
            reason => Next::Close(reason),
        }
    }

    /// Writes what the outbox holds; a client that does not take it within the write timeout,
    /// or is dropped as too slow meanwhile, is gone.
    async fn write_out(&self, socket: &mut Socket, first: Utf8Bytes, outbox: &mut Outbox) -> Next {
        let closer = self.conn.closer();
        let write =
            tokio::time::timeout(WRITE_TIMEOUT, write_all(socket, Message::Text(first), outbox));
        tokio::select! {
            written = write => match written {
                Ok(Ok(n)) => {
                    self.state.env().metrics.messages_out(n);
                    Next::Go
                }
                Ok(Err(_)) => Next::End(Ended::SocketError),
                Err(_) => {
                    tracing::info!(conn = self.conn.id(), peer = %self.peer, "client stopped reading: dropping it");
                    Next::End(Ended::Dead)
                }
            },
            // Dropped as too slow while a write was stuck: no point finishing it.
            () = closer.cancelled() => Next::End(Ended::Dead),
        }
    }

    /// A frame (or the end, or a failed read) from the client: requests are rated, handled and
    /// answered.
    async fn received(
        &mut self,
        socket: &mut Socket,
        received: Option<Result<Message, tungstenite::Error>>,
        pace: &mut Pace,
    ) -> Next {
        let frame = match received {
            Some(Ok(frame)) => frame,
            None => return Next::End(Ended::ClientClosed),
            Some(Err(e)) => {
                tracing::debug!(error = %e, "socket error");
                return close_reason_for(e).map_or(Next::End(Ended::SocketError), Next::Close);
            }
        };
        pace.heard();
        if let Message::Text(text) = &frame
            && is_input(text)
        {
            self.state.env().metrics.message_in();
            if !pace.inputs.take(pace.last_heard.into_std()) {
                return Next::Go;
            }
            let reply = Box::pin(self.on_text(text)).await;
            return self.answer(socket, reply).await;
        }
        if matches!(frame, Message::Text(_) | Message::Binary(_)) {
            self.state.env().metrics.message_in();
            match pace.allow() {
                Ok(true) => {}
                Ok(false) => {
                    let id = match &frame {
                        Message::Text(text) => request_id(text),
                        _ => None,
                    };
                    let reply =
                        Outgoing::error(id, ErrorCode::RateLimited, "too many requests: slow down");
                    return self.answer(socket, Some(reply)).await;
                }
                Err(()) => {
                    tracing::info!(conn = self.conn.id(), peer = %self.peer, "flooding past the rate limit: disconnecting");
                    return Next::Close(CloseReason::Flooding);
                }
            }
        }
        let reply = match frame {
            Message::Text(text) => Box::pin(self.on_text(&text)).await,
            Message::Binary(_) => Some(Outgoing::error(
                None,
                ErrorCode::BinaryNotSupported,
                "send requests as text frames of JSON",
            )),
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => None,
            Message::Close(_) => {
                // Completes the close handshake: the reply frame is already queued.
                let _ = tokio::time::timeout(WRITE_TIMEOUT, socket.flush()).await;
                return Next::End(Ended::ClientClosed);
            }
        };
        self.answer(socket, reply).await
    }

    /// Sends the session's own reply, if there is one.
    async fn answer(&self, socket: &mut Socket, reply: Option<Outgoing>) -> Next {
        let Some(reply) = reply else { return Next::Go };
        match self.reply(socket, reply).await {
            Ok(()) => Next::Go,
            Err(()) => Next::End(Ended::SocketError),
        }
    }

    /// Sends a reply the session made itself (not through the outbox).
    async fn reply(&self, socket: &mut Socket, reply: Outgoing) -> Result<(), ()> {
        if let ServerMsg::Error { code, .. } = &reply.msg {
            self.state.env().metrics.error(*code);
        }
        send_timed(socket, Message::Text(reply.to_json().into())).await?;
        self.state.env().metrics.messages_out(1);
        Ok(())
    }
}

/// Sends one frame, giving up after [`WRITE_TIMEOUT`].
async fn send_timed(socket: &mut Socket, frame: Message) -> Result<(), ()> {
    match tokio::time::timeout(WRITE_TIMEOUT, socket.send(frame)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}

/// Whether a text frame is an `input` request. Every request passes here, so the common case
/// is a substring search; only a frame that holds `"input"` at all is read for its type.
fn is_input(text: &str) -> bool {
    if !text.contains("\"input\"") {
        return false;
    }
    #[derive(serde::Deserialize)]
    struct TypeOnly<'a> {
        #[serde(rename = "type", borrow)]
        kind: std::borrow::Cow<'a, str>,
    }
    serde_json::from_str::<TypeOnly<'_>>(text).is_ok_and(|r| r.kind == "input")
}

/// The `id` of a request, read as cheaply as possible (for replying to one we refuse unread).
fn request_id(text: &str) -> Option<RequestId> {
    #[derive(serde::Deserialize)]
    struct IdOnly {
        id: RequestId,
    }
    serde_json::from_str::<IdOnly>(text).ok().map(|r| r.id)
}

/// The close a failed read deserves: 1009 for a message over the size limit, 1007 for a text
/// frame that is not UTF-8, 1002 for a broken frame; none when the connection itself failed.
pub fn close_reason_for(err: tungstenite::Error) -> Option<CloseReason> {
    match err {
        tungstenite::Error::Capacity(_) => Some(CloseReason::TooBig),
        tungstenite::Error::Utf8(_) => Some(CloseReason::BadUtf8),
        // A broken frame (reserved bits, bad opcodes, fragmented control frames...): say so
        // with 1002 (RFC 6455 section 7.1.7), unless the connection is already gone.
        tungstenite::Error::Protocol(
            tungstenite::error::ProtocolError::ResetWithoutClosingHandshake
            | tungstenite::error::ProtocolError::SendAfterClosing
            | tungstenite::error::ProtocolError::ReceivedAfterClosing,
        ) => None,
        tungstenite::Error::Protocol(_) => Some(CloseReason::Protocol),
        _ => None,
    }
}

/// Writes `first` and whatever else is queued (up to [`WRITE_BATCH`] frames), then flushes
/// once. Returns how many frames went out.
async fn write_all(
    socket: &mut Socket,
    first: Message,
    outbox: &mut Outbox,
) -> Result<u64, tungstenite::Error> {
    socket.feed(first).await?;
    let mut n = 1;
    while n < WRITE_BATCH {
        match outbox.try_recv() {
            Some(frame) => socket.feed(Message::Text(frame)).await?,
            None => break,
        }
        n += 1;
    }
    socket.flush().await.map(|()| n)
}

/// Sends a close frame, then reads what the client still sends until it answers with its own
/// close frame: closing a socket with unread data would reset the connection, and the client
/// could lose the last frames we sent it, the close frame among them. When the WebSocket layer
/// reads no more (after a frame it refused), the bytes still coming are drained as they are.
pub async fn close(socket: &mut Socket, reason: CloseReason) {
    let frame = CloseFrame { code: CloseCode::from(reason.code()), reason: reason.text().into() };
    if send_timed(socket, Message::Close(Some(frame))).await.is_err() {
        return;
    }
    let deadline = Instant::now() + CLOSE_LINGER;
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Ok(Some(Ok(Message::Close(_)))) | Err(_) => return,
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => break,
        }
    }
    drain(socket, deadline).await;
}

/// How long a drained connection may go quiet before it counts as done sending.
const QUIET: Duration = Duration::from_millis(200);

/// Reads and drops raw bytes until the client hangs up, goes quiet, or `deadline`.
async fn drain(socket: &mut Socket, deadline: Instant) {
    let io = socket.get_mut();
    let mut buf = [0u8; 4096];
    loop {
        let until = deadline.min(Instant::now() + QUIET);
        match tokio::time::timeout_at(until, io.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => {}
            _ => return,
        }
    }
}
