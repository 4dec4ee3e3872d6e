//! How each [`Write`] changes the in-memory state. Each function checks its conflicts before it
//! changes anything, so a refused write leaves the state as it was.

use super::{Inner, dm_range};
use crate::StoreError;
use crate::model::*;
use crate::write::Write;

fn conflict(what: &str) -> StoreError {
    StoreError::Conflict(format!("UNIQUE constraint failed: {what}"))
}

/// Applies one write.
pub(super) fn apply(inner: &mut Inner, write: &Write) -> Result<(), StoreError> {
    match write {
        Write::CreatePlayer(player, token) => {
            if inner.players.contains_key(&player.id) || inner.tokens.contains_key(&token.hash) {
                return Err(conflict("players"));
            }
            inner.players.insert(player.id.clone(), player.clone());
            inner.seen.insert(player.id.clone(), player.created_ms);
            inner.tokens.insert(token.hash, token.clone());
        }
        Write::RenamePlayer { id, name } => {
            if let Some(p) = inner.players.get_mut(id) {
                p.name.clone_from(name);
            }
        }
        Write::SeenPlayer { id, seen_ms } => {
            if let Some(seen) = inner.seen.get_mut(id) {
                *seen = (*seen).max(*seen_ms);
            }
        }
        Write::ExpireGuests { seen_before_ms, limit } => expire(inner, *seen_before_ms, *limit),
        Write::AddToken(token) => {
            if inner.tokens.contains_key(&token.hash) {
                return Err(conflict("tokens"));
            }
            inner.tokens.insert(token.hash, token.clone());
        }
        Write::RevokeToken(hash) => {
            inner.tokens.remove(hash);
        }
        Write::CreateAccount(account) => {
            if inner.accounts.contains_key(&account.player_id)
                || inner.accounts.values().any(|a| a.username == account.username)
            {
                return Err(conflict("accounts"));
            }
            inner.accounts.insert(account.player_id.clone(), account.clone());
        }
        Write::AppendDm(dm) => {
            let duplicate = dm_range(inner, &dm.a, &dm.b).any(|d| {
                d.seq == dm.seq || (d.sender == dm.sender && d.client_msg_id == dm.client_msg_id)
            });
            if duplicate {
                return Err(conflict("dms"));
            }
            inner.dms.insert((dm.a.clone(), dm.b.clone(), dm.seq), dm.clone());
        }
        Write::MarkDm { a, b, recipient, seq, ts_ms, read } => {
            let range = (a.clone(), b.clone(), 0)..=(a.clone(), b.clone(), *seq);
            for (_, d) in inner.dms.range_mut(range) {
                if d.recipient() != recipient {
                    continue;
                }
                if *read && d.read_ms.is_none() {
                    d.read_ms = Some(*ts_ms);
                }
                d.delivered_ms.get_or_insert(*ts_ms);
            }
        }
        Write::PutDeviceKey { key, evict } => {
            if let Some(evict) = evict {
                inner.device_keys.remove(&(key.player_id.clone(), evict.clone()));
            }
            let id = (key.player_id.clone(), key.device.clone());
            match inner.device_keys.get_mut(&id) {
                Some(known) => known.seen_ms = known.seen_ms.max(key.seen_ms),
                None => {
                    inner.device_keys.insert(id, key.clone());
                }
            }
        }
        Write::SetBlock { blocker, blocked, on, ts_ms } => {
            let key = (blocker.clone(), blocked.clone());
            if *on {
                inner.blocks.entry(key).or_insert(*ts_ms);
            } else {
                inner.blocks.remove(&key);
            }
        }
        Write::PutRoom(room) => put_room(inner, room)?,
        Write::PutMember(member) => {
            let key = (member.room_id, member.player_id.clone());
            match inner.members.get_mut(&key) {
                Some(existing) => {
                    existing.role = member.role;
                    existing.seat = member.seat;
                    existing.ready = member.ready;
                }
                None => {
                    inner.members.insert(key, member.clone());
                }
            }
        }
        Write::SetAdmin { player_id, admin, .. } => {
            if *admin {
                inner.admins.insert(player_id.clone());
            } else {
                inner.admins.remove(player_id);
            }
        }
        Write::AppendAudit(entry) => inner.audit.push(entry.clone()),
        Write::KeepRules(rules) => {
            inner.rules.entry(rules.version.clone()).or_insert_with(|| rules.clone());
        }
        Write::RecordGame(game) => {
            inner.games.insert((game.room_id, game.game_no), game.clone());
        }
        Write::SetFlag { key, on } => {
            if *on {
                inner.flags.insert(key.clone());
            } else {
                inner.flags.remove(key);
            }
        }
        Write::RemoveMember { room_id, player_id } => {
            inner.members.remove(&(*room_id, player_id.clone()));
        }
        Write::AppendMove(mv) => {
            let key = (mv.room_id, mv.game_no, mv.ply);
            if inner.moves.contains_key(&key) {
                return Err(conflict("moves"));
            }
            inner.moves.insert(key, mv.clone());
        }
        Write::AppendChat(msg) => {
            let key = (msg.room_id, msg.seq);
            if inner.chat.contains_key(&key) {
                return Err(conflict("chat"));
            }
            inner.chat.insert(key, msg.clone());
        }
        Write::RemoveChat { room_id, seq } => {
            if let Some(msg) = inner.chat.get_mut(&(*room_id, *seq)) {
                msg.removed = true;
            }
        }
    }
    Ok(())
}

