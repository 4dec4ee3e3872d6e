//! Reading rows back into records, and the queries more than one read shares.

use capital_protocol::{Outcome, RoomMode};
use rusqlite::{Connection, Row, params};

use crate::StoreError;
use crate::columns::*;
use crate::model::*;

pub(super) fn audit_from_row(row: &Row<'_>) -> rusqlite::Result<AuditRecord> {
    Ok(AuditRecord {
        ts_ms: row.get(0)?,
        admin_id: row.get(1)?,
        admin: row.get(2)?,
        action: row.get(3)?,
        target: row.get(4)?,
        detail: row.get(5)?,
    })
}

pub(super) fn dm_from_row(row: &Row<'_>) -> Result<DmRecord, StoreError> {
    Ok(DmRecord {
        a: row.get(0)?,
        b: row.get(1)?,
        seq: row.get(2)?,
        sender: row.get(3)?,
        text: row.get(4)?,
        client_msg_id: row.get(5)?,
        ts_ms: row.get(6)?,
        delivered_ms: row.get(7)?,
        read_ms: row.get(8)?,
        sealed: row.get(9)?,
    })
}

pub(super) fn account_from_row(row: &Row<'_>) -> Result<AccountRecord, StoreError> {
    Ok(AccountRecord {
        player_id: row.get(0)?,
        username: row.get(1)?,
        password_hash: row.get(2)?,
        created_ms: row.get(3)?,
    })
}

fn parse_deadlines(s: &str) -> Result<Vec<Option<u64>>, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("stored deadlines: {e}")))
}

pub(super) fn room_from_row(row: &Row<'_>) -> Result<RoomRecord, StoreError> {
    let options: String = row.get(3)?;
    let phase: String = row.get(5)?;
    let outcome: Option<String> = row.get(8)?;
    let outcome = match outcome {
        Some(text) => Some(
            serde_json::from_str::<Outcome>(&text)
                .map_err(|e| StoreError::Corrupt(format!("stored outcome: {e}")))?,
        ),
        None => None,
    };
    Ok(RoomRecord {
        id: row.get(0)?,
        code: row.get(1)?,
        game: row.get(2)?,
        options: parse_json(&options)?,
        host: row.get(4)?,
        phase: parse_phase(&phase)?,
        game_no: row.get(6)?,
        seq: row.get(7)?,
        outcome,
        created_ms: row.get(9)?,
        closed: row.get(10)?,
        players: row.get(11)?,
        seed: row.get::<_, i64>(12)? as u64,
        deadlines: parse_deadlines(&row.get::<_, String>(13)?)?,
        turn_seconds: row.get(14)?,
        snapshot: row.get::<_, Option<String>>(15)?.map(|s| parse_json(&s)).transpose()?,
        snapshot_tick: row.get(16)?,
        locked: row.get(17)?,
        banned: serde_json::from_str(&row.get::<_, String>(18)?)
            .map_err(|e| StoreError::Corrupt(format!("stored banned: {e}")))?,
        chat_off: row.get(19)?,
        muted: serde_json::from_str(&row.get::<_, String>(20)?)
            .map_err(|e| StoreError::Corrupt(format!("stored muted: {e}")))?,
        scoreboard: serde_json::from_str(&row.get::<_, String>(21)?)
            .map_err(|e| StoreError::Corrupt(format!("stored scoreboard: {e}")))?,
        game_version: row.get(22)?,
        mode: {
            let mode: String = row.get(23)?;
            RoomMode::parse(&mode)
                .ok_or_else(|| StoreError::Corrupt(format!("stored room mode {mode:?}")))?
        },
    })
}

pub(super) fn chat_from_row(row: &Row<'_>) -> Result<ChatRecord, StoreError> {
    Ok(ChatRecord {
        room_id: row.get(0)?,
        seq: row.get(1)?,
        player_id: row.get(2)?,
        name: row.get(3)?,
        text: row.get(4)?,
        client_msg_id: row.get(5)?,
        ts_ms: row.get(6)?,
        removed: row.get(7)?,
    })
}

