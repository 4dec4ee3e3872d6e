//! One actor per room. A [`RoomHandle`] (cheap to clone) sends [`RoomCmd`]s to the task that
//! owns the room: its seats, its game, its chat and its members' connections. The task answers
//! requests straight into the requesting connection's outbox, so a reply and the room's events
//! reach each client in the order the room produced them.
//!
//! Every change is made durable before anyone hears of it: the actor takes all the commands
//! waiting in its queue, applies them in memory, hands their writes to the store, and sends the
//! replies and events only once the store says they are on disk (see [`actor`]); it applies the
//! next commands meanwhile. The store batches writes from every room into one commit, so
//! waiting costs one shared fsync, not one per message.
//!
//! A room sees only its [`RoomEnv`]: the actor environment, its settings, the limiter of failed
//! code lookups, and a hook to report its own closing (the lobby passes one that forgets it).
//!
//! # Layout
//! - [`actor`]: the room state and its command loop.
//! - [`members`]: joining, leaving, coming back, held seats, closing.
//! - [`game`]: starting, moves, the end of a game, rematches.
//! - [`timers`]: turn timers, and what a turn running out does.
//! - [`realtime`]: the real-time lane: ticks, inputs, frames, snapshots.
//! - [`replay`]: a finished game's record, and its replay step by step.
//! - [`stored`]: a room brought back from the store, and the row it stores.
//! - [`rules`]: which rules a room plays (a script's at the version it started with).
//! - [`chat`]: the room's chat: saying, and history.
//! - [`recent`]: the recent chat in memory, and retry detection.
//! - [`view`]: what each member sees of the room, and event delivery.
//! - [`relay`]: peer-to-peer rooms: relaying WebRTC signalling between members.
//! - [`signal`]: its bounds (size, rate) and counts.

pub mod actor;
pub mod chat;
mod clocks;
mod dispatch;
mod game;
mod host;
mod members;
mod realtime;
pub mod recent;
mod relay;
mod replay;
pub mod rules;
pub mod signal;
mod stored;
pub mod tally;
mod timers;
pub mod view;

pub use timers::turn_seconds;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use capital_engine::RuleError;
use capital_protocol::{ErrorCode, PlayerId, RequestId, Role, RoomMode, Seq};
use capital_store::RoomId;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::conn::ConnHandle;
use crate::env::Env;
use crate::limits::PerMinute;
use crate::players::Player;
use crate::text::TextError;

/// A room's settings (from the server's configuration).
#[derive(Debug, Clone)]
pub struct RoomSettings {
    /// How long a dropped player's seat is held.
    pub grace: Duration,
    /// How long a room stays open with no request from any member.
    pub idle: Duration,
    /// From everyone saying yes to a rematch to the next game's start.
    pub rematch_countdown: Duration,
    /// Longest chat message, in characters.
    pub max_chat_chars: usize,
    /// Most spectators one room takes.
    pub max_spectators: usize,
    /// Words masked in chat.
    pub word_filter: Arc<crate::text::WordFilter>,
    /// Largest `replay` reply, in bytes (well inside a connection's outbox).
    pub max_replay_bytes: usize,
}

/// Told when a room closes (its code and id), so whoever lists rooms can forget it.
pub type OnClose = Arc<dyn Fn(&str, RoomId) + Send + Sync>;

/// What a room works with.
#[derive(Clone)]
pub struct RoomEnv {
    /// Store, metrics, tasks, shutdown, clock.
    pub env: Env,
    /// Its settings.
    pub settings: RoomSettings,
    /// Failed room lookups per address: a request from a non-member counts as one, as an
    /// unknown code does (so codes cannot be found by asking).
    pub lookups: Arc<PerMinute<IpAddr>>,
    /// Called once the room has closed.
    pub on_close: OnClose,
    /// The games a host may change the room to.
    pub games: capital_games::Registry,
    /// Builds a game script's rules from the text the store kept (see [`rules`]).
    pub rebuild: rules::Rebuild,
}

