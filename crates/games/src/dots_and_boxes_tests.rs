//! Tests of every rule of dots and boxes.

use capital_engine::{TimedOut, kind, replay};
use serde_json::{Value, json};

use super::*;
use crate::testing::{all_views, assert_refused};

fn h(row: usize, col: usize) -> Value {
    json!({"dir": "h", "row": row, "col": col})
}

fn v(row: usize, col: usize) -> Value {
    json!({"dir": "v", "row": row, "col": col})
}

fn game(options: Value, players: usize) -> Box<dyn capital_engine::DynGame> {
    kind::<DotsAndBoxes>().create(&options, players, 0).unwrap()
}

#[test]
fn metadata_options_players_and_default_timer() {
    let entry = kind::<DotsAndBoxes>();
    assert_eq!((entry.kind(), entry.name()), ("dots_and_boxes", "Dots and boxes"));
    assert_eq!(entry.default_options(), json!({"rows": 4, "cols": 4}));
    assert_eq!(entry.check(&json!({})).unwrap().1, Players::between(2, 4));
    assert_eq!(entry.default_turn_seconds(), Some(30));
    for bad in [json!({"rows": 1}), json!({"cols": 8}), json!({"size": 3})] {
        assert!(matches!(entry.check(&bad), Err(RuleError::BadOptions(_))), "{bad}");
    }
    assert_eq!(entry.options_schema().len(), 2);
}

#[test]
fn the_grid_starts_empty_with_seat_zero_to_draw() {
    let g = game(json!({"rows": 2, "cols": 3}), 3);
    let view = g.view(Viewer::Spectator);
    assert_eq!(view["h"].as_array().unwrap().len(), 3, "rows + 1 rows of horizontal lines");
    assert_eq!(view["h"][0].as_array().unwrap().len(), 3);
    assert_eq!(view["v"].as_array().unwrap().len(), 2);
    assert_eq!(view["v"][0].as_array().unwrap().len(), 4, "cols + 1 vertical lines a row");
    assert_eq!(view["scores"], json!([0, 0, 0]));
    assert_eq!(g.turn(), vec![0]);
    assert_eq!(all_views(&*g)[0], all_views(&*g)[3], "everything is public");
}

#[test]
fn a_line_without_a_box_passes_the_turn_round_every_seat() {
    let mut g = game(json!({"rows": 2, "cols": 2}), 3);
    g.play(0, &h(0, 0)).unwrap();
    assert_eq!(g.turn(), vec![1]);
    g.play(1, &h(0, 1)).unwrap();
    g.play(2, &h(2, 0)).unwrap();
    assert_eq!(g.turn(), vec![0], "back to the first seat after the third");
    assert_eq!(g.view(Viewer::Seat(0))["last"], json!({"dir": "h", "row": 2, "col": 0}));
    assert_eq!(g.view(Viewer::Seat(1))["h"][0], json!([0, 1]), "who drew each line");
}

#[test]
fn closing_a_box_scores_it_and_draws_again() {
    let mut g = game(json!({"rows": 2, "cols": 2}), 2);
    for (seat, line) in [(0, h(0, 0)), (1, v(0, 0)), (0, v(0, 1))] {
        g.play(seat, &line).unwrap();
    }
    assert_eq!(g.turn(), vec![1]);
    g.play(1, &h(1, 0)).unwrap(); // the fourth side of the top-left box
    let view = g.view(Viewer::Spectator);
    assert_eq!((view["boxes"][0][0].clone(), view["scores"].clone()), (json!(1), json!([0, 1])));
    assert_eq!(g.turn(), vec![1], "a box closed: the same seat draws again");
}

#[test]
fn one_line_can_close_two_boxes() {
    let mut g = game(json!({"rows": 2, "cols": 2}), 2);
    let sides = [h(0, 0), h(0, 1), h(1, 0), h(1, 1), v(0, 0), v(0, 2)];
    let mut seat = 0;
    for line in sides {
        g.play(seat, &line).unwrap();
        seat = g.turn()[0];
    }
    g.play(seat, &v(0, 1)).unwrap(); // the middle line: both top boxes
    assert_eq!(g.view(Viewer::Spectator)["boxes"][0], json!([seat, seat]));
    assert_eq!(g.view(Viewer::Spectator)["scores"][seat], 2);
}

#[test]
fn refused_lines_change_nothing() {
    let mut g = game(json!({"rows": 2, "cols": 2}), 2);
    g.play(0, &h(0, 0)).unwrap();
    let bad = RuleError::BadMove(String::new());
    assert_refused(&mut *g, 1, h(0, 0), &RuleError::Illegal("that line is drawn already".into()));
    assert_refused(&mut *g, 1, h(3, 0), &bad);
    assert_refused(&mut *g, 1, h(0, 2), &bad);
    assert_refused(&mut *g, 1, v(2, 0), &bad);
    assert_refused(&mut *g, 1, v(0, 3), &bad);
    assert_refused(&mut *g, 1, json!({"dir": "d", "row": 0, "col": 0}), &bad);
    assert_refused(&mut *g, 1, json!({"dir": "h", "row": 0, "col": 1, "x": 1}), &bad);
    assert_refused(&mut *g, 0, h(1, 0), &RuleError::NotYourTurn);
    assert_refused(&mut *g, 2, h(1, 0), &RuleError::NoSuchSeat(2));
}

