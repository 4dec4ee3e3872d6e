//! Tests of the dynamic face, with a tiny game made for them.

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
    fn players(_: &RaceOptions) -> Players {
        Players::exactly(2)
    }
    fn new(options: &RaceOptions, _: usize, _: &mut Rng) -> Self {
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
    fn apply(&mut self, _: Seat, mv: Add, _: &mut Rng) {
        self.total += mv.add;
        self.next = 1 - self.next;
    }
    fn view(&self, _: Viewer) -> Value {
        json!({ "total": self.total })
    }
    fn outcome(&self) -> Option<Outcome> {
        (self.total >= self.target).then(|| Outcome::win(1 - self.next, "reached"))
    }
    fn timeout(&self, _: Seat, choice: &mut Rng) -> Timeout<Add> {
        Timeout::Play(Add { add: 1 + choice.below(3) as u32 })
    }
}

#[test]
fn adapter_checks_seat_turn_shape_and_end() {
    let race = kind::<Race>();
    let (options, players) = race.check(&json!({"target": 4})).unwrap();
    assert_eq!((options, players), (json!({"target": 4}), Players::exactly(2)));
    let mut game = race.create(&json!({"target": 4}), 2, 1).unwrap();
    assert_eq!(game.play(2, &json!({"add": 1})), Err(RuleError::NoSuchSeat(2)));
    assert_eq!(game.play(1, &json!({"add": 1})), Err(RuleError::NotYourTurn));
    assert!(matches!(game.play(0, &json!({"sub": 1})), Err(RuleError::BadMove(_))));
    assert!(matches!(game.play(0, &json!({"add": 9})), Err(RuleError::Illegal(_))));
    assert_eq!(game.view(Viewer::Spectator), json!({"total": 0}), "refusals change nothing");
    assert_eq!(game.play(0, &json!({"add": 3})), Ok(json!({"add": 3})));
    assert_eq!(game.play(1, &json!({"add": 1})), Ok(json!({"add": 1})));
    assert_eq!(game.outcome(), Some(Outcome::win(1, "reached")));
    assert_eq!(game.play(0, &json!({"add": 1})), Err(RuleError::GameOver));
}

#[test]
fn a_timeout_plays_the_games_move_or_forfeits() {
    let race = kind::<Race>();
    let mut game = race.create(&json!({"target": 10}), 2, 1).unwrap();
    let mut choice = Rng::from_seed(5);
    let TimedOut::Played(mv) = game.time_out(0, &mut choice) else { panic!("a move") };
    assert!((1..=3).contains(&mv["add"].as_u64().unwrap()));
    assert_eq!(game.turn(), vec![1], "the move was played");
    assert_eq!(game.time_out(0, &mut choice), TimedOut::Forfeit, "not its turn: refused");
}

#[test]
fn a_game_takes_only_its_number_of_players() {
    let race = kind::<Race>();
    assert!(matches!(race.create(&json!({}), 3, 1), Err(RuleError::BadOptions(_))));
    assert!(matches!(race.create(&json!({}), 1, 1), Err(RuleError::BadOptions(_))));
    assert_eq!(race.create(&json!({}), 2, 1).unwrap().players(), 2);
}

#[test]
fn options_default_and_are_checked() {
    let race = kind::<Race>();
    assert_eq!(race.default_options(), json!({"target": null}));
    assert!(race.create(&Value::Null, 2, 0).is_ok());
    assert!(matches!(race.check(&json!({"target": 0})), Err(RuleError::BadOptions(_))));
    assert!(matches!(race.check(&json!({"colour": 1})), Err(RuleError::BadOptions(_))));
    assert_eq!(race.check(&json!({})).map(|(_, p)| p), Ok(Players::exactly(2)));
}

#[test]
fn replay_rebuilds_the_same_state() {
    let race = kind::<Race>();
    let log = [(0, json!({"add": 2})), (1, json!({"add": 3}))];
    let game = replay(&*race, &json!({}), 2, 0, log.iter().map(|(s, m)| (*s, m))).unwrap();
    assert_eq!(game.view(Viewer::Seat(0)), json!({"total": 5}));
    assert_eq!(game.turn(), vec![0]);
    let bad = [(1, json!({"add": 2}))];
    assert_eq!(
        replay(&*race, &json!({}), 2, 0, bad.iter().map(|(s, m)| (*s, m))).err(),
        Some(RuleError::NotYourTurn)
    );
}

#[test]
fn a_game_that_cannot_go_on_without_a_seat_refuses_a_drop_out_also_in_a_replay() {
    let race = kind::<Race>();
    let mut game = race.create(&json!({}), 2, 0).unwrap();
    assert!(!game.drop_out(0), "the default: the game cannot go on without the seat");
    assert_eq!(game.turn(), vec![0], "nothing changed");
    assert!(is_dropped_out(&dropped_out()) && !is_dropped_out(&json!({"add": 1})));
    let log = [(0, dropped_out())];
    let replayed = replay(&*race, &json!({}), 2, 0, log.iter().map(|(s, m)| (*s, m)));
    assert!(matches!(replayed.err(), Some(RuleError::Illegal(_))), "not a log of these rules");
}
