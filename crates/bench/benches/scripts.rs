//! Game scripts against Rust games: a legal move of tic-tac-toe written as a script
//! (`tictactoe.js`, the same rules, moves and view) against the built-in Rust tic-tac-toe, and a
//! move of each shipped example. A script game's move is the script's `move`, then its
//! `outcome`, `turn` and the `view` of every seat and of spectators (the server sends each
//! member a view after every move, so a script game makes them all at once); asking for a view
//! afterwards is a copy. Before criterion runs, it prints what an idle script game holds: its
//! QuickJS heap, and the process's resident memory per game over many games.
//!
//! `cargo bench -p capital-bench --bench scripts`

use std::hint::black_box;

use capital_engine::{DynGame, GameKind, Viewer};
use capital_games::Registry;
use capital_script::{Limits, ScriptKind};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

const TICTACTOE_JS: &str = include_str!("tictactoe.js");
const NIM: &str = include_str!("../../../games/nim.js");
const LIARS_DICE: &str = include_str!("../../../games/liars_dice.js");

/// A game of tic-tac-toe that X wins on the seventh move (the middle column: 4, 1, 7).
const WHOLE_GAME: [u64; 7] = [4, 0, 1, 2, 6, 8, 7];

/// Games kept at once to measure memory per game.
const IDLE_GAMES: usize = 200;

fn load(source: &str, file: &str) -> ScriptKind {
    ScriptKind::load(source, file, Limits::default()).expect("the script loads")
}

fn position(kind: &dyn GameKind, players: usize, opening: &[(usize, Value)]) -> Box<dyn DynGame> {
    let (options, _) = kind.check(&Value::Null).expect("default options");
    let mut game = kind.create(&options, players, 7).expect("a game");
    for (seat, mv) in opening {
        game.play(*seat, mv).expect("the opening is legal");
    }
    game
}

/// Resident memory of this process, in bytes (Linux).
fn resident() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm.split(' ').nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    pages * 4096
}

fn idle_memory() {
    let kind = load(NIM, "nim.js");
    let (options, _) = kind.check(&Value::Null).unwrap();
    let one = kind.start(&options, 2, 1).unwrap();
    let before = resident();
    let games: Vec<_> =
        (0..IDLE_GAMES).map(|i| kind.start(&options, 2, i as u64).unwrap()).collect();
    let after = resident();
    eprintln!(
        "idle script game (nim.js): QuickJS heap {:.0} KiB; resident memory {:.0} KiB a game \
         over {IDLE_GAMES} games",
        one.memory_used() as f64 / 1024.0,
        after.saturating_sub(before) as f64 / 1024.0 / IDLE_GAMES as f64,
    );
    drop(games);
}

fn moves(c: &mut Criterion) {
    idle_memory();
    let registry = Registry::standard();
    let rust = registry.find("tictactoe").expect("built in");
    let script = load(TICTACTOE_JS, "tictactoe.js");
    let opening = [(0, json!({"cell": 4})), (1, json!({"cell": 0}))];
    let legal = json!({"cell": 8});
    let mut group = c.benchmark_group("tictactoe");
    for (name, kind) in [("rust", &*rust as &dyn GameKind), ("script", &script)] {
        group.bench_function(format!("{name}: legal move"), |b| {
            b.iter_batched(
                || position(kind, 2, &opening),
                // The game is handed back, so that dropping it is not timed.
                |mut game| {
                    game.play(0, black_box(&legal)).expect("legal");
                    game
                },
                BatchSize::SmallInput,
            )
        });
        // Seven moves on one game: what a move costs in a game that is being played.
        group.bench_function(format!("{name}: a whole game (7 moves)"), |b| {
            b.iter_batched(
                || position(kind, 2, &[]),
                |mut game| {
                    for (i, cell) in WHOLE_GAME.iter().enumerate() {
                        game.play(i % 2, black_box(&json!({"cell": cell}))).expect("legal");
                    }
                    assert!(game.outcome().is_some());
                    game
                },
                BatchSize::SmallInput,
            )
        });
        let mut refusing = position(kind, 2, &opening);
        group.bench_function(format!("{name}: refused move"), |b| {
            b.iter(|| refusing.play(0, black_box(&json!({"cell": 4}))).expect_err("taken"))
        });
        let game = position(kind, 2, &opening);
        group.bench_function(format!("{name}: view for a seat"), |b| {
            b.iter(|| game.view(black_box(Viewer::Seat(0))))
        });
        group.bench_function(format!("{name}: new game"), |b| {
            b.iter(|| kind.create(&json!({}), 2, black_box(1)).expect("a game"))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("examples");
    let nim = load(NIM, "nim.js");
    group.bench_function("nim: legal move", |b| {
        b.iter_batched(
            || position(&nim, 2, &[]),
            |mut game| {
                game.play(0, black_box(&json!({"take": 2}))).expect("legal");
                game
            },
            BatchSize::SmallInput,
        )
    });
    let dice = load(LIARS_DICE, "liars_dice.js");
    let bid = json!({"bid": {"count": 3, "face": 4}});
    group.bench_function("liars_dice, 6 players: a bid", |b| {
        b.iter_batched(
            || position(&dice, 6, &[]),
            |mut game| {
                game.play(0, black_box(&bid)).expect("legal");
                game
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, moves);
criterion_main!(benches);
