//! The in-memory backend: everything in maps behind one lock, every write "durable" at once.
//! For tests and for trying things out; it forgets everything when dropped.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use crate::model::*;
use crate::{ChatStore, DmStore, GameStore, PlayerStore, RoomStore, Store, StoreError, Ticket};

/// The in-memory [`Store`].
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
    /// When set, every write fails (to test how callers handle a failing disk).
    failing: std::sync::atomic::AtomicBool,
}

#[derive(Debug, Default)]
struct Inner {
    players: HashMap<String, PlayerRecord>,
    tokens: HashMap<[u8; 32], TokenRecord>,
    /// by player id
    accounts: HashMap<String, AccountRecord>,
    /// (a, b, seq) -> message
    dms: BTreeMap<(String, String, u64), DmRecord>,
    /// (blocker, blocked)
    blocks: BTreeMap<(String, String), u64>,
    rooms: BTreeMap<RoomId, RoomRecord>,
    /// (room, player) -> member
    members: BTreeMap<(RoomId, String), MemberRecord>,
    /// (room, game_no, ply) -> move
    moves: BTreeMap<(RoomId, u32, u32), MoveRecord>,
    /// (room, seq) -> message
    chat: BTreeMap<(RoomId, u64), ChatRecord>,
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

    fn write(&self, f: impl FnOnce(&mut Inner) -> Result<(), StoreError>) -> Ticket {
        if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            return Ticket::ready(Err(StoreError::Database("writes are failing (test)".into())));
        }
        Ticket::ready(f(&mut self.inner.lock().expect("memory store lock")))
    }

    fn read<T>(&self, f: impl FnOnce(&Inner) -> T) -> T {
        f(&self.inner.lock().expect("memory store lock"))
    }
}

