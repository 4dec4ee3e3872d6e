//! Moving a server from SQLite to PostgreSQL: every row of a SQLite database (brought up to
//! date first) copied into an empty PostgreSQL database, in one transaction: all of it, or
//! nothing.
//!
//! The two schemas have the same tables and columns (`schema`), so the copy goes table by
//! table, column by column, each value converted to the PostgreSQL column's type: integers as
//! they are, SQLite's 0 and 1 to booleans, blobs to `BYTEA`. A SQLite column PostgreSQL does not
//! have (the chat table's row id) is left behind.

use std::path::Path;

use futures_util::future::try_join_all;
use rusqlite::types::ValueRef;
use tokio_postgres::types::ToSql;

use super::apply::Param;
use super::{PostgresStore, pg_error, pool_error};
use crate::{SqliteStore, StoreError};

/// The tables copied, in this order (the `health` row is each database's own).
const TABLES: &[&str] = &[
    "players",
    "tokens",
    "accounts",
    "rooms",
    "members",
    "moves",
    "chat",
    "dms",
    "blocks",
    "device_keys",
    "admins",
    "audit",
    "flags",
    "games",
    "rules",
];

/// Rows sent to PostgreSQL together (pipelined) before their answers are awaited.
const CHUNK: usize = 512;

impl PostgresStore {
    /// Copies every row of the SQLite database at `sqlite` into this (empty) database, and
    /// returns how many rows of each table. Refuses a database that already holds players or
    /// rooms. Blocks; not for async code. The SQLite file is brought up to date first (as
    /// `capital serve` would), and is otherwise only read.
    pub fn import_sqlite(&self, sqlite: &Path) -> Result<Vec<(&'static str, u64)>, StoreError> {
        if !sqlite.exists() {
            return Err(StoreError::Database(format!("no database at {}", sqlite.display())));
        }
        drop(SqliteStore::open(sqlite)?);
        let from = rusqlite::Connection::open_with_flags(
            sqlite,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )?;
        let runtime = self.runtime.as_ref().ok_or(StoreError::Closed)?;
        runtime.block_on(async {
            let mut client = self.pool.get().await.map_err(pool_error)?;
            let tx = client.transaction().await.map_err(pg_error)?;
            let held: i64 = tx
                .query_one(
                    "SELECT (SELECT count(*) FROM players) + (SELECT count(*) FROM rooms)",
                    &[],
                )
                .await
                .map_err(pg_error)?
                .get(0);
            if held > 0 {
                return Err(StoreError::Conflict(
                    "the PostgreSQL database already holds players or rooms: import into an \
                     empty one"
                        .into(),
                ));
            }
            let mut counts = Vec::new();
            for &table in TABLES {
                let columns: Vec<(String, String)> = tx
                    .query(
                        "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns
                         WHERE table_schema = current_schema() AND table_name = $1
                         ORDER BY ordinal_position",
                        &[&table],
                    )
                    .await
                    .map_err(pg_error)?
                    .iter()
                    .map(|row| (row.get(0), row.get(1)))
                    .collect();
                let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
                let rows = read_table(&from, table, &columns)?;
                let placeholders: Vec<String> =
                    (1..=names.len()).map(|i| format!("${i}")).collect();
                let insert = tx
                    .prepare(&format!(
                        "INSERT INTO {table} ({}) VALUES ({})",
                        names.join(", "),
                        placeholders.join(", ")
                    ))
                    .await
                    .map_err(pg_error)?;
                for chunk in rows.chunks(CHUNK) {
                    let params: Vec<Vec<&(dyn ToSql + Sync)>> = chunk
                        .iter()
                        .map(|row| row.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect())
                        .collect();
                    try_join_all(params.iter().map(|p| tx.execute(&insert, p)))
                        .await
                        .map_err(pg_error)?;
                }
                counts.push((table, rows.len() as u64));
            }
            // Audit entries keep their ids; new ones go on after them.
            tx.execute(
                "SELECT setval(pg_get_serial_sequence('audit', 'id'),
                               (SELECT coalesce(max(id), 0) + 1 FROM audit), false)",
                &[],
            )
            .await
            .map_err(pg_error)?;
            tx.commit().await.map_err(pg_error)?;
            Ok(counts)
        })
    }
}

/// Every row of `table` in SQLite, each value as the PostgreSQL column of the same name takes it.
fn read_table(
    from: &rusqlite::Connection,
    table: &str,
    columns: &[(String, String)],
) -> Result<Vec<Vec<Param>>, StoreError> {
    let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
    let mut stmt = from.prepare(&format!("SELECT {} FROM {table}", names.join(", ")))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let mut values: Vec<Param> = Vec::with_capacity(columns.len());
        for (i, (name, pg_type)) in columns.iter().enumerate() {
            let bad = || {
                StoreError::Corrupt(format!(
                    "{table}.{name}: a value PostgreSQL's {pg_type} cannot take"
                ))
            };
            let value: Param = match (pg_type.as_str(), row.get_ref(i)?) {
                ("bigint", ValueRef::Integer(v)) => Box::new(v),
                ("bigint", ValueRef::Null) => Box::new(None::<i64>),
                ("integer", ValueRef::Integer(v)) => Box::new(i32::try_from(v).map_err(|_| bad())?),
                ("boolean", ValueRef::Integer(v)) => Box::new(v != 0),
                ("bytea", ValueRef::Blob(v)) => Box::new(v.to_vec()),
                ("text", ValueRef::Text(v)) => {
                    Box::new(String::from_utf8(v.to_vec()).map_err(|_| bad())?)
                }
                ("text", ValueRef::Null) => Box::new(None::<String>),
                _ => return Err(bad()),
            };
            values.push(value);
        }
        out.push(values);
    }
    Ok(out)
}
