//! A Rust client for the Capital protocol, sharing its message types with the server.
//!
//! [`Client::connect`] opens the WebSocket; [`Client::request`] sends a request and waits for
//! the reply that names it (`re`), while room events and anything else the server pushes queue
//! up for [`Client::next_event`]. A background task owns the socket, so many requests may be in
//! flight at once (the load generator relies on that). Encrypted direct messages: a device's
//! key ([`e2e::DeviceKey`]), [`Client::publish_key`], [`Client::dm_sealed`] (with the devices
//! accepted for each player, [`Pins`]), [`Client::read_dm`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), capital_client::ClientError> {
//! use capital_client::Client;
//! let mut client = Client::connect("ws://127.0.0.1:8080/ws").await?;
//! let me = client.hello("Ana", None).await?;
//! let room = client.create_room("tictactoe", None).await?;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use capital_protocol::{
    ChatMessage, ClientMsg, ErrorCode, EventMsg, Outgoing, Request, RequestId, RoomCode, RoomRef,
    RoomView, Seq, ServerMsg,
};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

mod pins;
mod requests;
mod sealed;

pub use capital_e2e as e2e;
pub use capital_protocol as protocol;
pub use pins::Pins;
pub use sealed::{open_message, sealed_for};

/// What can go wrong talking to a server.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Could not connect, or the socket failed.
    #[error("connection: {0}")]
    Connection(String),
    /// The connection closed before the reply came.
    #[error("the connection closed")]
    Closed,
    /// The server answered with an error.
    #[error("server error {code}: {message}")]
    Server {
        /// The error code.
        code: ErrorCode,
        /// The server's explanation.
        message: String,
    },
    /// The server answered with a message of another type than expected.
    #[error("unexpected reply: {0:?}")]
    Unexpected(Box<ServerMsg>),
    /// Nothing arrived in time.
    #[error("timed out")]
    Timeout,
    /// An encrypted message could not be sealed or opened.
    #[error("encryption: {0}")]
    E2e(String),
    /// The server lists devices for `player` that were not accepted ([`Pins`]), or none where
    /// there were some (`devices` empty): nothing was sealed or sent.
    #[error("{player}'s devices changed: {devices:?} not accepted")]
    KeysChanged {
        /// Whose list (possibly the sender's own).
        player: String,
        /// The devices listed that were not accepted.
        devices: Vec<String>,
    },
}

impl ClientError {
    /// The server's error code, if this is a server error.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Server { code, .. } => Some(*code),
            _ => None,
        }
    }
}

/// Something the server sent that was not a reply to a pending request.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A room event.
    Event(EventMsg),
    /// Any other frame (e.g. an error reply to a request sent with [`Client::send_raw`]).
    Other(Outgoing),
    /// The server closed the connection, with this code and reason.
    Closed(Option<(u16, String)>),
}

/// What `welcome` said.
#[derive(Debug, Clone, PartialEq)]
pub struct Welcome {
    /// This player's id.
    pub player_id: String,
    /// The display name.
    pub name: String,
    /// The resume token.
    pub token: String,
    /// Open rooms this player is in.
    pub rooms: Vec<RoomRef>,
}

/// What `joined` said.
#[derive(Debug, Clone, PartialEq)]
pub struct Joined {
    /// The room code.
    pub code: RoomCode,
    /// The room's latest seq.
    pub seq: Seq,
    /// The room, unless nothing changed since the `since` given.
    pub room: Option<RoomView>,
    /// Chat history or missed messages.
    pub chat: Vec<ChatMessage>,
    /// Whether older chat exists.
    pub more_chat: bool,
}

type Pending = Arc<Mutex<HashMap<RequestId, oneshot::Sender<ServerMsg>>>>;

/// A connection to a Capital server.
pub struct Client {
    /// Frames to the socket task.
    out: mpsc::UnboundedSender<Message>,
    /// Replies awaited, by request id; the socket task completes them.
    pending: Pending,
    /// Everything else the server sent, in order.
    incoming: mpsc::UnboundedReceiver<Incoming>,
    next_id: AtomicU64,
    /// How long [`Client::request`] waits for a reply.
    timeout: Duration,
    /// The socket's writer and reader tasks; aborted on drop, which drops the TCP connection
    /// without a close handshake (as a phone that loses its network would).
    tasks: [tokio::task::JoinHandle<()>; 2],
}

