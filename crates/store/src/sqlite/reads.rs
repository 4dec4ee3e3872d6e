//! The read side of [`SqliteStore`]: each domain trait's queries, on a pooled read connection.

use rusqlite::{OptionalExtension, params};

use super::SqliteStore;
use super::rows::*;
use crate::columns::*;
use crate::model::*;
use crate::{AdminStore, ChatStore, DmStore, GameStore, PlayerStore, RoomStore, StoreError};

impl PlayerStore for SqliteStore {
    fn player_by_token(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<(PlayerRecord, TokenRecord)>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT p.id, p.name, p.created_ms, t.created_ms, t.expires_ms
                 FROM tokens t JOIN players p ON p.id = t.player_id WHERE t.hash = ?1",
            )?;
            let found = stmt
                .query_row(params![&token_hash[..]], |row| {
                    let player = PlayerRecord {
                        id: row.get(0)?,
                        name: row.get(1)?,
                        created_ms: row.get(2)?,
                    };
                    let token = TokenRecord {
                        hash: *token_hash,
                        player_id: player.id.clone(),
                        created_ms: row.get(3)?,
                        expires_ms: row.get(4)?,
                    };
                    Ok((player, token))
                })
                .optional()?;
            Ok(found)
        })
    }

    fn player(&self, player_id: &str) -> Result<Option<PlayerRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached("SELECT id, name, created_ms FROM players WHERE id = ?1")?;
            let found = stmt
                .query_row(params![player_id], |row| {
                    Ok(PlayerRecord { id: row.get(0)?, name: row.get(1)?, created_ms: row.get(2)? })
                })
                .optional()?;
            Ok(found)
        })
    }

    fn account_by_username(&self, username: &str) -> Result<Option<AccountRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT player_id, username, password_hash, created_ms FROM accounts
                 WHERE username = ?1",
            )?;
            collect(stmt.query_map(params![username], |row| Ok(account_from_row(row)))?)
                .map(|v| v.into_iter().next())
        })
    }

    fn account_of(&self, player_id: &str) -> Result<Option<AccountRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT player_id, username, password_hash, created_ms FROM accounts
                 WHERE player_id = ?1",
            )?;
            collect(stmt.query_map(params![player_id], |row| Ok(account_from_row(row)))?)
                .map(|v| v.into_iter().next())
        })
    }
}

impl AdminStore for SqliteStore {
    fn is_admin(&self, player_id: &str) -> Result<bool, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached("SELECT 1 FROM admins WHERE player_id = ?1")?;
            Ok(stmt.exists(params![player_id])?)
        })
    }

    fn audit(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT ts_ms, admin_id, admin, action, target, detail FROM audit
                 ORDER BY id DESC LIMIT ?1",
            )?;
            collect(stmt.query_map(params![limit as i64], |row| Ok(Ok(audit_from_row(row)?)))?)
        })
    }

    fn latest_audit(&self, action: &str) -> Result<Option<AuditRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT ts_ms, admin_id, admin, action, target, detail FROM audit
                 WHERE action = ?1 ORDER BY id DESC LIMIT 1",
            )?;
            Ok(stmt.query_row(params![action], audit_from_row).optional()?)
        })
    }

    fn flags(&self) -> Result<Vec<String>, StoreError> {
        self.all_flags()
    }
}

impl SqliteStore {
    fn all_flags(&self) -> Result<Vec<String>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached("SELECT key FROM flags ORDER BY key")?;
            collect(stmt.query_map([], |row| Ok(Ok(row.get(0)?)))?)
        })
    }
}

