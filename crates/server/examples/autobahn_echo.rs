//! An echo server for Autobahn|Testsuite's fuzzingclient, run by `.ci/autobahn/run.sh`.
//!
//! It serves `/echo` through the server's own accept loop ([`http::serve`]) and upgrade
//! ([`upgrade::Upgrade`], with the settings every `/ws` connection gets: [`upgrade::config`]
//! with the default `max_message_bytes`), and
//! handles a failed read the way a session does ([`close_reason_for`] and [`close`]): 1009 for a
//! message over the limit, 1007 for text that is not UTF-8, 1002 for a broken frame, and no
//! close frame when the connection itself failed. Only the application is different: every text and binary message
//! is sent back as it came. An example is not part of the `capital` binary, so `/echo` is never
//! reachable in a normal build.
//!
//! ```sh
//! cargo run --release -p capital-server --example autobahn_echo -- 9001
//! ```
//!
//! The one argument is the port on 127.0.0.1 (0, the default, takes a free one). The first
//! line on standard output is `listening on ADDRESS`, for the script; logs go to standard
//! error. It stops on Ctrl-C or SIGTERM.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::get;
use capital_server::config::Config;
use capital_server::limits::Slots;
use capital_server::session::socket::{close, close_reason_for};
use capital_server::upgrade::{self, Socket, Upgrade};
use capital_server::{http, shutdown};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tungstenite::Message;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let port = match std::env::args().nth(1) {
        Some(port) => port.parse().with_context(|| format!("not a port: {port}"))?,
        None => 0,
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(capital_server::logging::filter(
            &std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned()),
        ))
        .init();

    // The defaults a server starts with; the data directory is never opened.
    let config = Config::new(SocketAddr::from((Ipv4Addr::LOCALHOST, port)), PathBuf::new());
    let max_message = config.max_message_bytes as usize;
    let router = Router::new().route(
        "/echo",
        get(move |mut request: Request| async move {
            let upgrade = match Upgrade::from_request(&mut request) {
                Ok(upgrade) => upgrade,
                Err(refused) => return refused.into_response(),
            };
            let response = upgrade.response();
            tokio::spawn(async move {
                if let Ok(socket) = upgrade.socket(upgrade::config(max_message)).await {
                    echo(socket).await;
                }
            });
            response
        }),
    );
    let slots =
        Slots::new(config.max_connections_per_ip, http::connection_budget(config.max_connections));
    let handshake = Duration::from_secs(config.handshake_seconds);

    let listener = TcpListener::bind(config.bind).await.context("cannot bind")?;
    println!("listening on {}", listener.local_addr()?);

    let token = CancellationToken::new();
    tokio::spawn({
        let token = token.clone();
        async move {
            shutdown::signal().await;
            token.cancel();
        }
    });
    let accept = http::Accept { tls: None, slots, handshake, proxies: Vec::new() };
    http::serve(listener, router, accept, token, TaskTracker::new()).await;
    Ok(())
}

/// Sends every text and binary message back until the client closes (tungstenite has queued
/// the reply to its close frame: flushing sends it) or a read fails.
async fn echo(mut socket: Socket) {
    while let Some(received) = socket.next().await {
        match received {
            Ok(message @ (Message::Text(_) | Message::Binary(_))) => {
                if socket.send(message).await.is_err() {
                    return;
                }
            }
            // Pongs to pings are queued by tungstenite and go out with the next read.
            Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => {}
            Ok(Message::Close(_)) => {
                let _ = socket.flush().await;
                return;
            }
            Err(e) => {
                if let Some(reason) = close_reason_for(e) {
                    close(&mut socket, reason).await;
                }
                return;
            }
        }
    }
}