impl Drop for Client {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Client {
    /// Connects to a server's WebSocket URL, e.g. `ws://127.0.0.1:8080/ws`.
    pub async fn connect(url: &str) -> Result<Self, ClientError> {
        let (socket, _) =
            tokio_tungstenite::connect_async_with_config(url, Some(ws_config()), false)
                .await
                .map_err(|e| ClientError::Connection(e.to_string()))?;
        Ok(Self::over(socket))
    }

    /// Connects to a `ws://ADDR:PORT/...` URL from the local address `from` (e.g. 127.0.0.2, to
    /// be another client address than 127.0.0.1 in tests). `ADDR` must be an IP address.
    pub async fn connect_from(url: &str, from: std::net::IpAddr) -> Result<Self, ClientError> {
        let bad_url = || ClientError::Connection(format!("not a ws://ADDR:PORT URL: {url}"));
        let rest = url.strip_prefix("ws://").ok_or_else(bad_url)?;
        let authority = rest.split('/').next().ok_or_else(bad_url)?;
        let addr: std::net::SocketAddr = authority.parse().map_err(|_| bad_url())?;
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()
        } else {
            tokio::net::TcpSocket::new_v6()
        }
        .map_err(|e| ClientError::Connection(e.to_string()))?;
        socket
            .bind(std::net::SocketAddr::new(from, 0))
            .map_err(|e| ClientError::Connection(format!("bind {from}: {e}")))?;
        let tcp = socket.connect(addr).await.map_err(|e| ClientError::Connection(e.to_string()))?;
        let _ = tcp.set_nodelay(true);
        let (socket, _) = tokio_tungstenite::client_async_with_config(url, tcp, Some(ws_config()))
            .await
            .map_err(|e| ClientError::Connection(e.to_string()))?;
        Ok(Self::over(socket))
    }

    /// Connects to a `wss://` URL, trusting what `tls` trusts (e.g. a root store holding the
    /// server's local CA, `DATA/tls/ca.pem`).
    pub async fn connect_tls(
        url: &str,
        tls: Arc<rustls::ClientConfig>,
    ) -> Result<Self, ClientError> {
        let bad_url = || ClientError::Connection(format!("not a wss:// URL: {url}"));
        let rest = url.strip_prefix("wss://").ok_or_else(bad_url)?;
        let authority = rest.split('/').next().filter(|a| !a.is_empty()).ok_or_else(bad_url)?;
        let (host, addr) = match authority.rsplit_once(':') {
            Some((host, port)) if !port.contains(']') => (host, authority.to_owned()),
            _ => (authority, format!("{authority}:443")),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let name =
            rustls_pki_types::ServerName::try_from(host.to_owned()).map_err(|_| bad_url())?;
        let tcp = tokio::net::TcpStream::connect(&addr)
            .await
            .map_err(|e| ClientError::Connection(e.to_string()))?;
        let stream = tokio_rustls::TlsConnector::from(tls)
            .connect(name, tcp)
            .await
            .map_err(|e| ClientError::Connection(format!("TLS: {e}")))?;
        let (socket, _) =
            tokio_tungstenite::client_async_with_config(url, stream, Some(ws_config()))
                .await
                .map_err(|e| ClientError::Connection(e.to_string()))?;
        Ok(Self::over(socket))
    }

    /// A client over an open WebSocket.
    fn over<S>(socket: tokio_tungstenite::WebSocketStream<S>) -> Self
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let (mut sink, mut stream) = socket.split();
        let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Message>();
        let (in_tx, in_rx) = mpsc::unbounded_channel();
        let pending: Pending = Arc::default();
        let writer = tokio::spawn(async move {
            while let Some(frame) = out_rx.recv().await {
                let close = matches!(frame, Message::Close(_));
                if sink.send(frame).await.is_err() || close {
                    break;
                }
            }
        });
        let reader_pending = pending.clone();
        let closer = out_tx.clone();
        let reader = tokio::spawn(async move {
            while let Some(frame) = stream.next().await {
                match frame {
                    Ok(Message::Text(text)) => {
                        let Ok(msg) = serde_json::from_str::<Outgoing>(&text) else {
                            tracing::warn!(%text, "unreadable frame from the server");
                            continue;
                        };
                        let waiter = msg.re.and_then(|re| {
                            reader_pending.lock().expect("pending lock").remove(&re)
                        });
                        match (waiter, msg) {
                            (Some(waiter), msg) => {
                                let _ = waiter.send(msg.msg);
                            }
                            (None, Outgoing { re: None, msg: ServerMsg::Event(event) }) => {
                                let _ = in_tx.send(Incoming::Event(event));
                            }
                            (None, other) => {
                                let _ = in_tx.send(Incoming::Other(other));
                            }
                        }
                    }
                    Ok(Message::Close(frame)) => {
                        let frame = frame.map(|f| (u16::from(f.code), f.reason.to_string()));
                        let _ = in_tx.send(Incoming::Closed(frame));
                        // Answer with our close frame, completing the closing handshake.
                        let _ = closer.send(Message::Close(None));
                        break;
                    }
                    Ok(_) => {}
                    Err(_) => {
                        let _ = in_tx.send(Incoming::Closed(None));
                        break;
                    }
                }
            }
            reader_pending.lock().expect("pending lock").clear();
        });
        Client {
            out: out_tx,
            pending,
            incoming: in_rx,
            next_id: AtomicU64::new(1),
            timeout: Duration::from_secs(10),
            tasks: [writer, reader],
        }
    }

