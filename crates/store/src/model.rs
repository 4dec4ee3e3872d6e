//! The records Capital stores. Plain data; times are milliseconds since the Unix epoch, given by
//! the caller (the store has no clock).

use capital_protocol::{Outcome, Phase, Role, RoomMode};
use serde_json::Value;

/// A room's internal id. Codes are reused once a room closes; ids never are.
pub type RoomId = i64;

/// A player: an identity that a token gives back (a guest's resume token, or an account's
/// session token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlayerRecord {
    /// Public id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// When the player was created.
    pub created_ms: u64,
}

/// A token that identifies a player. Only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// SHA-256 of the token.
    pub hash: [u8; 32],
    /// Whose token it is.
    pub player_id: String,
    /// When it was issued.
    pub created_ms: u64,
    /// When it stops working (`None`: a guest's resume token, which does not expire).
    pub expires_ms: Option<u64>,
}

/// A registered account: a username and password for a player.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    /// The player the account belongs to.
    pub player_id: String,
    /// The username, lower case, unique.
    pub username: String,
    /// The password's argon2id hash, in PHC string format.
    pub password_hash: String,
    /// When it was registered.
    pub created_ms: u64,
}

/// One entry of the audit log: what an admin did, to what, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// When, ms since the Unix epoch.
    pub ts_ms: u64,
    /// The admin's player id.
    pub admin_id: String,
    /// The admin's username then.
    pub admin: String,
    /// What, snake_case (`"kick"`, `"announce"`).
    pub action: String,
    /// To what: a room code, a player, or `"server"`.
    pub target: String,
    /// The rest, in words (a reason, an announcement's text).
    pub detail: String,
}

/// A direct message. Conversations are keyed by the two players' ids in sorted order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DmRecord {
    /// The smaller of the two player ids.
    pub a: String,
    /// The larger of the two player ids.
    pub b: String,
    /// Position in the conversation, from 1.
    pub seq: u64,
    /// Who sent it (`a` or `b`).
    pub sender: String,
    /// The text; empty when the message is end-to-end encrypted.
    pub text: String,
    /// An end-to-end encrypted message's envelope (JSON: the sender's device key and one
    /// sealed copy per device), which the server cannot open.
    pub sealed: Option<String>,
    /// The sender's id for the message (deduplicates retries).
    pub client_msg_id: String,
    /// When it was sent.
    pub ts_ms: u64,
    /// When it reached the recipient's device.
    pub delivered_ms: Option<u64>,
    /// When the recipient read it.
    pub read_ms: Option<u64>,
}

impl DmRecord {
    /// The player who receives it.
    pub fn recipient(&self) -> &str {
        if self.sender == self.a { &self.b } else { &self.a }
    }
}

/// A device's public key, published by its player for end-to-end encrypted messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceKeyRecord {
    /// Whose device.
    pub player_id: String,
    /// The device's id (a hash of its key).
    pub device: String,
    /// The public key, base64url.
    pub key: String,
    /// When it was first published.
    pub since_ms: u64,
    /// When its device last said it still uses it.
    pub seen_ms: u64,
}

/// The key of a conversation between two players: their ids in sorted order.
pub fn conversation(x: &str, y: &str) -> (String, String) {
    if x <= y { (x.to_owned(), y.to_owned()) } else { (y.to_owned(), x.to_owned()) }
}

/// A conversation's key (its two player ids, sorted) and its latest seq.
pub type ConversationSeq = ((String, String), u64);

/// One conversation as its participant `me` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationRecord {
    /// The other player.
    pub other: String,
    /// The other player's display name.
    pub other_name: String,
    /// The newest message.
    pub last: DmRecord,
    /// Messages to `me` not yet read.
    pub unread: u64,
}

/// A room's own row.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomRecord {
    /// Internal id.
    pub id: RoomId,
    /// Where its game runs: on the server, or on the host's phone (`p2p`).
    pub mode: RoomMode,
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
    /// How many players the current (or last) game was started with; 0 before the first.
    pub players: u32,
    /// The seed of the current game's random numbers. Kept with its move log so that the game
    /// replays exactly; never sent to clients.
    pub seed: u64,
    /// Real-time games: the state at the last snapshot, and its tick (a restart resumes there).
    pub snapshot: Option<Value>,
    /// The tick of `snapshot`.
    pub snapshot_tick: u64,
    /// Seconds each seat has for its turn; 0: no turn timers.
    pub turn_seconds: u32,
    /// Turn timers: when each seat's turn runs out (ms since the epoch), `None` for a seat
    /// that is not on turn or a room without timers.
    pub deadlines: Vec<Option<u64>>,
    /// When the room was created.
    pub created_ms: u64,
    /// Closed rooms keep their history but no longer load.
    pub closed: bool,
    /// The host locked the room: no new members.
    pub locked: bool,
    /// Players the host removed, who may not join again.
    pub banned: Vec<String>,
    /// An admin turned the room's chat off.
    pub chat_off: bool,
    /// Players an admin muted in this room.
    pub muted: Vec<String>,
    /// Games won in this room, per player (across rematches): (player id, name, wins).
    pub scoreboard: Vec<(String, String, u32)>,
    /// The version of the game's rules, for a game loaded while the server runs (a script: see
    /// [`RulesRecord`]); empty for a built-in game.
    pub game_version: String,
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
    /// A seated player said they are ready for the next game.
    pub ready: bool,
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

/// The text of a game's rules loaded while the server runs (a game script), kept once for every
/// room that plays that version: a room started with it is rebuilt with it after a restart,
/// even if the file changed or is gone since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesRecord {
    /// The version: a hash of the text.
    pub version: String,
    /// The game's kind.
    pub kind: String,
    /// The file it came from (for errors).
    pub file: String,
    /// The rules.
    pub source: String,
}

/// A finished game of a room: what it takes to replay it from its move log, and how it ended.
/// Written with the game's end; the leaderboard of a lesson counts these.
#[derive(Debug, Clone, PartialEq)]
pub struct GameRecord {
    /// The room.
    pub room_id: RoomId,
    /// Which game in the room (its moves have this `game_no`).
    pub game_no: u32,
    /// The room's code.
    pub code: String,
    /// Game kind.
    pub game: String,
    /// Its options, as checked.
    pub options: Value,
    /// The seed of its random numbers.
    pub seed: u64,
    /// Who played each seat, in seat order: (player id, name when the game ended).
    pub seats: Vec<(String, String)>,
    /// The winning seat; none for a draw or an abandoned game.
    pub winner: Option<u32>,
    /// How it ended, in words.
    pub reason: String,
    /// A real-time game: its moves are not logged, so it cannot be replayed.
    pub realtime: bool,
    /// When it ended.
    pub ended_ms: u64,
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
    /// An admin removed it: kept here, never sent again.
    pub removed: bool,
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
