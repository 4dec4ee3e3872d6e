//! The Capital server: every player's phone talks to it over one WebSocket; it checks every
//! move against the game's rules, keeps every room's history durable, and relays events.
//!
//! [`Server::bind`] opens the data directory, brings back every open room, and binds the
//! listener; [`Server::run`] serves until the shutdown future completes, then closes every
//! WebSocket with a reason and waits for pending writes.
//!
//! # Layout
//! Leaves first (each uses only those above it):
//! - [`config`]: settings (declared once, in a table) and limits.
//! - [`text`]: checking names and messages.
//! - [`limits`]: token buckets, counted slots, per-minute counters.
//! - [`metrics`]: Prometheus metrics.
//! - [`conn`]: [`conn::ConnHandle`], how rooms and the hub reach a connection's outbox.
//! - [`env`]: what every actor gets: store, metrics, tasks, shutdown, clock.
//! - [`pipeline`]: durable, then send: the one write path of the room and DM actors.
//! - [`players`] and [`accounts`]: identities, tokens, who is online; usernames, passwords.
//! - [`room`]: one actor per room: seats, the game, chat, presence, persistence.
//! - [`lobby`]: room codes and the directory of open rooms.
//! - [`dm`]: direct messages, receipts, presence and blocks (one hub actor).
//! - [`hosts`]: which `Host` names the server answers to.
//! - [`state`]: what the routes and sessions share.
//! - [`upgrade`]: HTTP to WebSocket, keeping hold of the connection.
//! - [`session`]: one WebSocket connection: route each request, reply, deliver events.
//! - [`routes`], [`assets`]: the HTTP routes and the embedded phone client.
//! - [`http`]: accepting connections: counts, TLS, header limits, HTTP/1.1 with upgrades.
//! - [`tls`]: the certificate: given, or issued by a local CA kept in the data directory, and
//!   the `/ca` page that hands that CA to phones.
//! - [`banner`], [`mdns`], [`logging`], [`shutdown`]: the edges.
//! - [`storage`]: opening the store the configuration names (SQLite or PostgreSQL).
//! - [`cluster`]: several nodes on one PostgreSQL and one NATS: rooms on one node each,
//!   players on any.
//! - [`admins`]: `capital admin`, making accounts admins from the terminal.
//! - [`scripts`]: the game scripts (shipped and in the data directory), reloaded as they change;
//!   [`board_frame`]: the sandboxed page a script game's board runs in; [`rules_frame`], the
//!   one its rules run in on the host's phone in a peer-to-peer room.

pub(crate) mod accounts;
pub mod admins;
pub(crate) mod assets;
pub mod banner;
pub(crate) mod board_frame;
pub mod cluster;
pub mod config;
pub(crate) mod conn;
pub(crate) mod dm;
pub(crate) mod env;
pub mod hosts;
pub mod http;
pub mod limits;
pub(crate) mod lobby;
pub mod logging;
pub mod mdns;
pub(crate) mod metrics;
pub(crate) mod pipeline;
pub(crate) mod players;
pub(crate) mod room;
pub(crate) mod routes;
pub(crate) mod rules_frame;
pub mod scripts;
pub mod session;
pub mod shutdown;
pub(crate) mod state;
pub mod storage;
pub(crate) mod text;
pub mod tls;
pub mod upgrade;

#[cfg(test)]
mod testing;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use capital_store::Store;
use tokio::net::TcpListener;

pub use config::Config;
use state::AppState;

pub use capital_games::Registry;
use config::limits::MAX_REPLAY_BYTES;
use env::Env;
use limits::{PerMinute, Slots};
use lobby::{Directory, LobbySettings};
use room::{RoomEnv, RoomSettings};

/// How long shutdown waits for connections and rooms to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(4);

/// A server with its listener bound and its rooms loaded, ready to [`Server::run`].
pub struct Server {
    listener: TcpListener,
    state: AppState,
    tls: Option<tls::Tls>,
    lan_ips: Vec<std::net::IpAddr>,
    /// Connections in all and per address, counted from accept.
    slots: Slots,
    /// The game scripts, watched while the server runs.
    scripts: scripts::Scripts,
}

