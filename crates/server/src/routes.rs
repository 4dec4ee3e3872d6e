//! The HTTP routes: `/ws` (the protocol), health and metrics, and the web client. Every route
//! answers only requests for a `Host` the server is (see [`crate::hosts`]).

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::config::Config;
use crate::state::AppState;

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
        .layer(axum::middleware::from_fn_with_state(state.clone(), only_our_hosts))
        .with_state(state)
}

/// Refuses requests for a `Host` the server is not (DNS rebinding), before any route.
async fn only_our_hosts(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    match host {
        Some(host) if state.hosts().allows(host) => next.run(request).await,
        _ => {
            tracing::info!(host = host.unwrap_or(""), "request for a host this server is not");
            let why = "this server does not answer to that host name (see public_names)\n";
            (StatusCode::MISDIRECTED_REQUEST, why).into_response()
        }
    }
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Ready when the database answers a read and commits a write: 503 while writes fail (a full
/// disk), 200 again once they work (the store retries by itself).
async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let store = state.env().store.clone();
    let read = tokio::task::spawn_blocking(move || store.check());
    let write = tokio::time::timeout(Duration::from_secs(2), state.env().store.flush());
    match (read.await, write.await) {
        (Ok(Ok(())), Ok(Ok(()))) if state.env().store.writable() => (StatusCode::OK, "ready\n"),
        (Ok(Ok(())), _) => (StatusCode::SERVICE_UNAVAILABLE, "the database cannot write\n"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database not reachable\n"),
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let metrics = &state.env().metrics;
    metrics.set_players_online(state.online().count());
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    ([(header::CONTENT_TYPE, content_type)], metrics.encode())
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
    slot: Option<axum::Extension<crate::http::ConnectionSlot>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if let Err(why) = check_origin(&headers, state.config()) {
        tracing::info!(%peer, why, "cross-origin WebSocket refused");
        return (StatusCode::FORBIDDEN, format!("{why}\n")).into_response();
    }
    let max = state.config().max_message_bytes as usize;
    configure(ws, max).on_upgrade(move |socket| {
        let tracker = state.env().tracker.clone();
        tracker.track_future(async move {
            // Boxed once here: the socket then moves through the session's futures as a
            // pointer, instead of being copied into each of their states (a few KiB each).
            crate::session::run(Box::new(socket), state, peer).await;
            // The connection's count goes only once the WebSocket is done too.
            drop(slot);
        })
    })
}

/// The WebSocket settings of every upgrade: frames are checked against the size limit from
/// their header, before anything is allocated. Buffers: tungstenite allocates its read buffer up
/// front for every connection (128 KiB by default, 1.25 GB for 10,000 phones); 1 KiB holds a
/// normal request and grows on demand. Public so that the Autobahn echo example
/// (`crates/server/examples/autobahn_echo.rs`) is tested with exactly these settings.
pub fn configure(ws: WebSocketUpgrade, max_message: usize) -> WebSocketUpgrade {
    ws.max_message_size(max_message)
        .max_frame_size(max_message)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
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
