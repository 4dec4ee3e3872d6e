//! Tests of every rule of connect four, through the JSON face the server uses.

use capital_engine::{DynGame, kind, replay};
use serde_json::{Value, json};

use super::*;
use crate::testing::{assert_refused, create, play_in_turn};

/// Drops into `columns` in order, each for the seat whose turn it is.
fn play_all(game: &mut dyn DynGame, columns: &[usize]) {
    play_in_turn(game, columns.iter().map(|column| json!({ "column": column })));
}

fn new_game() -> Box<dyn DynGame> {
    let (game, options) = create(&*kind::<ConnectFour>(), &Value::Null).unwrap();
    assert_eq!(options, json!({}));
    game
}

#[test]
fn metadata_and_options() {
    let entry = kind::<ConnectFour>();
    assert_eq!((entry.kind(), entry.name()), ("connect_four", "Connect four"));
    assert_eq!(entry.default_options(), json!({}));
    assert_eq!(entry.check(&json!({})).map(|(_, p)| p.max), Ok(2));
    assert!(matches!(create(&*entry, &json!({"rows": 8})), Err(RuleError::BadOptions(_))));
}

#[test]
fn initial_state() {
    let game = new_game();
    assert_eq!(game.players(), 2);
    assert_eq!(game.turn(), vec![0]);
    assert_eq!(game.outcome(), None);
    assert_eq!(
        game.view(Viewer::Spectator),
        json!({
            "columns": 7,
            "rows": 6,
            "board": vec![vec![Value::Null; COLUMNS]; ROWS],
            "last_move": null,
            "line": null,
        })
    );
}

#[test]
fn discs_fall_to_the_bottom_and_stack() {
    let mut game = new_game();
    assert_eq!(game.play(0, &json!({"column": 3})), Ok(json!({"column": 3})));
    assert_eq!(game.turn(), vec![1]);
    let view = game.view(Viewer::Seat(1));
    assert_eq!(view["board"][5][3], json!(0));
    assert_eq!(view["last_move"], json!({"seat": 0, "column": 3, "row": 5}));
    assert_eq!(game.play(1, &json!({"column": 3})), Ok(json!({"column": 3})));
    assert_eq!(game.turn(), vec![0]);
    let view = game.view(Viewer::Seat(0));
    assert_eq!(view["board"][4][3], json!(1));
    assert_eq!(view["board"][5][3], json!(0));
    assert_eq!(view["last_move"], json!({"seat": 1, "column": 3, "row": 4}));
    let filled = view["board"].as_array().unwrap().iter().flat_map(|r| r.as_array().unwrap());
    assert_eq!(filled.filter(|c| !c.is_null()).count(), 2);
}

#[test]
fn not_your_turn_is_refused() {
    let mut game = new_game();
    assert_refused(&mut *game, 1, json!({"column": 0}), &RuleError::NotYourTurn);
    play_all(&mut *game, &[0]);
    assert_refused(&mut *game, 0, json!({"column": 0}), &RuleError::NotYourTurn);
}

#[test]
fn full_column_is_refused() {
    let mut game = new_game();
    // Alternating discs: six in column 0 and no line.
    play_all(&mut *game, &[0; 6]);
    assert_eq!(game.outcome(), None);
    let full = RuleError::Illegal("column 0 is full".into());
    assert_refused(&mut *game, 0, json!({"column": 0}), &full);
    play_all(&mut *game, &[1]);
    assert_refused(&mut *game, 1, json!({"column": 0}), &full);
}

#[test]
fn malformed_or_out_of_range_moves_are_refused() {
    let mut game = new_game();
    play_all(&mut *game, &[3]);
    let bad = RuleError::BadMove(String::new());
    for mv in [
        json!({"column": 7}),
        json!({"column": 1000}),
        json!({"column": -1}),
        json!({"column": 2.5}),
        json!({"column": "3"}),
        json!({"cell": 3}),
        json!({"column": 3, "row": 5}),
        json!({}),
        json!(3),
        Value::Null,
    ] {
        assert_refused(&mut *game, 1, mv, &bad);
    }
    assert_refused(&mut *game, 2, json!({"column": 0}), &RuleError::NoSuchSeat(2));
}

#[test]
fn validate_checks_everything_by_itself() {
    let mut game = ConnectFour::new(&ConnectFourOptions::default(), 2, &mut Rng::from_seed(0));
    assert_eq!(game.validate(1, &Drop { column: 0 }), Err(RuleError::NotYourTurn));
    assert!(matches!(game.validate(0, &Drop { column: 7 }), Err(RuleError::BadMove(_))));
    for i in 0..6 {
        game.validate(i % 2, &Drop { column: 6 }).unwrap();
        game.apply(i % 2, Drop { column: 6 }, &mut Rng::from_seed(0));
    }
    assert_eq!(
        game.validate(0, &Drop { column: 6 }),
        Err(RuleError::Illegal("column 6 is full".into()))
    );
    for (seat, column) in [(0, 0), (1, 1), (0, 0), (1, 1), (0, 0), (1, 1), (0, 0)] {
        game.validate(seat, &Drop { column }).unwrap();
        game.apply(seat, Drop { column }, &mut Rng::from_seed(0));
    }
    assert_eq!(game.validate(1, &Drop { column: 2 }), Err(RuleError::GameOver));
}

