//! The checkpointer thread: copies the write-ahead log into the database file, off the writer's
//! path, and keeps the log from growing without end.
//!
//! Every [`CHECKPOINT_EVERY`] it runs a passive checkpoint (which never blocks the writer). A
//! passive checkpoint copies frames but cannot rewind the log while readers still use it, so
//! under steady load the file only grew. Two more rules bound it: once the log holds
//! [`RESTART_AT`] bytes of frames the writer itself runs a RESTART checkpoint after its commit,
//! which waits for readers to move on so the next commit starts over at the beginning of the
//! log; and once writes have been quiet for [`QUIET`], this thread runs a TRUNCATE checkpoint
//! that empties the file.
//!
//! A log that starts over is cut back to [`JOURNAL_SIZE_LIMIT`], which is as big as the log
//! may grow: a busy server then overwrites the same file in place. (Cutting it shorter made
//! every log that passed the cut grow the file again, and a sync of a file whose size changed
//! writes its inode too: the writer spent a fifth more time per move.)

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::Connection;

use crate::health::Health;

/// How often the log is checkpointed.
pub(super) const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);
/// A log holding at least this many bytes of frames is restarted from the beginning.
pub(super) const RESTART_AT: u64 = 16 * 1024 * 1024;
/// What SQLite cuts a log that starts over back to (`PRAGMA journal_size_limit`): the size a
/// log restarted at [`RESTART_AT`] reaches, and a little more for the commit that passed it.
pub(super) const JOURNAL_SIZE_LIMIT: u64 = RESTART_AT + 1024 * 1024;
/// No commit for this long, and the log is emptied.
pub(super) const QUIET: Duration = Duration::from_secs(2);

/// Checkpoints until `stop` is dropped, then empties the log.
pub(super) fn run(conn: Connection, wal: PathBuf, health: Arc<Health>, stop: mpsc::Receiver<()>) {
    let checkpoint = |mode: &str| {
        let sql = format!("PRAGMA wal_checkpoint({mode})");
        if let Err(e) = conn.query_row(&sql, [], |_| Ok(())) {
            tracing::warn!(error = %e, mode, "checkpoint failed");
        }
    };
    let quiet_ticks = QUIET.as_millis().div_ceil(CHECKPOINT_EVERY.as_millis()) as u32;
    let (mut last_commits, mut quiet) = (health.commits(), 0u32);
    while let Err(mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(CHECKPOINT_EVERY) {
        let commits = health.commits();
        quiet = if commits == last_commits { quiet.saturating_add(1) } else { 0 };
        last_commits = commits;
        let size = std::fs::metadata(&wal).map_or(0, |m| m.len());
        if size == 0 {
            continue;
        }
        checkpoint(if quiet >= quiet_ticks { "TRUNCATE" } else { "PASSIVE" });
    }
    checkpoint("TRUNCATE");
}
