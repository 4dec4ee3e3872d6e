//! Script games through the engine's own face: Nim played to the end and rebuilt from its log,
//! and scripts that misbehave (loop, eat memory, throw, read the clock or Math.random, try to
//! leak through their view) ending their own game with an error that names the line.

use std::time::{Duration, Instant};

use capital_engine::{GameKind, RuleError, Viewer, replay};
use capital_script::{Limits, SCRIPT_ERROR, ScriptError, ScriptKind};
use serde_json::{Value, json};

const NIM: &str = include_str!("../../../games/nim.js");

fn limits() -> Limits {
    Limits { memory_bytes: 4 << 20, cpu_per_call: Duration::from_millis(50) }
}

/// A two-player game whose `move` (and the rest) is `rules`, a JS object body.
fn script(rules: &str) -> String {
    format!(
        "game({{ name: 'Test', players: {{min: 2, max: 2}},\n\
         setup() {{ return {{n: 0, secret: ['s0', 's1']}}; }},\n\
         turn(s) {{ return [s.n % 2]; }},\n\
         outcome(s) {{ return s.n >= 4 ? {{winner: 0, reason: 'done'}} : null; }},\n\
         view(s, seat) {{ return {{n: s.n, mine: seat === null ? null : s.secret[seat]}}; }},\n\
         {rules} }});"
    )
}

#[test]
fn nim_plays_to_the_end_and_replays_from_its_log() {
    let kind = ScriptKind::load(NIM, "nim.js", limits()).unwrap();
    assert_eq!((kind.kind(), kind.name(), kind.author()), ("nim", "Nim", Some("Capital")));
    let (options, players) = kind.check(&json!({"stones": 7})).unwrap();
    assert_eq!((options.clone(), players.min, players.max), (json!({"stones": 7}), 2, 2));
    assert!(kind.check(&json!({"stones": 500})).is_err(), "out of range");
    assert!(kind.check(&json!({"colour": "red"})).is_err(), "no such option");
    let mut game = kind.create(&options, 2, 42).unwrap();
    assert_eq!(game.turn(), [0]);
    assert_eq!(game.play(1, &json!({"take": 1})), Err(RuleError::NotYourTurn));
    let refused = game.play(0, &json!({"take": 4})).unwrap_err();
    assert_eq!(refused, RuleError::Illegal("take 1, 2 or 3 stones".into()));
    let log = [(0, json!({"take": 3})), (1, json!({"take": 3})), (0, json!({"take": 1}))];
    for (seat, mv) in &log {
        assert_eq!(game.play(*seat, mv).unwrap(), *mv);
    }
    let outcome = game.outcome().unwrap();
    assert_eq!((outcome.winner, outcome.reason.as_str()), (Some(0), "last_stone"));
    assert_eq!(game.view(Viewer::Spectator)["stones"], 0);
    let again = replay(&kind, &options, 2, 42, log.iter().map(|(s, m)| (*s, m))).unwrap();
    assert_eq!(again.view(Viewer::Seat(1)), game.view(Viewer::Seat(1)));
    assert_eq!(again.outcome(), game.outcome());
}

#[test]
fn each_seat_gets_only_its_view() {
    let kind =
        ScriptKind::load(&script("move(s) { return {...s, n: s.n + 1}; }"), "t.js", limits())
            .unwrap();
    let game = kind.create(&Value::Null, 2, 1).unwrap();
    assert_eq!(game.view(Viewer::Seat(0)), json!({"n": 0, "mine": "s0"}));
    assert_eq!(game.view(Viewer::Seat(1)), json!({"n": 0, "mine": "s1"}));
    assert_eq!(game.view(Viewer::Spectator), json!({"n": 0, "mine": null}));
}

