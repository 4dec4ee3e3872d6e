//! How each [`Write`] changes the database, inside the writer's transaction.

use rusqlite::{Transaction, params};

use crate::columns::{phase_str, role_str};
use crate::model::TokenRecord;
use crate::write::Write;

pub(super) fn apply(tx: &Transaction<'_>, write: &Write) -> rusqlite::Result<()> {
    match write {
        Write::CreatePlayer(p, token) => {
            tx.prepare_cached(
                "INSERT INTO players (id, name, token_hash, created_ms, seen_ms)
                 VALUES (?1, ?2, ?3, ?4, ?4)",
            )?
            .execute(params![p.id, p.name, &token.hash[..], p.created_ms])?;
            insert_token(tx, token)?;
        }
        Write::AddToken(token) => insert_token(tx, token)?,
        Write::RevokeToken(hash) => {
            tx.prepare_cached("DELETE FROM tokens WHERE hash = ?1")?.execute(params![&hash[..]])?;
        }
        Write::CreateAccount(a) => {
            tx.prepare_cached(
                "INSERT INTO accounts (player_id, username, password_hash, created_ms)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                a.player_id,
                a.username,
                a.password_hash,
                a.created_ms
            ])?;
        }
        Write::AppendDm(d) => {
            tx.prepare_cached(
                "INSERT INTO dms (a, b, seq, sender, recipient, text, client_msg_id, ts_ms,
                                  delivered_ms, read_ms, sealed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                d.a,
                d.b,
                d.seq,
                d.sender,
                d.recipient(),
                d.text,
                d.client_msg_id,
                d.ts_ms,
                d.delivered_ms,
                d.read_ms,
                d.sealed
            ])?;
        }
        Write::MarkDm { a, b, recipient, seq, ts_ms, read } => {
            let sql = if *read {
                "UPDATE dms SET read_ms = ?5, delivered_ms = coalesce(delivered_ms, ?5)
                 WHERE a = ?1 AND b = ?2 AND recipient = ?3 AND seq <= ?4 AND read_ms IS NULL"
            } else {
                "UPDATE dms SET delivered_ms = ?5
                 WHERE a = ?1 AND b = ?2 AND recipient = ?3 AND seq <= ?4 AND delivered_ms IS NULL"
            };
            tx.prepare_cached(sql)?.execute(params![a, b, recipient, seq, ts_ms])?;
        }
        Write::PutDeviceKey { key: k, evict } => {
            if let Some(evict) = evict {
                tx.prepare_cached("DELETE FROM device_keys WHERE player_id = ?1 AND device = ?2")?
                    .execute(params![k.player_id, evict])?;
            }
            tx.prepare_cached(
                "INSERT INTO device_keys (player_id, device, key, since_ms, seen_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (player_id, device) DO UPDATE SET seen_ms = max(seen_ms, ?5)",
            )?
            .execute(params![k.player_id, k.device, k.key, k.since_ms, k.seen_ms])?;
        }
        Write::SetBlock { blocker, blocked, on, ts_ms } => {
            if *on {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO blocks (blocker, blocked, created_ms) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![blocker, blocked, ts_ms])?;
            } else {
                tx.prepare_cached("DELETE FROM blocks WHERE blocker = ?1 AND blocked = ?2")?
                    .execute(params![blocker, blocked])?;
            }
        }
        Write::SeenPlayer { id, seen_ms } => {
            tx.prepare_cached("UPDATE players SET seen_ms = max(seen_ms, ?2) WHERE id = ?1")?
                .execute(params![id, seen_ms])?;
        }
        Write::ExpireGuests { seen_before_ms, limit } => {
            expire_guests(tx, *seen_before_ms, *limit)?
        }
        Write::RenamePlayer { id, name } => {
            tx.prepare_cached("UPDATE players SET name = ?2 WHERE id = ?1")?
                .execute(params![id, name])?;
        }
        Write::PutRoom(r) => {
            let outcome = r.outcome.as_ref().map(|o| serde_json::to_string(o).expect("serialize"));
            tx.prepare_cached(
                "INSERT INTO rooms (id, code, game, options, host, phase, game_no, seq, outcome,
                                    created_ms, closed, players, seed, deadlines, turn_seconds,
                                    snapshot, snapshot_tick, locked, banned, chat_off, muted,
                                    scoreboard, game_version, mode)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)
                 ON CONFLICT (id) DO UPDATE SET game = ?3, options = ?4, host = ?5, phase = ?6,
                                                game_no = ?7, seq = ?8, outcome = ?9,
                                                closed = ?11, players = ?12, seed = ?13,
                                                deadlines = ?14, turn_seconds = ?15,
                                                snapshot = ?16, snapshot_tick = ?17,
                                                locked = ?18, banned = ?19, chat_off = ?20,
                                                muted = ?21, scoreboard = ?22,
                                                game_version = ?23, mode = ?24",
            )?
            .execute(params![
                r.id,
                r.code,
                r.game,
                r.options.to_string(),
                r.host,
                phase_str(r.phase),
                r.game_no,
                r.seq,
                outcome,
                r.created_ms,
                r.closed,
                r.players,
                // SQLite integers are signed: the seed's bits are stored as they are.
                r.seed as i64,
                serde_json::to_string(&r.deadlines).expect("serialize"),
                r.turn_seconds,
                r.snapshot.as_ref().map(serde_json::Value::to_string),
                r.snapshot_tick,
                r.locked,
                serde_json::to_string(&r.banned).expect("serialize"),
                r.chat_off,
                serde_json::to_string(&r.muted).expect("serialize"),
                serde_json::to_string(&r.scoreboard).expect("serialize"),
                r.game_version,
                r.mode.as_str(),
            ])?;
        }
        Write::SetAdmin { player_id, admin: true, ts_ms } => {
            tx.prepare_cached(
                "INSERT INTO admins (player_id, granted_ms) VALUES (?1, ?2)
                 ON CONFLICT (player_id) DO NOTHING",
            )?
            .execute(params![player_id, ts_ms])?;
        }
        Write::SetAdmin { player_id, admin: false, .. } => {
            tx.prepare_cached("DELETE FROM admins WHERE player_id = ?1")?
                .execute(params![player_id])?;
        }
        Write::SetFlag { key, on: true } => {
            tx.prepare_cached("INSERT INTO flags (key) VALUES (?1) ON CONFLICT (key) DO NOTHING")?
                .execute(params![key])?;
        }
        Write::SetFlag { key, on: false } => {
            tx.prepare_cached("DELETE FROM flags WHERE key = ?1")?.execute(params![key])?;
        }
        Write::KeepRules(r) => {
            tx.prepare_cached(
                "INSERT INTO rules (version, kind, file, source) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (version) DO NOTHING",
            )?
            .execute(params![r.version, r.kind, r.file, r.source])?;
        }
        Write::RecordGame(g) => {
            tx.prepare_cached(
                "INSERT OR REPLACE INTO games (room_id, game_no, code, game, options, seed, seats,
                                               winner, reason, realtime, ended_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                g.room_id,
                g.game_no,
                g.code,
                g.game,
                g.options.to_string(),
                // SQLite integers are signed: the seed's bits are stored as they are.
                g.seed as i64,
                serde_json::to_string(&g.seats).expect("serialize"),
                g.winner,
                g.reason,
                g.realtime,
                g.ended_ms,
            ])?;
        }
        Write::AppendAudit(a) => {
            tx.prepare_cached(
                "INSERT INTO audit (ts_ms, admin_id, admin, action, target, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![a.ts_ms, a.admin_id, a.admin, a.action, a.target, a.detail])?;
        }
        Write::PutMember(m) => {
            tx.prepare_cached(
                "INSERT INTO members (room_id, player_id, role, seat, joined_ms, ready)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (room_id, player_id) DO UPDATE SET role = ?3, seat = ?4, ready = ?6",
            )?
            .execute(params![
                m.room_id,
                m.player_id,
                role_str(m.role),
                m.seat,
                m.joined_ms,
                m.ready
            ])?;
        }
        Write::RemoveMember { room_id, player_id } => {
            tx.prepare_cached("DELETE FROM members WHERE room_id = ?1 AND player_id = ?2")?
                .execute(params![room_id, player_id])?;
        }
        Write::AppendMove(m) => {
            tx.prepare_cached(
                "INSERT INTO moves (room_id, game_no, ply, seat, move, seq, ts_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                m.room_id,
                m.game_no,
                m.ply,
                m.seat,
                m.mv.to_string(),
                m.seq,
                m.ts_ms
            ])?;
        }
        Write::AppendChat(c) => {
            tx.prepare_cached(
                "INSERT INTO chat (room_id, seq, player_id, name, text, client_msg_id, ts_ms,
                                   removed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                c.room_id,
                c.seq,
                c.player_id,
                c.name,
                c.text,
                c.client_msg_id,
                c.ts_ms,
                c.removed
            ])?;
        }
        Write::RemoveChat { room_id, seq } => {
            tx.prepare_cached("UPDATE chat SET removed = 1 WHERE room_id = ?1 AND seq = ?2")?
                .execute(params![room_id, seq])?;
        }
    }
    Ok(())
}

