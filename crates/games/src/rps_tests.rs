//! Tests of every rule of rock paper scissors, through the JSON face the server uses.

use capital_engine::{DynGame, kind, replay};
use serde_json::{Value, json};

use super::*;
use crate::testing::{all_views, assert_refused, create};

use Choice::{Paper, Rock, Scissors};

/// One round: (seat 0's choice, seat 1's choice).
type Round = (Choice, Choice);

fn new_game(options: Value) -> Box<dyn DynGame> {
    create(&*kind::<RockPaperScissors>(), &options).unwrap().0
}

fn pick(choice: Choice) -> Value {
    serde_json::to_value(Pick { choice }).unwrap()
}

/// Plays whole rounds: (seat 0's choice, seat 1's choice); panics on a refusal.
fn play_rounds(game: &mut dyn DynGame, rounds: &[Round]) {
    for &(a, b) in rounds {
        game.play(0, &pick(a)).unwrap();
        game.play(1, &pick(b)).unwrap();
    }
}

#[test]
fn metadata_and_default_options() {
    let entry = kind::<RockPaperScissors>();
    assert_eq!((entry.kind(), entry.name()), ("rps", "Rock paper scissors"));
    assert_eq!(entry.default_options(), json!({"best_of": 3}));
    assert_eq!(create(&*entry, &json!({})).unwrap().1, json!({"best_of": 3}));
    assert_eq!(create(&*entry, &Value::Null).unwrap().1, json!({"best_of": 3}));
    assert_eq!(entry.check(&json!({"best_of": 5})).map(|(_, p)| p.max), Ok(2));
    let schema = serde_json::to_value(entry.options_schema()).unwrap();
    assert_eq!(
        schema,
        json!([{"key": "best_of", "label": "Best of", "type": "integer",
                "min": 1, "max": 9, "step": 2, "default": 3}])
    );
}

#[test]
fn options_are_validated() {
    let entry = kind::<RockPaperScissors>();
    for n in [1, 3, 5, 7, 9] {
        let (_, options) = create(&*entry, &json!({ "best_of": n })).unwrap();
        assert_eq!(options, json!({ "best_of": n }));
    }
    for n in [0, 2, 4, 8, 10, 11, 99] {
        match create(&*entry, &json!({ "best_of": n })).err() {
            Some(RuleError::BadOptions(message)) => {
                assert!(message.contains("best_of"), "{message}");
                assert!(message.contains("odd"), "{message}");
                assert!(message.contains(&format!("got {n}")), "{message}");
            }
            other => panic!("best_of {n}: expected BadOptions, got {other:?}"),
        }
    }
    for options in [
        json!({"best_of": 3, "rounds": 3}),
        json!({"bestof": 3}),
        json!({"best_of": -1}),
        json!({"best_of": "3"}),
        json!({"best_of": 2.5}),
    ] {
        assert!(
            matches!(create(&*entry, &options), Err(RuleError::BadOptions(_))),
            "{options} should be refused"
        );
    }
    assert!(matches!(
        entry.check(&json!({"best_of": 4})).map(|(_, p)| p.max),
        Err(RuleError::BadOptions(_))
    ));
}

#[test]
fn initial_state() {
    let game = new_game(Value::Null);
    assert_eq!(game.players(), 2);
    assert_eq!(game.turn(), vec![0, 1]);
    assert_eq!(game.outcome(), None);
    let start = json!({
        "best_of": 3,
        "score": [0, 0],
        "round": 1,
        "rounds": [],
        "chosen": [false, false],
        "your_choice": null,
    });
    for view in all_views(&*game) {
        assert_eq!(view, start);
    }
}

#[test]
fn either_seat_may_choose_first_but_only_once_per_round() {
    for first in [0, 1] {
        let second = 1 - first;
        let mut game = new_game(Value::Null);
        assert_eq!(game.play(first, &pick(Rock)), Ok(json!({"choice": "rock"})));
        assert_eq!(game.turn(), vec![second]);
        let mut chosen = [false, false];
        chosen[first] = true;
        assert_eq!(game.view(Viewer::Spectator)["chosen"], json!(chosen));
        assert_refused(&mut *game, first, pick(Paper), &RuleError::NotYourTurn);
        assert_refused(&mut *game, first, pick(Rock), &RuleError::NotYourTurn);
        game.play(second, &pick(Rock)).unwrap();
        assert_eq!(game.turn(), vec![0, 1], "a new round starts with both seats");
        assert_eq!(game.view(Viewer::Spectator)["chosen"], json!([false, false]));
    }
}