#[test]
fn a_view_that_smuggles_another_seats_secret_across_calls_shows_it_only_to_that_seat() {
    // The view keeps what it saw for seat 0 and shows it to seat 1: the server computes every
    // view from the state in a fixed order and sends each seat only its own, so what leaks is
    // what the script's author wrote, and the same in a replay; the state itself never leaves.
    let leaky = script("move(s) { return {...s, n: s.n + 1}; }").replace(
        "view(s, seat) {",
        "view(s, seat) { if (seat === 0) globalThis.spy = s.secret[0]; ",
    );
    let kind = ScriptKind::load(&leaky, "leak.js", limits()).unwrap();
    let game = kind.create(&Value::Null, 2, 1).unwrap();
    let spectator = game.view(Viewer::Spectator).to_string();
    assert!(!spectator.contains("s0") && !spectator.contains("s1"), "{spectator}");
    assert!(!game.view(Viewer::Seat(1)).to_string().contains("s0"));
}

#[test]
fn an_endless_loop_is_stopped_within_its_budget_and_ends_the_game() {
    let kind = ScriptKind::load(
        &script("move(s, seat, m) { if (m.hang) { for (;;) {} } return {...s, n: s.n + 1}; }"),
        "loop.js",
        limits(),
    )
    .unwrap();
    let mut game = kind.create(&Value::Null, 2, 1).unwrap();
    game.play(0, &json!({})).unwrap();
    let started = Instant::now();
    let err = game.play(1, &json!({"hang": true})).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "stopped: {:?}", started.elapsed());
    assert!(err.to_string().contains("longer than 50 ms"), "{err}");
    assert_eq!(game.outcome().map(|o| o.reason), Some(SCRIPT_ERROR.into()));
    assert!(game.view(Viewer::Seat(0))["$error"].as_str().unwrap().contains("loop.js"));
    assert_eq!(game.turn(), Vec::<usize>::new(), "nobody is on turn in a failed game");
    assert_eq!(game.play(0, &json!({})), Err(RuleError::GameOver));
}

#[test]
fn a_memory_bomb_is_stopped_at_its_limit() {
    let bomb = script("move(s) { const a = []; for (;;) a.push(new Array(10000).fill(7)); }");
    let kind = ScriptKind::load(&bomb, "bomb.js", limits()).unwrap();
    let mut game = kind.create(&Value::Null, 2, 1).unwrap();
    let err = game.play(0, &json!({})).unwrap_err().to_string();
    eprintln!("memory bomb: {err}");
    assert!(err.contains("more than 4 MiB") || err.contains("longer than"), "{err}");
    assert_eq!(game.outcome().map(|o| o.reason), Some(SCRIPT_ERROR.into()));
}

#[test]
fn a_throw_in_each_rule_names_its_line() {
    let cases = [
        ("setup", "setup() { throw new Error('no set-up'); },"),
        ("turn", "turn(s) { return s.x.y; },"),
        ("view", "view(s) { null.oops(); },"),
        ("outcome", "outcome(s) { throw 'a string'; },"),
    ];
    for (rule, broken) in cases {
        // The broken rule replaces the working one (the last property wins).
        let source = script(&format!("move(s) {{ return {{...s, n: s.n + 1}}; }},\n{broken}"));
        let err = ScriptKind::load(&source, "broken.js", limits()).unwrap_err();
        let said = err.to_string();
        assert!(said.starts_with("broken.js"), "{rule}: {said}");
        if rule != "outcome" {
            assert!(said.contains("line 7"), "{rule} names its line: {said}");
        }
    }
    // A throw in move ends the game that was going.
    let kind =
        ScriptKind::load(&script("move(s) { throw new TypeError('bad luck'); }"), "m.js", limits())
            .unwrap();
    let mut game = kind.create(&Value::Null, 2, 1).unwrap();
    let err = game.play(0, &json!({})).unwrap_err().to_string();
    assert!(err.contains("m.js line 6: TypeError: bad luck"), "{err}");
    // A syntax error is found when the script loads.
    let err =
        ScriptKind::load("game({ setup() { return {; } })", "syntax.js", limits()).unwrap_err();
    assert!(matches!(err, ScriptError::Thrown { line: Some(1), .. }), "{err}");
    assert!(err.to_string().contains("SyntaxError"), "{err}");
}

