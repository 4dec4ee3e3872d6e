//! What a room measured of its own games, for the comparison of the two models on the big
//! screen (`room_stats`): in server mode, the moves the server carried, the bytes it sent for
//! them and how long each took the phone that made it (`move_time`); in a `p2p` room, the
//! signalling the server relayed, which is all it carries there. The peer-to-peer side's moves and
//! times are the host phone's to count (it sends them to the screen over the data channel).

use serde::{Deserialize, Serialize};

use crate::RoomCode;

/// Reply to `room_stats`: the room's figures since it was loaded (a restart starts them over).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomStats {
    /// The room.
    pub code: RoomCode,
    /// Its games in server mode.
    pub server: ServerModeStats,
    /// What the server relayed while the room was in `p2p` mode.
    pub p2p: SignallingStats,
}

/// A room's games in server mode.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerModeStats {
    /// Games started.
    pub games: u32,
    /// Moves the server took.
    pub moves: u64,
    /// Bytes the server sent for them: each move's reply, and the events it made, to every
    /// member (as written out, WebSocket headers not counted).
    pub bytes_sent: u64,
    /// Moves whose phone said how long they took (`move_time`): the figures below are of the
    /// latest of them (at most 512).
    pub timed: u64,
    /// The median of those times, in milliseconds (absent before the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p50_ms: Option<u32>,
    /// Their 99th percentile, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p99_ms: Option<u32>,
}

/// The signalling a `p2p` room's server relayed (the same as the console's `signal_bytes`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignallingStats {
    /// Messages relayed.
    pub signals: u64,
    /// Their `data`, written out.
    pub signal_bytes: u64,
}
