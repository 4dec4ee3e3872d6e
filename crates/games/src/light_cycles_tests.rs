//! Tests of every rule of light cycles, ticking the game as the room does.

use capital_engine::kind;
use serde_json::{Value, json};

use super::*;

fn steer(dir: Dir) -> Option<Steer> {
    Some(Steer { dir })
}

fn game(players: usize, rounds: u32) -> LightCycles {
    LightCycles::new(
        &CycleOptions { rounds, ..CycleOptions::default() },
        players,
        &mut Rng::from_seed(0),
    )
}

fn tick(game: &mut LightCycles, inputs: &[Option<Steer>]) {
    game.tick(1000 / TICK_RATE, inputs, &mut Rng::from_seed(0));
}

/// Ticks with no input until the round (or game) is over; returns how many ticks.
fn ride_out(game: &mut LightCycles) -> usize {
    let round = game.round;
    let players = game.cycles.len();
    for n in 1..=WIDTH * HEIGHT {
        tick(game, &vec![None; players]);
        if game.pause > 0 || game.round != round || game.outcome().is_some() {
            return n;
        }
    }
    panic!("a round never ended");
}

#[test]
fn metadata_players_tick_rate_and_options() {
    let entry = kind::<LightCycles>();
    assert_eq!((entry.kind(), entry.name()), ("light_cycles", "Light cycles"));
    assert_eq!(entry.check(&json!({})).unwrap().1, Players::between(2, 8));
    assert_eq!(entry.create(&json!({}), 8, 0).unwrap().tick_rate(), Some(TICK_RATE));
    let fast = entry.create(&json!({"speed": 30}), 2, 0).unwrap();
    assert_eq!(fast.tick_rate(), Some(30), "the speed option is the tick rate");
    for bad in [json!({"rounds": 0}), json!({"rounds": 6}), json!({"speed": 9})]
        .into_iter()
        .chain([json!({"speed": 31}), json!({"laps": 2})])
    {
        assert!(matches!(entry.check(&bad), Err(RuleError::BadOptions(_))), "{bad}");
    }
}

#[test]
fn the_pause_between_rounds_is_a_second_at_any_speed() {
    let options = CycleOptions { rounds: 2, speed: 30 };
    let mut g = LightCycles::new(&options, 2, &mut Rng::from_seed(0));
    ride_out(&mut g);
    assert_eq!(g.pause, 30, "30 ticks at 30 a second");
}

#[test]
fn every_seat_starts_inside_on_its_own_row() {
    for players in 2..=8 {
        let g = game(players, 1);
        let mut rows: Vec<i32> = g.cycles.iter().map(|c| c.y).collect();
        assert!(g.cycles.iter().all(|c| cell(c.x, c.y).is_some() && c.alive));
        rows.sort_unstable();
        rows.dedup();
        assert_eq!(rows.len(), players, "{players} players: no two on a row, so none meet head on");
        assert_eq!(g.turn(), (0..players).collect::<Vec<_>>(), "everyone steers");
        let walls = g.walls.iter().filter(|w| w.is_some()).count();
        assert_eq!(walls, players, "each start cell is its own wall");
    }
}

#[test]
fn a_tick_moves_every_cycle_one_cell_and_leaves_a_wall() {
    let mut g = game(2, 1);
    let (a, b) = (g.cycles[0], g.cycles[1]);
    tick(&mut g, &[None, None]);
    assert_eq!((g.cycles[0].x, g.cycles[0].y), (a.x + 1, a.y), "seat 0 goes right");
    assert_eq!((g.cycles[1].x, g.cycles[1].y), (b.x - 1, b.y), "seat 1 goes left");
    assert_eq!(g.walls[cell(a.x + 1, a.y).unwrap()], Some(0));
    assert_eq!(g.walls[cell(a.x, a.y).unwrap()], Some(0), "the old cell stays a wall");
    let view = g.view(Viewer::Spectator);
    assert_eq!(view.grid.len(), WIDTH * HEIGHT);
    assert_eq!(view.grid.chars().filter(|c| *c == 'a').count(), 2);
}

