//! A client that speaks the protocol by hand over a raw WebSocket and keeps every text frame
//! it was sent, as sent (for scanning what a client receives).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::{TestServer, WAIT};

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A client speaking the protocol by hand, keeping every text frame it was sent.
pub struct Raw {
    pub ws: Ws,
    pub next_id: u64,
    /// Every text frame received, as sent.
    pub frames: Vec<String>,
    /// The newest room view seen.
    pub room: Value,
    pub token: String,
}

impl Raw {
    pub async fn connect(server: &TestServer, hello: Value) -> Raw {
        let (ws, _) = tokio_tungstenite::connect_async(server.url()).await.expect("connect");
        let mut raw =
            Raw { ws, next_id: 0, frames: Vec::new(), room: Value::Null, token: String::new() };
        let welcome = raw.ask(hello).await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        raw.token = welcome["token"].as_str().unwrap_or_default().to_owned();
        raw
    }

    /// Sends `message` as it is, waiting for nothing.
    pub async fn send(&mut self, message: Value) {
        self.ws.send(Message::text(message.to_string())).await.expect("send");
    }

    /// Sends `request` with the next id and returns its reply (keeping events met meanwhile).
    pub async fn ask(&mut self, mut request: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        request["id"] = json!(id);
        self.ws.send(Message::text(request.to_string())).await.expect("send");
        self.until(|frame| frame["re"] == json!(id)).await
    }

    /// Reads frames until one matches `pred`; returns it.
    pub async fn until(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a frame in time")
                .expect("the connection stays open")
                .expect("a frame");
            let Message::Text(text) = message else { continue };
            let frame: Value = serde_json::from_str(&text).expect("JSON");
            self.frames.push(text.to_string());
            if frame["room"].is_object() {
                self.room = frame["room"].clone();
            }
            if pred(&frame) {
                return frame;
            }
        }
    }

    /// Reads frames until the newest room view is playing (at once if it is already).
    pub async fn until_playing(&mut self) {
        if self.room["phase"] != "playing" {
            self.until(|f| f["room"]["phase"] == "playing").await;
        }
    }

    /// Reads whatever has arrived within `quiet` of silence.
    pub async fn drain(&mut self, quiet: Duration) {
        while let Ok(Some(Ok(message))) = tokio::time::timeout(quiet, self.ws.next()).await {
            if let Message::Text(text) = message {
                let frame: Value = serde_json::from_str(&text).expect("JSON");
                if frame["room"].is_object() {
                    self.room = frame["room"].clone();
                }
                self.frames.push(text.to_string());
            }
        }
    }
}

/// A guest named `name`, said hello.
pub async fn named(server: &TestServer, name: &str) -> Raw {
    Raw::connect(server, json!({"type": "hello", "name": name})).await
}

/// The reply's error code, or `"ok"`.
pub fn code_of(reply: &Value) -> &str {
    if reply["type"] == "error" { reply["code"].as_str().unwrap() } else { "ok" }
}

/// The teacher: a registered account, made admin from the terminal (`capital admin grant`),
/// logged in anew.
pub async fn teacher(server: &TestServer) -> Raw {
    let mut first = named(server, "Ms Lee").await;
    let registered = first
        .ask(json!({"type": "register", "username": "mslee", "password": "a long passphrase"}))
        .await;
    assert_eq!(registered["type"], "registered", "{registered}");
    let before = first.ask(json!({"type": "admin_overview"})).await;
    assert_eq!(code_of(&before), "not_admin", "an account is not an admin until made one");
    let config = server.config.clone();
    let grant = move || capital_server::admins::set_admin(&config, "MsLee", true);
    let said = tokio::task::spawn_blocking(grant).await.unwrap().unwrap();
    assert!(said.contains("mslee is an admin"), "{said}");
    let login = json!({"type": "login", "username": "mslee", "password": "a long passphrase"});
    let teacher = Raw::connect(server, login).await;
    assert_eq!(teacher.frames.last().map(|f| f.contains(r#""admin":true"#)), Some(true));
    teacher
}
