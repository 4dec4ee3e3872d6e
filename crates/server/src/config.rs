//! Server settings: what `capital serve` accepts on its command line (or as `CAPITAL_*`
//! environment variables), with their defaults.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Everything the server can be told at start.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "CAPITAL_BIND", default_value = "0.0.0.0:8080")]
    pub bind: SocketAddr,

    /// Directory for the database (created if missing).
    #[arg(long, env = "CAPITAL_DATA", default_value = "./capital-data")]
    pub data: PathBuf,

    /// Seconds a dropped player's seat is held before they leave the room.
    #[arg(long = "grace-seconds", env = "CAPITAL_GRACE_SECONDS", default_value_t = 120,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub grace_seconds: u64,

    /// Seconds a room with nobody connected stays open before it closes.
    #[arg(long = "room-idle-seconds", env = "CAPITAL_ROOM_IDLE_SECONDS", default_value_t = 1800,
          value_parser = clap::value_parser!(u64).range(1..=604_800))]
    pub room_idle_seconds: u64,

    /// Longest chat message, in characters.
    #[arg(long = "max-chat-chars", env = "CAPITAL_MAX_CHAT_CHARS", default_value_t = 500,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_chat_chars: u32,
}

impl Config {
    /// Defaults, listening on `bind` with data in `data`: what tests start from.
    pub fn new(bind: SocketAddr, data: PathBuf) -> Self {
        Config { bind, data, grace_seconds: 120, room_idle_seconds: 1800, max_chat_chars: 500 }
    }

    /// How long a dropped player's seat is held.
    pub fn grace(&self) -> Duration {
        Duration::from_secs(self.grace_seconds)
    }

    /// How long an unattended room stays open.
    pub fn room_idle(&self) -> Duration {
        Duration::from_secs(self.room_idle_seconds)
    }
}

/// Limits that are not (yet) settings.
pub mod limits {
    /// Longest display name, in characters.
    pub const MAX_NAME_CHARS: usize = 24;
    /// Longest `client_msg_id`, in characters.
    pub const MAX_CLIENT_MSG_ID_CHARS: usize = 64;
    /// Chat messages sent with `joined` when no `since` is given.
    pub const JOIN_CHAT: usize = 50;
    /// Chat messages a room keeps in memory (for joins, resumes and retry detection).
    pub const RECENT_CHAT: usize = 200;
    /// Default and largest page of `chat_history`.
    pub const HISTORY_PAGE: u32 = 50;
    /// Largest page of `chat_history`.
    pub const MAX_HISTORY_PAGE: u32 = 200;
    /// Frames queued for one connection before it counts as too slow and is dropped.
    pub const OUTBOX: usize = 512;
    /// Requests queued for one room before new ones get a `busy` error.
    pub const ROOM_QUEUE: usize = 1024;
}
