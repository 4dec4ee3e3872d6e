//! What crosses NATS between nodes: the subjects, and the shapes of the messages on them. Pure:
//! no I/O, no state.
//!
//! | subject | from → to | payload |
//! |---|---|---|
//! | `capital.room.CODE` | a player's node → the room's node (request/reply) | [`ToRoom`], answered with [`Answer`] |
//! | `capital.conn.NODE.CONN.f` | the room's node → the player's node | one frame, as the client gets it |
//! | `capital.conn.NODE.CONN.r` | the same | a real-time frame (a newer one replaces it) |
//! | `capital.conn.NODE.CONN.c` | the same | close the connection: the close code |
//! | `capital.login.PLAYER` | a player's new node → every node | the node's name |
//! | `capital.moved.CODE` | a room's new node → every node | the node's name |
//! | `capital.dm` | a player's node → the hub's node | [`ToHub`] |
//! | `capital.hubreply.NODE.CONN.ID` | NATS → the player's node | only "no responders": no node runs the hub |
//!
//! A player's request travels as the text the client sent: the room's node parses and routes
//! it as its own session would, so the protocol has one parser.

use std::net::IpAddr;

use capital_protocol::{ErrorCode, RequestId, Sealed, Seq};
use serde::{Deserialize, Serialize};

/// The subject of the room with code `code` (its node subscribes while it runs the room).
pub fn room(code: &str) -> String {
    format!("capital.room.{code}")
}

/// Every subject of frames for node `node`'s connections.
pub fn conns_of(node: &str) -> String {
    format!("capital.conn.{node}.>")
}

/// What a subject says about a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToConn {
    /// A frame to queue.
    Frame,
    /// A real-time frame (its slot).
    RealTime,
    /// Close the connection.
    Close,
}

impl ToConn {
    fn suffix(self) -> &'static str {
        match self {
            ToConn::Frame => "f",
            ToConn::RealTime => "r",
            ToConn::Close => "c",
        }
    }
}

/// The subject of `what` for connection `conn` of node `node`.
pub fn conn(node: &str, conn: u64, what: ToConn) -> String {
    format!("capital.conn.{node}.{conn}.{}", what.suffix())
}

/// The connection and kind a frame subject names (none for any other subject).
pub fn parse_conn(subject: &str) -> Option<(u64, ToConn)> {
    let mut parts = subject.strip_prefix("capital.conn.")?.split('.');
    let (_node, conn, what) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let what = match what {
        "f" => ToConn::Frame,
        "r" => ToConn::RealTime,
        "c" => ToConn::Close,
        _ => return None,
    };
    Some((conn.parse().ok()?, what))
}

/// Every login subject.
pub const LOGINS: &str = "capital.login.*";

/// The subject that says `player` just connected (their other connections, on any node, close).
pub fn login(player: &str) -> String {
    format!("capital.login.{player}")
}

/// Every moved-room subject.
pub const MOVES: &str = "capital.moved.*";

/// The subject that says the room `code` runs on another node now.
pub fn moved(code: &str) -> String {
    format!("capital.moved.{code}")
}

/// The last token of a subject (the player of a login, the code of a move).
pub fn last(subject: &str) -> &str {
    subject.rsplit('.').next().unwrap_or("")
}

/// The subject of the cluster's one direct-message hub.
pub const HUB: &str = "capital.dm";

/// The reply subject of request `id` of connection `conn` of node `node` to the hub: the hub
/// never answers on it, but NATS says there when no node serves the hub.
pub fn hub_reply(node: &str, conn: u64, id: RequestId) -> String {
    format!("capital.hubreply.{node}.{conn}.{id}")
}

/// Every hub reply subject of node `node`.
pub fn hub_replies_of(node: &str) -> String {
    format!("capital.hubreply.{node}.>")
}

/// The connection and request a hub reply subject names.
pub fn parse_hub_reply(subject: &str) -> Option<(u64, RequestId)> {
    let mut parts = subject.strip_prefix("capital.hubreply.")?.split('.');
    let (_node, conn, id) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some((conn.parse().ok()?, id.parse().ok()?))
}

/// The hub's lease, among the rooms' (no room code looks like it: codes are four capitals).
pub const HUB_LEASE: &str = "dm-hub";

/// Where a request came from: a connection of a node.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Origin {
    /// The node the player is connected to.
    pub node: String,
    /// The connection's id there.
    pub conn: u64,
}