pub(super) fn move_from_row(row: &Row<'_>) -> Result<MoveRecord, StoreError> {
    let mv: String = row.get(4)?;
    Ok(MoveRecord {
        room_id: row.get(0)?,
        game_no: row.get(1)?,
        ply: row.get(2)?,
        seat: row.get(3)?,
        mv: parse_json(&mv)?,
        seq: row.get(5)?,
        ts_ms: row.get(6)?,
    })
}

pub(super) fn member_from_row(row: &Row<'_>) -> Result<(MemberRecord, String), StoreError> {
    let role: String = row.get(2)?;
    let member = MemberRecord {
        room_id: row.get(0)?,
        player_id: row.get(1)?,
        role: parse_role(&role)?,
        seat: row.get(3)?,
        joined_ms: row.get(4)?,
        ready: row.get(6)?,
    };
    Ok((member, row.get(5)?))
}

pub(super) fn game_from_row(row: &Row<'_>) -> Result<GameRecord, StoreError> {
    Ok(GameRecord {
        room_id: row.get(0)?,
        game_no: row.get(1)?,
        code: row.get(2)?,
        game: row.get(3)?,
        options: parse_json(&row.get::<_, String>(4)?)?,
        seed: row.get::<_, i64>(5)? as u64,
        seats: serde_json::from_str(&row.get::<_, String>(6)?)
            .map_err(|e| StoreError::Corrupt(format!("stored seats: {e}")))?,
        winner: row.get(7)?,
        reason: row.get(8)?,
        realtime: row.get(9)?,
        ended_ms: row.get(10)?,
    })
}

pub(super) fn collect<T>(
    rows: impl Iterator<Item = Result<Result<T, StoreError>, rusqlite::Error>>,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    for row in rows {
        out.push(row??);
    }
    Ok(out)
}

pub(super) fn moves_of(
    conn: &Connection,
    room: RoomId,
    game_no: u32,
) -> Result<Vec<MoveRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT room_id, game_no, ply, seat, move, seq, ts_ms FROM moves
         WHERE room_id = ?1 AND game_no = ?2 ORDER BY ply",
    )?;
    let rows = stmt.query_map(params![room, game_no], |row| Ok(move_from_row(row)))?;
    collect(rows)
}

pub(super) fn chat_before_on(
    conn: &Connection,
    room: RoomId,
    before: Option<u64>,
    limit: usize,
) -> Result<Vec<ChatRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CHAT_COLUMNS} FROM chat WHERE room_id = ?1 AND seq < ?2
         ORDER BY seq DESC LIMIT ?3"
    ))?;
    let before = before.map_or(i64::MAX, |b| i64::try_from(b).unwrap_or(i64::MAX));
    let rows = stmt.query_map(params![room, before, limit as i64], |row| Ok(chat_from_row(row)))?;
    let mut out = collect(rows)?;
    out.reverse();
    Ok(out)
}

/// A room's row completed with its members, current move log and recent chat.
pub(super) fn stored_room(
    conn: &Connection,
    room: RoomRecord,
    recent_chat: usize,
) -> Result<StoredRoom, StoreError> {
    let mut members_stmt = conn.prepare_cached(
        "SELECT m.room_id, m.player_id, m.role, m.seat, m.joined_ms, p.name, m.ready
         FROM members m JOIN players p ON p.id = m.player_id
         WHERE m.room_id = ?1 ORDER BY m.joined_ms, m.player_id",
    )?;
    let members =
        collect(members_stmt.query_map(params![room.id], |row| Ok(member_from_row(row)))?)?;
    let moves = if room.game_no > 0 { moves_of(conn, room.id, room.game_no)? } else { vec![] };
    let chat = chat_before_on(conn, room.id, None, recent_chat)?;
    Ok(StoredRoom { room, members, moves, chat })
}