/// Draws every line of a 2 x 2 grid in `order`, each by the seat on turn; returns the game.
fn play_out(players: usize, order: &[Value]) -> Box<dyn capital_engine::DynGame> {
    let mut g = game(json!({"rows": 2, "cols": 2}), players);
    for line in order {
        let seat = g.turn()[0];
        g.play(seat, line).unwrap();
    }
    g
}

#[test]
fn the_most_boxes_wins_and_a_tie_is_a_draw() {
    // Seat 0 and 1 alternate on the outside; seat 0 then takes all four boxes in a row.
    let order = [h(0, 0), h(0, 1), h(2, 0), h(2, 1), v(0, 0), v(1, 0), v(0, 2), v(1, 2)];
    let inner = [h(1, 0), h(1, 1), v(0, 1), v(1, 1)];
    let all: Vec<Value> = order.iter().chain(&inner).cloned().collect();
    let g = play_out(2, &all);
    let scores = g.view(Viewer::Spectator)["scores"].clone();
    let outcome = g.outcome().expect("every line is drawn");
    let best = (0..2).max_by_key(|&s| scores[s].as_u64()).unwrap();
    if scores[0] == scores[1] {
        assert_eq!(outcome, Outcome::draw("tie"));
    } else {
        assert_eq!(outcome, Outcome::win(best, "most_boxes"));
    }
    assert_eq!(scores[0].as_u64().unwrap() + scores[1].as_u64().unwrap(), 4);
    assert_eq!(g.turn(), Vec::<Seat>::new());
    let mut tie = DotsAndBoxes::new(&DotsOptions { rows: 2, cols: 2 }, 2, &mut Rng::from_seed(0));
    tie.boxes = vec![vec![Some(0), Some(1)], vec![Some(1), Some(0)]];
    assert_eq!(tie.outcome(), Some(Outcome::draw("tie")));
    tie.boxes[1][1] = Some(1);
    assert_eq!(tie.outcome(), Some(Outcome::win(1, "most_boxes")));
}

#[test]
fn a_timeout_draws_a_random_free_line() {
    let entry = kind::<DotsAndBoxes>();
    let mut g = entry.create(&json!({"rows": 2, "cols": 2}), 3, 0).unwrap();
    let mut choice = Rng::from_seed(4);
    let mut log = Vec::new();
    while g.outcome().is_none() {
        let seat = g.turn()[0];
        let TimedOut::Played(mv) = g.time_out(seat, &mut choice) else { panic!("a line") };
        log.push((seat, mv));
    }
    assert_eq!(log.len(), 12, "every line of a 2 x 2 grid, once");
    let replayed =
        replay(&*entry, &json!({"rows": 2, "cols": 2}), 3, 0, log.iter().map(|(s, m)| (*s, m)))
            .unwrap();
    assert_eq!(all_views(&*replayed), all_views(&*g));
    assert_eq!(replayed.outcome(), g.outcome());
}

#[test]
fn a_seat_that_drops_out_is_skipped_and_cannot_win() {
    let mut g = game(json!({"rows": 2, "cols": 2}), 3);
    // Seat 0 closes the top-left box (it owns one box), then leaves on its own turn.
    for (seat, line) in [(0, h(0, 0)), (1, v(0, 0)), (2, h(1, 0))] {
        g.play(seat, &line).unwrap();
    }
    g.play(0, &v(0, 1)).unwrap();
    assert_eq!(
        (g.view(Viewer::Spectator)["scores"].clone(), g.turn()),
        (json!([1, 0, 0]), vec![0])
    );
    assert!(g.drop_out(0));
    assert_eq!(g.turn(), vec![1], "the turn moves on");
    assert_eq!(g.view(Viewer::Spectator)["out"], json!([true, false, false]));
    g.play(1, &h(0, 1)).unwrap();
    assert_eq!(g.turn(), vec![2]);
    g.play(2, &h(2, 0)).unwrap();
    assert_eq!(g.turn(), vec![1], "seat 0 is skipped");
    assert!(!g.drop_out(0), "once out, out");
    // Seats 1 and 2 draw the rest; seat 0's box stays its own, but it cannot win.
    let rest = [h(1, 1), h(2, 1), v(1, 0), v(1, 1), v(1, 2), v(0, 2)];
    for line in &rest {
        let seat = g.turn()[0];
        g.play(seat, line).unwrap();
    }
    let outcome = g.outcome().expect("every line drawn");
    assert_ne!(outcome.winner, Some(0), "{outcome:?}");
    assert_eq!(g.view(Viewer::Spectator)["scores"][0], 1);
}

#[test]
fn the_last_player_left_wins_and_a_drop_out_replays() {
    let entry = kind::<DotsAndBoxes>();
    let mut g = entry.create(&json!({}), 3, 0).unwrap();
    g.play(0, &h(0, 0)).unwrap();
    assert!(g.drop_out(2));
    g.play(1, &h(0, 1)).unwrap();
    assert_eq!(g.turn(), vec![0]);
    assert!(g.drop_out(1));
    assert_eq!(g.outcome(), Some(Outcome::win(0, "last_player")));
    let log = [(0, h(0, 0)), (2, capital_engine::dropped_out()), (1, h(0, 1))];
    let mut replayed = replay(&*entry, &json!({}), 3, 0, log.iter().map(|(s, m)| (*s, m))).unwrap();
    assert!(replayed.drop_out(1));
    assert_eq!(all_views(&*replayed), all_views(&*g));
}
