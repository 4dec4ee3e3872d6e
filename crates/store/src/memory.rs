//! The in-memory backend: everything in maps behind one lock, every write "durable" at once.
//! For tests and for trying things out; it forgets everything when dropped.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use crate::model::*;
use crate::{ChatStore, GameStore, PlayerStore, RoomStore, Store, StoreError, Ticket};

/// The in-memory [`Store`].
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    players: HashMap<String, PlayerRecord>,
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

    fn write(&self, f: impl FnOnce(&mut Inner) -> Result<(), StoreError>) -> Ticket {
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
    fn create_player(&self, player: &PlayerRecord) -> Ticket {
        self.write(|inner| {
            if inner.players.contains_key(&player.id)
                || inner.players.values().any(|p| p.token_hash == player.token_hash)
            {
                return Err(conflict("players"));
            }
            inner.players.insert(player.id.clone(), player.clone());
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

    fn player_by_token(&self, token_hash: &[u8; 32]) -> Result<Option<PlayerRecord>, StoreError> {
        Ok(self.read(|inner| inner.players.values().find(|p| &p.token_hash == token_hash).cloned()))
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
            let duplicate = inner
                .chat
                .range((msg.room_id, 0)..=(msg.room_id, u64::MAX))
                .any(|(_, c)| c.player_id == msg.player_id && c.client_msg_id == msg.client_msg_id);
            if duplicate || inner.chat.contains_key(&key) {
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
