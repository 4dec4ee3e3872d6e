//! Writes: what can be stored ([`Write`]), batches that become durable together
//! ([`WriteBatch`]), and chains of batches that must land in order ([`Chain`]).
//!
//! A batch is all or nothing: every write in it is committed in one transaction, or none is (a
//! refused write, such as a taken username, refuses its whole batch with
//! [`StoreError::Conflict`](crate::StoreError::Conflict)). A store may commit several batches in
//! one transaction (group commit), but never splits one.
//!
//! A chain is a sequence of batches from one owner (a room, the direct-message hub), each built
//! on the state the ones before it left. If one of them fails, the store refuses every later
//! batch of the same chain with [`StoreError::Skipped`](crate::StoreError::Skipped) until the
//! owner [restarts](Chain::restarted) it (after reloading what the store holds). So the disk
//! always holds a prefix of what each owner asked for, even when writes fail for a while and then
//! work again (a disk that filled up and was cleared).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::model::{
    AccountRecord, AuditRecord, ChatRecord, DeviceKeyRecord, DmRecord, GameRecord, MemberRecord,
    MoveRecord, PlayerRecord, RoomId, RoomRecord, RulesRecord, TokenRecord,
};

/// One change to the stored state.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// A new player with its first token. A taken id or token hash is a conflict.
    CreatePlayer(PlayerRecord, TokenRecord),
    /// A player's new display name.
    RenamePlayer {
        /// The player.
        id: String,
        /// The new name.
        name: String,
    },
    /// A player was seen (said hello, or left): guests unseen for long enough expire.
    SeenPlayer {
        /// The player.
        id: String,
        /// When.
        seen_ms: u64,
    },
    /// Forget guests (players without an account, in no open room) not seen since
    /// `seen_before_ms`, with their tokens, device keys and memberships of closed rooms: at most
    /// `limit` of them.
    ExpireGuests {
        /// Guests last seen before this expire.
        seen_before_ms: u64,
        /// At most this many in one write (keeps one transaction short).
        limit: u32,
    },
    /// Another token for a player (a login on a new device).
    AddToken(TokenRecord),
    /// A token stops working.
    RevokeToken([u8; 32]),
    /// An account for a player. A taken username (or a player who has one) is a conflict.
    CreateAccount(AccountRecord),
    /// A direct message. The same (conversation, seq) or (conversation, sender,
    /// `client_msg_id`) twice is a conflict.
    AppendDm(DmRecord),
    /// Messages to `recipient` in conversation (a, b) up to `seq` were delivered (or read) at
    /// `ts_ms`.
    MarkDm {
        /// The smaller player id of the conversation.
        a: String,
        /// The larger player id.
        b: String,
        /// Whose messages (to whom).
        recipient: String,
        /// Up to this seq.
        seq: u64,
        /// When.
        ts_ms: u64,
        /// Read (`true`) or only delivered (`false`).
        read: bool,
    },
    /// A device publishes its key (or says again that it uses it: `seen_ms` moves on). `evict`:
    /// a device of the same player whose key goes, to keep within the limit per player.
    PutDeviceKey {
        /// The key.
        key: DeviceKeyRecord,
        /// A device of the same player to forget.
        evict: Option<String>,
    },
    /// `blocker` blocks (`on`) or no longer blocks `blocked`.
    SetBlock {
        /// Who blocks.
        blocker: String,
        /// Whom.
        blocked: String,
        /// Block or unblock.
        on: bool,
        /// When.
        ts_ms: u64,
    },
    /// Creates or updates a room's row. Two open rooms with one code is a conflict.
    PutRoom(RoomRecord),
    /// Adds a member or changes their role or seat.
    PutMember(MemberRecord),
    /// Removes a member from a room.
    RemoveMember {
        /// The room.
        room_id: RoomId,
        /// The player.
        player_id: String,
    },
    /// Appends a move to its game's log. The same (room, game, ply) twice is a conflict.
    AppendMove(MoveRecord),
    /// Records a finished game (replacing an earlier record of the same room and game).
    RecordGame(GameRecord),
    /// Keeps a version of a game's rules (once: the same version again changes nothing).
    KeepRules(RulesRecord),
    /// Stores a chat message. The same (room, seq) twice is a conflict.
    AppendChat(ChatRecord),
    /// Marks a chat message removed (an admin's): it stays stored but is never sent again.
    RemoveChat {
        /// The room.
        room_id: RoomId,
        /// The message's seq.
        seq: u64,
    },
    /// Makes an account's player an admin (`admin`), or no longer one.
    SetAdmin {
        /// The player.
        player_id: String,
        /// Admin or not.
        admin: bool,
        /// When.
        ts_ms: u64,
    },
    /// Appends an entry to the audit log.
    AppendAudit(AuditRecord),
    /// Sets a server-wide switch (`"chat_off"`, `"joins_paused"`).
    SetFlag {
        /// Which.
        key: String,
        /// On or off.
        on: bool,
    },
}

