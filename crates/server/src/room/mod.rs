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
//! # Layout
//! - [`actor`]: the room state and its command loop.
//! - [`chat`]: the room's recent chat and retry detection.
//! - [`view`]: what each member sees of the room, and event delivery.

pub mod actor;
pub mod chat;
pub mod view;

use capital_protocol::{ErrorCode, RequestId, Role, Seq};
use capital_store::RoomId;
use serde_json::Value;
use tokio::sync::mpsc;

use crate::players::Player;
use crate::session::ConnHandle;

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

/// What a member (or a player who wants to be one) can ask of a room.
#[derive(Debug)]
pub enum RoomRequest {
    /// Join, or come back and catch up after `since`.
    Join {
        /// Player or spectator (for a new member).
        role: Role,
        /// The last event the client saw.
        since: Option<Seq>,
    },
    /// Leave the room.
    Leave,
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
    },
    /// Older chat.
    History {
        /// Below this seq.
        before: Option<Seq>,
        /// Page size.
        limit: usize,
    },
}

/// Messages to a room actor.
#[derive(Debug)]
pub enum RoomCmd {
    /// A client request. Boxed: a channel allocates its slots in blocks of 32 of the largest
    /// command, and every room has a channel; small slots keep an idle room small.
    Request(Box<Request>),
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
    pub fn try_request(&self, request: Request) -> Result<(), (ErrorCode, &'static str)> {
        self.tx.try_send(RoomCmd::Request(Box::new(request))).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => {
                (ErrorCode::Busy, "the room is too busy right now; try again")
            }
            mpsc::error::TrySendError::Closed(_) => (ErrorCode::NoSuchRoom, "the room has closed"),
        })
    }

    /// Tells the room a connection closed. Waits for queue space: this must not be lost.
    pub async fn detach(&self, player_id: String, conn_id: u64) {
        let _ = self.tx.send(RoomCmd::Detach { player_id, conn_id }).await;
    }
}
