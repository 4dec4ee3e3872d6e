//! Messages from the server to a client: replies (with `re`) and room events (without).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::games::GameInfo;
use crate::{ErrorCode, PlayerId, RequestId, Role, RoomCode, Seat, Seq};

/// One frame from the server: a reply when `re` is set, a pushed event otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outgoing {
    /// The `id` of the request this answers; absent on pushed events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub re: Option<RequestId>,
    /// The message, tagged by `type`.
    #[serde(flatten)]
    pub msg: ServerMsg,
}

impl Outgoing {
    /// A reply to request `id`.
    pub fn reply(id: RequestId, msg: ServerMsg) -> Self {
        Outgoing { re: Some(id), msg }
    }

    /// A pushed message, answering no request.
    pub fn push(msg: ServerMsg) -> Self {
        Outgoing { re: None, msg }
    }

    /// An error reply (`re` may be absent when the request's id could not be read).
    pub fn error(re: Option<RequestId>, code: ErrorCode, message: impl Into<String>) -> Self {
        Outgoing { re, msg: ServerMsg::Error { code, message: message.into() } }
    }

    /// The JSON text of this frame.
    pub fn to_json(&self) -> String {
        // Most frames (acks, chat, moves) fit in 256 bytes: one allocation instead of a few
        // doublings from 0.
        let mut out = Vec::with_capacity(256);
        serde_json::to_writer(&mut out, self).expect("protocol types always serialize");
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }
}

/// Every message the server sends, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    /// Reply to `hello`.
    Welcome {
        /// This player's id.
        player_id: PlayerId,
        /// The display name in use.
        name: String,
        /// The resume token: keep it secret, present it in a later `hello` to be this player again.
        token: String,
        /// The protocol version (see [`crate::PROTOCOL_VERSION`]).
        protocol: u32,
        /// Open rooms this player is a member of (to rejoin with `join_room`).
        rooms: Vec<RoomRef>,
        /// How long a dropped player's seat is held, in seconds.
        grace_seconds: u64,
        /// The account's username; absent for a guest.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        username: Option<String>,
    },
    /// Reply to `register`: this player now has an account.
    Registered {
        /// The username, lower case.
        username: String,
        /// A new session token for this device; the old token no longer works.
        token: String,
    },
    /// Reply to `dm`: the message is stored.
    DmSent {
        /// The recipient.
        with: PlayerId,
        /// The message's sequence number in the conversation.
        seq: Seq,
        /// Server time, milliseconds since the Unix epoch.
        ts: u64,
    },
    /// Reply to `dm_history`.
    DmPage {
        /// The other player.
        with: PlayerId,
        /// Messages, oldest first.
        messages: Vec<DirectMessage>,
        /// True when there are more in the direction asked (older for `before`, newer for
        /// `after`).
        more: bool,
    },
    /// Reply to `conversations`.
    Conversations {
        /// Most recent first.
        conversations: Vec<ConversationView>,
    },
    /// Pushed: a direct message for this player (live, or stored while they were away).
    Dm {
        /// The message.
        message: DirectMessage,
    },
    /// Pushed to a sender: a message reached the recipient's device, or was read.
    DmReceipt {
        /// The recipient.
        with: PlayerId,
        /// Every message up to this seq (from this sender) has this status.
        seq: Seq,
        /// `delivered` or `read`.
        status: ReceiptStatus,
    },
    /// Pushed: a contact (someone you have a conversation with) came online or went offline.
    Presence {
        /// Who.
        player: PlayerId,
        /// Their display name.
        name: String,
        /// Online now?
        online: bool,
    },
    /// Reply to `list_games`.
    Games {
        /// The games this server offers.
        games: Vec<GameInfo>,
    },
    /// Reply to `create_room` and `join_room`: the room as this player sees it, and its chat.
    Joined {
        /// The room's code.
        code: RoomCode,
        /// The room's latest event sequence number. Pass it as `since` when coming back.
        seq: Seq,
        /// The room's state; `null` only when `since` was given and no state changed after it.
        room: Option<RoomView>,
        /// Chat messages, oldest first: the recent history, or with `since`, those after it.
        chat: Vec<ChatMessage>,
        /// True when older messages exist before the first one here (page with `chat_history`).
        more_chat: bool,
    },
    /// Reply to `leave_room`, `start`, `move`, `rematch`, `logout`, `dm_read`, `block` and
    /// `unblock`: done. A room change itself arrives as an event, to every member alike.
    Ok,
    /// Reply to `chat`: the message is stored.
    ChatSent {
        /// The room.
        code: RoomCode,
        /// The message's sequence number in the room.
        seq: Seq,
        /// Server time of the message, milliseconds since the Unix epoch.
        ts: u64,
    },
    /// Reply to `chat_history`.
    ChatPage {
        /// The room.
        code: RoomCode,
        /// Messages, oldest first.
        messages: Vec<ChatMessage>,
        /// True when there are older messages still.
        more: bool,
    },
    /// Reply to `ping`.
    Pong,
    /// Something that happened in a room, pushed to every member.
    Event(EventMsg),
    /// Real-time games: the game as this member sees it after tick `tick`. Pushed at the game's
    /// tick rate; not numbered with the room's events and not stored. A slow client is sent
    /// the newest frame only, and misses the ones between.
    Frame {
        /// The room.
        code: RoomCode,
        /// The tick this frame shows (0 at the start of the game).
        tick: u64,
        /// Milliseconds between ticks.
        tick_ms: u32,
        /// Server time of the tick, milliseconds since the Unix epoch.
        ts: u64,
        /// The game's view for you.
        state: Value,
    },
    /// The request failed and changed nothing.
    Error {
        /// Machine-readable code.
        code: ErrorCode,
        /// Human-readable explanation.
        message: String,
    },
}

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
    /// The game ended.
    GameOver {
        /// How it ended.
        outcome: Outcome,
        /// The room after the end.
        room: RoomView,
    },
    /// After a game: the room is back in the lobby for a rematch, first seat rotated.
    Rematch {
        /// Who asked for it.
        player: PlayerId,
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

/// Why a member left a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveReason {
    /// They sent `leave_room`.
    Left,
    /// Their connection dropped and the grace period ran out.
    Timeout,
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

/// A room a player belongs to, as listed in `welcome`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomRef {
    /// The code.
    pub code: RoomCode,
    /// Game kind.
    pub game: String,
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
}

/// A direct message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectMessage {
    /// The sender.
    pub from: PlayerId,
    /// The recipient.
    pub to: PlayerId,
    /// Position in the conversation (shared by both directions), from 1.
    pub seq: Seq,
    /// Server time, milliseconds since the Unix epoch.
    pub ts: u64,
    /// The text.
    pub text: String,
    /// The sender's `client_msg_id`.
    pub client_msg_id: String,
    /// Reached the recipient's device.
    pub delivered: bool,
    /// Read by the recipient.
    pub read: bool,
}

/// Status of a message in a receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStatus {
    /// On the recipient's device.
    Delivered,
    /// Read by the recipient.
    Read,
}

/// One conversation in `conversations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationView {
    /// The other player.
    pub with: PlayerId,
    /// Their display name.
    pub name: String,
    /// Whether they are online (false if either blocked the other).
    pub online: bool,
    /// The newest message.
    pub last: DirectMessage,
    /// Messages to you not yet read.
    pub unread: u64,
}
