//! The in-memory backend: everything in maps behind one lock, every write "durable" at once.
//! For tests and for trying things out; it forgets everything when dropped. It can be told to
//! fail every write ([`MemoryStore::fail_writes`]), to test how callers cope with a failing disk.
//!
//! # Layout
//! - this file: the state and the reads.
//! - [`apply`]: the writes.

mod apply;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use crate::model::*;
use crate::write::FailedChains;
use crate::{
    AdminStore, ChatStore, DmStore, GameStore, PlayerStore, RoomStore, Store, StoreError, Ticket,
    WriteBatch,
};

/// The in-memory [`Store`].
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
    /// Chains with a failed batch (see [`crate::write`]).
    failed: Mutex<FailedChains>,
    /// When set, every write fails (to test how callers handle a failing disk).
    failing: std::sync::atomic::AtomicBool,
}

#[derive(Debug, Default, Clone)]
struct Inner {
    players: HashMap<String, PlayerRecord>,
    /// When each player was last seen.
    seen: HashMap<String, u64>,
    tokens: HashMap<[u8; 32], TokenRecord>,
    /// by player id
    accounts: HashMap<String, AccountRecord>,
    /// (a, b, seq) -> message
    dms: BTreeMap<(String, String, u64), DmRecord>,
    /// (blocker, blocked)
    blocks: BTreeMap<(String, String), u64>,
    /// (player, device) to the key.
    device_keys: BTreeMap<(String, String), DeviceKeyRecord>,
    rooms: BTreeMap<RoomId, RoomRecord>,
    /// (room, player) -> member
    members: BTreeMap<(RoomId, String), MemberRecord>,
    /// (room, game_no, ply) -> move
    moves: BTreeMap<(RoomId, u32, u32), MoveRecord>,
    /// (room, game_no) -> finished game
    games: BTreeMap<(RoomId, u32), GameRecord>,
    /// (room, seq) -> message
    chat: BTreeMap<(RoomId, u64), ChatRecord>,
    /// Admins' player ids.
    admins: HashSet<String>,
    /// The audit log, oldest first.
    audit: Vec<AuditRecord>,
    /// Server-wide switches that are on.
    flags: std::collections::BTreeSet<String>,
    rules: HashMap<String, RulesRecord>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// From now on, every write fails (`true`) or works again (`false`): for testing how the
    /// server copes with a failing disk.
    pub fn fail_writes(&self, failing: bool) {
        self.failing.store(failing, std::sync::atomic::Ordering::SeqCst);
    }

    fn read<T>(&self, f: impl FnOnce(&Inner) -> T) -> T {
        f(&self.inner.lock().expect("memory store lock"))
    }
}

fn chat_before_in(
    inner: &Inner,
    room: RoomId,
    before: Option<u64>,
    limit: usize,
) -> Vec<ChatRecord> {
    let end = before.unwrap_or(u64::MAX);
    let mut page: Vec<ChatRecord> = inner
        .chat
        .range((room, 0)..(room, end))
        .rev()
        .take(limit)
        .map(|(_, c)| c.clone())
        .collect();
    page.reverse();
    page
}

impl PlayerStore for MemoryStore {
    fn player_by_token(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<(PlayerRecord, TokenRecord)>, StoreError> {
        Ok(self.read(|inner| {
            let token = inner.tokens.get(token_hash)?;
            let player = inner.players.get(&token.player_id)?;
            Some((player.clone(), token.clone()))
        }))
    }

    fn player(&self, player_id: &str) -> Result<Option<PlayerRecord>, StoreError> {
        Ok(self.read(|inner| inner.players.get(player_id).cloned()))
    }

    fn account_by_username(&self, username: &str) -> Result<Option<AccountRecord>, StoreError> {
        Ok(self.read(|inner| inner.accounts.values().find(|a| a.username == username).cloned()))
    }

    fn account_of(&self, player_id: &str) -> Result<Option<AccountRecord>, StoreError> {
        Ok(self.read(|inner| inner.accounts.get(player_id).cloned()))
    }
}

fn dm_range<'a>(
    inner: &'a Inner,
    a: &str,
    b: &str,
) -> impl DoubleEndedIterator<Item = &'a DmRecord> {
    let (a, b) = (a.to_owned(), b.to_owned());
    inner.dms.range((a.clone(), b.clone(), 0)..=(a, b, u64::MAX)).map(|(_, d)| d)
}

impl AdminStore for MemoryStore {
    fn is_admin(&self, player_id: &str) -> Result<bool, StoreError> {
        Ok(self.read(|inner| inner.admins.contains(player_id)))
    }

    fn audit(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        Ok(self.read(|inner| inner.audit.iter().rev().take(limit).cloned().collect()))
    }