#[test]
fn steering_turns_but_never_straight_back() {
    let mut g = game(2, 1);
    assert!(matches!(g.validate(0, &Steer { dir: Dir::Left }), Err(RuleError::Illegal(_))));
    assert_eq!(g.validate(0, &Steer { dir: Dir::Up }), Ok(()));
    assert_eq!(g.validate(9, &Steer { dir: Dir::Up }), Err(RuleError::NoSuchSeat(9)));
    let y = g.cycles[0].y;
    tick(&mut g, &[steer(Dir::Up), None]);
    assert_eq!((g.cycles[0].dir, g.cycles[0].y), (Dir::Up, y - 1));
    tick(&mut g, &[steer(Dir::Down), None]);
    assert_eq!(g.cycles[0].dir, Dir::Up, "a reversal that got through is ignored");
}

#[test]
fn the_edge_and_walls_end_a_cycle_and_the_last_rider_wins_the_round() {
    let mut g = game(2, 2);
    // Seat 0 turns up and hits the top edge; seat 1 rides on.
    let ticks_to_top = g.cycles[0].y as usize + 1;
    for _ in 0..ticks_to_top {
        tick(&mut g, &[steer(Dir::Up), None]);
    }
    assert!(!g.cycles[0].alive && g.cycles[1].alive);
    assert_eq!((g.round_winner, g.scores.clone(), g.pause), (Some(1), vec![0, 1], PAUSE));
    assert_eq!(g.turn(), vec![0, 1], "between rounds everyone may send input");
    assert_eq!(g.outcome(), None);
    for _ in 0..PAUSE {
        tick(&mut g, &[None, None]);
    }
    assert_eq!((g.round, g.pause), (2, 0), "the next round starts from the same places");
    assert!(g.cycles.iter().all(|c| c.alive));
    assert_eq!(g.cycles, LightCycles::starts(2));
}

#[test]
fn steering_in_the_pause_sets_the_way_the_next_round_starts() {
    let mut g = game(2, 2);
    for _ in 0..=g.cycles[0].y as usize {
        tick(&mut g, &[steer(Dir::Up), None]);
    }
    assert!(g.pause > 0);
    tick(&mut g, &[steer(Dir::Down), steer(Dir::Right)]); // Bo's straight back: refused later
    for _ in 1..PAUSE {
        tick(&mut g, &[None, None]);
    }
    assert_eq!(g.pause, 0);
    assert_eq!((g.cycles[0].dir, g.cycles[1].dir), (Dir::Down, Dir::Left));
}

#[test]
fn a_wall_stops_a_cycle() {
    let mut g = game(2, 1);
    // Seat 1 comes left along its row; put seat 0's wall across it.
    let (x, y) = (g.cycles[1].x - 2, g.cycles[1].y);
    g.walls[cell(x, y).unwrap()] = Some(0);
    tick(&mut g, &[None, None]);
    assert!(g.cycles[1].alive);
    tick(&mut g, &[None, None]);
    assert!(!g.cycles[1].alive, "rode into seat 0's wall");
    assert_eq!(g.round_winner, Some(0));
}

#[test]
fn two_heads_in_one_cell_both_crash() {
    let mut g = game(2, 1);
    g.cycles[0] = Cycle { x: 10, y: 5, dir: Dir::Right, alive: true };
    g.cycles[1] = Cycle { x: 12, y: 5, dir: Dir::Left, alive: true };
    tick(&mut g, &[None, None]);
    assert!(g.cycles.iter().all(|c| !c.alive));
    assert_eq!(g.round_winner, None, "nobody scores");
    assert_eq!(g.outcome(), Some(Outcome::draw("tie")), "the only round: a tie");
}

#[test]
fn after_the_last_round_the_most_rounds_wins() {
    let mut g = game(3, 3);
    g.scores = vec![1, 0, 0];
    g.round = 3;
    for _ in 0..(g.cycles[1].y as usize + 1) {
        tick(&mut g, &[None, steer(Dir::Up), None]);
    }
    for _ in 0..(g.cycles[2].y as usize + 1) {
        tick(&mut g, &[None, None, steer(Dir::Up)]);
    }
    assert_eq!(g.outcome(), Some(Outcome::win(0, "most_rounds")));
    assert_eq!(g.turn(), Vec::<Seat>::new());
    let frozen = g.clone();
    tick(&mut g, &[steer(Dir::Up), None, None]);
    assert_eq!(g, frozen, "nothing moves after the game");
}

