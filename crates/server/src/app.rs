//! The state every connection and room shares, and the HTTP routes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use std::time::Duration;

use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use capital_games::Registry;
use capital_store::Store;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::lobby::Directory;
use crate::metrics::Metrics;
use crate::players::Online;
use crate::session::limits::{PerIp, PerMinute};

/// Cheap to clone; every clone is the same server.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

struct Shared {
    config: Config,
    games: Registry,
    store: Arc<dyn Store>,
    rooms: Directory,
    online: Online,
    metrics: Metrics,
    /// WebSocket connections per client address.
    per_ip: PerIp,
    /// Login and register attempts per client address, and per username.
    login_per_ip: PerMinute<std::net::IpAddr>,
    login_per_user: PerMinute<String>,
    /// The URLs phones can open (LAN addresses), for QR codes and `/api/info`.
    urls: Vec<String>,
    /// Cancelled when the server begins to shut down; sessions and rooms watch it.
    shutdown: CancellationToken,
    /// Every session and room task, so shutdown can wait for them.
    tracker: TaskTracker,
    /// The direct-message hub; set once at start.
    dm: std::sync::OnceLock<crate::dm::DmHandle>,
    next_conn_id: AtomicU64,
}

impl AppState {
    /// Shared state over `store`, with the standard games; `urls` are where phones reach us.
    pub fn new(config: Config, store: Arc<dyn Store>, urls: Vec<String>) -> Self {
        let login_limit = config.login_attempts_per_minute;
        AppState {
            inner: Arc::new(Shared {
                login_per_ip: PerMinute::new(login_limit),
                login_per_user: PerMinute::new(login_limit),
                config,
                games: Registry::standard(),
                store,
                rooms: Directory::default(),
                online: Online::default(),
                metrics: Metrics::default(),
                per_ip: PerIp::default(),
                urls,
                shutdown: CancellationToken::new(),
                tracker: TaskTracker::new(),
                dm: std::sync::OnceLock::new(),
                next_conn_id: AtomicU64::new(1),
            }),
        }
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The games offered.
    pub fn games(&self) -> &Registry {
        &self.inner.games
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// The open rooms.
    pub fn rooms(&self) -> &Directory {
        &self.inner.rooms
    }

    /// Players with a live connection.
    pub fn online(&self) -> &Online {
        &self.inner.online
    }

    /// The direct-message hub.
    pub fn dm(&self) -> &crate::dm::DmHandle {
        self.inner.dm.get().expect("the hub starts before the server serves")
    }

    /// Records the hub (once, at start).
    pub fn set_dm(&self, handle: crate::dm::DmHandle) {
        let _ = self.inner.dm.set(handle);
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// Whether `ip` may try to log in as `username` now: `Err(wait)` when either has used up its
    /// per-minute allowance of failures. Counts nothing.
    pub fn may_log_in(&self, ip: std::net::IpAddr, username: &str) -> Result<(), Duration> {
        let now = std::time::Instant::now();
        self.inner.login_per_ip.check(&ip, now)?;
        self.inner.login_per_user.check(&username.to_ascii_lowercase(), now)
    }

    /// Counts a failed login, or a registration attempt, from `ip` for `username`; `Err(wait)`
    /// when either is over its per-minute limit.
    pub fn login_attempt(&self, ip: std::net::IpAddr, username: &str) -> Result<(), Duration> {
        let now = std::time::Instant::now();
        self.inner.login_per_ip.hit(&ip, now)?;
        self.inner.login_per_user.hit(&username.to_ascii_lowercase(), now)
    }

    /// The URLs phones can open, main one first.
    pub fn urls(&self) -> &[String] {
        &self.inner.urls
    }

    /// Cancelled at shutdown.
    pub fn shutdown_token(&self) -> &CancellationToken {
        &self.inner.shutdown
    }

    /// Tracks sessions and rooms for shutdown.
    pub fn tracker(&self) -> &TaskTracker {
        &self.inner.tracker
    }

    /// A fresh connection id.
    pub fn next_conn_id(&self) -> u64 {
        self.inner.next_conn_id.fetch_add(1, Ordering::Relaxed)
    }
}

/// The routes: `/ws` (the protocol), health and metrics, and the web client (see
/// [`crate::assets`]).
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/ws", get(ws_upgrade))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/info", get(info))
        .route("/", get(crate::assets::app))
        .route("/join/{code}", get(crate::assets::app))
        .route("/screen/{code}", get(crate::assets::screen))
        .route("/qr/{file}", get(crate::assets::join_qr))
        .route("/ca", get(crate::tls::page::ca))
        .route("/ca.crt", get(crate::tls::page::ca_crt))
        .fallback(get(crate::assets::static_file))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Ready when the database answers a read and commits a write.
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let store = state.store().clone();
    let read = tokio::task::spawn_blocking(move || store.check());
    let write = tokio::time::timeout(Duration::from_secs(2), state.store().flush());
    match (read.await, write.await) {
        (Ok(Ok(())), Ok(Ok(()))) => (StatusCode::OK, "ready\n"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database not reachable\n"),
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    state.metrics().set_players_online(state.online().count());
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    ([(header::CONTENT_TYPE, content_type)], state.metrics().encode())
}

/// Where phones can reach the server, for the web client's "join" screens.
async fn info(State(state): State<AppState>) -> Json<serde_json::Value> {
    let config = state.config();
    let mdns = config.mdns.then(|| {
        let scheme = if config.tls_enabled() { "https" } else { "http" };
        format!("{scheme}://{}.local:{}/", config.mdns_name, config.bind.port())
    });
    Json(serde_json::json!({
        "urls": state.urls(),
        "mdns": mdns,
        "version": env!("CARGO_PKG_VERSION"),
    }))
}

/// Per-connection WebSocket read buffer, allocated when the connection opens.
const READ_BUFFER: usize = 1024;
/// Outgoing frames are gathered up to this size before a write (the session flushes after each
/// batch anyway).
const WRITE_BUFFER: usize = 8 * 1024;
/// The most a stalled connection's write buffer may hold.
const MAX_WRITE_BUFFER: usize = 1024 * 1024;

async fn ws_upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if let Err(why) = check_origin(&headers, state.config()) {
        tracing::info!(%peer, why, "cross-origin WebSocket refused");
        return (StatusCode::FORBIDDEN, format!("{why}\n")).into_response();
    }
    let Some(slot) = state.inner.per_ip.acquire(peer.ip(), state.config().max_connections_per_ip)
    else {
        tracing::info!(%peer, "too many connections from one address");
        return (StatusCode::TOO_MANY_REQUESTS, "too many connections from your address\n")
            .into_response();
    };
    let max = state.config().max_message_bytes as usize;
    // Frames are checked against the limit from their header, before anything is allocated.
    // Buffers: tungstenite allocates its read buffer up front for every connection (128 KiB by
    // default, 1.25 GB for 10,000 phones); 1 KiB holds a normal request and grows on demand.
    ws.max_message_size(max)
        .max_frame_size(max)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
        .on_upgrade(move |socket| {
            let tracker = state.tracker().clone();
            tracker.track_future(async move {
                // Boxed once here: the socket then moves through the session's futures as a pointer,
                // instead of being copied into each of their states (a few KiB per connection).
                crate::session::run(Box::new(socket), state, peer).await;
                drop(slot);
            })
        })
}

/// Browsers send `Origin` on WebSocket upgrades. A page from another site must not open a
/// WebSocket here with the user's cookies and address (cross-site WebSocket hijacking): only the
/// same origin and the configured allow-list pass. Clients that send no `Origin` (apps, scripts)
/// are not browsers and pass.
fn check_origin(headers: &HeaderMap, config: &Config) -> Result<(), String> {
    let Some(origin) = headers.get(header::ORIGIN) else { return Ok(()) };
    let origin = origin.to_str().map_err(|_| "unreadable Origin header".to_string())?;
    let origin = origin.trim_end_matches('/').to_ascii_lowercase();
    if config.allowed_origins.iter().any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(&origin))
    {
        return Ok(());
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let scheme = if config.tls_enabled() { "https" } else { "http" };
    if origin == format!("{scheme}://{}", host.to_ascii_lowercase()) {
        Ok(())
    } else {
        Err(format!("origin {origin} may not open a WebSocket here"))
    }
}
