//! A room's game: starting it, moves, how it ends, and rematches.

use capital_protocol::{Outcome, Phase, RoomEvent, RoomMode, Seat};
use capital_store::{MoveRecord, Write};
use serde_json::Value;
use tokio::time::Duration;

use super::RoomError;
use super::actor::{Batch, Room};
use crate::config::limits::MAX_SCORE_LINES;

impl Room {
    /// How the current game ended, if it has.
    pub(super) fn outcome(&self) -> Option<Outcome> {
        if let Some(forfeit) = &self.forfeit {
            return Some(forfeit.clone());
        }
        let outcome = self.game.as_ref()?.outcome()?;
        Some(Outcome { winner: outcome.winner, reason: outcome.reason })
    }

    /// `ready`: a seated player in the lobby says whether they are ready for the next game.
    /// Saying it again changes nothing (and announces nothing).
    pub(super) fn set_ready(
        &mut self,
        player_id: &str,
        ready: bool,
        batch: &mut Batch,
    ) -> Result<(), RoomError> {
        self.seated(player_id)?;
        if self.phase != Phase::Lobby {
            return Err(RoomError::WrongPhase("ready is for the lobby, before a game starts"));
        }
        let i = self.member_index(player_id).expect("a seated player is a member");
        if self.members[i].ready == ready {
            return Ok(());
        }
        self.members[i].ready = ready;
        batch.write(Write::PutMember(self.members[i].record(self.id)));
        self.next_seq(true);
        self.persist_room(batch);
        let who = player_id.to_owned();
        self.broadcast(batch, None, |room| RoomEvent::Ready { player: who.clone(), ready, room });
        Ok(())
    }

    /// `start`: the host starts the game once at least the game's fewest players are seated.
    /// After game over it is the host's rematch without asking: seats rotated, started now.
    pub(super) fn start(&mut self, player_id: &str, batch: &mut Batch) -> Result<(), RoomError> {
        if self.host != player_id {
            return Err(RoomError::NotHost);
        }
        if self.mode == RoomMode::P2p {
            return Err(RoomError::WrongMode("in a p2p room the host's phone runs the game"));
        }
        if self.phase == Phase::Over {
            self.back_to_lobby(player_id, None, batch);
        }
        self.begin(batch)
    }

    /// Starts the next game, if the room is in the lobby with enough players seated.
    pub(super) fn begin(&mut self, batch: &mut Batch) -> Result<(), RoomError> {
        match self.phase {
            Phase::Lobby => {}
            Phase::Playing => return Err(RoomError::WrongPhase("the game has started")),
            Phase::Over => return Err(RoomError::WrongPhase("the game is over")),
        }
        let taken = self.members.iter().filter(|m| m.seat.is_some()).count();
        if taken < self.min_players {
            return Err(RoomError::SeatsNotFilled { taken, needed: self.min_players });
        }
        let seed: u64 = rand::random();
        let game = self.entry.create(&self.options, taken, seed).map_err(|e| {
            tracing::error!(code = %self.code, error = %e, "stored options no longer create a game");
            RoomError::Internal
        })?;
        self.countdown = None;
        self.close_up_seats(batch);
        self.clear_ready(batch);
        self.players = taken;
        self.seed = seed;
        self.game = Some(game);
        self.game_no += 1;
        self.ply = 0;
        self.forfeit = None;
        self.phase = Phase::Playing;
        self.deadlines.clear();
        self.refresh_deadlines();
        self.open_lane(0);
        self.ctx.env.metrics.game_started(self.entry.kind());
        self.tally.game_started();
        self.next_seq(true);
        self.persist_room(batch);
        self.broadcast(batch, None, |room| RoomEvent::Started { room });
        Ok(())
    }

    /// The rematch countdown ran out: the next game starts, if enough players are still
    /// seated (if not, the room waits in the lobby as any lobby does).
    pub(super) fn on_countdown(&mut self, batch: &mut Batch) {
        if self.countdown.is_some_and(|at| at <= tokio::time::Instant::now()) {
            self.countdown = None;
            let _ = self.begin(batch);
        }
    }

