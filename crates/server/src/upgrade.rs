//! Upgrading an HTTP request to a WebSocket (RFC 6455 section 4.2), over hyper's upgrade and
//! tokio-tungstenite, by hand rather than with axum's extractor: so the session owns the
//! stream and, under it, the connection itself. After a frame it refuses (too big, not UTF-8)
//! the WebSocket layer reads no more, and dropping a socket with unread bytes resets the
//! connection, losing the close frame that says why; with the connection in hand, the session
//! drains what the client still sends and the close ends cleanly.
//!
//! Replaces axum's `ws` feature, which is no longer enabled: tokio-tungstenite was already in the
//! build through it.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};

/// A server-side WebSocket over an upgraded HTTP connection.
pub type Socket = WebSocketStream<TokioIo<Upgraded>>;

/// Per-connection WebSocket read buffer, allocated when the connection opens: tungstenite's
/// default is 128 KiB (1.25 GB for 10,000 phones); 1 KiB holds a normal request and grows.
const READ_BUFFER: usize = 1024;
/// Outgoing frames are gathered up to this size before a write (the session flushes after each
/// batch anyway).
const WRITE_BUFFER: usize = 8 * 1024;
/// The most a stalled connection's write buffer may hold.
const MAX_WRITE_BUFFER: usize = 1024 * 1024;

/// The WebSocket settings of every connection: frames are checked against the size limit from
/// their header, before anything is allocated.
pub fn config(max_message: usize) -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(max_message))
        .max_frame_size(Some(max_message))
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(MAX_WRITE_BUFFER)
}

/// An accepted upgrade: answer with [`Upgrade::response`], then [`Upgrade::socket`] once it is
/// sent.
pub struct Upgrade {
    on: OnUpgrade,
    accept: HeaderValue,
}

fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
}

/// Why an upgrade request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not a WebSocket upgrade at all.
    NotWebSocket,
    /// Another version than 13.
    Version,
    /// No key.
    NoKey,
    /// The connection cannot be upgraded (not HTTP/1.1).
    NotUpgradable,
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let (status, why) = match self {
            Refused::NotWebSocket => {
                (StatusCode::UPGRADE_REQUIRED, "this address speaks WebSocket only")
            }
            Refused::Version => {
                (StatusCode::UPGRADE_REQUIRED, "WebSocket version 13 is spoken here")
            }
            Refused::NoKey => (StatusCode::BAD_REQUEST, "no Sec-WebSocket-Key"),
            Refused::NotUpgradable => {
                (StatusCode::BAD_REQUEST, "this connection cannot be upgraded")
            }
        };
        let mut response = (status, format!("{why}\n")).into_response();
        if self == Refused::Version {
            let thirteen = HeaderValue::from_static("13");
            response.headers_mut().insert(header::SEC_WEBSOCKET_VERSION, thirteen);
        }
        response
    }
}

impl Upgrade {
    /// Checks an upgrade request (a GET with `Connection: upgrade`, `Upgrade: websocket`, a
    /// key, version 13) and takes its upgrade; or the response refusing it.
    pub fn from_request(request: &mut Request) -> Result<Self, Refused> {
        let headers = request.headers();
        if !has_token(headers, header::CONNECTION, "upgrade")
            || !has_token(headers, header::UPGRADE, "websocket")
        {
            return Err(Refused::NotWebSocket);
        }
        if headers.get(header::SEC_WEBSOCKET_VERSION).is_none_or(|v| v.as_bytes() != b"13") {
            return Err(Refused::Version);
        }
        let Some(key) = headers.get(header::SEC_WEBSOCKET_KEY) else {
            return Err(Refused::NoKey);
        };
        let accept = HeaderValue::from_str(&derive_accept_key(key.as_bytes()))
            .expect("a base64 digest is a header value");
        let on = request.extensions_mut().remove::<OnUpgrade>().ok_or(Refused::NotUpgradable)?;
        Ok(Upgrade { on, accept })
    }

    /// The `101 Switching Protocols` answer.
    pub fn response(&self) -> Response {
        let mut response = StatusCode::SWITCHING_PROTOCOLS.into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, self.accept.clone());
        response
    }

    /// The WebSocket, once the response has gone out and hyper hands the connection over.
    pub async fn socket(self, config: WebSocketConfig) -> Result<Socket, hyper::Error> {
        let upgraded = self.on.await?;
        Ok(WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, Some(config))
            .await)
    }
}
