//! Reading PostgreSQL rows back into records, and the queries more than one read shares.
//!
//! The columns and the text encodings (phases, roles, JSON) are SQLite's, so the names and
//! parsers of [`crate::columns`] serve here too. What differs is the integers: every one is a
//! `BIGINT`, read as an `i64` and turned back into the record's type. A `u64` comes back by its
//! bits (the inverse of `int`); a value that does not fit a narrower type is a corrupt row,
//! never a wrapped number.
//!
//! Text is ordered with `COLLATE "C"` wherever an order is asked for: byte order, as SQLite's
//! default collation and the in-memory store order it, whatever the database's locale.

use capital_protocol::{Outcome, RoomMode};
use deadpool_postgres::Client;
use futures_util::future::try_join3;
use futures_util::{StreamExt, TryStreamExt, stream};
use tokio_postgres::types::FromSql;
use tokio_postgres::{Row, Statement};

use super::{bound, pg_error};
use crate::StoreError;
use crate::columns::{CHAT_COLUMNS, parse_json, parse_phase, parse_role};
use crate::model::*;

/// How many rooms [`stored_rooms`] completes at once: their queries are pipelined on the one
/// connection rather than waiting one round trip each.
const ROOMS_IN_FLIGHT: usize = 32;

/// Column `i` of `row` as a `T`; a value of another type (or a `NULL` where none may be) is a
/// corrupt row.
pub(super) fn col<'a, T: FromSql<'a>>(row: &'a Row, i: usize) -> Result<T, StoreError> {
    row.try_get(i).map_err(|e| {
        let name = row.columns().get(i).map_or("?", |c| c.name());
        StoreError::Corrupt(format!("column {i} ({name}): {e}"))
    })
}

/// A `BIGINT` column holding a `u64` (stored by its bits).
pub(super) fn u64_col(row: &Row, i: usize) -> Result<u64, StoreError> {
    Ok(col::<i64>(row, i)? as u64)
}

/// A nullable `BIGINT` column holding a `u64`.
pub(super) fn opt_u64_col(row: &Row, i: usize) -> Result<Option<u64>, StoreError> {
    Ok(col::<Option<i64>>(row, i)?.map(|v| v as u64))
}

/// A `BIGINT` column holding a narrower integer (`u32`, `usize`); out of its range is a corrupt
/// row.
pub(super) fn narrow_col<T: TryFrom<i64>>(row: &Row, i: usize) -> Result<T, StoreError> {
    narrow(row, i, col::<i64>(row, i)?)
}

/// A nullable `BIGINT` column holding a narrower integer.
pub(super) fn opt_narrow_col<T: TryFrom<i64>>(
    row: &Row,
    i: usize,
) -> Result<Option<T>, StoreError> {
    col::<Option<i64>>(row, i)?.map(|v| narrow(row, i, v)).transpose()
}

fn narrow<T: TryFrom<i64>>(row: &Row, i: usize, v: i64) -> Result<T, StoreError> {
    T::try_from(v).map_err(|_| {
        let name = row.columns().get(i).map_or("?", |c| c.name());
        StoreError::Corrupt(format!("column {i} ({name}): {v} is out of range"))
    })
}

/// How a stored JSON value that does not parse is reported (`what`: which value).
fn bad_json(what: &'static str) -> impl FnOnce(serde_json::Error) -> StoreError {
    move |e| StoreError::Corrupt(format!("stored {what}: {e}"))
}

/// `columns` (a `, `-separated list) qualified by the table alias `table`.
pub(super) fn qualified(columns: &str, table: &str) -> String {
    columns.split(", ").map(|c| format!("{table}.{c}")).collect::<Vec<_>>().join(", ")
}

/// A `LIMIT`: past `i64::MAX` it is `i64::MAX` (PostgreSQL refuses a negative one, where
/// SQLite reads it as no limit).
pub(super) fn row_limit(n: usize) -> i64 {
    bound(n as u64)
}

/// A row of `ts_ms, admin_id, admin, action, target, detail` from `audit`.
pub(super) fn audit_from_row(row: &Row) -> Result<AuditRecord, StoreError> {
    Ok(AuditRecord {
        ts_ms: u64_col(row, 0)?,
        admin_id: col(row, 1)?,
        admin: col(row, 2)?,
        action: col(row, 3)?,
        target: col(row, 4)?,
        detail: col(row, 5)?,
    })
}

/// A row of `DM_COLUMNS` from `dms` (more columns may follow).
pub(super) fn dm_from_row(row: &Row) -> Result<DmRecord, StoreError> {
    Ok(DmRecord {
        a: col(row, 0)?,
        b: col(row, 1)?,
        seq: u64_col(row, 2)?,
        sender: col(row, 3)?,
        text: col(row, 4)?,
        client_msg_id: col(row, 5)?,
        ts_ms: u64_col(row, 6)?,
        delivered_ms: opt_u64_col(row, 7)?,
        read_ms: opt_u64_col(row, 8)?,
        sealed: col(row, 9)?,
    })
}

