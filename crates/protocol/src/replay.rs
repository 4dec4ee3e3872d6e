//! Finished games: a game's replay step by step, and the lesson's leaderboard.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Outcome, PlayerId, RoomCode, Seat};

/// Reply to `replay`: a finished game as a spectator saw it, before the first move and after
/// every move, so that a big screen can step through it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replay {
    /// The room.
    pub code: RoomCode,
    /// Which game of the room.
    pub game_no: u32,
    /// Game kind.
    pub game: String,
    /// Its options.
    pub options: Value,
    /// Who played each seat, in seat order (a seat whose player left the room before the end
    /// has an empty `id` and the name `"a player who left"`).
    pub seats: Vec<ReplaySeat>,
    /// How it ended.
    pub outcome: Outcome,
    /// `steps[0]` is the game before any move; each later step is one move and the game after
    /// it.
    pub steps: Vec<ReplayStep>,
    /// The game had more moves than a replay carries (the first ones are here).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// A seat of a replayed game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplaySeat {
    /// The player's id.
    pub id: PlayerId,
    /// Their name when the game ended.
    pub name: String,
}

/// One step of a replay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayStep {
    /// The seat that moved (absent for the start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seat: Option<Seat>,
    /// The move, as logged (absent for the start; `{"$dropped_out": true}` when the seat
    /// left a game that played on).
    #[serde(rename = "move", default, skip_serializing_if = "Option::is_none")]
    pub mv: Option<Value>,
    /// The game's state after it, as a spectator sees it (the game's own view shape).
    pub state: Value,
    /// Seats whose move the game waited for next.
    pub turn: Vec<Seat>,
}

/// One player's line on the lesson's leaderboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderLine {
    /// The player's id.
    pub player: PlayerId,
    /// Their latest name.
    pub name: String,
    /// Games won this lesson.
    pub wins: u32,
    /// Games finished this lesson.
    pub played: u32,
}
