//! The session's socket side: the loop that waits on the client, the outbox, closing and
//! shutdown; writing frames with a deadline; closing with a reason and a proper handshake.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use capital_protocol::{ErrorCode, Outgoing, RequestId, ServerMsg};
use futures_util::SinkExt;
use tokio::time::Instant;

use super::Session;
use crate::conn::{CloseReason, Outbox};
use crate::limits::TokenBucket;

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

impl Session {
    /// Serves the socket until the connection ends.
    pub(super) async fn serve(&mut self, mut socket: Box<WebSocket>, mut outbox: Outbox) -> Ended {
        let shutdown = self.state.env().shutdown.clone();
        let closer = self.conn.closer();
        let config = self.state.config();
        let keepalive = config.keepalive();
        let opened = Instant::now();
        self.hello_deadline = opened + config.hello_deadline();
        let mut bucket =
            TokenBucket::new(config.rate_per_second, config.rate_burst, opened.into_std());
        let flood_limit = config.rate_burst;
        let mut refused_in_a_row = 0u32;
        let mut last_heard = opened;
        let mut pinged = false;
        let mut tick = tokio::time::interval(keepalive / 4);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                () = closer.cancelled() => {
                    let reason = self.conn.close_reason().unwrap_or(CloseReason::ShuttingDown);
                    tracing::debug!(reason = reason.text(), "closing");
                    Box::pin(close(&mut socket, reason)).await;
                    return Ended::Closed;
                }
                () = shutdown.cancelled() => {
                    Box::pin(close(&mut socket, CloseReason::ShuttingDown)).await;
                    return Ended::Closed;
                }
                () = tokio::time::sleep_until(self.hello_deadline), if self.player.is_none() => {
                    Box::pin(close(&mut socket, CloseReason::NoHello)).await;
                    return Ended::Closed;
                }
                _ = tick.tick() => {
                    let silent = Instant::now().saturating_duration_since(last_heard);
                    if silent >= keepalive {
                        tracing::debug!(?silent, "no sign of life: dropping the connection");
                        return Ended::Dead;
                    }
                    if silent >= keepalive / 2 && !pinged {
                        pinged = true;
                        if send_timed(&mut socket, Message::Ping(Default::default())).await.is_err() {
                            return Ended::SocketError;
                        }
                    }
                }
                Some(frame) = outbox.recv() => {
                    let write = Box::pin(tokio::time::timeout(
                        WRITE_TIMEOUT,
                        write_all(&mut socket, Message::Text(frame), &mut outbox),
                    ));
                    tokio::select! {
                        written = write => match written {
                            Ok(Ok(n)) => self.state.env().metrics.messages_out(n),
                            Ok(Err(_)) => return Ended::SocketError,
                            Err(_) => {
                                tracing::info!(conn = self.conn.id(), peer = %self.peer, "client stopped reading: dropping it");
                                return Ended::Dead;
                            }
                        },
                        // Dropped as too slow while a write was stuck: no point finishing it.
                        () = closer.cancelled() => return Ended::Dead,
                    }
                }
                received = socket.recv() => {
                    last_heard = Instant::now();
                    pinged = false;
                    let frame = match received {
                        Some(Ok(frame)) => frame,
                        None => return Ended::ClientClosed,
                        Some(Err(e)) => {
                            tracing::debug!(error = %e, "socket error");
                            if let Some(reason) = close_reason_for(e) {
                                Box::pin(close(&mut socket, reason)).await;
                            }
                            return Ended::SocketError;
                        }
                    };
                    if matches!(frame, Message::Text(_) | Message::Binary(_)) {
                        self.state.env().metrics.message_in();
                        if !bucket.take(last_heard.into_std()) {
                            refused_in_a_row += 1;
                            if refused_in_a_row > flood_limit {
                                tracing::info!(conn = self.conn.id(), peer = %self.peer, "flooding past the rate limit: disconnecting");
                                Box::pin(close(&mut socket, CloseReason::Flooding)).await;
                                return Ended::Closed;
                            }
                            let id = match &frame {
                                Message::Text(text) => request_id(text),
                                _ => None,
                            };
                            let reply = Outgoing::error(id, ErrorCode::RateLimited, "too many requests: slow down");
                            if Box::pin(self.reply(&mut socket, reply)).await.is_err() {
                                return Ended::SocketError;
                            }
                            continue;
                        }
                        refused_in_a_row = 0;
                    }
                    let reply = match frame {
                        // Boxed: the request handling future is large and only lives while a
                        // request is handled, instead of in every idle connection's state.
                        Message::Text(text) => Box::pin(self.on_text(&text)).await,
                        Message::Binary(_) => Some(Outgoing::error(
                            None,
                            ErrorCode::BinaryNotSupported,
                            "send requests as text frames of JSON",
                        )),
                        Message::Ping(_) | Message::Pong(_) => None,
                        Message::Close(_) => {
                            // Completes the close handshake: the reply frame is already queued.
                            let _ = tokio::time::timeout(WRITE_TIMEOUT, socket.flush()).await;
                            return Ended::ClientClosed;
                        }
                    };
                    if let Some(reply) = reply
                        && Box::pin(self.reply(&mut socket, reply)).await.is_err()
                    {
                        return Ended::SocketError;
                    }
                }
            }
        }
    }

    /// Sends a reply the session made itself (not through the outbox).
    async fn reply(&self, socket: &mut WebSocket, reply: Outgoing) -> Result<(), ()> {
        if let ServerMsg::Error { code, .. } = &reply.msg {
            self.state.env().metrics.error(*code);
        }
        send_timed(socket, Message::Text(reply.to_json().into())).await?;
        self.state.env().metrics.messages_out(1);
        Ok(())
    }
}

/// Sends one frame, giving up after [`WRITE_TIMEOUT`].
async fn send_timed(socket: &mut WebSocket, frame: Message) -> Result<(), ()> {
    match tokio::time::timeout(WRITE_TIMEOUT, socket.send(frame)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
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
/// frame that is not UTF-8; none when the connection itself failed. Public, with [`close`], for
/// the Autobahn echo example (`crates/server/examples/autobahn_echo.rs`).
pub fn close_reason_for(err: axum::Error) -> Option<CloseReason> {
    match err.into_inner().downcast::<tungstenite::Error>().map(|e| *e) {
        Ok(tungstenite::Error::Capacity(_)) => Some(CloseReason::TooBig),
        Ok(tungstenite::Error::Utf8(_)) => Some(CloseReason::BadUtf8),
        _ => None,
    }
}

/// Writes `first` and whatever else is queued (up to [`WRITE_BATCH`] frames), then flushes
/// once. Returns how many frames went out.
async fn write_all(
    socket: &mut WebSocket,
    first: Message,
    outbox: &mut Outbox,
) -> Result<u64, axum::Error> {
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

/// Sends a close frame, then reads (and drops) what the client still sends until it answers
/// with its own close frame: closing a socket with unread data would reset the connection, and
/// the client could lose the last frames we sent it, the close frame among them.
pub async fn close(socket: &mut WebSocket, reason: CloseReason) {
    let frame = CloseFrame { code: reason.code(), reason: reason.text().into() };
    if send_timed(socket, Message::Close(Some(frame))).await.is_err() {
        return;
    }
    let _ = tokio::time::timeout(CLOSE_LINGER, async {
        while let Some(Ok(frame)) = socket.recv().await {
            if matches!(frame, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}
