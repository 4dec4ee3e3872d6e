//! Capital's durable state, behind one trait per domain.
//!
//! The rooms and the session code only see the traits ([`PlayerStore`], [`RoomStore`],
//! [`GameStore`], [`ChatStore`], gathered in [`Store`]); the backend behind them is chosen once, at
//! start. [`SqliteStore`] is the default: one SQLite file in WAL mode, written by a single thread
//! that batches every write queued meanwhile into one transaction (group commit) and fsyncs it
//! before any caller hears "done". [`MemoryStore`] keeps everything in maps, for tests. A
//! Postgres backend would be a third implementation of the same traits.
//!
//! Writes return a [`Ticket`]: a future that resolves once the write is durable (or failed).
//! Nothing may be acknowledged to a client before its ticket resolves `Ok`. Reads are plain
//! blocking calls; async callers run them on a blocking thread.
//!
//! # Layout
//! - [`model`]: the records that are stored.
//! - [`ticket`]: [`Ticket`], the "durable now" future.
//! - [`sqlite`]: the SQLite backend, its schema and the group-commit writer.
//! - [`memory`]: the in-memory backend.

pub mod memory;
pub mod model;
pub mod sqlite;
pub mod ticket;

pub use memory::MemoryStore;
pub use model::{
    AccountRecord, ChatRecord, ConversationRecord, ConversationSeq, DmRecord, MemberRecord,
    MoveRecord, PlayerRecord, RoomId, RoomRecord, StoredRoom, TokenRecord, conversation,
};
pub use sqlite::SqliteStore;
pub use ticket::Ticket;

/// A storage failure. The operation it answers did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed (disk full, I/O error, constraint).
    #[error("database error: {0}")]
    Database(String),
    /// A stored value could not be read back (corrupt or from a newer version).
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// The store has shut down and takes no more writes.
    #[error("the store is closed")]
    Closed,
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        StoreError::Database(err.to_string())
    }
}