    /// Seats players in `0..n` for a game of `n`, keeping their order: a game's seats have no
    /// gaps, though players may have left the lobby from any seat.
    fn close_up_seats(&mut self, batch: &mut Batch) {
        let mut seated: Vec<(usize, usize)> = self
            .members
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.seat.map(|seat| (seat, i)))
            .collect();
        seated.sort_unstable();
        for (new_seat, (old_seat, i)) in seated.into_iter().enumerate() {
            if new_seat != old_seat {
                self.members[i].seat = Some(new_seat);
                batch.write(Write::PutMember(self.members[i].record(self.id)));
            }
        }
        self.members.sort_by_key(|m| (m.seat.is_none(), m.seat));
    }

    /// Everyone's ready is spent once a game starts.
    fn clear_ready(&mut self, batch: &mut Batch) {
        for member in self.members.iter_mut().filter(|m| m.ready) {
            member.ready = false;
            batch.write(Write::PutMember(member.record(self.id)));
        }
    }

    /// `move`: checked against the rules, applied, logged, announced.
    pub(super) fn play(
        &mut self,
        player_id: &str,
        mv: &Value,
        batch: &mut Batch,
    ) -> Result<(), RoomError> {
        if self.mode == RoomMode::P2p {
            return Err(RoomError::WrongMode("in a p2p room moves go to the host's phone"));
        }
        let seat = self.seated(player_id)?;
        match self.phase {
            Phase::Lobby => return Err(RoomError::WrongPhase("the game has not started")),
            Phase::Over => return Err(RoomError::GameOver),
            Phase::Playing => {}
        }
        let game = self.game.as_mut().expect("a playing room has a game");
        let canonical = match game.play(seat, mv) {
            Ok(canonical) => canonical,
            Err(refused) => {
                // A refused move changes nothing, unless the game's own rules failed (a script
                // that threw or ran too long): then that game is over, for everyone.
                if let Some(ended) = game.outcome() {
                    let outcome = Outcome { winner: ended.winner, reason: ended.reason };
                    tracing::warn!(code = %self.code, game = %self.entry.kind(), error = %refused, "the game's rules failed; the game is over");
                    self.forfeit = Some(outcome.clone());
                    self.end_game(outcome, batch);
                }
                return Err(refused.into());
            }
        };
        let seq = self.next_seq(true);
        let ts_ms = self.now_ms();
        batch.write(Write::AppendMove(MoveRecord {
            room_id: self.id,
            game_no: self.game_no,
            ply: self.ply,
            seat,
            mv: canonical,
            seq,
            ts_ms,
        }));
        self.ply += 1;
        // A seat that moved and stays on turn (a box taken) has its time anew.
        if let Some(deadline) = self.deadlines.get_mut(seat) {
            *deadline = None;
        }
        if self.refresh_deadlines() {
            self.persist_room(batch);
        }
        self.broadcast(batch, None, |room| RoomEvent::Moved { seat, room });
        if let Some(outcome) = self.outcome() {
            self.end_game(outcome, batch);
        }
        Ok(())
    }

    /// `seat` is out of the game in progress: its player left, or its turn timer forfeited it.
    /// A game of three or more that can go on without the seat takes it out (logged like a
    /// move, so that a restart replays it) and plays on; otherwise the game ends for everyone,
    /// and in a two-player game the other seat wins.
    pub(super) fn seat_leaves(&mut self, seat: Seat, reason: &str, batch: &mut Batch) {
        if self.phase != Phase::Playing {
            return;
        }
        let game = self.game.as_mut().expect("a playing room has a game");
        if self.players >= 3 && game.drop_out(seat) {
            let seq = self.next_seq(true);
            if self.lane.is_none() {
                // Real-time games are not logged: the snapshot stored below holds the drop-out.
                batch.write(Write::AppendMove(MoveRecord {
                    room_id: self.id,
                    game_no: self.game_no,
                    ply: self.ply,
                    seat,
                    mv: capital_engine::dropped_out(),
                    seq,
                    ts_ms: self.now_ms(),
                }));
                self.ply += 1;
            }
            if let Some(deadline) = self.deadlines.get_mut(seat) {
                *deadline = None;
            }
            self.refresh_deadlines();
            self.persist_room(batch);
            self.broadcast(batch, None, |room| RoomEvent::DroppedOut { seat, room });
            if let Some(outcome) = self.outcome() {
                self.end_game(outcome, batch);
                self.lane = None;
            }
            return;
        }
        let winner = (self.players == 2).then(|| 1 - seat);
        let outcome = Outcome { winner, reason: reason.into() };
        self.forfeit = Some(outcome.clone());
        self.end_game(outcome, batch);
        self.lane = None;
    }

    /// The game ended (by a move or a forfeit): the room goes to `over` and everyone hears how.
    pub(super) fn end_game(&mut self, outcome: Outcome, batch: &mut Batch) {
        self.phase = Phase::Over;
        self.count_win(outcome.winner);
        batch.write(Write::RecordGame(self.game_record(&outcome)));
        self.refresh_deadlines();
        self.ctx.env.metrics.game_finished(self.entry.kind());
        self.next_seq(true);
        self.persist_room(batch);
        self.broadcast(batch, None, |room| RoomEvent::GameOver { outcome: outcome.clone(), room });
    }

    /// The winner's line on the room's scoreboard goes up by one (stored with the game over).
    fn count_win(&mut self, winner: Option<Seat>) {
        let Some(member) = winner.and_then(|w| self.members.iter().find(|m| m.seat == Some(w)))
        else {
            return;
        };
        let (id, name) = (member.player_id.clone(), member.name.clone());
        if let Some(line) = self.scoreboard.iter_mut().find(|(p, _, _)| *p == id) {
            line.1 = name;
            line.2 += 1;
        } else if self.scoreboard.len() < MAX_SCORE_LINES {
            self.scoreboard.push((id, name, 1));
        } else {
            // Full: the newest winner takes the place of the fewest wins (the latest such).
            let fewest =
                self.scoreboard.iter().enumerate().min_by_key(|(i, l)| (l.2, usize::MAX - i));
            if let Some((i, _)) = fewest {
                self.scoreboard[i] = (id, name, 1);
            }
        }
    }

    /// The scoreboard as members see it: most wins first.
    pub(super) fn score_lines(&self) -> Vec<capital_protocol::ScoreLine> {
        let mut lines: Vec<capital_protocol::ScoreLine> = self
            .scoreboard
            .iter()
            .map(|(player, name, wins)| capital_protocol::ScoreLine {
                player: player.clone(),
                name: name.clone(),
                wins: *wins,
            })
            .collect();
        lines.sort_by(|a, b| b.wins.cmp(&a.wins).then_with(|| a.name.cmp(&b.name)));
        lines
    }

    /// `rematch`: after game over, a seated player asks for another game (stored as their
    /// `ready`, which everyone sees). Once every seated player has asked (or at once, when a host
    /// without a seat asks: a big screen), the room goes back to the lobby and the next game
    /// starts after the countdown.
    pub(super) fn rematch(&mut self, player_id: &str, batch: &mut Batch) -> Result<(), RoomError> {
        let seated = match self.seated(player_id) {
            Ok(_) => true,
            Err(RoomError::NotPlayer) if self.host == player_id => false,
            Err(e) => return Err(e),
        };
        if self.phase != Phase::Over {
            return Err(RoomError::WrongPhase("a rematch comes after game over"));
        }
        if seated {
            let i = self.member_index(player_id).expect("a seated player is a member");
            if !self.members[i].ready {
                self.members[i].ready = true;
                batch.write(Write::PutMember(self.members[i].record(self.id)));
                self.next_seq(true);
                self.persist_room(batch);
                let who = player_id.to_owned();
                self.broadcast(batch, None, |room| RoomEvent::Ready {
                    player: who.clone(),
                    ready: true,
                    room,
                });
            }
            if self.members.iter().any(|m| m.seat.is_some() && !m.ready) {
                return Ok(());
            }
        }
        let countdown = self.ctx.settings.rematch_countdown;
        self.back_to_lobby(player_id, Some(countdown), batch);
        if countdown.is_zero() {
            let _ = self.begin(batch);
        }
        Ok(())
    }

    /// After game over: the lobby again, with the same players, seats rotated (for games that
    /// rotate), and the next game due after `countdown` (none: when the host starts it).
    fn back_to_lobby(&mut self, player_id: &str, countdown: Option<Duration>, batch: &mut Batch) {
        if self.entry.rotate_seats_on_rematch() {
            let players = self.players.max(1);
            for member in &mut self.members {
                if let Some(seat) = member.seat {
                    member.seat = Some((seat + 1) % players);
                    batch.write(Write::PutMember(member.record(self.id)));
                }
            }
        }
        self.members.sort_by_key(|m| (m.seat.is_none(), m.seat));
        self.phase = Phase::Lobby;
        self.game = None;
        self.forfeit = None;
        self.countdown = countdown.map(|c| tokio::time::Instant::now() + c);
        self.next_seq(true);
        self.persist_room(batch);
        let who = player_id.to_owned();
        let starts_in_ms = countdown.map(|c| c.as_millis() as u64);
        self.broadcast(batch, None, |room| RoomEvent::Rematch {
            player: who.clone(),
            starts_in_ms,
            room,
        });
    }
}
