//! The read side of [`PostgresStore`]: each domain trait's queries, on a pooled connection
//! (direct messages' in [`super::dm_reads`]).
//!
//! The queries are SQLite's (`sqlite::reads`), read by read: the same rows, in the same order,
//! with the same limits. Text is ordered byte by byte (`COLLATE "C"`, as SQLite and the
//! in-memory store order it), and where SQLite's order came from how it happens to group (a
//! `GROUP BY`, a table's key) it is spelled out, since PostgreSQL may hash instead.

use super::rows::*;
use super::{PostgresStore, bound, pg_error};
use crate::columns::{CHAT_COLUMNS, GAME_COLUMNS, ROOM_COLUMNS};
use crate::model::*;
use crate::{AdminStore, ChatStore, GameStore, PlayerStore, RoomStore, StoreError};

impl PlayerStore for PostgresStore {
    fn player_by_token(
        &self,
        token_hash: &[u8; 32],
    ) -> Result<Option<(PlayerRecord, TokenRecord)>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached(
                    "SELECT p.id, p.name, p.created_ms, t.created_ms, t.expires_ms
                     FROM tokens t JOIN players p ON p.id = t.player_id WHERE t.hash = $1",
                )
                .await
                .map_err(pg_error)?;
            let row = c.query_opt(&stmt, &[&&token_hash[..]]).await.map_err(pg_error)?;
            row.map(|row| {
                let player = PlayerRecord {
                    id: col(&row, 0)?,
                    name: col(&row, 1)?,
                    created_ms: u64_col(&row, 2)?,
                };
                let token = TokenRecord {
                    hash: *token_hash,
                    player_id: player.id.clone(),
                    created_ms: u64_col(&row, 3)?,
                    expires_ms: opt_u64_col(&row, 4)?,
                };
                Ok((player, token))
            })
            .transpose()
        })
    }

    fn player(&self, player_id: &str) -> Result<Option<PlayerRecord>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached("SELECT id, name, created_ms FROM players WHERE id = $1")
                .await
                .map_err(pg_error)?;
            let row = c.query_opt(&stmt, &[&player_id]).await.map_err(pg_error)?;
            row.map(|row| {
                Ok(PlayerRecord {
                    id: col(&row, 0)?,
                    name: col(&row, 1)?,
                    created_ms: u64_col(&row, 2)?,
                })
            })
            .transpose()
        })
    }

    fn account_by_username(&self, username: &str) -> Result<Option<AccountRecord>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached(
                    "SELECT player_id, username, password_hash, created_ms FROM accounts
                     WHERE username = $1",
                )
                .await
                .map_err(pg_error)?;
            let row = c.query_opt(&stmt, &[&username]).await.map_err(pg_error)?;
            row.as_ref().map(account_from_row).transpose()
        })
    }

    fn account_of(&self, player_id: &str) -> Result<Option<AccountRecord>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached(
                    "SELECT player_id, username, password_hash, created_ms FROM accounts
                     WHERE player_id = $1",
                )
                .await
                .map_err(pg_error)?;
            let row = c.query_opt(&stmt, &[&player_id]).await.map_err(pg_error)?;
            row.as_ref().map(account_from_row).transpose()
        })
    }
}

impl AdminStore for PostgresStore {
    fn is_admin(&self, player_id: &str) -> Result<bool, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM admins WHERE player_id = $1)")
                .await
                .map_err(pg_error)?;
            let row = c.query_one(&stmt, &[&player_id]).await.map_err(pg_error)?;
            col(&row, 0)
        })
    }

    fn audit(&self, limit: usize) -> Result<Vec<AuditRecord>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached(
                    "SELECT ts_ms, admin_id, admin, action, target, detail FROM audit
                     ORDER BY id DESC LIMIT $1",
                )
                .await
                .map_err(pg_error)?;
            let rows = c.query(&stmt, &[&row_limit(limit)]).await.map_err(pg_error)?;
            collect(&rows, audit_from_row)
        })
    }

    fn latest_audit(&self, action: &str) -> Result<Option<AuditRecord>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached(
                    "SELECT ts_ms, admin_id, admin, action, target, detail FROM audit
                     WHERE action = $1 ORDER BY id DESC LIMIT 1",
                )
                .await
                .map_err(pg_error)?;
            let row = c.query_opt(&stmt, &[&action]).await.map_err(pg_error)?;
            row.as_ref().map(audit_from_row).transpose()
        })
    }

    fn flags(&self) -> Result<Vec<String>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached("SELECT key FROM flags ORDER BY key COLLATE \"C\"")
                .await
                .map_err(pg_error)?;
            let rows = c.query(&stmt, &[]).await.map_err(pg_error)?;
            collect(&rows, |row| col(row, 0))
        })
    }
}

