//! One WebSocket connection: read requests, answer them, and deliver what rooms send.
//!
//! A session is a single task that owns its socket. It waits on four things at once: a frame
//! from the client, a frame in its outbox (queued by rooms), a request to close (replaced by a
//! newer connection, or too slow), and server shutdown. Requests are parsed into
//! [`capital_protocol::Request`]s; `hello`, `list_games`, `ping` and `create_room` are answered
//! here, room requests are handed to the room's actor, which answers into the outbox.
//!
//! # Layout
//! - [`conn`]: [`ConnHandle`], how rooms reach a connection, and [`CloseReason`].

pub mod conn;
mod direct;
mod identity;
pub mod limits;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use capital_protocol::client::parse_request;
use capital_protocol::{ClientMsg, ErrorCode, GameInfo, Outgoing, RequestId, Role, ServerMsg};
use futures_util::SinkExt;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tracing::Instrument;

use limits::TokenBucket;

pub use conn::{CloseReason, ConnHandle};

use crate::app::AppState;
use crate::config::limits::{HISTORY_PAGE, MAX_HISTORY_PAGE, OUTBOX};
use crate::dm::DmCmd;
use crate::players::Player;
use crate::room::{Request, RoomHandle, RoomRequest};

/// Serves one WebSocket until the client leaves, the connection is closed by the server, or the
/// server shuts down.
pub async fn run(socket: Box<WebSocket>, state: AppState, peer: SocketAddr) {
    let conn_id = state.next_conn_id();
    // A debug-level span: at the default `info` level it costs nothing (an info span costs
    // about 450 bytes per connection in the log formatter); the few info lines below carry the
    // connection and player themselves.
    let span = tracing::debug_span!("conn", id = conn_id, %peer, player = tracing::field::Empty);
    async move {
        tracing::debug!("connected");
        let (tx, rx) = mpsc::channel(OUTBOX);
        let conn = ConnHandle::new(conn_id, tx);
        state.metrics().connection(1);
        let mut session = Session {
            state,
            conn,
            peer,
            player: None,
            token_hash: None,
            hello_deadline: Instant::now(),
            rooms: HashMap::new(),
        };
        let reason = session.serve(socket, rx).await;
        Box::pin(session.finish()).await;
        session.state.metrics().connection(-1);
        tracing::debug!(?reason, "disconnected");
    }
    .instrument(span)
    .await;
}

/// One connection's state.
struct Session {
    state: AppState,
    /// This connection, as rooms see it.
    conn: ConnHandle,
    /// The client's address (for per-address limits).
    peer: SocketAddr,
    /// Set by `hello` or `login`.
    player: Option<Player>,
    /// The hash of the token this connection identified with (revoked by `logout`).
    token_hash: Option<[u8; 32]>,
    /// When the connection must have identified (set at open, and again after `logout`).
    hello_deadline: Instant,
    /// Rooms this connection joined: told when it closes.
    rooms: HashMap<String, RoomHandle>,
}

/// Why a session ended.
#[derive(Debug)]
enum Ended {
    /// The client closed the connection.
    ClientClosed,
    /// The server closed it (with a close frame).
    Closed,
    /// The connection failed.
    SocketError,
    /// The client stopped answering (no frames, or not reading ours).
    Dead,
}

/// How long one write to the socket may take before the client counts as gone.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

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

