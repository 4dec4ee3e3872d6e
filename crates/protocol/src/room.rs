//! A room as its members see it, and what happens in it: the `event` messages every member
//! receives (each with the room's new state), the room view, its seats and members, and how a
//! game ended.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{PlayerId, Role, RoomCode, Seat, Seq};

/// A room event: `{"type": "event", "code": "KXMR", "seq": 12, "kind": "moved", ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventMsg {
    /// The room.
    pub code: RoomCode,
    /// The event's sequence number in the room: one more than the previous event's.
    pub seq: Seq,
    /// What happened, tagged by `kind`.
    #[serde(flatten)]
    pub event: RoomEvent,
}

/// What happened in a room. Every kind but `chat` and `closed` carries the room's new state as the
/// receiving member sees it, so a client can simply redraw from `room`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RoomEvent {
    /// A player joined (as player or spectator).
    Joined {
        /// Who.
        player: PlayerId,
        /// The room after the change.
        room: RoomView,
    },
    /// A member left, or their grace period ran out.
    Left {
        /// Who.
        player: PlayerId,
        /// Why.
        reason: LeaveReason,
        /// The room after the change.
        room: RoomView,
    },
    /// A member's connection dropped; their seat is held for the grace period.
    Disconnected {
        /// Who.
        player: PlayerId,
        /// The room after the change.
        room: RoomView,
    },
    /// A disconnected member is back.
    Reconnected {
        /// Who.
        player: PlayerId,
        /// The room after the change.
        room: RoomView,
    },
    /// A seated player said they are ready for the next game, or not yet (in the lobby), or
    /// asked for a rematch (after game over: `ready` is then true).
    Ready {
        /// Who.
        player: PlayerId,
        /// Ready or not.
        ready: bool,
        /// The room after the change.
        room: RoomView,
    },
    /// The host removed a member, who cannot join this room again. Sent to them too (the last
    /// event they get from the room).
    Kicked {
        /// Who.
        player: PlayerId,
        /// Why, as the host said it.
        reason: String,
        /// The room after the change (without them).
        room: RoomView,
    },
    /// The host locked the room (no new members) or opened it again.
    Locked {
        /// Locked or open.
        locked: bool,
        /// The room after the change.
        room: RoomView,
    },
    /// An admin removed a chat message: clients drop it.
    ChatRemoved {
        /// The message's seq.
        removed_seq: Seq,
    },
    /// An admin turned the chat off or on, or muted or unmuted a player (`room.chat_off`,
    /// `room.muted`).
    ChatChanged {
        /// The room after the change.
        room: RoomView,
    },
    /// The host chose another game for the room (between games); `room` has its seats.
    GameChanged {
        /// The room after the change.
        room: RoomView,
    },
    /// The host started a game.
    Started {
        /// The room after the change.
        room: RoomView,
    },
    /// A seat made a move (what the move was shows only as far as `room.state` reveals it).
    Moved {
        /// The seat that moved.
        seat: Seat,
        /// The room after the move.
        room: RoomView,
    },
    /// A seat left a game of three or more that goes on without it (its player left, or its
    /// turn timer ran out in a game that forfeits): never on turn again, never the winner.
    DroppedOut {
        /// The seat.
        seat: Seat,
        /// The room after the change.
        room: RoomView,
    },
    /// The game ended.
    GameOver {
        /// How it ended.
        outcome: Outcome,
        /// The room after the end.
        room: RoomView,
    },
    /// After a game, once every seated player asked for a rematch (or the host without a seat
    /// did): the room is back in the lobby, first seat rotated, and the next game starts in
    /// `starts_in_ms` (unless the host changes the game meanwhile, or too few players are left).
    Rematch {
        /// Who asked for it last.
        player: PlayerId,
        /// Milliseconds until the next game starts by itself.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        starts_in_ms: Option<u64>,
        /// The room after the change.
        room: RoomView,
    },
    /// The host left; another member is host now.
    HostChanged {
        /// The new host.
        player: PlayerId,
        /// The room after the change.
        room: RoomView,
    },
    /// A chat message.
    Chat {
        /// The message.
        message: ChatMessage,
    },
    /// The room closed (idle too long); its code may be reused.
    Closed {
        /// Why, for a human.
        reason: String,
    },
}

