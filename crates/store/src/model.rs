//! The records Capital stores. Plain data; times are milliseconds since the Unix epoch, given by
//! the caller (the store has no clock).

use capital_protocol::{Outcome, Phase, Role};
use serde_json::Value;

/// A room's internal id. Codes are reused once a room closes; ids never are.
pub type RoomId = i64;

/// A player: a guest identity that a resume token gives back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayerRecord {
    /// Public id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// SHA-256 of the resume token. The token itself is never stored.
    pub token_hash: [u8; 32],
    /// When the player was created.
    pub created_ms: u64,
}

/// A room's own row.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomRecord {
    /// Internal id.
    pub id: RoomId,
    /// Four-letter join code.
    pub code: String,
    /// Game kind.
    pub game: String,
    /// Game options, canonical JSON.
    pub options: Value,
    /// The host's player id.
    pub host: String,
    /// Lobby, playing or over.
    pub phase: Phase,
    /// Number of the current (or last) game; 0 before the first.
    pub game_no: u32,
    /// The room's latest event sequence number.
    pub seq: u64,
    /// How the last game ended, when it ended other than by a move (a forfeit).
    pub outcome: Option<Outcome>,
    /// When the room was created.
    pub created_ms: u64,
    /// Closed rooms keep their history but no longer load.
    pub closed: bool,
}

/// A player's membership in a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    /// The room.
    pub room_id: RoomId,
    /// The player.
    pub player_id: String,
    /// Player or spectator.
    pub role: Role,
    /// The seat, for a player.
    pub seat: Option<usize>,
    /// When they joined.
    pub joined_ms: u64,
}

/// One move in a game's log.
#[derive(Debug, Clone, PartialEq)]
pub struct MoveRecord {
    /// The room.
    pub room_id: RoomId,
    /// Which game in the room.
    pub game_no: u32,
    /// Position in the log, from 0.
    pub ply: u32,
    /// The seat that moved.
    pub seat: usize,
    /// The move, canonical JSON.
    pub mv: Value,
    /// The room event sequence number of the move.
    pub seq: u64,
    /// When it was played.
    pub ts_ms: u64,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatRecord {
    /// The room.
    pub room_id: RoomId,
    /// The room event sequence number of the message.
    pub seq: u64,
    /// The sender.
    pub player_id: String,
    /// The sender's name when sent.
    pub name: String,
    /// The text.
    pub text: String,
    /// The sender's id for the message (deduplicates retries).
    pub client_msg_id: String,
    /// When it was sent.
    pub ts_ms: u64,
}

/// An open room with everything needed to bring it back after a restart.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRoom {
    /// The room's row.
    pub room: RoomRecord,
    /// Its members with their display names.
    pub members: Vec<(MemberRecord, String)>,
    /// The move log of its current game (empty in the lobby).
    pub moves: Vec<MoveRecord>,
    /// Its most recent chat messages, oldest first.
    pub chat: Vec<ChatRecord>,
}