impl Session {
    async fn serve(
        &mut self,
        mut socket: Box<WebSocket>,
        mut outbox: mpsc::Receiver<Utf8Bytes>,
    ) -> Ended {
        let shutdown = self.state.shutdown_token().clone();
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
                    Box::pin(close(&mut socket, reason)).await;
                    tracing::debug!(reason = reason.text(), "closing");
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
                    let now = Instant::now();
                    let silent = now.saturating_duration_since(last_heard);
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
                    let write = Box::pin(tokio::time::timeout(WRITE_TIMEOUT, write_all(&mut socket, frame, &mut outbox)));
                    tokio::select! {
                        written = write => match written {
                            Ok(Ok(n)) => self.state.metrics().messages_out(n),
                            Ok(Err(_)) => return Ended::SocketError,
                            Err(_) => {
                                tracing::info!(conn = self.conn.id(), peer = %self.peer, player = ?self.player.as_ref().map(|p| &p.id), "client stopped reading: dropping it");
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
                            if is_too_big(e) {
                                Box::pin(close(&mut socket, CloseReason::TooBig)).await;
                            }
                            return Ended::SocketError;
                        }
                    };
                    let counted = matches!(frame, Message::Text(_) | Message::Binary(_));
                    if counted {
                        self.state.metrics().message_in();
                        if !bucket.take(last_heard.into_std()) {
                            refused_in_a_row += 1;
                            if refused_in_a_row > flood_limit {
                                tracing::info!(conn = self.conn.id(), peer = %self.peer, player = ?self.player.as_ref().map(|p| &p.id), "flooding past the rate limit: disconnecting");
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
            self.state.metrics().error(*code);
        }
        send_timed(socket, Message::Text(reply.to_json().into())).await?;
        self.state.metrics().messages_out(1);
        Ok(())
    }

    /// Handles one text frame; returns the reply to send now (room requests are answered by the
    /// room, into the outbox).
    async fn on_text(&mut self, text: &str) -> Option<Outgoing> {
        let request = match parse_request(text) {
            Ok(request) => request,
            Err(bad) => return Some(Outgoing::error(bad.id, bad.code, bad.message)),
        };
        let id = request.id;
        let result = match (&self.player, request.body) {
            (None, ClientMsg::Hello { name, token }) => self.hello(name, token).await,
            (None, ClientMsg::Login { username, password }) => self.login(username, password).await,
            (Some(_), ClientMsg::Hello { .. } | ClientMsg::Login { .. }) => Err((
                ErrorCode::AlreadyHello,
                "already identified on this connection (logout first)".into(),
            )),
            (None, _) => {
                Err((ErrorCode::HelloFirst, "the first request must be hello or login".into()))
            }
            (Some(_), ClientMsg::Ping) => Ok(Some(ServerMsg::Pong)),
            (Some(_), ClientMsg::ListGames) => Ok(Some(self.games())),
            (Some(player), ClientMsg::CreateRoom { game, options }) => {
                let player = player.clone();
                self.create_room(id, player, &game, options).await
            }
            (Some(player), ClientMsg::Register { username, password }) => {
                let player = player.clone();
                self.register(player, username, password).await
            }
            (Some(_), ClientMsg::Logout) => self.logout().await,
            (Some(player), ClientMsg::Dm { to, text, client_msg_id }) => {
                let player = player.clone();
                self.send_dm(id, player, to, text, client_msg_id).await
            }
            (Some(player), ClientMsg::DmHistory { with, before, after, limit }) => {
                let player = player.clone();
                self.dm_history(&player, with, before, after, limit).await
            }
            (Some(player), ClientMsg::DmRead { with, seq }) => {
                let reader = player.id.clone();
                let conn = self.conn.clone();
                self.state.dm().request(DmCmd::Read { conn, id, reader, with, seq }).map(|()| None)
            }
            (Some(player), ClientMsg::Conversations) => {
                let (conn, player) = (self.conn.clone(), player.id.clone());
                self.state.dm().request(DmCmd::Conversations { conn, id, player }).map(|()| None)
            }
            (Some(player), ClientMsg::Block { player: other }) => {
                let player = player.clone();
                self.block(id, player, other, true).await
            }
            (Some(player), ClientMsg::Unblock { player: other }) => {
                let player = player.clone();
                self.block(id, player, other, false).await
            }
            (Some(player), body) => {
                let player = player.clone();
                self.forward_to_room(id, player, body)
            }
        };
        match result {
            Ok(Some(reply)) => Some(Outgoing::reply(id, reply)),
            Ok(None) => None,
            Err((code, message)) => Some(Outgoing::error(Some(id), code, message)),
        }
    }

    fn games(&self) -> ServerMsg {
        let games = self
            .state
            .games()
            .iter()
            .map(|entry| {
                let options = entry.default_options();
                GameInfo {
                    kind: entry.kind.to_owned(),
                    name: entry.name.to_owned(),
                    seats: entry.seats(&options).unwrap_or(0),
                    options,
                    about: entry.about.to_owned(),
                }
            })
            .collect();
        ServerMsg::Games { games }
    }

    async fn create_room(
        &mut self,
        id: RequestId,
        player: Player,
        game: &str,
        options: Option<serde_json::Value>,
    ) -> Result<Option<ServerMsg>, (ErrorCode, String)> {
        let room = self.state.rooms().create(&self.state, &player, game, options).await?;
        let cmd = RoomRequest::Join { role: Role::Player, since: None };
        room.try_request(Request { conn: self.conn.clone(), id, player, cmd })
            .map_err(|(code, message)| (code, message.to_owned()))?;
        self.rooms.insert(room.code.clone(), room);
        Ok(None)
    }

    /// Hands a room request to its room; the room replies.
    fn forward_to_room(
        &mut self,
        id: RequestId,
        player: Player,
        body: ClientMsg,
    ) -> Result<Option<ServerMsg>, (ErrorCode, String)> {
        let (code, cmd) = match body {
            ClientMsg::JoinRoom { code, role, since } => {
                (code, RoomRequest::Join { role: role.unwrap_or_default(), since })
            }
            ClientMsg::LeaveRoom { code } => (code, RoomRequest::Leave),
            ClientMsg::Start { code } => (code, RoomRequest::Start),
            ClientMsg::Move { code, mv } => (code, RoomRequest::Move(mv)),
            ClientMsg::Rematch { code } => (code, RoomRequest::Rematch),
            ClientMsg::Chat { code, text, client_msg_id } => {
                (code, RoomRequest::Chat { text, client_msg_id })
            }
            ClientMsg::ChatHistory { code, before, limit } => {
                let limit = limit.unwrap_or(HISTORY_PAGE).clamp(1, MAX_HISTORY_PAGE) as usize;
                (code, RoomRequest::History { before, limit })
            }
            other => {
                return Err((
                    ErrorCode::BadRequest,
                    format!("{} is not a room request", other.kind()),
                ));
            }
        };
        let Some(room) = self.state.rooms().get(&code) else {
            return Err((ErrorCode::NoSuchRoom, format!("no open room has the code {code:?}")));
        };
        let joining = matches!(cmd, RoomRequest::Join { .. });
        room.try_request(Request { conn: self.conn.clone(), id, player, cmd })
            .map_err(|(code, message)| (code, message.to_owned()))?;
        if joining {
            self.rooms.insert(room.code.clone(), room);
        }
        Ok(None)
    }

    /// The connection is gone (or logged out): rooms hold the player's seats for the grace
    /// period, contacts see them offline.
    async fn finish(&mut self) {
        let Some(player) = self.player.take() else { return };
        for (_, room) in self.rooms.drain() {
            room.detach(player.id.clone(), self.conn.id()).await;
        }
        self.state.online().detach(&player.id, self.conn.id());
        let offline = DmCmd::Offline { player_id: player.id, conn_id: self.conn.id() };
        self.state.dm().presence(offline).await;
    }
}

/// Whether a read failed because the client's message was over the size limit.
fn is_too_big(err: axum::Error) -> bool {
    matches!(
        err.into_inner().downcast::<tungstenite::Error>().map(|e| *e),
        Ok(tungstenite::Error::Capacity(_))
    )
}

/// Writes `first` and whatever else is queued (up to 64 frames), then flushes once. Returns how
/// many frames went out.
async fn write_all(
    socket: &mut WebSocket,
    first: Utf8Bytes,
    outbox: &mut mpsc::Receiver<Utf8Bytes>,
) -> Result<u64, axum::Error> {
    socket.feed(Message::Text(first)).await?;
    let mut n = 1;
    while n < 64 {
        match outbox.try_recv() {
            Ok(frame) => socket.feed(Message::Text(frame)).await?,
            Err(_) => break,
        }
        n += 1;
    }
    socket.flush().await.map(|()| n)
}

/// Sends a close frame, then reads (and drops) what the client still sends until it answers
/// with its own close frame: closing a socket with unread data would reset the connection, and
/// the client could lose the last frames we sent it, the close frame among them.
async fn close(socket: &mut WebSocket, reason: CloseReason) {
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

/// How long a closing connection waits for the client's close frame.
const CLOSE_LINGER: Duration = Duration::from_secs(2);

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, capital_store::StoreError> + Send + 'static,
) -> Result<T, (ErrorCode, String)> {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(internal(e)),
        Err(e) => Err(internal(e)),
    }
}

fn internal(e: impl std::fmt::Display) -> (ErrorCode, String) {
    tracing::error!(error = %e, "internal error");
    (ErrorCode::Internal, "something failed inside the server; nothing changed".into())
}