impl RoomStore for PostgresStore {
    fn open_rooms(&self, recent_chat: usize) -> Result<Vec<StoredRoom>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached(&format!(
                    "SELECT {ROOM_COLUMNS} FROM rooms WHERE NOT closed ORDER BY id"
                ))
                .await
                .map_err(pg_error)?;
            let rows = c.query(&stmt, &[]).await.map_err(pg_error)?;
            let rooms = collect(&rows, room_from_row)?;
            stored_rooms(c, rooms, recent_chat).await
        })
    }

    fn load_room(
        &self,
        room: RoomId,
        recent_chat: usize,
    ) -> Result<Option<StoredRoom>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached(&format!("SELECT {ROOM_COLUMNS} FROM rooms WHERE id = $1"))
                .await
                .map_err(pg_error)?;
            let row = c.query_opt(&stmt, &[&room]).await.map_err(pg_error)?;
            let Some(room) = row.as_ref().map(room_from_row).transpose()? else {
                return Ok(None);
            };
            Ok(stored_rooms(c, vec![room], recent_chat).await?.pop())
        })
    }

    fn rooms_of_player(&self, player_id: &str) -> Result<Vec<RoomRecord>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached(&format!(
                    "SELECT {} FROM rooms r JOIN members m ON m.room_id = r.id
                     WHERE m.player_id = $1 AND NOT r.closed ORDER BY r.id",
                    qualified(ROOM_COLUMNS, "r"),
                ))
                .await
                .map_err(pg_error)?;
            let rows = c.query(&stmt, &[&player_id]).await.map_err(pg_error)?;
            collect(&rows, room_from_row)
        })
    }
}

impl GameStore for PostgresStore {
    fn moves(&self, room: RoomId, game_no: u32) -> Result<Vec<MoveRecord>, StoreError> {
        self.read(async |c| moves_of(c, room, game_no).await)
    }

    fn finished_game(
        &self,
        room: RoomId,
        game_no: Option<u32>,
    ) -> Result<Option<GameRecord>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached(&format!(
                    "SELECT {GAME_COLUMNS} FROM games
                     WHERE room_id = $1 AND ($2::BIGINT IS NULL OR game_no = $2)
                     ORDER BY game_no DESC LIMIT 1"
                ))
                .await
                .map_err(pg_error)?;
            let game_no = game_no.map(i64::from);
            let row = c.query_opt(&stmt, &[&room, &game_no]).await.map_err(pg_error)?;
            row.as_ref().map(game_from_row).transpose()
        })
    }

    fn games_since(&self, since_ms: u64, limit: usize) -> Result<Vec<GameRecord>, StoreError> {
        self.read(async |c| {
            // Games that ended in the same millisecond keep the order of their keys, as the
            // in-memory store lists them.
            let stmt = c
                .prepare_cached(&format!(
                    "SELECT {GAME_COLUMNS} FROM games WHERE ended_ms >= $1
                     ORDER BY ended_ms, room_id, game_no LIMIT $2"
                ))
                .await
                .map_err(pg_error)?;
            let rows =
                c.query(&stmt, &[&bound(since_ms), &row_limit(limit)]).await.map_err(pg_error)?;
            collect(&rows, game_from_row)
        })
    }

    fn rules(&self, version: &str) -> Result<Option<RulesRecord>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached("SELECT version, kind, file, source FROM rules WHERE version = $1")
                .await
                .map_err(pg_error)?;
            let row = c.query_opt(&stmt, &[&version]).await.map_err(pg_error)?;
            row.map(|row| {
                Ok(RulesRecord {
                    version: col(&row, 0)?,
                    kind: col(&row, 1)?,
                    file: col(&row, 2)?,
                    source: col(&row, 3)?,
                })
            })
            .transpose()
        })
    }
}

impl ChatStore for PostgresStore {
    fn chat_before(
        &self,
        room: RoomId,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<ChatRecord>, StoreError> {
        self.read(async |c| chat_before_on(c, room, before, limit).await)
    }

    fn chat_after(
        &self,
        room: RoomId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<ChatRecord>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached(&format!(
                    "SELECT {CHAT_COLUMNS} FROM chat WHERE room_id = $1 AND seq > $2
                     ORDER BY seq LIMIT $3"
                ))
                .await
                .map_err(pg_error)?;
            let rows = c
                .query(&stmt, &[&room, &bound(after), &row_limit(limit)])
                .await
                .map_err(pg_error)?;
            collect(&rows, chat_from_row)
        })
    }
}
