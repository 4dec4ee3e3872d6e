//! Capital's durable state, behind one trait per domain.
//!
//! The rooms and the session code only see the traits ([`PlayerStore`], [`RoomStore`],
//! [`GameStore`], [`ChatStore`], [`DmStore`] for reads, gathered in [`Store`] with the one way to
//! write: [`Store::commit`]); the backend behind them is chosen once, at start. [`SqliteStore`]
//! is the default: one SQLite file in WAL mode, written by a single thread that commits every
//! batch queued meanwhile in one transaction (group commit) and fsyncs it before any caller
//! hears "done". [`PostgresStore`] keeps it in PostgreSQL, for several nodes sharing one
//! database. [`MemoryStore`] keeps everything in maps, for tests.
//!
//! Writes travel in a [`WriteBatch`]: all of it becomes durable, or none of it. Committing
//! returns a [`Ticket`]: a future that resolves once the batch is durable (or failed). Nothing
//! may be acknowledged to a client before its ticket resolves `Ok`. Batches of one owner form a
//! [`Chain`]: after one fails, the later ones are skipped until the owner restarts the chain, so
//! the disk holds a prefix of what each owner asked for. A store whose disk failed keeps trying:
//! writes resume by themselves once they can (see [`Store::writable`]). Reads are plain blocking
//! calls; async callers run them on a blocking thread.
//!
//! # Layout
//! - [`model`]: the records that are stored.
//! - [`write`]: [`Write`], [`WriteBatch`] and [`Chain`].
//! - [`ticket`]: [`Ticket`], the "durable now" future.
//! - `columns`: the column lists and text encodings the SQL backends share.
//! - `group`: what the writers share about a group committed together (which batch is tried,
//!   how each is answered); `health`: whether writes work, as a writer found.
//! - [`sqlite`]: the SQLite backend: schema, the group-commit writer, checkpoints, reads.
//! - [`postgres`]: the PostgreSQL backend: schema, the pipelined group-commit writer, reads.
//! - [`memory`]: the in-memory backend.

mod columns;
mod group;
mod health;
pub mod memory;
pub mod model;
pub mod postgres;
pub mod sqlite;
pub mod ticket;
pub mod write;

pub use memory::MemoryStore;
pub use model::{
    AccountRecord, AuditRecord, ChatRecord, ConversationRecord, ConversationSeq, DeviceKeyRecord,
    DmRecord, GameRecord, MemberRecord, MoveRecord, PlayerRecord, RoomId, RoomRecord, RulesRecord,
    StoredRoom, TokenRecord, conversation,
};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;
pub use ticket::Ticket;
pub use write::{Chain, Write, WriteBatch};

/// A storage failure. The operation it answers did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The database failed (disk full, I/O error). Writes may work again later.
    #[error("database error: {0}")]
    Database(String),
    /// A write was refused by a uniqueness rule (a taken username, a duplicate id): its whole
    /// batch was refused.
    #[error("refused: {0}")]
    Conflict(String),
    /// An earlier batch of the same chain failed, so this one was not tried.
    #[error("not tried: an earlier write of the same owner failed")]
    Skipped,
    /// A stored value could not be read back (corrupt or from a newer version).
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
    /// The store has shut down and takes no more writes.
    #[error("the store is closed")]
    Closed,
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        if sqlite::is_constraint(&err) {
            StoreError::Conflict(err.to_string())
        } else {
            StoreError::Database(err.to_string())
        }
    }
}

/// Players, their tokens, and accounts.
pub trait PlayerStore: Send + Sync {
    /// The player a token belongs to, with the token (whose expiry the caller checks).
    fn player_by_token(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<(PlayerRecord, TokenRecord)>, StoreError>;
    /// The player with this id.
    fn player(&self, player_id: &str) -> Result<Option<PlayerRecord>, StoreError>;
    /// The account with this username (lower case).
    fn account_by_username(&self, username: &str) -> Result<Option<AccountRecord>, StoreError>;
    /// The account of a player, if they registered.
    fn account_of(&self, player_id: &str) -> Result<Option<AccountRecord>, StoreError>;
}

/// Direct messages between players, and who blocked whom.
pub trait DmStore: Send + Sync {
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
    /// The first `limit` messages to `recipient` not yet delivered, in the order sent.
    fn undelivered(&self, recipient: &str, limit: usize) -> Result<Vec<DmRecord>, StoreError>;
    /// `player`'s conversations, most recent first.
    fn conversations(&self, player: &str) -> Result<Vec<ConversationRecord>, StoreError>;
    /// The latest seq of every conversation: ((a, b), seq).
    fn conversation_seqs(&self) -> Result<Vec<ConversationSeq>, StoreError>;
    /// Every block: (blocker, blocked).
    fn blocks(&self) -> Result<Vec<(String, String)>, StoreError>;
    /// Every device key, each player's oldest first.
    fn device_keys(&self) -> Result<Vec<DeviceKeyRecord>, StoreError>;
}

/// Rooms and their members.
pub trait RoomStore: Send + Sync {
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
    /// The log of game `game_no` in `room`, in play order.
    fn moves(&self, room: RoomId, game_no: u32) -> Result<Vec<MoveRecord>, StoreError>;
    /// The record of finished game `game_no` in `room`, or of its latest finished game.
    fn finished_game(
        &self,
        room: RoomId,
        game_no: Option<u32>,
    ) -> Result<Option<GameRecord>, StoreError>;
    /// Up to `limit` games that ended at or after `since_ms` (in any room), oldest first.
    fn games_since(&self, since_ms: u64, limit: usize) -> Result<Vec<GameRecord>, StoreError>;
    /// The rules kept as `version` (see [`RulesRecord`]).
    fn rules(&self, version: &str) -> Result<Option<RulesRecord>, StoreError>;
}

/// Room chat.
pub trait ChatStore: Send + Sync {
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

/// Who administers the server, and what they did.
pub trait AdminStore: Send + Sync {
    /// Whether `player_id` is an admin.
    fn is_admin(&self, player_id: &str) -> Result<bool, StoreError>;
    /// The `limit` newest entries of the audit log, newest first.
    fn audit(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError>;
    /// The newest entry of the audit log with this action (e.g. when the lesson started).
    fn latest_audit(&self, action: &str) -> Result<Option<AuditRecord>, StoreError>;
    /// Every server-wide switch that is on.
    fn flags(&self) -> Result<Vec<String>, StoreError>;
}

/// Every domain together: what the server holds, and the one way to change it.
pub trait Store: PlayerStore + RoomStore + GameStore + ChatStore + DmStore + AdminStore {
    /// Hands a batch to the store; the ticket resolves once all of it is durable, or with why
    /// none of it is. Batches of one chain are committed in the order they were handed over.
    fn commit(&self, batch: WriteBatch) -> Ticket;
    /// Resolves once every batch handed over before it is durable. While the store cannot
    /// write (see [`Store::writable`]) it tries a write of its own, so a flush that succeeds
    /// means writing works.
    fn flush(&self) -> Ticket;
    /// Whether the database answers a read.
    fn check(&self) -> Result<(), StoreError>;
    /// Whether the last transaction committed: false from a failed commit (a full disk) until
    /// the next one that succeeds.
    fn writable(&self) -> bool;
    /// Whether reads block the calling thread (on disk, so async callers move them to a
    /// blocking thread); a store in memory answers at once.
    fn reads_block(&self) -> bool {
        true
    }
}
