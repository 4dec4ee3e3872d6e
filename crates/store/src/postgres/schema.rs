//! The PostgreSQL schema and its migrations: one SQL script per version, run in order from the
//! version the database is at (the one row of `capital_schema`), under an advisory lock so
//! that nodes starting together migrate once.
//!
//! The tables are those of the SQLite schema at its latest version (see `sqlite::schema`), in
//! PostgreSQL's types: integers are `BIGINT` (a `u64` is stored by its bits, as in SQLite),
//! flags `BOOLEAN`, hashes `BYTEA`, JSON values `TEXT` (read back exactly as written).

use tokio_postgres::Client;

use super::pg_error;
use crate::StoreError;

/// The schema, one entry per version. A database at version N runs the entries after N.
const MIGRATIONS: &[&str] = &[
    r#"
    CREATE TABLE players (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        token_hash  BYTEA NOT NULL UNIQUE,
        created_ms  BIGINT NOT NULL,
        seen_ms     BIGINT NOT NULL
    );
    CREATE INDEX players_seen ON players (seen_ms);
    CREATE TABLE tokens (
        hash        BYTEA PRIMARY KEY,
        player_id   TEXT NOT NULL,
        created_ms  BIGINT NOT NULL,
        expires_ms  BIGINT
    );
    CREATE INDEX tokens_player ON tokens (player_id);
    CREATE TABLE accounts (
        player_id     TEXT PRIMARY KEY,
        username      TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        created_ms    BIGINT NOT NULL
    );
    CREATE TABLE rooms (
        id            BIGINT PRIMARY KEY,
        code          TEXT NOT NULL,
        game          TEXT NOT NULL,
        options       TEXT NOT NULL,
        host          TEXT NOT NULL,
        phase         TEXT NOT NULL,
        game_no       BIGINT NOT NULL,
        seq           BIGINT NOT NULL,
        outcome       TEXT,
        created_ms    BIGINT NOT NULL,
        closed        BOOLEAN NOT NULL,
        players       BIGINT NOT NULL,
        seed          BIGINT NOT NULL,
        deadlines     TEXT NOT NULL,
        turn_seconds  BIGINT NOT NULL,
        snapshot      TEXT,
        snapshot_tick BIGINT NOT NULL,
        locked        BOOLEAN NOT NULL,
        banned        TEXT NOT NULL,
        chat_off      BOOLEAN NOT NULL,
        muted         TEXT NOT NULL,
        scoreboard    TEXT NOT NULL,
        game_version  TEXT NOT NULL,
        mode          TEXT NOT NULL
    );
    CREATE UNIQUE INDEX rooms_open_code ON rooms (code) WHERE NOT closed;
    CREATE TABLE members (
        room_id     BIGINT NOT NULL,
        player_id   TEXT NOT NULL,
        role        TEXT NOT NULL,
        seat        BIGINT,
        joined_ms   BIGINT NOT NULL,
        ready       BOOLEAN NOT NULL,
        PRIMARY KEY (room_id, player_id)
    );
    CREATE INDEX members_player ON members (player_id);
    CREATE TABLE moves (
        room_id     BIGINT NOT NULL,
        game_no     BIGINT NOT NULL,
        ply         BIGINT NOT NULL,
        seat        BIGINT NOT NULL,
        move        TEXT NOT NULL,
        seq         BIGINT NOT NULL,
        ts_ms       BIGINT NOT NULL,
        PRIMARY KEY (room_id, game_no, ply)
    );
    CREATE TABLE chat (
        room_id       BIGINT NOT NULL,
        seq           BIGINT NOT NULL,
        player_id     TEXT NOT NULL,
        name          TEXT NOT NULL,
        text          TEXT NOT NULL,
        client_msg_id TEXT NOT NULL,
        ts_ms         BIGINT NOT NULL,
        removed       BOOLEAN NOT NULL,
        PRIMARY KEY (room_id, seq)
    );
    CREATE TABLE dms (
        a             TEXT NOT NULL,
        b             TEXT NOT NULL,
        seq           BIGINT NOT NULL,
        sender        TEXT NOT NULL,
        recipient     TEXT NOT NULL,
        text          TEXT NOT NULL,
        client_msg_id TEXT NOT NULL,
        ts_ms         BIGINT NOT NULL,
        delivered_ms  BIGINT,
        read_ms       BIGINT,
        sealed        TEXT,
        PRIMARY KEY (a, b, seq)
    );
    CREATE UNIQUE INDEX dms_client_msg ON dms (a, b, sender, client_msg_id);
    CREATE INDEX dms_undelivered ON dms (recipient, ts_ms) WHERE delivered_ms IS NULL;
    CREATE TABLE blocks (
        blocker     TEXT NOT NULL,
        blocked     TEXT NOT NULL,
        created_ms  BIGINT NOT NULL,
        PRIMARY KEY (blocker, blocked)
    );
    CREATE TABLE device_keys (
        player_id   TEXT NOT NULL,
        device      TEXT NOT NULL,
        key         TEXT NOT NULL,
        since_ms    BIGINT NOT NULL,
        seen_ms     BIGINT NOT NULL,
        PRIMARY KEY (player_id, device)
    );
    CREATE TABLE admins (
        player_id   TEXT PRIMARY KEY,
        granted_ms  BIGINT NOT NULL
    );
    CREATE TABLE audit (
        id          BIGSERIAL PRIMARY KEY,
        ts_ms       BIGINT NOT NULL,
        admin_id    TEXT NOT NULL,
        admin       TEXT NOT NULL,
        action      TEXT NOT NULL,
        target      TEXT NOT NULL,
        detail      TEXT NOT NULL
    );
    CREATE TABLE flags (
        key         TEXT PRIMARY KEY
    );
    CREATE TABLE games (
        room_id     BIGINT NOT NULL,
        game_no     BIGINT NOT NULL,
        code        TEXT NOT NULL,
        game        TEXT NOT NULL,
        options     TEXT NOT NULL,
        seed        BIGINT NOT NULL,
        seats       TEXT NOT NULL,
        winner      BIGINT,
        reason      TEXT NOT NULL,
        realtime    BOOLEAN NOT NULL,
        ended_ms    BIGINT NOT NULL,
        PRIMARY KEY (room_id, game_no)
    );
    CREATE INDEX games_by_end ON games (ended_ms);
    CREATE TABLE rules (
        version     TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        file        TEXT NOT NULL,
        source      TEXT NOT NULL
    );
    CREATE TABLE health (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        probed_ms   BIGINT NOT NULL
    );
    INSERT INTO health (id, probed_ms) VALUES (1, 0);
"#,
    r#"
    CREATE TABLE room_leases (
        code        TEXT PRIMARY KEY,
        room_id     BIGINT NOT NULL,
        node        TEXT NOT NULL,
        until       TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX room_leases_node ON room_leases (node);
    CREATE TABLE cluster_nodes (
        node        TEXT PRIMARY KEY,
        until       TIMESTAMPTZ NOT NULL
    );
"#,
];

/// The advisory lock key the migrations hold (any constant; "capital" in ASCII).
const MIGRATION_LOCK: i64 = 0x0063_6170_6974_616c;

/// Brings the schema up to date; refuses a database newer than this server.
pub(super) async fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let tx = client.transaction().await.map_err(pg_error)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await.map_err(pg_error)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS capital_schema (
             id      INTEGER PRIMARY KEY CHECK (id = 1),
             version BIGINT NOT NULL
         );
         INSERT INTO capital_schema (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;",
    )
    .await
    .map_err(pg_error)?;
    let version: i64 = tx
        .query_one("SELECT version FROM capital_schema WHERE id = 1", &[])
        .await
        .map_err(pg_error)?
        .get(0);
    let version = usize::try_from(version).unwrap_or(usize::MAX);
    if version > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "the database is at schema version {version}, newer than this server ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        tx.batch_execute(sql).await.map_err(pg_error)?;
        tx.execute("UPDATE capital_schema SET version = $1 WHERE id = 1", &[&((i + 1) as i64)])
            .await
            .map_err(pg_error)?;
    }
    tx.commit().await.map_err(pg_error)
}