fn conflict(what: &str) -> StoreError {
    StoreError::Database(format!("UNIQUE constraint failed: {what}"))
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
    fn create_player(&self, player: &PlayerRecord, token: &TokenRecord) -> Ticket {
        self.write(|inner| {
            if inner.players.contains_key(&player.id) || inner.tokens.contains_key(&token.hash) {
                return Err(conflict("players"));
            }
            inner.players.insert(player.id.clone(), player.clone());
            inner.tokens.insert(token.hash, token.clone());
            Ok(())
        })
    }

    fn rename_player(&self, player_id: &str, name: &str) -> Ticket {
        self.write(|inner| {
            if let Some(p) = inner.players.get_mut(player_id) {
                p.name = name.to_owned();
            }
            Ok(())
        })
    }

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

    fn add_token(&self, token: &TokenRecord) -> Ticket {
        self.write(|inner| {
            if inner.tokens.contains_key(&token.hash) {
                return Err(conflict("tokens"));
            }
            inner.tokens.insert(token.hash, token.clone());
            Ok(())
        })
    }

    fn revoke_token(&self, token_hash: &[u8; 32]) -> Ticket {
        self.write(|inner| {
            inner.tokens.remove(token_hash);
            Ok(())
        })
    }

    fn create_account(&self, account: &AccountRecord) -> Ticket {
        self.write(|inner| {
            if inner.accounts.contains_key(&account.player_id)
                || inner.accounts.values().any(|a| a.username == account.username)
            {
                return Err(conflict("accounts"));
            }
            inner.accounts.insert(account.player_id.clone(), account.clone());
            Ok(())
        })
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

impl DmStore for MemoryStore {
    fn append_dm(&self, dm: &DmRecord) -> Ticket {
        self.write(|inner| {
            let duplicate = dm_range(inner, &dm.a, &dm.b).any(|d| {
                d.seq == dm.seq || (d.sender == dm.sender && d.client_msg_id == dm.client_msg_id)
            });
            if duplicate {
                return Err(conflict("dms"));
            }
            inner.dms.insert((dm.a.clone(), dm.b.clone(), dm.seq), dm.clone());
            Ok(())
        })
    }

    fn mark_delivered(&self, a: &str, b: &str, recipient: &str, seq: u64, ts_ms: u64) -> Ticket {
        self.write(|inner| {
            let range = (a.to_owned(), b.to_owned(), 0)..=(a.to_owned(), b.to_owned(), seq);
            for (_, d) in inner.dms.range_mut(range) {
                if d.recipient() == recipient && d.delivered_ms.is_none() {
                    d.delivered_ms = Some(ts_ms);
                }
            }
            Ok(())
        })
    }

    fn mark_read(&self, a: &str, b: &str, reader: &str, seq: u64, ts_ms: u64) -> Ticket {
        self.write(|inner| {
            let range = (a.to_owned(), b.to_owned(), 0)..=(a.to_owned(), b.to_owned(), seq);
            for (_, d) in inner.dms.range_mut(range) {
                if d.recipient() == reader && d.read_ms.is_none() {
                    d.read_ms = Some(ts_ms);
                    d.delivered_ms.get_or_insert(ts_ms);
                }
            }
            Ok(())
        })
    }

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

    fn undelivered(&self, recipient: &str) -> Result<Vec<DmRecord>, StoreError> {
        Ok(self.read(|inner| {
            let mut out: Vec<DmRecord> = inner
                .dms
                .values()
                .filter(|d| d.recipient() == recipient && d.delivered_ms.is_none())
                .cloned()
                .collect();
            out.sort_by(|x, y| (x.ts_ms, &x.a, &x.b, x.seq).cmp(&(y.ts_ms, &y.a, &y.b, y.seq)));
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

    fn set_block(&self, blocker: &str, blocked: &str, on: bool, ts_ms: u64) -> Ticket {
        self.write(|inner| {
            let key = (blocker.to_owned(), blocked.to_owned());
            if on {
                inner.blocks.entry(key).or_insert(ts_ms);
            } else {
                inner.blocks.remove(&key);
            }
            Ok(())
        })
    }

    fn blocks(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(self.read(|inner| inner.blocks.keys().cloned().collect()))
    }
}

impl RoomStore for MemoryStore {
    fn put_room(&self, room: &RoomRecord) -> Ticket {
        self.write(|inner| {
            if !room.closed
                && inner.rooms.values().any(|r| r.id != room.id && !r.closed && r.code == room.code)
            {
                return Err(conflict("rooms.code"));
            }
            match inner.rooms.get_mut(&room.id) {
                Some(existing) => {
                    existing.host = room.host.clone();
                    existing.phase = room.phase;
                    existing.game_no = room.game_no;
                    existing.seq = room.seq;
                    existing.outcome = room.outcome.clone();
                    existing.closed = room.closed;
                }
                None => {
                    inner.rooms.insert(room.id, room.clone());
                }
            }
            Ok(())
        })
    }

    fn put_member(&self, member: &MemberRecord) -> Ticket {
        self.write(|inner| {
            let key = (member.room_id, member.player_id.clone());
            match inner.members.get_mut(&key) {
                Some(existing) => {
                    existing.role = member.role;
                    existing.seat = member.seat;
                }
                None => {
                    inner.members.insert(key, member.clone());
                }
            }
            Ok(())
        })
    }

    fn remove_member(&self, room: RoomId, player_id: &str) -> Ticket {
        self.write(|inner| {
            inner.members.remove(&(room, player_id.to_owned()));
            Ok(())
        })
    }

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
    fn append_move(&self, mv: &MoveRecord) -> Ticket {
        self.write(|inner| {
            let key = (mv.room_id, mv.game_no, mv.ply);
            if inner.moves.contains_key(&key) {
                return Err(conflict("moves"));
            }
            inner.moves.insert(key, mv.clone());
            Ok(())
        })
    }

    fn moves(&self, room: RoomId, game_no: u32) -> Result<Vec<MoveRecord>, StoreError> {
        Ok(self.read(|inner| moves_in(inner, room, game_no)))
    }
}

impl ChatStore for MemoryStore {
    fn append_chat(&self, msg: &ChatRecord) -> Ticket {
        self.write(|inner| {
            let key = (msg.room_id, msg.seq);
            if inner.chat.contains_key(&key) {
                return Err(conflict("chat"));
            }
            inner.chat.insert(key, msg.clone());
            Ok(())
        })
    }

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
    fn flush(&self) -> Ticket {
        Ticket::ready(Ok(()))
    }

    fn check(&self) -> Result<(), StoreError> {
        Ok(())
    }
}
