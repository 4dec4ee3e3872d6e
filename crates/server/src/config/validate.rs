//! [`Config::validate`]: the checks that are not ranges (origins, host names, the TLS pair, the
//! mDNS name, the store's URL, the ICE servers, the log filter, the sizes of direct messages against the bounds on
//! their bytes).
//! The ranges come from the table in [`super`].

use super::{Config, ConfigError};

impl Config {
    /// Checks every setting, whatever its source.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.check_ranges()?;
        self.check_dm_sizes()?;
        let postgres = ["postgres://", "postgresql://"];
        if !(self.store.is_empty() || postgres.iter().any(|p| self.store.starts_with(p))) {
            return Err(ConfigError::new(
                "store",
                "is not a PostgreSQL URL like postgres://capital@db.example.org/capital \
                 (leave it empty for SQLite in the data directory)",
            ));
        }
        if self.store_ca.is_some() && self.store.is_empty() {
            return Err(ConfigError::new("store_ca", "is for a PostgreSQL store: set store too"));
        }
        if !self.cluster.is_empty() {
            if !self.cluster.starts_with("nats://") {
                return Err(ConfigError::new(
                    "cluster",
                    "is not a NATS URL like nats://nats.example.org:4222 (leave it empty for \
                     a single node)",
                ));
            }
            if self.store.is_empty() {
                return Err(ConfigError::new(
                    "cluster",
                    "needs a store the nodes share: set store to a postgres:// URL",
                ));
            }
        }
        let name_ok = |c: char| c.is_ascii_alphanumeric() || c == '-';
        if self.node_name.len() > 32 || !self.node_name.chars().all(name_ok) {
            return Err(ConfigError::new(
                "node_name",
                "may hold only letters, digits and '-', at most 32 of them",
            ));
        }
        for origin in &self.allowed_origins {
            if !(origin.starts_with("http://") || origin.starts_with("https://"))
                || origin
                    .split("://")
                    .nth(1)
                    .is_none_or(|rest| rest.is_empty() || rest.contains('/'))
            {
                return Err(ConfigError::new(
                    "allowed_origins",
                    format!("{origin:?} is not an origin like https://example.org"),
                ));
            }
        }
        for proxy in &self.trusted_proxies {
            if proxy.parse::<std::net::IpAddr>().is_err() {
                return Err(ConfigError::new(
                    "trusted_proxies",
                    format!("{proxy:?} is not an IP address like 10.0.0.1"),
                ));
            }
        }
        for name in &self.public_names {
            if !is_host_name(name) {
                return Err(ConfigError::new(
                    "public_names",
                    format!("{name:?} is not a host name like games.example.org"),
                ));
            }
        }
        if self.cert.is_some() != self.key.is_some() {
            let (given, missing) =
                if self.cert.is_some() { ("cert", "key") } else { ("key", "cert") };
            return Err(ConfigError::new(
                missing,
                format!("{given} is set, so {missing} is needed too"),
            ));
        }
        for url in &self.ice_servers {
            let scheme = url.split(':').next().unwrap_or("");
            let rest = url.get(scheme.len() + 1..).unwrap_or("");
            if !matches!(scheme, "stun" | "stuns" | "turn" | "turns") || rest.is_empty() {
                return Err(ConfigError::new(
                    "ice_servers",
                    format!(
                        "{url:?} is not a STUN or TURN address like turn:turn.example.org:3478"
                    ),
                ));
            }
        }
        let name = &self.mdns_name;
        if name.contains('.') || !is_host_name(name) {
            return Err(ConfigError::new(
                "mdns_name",
                format!(
                    "{name:?} is not a host name (letters, digits and inner hyphens, at most 63)"
                ),
            ));
        }
        crate::logging::parse(&self.log).map_err(|e| {
            ConfigError::new("log", format!("{:?} is not a log filter: {e}", self.log))
        })?;
        Ok(())
    }
}

impl Config {
    /// The settings that bound direct messages in bytes must leave room for the largest one.
    fn check_dm_sizes(&self) -> Result<(), ConfigError> {
        let largest = self.largest_dm_bytes();
        if self.dm_kib_per_minute as usize * 1024 < largest {
            return Err(ConfigError::new(
                "dm_kib_per_minute",
                format!(
                    "{} KiB is less than one largest direct message ({largest} bytes: \
                     max_sealed_bytes, or 4 bytes for each of max_dm_chars)",
                    self.dm_kib_per_minute
                ),
            ));
        }
        // A page or push of one message is as big as the message: the outbox must hold one
        // beside the rest that may be queued (another such reply).
        if self.outbox_kib as usize * 1024 < 2 * largest {
            return Err(ConfigError::new(
                "outbox_kib",
                format!(
                    "{} KiB cannot hold twice the largest direct message ({largest} bytes: \
                     max_sealed_bytes, or 4 bytes for each of max_dm_chars); raise it or \
                     lower those",
                    self.outbox_kib
                ),
            ));
        }
        Ok(())
    }
}

/// A DNS host name: dot-separated labels of letters, digits and inner hyphens.
fn is_host_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}
