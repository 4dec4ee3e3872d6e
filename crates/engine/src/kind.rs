//! The object-safe face of games: [`GameKind`], a game's metadata and constructor as one value
//! (`Arc<dyn GameKind>`, what a registry holds), and [`DynGame`], a running game of any kind.
//! Moves and options cross this boundary as JSON values and are checked into the game's own
//! types here.

use std::marker::PhantomData;
use std::sync::Arc;

use serde::Deserialize as _;
use serde_json::Value;

use crate::game::{Game, Outcome, RuleError, Seat, Timeout, Viewer};
use crate::options::{OptionSpec, Players};
use crate::rng::Rng;

/// A running game of any kind, as the server holds it.
pub trait DynGame: Send {
    /// Number of players (seats `0..players`).
    fn players(&self) -> usize;
    /// Seats whose move the game is waiting for.
    fn turn(&self) -> Vec<Seat>;
    /// Checks and plays `mv` for `seat`. On success returns the move in its canonical JSON form
    /// (what goes into the move log); on error nothing changed.
    fn play(&mut self, seat: Seat, mv: &Value) -> Result<Value, RuleError>;
    /// `seat`'s turn timer ran out: what the game does about it. A move it plays is returned in
    /// canonical form, to be logged like any other.
    fn time_out(&mut self, seat: Seat, choice: &mut Rng) -> TimedOut;
    /// The state as `viewer` may see it.
    fn view(&self, viewer: Viewer) -> Value;
    /// How the game ended, or `None`.
    fn outcome(&self) -> Option<Outcome>;
    /// Real-time games: ticks per second; `None` for turn-based games.
    fn tick_rate(&self) -> Option<u32>;
    /// Real-time games: whether `input` from `seat` would be taken now (nothing changes). Returns
    /// it in canonical form.
    fn check_input(&self, seat: Seat, input: &Value) -> Result<Value, RuleError>;
    /// Real-time games: one tick of `dt_ms`, with each seat's latest input (checked again: one
    /// that no longer holds is dropped).
    fn tick(&mut self, dt_ms: u32, inputs: &[Option<Value>]);
    /// Real-time games: the state to store, if the game can resume from it.
    fn snapshot(&self) -> Option<Value>;
    /// Whether every viewer sees the same view ([`Game::SAME_VIEW_FOR_ALL`]).
    fn same_view_for_all(&self) -> bool;
    /// Takes `seat` out of a game that goes on without it ([`Game::drop_out`]); `false` if the
    /// game cannot, is over, or has no such seat (nothing changed then). Log it as
    /// [`dropped_out`].
    fn drop_out(&mut self, seat: Seat) -> bool;
}

/// The move-log entry of a seat that dropped out ([`DynGame::drop_out`]): not a move of any
/// game (no game's moves serialize to a `$` key), and [`replay`] knows it.
pub fn dropped_out() -> Value {
    serde_json::json!({"$dropped_out": true})
}

/// Whether a logged move is a [`dropped_out`] entry.
pub fn is_dropped_out(mv: &Value) -> bool {
    mv.get("$dropped_out") == Some(&Value::Bool(true))
}

/// What a turn timer running out did.
#[derive(Debug, Clone, PartialEq)]
pub enum TimedOut {
    /// The game played this move for the seat.
    Played(Value),
    /// The seat forfeits.
    Forfeit,
}

/// A game kind: what clients are told about it, and how to start one. A registry holds these
/// as `Arc<dyn GameKind>`; [`kind`] makes one from a [`Game`].
pub trait GameKind: Send + Sync {
    /// The kind, as in [`Game::KIND`].
    fn kind(&self) -> &str;
    /// A human name.
    fn name(&self) -> &str;
    /// One line on how to play.
    fn about(&self) -> &str;
    /// Who wrote it, for a game that is not built in (a student's script).
    fn author(&self) -> Option<&str> {
        None
    }
    /// For rules loaded while the server runs (a script): their version, which changes with
    /// their text. A room records it, so that it comes back with the same rules.
    fn version(&self) -> Option<&str> {
        None
    }
    /// For rules loaded while the server runs: their file's name and text, kept with the
    /// [`version`](GameKind::version).
    fn source(&self) -> Option<(&str, &str)> {
        None
    }
    /// The options a create form offers.
    fn options_schema(&self) -> Vec<OptionSpec>;
    /// The options of a standard game, as JSON.
    fn default_options(&self) -> Value;
    /// Checks `options` (`null` means the defaults) and returns them in canonical form, with
    /// every default filled in, and how many players they take.
    fn check(&self, options: &Value) -> Result<(Value, Players), RuleError>;
    /// A new game for `players` players, its generator seeded with `seed`.
    fn create(
        &self,
        options: &Value,
        players: usize,
        seed: u64,
    ) -> Result<Box<dyn DynGame>, RuleError>;
    /// A real-time game again from a snapshot taken at tick `tick` (its generator seeded from
    /// `seed` and `tick`). `None` if the game cannot resume.
    fn resume(
        &self,
        options: &Value,
        players: usize,
        seed: u64,
        tick: u64,
        snapshot: &Value,
    ) -> Option<Box<dyn DynGame>>;
    /// Whether a rematch moves every player one seat on.
    fn rotate_seats_on_rematch(&self) -> bool;
    /// The turn timer a room gets unless it asks for another.
    fn default_turn_seconds(&self) -> Option<u32>;
}

