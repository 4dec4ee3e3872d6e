//! Peer-to-peer rooms (`mode: p2p`): the server introduces the players and nothing more. It
//! relays WebRTC signalling (offers, answers, ICE candidates) from one member to another, each
//! message at most [`MAX_SIGNAL_BYTES`] and at most [`SIGNALS_PER_WINDOW`] a member in
//! [`WINDOW`], and counts what it relayed (the teacher's console and the comparison with
//! server mode read the counts). It never sees the game: the host's phone runs the rules, and
//! in such a room `start` and `move` are refused.

use std::collections::HashMap;
use std::time::Duration;

use capital_protocol::{Outgoing, RoomMode, ServerMsg};
use serde_json::Value;
use tokio::time::Instant;
use tungstenite::Utf8Bytes;

use super::RoomError;
use super::actor::{Batch, Room};

/// Largest signalling message, written out as JSON (an SDP offer is 1 to 5 KB).
pub const MAX_SIGNAL_BYTES: usize = 16 * 1024;
/// Signalling messages one member may send in a [`WINDOW`] (an offer and a few dozen
/// candidates, to each of a few peers, with room to retry).
pub const SIGNALS_PER_WINDOW: u32 = 60;
/// The rate window.
pub const WINDOW: Duration = Duration::from_secs(10);

/// What a room relayed, and each member's window.
#[derive(Debug, Default)]
pub struct Signals {
    /// Messages relayed.
    pub relayed: u64,
    /// Their bytes (the data, written out).
    pub bytes: u64,
    /// Per member: when its window began, and how many it sent in it.
    windows: HashMap<String, (Instant, u32)>,
}

impl Room {
    /// `signal` from `from` to `to`: pushed to `to`'s connection as it is.
    pub(super) fn signal(
        &mut self,
        from: &str,
        to: &str,
        data: Value,
        batch: &mut Batch,
    ) -> Result<Option<ServerMsg>, RoomError> {
        if self.mode != RoomMode::P2p {
            return Err(RoomError::WrongMode("signal is only for a room in p2p mode"));
        }
        if from == to {
            return Err(RoomError::BadSignal("a signal is for another member".into()));
        }
        let Some(conn) = self.member_index(to).and_then(|i| self.members[i].conn.clone()) else {
            return Err(RoomError::NotConnected(to.to_owned()));
        };
        let text = data.to_string();
        if text.len() > MAX_SIGNAL_BYTES {
            return Err(RoomError::BadSignal(format!(
                "a signal is at most {MAX_SIGNAL_BYTES} bytes written out"
            )));
        }
        let now = Instant::now();
        let window = self.signals.windows.entry(from.to_owned()).or_insert((now, 0));
        if now.duration_since(window.0) >= WINDOW {
            *window = (now, 0);
        }
        if window.1 >= SIGNALS_PER_WINDOW {
            return Err(RoomError::SignalRate(WINDOW.saturating_sub(now.duration_since(window.0))));
        }
        window.1 += 1;
        self.signals.relayed += 1;
        self.signals.bytes += text.len() as u64;
        let push = ServerMsg::Signal { code: self.code.clone(), from: from.to_owned(), data };
        batch.event(conn, Utf8Bytes::from(Outgoing::push(push).to_json()));
        Ok(Some(ServerMsg::Ok))
    }

    /// A member left: their window goes with them.
    pub(super) fn forget_signals_of(&mut self, player_id: &str) {
        self.signals.windows.remove(player_id);
    }
}