/// Why a room refused a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoomError {
    /// No such room, or (told the same, on purpose) the asker is not a member of it.
    #[error("no open room has this code")]
    NoSuchRoom,
    /// The room has closed.
    #[error("the room has closed")]
    Closed,
    /// Every seat is taken.
    #[error("every seat is taken; join as a spectator to watch")]
    RoomFull,
    /// The room has as many spectators as it takes.
    #[error("the room has as many spectators as it takes ({0})")]
    TooManySpectators(usize),
    /// Only the host may.
    #[error("only the host can start the game")]
    NotHost,
    /// A spectator asked for a player's action.
    #[error("spectators cannot do that")]
    NotPlayer,
    /// Not in this phase of the room (the message says why).
    #[error("{0}")]
    WrongPhase(&'static str),
    /// Too few players are seated to start.
    #[error("{taken} seated; this game needs at least {needed} players")]
    SeatsNotFilled {
        /// Seats taken.
        taken: usize,
        /// Fewest players the game starts with.
        needed: usize,
    },
    /// The game is over.
    #[error("the game is over")]
    GameOver,
    /// The host locked the room.
    #[error("the host has locked this room; ask them to open it")]
    Locked,
    /// An admin paused new joins on the whole server.
    #[error("the teacher has paused joining for now")]
    JoinsPaused,
    /// The host removed this player from the room.
    #[error("the host removed you from this room")]
    Kicked,
    /// An admin turned the room's chat off.
    #[error("the chat is off in this room")]
    ChatOff,
    /// An admin muted this player here.
    #[error("you are muted in this room")]
    Muted,
    /// Not one of the reactions.
    #[error("not a reaction: send one of {0}")]
    BadReaction(String),
    /// Reactions faster than a person taps.
    #[error("too many reactions; wait a moment")]
    TooManyReactions,
    /// The member a host action names is not in the room (or is the host).
    #[error("{0}")]
    NoSuchMember(&'static str),
    /// No game of that kind on this server.
    #[error("no game {0:?} on this server")]
    UnknownGame(String),
    /// The game's rules refused it.
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// The text was refused.
    #[error(transparent)]
    Text(#[from] TextError),
    /// The room's queue is full.
    #[error("the room is too busy right now; try again")]
    Busy,
    /// A list the room keeps is as long as it may be (players removed, players muted).
    #[error("{0}")]
    ListFull(&'static str),
    /// Not in this room's mode (the message says why).
    #[error("{0}")]
    WrongMode(&'static str),
    /// A signal the server does not relay (to oneself, too big).
    #[error("{0}")]
    BadSignal(String),
    /// A signal for a member who is not here, or has no connection now.
    #[error("{0} is not connected to this room")]
    NotConnected(String),
    /// Signals faster than setting up a connection needs.
    #[error("too many signals; try again in {} seconds", .0.as_secs().max(1))]
    SignalRate(std::time::Duration),
    /// A `move_time` the room does not take (too long, or no move to time).
    #[error("{0}")]
    BadTime(String),
    /// Something inside failed (logged); nothing changed.
    #[error("something failed inside the server; nothing changed")]
    Internal,
}

impl RoomError {
    /// The code clients get.
    pub fn code(&self) -> ErrorCode {
        match self {
            RoomError::NoSuchRoom | RoomError::Closed => ErrorCode::NoSuchRoom,
            RoomError::RoomFull | RoomError::TooManySpectators(_) => ErrorCode::RoomFull,
            RoomError::NotHost => ErrorCode::NotHost,
            RoomError::NotPlayer => ErrorCode::NotPlayer,
            RoomError::WrongPhase(_) => ErrorCode::WrongPhase,
            RoomError::SeatsNotFilled { .. } => ErrorCode::SeatsNotFilled,
            RoomError::GameOver => ErrorCode::GameOver,
            RoomError::Locked => ErrorCode::RoomLocked,
            RoomError::JoinsPaused => ErrorCode::JoinsPaused,
            RoomError::Kicked => ErrorCode::Kicked,
            RoomError::ChatOff => ErrorCode::ChatOff,
            RoomError::Muted => ErrorCode::Muted,
            RoomError::BadReaction(_) => ErrorCode::BadText,
            RoomError::TooManyReactions => ErrorCode::RateLimited,
            RoomError::NoSuchMember(_) => ErrorCode::NoSuchPlayer,
            RoomError::UnknownGame(_) => ErrorCode::UnknownGame,
            RoomError::Rule(rule) => match rule {
                RuleError::NotYourTurn => ErrorCode::NotYourTurn,
                RuleError::GameOver => ErrorCode::GameOver,
                RuleError::NoSuchSeat(_) | RuleError::BadMove(_) => ErrorCode::BadMove,
                RuleError::Illegal(_) => ErrorCode::IllegalMove,
                RuleError::BadOptions(_) => ErrorCode::BadOptions,
            },
            RoomError::Text(text) => text.code(),
            RoomError::Busy | RoomError::ListFull(_) => ErrorCode::Busy,
            RoomError::WrongMode(_) => ErrorCode::WrongMode,
            RoomError::BadSignal(_) | RoomError::BadTime(_) => ErrorCode::BadRequest,
            RoomError::NotConnected(_) => ErrorCode::NoSuchPlayer,
            RoomError::SignalRate(_) => ErrorCode::RateLimited,
            RoomError::Internal => ErrorCode::Internal,
        }
    }
}

/// A request to a room, with where to send the answer.
#[derive(Debug)]
pub struct Request {
    /// The connection that asked; the reply goes into its outbox.
    pub conn: ConnHandle,
    /// The request id to answer.
    pub id: RequestId,
    /// Who asked.
    pub player: Player,
    /// What they asked.
    pub cmd: RoomRequest,
}

/// The host's controls.
#[derive(Debug)]
pub enum HostAction {
    /// Remove a member for good, telling them why.
    Kick {
        /// Who.
        player: PlayerId,
        /// Why.
        reason: Option<String>,
    },
    /// Take no new members (or take them again).
    Lock(bool),
    /// Hand the controls to another member.
    SetHost(PlayerId),
    /// Between games: play another game in this room.
    ChangeGame {
        /// The game kind.
        game: String,
        /// Its options.
        options: Option<Value>,
        /// Seconds a turn.
        turn_seconds: Option<u32>,
        /// Another mode (server or p2p), or the same.
        mode: Option<RoomMode>,
    },
    /// End the game in progress, with no winner.
    EndGame,
}

/// What a member (or a player who wants to be one) can ask of a room.
#[derive(Debug)]
pub enum RoomRequest {
    /// Join, or come back and catch up after `since`.
    Join {
        /// Player or spectator (for a new member).
        role: Role,
        /// The last event the client saw.
        since: Option<Seq>,
        /// A big screen watching.
        screen: bool,
    },
    /// Leave the room.
    Leave,
    /// A seated player: ready for the next game, or not yet.
    Ready(bool),
    /// A member's emoji reaction.
    React(String),
    /// What only the host may do.
    Host(HostAction),
    /// Host: start the game.
    Start,
    /// Play a move.
    Move(Value),
    /// After game over: back to the lobby for another game.
    Rematch,
    /// Say something.
    Chat {
        /// The text.
        text: String,
        /// The client's id for the message.
        client_msg_id: String,
        /// Whether the sender gets its own message back as an event too.
        echo: bool,
    },
    /// A finished game, to replay (the latest, without a number).
    Replay {
        /// Which game.
        game_no: Option<u32>,
    },
    /// Older chat.
    History {
        /// Below this seq.
        before: Option<Seq>,
        /// Page size.
        limit: usize,
    },
    /// How long the member's last move took their phone (ms).
    MoveTime(u32),
    /// The room's figures for the two models' comparison.
    Stats,
    /// WebRTC signalling for another member (a `p2p` room).
    Signal {
        /// The member it is for.
        to: PlayerId,
        /// What to hand them.
        data: Value,
    },
    /// An admin's action (the asker need not be a member), stored with its audit entry.
    Admin {
        /// What.
        action: capital_protocol::AdminAction,
        /// Its audit log entry.
        audit: capital_store::AuditRecord,
    },
    /// An admin's announcement to this room's members, stored with its audit entry.
    Announce {
        /// The text.
        text: String,
        /// Its audit log entry.
        audit: capital_store::AuditRecord,
    },
}

/// Messages to a room actor.
#[derive(Debug)]
pub enum RoomCmd {
    /// A client request. Boxed: a channel allocates its slots in blocks of 32 of the largest
    /// command, and every room has a channel; small slots keep an idle room small.
    Request(Box<Request>),
    /// A real-time input from `player_id` (never answered).
    Input {
        /// Who sent it.
        player_id: String,
        /// The input.
        input: serde_json::Value,
    },
    /// The teacher's console asks how the room stands.
    Summary(tokio::sync::oneshot::Sender<capital_protocol::RoomSummary>),
    /// A connection closed: if it was `player`'s connection to this room, they are away now.
    Detach {
        /// The player.
        player_id: String,
        /// The connection that closed.
        conn_id: u64,
    },
}

/// A way to reach a room actor. When every handle is dropped the actor ends.
#[derive(Debug, Clone)]
pub struct RoomHandle {
    /// The room's id.
    pub id: RoomId,
    /// Its code.
    pub code: String,
    /// Who created it (counted against their limit of open rooms).
    pub creator: String,
    /// To the actor. Bounded: when full, new requests are answered `busy`.
    tx: mpsc::Sender<RoomCmd>,
}

impl RoomHandle {
    /// Queues a request without waiting. Fails with `busy` when the room's queue is full, and
    /// `no_such_room` when the room has closed.
    pub fn try_request(&self, request: Request) -> Result<(), RoomError> {
        self.tx.try_send(RoomCmd::Request(Box::new(request))).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => RoomError::Busy,
            mpsc::error::TrySendError::Closed(_) => RoomError::Closed,
        })
    }

    /// How the room stands, for the console (`None` if it is closing or too busy to say).
    pub async fn summary(&self) -> Option<capital_protocol::RoomSummary> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.tx.try_send(RoomCmd::Summary(tx)).ok()?;
        tokio::time::timeout(Duration::from_secs(2), rx).await.ok()?.ok()
    }

    /// Hands the room a real-time input; dropped when the room's queue is full (the next one
    /// will do).
    pub fn try_input(&self, player_id: String, input: serde_json::Value) {
        let _ = self.tx.try_send(RoomCmd::Input { player_id, input });
    }

    /// Whether the room's actor has ended (the room closed).
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }

    /// Tells the room a connection closed. Waits for queue space: this must not be lost.
    pub async fn detach(&self, player_id: String, conn_id: u64) {
        let _ = self.tx.send(RoomCmd::Detach { player_id, conn_id }).await;
    }
}

#[cfg(test)]
mod tests;
