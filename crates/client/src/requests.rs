//! The typed requests: one method of [`Client`] per protocol request, each sending it and
//! turning the reply into what the caller wants (or a [`ClientError`]).

use capital_protocol::{ChatMessage, ClientMsg, DirectMessage, EventMsg, Role, Seq, ServerMsg};
use serde_json::Value;
use std::time::Duration;

use crate::{Client, ClientError, Incoming, Joined, Welcome};

impl Client {
    /// `hello`: a new player named `name`, or with `token`, a returning one.
    pub async fn hello(&self, name: &str, token: Option<&str>) -> Result<Welcome, ClientError> {
        let name = (!name.is_empty()).then(|| name.to_owned());
        let body = ClientMsg::Hello { name, token: token.map(str::to_owned) };
        match self.request(body).await? {
            ServerMsg::Welcome { player_id, name, token, rooms, .. } => {
                Ok(Welcome { player_id, name, token, rooms })
            }
            other => Err(ClientError::Unexpected(Box::new(other))),
        }
    }

    /// `create_room`: a new room of `game`, joined as host.
    pub async fn create_room(
        &self,
        game: &str,
        options: Option<Value>,
    ) -> Result<Joined, ClientError> {
        joined(
            self.request(ClientMsg::CreateRoom {
                game: game.to_owned(),
                options,
                turn_seconds: None,
                role: None,
                screen: false,
                mode: Default::default(),
            })
            .await?,
        )
    }

    /// `join_room` as `role`, optionally catching up after `since`.
    pub async fn join_room(
        &self,
        code: &str,
        role: Role,
        since: Option<Seq>,
    ) -> Result<Joined, ClientError> {
        let body =
            ClientMsg::JoinRoom { code: code.to_owned(), role: Some(role), since, screen: false };
        joined(self.request(body).await?)
    }

    /// A request answered by `ok`: `leave_room`, `start`, `move`, `rematch`.
    pub async fn expect_ok(&self, body: ClientMsg) -> Result<(), ClientError> {
        match self.request(body).await? {
            ServerMsg::Ok => Ok(()),
            other => Err(ClientError::Unexpected(Box::new(other))),
        }
    }

    /// `move` in room `code`.
    pub async fn play(&self, code: &str, mv: Value) -> Result<(), ClientError> {
        self.expect_ok(ClientMsg::Move { code: code.to_owned(), mv }).await
    }

    /// `start` in room `code`.
    pub async fn start(&self, code: &str) -> Result<(), ClientError> {
        self.expect_ok(ClientMsg::Start { code: code.to_owned() }).await
    }

    /// `chat` in room `code`; returns the message's seq. The `chat` event of it comes too.
    pub async fn chat(
        &self,
        code: &str,
        text: &str,
        client_msg_id: &str,
    ) -> Result<Seq, ClientError> {
        self.say(code, text, client_msg_id, true).await.map(|(seq, _)| seq)
    }

    /// `chat` in room `code` with `"echo": false`: no `chat` event of it comes back. Returns
    /// the message's seq, and the text as stored when the server's word filter changed it.
    pub async fn chat_without_echo(
        &self,
        code: &str,
        text: &str,
        client_msg_id: &str,
    ) -> Result<(Seq, Option<String>), ClientError> {
        self.say(code, text, client_msg_id, false).await
    }

    async fn say(
        &self,
        code: &str,
        text: &str,
        client_msg_id: &str,
        echo: bool,
    ) -> Result<(Seq, Option<String>), ClientError> {
        let body = ClientMsg::Chat {
            code: code.to_owned(),
            text: text.to_owned(),
            client_msg_id: client_msg_id.to_owned(),
            echo,
        };
        match self.request(body).await? {
            ServerMsg::ChatSent { seq, text, .. } => Ok((seq, text)),
            other => Err(ClientError::Unexpected(Box::new(other))),
        }
    }

    /// `chat_history`: messages before `before`, and whether older ones exist.
    pub async fn chat_history(
        &self,
        code: &str,
        before: Option<Seq>,
        limit: Option<u32>,
    ) -> Result<(Vec<ChatMessage>, bool), ClientError> {
        let body = ClientMsg::ChatHistory { code: code.to_owned(), before, limit };
        match self.request(body).await? {
            ServerMsg::ChatPage { messages, more, .. } => Ok((messages, more)),
            other => Err(ClientError::Unexpected(Box::new(other))),
        }
    }

    /// `login` (instead of `hello`): returns the welcome, with this device's session token.
    pub async fn login(&self, username: &str, password: &str) -> Result<Welcome, ClientError> {
        let body =
            ClientMsg::Login { username: username.to_owned(), password: password.to_owned() };
        match self.request(body).await? {
            ServerMsg::Welcome { player_id, name, token, rooms, .. } => {
                Ok(Welcome { player_id, name, token, rooms })
            }
            other => Err(ClientError::Unexpected(Box::new(other))),
        }
    }

    /// `register`: returns the new session token.
    pub async fn register(&self, username: &str, password: &str) -> Result<String, ClientError> {
        let body =
            ClientMsg::Register { username: username.to_owned(), password: password.to_owned() };
        match self.request(body).await? {
            ServerMsg::Registered { token, .. } => Ok(token),
            other => Err(ClientError::Unexpected(Box::new(other))),
        }
    }

    /// `dm`: returns the message's seq in the conversation.
    pub async fn dm(&self, to: &str, text: &str, client_msg_id: &str) -> Result<Seq, ClientError> {
        let body = ClientMsg::Dm {
            to: to.to_owned(),
            text: text.to_owned(),
            sealed: None,
            client_msg_id: client_msg_id.to_owned(),
        };
        match self.request(body).await? {
            ServerMsg::DmSent { seq, .. } => Ok(seq),
            other => Err(ClientError::Unexpected(Box::new(other))),
        }
    }

    /// `dm_history`: a page of the conversation with `with`, and whether there is more.
    pub async fn dm_history(
        &self,
        with: &str,
        before: Option<Seq>,
        after: Option<Seq>,
        limit: Option<u32>,
    ) -> Result<(Vec<DirectMessage>, bool), ClientError> {
        let body = ClientMsg::DmHistory { with: with.to_owned(), before, after, limit };
        match self.request(body).await? {
            ServerMsg::DmPage { messages, more, .. } => Ok((messages, more)),
            other => Err(ClientError::Unexpected(Box::new(other))),
        }
    }

    /// The next pushed message that is not a room event (direct messages, receipts, presence).
    pub async fn next_push(&mut self, timeout: Duration) -> Result<ServerMsg, ClientError> {
        loop {
            match self.next_event(timeout).await? {
                Incoming::Event(_) => continue,
                Incoming::Other(other) => return Ok(other.msg),
                Incoming::Closed(_) => return Err(ClientError::Closed),
            }
        }
    }

    /// The next room event, skipping nothing: anything else pushed is an error.
    pub async fn next_room_event(&mut self, timeout: Duration) -> Result<EventMsg, ClientError> {
        match self.next_event(timeout).await? {
            Incoming::Event(event) => Ok(event),
            Incoming::Other(other) => Err(ClientError::Unexpected(Box::new(other.msg))),
            Incoming::Closed(_) => Err(ClientError::Closed),
        }
    }
}

fn joined(reply: ServerMsg) -> Result<Joined, ClientError> {
    match reply {
        ServerMsg::Joined { code, seq, room, chat, more_chat } => {
            Ok(Joined { code, seq, room, chat, more_chat })
        }
        other => Err(ClientError::Unexpected(Box::new(other))),
    }
}
