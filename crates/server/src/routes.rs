//! The HTTP routes: `/ws` (the protocol), health and metrics, and the web client. Every route
//! answers only requests for a `Host` the server is (see [`crate::hosts`]).

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::FutureExt;

use crate::config::Config;
use crate::state::AppState;
use crate::upgrade::Upgrade;

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
        .route("/privacy", get(crate::assets::app))
        .route("/screen", get(crate::assets::new_screen))
        .route("/teach", get(crate::assets::teach))
        .route("/screen/{code}", get(crate::assets::screen))
        .route("/qr/{file}", get(crate::assets::join_qr))
        .route("/games/{kind}/board", get(crate::board_frame::board))
        .route("/games/{kind}/rules", get(crate::rules_frame::rules))
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
    let read = state.env().read(|store| store.check());
    let write = tokio::time::timeout(Duration::from_secs(2), state.env().store.flush());
    match (read.await, write.await) {
        (Ok(()), Ok(Ok(()))) if state.env().store.writable() => (StatusCode::OK, "ready\n"),
        (Ok(()), _) => (StatusCode::SERVICE_UNAVAILABLE, "the database cannot write\n"),
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
    // What a peer-to-peer room's phones give WebRTC (RTCIceServer), from the settings.
    let ice_servers = if config.ice_servers.is_empty() {
        serde_json::json!([])
    } else if config.ice_username.is_empty() {
        serde_json::json!([{ "urls": config.ice_servers }])
    } else {
        serde_json::json!([{
            "urls": config.ice_servers,
            "username": config.ice_username,
            "credential": config.ice_credential,
        }])
    };
    Json(serde_json::json!({
        "urls": state.urls(),
        "mdns": mdns,
        "version": env!("CARGO_PKG_VERSION"),
        "ice_servers": ice_servers,
    }))
}

async fn ws_upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    slot: Option<axum::Extension<crate::http::ConnectionSlot>>,
    mut request: Request,
) -> Response {
    if let Err(why) = check_origin(request.headers(), state.config()) {
        tracing::info!(%peer, why, "cross-origin WebSocket refused");
        return (StatusCode::FORBIDDEN, format!("{why}\n")).into_response();
    }
    let upgrade = match Upgrade::from_request(&mut request) {
        Ok(upgrade) => upgrade,
        Err(refused) => return refused.into_response(),
    };
    let response = upgrade.response();
    let config = crate::upgrade::config(state.config().max_message_bytes as usize);
    let tracker = state.env().tracker.clone();
    tracker.clone().spawn(async move {
        match upgrade.socket(config).await {
            Ok(socket) => {
                // Boxed once here: the socket then moves through the session's futures as a
                // pointer, instead of being copied into each of their states (a few KiB each).
                let session = crate::session::run(Box::new(socket), state, peer);
                // A task of its own, so that what the upgrade needed is not kept in every
                // connection's state for as long as it lives. The connection's count goes
                // only once the WebSocket is done too.
                tracker.spawn(session.map(move |()| drop(slot)));
            }
            Err(e) => tracing::debug!(%peer, error = %e, "the upgrade did not complete"),
        }
    });
    response
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
