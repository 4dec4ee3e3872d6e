//! The object-safe face of a game: JSON in, JSON out, any kind behind one `Box<dyn DynGame>`.

use std::time::Duration;

use serde::Deserialize as _;
use serde_json::Value;

use crate::game::{Game, Outcome, RuleError, Seat, Viewer};

/// A running game of any kind, as the server holds it.
pub trait DynGame: Send {
    /// Number of seats.
    fn seats(&self) -> usize;
    /// Seats whose move the game is waiting for.
    fn turn(&self) -> Vec<Seat>;
    /// Checks and plays `mv` for `seat`. On success returns the move in its canonical JSON form
    /// (what goes into the move log); on error nothing changed.
    fn play(&mut self, seat: Seat, mv: &Value) -> Result<Value, RuleError>;
    /// The state as `viewer` may see it.
    fn view(&self, viewer: Viewer) -> Value;
    /// How the game ended, or `None`.
    fn outcome(&self) -> Option<Outcome>;
    /// For real-time games: the tick period; `None` for turn-based games.
    fn tick_interval(&self) -> Option<Duration>;
    /// For real-time games: advance one tick.
    fn tick(&mut self);
}

/// A game kind: its metadata and a constructor. Made by [`GameEntry::of`]; listed in the
/// `capital-games` registry.
#[derive(Clone, Copy)]
pub struct GameEntry {
    /// The kind, as in [`Game::KIND`].
    pub kind: &'static str,
    /// A human name.
    pub name: &'static str,
    /// One line on how to play.
    pub about: &'static str,
    default_options: fn() -> Value,
    seats: fn(&Value) -> Result<usize, RuleError>,
    create: fn(&Value) -> Result<Created, RuleError>,
}

/// A new game and its options in canonical form.
pub type Created = (Box<dyn DynGame>, Value);

impl std::fmt::Debug for GameEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GameEntry").field("kind", &self.kind).finish_non_exhaustive()
    }
}

impl GameEntry {
    /// The entry for game type `G`.
    pub fn of<G: Game>() -> Self {
        GameEntry {
            kind: G::KIND,
            name: G::NAME,
            about: G::ABOUT,
            default_options: || {
                serde_json::to_value(G::Options::default()).expect("options serialize")
            },
            seats: |options| Ok(G::seats(&parse_options::<G>(options)?)),
            create: |options| {
                let options = parse_options::<G>(options)?;
                let canonical = serde_json::to_value(&options).expect("options serialize");
                let game = Typed::<G> {
                    seats: G::seats(&options),
                    tick: G::tick_interval(&options),
                    game: G::new(&options),
                };
                Ok((Box::new(game), canonical))
            },
        }
    }

    /// The options of a standard game, as JSON.
    pub fn default_options(&self) -> Value {
        (self.default_options)()
    }

    /// How many seats a game with these options has (checks the options).
    pub fn seats(&self, options: &Value) -> Result<usize, RuleError> {
        (self.seats)(options)
    }

    /// A new game with `options` (`null` means the defaults), and the options in canonical form
    /// with every default filled in.
    pub fn create(&self, options: &Value) -> Result<Created, RuleError> {
        (self.create)(options)
    }
}