impl Server {
    /// Checks the settings, opens the data directory (creating it, readable by this user only),
    /// loads every open room, sets up TLS if asked, and binds the listener. `games` are the
    /// games it offers (`Registry::standard()` for those Capital ships).
    pub async fn bind(config: Config, games: Registry) -> anyhow::Result<Self> {
        config.validate()?;
        private_dir(&config.data)
            .map_err(|e| anyhow::anyhow!("data: cannot create {}: {e}", config.data.display()))?;
        let opening = config.clone();
        let (store, leases) =
            tokio::task::spawn_blocking(move || storage::open_node(&opening)).await??;
        Self::bind_parts(config, games, store, leases).await
    }

    /// Like [`Server::bind`], over a store of the caller's choosing (another backend, or one
    /// that fails on purpose in tests). The data directory still holds generated certificates.
    pub async fn bind_with_store(
        config: Config,
        games: Registry,
        store: Arc<dyn Store>,
    ) -> anyhow::Result<Self> {
        Self::bind_parts(config, games, store, None).await
    }

    async fn bind_parts(
        config: Config,
        games: Registry,
        store: Arc<dyn Store>,
        leases: Option<capital_store::postgres::Leases>,
    ) -> anyhow::Result<Self> {
        config.validate()?;
        let lan_ips = banner::lan_ips();
        let tls = tls::setup(&config, &lan_ips)?;
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|e| anyhow::anyhow!("bind: cannot listen on {}: {e}", config.bind))?;
        let bound = listener.local_addr()?;
        let urls = banner::urls(bound, tls.is_some(), &lan_ips);
        let slots = Slots::new(
            config.max_connections_per_ip,
            http::connection_budget(config.max_connections),
        );
        // Game scripts: the examples, and the games folder in the data directory.
        let limits = capital_script::Limits {
            memory_bytes: config.script_memory_mib as usize * 1024 * 1024,
            cpu_per_call: Duration::from_millis(config.script_call_ms.into()),
        };
        let env = Env::new(store);
        // The admins' server-wide switches, as stored, and the script games they turned off.
        let mut off = Vec::new();
        for key in env.read(|store| store.flags()).await? {
            match key.strip_prefix(scripts::OFF_FLAG) {
                Some(kind) => off.push(kind.to_owned()),
                None => env.switches.set(&key, true),
            }
        }
        let shelf = scripts::Shelf::new(games.clone(), off);
        let (dir, on_shelf) = (config.data.join("games"), shelf.clone());
        let scripts =
            tokio::task::spawn_blocking(move || scripts::Scripts::load(&dir, limits, on_shelf))
                .await?;
        let lookups = Arc::new(PerMinute::new(config.failed_lookups_per_minute));
        let room_env = RoomEnv {
            env: env.clone(),
            settings: RoomSettings {
                grace: config.grace(),
                idle: config.room_idle(),
                rematch_countdown: Duration::from_secs(config.rematch_countdown_seconds.into()),
                max_chat_chars: config.max_chat_chars as usize,
                max_spectators: config.max_spectators_per_room as usize,
                word_filter: Arc::new(text::WordFilter::new(&config.word_filter)),
                max_replay_bytes: (config.outbox_kib as usize * 1024 / 2).min(MAX_REPLAY_BYTES),
            },
            lookups: lookups.clone(),
            on_close: Arc::new(|_, _| {}),
            games,
            // A game script's room comes back with the text the store kept.
            rebuild: Arc::new(move |kept| {
                capital_script::ScriptKind::load(&kept.source, &kept.file, limits)
                    .map(|kind| Arc::new(kind) as Arc<dyn capital_engine::GameKind>)
                    .map_err(|e| e.to_string())
            }),
        };
        let lobby = LobbySettings {
            max_rooms: config.max_rooms as usize,
            max_rooms_per_player: config.max_rooms_per_player as usize,
            new_rooms_per_minute: config.new_rooms_per_minute,
        };
        let rooms = Directory::new(room_env, lobby);
        let online = Arc::new(players::Online::default());
        let cluster = match leases {
            Some(leases) => Some(
                cluster::Cluster::start(cluster::Setup {
                    url: config.cluster.clone(),
                    node: config.node_name.clone(),
                    leases,
                    env: env.clone(),
                    rooms: rooms.clone(),
                    online: online.clone(),
                    outbox: (config::limits::OUTBOX, config.outbox_kib as usize * 1024),
                    dm_settings: dm::DmSettings::of(&config),
                })
                .await?,
            ),
            None => None,
        };
        // A cluster has one direct-message hub, on one of its nodes; a single node its own.
        let dm = match &cluster {
            Some(cluster) => dm::DmHandle::forwarded(Arc::new(cluster.clone())),
            None => dm::hub::Hub::start(env.clone(), dm::DmSettings::of(&config)).await?,
        };
        let loaded = rooms.load().await?;
        tracing::info!(rooms = loaded, "rooms restored");
        if let Some(cluster) = &cluster {
            cluster.run();
        }
        let parts = state::Parts { config, env, rooms, dm, lookups, urls, shelf, online, cluster };
        let state = AppState::new(parts);
        Ok(Server { listener, state, tls, lan_ips, slots, scripts })
    }

    /// The address the listener is bound to (the real port when asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// The URLs phones can open, main one first.
    pub fn urls(&self) -> &[String] {
        self.state.urls()
    }

    /// The TLS certificate's SHA-256 fingerprint, when serving TLS.
    pub fn tls_fingerprint(&self) -> Option<&str> {
        self.tls.as_ref().map(|t| t.fingerprint.as_str())
    }

    /// The local CA's SHA-256 fingerprint, when the certificate was issued here (TLS without
    /// `--cert`/`--key`).
    pub fn ca_fingerprint(&self) -> Option<&str> {
        self.tls.as_ref().and_then(|t| t.ca_fingerprint.as_deref())
    }

    /// The mDNS name phones can open, when advertising.
    pub fn mdns_url(&self) -> Option<String> {
        let config = self.state.config();
        config.mdns.then(|| {
            let scheme = if self.tls.is_some() { "https" } else { "http" };
            format!("{scheme}://{}.local:{}/", config.mdns_name, self.local_addr().port())
        })
    }

    /// Serves until `shutdown` completes, then: stops accepting, closes every WebSocket with
    /// "server shutting down", lets rooms finish, and waits for every pending write.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Server { listener, state, tls, lan_ips, slots, scripts } = self;
        let env = state.env().clone();
        let token = env.shutdown.clone();
        tokio::spawn({
            let token = token.clone();
            async move {
                shutdown.await;
                token.cancel();
            }
        });
        let expiry = Duration::from_secs(u64::from(state.config().guest_expiry_days) * 86_400);
        let dm = state.dm().clone();
        let forgotten = move || {
            let dm = dm.clone();
            async move { dm.reload_keys().await }
        };
        env.tracker.spawn(players::expire_guests(env.clone(), expiry, forgotten));
        env.tracker.spawn(scripts::watch(scripts, env.shutdown.clone()));
        let addr = listener.local_addr()?;
        let _mdns = state.config().mdns.then(|| {
            let config = state.config();
            match mdns::Advertisement::start(&config.mdns_name, &lan_ips, addr.port(), tls.is_some()) {
                Ok(ad) => {
                    tracing::info!(name = %format!("{}.local", config.mdns_name), "advertising on mDNS");
                    Some(ad)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot advertise on mDNS; phones need the address");
                    None
                }
            }
        });
        let acceptor = tls.map(|t| tokio_rustls::TlsAcceptor::from(t.config));
        let router = routes::router(state.clone());
        tracing::info!(%addr, tls = acceptor.is_some(), "listening");
        let handshake = Duration::from_secs(state.config().handshake_seconds);
        let proxies = state.config().proxies();
        let accept = http::Accept { tls: acceptor, slots, handshake, proxies };
        http::serve(listener, router, accept, token.clone(), env.tracker.clone()).await;
        token.cancel();
        env.tracker.close();
        if tokio::time::timeout(SHUTDOWN_GRACE, env.tracker.wait()).await.is_err() {
            tracing::warn!("some connections or rooms did not finish in time");
        }
        env.store.flush().await.map_err(|e| anyhow::anyhow!("final flush failed: {e}"))?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Creates `dir` (and its parents) readable by this user only; an existing directory is left
/// as it is, with a warning if others can read it.
fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        if dir.is_dir() {
            let mode = std::fs::metadata(dir)?.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(dir = %dir.display(), mode = format!("{:o}", mode & 0o777), "the data directory is readable by others; chmod 700 it");
            }
            return Ok(());
        }
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}