#[test]
fn four_in_a_row_wins_in_every_direction() {
    // (what, columns played with seats alternating from 0, winner, line)
    let cases: [(&str, &[usize], Seat, Line); 7] = [
        ("horizontal", &[0, 0, 1, 1, 2, 2, 3], 0, [[5, 0], [5, 1], [5, 2], [5, 3]]),
        (
            "horizontal, dropped on the left end",
            &[6, 6, 5, 5, 4, 4, 3],
            0,
            [[5, 3], [5, 4], [5, 5], [5, 6]],
        ),
        ("vertical", &[0, 1, 0, 1, 0, 1, 0], 0, [[2, 0], [3, 0], [4, 0], [5, 0]]),
        ("vertical, seat 1", &[0, 1, 0, 1, 2, 1, 2, 1], 1, [[2, 1], [3, 1], [4, 1], [5, 1]]),
        (
            "diagonal rising to the right",
            &[0, 1, 1, 2, 2, 3, 2, 3, 3, 6, 3],
            0,
            [[2, 3], [3, 2], [4, 1], [5, 0]],
        ),
        (
            "diagonal falling to the right",
            &[6, 5, 5, 4, 4, 3, 4, 3, 3, 0, 3],
            0,
            [[2, 3], [3, 4], [4, 5], [5, 6]],
        ),
        (
            "diagonal completed in the middle",
            // Seat 0 holds (5,0), (4,1) and (2,3), then fills (3,2).
            &[0, 1, 1, 2, 3, 3, 3, 2, 3, 6, 2],
            0,
            [[2, 3], [3, 2], [4, 1], [5, 0]],
        ),
    ];
    for (what, columns, winner, line) in cases {
        let mut game = new_game();
        let (last, before) = columns.split_last().unwrap();
        play_all(&mut *game, before);
        assert_eq!(game.outcome(), None, "{what}: won too early");
        play_all(&mut *game, &[*last]);
        assert_eq!(game.outcome(), Some(Outcome::win(winner, "four_in_a_row")), "{what}");
        assert_eq!(game.turn(), Vec::<Seat>::new(), "{what}");
        let view = game.view(Viewer::Spectator);
        assert_eq!(view["line"], json!(line), "{what}");
        assert_eq!(view["last_move"]["column"], json!(last), "{what}");
        for [row, column] in line {
            assert_eq!(view["board"][row][column], json!(winner), "{what}: ({row}, {column})");
        }
    }
}

#[test]
fn five_in_a_row_reports_four_including_the_last_disc() {
    let mut game = new_game();
    // Seat 0 holds columns 0, 1, 3 and 4 of the bottom row, then fills column 2.
    play_all(&mut *game, &[0, 0, 1, 1, 3, 3, 4, 4, 2]);
    assert_eq!(game.outcome(), Some(Outcome::win(0, "four_in_a_row")));
    assert_eq!(game.view(Viewer::Spectator)["line"], json!([[5, 0], [5, 1], [5, 2], [5, 3]]));
}

#[test]
fn full_board_without_four_is_a_draw() {
    // Fills the board so that cell (row, column) belongs to seat (column / 2 + row) % 2: rows
    // read AABBAAB, columns alternate, and no diagonal has four of a kind.
    let columns = [
        2, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 6, 4, 4, 4, 4, 4,
        4, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6,
    ];
    assert_eq!(columns.len(), COLUMNS * ROWS);
    let mut game = new_game();
    for (i, column) in columns.into_iter().enumerate() {
        assert_eq!(game.outcome(), None, "ended early before move {i}");
        play_all(&mut *game, &[column]);
    }
    assert_eq!(game.outcome(), Some(Outcome::draw("draw")));
    assert_eq!(game.turn(), Vec::<Seat>::new());
    let view = game.view(Viewer::Spectator);
    assert_eq!(view["line"], Value::Null);
    for row in 0..ROWS {
        for column in 0..COLUMNS {
            assert_eq!(view["board"][row][column], json!((column / 2 + row) % 2));
        }
    }
    assert_refused(&mut *game, 0, json!({"column": 0}), &RuleError::GameOver);
}

#[test]
fn moves_after_a_win_are_refused() {
    let mut game = new_game();
    play_all(&mut *game, &[0, 0, 1, 1, 2, 2, 3]);
    assert_refused(&mut *game, 1, json!({"column": 4}), &RuleError::GameOver);
    assert_refused(&mut *game, 0, json!({"column": 4}), &RuleError::GameOver);
}

#[test]
fn every_viewer_sees_the_same() {
    let mut game = new_game();
    play_all(&mut *game, &[3, 3, 4]);
    let spectator = game.view(Viewer::Spectator);
    assert_eq!(game.view(Viewer::Seat(0)), spectator);
    assert_eq!(game.view(Viewer::Seat(1)), spectator);
}

#[test]
fn replaying_the_log_gives_the_same_game() {
    let mut game = new_game();
    let mut log = Vec::new();
    for (i, column) in [3, 3, 4, 2, 5, 6, 6].into_iter().enumerate() {
        let canonical = game.play(i % 2, &json!({ "column": column })).unwrap();
        log.push((i % 2, canonical));
    }
    let entry = kind::<ConnectFour>();
    let replayed = replay(&*entry, &json!({}), 2, 0, log.iter().map(|(s, m)| (*s, m))).unwrap();
    assert_eq!(replayed.view(Viewer::Spectator), game.view(Viewer::Spectator));
    assert_eq!(replayed.turn(), game.turn());
    assert_eq!(replayed.outcome(), game.outcome());
}