impl RoomEvent {
    /// The event's `kind`, as on the wire (`"moved"`).
    pub fn kind(&self) -> &'static str {
        match self {
            RoomEvent::Joined { .. } => "joined",
            RoomEvent::Left { .. } => "left",
            RoomEvent::Disconnected { .. } => "disconnected",
            RoomEvent::Reconnected { .. } => "reconnected",
            RoomEvent::Ready { .. } => "ready",
            RoomEvent::Kicked { .. } => "kicked",
            RoomEvent::Locked { .. } => "locked",
            RoomEvent::GameChanged { .. } => "game_changed",
            RoomEvent::ChatRemoved { .. } => "chat_removed",
            RoomEvent::ChatChanged { .. } => "chat_changed",
            RoomEvent::Started { .. } => "started",
            RoomEvent::Moved { .. } => "moved",
            RoomEvent::DroppedOut { .. } => "dropped_out",
            RoomEvent::GameOver { .. } => "game_over",
            RoomEvent::Rematch { .. } => "rematch",
            RoomEvent::HostChanged { .. } => "host_changed",
            RoomEvent::Chat { .. } => "chat",
            RoomEvent::Closed { .. } => "closed",
        }
    }

    /// The room's new state the event carries (every kind but `chat` and `closed`).
    pub fn room(&self) -> Option<&RoomView> {
        match self {
            RoomEvent::Joined { room, .. }
            | RoomEvent::Left { room, .. }
            | RoomEvent::Disconnected { room, .. }
            | RoomEvent::Reconnected { room, .. }
            | RoomEvent::Ready { room, .. }
            | RoomEvent::Kicked { room, .. }
            | RoomEvent::Locked { room, .. }
            | RoomEvent::GameChanged { room }
            | RoomEvent::ChatChanged { room }
            | RoomEvent::Started { room }
            | RoomEvent::Moved { room, .. }
            | RoomEvent::DroppedOut { room, .. }
            | RoomEvent::GameOver { room, .. }
            | RoomEvent::Rematch { room, .. }
            | RoomEvent::HostChanged { room, .. } => Some(room),
            RoomEvent::Chat { .. } | RoomEvent::ChatRemoved { .. } | RoomEvent::Closed { .. } => {
                None
            }
        }
    }

    /// The room's new state the event carries, taken out of it.
    pub fn into_room(self) -> Option<RoomView> {
        match self {
            RoomEvent::Joined { room, .. }
            | RoomEvent::Left { room, .. }
            | RoomEvent::Disconnected { room, .. }
            | RoomEvent::Reconnected { room, .. }
            | RoomEvent::Ready { room, .. }
            | RoomEvent::Kicked { room, .. }
            | RoomEvent::Locked { room, .. }
            | RoomEvent::GameChanged { room }
            | RoomEvent::ChatChanged { room }
            | RoomEvent::Started { room }
            | RoomEvent::Moved { room, .. }
            | RoomEvent::DroppedOut { room, .. }
            | RoomEvent::GameOver { room, .. }
            | RoomEvent::Rematch { room, .. }
            | RoomEvent::HostChanged { room, .. } => Some(room),
            RoomEvent::Chat { .. } | RoomEvent::ChatRemoved { .. } | RoomEvent::Closed { .. } => {
                None
            }
        }
    }
}

/// Why a member left a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveReason {
    /// They sent `leave_room`.
    Left,
    /// Their connection dropped and the grace period ran out.
    Timeout,
}

/// Where a room's game runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoomMode {
    /// The server runs the rules and relays every move (client-server).
    #[default]
    Server,
    /// The host's phone runs the rules; the others reach it over WebRTC, and the server only
    /// introduces them (relays `signal`) and keeps the lobby and the chat (peer-to-peer).
    P2p,
}

impl RoomMode {
    /// The server mode (for `skip_serializing_if`).
    pub fn is_server(&self) -> bool {
        *self == RoomMode::Server
    }

    /// As it is written on the wire and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            RoomMode::Server => "server",
            RoomMode::P2p => "p2p",
        }
    }

    /// From `as_str`'s words.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "server" => Some(RoomMode::Server),
            "p2p" => Some(RoomMode::P2p),
            _ => None,
        }
    }
}

