//! What a room keeps of time: each seat's turn deadline (turn timers) and the real-time lane
//! (the tick count and the inputs waiting for the next tick). The state only; what the room does
//! with it is in [`super::timers`] and [`super::realtime`].

use serde_json::Value;
use tokio::time::{Duration, Instant, Interval, MissedTickBehavior};

/// When a seat's turn runs out: for the room's timer, and as stored.
#[derive(Debug, Clone, Copy)]
pub(super) struct Deadline {
    pub(super) at: Instant,
    pub(super) ms: u64,
}

/// A real-time game in progress: its tick count and the inputs waiting for the next tick.
#[derive(Debug)]
pub(super) struct Lane {
    pub(super) tick: u64,
    pub(super) tick_ms: u32,
    pub(super) inputs: Vec<Option<Value>>,
}

impl Lane {
    /// The lane of a game ticked `rate` times a second, for `players` seats, at `tick`.
    pub(super) fn new(rate: u32, players: usize, tick: u64) -> Lane {
        Lane { tick, tick_ms: 1000 / rate.max(1), inputs: vec![None; players] }
    }

    /// The timer the room's loop waits on.
    pub(super) fn interval(&self) -> Interval {
        let period = Duration::from_millis(u64::from(self.tick_ms));
        let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        // A room that fell behind (a busy core) does not race to catch up.
        interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
        interval
    }
}