impl std::fmt::Debug for dyn GameKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GameKind").field("kind", &self.kind()).finish_non_exhaustive()
    }
}

/// The [`GameKind`] of game type `G`.
pub fn kind<G: Game>() -> Arc<dyn GameKind> {
    Arc::new(KindOf::<G>(PhantomData))
}

/// The [`GameKind`] of a [`Game`] type.
struct KindOf<G>(PhantomData<fn() -> G>);

impl<G: Game> GameKind for KindOf<G> {
    fn kind(&self) -> &str {
        G::KIND
    }

    fn name(&self) -> &str {
        G::NAME
    }

    fn about(&self) -> &str {
        G::ABOUT
    }

    fn options_schema(&self) -> Vec<OptionSpec> {
        G::options_schema()
    }

    fn default_options(&self) -> Value {
        serde_json::to_value(G::Options::default()).expect("options serialize")
    }

    fn check(&self, options: &Value) -> Result<(Value, Players), RuleError> {
        let options = parse_options::<G>(options)?;
        let canonical = serde_json::to_value(&options).expect("options serialize");
        Ok((canonical, G::players(&options)))
    }

    fn create(
        &self,
        options: &Value,
        players: usize,
        seed: u64,
    ) -> Result<Box<dyn DynGame>, RuleError> {
        let options = parse_options::<G>(options)?;
        let range = G::players(&options);
        if !(range.min..=range.max).contains(&players) {
            return Err(RuleError::BadOptions(format!(
                "this game takes {} to {} players, not {players}",
                range.min, range.max
            )));
        }
        let mut rng = Rng::from_seed(seed);
        let game = G::new(&options, players, &mut rng);
        Ok(Typed::boxed(game, players, rng, &options))
    }

    fn resume(
        &self,
        options: &Value,
        players: usize,
        seed: u64,
        tick: u64,
        snapshot: &Value,
    ) -> Option<Box<dyn DynGame>> {
        let options = parse_options::<G>(options).ok()?;
        let game = G::from_snapshot(&options, snapshot)?;
        let rng = Rng::from_seed(resumed_seed(seed, tick));
        Some(Typed::boxed(game, players, rng, &options))
    }

    fn rotate_seats_on_rematch(&self) -> bool {
        G::rotate_seats_on_rematch()
    }

    fn default_turn_seconds(&self) -> Option<u32> {
        G::default_turn_seconds()
    }
}

/// A game already set up (a position a test built) behind the dynamic face, with its
/// generator seeded with `seed`, as if made with the default options.
pub fn boxed<G: Game>(game: G, players: usize, seed: u64) -> Box<dyn DynGame> {
    Typed::boxed(game, players, Rng::from_seed(seed), &G::Options::default())
}

/// Rebuilds a game from its options, players, seed and move log. Fails if a logged move is
/// refused, which means the log does not belong to these rules.
pub fn replay<'a>(
    kind: &dyn GameKind,
    options: &Value,
    players: usize,
    seed: u64,
    moves: impl IntoIterator<Item = (Seat, &'a Value)>,
) -> Result<Box<dyn DynGame>, RuleError> {
    replay_each(kind, options, players, seed, moves, |_, _| {})
}

