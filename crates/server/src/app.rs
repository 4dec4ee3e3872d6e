//! The state every connection and room shares, and the HTTP routes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::response::IntoResponse;
use axum::routing::get;
use capital_games::Registry;
use capital_store::Store;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::lobby::Directory;
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
    /// Cancelled when the server begins to shut down; sessions and rooms watch it.
    shutdown: CancellationToken,
    /// Every session and room task, so shutdown can wait for them.
    tracker: TaskTracker,
    next_conn_id: AtomicU64,
}

impl AppState {
    /// Shared state over `store`, with the standard games.
    pub fn new(config: Config, store: Arc<dyn Store>) -> Self {
        AppState {
            inner: Arc::new(Shared {
                config,
                games: Registry::standard(),
                store,
                rooms: Directory::default(),
                online: Online::default(),
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

/// The routes: `/ws` (the protocol), `/healthz`, and the web client (see [`crate::assets`]).
pub fn router(state: AppState) -> Router {
    Router::new().route("/ws", get(ws_upgrade)).route("/healthz", get(healthz)).with_state(state)
}

/// Largest WebSocket message a client may send.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;

async fn healthz() -> &'static str {
    "ok\n"
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