/// Rebuilds a game from its options and move log. Fails if a logged move is refused, which means
/// the log does not belong to these rules.
pub fn replay<'a>(
    entry: &GameEntry,
    options: &Value,
    moves: impl IntoIterator<Item = (Seat, &'a Value)>,
) -> Result<Box<dyn DynGame>, RuleError> {
    let (mut game, _) = entry.create(options)?;
    for (seat, mv) in moves {
        game.play(seat, mv)?;
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

/// A typed game behind the dynamic face.
struct Typed<G: Game> {
    game: G,
    seats: usize,
    tick: Option<Duration>,
}

impl<G: Game> DynGame for Typed<G> {
    fn seats(&self) -> usize {
        self.seats
    }

    fn turn(&self) -> Vec<Seat> {
        self.game.turn()
    }

    fn play(&mut self, seat: Seat, mv: &Value) -> Result<Value, RuleError> {
        if seat >= self.seats {
            return Err(RuleError::NoSuchSeat(seat));
        }
        if self.game.outcome().is_some() {
            return Err(RuleError::GameOver);
        }
        let mv: G::Move =
            G::Move::deserialize(mv).map_err(|e| RuleError::BadMove(e.to_string()))?;
        if !self.game.turn().contains(&seat) {
            return Err(RuleError::NotYourTurn);
        }
        self.game.validate(seat, &mv)?;
        let canonical = serde_json::to_value(&mv).expect("moves serialize");
        self.game.apply(seat, mv);
        Ok(canonical)
    }

    fn view(&self, viewer: Viewer) -> Value {
        serde_json::to_value(self.game.view(viewer)).expect("views serialize")
    }

    fn outcome(&self) -> Option<Outcome> {
        self.game.outcome()
    }

    fn tick_interval(&self) -> Option<Duration> {
        self.tick
    }

    fn tick(&mut self) {
        self.game.tick();
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    use super::*;

    /// A tiny game for testing the adapter: seats take turns adding 1..=3; whoever reaches the
    /// target wins.
    struct Race {
        total: u32,
        target: u32,
        next: Seat,
    }

    #[derive(Serialize, Deserialize, Default, Clone)]
    #[serde(default, deny_unknown_fields)]
    struct RaceOptions {
        target: Option<u32>,
    }

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Add {
        add: u32,
    }

    impl Game for Race {
        const KIND: &'static str = "race";
        const NAME: &'static str = "Race";
        const ABOUT: &'static str = "add 1 to 3";
        type Options = RaceOptions;
        type Move = Add;
        type View = Value;

        fn check_options(options: &RaceOptions) -> Result<(), RuleError> {
            match options.target {
                Some(0) => Err(RuleError::BadOptions("target must be positive".into())),
                _ => Ok(()),
            }
        }
        fn seats(_: &RaceOptions) -> usize {
            2
        }
        fn new(options: &RaceOptions) -> Self {
            Race { total: 0, target: options.target.unwrap_or(10), next: 0 }
        }
        fn turn(&self) -> Vec<Seat> {
            if self.total >= self.target { vec![] } else { vec![self.next] }
        }
        fn validate(&self, _: Seat, mv: &Add) -> Result<(), RuleError> {
            if (1..=3).contains(&mv.add) {
                Ok(())
            } else {
                Err(RuleError::Illegal("add 1, 2 or 3".into()))
            }
        }
        fn apply(&mut self, _: Seat, mv: Add) {
            self.total += mv.add;
            self.next = 1 - self.next;
        }
        fn view(&self, _: Viewer) -> Value {
            json!({ "total": self.total })
        }
        fn outcome(&self) -> Option<Outcome> {
            (self.total >= self.target).then(|| Outcome::win(1 - self.next, "reached"))
        }
    }

    #[test]
    fn adapter_checks_seat_turn_shape_and_end() {
        let entry = GameEntry::of::<Race>();
        let (mut game, options) = entry.create(&json!({"target": 4})).unwrap();
        assert_eq!(options, json!({"target": 4}));
        assert_eq!(game.play(2, &json!({"add": 1})), Err(RuleError::NoSuchSeat(2)));
        assert_eq!(game.play(1, &json!({"add": 1})), Err(RuleError::NotYourTurn));
        assert!(matches!(game.play(0, &json!({"sub": 1})), Err(RuleError::BadMove(_))));
        assert!(matches!(game.play(0, &json!({"add": 9})), Err(RuleError::Illegal(_))));
        assert_eq!(game.view(Viewer::Spectator), json!({"total": 0}), "refusals change nothing");
        assert_eq!(game.play(0, &json!({"add": 3})), Ok(json!({"add": 3})));
        assert_eq!(game.play(1, &json!({"add": 1})), Ok(json!({"add": 1})));
        assert_eq!(game.outcome(), Some(Outcome::win(1, "reached")));
        assert_eq!(game.play(0, &json!({"add": 1})), Err(RuleError::GameOver));
        assert_eq!(game.tick_interval(), None);
    }

    #[test]
    fn options_default_and_are_checked() {
        let entry = GameEntry::of::<Race>();
        assert_eq!(entry.default_options(), json!({"target": null}));
        assert!(entry.create(&Value::Null).is_ok());
        assert!(matches!(entry.create(&json!({"target": 0})), Err(RuleError::BadOptions(_))));
        assert!(matches!(entry.create(&json!({"colour": 1})), Err(RuleError::BadOptions(_))));
        assert_eq!(entry.seats(&json!({})), Ok(2));
    }

    #[test]
    fn replay_rebuilds_the_same_state() {
        let entry = GameEntry::of::<Race>();
        let log = [(0, json!({"add": 2})), (1, json!({"add": 3}))];
        let game = replay(&entry, &json!({}), log.iter().map(|(s, m)| (*s, m))).unwrap();
        assert_eq!(game.view(Viewer::Seat(0)), json!({"total": 5}));
        assert_eq!(game.turn(), vec![0]);
        let bad = [(1, json!({"add": 2}))];
        assert_eq!(
            replay(&entry, &json!({}), bad.iter().map(|(s, m)| (*s, m))).err(),
            Some(RuleError::NotYourTurn)
        );
    }
}