/// A row of `player_id, username, password_hash, created_ms` from `accounts`.
pub(super) fn account_from_row(row: &Row) -> Result<AccountRecord, StoreError> {
    Ok(AccountRecord {
        player_id: col(row, 0)?,
        username: col(row, 1)?,
        password_hash: col(row, 2)?,
        created_ms: u64_col(row, 3)?,
    })
}

/// A row of `ROOM_COLUMNS` from `rooms`.
pub(super) fn room_from_row(row: &Row) -> Result<RoomRecord, StoreError> {
    let outcome = match col::<Option<String>>(row, 8)? {
        Some(text) => Some(serde_json::from_str::<Outcome>(&text).map_err(bad_json("outcome"))?),
        None => None,
    };
    Ok(RoomRecord {
        id: col(row, 0)?,
        code: col(row, 1)?,
        game: col(row, 2)?,
        options: parse_json(&col::<String>(row, 3)?)?,
        host: col(row, 4)?,
        phase: parse_phase(&col::<String>(row, 5)?)?,
        game_no: narrow_col(row, 6)?,
        seq: u64_col(row, 7)?,
        outcome,
        created_ms: u64_col(row, 9)?,
        closed: col(row, 10)?,
        players: narrow_col(row, 11)?,
        seed: u64_col(row, 12)?,
        deadlines: serde_json::from_str(&col::<String>(row, 13)?).map_err(bad_json("deadlines"))?,
        turn_seconds: narrow_col(row, 14)?,
        snapshot: col::<Option<String>>(row, 15)?.map(|s| parse_json(&s)).transpose()?,
        snapshot_tick: u64_col(row, 16)?,
        locked: col(row, 17)?,
        banned: serde_json::from_str(&col::<String>(row, 18)?).map_err(bad_json("banned"))?,
        chat_off: col(row, 19)?,
        muted: serde_json::from_str(&col::<String>(row, 20)?).map_err(bad_json("muted"))?,
        scoreboard: serde_json::from_str(&col::<String>(row, 21)?)
            .map_err(bad_json("scoreboard"))?,
        game_version: col(row, 22)?,
        mode: {
            let mode: String = col(row, 23)?;
            RoomMode::parse(&mode)
                .ok_or_else(|| StoreError::Corrupt(format!("stored room mode {mode:?}")))?
        },
    })
}

/// A row of `CHAT_COLUMNS` from `chat`.
pub(super) fn chat_from_row(row: &Row) -> Result<ChatRecord, StoreError> {
    Ok(ChatRecord {
        room_id: col(row, 0)?,
        seq: u64_col(row, 1)?,
        player_id: col(row, 2)?,
        name: col(row, 3)?,
        text: col(row, 4)?,
        client_msg_id: col(row, 5)?,
        ts_ms: u64_col(row, 6)?,
        removed: col(row, 7)?,
    })
}

/// A row of `room_id, game_no, ply, seat, move, seq, ts_ms` from `moves`.
pub(super) fn move_from_row(row: &Row) -> Result<MoveRecord, StoreError> {
    Ok(MoveRecord {
        room_id: col(row, 0)?,
        game_no: narrow_col(row, 1)?,
        ply: narrow_col(row, 2)?,
        seat: narrow_col(row, 3)?,
        mv: parse_json(&col::<String>(row, 4)?)?,
        seq: u64_col(row, 5)?,
        ts_ms: u64_col(row, 6)?,
    })
}

/// A row of `room_id, player_id, role, seat, joined_ms` from `members`, the player's name, and
/// `ready`.
pub(super) fn member_from_row(row: &Row) -> Result<(MemberRecord, String), StoreError> {
    let member = MemberRecord {
        room_id: col(row, 0)?,
        player_id: col(row, 1)?,
        role: parse_role(&col::<String>(row, 2)?)?,
        seat: opt_narrow_col(row, 3)?,
        joined_ms: u64_col(row, 4)?,
        ready: col(row, 6)?,
    };
    Ok((member, col(row, 5)?))
}

/// A row of `GAME_COLUMNS` from `games`.
pub(super) fn game_from_row(row: &Row) -> Result<GameRecord, StoreError> {
    Ok(GameRecord {
        room_id: col(row, 0)?,
        game_no: narrow_col(row, 1)?,
        code: col(row, 2)?,
        game: col(row, 3)?,
        options: parse_json(&col::<String>(row, 4)?)?,
        seed: u64_col(row, 5)?,
        seats: serde_json::from_str(&col::<String>(row, 6)?).map_err(bad_json("seats"))?,
        winner: opt_narrow_col(row, 7)?,
        reason: col(row, 8)?,
        realtime: col(row, 9)?,
        ended_ms: u64_col(row, 10)?,
    })
}

