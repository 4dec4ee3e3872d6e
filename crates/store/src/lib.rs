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
    ChatRecord, MemberRecord, MoveRecord, PlayerRecord, RoomId, RoomRecord, StoredRoom,
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

/// Players and their resume-token hashes.
pub trait PlayerStore: Send + Sync {
    /// Stores a new player.
    fn create_player(&self, player: &PlayerRecord) -> Ticket;
    /// Changes a player's display name.
    fn rename_player(&self, player_id: &str, name: &str) -> Ticket;
    /// The player whose token hashes to `token_hash`.
    fn player_by_token(&self, token_hash: &[u8; 32]) -> Result<Option<PlayerRecord>, StoreError>;
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
    /// Stores a chat message. A second message with the same room, sender and `client_msg_id`
    /// is refused.
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
pub trait Store: PlayerStore + RoomStore + GameStore + ChatStore {
    /// Resolves once every write queued before it is durable.
    fn flush(&self) -> Ticket;
    /// Whether the database answers a read.
    fn check(&self) -> Result<(), StoreError>;
}
