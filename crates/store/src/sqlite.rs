//! The SQLite backend: one database file in WAL mode, one writer thread doing group commit, and
//! a small pool of read connections.
//!
//! Durability: `synchronous = FULL` makes every commit fsync the write-ahead log, so a committed
//! transaction survives a power cut. Fsyncing once per write would cap throughput at the disk's
//! fsync rate, so the writer takes every write queued while the previous commit was syncing and
//! commits them together in one transaction (group commit): one fsync for the whole batch. Each
//! write's [`Ticket`] resolves only after the commit that holds it has returned.

use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc;
use std::thread::JoinHandle;

use capital_protocol::{Outcome, Phase, Role};
use rusqlite::{Connection, OptionalExtension, Row, params};
use tokio::sync::oneshot;

use crate::model::*;
use crate::{ChatStore, DmStore, GameStore, PlayerStore, RoomStore, Store, StoreError, Ticket};

/// Most writes committed in one transaction. Bounds the latency one batch adds to the next.
const MAX_BATCH: usize = 4096;

/// The schema, one entry per version. A database at version N runs the entries after N.
const MIGRATIONS: &[&str] = &[
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
];

/// One queued write.
enum Op {
    CreatePlayer(PlayerRecord, TokenRecord),
    AddToken(TokenRecord),
    RevokeToken([u8; 32]),
    CreateAccount(AccountRecord),
    AppendDm(DmRecord),
    MarkDm {
        a: String,
        b: String,
        recipient: String,
        seq: u64,
        ts_ms: u64,
        read: bool,
    },
    SetBlock {
        blocker: String,
        blocked: String,
        on: bool,
        ts_ms: u64,
    },
    RenamePlayer {
        id: String,
        name: String,
    },
    PutRoom(RoomRecord),
    PutMember(MemberRecord),
    RemoveMember {
        room_id: RoomId,
        player_id: String,
    },
    AppendMove(MoveRecord),
    AppendChat(ChatRecord),
    /// Writes nothing: its ticket resolves when everything queued before it is durable.
    Flush,
}

/// A write and the sender of its ticket.
struct Job {
    op: Op,
    done: oneshot::Sender<Result<(), StoreError>>,
}

/// The SQLite-backed [`Store`].
pub struct SqliteStore {
    /// To the writer thread, which owns the only write connection. `None` once dropping.
    writer: Option<mpsc::Sender<Job>>,
    /// The writer thread, joined on drop so the last commit finishes before the process moves on.
    thread: Option<JoinHandle<()>>,
    /// Idle read connections; a read takes one (or opens one) and puts it back.
    readers: Mutex<Vec<Connection>>,
    /// The database file, for opening more read connections.
    path: std::path::PathBuf,
    /// Dropping it stops the checkpointer thread.
    stop_checkpoints: Option<mpsc::Sender<()>>,
    /// The checkpointer thread, joined after the writer on drop.
    checkpointer: Option<JoinHandle<()>>,
}

/// Idle read connections kept for reuse (a burst may open more; the extra ones are closed).
const IDLE_READERS: usize = 8;
/// How often the checkpointer copies the write-ahead log into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

