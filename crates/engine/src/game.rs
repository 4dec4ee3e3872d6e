//! The [`Game`] trait and the small types around it.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::options::{OptionSpec, Players};
use crate::rng::Rng;

/// A seat number: 0 for the first player, 1 for the second, ...
pub type Seat = usize;

/// Who is looking at a game: a seated player, or a spectator (who sees only public information).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Viewer {
    /// The player in this seat.
    Seat(Seat),
    /// Anyone without a seat: spectators, a big screen.
    Spectator,
}

/// How a game ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The winning seat, or `None` for a draw.
    pub winner: Option<Seat>,
    /// A short snake_case reason, e.g. `"line"`, `"draw"`, `"forfeit"`.
    pub reason: String,
}

impl Outcome {
    /// `seat` won, for `reason`.
    pub fn win(seat: Seat, reason: &str) -> Self {
        Outcome { winner: Some(seat), reason: reason.to_owned() }
    }

    /// Nobody won.
    pub fn draw(reason: &str) -> Self {
        Outcome { winner: None, reason: reason.to_owned() }
    }
}

/// Why a move (or a set of options) was refused. A refused move changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// The game is waiting for another seat.
    #[error("it is not your turn")]
    NotYourTurn,
    /// The game has ended.
    #[error("the game is over")]
    GameOver,
    /// The seat does not exist in this game.
    #[error("there is no seat {0} in this game")]
    NoSuchSeat(Seat),
    /// The value is not a move of this game at all (wrong shape, out of range).
    #[error("not a move of this game: {0}")]
    BadMove(String),
    /// A well-formed move the rules forbid right now (e.g. a taken cell).
    #[error("{0}")]
    Illegal(String),
    /// The options are not valid for this game.
    #[error("bad options: {0}")]
    BadOptions(String),
}

/// What a turn timer that ran out does to a seat, as the game decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Timeout<M> {
    /// Play this move for the seat (a pass, a random legal move). It is logged like any move.
    Play(M),
    /// The seat loses the game: in a two-player game the other seat wins.
    Forfeit,
}

/// A game's rules. Implementations are pure and deterministic: the same options, the same number
/// of players, the same seed and the same moves always give the same state.
///
/// The server calls [`Game::validate`] before [`Game::apply`], and only for a seat in
/// [`Game::turn`] while [`Game::outcome`] is `None`; `apply` may assume all of that.
pub trait Game: Send + Sized + 'static {
    /// The kind used in `create_room`, e.g. `"tictactoe"`. Unique on a server.
    const KIND: &'static str;
    /// A human name, e.g. `"Tic-tac-toe"`.
    const NAME: &'static str;
    /// One line on how to play and what a move looks like.
    const ABOUT: &'static str;

    /// The options chosen when the room is created. `Default` gives the standard game; fields left
    /// out of the JSON take their default values (use `#[serde(default)]`).
    type Options: Serialize + DeserializeOwned + Default + Clone + Send;
    /// One move, as the client sends it in `{"type": "move", "move": ...}`.
    type Move: Serialize + DeserializeOwned;
    /// What one viewer may see of the state.
    type View: Serialize;

    /// Checks options beyond their shape (ranges, combinations).
    fn check_options(options: &Self::Options) -> Result<(), RuleError> {
        let _ = options;
        Ok(())
    }

    /// The options a create form offers, with their ranges and defaults (none by default).
    fn options_schema() -> Vec<OptionSpec> {
        Vec::new()
    }

    /// How many players a game with these options takes.
    fn players(options: &Self::Options) -> Players;

    /// A new game for `players` players (seats `0..players`) at its first position. `rng` is
    /// the game's own, seeded by the server: draw shuffles and dice from it, here and in
    /// [`Game::apply`], and nowhere else.
    fn new(options: &Self::Options, players: usize, rng: &mut Rng) -> Self;

    /// The seats whose move the game is waiting for now (several for simultaneous moves). Empty
    /// once the game is over.
    fn turn(&self) -> Vec<Seat>;

    /// Whether `mv` by `seat` is legal now. Must not change anything.
    fn validate(&self, seat: Seat, mv: &Self::Move) -> Result<(), RuleError>;

    /// Plays a move that [`Game::validate`] accepted.
    fn apply(&mut self, seat: Seat, mv: Self::Move, rng: &mut Rng);

    /// The state as `viewer` may see it. The only way state leaves a game: leave out whatever
    /// this viewer must not know.
    fn view(&self, viewer: Viewer) -> Self::View;

    /// How the game ended, or `None` while it goes on.
    fn outcome(&self) -> Option<Outcome>;

    /// What happens when `seat`'s turn timer runs out (rooms with `turn_seconds` only). `choice`
    /// is for picking a random move; it is not the game's own generator (the move chosen is
    /// logged, and a replay plays it without asking again). The default forfeits.
    fn timeout(&self, seat: Seat, choice: &mut Rng) -> Timeout<Self::Move> {
        let _ = (seat, choice);
        Timeout::Forfeit
    }

    /// A seat leaves a game of three or more players that could go on without it: its player
    /// left the room, or its turn timer forfeited it. A game that can go on takes the seat out
    /// of play for good (never on turn again, never the winner) and returns `true`; it may end
    /// the game (one player left). The default, `false`, means it cannot: the server then ends
    /// the game for everyone. Two-player games are never asked (the other seat wins). Called
    /// only for a seat of the game while it goes on; must be deterministic (a replay calls it
    /// again at the same point of the log).
    fn drop_out(&mut self, seat: Seat) -> bool {
        let _ = seat;
        false
    }

    /// The turn timer a room of this game gets when `create_room` does not ask for one
    /// (`None`, the default: no timer).
    fn default_turn_seconds() -> Option<u32> {
        None
    }

    /// For real-time games: how many times a second the room calls [`Game::tick`] (10 to 60).
    /// Turn-based games keep the default, `None`, and are never ticked.
    fn tick_rate(options: &Self::Options) -> Option<u32> {
        let _ = options;
        None
    }

    /// For real-time games: whether every viewer sees the same view (nothing hidden), so that
    /// a frame is rendered once for the whole room instead of once a seat. The default, `false`,
    /// asks for a view per seat.
    const SAME_VIEW_FOR_ALL: bool = false;

    /// For real-time games: advance the world by one tick of `dt_ms` milliseconds. `inputs` has
    /// each seat's latest input since the last tick (a move the game's `validate` accepted), or
    /// `None`. Real-time games list in [`Game::turn`] the seats that may send input.
    fn tick(&mut self, dt_ms: u32, inputs: &[Option<Self::Move>], rng: &mut Rng) {
        let _ = (dt_ms, inputs, rng);
    }

    /// For real-time games: the whole state, to be stored now and then so that a restart
    /// resumes from it (ticks are not logged). `None` (the default): the game cannot resume and
    /// starts over.
    fn snapshot(&self) -> Option<serde_json::Value> {
        None
    }

    /// For real-time games: the state again from a [`Game::snapshot`].
    fn from_snapshot(options: &Self::Options, snapshot: &serde_json::Value) -> Option<Self> {
        let _ = (options, snapshot);
        None
    }

    /// Whether a rematch moves every player one seat on (so that another seat starts). The
    /// default keeps seats, and their colours, as they were.
    fn rotate_seats_on_rematch() -> bool {
        false
    }
}
