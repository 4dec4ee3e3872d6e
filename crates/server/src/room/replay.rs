//! `replay`: a finished game of the room, step by step as a spectator saw it. Read from the
//! store (its record and its move log) off the actor's task, rebuilt by the game's rules move by
//! move, so that a replay shows exactly what the game showed, and no seat's hidden information.
//! A game ends with a record of it ([`Room::game_record`], written with the game over).

use capital_engine::{GameKind, Viewer};
use capital_protocol::{
    ErrorCode, Outcome, Outgoing, Replay, ReplaySeat, ReplayStep, RequestId, ServerMsg,
};
use capital_store::{GameRecord, MoveRecord};
use tungstenite::Utf8Bytes;

use super::actor::Room;
use crate::conn::ConnHandle;
use crate::pipeline::error_frame;

/// The name a replay gives a seat whose player left the room before the game ended.
pub const LEFT: &str = "a player who left";

impl Room {
    /// The record of the game that just ended, to store with its end.
    pub(super) fn game_record(&self, outcome: &Outcome) -> GameRecord {
        let seats = (0..self.players)
            .map(|seat| match self.members.iter().find(|m| m.seat == Some(seat)) {
                Some(m) => (m.player_id.clone(), m.name.clone()),
                None => (String::new(), LEFT.to_owned()),
            })
            .collect();
        GameRecord {
            room_id: self.id,
            game_no: self.game_no,
            code: self.code.clone(),
            game: self.entry.kind().to_owned(),
            options: self.options.clone(),
            seed: self.seed,
            seats,
            winner: outcome.winner.map(|w| w as u32),
            reason: outcome.reason.clone(),
            realtime: self.entry_is_realtime(),
            ended_ms: self.now_ms(),
        }
    }

    /// Whether the current game runs on ticks (and so logs no moves).
    fn entry_is_realtime(&self) -> bool {
        self.game.as_ref().is_some_and(|g| g.tick_rate().is_some())
    }

    /// Answers a `replay` request.
    pub(super) fn serve_replay(&self, conn: ConnHandle, id: RequestId, game_no: Option<u32>) {
        let env = self.ctx.env.clone();
        let games = self.ctx.games.clone();
        let (room_id, max_bytes) = (self.id, self.ctx.settings.max_replay_bytes);
        self.ctx.env.tracker.spawn(async move {
            let read = env.read(move |store| {
                let Some(record) = store.finished_game(room_id, game_no)? else {
                    return Ok(None);
                };
                let moves = store.moves(room_id, record.game_no)?;
                Ok(Some((record, moves)))
            });
            let frame = match read.await {
                Ok(Some((record, moves))) => {
                    match games
                        .find(&record.game)
                        .map(|kind| replay(&*kind, record, &moves, max_bytes))
                    {
                        Some(Ok(replay)) => Utf8Bytes::from(
                            Outgoing::reply(id, ServerMsg::Replay(Box::new(replay))).to_json(),
                        ),
                        Some(Err(why)) => error_frame(id, ErrorCode::WrongPhase, &why),
                        None => error_frame(
                            id,
                            ErrorCode::UnknownGame,
                            "this server no longer offers that game",
                        ),
                    }
                }
                Ok(None) => error_frame(
                    id,
                    ErrorCode::WrongPhase,
                    match game_no {
                        Some(_) => "no finished game of this room has that number",
                        None => "no game in this room has finished yet",
                    },
                ),
                Err(_) => {
                    env.metrics.error(ErrorCode::Internal);
                    error_frame(id, ErrorCode::Internal, "could not read the game")
                }
            };
            conn.send(frame);
        });
    }
}

/// A finished game's replay: its steps rebuilt from the log, up to `max_bytes` of views.
pub fn replay(
    kind: &dyn GameKind,
    record: GameRecord,
    moves: &[MoveRecord],
    max_bytes: usize,
) -> Result<Replay, String> {
    if record.realtime {
        return Err("a real-time game keeps no move log, so it cannot be replayed".into());
    }
    let mut steps = Vec::new();
    let (mut bytes, mut truncated) = (0, false);
    let result = capital_engine::replay_each(
        kind,
        &record.options,
        record.seats.len(),
        record.seed,
        moves.iter().map(|m| (m.seat, &m.mv)),
        |played, game| {
            if truncated {
                return;
            }
            let state = game.view(Viewer::Spectator);
            let size = state.to_string().len() + played.map_or(0, |(_, mv)| mv.to_string().len());
            if bytes + size > max_bytes && !steps.is_empty() {
                truncated = true;
                return;
            }
            bytes += size;
            steps.push(ReplayStep {
                seat: played.map(|(seat, _)| seat),
                mv: played.map(|(_, mv)| mv.clone()),
                state,
                turn: game.turn(),
            });
        },
    );
    if let Err(e) = result {
        tracing::error!(code = %record.code, game_no = record.game_no, error = %e, "a stored game does not replay");
        return Err("this game's log does not replay with the rules this server has".into());
    }
    Ok(Replay {
        code: record.code,
        game_no: record.game_no,
        game: record.game,
        options: record.options,
        seats: record.seats.into_iter().map(|(id, name)| ReplaySeat { id, name }).collect(),
        outcome: Outcome { winner: record.winner.map(|w| w as usize), reason: record.reason },
        steps,
        truncated,
    })
}