impl SqliteStore {
    /// Opens (creating if needed) the database at `path`, brings its schema up to date and starts
    /// the writer thread.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Checkpoints (copying the log into the database file) run on their own thread, not
        // inside a commit that players are waiting for.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.pragma_update(None, "cache_size", -16_000)?;
        migrate(&mut conn)?;
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("capital-store-writer".into())
            .spawn(move || write_loop(conn, rx))
            .map_err(|e| StoreError::Database(format!("cannot start the writer thread: {e}")))?;
        let checkpoint_conn = Connection::open(path)?;
        checkpoint_conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let (stop_checkpoints, stop) = mpsc::channel();
        let checkpointer = std::thread::Builder::new()
            .name("capital-store-checkpoint".into())
            .spawn(move || checkpoint_loop(checkpoint_conn, stop))
            .map_err(|e| StoreError::Database(format!("cannot start the checkpointer: {e}")))?;
        Ok(SqliteStore {
            writer: Some(tx),
            thread: Some(thread),
            readers: Mutex::new(Vec::new()),
            path: path.to_owned(),
            stop_checkpoints: Some(stop_checkpoints),
            checkpointer: Some(checkpointer),
        })
    }

    fn submit(&self, op: Op) -> Ticket {
        let (done, ticket) = Ticket::pending();
        match &self.writer {
            Some(writer) => {
                if let Err(mpsc::SendError(job)) = writer.send(Job { op, done }) {
                    let _ = job.done.send(Err(StoreError::Closed));
                }
            }
            None => {
                let _ = done.send(Err(StoreError::Closed));
            }
        }
        ticket
    }

    /// Runs `f` on a read connection.
    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = self.readers.lock().expect("reader pool lock").pop();
        let conn = match conn {
            Some(conn) => conn,
            None => {
                let conn = Connection::open(&self.path)?;
                conn.busy_timeout(std::time::Duration::from_secs(5))?;
                conn
            }
        };
        let result = f(&conn);
        let mut idle = self.readers.lock().expect("reader pool lock");
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
        result
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.writer = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.stop_checkpoints = None;
        if let Some(thread) = self.checkpointer.take() {
            let _ = thread.join();
        }
    }
}

/// Copies the write-ahead log into the database file every [`CHECKPOINT_EVERY`], without
/// blocking the writer (a passive checkpoint), and empties it when the store closes.
fn checkpoint_loop(conn: Connection, stop: mpsc::Receiver<()>) {
    let checkpoint = |mode: &str| {
        let sql = format!("PRAGMA wal_checkpoint({mode})");
        if let Err(e) = conn.query_row(&sql, [], |_| Ok(())) {
            tracing::warn!(error = %e, "checkpoint failed");
        }
    };
    while let Err(mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(CHECKPOINT_EVERY) {
        checkpoint("PASSIVE");
    }
    checkpoint("TRUNCATE");
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
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

/// The writer thread: take a batch, commit it in one transaction, answer every ticket in it.
///
/// Fail-stop: if a transaction cannot be written at all (disk full, I/O error), every later
/// write is refused too, until the server restarts. Otherwise a room could see its move 5 lost
/// and its move 6 stored; with fail-stop the database always holds a prefix of what was asked.
/// A single write refused by a constraint fails alone.
fn write_loop(mut conn: Connection, jobs: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(64);
    let mut failed: Option<String> = None;
    while let Ok(first) = jobs.recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let results = match &failed {
            Some(why) => batch
                .iter()
                .map(|_| Err(StoreError::Database(format!("the store stopped writing: {why}"))))
                .collect(),
            None => match commit_batch(&mut conn, &batch) {
                Ok(results) => results,
                Err(e) => {
                    tracing::error!(error = %e, "a write transaction failed: no more writes");
                    failed = Some(e.to_string());
                    batch.iter().map(|_| Err(e.clone_err())).collect()
                }
            },
        };
        for (job, result) in batch.drain(..).zip(results) {
            let _ = job.done.send(result);
        }
    }
}

/// Applies every op of `batch` in one transaction. An op refused by a constraint fails alone;
/// any other error rolls the whole batch back and is returned.
fn commit_batch(
    conn: &mut Connection,
    batch: &[Job],
) -> Result<Vec<Result<(), StoreError>>, rusqlite::Error> {
    let tx = conn.transaction()?;
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        match apply(&tx, &job.op) {
            Ok(()) => results.push(Ok(())),
            Err(e) if is_constraint(&e) => {
                tracing::warn!(error = %e, "write refused");
                results.push(Err(e.clone_err()));
            }
            Err(e) => return Err(e),
        }
    }
    tx.commit()?;
    Ok(results)
}

fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

trait CloneErr {
    fn clone_err(&self) -> StoreError;
}

impl CloneErr for rusqlite::Error {
    fn clone_err(&self) -> StoreError {
        StoreError::Database(self.to_string())
    }
}