#[test]
fn the_clock_and_math_random_are_not_there_but_the_seeded_random_replays() {
    let clock = script("move(s) { return {...s, n: Date.now()}; }");
    let kind = ScriptKind::load(&clock, "clock.js", limits()).unwrap();
    let err = kind.create(&Value::Null, 2, 1).unwrap().play(0, &json!({})).unwrap_err().to_string();
    assert!(err.contains("Date is not defined"), "{err}");
    let dice = "game({ players: 2, turn: () => [0], outcome: () => null, move: (s) => s,\n\
                setup: (_, {random}) => ({dice: [1, 2, 3].map(() => random.int(6)),\n\
                                          cards: random.shuffle([1, 2, 3, 4, 5, 6, 7, 8])}) });";
    let kind = ScriptKind::load(dice, "dice.js", limits()).unwrap();
    let seen = |seed| kind.create(&Value::Null, 2, seed).unwrap().view(Viewer::Spectator);
    assert_eq!(seen(7), seen(7), "the same seed, the same dice and cards");
    assert_ne!(seen(7), seen(8), "another seed, others");
    assert!(seen(7)["dice"].as_array().unwrap().iter().all(|d| d.as_u64().unwrap() < 6));
    let math = script("move(s) { return {...s, n: Math.random()}; }");
    let kind = ScriptKind::load(&math, "math.js", limits()).unwrap();
    let err = kind.create(&Value::Null, 2, 1).unwrap().play(0, &json!({})).unwrap_err().to_string();
    assert!(err.contains("Math.random is not available"), "{err}");
}

#[test]
fn a_declaration_without_its_rules_is_refused_with_what_is_missing() {
    let err = ScriptKind::load(
        "game({ name: 'x', players: 2, setup() {}, turn() {} })",
        "half.js",
        limits(),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "half.js: the game has no move(...) function");
    let err = ScriptKind::load("let x = 1;", "none.js", limits()).unwrap_err();
    assert!(err.to_string().contains("never called game"), "{err}");
}

#[test]
fn a_file_may_hold_its_board_too_which_never_runs_on_the_server() {
    let alone = ScriptKind::load(NIM, "nim.js", limits()).unwrap();
    assert!(!alone.definition().has_board);
    // board(...) is noted, not run: its draw would throw here (there is no document).
    let both = format!("{NIM}\nboard({{ draw() {{ return document.body; }} }});");
    let kind = ScriptKind::load(&both, "nim.js", limits()).unwrap();
    assert!(kind.definition().has_board);
    let (options, _) = kind.check(&Value::Null).unwrap();
    let mut game = kind.create(&options, 2, 1).unwrap();
    game.play(0, &json!({"take": 2})).unwrap();
    assert_eq!(game.view(Viewer::Seat(1))["stones"], 13);
}

#[test]
fn a_view_that_changes_the_state_in_place_changes_no_other_view_nor_the_state() {
    // Each rule gets its own copy: a view that writes into its state (here: the seat's secret,
    // and the seats it was asked for) shows nothing of it to the next seat.
    let rules = script("move(s) { return {...s, n: s.n + 1}; }").replace(
        "view(s, seat) { return {n: s.n, mine: seat === null ? null : s.secret[seat]}; }",
        "view(s, seat) { s.asked = (s.asked || []).concat([seat]); if (seat !== null) s.last = s.secret[seat]; return {n: s.n, asked: s.asked, last: s.last || null}; }",
    );
    let kind = ScriptKind::load(&rules, "inplace.js", limits()).unwrap();
    let mut game = kind.create(&Value::Null, 2, 1).unwrap();
    game.play(0, &json!({})).unwrap();
    assert_eq!(game.view(Viewer::Seat(0)), json!({"n": 1, "asked": [0], "last": "s0"}));
    assert_eq!(game.view(Viewer::Seat(1)), json!({"n": 1, "asked": [1], "last": "s1"}));
    assert_eq!(game.view(Viewer::Spectator), json!({"n": 1, "asked": [null], "last": null}));
}
