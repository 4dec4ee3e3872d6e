//! What every actor of the server (the rooms, the lobby, the direct-message hub) needs from
//! the rest of it, and nothing more: the store, the metrics, where to spawn tasks, the shutdown
//! signal and a clock. Each actor gets this and its own settings; none sees the whole server.
//! Tests build one over a memory store with a paused clock.

use std::sync::Arc;

use capital_store::{Store, StoreError};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::metrics::Metrics;

/// The narrow environment of an actor. Cheap to clone: every field is shared.
#[derive(Clone)]
pub struct Env {
    /// Where state is kept.
    pub store: Arc<dyn Store>,
    /// What is counted.
    pub metrics: Arc<Metrics>,
    /// Every task an actor spawns, so shutdown can wait for them.
    pub tracker: TaskTracker,
    /// Cancelled when the server begins to shut down.
    pub shutdown: CancellationToken,
    /// Wall-clock time, for timestamps clients see and the store keeps.
    pub clock: Clock,
    /// Server-wide switches an admin sets (stored; set here once stored).
    pub switches: Arc<Switches>,
}

/// Server-wide switches from the teacher's console: chat off everywhere, new joins paused.
#[derive(Debug, Default)]
pub struct Switches {
    chat_off: std::sync::atomic::AtomicBool,
    joins_paused: std::sync::atomic::AtomicBool,
}

impl Switches {
    /// The stored name of the chat switch.
    pub const CHAT_OFF: &'static str = "chat_off";
    /// The stored name of the joins switch.
    pub const JOINS_PAUSED: &'static str = "joins_paused";

    /// Chat is off in every room.
    pub fn chat_off(&self) -> bool {
        self.chat_off.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Nobody new may create or join a room (members still come back).
    pub fn joins_paused(&self) -> bool {
        self.joins_paused.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Sets switch `key` (once it is stored). Unknown keys are ignored.
    pub fn set(&self, key: &str, on: bool) {
        let switch = match key {
            Self::CHAT_OFF => &self.chat_off,
            Self::JOINS_PAUSED => &self.joins_paused,
            _ => return,
        };
        switch.store(on, std::sync::atomic::Ordering::Release);
    }
}

impl Env {
    /// An environment over `store` with fresh metrics, tasks and shutdown, on the system clock.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Env {
            store,
            metrics: Arc::new(Metrics::default()),
            tracker: TaskTracker::new(),
            shutdown: CancellationToken::new(),
            clock: Clock::system(),
            switches: Arc::default(),
        }
    }
}

impl Env {
    /// Runs a read of the store: on a blocking thread when its reads block (SQLite), right
    /// here when they do not (a store in memory, as in the tests, where time is paused and a
    /// blocking thread would let it jump ahead).
    pub async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        if !self.store.reads_block() {
            return read(&*self.store);
        }
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || read(&*store))
            .await
            .map_err(|e| StoreError::Database(format!("a read did not finish: {e}")))?
    }
}

/// Milliseconds since the Unix epoch: the system's, or (in tests) a fixed start that moves
/// with tokio's (pausable) time.
#[derive(Debug, Clone, Copy)]
pub struct Clock(Kind);

#[derive(Debug, Clone, Copy)]
enum Kind {
    System,
    Tokio { start_ms: u64, start: tokio::time::Instant },
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Clock(Kind::System)
    }

    /// A clock that reads `start_ms` now and moves as `tokio::time` does (with
    /// `tokio::time::pause`, only when the test advances it).
    pub fn tokio(start_ms: u64) -> Self {
        Clock(Kind::Tokio { start_ms, start: tokio::time::Instant::now() })
    }

    /// Now, in milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> u64 {
        match self.0 {
            Kind::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            Kind::Tokio { start_ms, start } => {
                let elapsed = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
                start_ms.saturating_add(elapsed)
            }
        }
    }
}