fn apply(tx: &rusqlite::Transaction<'_>, op: &Op) -> rusqlite::Result<()> {
    match op {
        Op::CreatePlayer(p, token) => {
            tx.prepare_cached(
                "INSERT INTO players (id, name, token_hash, created_ms) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![p.id, p.name, &token.hash[..], p.created_ms])?;
            insert_token(tx, token)?;
        }
        Op::AddToken(token) => insert_token(tx, token)?,
        Op::RevokeToken(hash) => {
            tx.prepare_cached("DELETE FROM tokens WHERE hash = ?1")?.execute(params![&hash[..]])?;
        }
        Op::CreateAccount(a) => {
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
        Op::AppendDm(d) => {
            tx.prepare_cached(
                "INSERT INTO dms (a, b, seq, sender, recipient, text, client_msg_id, ts_ms,
                                  delivered_ms, read_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
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
                d.read_ms
            ])?;
        }
        Op::MarkDm { a, b, recipient, seq, ts_ms, read } => {
            let sql = if *read {
                "UPDATE dms SET read_ms = ?5, delivered_ms = coalesce(delivered_ms, ?5)
                 WHERE a = ?1 AND b = ?2 AND recipient = ?3 AND seq <= ?4 AND read_ms IS NULL"
            } else {
                "UPDATE dms SET delivered_ms = ?5
                 WHERE a = ?1 AND b = ?2 AND recipient = ?3 AND seq <= ?4 AND delivered_ms IS NULL"
            };
            tx.prepare_cached(sql)?.execute(params![a, b, recipient, seq, ts_ms])?;
        }
        Op::SetBlock { blocker, blocked, on, ts_ms } => {
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
        Op::RenamePlayer { id, name } => {
            tx.prepare_cached("UPDATE players SET name = ?2 WHERE id = ?1")?
                .execute(params![id, name])?;
        }
        Op::PutRoom(r) => {
            let outcome = r.outcome.as_ref().map(|o| serde_json::to_string(o).expect("serialize"));
            tx.prepare_cached(
                "INSERT INTO rooms (id, code, game, options, host, phase, game_no, seq, outcome,
                                    created_ms, closed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT (id) DO UPDATE SET host = ?5, phase = ?6, game_no = ?7, seq = ?8,
                                                outcome = ?9, closed = ?11",
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
            ])?;
        }
        Op::PutMember(m) => {
            tx.prepare_cached(
                "INSERT INTO members (room_id, player_id, role, seat, joined_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (room_id, player_id) DO UPDATE SET role = ?3, seat = ?4",
            )?
            .execute(params![
                m.room_id,
                m.player_id,
                role_str(m.role),
                m.seat,
                m.joined_ms
            ])?;
        }
        Op::RemoveMember { room_id, player_id } => {
            tx.prepare_cached("DELETE FROM members WHERE room_id = ?1 AND player_id = ?2")?
                .execute(params![room_id, player_id])?;
        }
        Op::AppendMove(m) => {
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
        Op::AppendChat(c) => {
            tx.prepare_cached(
                "INSERT INTO chat (room_id, seq, player_id, name, text, client_msg_id, ts_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                c.room_id,
                c.seq,
                c.player_id,
                c.name,
                c.text,
                c.client_msg_id,
                c.ts_ms
            ])?;
        }
        Op::Flush => {}
    }
    Ok(())
}

fn insert_token(tx: &rusqlite::Transaction<'_>, t: &TokenRecord) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO tokens (hash, player_id, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![&t.hash[..], t.player_id, t.created_ms, t.expires_ms])?;
    Ok(())
}

const DM_COLUMNS: &str = "a, b, seq, sender, text, client_msg_id, ts_ms, delivered_ms, read_ms";

fn dm_from_row(row: &Row<'_>) -> Result<DmRecord, StoreError> {
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
    })
}

fn account_from_row(row: &Row<'_>) -> Result<AccountRecord, StoreError> {
    Ok(AccountRecord {
        player_id: row.get(0)?,
        username: row.get(1)?,
        password_hash: row.get(2)?,
        created_ms: row.get(3)?,
    })
}

fn phase_str(phase: Phase) -> &'static str {
    match phase {
        Phase::Lobby => "lobby",
        Phase::Playing => "playing",
        Phase::Over => "over",
    }
}