/// A message for a room's node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ToRoom {
    /// A request, as the client sent it.
    Request {
        /// The connection.
        from: Origin,
        /// The client's address (for the room's per-address limits).
        ip: IpAddr,
        /// Who asks (identified by their node).
        player_id: String,
        /// Their name.
        name: String,
        /// The request's text.
        text: String,
    },
    /// A real-time input, as the client sent it (never answered).
    Input {
        /// Who sent it.
        player_id: String,
        /// The request's text.
        text: String,
    },
    /// The connection closed.
    Detach {
        /// The connection.
        from: Origin,
        /// Whose.
        player_id: String,
    },
}

/// A command for the direct-message hub, as a player's node passes it on: the hub's own
/// commands, with the connection as an [`Origin`] (and its address).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum ToHub {
    /// A player said hello on the connection.
    Online {
        /// The connection.
        from: Origin,
        /// Its address.
        ip: IpAddr,
        /// Who.
        player_id: String,
        /// Their name.
        name: String,
    },
    /// The connection closed.
    Offline {
        /// The connection.
        from: Origin,
        /// Whose.
        player_id: String,
    },
    /// A request of the connection (its checks done on the player's node).
    Request {
        /// The connection.
        from: Origin,
        /// Its address (the hub's limits are per address).
        ip: IpAddr,
        /// The request id to answer.
        id: RequestId,
        /// What.
        request: HubRequest,
    },
    /// Guests were forgotten: the hub reads device keys again.
    ReloadKeys,
}

/// A request for the hub (see [`ToHub::Request`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "r", rename_all = "snake_case")]
pub enum HubRequest {
    /// `dm`.
    Send {
        /// The sender.
        from_id: String,
        /// Their name.
        from_name: String,
        /// The recipient.
        to: String,
        /// The text.
        text: String,
        /// The sealed message.
        sealed: Option<Sealed>,
        /// The client's id for it.
        client_msg_id: String,
    },
    /// `dm_read`.
    Read {
        /// Who read.
        reader: String,
        /// Whose messages.
        with: String,
        /// Up to this seq.
        seq: Seq,
    },
    /// `block` / `unblock`.
    Block {
        /// Who blocks.
        blocker: String,
        /// Whom.
        blocked: String,
        /// Block or unblock.
        on: bool,
    },
    /// `publish_key`.
    PublishKey {
        /// Whose device.
        player: String,
        /// The key.
        key: String,
        /// Devices a player may have.
        max: usize,
    },
    /// `keys_of`.
    KeysOf {
        /// Whose.
        player: String,
    },
    /// `conversations`.
    Conversations {
        /// Whose.
        player: String,
    },
}

/// The room's node's answer to a [`ToRoom::Request`]: taken (the room answers the client), or
/// refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum Answer {
    /// Handed to the room.
    Taken,
    /// Refused before the room.
    Refused {
        /// The code the client gets.
        code: ErrorCode,
        /// Why.
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_subjects_name_their_connection_and_kind() {
        for what in [ToConn::Frame, ToConn::RealTime, ToConn::Close] {
            assert_eq!(parse_conn(&conn("pi-2", 41, what)), Some((41, what)));
        }
        assert_eq!(parse_conn("capital.conn.pi-2.41"), None);
        assert_eq!(parse_conn("capital.conn.pi-2.x.f"), None);
        assert_eq!(parse_conn("capital.conn.pi-2.4.f.g"), None);
        assert_eq!(parse_conn("capital.room.ABCD"), None);
        assert_eq!(last(&login("p123")), "p123");
        assert_eq!(last(&moved("WXYZ")), "WXYZ");
        assert_eq!(parse_hub_reply(&hub_reply("pi-2", 41, 7)), Some((41, 7)));
        assert_eq!(parse_hub_reply("capital.hubreply.pi-2.41"), None);
        assert_eq!(parse_hub_reply("capital.conn.pi-2.41.7"), None);
    }

    #[test]
    fn messages_read_back_as_written() {
        let from = Origin { node: "a".into(), conn: 7 };
        let request = ToRoom::Request {
            from: from.clone(),
            ip: "127.0.0.2".parse().unwrap(),
            player_id: "p1".into(),
            name: "Ada".into(),
            text: r#"{"id":1,"type":"join","code":"ABCD"}"#.into(),
        };
        for msg in [request, ToRoom::Detach { from, player_id: "p1".into() }] {
            let json = serde_json::to_vec(&msg).unwrap();
            assert_eq!(serde_json::from_slice::<ToRoom>(&json).unwrap(), msg);
        }
        let refused = Answer::Refused { code: ErrorCode::Busy, message: "busy".into() };
        let json = serde_json::to_string(&refused).unwrap();
        assert_eq!(serde_json::from_str::<Answer>(&json).unwrap(), refused);
    }
}
