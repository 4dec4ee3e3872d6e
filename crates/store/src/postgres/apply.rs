//! The statements each [`Write`] is made of, with their parameters: planned here, with no I/O,
//! and sent by the writer (pipelined, inside its transaction).

use tokio_postgres::types::ToSql;

use super::int;
use crate::columns::{phase_str, role_str};
use crate::model::TokenRecord;
use crate::write::Write;

/// A parameter of a planned statement.
pub(super) type Param = Box<dyn ToSql + Sync + Send>;

/// One statement and its parameters.
pub(super) struct Planned {
    /// The SQL (prepared once per connection, then reused).
    pub(super) sql: &'static str,
    /// Its parameters, `$1` first.
    pub(super) params: Vec<Param>,
}

impl Planned {
    fn new(sql: &'static str, params: Vec<Param>) -> Self {
        Planned { sql, params }
    }

    /// The parameters as the driver takes them.
    pub(super) fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect()
    }
}

fn s(v: &str) -> Param {
    Box::new(v.to_owned())
}

fn i(v: u64) -> Param {
    Box::new(int(v))
}

fn oi(v: Option<u64>) -> Param {
    Box::new(v.map(int))
}

/// A value kept as JSON text.
macro_rules! json {
    ($v:expr) => {
        Box::new(serde_json::to_string($v).expect("a stored value serializes")) as Param
    };
}

