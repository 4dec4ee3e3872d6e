//! What each member sees of the room, and delivering events to members.
//!
//! A room's state looks different from each seat (hidden information) and from the spectators'
//! side, and otherwise the same to all. So an event is rendered once per seat and once for
//! spectators, serialized once each, and the same bytes are queued for every member who shares
//! that view.

use capital_protocol::{
    EventMsg, MemberView, Outgoing, Phase, RoomEvent, RoomView, SeatView, Seq, ServerMsg, You,
};
use tungstenite::Utf8Bytes;

use super::actor::{Batch, Member, Room, viewer};

/// Spectators listed by name in a view (the rest are counted): events go to every member, and a
/// list of hundreds in each would make every event big.
pub const LISTED_SPECTATORS: usize = 12;

impl Room {
    /// The room as `member` sees it (`None`: as a non-member would, which is a spectator's view).
    pub(super) fn view_for(&self, member: Option<&Member>) -> RoomView {
        let seat = member.and_then(|m| m.seat);
        let member_view = |m: &Member| MemberView {
            id: m.player_id.clone(),
            name: m.name.clone(),
            connected: m.conn.is_some(),
            ready: m.ready,
        };
        let seats = (0..self.seats)
            .map(|s| SeatView {
                seat: s,
                player: self.members.iter().find(|m| m.seat == Some(s)).map(member_view),
            })
            .collect();
        let watching = || self.members.iter().filter(|m| m.seat.is_none() && !m.screen);
        let spectators = watching().take(LISTED_SPECTATORS).map(member_view).collect();
        let (state, turn) = match &self.game {
            Some(game) => {
                let turn = if self.phase == Phase::Playing { game.turn() } else { Vec::new() };
                (Some(game.view(viewer(seat))), turn)
            }
            None => (None, Vec::new()),
        };
        RoomView {
            code: self.code.clone(),
            game: self.entry.kind().to_owned(),
            options: self.options.clone(),
            host: self.host.clone(),
            mode: self.mode,
            phase: self.phase,
            seats,
            min_players: self.min_players,
            max_players: self.seats,
            spectators,
            spectator_count: watching().count(),
            screens: self.members.iter().filter(|m| m.screen).count(),
            locked: self.locked,
            chat_off: self.chat_off,
            muted: self.muted.clone(),
            scoreboard: self.score_lines(),
            you: member.map(|m| You { role: m.role, seat: m.seat }),
            game_no: self.game_no,
            state,
            turn,
            outcome: if self.phase == Phase::Over { self.outcome() } else { None },
            turn_seconds: self.timed().then_some(self.turn_seconds),
            deadlines: self.deadlines_ms(),
            server_ms: self.timed().then(|| self.now_ms()),
        }
    }

    /// Sends a state event (numbered `self.seq`) to every connected member but `skip`, each with
    /// the room as they see it.
    pub(super) fn broadcast(
        &self,
        batch: &mut Batch,
        skip: Option<&str>,
        make: impl Fn(RoomView) -> RoomEvent,
    ) {
        // One rendering per seat, plus one for spectators (index `self.seats`).
        let mut rendered: Vec<Option<Utf8Bytes>> = vec![None; self.seats + 1];
        for member in &self.members {
            let Some(conn) = &member.conn else { continue };
            if skip == Some(member.player_id.as_str()) {
                continue;
            }
            let class = member.seat.unwrap_or(self.seats).min(self.seats);
            let frame = rendered[class]
                .get_or_insert_with(|| {
                    let event = make(self.view_for(Some(member)));
                    self.event_frame(self.seq, event)
                })
                .clone();
            batch.event(conn.clone(), frame);
        }
    }

    /// Sends an event that looks the same to everyone (chat, closed) to every connected member.
    pub(super) fn send_to_all(&self, batch: &mut Batch, seq: Seq, event: RoomEvent) {
        let frame = self.event_frame(seq, event);
        batch.reserve(self.members.len());
        for member in &self.members {
            if let Some(conn) = &member.conn {
                batch.event(conn.clone(), frame.clone());
            }
        }
    }

    /// An event to every member but `from`, the one whose request it answers (that reply
    /// carries what the member needs of it).
    pub(super) fn send_to_others(&self, batch: &mut Batch, from: &str, seq: Seq, event: RoomEvent) {
        let frame = self.event_frame(seq, event);
        batch.reserve(self.members.len());
        for member in self.members.iter().filter(|m| m.player_id != from) {
            if let Some(conn) = &member.conn {
                batch.event(conn.clone(), frame.clone());
            }
        }
    }

    /// One event, as the frame that carries it.
    pub(super) fn event_frame(&self, seq: Seq, event: RoomEvent) -> Utf8Bytes {
        let msg = ServerMsg::Event(EventMsg { code: self.code.clone(), seq, event });
        Utf8Bytes::from(Outgoing::push(msg).to_json())
    }
}
