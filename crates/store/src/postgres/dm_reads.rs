//! [`DmStore`] for [`PostgresStore`]: direct messages, blocks and device keys, read as
//! `sqlite::reads` reads them (see [`super::reads`] for how the queries were carried over).

use super::rows::*;
use super::{PostgresStore, bound, pg_error};
use crate::columns::DM_COLUMNS;
use crate::model::*;
use crate::{DmStore, StoreError};

impl DmStore for PostgresStore {
    fn dms_before(
        &self,
        a: &str,
        b: &str,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<DmRecord>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached(&format!(
                    "SELECT {DM_COLUMNS} FROM dms WHERE a = $1 AND b = $2 AND seq < $3
                     ORDER BY seq DESC LIMIT $4"
                ))
                .await
                .map_err(pg_error)?;
            let before = before.map_or(i64::MAX, bound);
            let rows =
                c.query(&stmt, &[&a, &b, &before, &row_limit(limit)]).await.map_err(pg_error)?;
            let mut out = collect(&rows, dm_from_row)?;
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
        self.read(async |c| {
            let stmt = c
                .prepare_cached(&format!(
                    "SELECT {DM_COLUMNS} FROM dms WHERE a = $1 AND b = $2 AND seq > $3
                     ORDER BY seq LIMIT $4"
                ))
                .await
                .map_err(pg_error)?;
            let rows = c
                .query(&stmt, &[&a, &b, &bound(after), &row_limit(limit)])
                .await
                .map_err(pg_error)?;
            collect(&rows, dm_from_row)
        })
    }

    fn recent_dms(&self, limit: usize) -> Result<Vec<DmRecord>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached(&format!(
                    "SELECT {DM_COLUMNS} FROM dms
                     ORDER BY ts_ms DESC, a COLLATE \"C\", b COLLATE \"C\", seq DESC LIMIT $1"
                ))
                .await
                .map_err(pg_error)?;
            let rows = c.query(&stmt, &[&row_limit(limit)]).await.map_err(pg_error)?;
            collect(&rows, dm_from_row)
        })
    }

    fn waiting_recipients(&self) -> Result<Vec<String>, StoreError> {
        self.read(async |c| {
            // GROUP BY rather than DISTINCT: DISTINCT may only order by what it selects.
            let stmt = c
                .prepare_cached(
                    "SELECT recipient FROM dms WHERE delivered_ms IS NULL
                     GROUP BY recipient ORDER BY recipient COLLATE \"C\"",
                )
                .await
                .map_err(pg_error)?;
            let rows = c.query(&stmt, &[]).await.map_err(pg_error)?;
            collect(&rows, |row| col(row, 0))
        })
    }

    fn undelivered(&self, recipient: &str, limit: usize) -> Result<Vec<DmRecord>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached(&format!(
                    "SELECT {DM_COLUMNS} FROM dms WHERE recipient = $1 AND delivered_ms IS NULL
                     ORDER BY ts_ms, a COLLATE \"C\", b COLLATE \"C\", seq LIMIT $2"
                ))
                .await
                .map_err(pg_error)?;
            let rows = c.query(&stmt, &[&recipient, &row_limit(limit)]).await.map_err(pg_error)?;
            collect(&rows, dm_from_row)
        })
    }

    fn conversations(&self, player: &str) -> Result<Vec<ConversationRecord>, StoreError> {
        self.read(async |c| {
            // Conversations whose last messages were sent in the same millisecond keep the
            // order of their keys, as the in-memory store lists them.
            let stmt = c
                .prepare_cached(&format!(
                    "WITH mine AS (
                         SELECT a, b, max(seq) AS last,
                                count(*) FILTER (WHERE recipient = $1 AND read_ms IS NULL)
                                    AS unread
                         FROM dms WHERE a = $1 OR b = $1 GROUP BY a, b)
                     SELECT {cols}, mine.unread, coalesce(p.name, '')
                     FROM mine JOIN dms d ON d.a = mine.a AND d.b = mine.b AND d.seq = mine.last
                     LEFT JOIN players p
                         ON p.id = (CASE WHEN mine.a = $1 THEN mine.b ELSE mine.a END)
                     ORDER BY d.ts_ms DESC, d.a COLLATE \"C\", d.b COLLATE \"C\"",
                    cols = qualified(DM_COLUMNS, "d"),
                ))
                .await
                .map_err(pg_error)?;
            let rows = c.query(&stmt, &[&player]).await.map_err(pg_error)?;
            collect(&rows, |row| {
                let last = dm_from_row(row)?;
                let other = if last.a == player { last.b.clone() } else { last.a.clone() };
                Ok(ConversationRecord {
                    other,
                    other_name: col(row, 11)?,
                    unread: u64_col(row, 10)?,
                    last,
                })
            })
        })
    }

    fn conversation_seqs(&self) -> Result<Vec<ConversationSeq>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached(
                    "SELECT a, b, max(seq) FROM dms GROUP BY a, b
                     ORDER BY a COLLATE \"C\", b COLLATE \"C\"",
                )
                .await
                .map_err(pg_error)?;
            let rows = c.query(&stmt, &[]).await.map_err(pg_error)?;
            collect(&rows, |row| Ok(((col(row, 0)?, col(row, 1)?), u64_col(row, 2)?)))
        })
    }

    fn device_keys(&self) -> Result<Vec<DeviceKeyRecord>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached(
                    "SELECT player_id, device, key, since_ms, seen_ms FROM device_keys
                     ORDER BY player_id COLLATE \"C\", since_ms, device COLLATE \"C\"",
                )
                .await
                .map_err(pg_error)?;
            let rows = c.query(&stmt, &[]).await.map_err(pg_error)?;
            collect(&rows, |row| {
                Ok(DeviceKeyRecord {
                    player_id: col(row, 0)?,
                    device: col(row, 1)?,
                    key: col(row, 2)?,
                    since_ms: u64_col(row, 3)?,
                    seen_ms: u64_col(row, 4)?,
                })
            })
        })
    }

    fn blocks(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.read(async |c| {
            let stmt = c
                .prepare_cached(
                    "SELECT blocker, blocked FROM blocks
                     ORDER BY blocker COLLATE \"C\", blocked COLLATE \"C\"",
                )
                .await
                .map_err(pg_error)?;
            let rows = c.query(&stmt, &[]).await.map_err(pg_error)?;
            collect(&rows, |row| Ok((col(row, 0)?, col(row, 1)?)))
        })
    }
}
