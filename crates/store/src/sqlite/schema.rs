//! The schema and its migrations: one SQL script per version, run in order from the version
//! a database is at (`PRAGMA user_version`).

use rusqlite::Connection;

use crate::StoreError;

/// The schema, one entry per version. A database at version N runs the entries after N.
pub(super) const MIGRATIONS: &[&str] = &[
    r#"
    CREATE TABLE players (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        token_hash  BLOB NOT NULL UNIQUE,
        created_ms  INTEGER NOT NULL
    );
    CREATE TABLE rooms (
        id          INTEGER PRIMARY KEY,
        code        TEXT NOT NULL,
        game        TEXT NOT NULL,
        options     TEXT NOT NULL,
        host        TEXT NOT NULL,
        phase       TEXT NOT NULL,
        game_no     INTEGER NOT NULL,
        seq         INTEGER NOT NULL,
        outcome     TEXT,
        created_ms  INTEGER NOT NULL,
        closed      INTEGER NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX rooms_open_code ON rooms(code) WHERE closed = 0;
    CREATE TABLE members (
        room_id     INTEGER NOT NULL,
        player_id   TEXT NOT NULL,
        role        TEXT NOT NULL,
        seat        INTEGER,
        joined_ms   INTEGER NOT NULL,
        PRIMARY KEY (room_id, player_id)
    ) WITHOUT ROWID;
    CREATE INDEX members_player ON members(player_id);
    CREATE TABLE moves (
        room_id     INTEGER NOT NULL,
        game_no     INTEGER NOT NULL,
        ply         INTEGER NOT NULL,
        seat        INTEGER NOT NULL,
        move        TEXT NOT NULL,
        seq         INTEGER NOT NULL,
        ts_ms       INTEGER NOT NULL,
        PRIMARY KEY (room_id, game_no, ply)
    ) WITHOUT ROWID;
    CREATE TABLE chat (
        room_id       INTEGER NOT NULL,
        seq           INTEGER NOT NULL,
        player_id     TEXT NOT NULL,
        name          TEXT NOT NULL,
        text          TEXT NOT NULL,
        client_msg_id TEXT NOT NULL,
        ts_ms         INTEGER NOT NULL,
        PRIMARY KEY (room_id, seq)
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX chat_client_msg ON chat(room_id, player_id, client_msg_id);
"#,
    r#"
    -- Version 2: tokens apart from players (several devices, expiry), accounts, direct
    -- messages, blocks. players.token_hash stays as the first token's hash, unused for lookups.
    CREATE TABLE tokens (
        hash        BLOB PRIMARY KEY,
        player_id   TEXT NOT NULL,
        created_ms  INTEGER NOT NULL,
        expires_ms  INTEGER
    ) WITHOUT ROWID;
    INSERT INTO tokens (hash, player_id, created_ms, expires_ms)
        SELECT token_hash, id, created_ms, NULL FROM players;
    CREATE INDEX tokens_player ON tokens(player_id);
    CREATE TABLE accounts (
        player_id     TEXT PRIMARY KEY,
        username      TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        created_ms    INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE dms (
        a             TEXT NOT NULL,
        b             TEXT NOT NULL,
        seq           INTEGER NOT NULL,
        sender        TEXT NOT NULL,
        recipient     TEXT NOT NULL,
        text          TEXT NOT NULL,
        client_msg_id TEXT NOT NULL,
        ts_ms         INTEGER NOT NULL,
        delivered_ms  INTEGER,
        read_ms       INTEGER,
        PRIMARY KEY (a, b, seq)
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX dms_client_msg ON dms(a, b, sender, client_msg_id);
    CREATE INDEX dms_undelivered ON dms(recipient, ts_ms) WHERE delivered_ms IS NULL;
    CREATE TABLE blocks (
        blocker     TEXT NOT NULL,
        blocked     TEXT NOT NULL,
        created_ms  INTEGER NOT NULL,
        PRIMARY KEY (blocker, blocked)
    ) WITHOUT ROWID;
"#,
    r#"
    -- Version 3: chat rows in arrival order. Rows keyed by (room, seq) landed on one page per
    -- room, so a commit carrying messages of 500 rooms rewrote 500 table pages plus 500 pages
    -- of the client_msg_id index; rows appended in order fill a page or two, and only the
    -- small (room, seq) index is touched per room. Retries are recognized by the rooms, among
    -- their recent messages (docs/protocol.md), so the store no longer indexes client_msg_id.
    CREATE TABLE chat_v3 (
        id            INTEGER PRIMARY KEY,
        room_id       INTEGER NOT NULL,
        seq           INTEGER NOT NULL,
        player_id     TEXT NOT NULL,
        name          TEXT NOT NULL,
        text          TEXT NOT NULL,
        client_msg_id TEXT NOT NULL,
        ts_ms         INTEGER NOT NULL
    );
    INSERT INTO chat_v3 (room_id, seq, player_id, name, text, client_msg_id, ts_ms)
        SELECT room_id, seq, player_id, name, text, client_msg_id, ts_ms FROM chat
        ORDER BY ts_ms, room_id, seq;
    DROP TABLE chat;
    ALTER TABLE chat_v3 RENAME TO chat;
    CREATE UNIQUE INDEX chat_room_seq ON chat(room_id, seq);
"#,
    r#"
    -- Version 4: when each player was last seen (guests unseen for long expire), and a row the
    -- writer updates to find out whether writing works again after a failure.
    ALTER TABLE players ADD COLUMN seen_ms INTEGER NOT NULL DEFAULT 0;
    UPDATE players SET seen_ms = created_ms;
    CREATE INDEX players_seen ON players(seen_ms);
    CREATE TABLE health (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        probed_ms   INTEGER NOT NULL
    );
    INSERT INTO health (id, probed_ms) VALUES (1, 0);
"#,
    r#"
    -- Version 5: games for N players with random numbers and turn timers. The current game's
    -- player count and seed (a game replays from its seed and move log), and each seat's turn
    -- deadline (JSON array, ms since the epoch or null) in rooms with turn timers; a real-time
    -- game's last snapshot and its tick.
    ALTER TABLE rooms ADD COLUMN players INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE rooms ADD COLUMN seed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE rooms ADD COLUMN turn_seconds INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE rooms ADD COLUMN snapshot TEXT;
    ALTER TABLE rooms ADD COLUMN snapshot_tick INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE rooms ADD COLUMN deadlines TEXT NOT NULL DEFAULT '[]';
"#,
    r#"
    -- Version 6: a seated player's "ready for the next game" in the lobby.
    ALTER TABLE members ADD COLUMN ready INTEGER NOT NULL DEFAULT 0;
"#,
    r#"
    -- Version 7: the host's controls: a locked room takes no new members; players the host
    -- removed (JSON array of ids) may not join again.
    ALTER TABLE rooms ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE rooms ADD COLUMN banned TEXT NOT NULL DEFAULT '[]';
"#,
    r#"
    -- Version 8: the teacher's console. Admin status belongs to a player with an account; every
    -- admin action goes into the audit log.
    CREATE TABLE admins (
        player_id   TEXT PRIMARY KEY,
        granted_ms  INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE audit (
        id          INTEGER PRIMARY KEY,
        ts_ms       INTEGER NOT NULL,
        admin_id    TEXT NOT NULL,
        admin       TEXT NOT NULL,
        action      TEXT NOT NULL,
        target      TEXT NOT NULL,
        detail      TEXT NOT NULL
    );
"#,
    r#"
    -- Version 9: moderation. A chat message an admin removed stays, marked; a room's chat may be
    -- off, and players muted in it (JSON array of ids).
    ALTER TABLE chat ADD COLUMN removed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE rooms ADD COLUMN chat_off INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE rooms ADD COLUMN muted TEXT NOT NULL DEFAULT '[]';
"#,
    r#"
    -- Version 10: each room's scoreboard across rematches (JSON array of [id, name, wins]).
    ALTER TABLE rooms ADD COLUMN scoreboard TEXT NOT NULL DEFAULT '[]';
"#,
    r#"
    -- Version 11: server-wide switches an admin sets (chat off, new joins paused); a row is on.
    CREATE TABLE flags (
        key         TEXT PRIMARY KEY
    ) WITHOUT ROWID;
"#,
    r#"
    -- Version 12: every finished game, to replay it from its moves and to count a lesson's wins.
    -- seats: JSON array of [player id, name] in seat order; winner: a seat, or NULL.
    CREATE TABLE games (
        room_id     INTEGER NOT NULL,
        game_no     INTEGER NOT NULL,
        code        TEXT NOT NULL,
        game        TEXT NOT NULL,
        options     TEXT NOT NULL,
        seed        INTEGER NOT NULL,
        seats       TEXT NOT NULL,
        winner      INTEGER,
        reason      TEXT NOT NULL,
        realtime    INTEGER NOT NULL,
        ended_ms    INTEGER NOT NULL,
        PRIMARY KEY (room_id, game_no)
    ) WITHOUT ROWID;
    CREATE INDEX games_by_end ON games (ended_ms);
"#,
    r#"
    -- Version 13: game scripts. A room records the version of the rules it plays (empty for a
    -- built-in game), and each version's text is kept, so that a room comes back with the rules
    -- it started with.
    ALTER TABLE rooms ADD COLUMN game_version TEXT NOT NULL DEFAULT '';
    CREATE TABLE rules (
        version     TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        file        TEXT NOT NULL,
        source      TEXT NOT NULL
    ) WITHOUT ROWID;
"#,
    r#"
    -- Version 14: end-to-end encrypted direct messages. Each device's public key, and a
    -- message's sealed envelope (JSON) in place of its text, which is then empty.
    CREATE TABLE device_keys (
        player_id   TEXT NOT NULL,
        device      TEXT NOT NULL,
        key         TEXT NOT NULL,
        since_ms    INTEGER NOT NULL,
        seen_ms     INTEGER NOT NULL,
        PRIMARY KEY (player_id, device)
    ) WITHOUT ROWID;
    ALTER TABLE dms ADD COLUMN sealed TEXT;
"#,
    r#"
    -- Version 15: where a room's game runs: 'server', or 'p2p' (the host's phone).
    ALTER TABLE rooms ADD COLUMN mode TEXT NOT NULL DEFAULT 'server';
"#,
];

/// Brings the schema of `conn` up to date; refuses a database newer than this server.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let version: usize = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "the database is at schema version {version}, newer than this server ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}
