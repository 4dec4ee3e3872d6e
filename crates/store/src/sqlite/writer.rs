//! The writer thread: the only connection that writes. It takes every batch queued while the
//! previous commit was syncing and commits them together, one transaction and one fsync for the
//! group (group commit), then answers each batch's ticket.
//!
//! A batch is never split across transactions, and is all or nothing inside one: a write refused
//! by a uniqueness rule rolls its batch back to a savepoint (the other batches of the group are
//! kept) and answers it [`StoreError::Conflict`]. Any other error (a full disk, an I/O error)
//! rolls the whole transaction back and fails every batch of the group. Either way the failed
//! batches' chains are marked failed, so their owners' later batches are skipped until they
//! restart (see [`crate::write`]).
//!
//! After a failure the writer goes on trying: the next group is committed as usual, and when
//! nothing arrives it tries a small write of its own every [`PROBE_EVERY`], so
//! [`Health::writable`] turns true again by itself once the disk has room.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::{Connection, Transaction};
use tokio::sync::oneshot;

use super::apply::{apply, single_statement};
use super::checkpoint;
use super::health::Health;
use crate::StoreError;
use crate::write::{FailedChains, WriteBatch};

/// Most batches committed in one transaction. Bounds the latency one group adds to the next.
const MAX_GROUP: usize = 4096;

/// How often a writer that cannot write tries again when nothing else arrives.
pub(super) const PROBE_EVERY: Duration = Duration::from_secs(1);

/// Where a ticket's answer goes.
pub(super) type Done = oneshot::Sender<Result<(), StoreError>>;

/// What the writer thread is asked to do.
pub(super) enum Msg {
    /// Commit a batch.
    Commit(WriteBatch, Done),
    /// Answer once everything before is durable; while writes fail, try one.
    Flush(Done),
    /// Change the most the database file may grow to (`None`: no limit but the disk's).
    MaxBytes(Option<u64>, Done),
}

/// The writer's state.
pub(super) struct Writer {
    conn: Connection,
    /// The database file (whose file system is asked for free space while writes fail).
    path: PathBuf,
    /// Its write-ahead log.
    wal: PathBuf,
    failed: FailedChains,
    health: Arc<Health>,
}

/// One batch of a group, as the transaction goes.
enum Outcome {
    /// Applied; durable once the transaction commits.
    Pending,
    /// Answered already (refused, or skipped).
    Done(Result<(), StoreError>),
}

impl Writer {
    pub(super) fn new(conn: Connection, path: PathBuf, health: Arc<Health>) -> Self {
        let wal = super::wal_path(&path);
        Writer { conn, path, wal, failed: FailedChains::default(), health }
    }

    /// Serves `rx` until every sender is gone.
    pub(super) fn run(mut self, rx: mpsc::Receiver<Msg>) {
        let mut group: Vec<(Option<WriteBatch>, Done)> = Vec::with_capacity(64);
        loop {
            let first = if self.health.writable() {
                match rx.recv() {
                    Ok(msg) => msg,
                    Err(mpsc::RecvError) => break,
                }
            } else {
                match rx.recv_timeout(PROBE_EVERY) {
                    Ok(msg) => msg,
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        self.commit_group(&mut group);
                        continue;
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                }
            };
            let mut next = Some(first);
            while let Some(msg) = next.take() {
                match msg {
                    Msg::Commit(batch, done) => group.push((Some(batch), done)),
                    Msg::Flush(done) => group.push((None, done)),
                    Msg::MaxBytes(bytes, done) => {
                        self.commit_group(&mut group);
                        let _ = done.send(self.set_max_bytes(bytes));
                    }
                }
                if group.len() < MAX_GROUP {
                    next = rx.try_recv().ok();
                }
            }
            self.commit_group(&mut group);
        }
    }

    /// Commits a group in one transaction and answers each of its batches. An empty group
    /// commits nothing, unless writes are failing: then it tries a write of its own.
    fn commit_group(&mut self, group: &mut Vec<(Option<WriteBatch>, Done)>) {
        let probe = !self.health.writable();
        if group.is_empty() && !probe {
            return;
        }
        let mut outcomes: Vec<Outcome> = Vec::with_capacity(group.len());
        let result = self.transaction(group, &mut outcomes, probe);
        match &result {
            Ok(()) => {
                if self.health.set_failing(false) {
                    tracing::warn!("the store writes again");
                }
                self.health.committed();
                self.bound_the_log();
            }
            Err(e) => {
                if !self.health.set_failing(true) {
                    tracing::error!(error = %e, "a write transaction failed; retrying as writes come");
                }
                if !self.conn.is_autocommit() {
                    let _ = self.conn.execute_batch("ROLLBACK");
                }
            }
        }
        outcomes.resize_with(group.len(), || Outcome::Pending);
        for ((batch, done), outcome) in group.drain(..).zip(outcomes) {
            let answer = match (outcome, &result) {
                (Outcome::Done(answer), _) => answer,
                (Outcome::Pending, Ok(())) => Ok(()),
                (Outcome::Pending, Err(e)) => {
                    self.failed.fail(batch.and_then(|b| b.chain()));
                    Err(StoreError::Database(e.to_string()))
                }
            };
            let _ = done.send(answer);
        }
    }

