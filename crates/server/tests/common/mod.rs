//! Test helpers: a real server on 127.0.0.1 port 0 with its own data directory, and clients.
#![allow(dead_code, missing_docs)]

pub mod nats;
pub mod process;
pub mod raw;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use capital_client::{Client, Incoming, Welcome};
use capital_protocol::{DirectMessage, EventMsg, RoomEvent, RoomView, ServerMsg};
use capital_server::{Config, Registry, Server};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const WAIT: Duration = Duration::from_secs(5);

/// A running server. Dropping it without `stop` aborts it.
pub struct TestServer {
    pub addr: std::net::SocketAddr,
    /// Kept alive as long as any server on it runs.
    pub dir: Arc<tempfile::TempDir>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<anyhow::Result<()>>>,
    pub config: Config,
}

impl TestServer {
    /// A fresh server with an empty data directory and default settings.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// A fresh server, with settings adjusted by `tweak`.
    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        let mut config = Config::new("127.0.0.1:0".parse().unwrap(), dir.path().join("data"));
        tweak(&mut config);
        Self::start_in(dir, config).await
    }

    /// A server over `store` (e.g. a memory store that can be made to fail).
    pub async fn start_with_store(store: Arc<dyn capital_store::Store>) -> Self {
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        let config = Config::new("127.0.0.1:0".parse().unwrap(), dir.path().join("data"));
        let server = Server::bind_with_store(config.clone(), Registry::standard(), store)
            .await
            .expect("server binds");
        Self::running(dir, config, server)
    }

    /// A server on `dir` with `config` as it is: with `config.bind` set to the address of a
    /// server that [`stop`](Self::stop)ped, pages open on that one find this one by themselves.
    pub async fn start_in(dir: Arc<tempfile::TempDir>, config: Config) -> Self {
        let server =
            Server::bind(config.clone(), Registry::standard()).await.expect("server binds");
        Self::running(dir, config, server)
    }

    fn running(dir: Arc<tempfile::TempDir>, config: Config, server: Server) -> Self {
        let addr = server.local_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server.run(async move {
            let _ = stopped.await;
        }));
        TestServer { addr, dir, stop: Some(stop), task: Some(task), config }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.config.data.clone()
    }

    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// Stops the server as SIGTERM would, and waits until it has finished.
    pub async fn stop(mut self) -> (Arc<tempfile::TempDir>, Config) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server stops cleanly");
        }
        (self.dir.clone(), self.config.clone())
    }

    /// Stops the server and starts a new one on the same data directory (a new port).
    pub async fn restart(self) -> Self {
        let (dir, mut config) = self.stop().await;
        config.bind = "127.0.0.1:0".parse().unwrap();
        Self::start_in(dir, config).await
    }

    /// A connected client that said hello as `name`.
    pub async fn player(&self, name: &str) -> (Client, Welcome) {
        let client = Client::connect(&self.url()).await.expect("connect");
        let welcome = client.hello(name, None).await.expect("hello");
        (client, welcome)
    }

    /// A connected client resuming with `token`.
    pub async fn resume(&self, token: &str) -> (Client, Welcome) {
        let client = Client::connect(&self.url()).await.expect("connect");
        let welcome = client.hello("", Some(token)).await.expect("hello with token");
        (client, welcome)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The next room event, or a panic that says what came instead.
/// Has `client` chat in room `code` as fast as the server answers (at most 100,000 messages)
/// until a message is refused or the connection goes; resolves to the texts acknowledged.
pub fn chat_until_refused(client: Client, code: String) -> JoinHandle<Vec<String>> {
    tokio::spawn(async move {
        let mut acknowledged = Vec::new();
        for i in 0..100_000 {
            match client.chat(&code, &format!("line {i}"), &format!("c{i}")).await {
                Ok(_) => acknowledged.push(format!("line {i}")),
                Err(_) => break,
            }
        }
        acknowledged
    })
}

/// Every stored chat message of room `code`, oldest first, read page by page.
pub async fn all_chat(client: &Client, code: &str) -> Vec<String> {
    let mut stored = Vec::new();
    let mut before = None;
    loop {
        let (page, more) = client.chat_history(code, before, Some(200)).await.unwrap();
        before = page.first().map(|m| m.seq);
        stored.splice(0..0, page.into_iter().map(|m| m.text));
        if !more {
            return stored;
        }
    }
}

pub async fn event(client: &mut Client) -> EventMsg {
    match client.next_event(WAIT).await {
        Ok(Incoming::Event(event)) => event,
        other => panic!("expected a room event, got {other:?}"),
    }
}

/// Skips events until one matches `pred`; returns it.
pub async fn event_where(client: &mut Client, pred: impl Fn(&EventMsg) -> bool) -> EventMsg {
    loop {
        let e = event(client).await;
        if pred(&e) {
            return e;
        }
    }
}

/// Skips events until the next one of `kind` (e.g. "moved").
pub async fn event_of(client: &mut Client, kind: &str) -> EventMsg {
    event_where(client, |e| kind_of(&e.event) == kind).await
}

pub fn kind_of(event: &RoomEvent) -> &'static str {
    event.kind()
}

