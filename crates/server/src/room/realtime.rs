//! The real-time lane: for a game that declares a tick rate, the room ticks the game, takes the
//! latest input of each seat in between, and sends every member a frame after each tick.
//!
//! Frames are neither numbered into the room's events nor stored: they go to each
//! connection's one-frame slot (a newer frame replaces one not yet written, so a slow phone
//! skips stale frames instead of falling behind). What is stored is the start (the room row
//! with the game's seed), a snapshot of the game every [`SNAPSHOT_EVERY`], and the outcome; a
//! restart resumes from the last snapshot. Inputs are never answered: an input the game does
//! not take (not a member, not on turn, not this game's shape) is dropped.

use capital_protocol::{Outgoing, ServerMsg};
use serde_json::Value;
use tokio::time::Duration;
use tungstenite::Utf8Bytes;

use super::actor::{Batch, Room, viewer};
use super::clocks::Lane;

/// How often a real-time game's state is stored.
pub const SNAPSHOT_EVERY: Duration = Duration::from_secs(2);

impl Room {
    /// Opens the lane if the current game is real-time (at start, or after a restart).
    pub(super) fn open_lane(&mut self, tick: u64) {
        self.lane = match &self.game {
            Some(game) if self.phase == capital_protocol::Phase::Playing => {
                game.tick_rate().map(|rate| Lane::new(rate, self.players, tick))
            }
            _ => None,
        };
    }

    /// A seat's input: kept (replacing an earlier one) for the next tick if the game takes it.
    pub(super) fn on_input(&mut self, player_id: &str, input: Value) {
        let seat = self.member_index(player_id).and_then(|i| self.members[i].seat);
        let (Some(seat), Some(game), Some(lane)) = (seat, &self.game, &mut self.lane) else {
            return;
        };
        if let Ok(input) = game.check_input(seat, &input)
            && let Some(slot) = lane.inputs.get_mut(seat)
        {
            *slot = Some(input);
        }
    }

    /// One tick: the game moves on, every member gets a frame; now and then a snapshot is
    /// stored; at the end the game is over as any game ends.
    pub(super) fn on_tick(&mut self, batch: &mut Batch) {
        let (Some(game), Some(lane)) = (self.game.as_mut(), self.lane.as_mut()) else { return };
        let inputs = std::mem::replace(&mut lane.inputs, vec![None; self.players]);
        game.tick(lane.tick_ms, &inputs);
        lane.tick += 1;
        let (tick, tick_ms) = (lane.tick, lane.tick_ms);
        self.send_frames(tick, tick_ms);
        if let Some(outcome) = self.outcome() {
            self.end_game(outcome, batch);
            self.lane = None;
            return;
        }
        // Rooms started together do not all store at the same tick.
        let every = (SNAPSHOT_EVERY.as_millis() as u64 / u64::from(tick_ms.max(1))).max(1);
        if (tick + self.id.unsigned_abs()).is_multiple_of(every) {
            self.persist_room(batch);
        }
    }

    /// The game's state after `tick` to every connected member, rendered once per seat and
    /// once for spectators (or once for everyone, in a game without hidden information).
    fn send_frames(&self, tick: u64, tick_ms: u32) {
        let Some(game) = &self.game else { return };
        let mut rendered: Vec<Option<Utf8Bytes>> = vec![None; self.seats + 1];
        let ts = self.now_ms();
        let one_view = game.same_view_for_all();
        for member in &self.members {
            let Some(conn) = &member.conn else { continue };
            let class = if one_view { self.seats } else { member.seat.unwrap_or(self.seats) };
            let class = class.min(self.seats);
            let frame = rendered[class].get_or_insert_with(|| {
                // Everyone gets the public view when all views are the same.
                let state = game.view(viewer(if one_view { None } else { member.seat }));
                let code = self.code.clone();
                let msg = ServerMsg::Frame { code, tick, tick_ms, ts, state };
                Utf8Bytes::from(Outgoing::push(msg).to_json())
            });
            conn.send_frame(frame.clone());
        }
    }
}
