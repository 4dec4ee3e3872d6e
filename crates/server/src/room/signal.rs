//! The bounds and counts of a peer-to-peer room's signalling (relayed by [`super::relay`]): each
//! message at most [`MAX_SIGNAL_BYTES`], at most [`SIGNALS_PER_WINDOW`] a member in [`WINDOW`],
//! and what was relayed (the teacher's console and the comparison with server mode read it).

use std::collections::HashMap;
use std::time::Duration;

use tokio::time::Instant;

/// Largest signalling message, written out as JSON (an SDP offer is 1 to 5 KB).
pub const MAX_SIGNAL_BYTES: usize = 16 * 1024;
/// Signalling messages one member may send in a [`WINDOW`] (an offer and a few dozen
/// candidates, to each of a few peers, with room to retry).
pub const SIGNALS_PER_WINDOW: u32 = 60;
/// The rate window.
pub const WINDOW: Duration = Duration::from_secs(10);

/// What a room relayed, and each member's window.
#[derive(Debug, Default)]
pub struct Signals {
    /// Messages relayed.
    pub relayed: u64,
    /// Their bytes (the data, written out).
    pub bytes: u64,
    /// Per member: when its window began, and how many it sent in it.
    windows: HashMap<String, (Instant, u32)>,
}

impl Signals {
    /// One more message from `from` of `bytes`, at `now`: counted, or `Err(wait)` (and nothing
    /// counted) when `from` sent its window's worth.
    pub fn admit(&mut self, from: &str, bytes: usize, now: Instant) -> Result<(), Duration> {
        let window = self.windows.entry(from.to_owned()).or_insert((now, 0));
        if now.duration_since(window.0) >= WINDOW {
            *window = (now, 0);
        }
        if window.1 >= SIGNALS_PER_WINDOW {
            return Err(WINDOW.saturating_sub(now.duration_since(window.0)));
        }
        window.1 += 1;
        self.relayed += 1;
        self.bytes += bytes as u64;
        Ok(())
    }

    /// A member left: their window goes with them.
    pub fn forget(&mut self, player_id: &str) {
        self.windows.remove(player_id);
    }
}