impl DmStore for SqliteStore {
    fn dms_before(
        &self,
        a: &str,
        b: &str,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<DmRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {DM_COLUMNS} FROM dms WHERE a = ?1 AND b = ?2 AND seq < ?3
                 ORDER BY seq DESC LIMIT ?4"
            ))?;
            let before = before.map_or(i64::MAX, |b| i64::try_from(b).unwrap_or(i64::MAX));
            let mut out = collect(
                stmt.query_map(params![a, b, before, limit as i64], |r| Ok(dm_from_row(r)))?,
            )?;
            out.reverse();
            Ok(out)
        })
    }

    fn dms_after(
        &self,
        a: &str,
        b: &str,
        after: u64,
        limit: usize,
    ) -> Result<Vec<DmRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {DM_COLUMNS} FROM dms WHERE a = ?1 AND b = ?2 AND seq > ?3
                 ORDER BY seq LIMIT ?4"
            ))?;
            let after = i64::try_from(after).unwrap_or(i64::MAX);
            collect(stmt.query_map(params![a, b, after, limit as i64], |r| Ok(dm_from_row(r)))?)
        })
    }

    fn recent_dms(&self, limit: usize) -> Result<Vec<DmRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {DM_COLUMNS} FROM dms ORDER BY ts_ms DESC, a, b, seq DESC LIMIT ?1"
            ))?;
            collect(stmt.query_map(params![limit as i64], |r| Ok(dm_from_row(r)))?)
        })
    }

    fn waiting_recipients(&self) -> Result<Vec<String>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT DISTINCT recipient FROM dms WHERE delivered_ms IS NULL ORDER BY recipient",
            )?;
            collect(stmt.query_map([], |row| Ok(Ok::<_, StoreError>(row.get(0)?)))?)
        })
    }

    fn undelivered(&self, recipient: &str, limit: usize) -> Result<Vec<DmRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {DM_COLUMNS} FROM dms WHERE recipient = ?1 AND delivered_ms IS NULL
                 ORDER BY ts_ms, a, b, seq LIMIT ?2"
            ))?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            collect(stmt.query_map(params![recipient, limit], |r| Ok(dm_from_row(r)))?)
        })
    }

    fn conversations(&self, player: &str) -> Result<Vec<ConversationRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "WITH mine AS (
                     SELECT a, b, max(seq) AS last,
                            sum(recipient = ?1 AND read_ms IS NULL) AS unread
                     FROM dms WHERE a = ?1 OR b = ?1 GROUP BY a, b)
                 SELECT {cols}, mine.unread, coalesce(p.name, '')
                 FROM mine JOIN dms d ON d.a = mine.a AND d.b = mine.b AND d.seq = mine.last
                 LEFT JOIN players p ON p.id = (CASE WHEN mine.a = ?1 THEN mine.b ELSE mine.a END)
                 ORDER BY d.ts_ms DESC",
                cols =
                    DM_COLUMNS.split(", ").map(|c| format!("d.{c}")).collect::<Vec<_>>().join(", ")
            ))?;
            let rows = stmt.query_map(params![player], |row| {
                Ok(dm_from_row(row).and_then(|last| {
                    let other = if last.a == player { last.b.clone() } else { last.a.clone() };
                    Ok(ConversationRecord {
                        other,
                        other_name: row.get(11)?,
                        unread: row.get(10)?,
                        last,
                    })
                }))
            })?;
            collect(rows)
        })
    }

    fn conversation_seqs(&self) -> Result<Vec<ConversationSeq>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT a, b, max(seq) FROM dms GROUP BY a, b")?;
            let rows = stmt.query_map([], |row| {
                Ok(Ok::<_, StoreError>(((row.get(0)?, row.get(1)?), row.get(2)?)))
            })?;
            collect(rows)
        })
    }

    fn device_keys(&self) -> Result<Vec<DeviceKeyRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT player_id, device, key, since_ms, seen_ms FROM device_keys
                 ORDER BY player_id, since_ms, device",
            )?;
            let rows = stmt.query_map([], |row| {
                Ok(Ok::<_, StoreError>(DeviceKeyRecord {
                    player_id: row.get(0)?,
                    device: row.get(1)?,
                    key: row.get(2)?,
                    since_ms: row.get(3)?,
                    seen_ms: row.get(4)?,
                }))
            })?;
            collect(rows)
        })
    }

    fn blocks(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT blocker, blocked FROM blocks")?;
            let rows =
                stmt.query_map([], |row| Ok(Ok::<_, StoreError>((row.get(0)?, row.get(1)?))))?;
            collect(rows)
        })
    }
}

