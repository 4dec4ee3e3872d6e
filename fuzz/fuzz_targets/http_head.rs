//! `http_head`: raw bytes from a client, as the server's HTTP side reads them: hyper's HTTP/1
//! server connection built by `capital_server::http::http1_builder` (the server's own settings:
//! the head deadline and `MAX_HEAD_BYTES`), over an in-memory pipe, serving a small service that
//! applies the server's `Host` check (`capital_server::hosts::Hosts::allows`).
//!
//! The input is everything the client sends before closing its half of the connection. Time is
//! tokio's paused clock, so the head deadline costs no real time and a connection that would
//! hang shows up as one that outlives it.
//!
//! Checks: no panic; the connection ends once the client is done; every request that reaches
//! the service has a head within `MAX_HEAD_BYTES`; what comes back is HTTP/1 or nothing;
//! `allows` ignores ASCII case and never lets through a host that a standard authority parser
//! (`http::uri::Authority`) reads as a DNS name that is not one of the server's.

#![no_main]

use std::convert::Infallible;
use std::sync::LazyLock;
use std::time::Duration;

use capital_server::hosts::Hosts;
use capital_server::http::{MAX_HEAD_BYTES, http1_builder};
use hyper::body::Incoming;
use hyper::http::uri::Authority;
use hyper::{Request, Response, StatusCode, header};
use hyper_util::rt::TokioIo;
use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The server's default `handshake_seconds`.
const HEAD_DEADLINE: Duration = Duration::from_secs(10);

/// Names as a server started with `--public-name games.example.org` has them.
static HOSTS: LazyLock<Hosts> =
    LazyLock::new(|| Hosts::new("capital", &["games.example.org".to_owned()]));

/// The names `HOSTS` answers to, for the reference check (the machine's own names included).
static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let machine = rustix::system::uname().nodename().to_string_lossy().to_ascii_lowercase();
    let short = machine.split('.').next().unwrap_or_default().to_owned();
    let mut names = vec!["localhost".into(), "capital.local".into(), "games.example.org".into()];
    names.extend([format!("{short}.local"), short, machine]);
    names
});

/// One runtime for every input, its clock paused (it moves only when nothing else can).
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime")
});

fuzz_target!(|data: &[u8]| {
    let response = RUNTIME.block_on(exchange(data));
    assert!(
        response.is_empty() || response.starts_with(b"HTTP/1."),
        "not an HTTP/1 response: {:?}",
        String::from_utf8_lossy(&response[..response.len().min(200)])
    );
    // `allows` on any text, not only on what hyper takes as a header value.
    check_host(&String::from_utf8_lossy(data));
});

/// Sends `data`, closes the sending half, and returns all the server sent back.
async fn exchange(data: &[u8]) -> Vec<u8> {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let service = hyper::service::service_fn(handle);
    let connection = http1_builder(HEAD_DEADLINE).serve_connection(TokioIo::new(server), service);
    let connection = connection.with_upgrades();
    let (mut from_server, mut to_server) = tokio::io::split(client);
    let client = async move {
        // The server may stop reading (an error, a response with `Connection: close`).
        let _ = to_server.write_all(data).await;
        let _ = to_server.shutdown().await;
        drop(to_server);
        let mut response = Vec::new();
        let _ = from_server.read_to_end(&mut response).await;
        response
    };
    let both = async { tokio::join!(connection, client) };
    // Past the head deadline (virtual time) the connection must have ended.
    match tokio::time::timeout(HEAD_DEADLINE * 3, both).await {
        Ok((_served, response)) => response,
        Err(_) => panic!("the connection did not end after the client closed it"),
    }
}

/// The trivial application: the `Host` check the router does first, then `ok`.
async fn handle(request: Request<Incoming>) -> Result<Response<String>, Infallible> {
    let head = head_len(&request);
    assert!(head <= MAX_HEAD_BYTES, "a request with a {head}-byte head got through");
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    let status = match host {
        Some(host) if check_host(host) => StatusCode::OK,
        _ => StatusCode::MISDIRECTED_REQUEST,
    };
    let mut response = Response::new("ok\n".to_owned());
    *response.status_mut() = status;
    Ok(response)
}

/// The fewest bytes the request's head can have taken on the wire.
fn head_len(request: &Request<Incoming>) -> usize {
    let line = request.method().as_str().len() + 1 + request.uri().to_string().len() + 11;
    let headers: usize =
        request.headers().iter().map(|(n, v)| n.as_str().len() + 1 + v.len() + 2).sum();
    line + headers + 2
}

/// `Hosts::allows`, with the checks above; returns its answer.
fn check_host(host: &str) -> bool {
    let allowed = HOSTS.allows(host);
    assert_eq!(HOSTS.allows(&host.to_ascii_uppercase()), allowed, "{host:?}: case matters");
    assert_eq!(HOSTS.allows(&host.to_ascii_lowercase()), allowed, "{host:?}: case matters");
    if allowed && let Ok(authority) = host.parse::<Authority>() {
        let name = authority.host();
        let ours = name.starts_with('[')
            || name.parse::<std::net::Ipv4Addr>().is_ok()
            || NAMES.iter().any(|n| n.eq_ignore_ascii_case(name.trim_end_matches('.')));
        assert!(ours, "{host:?} is allowed, but names the host {name:?}");
    }
    allowed
}