fn insert_token(tx: &Transaction<'_>, t: &TokenRecord) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO tokens (hash, player_id, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![&t.hash[..], t.player_id, t.created_ms, t.expires_ms])?;
    Ok(())
}

/// Deletes up to `limit` guests unseen since `before`: players without an account and in no open
/// room, with their tokens, device keys and memberships of closed rooms. Their chat and direct
/// messages stay (others' history), under the name they had.
fn expire_guests(tx: &Transaction<'_>, before: u64, limit: u32) -> rusqlite::Result<()> {
    tx.execute_batch("CREATE TEMP TABLE IF NOT EXISTS expiring (id TEXT PRIMARY KEY)")?;
    tx.prepare_cached(
        "INSERT INTO expiring (id)
         SELECT p.id FROM players p
         WHERE p.seen_ms < ?1
           AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.player_id = p.id)
           AND NOT EXISTS (SELECT 1 FROM members m JOIN rooms r ON r.id = m.room_id
                           WHERE m.player_id = p.id AND r.closed = 0)
         ORDER BY p.seen_ms LIMIT ?2",
    )?
    .execute(params![before, limit])?;
    for sql in [
        "DELETE FROM tokens WHERE player_id IN (SELECT id FROM expiring)",
        "DELETE FROM members WHERE player_id IN (SELECT id FROM expiring)",
        "DELETE FROM device_keys WHERE player_id IN (SELECT id FROM expiring)",
        "DELETE FROM players WHERE id IN (SELECT id FROM expiring)",
        "DELETE FROM expiring",
    ] {
        tx.prepare_cached(sql)?.execute([])?;
    }
    Ok(())
}