fn parse_phase(s: &str) -> Result<Phase, StoreError> {
    match s {
        "lobby" => Ok(Phase::Lobby),
        "playing" => Ok(Phase::Playing),
        "over" => Ok(Phase::Over),
        other => Err(StoreError::Corrupt(format!("unknown room phase {other:?}"))),
    }
}

fn role_str(role: Role) -> &'static str {
    match role {
        Role::Player => "player",
        Role::Spectator => "spectator",
    }
}

fn parse_role(s: &str) -> Result<Role, StoreError> {
    match s {
        "player" => Ok(Role::Player),
        "spectator" => Ok(Role::Spectator),
        other => Err(StoreError::Corrupt(format!("unknown member role {other:?}"))),
    }
}

fn parse_json(s: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("stored JSON: {e}")))
}

const ROOM_COLUMNS: &str =
    "id, code, game, options, host, phase, game_no, seq, outcome, created_ms, closed";

fn room_from_row(row: &Row<'_>) -> Result<RoomRecord, StoreError> {
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
    })
}

fn chat_from_row(row: &Row<'_>) -> Result<ChatRecord, StoreError> {
    Ok(ChatRecord {
        room_id: row.get(0)?,
        seq: row.get(1)?,
        player_id: row.get(2)?,
        name: row.get(3)?,
        text: row.get(4)?,
        client_msg_id: row.get(5)?,
        ts_ms: row.get(6)?,
    })
}

fn move_from_row(row: &Row<'_>) -> Result<MoveRecord, StoreError> {
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

fn member_from_row(row: &Row<'_>) -> Result<(MemberRecord, String), StoreError> {
    let role: String = row.get(2)?;
    let member = MemberRecord {
        room_id: row.get(0)?,
        player_id: row.get(1)?,
        role: parse_role(&role)?,
        seat: row.get(3)?,
        joined_ms: row.get(4)?,
    };
    Ok((member, row.get(5)?))
}

const CHAT_COLUMNS: &str = "room_id, seq, player_id, name, text, client_msg_id, ts_ms";

fn collect<T>(
    rows: impl Iterator<Item = Result<Result<T, StoreError>, rusqlite::Error>>,
) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::new();
    for row in rows {
        out.push(row??);
    }
    Ok(out)
}

fn moves_of(conn: &Connection, room: RoomId, game_no: u32) -> Result<Vec<MoveRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT room_id, game_no, ply, seat, move, seq, ts_ms FROM moves
         WHERE room_id = ?1 AND game_no = ?2 ORDER BY ply",
    )?;
    let rows = stmt.query_map(params![room, game_no], |row| Ok(move_from_row(row)))?;
    collect(rows)
}

