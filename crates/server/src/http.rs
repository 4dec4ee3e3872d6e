//! The HTTP side of the listener: accept TCP connections, optionally wrap them in TLS, and serve
//! HTTP/1.1 (with WebSocket upgrades) through the router.
//!
//! Written out rather than using `axum::serve` so that the connection-level limits live in one
//! place: connections counted per address and in all from the moment they are accepted (so
//! idle or half-done handshakes cannot use up the file descriptors), a TLS handshake deadline,
//! a deadline for the request headers, and a cap on their size. A connection over a count is
//! answered `503` at once and closed.
//!
//! Behind a load balancer every connection comes from the balancer's address; one named in
//! `trusted_proxies` opens each with a PROXY protocol v2 header ([`proxy`]) that gives the
//! client's, which is then the connection's address for every count and limit.

pub mod proxy;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use crate::limits::{Refused, Slot, Slots};

/// The counted slot of a connection: held by the connection task, and by the WebSocket session
/// it may become (a request extension), so it is free only once both are done.
#[derive(Debug, Clone)]
pub struct ConnectionSlot(pub Arc<Slot>);

/// Raises the soft limit on open files to the hard limit, and returns how many connections it
/// leaves room for: `wanted`, or fewer when the limit is lower (keeping
/// [`SPARE_FDS`](crate::config::limits::SPARE_FDS) for the database, logs and listeners).
pub fn connection_budget(wanted: u32) -> u32 {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let mut raised = limit;
    raised.current = limit.maximum;
    let soft = match setrlimit(Resource::Nofile, raised) {
        Ok(()) => raised.current,
        Err(e) => {
            tracing::warn!(error = %e, "cannot raise the open-file limit");
            limit.current
        }
    };
    let room = soft.map_or(u64::MAX, |n| n.saturating_sub(crate::config::limits::SPARE_FDS));
    let budget = u64::from(wanted).min(room).max(1);
    let budget = u32::try_from(budget).unwrap_or(u32::MAX);
    tracing::info!(
        open_files = soft.map_or_else(|| "unlimited".to_owned(), |n| n.to_string()),
        connections = budget,
        "open-file limit"
    );
    if budget < wanted {
        tracing::warn!(wanted, budget, "max_connections lowered to fit the open-file limit");
    }
    budget
}

/// The most a request's head (request line and headers) may take; more gets 431.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;

/// The HTTP/1 settings of every connection: the request head must arrive within
/// `header_timeout` and fit in [`MAX_HEAD_BYTES`]. Public so that the `http_head` fuzz target
/// (fuzz/fuzz_targets/http_head.rs) parses requests exactly as the server does.
pub fn http1_builder(header_timeout: Duration) -> hyper::server::conn::http1::Builder {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(header_timeout).max_buf_size(MAX_HEAD_BYTES);
    http
}

/// How connections are taken in: TLS or not, their counts, the handshake deadline, and the
/// load balancers whose PROXY protocol headers are believed.
pub struct Accept {
    /// TLS, when serving HTTPS.
    pub tls: Option<TlsAcceptor>,
    /// Connections per address and in all.
    pub slots: Slots,
    /// The deadline of a TLS handshake, of a PROXY header, and of the request headers.
    pub handshake: Duration,
    /// `trusted_proxies`.
    pub proxies: Vec<IpAddr>,
}

/// Accepts connections until `shutdown`, serving each on its own task (tracked by `tracker`).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    accept: Accept,
    shutdown: CancellationToken,
    tracker: TaskTracker,
) {
    let accept = Arc::new(accept);
    loop {
        let (tcp, peer) = tokio::select! {
            () = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = tcp.set_nodelay(true);
        let (router, accept_, shutdown_) = (router.clone(), accept.clone(), shutdown.clone());
        if accept.proxies.contains(&peer.ip()) {
            // The client's address comes first, within the handshake's deadline.
            tracker.spawn(async move {
                let mut tcp = tcp;
                let read = proxy::read_header(&mut tcp, peer);
                match tokio::time::timeout(accept_.handshake, read).await {
                    Ok(Ok(client)) => {
                        if let Some(task) = start(tcp, client, router, &accept_, shutdown_) {
                            task.await;
                        }
                    }
                    Ok(Err(e)) => tracing::debug!(%peer, error = %e, "bad PROXY header"),
                    Err(_) => tracing::debug!(%peer, "no PROXY header in time"),
                }
            });
            continue;
        }
        if let Some(task) = start(tcp, peer, router, &accept, shutdown_) {
            tracker.spawn(task);
        }
    }
}

/// Counts connection `tcp` from `peer` and returns the task that serves it; none (it was turned
/// away) when `peer` is over a count.
fn start(
    tcp: tokio::net::TcpStream,
    peer: SocketAddr,
    router: Router,
    accept: &Accept,
    shutdown: CancellationToken,
) -> Option<impl Future<Output = ()> + Send + 'static> {
    let slot = match accept.slots.acquire(peer.ip()) {
        Ok(slot) => ConnectionSlot(Arc::new(slot)),
        Err(refused) => {
            shed(&tcp, peer, refused, accept.tls.is_some());
            return None;
        }
    };
    let (tls, handshake) = (accept.tls.clone(), accept.handshake);
    Some(async move {
        match tls {
            None => serve_connection(tcp, peer, slot, router, handshake, shutdown).await,
            Some(acceptor) => match tokio::time::timeout(handshake, acceptor.accept(tcp)).await {
                Ok(Ok(stream)) => {
                    serve_connection(stream, peer, slot, router, handshake, shutdown).await;
                }
                Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            },
        }
    })
}

/// Turns away a connection over a count: a short `503` if the socket takes it at once (plain
/// HTTP; a TLS client, which could not read it, sees the connection close), then the socket is
/// closed.
fn shed(tcp: &tokio::net::TcpStream, peer: SocketAddr, refused: Refused, tls: bool) {
    let why = match refused {
        Refused::PerIp => "too many connections from your address",
        Refused::Total => "the server has as many connections as it can take",
    };
    tracing::debug!(%peer, why, "connection refused");
    if tls {
        return;
    }
    let response = format!(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\nRetry-After: 5\r\n\r\n{why}\n",
        why.len() + 1
    );
    let _ = tcp.try_write(response.as_bytes());
}

async fn serve_connection<S>(
    stream: S,
    peer: SocketAddr,
    slot: ConnectionSlot,
    router: Router,
    handshake: Duration,
    shutdown: CancellationToken,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = router.map_request(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request.extensions_mut().insert(slot.clone());
        request
    });
    let conn = http1_builder(handshake)
        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
    let conn = conn.with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "HTTP connection ended with an error");
            }
        }
        () = shutdown.cancelled() => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(Duration::from_secs(2), conn).await;
        }
    }
}