/// [`replay`], calling `each` with the game as it was before the first move (`None`) and after
/// every move (the seat and the move): what a step-by-step replay shows.
pub fn replay_each<'a>(
    kind: &dyn GameKind,
    options: &Value,
    players: usize,
    seed: u64,
    moves: impl IntoIterator<Item = (Seat, &'a Value)>,
    mut each: impl FnMut(Option<(Seat, &'a Value)>, &dyn DynGame),
) -> Result<Box<dyn DynGame>, RuleError> {
    let mut game = kind.create(options, players, seed)?;
    each(None, &*game);
    for (seat, mv) in moves {
        if is_dropped_out(mv) {
            if !game.drop_out(seat) {
                return Err(RuleError::Illegal(format!("seat {seat} cannot drop out here")));
            }
        } else {
            game.play(seat, mv)?;
        }
        each(Some((seat, mv)), &*game);
    }
    Ok(game)
}

fn parse_options<G: Game>(options: &Value) -> Result<G::Options, RuleError> {
    let options: G::Options = if options.is_null() {
        G::Options::default()
    } else {
        serde_json::from_value(options.clone()).map_err(|e| RuleError::BadOptions(e.to_string()))?
    };
    G::check_options(&options)?;
    Ok(options)
}

/// The seed of a real-time game's generator once resumed from a snapshot at `tick`.
fn resumed_seed(seed: u64, tick: u64) -> u64 {
    seed ^ tick.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// A typed game behind the dynamic face, with its own generator.
struct Typed<G: Game> {
    game: G,
    players: usize,
    rng: Rng,
    tick_rate: Option<u32>,
}

impl<G: Game> Typed<G> {
    /// The one way a typed game gets its dynamic face: the tick rate read from its options and
    /// kept to 10 to 60 a second.
    fn boxed(game: G, players: usize, rng: Rng, options: &G::Options) -> Box<dyn DynGame> {
        let tick_rate = G::tick_rate(options).map(|hz| hz.clamp(10, 60));
        Box::new(Typed { game, players, rng, tick_rate })
    }

    /// Whether `seat` may make `mv` now.
    fn check(&self, seat: Seat, mv: &G::Move) -> Result<(), RuleError> {
        if seat >= self.players {
            return Err(RuleError::NoSuchSeat(seat));
        }
        if self.game.outcome().is_some() {
            return Err(RuleError::GameOver);
        }
        if !self.game.turn().contains(&seat) {
            return Err(RuleError::NotYourTurn);
        }
        self.game.validate(seat, mv)
    }

    /// Checks and plays a typed move.
    fn play_typed(&mut self, seat: Seat, mv: G::Move) -> Result<Value, RuleError> {
        if self.tick_rate.is_some() {
            return Err(RuleError::BadMove("a real-time game takes `input`, not moves".into()));
        }
        self.check(seat, &mv)?;
        let canonical = serde_json::to_value(&mv).expect("moves serialize");
        self.game.apply(seat, mv, &mut self.rng);
        Ok(canonical)
    }

    fn decode(input: &Value) -> Result<G::Move, RuleError> {
        G::Move::deserialize(input).map_err(|e| RuleError::BadMove(e.to_string()))
    }
}

impl<G: Game> DynGame for Typed<G> {
    fn players(&self) -> usize {
        self.players
    }

    fn turn(&self) -> Vec<Seat> {
        self.game.turn()
    }

    fn play(&mut self, seat: Seat, mv: &Value) -> Result<Value, RuleError> {
        if seat >= self.players {
            return Err(RuleError::NoSuchSeat(seat));
        }
        let mv: G::Move =
            G::Move::deserialize(mv).map_err(|e| RuleError::BadMove(e.to_string()))?;
        self.play_typed(seat, mv)
    }

    fn time_out(&mut self, seat: Seat, choice: &mut Rng) -> TimedOut {
        match self.game.timeout(seat, choice) {
            Timeout::Forfeit => TimedOut::Forfeit,
            Timeout::Play(mv) => match self.play_typed(seat, mv) {
                Ok(canonical) => TimedOut::Played(canonical),
                // A game whose timeout move its own rules refuse: the seat forfeits instead.
                Err(_) => TimedOut::Forfeit,
            },
        }
    }

    fn view(&self, viewer: Viewer) -> Value {
        serde_json::to_value(self.game.view(viewer)).expect("views serialize")
    }

    fn outcome(&self) -> Option<Outcome> {
        self.game.outcome()
    }

    fn tick_rate(&self) -> Option<u32> {
        self.tick_rate
    }

    fn check_input(&self, seat: Seat, input: &Value) -> Result<Value, RuleError> {
        if self.tick_rate.is_none() {
            return Err(RuleError::BadMove("a turn-based game takes moves, not `input`".into()));
        }
        let mv = Self::decode(input)?;
        self.check(seat, &mv)?;
        Ok(serde_json::to_value(&mv).expect("inputs serialize"))
    }

    fn tick(&mut self, dt_ms: u32, inputs: &[Option<Value>]) {
        if self.tick_rate.is_none() || self.game.outcome().is_some() {
            return;
        }
        let inputs: Vec<Option<G::Move>> = (0..self.players)
            .map(|seat| {
                let input = inputs.get(seat)?.as_ref()?;
                let mv = Self::decode(input).ok()?;
                self.check(seat, &mv).is_ok().then_some(mv)
            })
            .collect();
        self.game.tick(dt_ms, &inputs, &mut self.rng);
    }

    fn snapshot(&self) -> Option<Value> {
        self.game.snapshot()
    }

    fn same_view_for_all(&self) -> bool {
        G::SAME_VIEW_FOR_ALL
    }

    fn drop_out(&mut self, seat: Seat) -> bool {
        seat < self.players && self.game.outcome().is_none() && self.game.drop_out(seat)
    }
}

#[cfg(test)]
#[path = "kind_tests.rs"]
mod tests;
