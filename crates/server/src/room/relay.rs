//! Peer-to-peer rooms (`mode: p2p`): the server introduces the players and nothing more. It
//! relays WebRTC signalling (offers, answers, ICE candidates) from one member to another, within
//! the bounds of [`super::signal`]. It never sees the game: the host's phone runs the rules, and
//! in such a room `start` and `move` are refused.

use capital_protocol::{Outgoing, RoomMode, ServerMsg};
use serde_json::Value;
use tokio::time::Instant;
use tungstenite::Utf8Bytes;

use super::RoomError;
use super::actor::{Batch, Room};
use super::signal::MAX_SIGNAL_BYTES;

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
        self.signals.admit(from, text.len(), Instant::now()).map_err(RoomError::SignalRate)?;
        let push = ServerMsg::Signal { code: self.code.clone(), from: from.to_owned(), data };
        batch.event(conn, Utf8Bytes::from(Outgoing::push(push).to_json()));
        Ok(Some(ServerMsg::Ok))
    }
}
