//! What settings mean in the server's own terms: durations from seconds, the byte bounds of
//! direct-message replies, the load balancers' addresses.

use std::time::Duration;

use super::Config;

impl Config {
    /// Whether the server speaks TLS.
    pub fn tls_enabled(&self) -> bool {
        self.tls || self.cert.is_some()
    }

    /// How long a dropped player's seat is held.
    pub fn grace(&self) -> Duration {
        Duration::from_secs(self.grace_seconds)
    }

    /// How long a silent connection lives.
    pub fn keepalive(&self) -> Duration {
        Duration::from_secs(self.keepalive_seconds)
    }

    /// How long a new connection has to say hello.
    pub fn hello_deadline(&self) -> Duration {
        Duration::from_secs(self.hello_seconds)
    }

    /// How long an unattended room stays open.
    pub fn room_idle(&self) -> Duration {
        Duration::from_secs(self.room_idle_seconds)
    }

    /// The most bytes of stored direct messages one reply or push carries (a `dm_history`
    /// page, what waited for a player at connect, the `last` messages of `conversations`):
    /// a quarter of a connection's outbox, so that catching up never fills it (a reply that
    /// carries one message may be bigger, up to the largest message).
    pub fn dm_reply_bytes(&self) -> usize {
        self.outbox_kib as usize * 1024 / 4
    }

    /// The most bytes one direct message takes as stored: a sealed one's envelope, or a text
    /// of `max_dm_chars` characters of four bytes each.
    pub fn largest_dm_bytes(&self) -> usize {
        (self.max_sealed_bytes as usize).max(4 * self.max_dm_chars as usize)
    }

    /// The load balancers' addresses of `trusted_proxies` (checked by [`Config::validate`]).
    pub fn proxies(&self) -> Vec<std::net::IpAddr> {
        self.trusted_proxies.iter().filter_map(|p| p.parse().ok()).collect()
    }
}