/// Writes that become durable together, or not at all.
#[derive(Debug, Default)]
pub struct WriteBatch {
    chain: Option<Chain>,
    writes: Vec<Write>,
}

impl WriteBatch {
    /// An empty batch that belongs to no chain.
    pub fn new() -> Self {
        WriteBatch::default()
    }

    /// An empty batch of `chain`.
    pub fn on(chain: Chain) -> Self {
        WriteBatch { chain: Some(chain), writes: Vec::new() }
    }

    /// Adds a write.
    pub fn push(&mut self, write: Write) {
        self.writes.push(write);
    }

    /// The writes, in order.
    pub fn writes(&self) -> &[Write] {
        &self.writes
    }

    /// How many writes.
    pub fn len(&self) -> usize {
        self.writes.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// The chain the batch belongs to.
    pub fn chain(&self) -> Option<Chain> {
        self.chain
    }

    /// Moves the batch into `chain` (a pipeline fills batches before it knows which epoch of its
    /// chain they will be submitted in).
    pub fn set_chain(&mut self, chain: Option<Chain>) {
        self.chain = chain;
    }
}

impl From<Write> for WriteBatch {
    fn from(write: Write) -> Self {
        WriteBatch { chain: None, writes: vec![write] }
    }
}

/// The identity of an owner's sequence of batches, and which attempt (epoch) it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chain {
    id: u64,
    epoch: u32,
}

static NEXT_CHAIN: AtomicU64 = AtomicU64::new(1);

impl Chain {
    /// A chain no other owner in this process has.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Chain { id: NEXT_CHAIN.fetch_add(1, Ordering::Relaxed), epoch: 0 }
    }

    /// The same chain after a failure: its batches are accepted again. The owner calls this once
    /// it has put its memory back in line with what the store holds.
    pub fn restarted(self) -> Self {
        Chain { id: self.id, epoch: self.epoch.saturating_add(1) }
    }
}

/// Chains with a failed batch whose owner has not restarted them yet. Shared by the backends.
#[derive(Debug, Default)]
pub(crate) struct FailedChains {
    /// chain id -> the epoch that failed.
    failed: HashMap<u64, u32>,
}

/// Chains remembered as failed at most; past it the oldest knowledge is dropped (an owner that
/// never restarts its chain, such as a room that closed, should not hold memory for ever).
const MAX_FAILED_CHAINS: usize = 10_000;

impl FailedChains {
    /// Whether a batch of `chain` may be tried; forgets a failure once its chain restarted.
    pub(crate) fn admits(&mut self, chain: Option<Chain>) -> bool {
        let Some(chain) = chain else { return true };
        match self.failed.get(&chain.id) {
            Some(&epoch) if chain.epoch <= epoch => false,
            Some(_) => {
                self.failed.remove(&chain.id);
                true
            }
            None => true,
        }
    }

    /// Records that a batch of `chain` failed: its later batches are skipped.
    pub(crate) fn fail(&mut self, chain: Option<Chain>) {
        let Some(chain) = chain else { return };
        if self.failed.len() >= MAX_FAILED_CHAINS {
            tracing::warn!("too many failed write chains remembered; forgetting them");
            self.failed.clear();
        }
        self.failed.insert(chain.id, chain.epoch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_chain_is_skipped_until_restarted() {
        let mut failed = FailedChains::default();
        let (a, b) = (Chain::new(), Chain::new());
        assert!(failed.admits(Some(a)) && failed.admits(None));
        failed.fail(Some(a));
        assert!(!failed.admits(Some(a)), "later batches of the chain are skipped");
        assert!(failed.admits(Some(b)), "other chains go on");
        assert!(failed.admits(None), "so do batches of no chain");
        failed.fail(None);
        let a2 = a.restarted();
        assert!(failed.admits(Some(a2)), "the owner restarted the chain");
        assert!(failed.admits(Some(a2)));
        assert!(failed.failed.is_empty(), "and the failure is forgotten");
    }
}
