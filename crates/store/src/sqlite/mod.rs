//! The SQLite backend: one database file in WAL mode, one writer thread doing group commit, a
//! checkpointer thread, and a small pool of read connections.
//!
//! Durability: `synchronous = FULL` makes every commit sync the write-ahead log, so a committed
//! transaction survives a power cut. Syncing once per write would cap throughput at the disk's
//! sync rate, so the writer commits every batch queued while the previous commit was syncing in
//! one transaction (group commit): one sync for the whole group. Each batch's [`Ticket`]
//! resolves only after the commit that holds it has returned.
//!
//! The database file (and with it the log and shared-memory files, which SQLite creates with the
//! database's permissions) is readable by its owner only.
//!
//! # Layout
//! - [`schema`]: the migrations.
//! - [`writer`]: the writer thread (group commit, savepoints, failed chains, health).
//! - [`apply`]: how each write changes the database.
//! - [`checkpoint`]: the checkpointer thread.
//! - [`rows`] and [`reads`]: reading records back.

mod apply;
mod checkpoint;
mod reads;
mod rows;
mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::Connection;

use crate::health::Health;
use crate::{Store, StoreError, Ticket, WriteBatch};
use writer::{Msg, Writer};

/// Idle read connections kept for reuse (a burst may open more; the extra ones are closed).
const IDLE_READERS: usize = 8;

/// How long a connection waits for a lock another connection holds.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// The SQLite-backed [`Store`].
pub struct SqliteStore {
    /// To the writer thread, which owns the only write connection. `None` once dropping.
    writer: Option<mpsc::Sender<Msg>>,
    /// The writer thread, joined on drop so the last commit finishes before the process moves on.
    thread: Option<JoinHandle<()>>,
    /// Whether writes work, as the writer last found.
    health: Arc<Health>,
    /// Idle read connections; a read takes one (or opens one) and puts it back.
    readers: Mutex<Vec<Connection>>,
    /// The database file, for opening more read connections.
    path: PathBuf,
    /// Dropping it stops the checkpointer thread.
    stop_checkpoints: Option<mpsc::Sender<()>>,
    /// The checkpointer thread, joined after the writer on drop.
    checkpointer: Option<JoinHandle<()>>,
}

impl SqliteStore {
    /// Opens (creating if needed, readable by its owner only) the database at `path`, brings
    /// its schema up to date and starts the writer and checkpointer threads.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        private_file(path).map_err(|e| StoreError::Database(format!("{}: {e}", path.display())))?;
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Checkpoints run on their own thread, not inside a commit that players wait for.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        conn.pragma_update(None, "journal_size_limit", checkpoint::JOURNAL_SIZE_LIMIT)?;
        conn.pragma_update(None, "cache_size", -16_000)?;
        schema::migrate(&mut conn)?;
        let health = Arc::new(Health::default());
        let (tx, rx) = mpsc::channel();
        let writer = Writer::new(conn, path.to_owned(), health.clone())?;
        let thread = std::thread::Builder::new()
            .name("capital-store-writer".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| StoreError::Database(format!("cannot start the writer thread: {e}")))?;
        let checkpoint_conn = Connection::open(path)?;
        checkpoint_conn.busy_timeout(BUSY_TIMEOUT)?;
        checkpoint_conn.pragma_update(
            None,
            "journal_size_limit",
            checkpoint::JOURNAL_SIZE_LIMIT,
        )?;
        let (stop_checkpoints, stop) = mpsc::channel();
        let wal = wal_path(path);
        let watched = health.clone();
        let checkpointer = std::thread::Builder::new()
            .name("capital-store-checkpoint".into())
            .spawn(move || checkpoint::run(checkpoint_conn, wal, watched, stop))
            .map_err(|e| StoreError::Database(format!("cannot start the checkpointer: {e}")))?;
        Ok(SqliteStore {
            writer: Some(tx),
            thread: Some(thread),
            health,
            readers: Mutex::new(Vec::new()),
            path: path.to_owned(),
            stop_checkpoints: Some(stop_checkpoints),
            checkpointer: Some(checkpointer),
        })
    }

    /// Caps the database file at `bytes` (`None`: only the disk limits it). Writes that would
    /// grow it further fail as a full disk would; they work again once the cap is raised.
    pub fn set_max_bytes(&self, bytes: Option<u64>) -> Ticket {
        self.submit(|done| Msg::MaxBytes(bytes, done))
    }

    /// The write-ahead log's file (beside the database).
    pub fn wal_path(&self) -> PathBuf {
        wal_path(&self.path)
    }

    fn submit(&self, msg: impl FnOnce(writer::Done) -> Msg) -> Ticket {
        let (done, ticket) = Ticket::pending();
        match &self.writer {
            Some(writer) => {
                if let Err(mpsc::SendError(msg)) = writer.send(msg(done)) {
                    let done = match msg {
                        Msg::Commit(_, done) | Msg::Flush(done) | Msg::MaxBytes(_, done) => done,
                    };
                    let _ = done.send(Err(StoreError::Closed));
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
                conn.busy_timeout(BUSY_TIMEOUT)?;
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

impl Store for SqliteStore {
    fn commit(&self, batch: WriteBatch) -> Ticket {
        self.submit(|done| Msg::Commit(batch, done))
    }

    fn flush(&self) -> Ticket {
        self.submit(Msg::Flush)
    }

    fn check(&self) -> Result<(), StoreError> {
        self.read(|conn| Ok(conn.query_row("SELECT count(*) FROM rooms", [], |_| Ok(()))?))
    }

    fn writable(&self) -> bool {
        self.health.writable()
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

/// Whether SQLite refused a write by a constraint (as opposed to failing to write).
pub(crate) fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

fn wal_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// Creates `path` empty with mode 0600 if it does not exist, and makes it and its log files 0600
/// if they exist (a database from an older version may be 0644).
fn private_file(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)?;
        let mut shm = path.as_os_str().to_owned();
        shm.push("-shm");
        for file in [path.to_owned(), wal_path(path), PathBuf::from(shm)] {
            if file.exists() {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