fn chat_before_on(
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
fn stored_room(
    conn: &Connection,
    room: RoomRecord,
    recent_chat: usize,
) -> Result<StoredRoom, StoreError> {
    let mut members_stmt = conn.prepare_cached(
        "SELECT m.room_id, m.player_id, m.role, m.seat, m.joined_ms, p.name
         FROM members m JOIN players p ON p.id = m.player_id
         WHERE m.room_id = ?1 ORDER BY m.joined_ms, m.player_id",
    )?;
    let members =
        collect(members_stmt.query_map(params![room.id], |row| Ok(member_from_row(row)))?)?;
    let moves = if room.game_no > 0 { moves_of(conn, room.id, room.game_no)? } else { vec![] };
    let chat = chat_before_on(conn, room.id, None, recent_chat)?;
    Ok(StoredRoom { room, members, moves, chat })
}

impl PlayerStore for SqliteStore {
    fn create_player(&self, player: &PlayerRecord, token: &TokenRecord) -> Ticket {
        self.submit(Op::CreatePlayer(player.clone(), token.clone()))
    }

    fn rename_player(&self, player_id: &str, name: &str) -> Ticket {
        self.submit(Op::RenamePlayer { id: player_id.to_owned(), name: name.to_owned() })
    }

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

    fn add_token(&self, token: &TokenRecord) -> Ticket {
        self.submit(Op::AddToken(token.clone()))
    }

    fn revoke_token(&self, token_hash: &[u8; 32]) -> Ticket {
        self.submit(Op::RevokeToken(*token_hash))
    }

    fn create_account(&self, account: &AccountRecord) -> Ticket {
        self.submit(Op::CreateAccount(account.clone()))
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

impl DmStore for SqliteStore {
    fn append_dm(&self, dm: &DmRecord) -> Ticket {
        self.submit(Op::AppendDm(dm.clone()))
    }

    fn mark_delivered(&self, a: &str, b: &str, recipient: &str, seq: u64, ts_ms: u64) -> Ticket {
        let (a, b, recipient) = (a.to_owned(), b.to_owned(), recipient.to_owned());
        self.submit(Op::MarkDm { a, b, recipient, seq, ts_ms, read: false })
    }

    fn mark_read(&self, a: &str, b: &str, reader: &str, seq: u64, ts_ms: u64) -> Ticket {
        let (a, b, recipient) = (a.to_owned(), b.to_owned(), reader.to_owned());
        self.submit(Op::MarkDm { a, b, recipient, seq, ts_ms, read: true })
    }

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

    fn undelivered(&self, recipient: &str) -> Result<Vec<DmRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {DM_COLUMNS} FROM dms WHERE recipient = ?1 AND delivered_ms IS NULL
                 ORDER BY ts_ms, a, b, seq"
            ))?;
            collect(stmt.query_map(params![recipient], |r| Ok(dm_from_row(r)))?)
        })
    }

    fn conversations(&self, player: &str) -> Result<Vec<ConversationRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "WITH mine AS (
                     SELECT a, b, max(seq) AS last,
                            sum(recipient = ?1 AND read_ms IS NULL) AS unread
                     FROM dms WHERE a = ?1 OR b = ?1 GROUP BY a, b)
                 SELECT {cols}, mine.unread, p.name
                 FROM mine JOIN dms d ON d.a = mine.a AND d.b = mine.b AND d.seq = mine.last
                 JOIN players p ON p.id = (CASE WHEN mine.a = ?1 THEN mine.b ELSE mine.a END)
                 ORDER BY d.ts_ms DESC",
                cols =
                    DM_COLUMNS.split(", ").map(|c| format!("d.{c}")).collect::<Vec<_>>().join(", ")
            ))?;
            let rows = stmt.query_map(params![player], |row| {
                Ok(dm_from_row(row).and_then(|last| {
                    let other = if last.a == player { last.b.clone() } else { last.a.clone() };
                    Ok(ConversationRecord {
                        other,
                        other_name: row.get(10)?,
                        unread: row.get(9)?,
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

    fn set_block(&self, blocker: &str, blocked: &str, on: bool, ts_ms: u64) -> Ticket {
        let (blocker, blocked) = (blocker.to_owned(), blocked.to_owned());
        self.submit(Op::SetBlock { blocker, blocked, on, ts_ms })
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
    fn put_room(&self, room: &RoomRecord) -> Ticket {
        self.submit(Op::PutRoom(room.clone()))
    }

    fn put_member(&self, member: &MemberRecord) -> Ticket {
        self.submit(Op::PutMember(member.clone()))
    }

    fn remove_member(&self, room: RoomId, player_id: &str) -> Ticket {
        self.submit(Op::RemoveMember { room_id: room, player_id: player_id.to_owned() })
    }

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
    fn append_move(&self, mv: &MoveRecord) -> Ticket {
        self.submit(Op::AppendMove(mv.clone()))
    }

    fn moves(&self, room: RoomId, game_no: u32) -> Result<Vec<MoveRecord>, StoreError> {
        self.read(|conn| moves_of(conn, room, game_no))
    }
}

impl ChatStore for SqliteStore {
    fn append_chat(&self, msg: &ChatRecord) -> Ticket {
        self.submit(Op::AppendChat(msg.clone()))
    }

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

impl Store for SqliteStore {
    fn flush(&self) -> Ticket {
        self.submit(Op::Flush)
    }

    fn check(&self) -> Result<(), StoreError> {
        self.read(|conn| Ok(conn.query_row("SELECT count(*) FROM rooms", [], |_| Ok(()))?))
    }
}
