//! The state every connection and room shares, and the HTTP routes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use std::time::Duration;

use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
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
    /// The URLs phones can open (LAN addresses), for QR codes and `/api/info`.
    urls: Vec<String>,
    /// Cancelled when the server begins to shut down; sessions and rooms watch it.
    shutdown: CancellationToken,
    /// Every session and room task, so shutdown can wait for them.
    tracker: TaskTracker,
    next_conn_id: AtomicU64,
}

impl AppState {
    /// Shared state over `store`, with the standard games; `urls` are where phones reach us.
    pub fn new(config: Config, store: Arc<dyn Store>, urls: Vec<String>) -> Self {
        AppState {
            inner: Arc::new(Shared {
                config,
                games: Registry::standard(),
                store,
                rooms: Directory::default(),
                online: Online::default(),
                metrics: Metrics::default(),
                urls,
                shutdown: CancellationToken::new(),
                tracker: TaskTracker::new(),
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

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
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
        .fallback(get(crate::assets::static_file))
        .with_state(state)
}

/// Largest WebSocket message a client may send.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

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

async fn ws_upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ws: WebSocketUpgrade,
) -> impl IntoResponse {
    // A request is one small JSON object; nothing legitimate comes near these sizes.
    ws.max_message_size(MAX_MESSAGE_BYTES).max_frame_size(MAX_MESSAGE_BYTES).on_upgrade(
        move |socket| {
            let tracker = state.tracker().clone();
            tracker.track_future(crate::session::run(socket, state, peer))
        },
    )
}