    /// Applies a group in one transaction; `outcomes` gets one entry per batch tried. Returns
    /// the error that rolled the whole transaction back, if one did.
    fn transaction(
        &mut self,
        group: &[(Option<WriteBatch>, Done)],
        outcomes: &mut Vec<Outcome>,
        probe: bool,
    ) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        for (batch, _) in group {
            let outcome = match batch {
                None => Outcome::Pending,
                Some(batch) if !self.failed.admits(batch.chain()) => {
                    Outcome::Done(Err(StoreError::Skipped))
                }
                Some(batch) => match apply_batch(&tx, batch) {
                    Ok(()) => Outcome::Pending,
                    Err(e) if super::is_constraint(&e) => {
                        tracing::warn!(error = %e, "a write was refused");
                        self.failed.fail(batch.chain());
                        Outcome::Done(Err(StoreError::Conflict(e.to_string())))
                    }
                    Err(e) => return Err(e),
                },
            };
            outcomes.push(outcome);
        }
        if probe {
            room_to_write(&tx, &self.path)?;
            tx.prepare_cached("UPDATE health SET probed_ms = probed_ms + 1 WHERE id = 1")?
                .execute([])?;
        }
        tx.commit()
    }

    /// Past [`checkpoint::RESTART_AT`], checkpoints the whole log and makes the next commit
    /// start it over (SQLite then cuts the file back to `journal_size_limit`). Done here, right
    /// after a commit, because a busy writer outgrows any timer: on a fast disk the log grew by
    /// tens of megabytes between two of the checkpointer's rounds.
    fn bound_the_log(&self) {
        let size = std::fs::metadata(&self.wal).map_or(0, |m| m.len());
        if size >= checkpoint::RESTART_AT
            && let Err(e) = self.conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()))
        {
            tracing::warn!(error = %e, "checkpoint of a big log failed");
        }
    }

    fn set_max_bytes(&mut self, bytes: Option<u64>) -> Result<(), StoreError> {
        let page_size: u64 = self.conn.pragma_query_value(None, "page_size", |r| r.get(0))?;
        // SQLite's own ceiling when there is no limit.
        let pages = bytes.map_or(4_294_967_294, |b| (b / page_size.max(1)).max(1));
        self.conn.pragma_update(None, "max_page_count", pages)?;
        Ok(())
    }
}

/// Free space a probe asks for on the database's file system, and pages below the database's cap.
const PROBE_ROOM: u64 = 4 * 1024 * 1024;

/// Fails as a full disk would unless the file system has [`PROBE_ROOM`] free and the database
/// is that far from its cap. (A one-row update can succeed on a disk with no room for new
/// data, reusing space in the log; the probe must not call such a disk writable.)
fn room_to_write(tx: &Transaction<'_>, path: &Path) -> rusqlite::Result<()> {
    let full = |why: String| {
        rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            Some(why),
        )
    };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if let Ok(stat) = rustix::fs::statvfs(dir) {
        let free = stat.f_bavail.saturating_mul(stat.f_frsize);
        if free < PROBE_ROOM {
            return Err(full(format!("{free} bytes free on the disk")));
        }
    }
    let page_size: u64 = tx.pragma_query_value(None, "page_size", |r| r.get(0))?;
    let pages: u64 = tx.pragma_query_value(None, "page_count", |r| r.get(0))?;
    let max: u64 = tx.pragma_query_value(None, "max_page_count", |r| r.get(0))?;
    if max.saturating_sub(pages).saturating_mul(page_size) < PROBE_ROOM {
        return Err(full("the database is at its size cap".into()));
    }
    Ok(())
}

/// Applies one batch inside `tx`, all or nothing: a batch of more than one statement runs in a
/// savepoint that is rolled back if any of them fails.
fn apply_batch(tx: &Transaction<'_>, batch: &WriteBatch) -> rusqlite::Result<()> {
    let writes = batch.writes();
    if let [only] = writes
        && single_statement(only)
    {
        return apply(tx, only);
    }
    if writes.is_empty() {
        return Ok(());
    }
    tx.prepare_cached("SAVEPOINT batch")?.execute([])?;
    match writes.iter().try_for_each(|write| apply(tx, write)) {
        Ok(()) => tx.prepare_cached("RELEASE batch")?.execute([]).map(drop),
        Err(e) => {
            // After a disk error SQLite may have rolled the whole transaction back already, and
            // these fail too: the caller acts on the first error.
            let _ = tx.execute_batch("ROLLBACK TO batch; RELEASE batch");
            Err(e)
        }
    }
}
