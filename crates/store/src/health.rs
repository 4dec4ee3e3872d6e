//! [`Health`]: what the writer tells the rest of the store (whether writes work, how many
//! commits there were), without a lock.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// What the writer tells the rest of the store, lock-free.
#[derive(Debug, Default)]
pub(crate) struct Health {
    /// Set by a failed commit, cleared by the next one that succeeds.
    failing: AtomicBool,
    /// Transactions committed so far (the checkpointer watches it to tell a quiet moment).
    commits: AtomicU64,
}

impl Health {
    /// Records whether the last commit failed; returns what it was before.
    pub(crate) fn set_failing(&self, failing: bool) -> bool {
        self.failing.swap(failing, Ordering::AcqRel)
    }

    /// Counts a committed transaction.
    pub(crate) fn committed(&self) {
        self.commits.fetch_add(1, Ordering::AcqRel);
    }

    /// Whether the last commit succeeded.
    pub(crate) fn writable(&self) -> bool {
        !self.failing.load(Ordering::Acquire)
    }

    /// How many transactions have committed.
    pub(crate) fn commits(&self) -> u64 {
        self.commits.load(Ordering::Acquire)
    }
}