/// A room as one member sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomView {
    /// The four-letter code.
    pub code: RoomCode,
    /// Game kind.
    pub game: String,
    /// The game's options, defaults filled in.
    pub options: Value,
    /// The host's player id.
    pub host: PlayerId,
    /// `p2p` when the host's phone runs the game (absent: the server does).
    #[serde(default, skip_serializing_if = "RoomMode::is_server")]
    pub mode: RoomMode,
    /// Lobby, playing or over.
    pub phase: Phase,
    /// Every seat, taken or not, in seat order (the game's most players).
    pub seats: Vec<SeatView>,
    /// Fewest players the host may start with.
    #[serde(default)]
    pub min_players: usize,
    /// Most players (the number of seats).
    #[serde(default)]
    pub max_players: usize,
    /// Spectators, the earliest first: at most the first 12 (so that a room watched by many
    /// does not make every event big); `spectator_count` says how many there are in all.
    pub spectators: Vec<MemberView>,
    /// How many spectators the room has.
    #[serde(default)]
    pub spectator_count: usize,
    /// Big screens watching (not among `spectators` nor in `spectator_count`).
    #[serde(default)]
    pub screens: usize,
    /// The host locked the room: nobody new may join.
    #[serde(default)]
    pub locked: bool,
    /// An admin turned the room's chat off.
    #[serde(default)]
    pub chat_off: bool,
    /// Players an admin muted in this room.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub muted: Vec<PlayerId>,
    /// Games won in this room across rematches, most wins first (only players who won one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scoreboard: Vec<ScoreLine>,
    /// The receiving player's place in the room (absent for a non-member).
    pub you: Option<You>,
    /// How many games have started in this room (1 during the first game).
    pub game_no: u32,
    /// The game's state as the receiving member may see it (the game's own shape; hidden
    /// information is left out). `null` in the lobby before the first game.
    pub state: Option<Value>,
    /// Seats whose move the game is waiting for (empty when not playing).
    pub turn: Vec<Seat>,
    /// How the last game ended, once it has.
    pub outcome: Option<Outcome>,
    /// Seconds each seat has for its turn, in a room with turn timers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turn_seconds: Option<u32>,
    /// With turn timers, while playing: when each seat's turn runs out (server time, ms since
    /// the Unix epoch), `null` for a seat not on turn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deadlines: Vec<Option<u64>>,
    /// With turn timers: the server's time when this view was made (ms since the Unix epoch),
    /// so that `deadline - server_ms` is what was left when it was sent, whatever the client's
    /// own clock says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_ms: Option<u64>,
}

/// The phase of a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Waiting for players and for the host to start.
    Lobby,
    /// A game is in progress.
    Playing,
    /// The game ended; a rematch brings the room back to the lobby.
    Over,
}

/// One seat of a room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeatView {
    /// The seat number.
    pub seat: Seat,
    /// Who sits there, if anyone.
    pub player: Option<MemberView>,
}

/// A member of a room as others see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberView {
    /// Player id.
    pub id: PlayerId,
    /// Display name.
    pub name: String,
    /// False while their connection is down (seat held for the grace period).
    pub connected: bool,
    /// A seated player said they are ready for the next game (`ready`); cleared when a game
    /// starts.
    #[serde(default)]
    pub ready: bool,
}

/// The receiving player's own place in a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct You {
    /// Player or spectator.
    pub role: Role,
    /// The seat, for a player.
    pub seat: Option<Seat>,
}

/// How a game ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// The winning seat; `null` for a draw.
    pub winner: Option<Seat>,
    /// Why, e.g. `"line"`, `"draw"`, `"best_of"`, `"forfeit"`.
    pub reason: String,
}

/// A stored chat message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Its sequence number in the room (shared with the room's other events).
    pub seq: Seq,
    /// Server time, milliseconds since the Unix epoch.
    pub ts: u64,
    /// The sender's player id.
    pub from: PlayerId,
    /// The sender's display name when it was sent.
    pub name: String,
    /// The text.
    pub text: String,
    /// The sender's `client_msg_id`.
    pub client_msg_id: String,
    /// An admin removed it (its `text` is then empty).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
}

/// One line of a room's scoreboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreLine {
    /// The player.
    pub player: PlayerId,
    /// Their name when they last won.
    pub name: String,
    /// Games they won in this room.
    pub wins: u32,
}