    fn latest_audit(&self, action: &str) -> Result<Option<AuditRecord>, StoreError> {
        Ok(self.read(|inner| inner.audit.iter().rev().find(|a| a.action == action).cloned()))
    }

    fn flags(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.read(|inner| inner.flags.iter().cloned().collect()))
    }
}

impl DmStore for MemoryStore {
    fn dms_before(
        &self,
        a: &str,
        b: &str,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<DmRecord>, StoreError> {
        Ok(self.read(|inner| {
            let end = before.unwrap_or(u64::MAX);
            let mut page: Vec<DmRecord> =
                dm_range(inner, a, b).rev().filter(|d| d.seq < end).take(limit).cloned().collect();
            page.reverse();
            page
        }))
    }

    fn dms_after(
        &self,
        a: &str,
        b: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<DmRecord>, StoreError> {
        Ok(self.read(|inner| {
            dm_range(inner, a, b).filter(|d| d.seq > after).take(limit).cloned().collect()
        }))
    }

    fn recent_dms(&self, limit: usize) -> Result<Vec<DmRecord>, StoreError> {
        Ok(self.read(|inner| {
            let mut all: Vec<DmRecord> = inner.dms.values().cloned().collect();
            all.sort_by(|x, y| (y.ts_ms, &x.a, &x.b, y.seq).cmp(&(x.ts_ms, &y.a, &y.b, x.seq)));
            all.truncate(limit);
            all
        }))
    }

    fn waiting_recipients(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.read(|inner| {
            let waiting: std::collections::BTreeSet<String> = inner
                .dms
                .values()
                .filter(|d| d.delivered_ms.is_none())
                .map(|d| d.recipient().to_owned())
                .collect();
            waiting.into_iter().collect()
        }))
    }

    fn undelivered(&self, recipient: &str, limit: usize) -> Result<Vec<DmRecord>, StoreError> {
        Ok(self.read(|inner| {
            let mut out: Vec<DmRecord> = inner
                .dms
                .values()
                .filter(|d| d.recipient() == recipient && d.delivered_ms.is_none())
                .cloned()
                .collect();
            out.sort_by(|x, y| (x.ts_ms, &x.a, &x.b, x.seq).cmp(&(y.ts_ms, &y.a, &y.b, y.seq)));
            out.truncate(limit);
            out
        }))
    }

    fn conversations(&self, player: &str) -> Result<Vec<ConversationRecord>, StoreError> {
        Ok(self.read(|inner| {
            let mut by_pair: BTreeMap<(String, String), ConversationRecord> = BTreeMap::new();
            for d in inner.dms.values().filter(|d| d.a == player || d.b == player) {
                let other = if d.a == player { d.b.clone() } else { d.a.clone() };
                let entry = by_pair.entry((d.a.clone(), d.b.clone())).or_insert_with(|| {
                    ConversationRecord {
                        other_name: inner
                            .players
                            .get(&other)
                            .map(|p| p.name.clone())
                            .unwrap_or_default(),
                        other,
                        last: d.clone(),
                        unread: 0,
                    }
                });
                if d.seq >= entry.last.seq {
                    entry.last = d.clone();
                }
                if d.recipient() == player && d.read_ms.is_none() {
                    entry.unread += 1;
                }
            }
            let mut list: Vec<ConversationRecord> = by_pair.into_values().collect();
            list.sort_by_key(|c| std::cmp::Reverse(c.last.ts_ms));
            list
        }))
    }

    fn conversation_seqs(&self) -> Result<Vec<ConversationSeq>, StoreError> {
        Ok(self.read(|inner| {
            let mut seqs: BTreeMap<(String, String), u64> = BTreeMap::new();
            for d in inner.dms.values() {
                let seq = seqs.entry((d.a.clone(), d.b.clone())).or_insert(0);
                *seq = (*seq).max(d.seq);
            }
            seqs.into_iter().collect()
        }))
    }

    fn device_keys(&self) -> Result<Vec<DeviceKeyRecord>, StoreError> {
        Ok(self.read(|inner| {
            let mut keys: Vec<DeviceKeyRecord> = inner.device_keys.values().cloned().collect();
            keys.sort_by(|x, y| {
                (&x.player_id, x.since_ms, &x.device).cmp(&(&y.player_id, y.since_ms, &y.device))
            });
            keys
        }))
    }

    fn blocks(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self.read(|inner| inner.blocks.keys().cloned().collect()))
    }
}

impl RoomStore for MemoryStore {
    fn open_rooms(&self, recent_chat: usize) -> Result<Vec<StoredRoom>, StoreError> {
        Ok(self.read(|inner| {
            inner
                .rooms
                .values()
                .filter(|r| !r.closed)
                .map(|room| stored_room(inner, room, recent_chat))
                .collect()
        }))
    }