#[test]
fn a_pending_choice_is_secret() {
    for secret in [Rock, Paper, Scissors] {
        let name = serde_json::to_value(secret).unwrap();
        let name = name.as_str().unwrap();
        let mut game = new_game(Value::Null);
        game.play(0, &pick(secret)).unwrap();

        let own = game.view(Viewer::Seat(0));
        assert_eq!(own["your_choice"], json!(name));
        assert_eq!(own["chosen"], json!([true, false]));

        for viewer in [Viewer::Seat(1), Viewer::Spectator] {
            let view = game.view(viewer);
            assert_eq!(view["your_choice"], Value::Null, "{viewer:?}");
            assert_eq!(view["chosen"], json!([true, false]), "{viewer:?}");
            assert_eq!(view["rounds"], json!([]), "{viewer:?}");
            let text = serde_json::to_string(&view).unwrap();
            assert!(!text.contains(name), "{viewer:?} sees {name}: {text}");
        }
    }
}

#[test]
fn a_pending_choice_stays_secret_in_later_rounds() {
    let mut game = new_game(json!({"best_of": 5}));
    // Round 1 is a tie with rock, so "scissors" appears nowhere yet.
    play_rounds(&mut *game, &[(Rock, Rock)]);
    game.play(1, &pick(Scissors)).unwrap();
    assert_eq!(game.view(Viewer::Seat(1))["your_choice"], json!("scissors"));
    for viewer in [Viewer::Seat(0), Viewer::Spectator] {
        let text = serde_json::to_string(&game.view(viewer)).unwrap();
        assert!(!text.contains("scissors"), "{viewer:?} sees the choice: {text}");
        assert!(text.contains(r#""chosen":[false,true]"#), "{text}");
    }
    // Once seat 0 chooses too, the round resolves and both choices are public.
    game.play(0, &pick(Paper)).unwrap();
    for view in all_views(&*game) {
        assert_eq!(view["rounds"][1], json!({"choices": ["paper", "scissors"], "winner": 1}));
        assert_eq!(view["your_choice"], Value::Null);
    }
}

#[test]
fn every_pair_of_choices_resolves_by_the_rules() {
    // (seat 0, seat 1, round winner)
    let table = [
        (Rock, Rock, None),
        (Rock, Paper, Some(1)),
        (Rock, Scissors, Some(0)),
        (Paper, Rock, Some(0)),
        (Paper, Paper, None),
        (Paper, Scissors, Some(1)),
        (Scissors, Rock, Some(1)),
        (Scissors, Paper, Some(0)),
        (Scissors, Scissors, None),
    ];
    for (a, b, winner) in table {
        assert_eq!(a.beats(b), winner == Some(0), "{a:?} vs {b:?}");
        let mut game = new_game(json!({"best_of": 3}));
        play_rounds(&mut *game, &[(a, b)]);
        let mut score = [0, 0];
        if let Some(seat) = winner {
            score[seat] = 1;
        }
        let expected = json!({
            "best_of": 3,
            "score": score,
            "round": 2,
            "rounds": [{"choices": [a, b], "winner": winner}],
            "chosen": [false, false],
            "your_choice": null,
        });
        for view in all_views(&*game) {
            assert_eq!(view, expected, "{a:?} vs {b:?}");
        }
        assert_eq!(game.outcome(), None);
        assert_eq!(game.turn(), vec![0, 1]);
    }
}

#[test]
fn ties_score_nobody_and_do_not_end_the_game() {
    let mut game = new_game(json!({"best_of": 1}));
    play_rounds(&mut *game, &[(Rock, Rock), (Paper, Paper), (Scissors, Scissors)]);
    assert_eq!(game.outcome(), None);
    let view = game.view(Viewer::Spectator);
    assert_eq!(view["score"], json!([0, 0]));
    assert_eq!(view["round"], json!(4));
    assert_eq!(view["rounds"].as_array().unwrap().len(), 3);
    assert!(view["rounds"].as_array().unwrap().iter().all(|r| r["winner"].is_null()));
}

#[test]
fn the_first_to_a_majority_of_best_of_wins() {
    // (best_of, rounds, winner, final score)
    let cases: [(u32, &[Round], Seat, [u32; 2]); 6] = [
        (1, &[(Rock, Scissors)], 0, [1, 0]),
        (1, &[(Rock, Rock), (Rock, Paper)], 1, [0, 1]),
        (3, &[(Rock, Scissors), (Paper, Rock)], 0, [2, 0]),
        (3, &[(Rock, Scissors), (Rock, Paper), (Paper, Paper), (Scissors, Rock)], 1, [1, 2]),
        (5, &[(Rock, Scissors), (Rock, Paper), (Rock, Scissors), (Rock, Scissors)], 0, [3, 1]),
        (
            5,
            &[(Paper, Rock), (Paper, Rock), (Rock, Paper), (Rock, Paper), (Rock, Paper)],
            1,
            [2, 3],
        ),
    ];
    for (best_of, rounds, winner, score) in cases {
        let mut game = new_game(json!({ "best_of": best_of }));
        let (last, before) = rounds.split_last().unwrap();
        play_rounds(&mut *game, before);
        assert_eq!(game.outcome(), None, "best_of {best_of}: ended too early");
        play_rounds(&mut *game, &[*last]);
        assert_eq!(game.outcome(), Some(Outcome::win(winner, "best_of")), "best_of {best_of}");
        assert_eq!(game.turn(), Vec::<Seat>::new());
        for view in all_views(&*game) {
            assert_eq!(view["score"], json!(score), "best_of {best_of}");
            assert_eq!(view["round"], json!(rounds.len()), "stays at the last round");
            assert_eq!(view["rounds"].as_array().unwrap().len(), rounds.len());
            assert_eq!(view["chosen"], json!([false, false]));
            assert_eq!(view["your_choice"], Value::Null);
        }
    }
}

#[test]
fn moves_after_the_end_are_refused() {
    let mut game = new_game(json!({"best_of": 1}));
    play_rounds(&mut *game, &[(Paper, Rock)]);
    assert_refused(&mut *game, 0, pick(Rock), &RuleError::GameOver);
    assert_refused(&mut *game, 1, pick(Rock), &RuleError::GameOver);
}

#[test]
fn malformed_moves_are_refused() {
    let mut game = new_game(Value::Null);
    game.play(0, &pick(Rock)).unwrap();
    let bad = RuleError::BadMove(String::new());
    for mv in [
        json!({"choice": "lizard"}),
        json!({"choice": "Rock"}),
        json!({"choice": "ROCK"}),
        json!({"choice": 0}),
        json!({"choice": null}),
        json!({"pick": "rock"}),
        json!({"choice": "rock", "round": 1}),
        json!({}),
        json!("rock"),
        Value::Null,
    ] {
        assert_refused(&mut *game, 1, mv, &bad);
    }
    assert_refused(&mut *game, 2, pick(Rock), &RuleError::NoSuchSeat(2));
}

#[test]
fn validate_checks_everything_by_itself() {
    let mut game = RockPaperScissors::new(&RpsOptions { best_of: 1 }, 2, &mut Rng::from_seed(0));
    let rock = Pick { choice: Rock };
    assert_eq!(game.validate(2, &rock), Err(RuleError::NoSuchSeat(2)));
    assert_eq!(game.validate(1, &rock), Ok(()));
    game.apply(1, rock, &mut Rng::from_seed(0));
    assert_eq!(game.validate(1, &rock), Err(RuleError::NotYourTurn));
    game.apply(0, Pick { choice: Paper }, &mut Rng::from_seed(0));
    assert_eq!(game.outcome(), Some(Outcome::win(0, "best_of")));
    assert_eq!(game.validate(1, &rock), Err(RuleError::GameOver));
}

#[test]
fn replaying_the_log_gives_the_same_game() {
    let entry = kind::<RockPaperScissors>();
    let (mut game, options) = create(&*entry, &json!({"best_of": 5})).unwrap();
    // Ends mid-round, with seat 1's choice still secret.
    let moves = [(0, Rock), (1, Rock), (1, Paper), (0, Scissors), (1, Scissors)];
    let mut log = Vec::new();
    for (seat, choice) in moves {
        log.push((seat, game.play(seat, &pick(choice)).unwrap()));
    }
    let replayed = replay(&*entry, &options, 2, 0, log.iter().map(|(s, m)| (*s, m))).unwrap();
    assert_eq!(all_views(&*replayed), all_views(&*game));
    assert_eq!(replayed.turn(), vec![0]);
    assert_eq!(replayed.view(Viewer::Seat(1))["your_choice"], json!("scissors"));
    assert_eq!(replayed.outcome(), game.outcome());
}
