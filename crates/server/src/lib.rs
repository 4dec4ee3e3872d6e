//! The Capital server: every player's phone talks to it over one WebSocket; it checks every
//! move against the game's rules, keeps every room's history durable, and relays events.
//!
//! [`Server::bind`] opens the data directory, brings back every open room, and binds the
//! listener; [`Server::run`] serves until the shutdown future completes, then closes every
//! WebSocket with a reason and waits for pending writes.
//!
//! # Layout
//! - [`config`]: settings and limits.
//! - [`app`]: shared state and the HTTP router (`/ws`, `/healthz`, `/readyz`, `/metrics`, the
//!   web client).
//! - [`http`]: accepting connections: TLS, header limits, HTTP/1.1 with upgrades.
//! - [`tls`]: the certificate: given, or issued by a local CA kept in the data directory, and
//!   the `/ca` page that hands that CA to phones.
//! - [`banner`], [`mdns`]: telling people and phones where the server is.
//! - [`metrics`]: Prometheus metrics.
//! - [`assets`]: the embedded phone client and QR codes of join links.
//! - [`session`]: one WebSocket connection: parse, dispatch, reply, deliver events.
//! - [`players`]: guest identities, resume tokens, one live connection per player.
//! - [`accounts`]: usernames and argon2id password hashes.
//! - [`dm`]: direct messages, receipts, presence and blocks (one hub actor).
//! - [`lobby`]: room codes and the directory of open rooms.
//! - [`room`]: one actor per room: seats, the game, chat, presence, persistence.
//! - [`shutdown`]: waiting for Ctrl-C / SIGTERM.

pub mod accounts;
pub mod app;
pub mod assets;
pub mod banner;
pub mod config;
pub mod dm;
pub mod http;
pub mod lobby;
pub mod mdns;
pub mod metrics;
pub mod players;
pub mod room;
pub mod session;
pub mod shutdown;
pub mod tls;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use capital_store::{SqliteStore, Store};
use tokio::net::TcpListener;

pub use app::AppState;
pub use config::Config;

/// How long shutdown waits for connections and rooms to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(4);

/// A server with its listener bound and its rooms loaded, ready to [`Server::run`].
pub struct Server {
    listener: TcpListener,
    state: AppState,
    tls: Option<tls::Tls>,
    lan_ips: Vec<std::net::IpAddr>,
}

impl Server {
    /// Checks the settings, opens the data directory (creating it), loads every open room, sets
    /// up TLS if asked, and binds the listener.
    pub async fn bind(config: Config) -> anyhow::Result<Self> {
        config.validate()?;
        std::fs::create_dir_all(&config.data)
            .map_err(|e| anyhow::anyhow!("data: cannot create {}: {e}", config.data.display()))?;
        let db = config.data.join("capital.db");
        let store = tokio::task::spawn_blocking(move || SqliteStore::open(&db))
            .await?
            .map_err(|e| anyhow::anyhow!("data: cannot open the database: {e}"))?;
        Self::bind_with_store(config, Arc::new(store)).await
    }

    /// Like [`Server::bind`], over a store of the caller's choosing (another backend, or one
    /// that fails on purpose in tests). The data directory still holds a generated certificate.
    pub async fn bind_with_store(config: Config, store: Arc<dyn Store>) -> anyhow::Result<Self> {
        config.validate()?;
        let lan_ips = banner::lan_ips();
        let tls = tls::setup(&config, &lan_ips)?;
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|e| anyhow::anyhow!("bind: cannot listen on {}: {e}", config.bind))?;
        let bound = listener.local_addr()?;
        let urls = banner::urls(bound, tls.is_some(), &lan_ips);
        let state = AppState::new(config, store, urls);
        state.set_dm(dm::hub::Hub::start(&state).await?);
        let loaded = state.rooms().load(&state).await?;
        tracing::info!(rooms = loaded, "rooms restored");
        Ok(Server { listener, state, tls, lan_ips })
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
        let Server { listener, state, tls, lan_ips } = self;
        let token = state.shutdown_token().clone();
        tokio::spawn({
            let token = token.clone();
            async move {
                shutdown.await;
                token.cancel();
            }
        });
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
        let router = app::router(state.clone());
        tracing::info!(%addr, tls = acceptor.is_some(), "listening");
        let handshake = Duration::from_secs(state.config().handshake_seconds);
        http::serve(listener, router, acceptor, handshake, token.clone(), state.tracker().clone())
            .await;
        token.cancel();
        let tracker = state.tracker();
        tracker.close();
        if tokio::time::timeout(SHUTDOWN_GRACE, tracker.wait()).await.is_err() {
            tracing::warn!("some connections or rooms did not finish in time");
        }
        state.store().flush().await.map_err(|e| anyhow::anyhow!("final flush failed: {e}"))?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Milliseconds since the Unix epoch, for timestamps that clients see and the store keeps.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