impl RoomStore for SqliteStore {
    fn open_rooms(&self, recent_chat: usize) -> Result<Vec<StoredRoom>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {ROOM_COLUMNS} FROM rooms WHERE closed = 0 ORDER BY id"
            ))?;
            let rooms = collect(stmt.query_map([], |row| Ok(room_from_row(row)))?)?;
            rooms.into_iter().map(|room| stored_room(conn, room, recent_chat)).collect()
        })
    }

    fn load_room(
        &self,
        room: RoomId,
        recent_chat: usize,
    ) -> Result<Option<StoredRoom>, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare_cached(&format!("SELECT {ROOM_COLUMNS} FROM rooms WHERE id = ?1"))?;
            let found = collect(stmt.query_map(params![room], |row| Ok(room_from_row(row)))?)?;
            found.into_iter().next().map(|room| stored_room(conn, room, recent_chat)).transpose()
        })
    }

    fn rooms_of_player(&self, player_id: &str) -> Result<Vec<RoomRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {} FROM rooms r JOIN members m ON m.room_id = r.id
                 WHERE m.player_id = ?1 AND r.closed = 0 ORDER BY r.id",
                ROOM_COLUMNS.split(", ").map(|c| format!("r.{c}")).collect::<Vec<_>>().join(", ")
            ))?;
            collect(stmt.query_map(params![player_id], |row| Ok(room_from_row(row)))?)
        })
    }
}

impl GameStore for SqliteStore {
    fn moves(&self, room: RoomId, game_no: u32) -> Result<Vec<MoveRecord>, StoreError> {
        self.read(|conn| moves_of(conn, room, game_no))
    }

    fn finished_game(
        &self,
        room: RoomId,
        game_no: Option<u32>,
    ) -> Result<Option<GameRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {GAME_COLUMNS} FROM games WHERE room_id = ?1 AND (?2 IS NULL OR game_no = ?2)
                 ORDER BY game_no DESC LIMIT 1"
            ))?;
            let rows = stmt.query_map(params![room, game_no], |row| Ok(game_from_row(row)))?;
            Ok(collect(rows)?.pop())
        })
    }

    fn games_since(&self, since_ms: u64, limit: usize) -> Result<Vec<GameRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {GAME_COLUMNS} FROM games WHERE ended_ms >= ?1 ORDER BY ended_ms LIMIT ?2"
            ))?;
            let rows =
                stmt.query_map(params![since_ms, limit as i64], |row| Ok(game_from_row(row)))?;
            collect(rows)
        })
    }

    fn rules(&self, version: &str) -> Result<Option<RulesRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT version, kind, file, source FROM rules WHERE version = ?1",
            )?;
            let rows = stmt.query_map(params![version], |row| {
                Ok(RulesRecord {
                    version: row.get(0)?,
                    kind: row.get(1)?,
                    file: row.get(2)?,
                    source: row.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?.pop())
        })
    }
}

impl ChatStore for SqliteStore {
    fn chat_before(
        &self,
        room: RoomId,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<ChatRecord>, StoreError> {
        self.read(|conn| chat_before_on(conn, room, before, limit))
    }

    fn chat_after(
        &self,
        room: RoomId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<ChatRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {CHAT_COLUMNS} FROM chat WHERE room_id = ?1 AND seq > ?2
                 ORDER BY seq LIMIT ?3"
            ))?;
            let after = i64::try_from(after).unwrap_or(i64::MAX);
            collect(
                stmt.query_map(params![room, after, limit as i64], |row| Ok(chat_from_row(row)))?,
            )
        })
    }
}