#[test]
fn the_same_inputs_give_the_same_game_and_a_snapshot_resumes_it() {
    let script = |g: &mut LightCycles, t: usize| {
        let dir = [Dir::Up, Dir::Right, Dir::Down, Dir::Right][t / 7 % 4];
        let inputs: Vec<Option<Steer>> =
            (0..8).map(|s| (s == t % 8).then_some(Steer { dir })).collect();
        tick(g, &inputs);
    };
    let (mut a, mut b) = (game(8, 3), game(8, 3));
    for t in 0..150 {
        script(&mut a, t);
        script(&mut b, t);
        if t == 60 {
            let snapshot = a.snapshot().unwrap();
            b = LightCycles::from_snapshot(&CycleOptions::default(), &snapshot).unwrap();
        }
    }
    assert_eq!(a, b);
    assert!(LightCycles::from_snapshot(&CycleOptions::default(), &json!({"walls": []})).is_none());
}

#[test]
fn eight_riding_straight_finish_a_round() {
    let mut g = game(8, 1);
    let ticks = ride_out(&mut g);
    assert!(ticks <= WIDTH, "everyone reaches the far wall within a width: {ticks}");
    assert!(g.outcome().is_some());
}

#[test]
fn moves_are_not_how_it_is_played() {
    let mut g = kind::<LightCycles>().create(&Value::Null, 2, 0).unwrap();
    assert!(matches!(g.play(0, &json!({"dir": "up"})), Err(RuleError::BadMove(_))));
    assert!(g.check_input(0, &json!({"dir": "up"})).is_ok());
    assert!(g.check_input(0, &json!({"dir": "left"})).is_err(), "straight back");
    assert!(g.check_input(0, &json!({"dir": "sideways"})).is_err());
    g.tick(50, &[Some(json!({"dir": "up"})), None]);
    assert_eq!(g.view(Viewer::Seat(1))["cycles"][0]["dir"], "up");
}

#[test]
fn every_viewer_sees_the_same_as_it_declares() {
    let entry = kind::<LightCycles>();
    let running = entry.create(&json!({}), 4, 0).unwrap();
    assert!(running.same_view_for_all(), "frames are rendered once a room");
    let mut g = game(4, 1);
    for _ in 0..5 {
        tick(&mut g, &[steer(Dir::Up), None, steer(Dir::Down), None]);
    }
    let public = g.view(Viewer::Spectator);
    for seat in 0..4 {
        assert_eq!(g.view(Viewer::Seat(seat)), public, "seat {seat}");
    }
}

#[test]
fn a_seat_that_drops_out_stops_for_good_and_the_last_one_left_wins() {
    let mut g = game(3, 3);
    assert!(g.drop_out(1));
    assert!(!g.cycles[1].alive && g.turn() == vec![0, 2], "{:?}", g.turn());
    assert_eq!(g.view(Viewer::Spectator).out, vec![false, true, false]);
    assert!(!g.drop_out(1), "once out, out");
    ride_out(&mut g);
    assert_eq!(g.outcome(), None, "two still play");
    while g.pause > 0 {
        tick(&mut g, &[None, None, None]);
    }
    assert!(!g.cycles[1].alive, "a seat that left does not ride the next round");
    let at = g.cycles[1];
    assert_eq!(g.walls[cell(at.x, at.y).unwrap()], None, "nor leave a start wall");
    assert!(g.drop_out(2));
    assert_eq!(g.outcome(), Some(Outcome::win(0, "last_player")));
    assert_eq!(g.turn(), Vec::<Seat>::new());
}

#[test]
fn a_snapshot_keeps_who_dropped_out() {
    let entry = kind::<LightCycles>();
    let mut g = entry.create(&json!({}), 3, 0).unwrap();
    assert!(g.drop_out(2));
    let resumed = entry.resume(&json!({}), 3, 0, 0, &g.snapshot().unwrap()).unwrap();
    assert_eq!(resumed.view(Viewer::Spectator)["out"], json!([false, false, true]));
}