/// Every row turned into a record by `f`; the first bad row is the answer.
pub(super) fn collect<T>(
    rows: &[Row],
    f: impl Fn(&Row) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    rows.iter().map(f).collect()
}

/// One game's moves, in play order: `$1` the room, `$2` the game.
const MOVES: &str = "SELECT room_id, game_no, ply, seat, move, seq, ts_ms FROM moves
     WHERE room_id = $1 AND game_no = $2 ORDER BY ply";

/// A room's members with their names, in the order they joined: `$1` the room.
const MEMBERS: &str = "SELECT m.room_id, m.player_id, m.role, m.seat, m.joined_ms, p.name, m.ready
     FROM members m JOIN players p ON p.id = m.player_id
     WHERE m.room_id = $1 ORDER BY m.joined_ms, m.player_id COLLATE \"C\"";

/// A room's newest chat below a seq, newest first: `$1` the room, `$2` the bound, `$3` the
/// limit.
fn chat_before_sql() -> String {
    format!(
        "SELECT {CHAT_COLUMNS} FROM chat WHERE room_id = $1 AND seq < $2
         ORDER BY seq DESC LIMIT $3"
    )
}

/// [`MOVES`] on a statement prepared from it.
async fn moves_with(
    c: &Client,
    stmt: &Statement,
    room: RoomId,
    game_no: u32,
) -> Result<Vec<MoveRecord>, StoreError> {
    let rows = c.query(stmt, &[&room, &i64::from(game_no)]).await.map_err(pg_error)?;
    collect(&rows, move_from_row)
}

/// [`chat_before_sql`] on a statement prepared from it; oldest first.
async fn chat_before_with(
    c: &Client,
    stmt: &Statement,
    room: RoomId,
    before: Option<u64>,
    n: usize,
) -> Result<Vec<ChatRecord>, StoreError> {
    let before = before.map_or(i64::MAX, bound);
    let rows = c.query(stmt, &[&room, &before, &row_limit(n)]).await.map_err(pg_error)?;
    let mut out = collect(&rows, chat_from_row)?;
    out.reverse();
    Ok(out)
}

/// The log of game `game_no` in `room`, in play order.
pub(super) async fn moves_of(
    c: &Client,
    room: RoomId,
    game_no: u32,
) -> Result<Vec<MoveRecord>, StoreError> {
    let stmt = c.prepare_cached(MOVES).await.map_err(pg_error)?;
    moves_with(c, &stmt, room, game_no).await
}

/// Up to `n` messages of `room` below `before` (all if `None`): the newest such, oldest first.
pub(super) async fn chat_before_on(
    c: &Client,
    room: RoomId,
    before: Option<u64>,
    n: usize,
) -> Result<Vec<ChatRecord>, StoreError> {
    let stmt = c.prepare_cached(&chat_before_sql()).await.map_err(pg_error)?;
    chat_before_with(c, &stmt, room, before, n).await
}

/// The statements that complete a room's row, prepared once for every room of a read.
struct RoomQueries {
    members: Statement,
    moves: Statement,
    chat: Statement,
}

impl RoomQueries {
    /// Prepares the three (or finds them in the connection's cache).
    async fn prepare(c: &Client) -> Result<Self, StoreError> {
        let (members, moves, chat) = try_join3(
            c.prepare_cached(MEMBERS),
            c.prepare_cached(MOVES),
            c.prepare_cached(&chat_before_sql()),
        )
        .await
        .map_err(pg_error)?;
        Ok(RoomQueries { members, moves, chat })
    }

    /// `room` with its members, current move log and recent chat, the three asked for together.
    async fn stored_room(
        &self,
        c: &Client,
        room: RoomRecord,
        recent_chat: usize,
    ) -> Result<StoredRoom, StoreError> {
        let members = async {
            let rows = c.query(&self.members, &[&room.id]).await.map_err(pg_error)?;
            collect(&rows, member_from_row)
        };
        let moves = async {
            if room.game_no > 0 {
                moves_with(c, &self.moves, room.id, room.game_no).await
            } else {
                Ok(vec![])
            }
        };
        let chat = chat_before_with(c, &self.chat, room.id, None, recent_chat);
        let (members, moves, chat) = try_join3(members, moves, chat).await?;
        Ok(StoredRoom { room, members, moves, chat })
    }
}

/// Rooms' rows completed with their members, current move logs and recent chat, in the order
/// given. The rooms' queries are pipelined on the one connection, a few rooms at a time.
pub(super) async fn stored_rooms(
    c: &Client,
    rooms: Vec<RoomRecord>,
    recent_chat: usize,
) -> Result<Vec<StoredRoom>, StoreError> {
    if rooms.is_empty() {
        return Ok(vec![]);
    }
    let queries = RoomQueries::prepare(c).await?;
    let queries = &queries;
    stream::iter(rooms)
        .map(|room| queries.stored_room(c, room, recent_chat))
        .buffered(ROOMS_IN_FLIGHT)
        .try_collect()
        .await
}
