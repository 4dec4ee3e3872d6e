//! What the HTTP routes and the sessions share: the settings, the actors' environment, the
//! lobby, the direct-message hub, who is online, and the per-address limits of requests. Built
//! once every actor has started (see [`crate::Server::bind`]); nothing in it is set later.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::accounts::Gate;
use crate::config::Config;
use crate::dm::DmHandle;
use crate::env::Env;
use crate::hosts::Hosts;
use crate::limits::PerMinute;
use crate::lobby::Directory;
use crate::players::Online;

/// Cheap to clone; every clone is the same server.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

struct Shared {
    config: Config,
    env: Env,
    rooms: Directory,
    dm: DmHandle,
    online: Arc<Online>,
    /// The cluster this node is part of (none: a single node).
    cluster: Option<crate::cluster::Cluster>,
    /// Login and register attempts, and the bound on password hashing.
    gate: Gate,
    /// New guests per address.
    new_guests: PerMinute<IpAddr>,
    /// Failed room lookups per address (shared with the rooms, which count non-members).
    lookups: Arc<PerMinute<IpAddr>>,
    /// The `Host` names requests may carry.
    hosts: Hosts,
    /// The URLs phones can open (LAN addresses), for QR codes and `/api/info`.
    urls: Vec<String>,
    /// Words masked in names (and, through the rooms' settings, chat).
    word_filter: crate::text::WordFilter,
    /// The game scripts and how each stands.
    shelf: crate::scripts::Shelf,
    next_conn_id: AtomicU64,
}

/// What [`AppState::new`] is made of.
pub struct Parts {
    /// The settings.
    pub config: Config,
    /// The actors' environment.
    pub env: Env,
    /// The open rooms.
    pub rooms: Directory,
    /// The direct-message hub.
    pub dm: DmHandle,
    /// Failed room lookups per address (the same limiter the rooms were given).
    pub lookups: Arc<PerMinute<IpAddr>>,
    /// Where phones reach us.
    pub urls: Vec<String>,
    /// The game scripts and how each stands.
    pub shelf: crate::scripts::Shelf,
    /// Who is connected (shared with the cluster, which closes a player's connection here
    /// when they connect to another node).
    pub online: Arc<Online>,
    /// The cluster, if this node is part of one.
    pub cluster: Option<crate::cluster::Cluster>,
}

impl AppState {
    /// The shared state of a server whose actors are running.
    pub fn new(parts: Parts) -> Self {
        let Parts { config, env, rooms, dm, lookups, urls, shelf, online, cluster } = parts;
        AppState {
            inner: Arc::new(Shared {
                gate: Gate::new(config.login_attempts_per_minute, Gate::hashes_for_this_machine()),
                new_guests: PerMinute::new(config.new_guests_per_minute),
                hosts: Hosts::new(&config.mdns_name, &config.public_names),
                word_filter: crate::text::WordFilter::new(&config.word_filter),
                config,
                env,
                rooms,
                dm,
                online,
                cluster,
                lookups,
                urls,
                shelf,
                next_conn_id: AtomicU64::new(1),
            }),
        }
    }

    /// The game scripts and how each stands.
    pub fn shelf(&self) -> &crate::scripts::Shelf {
        &self.inner.shelf
    }

    /// Words masked in names.
    pub fn word_filter(&self) -> &crate::text::WordFilter {
        &self.inner.word_filter
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Store, metrics, tasks, shutdown, clock.
    pub fn env(&self) -> &Env {
        &self.inner.env
    }

    /// The open rooms.
    pub fn rooms(&self) -> &Directory {
        &self.inner.rooms
    }

    /// The direct-message hub.
    pub fn dm(&self) -> &DmHandle {
        &self.inner.dm
    }

    /// Players with a live connection.
    pub fn online(&self) -> &Online {
        &self.inner.online
    }

    /// The cluster this node is part of, if any.
    pub fn cluster(&self) -> Option<&crate::cluster::Cluster> {
        self.inner.cluster.as_ref()
    }

    /// Login and register limits, password hashing.
    pub fn gate(&self) -> &Gate {
        &self.inner.gate
    }

    /// New guests per address.
    pub fn new_guests(&self) -> &PerMinute<IpAddr> {
        &self.inner.new_guests
    }

    /// Failed room lookups per address.
    pub fn lookups(&self) -> &PerMinute<IpAddr> {
        &self.inner.lookups
    }

    /// The `Host` names the server answers to.
    pub fn hosts(&self) -> &Hosts {
        &self.inner.hosts
    }

    /// The URLs phones can open, main one first.
    pub fn urls(&self) -> &[String] {
        &self.inner.urls
    }

    /// A fresh connection id.
    pub fn next_conn_id(&self) -> u64 {
        self.inner.next_conn_id.fetch_add(1, Ordering::Relaxed)
    }
}
