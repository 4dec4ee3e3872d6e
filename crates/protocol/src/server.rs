//! Messages from the server to a client: the envelope, replies (with `re`) and pushes (without);
//! room events and the room's view are in [`crate::room`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::games::GameInfo;
use crate::room::{ChatMessage, EventMsg, RoomView};
use crate::{
    AuditEntry, DeviceKeyView, ErrorCode, PlayerId, RequestId, RoomCode, RoomSummary, Sealed, Seq,
};

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
        /// The account is an admin's (the teacher's console at `/teach`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        admin: bool,
    },
    /// Reply to `admin_overview`.
    Overview {
        /// Open rooms, most recently created first (at most 500).
        rooms: Vec<RoomSummary>,
        /// Open rooms in all.
        rooms_total: usize,
        /// Players connected now.
        players_online: usize,
        /// Chat messages stored since the server started (a console takes the difference
        /// between two overviews for a rate).
        chat_total: u64,
        /// Server time, ms since the Unix epoch.
        server_ms: u64,
        /// An admin turned chat off everywhere.
        chat_off: bool,
        /// An admin paused new joins and rooms.
        joins_paused: bool,
    },
    /// Reply to `replay`.
    Replay(Box<crate::Replay>),
    /// Reply to `leaderboard`: most wins first (at most 50 lines).
    Leaderboard {
        /// When the lesson started (ms since the Unix epoch); absent: no lesson was started,
        /// and every finished game counts.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since_ms: Option<u64>,
        /// The players who finished a game.
        lines: Vec<crate::LeaderLine>,
    },
    /// Reply to `admin_scripts`: every game script, by file name.
    ScriptGames {
        /// The scripts.
        scripts: Vec<crate::ScriptInfo>,
    },
    /// Reply to `admin_audit`: newest first.
    Audit {
        /// The entries.
        entries: Vec<AuditEntry>,
    },
    /// Pushed to a room's members: someone's emoji reaction (not stored, not numbered).
    Reaction {
        /// The room.
        code: RoomCode,
        /// The emoji.
        emoji: String,
        /// Who sent it.
        name: String,
    },
    /// Pushed: an admin's announcement (to everyone, or to one room's members).
    Announcement {
        /// The text.
        text: String,
        /// The room it was for; absent: everyone.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<RoomCode>,
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
    /// Reply to `publish_key`: the device's id.
    KeyPublished {
        /// The id other devices seal its copies for.
        device: String,
    },
    /// Reply to `keys_of`.
    Keys {
        /// Whose.
        player: PlayerId,
        /// Their devices, oldest first; empty when they cannot receive encrypted messages.
        keys: Vec<DeviceKeyView>,
    },
    /// Reply to `dm_stored`: the message's row in the server's database, column by column.
    DmRow {
        /// The row.
        row: StoredDm,
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
        /// The list was cut at the reply's size: the oldest conversations are not in it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        truncated: bool,
    },
    /// Reply to `room_stats`.
    RoomStats(crate::stats::RoomStats),
    /// Pushed: WebRTC signalling from another member of a `p2p` room.
    Signal {
        /// The room.
        code: RoomCode,
        /// The member who sent it.
        from: PlayerId,
        /// What they sent, as they sent it.
        data: Value,
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
        /// The text as stored and as the others see it, when it is not what was sent (the
        /// server's word filter masked a word).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
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

/// A room a player belongs to, as listed in `welcome`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomRef {
    /// The code.
    pub code: RoomCode,
    /// Game kind.
    pub game: String,
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
    /// The text; absent when the message is `sealed`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// The end-to-end encrypted message, which only the devices it names can open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<Sealed>,
    /// The sender's `client_msg_id`.
    pub client_msg_id: String,
    /// Reached the recipient's device.
    pub delivered: bool,
    /// Read by the recipient.
    pub read: bool,
}

/// A direct message's row as the server's database holds it (`dms`), column by column: what
/// the operator of the server can read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDm {
    /// The smaller player id of the conversation.
    pub a: PlayerId,
    /// The larger.
    pub b: PlayerId,
    /// Position in the conversation.
    pub seq: Seq,
    /// Who sent it.
    pub sender: PlayerId,
    /// Who gets it.
    pub recipient: PlayerId,
    /// The text column: the message, or empty when it is sealed.
    pub text: String,
    /// The sealed column: the envelope's JSON as stored, or null.
    pub sealed: Option<String>,
    /// The sender's id for it.
    pub client_msg_id: String,
    /// When it was stored (ms since the Unix epoch).
    pub ts_ms: u64,
    /// When it reached the recipient's device.
    pub delivered_ms: Option<u64>,
    /// When it was read.
    pub read_ms: Option<u64>,
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
    /// The newest message; left out when it would take the reply past its size (read it with
    /// `dm_history`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<DirectMessage>,
    /// Messages to you not yet read.
    pub unread: u64,
}