fn put_room(inner: &mut Inner, room: &RoomRecord) -> Result<(), StoreError> {
    if !room.closed
        && inner.rooms.values().any(|r| r.id != room.id && !r.closed && r.code == room.code)
    {
        return Err(conflict("rooms.code"));
    }
    match inner.rooms.get_mut(&room.id) {
        Some(existing) => {
            existing.game.clone_from(&room.game);
            existing.options.clone_from(&room.options);
            existing.locked = room.locked;
            existing.banned.clone_from(&room.banned);
            existing.chat_off = room.chat_off;
            existing.muted.clone_from(&room.muted);
            existing.scoreboard.clone_from(&room.scoreboard);
            existing.game_version.clone_from(&room.game_version);
            existing.host.clone_from(&room.host);
            existing.phase = room.phase;
            existing.game_no = room.game_no;
            existing.seq = room.seq;
            existing.outcome.clone_from(&room.outcome);
            existing.closed = room.closed;
            existing.players = room.players;
            existing.seed = room.seed;
            existing.deadlines.clone_from(&room.deadlines);
            existing.turn_seconds = room.turn_seconds;
            existing.snapshot.clone_from(&room.snapshot);
            existing.snapshot_tick = room.snapshot_tick;
            existing.mode = room.mode;
        }
        None => {
            inner.rooms.insert(room.id, room.clone());
        }
    }
    Ok(())
}

/// Forgets up to `limit` guests unseen since `before` who have no account and are in no open
/// room (as the SQLite backend does).
fn expire(inner: &mut Inner, before: u64, limit: u32) {
    let in_open_room = |inner: &Inner, id: &str| {
        inner
            .members
            .keys()
            .any(|(room, p)| p == id && inner.rooms.get(room).is_some_and(|r| !r.closed))
    };
    let mut expiring: Vec<(u64, String)> = inner
        .seen
        .iter()
        .filter(|(id, seen)| **seen < before && !inner.accounts.contains_key(*id))
        .map(|(id, seen)| (*seen, id.clone()))
        .filter(|(_, id)| !in_open_room(inner, id))
        .collect();
    expiring.sort();
    expiring.truncate(limit as usize);
    for (_, id) in expiring {
        inner.players.remove(&id);
        inner.seen.remove(&id);
        inner.tokens.retain(|_, t| t.player_id != id);
        inner.members.retain(|(_, p), _| *p != id);
        inner.device_keys.retain(|(p, _), _| *p != id);
    }
}