/// Appends the statements of `write` to `out`, in the order they must run.
pub(super) fn plan(write: &Write, out: &mut Vec<Planned>) {
    let mut push = |sql, params| out.push(Planned::new(sql, params));
    match write {
        Write::CreatePlayer(p, token) => {
            push(
                "INSERT INTO players (id, name, token_hash, created_ms, seen_ms)
                 VALUES ($1, $2, $3, $4, $4)",
                vec![s(&p.id), s(&p.name), Box::new(token.hash.to_vec()), i(p.created_ms)],
            );
            let (sql, params) = insert_token(token);
            push(sql, params);
        }
        Write::AddToken(token) => {
            let (sql, params) = insert_token(token);
            push(sql, params);
        }
        Write::RevokeToken(hash) => {
            push("DELETE FROM tokens WHERE hash = $1", vec![Box::new(hash.to_vec())]);
        }
        Write::CreateAccount(a) => push(
            "INSERT INTO accounts (player_id, username, password_hash, created_ms)
             VALUES ($1, $2, $3, $4)",
            vec![s(&a.player_id), s(&a.username), s(&a.password_hash), i(a.created_ms)],
        ),
        Write::AppendDm(d) => push(
            "INSERT INTO dms (a, b, seq, sender, recipient, text, client_msg_id, ts_ms,
                              delivered_ms, read_ms, sealed)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            vec![
                s(&d.a),
                s(&d.b),
                i(d.seq),
                s(&d.sender),
                s(d.recipient()),
                s(&d.text),
                s(&d.client_msg_id),
                i(d.ts_ms),
                oi(d.delivered_ms),
                oi(d.read_ms),
                Box::new(d.sealed.clone()),
            ],
        ),
        Write::MarkDm { a, b, recipient, seq, ts_ms, read } => push(
            if *read {
                "UPDATE dms SET read_ms = $5, delivered_ms = coalesce(delivered_ms, $5)
                 WHERE a = $1 AND b = $2 AND recipient = $3 AND seq <= $4 AND read_ms IS NULL"
            } else {
                "UPDATE dms SET delivered_ms = $5
                 WHERE a = $1 AND b = $2 AND recipient = $3 AND seq <= $4
                   AND delivered_ms IS NULL"
            },
            vec![s(a), s(b), s(recipient), Box::new(super::bound(*seq)), i(*ts_ms)],
        ),
        Write::PutDeviceKey { key: k, evict } => {
            if let Some(evict) = evict {
                push(
                    "DELETE FROM device_keys WHERE player_id = $1 AND device = $2",
                    vec![s(&k.player_id), s(evict)],
                );
            }
            push(
                "INSERT INTO device_keys (player_id, device, key, since_ms, seen_ms)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (player_id, device)
                 DO UPDATE SET seen_ms = greatest(device_keys.seen_ms, $5)",
                vec![s(&k.player_id), s(&k.device), s(&k.key), i(k.since_ms), i(k.seen_ms)],
            );
        }
        Write::SetBlock { blocker, blocked, on: true, ts_ms } => push(
            "INSERT INTO blocks (blocker, blocked, created_ms) VALUES ($1, $2, $3)
             ON CONFLICT (blocker, blocked) DO NOTHING",
            vec![s(blocker), s(blocked), i(*ts_ms)],
        ),
        Write::SetBlock { blocker, blocked, on: false, .. } => push(
            "DELETE FROM blocks WHERE blocker = $1 AND blocked = $2",
            vec![s(blocker), s(blocked)],
        ),
        Write::SeenPlayer { id, seen_ms } => push(
            "UPDATE players SET seen_ms = greatest(seen_ms, $2) WHERE id = $1",
            vec![s(id), i(*seen_ms)],
        ),
        // One statement: every part sees the same snapshot, so `expiring` is chosen once.
        Write::ExpireGuests { seen_before_ms, limit } => push(
            "WITH expiring AS (
                 SELECT p.id FROM players p
                 WHERE p.seen_ms < $1
                   AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.player_id = p.id)
                   AND NOT EXISTS (SELECT 1 FROM members m JOIN rooms r ON r.id = m.room_id
                                   WHERE m.player_id = p.id AND NOT r.closed)
                 ORDER BY p.seen_ms LIMIT $2),
             tokens_gone AS (DELETE FROM tokens WHERE player_id IN (SELECT id FROM expiring)),
             members_gone AS (DELETE FROM members WHERE player_id IN (SELECT id FROM expiring)),
             keys_gone AS (DELETE FROM device_keys
                           WHERE player_id IN (SELECT id FROM expiring))
             DELETE FROM players WHERE id IN (SELECT id FROM expiring)",
            vec![Box::new(super::bound(*seen_before_ms)), Box::new(i64::from(*limit))],
        ),
        Write::RenamePlayer { id, name } => {
            push("UPDATE players SET name = $2 WHERE id = $1", vec![s(id), s(name)]);
        }
        Write::PutRoom(r) => push(
            "INSERT INTO rooms (id, code, game, options, host, phase, game_no, seq, outcome,
                                created_ms, closed, players, seed, deadlines, turn_seconds,
                                snapshot, snapshot_tick, locked, banned, chat_off, muted,
                                scoreboard, game_version, mode)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                     $17, $18, $19, $20, $21, $22, $23, $24)
             ON CONFLICT (id) DO UPDATE SET game = $3, options = $4, host = $5, phase = $6,
                                            game_no = $7, seq = $8, outcome = $9,
                                            closed = $11, players = $12, seed = $13,
                                            deadlines = $14, turn_seconds = $15,
                                            snapshot = $16, snapshot_tick = $17,
                                            locked = $18, banned = $19, chat_off = $20,
                                            muted = $21, scoreboard = $22,
                                            game_version = $23, mode = $24",
            vec![
                Box::new(r.id),
                s(&r.code),
                s(&r.game),
                Box::new(r.options.to_string()),
                s(&r.host),
                s(phase_str(r.phase)),
                i(r.game_no.into()),
                i(r.seq),
                Box::new(r.outcome.as_ref().map(|o| serde_json::to_string(o).expect("serialize"))),
                i(r.created_ms),
                Box::new(r.closed),
                i(r.players.into()),
                i(r.seed),
                json!(&r.deadlines),
                i(r.turn_seconds.into()),
                Box::new(r.snapshot.as_ref().map(serde_json::Value::to_string)),
                i(r.snapshot_tick),
                Box::new(r.locked),
                json!(&r.banned),
                Box::new(r.chat_off),
                json!(&r.muted),
                json!(&r.scoreboard),
                s(&r.game_version),
                s(r.mode.as_str()),
            ],
        ),
        Write::SetAdmin { player_id, admin: true, ts_ms } => push(
            "INSERT INTO admins (player_id, granted_ms) VALUES ($1, $2)
             ON CONFLICT (player_id) DO NOTHING",
            vec![s(player_id), i(*ts_ms)],
        ),
        Write::SetAdmin { player_id, admin: false, .. } => {
            push("DELETE FROM admins WHERE player_id = $1", vec![s(player_id)]);
        }
        Write::SetFlag { key, on: true } => {
            push("INSERT INTO flags (key) VALUES ($1) ON CONFLICT (key) DO NOTHING", vec![s(key)])
        }
        Write::SetFlag { key, on: false } => push("DELETE FROM flags WHERE key = $1", vec![s(key)]),
        Write::KeepRules(r) => push(
            "INSERT INTO rules (version, kind, file, source) VALUES ($1, $2, $3, $4)
             ON CONFLICT (version) DO NOTHING",
            vec![s(&r.version), s(&r.kind), s(&r.file), s(&r.source)],
        ),
        Write::RecordGame(g) => push(
            "INSERT INTO games (room_id, game_no, code, game, options, seed, seats, winner,
                                reason, realtime, ended_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (room_id, game_no) DO UPDATE SET code = $3, game = $4, options = $5,
                 seed = $6, seats = $7, winner = $8, reason = $9, realtime = $10,
                 ended_ms = $11",
            vec![
                Box::new(g.room_id),
                i(g.game_no.into()),
                s(&g.code),
                s(&g.game),
                Box::new(g.options.to_string()),
                i(g.seed),
                json!(&g.seats),
                oi(g.winner.map(u64::from)),
                s(&g.reason),
                Box::new(g.realtime),
                i(g.ended_ms),
            ],
        ),
        Write::AppendAudit(a) => push(
            "INSERT INTO audit (ts_ms, admin_id, admin, action, target, detail)
             VALUES ($1, $2, $3, $4, $5, $6)",
            vec![i(a.ts_ms), s(&a.admin_id), s(&a.admin), s(&a.action), s(&a.target), s(&a.detail)],
        ),
        Write::PutMember(m) => push(
            "INSERT INTO members (room_id, player_id, role, seat, joined_ms, ready)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (room_id, player_id) DO UPDATE SET role = $3, seat = $4, ready = $6",
            vec![
                Box::new(m.room_id),
                s(&m.player_id),
                s(role_str(m.role)),
                oi(m.seat.map(|seat| seat as u64)),
                i(m.joined_ms),
                Box::new(m.ready),
            ],
        ),
        Write::RemoveMember { room_id, player_id } => push(
            "DELETE FROM members WHERE room_id = $1 AND player_id = $2",
            vec![Box::new(*room_id), s(player_id)],
        ),
        Write::AppendMove(m) => push(
            "INSERT INTO moves (room_id, game_no, ply, seat, move, seq, ts_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            vec![
                Box::new(m.room_id),
                i(m.game_no.into()),
                i(m.ply.into()),
                i(m.seat as u64),
                Box::new(m.mv.to_string()),
                i(m.seq),
                i(m.ts_ms),
            ],
        ),
        Write::AppendChat(c) => push(
            "INSERT INTO chat (room_id, seq, player_id, name, text, client_msg_id, ts_ms, removed)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            vec![
                Box::new(c.room_id),
                i(c.seq),
                s(&c.player_id),
                s(&c.name),
                s(&c.text),
                s(&c.client_msg_id),
                i(c.ts_ms),
                Box::new(c.removed),
            ],
        ),
        Write::RemoveChat { room_id, seq } => push(
            "UPDATE chat SET removed = TRUE WHERE room_id = $1 AND seq = $2",
            vec![Box::new(*room_id), i(*seq)],
        ),
    }
}

fn insert_token(t: &TokenRecord) -> (&'static str, Vec<Param>) {
    (
        "INSERT INTO tokens (hash, player_id, created_ms, expires_ms) VALUES ($1, $2, $3, $4)",
        vec![Box::new(t.hash.to_vec()), s(&t.player_id), i(t.created_ms), oi(t.expires_ms)],
    )
}