    /// Sets how long requests wait for their reply (default 10 s).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Sends a request and waits for its reply. An error reply becomes [`ClientError::Server`].
    pub async fn request(&self, body: ClientMsg) -> Result<ServerMsg, ClientError> {
        let waiter = self.send(body)?;
        match tokio::time::timeout(self.timeout, waiter).await {
            Err(_) => Err(ClientError::Timeout),
            Ok(Err(_)) => Err(ClientError::Closed),
            Ok(Ok(ServerMsg::Error { code, message })) => {
                Err(ClientError::Server { code, message })
            }
            Ok(Ok(reply)) => Ok(reply),
        }
    }

    /// Sends a request without waiting; the returned receiver gets the reply.
    pub fn send(&self, body: ClientMsg) -> Result<oneshot::Receiver<ServerMsg>, ClientError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().expect("pending lock").insert(id, tx);
        let text = serde_json::to_string(&Request { id, body }).expect("requests serialize");
        self.out.send(Message::text(text)).map_err(|_| ClientError::Closed)?;
        Ok(rx)
    }

    /// Sends a raw text frame (for testing what the server does with bad input). Whatever the
    /// server answers arrives through [`Client::next_event`] as [`Incoming::Other`].
    pub fn send_raw(&self, text: &str) -> Result<(), ClientError> {
        self.out.send(Message::text(text.to_owned())).map_err(|_| ClientError::Closed)
    }

    /// Sends a raw binary frame.
    pub fn send_binary(&self, bytes: Vec<u8>) -> Result<(), ClientError> {
        self.out.send(Message::binary(bytes)).map_err(|_| ClientError::Closed)
    }

    /// The next pushed message, waiting up to `timeout`.
    pub async fn next_event(&mut self, timeout: Duration) -> Result<Incoming, ClientError> {
        match tokio::time::timeout(timeout, self.incoming.recv()).await {
            Err(_) => Err(ClientError::Timeout),
            Ok(None) => Err(ClientError::Closed),
            Ok(Some(incoming)) => Ok(incoming),
        }
    }

    /// A pushed message if one is already here.
    pub fn try_next_event(&mut self) -> Option<Incoming> {
        self.incoming.try_recv().ok()
    }

    /// Closes the connection politely.
    pub fn close(&self) {
        let _ = self.out.send(Message::Close(None));
    }
}

/// Small buffers: a client holds one connection, a load generator thousands (the library's
/// default read buffer is 128 KiB, allocated up front).
fn ws_config() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
}
