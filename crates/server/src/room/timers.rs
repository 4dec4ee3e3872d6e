//! Turn timers: in a room created with `turn_seconds`, each seat that comes on turn has that
//! long to move, and when it runs out the game's own timeout rule plays for it (a pass, a random
//! legal move) or it forfeits.
//!
//! A seat's deadline is set when it comes on turn and kept while it stays on turn, so in a game
//! of simultaneous choices (rock paper scissors) each seat times out on its own; a seat that
//! moves and stays on turn gets its time anew. Deadlines are
//! stored with the room (server time, ms since the epoch) and written whenever they change, so a
//! restart keeps them: a deadline that passed while the server was down fires at once.

use capital_engine::{GameKind, Rng, TimedOut};
use capital_protocol::{Phase, RoomEvent, Seat};
use capital_store::{MoveRecord, Write};
use tokio::time::{Duration, Instant};

use super::actor::{Batch, Room};
use super::clocks::Deadline;

/// The shortest and longest turn a room's timer may give (`turn_seconds`).
pub const TURN_SECONDS_MIN: u32 = 5;
/// See [`TURN_SECONDS_MIN`].
pub const TURN_SECONDS_MAX: u32 = 600;

/// The turn timer of a room of `entry` that asked for `asked` seconds (none: the game's
/// default; 0: no timer).
pub fn turn_seconds(entry: &dyn GameKind, asked: Option<u32>) -> Result<u32, String> {
    match asked.or(entry.default_turn_seconds()) {
        None | Some(0) => Ok(0),
        Some(s @ TURN_SECONDS_MIN..=TURN_SECONDS_MAX) => Ok(s),
        Some(s) => {
            Err(format!("turn_seconds must be {TURN_SECONDS_MIN} to {TURN_SECONDS_MAX}, got {s}"))
        }
    }
}

impl Room {
    /// Whether the room has turn timers.
    pub(super) fn timed(&self) -> bool {
        self.turn_seconds > 0 && self.game.as_ref().is_none_or(|g| g.tick_rate().is_none())
    }

    /// Puts a deadline on every seat that came on turn and takes it off every seat that left
    /// it; returns whether anything changed (the room then stores its deadlines).
    pub(super) fn refresh_deadlines(&mut self) -> bool {
        if !self.timed() {
            return false;
        }
        let turn = match (&self.game, self.phase) {
            (Some(game), Phase::Playing) => game.turn(),
            _ => Vec::new(),
        };
        let seats = if turn.is_empty() { 0 } else { self.players };
        let mut changed = self.deadlines.len() != seats;
        self.deadlines.resize(seats, None);
        let (now, now_ms) = (Instant::now(), self.now_ms());
        let turn_for = Duration::from_secs(u64::from(self.turn_seconds));
        for (seat, deadline) in self.deadlines.iter_mut().enumerate() {
            match (turn.contains(&seat), deadline.is_some()) {
                (true, false) => {
                    let ms = now_ms + turn_for.as_millis() as u64;
                    *deadline = Some(Deadline { at: now + turn_for, ms });
                    changed = true;
                }
                (false, true) => {
                    *deadline = None;
                    changed = true;
                }
                _ => {}
            }
        }
        changed
    }

    /// The deadlines as stored (ms since the epoch).
    pub(super) fn deadlines_ms(&self) -> Vec<Option<u64>> {
        self.deadlines.iter().map(|d| d.map(|d| d.ms)).collect()
    }

    /// Stored deadlines brought back: each as far from now as it was from the stored time.
    pub(super) fn restore_deadlines(&mut self, stored: &[Option<u64>]) {
        let (now, now_ms) = (Instant::now(), self.now_ms());
        self.deadlines = stored
            .iter()
            .map(|ms| {
                ms.map(|ms| Deadline {
                    at: now + Duration::from_millis(ms.saturating_sub(now_ms)),
                    ms,
                })
            })
            .collect();
    }

    /// The earliest turn deadline, if any.
    pub(super) fn next_turn_deadline(&self) -> Option<Instant> {
        self.deadlines.iter().flatten().map(|d| d.at).min()
    }

    /// Every seat whose turn ran out gets the game's timeout rule, in seat order.
    pub(super) fn on_turn_timers(&mut self, batch: &mut Batch) {
        let now = Instant::now();
        let due: Vec<Seat> = (0..self.deadlines.len())
            .filter(|&seat| self.deadlines[seat].is_some_and(|d| d.at <= now))
            .collect();
        if due.is_empty() {
            return;
        }
        // Random picks for timed-out seats are not the game's own numbers: the move chosen is
        // logged, and a replay plays it as it is.
        let mut choice = Rng::from_seed(rand::random());
        for seat in due {
            if self.phase != Phase::Playing {
                break;
            }
            self.deadlines[seat] = None;
            // A timeout move may leave the seat on turn (a card drawn): its time is still up.
            for _ in 0..MAX_TIMEOUT_MOVES {
                if !self.time_out(seat, &mut choice, batch) {
                    break;
                }
            }
        }
        self.refresh_deadlines();
        self.persist_room(batch);
    }

    /// Applies the game's timeout rule to `seat` once; returns whether the seat is still on
    /// turn in a game still going.
    fn time_out(&mut self, seat: Seat, choice: &mut Rng, batch: &mut Batch) -> bool {
        let Some(game) = self.game.as_mut() else { return false };
        if self.phase != Phase::Playing || !game.turn().contains(&seat) {
            return false;
        }
        match game.time_out(seat, choice) {
            TimedOut::Played(mv) => {
                let seq = self.next_seq(true);
                batch.write(Write::AppendMove(MoveRecord {
                    room_id: self.id,
                    game_no: self.game_no,
                    ply: self.ply,
                    seat,
                    mv,
                    seq,
                    ts_ms: self.now_ms(),
                }));
                self.ply += 1;
                self.broadcast(batch, None, |room| RoomEvent::Moved { seat, room });
                if let Some(outcome) = self.outcome() {
                    self.end_game(outcome, batch);
                }
            }
            TimedOut::Forfeit => self.seat_leaves(seat, "timeout", batch),
        }
        self.phase == Phase::Playing && self.game.as_ref().is_some_and(|g| g.turn().contains(&seat))
    }
}

/// Most moves a timeout plays for one seat in a row (a seat left on turn after each).
const MAX_TIMEOUT_MOVES: usize = 16;