/// Players, their tokens, and accounts.
pub trait PlayerStore: Send + Sync {
    /// Stores a new player with its first token.
    fn create_player(&self, player: &PlayerRecord, token: &TokenRecord) -> Ticket;
    /// Changes a player's display name.
    fn rename_player(&self, player_id: &str, name: &str) -> Ticket;
    /// The player a token belongs to, with the token (whose expiry the caller checks).
    fn player_by_token(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<(PlayerRecord, TokenRecord)>, StoreError>;
    /// The player with this id.
    fn player(&self, player_id: &str) -> Result<Option<PlayerRecord>, StoreError>;
    /// Stores another token for a player (a login on a new device).
    fn add_token(&self, token: &TokenRecord) -> Ticket;
    /// Makes a token stop working.
    fn revoke_token(&self, token_hash: &[u8; 32]) -> Ticket;
    /// Registers an account. A taken username (or a player who has one) is refused.
    fn create_account(&self, account: &AccountRecord) -> Ticket;
    /// The account with this username (lower case).
    fn account_by_username(&self, username: &str) -> Result<Option<AccountRecord>, StoreError>;
    /// The account of a player, if they registered.
    fn account_of(&self, player_id: &str) -> Result<Option<AccountRecord>, StoreError>;
}

/// Direct messages between players, and who blocked whom.
pub trait DmStore: Send + Sync {
    /// Stores a message. The same (conversation, sender, `client_msg_id`) twice is refused.
    fn append_dm(&self, dm: &DmRecord) -> Ticket;
    /// Marks the messages to `recipient` in conversation (a, b) up to `seq` delivered at `ts`.
    fn mark_delivered(&self, a: &str, b: &str, recipient: &str, seq: u64, ts_ms: u64) -> Ticket;
    /// Marks the messages to `reader` in conversation (a, b) up to `seq` read at `ts`.
    fn mark_read(&self, a: &str, b: &str, reader: &str, seq: u64, ts_ms: u64) -> Ticket;
    /// Up to `limit` messages of (a, b) below `before` (all if `None`), the newest such, oldest
    /// first.
    fn dms_before(
        &self,
        a: &str,
        b: &str,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<DmRecord>, StoreError>;
    /// Up to `limit` messages of (a, b) above `after`, oldest first.
    fn dms_after(
        &self,
        a: &str,
        b: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<DmRecord>, StoreError>;
    /// The `limit` most recent messages of all conversations, newest first.
    fn recent_dms(&self, limit: usize) -> Result<Vec<DmRecord>, StoreError>;
    /// Every player with messages not yet delivered.
    fn waiting_recipients(&self) -> Result<Vec<String>, StoreError>;
    /// Every message to `recipient` not yet delivered, in the order sent.
    fn undelivered(&self, recipient: &str) -> Result<Vec<DmRecord>, StoreError>;
    /// `player`'s conversations, most recent first.
    fn conversations(&self, player: &str) -> Result<Vec<ConversationRecord>, StoreError>;
    /// The latest seq of every conversation: ((a, b), seq).
    fn conversation_seqs(&self) -> Result<Vec<ConversationSeq>, StoreError>;
    /// Records that `blocker` blocks (`true`) or no longer blocks (`false`) `blocked`.
    fn set_block(&self, blocker: &str, blocked: &str, on: bool, ts_ms: u64) -> Ticket;
    /// Every block: (blocker, blocked).
    fn blocks(&self) -> Result<Vec<(String, String)>, StoreError>;
}

/// Rooms and their members.
pub trait RoomStore: Send + Sync {
    /// Creates or updates a room's row (code, phase, game number, host, sequence, outcome).
    fn put_room(&self, room: &RoomRecord) -> Ticket;
    /// Adds a member or changes their role or seat.
    fn put_member(&self, member: &MemberRecord) -> Ticket;
    /// Removes a member from a room.
    fn remove_member(&self, room: RoomId, player_id: &str) -> Ticket;
    /// Every room not closed, with its members, the move log of its current game and its recent
    /// chat: what a server needs to carry on after a restart.
    fn open_rooms(&self, recent_chat: usize) -> Result<Vec<StoredRoom>, StoreError>;
    /// One room (open or not) as [`RoomStore::open_rooms`] would return it.
    fn load_room(&self, room: RoomId, recent_chat: usize)
    -> Result<Option<StoredRoom>, StoreError>;
    /// The open rooms `player_id` is a member of.
    fn rooms_of_player(&self, player_id: &str) -> Result<Vec<RoomRecord>, StoreError>;
}

/// Move logs, one per game played in a room.
pub trait GameStore: Send + Sync {
    /// Appends a move to its game's log.
    fn append_move(&self, mv: &MoveRecord) -> Ticket;
    /// The log of game `game_no` in `room`, in play order.
    fn moves(&self, room: RoomId, game_no: u32) -> Result<Vec<MoveRecord>, StoreError>;
}

/// Room chat.
pub trait ChatStore: Send + Sync {
    /// Stores a chat message. A second message with the same room and `seq` is refused.
    /// Recognizing a retried `client_msg_id` is the room's job, not the store's.
    fn append_chat(&self, msg: &ChatRecord) -> Ticket;
    /// Up to `limit` messages of `room` with `seq` below `before` (all, if `None`): the newest
    /// such, returned oldest first.
    fn chat_before(
        &self,
        room: RoomId,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<ChatRecord>, StoreError>;
    /// Up to `limit` messages of `room` with `seq` above `after`, oldest first.
    fn chat_after(
        &self,
        room: RoomId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<ChatRecord>, StoreError>;
}

/// Every domain together: what the server holds.
pub trait Store: PlayerStore + RoomStore + GameStore + ChatStore + DmStore {
    /// Resolves once every write queued before it is durable.
    fn flush(&self) -> Ticket;
    /// Whether the database answers a read.
    fn check(&self) -> Result<(), StoreError>;
}
