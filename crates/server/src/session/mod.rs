//! One WebSocket connection: read requests, answer them, and deliver what rooms send.
//!
//! A session is a single task that owns its socket ([`socket`]). It waits on four things at
//! once: a frame from the client, a frame in its outbox (queued by rooms and the hub), a
//! request to close (replaced by a newer connection, or too slow), and server shutdown. Each
//! request is parsed, then [`router::route`] says where it goes: identity requests and the
//! lobby are handled here, room requests are handed to the room's actor and DM requests to the
//! hub, which answer into the outbox.
//!
//! # Layout
//! - [`router`]: where each request goes (pure).
//! - [`socket`]: the loop over the socket, writes and closes.
//! - [`identity`]: hello, login, register, logout.
//! - [`direct`]: direct-message requests.
//! - [`lesson`]: the lesson's leaderboard, and starting a new lesson.
//! - [`error`]: the session's refusals ([`SessionError`]).

mod admin;
mod direct;
mod error;
mod identity;
mod lesson;
pub(crate) mod router;
pub mod socket;

use std::collections::HashMap;
use std::net::SocketAddr;

use capital_engine::Players;
use capital_protocol::client::parse_request;
use capital_protocol::{GameInfo, Outgoing, RequestId, Role, ServerMsg};
use capital_store::Write;
use tokio::time::Instant;
use tracing::Instrument;

pub use error::SessionError;
use router::Route;

use crate::config::limits::OUTBOX;
use crate::conn::ConnHandle;
use crate::dm::DmCmd;
use crate::limits::ip_key;
use crate::players::Player;
use crate::room::{Request, RoomHandle, RoomRequest};
use crate::state::AppState;
use crate::upgrade::Socket;

/// What a request handler answers: a reply to send now, nothing (the room or hub answers), or
/// a refusal.
type Reply = Result<Option<ServerMsg>, SessionError>;

/// Serves one WebSocket until the client leaves, the connection is closed by the server, or the
/// server shuts down.
///
/// Not an `async fn`: the future is the connection's own (`connection`) in its span, without
/// an outer state machine that would keep a second copy of the inner one's arguments for as long
/// as the connection lives (about 700 bytes per idle connection).
pub fn run(
    socket: Box<Socket>,
    state: AppState,
    peer: SocketAddr,
) -> impl Future<Output = ()> + Send {
    let conn_id = state.next_conn_id();
    // A debug-level span: at the default `info` level it costs nothing (an info span costs
    // about 450 bytes per connection in the log formatter); the few info lines below carry the
    // connection and player themselves.
    let span = tracing::debug_span!("conn", id = conn_id, %peer, player = tracing::field::Empty);
    connection(socket, state, peer, conn_id).instrument(span)
}

async fn connection(socket: Box<Socket>, state: AppState, peer: SocketAddr, conn_id: u64) {
    tracing::debug!("connected");
    let outbox_bytes = state.config().outbox_kib as usize * 1024;
    let (conn, outbox) = ConnHandle::new(conn_id, peer.ip(), OUTBOX, outbox_bytes);
    state.env().metrics.connection(1);
    let mut session = Session {
        state,
        conn,
        peer,
        player: None,
        token_hash: None,
        admin: false,
        hello_deadline: Instant::now(),
        rooms: HashMap::new(),
    };
    let reason = session.serve(socket, outbox).await;
    Box::pin(session.finish()).await;
    session.state.env().metrics.connection(-1);
    tracing::debug!(?reason, "disconnected");
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
    /// The player's account is an admin's (read when they identify).
    admin: bool,
    /// When the connection must have identified (set at open, and again after `logout`).
    hello_deadline: Instant,
    /// Rooms this connection joined: told when it closes.
    rooms: HashMap<String, Link>,
}

/// How a session reaches a room it joined.
enum Link {
    /// The room runs on this node.
    Here(RoomHandle),
    /// It runs on another node of the cluster.
    Elsewhere,
}

impl Session {
    /// Handles one text frame; returns the reply to send now (room and DM requests are answered
    /// by the room or the hub, into the outbox).
    async fn on_text(&mut self, text: &str) -> Option<Outgoing> {
        let request = match parse_request(text) {
            Ok(request) => request,
            Err(bad) => return Some(Outgoing::error(bad.id, bad.code, bad.message)),
        };
        let id = request.id;
        let result = match router::route(self.player.is_some(), request.body) {
            Route::Refuse(refusal) => Err(refusal.into()),
            Route::Pong => Ok(Some(ServerMsg::Pong)),
            Route::ListGames => Ok(Some(self.games())),
            Route::Leaderboard => self.leaderboard().await,
            Route::Identity(request) => self.identity(request).await,
            Route::CreateRoom { game, options, setup, role, screen } => {
                self.create_room(id, &game, options, setup, (role, screen)).await
            }
            Route::Room { code, cmd } => self.forward_to_room(id, &code, cmd, text).await,
            Route::Input { code, input } => {
                self.input(&code, input, text).await;
                Ok(None)
            }
            Route::Dm(request) => self.dm(id, request).await,
            Route::Admin(request) => self.console(id, request).await,
        };
        match result {
            Ok(Some(reply)) => Some(Outgoing::reply(id, reply)),
            Ok(None) => None,
            Err(e) => Some(Outgoing::error(Some(id), e.code(), e.to_string())),
        }
    }

    /// The player this connection speaks for (every route but identity's has one).
    fn me(&self) -> Result<Player, SessionError> {
        self.player.clone().ok_or(SessionError::HelloFirst)
    }