/// The room carried by a state event.
pub fn room_of(event: &EventMsg) -> &RoomView {
    event.event.room().unwrap_or_else(|| panic!("no room in {:?}", event.event))
}

/// No pushed message arrives within a short while.
pub async fn assert_quiet(client: &mut Client) {
    if let Ok(got) = client.next_event(Duration::from_millis(200)).await {
        panic!("expected nothing, got {got:?}");
    }
}

/// The next direct message pushed to `client`, skipping receipts and presence.
pub async fn next_dm(client: &mut Client) -> DirectMessage {
    loop {
        match client.next_push(WAIT).await.expect("a pushed message") {
            ServerMsg::Dm { message } => return message,
            ServerMsg::DmReceipt { .. } | ServerMsg::Presence { .. } => {}
            other => panic!("expected a dm, got {other:?}"),
        }
    }
}

/// Ana hosting a room of `game` and Bo seated in it, not started: (host, guest, code). The
/// host's `joined` event is consumed.
pub async fn two_in_a_room(
    server: &TestServer,
    game: &str,
    options: Option<serde_json::Value>,
) -> (Client, Client, String) {
    let (mut a, _) = server.player("Ana").await;
    let (b, _) = server.player("Bo").await;
    let joined = a.create_room(game, options).await.expect("create room");
    let code = joined.code.clone();
    b.join_room(&code, capital_protocol::Role::Player, None).await.expect("join");
    event_of(&mut a, "joined").await;
    (a, b, code)
}

/// Two players in a started room of `game`: (host, guest, code). Events up to the start are
/// consumed.
pub async fn two_player_game(
    server: &TestServer,
    game: &str,
    options: Option<serde_json::Value>,
) -> (Client, Client, String) {
    let (mut a, mut b, code) = two_in_a_room(server, game, options).await;
    a.start(&code).await.expect("start");
    event_of(&mut a, "started").await;
    event_of(&mut b, "started").await;
    (a, b, code)
}

/// The address attackers connect from in tests (honest players use 127.0.0.1): per-address
/// limits must hit them, not the players.
pub const ATTACKER: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 3));

/// A TCP connection to `addr` from the local address `from`.
pub async fn tcp_from(addr: std::net::SocketAddr, from: std::net::IpAddr) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().expect("a socket");
    socket.bind(std::net::SocketAddr::new(from, 0)).expect("bind a loopback address");
    socket.connect(addr).await.expect("connect")
}

/// A spectator of room `code` with a tiny receive buffer that, once joined, never reads again:
/// the slow reader. Returns its socket, to read what reached it afterwards.
pub async fn sloth(
    server: &TestServer,
    code: &str,
) -> tokio_tungstenite::WebSocketStream<tokio::net::TcpStream> {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let tcp = socket.connect(server.addr).await.unwrap();
    let (mut slow, _) = tokio_tungstenite::client_async(server.url(), tcp).await.unwrap();
    slow.send(Message::text(r#"{"id":1,"type":"hello","name":"Sloth"}"#)).await.unwrap();
    let join = format!(r#"{{"id":2,"type":"join_room","code":"{code}","as":"spectator"}}"#);
    slow.send(Message::text(join)).await.unwrap();
    slow
}

/// A plain HTTP/1.1 GET against the server: (status, body).
pub async fn http_get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let (status, _, body) = http_get_all(addr, path).await;
    (status, body)
}

/// A plain HTTP/1.1 GET against the server: (status, headers, body).
pub async fn http_get_all(addr: std::net::SocketAddr, path: &str) -> (u16, String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tcp.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

/// Ana on `a` creates a tic-tac-toe room, Bo on `b` joins, Ana starts and plays cell 0, Bo
/// cell 4; the room's code.
pub async fn tictactoe_begun(a: &Client, b: &Client) -> String {
    use capital_protocol::Role;
    let code = a.create_room("tictactoe", None).await.unwrap().code;
    b.join_room(&code, Role::Player, None).await.unwrap();
    a.start(&code).await.unwrap();
    a.play(&code, serde_json::json!({"cell": 0})).await.unwrap();
    b.play(&code, serde_json::json!({"cell": 4})).await.unwrap();
    code
}

/// The game [`tictactoe_begun`] began, played to its end (Ana 1, Bo 8, Ana 2): Ana wins, and
/// both see the game over.
pub async fn tictactoe_finished(a: &mut Client, b: &mut Client, code: &str) {
    a.play(code, serde_json::json!({"cell": 1})).await.unwrap();
    b.play(code, serde_json::json!({"cell": 8})).await.unwrap();
    a.play(code, serde_json::json!({"cell": 2})).await.unwrap();
    for client in [b, a] {
        let over = event_of(client, "game_over").await;
        assert_eq!(room_of(&over).outcome.as_ref().unwrap().winner, Some(0));
    }
}