    fn load_room(
        &self,
        room: RoomId,
        recent_chat: usize,
    ) -> Result<Option<StoredRoom>, StoreError> {
        Ok(self.read(|inner| inner.rooms.get(&room).map(|r| stored_room(inner, r, recent_chat))))
    }

    fn rooms_of_player(&self, player_id: &str) -> Result<Vec<RoomRecord>, StoreError> {
        Ok(self.read(|inner| {
            inner
                .rooms
                .values()
                .filter(|r| !r.closed && inner.members.contains_key(&(r.id, player_id.to_owned())))
                .cloned()
                .collect()
        }))
    }
}

fn stored_room(inner: &Inner, room: &RoomRecord, recent_chat: usize) -> StoredRoom {
    let mut members: Vec<(MemberRecord, String)> = inner
        .members
        .values()
        .filter(|m| m.room_id == room.id)
        .map(|m| {
            let name = inner.players.get(&m.player_id).map(|p| p.name.clone()).unwrap_or_default();
            (m.clone(), name)
        })
        .collect();
    members.sort_by(|(a, _), (b, _)| (a.joined_ms, &a.player_id).cmp(&(b.joined_ms, &b.player_id)));
    let moves = if room.game_no > 0 { moves_in(inner, room.id, room.game_no) } else { vec![] };
    StoredRoom {
        room: room.clone(),
        members,
        moves,
        chat: chat_before_in(inner, room.id, None, recent_chat),
    }
}

fn moves_in(inner: &Inner, room: RoomId, game_no: u32) -> Vec<MoveRecord> {
    inner
        .moves
        .range((room, game_no, 0)..=(room, game_no, u32::MAX))
        .map(|(_, m)| m.clone())
        .collect()
}

impl GameStore for MemoryStore {
    fn moves(&self, room: RoomId, game_no: u32) -> Result<Vec<MoveRecord>, StoreError> {
        Ok(self.read(|inner| moves_in(inner, room, game_no)))
    }

    fn finished_game(
        &self,
        room: RoomId,
        game_no: Option<u32>,
    ) -> Result<Option<GameRecord>, StoreError> {
        Ok(self.read(|inner| {
            let mut games = inner.games.range((room, 0)..=(room, u32::MAX)).map(|(_, g)| g);
            match game_no {
                Some(n) => games.find(|g| g.game_no == n).cloned(),
                None => games.next_back().cloned(),
            }
        }))
    }

    fn games_since(&self, since_ms: u64, limit: usize) -> Result<Vec<GameRecord>, StoreError> {
        Ok(self.read(|inner| {
            let mut games: Vec<GameRecord> =
                inner.games.values().filter(|g| g.ended_ms >= since_ms).cloned().collect();
            games.sort_by_key(|g| g.ended_ms);
            games.truncate(limit);
            games
        }))
    }

    fn rules(&self, version: &str) -> Result<Option<RulesRecord>, StoreError> {
        Ok(self.read(|inner| inner.rules.get(version).cloned()))
    }
}

impl ChatStore for MemoryStore {
    fn chat_before(
        &self,
        room: RoomId,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<ChatRecord>, StoreError> {
        Ok(self.read(|inner| chat_before_in(inner, room, before, limit)))
    }

    fn chat_after(
        &self,
        room: RoomId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<ChatRecord>, StoreError> {
        Ok(self.read(|inner| {
            inner
                .chat
                .range((room, after.saturating_add(1))..=(room, u64::MAX))
                .take(limit)
                .map(|(_, c)| c.clone())
                .collect()
        }))
    }
}

impl Store for MemoryStore {
    fn commit(&self, batch: WriteBatch) -> Ticket {
        let mut failed = self.failed.lock().expect("memory store lock");
        if !failed.admits(batch.chain()) {
            return Ticket::ready(Err(StoreError::Skipped));
        }
        if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            failed.fail(batch.chain());
            return Ticket::ready(Err(StoreError::Database("writes are failing (test)".into())));
        }
        let mut inner = self.inner.lock().expect("memory store lock");
        let result = match batch.writes() {
            [only] => apply::apply(&mut inner, only),
            writes => {
                // All or nothing: work on a copy, keep it only if every write applied.
                let mut copy = inner.clone();
                let applied = writes.iter().try_for_each(|w| apply::apply(&mut copy, w));
                if applied.is_ok() {
                    *inner = copy;
                }
                applied
            }
        };
        if result.is_err() {
            failed.fail(batch.chain());
        }
        Ticket::ready(result)
    }

    fn flush(&self) -> Ticket {
        if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            return Ticket::ready(Err(StoreError::Database("writes are failing (test)".into())));
        }
        Ticket::ready(Ok(()))
    }

    fn check(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn writable(&self) -> bool {
        !self.failing.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn reads_block(&self) -> bool {
        false
    }
}