    fn games(&self) -> ServerMsg {
        let games = self
            .state
            .rooms()
            .games()
            .all()
            .into_iter()
            .map(|entry| {
                let options = entry.default_options();
                let players = entry.check(&options).map_or(Players::exactly(0), |(_, p)| p);
                let schema = serde_json::to_value(entry.options_schema()).expect("serialize");
                GameInfo {
                    kind: entry.kind().to_owned(),
                    name: entry.name().to_owned(),
                    seats: players.max,
                    min_players: players.min,
                    max_players: players.max,
                    options,
                    options_schema: serde_json::from_value(schema).expect("the same shape"),
                    about: entry.about().to_owned(),
                    author: entry.author().map(str::to_owned),
                    board: self
                        .state
                        .shelf()
                        .board(entry.kind())
                        .map(|_| format!("/games/{}/board", entry.kind())),
                }
            })
            .collect();
        ServerMsg::Games { games }
    }

    async fn create_room(
        &mut self,
        id: RequestId,
        game: &str,
        options: Option<serde_json::Value>,
        setup: crate::lobby::RoomSetup,
        (role, screen): (Role, bool),
    ) -> Reply {
        let player = self.me()?;
        let ip = self.peer.ip();
        let room = self.state.rooms().create(&player, ip, game, options, setup).await?;
        let cmd = RoomRequest::Join { role, since: None, screen };
        room.try_request(Request { conn: self.conn.clone(), id, player, cmd })?;
        self.rooms.insert(room.code.clone(), Link::Here(room));
        Ok(None)
    }

    /// Hands a real-time input to a room this connection joined; anything else is dropped
    /// unanswered (inputs are never answered, so they tell nothing about other rooms).
    async fn input(&self, typed: &str, input: serde_json::Value, text: &str) {
        let (Some(player), Some(code)) = (&self.player, crate::lobby::codes::normalize(typed))
        else {
            return;
        };
        match (self.rooms.get(&code), self.state.cluster()) {
            (Some(Link::Here(room)), _) => room.try_input(player.id.clone(), input),
            (Some(Link::Elsewhere), Some(cluster)) => {
                Box::pin(cluster.input(&code, &player.id, text)).await;
            }
            _ => {}
        }
    }

    /// Hands a room request to its room; the room replies. A code this connection has not
    /// joined is a lookup: a failed one counts against the address, and past the limit they
    /// are refused (so codes cannot be found by trying them all). In a cluster, a room that
    /// runs on another node gets the request there.
    async fn forward_to_room(
        &mut self,
        id: RequestId,
        typed: &str,
        cmd: RoomRequest,
        text: &str,
    ) -> Reply {
        let player = self.me()?;
        let code = crate::lobby::codes::normalize(typed);
        let joining = matches!(cmd, RoomRequest::Join { .. });
        let room = match code.as_ref().and_then(|c| self.rooms.get(c)) {
            Some(Link::Here(room)) => room.clone(),
            Some(Link::Elsewhere) => {
                return Box::pin(self.elsewhere(id, player, typed, text, cmd)).await;
            }
            None => {
                let state = self.state.clone();
                let lookups = state.lookups();
                let ip = ip_key(self.peer.ip());
                let now = std::time::Instant::now();
                lookups.check(&ip, now).map_err(SessionError::TooManyLookups)?;
                match state.rooms().get(typed) {
                    Some(room) => room,
                    None if code.is_some() && state.cluster().is_some() => {
                        let found = Box::pin(self.elsewhere(id, player, typed, text, cmd)).await;
                        if let Err(SessionError::Room(crate::room::RoomError::NoSuchRoom)) = found {
                            let _ = lookups.hit(&ip, now);
                        }
                        return found;
                    }
                    None => {
                        let _ = lookups.hit(&ip, now);
                        return Err(crate::room::RoomError::NoSuchRoom.into());
                    }
                }
            }
        };
        room.try_request(Request { conn: self.conn.clone(), id, player, cmd })?;
        if joining {
            self.rooms.insert(room.code.clone(), Link::Here(room));
        }
        Ok(None)
    }

    /// Sends a room request to the room's node in the cluster (or, if the room came to this
    /// node meanwhile, to the room).
    async fn elsewhere(
        &mut self,
        id: RequestId,
        player: Player,
        typed: &str,
        text: &str,
        cmd: RoomRequest,
    ) -> Reply {
        let cluster = self.state.cluster().ok_or(SessionError::Internal)?.clone();
        let code = crate::lobby::codes::normalize(typed).ok_or(SessionError::Internal)?;
        let joining = matches!(cmd, RoomRequest::Join { .. });
        let link = match cluster.forward(&self.conn, &player, &code, text).await? {
            crate::cluster::Forwarded::Remote => Link::Elsewhere,
            crate::cluster::Forwarded::Local(room) => {
                // It moved here while the request waited: it goes to the room here.
                room.try_request(Request { conn: self.conn.clone(), id, player, cmd })?;
                Link::Here(room)
            }
        };
        if joining {
            self.rooms.insert(code, link);
        }
        Ok(None)
    }

    /// The connection is gone (or logged out): rooms hold the player's seats for the grace
    /// period, contacts see them offline.
    async fn finish(&mut self) {
        self.admin = false;
        let Some(player) = self.player.take() else { return };
        for (_, link) in self.rooms.drain() {
            if let Link::Here(room) = link {
                room.detach(player.id.clone(), self.conn.id()).await;
            }
        }
        if let Some(cluster) = self.state.cluster() {
            Box::pin(cluster.finish(self.conn.id(), &player.id)).await;
        }
        self.state.online().detach(&player.id, self.conn.id());
        let seen =
            Write::SeenPlayer { id: player.id.clone(), seen_ms: self.state.env().clock.now_ms() };
        // Only for guest expiry: nobody waits for it.
        drop(self.state.env().store.commit(seen.into()));
        let offline = DmCmd::Offline { player_id: player.id, conn_id: self.conn.id() };
        self.state.dm().presence(offline).await;
    }
}
