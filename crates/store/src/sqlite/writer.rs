//! The writer thread: the only connection that writes. It takes every batch queued while the
//! previous commit was syncing and commits them together, one transaction and one fsync for the
//! group (group commit), then answers each batch's ticket.
//!
//! A batch is never split across transactions, and is all or nothing inside one: a write refused
//! by a uniqueness rule answers its batch [`StoreError::Conflict`], and the group is committed
//! without it (the transaction is rolled back and applied again without that batch). Any other
//! error (a full disk, an I/O error) rolls the whole transaction back and fails every batch of
//! the group. Either way the failed batches' chains are marked failed, so their owners' later
//! batches are skipped until they restart (see [`crate::write`]).
//!
//! After a failure the writer goes on trying: the next group is committed as usual, and when
//! nothing arrives it tries a small write of its own every [`PROBE_EVERY`], so
//! [`Health::writable`] turns true again by itself once the disk has room.

use std::ffi::c_int;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::{Connection, Transaction};

use super::apply::apply;
use super::checkpoint;
use crate::StoreError;
use crate::group::{self, Group, Outcome};
use crate::health::Health;
use crate::write::{Chain, FailedChains, WriteBatch};

/// Most batches committed in one transaction. Bounds the latency one group adds to the next.
const MAX_GROUP: usize = 4096;

/// How often a writer that cannot write tries again when nothing else arrives.
pub(super) const PROBE_EVERY: Duration = Duration::from_secs(1);

pub(super) use crate::group::Done;

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
    /// Frames in the write-ahead log after the last commit (told by SQLite's WAL hook).
    frames: Arc<AtomicU64>,
    /// The database's page size: a frame is a page and a 24-byte header.
    page_size: u64,
    failed: FailedChains,
    health: Arc<Health>,
}

impl Writer {
    pub(super) fn new(
        mut conn: Connection,
        path: PathBuf,
        health: Arc<Health>,
    ) -> rusqlite::Result<Self> {
        let frames = Arc::new(AtomicU64::new(0));
        let told = frames.clone();
        conn.wal_hook(Some(move |_: &mut rusqlite::hooks::Wal, pages: c_int| {
            told.store(u64::try_from(pages).unwrap_or(0), Ordering::Relaxed);
            Ok(())
        }))?;
        let page_size = conn.pragma_query_value(None, "page_size", |r| r.get(0))?;
        Ok(Writer { conn, path, frames, page_size, failed: FailedChains::default(), health })
    }

    /// Serves `rx` until every sender is gone.
    pub(super) fn run(mut self, rx: mpsc::Receiver<Msg>) {
        let mut group: Group = Vec::with_capacity(64);
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
    fn commit_group(&mut self, group: &mut Group) {
        let probe = !self.health.writable();
        if group.is_empty() && !probe {
            return;
        }
        let mut outcomes: Vec<Outcome> = group.iter().map(|_| Outcome::Pending).collect();
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
        let result = result.map_err(|e| StoreError::Database(e.to_string()));
        group::answer(group, outcomes, &result, &mut self.failed);
    }

    /// Applies a group in one transaction; `outcomes` (one per batch, all `Pending` at first)
    /// says how each ended. Returns the error that rolled the whole transaction back, if one
    /// did.
    ///
    /// No savepoints: a batch refused by a constraint (rare: a username taken in a race) rolls
    /// the transaction back, is answered `Conflict`, and the group is applied again without it.
    /// A savepoint around every batch cost the writer a third more time per move.
    fn transaction(
        &mut self,
        group: &Group,
        outcomes: &mut [Outcome],
        probe: bool,
    ) -> rusqlite::Result<()> {
        // Batches refused in an earlier attempt, and their chains: a later batch of the same
        // chain is skipped, an earlier one is kept.
        let mut refused: Vec<(usize, Option<Chain>)> = Vec::new();
        let result = 'attempt: loop {
            let tx = match self.conn.transaction() {
                Ok(tx) => tx,
                Err(e) => break 'attempt Err(e),
            };
            for (i, (batch, _)) in group.iter().enumerate() {
                let Some(batch) = batch else { continue };
                if !group::admit(batch, i, outcomes, &refused, &mut self.failed) {
                    continue;
                }
                let chain = batch.chain();
                for write in batch.writes() {
                    match apply(&tx, write) {
                        Ok(()) => {}
                        Err(e) if super::is_constraint(&e) => {
                            tracing::warn!(error = %e, "a write was refused");
                            drop(tx);
                            refused.push((i, chain));
                            outcomes[i] = Outcome::Done(Err(StoreError::Conflict(e.to_string())));
                            continue 'attempt;
                        }
                        Err(e) => break 'attempt Err(e),
                    }
                }
            }
            if probe && let Err(e) = probe_health(&tx, &self.path) {
                break 'attempt Err(e);
            }
            break tx.commit();
        };
        for (_, chain) in refused {
            self.failed.fail(chain);
        }
        result
    }

    /// Past [`checkpoint::RESTART_AT`], checkpoints the whole log and makes the next commit
    /// start it over (SQLite then cuts the file back to `journal_size_limit`). Done here, right
    /// after a commit, because a busy writer outgrows any timer: on a fast disk the log grew by
    /// tens of megabytes between two of the checkpointer's rounds.
    fn bound_the_log(&self) {
        let size = self.frames.load(Ordering::Relaxed) * (self.page_size + 24);
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
/// The probe's write, in the group's transaction: is there room, and does a write go through?
fn probe_health(tx: &Transaction<'_>, path: &Path) -> rusqlite::Result<()> {
    room_to_write(tx, path)?;
    tx.prepare_cached("UPDATE health SET probed_ms = probed_ms + 1 WHERE id = 1")?.execute([])?;
    Ok(())
}

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
